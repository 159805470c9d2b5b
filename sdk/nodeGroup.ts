import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfigArgs, NodeGroupSizeArgs } from "./cluster";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import { LookupOptions, ResourceLookup, SpiderResource } from "./resource";
import nodeGroupProvider = require("./providers/nodeGroup");

export interface NodeGroupArgs extends NodeGroupSizeArgs, NodeGroupConfigArgs {
    /** Must match the cluster's connection. A change replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /** The Cluster's id (`cluster.clusterId`). A change replaces the resource. */
    cluster: pulumi.Input<string>;
    /**
     * Cloud name. Default: the Pulumi name plus a random suffix. Allowed: at most 63 characters on aws and local;
     * at most 40 characters on gcp. A change replaces the resource. Names are unique, so the old one is deleted
     * first.
     */
    nodeGroupName?: pulumi.Input<string>;
    /**
     * Image. Default: the driver's for the Kubernetes version (local `ubuntu-22.04`; AWS an EKS AMI type such as
     * `AL2023_x86_64_STANDARD`; GCP a GKE image type, `COS_CONTAINERD` or `UBUNTU_CONTAINERD`).
     * A change replaces the resource on aws and local; applies in place (changeNodeGroupMachines) on gcp. gcp: nodes
     * recreated by a surge upgrade; the node pool is kept.
     */
    image?: pulumi.Input<string>;
    /**
     * VM spec: local small, medium or large; AWS an instance type such as `t3.medium`; GCP a machine type such
     * as `e2-medium`. Default: none; give exactly one of vmSpec and vmSpecs.
     * A change replaces the resource on aws and local; applies in place (changeNodeGroupMachines) on gcp. gcp: nodes
     * recreated by a surge upgrade; the node pool is kept.
     */
    vmSpec?: pulumi.Input<string>;
    /**
     * Several VM specs (AWS instance types) the group may use, for spot diversification. Default: none; give
     * exactly one of vmSpec and vmSpecs. Allowed: 1–20 specs (GKE: one).
     * A change replaces the resource on aws and local; applies in place (changeNodeGroupMachines) on gcp. gcp: nodes
     * recreated by a surge upgrade; the node pool is kept.
     */
    vmSpecs?: pulumi.Input<pulumi.Input<string>[]>;
    /** Allowed: "ON_DEMAND" or "SPOT". Default: "ON_DEMAND". A change replaces the resource. */
    capacityType?: pulumi.Input<"ON_DEMAND" | "SPOT">;
    /**
     * Subnet ids of the nodes, in the cluster's VPC. Default: the cluster's subnets. A change replaces the resource.
     */
    subnets?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Root disk type. Default: the driver's (AWS: leave it unset, EKS picks the volume type without a launch
     * template; GKE pd-balanced). A change replaces the resource on aws and local; applies in place
     * (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge upgrade; the node pool is kept.
     */
    rootDiskType?: pulumi.Input<string>;
    /**
     * Root disk size in GB. Default: the driver's (20; GKE 100). A change replaces the resource on aws and local;
     * applies in place (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge upgrade; the node pool is
     * kept.
     */
    rootDiskSize?: pulumi.Input<number>;
    /** Key pair for SSH to nodes. Default: none. A change replaces the resource. */
    keyPair?: pulumi.Input<string>;
    /**
     * Id of an existing node group to bring under management (see README, "Adopting"). Default: none. A change is
     * recorded in state only (no cloud call).
     */
    adopt?: pulumi.Input<string>;
    /** Wait limits in minutes. Default: the driver's. A change is recorded in state only (no cloud call). */
    timeouts?: pulumi.Input<TimeoutsArgs>;
}

/** What `NodeGroup.get` needs besides the id. */
export interface NodeGroupLookup extends ResourceLookup {
    cluster: pulumi.Input<string>;
}

/** Every output property of a NodeGroup (see `spiderInputs`). */
const NODE_GROUP_OUTPUTS = [
    "nodeGroupId",
    "nodeGroupName",
    "onAutoScaling",
    "desiredNodeSize",
    "minNodeSize",
    "maxNodeSize",
    "currentNodeSize",
    "status",
    "nodes",
    "version",
];

/** A node group managed on its own, in a Cluster (aws and local drivers). */
export class NodeGroup extends SpiderResource {
    public readonly nodeGroupId!: pulumi.Output<string>;
    public readonly nodeGroupName!: pulumi.Output<string>;
    public readonly status!: pulumi.Output<string>;
    public readonly nodes!: pulumi.Output<string[]>;
    /** Kubernetes version of the nodes. */
    public readonly version!: pulumi.Output<string>;
    /** The declared size (with autoscaling on: the size at creation; see `currentNodeSize`). */
    public readonly desiredNodeSize!: pulumi.Output<number>;
    /** The size the cloud holds now, an autoscaler's work included. */
    public readonly currentNodeSize!: pulumi.Output<number>;
    public readonly minNodeSize!: pulumi.Output<number>;
    public readonly maxNodeSize!: pulumi.Output<number>;
    public readonly onAutoScaling!: pulumi.Output<boolean>;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.CustomResourceOptions);
    /** Reads the existing node group `opts.id` without managing it (see `NodeGroup.get`). */
    constructor(name: string, lookup: NodeGroupLookup, opts: LookupOptions);
    constructor(name: string, args: NodeGroupArgs | NodeGroupLookup, opts?: pulumi.CustomResourceOptions) {
        super(nodeGroupProvider, name, args, NODE_GROUP_OUTPUTS, opts);
        // The id is known during a preview of an in-place update, an output is not (dynamic providers
        // cannot preview outputs): referencing it keeps dependents from previewing a false change.
        this.nodeGroupId = this.id;
    }
}
