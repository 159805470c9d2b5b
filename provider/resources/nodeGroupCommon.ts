/** Node-group converters and scaling calls shared by Cluster.nodeGroups and the NodeGroup resource. */
import type {
    Driver,
    Iid,
    NodeGroupConfigChange,
    NodeGroupInfo,
    NodeGroupReq,
    NodeMachineChange,
    ScalingReq,
} from "../interface/driver";
import { ownerField } from "../interface/owner";
import type { Props } from "../interface/schema";
import { clusterNodeGroupFields, fieldChanged } from "./fields";
import type { NodeGroupSpec } from "./schemas";

export type { NodeGroupSpec } from "./schemas";

export function toNodeGroupReq(cloudName: string, spec: NodeGroupSpec, owner?: string): NodeGroupReq {
    return {
        iid: { nameId: cloudName, systemId: "" },
        image: spec.image,
        vmSpec: spec.vmSpecs?.[0] ?? spec.vmSpec ?? "",
        vmSpecs: [...(spec.vmSpecs ?? (spec.vmSpec ? [spec.vmSpec] : []))],
        capacityType: spec.capacityType,
        subnets: [...(spec.subnets ?? [])],
        labels: { ...spec.labels },
        taints: spec.taints.map(taint => ({ ...taint })),
        maxUnavailable: spec.maxUnavailable,
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

export type NodeGroupLive = {
    nodeGroupName: string;
    nodeGroupId: string;
    status: string;
    nodes: string[];
    version: string;
    /** The size the cloud holds now (an autoscaler's work included). */
    currentNodeSize: number;
};

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

/**
 * The VM specs in the form declared: `vmSpecs` when the group was declared with it (or, declared
 * nothing, runs several), else the one `vmSpec`; the other is absent, so neither shows a diff.
 */
function vmSpecsAsDeclared(
    ng: NodeGroupInfo,
    declared?: Partial<NodeGroupSpec>,
): Pick<NodeGroupSpec, "vmSpec" | "vmSpecs"> {
    const list = ng.vmSpecs.length ? ng.vmSpecs : [ng.vmSpec];
    const several = declared ? declared.vmSpecs !== undefined : list.length > 1;
    return several ? { vmSpec: undefined, vmSpecs: [...list] } : { vmSpec: list[0], vmSpecs: undefined };
}

/** Live node group in the declared shape plus what the cloud reports; `declared`: what state holds. */
export function fromNodeGroupInfo(ng: NodeGroupInfo, declared?: Partial<NodeGroupSpec>): NodeGroupSpec & NodeGroupLive {
    return {
        image: ng.image,
        ...vmSpecsAsDeclared(ng, declared),
        capacityType: ng.capacityType,
        subnets: [...ng.subnets],
        labels: { ...ng.labels },
        taints: ng.taints.map(taint => ({ ...taint })),
        maxUnavailable: ng.maxUnavailable,
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

function specChanged(olds: Props, spec: NodeGroupSpec): (path: string) => boolean {
    return path => clusterNodeGroupFields.some(rule => rule.path === path && fieldChanged(rule, olds, spec));
}

/** The labels, taints and update config that differ between the stored node group and the declared one. */
export function configChange(olds: Props, spec: NodeGroupSpec): NodeGroupConfigChange {
    const changed = specChanged(olds, spec);
    return {
        ...(changed("labels") ? { labels: { ...spec.labels } } : {}),
        ...(changed("taints") ? { taints: spec.taints.map(taint => ({ ...taint })) } : {}),
        ...(changed("maxUnavailable") ? { maxUnavailable: spec.maxUnavailable } : {}),
    };
}

/** The machine settings (VM spec, image, root disk) that differ between the stored node group and the declared one. */
export function machineChange(olds: Props, spec: NodeGroupSpec): NodeMachineChange {
    const changed = specChanged(olds, spec);
    const vmSpec = spec.vmSpecs?.[0] ?? spec.vmSpec ?? "";
    return {
        ...(changed("vmSpec") || changed("vmSpecs") ? { vmSpec } : {}),
        ...(changed("image") ? { image: spec.image } : {}),
        ...(changed("rootDiskType") ? { rootDiskType: spec.rootDiskType } : {}),
        ...(changed("rootDiskSize") ? { rootDiskSize: spec.rootDiskSize } : {}),
    };
}

/** The live node group as a declared spec: what only the cloud reports is left out. */
export function liveSpec(live: NodeGroupInfo, declared?: Partial<NodeGroupSpec>): NodeGroupSpec {
    const {
        currentNodeSize: _size,
        nodeGroupName: _name,
        nodeGroupId: _id,
        status: _status,
        nodes: _nodes,
        version: _version,
        ...spec
    } = fromNodeGroupInfo(live, declared);
    return spec;
}
