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
    NlbTraffic,
    TrafficProtocol,
    VmGroupInfo,
    VmGroupReq,
} from "../../interface/driver";
import { capabilities } from "./capabilities";
import { AlreadyExistsError, FieldIssue, NotFoundError, NotSupportedError } from "../../interface/errors";
import { ownerValue, stackOfUrn } from "../../interface/owner";
import { allOrFirstError } from "../../interface/wait";
import {
    IBackendService,
    IForwardingRule,
    IHealthCheck,
    INetwork,
    MutationResult,
    lastSegment,
    read,
    readOrUndefined,
} from "./clients";
import { transaction, UndoStack } from "../../interface/undo";
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
    regionScope,
    waitNlbGone,
    groupKey,
    throwIfInvalid,
    label,
} from "./lookup";
import {
    ForwardingRuleSpec,
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
    toBackendServiceTraffic,
    toNlbInfo,
    trafficOf,
    toScheme,
    zonalLink,
} from "./parts";
import {
    Start,
    attachGroups,
    changeMembers,
    createGroup,
    deleteAddress,
    deleteBackendService,
    deleteForwardingRule,
    deleteHealthCheck,
    deleteInstanceGroup,
    healthReqOf,
    insertForwardingRule,
    insertHealthCheck,
    insertPart,
    putHealthCheck,
    removePart,
    reserveAddress,
    runStep,
    switchBackendProtocol,
    switchListener,
    updateBackendService,
    UPDATE_ATTEMPTS,
    cleanBackends,
    isConditionNotMet,
    restoring,
} from "./steps";
import {
    validateHealthChecker,
    validateTraffic,
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
    throwIfInvalid(action, validateNlb(req));
    const scheme = toScheme(req.type);
    const { network, vms } = await readCreateInputs(ctx, req, action);
    const subnetwork = scheme === "INTERNAL" ? await findSubnetwork(ctx, network, req.subnets?.[0], action) : undefined;
    const partNames = nlbNames(name);
    // The backend service is the NLB itself: only a conflict on its name means the name is taken.
    return transaction(action, { creates: true }, async undo => {
        const hcBody = toHealthCheckResource(partNames.healthCheck, name, req.healthChecker, req.vmGroup.port);
        const hcP = insertHealthCheck(ctx, hcBody, action, undo);
        const ipP = reserveAddress(ctx, name, scheme, subnetwork?.selfLink ?? undefined, action, undo);
        const groupPs = [...byZone(vms)].map(([zone, list]) =>
            createGroup(ctx, name, zone, list, req.vpc, action, undo),
        );
        await allOrFirstError<unknown>([hcP, ipP, ...groupPs]);
        const hc = await hcP;
        const ip = await ipP;
        await insertBackendService(ctx, req, await Promise.all(groupPs), action, undo);
        const frSpec = forwardingRuleSpecOf(ctx, req, ip, subnetwork?.selfLink ?? undefined);
        const fr = await insertPart(ctx, action, undo, {
            what: `forwarding rule ${partNames.forwardingRule}`,
            insert: () =>
                insertForwardingRule(ctx, action, `inserting forwarding rule ${frSpec.name}`, "create", frSpec),
            remove: deleteForwardingRule(ctx, partNames.forwardingRule),
        });
        const bs = await readBackendService(ctx, partNames.backendService, action);
        return toNlbInfo(ctx.settings, {
            name,
            bs,
            ip,
            hc: { ...hcBody, id: hc.targetId, selfLink: hc.op.targetLink },
            fr: { ...toForwardingRuleResource(frSpec), id: fr.targetId, selfLink: fr.op.targetLink },
            vms: vms.map(vm => vm.canonical),
        });
    });
}

/** The network and VMs a new NLB uses; refuses a name whose backend service exists already. */
async function readCreateInputs(
    ctx: GcpContext,
    req: NlbReq,
    action: string,
): Promise<{ network: INetwork; vms: ResolvedVm[] }> {
    const bsName = nlbNames(req.iid.nameId).backendService;
    const [existing, network, vms] = await Promise.all([
        readOrUndefined(ctx.settings, { action, step: `reading backend service ${bsName}` }, () =>
            ctx.clients.of("backendServices").get({ ...regionScope(ctx), backendService: bsName }),
        ),
        findNetwork(ctx, req.vpc, action),
        req.vmGroup.vms.length > 0
            ? resolveVms(ctx.clients, ctx.settings, req.vmGroup.vms, { action, step: "looking up VMs" }, "vmGroup.vms")
            : Promise.resolve([] as ResolvedVm[]),
    ]);
    if (existing) {
        const place = `${ctx.settings.project}/${ctx.settings.region}`;
        throw new AlreadyExistsError(
            `${action}: an NLB named ${req.iid.nameId} already exists in ${place} (backend service ${bsName})`,
        );
    }
    checkVmNetworks(ctx, vms, req.vpc, action, "vmGroup.vms");
    return { network, vms };
}

/** The backend service claims the NLB's name; its marker holds what GCE has no field for. */
function insertBackendService(
    ctx: GcpContext,
    req: NlbReq,
    groups: string[],
    action: string,
    undo: UndoStack,
): Promise<MutationResult> {
    const name = req.iid.nameId;
    const partNames = nlbNames(name);
    const scheme = toScheme(req.type);
    const marker: Omit<PartMarker, "managedBy"> = {
        nlb: name,
        part: "backendService",
        vpc: req.vpc,
        vmGroupPort: req.vmGroup.port,
        healthPortAuto: req.healthChecker.port === undefined,
        ...(req.owner ? { owner: ownerValue(req.owner), stack: stackOfUrn(req.owner) } : {}),
    };
    const body: IBackendService = {
        name: partNames.backendService,
        description: toDescription(marker),
        loadBalancingScheme: scheme,
        protocol: req.vmGroup.protocol,
        healthChecks: [regionalLink(ctx.settings, "healthChecks", partNames.healthCheck)],
        backends: groups.map(link => ({ group: link, balancingMode: "CONNECTION" })),
        ...toBackendServiceTraffic(req.traffic ?? capabilities.nlb.traffic.defaults),
    };
    if (scheme === "INTERNAL") body.network = networkLink(ctx.settings, req.vpc);
    const step = `inserting backend service ${partNames.backendService}`;
    return insertPart(ctx, action, undo, {
        what: `backend service ${partNames.backendService}`,
        anchor: true,
        insert: () =>
            runStep(ctx, action, step, "vmGroup", "create", requestId =>
                ctx.clients.of("backendServices").insert({
                    ...regionScope(ctx),
                    requestId,
                    backendServiceResource: body,
                }),
            ),
        remove: deleteBackendService(ctx, partNames.backendService),
    });
}

function forwardingRuleSpecOf(
    ctx: GcpContext,
    req: NlbReq,
    ip: string,
    subnetwork: string | undefined,
): ForwardingRuleSpec {
    const partNames = nlbNames(req.iid.nameId);
    const scheme = toScheme(req.type);
    return {
        name: partNames.forwardingRule,
        nlb: req.iid.nameId,
        ip,
        protocol: req.listener.protocol,
        port: req.listener.port,
        scheme,
        backendService: regionalLink(ctx.settings, "backendServices", partNames.backendService),
        labels: req.tags ?? {},
        network: scheme === "INTERNAL" ? networkLink(ctx.settings, req.vpc) : undefined,
        subnetwork,
    };
}

export async function getNlb(ctx: GcpContext, iid: Iid): Promise<NlbInfo> {
    const action = `reading Nlb (${label(iid)})`;
    const { name, bs } = await findNlb(ctx, iid, action);
    return describeNlb(ctx, name, bs, action);
}

export async function listNlb(ctx: GcpContext): Promise<NlbInfo[]> {
    const action = "listing Nlbs";
    const [bss, frs, hcs] = await Promise.all([
        listAll<IBackendService>(ctx, { action, step: "listing backend services" }, () =>
            ctx.clients.of("backendServices").listAsync(regionScope(ctx), { autoPaginate: false }),
        ),
        listAll<IForwardingRule>(ctx, { action, step: "listing forwarding rules" }, () =>
            ctx.clients.of("forwardingRules").listAsync(regionScope(ctx), { autoPaginate: false }),
        ),
        listAll<IHealthCheck>(ctx, { action, step: "listing health checks" }, () =>
            ctx.clients.of("healthChecks").listAsync(regionScope(ctx), { autoPaginate: false }),
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
    const groupsP = findOwnGroups(ctx, name, action);
    groupsP.catch(() => undefined);
    // With the backend service gone this is cleanup after a failed create or delete: read which
    // parts remain instead of sending deletes that would answer 404 (each one a write).
    const left = target.anchored ? { fr: true, address: true, hc: true } : await partsLeft(ctx, name, action);
    const remove = (present: boolean, step: string, start: Start): Array<Promise<void>> =>
        present ? [removePart(ctx, action, step, start)] : [];

    const frName = partNames.forwardingRule;
    await allOrFirstError(remove(left.fr, `deleting forwarding rule ${frName}`, deleteForwardingRule(ctx, frName)));
    await allOrFirstError([
        ...remove(left.address, `releasing address ${partNames.address}`, deleteAddress(ctx, partNames.address)),
        ...remove(
            target.anchored,
            `deleting backend service ${partNames.backendService}`,
            deleteBackendService(ctx, partNames.backendService),
        ),
    ]);
    const groups = await groupsP;
    await allOrFirstError([
        ...groups.flatMap(group =>
            remove(true, `deleting instance group ${group.name}`, deleteInstanceGroup(ctx, group.zone, group.name)),
        ),
        ...remove(
            left.hc,
            `deleting health check ${partNames.healthCheck}`,
            deleteHealthCheck(ctx, partNames.healthCheck),
        ),
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
    const [fr, address, hc] = await Promise.all([
        readOrUndefined(ctx.settings, { action, step: `reading forwarding rule ${partNames.forwardingRule}` }, () =>
            ctx.clients.of("forwardingRules").get({ ...regionScope(ctx), forwardingRule: partNames.forwardingRule }),
        ),
        readOrUndefined(ctx.settings, { action, step: `reading address ${partNames.address}` }, () =>
            ctx.clients.of("addresses").get({ ...regionScope(ctx), address: partNames.address }),
        ),
        readOrUndefined(ctx.settings, { action, step: `reading health check ${partNames.healthCheck}` }, () =>
            ctx.clients.of("healthChecks").get({ ...regionScope(ctx), healthCheck: partNames.healthCheck }),
        ),
    ]);
    return { fr: fr !== undefined, address: address !== undefined, hc: hc !== undefined };
}

// -------------------------------------------------------------------------------------------
// in-place changes

export async function changeListener(ctx: GcpContext, iid: Iid, listener: ListenerReq): Promise<ListenerInfo> {
    const action = `changing listener of Nlb (${label(iid)})`;
    throwIfInvalid(action, validateListener(listener));
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
    throwIfInvalid(action, validateVmGroup(vmGroup, undefined));
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const undo = new UndoStack(action);
    try {
        // After a protocol switch the backend service's fingerprint is stale: re-read it for the port.
        let current: IBackendService | undefined = bs;
        if (vmGroup.protocol !== protocolOf(bs)) {
            await switchVmGroupProtocol(ctx, name, bs, vmGroup.protocol, action, undo);
            current = undefined;
        }
        if (marker.vmGroupPort !== vmGroup.port)
            await moveVmGroupPort(ctx, name, current, bs, vmGroup.port, action, undo);
    } catch (err) {
        return undo.fail(err);
    }
    const groups = await groupsOf(ctx, bs, action);
    return {
        protocol: vmGroup.protocol,
        port: vmGroup.port,
        vms: groups.flatMap(group => group.vms).sort(),
        cspId: String(bs.id ?? ""),
    };
}

/** The listener carries the protocol along; without a forwarding rule only the backend service switches. */
async function switchVmGroupProtocol(
    ctx: GcpContext,
    name: string,
    bs: IBackendService,
    protocol: TrafficProtocol,
    action: string,
    undo: UndoStack,
): Promise<void> {
    const fr = await readForwardingRule(ctx, name, action);
    if (!fr) {
        await switchBackendProtocol(ctx, nlbNames(name).backendService, bs, protocol, action, {
            property: "vmGroup.protocol",
        });
        return;
    }
    const before = fromForwardingRule(fr);
    await switchListener(ctx, name, bs, fr, { protocol, port: before.port }, action);
    undo.push({
        ...restoring(`listener not switched back to ${before.protocol}:${before.port}`),
        run: async () => {
            await switchListener(ctx, name, undefined, await readForwardingRule(ctx, name, action), before, action);
        },
    });
}

/** Records the new port on the backend service, and moves the health check along when it follows the port. */
async function moveVmGroupPort(
    ctx: GcpContext,
    name: string,
    current: IBackendService | undefined,
    bs: IBackendService,
    port: number,
    action: string,
    undo: UndoStack,
): Promise<void> {
    const marker = markerOf(ctx, bs, name);
    const partNames = nlbNames(name);
    if (marker.healthPortAuto) {
        const hcName = lastSegment(bs.healthChecks?.[0]) || partNames.healthCheck;
        const hc = await read(ctx.settings, { action, step: `reading health check ${hcName}` }, () =>
            ctx.clients.of("healthChecks").get({ ...regionScope(ctx), healthCheck: hcName }),
        );
        const before = healthReqOf(ctx, fromHealthCheck(hc));
        const put = (health: HealthCheckerReq): Promise<MutationResult> =>
            putHealthCheck(ctx, hcName, name, health, port, action, "healthChecker.port");
        await put({ ...before, port });
        undo.push({
            ...restoring(`health check ${hcName} port not restored to ${before.port ?? ""}`),
            run: async () => {
                await put(before);
            },
        });
    }
    await updateBackendService(
        ctx,
        partNames.backendService,
        current,
        { action, step: `recording VM group port on ${partNames.backendService}`, property: "vmGroup.port" },
        () => ({ description: toDescription({ ...marker, vmGroupPort: port }) }),
    );
}

export async function addVms(ctx: GcpContext, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const action = `adding VMs to Nlb (${label(iid)})`;
    throwIfInvalid(action, validateVmRefs(vms, "vms"));
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const [resolved, groups] = await Promise.all([
        resolveVms(ctx.clients, ctx.settings, vms, { action, step: "looking up VMs" }, "vms"),
        groupsOf(ctx, bs, action),
    ]);
    checkVmNetworks(ctx, resolved, marker.vpc ?? "", action, "vms");
    const attached = new Set(groups.flatMap(group => group.vms));
    const toAdd = resolved.filter(vm => !attached.has(vm.canonical));
    const info: VmGroupInfo = {
        protocol: protocolOf(bs),
        port: marker.vmGroupPort ?? 0,
        vms: [...attached, ...toAdd.map(vm => vm.canonical)].sort(),
        cspId: String(bs.id ?? ""),
    };
    if (toAdd.length === 0) return info;

    const undo = new UndoStack(action);
    try {
        const newGroups: string[] = [];
        await allOrFirstError(
            [...byZone(toAdd)].map(async ([zone, list]) => {
                const existing = groups.find(group => group.zone === zone);
                if (existing) await addToGroup(ctx, existing, list, action, undo);
                else newGroups.push(await createGroup(ctx, name, zone, list, marker.vpc ?? "", action, undo, true));
            }),
        );
        if (newGroups.length > 0) {
            const bsName = nlbNames(name).backendService;
            const where = { action, step: `attaching instance groups to ${bsName}`, property: "vms" };
            await attachGroups(ctx, bsName, bs, newGroups.sort(), where);
        }
    } catch (err) {
        return undo.fail(err);
    }
    return info;
}

async function addToGroup(
    ctx: GcpContext,
    group: GroupState,
    vms: ResolvedVm[],
    action: string,
    undo: UndoStack,
): Promise<void> {
    const links = vms.map(vm => vm.link);
    await changeMembers(ctx, group, "addInstances", links, action);
    undo.push({
        ...restoring(`VMs ${vms.map(vm => vm.canonical).join(", ")} left in instance group ${group.name}`),
        run: () => changeMembers(ctx, group, "removeInstances", links, action),
    });
}

export async function removeVms(ctx: GcpContext, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const action = `removing VMs from Nlb (${label(iid)})`;
    throwIfInvalid(action, validateVmRefs(vms, "vms"));
    const { name, bs } = await findNlb(ctx, iid, action);
    const marker = markerOf(ctx, bs, name);
    const groups = await groupsOf(ctx, bs, action);
    const remove = attachedMatches(vms, groups, action);
    const info: VmGroupInfo = {
        protocol: protocolOf(bs),
        port: marker.vmGroupPort ?? 0,
        vms: groups
            .flatMap(group => group.vms)
            .filter(vm => !remove.has(vm))
            .sort(),
        cspId: String(bs.id ?? ""),
    };
    if (remove.size === 0) return info;

    const emptied = groups.filter(group => group.vms.length > 0 && group.vms.every(vm => remove.has(vm)));
    const partial = groups.filter(group => !emptied.includes(group) && group.vms.some(vm => remove.has(vm)));
    const undo = new UndoStack(action);
    try {
        await allOrFirstError(partial.map(group => removeFromGroup(ctx, group, remove, action, undo)));
        if (emptied.length > 0) await dropEmptiedGroups(ctx, name, bs, emptied, action, undo);
    } catch (err) {
        return undo.fail(err);
    }
    return info;
}

/** The attached VMs the references name; a bare name attached in several zones is refused as ambiguous. */
function attachedMatches(refs: string[], groups: GroupState[], action: string): Set<string> {
    const members = groups.flatMap(group => group.vms.map(canonical => ({ canonical, zone: group.zone })));
    const matched = new Set<string>();
    const issues: FieldIssue[] = [];
    refs.forEach((ref, index) => {
        const parsedRef = parseVmRef(ref);
        const matches = members.filter(
            member =>
                member.canonical.endsWith(`/${parsedRef.name}`) &&
                (parsedRef.zone === undefined || member.zone === parsedRef.zone),
        );
        if (matches.length > 1) {
            const zones = matches.map(member => member.zone).join(", ");
            issues.push({
                property: `vms[${index}]`,
                reason: `"${ref}" is ambiguous: attached in ${zones}; write it as zone/name`,
            });
        } else if (matches.length === 1) {
            matched.add(matches[0].canonical);
        }
    });
    throwIfInvalid(action, issues);
    return matched;
}

async function removeFromGroup(
    ctx: GcpContext,
    group: GroupState,
    remove: Set<string>,
    action: string,
    undo: UndoStack,
): Promise<void> {
    const links = group.vms
        .filter(vm => remove.has(vm))
        .map(vm => zonalLink(ctx.settings, group.zone, "instances", vm.slice(vm.indexOf("/") + 1)));
    await changeMembers(ctx, group, "removeInstances", links, action);
    undo.push({
        ...restoring(`VMs not re-added to instance group ${group.name}`),
        run: () => changeMembers(ctx, group, "addInstances", links, action),
    });
}

/** An instance group left without members is detached from the backend service and deleted. */
async function dropEmptiedGroups(
    ctx: GcpContext,
    name: string,
    bs: IBackendService,
    emptied: GroupState[],
    action: string,
    undo: UndoStack,
): Promise<void> {
    const bsName = nlbNames(name).backendService;
    const dropped = new Set(emptied.map(group => group.link));
    await updateBackendService(
        ctx,
        bsName,
        bs,
        { action, step: `detaching emptied instance groups from ${bsName}`, property: "vms" },
        current => ({ backends: cleanBackends(current.backends).filter(b => !dropped.has(groupKey(b.group))) }),
    );
    undo.push({
        ...restoring(`instance groups ${emptied.map(group => group.name).join(", ")} not re-attached to ${bsName}`),
        run: async () => {
            const where = { action, step: `re-attaching instance groups to ${bsName}` };
            await attachGroups(
                ctx,
                bsName,
                undefined,
                emptied.map(group => group.link),
                where,
            );
        },
    });
    await allOrFirstError(
        emptied.map(group =>
            removePart(
                ctx,
                action,
                `deleting instance group ${group.name}`,
                deleteInstanceGroup(ctx, group.zone, group.name),
                "update",
            ),
        ),
    );
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
    throwIfInvalid(action, validateHealthChecker(healthChecker));
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

/** Draining and affinity are backend-service fields (one update); the others a passthrough NLB fixes. */
export async function changeTrafficSettings(ctx: GcpContext, iid: Iid, traffic: NlbTraffic): Promise<NlbTraffic> {
    const action = `changing the traffic settings of Nlb (${label(iid)})`;
    throwIfInvalid(action, validateTraffic(traffic));
    const { name, bs } = await findNlb(ctx, iid, action);
    const wanted = toBackendServiceTraffic(traffic);
    const current = trafficOf(bs);
    const same =
        current.connectionDraining === traffic.connectionDraining &&
        current.sessionAffinity === traffic.sessionAffinity;
    if (same) return current;
    const step = { action, step: "updating the backend service's draining and affinity", property: "traffic" };
    await updateBackendService(ctx, nlbNames(name).backendService, bs, step, () => wanted);
    return trafficOf(await readBackendService(ctx, nlbNames(name).backendService, action));
}

export async function changeSecurityGroups(ctx: GcpContext, iid: Iid, _securityGroups: string[]): Promise<string[]> {
    const reason = capabilities.nlb.traffic.reasons.securityGroups ?? "not supported";
    throw new NotSupportedError(`changing the security groups of Nlb (${label(iid)}): ${reason}`);
}

export async function changeTags(
    ctx: GcpContext,
    iid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const action = `changing tags of Nlb (${label(iid)})`;
    throwIfInvalid(action, validateTags(tags));
    const { name } = await findNlb(ctx, iid, action);
    const frName = nlbNames(name).forwardingRule;
    for (let attempt = 1; ; attempt++) {
        const fr = await readOrUndefined(ctx.settings, { action, step: `reading forwarding rule ${frName}` }, () =>
            ctx.clients.of("forwardingRules").get({ ...regionScope(ctx), forwardingRule: frName }),
        );
        if (!fr)
            throw new NotFoundError(
                `${action}: forwarding rule ${frName} is missing; change the listener to recreate it`,
            );
        if (sameLabels(labelsOf(fr), tags)) return { ...tags };
        try {
            await runStep(ctx, action, `setting labels on ${frName}`, "tags", "update", requestId =>
                ctx.clients.of("forwardingRules").setLabels({
                    ...regionScope(ctx),
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
