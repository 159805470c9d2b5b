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
    /**
     * Fewest nodes. Allowed: 0–450 on aws; 0–1000 on gcp; 0–100 on local. A change applies in place
     * (changeNodeGroupScaling).
     */
    minNodeSize: pulumi.Input<number>;
    /**
     * Most nodes. Allowed: 1–450 on aws; 1–1000 on gcp; 1–100 on local. A change applies in place
     * (changeNodeGroupScaling).
     */
    maxNodeSize: pulumi.Input<number>;
}

/** A Kubernetes node taint; taints are unique by key and effect. */
export interface TaintArgs {
    /**
     * Allowed: 1–63 characters, an optional DNS prefix and "/", then letters, digits, "-", "_", ".". A change applies
     * in place (changeNodeGroupConfig).
     */
    key: pulumi.Input<string>;
    /**
     * Default: none. Allowed: 0–63 letters, digits, "-", "_", ".". A change applies in place (changeNodeGroupConfig).
     */
    value?: pulumi.Input<string>;
    /** Allowed: "NoSchedule", "PreferNoSchedule" or "NoExecute". A change applies in place (changeNodeGroupConfig). */
    effect: pulumi.Input<"NoSchedule" | "PreferNoSchedule" | "NoExecute">;
}

/** A node group's Kubernetes labels, taints and update config, alike in `Cluster.nodeGroups` and `NodeGroup`. */
export interface NodeGroupConfigArgs {
    /**
     * Kubernetes node labels. Default: none. Allowed: keys and values of 1–63 characters in Kubernetes syntax;
     * no key under kubernetes.io/, k8s.io/ or eks.amazonaws.com/. Together with taints and maxUnavailable in one
     * cloud call (EKS UpdateNodegroupConfig). A change applies in place (changeNodeGroupConfig).
     */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Kubernetes node taints. Default: none. Allowed: at most 50, unique by key and effect. Added and removed
     * in the same single cloud call as labels. A change applies in place (changeNodeGroupConfig).
     */
    taints?: pulumi.Input<pulumi.Input<TaintArgs>[]>;
    /**
     * Nodes that may be unavailable at once while nodes are updated: a count 1–100, or a percentage "1%"–"100%"
     * of the group. Default: 1. A change applies in place (changeNodeGroupConfig).
     */
    maxUnavailable?: pulumi.Input<number | string>;
}

/** A node group inside `Cluster.nodeGroups`, matched by `name`; its changes never touch the cluster itself. */
export interface ClusterNodeGroupArgs extends NodeGroupSizeArgs, NodeGroupConfigArgs {
    /**
     * Unique within the cluster; identifies the group across changes, and is its cloud name. Allowed: at most
     * 58 characters on aws and local; at most 35 characters on gcp. That leaves room for the suffix a rebuilt node
     * group gets. A change removes this node group
     * and adds one under the new name.
     */
    name: pulumi.Input<string>;
    /**
     * Image. Default: the driver's for the Kubernetes version (local `ubuntu-22.04`; AWS an EKS AMI type such as
     * `AL2023_x86_64_STANDARD`; GCP a GKE image type, `COS_CONTAINERD` or `UBUNTU_CONTAINERD`).
     * A change recreates this node group alone (new one first) on aws and local; applies in place
     * (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge upgrade; the node pool is kept.
     */
    image?: pulumi.Input<string>;
    /**
     * VM spec: local small, medium or large; AWS an instance type such as `t3.medium`; GCP a machine type such
     * as `e2-medium`. Default: none; give exactly one of vmSpec and vmSpecs.
     * A change recreates this node group alone (new one first) on aws and local; applies in place
     * (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge upgrade; the node pool is kept.
     */
    vmSpec?: pulumi.Input<string>;
    /**
     * Several VM specs (AWS instance types) the group may use, for spot diversification. Default: none; give
     * exactly one of vmSpec and vmSpecs. Allowed: 1–20 specs (GKE: one).
     * A change recreates this node group alone (new one first) on aws and local; applies in place
     * (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge upgrade; the node pool is kept.
     */
    vmSpecs?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Allowed: "ON_DEMAND" or "SPOT". Default: "ON_DEMAND". A change recreates this node group alone (new one first).
     */
    capacityType?: pulumi.Input<"ON_DEMAND" | "SPOT">;
    /**
     * Subnet ids of the nodes, in the cluster's VPC. Default: the cluster's subnets. A change recreates this node
     * group alone (new one first).
     */
    subnets?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Root disk type. Default: the driver's (AWS: leave it unset, EKS picks the volume type without a
     * launch template; GKE pd-balanced). A change recreates this node group alone (new one first) on aws and local;
     * applies in place (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge upgrade; the node pool is
     * kept.
     */
    rootDiskType?: pulumi.Input<string>;
    /**
     * Root disk size in GB. Default: the driver's (20; GKE 100). A change recreates this node group alone (new one
     * first) on aws and local; applies in place (changeNodeGroupMachines) on gcp. gcp: nodes recreated by a surge
     * upgrade; the node pool is kept.
     */
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
     * Subnet ids (AWS: at least two AZs; GKE: exactly one subnetwork); new subnets must be in the cluster's VPC and
     * in the zones chosen at creation. A change applies in place (changeClusterNetwork) on aws and local; replaces
     * the resource on gcp.
     */
    subnets: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Extra security groups (AWS: at most 5, same VPC; GKE: none). Default: none. A change applies in place
     * (changeClusterNetwork) on aws and local; replaces the resource on gcp.
     */
    securityGroups?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Who reaches the Kubernetes API server; at least one of public and private access is on. */
export interface EndpointAccessArgs {
    /**
     * Reachable from the internet (from publicCidrs). Default: true. A change applies in place (changeClusterAccess).
     */
    public?: pulumi.Input<boolean>;
    /** Reachable from inside the VPC. Default: false. A change applies in place (changeClusterAccess). */
    private?: pulumi.Input<boolean>;
    /**
     * IPv4 CIDR blocks allowed to the public endpoint; only with public access on. Default: ["0.0.0.0/0"] (any
     * address) with public access on, none with it off. Allowed: at most 40 blocks written with their network
     * address. A change applies in place (changeClusterAccess).
     */
    publicCidrs?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ClusterArgs {
    /** Where the cluster lives. A change replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /**
     * Cloud name. Default: the Pulumi name plus a random suffix. Allowed: at most 100 characters on aws and local;
     * at most 40 characters on gcp. A change replaces the resource. Names are unique, so the old one is deleted
     * first.
     */
    clusterName?: pulumi.Input<string>;
    /**
     * Kubernetes version "MAJOR.MINOR". Allowed: "1.28" to "1.33" on aws; "1.33" to "1.35" on gcp; "1.28" to
     * "1.31" on local. Raise it one minor version at a time; lowering it is refused at preview. A change applies in
     * place (upgradeCluster). gcp: control plane one minor version at a time, then each node pool in turn.
     */
    version: pulumi.Input<string>;
    /** Network placement. A change applies field by field, as each field says. */
    network: pulumi.Input<ClusterNetworkArgs>;
    /**
     * API server endpoint access. Default: public from any address, private off. A change applies field by field,
     * as each field says.
     */
    endpointAccess?: pulumi.Input<EndpointAccessArgs>;
    /**
     * Control-plane log types turned on. Default: none. Allowed: "api", "audit", "authenticator",
     * "controllerManager" or "scheduler", each once. With endpoint access, one cloud update per kind, in sequence.
     * A change applies in place (changeClusterAccess).
     */
    logging?: pulumi.Input<pulumi.Input<"api" | "audit" | "authenticator" | "controllerManager" | "scheduler">[]>;
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
    /** Set when declared with vmSpec; otherwise vmSpecs is. */
    vmSpec?: string;
    vmSpecs?: string[];
    capacityType: string;
    subnets: string[];
    labels: Record<string, string>;
    taints: Array<{ key: string; value?: string; effect: string }>;
    maxUnavailable: number | string;
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
    "endpointAccess",
    "logging",
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
    public readonly endpointAccess!: pulumi.Output<{ public: boolean; private: boolean; publicCidrs: string[] }>;
    public readonly logging!: pulumi.Output<string[]>;
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
