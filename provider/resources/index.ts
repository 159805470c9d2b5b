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

type Method = "check" | "diff" | "create" | "read" | "update" | "delete";

/** Dispatches one engine call for the provider object (its kind `k`, its config `c`). */
export function run(
    provider: { k: ResourceKind; c?: Record<string, string> },
    method: Method,
    ...args: unknown[]
): Promise<unknown> {
    const impl = impls[provider.k];
    if (!impl) throw new Error(`pulumi-spider: unknown resource kind "${String(provider.k)}"`);
    const fn = impl[method] as (...a: unknown[]) => Promise<unknown>;
    return fn(...args, provider.c ?? {});
}

export { readConfig } from "./common";
