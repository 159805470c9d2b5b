import type { Iid, ListenerInfo, ListenerReq, NlbInfo, NlbReq, NlbTraffic } from "../../interface/driver";
import type { HealthCheckerInfo, HealthCheckerReq, HealthInfo, TrafficProtocol } from "../../interface/driver";
import type { VmGroupInfo, VmGroupReq } from "../../interface/driver";
import { CloudApiError, FieldIssue, NotFoundError, NotSupportedError } from "../../interface/errors";
import { ownerField } from "../../interface/owner";
import { call, copyTags, enter, label, LocalSession, matchIid, requireIid, undoCreate } from "./ops";
import { describeKept, insertKept, Kept, peekKept, waitKeptActive, waitKeptGone } from "./ops";
import { intIssues, nameIssues, oneOfIssues, tagIssues, throwIfIssues } from "../../interface/rules";
import { planSubnetSteps, sharedZones } from "../../interface/subnets";
import { beginTransition, newId, NlbRecord, observeNlb, onePerZone, randomHex, StoreState, zoneOf } from "./store";

// ---------------------------------------------------------------------------------------------
// Operations

/** The start of every operation on one NLB: a usable iid, the wording its errors use, the operation entered. */
async function enterNlb(session: LocalSession, op: string, iid: Iid, doing: string): Promise<string> {
    requireIid(iid, "iid");
    const what = `${doing} Nlb (${label(iid)})`;
    await enter(session, op, what);
    return what;
}

export async function createNlb(session: LocalSession, req: NlbReq): Promise<NlbInfo> {
    const name = req?.iid?.nameId ?? "";
    const what = `creating Nlb (${name})`;
    await enter(session, "createNlb", what);
    if (!session.caps.nlb.scopes.includes(req.scope)) {
        throw new NotSupportedError(
            `${what}: ${req.scope} scope is not supported by the local driver ` +
                `(only ${session.caps.nlb.scopes.join(", ")}, as on AWS and GCP passthrough NLBs)`,
        );
    }
    if (!session.caps.nlb.types.includes(req.type)) {
        throw new NotSupportedError(`${what}: type ${req.type} is not supported by the local driver`);
    }
    const issues = (state: StoreState) => nlbReqIssues(session, state, req);
    const build = (state: StoreState) => fromNlbReq(session, state, req);
    const id = await insertKept(session, NLBS, { op: "createNlb.loadBalancer", what, name }, issues, build);
    const undo = undoCreate(what, `Nlb ${name}`, () => removeNlbParts(session, id, `rolling back Nlb (${name})`));
    try {
        await call(session, "createNlb.vmGroup", what, state => {
            const rec = state.nlbs.find(n => n.id === id);
            if (!rec) return;
            rec.vmGroup.cspId = newId(state, "tg");
            rec.healthChecker.cspId = newId(state, "hc");
        });
        await call(session, "createNlb.listener", what, state => {
            const rec = state.nlbs.find(n => n.id === id);
            if (!rec) return;
            rec.listener.cspId = newId(state, "lsn");
            rec.listener.ip =
                rec.type === "PUBLIC" ? `203.0.113.${randomOctet()}` : `10.0.${randomOctet()}.${randomOctet()}`;
            const prefix = rec.type === "INTERNAL" ? "internal-" : "";
            rec.listener.dnsName = `${prefix}${rec.name}-${rec.id.slice(4)}.elb.${rec.region}.spider.local`;
        });
        if (req.vmGroup.vms.length > 0) {
            await call(session, "createNlb.vms", what, state => {
                const rec = state.nlbs.find(n => n.id === id);
                if (!rec) return;
                rec.vms = uniq(req.vmGroup.vms).map(vm => ({ vm, healthPolls: 0 }));
            });
        }
        return toNlbInfo(session, await waitKeptActive(session, NLBS, id, what, "create"));
    } catch (err) {
        return undo.fail(err);
    }
}

export async function listNlb(session: LocalSession): Promise<NlbInfo[]> {
    const what = "listing Nlbs";
    await enter(session, "listNlb", what);
    return call(session, null, what, state => {
        state.nlbs = state.nlbs.filter(observeNlb);
        return state.nlbs.map(rec => toNlbInfo(session, rec));
    });
}

export async function getNlb(session: LocalSession, iid: Iid): Promise<NlbInfo> {
    const what = await enterNlb(session, "getNlb", iid, "getting");
    const rec = await describeKept(session, NLBS, what, state => matchIid(state.nlbs, iid)?.id);
    if (!rec) throw new NotFoundError(`${what}: not found`);
    return toNlbInfo(session, rec);
}

export async function deleteNlb(session: LocalSession, iid: Iid): Promise<void> {
    const what = await enterNlb(session, "deleteNlb", iid, "deleting");
    const id = await call(session, null, what, state => matchIid(state.nlbs, iid)?.id ?? null);
    if (id === null) return;
    await removeNlbParts(session, id, what);
}

export async function changeListener(session: LocalSession, iid: Iid, req: ListenerReq): Promise<ListenerInfo> {
    const caps = session.caps.nlb;
    const part = { key: "listener", title: "listener", op: "changeListener" } as const;
    const nlb = await changeEndpoint(session, iid, part, req, caps.listenerProtocols, rec => {
        // Never leave an incompatible pair: the VM group follows to a protocol the listener can serve.
        if (!caps.compatibleProtocols[req.protocol].includes(rec.vmGroup.protocol)) {
            rec.vmGroup.protocol = caps.compatibleProtocols[req.protocol][0];
        }
    });
    return toListenerInfo(nlb);
}

export async function changeVmGroupInfo(session: LocalSession, iid: Iid, req: VmGroupReq): Promise<VmGroupInfo> {
    const caps = session.caps.nlb;
    const part = { key: "vmGroup", title: "VM group", op: "changeVmGroupInfo" } as const;
    const nlb = await changeEndpoint(session, iid, part, req, caps.vmGroupProtocols, rec => {
        // As ELBv2 for UDP target groups: the client's address is always preserved.
        const traffic = trafficOf(session, rec);
        if (caps.traffic.clientIpAlwaysPreservedFor.includes(req.protocol)) {
            rec.traffic = { ...traffic, preserveClientIp: true };
        }
        if (!caps.compatibleProtocols[rec.listener.protocol].includes(req.protocol)) {
            rec.listener.protocol = listenerProtocolFor(session, req.protocol);
        }
    });
    return toVmGroupInfo(nlb);
}

/**
 * A listener or VM group change: its protocol and port are checked and set in one update, with
 * what must follow so the pair stays compatible; returns the NLB once Active again.
 */
async function changeEndpoint(
    session: LocalSession,
    iid: Iid,
    part: { key: "listener" | "vmGroup"; title: string; op: string },
    to: ListenerReq | VmGroupReq,
    protocols: readonly TrafficProtocol[],
    follow: (rec: NlbRecord) => void,
): Promise<NlbRecord> {
    const what = await enterNlb(session, part.op, iid, `changing the ${part.title} of`);
    throwIfIssues(endpointIssues(to, protocols, part.key));
    return update(session, iid, what, rec => {
        rec[part.key].protocol = to.protocol;
        rec[part.key].port = to.port;
        follow(rec);
    });
}

export async function addVms(session: LocalSession, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const what = await enterNlb(session, "addVms", iid, "adding VMs to");
    const nlb = await update(session, iid, what, (rec, state) => {
        throwIfIssues(vmIssues(state, rec.vpc, vms, "vms"));
        const attached = new Set(rec.vms.map(v => v.vm));
        for (const vm of uniq(vms)) if (!attached.has(vm)) rec.vms.push({ vm, healthPolls: 0 });
    });
    return toVmGroupInfo(nlb);
}

export async function removeVms(session: LocalSession, iid: Iid, vms: string[]): Promise<VmGroupInfo> {
    const what = await enterNlb(session, "removeVms", iid, "removing VMs from");
    const drop = new Set(vms ?? []);
    const nlb = await update(session, iid, what, rec => {
        rec.vms = rec.vms.filter(v => !drop.has(v.vm));
    });
    return toVmGroupInfo(nlb);
}

export async function getVmGroupHealthInfo(session: LocalSession, iid: Iid): Promise<HealthInfo> {
    const what = await enterNlb(session, "getVmGroupHealthInfo", iid, "reading the VM health of");
    const health = await call(session, null, what, state => {
        const rec = matchIid(state.nlbs, iid);
        if (!rec) return null;
        const result: HealthInfo = { all: [], healthy: [], unhealthy: [] };
        for (const attached of rec.vms) {
            // A freshly attached VM is still in its initial probe, like AWS's "initial" state.
            const running = state.inventory.vms[attached.vm]?.state === "running";
            const healthy = running && attached.healthPolls >= 1;
            result.all.push(attached.vm);
            (healthy ? result.healthy : result.unhealthy).push(attached.vm);
            attached.healthPolls++;
        }
        return result;
    });
    if (!health) throw new NotFoundError(`${what}: not found`);
    return health;
}

export async function changeHealthCheckerInfo(
    session: LocalSession,
    iid: Iid,
    hc: HealthCheckerReq,
): Promise<HealthCheckerInfo> {
    const what = await enterNlb(session, "changeHealthCheckerInfo", iid, "changing the health checker of");
    throwIfIssues(healthCheckerIssues(session, hc, "healthChecker"));
    const nlb = await update(session, iid, what, rec => {
        rec.healthChecker = { ...fromHealthCheckerReq(session, hc), cspId: rec.healthChecker.cspId };
    });
    return toHealthCheckerInfo(nlb);
}

export async function changeTags(
    session: LocalSession,
    iid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const what = await enterNlb(session, "changeTags", iid, "changing the tags of");
    throwIfIssues(tagIssues(tags, "tags"));
    // Tags apply at once on real clouds too, so there is no transition to wait for.
    return call(session, null, what, state => {
        const rec = findNlb(state, iid, what);
        rec.tags = copyTags(tags);
        return copyTags(rec.tags);
    });
}

export async function changeTrafficSettings(session: LocalSession, iid: Iid, traffic: NlbTraffic): Promise<NlbTraffic> {
    const what = await enterNlb(session, "changeTrafficSettings", iid, "changing the traffic settings of");
    const nlb = await update(session, iid, what, rec => {
        throwIfIssues(trafficIssues(session, traffic, rec.vmGroup.protocol));
        rec.traffic = { ...traffic };
    });
    return trafficOf(session, nlb);
}

/** As ELBv2: an NLB made without security groups never gets any, and one made with them keeps at least one. */
export async function changeSecurityGroups(
    session: LocalSession,
    iid: Iid,
    securityGroups: string[],
): Promise<string[]> {
    const what = await enterNlb(session, "changeSecurityGroups", iid, "changing the security groups of");
    const nlb = await update(session, iid, what, (rec, state) => {
        throwIfIssues(securityGroupIssues(state, rec.vpc, securityGroups, "securityGroups"));
        if ((rec.securityGroups ?? []).length === 0) {
            throw new CloudApiError(
                `${what}: InvalidConfigurationRequest: the Nlb was created without security groups`,
            );
        }
        if (securityGroups.length === 0) {
            throw new CloudApiError(
                `${what}: InvalidConfigurationRequest: the Nlb must keep at least one security group`,
            );
        }
        rec.securityGroups = uniq(securityGroups);
    });
    return [...(nlb.securityGroups ?? [])];
}

// ---------------------------------------------------------------------------------------------
// Steps and waits

function findNlb(state: StoreState, iid: Iid, what: string): NlbRecord {
    const rec = matchIid(state.nlbs, iid);
    if (!rec) throw new NotFoundError(`${what}: not found`);
    return rec;
}

/** The whole move is checked first; each step is one SetSubnets-like call, waited on. */
export async function changeSubnets(session: LocalSession, iid: Iid, subnets: string[]): Promise<string[]> {
    const what = await enterNlb(session, "changeSubnets", iid, "changing the subnets of");
    const plan = await call(session, null, what, state => {
        const rec = findNlb(state, iid, what);
        throwIfIssues(subnetIssues(state, rec.vpc, subnets ?? [], "subnets", true));
        return planSubnetSteps(rec.subnets, subnets, subnet => zoneOf(state.inventory, rec.vpc, subnet));
    });
    if (plan.problem) throwIfIssues([{ property: "subnets", reason: `${what}: ${plan.problem}` }]);
    for (const step of plan.steps) {
        await update(session, iid, what, (rec, state) => setSubnets(state, rec, step, what));
    }
    return [...subnets].sort();
}

/** The cloud's own rule, as ELBv2 has it: a zone's subnet changes only after its removal, in a later call. */
function setSubnets(state: StoreState, rec: NlbRecord, subnets: string[], what: string): void {
    for (const subnet of subnets) {
        const zone = zoneOf(state.inventory, rec.vpc, subnet);
        const inUse = rec.subnets.find(s => zoneOf(state.inventory, rec.vpc, s) === zone);
        if (inUse && inUse !== subnet) {
            throw new CloudApiError(
                `${what}: zone ${zone} already uses ${inUse}; ` +
                    `remove it in a separate call before adding ${subnet}`,
            );
        }
    }
    rec.subnets = [...subnets];
}

function subnetIssues(
    state: StoreState,
    vpc: string,
    subnets: string[],
    property: string,
    required: boolean,
): FieldIssue[] {
    const known = state.inventory.vpcs[vpc]?.subnets ?? [];
    if (required && subnets.length === 0) return [{ property, reason: "needs at least one subnet" }];
    const issues: FieldIssue[] = [];
    subnets.forEach((subnet, i) => {
        const home = Object.keys(state.inventory.vpcs).find(v => state.inventory.vpcs[v].subnets.includes(subnet));
        const at = `${property}[${i}]`;
        if (home && home !== vpc) {
            issues.push({ property: at, reason: `subnet "${subnet}" is in ${home}, not in ${vpc}` });
        } else if (!known.includes(subnet)) {
            issues.push({ property: at, reason: `unknown subnet "${subnet}" in ${vpc}; known: ${known.join(", ")}` });
        } else if (subnets.indexOf(subnet) !== i) issues.push({ property: at, reason: `"${subnet}" is listed twice` });
    });
    for (const zone of sharedZones([...new Set(subnets)], subnet => zoneOf(state.inventory, vpc, subnet))) {
        issues.push({ property, reason: `one subnet per zone: zone ${zone}` });
    }
    return issues;
}

/**
 * Applies an in-place change in one cloud call. Validation and lookups throw before anything is
 * changed, so a rejected change writes nothing. An unchanged NLB starts no transition.
 * Every change then waits, as on the cloud, for the NLB to be Active again.
 */
async function update(
    session: LocalSession,
    iid: Iid,
    what: string,
    apply: (rec: NlbRecord, state: StoreState) => void,
): Promise<NlbRecord> {
    const id = await call(session, null, what, state => {
        const rec = findNlb(state, iid, what);
        if (rec.status === "Deleting") throw new CloudApiError(`${what}: the Nlb is being deleted`);
        const before = JSON.stringify(rec);
        apply(rec, state);
        if (JSON.stringify(rec) !== before && rec.status === "Active") beginTransition(state, rec, "Updating");
        return rec.id;
    });
    return waitKeptActive(session, NLBS, id, what, "update");
}

/** The Nlbs this driver keeps, for the shared describe and waits (ops.ts). */
const NLBS: Kept<NlbRecord> = {
    op: "describeNlb",
    noun: "Nlb",
    aNoun: "an Nlb",
    subject: nlbName,
    list: state => state.nlbs,
    observe: (_state, rec) => observeNlb(rec),
    drop: (state, gone) => {
        state.nlbs = state.nlbs.filter(candidate => candidate !== gone);
    },
};

/** Deletes whatever parts exist, in reverse order of create, then waits until the NLB is gone. */
async function removeNlbParts(session: LocalSession, id: string, what: string): Promise<void> {
    const rec = await peekKept(session, NLBS, id, what);
    if (!rec) return;
    if (rec.status !== "Deleting") {
        // Each part is its own cloud call (a fault can hit between them), taken off the stored record.
        const removePart = (op: string, clear: (r: NlbRecord) => void) =>
            call(session, `deleteNlb.${op}`, what, state => {
                const record = state.nlbs.find(n => n.id === id);
                if (record) clear(record);
            });
        if (rec.vms.length > 0) await removePart("vms", r => (r.vms = []));
        if (rec.listener.cspId)
            await removePart("listener", r => (r.listener = { ...r.listener, cspId: "", ip: "", dnsName: "" }));
        if (rec.vmGroup.cspId) {
            await removePart("vmGroup", r => {
                r.vmGroup.cspId = "";
                r.healthChecker.cspId = "";
            });
        }
        await call(session, "deleteNlb.loadBalancer", what, state => {
            const record = state.nlbs.find(n => n.id === id);
            if (record && record.status !== "Deleting") beginTransition(state, record, "Deleting");
        });
    }
    await waitKeptGone(session, NLBS, id, what);
}

// ---------------------------------------------------------------------------------------------
// Validation

function nlbReqIssues(session: LocalSession, state: StoreState, req: NlbReq): FieldIssue[] {
    const caps = session.caps.nlb;
    const issues: FieldIssue[] = [...nameIssues(caps.name, req.iid?.nameId ?? "", "iid.nameId")];
    const vpc = state.inventory.vpcs[req.vpc];
    if (!vpc)
        issues.push({
            property: "vpc",
            reason: `unknown VPC "${req.vpc}"; known: ${Object.keys(state.inventory.vpcs).join(", ")}`,
        });
    issues.push(...endpointIssues(req.listener, caps.listenerProtocols, "listener"));
    issues.push(...endpointIssues(req.vmGroup, caps.vmGroupProtocols, "vmGroup"));
    const compatible = caps.compatibleProtocols[req.listener?.protocol];
    if (
        compatible &&
        caps.vmGroupProtocols.includes(req.vmGroup?.protocol) &&
        !compatible.includes(req.vmGroup.protocol)
    ) {
        issues.push({
            property: "vmGroup.protocol",
            reason: `a ${req.listener.protocol} listener forwards only to ${compatible.join("/")} VM groups`,
        });
    }
    if (!Array.isArray(req.vmGroup?.vms)) issues.push({ property: "vmGroup.vms", reason: "must be a list of VM ids" });
    else if (vpc) issues.push(...vmIssues(state, req.vpc, req.vmGroup.vms, "vmGroup.vms"));
    issues.push(...healthCheckerIssues(session, req.healthChecker, "healthChecker"));
    issues.push(...placementIssues(session, state, req));
    issues.push(...tagIssues(req.tags, "tags"));
    return issues;
}

/** Traffic settings, security groups and subnets (the last two only in a known VPC). */
function placementIssues(session: LocalSession, state: StoreState, req: NlbReq): FieldIssue[] {
    const issues = req.traffic ? trafficIssues(session, req.traffic, req.vmGroup?.protocol) : [];
    if (!state.inventory.vpcs[req.vpc]) return issues;
    issues.push(...securityGroupIssues(state, req.vpc, req.securityGroups ?? [], "securityGroups"));
    issues.push(...subnetIssues(state, req.vpc, req.subnets ?? [], "subnets", false));
    return issues;
}

function trafficIssues(session: LocalSession, traffic: NlbTraffic, protocol: TrafficProtocol): FieldIssue[] {
    const caps = session.caps.nlb.traffic;
    const draining = caps.connectionDraining;
    const issues = [
        ...intIssues(traffic.connectionDraining, draining.min, draining.max, "connectionDraining"),
        ...oneOfIssues(traffic.sessionAffinity, caps.sessionAffinities, "sessionAffinity"),
    ];
    if (!traffic.preserveClientIp && caps.clientIpAlwaysPreservedFor.includes(protocol)) {
        issues.push({ property: "preserveClientIp", reason: `cannot be false for a ${protocol} VM group` });
    }
    return issues;
}

function securityGroupIssues(state: StoreState, vpc: string, groups: string[], property: string): FieldIssue[] {
    return groups.flatMap((group, index) =>
        state.inventory.securityGroups[group]?.vpc === vpc
            ? []
            : [{ property: `${property}[${index}]`, reason: `unknown security group "${group}" in ${vpc}` }],
    );
}

function vmIssues(state: StoreState, vpc: string, vms: string[], property: string): FieldIssue[] {
    const issues: FieldIssue[] = [];
    (vms ?? []).forEach((vm, i) => {
        const rec = state.inventory.vms[vm];
        if (!rec) issues.push({ property: `${property}[${i}]`, reason: `unknown VM "${vm}"` });
        else if (rec.vpc !== vpc)
            issues.push({ property: `${property}[${i}]`, reason: `VM "${vm}" is in ${rec.vpc}, not ${vpc}` });
        else if (vms.indexOf(vm) !== i)
            issues.push({ property: `${property}[${i}]`, reason: `"${vm}" is listed twice` });
    });
    return issues;
}

/** A listener's or VM group's protocol, one the NLB offers there, and its port. */
function endpointIssues(
    endpoint: ListenerReq | VmGroupReq | undefined,
    protocols: readonly TrafficProtocol[],
    property: string,
): FieldIssue[] {
    return [
        ...oneOfIssues(endpoint?.protocol, protocols, `${property}.protocol`),
        ...intIssues(endpoint?.port, 1, 65535, `${property}.port`),
    ];
}

function healthCheckerIssues(session: LocalSession, hc: HealthCheckerReq | undefined, prefix: string): FieldIssue[] {
    const caps = session.caps.nlb;
    if (!hc) return [{ property: prefix, reason: "is required" }];
    const issues = [...oneOfIssues(hc.protocol, caps.healthProtocols, `${prefix}.protocol`)];
    if (hc.port !== undefined) issues.push(...intIssues(hc.port, 1, 65535, `${prefix}.port`));
    const interval = hc.interval ?? caps.defaults.interval;
    const timeout = hc.timeout ?? caps.defaults.timeout;
    if (hc.interval !== undefined)
        issues.push(...intIssues(hc.interval, caps.healthInterval.min, caps.healthInterval.max, `${prefix}.interval`));
    if (hc.timeout !== undefined)
        issues.push(...intIssues(hc.timeout, caps.healthTimeout.min, caps.healthTimeout.max, `${prefix}.timeout`));
    for (const key of ["threshold", "unhealthyThreshold"] as const) {
        const value = hc[key];
        if (value === undefined) continue;
        issues.push(...intIssues(value, caps.healthThreshold.min, caps.healthThreshold.max, `${prefix}.${key}`));
    }
    if (caps.timeoutAtMostInterval && timeout > interval) {
        issues.push({
            property: `${prefix}.timeout`,
            reason: `must not exceed the interval (${interval} s), got ${timeout} s`,
        });
    }
    if (hc.path !== undefined && hc.path !== "") {
        if (hc.protocol === "TCP")
            issues.push({ property: `${prefix}.path`, reason: "only HTTP and HTTPS health checks probe a path" });
        else if (!hc.path.startsWith("/"))
            issues.push({ property: `${prefix}.path`, reason: `must start with "/", got "${hc.path}"` });
    }
    return issues;
}

// ---------------------------------------------------------------------------------------------
// Converters

function fromNlbReq(session: LocalSession, state: StoreState, req: NlbReq): NlbRecord {
    const subnets = req.subnets && req.subnets.length > 0 ? [...req.subnets] : onePerZone(state.inventory, req.vpc);
    const rec: NlbRecord = {
        id: newId(state, "nlb"),
        name: req.iid.nameId,
        region: session.region,
        vpc: req.vpc,
        type: req.type,
        scope: req.scope,
        subnets,
        createdTime: new Date().toISOString(),
        tags: copyTags(req.tags),
        ...ownerField(req.owner),
        listener: { protocol: req.listener.protocol, port: req.listener.port, ip: "", dnsName: "", cspId: "" },
        vmGroup: { protocol: req.vmGroup.protocol, port: req.vmGroup.port, cspId: "" },
        healthChecker: { ...fromHealthCheckerReq(session, req.healthChecker), cspId: "" },
        vms: [],
        traffic: { ...(req.traffic ?? session.caps.nlb.traffic.defaults) },
        securityGroups: uniq(req.securityGroups ?? []),
        status: "Creating",
        pendingPolls: 0,
    };
    beginTransition(state, rec, "Creating");
    return rec;
}

function fromHealthCheckerReq(session: LocalSession, hc: HealthCheckerReq): Omit<NlbRecord["healthChecker"], "cspId"> {
    const defaults = session.caps.nlb.defaults;
    return {
        protocol: hc.protocol,
        port: hc.port ?? null,
        interval: hc.interval ?? defaults.interval,
        timeout: hc.timeout ?? defaults.timeout,
        threshold: hc.threshold ?? defaults.threshold,
        unhealthyThreshold: hc.unhealthyThreshold ?? hc.threshold ?? defaults.threshold,
        path: hc.protocol === "TCP" ? "" : hc.path || "/",
    };
}

function trafficOf(session: LocalSession, rec: NlbRecord): NlbTraffic {
    return { ...(rec.traffic ?? session.caps.nlb.traffic.defaults) };
}

function toListenerInfo(rec: NlbRecord): ListenerInfo {
    const listener = rec.listener;
    return {
        protocol: listener.protocol,
        port: listener.port,
        ip: listener.ip,
        dnsName: listener.dnsName,
        cspId: listener.cspId,
    };
}

function toVmGroupInfo(rec: NlbRecord): VmGroupInfo {
    return {
        protocol: rec.vmGroup.protocol,
        port: rec.vmGroup.port,
        vms: rec.vms.map(v => v.vm).sort(),
        cspId: rec.vmGroup.cspId,
    };
}

function toHealthCheckerInfo(rec: NlbRecord): HealthCheckerInfo {
    const hc = rec.healthChecker;
    return {
        protocol: hc.protocol,
        port: hc.port ?? rec.vmGroup.port,
        interval: hc.interval,
        timeout: hc.timeout,
        threshold: hc.threshold,
        unhealthyThreshold: hc.unhealthyThreshold ?? hc.threshold,
        path: hc.path,
        cspId: hc.cspId,
    };
}

function toNlbInfo(session: LocalSession, rec: NlbRecord): NlbInfo {
    return {
        iid: { nameId: rec.name, systemId: rec.id },
        vpc: rec.vpc,
        type: rec.type,
        scope: rec.scope,
        listener: toListenerInfo(rec),
        vmGroup: toVmGroupInfo(rec),
        healthChecker: toHealthCheckerInfo(rec),
        createdTime: rec.createdTime,
        tags: copyTags(rec.tags),
        subnets: [...rec.subnets],
        traffic: trafficOf(session, rec),
        securityGroups: [...(rec.securityGroups ?? [])],
        keyValues: { status: rec.status, region: rec.region, subnets: rec.subnets.join(",") },
        ...ownerField(rec.owner),
    };
}

function listenerProtocolFor(session: LocalSession, vmGroupProtocol: TrafficProtocol): TrafficProtocol {
    const caps = session.caps.nlb;
    return caps.listenerProtocols.find(p => caps.compatibleProtocols[p].includes(vmGroupProtocol)) ?? vmGroupProtocol;
}

/** "changing the listener of Nlb (web)" → "Nlb (web)", for wait messages. */
function nlbName(what: string): string {
    const at = what.indexOf("Nlb (");
    return at >= 0 ? what.slice(at) : what;
}

function uniq(values: string[]): string[] {
    return [...new Set(values)];
}

function randomOctet(): number {
    return 1 + (parseInt(randomHex(1), 16) % 254);
}
