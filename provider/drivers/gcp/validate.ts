/**
 * Pure checks of NLB inputs against what GCE accepts, run at preview time (no API calls) and again
 * by the driver before it calls the cloud. Every problem is reported at once with its property path.
 */
import type {
    ClusterReq,
    Connection,
    HealthCheckerReq,
    ListenerReq,
    NlbReq,
    NlbTraffic,
    NodeGroupReq,
    VmGroupReq,
} from "../../interface/driver";
import type { FieldIssue } from "../../interface/errors";
import { GCE_NAME, capabilities } from "./capabilities";

const caps = capabilities.nlb;
const LABEL_KEY = /^[a-z][-_a-z0-9]{0,62}$/;
const LABEL_VALUE = /^[-_a-z0-9]{0,63}$/;
const MAX_LABELS = 64;
/** `name`, `zone/name`, or an instance URL / partial path ending in `zones/Z/instances/N`. */
const VM_REF =
    /^(?:(?:.*\/)?zones\/([a-z][-a-z0-9]*)\/instances\/|([a-z][-a-z0-9]*)\/)?([a-z]([-a-z0-9]{0,61}[a-z0-9])?)$/;

function isPort(value: unknown): boolean {
    return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function validateListener(listener: ListenerReq, prefix = "listener"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!caps.listenerProtocols.includes(listener.protocol)) {
        issues.push({ property: `${prefix}.protocol`, reason: `must be one of ${caps.listenerProtocols.join(", ")}` });
    }
    if (!isPort(listener.port))
        issues.push({ property: `${prefix}.port`, reason: "must be an integer port in 1-65535" });
    return issues;
}

export function validateVmGroup(
    vmGroup: VmGroupReq,
    listenerProtocol: string | undefined,
    prefix = "vmGroup",
): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!caps.vmGroupProtocols.includes(vmGroup.protocol)) {
        issues.push({ property: `${prefix}.protocol`, reason: `must be one of ${caps.vmGroupProtocols.join(", ")}` });
    } else if (listenerProtocol !== undefined && listenerProtocol !== vmGroup.protocol) {
        issues.push({
            property: `${prefix}.protocol`,
            reason:
                `must equal the listener protocol (${listenerProtocol}): ` +
                "a GCP passthrough NLB forwards packets with the listener's protocol",
        });
    }
    if (!isPort(vmGroup.port))
        issues.push({ property: `${prefix}.port`, reason: "must be an integer port in 1-65535" });
    return issues;
}

export function validateVmRefs(vms: readonly string[], prefix: string): FieldIssue[] {
    const issues: FieldIssue[] = [];
    vms.forEach((vm, i) => {
        if (typeof vm !== "string" || !VM_REF.test(vm)) {
            issues.push({
                property: `${prefix}[${i}]`,
                reason:
                    `"${String(vm)}" is not a VM reference; ` +
                    "use an instance name or zone/name (e.g. us-central1-a/web-1)",
            });
        }
    });
    return issues;
}

/** Interval, timeout and threshold with the driver defaults applied (timeout never above interval). */
export function healthDefaults(health: HealthCheckerReq): { interval: number; timeout: number; threshold: number } {
    const interval = health.interval ?? caps.defaults.interval;
    const timeout = health.timeout ?? Math.min(caps.defaults.timeout, interval);
    return { interval, timeout, threshold: health.threshold ?? caps.defaults.threshold };
}

export function validateHealthChecker(health: HealthCheckerReq, prefix = "healthChecker"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!caps.healthProtocols.includes(health.protocol)) {
        issues.push({ property: `${prefix}.protocol`, reason: `must be one of ${caps.healthProtocols.join(", ")}` });
    }
    if (health.port !== undefined && !isPort(health.port))
        issues.push({ property: `${prefix}.port`, reason: "must be an integer port in 1-65535" });
    type Field = "interval" | "timeout" | "threshold" | "unhealthyThreshold";
    const range = (field: Field, r: { min: number; max: number }): void => {
        const value = health[field];
        if (value !== undefined && (!Number.isInteger(value) || value < r.min || value > r.max)) {
            issues.push({ property: `${prefix}.${field}`, reason: `must be an integer in ${r.min}-${r.max}` });
        }
    };
    range("interval", caps.healthInterval);
    range("timeout", caps.healthTimeout);
    range("threshold", caps.healthThreshold);
    range("unhealthyThreshold", caps.healthThreshold);
    const timing = healthDefaults(health);
    if (
        timing.timeout > timing.interval &&
        !issues.some(i => i.property.endsWith(".timeout") || i.property.endsWith(".interval"))
    ) {
        issues.push({
            property: `${prefix}.timeout`,
            reason: `must not exceed the interval (${timing.interval}s) on GCP`,
        });
    }
    if (
        health.path !== undefined &&
        health.path !== "" &&
        health.protocol !== "TCP" &&
        (!health.path.startsWith("/") || health.path.length > 1024)
    ) {
        issues.push({ property: `${prefix}.path`, reason: "must start with / and be at most 1024 characters" });
    }
    return issues;
}

export function validateTags(tags: Record<string, string>, prefix = "tags"): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const keys = Object.keys(tags ?? {});
    if (keys.length > MAX_LABELS) issues.push({ property: prefix, reason: `at most ${MAX_LABELS} tags (GCE labels)` });
    for (const k of keys) {
        if (!LABEL_KEY.test(k)) {
            issues.push({
                property: `${prefix}.${k}`,
                reason: "GCE label keys are 1-63 lowercase letters, digits, - or _, starting with a letter",
            });
        }
        const value = tags[k];
        if (typeof value !== "string" || !LABEL_VALUE.test(value)) {
            issues.push({
                property: `${prefix}.${k}`,
                reason: "GCE label values are 0-63 lowercase letters, digits, - or _",
            });
        }
    }
    return issues;
}

export function validateNlb(req: NlbReq): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const name = req.iid?.nameId ?? "";
    if (name.length > caps.name.maxLength || !caps.name.pattern.test(name)) {
        issues.push({ property: "iid.nameId", reason: `"${name}" is not a valid name: ${caps.name.description}` });
    }
    if (!GCE_NAME.test(req.vpc ?? ""))
        issues.push({ property: "vpc", reason: "must be the name of a VPC network (e.g. default)" });
    if (!caps.types.includes(req.type))
        issues.push({ property: "type", reason: `must be one of ${caps.types.join(", ")}` });
    if (!caps.scopes.includes(req.scope)) {
        issues.push({
            property: "scope",
            reason: "GCP passthrough network load balancers are regional: only REGION is supported",
        });
    }
    issues.push(...validateListener(req.listener));
    issues.push(
        ...validateVmGroup(
            req.vmGroup,
            caps.listenerProtocols.includes(req.listener?.protocol) ? req.listener.protocol : undefined,
        ),
    );
    issues.push(...validateVmRefs(req.vmGroup?.vms ?? [], "vmGroup.vms"));
    issues.push(...validateHealthChecker(req.healthChecker));
    issues.push(...placementIssues(req));
    issues.push(...validateTags(req.tags ?? {}));
    return issues;
}

/** Subnets, traffic settings and security groups. */
function placementIssues(req: NlbReq): FieldIssue[] {
    const issues: FieldIssue[] = [];
    (req.subnets ?? []).forEach((s, i) => {
        if (!GCE_NAME.test(s))
            issues.push({ property: `subnets[${i}]`, reason: "must be the name of a subnetwork in the region" });
    });
    if ((req.subnets ?? []).length > 1)
        issues.push({ property: "subnets", reason: "at most one subnetwork (used for an INTERNAL NLB's address)" });
    if (req.type === "PUBLIC" && (req.subnets ?? []).length > 0) {
        // An EXTERNAL passthrough forwarding rule has no subnetwork: the value would be ignored.
        const reason = "a PUBLIC NLB on GCP uses no subnetwork; subnets apply to INTERNAL NLBs only";
        issues.push({ property: "subnets", reason });
    }
    if (req.traffic) issues.push(...validateTraffic(req.traffic));
    if ((req.securityGroups ?? []).length > 0) {
        issues.push({ property: "securityGroups", reason: caps.traffic.reasons.securityGroups ?? "not supported" });
    }
    return issues;
}

/** What a passthrough NLB's backend service can hold; the rest is fixed by the product. */
export function validateTraffic(traffic: NlbTraffic): FieldIssue[] {
    const limits = caps.traffic;
    const issues: FieldIssue[] = [];
    const draining = traffic.connectionDraining;
    if (
        !Number.isInteger(draining) ||
        draining < limits.connectionDraining.min ||
        draining > limits.connectionDraining.max
    ) {
        const { min, max } = limits.connectionDraining;
        issues.push({ property: "connectionDraining", reason: `must be an integer in ${min}-${max}, got ${draining}` });
    }
    if (!limits.sessionAffinities.includes(traffic.sessionAffinity)) {
        issues.push({ property: "sessionAffinity", reason: `must be one of ${limits.sessionAffinities.join(", ")}` });
    }
    for (const setting of ["crossZone", "preserveClientIp", "proxyProtocol"] as const) {
        if (!limits[setting].includes(traffic[setting])) {
            issues.push({
                property: setting,
                reason: `must be ${limits[setting].join(" or ")}: ${limits.reasons[setting]}`,
            });
        }
    }
    return issues;
}

/** GKE spreads a regional cluster's node pools over three of the region's zones unless told otherwise. */
export const REGIONAL_ZONES = 3;
export const IMAGE_TYPES = ["COS_CONTAINERD", "UBUNTU_CONTAINERD"];
export const DISK_TYPES = ["pd-balanced", "pd-standard", "pd-ssd"];
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z0-9-]+$/;
/** GCE's `ssh-keys` metadata entry: `user:ssh-ed25519 AAAA… [comment]`, one per line. */
const SSH_KEY = /^[a-z_][-a-z0-9_.]{0,31}:(ssh|ecdsa|sk)-[-a-z0-9@.]+ [A-Za-z0-9+/=]+( .*)?$/;

/** How many zones a node pool spans: one for a zonal cluster (connection.zone), else GKE's three. */
export function zonesOf(conn: Pick<Connection, "zone"> | undefined): number {
    return conn?.zone ? 1 : REGIONAL_ZONES;
}

function oneOfIssue(value: string, allowed: readonly string[], property: string, what: string): FieldIssue[] {
    if (value === "" || allowed.includes(value)) return [];
    return [{ property, reason: `must be one of ${allowed.join(", ")} (${what}), got "${value}"` }];
}

function machineIssues(req: NodeGroupReq, prefix: string): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (!MACHINE_TYPE.test(req.vmSpec)) {
        issues.push({
            property: `${prefix}vmSpec`,
            reason: `must be a GCE machine type such as e2-medium, got "${req.vmSpec}"`,
        });
    }
    issues.push(...oneOfIssue(req.image, IMAGE_TYPES, `${prefix}image`, "GKE node image types"));
    issues.push(...oneOfIssue(req.rootDiskType, DISK_TYPES, `${prefix}rootDiskType`, "GKE boot disk types"));
    if (req.rootDiskSize !== 0 && (req.rootDiskSize < 10 || req.rootDiskSize > 65536)) {
        issues.push({
            property: `${prefix}rootDiskSize`,
            reason: `must be 10-65536 GB on GKE, got ${req.rootDiskSize}`,
        });
    }
    return issues;
}

/** Every GKE rule a node pool request breaks, `prefix` naming it (`nodeGroups[0].`); `zones` it spans. */
export function validateNodeGroup(req: NodeGroupReq, zones: number, prefix = ""): FieldIssue[] {
    const issues = machineIssues(req, prefix);
    if (req.keyPair !== "" && !req.keyPair.split("\n").every(line => SSH_KEY.test(line))) {
        issues.push({
            property: `${prefix}keyPair`,
            reason: 'must be GCE ssh-keys metadata, "user:ssh-ed25519 AAAA… comment" (one key per line)',
        });
    }
    if ((req.subnets ?? []).length > 1) {
        issues.push({ property: `${prefix}subnets`, reason: "a GKE node pool uses the cluster's one subnetwork" });
    }
    if (req.desiredNodeSize % zones !== 0) {
        issues.push({
            property: `${prefix}desiredNodeSize`,
            reason:
                `must be a multiple of ${zones}: GKE sizes a regional node pool per zone, over ${zones} zones ` +
                `(give connection.zone for a zonal cluster), got ${req.desiredNodeSize}`,
        });
    }
    return issues;
}

/** Every GKE rule a cluster request breaks (property paths as the Cluster's inputs); no API calls. */
export function validateCluster(req: ClusterReq, conn?: Pick<Connection, "zone">): FieldIssue[] {
    const issues: FieldIssue[] = [];
    if (req.network.subnets.length !== 1) {
        issues.push({ property: "network.subnets", reason: "a GKE cluster takes exactly one subnetwork" });
    }
    if (req.network.securityGroups.length > 0) {
        issues.push({
            property: "network.securityGroups",
            reason:
                "must be empty on the gcp driver " +
                "(GKE clusters carry no security groups; firewall rules are separate)",
        });
    }
    issues.push(...validateTags(req.tags));
    req.nodeGroups.forEach((group, index) => {
        const prefix = `nodeGroups[${index}].`;
        issues.push(...validateNodeGroup(group, zonesOf(conn), prefix));
        const own = group.subnets ?? [];
        if (own.length === 1 && own[0] !== req.network.subnets[0]) {
            issues.push({ property: `${prefix}subnets`, reason: "a GKE node pool uses the cluster's subnetwork" });
        }
    });
    return issues;
}
