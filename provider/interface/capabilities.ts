/**
 * What every driver's capabilities share, and `defineCapabilities` so a driver states only what
 * differs: the base is merged with the driver's overrides, plain objects key by key, anything else
 * (lists, patterns, numbers) replaced whole. The overrides' type asks for every field the base
 * does not give (names, health defaults, versions, …) and lets the driver restate any other one.
 */
import type { Capabilities, ClusterCapabilities, DriverName, NlbCapabilities } from "./driver";
import { CAPACITY_TYPES, LOG_TYPES } from "./driver";

/** Every part of T optional, down through plain objects; lists and patterns are given whole. */
export type DeepPartial<T> = T extends RegExp | readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

/** The fields of `Full` the base lacks, as `Full` has them; the ones it has, optional and deep-partial. */
export type Overrides<Full, Base> = Omit<Full, keyof Base> & { [K in keyof Base & keyof Full]?: DeepPartial<Full[K]> };

/** A regional passthrough NLB of TCP/UDP with TCP/HTTP/HTTPS probes, every change in place. */
export const SHARED_NLB = {
    supported: true,
    types: ["PUBLIC", "INTERNAL"],
    scopes: ["REGION"],
    listenerProtocols: ["TCP", "UDP"],
    vmGroupProtocols: ["TCP", "UDP"],
    healthProtocols: ["TCP", "HTTP", "HTTPS"],
    compatibleProtocols: { TCP: ["TCP"], UDP: ["UDP"] },
    timeoutAtMostInterval: true,
    // ELBv2's health-check ranges, which the local driver mirrors so programs port to AWS.
    healthInterval: { min: 5, max: 300 },
    healthTimeout: { min: 2, max: 120 },
    healthThreshold: { min: 2, max: 10 },
    // Every setting settable; the defaults are ELBv2's (draining 300 s, cross-zone off, client IP kept).
    traffic: {
        defaults: {
            crossZone: false,
            connectionDraining: 300,
            sessionAffinity: "NONE",
            preserveClientIp: true,
            proxyProtocol: false,
        },
        connectionDraining: { min: 0, max: 3600 },
        sessionAffinities: ["NONE", "CLIENT_IP"],
        crossZone: [true, false],
        preserveClientIp: [true, false],
        proxyProtocol: [true, false],
        clientIpAlwaysPreservedFor: [],
        reasons: {},
    },
    securityGroups: true,
    inPlace: {
        listenerPort: true,
        listenerProtocol: true,
        vmGroup: true,
        vms: true,
        healthChecker: true,
        tags: true,
        subnets: true,
        traffic: true,
        securityGroups: true,
    },
    allowsEmptyVmGroup: true,
    exclusiveVmMembership: false,
} as const satisfies Partial<NlbCapabilities>;

/** Managed clusters whose every change is made in place, node groups optional. */
export const SHARED_CLUSTER = {
    supported: true,
    inPlace: {
        version: true,
        scaling: true,
        autoScaling: true,
        nodeGroups: true,
        tags: true,
        network: true,
        labels: true,
        taints: true,
        updateConfig: true,
        endpointAccess: true,
        logging: true,
        // EKS replaces a managed node group's instance types, AMI and disk only through a new group.
        machines: false,
    },
    capacityTypes: CAPACITY_TYPES,
    logTypes: LOG_TYPES,
    // EKS's: 50 taints per node group, 20 instance types, 40 public endpoint CIDR blocks (default quota).
    limits: { taints: 50, vmSpecs: 20, publicCidrs: 40 },
    allowsNoNodeGroups: true,
    privateEndpoint: true,
    maxUnavailablePercent: true,
} as const satisfies Partial<ClusterCapabilities>;

export interface CapabilityOverrides {
    driver: DriverName;
    nlb: Overrides<NlbCapabilities, typeof SHARED_NLB>;
    cluster: Overrides<ClusterCapabilities, typeof SHARED_CLUSTER>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null) return false;
    const proto: unknown = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

function mergeRecords(base: object, override: object): Record<string, unknown> {
    const out: Record<string, unknown> = Object.fromEntries(Object.entries(base));
    for (const [key, value] of Object.entries(override) as Array<[string, unknown]>) {
        if (value === undefined) continue;
        const previous = out[key];
        out[key] = isPlainObject(previous) && isPlainObject(value) ? mergeRecords(previous, value) : value;
    }
    return out;
}

/** `base` with `override` laid over it: plain objects merged key by key, other values replaced. */
export function deepMerge<Base extends object, Override extends object>(
    base: Base,
    override: Override,
): Base & Override {
    return mergeRecords(base, override) as Base & Override;
}

/** A driver's capabilities: the shared base plus what this driver states differently. */
export function defineCapabilities(overrides: CapabilityOverrides): Capabilities {
    return {
        driver: overrides.driver,
        nlb: deepMerge(SHARED_NLB, overrides.nlb),
        cluster: deepMerge(SHARED_CLUSTER, overrides.cluster),
    };
}
