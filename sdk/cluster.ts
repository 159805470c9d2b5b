import * as pulumi from "@pulumi/pulumi";
import { ownUrn } from "./urn";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import clusterProvider = require("./providers/cluster");

/** Node-group fields shared by `Cluster.nodeGroups` and `NodeGroup`. */
export interface NodeGroupSpecArgs {
    /** Image; "" = driver default for the Kubernetes version (local `ubuntu-22.04`; AWS an EKS AMI type such as `AL2023_x86_64_STANDARD`). Changing it recreates the node group. */
    image?: pulumi.Input<string>;
    /** VM spec / instance type: local small|medium|large, AWS `t3.medium`… Changing it recreates the node group. */
    vmSpec: pulumi.Input<string>;
    /** Root disk type; "" = driver default (AWS must stay "": EKS picks the volume type without a launch template). Changing it recreates the node group. */
    rootDiskType?: pulumi.Input<string>;
    /** Root disk size in GB; 0 = driver default (20). Changing it recreates the node group. */
    rootDiskSize?: pulumi.Input<number>;
    /** Key pair for SSH to nodes; "" = none. Changing it recreates the node group. */
    keyPair?: pulumi.Input<string>;
    /**
     * Whether the node count may move between min and max on its own. Default true. Changes in
     * place (SetNodeGroupAutoScaling). On EKS, "off" pins the group (min = max = desired in the
     * cloud, the declared bounds kept in tags and restored by "on"); on is what a cluster
     * autoscaler needs to act within min/max.
     */
    onAutoScaling?: pulumi.Input<boolean>;
    /**
     * Nodes wanted, min ≤ desired ≤ max. Changes in place (ChangeNodeGroupScaling). With
     * `onAutoScaling` on it is the size at creation only: an autoscaler's size inside [min, max]
     * is neither drift nor a diff (see `currentNodeSize`), a change of min/max alone keeps that
     * size (moved into the new bounds if outside), and changing this value itself applies it.
     * With autoscaling off the declared size is enforced: an out-of-band resize is drift.
     */
    desiredNodeSize: pulumi.Input<number>;
    /** Fewest nodes, ≥ 0. Changes in place. */
    minNodeSize: pulumi.Input<number>;
    /** Most nodes, ≥ 1 (driver limit: local 100, AWS 450). Changes in place. */
    maxNodeSize: pulumi.Input<number>;
}

export interface ClusterNodeGroupArgs extends NodeGroupSpecArgs {
    /** Unique within the cluster; identifies the group across changes. Renaming removes the old group and adds a new one (never replaces the cluster). */
    name: pulumi.Input<string>;
}

export interface ClusterNetworkArgs {
    /** VPC / network id. Changing this replaces the cluster. */
    vpc: pulumi.Input<string>;
    /**
     * Subnet ids (AWS: at least two AZs). Changes in place on AWS and local (UpdateClusterConfig):
     * new subnets must be in the cluster's VPC and in the zones chosen at creation.
     */
    subnets: pulumi.Input<pulumi.Input<string>[]>;
    /** Extra security groups (AWS: at most 5, same VPC). Default none. Changes in place on AWS and local. */
    securityGroups?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ClusterArgs {
    /** Where the cluster lives. Changing this replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /** Cloud name. Default: the Pulumi name plus a random suffix. Changing this replaces the resource (delete first). */
    clusterName?: pulumi.Input<string>;
    /** Kubernetes version "MAJOR.MINOR" (e.g. "1.30"). Raising it upgrades in place, one minor version at a time; lowering it is refused at preview. */
    version: pulumi.Input<string>;
    /** Network placement. Changing it replaces the resource. */
    network: pulumi.Input<ClusterNetworkArgs>;
    /** Node groups, matched by `name`: added, removed, scaled or recreated individually; never replaces the cluster. Default none. */
    nodeGroups?: pulumi.Input<pulumi.Input<ClusterNodeGroupArgs>[]>;
    /** Tags. Default none. Changes in place. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Id of an existing cluster to bring under management instead of creating one (see README, "Adopting"). */
    adopt?: pulumi.Input<string>;
    /** Wait limits in minutes. */
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

/** A managed Kubernetes cluster with inline node groups. */
export class Cluster extends pulumi.dynamic.Resource {
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

    constructor(name: string, args: ClusterArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            clusterProvider,
            name,
            {
                ...args,
                pulumiName: name,
                pulumiUrn: ownUrn(name, "Cluster", opts),
                clusterId: undefined,
                clusterName: args?.clusterName,
                version: args?.version,
                network: args?.network,
                tags: args?.tags,
                status: undefined,
                endpoint: undefined,
                kubeconfig: undefined,
                nodeGroups: args?.nodeGroups,
                createdTime: undefined,
                keyValues: undefined,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
            "spider",
            "Cluster",
        );
        // The id is known during a preview of an in-place update, an output is not (dynamic providers
        // cannot preview outputs): referencing it keeps dependents from previewing a false change.
        (this as { clusterId: pulumi.Output<string> }).clusterId = this.id;
    }

    static get(
        name: string,
        id: pulumi.Input<string>,
        state: { connection: pulumi.Input<ConnectionArgs> },
        opts?: pulumi.CustomResourceOptions,
    ): Cluster {
        return new Cluster(name, state as unknown as ClusterArgs, { ...opts, id });
    }
}
