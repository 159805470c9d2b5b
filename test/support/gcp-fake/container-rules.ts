/**
 * The Kubernetes Engine (container v1) rules the fake checks before it accepts a request: names,
 * labels, taints, versions and autoscaling limits. Each refusal is an `RpcError` with the status and,
 * where one is known from GKE's answers, its wording (see README.md for which messages are the fake's).
 * The REST fallback of @google-cloud/container sends enums as numbers (`enum-encoding=int`), so every
 * enum here is read from its number or its name.
 */
import { RpcError } from "./errors";
import { Json, isObject } from "./model";

/** GKE versions as serverConfig reports them: three minors, newest patch first within each minor. */
export const MASTER_VERSIONS: readonly string[] = [
    "1.35.0-gke.1000000",
    "1.34.1-gke.1100000",
    "1.34.0-gke.1500000",
    "1.33.5-gke.1200000",
    "1.33.4-gke.1100000",
];
/** Nodes may also run one older minor, so a two-minor skew below the oldest master can be tried. */
export const NODE_VERSIONS: readonly string[] = [...MASTER_VERSIONS, "1.32.9-gke.1000000"];
export const DEFAULT_CLUSTER_VERSION = "1.34.1-gke.1100000";
/** GKE allows nodes up to two minor versions older than the control plane. */
export const MAX_NODE_MINOR_SKEW = 2;

/** Cluster and node pool names: "(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)", at most 40 characters. */
const GKE_NAME = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;
const GKE_NAME_TEXT =
    "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' (only lowercase alphanumerics and '-' " +
    "allowed, must start with a letter and end with an alphanumeric, and must be no longer than 40 characters).";

export function checkGkeName(field: string, name: unknown): string {
    if (typeof name !== "string" || !GKE_NAME.test(name))
        throw invalid(`Invalid value for field "${field}": "${String(name ?? "")}". ${GKE_NAME_TEXT}`);
    return name;
}

export function invalid(message: string): RpcError {
    return new RpcError("INVALID_ARGUMENT", message);
}

export function failedPrecondition(message: string): RpcError {
    return new RpcError("FAILED_PRECONDITION", message);
}

/** Reads an enum sent as its number (the REST fallback) or its name (a hand-written JSON call). */
export function enumName(value: unknown, names: readonly string[], field: string): string {
    const name = typeof value === "number" ? names[value] : value;
    if (typeof name !== "string" || !names.includes(name) || name === names[0])
        throw invalid(`Invalid value for field "${field}": "${String(value)}".`);
    return name;
}

export const TAINT_EFFECTS = ["EFFECT_UNSPECIFIED", "NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"];
export const LOCATION_POLICIES = ["LOCATION_POLICY_UNSPECIFIED", "BALANCED", "ANY"];
export const LOGGING_COMPONENTS = [
    "COMPONENT_UNSPECIFIED",
    "SYSTEM_COMPONENTS",
    "WORKLOADS",
    "APISERVER",
    "SCHEDULER",
    "CONTROLLER_MANAGER",
];
export const UPGRADE_STRATEGIES = ["NODE_POOL_UPDATE_STRATEGY_UNSPECIFIED", "BLUE_GREEN", "SURGE"];
export const DISK_TYPES = ["pd-standard", "pd-balanced", "pd-ssd", "hyperdisk-balanced"];
export const IMAGE_TYPES = ["COS_CONTAINERD", "UBUNTU_CONTAINERD", "WINDOWS_LTSC_CONTAINERD"];

// ---------------------------------------------------------------------------------------------
// Labels and taints

/** GCE resource labels: key 1-63 starting with a lowercase letter, value 0-63, [a-z0-9_-], 64 at most. */
export function checkResourceLabels(field: string, labels: unknown): Record<string, string> {
    if (labels === undefined || labels === null) return {};
    if (!isObject(labels)) throw invalid(`Invalid value for field "${field}": labels must be a map.`);
    const entries = Object.entries(labels);
    if (entries.length > 64) throw invalid(`Invalid value for field "${field}": at most 64 labels are allowed.`);
    for (const [key, value] of entries) {
        if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key))
            throw invalid(
                `Invalid value for field "${field}": label key "${key}" must start with a lowercase letter and ` +
                    "contain at most 63 lowercase letters, digits, '_' or '-'.",
            );
        if (typeof value !== "string" || !/^[a-z0-9_-]{0,63}$/.test(value))
            throw invalid(
                `Invalid value for field "${field}": label value "${String(value)}" of "${key}" must contain at ` +
                    "most 63 lowercase letters, digits, '_' or '-'.",
            );
    }
    return { ...(labels as Record<string, string>) };
}

/** Kubernetes label name or value: at most 63 characters, alphanumeric at both ends, `-_.` inside. */
const K8S_NAME = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
/** Kubernetes label key prefix: a DNS subdomain of at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

function k8sKeyProblem(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
        return "a prefix must be a DNS subdomain of at most 253 characters";
    if (!K8S_NAME.test(name))
        return "a name must have at most 63 characters, alphanumeric at both ends and only '-', '_', '.' inside";
    return undefined;
}

/** Node labels follow Kubernetes label syntax (key `[prefix/]name`, value empty or a label name). */
export function checkNodeLabels(field: string, labels: unknown): Record<string, string> {
    if (labels === undefined || labels === null) return {};
    if (!isObject(labels)) throw invalid(`Invalid value for field "${field}": labels must be a map.`);
    for (const [key, value] of Object.entries(labels)) {
        const problem = k8sKeyProblem(key);
        if (problem) throw invalid(`Invalid value for field "${field}": label key "${key}" is invalid: ${problem}.`);
        if (typeof value !== "string" || (value !== "" && !K8S_NAME.test(value)))
            throw invalid(`Invalid value for field "${field}": label value "${String(value)}" of "${key}" is invalid.`);
    }
    return { ...(labels as Record<string, string>) };
}

/** Taints: a Kubernetes key, an optional label-syntax value, and NO_SCHEDULE/PREFER_NO_SCHEDULE/NO_EXECUTE. */
export function checkTaints(field: string, taints: unknown): Json[] {
    if (taints === undefined || taints === null) return [];
    if (!Array.isArray(taints)) throw invalid(`Invalid value for field "${field}": taints must be a list.`);
    return taints.map((t: unknown, i) => {
        const taint = isObject(t) ? t : {};
        const key = typeof taint.key === "string" ? taint.key : "";
        const problem = k8sKeyProblem(key);
        if (problem) throw invalid(`Invalid value for field "${field}[${i}].key": "${key}" is invalid: ${problem}.`);
        const value = taint.value ?? "";
        if (typeof value !== "string" || (value !== "" && !K8S_NAME.test(value)))
            throw invalid(`Invalid value for field "${field}[${i}].value": "${String(value)}" is invalid.`);
        const effect = enumName(taint.effect, TAINT_EFFECTS, `${field}[${i}].effect`);
        return { key, value, effect };
    });
}

// ---------------------------------------------------------------------------------------------
// Versions

function parts(version: string): number[] {
    const m = /^(\d+)\.(\d+)\.(\d+)-gke\.(\d+)$/.exec(version);
    return m ? m.slice(1).map(Number) : [];
}

export function minorOf(version: string): number {
    return parts(version)[1] ?? 0;
}

export function compareVersions(a: string, b: string): number {
    const pa = parts(a);
    const pb = parts(b);
    for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
}

/**
 * A version as GKE accepts it: absent or "-" is the default, "latest" the newest, "1.34" or "1.34.1"
 * the newest patch with that prefix, or a full version from the list. Anything else is unsupported.
 */
export function resolveVersion(wanted: unknown, valid: readonly string[], what: "Master" | "Node"): string {
    if (wanted === undefined || wanted === null || wanted === "" || wanted === "-") return DEFAULT_CLUSTER_VERSION;
    const text = String(wanted);
    if (text === "latest") return valid[0];
    if (valid.includes(text)) return text;
    if (/^\d+\.\d+(?:\.\d+)?$/.test(text)) {
        const found = valid.find(v => v.startsWith(`${text}.`) || v.startsWith(`${text}-`));
        if (found) return found;
    }
    throw invalid(`${what} version "${text}" is unsupported.`);
}

/** A master upgrade moves at most one minor at a time and never to a lower minor. */
export function checkMasterStep(current: string, next: string, oldestNode: string | undefined): void {
    if (minorOf(next) > minorOf(current) + 1)
        throw invalid(
            `Master version ${current} cannot be upgraded to ${next}: ` +
                "cannot upgrade the master more than a minor version at a time.",
        );
    if (minorOf(next) < minorOf(current))
        throw invalid(
            `Master version ${current} cannot be downgraded to ${next}: minor version downgrades are not allowed.`,
        );
    if (oldestNode && minorOf(next) - minorOf(oldestNode) > MAX_NODE_MINOR_SKEW)
        throw failedPrecondition(
            `Master cannot be upgraded to ${next}: node version ${oldestNode} would be more than ` +
                `${MAX_NODE_MINOR_SKEW} minor versions older than the master. Upgrade the node pools first.`,
        );
}

/** Nodes never run a newer version than the master, nor more than two minors older. */
export function checkNodeVersion(node: string, master: string): void {
    if (minorOf(node) > minorOf(master))
        throw invalid(`Node version "${node}" must not have a greater minor version than master version "${master}".`);
    if (compareVersions(node, master) > 0)
        throw invalid(`desired node version "${node}" cannot be greater than current master version "${master}".`);
    if (minorOf(master) - minorOf(node) > MAX_NODE_MINOR_SKEW)
        throw invalid(
            `Node version "${node}" is more than ${MAX_NODE_MINOR_SKEW} minor versions older than master ` +
                `version "${master}".`,
        );
}

// ---------------------------------------------------------------------------------------------
// Autoscaling

/**
 * NodePoolAutoscaling: per-zone min/max or total min/max, never both (proto3 JSON leaves zeros out,
 * so a missing count is 0). Disabled autoscaling keeps no limits, the way GKE reports it.
 */
export function checkAutoscaling(field: string, raw: unknown): Json | undefined {
    if (raw === undefined || raw === null) return undefined;
    const a = isObject(raw) ? raw : {};
    if (a.enabled !== true) return { enabled: false };
    const count = (k: string): number => {
        const v = a[k] ?? 0;
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 5000)
            throw invalid(`Invalid value for field "${field}.${k}": ${String(v)}.`);
        return v as number;
    };
    const [min, max, totalMin, totalMax] = [
        "minNodeCount",
        "maxNodeCount",
        "totalMinNodeCount",
        "totalMaxNodeCount",
    ].map(count);
    const perZone = min > 0 || max > 0;
    const total = totalMin > 0 || totalMax > 0;
    if (perZone && total)
        throw invalid(
            `${field}.min_node_count/max_node_count and ${field}.total_min_node_count/total_max_node_count ` +
                "cannot be set together.",
        );
    if (!total && max === 0)
        throw invalid(`${field}.max_node_count and ${field}.total_max_node_count cannot be both set to zero.`);
    if (min > max && perZone) throw invalid(`${field}.min_node_count must not be greater than max_node_count.`);
    if (totalMin > totalMax && total)
        throw invalid(`${field}.total_min_node_count must not be greater than total_max_node_count.`);
    const policy = a.locationPolicy === undefined ? "BALANCED" : enumName(a.locationPolicy, LOCATION_POLICIES, field);
    return total
        ? { enabled: true, totalMinNodeCount: totalMin, totalMaxNodeCount: totalMax, locationPolicy: policy }
        : { enabled: true, minNodeCount: min, maxNodeCount: max, locationPolicy: policy };
}

/** The autoscaler's view: each zone's target size kept within the per-zone or total limits. */
export function clampSizes(sizes: number[], autoscaling: Json | undefined): number[] {
    if (!autoscaling || autoscaling.enabled !== true) return sizes;
    if (autoscaling.maxNodeCount !== undefined) {
        const lo = Number(autoscaling.minNodeCount ?? 0);
        const hi = Number(autoscaling.maxNodeCount);
        return sizes.map(s => Math.min(hi, Math.max(lo, s)));
    }
    const lo = Number(autoscaling.totalMinNodeCount ?? 0);
    const hi = Number(autoscaling.totalMaxNodeCount ?? 0);
    const sum = sizes.reduce((a, b) => a + b, 0);
    const want = Math.min(hi, Math.max(lo, sum));
    return spread(want, sizes.length);
}

/** `total` nodes over `zones` zones as evenly as possible, the first zones taking the remainder. */
export function spread(total: number, zones: number): number[] {
    return Array.from({ length: zones }, (_, i) => Math.floor(total / zones) + (i < total % zones ? 1 : 0));
}
