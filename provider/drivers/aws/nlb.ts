/**
 * NLBHandler on ELBv2: one network load balancer, one listener, one target group of EC2
 * instances. The NLB's systemId is the load balancer ARN; the listener and target group ARNs
 * are their cspIds. Everything the driver creates carries the tag `spider:nlb=<name>`.
 */

import { ownerFromTags } from "../../interface/owner";
import { throwIfIssues } from "../../interface/rules";
import {
    AddTagsCommand,
    CreateListenerCommand,
    CreateLoadBalancerCommand,
    DeregisterTargetsCommand,
    DescribeListenersCommand,
    DescribeLoadBalancersCommand,
    DescribeTagsCommand,
    Listener,
    LoadBalancer,
    ModifyListenerCommand,
    ModifyTargetGroupCommand,
    RemoveTagsCommand,
    SetSecurityGroupsCommand,
    SetSubnetsCommand,
    Tag,
    TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { HealthCheckerInfo, HealthCheckerReq, HealthInfo, Iid, ListenerInfo } from "../../interface/driver";
import type { ListenerReq, NlbInfo, NlbReq, NlbTraffic, VmGroupInfo, VmGroupReq } from "../../interface/driver";
import { AlreadyExistsError, CloudApiError, NotSupportedError, ValidationError } from "../../interface/errors";
import { AwsSession, aws, isAwsNotFound, subnetsInVpc } from "./clients";
import { transaction, UndoStack } from "../../interface/undo";
import { planSubnetSteps, sharedZones } from "../../interface/subnets";
import {
    validateHealthChecker,
    validateListener,
    TRAFFIC_DEFAULTS,
    validateNlb,
    validateNlbSecurityGroups,
    validateSubnets,
    validateTags,
    validateTraffic,
    validateVmGroup,
    validateVms,
} from "./validate";
import {
    applyTrafficAttributes,
    attachedVms,
    carriedTargetGroupAttributes,
    createTargetGroup,
    defaultTrafficAttributes,
    describeTargetGroupAttributes,
    describeTrafficAttributes,
    fromTrafficAttributes,
    toTrafficAttributes,
    toTrafficProtocol,
    deleteListener,
    deleteLoadBalancerAndWait,
    deleteOrphanTargetGroups,
    deleteTargetGroup,
    describeTagList,
    describeTargets,
    describeUserTags,
    findListener,
    findLoadBalancer,
    findLoadBalancerByName,
    findTargetGroup,
    forwardTargetGroupArn,
    forwardTargetGroupArns,
    fromAwsTags,
    fromTargetGroupHealth,
    healthParams,
    label,
    LEAVING,
    loadBalancerArn,
    NLB_TAG,
    NlbParts,
    pickSubnets,
    registerTargets,
    tagMap,
    toAwsTags,
    toHealthInfo,
    toListenerInfo,
    toNlbInfo,
    toVmGroupInfo,
    waitNlbActive,
} from "./elbv2";

// ---------------------------------------------------------------------------------------------
// create

/** What createNlb settles before the first cloud write, and its parts are made from. */
interface NlbPlan {
    req: NlbReq;
    subnets: string[];
    tags: Tag[];
    what: string;
}

export async function createNlb(session: AwsSession, req: NlbReq): Promise<NlbInfo> {
    const name = req.iid.nameId;
    const what = `creating Nlb (${name})`;
    if (req.scope === "GLOBAL")
        throw new NotSupportedError(`${what}: AWS network load balancers are regional; GLOBAL scope is not supported`);
    throwIfIssues(validateNlb(req));

    // moto (and a racing caller) would happily create a second LB with the same name.
    const existing = await findLoadBalancerByName(session, name, what);
    if (existing)
        throw new AlreadyExistsError(
            `${what}: a load balancer named "${name}" already exists (${existing.LoadBalancerArn})`,
        );

    const subnets = req.subnets ?? (await pickSubnets(session, req.vpc, req.type, what));
    const tags = toAwsTags(name, req.tags, req.owner);
    return transaction(what, { log: line => session.log(line), creates: true }, undo =>
        createNlbParts(session, { req, subnets, tags, what }, undo),
    );
}

/** Load balancer, target group (with its VMs), listener, each undone if a later one fails; then active. */
async function createNlbParts(session: AwsSession, plan: NlbPlan, undo: UndoStack): Promise<NlbInfo> {
    const { req, tags, what } = plan;
    const undoing = `undoing ${what}`;
    // The load balancer carries the NLB's own name: only its conflict means the name is taken.
    const lb = await undo.anchor(() => createLoadBalancer(session, plan));
    const lbArn = lb.LoadBalancerArn as string;
    undo.push(`load balancer ${lbArn}`, () => deleteLoadBalancerAndWait(session, lbArn, undoing));
    if (lb.VpcId && lb.VpcId !== req.vpc) {
        throw new ValidationError([
            { property: "subnets", reason: `the subnets belong to ${lb.VpcId}, not to vpc ${req.vpc}` },
        ]);
    }

    const tg = await createTargetGroup(session, what, {
        lbName: req.iid.nameId,
        vpc: req.vpc,
        protocol: req.vmGroup.protocol,
        port: req.vmGroup.port,
        health: req.healthChecker,
        tags,
    });
    const tgArn = tg.TargetGroupArn as string;
    undo.push(`target group ${tgArn}`, () => deleteTargetGroup(session, tgArn, undoing));
    const wanted = toTrafficAttributes(req.traffic ?? TRAFFIC_DEFAULTS);
    const attributes = await applyTrafficAttributes(
        session,
        { lbArn, tgArn },
        wanted,
        defaultTrafficAttributes(),
        what,
    );
    if (req.vmGroup.vms.length) await registerTargets(session, tgArn, req.vmGroup.vms, what);

    const listener = await createListener(session, lbArn, tgArn, plan);
    const listenerArn = listener.ListenerArn as string;
    undo.push(`listener ${listenerArn}`, () => deleteListener(session, listenerArn, undoing));

    const active = await waitNlbActive(session, lbArn, what);
    const traffic = fromTrafficAttributes(attributes);
    return toNlbInfo({ lb: active, listener, tg, traffic }, [...req.vmGroup.vms].sort(), req.tags, req.owner);
}

async function createLoadBalancer(session: AwsSession, plan: NlbPlan): Promise<LoadBalancer> {
    const { req, what } = plan;
    const command = new CreateLoadBalancerCommand({
        Name: req.iid.nameId,
        Type: "network",
        Scheme: req.type === "INTERNAL" ? "internal" : "internet-facing",
        Subnets: plan.subnets,
        IpAddressType: "ipv4",
        // Given now or never: ELBv2 cannot add security groups to an NLB created without any.
        ...(req.securityGroups?.length ? { SecurityGroups: req.securityGroups } : {}),
        Tags: plan.tags,
    });
    const res = await aws(what, () => session.clients.elb.send(command), { property: "subnets" });
    const lb = res.LoadBalancers?.[0];
    if (!lb?.LoadBalancerArn) throw new CloudApiError(`${what}: CreateLoadBalancer returned no load balancer`);
    return lb;
}

async function createListener(session: AwsSession, lbArn: string, tgArn: string, plan: NlbPlan): Promise<Listener> {
    const { req, what } = plan;
    const command = new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: req.listener.protocol,
        Port: req.listener.port,
        DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
        Tags: plan.tags,
    });
    const res = await aws(what, () => session.clients.elb.send(command), { property: "listener" });
    const listener = res.Listeners?.[0];
    if (!listener?.ListenerArn) throw new CloudApiError(`${what}: CreateListener returned no listener`);
    return listener;
}

// ---------------------------------------------------------------------------------------------
// read

export async function getNlb(session: AwsSession, iid: Iid): Promise<NlbInfo> {
    const what = `reading Nlb (${label(iid)})`;
    const lb = await findLoadBalancer(session, iid, what);
    return readNlb(session, lb, what);
}

async function readNlb(session: AwsSession, lb: LoadBalancer, what: string): Promise<NlbInfo> {
    const lbArn = lb.LoadBalancerArn as string;
    const listener = await findListener(session, lbArn, what);
    const tgArn = forwardTargetGroupArn(listener, what);
    const [tg, targets, tags, attributes] = await Promise.all([
        findTargetGroup(session, tgArn, what),
        describeTargets(session, tgArn, what),
        describeTagList(session, lbArn, what),
        describeTrafficAttributes(session, { lbArn, tgArn }, what),
    ]);
    const parts = { lb, listener, tg, traffic: fromTrafficAttributes(attributes) };
    return toNlbInfo(parts, attachedVms(targets), fromAwsTags(tags), ownerFromTags(tagMap(tags)));
}

export async function listNlb(session: AwsSession): Promise<NlbInfo[]> {
    const what = "listing Nlbs";
    const lbs: LoadBalancer[] = [];
    let marker: string | undefined;
    do {
        const page = await aws(what, () =>
            session.clients.elb.send(new DescribeLoadBalancersCommand({ Marker: marker })),
        );
        lbs.push(...(page.LoadBalancers ?? []).filter(lb => lb.Type === "network"));
        marker = page.NextMarker;
    } while (marker);
    const managed: LoadBalancer[] = [];
    for (let i = 0; i < lbs.length; i += 20) {
        const batch = lbs.slice(i, i + 20);
        const desc = await aws(what, () =>
            session.clients.elb.send(
                new DescribeTagsCommand({ ResourceArns: batch.map(lb => lb.LoadBalancerArn as string) }),
            ),
        );
        const tagged = new Set(
            (desc.TagDescriptions ?? []).filter(d => d.Tags?.some(t => t.Key === NLB_TAG)).map(d => d.ResourceArn),
        );
        managed.push(...batch.filter(lb => tagged.has(lb.LoadBalancerArn)));
    }
    const out: NlbInfo[] = [];
    for (const lb of managed) {
        try {
            out.push(await readNlb(session, lb, `${what}: ${lb.LoadBalancerName}`));
        } catch (err) {
            // Deleted or half-built while listing: not an NLB this driver can describe right now.
            if (!isAwsNotFound(err)) throw err;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// changes

export async function changeListener(session: AwsSession, iid: Iid, req: ListenerReq): Promise<ListenerInfo> {
    const what = `changing the listener of Nlb (${label(iid)})`;
    throwIfIssues(validateListener(req));
    const lb = await findLoadBalancer(session, iid, what);
    const listener = await findListener(session, lb.LoadBalancerArn as string, what);
    if (listener.Port === req.port && listener.Protocol === req.protocol) return toListenerInfo(lb, listener);

    if (listener.Protocol !== req.protocol) {
        const tg = await findTargetGroup(session, forwardTargetGroupArn(listener, what), what);
        if (tg.Protocol !== req.protocol) {
            // A TCP listener cannot forward to a UDP group (nor the reverse): the group follows the
            // listener in the same ModifyListener call, through a target-group swap.
            session.log(`${what}: the target group follows the listener to ${req.protocol}`);
            const swapped = await swapTargetGroup(
                session,
                { listener, tg },
                { protocol: req.protocol, port: tg.Port as number },
                what,
                req,
            );
            return toListenerInfo(lb, swapped.listener);
        }
    }
    const res = await aws(
        what,
        () =>
            session.clients.elb.send(
                new ModifyListenerCommand({
                    ListenerArn: listener.ListenerArn,
                    Port: req.port,
                    Protocol: req.protocol,
                }),
            ),
        { property: "listener" },
    );
    return toListenerInfo(lb, res.Listeners?.[0] ?? { ...listener, Port: req.port, Protocol: req.protocol });
}

/**
 * A target group's protocol and port are immutable, so the VM group changes by a swap: a new
 * group with the same targets, the listener's default action switched to it in one call, then
 * the old group deleted. The listener forwards to a complete group at every moment.
 */
export async function changeVmGroupInfo(session: AwsSession, iid: Iid, req: VmGroupReq): Promise<VmGroupInfo> {
    const what = `changing the VM group of Nlb (${label(iid)})`;
    throwIfIssues(validateVmGroup(req));
    const { listener, tgArn } = await forwardingArns(session, iid, what);
    const tg = await findTargetGroup(session, tgArn, what);
    if (tg.Protocol === req.protocol && tg.Port === req.port) {
        const targets = await describeTargets(session, tg.TargetGroupArn as string, what);
        return toVmGroupInfo(tg, attachedVms(targets));
    }
    const listenerReq =
        listener.Protocol === req.protocol ? undefined : { protocol: req.protocol, port: listener.Port as number };
    if (listenerReq) session.log(`${what}: the listener follows the VM group to ${req.protocol}`);
    const swapped = await swapTargetGroup(session, { listener, tg }, req, what, listenerReq);
    return toVmGroupInfo(swapped.tg, swapped.vms);
}

async function swapTargetGroup(
    session: AwsSession,
    parts: Omit<NlbParts, "lb">,
    vmGroup: VmGroupReq,
    what: string,
    listenerReq?: ListenerReq,
): Promise<{ tg: TargetGroup; listener: Listener; vms: string[] }> {
    const oldArn = parts.tg.TargetGroupArn as string;
    const [targets, tags, oldAttributes] = await Promise.all([
        describeTargets(session, oldArn, what),
        describeTagList(session, oldArn, what),
        describeTargetGroupAttributes(session, oldArn, what),
    ]);
    const vms = attachedVms(targets);
    // The old group's tags name the NLB, so the load balancer itself need not be read.
    const lbName =
        tags.find(t => t.Key === NLB_TAG)?.Value || (parts.tg.TargetGroupName ?? "tg").replace(/-[0-9a-f]{8}$/, "");
    const tg = await createTargetGroup(session, what, {
        lbName,
        vpc: parts.tg.VpcId as string,
        protocol: vmGroup.protocol,
        port: vmGroup.port,
        health: keepHealthPort(fromTargetGroupHealth(parts.tg), parts.tg),
        tags,
    });
    const newArn = tg.TargetGroupArn as string;
    const undo = new UndoStack(what);
    undo.push(`target group ${newArn}`, () => deleteTargetGroup(session, newArn, `undoing ${what}`));
    let listener: Listener;
    try {
        const carried = {
            loadBalancer: [],
            targetGroup: carriedTargetGroupAttributes(oldAttributes, vmGroup.protocol),
        };
        const arns = { lbArn: "", tgArn: newArn };
        await applyTrafficAttributes(session, arns, carried, defaultTrafficAttributes(), what);
        if (vms.length) await registerTargets(session, newArn, vms, what);
        const res = await aws(
            what,
            () =>
                session.clients.elb.send(
                    new ModifyListenerCommand({
                        ListenerArn: parts.listener.ListenerArn,
                        DefaultActions: [{ Type: "forward", TargetGroupArn: newArn }],
                        ...(listenerReq ? { Protocol: listenerReq.protocol, Port: listenerReq.port } : {}),
                    }),
                ),
            { property: listenerReq ? "listener" : "vmGroup" },
        );
        listener = res.Listeners?.[0] ?? parts.listener;
    } catch (err) {
        return undo.fail(err);
    }
    session.log(`${what}: listener now forwards to ${tg.TargetGroupName}; deleting ${parts.tg.TargetGroupName}`);
    await deleteTargetGroup(session, oldArn, what);
    return { tg, listener, vms };
}

/** A health check on the traffic port follows the new port; an explicit port stays. */
function keepHealthPort(hc: HealthCheckerInfo, tg: TargetGroup): HealthCheckerReq {
    const onTrafficPort = !tg.HealthCheckPort || tg.HealthCheckPort === "traffic-port";
    return {
        protocol: hc.protocol,
        ...(onTrafficPort ? {} : { port: hc.port }),
        interval: hc.interval,
        timeout: hc.timeout,
        threshold: hc.threshold,
        unhealthyThreshold: hc.unhealthyThreshold,
        ...(hc.path ? { path: hc.path } : {}),
    };
}

export async function addVms(session: AwsSession, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const what = `adding VMs to Nlb (${label(iid)})`;
    throwIfIssues(validateVms(vms, "vms"));
    const { tg, current } = await currentGroup(session, iid, what);
    const missing = [...new Set(vms)].filter(vm => !current.includes(vm));
    if (missing.length) await registerTargets(session, tg.TargetGroupArn as string, missing, what);
    return toVmGroupInfo(tg, [...current, ...missing].sort());
}

export async function removeVms(session: AwsSession, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const what = `removing VMs from Nlb (${label(iid)})`;
    const { tg, current } = await currentGroup(session, iid, what);
    const gone = new Set(vms);
    const attached = current.filter(vm => gone.has(vm));
    if (attached.length) {
        await aws(
            what,
            () =>
                session.clients.elb.send(
                    new DeregisterTargetsCommand({
                        TargetGroupArn: tg.TargetGroupArn,
                        Targets: attached.map(Id => ({ Id })),
                    }),
                ),
            { property: "vms" },
        );
    }
    return toVmGroupInfo(
        tg,
        current.filter(vm => !gone.has(vm)),
    );
}

/** The NLB's load balancer, its listener and the target group that listener forwards to. */
async function forwardingArns(
    session: AwsSession,
    iid: Iid,
    what: string,
): Promise<{ lbArn: string; listener: Listener; tgArn: string }> {
    const lbArn = await loadBalancerArn(session, iid, what);
    const listener = await findListener(session, lbArn, what);
    return { lbArn, listener, tgArn: forwardTargetGroupArn(listener, what) };
}

async function currentGroup(
    session: AwsSession,
    iid: Iid,
    what: string,
): Promise<{ tg: TargetGroup; current: string[] }> {
    const { tgArn } = await forwardingArns(session, iid, what);
    const [tg, targets] = await Promise.all([
        findTargetGroup(session, tgArn, what),
        describeTargets(session, tgArn, what),
    ]);
    return { tg, current: attachedVms(targets) };
}

export async function getVmGroupHealthInfo(session: AwsSession, iid: Iid): Promise<HealthInfo> {
    const what = `reading VM health of Nlb (${label(iid)})`;
    const { tgArn } = await forwardingArns(session, iid, what);
    const targets = (await describeTargets(session, tgArn, what)).filter(
        t => t.Target?.Id && !LEAVING.has(t.TargetHealth?.State ?? ""),
    );
    return toHealthInfo(targets);
}

export async function changeHealthCheckerInfo(
    session: AwsSession,
    iid: Iid,
    hc: HealthCheckerReq,
): Promise<HealthCheckerInfo> {
    const what = `changing the health checker of Nlb (${label(iid)})`;
    throwIfIssues(validateHealthChecker(hc));
    const { tgArn } = await forwardingArns(session, iid, what);
    const res = await aws(
        what,
        () =>
            session.clients.elb.send(
                new ModifyTargetGroupCommand({
                    TargetGroupArn: tgArn,
                    ...healthParams(hc),
                }),
            ),
        { property: "healthChecker" },
    );
    const tg = res.TargetGroups?.[0] ?? (await findTargetGroup(session, tgArn, what));
    return fromTargetGroupHealth(tg);
}

/** At most one ModifyLoadBalancerAttributes (cross-zone) and one ModifyTargetGroupAttributes (the rest). */
export async function changeTrafficSettings(session: AwsSession, iid: Iid, traffic: NlbTraffic): Promise<NlbTraffic> {
    const what = `changing the traffic settings of Nlb (${label(iid)})`;
    const { lbArn, tgArn } = await forwardingArns(session, iid, what);
    const tg = await findTargetGroup(session, tgArn, what);
    throwIfIssues(validateTraffic(traffic, toTrafficProtocol(tg.Protocol)));
    const current = await describeTrafficAttributes(session, { lbArn, tgArn }, what);
    const wanted = toTrafficAttributes(traffic);
    return fromTrafficAttributes(await applyTrafficAttributes(session, { lbArn, tgArn }, wanted, current, what));
}

/** SetSecurityGroups: ELBv2 itself refuses none ↔ some, which the field table turns into a replacement. */
export async function changeSecurityGroups(session: AwsSession, iid: Iid, securityGroups: string[]): Promise<string[]> {
    const what = `changing the security groups of Nlb (${label(iid)})`;
    throwIfIssues(validateNlbSecurityGroups(securityGroups));
    const lbArn = await loadBalancerArn(session, iid, what);
    const command = new SetSecurityGroupsCommand({ LoadBalancerArn: lbArn, SecurityGroups: securityGroups });
    const res = await aws(what, () => session.clients.elb.send(command), { property: "securityGroups" });
    return [...(res.SecurityGroupIds ?? securityGroups)].sort();
}

export async function changeTags(
    session: AwsSession,
    iid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const what = `changing the tags of Nlb (${label(iid)})`;
    throwIfIssues(validateTags(tags));
    const lbArn = await loadBalancerArn(session, iid, what);
    const [listener, current] = await Promise.all([
        findListener(session, lbArn, what),
        describeUserTags(session, lbArn, what),
    ]);
    const arns = [lbArn, listener.ListenerArn as string, ...forwardTargetGroupArns(listener)];
    const removed = Object.keys(current).filter(k => !(k in tags));
    const changed = Object.entries(tags)
        .filter(([k, v]) => current[k] !== v)
        .map(([Key, Value]) => ({ Key, Value }));
    if (removed.length)
        await aws(
            what,
            () => session.clients.elb.send(new RemoveTagsCommand({ ResourceArns: arns, TagKeys: removed })),
            {
                property: "tags",
            },
        );
    if (changed.length)
        await aws(what, () => session.clients.elb.send(new AddTagsCommand({ ResourceArns: arns, Tags: changed })), {
            property: "tags",
        });
    return { ...tags };
}

// ---------------------------------------------------------------------------------------------
// delete

/** Listener → target group(s) → load balancer, waiting until it is gone; then orphaned groups. */
/**
 * SetSubnets, following ELBv2's rules for network load balancers: every call names the complete
 * set; zones are added first, then dropped; a different subnet in a zone in use is a removal
 * followed by an addition, in separate calls. Zones and VPCs are checked before the first call.
 */
export async function changeSubnets(session: AwsSession, iid: Iid, subnets: string[]): Promise<string[]> {
    const what = `changing the subnets of Nlb (${label(iid)})`;
    throwIfIssues(validateSubnets(subnets));
    const lb = await findLoadBalancer(session, iid, what);
    const lbArn = lb.LoadBalancerArn as string;
    const zones = new Map((lb.AvailabilityZones ?? []).map(z => [z.SubnetId ?? "", z.ZoneName ?? ""]));
    const where = { property: "subnets", owner: "the NLB", what };
    const { found, issues: problems } = await subnetsInVpc(session, subnets, lb.VpcId ?? "", where);
    for (const s of found) zones.set(s.SubnetId ?? "", s.AvailabilityZone ?? "");
    const zoneOf = (subnet: string): string => zones.get(subnet) ?? subnet;
    for (const zone of sharedZones(subnets, zoneOf)) {
        problems.push({ property: "subnets", reason: `one subnet per zone: ${zone}` });
    }
    const current = [...zones.keys()].filter(s => (lb.AvailabilityZones ?? []).some(z => z.SubnetId === s));
    const plan = planSubnetSteps(current, subnets, zoneOf);
    if (plan.problem) problems.push({ property: "subnets", reason: plan.problem });
    if (problems.length) throw new ValidationError(problems.map(p => ({ ...p, reason: `${what}: ${p.reason}` })));
    for (const [index, step] of plan.steps.entries()) {
        session.log(`${what}: step ${index + 1}/${plan.steps.length}: SetSubnets ${step.join(", ")}`);
        await aws(
            what,
            () => session.clients.elb.send(new SetSubnetsCommand({ LoadBalancerArn: lbArn, Subnets: step })),
            {
                property: "subnets",
            },
        );
        await waitNlbActive(session, lbArn, what);
    }
    return [...subnets].sort();
}

export async function deleteNlb(session: AwsSession, iid: Iid): Promise<void> {
    const what = `deleting Nlb (${label(iid)})`;
    let lbArn = "";
    let listeners: Listener[] = [];
    try {
        lbArn = await loadBalancerArn(session, iid, what);
        // Fails with LoadBalancerNotFound when the ARN names a load balancer that is gone.
        listeners =
            (await aws(what, () => session.clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))))
                .Listeners ?? [];
    } catch (err) {
        if (!isAwsNotFound(err)) throw err;
        lbArn = "";
    }
    let name = iid.nameId;
    if (lbArn) {
        const tgArns = [...new Set(listeners.flatMap(forwardTargetGroupArns))];
        if (!name && tgArns.length)
            name = (await describeTagList(session, tgArns[0], what)).find(t => t.Key === NLB_TAG)?.Value ?? "";
        for (const l of listeners) await deleteListener(session, l.ListenerArn as string, what);
        for (const tgArn of tgArns) await deleteTargetGroup(session, tgArn, what);
        await deleteLoadBalancerAndWait(session, lbArn, what);
    }
    if (name) await deleteOrphanTargetGroups(session, name, what);
}
