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
    NlbHandler,
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
import { GroupState, groupKey, invalid, label } from "./lookup";
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
import { NlbWriter, UPDATE_ATTEMPTS, cleanBackends, isConditionNotMet, restoring } from "./steps";
import {
    validateHealthChecker,
    validateListener,
    validateNlb,
    validateTags,
    validateVmGroup,
    validateVmRefs,
} from "./validate";
import { ResolvedVm, byZone, canonicalOfLink, parseVmRef, resolveVms } from "./vms";

export class GcpNlbHandler extends NlbWriter implements NlbHandler {
    // -------------------------------------------------------------------------------------------
    // create / read / delete

    async createNlb(req: NlbReq): Promise<NlbInfo> {
        const name = req.iid.nameId;
        const action = `creating Nlb (${name})`;
        const issues = validateNlb(req);
        if (issues.length > 0) throw invalid(action, issues);
        const n = nlbNames(name);
        const scheme = toScheme(req.type);
        const [existing, network, vms] = await Promise.all([
            readOrUndefined(this.s, { action, step: `reading backend service ${n.backendService}` }, () =>
                this.g.backendServices.get({
                    project: this.s.project,
                    region: this.s.region,
                    backendService: n.backendService,
                }),
            ),
            this.findNetwork(req.vpc, action),
            req.vmGroup.vms.length > 0
                ? resolveVms(this.g, this.s, req.vmGroup.vms, { action, step: "looking up VMs" }, "vmGroup.vms")
                : Promise.resolve([] as ResolvedVm[]),
        ]);
        if (existing)
            throw new AlreadyExistsError(
                `${action}: an NLB named ${name} already exists in ${this.s.project}/${this.s.region} (backend service ${n.backendService})`,
            );
        this.checkVmNetworks(vms, req.vpc, action, "vmGroup.vms");
        const subnetwork =
            scheme === "INTERNAL" ? await this.findSubnetwork(network, req.subnets?.[0], action) : undefined;

        // The backend service is the NLB itself: only a conflict on its name means the name is taken.
        const undo = new UndoStack(action, { creates: true });
        try {
            const hcBody = toHealthCheckResource(n.healthCheck, name, req.healthChecker, req.vmGroup.port);
            const hcP = this.insertHealthCheck(hcBody, action, undo);
            const ipP = this.reserveAddress(name, scheme, subnetwork?.selfLink ?? undefined, action, undo);
            const groupPs = [...byZone(vms)].map(([zone, list]) =>
                this.createGroup(name, zone, list, req.vpc, action, undo),
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
                name: n.backendService,
                description: toDescription(marker),
                loadBalancingScheme: scheme,
                protocol: req.vmGroup.protocol,
                healthChecks: [regionalLink(this.s, "healthChecks", n.healthCheck)],
                backends: groups.map(link => ({ group: link, balancingMode: "CONNECTION" })),
            };
            if (scheme === "INTERNAL") bsBody.network = networkLink(this.s, req.vpc);
            await undo.anchor(() =>
                this.step(action, `inserting backend service ${n.backendService}`, "vmGroup", "create", requestId =>
                    this.g.backendServices.insert({
                        project: this.s.project,
                        region: this.s.region,
                        requestId,
                        backendServiceResource: bsBody,
                    }),
                ),
            );
            undo.push(
                this.undoDelete(`backend service ${n.backendService}`, action, requestId =>
                    this.g.backendServices.delete({
                        project: this.s.project,
                        region: this.s.region,
                        backendService: n.backendService,
                        requestId,
                    }),
                ),
            );

            const frBody = toForwardingRuleResource({
                name: n.forwardingRule,
                nlb: name,
                ip,
                protocol: req.listener.protocol,
                port: req.listener.port,
                scheme,
                backendService: regionalLink(this.s, "backendServices", n.backendService),
                labels: req.tags ?? {},
                network: scheme === "INTERNAL" ? networkLink(this.s, req.vpc) : undefined,
                subnetwork: subnetwork?.selfLink ?? undefined,
            });
            const fr = await this.step(
                action,
                `inserting forwarding rule ${n.forwardingRule}`,
                "listener",
                "create",
                requestId =>
                    this.g.forwardingRules.insert({
                        project: this.s.project,
                        region: this.s.region,
                        requestId,
                        forwardingRuleResource: frBody,
                    }),
            );
            undo.push(
                this.undoDelete(`forwarding rule ${n.forwardingRule}`, action, requestId =>
                    this.g.forwardingRules.delete({
                        project: this.s.project,
                        region: this.s.region,
                        forwardingRule: n.forwardingRule,
                        requestId,
                    }),
                ),
            );

            const bs = await this.readBackendService(n.backendService, action);
            return toNlbInfo(this.s, {
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

    async getNlb(iid: Iid): Promise<NlbInfo> {
        const action = `reading Nlb (${label(iid)})`;
        const { name, bs } = await this.findNlb(iid, action);
        return this.describe(name, bs, action);
    }

    async listNlb(): Promise<NlbInfo[]> {
        const action = "listing Nlbs";
        const p = { project: this.s.project, region: this.s.region };
        const [bss, frs, hcs] = await Promise.all([
            this.listAll<IBackendService>({ action, step: "listing backend services" }, () =>
                this.g.backendServices.listAsync(p, { autoPaginate: false }),
            ),
            this.listAll<IForwardingRule>({ action, step: "listing forwarding rules" }, () =>
                this.g.forwardingRules.listAsync(p, { autoPaginate: false }),
            ),
            this.listAll<IHealthCheck>({ action, step: "listing health checks" }, () =>
                this.g.healthChecks.listAsync(p, { autoPaginate: false }),
            ),
        ]);
        const ours = bss.filter(b => fromDescription(b.description)?.part === "backendService");
        const infos = await Promise.all(
            ours.map(bs => {
                const name = fromDescription(bs.description)!.nlb;
                const hcName = lastSegment(bs.healthChecks?.[0]);
                return this.describe(name, bs, action, {
                    fr: frs.find(f => f.name === nlbNames(name).forwardingRule) ?? null,
                    hc: hcs.find(h => h.name === hcName),
                });
            }),
        );
        return infos.sort((a, b) => a.iid.nameId.localeCompare(b.iid.nameId));
    }

    async deleteNlb(iid: Iid): Promise<void> {
        const action = `deleting Nlb (${label(iid)})`;
        const target = await this.nameForDelete(iid, action);
        if (target === undefined) return;
        const name = target.name;
        const n = nlbNames(name);
        const p = { project: this.s.project, region: this.s.region };
        const groupsP = this.findOwnGroups(name, action);
        groupsP.catch(() => undefined);
        // With the backend service gone this is cleanup after a failed create or delete: read which
        // parts remain instead of sending deletes that would answer 404 (each one a write).
        const left = target.anchored ? { fr: true, address: true, hc: true } : await this.partsLeft(name, action);

        if (left.fr) {
            await this.remove(action, `deleting forwarding rule ${n.forwardingRule}`, requestId =>
                this.g.forwardingRules.delete({ ...p, forwardingRule: n.forwardingRule, requestId }),
            );
        }
        await allOrFirstError([
            ...(left.address
                ? [
                      this.remove(action, `releasing address ${n.address}`, requestId =>
                          this.g.addresses.delete({ ...p, address: n.address, requestId }),
                      ),
                  ]
                : []),
            ...(target.anchored
                ? [
                      this.remove(action, `deleting backend service ${n.backendService}`, requestId =>
                          this.g.backendServices.delete({ ...p, backendService: n.backendService, requestId }),
                      ),
                  ]
                : []),
        ]);
        const groups = await groupsP;
        await allOrFirstError([
            ...groups.map(g =>
                this.remove(action, `deleting instance group ${g.name}`, requestId =>
                    this.g.instanceGroups.delete({
                        project: this.s.project,
                        zone: g.zone,
                        instanceGroup: g.name,
                        requestId,
                    }),
                ),
            ),
            ...(left.hc
                ? [
                      this.remove(action, `deleting health check ${n.healthCheck}`, requestId =>
                          this.g.healthChecks.delete({ ...p, healthCheck: n.healthCheck, requestId }),
                      ),
                  ]
                : []),
        ]);
        if (target.anchored) await this.waitNlbGone(name, action);
    }

    /** Which of an unanchored NLB's named parts still exist. */
    private async partsLeft(name: string, action: string): Promise<{ fr: boolean; address: boolean; hc: boolean }> {
        const n = nlbNames(name);
        const p = { project: this.s.project, region: this.s.region };
        const [fr, address, hc] = await Promise.all([
            readOrUndefined(this.s, { action, step: `reading forwarding rule ${n.forwardingRule}` }, () =>
                this.g.forwardingRules.get({ ...p, forwardingRule: n.forwardingRule }),
            ),
            readOrUndefined(this.s, { action, step: `reading address ${n.address}` }, () =>
                this.g.addresses.get({ ...p, address: n.address }),
            ),
            readOrUndefined(this.s, { action, step: `reading health check ${n.healthCheck}` }, () =>
                this.g.healthChecks.get({ ...p, healthCheck: n.healthCheck }),
            ),
        ]);
        return { fr: fr !== undefined, address: address !== undefined, hc: hc !== undefined };
    }

    // -------------------------------------------------------------------------------------------
    // in-place changes

    async changeListener(iid: Iid, listener: ListenerReq): Promise<ListenerInfo> {
        const action = `changing listener of Nlb (${label(iid)})`;
        const issues = validateListener(listener);
        if (issues.length > 0) throw invalid(action, issues);
        const { name, bs } = await this.findNlb(iid, action);
        const fr = await this.readForwardingRule(name, action);
        if (fr) {
            const cur = fromForwardingRule(fr);
            if (cur.protocol === listener.protocol && cur.port === listener.port) return cur;
        }
        return this.switchListener(name, bs, fr, listener, action);
    }

    /**
     * The port is recorded on the backend service and, when the health check port was left to
     * follow it, moved there too. A protocol change carries the listener along (same port, same
     * IP), because a passthrough forwarding rule and its backend service share one protocol.
     */
    async changeVmGroupInfo(iid: Iid, vmGroup: VmGroupReq): Promise<VmGroupInfo> {
        const action = `changing VM group of Nlb (${label(iid)})`;
        const issues = validateVmGroup(vmGroup, undefined);
        if (issues.length > 0) throw invalid(action, issues);
        const { name, bs } = await this.findNlb(iid, action);
        const marker = this.markerOf(bs, name);
        const n = nlbNames(name);
        const undo = new UndoStack(action);
        let current: IBackendService | undefined = bs;
        try {
            if (vmGroup.protocol !== protocolOf(bs)) {
                const fr = await this.readForwardingRule(name, action);
                if (fr) {
                    const before = fromForwardingRule(fr);
                    await this.switchListener(name, bs, fr, { protocol: vmGroup.protocol, port: before.port }, action);
                    undo.push({
                        ...restoring(`listener not switched back to ${before.protocol}:${before.port}`),
                        run: async () => {
                            await this.switchListener(
                                name,
                                undefined,
                                await this.readForwardingRule(name, action),
                                before,
                                action,
                            );
                        },
                    });
                } else {
                    await this.updateBackendService(
                        n.backendService,
                        bs,
                        {
                            action,
                            step: `switching backend service ${n.backendService} to ${vmGroup.protocol}`,
                            property: "vmGroup.protocol",
                        },
                        () => ({ protocol: vmGroup.protocol }),
                    );
                }
                current = undefined;
            }
            if (marker.vmGroupPort !== vmGroup.port) {
                if (marker.healthPortAuto) {
                    const hcName = lastSegment(bs.healthChecks?.[0]) || n.healthCheck;
                    const hc = await read(this.s, { action, step: `reading health check ${hcName}` }, () =>
                        this.g.healthChecks.get({
                            project: this.s.project,
                            region: this.s.region,
                            healthCheck: hcName,
                        }),
                    );
                    const before = this.healthReqOf(fromHealthCheck(hc));
                    await this.putHealthCheck(
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
                            await this.putHealthCheck(hcName, name, before, vmGroup.port, action, "healthChecker.port");
                        },
                    });
                }
                await this.updateBackendService(
                    n.backendService,
                    current,
                    { action, step: `recording VM group port on ${n.backendService}`, property: "vmGroup.port" },
                    () => ({ description: toDescription({ ...marker, vmGroupPort: vmGroup.port }) }),
                );
            }
        } catch (err) {
            return undo.fail(err);
        }
        const groups = await this.groupsOf(bs, action);
        return {
            protocol: vmGroup.protocol,
            port: vmGroup.port,
            vms: groups.flatMap(g => g.vms).sort(),
            cspId: String(bs.id ?? ""),
        };
    }

    async addVms(iid: Iid, vms: string[]): Promise<VmGroupInfo> {
        const action = `adding VMs to Nlb (${label(iid)})`;
        const issues = validateVmRefs(vms, "vms");
        if (issues.length > 0) throw invalid(action, issues);
        const { name, bs } = await this.findNlb(iid, action);
        const marker = this.markerOf(bs, name);
        const [resolved, groups] = await Promise.all([
            resolveVms(this.g, this.s, vms, { action, step: "looking up VMs" }, "vms"),
            this.groupsOf(bs, action),
        ]);
        this.checkVmNetworks(resolved, marker.vpc ?? "", action, "vms");
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
                        newGroups.push(await this.createGroup(name, zone, list, marker.vpc ?? "", action, undo, true));
                        return;
                    }
                    await this.changeMembers(
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
                            this.changeMembers(
                                existing,
                                "removeInstances",
                                list.map(v => v.link),
                                action,
                            ),
                    });
                }),
            );
            if (newGroups.length > 0) {
                await this.updateBackendService(
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

    async removeVms(iid: Iid, vms: string[]): Promise<VmGroupInfo> {
        const action = `removing VMs from Nlb (${label(iid)})`;
        const refIssues = validateVmRefs(vms, "vms");
        if (refIssues.length > 0) throw invalid(action, refIssues);
        const { name, bs } = await this.findNlb(iid, action);
        const marker = this.markerOf(bs, name);
        const groups = await this.groupsOf(bs, action);
        const members = groups.flatMap(g => g.vms.map(canonical => ({ canonical, group: g })));
        const remove = new Set<string>();
        const issues: FieldIssue[] = [];
        vms.forEach((ref, i) => {
            const r = parseVmRef(ref);
            const matches = members.filter(
                m => m.canonical.endsWith(`/${r.name}`) && (r.zone === undefined || m.group.zone === r.zone),
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
            zonalLink(this.s, g.zone, "instances", canonical.slice(canonical.indexOf("/") + 1));
        const undo = new UndoStack(action);
        try {
            await allOrFirstError(
                partial.map(async g => {
                    const links = g.vms.filter(v => remove.has(v)).map(v => linkOf(g, v));
                    await this.changeMembers(g, "removeInstances", links, action);
                    undo.push({
                        ...restoring(`VMs not re-added to instance group ${g.name}`),
                        run: () => this.changeMembers(g, "addInstances", links, action),
                    });
                }),
            );
            if (emptied.length > 0) {
                const bsName = nlbNames(name).backendService;
                const dropped = new Set(emptied.map(g => g.link));
                await this.updateBackendService(
                    bsName,
                    bs,
                    { action, step: `detaching emptied instance groups from ${bsName}`, property: "vms" },
                    cur => ({ backends: cleanBackends(cur.backends).filter(b => !dropped.has(groupKey(b.group))) }),
                );
                undo.push({
                    ...restoring(`instance groups ${emptied.map(g => g.name).join(", ")} not re-attached to ${bsName}`),
                    run: async () => {
                        await this.updateBackendService(
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
                        this.remove(
                            action,
                            `deleting instance group ${g.name}`,
                            requestId =>
                                this.g.instanceGroups.delete({
                                    project: this.s.project,
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

    async getVmGroupHealthInfo(iid: Iid): Promise<HealthInfo> {
        const action = `reading VM health of Nlb (${label(iid)})`;
        const { bs } = await this.findNlb(iid, action);
        const states = new Map<string, string>();
        await Promise.all(
            (bs.backends ?? []).map(async b => {
                const res = await read(this.s, { action, step: `reading health of ${lastSegment(b.group)}` }, () =>
                    this.g.backendServices.getHealth({
                        project: this.s.project,
                        region: this.s.region,
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

    async changeHealthCheckerInfo(iid: Iid, healthChecker: HealthCheckerReq): Promise<HealthCheckerInfo> {
        const action = `changing health checker of Nlb (${label(iid)})`;
        const issues = validateHealthChecker(healthChecker);
        if (issues.length > 0) throw invalid(action, issues);
        const { name, bs } = await this.findNlb(iid, action);
        const marker = this.markerOf(bs, name);
        const hcName = lastSegment(bs.healthChecks?.[0]) || nlbNames(name).healthCheck;
        const res = await this.putHealthCheck(
            hcName,
            name,
            healthChecker,
            marker.vmGroupPort ?? 0,
            action,
            "healthChecker",
        );
        const auto = healthChecker.port === undefined;
        if (marker.healthPortAuto !== auto) {
            await this.updateBackendService(
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
    async changeSubnets(iid: Iid, _subnets: string[]): Promise<string[]> {
        throw new NotSupportedError(
            `changing the subnets of Nlb (${label(iid)}): a GCE forwarding rule's subnetwork ` +
                "and its reserved internal address are immutable, so the gcp driver replaces the NLB instead",
        );
    }

    async changeTags(iid: Iid, tags: Record<string, string>): Promise<Record<string, string>> {
        const action = `changing tags of Nlb (${label(iid)})`;
        const issues = validateTags(tags);
        if (issues.length > 0) throw invalid(action, issues);
        const { name } = await this.findNlb(iid, action);
        const frName = nlbNames(name).forwardingRule;
        const p = { project: this.s.project, region: this.s.region };
        for (let attempt = 1; ; attempt++) {
            const fr = await readOrUndefined(this.s, { action, step: `reading forwarding rule ${frName}` }, () =>
                this.g.forwardingRules.get({ ...p, forwardingRule: frName }),
            );
            if (!fr)
                throw new NotFoundError(
                    `${action}: forwarding rule ${frName} is missing; change the listener to recreate it`,
                );
            if (sameLabels(labelsOf(fr), tags)) return { ...tags };
            try {
                await this.step(action, `setting labels on ${frName}`, "tags", "update", requestId =>
                    this.g.forwardingRules.setLabels({
                        ...p,
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
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
