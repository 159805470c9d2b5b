/**
 * NLB handler on Compute Engine: a regional backend-service passthrough network load balancer.
 *
 *   create:  health check ─┐
 *            address ──────┼─► backend service (backends = instance groups) ─► forwarding rule
 *            instance group per zone (+ its VMs) ┘
 *   delete:  forwarding rule ─► address, backend service ─► instance groups, health check
 *
 * The backend service is the anchor: its id is the NLB's systemId because it lives as long as the
 * NLB (the forwarding rule is recreated when the listener changes), and its description marker
 * holds the VPC name, the VM group port and whether the health check port follows that port.
 */
import type {
    HealthCheckerInfo,
    HealthCheckerReq,
    HealthInfo,
    Iid,
    ListenerInfo,
    ListenerReq,
    NlbInfo,
    NlbReq,
    VmGroupInfo,
    VmGroupReq,
} from "../../interface/driver";
import { AlreadyExistsError, FieldIssue, NotFoundError, NotSupportedError } from "../../interface/errors";
import { ownerValue, stackOfUrn } from "../../interface/owner";
import { allOrFirstError } from "../../interface/wait";
import { IBackendService, IForwardingRule, IHealthCheck, lastSegment, read, readOrUndefined } from "./clients";
import { UndoStack } from "../../interface/undo";
import {
    GcpContext,
    GroupState,
    checkVmNetworks,
    describeNlb,
    findNetwork,
    findNlb,
    findOwnGroups,
    findSubnetwork,
    groupsOf,
    listAll,
    markerOf,
    nameForDelete,
    readBackendService,
    readForwardingRule,
    waitNlbGone,
    groupKey,
    invalid,
    label,
} from "./lookup";
import {
    PartMarker,
    fromDescription,
    fromForwardingRule,
    fromHealthCheck,
    labelsOf,
    networkLink,
    nlbNames,
    protocolOf,
    regionalLink,
    toDescription,
    toForwardingRuleResource,
    toHealthCheckResource,
    toNlbInfo,
    toScheme,
    zonalLink,
} from "./parts";
import {
    changeMembers,
    createGroup,
    healthReqOf,
    insertHealthCheck,
    putHealthCheck,
    removePart,
    reserveAddress,
    runStep,
    switchListener,
    undoDelete,
    updateBackendService,
    UPDATE_ATTEMPTS,
    cleanBackends,
    isConditionNotMet,
    restoring,
} from "./steps";
import {
    validateHealthChecker,
    validateListener,
    validateNlb,
    validateTags,
    validateVmGroup,
    validateVmRefs,
} from "./validate";
import { ResolvedVm, byZone, canonicalOfLink, parseVmRef, resolveVms } from "./vms";

// -------------------------------------------------------------------------------------------
// create / read / delete

export async function createNlb(ctx: GcpContext, req: NlbReq): Promise<NlbInfo> {
    const name = req.iid.nameId;
    const action = `creating Nlb (${name})`;
    const issues = validateNlb(req);
    if (issues.length > 0) throw invalid(action, issues);
    const partNames = nlbNames(name);
    const scheme = toScheme(req.type);
    const [existing, network, vms] = await Promise.all([
        readOrUndefined(ctx.settings, { action, step: `reading backend service ${partNames.backendService}` }, () =>
            ctx.clients.of("backendServices").get({
                project: ctx.settings.project,
                region: ctx.settings.region,
                backendService: partNames.backendService,
            }),
        ),
        findNetwork(ctx, req.vpc, action),
        req.vmGroup.vms.length > 0
            ? resolveVms(ctx.clients, ctx.settings, req.vmGroup.vms, { action, step: "looking up VMs" }, "vmGroup.vms")
            : Promise.resolve([] as ResolvedVm[]),
    ]);
    if (existing)
        throw new AlreadyExistsError(
            `${action}: an NLB named ${name} already exists in ${ctx.settings.project}/${ctx.settings.region} (backend service ${partNames.backendService})`,
        );
    checkVmNetworks(ctx, vms, req.vpc, action, "vmGroup.vms");
    const subnetwork = scheme === "INTERNAL" ? await findSubnetwork(ctx, network, req.subnets?.[0], action) : undefined;

    // The backend service is the NLB itself: only a conflict on its name means the name is taken.
    const undo = new UndoStack(action, { creates: true });
    try {
        const hcBody = toHealthCheckResource(partNames.healthCheck, name, req.healthChecker, req.vmGroup.port);
        const hcP = insertHealthCheck(ctx, hcBody, action, undo);
        const ipP = reserveAddress(ctx, name, scheme, subnetwork?.selfLink ?? undefined, action, undo);
        const groupPs = [...byZone(vms)].map(([zone, list]) =>
            createGroup(ctx, name, zone, list, req.vpc, action, undo),
        );
        await allOrFirstError<unknown>([hcP, ipP, ...groupPs]);
        const hc = await hcP;
        const ip = await ipP;
        const groups = await Promise.all(groupPs);

        const marker: Omit<PartMarker, "managedBy"> = {
            nlb: name,
            part: "backendService",
            vpc: req.vpc,
            vmGroupPort: req.vmGroup.port,
            healthPortAuto: req.healthChecker.port === undefined,
            ...(req.owner ? { owner: ownerValue(req.owner), stack: stackOfUrn(req.owner) } : {}),
        };
        const bsBody: IBackendService = {
            name: partNames.backendService,
            description: toDescription(marker),
            loadBalancingScheme: scheme,
            protocol: req.vmGroup.protocol,
            healthChecks: [regionalLink(ctx.settings, "healthChecks", partNames.healthCheck)],
            backends: groups.map(link => ({ group: link, balancingMode: "CONNECTION" })),
        };
        if (scheme === "INTERNAL") bsBody.network = networkLink(ctx.settings, req.vpc);
        await undo.anchor(() =>
            runStep(
                ctx,
                action,
                `inserting backend service ${partNames.backendService}`,
                "vmGroup",
                "create",
                requestId =>
                    ctx.clients.of("backendServices").insert({
                        project: ctx.settings.project,
                        region: ctx.settings.region,
                        requestId,
                        backendServiceResource: bsBody,
                    }),
            ),
        );
        undo.push(
            undoDelete(ctx, `backend service ${partNames.backendService}`, action, requestId =>
                ctx.clients.of("backendServices").delete({
                    project: ctx.settings.project,
                    region: ctx.settings.region,
                    backendService: partNames.backendService,
                    requestId,
                }),
            ),
        );

        const frBody = toForwardingRuleResource({
            name: partNames.forwardingRule,
            nlb: name,
            ip,
            protocol: req.listener.protocol,
            port: req.listener.port,
            scheme,
            backendService: regionalLink(ctx.settings, "backendServices", partNames.backendService),
            labels: req.tags ?? {},
            network: scheme === "INTERNAL" ? networkLink(ctx.settings, req.vpc) : undefined,
            subnetwork: subnetwork?.selfLink ?? undefined,
        });
        const fr = await runStep(
            ctx,
            action,
            `inserting forwarding rule ${partNames.forwardingRule}`,
            "listener",
            "create",
            requestId =>
                ctx.clients.of("forwardingRules").insert({
                    project: ctx.settings.project,
                    region: ctx.settings.region,
                    requestId,
                    forwardingRuleResource: frBody,
                }),
        );
        undo.push(
            undoDelete(ctx, `forwarding rule ${partNames.forwardingRule}`, action, requestId =>
                ctx.clients.of("forwardingRules").delete({
                    project: ctx.settings.project,
                    region: ctx.settings.region,
                    forwardingRule: partNames.forwardingRule,
                    requestId,
                }),
            ),
        );

        const bs = await readBackendService(ctx, partNames.backendService, action);
        return toNlbInfo(ctx.settings, {
            name,
            bs,
            ip,
            hc: { ...hcBody, id: hc.targetId, selfLink: hc.op.targetLink },
            fr: { ...frBody, id: fr.targetId, selfLink: fr.op.targetLink },
            vms: vms.map(v => v.canonical),
        });
    } catch (err) {
        return undo.fail(err);
    }
}

export async function getNlb(ctx: GcpContext, iid: Iid): Promise<NlbInfo> {
    const action = `reading Nlb (${label(iid)})`;
    const { name, bs } = await findNlb(ctx, iid, action);
    return describeNlb(ctx, name, bs, action);
}

export async function listNlb(ctx: GcpContext): Promise<NlbInfo[]> {
    const action = "listing Nlbs";
    const regionScope = { project: ctx.settings.project, region: ctx.settings.region };
    const [bss, frs, hcs] = await Promise.all([
        listAll<IBackendService>(ctx, { action, step: "listing backend services" }, () =>
            ctx.clients.of("backendServices").listAsync(regionScope, { autoPaginate: false }),
        ),
        listAll<IForwardingRule>(ctx, { action, step: "listing forwarding rules" }, () =>
            ctx.clients.of("forwardingRules").listAsync(regionScope, { autoPaginate: false }),
        ),
        listAll<IHealthCheck>(ctx, { action, step: "listing health checks" }, () =>
            ctx.clients.of("healthChecks").listAsync(regionScope, { autoPaginate: false }),
        ),
    ]);
    const ours = bss.filter(b => fromDescription(b.description)?.part === "backendService");
    const infos = await Promise.all(
        ours.map(bs => {
            const name = fromDescription(bs.description)!.nlb;
            const hcName = lastSegment(bs.healthChecks?.[0]);
            return describeNlb(ctx, name, bs, action, {
                fr: frs.find(f => f.name === nlbNames(name).forwardingRule) ?? null,
                hc: hcs.find(h => h.name === hcName),
            });
        }),
    );
    return infos.sort((a, b) => a.iid.nameId.localeCompare(b.iid.nameId));
}

export async function deleteNlb(ctx: GcpContext, iid: Iid): Promise<void> {
    const action = `deleting Nlb (${label(iid)})`;
    const target = await nameForDelete(ctx, iid, action);
    if (target === undefined) return;
    const name = target.name;
    const partNames = nlbNames(name);
    const regionScope = { project: ctx.settings.project, region: ctx.settings.region };
    const groupsP = findOwnGroups(ctx, name, action);
    groupsP.catch(() => undefined);
    // With the backend service gone this is cleanup after a failed create or delete: read which
    // parts remain instead of sending deletes that would answer 404 (each one a write).
    const left = target.anchored ? { fr: true, address: true, hc: true } : await partsLeft(ctx, name, action);

    if (left.fr) {
        await removePart(ctx, action, `deleting forwarding rule ${partNames.forwardingRule}`, requestId =>
            ctx.clients
                .of("forwardingRules")
                .delete({ ...regionScope, forwardingRule: partNames.forwardingRule, requestId }),
        );
    }
    await allOrFirstError([
        ...(left.address
            ? [
                  removePart(ctx, action, `releasing address ${partNames.address}`, requestId =>
                      ctx.clients.of("addresses").delete({ ...regionScope, address: partNames.address, requestId }),
                  ),
              ]
            : []),
        ...(target.anchored
            ? [
                  removePart(ctx, action, `deleting backend service ${partNames.backendService}`, requestId =>
                      ctx.clients.of("backendServices").delete({
                          ...regionScope,
                          backendService: partNames.backendService,
                          requestId,
                      }),
                  ),
              ]
            : []),
    ]);
    const groups = await groupsP;
    await allOrFirstError([
        ...groups.map(g =>
            removePart(ctx, action, `deleting instance group ${g.name}`, requestId =>
                ctx.clients.of("instanceGroups").delete({
                    project: ctx.settings.project,
                    zone: g.zone,
                    instanceGroup: g.name,
                    requestId,
                }),
            ),
        ),
        ...(left.hc
            ? [
                  removePart(ctx, action, `deleting health check ${partNames.healthCheck}`, requestId =>
                      ctx.clients
                          .of("healthChecks")
                          .delete({ ...regionScope, healthCheck: partNames.healthCheck, requestId }),
                  ),
              ]
            : []),
    ]);
    if (target.anchored) await waitNlbGone(ctx, name, action);
}

/** Which of an unanchored NLB's named parts still exist. */
async function partsLeft(
    ctx: GcpContext,
    name: string,
    action: string,
): Promise<{ fr: boolean; address: boolean; hc: boolean }> {
    const partNames = nlbNames(name);
    const regionScope = { project: ctx.settings.project, region: ctx.settings.region };
    const [fr, address, hc] = await Promise.all([
        readOrUndefined(ctx.settings, { action, step: `reading forwarding rule ${partNames.forwardingRule}` }, () =>
            ctx.clients.of("forwardingRules").get({ ...regionScope, forwardingRule: partNames.forwardingRule }),
        ),
        readOrUndefined(ctx.settings, { action, step: `reading address ${partNames.address}` }, () =>
            ctx.clients.of("addresses").get({ ...regionScope, address: partNames.address }),
        ),
        readOrUndefined(ctx.settings, { action, step: `reading health check ${partNames.healthCheck}` }, () =>
            ctx.clients.of("healthChecks").get({ ...regionScope, healthCheck: partNames.healthCheck }),
        ),
    ]);
    return { fr: fr !== undefined, address: address !== undefined, hc: hc !== undefined };
}

// -------------------------------------------------------------------------------------------
// in-place changes

export async function changeListener(ctx: GcpContext, iid: Iid, listener: ListenerReq): Promise<ListenerInfo> {
    const action = `changing listener of Nlb (${label(iid)})`;
    const issues = validateListener(listener);
    if (issues.length > 0) throw invalid(action, issues);
    const { name, bs } = await findNlb(ctx, iid, action);
    const fr = await readForwardingRule(ctx, name, action);
    if (fr) {
        const cur = fromForwardingRule(fr);
        if (cur.protocol === listener.protocol && cur.port === listener.port) return cur;
    }
    return switchListener(ctx, name, bs, fr, listener, action);
}

/**
 * The port is recorded on the backend service and, when the health check port was left to
 * follow it, moved there too. A protocol change carries the listener along (same port, same
 * IP), because a passthrough forwarding rule and its backend service share one protocol.
 */
export async function changeVmGroupInfo(ctx: GcpContext, iid: Iid, vmGroup: VmGroupReq): Promise<VmGroupInfo> {
    const action = `changing VM group of Nlb (${label(iid)})`;
    const issues = validateVmGroup(vmGroup, undefined);
    if (issues.length > 0) throw invalid(action, issues);
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const partNames = nlbNames(name);
    const undo = new UndoStack(action);
    let current: IBackendService | undefined = bs;
    try {
        if (vmGroup.protocol !== protocolOf(bs)) {
            const fr = await readForwardingRule(ctx, name, action);
            if (fr) {
                const before = fromForwardingRule(fr);
                await switchListener(ctx, name, bs, fr, { protocol: vmGroup.protocol, port: before.port }, action);
                undo.push({
                    ...restoring(`listener not switched back to ${before.protocol}:${before.port}`),
                    run: async () => {
                        await switchListener(
                            ctx,
                            name,
                            undefined,
                            await readForwardingRule(ctx, name, action),
                            before,
                            action,
                        );
                    },
                });
            } else {
                await updateBackendService(
                    ctx,
                    partNames.backendService,
                    bs,
                    {
                        action,
                        step: `switching backend service ${partNames.backendService} to ${vmGroup.protocol}`,
                        property: "vmGroup.protocol",
                    },
                    () => ({ protocol: vmGroup.protocol }),
                );
            }
            current = undefined;
        }
        if (marker.vmGroupPort !== vmGroup.port) {
            if (marker.healthPortAuto) {
                const hcName = lastSegment(bs.healthChecks?.[0]) || partNames.healthCheck;
                const hc = await read(ctx.settings, { action, step: `reading health check ${hcName}` }, () =>
                    ctx.clients.of("healthChecks").get({
                        project: ctx.settings.project,
                        region: ctx.settings.region,
                        healthCheck: hcName,
                    }),
                );
                const before = healthReqOf(ctx, fromHealthCheck(hc));
                await putHealthCheck(
                    ctx,
                    hcName,
                    name,
                    { ...before, port: vmGroup.port },
                    vmGroup.port,
                    action,
                    "healthChecker.port",
                );
                undo.push({
                    ...restoring(`health check ${hcName} port not restored to ${before.port ?? ""}`),
                    run: async () => {
                        await putHealthCheck(ctx, hcName, name, before, vmGroup.port, action, "healthChecker.port");
                    },
                });
            }
            await updateBackendService(
                ctx,
                partNames.backendService,
                current,
                { action, step: `recording VM group port on ${partNames.backendService}`, property: "vmGroup.port" },
                () => ({ description: toDescription({ ...marker, vmGroupPort: vmGroup.port }) }),
            );
        }
    } catch (err) {
        return undo.fail(err);
    }
    const groups = await groupsOf(ctx, bs, action);
    return {
        protocol: vmGroup.protocol,
        port: vmGroup.port,
        vms: groups.flatMap(g => g.vms).sort(),
        cspId: String(bs.id ?? ""),
    };
}

export async function addVms(ctx: GcpContext, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const action = `adding VMs to Nlb (${label(iid)})`;
    const issues = validateVmRefs(vms, "vms");
    if (issues.length > 0) throw invalid(action, issues);
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const [resolved, groups] = await Promise.all([
        resolveVms(ctx.clients, ctx.settings, vms, { action, step: "looking up VMs" }, "vms"),
        groupsOf(ctx, bs, action),
    ]);
    checkVmNetworks(ctx, resolved, marker.vpc ?? "", action, "vms");
    const attached = new Set(groups.flatMap(g => g.vms));
    const toAdd = resolved.filter(v => !attached.has(v.canonical));
    const info = (extra: string[]): VmGroupInfo => ({
        protocol: protocolOf(bs),
        port: marker.vmGroupPort ?? 0,
        vms: [...attached, ...extra].sort(),
        cspId: String(bs.id ?? ""),
    });
    if (toAdd.length === 0) return info([]);

    const undo = new UndoStack(action);
    try {
        const newGroups: string[] = [];
        await allOrFirstError(
            [...byZone(toAdd)].map(async ([zone, list]) => {
                const existing = groups.find(g => g.zone === zone);
                if (!existing) {
                    newGroups.push(await createGroup(ctx, name, zone, list, marker.vpc ?? "", action, undo, true));
                    return;
                }
                await changeMembers(
                    ctx,
                    existing,
                    "addInstances",
                    list.map(v => v.link),
                    action,
                );
                undo.push({
                    ...restoring(
                        `VMs ${list.map(v => v.canonical).join(", ")} left in instance group ${existing.name}`,
                    ),
                    run: () =>
                        changeMembers(
                            ctx,
                            existing,
                            "removeInstances",
                            list.map(v => v.link),
                            action,
                        ),
                });
            }),
        );
        if (newGroups.length > 0) {
            await updateBackendService(
                ctx,
                nlbNames(name).backendService,
                bs,
                { action, step: `attaching instance groups to ${nlbNames(name).backendService}`, property: "vms" },
                cur => ({
                    backends: [
                        ...cleanBackends(cur.backends),
                        ...newGroups.sort().map(g => ({ group: g, balancingMode: "CONNECTION" })),
                    ],
                }),
            );
        }
    } catch (err) {
        return undo.fail(err);
    }
    return info(toAdd.map(v => v.canonical));
}

export async function removeVms(ctx: GcpContext, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const action = `removing VMs from Nlb (${label(iid)})`;
    const refIssues = validateVmRefs(vms, "vms");
    if (refIssues.length > 0) throw invalid(action, refIssues);
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const groups = await groupsOf(ctx, bs, action);
    const members = groups.flatMap(g => g.vms.map(canonical => ({ canonical, group: g })));
    const remove = new Set<string>();
    const issues: FieldIssue[] = [];
    vms.forEach((ref, i) => {
        const parsedRef = parseVmRef(ref);
        const matches = members.filter(
            m =>
                m.canonical.endsWith(`/${parsedRef.name}`) &&
                (parsedRef.zone === undefined || m.group.zone === parsedRef.zone),
        );
        if (matches.length > 1) {
            issues.push({
                property: `vms[${i}]`,
                reason: `"${ref}" is ambiguous: attached in ${matches.map(m => m.group.zone).join(", ")}; write it as zone/name`,
            });
        } else if (matches.length === 1) {
            remove.add(matches[0].canonical);
        }
    });
    if (issues.length > 0) throw invalid(action, issues);
    const remaining = members
        .map(m => m.canonical)
        .filter(c => !remove.has(c))
        .sort();
    const info: VmGroupInfo = {
        protocol: protocolOf(bs),
        port: marker.vmGroupPort ?? 0,
        vms: remaining,
        cspId: String(bs.id ?? ""),
    };
    if (remove.size === 0) return info;

    const emptied = groups.filter(g => g.vms.length > 0 && g.vms.every(v => remove.has(v)));
    const partial = groups.filter(g => !emptied.includes(g) && g.vms.some(v => remove.has(v)));
    const linkOf = (g: GroupState, canonical: string): string =>
        zonalLink(ctx.settings, g.zone, "instances", canonical.slice(canonical.indexOf("/") + 1));
    const undo = new UndoStack(action);
    try {
        await allOrFirstError(
            partial.map(async g => {
                const links = g.vms.filter(v => remove.has(v)).map(v => linkOf(g, v));
                await changeMembers(ctx, g, "removeInstances", links, action);
                undo.push({
                    ...restoring(`VMs not re-added to instance group ${g.name}`),
                    run: () => changeMembers(ctx, g, "addInstances", links, action),
                });
            }),
        );
        if (emptied.length > 0) {
            const bsName = nlbNames(name).backendService;
            const dropped = new Set(emptied.map(g => g.link));
            await updateBackendService(
                ctx,
                bsName,
                bs,
                { action, step: `detaching emptied instance groups from ${bsName}`, property: "vms" },
                cur => ({ backends: cleanBackends(cur.backends).filter(b => !dropped.has(groupKey(b.group))) }),
            );
            undo.push({
                ...restoring(`instance groups ${emptied.map(g => g.name).join(", ")} not re-attached to ${bsName}`),
                run: async () => {
                    await updateBackendService(
                        ctx,
                        bsName,
                        undefined,
                        { action, step: `re-attaching instance groups to ${bsName}` },
                        cur => ({
                            backends: [
                                ...cleanBackends(cur.backends),
                                ...emptied.map(g => ({ group: g.link, balancingMode: "CONNECTION" })),
                            ],
                        }),
                    );
                },
            });
            await allOrFirstError(
                emptied.map(g =>
                    removePart(
                        ctx,
                        action,
                        `deleting instance group ${g.name}`,
                        requestId =>
                            ctx.clients.of("instanceGroups").delete({
                                project: ctx.settings.project,
                                zone: g.zone,
                                instanceGroup: g.name,
                                requestId,
                            }),
                        "update",
                    ),
                ),
            );
        }
    } catch (err) {
        return undo.fail(err);
    }
    return info;
}

export async function getVmGroupHealthInfo(ctx: GcpContext, iid: Iid): Promise<HealthInfo> {
    const action = `reading VM health of Nlb (${label(iid)})`;
    const { bs } = await findNlb(ctx, iid, action);
    const states = new Map<string, string>();
    await Promise.all(
        (bs.backends ?? []).map(async b => {
            const res = await read(ctx.settings, { action, step: `reading health of ${lastSegment(b.group)}` }, () =>
                ctx.clients.of("backendServices").getHealth({
                    project: ctx.settings.project,
                    region: ctx.settings.region,
                    backendService: bs.name ?? "",
                    resourceGroupReferenceResource: { group: b.group },
                }),
            );
            for (const st of res.healthStatus ?? []) {
                const vm = canonicalOfLink(st.instance ?? "");
                // Several forwarding rules can report one VM; it is healthy only if every report says so.
                if (states.get(vm) !== "UNHEALTHY")
                    states.set(vm, String(st.healthState ?? "UNKNOWN") === "HEALTHY" ? "HEALTHY" : "UNHEALTHY");
            }
        }),
    );
    const all = [...states.keys()].sort();
    return {
        all,
        healthy: all.filter(v => states.get(v) === "HEALTHY"),
        unhealthy: all.filter(v => states.get(v) !== "HEALTHY"),
    };
}

export async function changeHealthCheckerInfo(
    ctx: GcpContext,
    iid: Iid,
    healthChecker: HealthCheckerReq,
): Promise<HealthCheckerInfo> {
    const action = `changing health checker of Nlb (${label(iid)})`;
    const issues = validateHealthChecker(healthChecker);
    if (issues.length > 0) throw invalid(action, issues);
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const hcName = lastSegment(bs.healthChecks?.[0]) || nlbNames(name).healthCheck;
    const res = await putHealthCheck(
        ctx,
        hcName,
        name,
        healthChecker,
        marker.vmGroupPort ?? 0,
        action,
        "healthChecker",
    );
    const auto = healthChecker.port === undefined;
    if (marker.healthPortAuto !== auto) {
        await updateBackendService(
            ctx,
            nlbNames(name).backendService,
            bs,
            {
                action,
                step: "recording whether the health check port follows the VM group port",
                property: "healthChecker.port",
            },
            () => ({ description: toDescription({ ...marker, healthPortAuto: auto }) }),
        );
    }
    return fromHealthCheck({
        ...toHealthCheckResource(hcName, name, healthChecker, marker.vmGroupPort ?? 0),
        id: res.targetId,
    });
}

/** A forwarding rule's subnetwork and the internal address reserved in it cannot change. */
export async function changeSubnets(ctx: GcpContext, iid: Iid, _subnets: string[]): Promise<string[]> {
    throw new NotSupportedError(
        `changing the subnets of Nlb (${label(iid)}): a GCE forwarding rule's subnetwork ` +
            "and its reserved internal address are immutable, so the gcp driver replaces the NLB instead",
    );
}

export async function changeTags(
    ctx: GcpContext,
    iid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const action = `changing tags of Nlb (${label(iid)})`;
    const issues = validateTags(tags);
    if (issues.length > 0) throw invalid(action, issues);
    const { name } = await findNlb(ctx, iid, action);
    const frName = nlbNames(name).forwardingRule;
    const regionScope = { project: ctx.settings.project, region: ctx.settings.region };
    for (let attempt = 1; ; attempt++) {
        const fr = await readOrUndefined(ctx.settings, { action, step: `reading forwarding rule ${frName}` }, () =>
            ctx.clients.of("forwardingRules").get({ ...regionScope, forwardingRule: frName }),
        );
        if (!fr)
            throw new NotFoundError(
                `${action}: forwarding rule ${frName} is missing; change the listener to recreate it`,
            );
        if (sameLabels(labelsOf(fr), tags)) return { ...tags };
        try {
            await runStep(ctx, action, `setting labels on ${frName}`, "tags", "update", requestId =>
                ctx.clients.of("forwardingRules").setLabels({
                    ...regionScope,
                    resource: frName,
                    requestId,
                    regionSetLabelsRequestResource: { labels: { ...tags }, labelFingerprint: fr.labelFingerprint },
                }),
            );
            return { ...tags };
        } catch (err) {
            if (attempt >= UPDATE_ATTEMPTS || !isConditionNotMet(err)) throw err;
        }
    }
}

function sameLabels(left: Record<string, string>, right: Record<string, string>): boolean {
    const ka = Object.keys(left).sort();
    const kb = Object.keys(right).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && left[k] === right[k]);
}
