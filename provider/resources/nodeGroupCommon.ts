/** Node-group input checks and converters shared by Cluster.nodeGroups and the NodeGroup resource. */
import type { ClusterCapabilities, Driver, Iid, NodeGroupInfo, NodeGroupReq, ScalingReq } from "../interface/driver";
import { ownerField } from "../interface/owner";
import { checkInt, checkKnownKeys, checkName, checkString, Issues, isRecord, Props, UNKNOWN } from "./common";

export type NodeGroupSpec = Omit<NodeGroupReq, "iid">;

export const NODE_GROUP_SPEC_KEYS = [
    "image",
    "vmSpec",
    "rootDiskType",
    "rootDiskSize",
    "keyPair",
    "onAutoScaling",
    "desiredNodeSize",
    "minNodeSize",
    "maxNodeSize",
];

/** Checks the spec fields of one node group at `prefix` and returns them with defaults filled. */
export function checkNodeGroupSpec(
    v: Props,
    prefix: string,
    issues: Issues,
    caps: ClusterCapabilities | undefined,
): Props {
    const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
    // "" and 0 mean "driver default" (also what a re-checked, already normalized input holds).
    const unset = (x: unknown) => x === undefined || x === null || x === "";
    const image = unset(v.image) ? "" : checkString(v.image, p("image"), issues);
    const vmSpec = checkString(v.vmSpec, p("vmSpec"), issues);
    const rootDiskType = unset(v.rootDiskType) ? "" : checkString(v.rootDiskType, p("rootDiskType"), issues);
    const rootDiskSize =
        unset(v.rootDiskSize) || v.rootDiskSize === 0
            ? 0
            : checkInt(v.rootDiskSize, p("rootDiskSize"), issues, { min: 1, max: 65536 });
    const keyPair = unset(v.keyPair) ? "" : checkString(v.keyPair, p("keyPair"), issues);
    let onAutoScaling: unknown = v.onAutoScaling ?? true;
    if (onAutoScaling !== UNKNOWN && typeof onAutoScaling !== "boolean") {
        issues.add(p("onAutoScaling"), `must be true or false, got ${JSON.stringify(onAutoScaling)}`);
        onAutoScaling = undefined;
    }
    const maxCap = caps?.maxNodeSize ?? 1000;
    const desired = checkInt(v.desiredNodeSize, p("desiredNodeSize"), issues, { min: 0, max: maxCap });
    const min = checkInt(v.minNodeSize, p("minNodeSize"), issues, { min: 0, max: maxCap });
    const max = checkInt(v.maxNodeSize, p("maxNodeSize"), issues, { min: 1, max: maxCap });
    if (min !== undefined && max !== undefined && min > max)
        issues.add(p("minNodeSize"), `must not exceed maxNodeSize (${max}), got ${min}`);
    if (desired !== undefined && min !== undefined && desired < min)
        issues.add(p("desiredNodeSize"), `must be at least minNodeSize (${min}), got ${desired}`);
    if (desired !== undefined && max !== undefined && desired > max)
        issues.add(p("desiredNodeSize"), `must not exceed maxNodeSize (${max}), got ${desired}`);
    return {
        image: image ?? v.image,
        vmSpec: vmSpec ?? v.vmSpec,
        rootDiskType: rootDiskType ?? v.rootDiskType,
        rootDiskSize: rootDiskSize ?? v.rootDiskSize,
        keyPair: keyPair ?? v.keyPair,
        onAutoScaling: onAutoScaling ?? v.onAutoScaling,
        desiredNodeSize: desired ?? v.desiredNodeSize,
        minNodeSize: min ?? v.minNodeSize,
        maxNodeSize: max ?? v.maxNodeSize,
    };
}

/** Checks `Cluster.nodeGroups`: names unique and valid, each spec valid. */
export function checkNodeGroupList(
    v: unknown,
    issues: Issues,
    caps: ClusterCapabilities | undefined,
): Props[] | undefined {
    if (v === undefined || v === null) return [];
    if (v === UNKNOWN) return undefined;
    if (!Array.isArray(v)) {
        issues.add("nodeGroups", "must be a list of node groups");
        return undefined;
    }
    const names = new Set<string>();
    return v.map((e, i) => {
        const path = `nodeGroups[${i}]`;
        if (!isRecord(e)) {
            if (e !== UNKNOWN)
                issues.add(path, "must be an object { name, vmSpec, desiredNodeSize, minNodeSize, maxNodeSize, … }");
            return e as Props;
        }
        checkKnownKeys(e, ["name", ...NODE_GROUP_SPEC_KEYS], path, issues);
        // Recreating a node group appends a 5-character suffix to its cloud name, so leave room.
        const rule = caps ? { ...caps.nodeGroupName, maxLength: caps.nodeGroupName.maxLength - 5 } : undefined;
        const name = rule
            ? checkName(e.name, `${path}.name`, issues, rule)
            : checkString(e.name, `${path}.name`, issues);
        if (e.name === undefined) issues.add(`${path}.name`, "is required");
        if (name !== undefined) {
            if (names.has(name)) issues.add(`${path}.name`, `"${name}" is used by two node groups`);
            names.add(name);
        }
        return { name: name ?? e.name, ...checkNodeGroupSpec(e, path, issues, caps) };
    });
}

export function toNodeGroupReq(cloudName: string, spec: NodeGroupSpec, owner?: string): NodeGroupReq {
    return {
        iid: { nameId: cloudName, systemId: "" },
        image: spec.image,
        vmSpec: spec.vmSpec,
        rootDiskType: spec.rootDiskType,
        rootDiskSize: spec.rootDiskSize,
        keyPair: spec.keyPair,
        onAutoScaling: spec.onAutoScaling,
        desiredNodeSize: spec.desiredNodeSize,
        minNodeSize: spec.minNodeSize,
        maxNodeSize: spec.maxNodeSize,
        ...ownerField(owner),
    };
}

export interface NodeGroupLive {
    nodeGroupName: string;
    nodeGroupId: string;
    status: string;
    nodes: string[];
    version: string;
    /** The size the cloud holds now (an autoscaler's work included). */
    currentNodeSize: number;
}

/**
 * Whether the declared `desiredNodeSize` stands for the group instead of the cloud's size: with
 * autoscaling on (declared and live), the declared value is the size at creation and the
 * autoscaler's size inside [min, max] is neither drift nor a diff. With it off, the cloud's size
 * is reported, so an out-of-band resize shows as a diff and `up` restores the declared one.
 */
function keepsDeclaredSize(declared: Partial<NodeGroupSpec> | undefined, ng: NodeGroupInfo): declared is NodeGroupSpec {
    return (
        declared !== undefined &&
        declared.onAutoScaling === true &&
        ng.onAutoScaling &&
        typeof declared.desiredNodeSize === "number" &&
        declared.desiredNodeSize >= ng.minNodeSize &&
        declared.desiredNodeSize <= ng.maxNodeSize
    );
}

/** Live node group in the declared shape plus what the cloud reports; `declared`: what state holds. */
export function fromNodeGroupInfo(ng: NodeGroupInfo, declared?: Partial<NodeGroupSpec>): NodeGroupSpec & NodeGroupLive {
    return {
        image: ng.image,
        vmSpec: ng.vmSpec,
        rootDiskType: ng.rootDiskType,
        rootDiskSize: ng.rootDiskSize,
        keyPair: ng.keyPair,
        onAutoScaling: ng.onAutoScaling,
        minNodeSize: ng.minNodeSize,
        maxNodeSize: ng.maxNodeSize,
        desiredNodeSize: keepsDeclaredSize(declared, ng) ? declared.desiredNodeSize : ng.desiredNodeSize,
        currentNodeSize: ng.desiredNodeSize,
        nodeGroupName: ng.iid.nameId,
        nodeGroupId: ng.iid.systemId,
        status: ng.status,
        nodes: [...ng.nodes],
        version: ng.version,
    };
}

/**
 * The sizes a scaling change sends. With autoscaling on, only a changed `desiredNodeSize` is an
 * explicit request for that size; a change of the bounds alone keeps the autoscaler's current
 * size, moved into the new bounds only when it falls outside them. With it off, the declared
 * size is enforced.
 */
export function scalingRequest(oldDesired: unknown, spec: NodeGroupSpec, currentSize: number): ScalingReq {
    const explicit = !spec.onAutoScaling || oldDesired !== spec.desiredNodeSize;
    const wanted = explicit ? spec.desiredNodeSize : currentSize;
    const desiredNodeSize = Math.min(spec.maxNodeSize, Math.max(spec.minNodeSize, wanted));
    return { desiredNodeSize, minNodeSize: spec.minNodeSize, maxNodeSize: spec.maxNodeSize };
}

/** Sends a scaling change, sized against the cloud's current size (read now: autoscalers move on). */
export async function changeScaling(
    driver: Driver,
    clusterIid: Iid,
    ngIid: Iid,
    oldDesired: unknown,
    spec: NodeGroupSpec,
): Promise<NodeGroupInfo> {
    const live = spec.onAutoScaling ? await driver.cluster.getNodeGroup(clusterIid, ngIid) : undefined;
    const current = live?.desiredNodeSize ?? spec.desiredNodeSize;
    return driver.cluster.changeNodeGroupScaling(clusterIid, ngIid, scalingRequest(oldDesired, spec, current));
}

/**
 * After autoscaling was turned off: the declared size is enforced from now on, so a size an
 * autoscaler reached is brought back to it in the same update (one call, only when it differs).
 */
export async function enforceDeclaredSize(
    driver: Driver,
    clusterIid: Iid,
    ngIid: Iid,
    spec: NodeGroupSpec,
): Promise<void> {
    const live = await driver.cluster.getNodeGroup(clusterIid, ngIid);
    if (live.desiredNodeSize === spec.desiredNodeSize) return;
    const req = scalingRequest(undefined, spec, live.desiredNodeSize);
    await driver.cluster.changeNodeGroupScaling(clusterIid, ngIid, req);
}
