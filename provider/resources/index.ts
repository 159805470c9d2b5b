/**
 * Entry point the serialized providers in sdk/ load by package name inside the provider host.
 * Everything here is ordinary module code: it is never serialized into state.
 */
import type { ResourceImpl } from "./common";
import { clusterImpl } from "./cluster";
import { nlbImpl } from "./nlb";
import { nlbVmGroupImpl } from "./nlbVmGroup";
import { nodeGroupImpl } from "./nodeGroup";

export type ResourceKind = "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup";

export const impls: Record<ResourceKind, ResourceImpl> = {
    Nlb: nlbImpl,
    NlbVmGroup: nlbVmGroupImpl,
    Cluster: clusterImpl,
    NodeGroup: nodeGroupImpl,
};

export { readConfig } from "./common";
