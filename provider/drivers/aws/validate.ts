/**
 * The current ELBv2 and EKS input rules, checked by the driver itself because moto accepts
 * almost anything. Pure functions: `check` calls them at preview time, and every mutating
 * driver call runs them again before its first API call.
 */
import type {
    ClusterAccessChange,
    ClusterReq,
    HealthCheckerReq,
    ListenerReq,
    NameRule,
    NlbReq,
    NlbTraffic,
    NodeGroupReq,
    ScalingReq,
    TrafficProtocol,
    VmGroupReq,
} from "../../interface/driver";
import { CAPACITY_TYPES, HEALTH_PROTOCOLS, LOG_TYPES, NLB_TYPES, SESSION_AFFINITIES } from "../../interface/driver";
import { TRAFFIC_PROTOCOLS } from "../../interface/driver";
import { ipv4CidrProblem } from "../../interface/schema";
import { SHARED_NLB } from "../../interface/capabilities";
import type { FieldIssue } from "../../interface/errors";

export const NLB_NAME: NameRule = {
    maxLength: 32,
    pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
    description:
        "1–32 characters, letters, digits and hyphens, not starting or ending with a hyphen " +
        'nor starting with "internal-"',
};

export const CLUSTER_NAME: NameRule = {
    maxLength: 100,
    pattern: /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
    description: "1–100 characters, letters, digits, hyphens and underscores, starting with a letter or digit",
};

export const NODE_GROUP_NAME: NameRule = {
    maxLength: 63,
    pattern: /^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/,
    description: "1–63 characters, letters, digits, hyphens and underscores, starting with a letter or digit",
};

/** EKS standard-support versions the driver creates and upgrades to, oldest first. */
export const EKS_VERSIONS = ["1.28", "1.29", "1.30", "1.31", "1.32", "1.33"] as const;

export const HEALTH = {
    // ELBv2's ranges are the shared base's.
    interval: SHARED_NLB.healthInterval,
    timeout: SHARED_NLB.healthTimeout,
    threshold: SHARED_NLB.healthThreshold,
    defaults: { interval: 30, timeout: 10, threshold: 3 },
    pathMaxLength: 1024,
};

/** EKS's counts: instance types per node group, public endpoint CIDR blocks (default quota), taints. */
export const MAX_INSTANCE_TYPES = 20;
export const MAX_PUBLIC_CIDRS = 40;
export const MAX_TAINTS = 50;

/** Managed node group size quota (nodes per managed node group). */
export const MAX_NODE_GROUP_SIZE = 450;

/** EKS AMI types a managed node group can use without a launch template. */
export const AMI_TYPES = [
    "AL2023_x86_64_STANDARD",
    "AL2023_ARM_64_STANDARD",
    "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA",
    "AL2023_x86_64_NEURON",
    "AL2_x86_64",
    "AL2_x86_64_GPU",
    "AL2_ARM_64",
    "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_ARM_64",
    "BOTTLEROCKET_x86_64_NVIDIA",
    "BOTTLEROCKET_ARM_64_NVIDIA",
    "BOTTLEROCKET_x86_64_FIPS",
    "BOTTLEROCKET_ARM_64_FIPS",
    "WINDOWS_CORE_2019_x86_64",
    "WINDOWS_FULL_2019_x86_64",
    "WINDOWS_CORE_2022_x86_64",
    "WINDOWS_FULL_2022_x86_64",
] as const;

/** Tag keys the driver reserves for its own bookkeeping. */
export const RESERVED_TAG_PREFIXES = ["aws:", "spider:"];
const MAX_USER_TAGS = 45;

const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SG_ID = /^sg-[0-9a-f]{8,17}$/;

function checkName(issues: FieldIssue[], property: string, name: string | undefined, rule: NameRule): void {
    if (!name) {
        issues.push({ property, reason: "a name is required" });
    } else if (name.length > rule.maxLength || !rule.pattern.test(name)) {
        issues.push({ property, reason: `"${name}" is not a valid name: ${rule.description}` });
    }
}

function checkInt(
    issues: FieldIssue[],
    property: string,
    value: number | undefined,
    range: { min: number; max: number },
): void {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
        issues.push({ property, reason: `${value} is outside ${range.min}–${range.max}` });
    }
}

function checkOneOf<T>(issues: FieldIssue[], property: string, value: T, allowed: readonly T[]): void {
    if (!allowed.includes(value)) {
        issues.push({ property, reason: `"${String(value)}" is not one of ${allowed.join(", ")}` });
    }
}

function checkPort(issues: FieldIssue[], property: string, port: number | undefined): void {
    if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
        issues.push({ property, reason: `port ${String(port)} must be an integer in 1–65535` });
    }
}

export function validateTags(tags: Record<string, string> | undefined, property = "tags"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const entries = Object.entries(tags ?? {});
    if (entries.length > MAX_USER_TAGS) {
        issues.push({
            property,
            reason:
                `${entries.length} tags; at most ${MAX_USER_TAGS} ` +
                "(AWS allows 50, the driver keeps some for itself)",
        });
    }
    for (const [key, value] of entries) {
        const at = `${property}.${key}`;
        if (key.length < 1 || key.length > 128) {
            issues.push({ property: at, reason: "tag keys are 1–128 characters" });
        }
        if (RESERVED_TAG_PREFIXES.some(prefix => key.toLowerCase().startsWith(prefix))) {
            issues.push({
                property: at,
                reason: `tag keys starting with ${RESERVED_TAG_PREFIXES.join(" or ")} are reserved`,
            });
        }
        if (typeof value !== "string" || value.length > 256)
            issues.push({ property: at, reason: "tag values are strings of at most 256 characters" });
    }
    return issues;
}

export function validateListener(listener: ListenerReq | undefined, property = "listener"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!listener) return [{ property, reason: "a listener is required" }];
    checkOneOf(issues, `${property}.protocol`, listener.protocol, TRAFFIC_PROTOCOLS);
    checkPort(issues, `${property}.port`, listener.port);
    return issues;
}

export function validateVmGroup(
    vmGroup: (VmGroupReq & { vms?: string[] }) | undefined,
    property = "vmGroup",
): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!vmGroup) return [{ property, reason: "a VM group is required" }];
    checkOneOf(issues, `${property}.protocol`, vmGroup.protocol, TRAFFIC_PROTOCOLS);
    checkPort(issues, `${property}.port`, vmGroup.port);
    if (vmGroup.vms) issues.push(...validateVms(vmGroup.vms, `${property}.vms`));
    return issues;
}

export function validateVms(vms: string[], property = "vmGroup.vms"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const seen = new Set<string>();
    vms.forEach((vm, i) => {
        if (!INSTANCE_ID.test(vm))
            issues.push({ property: `${property}[${i}]`, reason: `"${vm}" is not an EC2 instance id (i-…)` });
        if (seen.has(vm)) issues.push({ property: `${property}[${i}]`, reason: `"${vm}" is listed twice` });
        seen.add(vm);
    });
    return issues;
}

export function validateHealthChecker(hc: HealthCheckerReq | undefined, property = "healthChecker"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!hc) return [{ property, reason: "a health checker is required" }];
    checkOneOf(issues, `${property}.protocol`, hc.protocol, HEALTH_PROTOCOLS);
    if (hc.port !== undefined) checkPort(issues, `${property}.port`, hc.port);
    checkInt(issues, `${property}.interval`, hc.interval, HEALTH.interval);
    checkInt(issues, `${property}.timeout`, hc.timeout, HEALTH.timeout);
    checkInt(issues, `${property}.threshold`, hc.threshold, HEALTH.threshold);
    checkInt(issues, `${property}.unhealthyThreshold`, hc.unhealthyThreshold, HEALTH.threshold);
    const interval = hc.interval ?? HEALTH.defaults.interval;
    const timeout = hc.timeout ?? HEALTH.defaults.timeout;
    if (timeout > interval) {
        issues.push({
            property: `${property}.timeout`,
            reason: `timeout ${timeout}s must not exceed the interval ${interval}s`,
        });
    }
    if (hc.protocol === "TCP") {
        if (hc.path)
            issues.push({ property: `${property}.path`, reason: "a path applies to HTTP/HTTPS health checks only" });
    } else if (hc.path !== undefined && hc.path !== "") {
        if (!hc.path.startsWith("/"))
            issues.push({ property: `${property}.path`, reason: `"${hc.path}" must start with "/"` });
        if (hc.path.length > HEALTH.pathMaxLength)
            issues.push({ property: `${property}.path`, reason: `at most ${HEALTH.pathMaxLength} characters` });
    }
    return issues;
}

/** Every ELBv2 rule an NLB request must meet, all issues at once. */
export function validateNlb(req: NlbReq): FieldIssue[] {
    const issues: FieldIssue[] = [];
    checkName(issues, "iid.nameId", req.iid?.nameId, NLB_NAME);
    if (!req.vpc) issues.push({ property: "vpc", reason: "a VPC id is required" });
    else if (!VPC_ID.test(req.vpc)) issues.push({ property: "vpc", reason: `"${req.vpc}" is not a VPC id (vpc-…)` });
    checkOneOf(issues, "type", req.type, NLB_TYPES);
    if (req.scope !== "REGION") {
        issues.push({
            property: "scope",
            reason: `AWS network load balancers are regional; scope "${String(req.scope)}" is not supported`,
        });
    }
    issues.push(...validateListener(req.listener));
    issues.push(...validateVmGroup(req.vmGroup));
    if (
        req.listener &&
        req.vmGroup &&
        TRAFFIC_PROTOCOLS.includes(req.listener.protocol) &&
        req.listener.protocol !== req.vmGroup.protocol
    ) {
        issues.push({
            property: "vmGroup.protocol",
            reason: `a ${req.listener.protocol} listener forwards to ${req.listener.protocol} target groups only`,
        });
    }
    issues.push(...validateHealthChecker(req.healthChecker));
    if (req.traffic) issues.push(...validateTraffic(req.traffic, req.vmGroup?.protocol));
    issues.push(...validateNlbSecurityGroups(req.securityGroups ?? []));
    if (req.subnets !== undefined) issues.push(...validateSubnets(req.subnets));
    issues.push(...validateTags(req.tags));
    return issues;
}

/** ELBv2's defaults for an instance target group of an NLB and its load balancer. */
export const TRAFFIC_DEFAULTS: NlbTraffic = {
    crossZone: false,
    connectionDraining: 300,
    sessionAffinity: "NONE",
    preserveClientIp: true,
    proxyProtocol: false,
};

export const CONNECTION_DRAINING = { min: 0, max: 3600 };

/** The target-group and load-balancer attribute values ELBv2 accepts. */
export function validateTraffic(traffic: NlbTraffic, protocol: TrafficProtocol | undefined): FieldIssue[] {
    const issues: FieldIssue[] = [];
    checkInt(issues, "connectionDraining", traffic.connectionDraining, CONNECTION_DRAINING);
    checkOneOf(issues, "sessionAffinity", traffic.sessionAffinity, SESSION_AFFINITIES);
    if (protocol === "UDP" && !traffic.preserveClientIp) {
        const reason = "ELBv2 always preserves client IPs for UDP target groups";
        issues.push({ property: "preserveClientIp", reason });
    }
    return issues;
}

/** An NLB takes at most 5 security groups (ELBv2 quota), by id. */
export function validateNlbSecurityGroups(groups: string[], property = "securityGroups"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (groups.length > 5) issues.push({ property, reason: `at most 5 security groups, got ${groups.length}` });
    groups.forEach((group, index) => {
        if (!SG_ID.test(group)) {
            const reason = `"${group}" is not a security group id (sg-…)`;
            issues.push({ property: `${property}[${index}]`, reason });
        }
    });
    return issues;
}

/** An NLB's subnets: one or more subnet ids, none twice (zones and VPC need the cloud: see changeSubnets). */
export function validateSubnets(subnets: string[]): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (subnets.length === 0) {
        const reason = "give at least one subnet, or omit subnets to use one per AZ of the VPC";
        issues.push({ property: "subnets", reason });
    }
    subnets.forEach((s, i) => {
        if (!SUBNET_ID.test(s)) {
            issues.push({ property: `subnets[${i}]`, reason: `"${s}" is not a subnet id (subnet-…)` });
        }
    });
    if (new Set(subnets).size !== subnets.length) {
        issues.push({ property: "subnets", reason: "a subnet is listed twice" });
    }
    return issues;
}

export function validateScaling(scaling: ScalingReq, property = ""): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const at = (name: string): string => (property ? `${property}.${name}` : name);
    checkInt(issues, at("minNodeSize"), scaling.minNodeSize, { min: 0, max: MAX_NODE_GROUP_SIZE });
    checkInt(issues, at("maxNodeSize"), scaling.maxNodeSize, { min: 1, max: MAX_NODE_GROUP_SIZE });
    checkInt(issues, at("desiredNodeSize"), scaling.desiredNodeSize, { min: 0, max: MAX_NODE_GROUP_SIZE });
    if (scaling.minNodeSize > scaling.desiredNodeSize)
        issues.push({
            property: at("desiredNodeSize"),
            reason: `desired ${scaling.desiredNodeSize} is below the minimum ${scaling.minNodeSize}`,
        });
    if (scaling.desiredNodeSize > scaling.maxNodeSize)
        issues.push({
            property: at("desiredNodeSize"),
            reason: `desired ${scaling.desiredNodeSize} is above the maximum ${scaling.maxNodeSize}`,
        });
    return issues;
}

export function validateNodeGroup(ng: NodeGroupReq, property = ""): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const at = (name: string): string => (property ? `${property}.${name}` : name);
    checkName(issues, at("iid.nameId"), ng.iid?.nameId, NODE_GROUP_NAME);
    if (!ng.vmSpec)
        issues.push({ property: at("vmSpec"), reason: "an EC2 instance type is required (e.g. t3.medium)" });
    else if (!INSTANCE_TYPE.test(ng.vmSpec))
        issues.push({ property: at("vmSpec"), reason: `"${ng.vmSpec}" is not an EC2 instance type` });
    issues.push(...nodeGroupOptionIssues(ng, at));
    if (ng.image && !(AMI_TYPES as readonly string[]).includes(ng.image)) {
        issues.push({
            property: at("image"),
            reason:
                `"${ng.image}" is not an EKS AMI type (${AMI_TYPES.slice(0, 3).join(", ")}, …); ` +
                "custom AMIs need a launch template, which this driver does not manage",
        });
    }
    if (ng.rootDiskType) {
        issues.push({
            property: at("rootDiskType"),
            reason:
                "EKS managed node groups without a launch template use the AMI's volume type; " +
                "leave rootDiskType empty",
        });
    }
    if (ng.rootDiskSize !== 0) checkInt(issues, at("rootDiskSize"), ng.rootDiskSize, { min: 1, max: 16384 });
    issues.push(...validateScaling(ng, property));
    return issues;
}

/** The instance types, capacity type, subnets and taint count EKS takes for a managed node group. */
function nodeGroupOptionIssues(ng: NodeGroupReq, at: (name: string) => string): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const types = ng.vmSpecs ?? [];
    if (types.length > MAX_INSTANCE_TYPES) {
        issues.push({ property: at("vmSpecs"), reason: `EKS takes at most ${MAX_INSTANCE_TYPES} instance types` });
    }
    types.forEach((type, i) => {
        if (!INSTANCE_TYPE.test(type)) {
            issues.push({ property: at(`vmSpecs[${i}]`), reason: `"${type}" is not an EC2 instance type` });
        }
    });
    if (ng.capacityType !== undefined) checkOneOf(issues, at("capacityType"), ng.capacityType, CAPACITY_TYPES);
    (ng.subnets ?? []).forEach((subnet, i) => {
        if (!SUBNET_ID.test(subnet)) {
            issues.push({ property: at(`subnets[${i}]`), reason: `"${subnet}" is not a subnet id (subnet-…)` });
        }
    });
    if ((ng.taints ?? []).length > MAX_TAINTS) {
        issues.push({ property: at("taints"), reason: `EKS takes at most ${MAX_TAINTS} taints per node group` });
    }
    return issues;
}

/** Endpoint access EKS accepts (one of public/private on, IPv4 blocks, the quota) and known log types. */
export function validateClusterAccess(change: ClusterAccessChange): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const access = change.endpointAccess;
    if (access && !access.public && !access.private) {
        const reason = "EKS needs private access on to turn public access off";
        issues.push({ property: "endpointAccess.private", reason });
    }
    const cidrs = access?.public ? access.publicCidrs : [];
    if (cidrs.length > MAX_PUBLIC_CIDRS) {
        const reason = `EKS takes at most ${MAX_PUBLIC_CIDRS} CIDR blocks`;
        issues.push({ property: "endpointAccess.publicCidrs", reason });
    }
    cidrs.forEach((cidr, i) => {
        const problem = ipv4CidrProblem(cidr);
        if (problem) issues.push({ property: `endpointAccess.publicCidrs[${i}]`, reason: problem });
    });
    (change.logging ?? []).forEach((type, i) => checkOneOf(issues, `logging[${i}]`, type, LOG_TYPES));
    return issues;
}

export function validateVersion(version: string | undefined, property = "version"): FieldIssue[] {
    if (!version || !(EKS_VERSIONS as readonly string[]).includes(version)) {
        return [
            { property, reason: `"${String(version)}" is not a supported EKS version (${EKS_VERSIONS.join(", ")})` },
        ];
    }
    return [];
}

/** The control-plane subnets and security groups EKS accepts, at creation and in UpdateClusterConfig. */
export function validateClusterNetwork(net: { subnets?: string[]; securityGroups?: string[] }): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (net.subnets !== undefined && net.subnets.length < 2) {
        issues.push({ property: "network.subnets", reason: "EKS needs subnets in at least two availability zones" });
    }
    (net.subnets ?? []).forEach((s, i) => {
        if (!SUBNET_ID.test(s)) {
            issues.push({ property: `network.subnets[${i}]`, reason: `"${s}" is not a subnet id (subnet-…)` });
        }
    });
    const groups = net.securityGroups ?? [];
    if (groups.length > 5) {
        issues.push({ property: "network.securityGroups", reason: "EKS accepts at most 5 security groups" });
    }
    groups.forEach((s, i) => {
        if (!SG_ID.test(s)) {
            const reason = `"${s}" is not a security group id (sg-…)`;
            issues.push({ property: `network.securityGroups[${i}]`, reason });
        }
    });
    return issues;
}

/** Every EKS rule a cluster request (with its node groups) must meet, all issues at once. */
export function validateCluster(req: ClusterReq): FieldIssue[] {
    const issues: FieldIssue[] = [];
    checkName(issues, "iid.nameId", req.iid?.nameId, CLUSTER_NAME);
    issues.push(...validateVersion(req.version));
    const net = req.network;
    if (!net) {
        issues.push({ property: "network", reason: "a network (VPC and subnets) is required" });
    } else {
        if (net.vpc && !VPC_ID.test(net.vpc))
            issues.push({ property: "network.vpc", reason: `"${net.vpc}" is not a VPC id (vpc-…)` });
        issues.push(...validateClusterNetwork({ subnets: net.subnets ?? [], securityGroups: net.securityGroups }));
    }
    const names = new Set<string>();
    (req.nodeGroups ?? []).forEach((ng, i) => {
        issues.push(...validateNodeGroup(ng, `nodeGroups[${i}]`));
        if (ng.iid?.nameId && names.has(ng.iid.nameId))
            issues.push({ property: `nodeGroups[${i}].iid.nameId`, reason: `"${ng.iid.nameId}" is used twice` });
        names.add(ng.iid?.nameId);
    });
    issues.push(...validateClusterAccess({ endpointAccess: req.endpointAccess, logging: req.logging }));
    issues.push(...validateTags(req.tags));
    return issues;
}
