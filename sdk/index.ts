/** pulumi-spider: cloud-neutral network load balancers and managed Kubernetes for Pulumi. */
export { ConnectionArgs, TimeoutsArgs } from "./connection";
export { Nlb, NlbArgs, ListenerArgs, VmGroupArgs, HealthCheckerArgs } from "./nlb";
export { NlbVmGroup, NlbVmGroupArgs } from "./nlbVmGroup";
export {
    Cluster,
    ClusterArgs,
    ClusterNetworkArgs,
    ClusterNodeGroupArgs,
    ClusterNodeGroupOutput,
    EndpointAccessArgs,
    NodeGroupConfigArgs,
    NodeGroupSizeArgs,
    TaintArgs,
    NodeGroupSpecArgs,
} from "./cluster";
export { NodeGroup, NodeGroupArgs, NodeGroupLookup } from "./nodeGroup";
export { LookupOptions, ResourceLookup } from "./resource";
export { makeProvider } from "./provider";
