/**
 * The field tables: for every input property, whether a change is applied in place (and by
 * which driver call) or replaces the resource. `diff` and `update` both read these tables, so
 * what preview promises is exactly what update does. A call the driver cannot make in place
 * (capability false) turns the field into "replace" at diff time.
 */
import type { Capabilities, NlbTraffic } from "../interface/driver";
import { deepEqual, getPath, isRecord, isUnknown, Props, sameSet } from "./common";

export interface FieldRule<C extends string> {
    /** Property path as users write it: `listener.port`. */
    path: string;
    /** "replace", a driver call applying it in place, or "state" (recorded only, no cloud call). */
    effect: "replace" | "state" | C;
    /** In place only while this capability holds; otherwise the change replaces. */
    inPlaceIf?: (caps: Capabilities) => boolean;
    /** Compare as an unordered set of strings. */
    set?: boolean;
    /** An empty new value ("", 0, absent) means "driver default": no change is detected. */
    unsetMeansDefault?: boolean;
    /**
     * What a value absent from the previous outputs stands for: state written before the field
     * existed holds none, and the cloud then had this default, so declaring it is no change.
     */
    absentMeans?: unknown;
    /** `absentMeans` where it depends on the driver's defaults or on another stored field. */
    absentMeansOf?: (olds: Props, caps: Capabilities | undefined) => unknown;
    /** Custom change test for structured fields (node groups matched by name). */
    changed?: (olds: unknown, news: unknown) => boolean;
    /** A change the in-place call cannot make even though the driver has it (AWS: none ↔ some security groups). */
    replacesWhen?: (olds: unknown, news: unknown) => boolean;
    /** When `replacesWhen` applies, in words, for the docs. */
    replacesWhenNote?: string;
}

export type NlbCall =
    | "removeVms"
    | "changeVmGroupInfo"
    | "changeListener"
    | "changeHealthCheckerInfo"
    | "changeSubnets"
    | "changeSecurityGroups"
    | "changeTrafficSettings"
    | "addVms"
    | "changeTags";

/**
 * Nlb. Calls run in this order: detach first, then reshape, then attach, so capacity never dips
 * twice; subnets move before VMs are added, so VMs in a zone being added find it served.
 */
export const NLB_CALL_ORDER: readonly NlbCall[] = [
    "removeVms",
    "changeVmGroupInfo",
    "changeListener",
    "changeHealthCheckerInfo",
    "changeSubnets",
    "changeSecurityGroups",
    "changeTrafficSettings",
    "addVms",
    "changeTags",
];

const isEmptyList = (value: unknown) => !Array.isArray(value) || value.length === 0;

const TRAFFIC_SETTINGS = [
    "crossZone",
    "connectionDraining",
    "sessionAffinity",
    "preserveClientIp",
    "proxyProtocol",
] as const satisfies ReadonlyArray<keyof NlbTraffic>;

/** A traffic setting: one call applies them all; state from before they existed holds the driver's default. */
function trafficRule(setting: keyof NlbTraffic): FieldRule<NlbCall> {
    return {
        path: setting,
        effect: "changeTrafficSettings",
        absentMeansOf: (_olds, caps) => caps?.nlb.traffic.defaults[setting],
        inPlaceIf: caps => caps.nlb.inPlace.traffic,
    };
}

export const nlbFields: ReadonlyArray<FieldRule<NlbCall | "vms">> = [
    { path: "connection", effect: "replace" },
    { path: "nlbName", effect: "replace" },
    { path: "vpc", effect: "replace" },
    { path: "type", effect: "replace" },
    { path: "scope", effect: "replace" },
    // Outputs hold the effective subnets: omitting them, or declaring the ones the driver chose, is no change.
    {
        path: "subnets",
        effect: "changeSubnets",
        set: true,
        unsetMeansDefault: true,
        inPlaceIf: c => c.nlb.inPlace.subnets,
    },
    { path: "listener.protocol", effect: "changeListener", inPlaceIf: c => c.nlb.inPlace.listenerProtocol },
    { path: "listener.port", effect: "changeListener", inPlaceIf: c => c.nlb.inPlace.listenerPort },
    { path: "vmGroup.protocol", effect: "changeVmGroupInfo", inPlaceIf: c => c.nlb.inPlace.vmGroup },
    { path: "vmGroup.port", effect: "changeVmGroupInfo", inPlaceIf: c => c.nlb.inPlace.vmGroup },
    { path: "vmGroup.vms", effect: "vms", set: true, inPlaceIf: c => c.nlb.inPlace.vms },
    { path: "healthChecker.protocol", effect: "changeHealthCheckerInfo", inPlaceIf: c => c.nlb.inPlace.healthChecker },
    { path: "healthChecker.port", effect: "changeHealthCheckerInfo", inPlaceIf: c => c.nlb.inPlace.healthChecker },
    { path: "healthChecker.interval", effect: "changeHealthCheckerInfo", inPlaceIf: c => c.nlb.inPlace.healthChecker },
    { path: "healthChecker.timeout", effect: "changeHealthCheckerInfo", inPlaceIf: c => c.nlb.inPlace.healthChecker },
    { path: "healthChecker.threshold", effect: "changeHealthCheckerInfo", inPlaceIf: c => c.nlb.inPlace.healthChecker },
    { path: "healthChecker.path", effect: "changeHealthCheckerInfo", inPlaceIf: c => c.nlb.inPlace.healthChecker },
    {
        path: "healthChecker.unhealthyThreshold",
        effect: "changeHealthCheckerInfo",
        // Before it existed, one threshold counted both ways.
        absentMeansOf: olds => getPath(olds, "healthChecker.threshold"),
        inPlaceIf: c => c.nlb.inPlace.healthChecker,
    },
    ...TRAFFIC_SETTINGS.map(trafficRule),
    // ELBv2 cannot give security groups to an NLB made without any, nor take them all away.
    {
        path: "securityGroups",
        effect: "changeSecurityGroups",
        set: true,
        absentMeans: [],
        inPlaceIf: c => c.nlb.inPlace.securityGroups,
        replacesWhen: (olds, news) => isEmptyList(olds) !== isEmptyList(news),
        replacesWhenNote: "between non-empty sets; none ↔ some replaces",
    },
    { path: "tags", effect: "changeTags", inPlaceIf: c => c.nlb.inPlace.tags },
    { path: "adopt", effect: "state" },
    { path: "timeouts", effect: "state" },
];

export type NlbVmGroupCall = "vms";

export const nlbVmGroupFields: ReadonlyArray<FieldRule<NlbVmGroupCall>> = [
    { path: "connection", effect: "replace" },
    { path: "nlb", effect: "replace" },
    { path: "vms", effect: "vms", set: true, inPlaceIf: c => c.nlb.inPlace.vms },
    { path: "timeouts", effect: "state" },
];

export type ClusterCall =
    "changeClusterNetwork" | "changeClusterAccess" | "upgradeCluster" | "nodeGroups" | "changeClusterTags";

/**
 * The network moves first, so node groups added in the same update are placed in the new subnets;
 * endpoint access and logging next (EKS runs one cluster update at a time, so all are in sequence).
 */
export const CLUSTER_CALL_ORDER: readonly ClusterCall[] = [
    "changeClusterNetwork",
    "changeClusterAccess",
    "upgradeCluster",
    "nodeGroups",
    "changeClusterTags",
];

export const clusterFields: ReadonlyArray<FieldRule<ClusterCall>> = [
    { path: "connection", effect: "replace" },
    { path: "clusterName", effect: "replace" },
    { path: "network.vpc", effect: "replace" },
    { path: "network.subnets", effect: "changeClusterNetwork", set: true, inPlaceIf: c => c.cluster.inPlace.network },
    {
        path: "network.securityGroups",
        effect: "changeClusterNetwork",
        set: true,
        inPlaceIf: c => c.cluster.inPlace.network,
    },
    {
        path: "endpointAccess.public",
        effect: "changeClusterAccess",
        absentMeans: true,
        inPlaceIf: c => c.cluster.inPlace.endpointAccess,
    },
    {
        path: "endpointAccess.private",
        effect: "changeClusterAccess",
        absentMeans: false,
        inPlaceIf: c => c.cluster.inPlace.endpointAccess,
    },
    {
        path: "endpointAccess.publicCidrs",
        effect: "changeClusterAccess",
        absentMeans: ["0.0.0.0/0"],
        set: true,
        inPlaceIf: c => c.cluster.inPlace.endpointAccess,
    },
    {
        path: "logging",
        effect: "changeClusterAccess",
        set: true,
        absentMeans: [],
        inPlaceIf: c => c.cluster.inPlace.logging,
    },
    { path: "version", effect: "upgradeCluster", inPlaceIf: c => c.cluster.inPlace.version },
    {
        path: "nodeGroups",
        effect: "nodeGroups",
        inPlaceIf: c => c.cluster.inPlace.nodeGroups,
        changed: (o, n) => nodeGroupOps(o, n).length > 0,
    },
    { path: "tags", effect: "changeClusterTags", inPlaceIf: c => c.cluster.inPlace.tags },
    { path: "adopt", effect: "state" },
    { path: "timeouts", effect: "state" },
];

export type NodeGroupCall =
    "changeNodeGroupScaling" | "setNodeGroupAutoScaling" | "changeNodeGroupConfig" | "changeNodeGroupMachines";

/** Machines change last: the nodes they recreate already carry the new labels, taints and size. */
export const NODE_GROUP_CALL_ORDER: readonly NodeGroupCall[] = [
    "setNodeGroupAutoScaling",
    "changeNodeGroupScaling",
    "changeNodeGroupConfig",
    "changeNodeGroupMachines",
];

const machines = (caps: Capabilities): boolean => caps.cluster.inPlace.machines;

/** Taints compared as a set (the cloud reports them in its own order). */
function taintsChanged(before: unknown, after: unknown): boolean {
    const id = (taint: Props): string => {
        const value = typeof taint.value === "string" ? taint.value : "";
        return `${String(taint.key)}=${value}:${String(taint.effect)}`;
    };
    const ids = (list: unknown): string[] => (Array.isArray(list) ? list.filter(isRecord) : []).map(id).sort();
    return !deepEqual(ids(before), ids(after));
}

/**
 * A node group's own fields: scaling, labels, taints and update config change in place; its
 * machines (VM spec, image, root disk) in place where the driver recreates nodes within the group,
 * else with the rest they rebuild the node group (`rebuild`: "replace" for a NodeGroup resource,
 * "recreate" inside a Cluster).
 */
function nodeGroupSpecRules(rebuild: "replace"): Array<FieldRule<NodeGroupCall>>;
function nodeGroupSpecRules(rebuild: "recreate"): Array<FieldRule<NodeGroupCall | "recreate">>;
function nodeGroupSpecRules(rebuild: "replace" | "recreate"): Array<FieldRule<NodeGroupCall | "recreate">> {
    return [
        { path: "image", effect: "changeNodeGroupMachines", unsetMeansDefault: true, inPlaceIf: machines },
        { path: "vmSpec", effect: "changeNodeGroupMachines", inPlaceIf: machines },
        { path: "vmSpecs", effect: "changeNodeGroupMachines", set: true, inPlaceIf: machines },
        { path: "capacityType", effect: rebuild, absentMeans: "ON_DEMAND" },
        // Outputs hold the effective subnets: omitting them (the cluster's) is no change.
        { path: "subnets", effect: rebuild, set: true, unsetMeansDefault: true },
        { path: "rootDiskType", effect: "changeNodeGroupMachines", unsetMeansDefault: true, inPlaceIf: machines },
        { path: "rootDiskSize", effect: "changeNodeGroupMachines", unsetMeansDefault: true, inPlaceIf: machines },
        { path: "keyPair", effect: rebuild, unsetMeansDefault: true },
        { path: "desiredNodeSize", effect: "changeNodeGroupScaling", inPlaceIf: c => c.cluster.inPlace.scaling },
        { path: "minNodeSize", effect: "changeNodeGroupScaling", inPlaceIf: c => c.cluster.inPlace.scaling },
        { path: "maxNodeSize", effect: "changeNodeGroupScaling", inPlaceIf: c => c.cluster.inPlace.scaling },
        { path: "onAutoScaling", effect: "setNodeGroupAutoScaling", inPlaceIf: c => c.cluster.inPlace.autoScaling },
        { path: "labels", effect: "changeNodeGroupConfig", absentMeans: {}, inPlaceIf: c => c.cluster.inPlace.labels },
        {
            path: "taints",
            absentMeans: [],
            effect: "changeNodeGroupConfig",
            inPlaceIf: c => c.cluster.inPlace.taints,
            changed: taintsChanged,
        },
        {
            path: "maxUnavailable",
            effect: "changeNodeGroupConfig",
            absentMeans: 1,
            inPlaceIf: c => c.cluster.inPlace.updateConfig,
        },
    ];
}

/** Standalone NodeGroup resource. */
export const nodeGroupFields: ReadonlyArray<FieldRule<NodeGroupCall>> = [
    { path: "connection", effect: "replace" },
    { path: "cluster", effect: "replace" },
    { path: "nodeGroupName", effect: "replace" },
    ...nodeGroupSpecRules("replace"),
    { path: "adopt", effect: "state" },
    { path: "timeouts", effect: "state" },
];

/**
 * A node group inside `Cluster.nodeGroups`, matched by `name`. "recreate" rebuilds that node
 * group alone (new one added before the old one is removed); the cluster itself is never replaced.
 */
export const clusterNodeGroupFields: ReadonlyArray<FieldRule<NodeGroupCall | "recreate">> =
    nodeGroupSpecRules("recreate");

export interface Plan<C extends string> {
    /** Paths whose value changed (or is unknown). */
    changed: string[];
    /** Changed paths that force replacement. */
    replaces: string[];
    /** In-place calls to make, deduplicated, in table order. */
    calls: C[];
}

function isUnset(value: unknown): boolean {
    return value === undefined || value === null || value === "" || value === 0;
}

export function fieldChanged<C extends string>(
    rule: FieldRule<C>,
    olds: Props,
    news: Props,
    caps?: Capabilities,
): boolean {
    const before = getPath(olds, rule.path) ?? rule.absentMeans ?? rule.absentMeansOf?.(olds, caps);
    const after = getPath(news, rule.path);
    if (isUnknown(after)) return true;
    if (rule.changed) return rule.changed(before, after);
    if (rule.unsetMeansDefault && isUnset(after)) return false;
    if (rule.set && Array.isArray(before) && Array.isArray(after)) return !sameSet(before, after);
    const empty = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0);
    if (rule.set && empty(before) && empty(after)) return false;
    return !deepEqual(before, after);
}

/** Evaluates a field table against previous outputs and new inputs. Pure: no cloud calls. */
export function plan<C extends string>(
    table: ReadonlyArray<FieldRule<C>>,
    olds: Props,
    news: Props,
    caps: Capabilities,
): Plan<C> {
    const out: Plan<C> = { changed: [], replaces: [], calls: [] };
    for (const rule of table) {
        if (!fieldChanged(rule, olds, news, caps)) continue;
        out.changed.push(rule.path);
        if (rule.effect === "state") continue;
        // During preview a reference to a resource that is itself being updated is unknown
        // (dynamic providers cannot preview outputs). Announcing a replacement for every such
        // reference would be a false alarm; `up` diffs again with the real value and replaces
        // then if the reference really changed.
        if (isUnknown(getPath(news, rule.path))) continue;
        const cannot = rule.replacesWhen?.(getPath(olds, rule.path), getPath(news, rule.path)) === true;
        if (rule.effect === "replace" || (rule.inPlaceIf && !rule.inPlaceIf(caps)) || cannot) {
            out.replaces.push(rule.path);
            continue;
        }
        if (!out.calls.includes(rule.effect as C)) out.calls.push(rule.effect as C);
    }
    return out;
}

/** Describes a table for docs and tests: path → "replace" | "in place via X". */
export function describeTable<C extends string>(
    table: ReadonlyArray<FieldRule<C>>,
    caps?: Capabilities,
): Array<{ path: string; effect: string }> {
    return table.map(r => {
        const note = caps?.nlb.inPlaceNotes?.[r.effect] ?? caps?.cluster.inPlaceNotes?.[r.effect] ?? r.replacesWhenNote;
        const inPlace = `in place via ${r.effect}${note ? ` (${note})` : ""}`;
        const effect =
            r.effect === "replace" || (caps && r.inPlaceIf && !r.inPlaceIf(caps))
                ? "replace"
                : r.effect === "state"
                  ? "in place (state only, no cloud call)"
                  : inPlace;
        return { path: r.path, effect };
    });
}

/** One step of a `Cluster.nodeGroups` change, matched by node group `name`. */
export type NodeGroupOp =
    | { op: "add"; name: string; news: Props }
    | { op: "remove"; name: string; olds: Props }
    | { op: "recreate"; name: string; olds: Props; news: Props }
    | { op: NodeGroupCall; name: string; olds: Props; news: Props };

function byName(list: unknown): Map<string, Props> {
    const groups = new Map<string, Props>();
    if (!Array.isArray(list)) return groups;
    for (const entry of list) if (isRecord(entry) && typeof entry.name === "string") groups.set(entry.name, entry);
    return groups;
}

/**
 * The node-group steps between previous outputs and new inputs: removals first (frees names),
 * then per-group changes, then additions. Capability checks happen in `plan` for the cluster
 * as a whole; a field the driver cannot change in place recreates that node group only.
 */
export function nodeGroupOps(olds: unknown, news: unknown, caps?: Capabilities): NodeGroupOp[] {
    const before = byName(olds);
    const after = byName(news);
    const ops: NodeGroupOp[] = [];
    for (const [name, old] of before) if (!after.has(name)) ops.push({ op: "remove", name, olds: old });
    for (const [name, nw] of after) {
        const old = before.get(name);
        if (!old) continue;
        const changedCalls = new Set<string>();
        for (const rule of clusterNodeGroupFields) {
            if (!fieldChanged(rule, old, nw, caps)) continue;
            const inPlace = rule.effect !== "recreate" && (!caps || !rule.inPlaceIf || rule.inPlaceIf(caps));
            changedCalls.add(inPlace ? rule.effect : "recreate");
        }
        if (changedCalls.has("recreate")) {
            ops.push({ op: "recreate", name, olds: old, news: nw });
            continue;
        }
        for (const call of NODE_GROUP_CALL_ORDER)
            if (changedCalls.has(call)) ops.push({ op: call, name, olds: old, news: nw });
    }
    for (const [name, nw] of after) if (!before.has(name)) ops.push({ op: "add", name, news: nw });
    return ops;
}
