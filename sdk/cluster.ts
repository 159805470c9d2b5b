import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import { LookupOptions, ResourceLookup, SpiderResource } from "./resource";
import clusterProvider = require("./providers/cluster");

/** A node group's size, alike in `Cluster.nodeGroups` and `NodeGroup`. */
export interface NodeGroupSizeArgs {
    /**
     * Whether the node count may move between min and max on its own. Default: true. On EKS, off pins the group
     * (min = max = desired in the cloud, the declared bounds kept in tags and restored by on); on is what a
     * cluster autoscaler needs to act within min/max. A change applies in place (setNodeGroupAutoScaling).
     */
    onAutoScaling?: pulumi.Input<boolean>;
    /**
     * Nodes wanted, min ≤ desired ≤ max. With `onAutoScaling` on it is the size at creation only: an
     * autoscaler's size inside [min, max] is neither drift nor a diff (see `currentNodeSize`), a change of
     * min/max alone keeps that size (moved into the new bounds if outside), and changing this value itself
     * applies it. With autoscaling off the declared size is enforced: an out-of-band resize is drift. A change
     * applies in place (changeNodeGroupScaling).
     */
    desiredNodeSize: pulumi.Input<number>;
    /** Fewest nodes. Allowed: 0–450 on aws; 0–100 on local. A change applies in place (changeNodeGroupScaling). */
    minNodeSize: pulumi.Input<number>;
    /** Most nodes. Allowed: 1–450 on aws; 1–100 on local. A change applies in place (changeNodeGroupScaling). */
    maxNodeSize: pulumi.Input<number>;
}

/** A node group inside `Cluster.nodeGroups`, matched by `name`; its changes never touch the cluster itself. */
export interface ClusterNodeGroupArgs extends NodeGroupSizeArgs {
    /**
     * Unique within the cluster; identifies the group across changes, and is its cloud name. Allowed: at most
     * 58 characters. That leaves room for the suffix a rebuilt node group gets. A change removes this node group
     * and adds one under the new name.
     */
    name: pulumi.Input<string>;
    /**
     * Image. Default: the driver's for the Kubernetes version (local `ubuntu-22.04`; AWS an EKS AMI type such as
     * `AL2023_x86_64_STANDARD`). A change recreates this node group alone (new one first).
     */
    image?: pulumi.Input<string>;
    /**
     * VM spec: local small, medium or large; AWS an instance type such as `t3.medium`. A change recreates this
     * node group alone (new one first).
     */
    vmSpec: pulumi.Input<string>;
    /**
     * Root disk type. Default: the driver's (AWS: leave it unset, EKS picks the volume type without a
     * launch template). A change recreates this node group alone (new one first).
     */
    rootDiskType?: pulumi.Input<string>;
    /** Root disk size in GB. Default: the driver's (20). A change recreates this node group alone (new one first). */
    rootDiskSize?: pulumi.Input<number>;
    /** Key pair for SSH to nodes. Default: none. A change recreates this node group alone (new one first). */
    keyPair?: pulumi.Input<string>;
}

/** A node group's spec without its name: what `Cluster.nodeGroups` entries and `NodeGroup` share. */
export type NodeGroupSpecArgs = Omit<ClusterNodeGroupArgs, "name">;

export interface ClusterNetworkArgs {
    /** VPC / network id. A change replaces the resource. */
    vpc: pulumi.Input<string>;
    /**
     * Subnet ids (AWS: at least two AZs); new subnets must be in the cluster's VPC and in the zones chosen at
     * creation. A change applies in place (changeClusterNetwork).
     */
    subnets: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Extra security groups (AWS: at most 5, same VPC). Default: none. A change applies in place
     * (changeClusterNetwork).
     */
    securityGroups?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ClusterArgs {
    /** Where the cluster lives. A change replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /**
     * Cloud name. Default: the Pulumi name plus a random suffix. Allowed: at most 100 characters. A change replaces the
     * resource. Names are unique, so the old one is deleted first.
     */
    clusterName?: pulumi.Input<string>;
    /**
     * Kubernetes version "MAJOR.MINOR". Allowed: "1.28" to "1.33" on aws; "1.28" to "1.31" on local. Raise it
     * one minor version at a time; lowering it is refused at preview. A change applies in place (upgradeCluster).
     */
    version: pulumi.Input<string>;
    /** Network placement. A change applies field by field, as each field says. */
    network: pulumi.Input<ClusterNetworkArgs>;
    /**
     * Node groups, matched by `name`: added, removed or changed individually. Default: none. A change applies in
     * place, node group by node group, as the fields of each say.
     */
    nodeGroups?: pulumi.Input<pulumi.Input<ClusterNodeGroupArgs>[]>;
    /** Tags. Default: none. A change applies in place (changeClusterTags). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Id of an existing cluster to bring under management instead of creating one (see README, "Adopting").
     * Default: none. A change is recorded in state only (no cloud call).
     */
    adopt?: pulumi.Input<string>;
    /** Wait limits in minutes. Default: the driver's. A change is recorded in state only (no cloud call). */
    timeouts?: pulumi.Input<TimeoutsArgs>;
}

export interface ClusterNodeGroupOutput {
    name: string;
    nodeGroupName: string;
    nodeGroupId: string;
    status: string;
    nodes: string[];
    version: string;
    image: string;
    vmSpec: string;
    rootDiskType: string;
    rootDiskSize: number;
    keyPair: string;
    onAutoScaling: boolean;
    desiredNodeSize: number;
    minNodeSize: number;
    maxNodeSize: number;
    /** The size the cloud holds now, an autoscaler's work included. */
    currentNodeSize: number;
}

/** Every output property of a Cluster (see `spiderInputs`). */
const CLUSTER_OUTPUTS = [
    "clusterId",
    "clusterName",
    "version",
    "network",
    "tags",
    "status",
    "endpoint",
    "kubeconfig",
    "nodeGroups",
    "createdTime",
    "keyValues",
];

/** A managed Kubernetes cluster with inline node groups (aws and local drivers; gcp does not manage clusters yet). */
export class Cluster extends SpiderResource {
    public readonly clusterId!: pulumi.Output<string>;
    public readonly clusterName!: pulumi.Output<string>;
    public readonly version!: pulumi.Output<string>;
    /** Creating | Active | Inactive | Updating | Deleting. */
    public readonly status!: pulumi.Output<string>;
    public readonly endpoint!: pulumi.Output<string>;
    /** A kubeconfig for the cluster; stored as a secret. */
    public readonly kubeconfig!: pulumi.Output<string>;
    public readonly nodeGroups!: pulumi.Output<ClusterNodeGroupOutput[]>;
    public readonly createdTime!: pulumi.Output<string>;
    public readonly keyValues!: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.CustomResourceOptions);
    /** Reads the existing cluster `opts.id` without managing it (see `Cluster.get`). */
    constructor(name: string, lookup: ResourceLookup, opts: LookupOptions);
    constructor(name: string, args: ClusterArgs | ResourceLookup, opts?: pulumi.CustomResourceOptions) {
        super(
            clusterProvider,
            name,
            args,
            CLUSTER_OUTPUTS,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
        );
        // The id is known during a preview of an in-place update, an output is not (dynamic providers
        // cannot preview outputs): referencing it keeps dependents from previewing a false change.
        this.clusterId = this.id;
    }
}
