import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupSpecArgs } from "./cluster";
import { ownUrn } from "./urn";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import nodeGroupProvider = require("./providers/nodeGroup");

export interface NodeGroupArgs extends NodeGroupSpecArgs {
    /** Must match the cluster's connection. Changing this replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /** The Cluster's id (`cluster.clusterId`). Changing this replaces the resource. */
    cluster: pulumi.Input<string>;
    /** Cloud name. Default: the Pulumi name plus a random suffix. Changing this replaces the resource (delete first). */
    nodeGroupName?: pulumi.Input<string>;
    /** Id of an existing node group to bring under management (see README, "Adopting"). */
    adopt?: pulumi.Input<string>;
    /** Wait limits in minutes. */
    timeouts?: pulumi.Input<TimeoutsArgs>;
}

/**
 * A node group managed on its own. Scaling and autoscaling change in place; image, vmSpec,
 * rootDiskType, rootDiskSize, keyPair and nodeGroupName replace it.
 */
export class NodeGroup extends pulumi.dynamic.Resource {
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

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            nodeGroupProvider,
            name,
            {
                ...args,
                pulumiName: name,
                pulumiUrn: ownUrn(name, "NodeGroup", opts),
                nodeGroupId: undefined,
                nodeGroupName: args?.nodeGroupName,
                onAutoScaling: args?.onAutoScaling,
                desiredNodeSize: args?.desiredNodeSize,
                minNodeSize: args?.minNodeSize,
                maxNodeSize: args?.maxNodeSize,
                currentNodeSize: undefined,
                status: undefined,
                nodes: undefined,
                version: undefined,
            },
            opts,
            "spider",
            "NodeGroup",
        );
        // The id is known during a preview of an in-place update, an output is not (dynamic providers
        // cannot preview outputs): referencing it keeps dependents from previewing a false change.
        (this as { nodeGroupId: pulumi.Output<string> }).nodeGroupId = this.id;
    }

    static get(
        name: string,
        id: pulumi.Input<string>,
        state: { connection: pulumi.Input<ConnectionArgs>; cluster: pulumi.Input<string> },
        opts?: pulumi.CustomResourceOptions,
    ): NodeGroup {
        return new NodeGroup(name, state as unknown as NodeGroupArgs, { ...opts, id });
    }
}
