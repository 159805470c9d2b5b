/**
 * Node pool bodies of the fake's GKE side: the NodePool a create stores (defaults filled in as GKE
 * reports them) and the change a nodePools.update makes. Both only validate and compute; container.ts
 * applies the result when the operation finishes.
 */
import {
    DISK_TYPES,
    IMAGE_TYPES,
    NODE_VERSIONS,
    UPGRADE_STRATEGIES,
    checkAutoscaling,
    checkGkeName,
    checkNodeLabels,
    checkNodeVersion,
    checkResourceLabels,
    checkTaints,
    enumName,
    invalid,
    resolveVersion,
} from "./container-rules";
import type { PoolRecord } from "./container";
import { Json, clone, isObject } from "./model";

const DEFAULT_OAUTH_SCOPES = [
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/logging.write",
    "https://www.googleapis.com/auth/monitoring",
];

function checkMachineType(field: string, value: unknown): string {
    if (typeof value !== "string" || !/^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/.test(value))
        throw invalid(`Invalid value for field "${field}": "${String(value)}" is not a machine type.`);
    return value;
}

/** Boot disk size: GKE's minimum is 10 GB. It is an int64, which proto3 JSON sends as a string. */
function checkDiskSize(field: string, value: unknown): number {
    const size = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (!Number.isInteger(size) || (size as number) < 10 || (size as number) > 65536)
        throw invalid(`Invalid value for field "${field}": ${String(value)}. Disk size must be at least 10 GB.`);
    return size as number;
}

function checkDiskType(field: string, value: unknown): string {
    if (typeof value !== "string" || !DISK_TYPES.includes(value))
        throw invalid(`Invalid value for field "${field}": "${String(value)}". Supported: ${DISK_TYPES.join(", ")}.`);
    return value;
}

/** GKE takes image types in any case and reports them upper-case. */
function checkImageType(field: string, value: unknown): string {
    const upper = typeof value === "string" ? value.toUpperCase() : "";
    if (!IMAGE_TYPES.includes(upper))
        throw invalid(`Invalid value for field "${field}": "${String(value)}". Supported: ${IMAGE_TYPES.join(", ")}.`);
    return upper;
}

/** Metadata keys GKE sets itself and refuses from users (NodeConfig.metadata in the v1 reference). */
const RESERVED_METADATA = [
    "cluster-location",
    "cluster-name",
    "cluster-uid",
    "configure-sh",
    "gci-update-strategy",
    "gci-ensure-gke-docker",
    "instance-template",
    "kube-env",
    "startup-script",
    "user-data",
    "containerd-configure-sh",
    "enable-oslogin",
    "kube-labels",
    "kubelet-config",
    "serial-port-logging-enable",
];

/**
 * NodeConfig.metadata: keys of 1-128 letters, digits, `-` and `_`, not one GKE reserves; values up
 * to 32 KiB; at most 32 KiB in all (the reference's limits); GKE adds `disable-legacy-endpoints`.
 */
function checkMetadata(field: string, raw: unknown): Record<string, string> {
    const metadata: Record<string, string> = { "disable-legacy-endpoints": "true" };
    if (raw === undefined || raw === null) return metadata;
    if (!isObject(raw)) throw invalid(`Invalid value for field "${field}": must be a map of strings.`);
    let total = 0;
    for (const [key, value] of Object.entries(raw)) {
        if (!/^[a-zA-Z0-9_-]{1,128}$/.test(key) || RESERVED_METADATA.includes(key))
            throw invalid(`Invalid value for field "${field}": key "${key}" is reserved or malformed.`);
        if (typeof value !== "string" || value.length > 32768)
            throw invalid(`Invalid value for field "${field}.${key}": must be a string of at most 32768 bytes.`);
        total += key.length + value.length;
        metadata[key] = value;
    }
    if (total > 512 * 1024) throw invalid(`Invalid value for field "${field}": the total size exceeds 512 KiB.`);
    return metadata;
}

/** UpgradeSettings: surge counts are non-negative and cannot both be 0. */
function checkUpgradeSettings(field: string, raw: unknown): Json {
    const s = isObject(raw) ? raw : {};
    const surge = s.maxSurge ?? 0;
    const unavailable = s.maxUnavailable ?? 0;
    for (const [k, v] of [
        ["maxSurge", surge],
        ["maxUnavailable", unavailable],
    ] as const) {
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100)
            throw invalid(`Invalid value for field "${field}.${k}": ${String(v)}.`);
    }
    const strategy = s.strategy === undefined ? "SURGE" : enumName(s.strategy, UPGRADE_STRATEGIES, `${field}.strategy`);
    if (strategy === "SURGE" && surge === 0 && unavailable === 0)
        throw invalid(`${field}: max_surge and max_unavailable cannot both be 0.`);
    return { maxSurge: surge, maxUnavailable: unavailable, strategy };
}

function nodeConfig(field: string, raw: unknown): Json {
    const c = isObject(raw) ? raw : {};
    return {
        machineType:
            c.machineType === undefined ? "e2-medium" : checkMachineType(`${field}.machine_type`, c.machineType),
        diskSizeGb: c.diskSizeGb === undefined ? 100 : checkDiskSize(`${field}.disk_size_gb`, c.diskSizeGb),
        diskType: c.diskType === undefined ? "pd-balanced" : checkDiskType(`${field}.disk_type`, c.diskType),
        imageType: c.imageType === undefined ? "COS_CONTAINERD" : checkImageType(`${field}.image_type`, c.imageType),
        labels: checkNodeLabels(`${field}.labels`, c.labels),
        taints: checkTaints(`${field}.taints`, c.taints),
        oauthScopes:
            Array.isArray(c.oauthScopes) && c.oauthScopes.length > 0 ? clone(c.oauthScopes) : DEFAULT_OAUTH_SCOPES,
        serviceAccount: typeof c.serviceAccount === "string" && c.serviceAccount !== "" ? c.serviceAccount : "default",
        metadata: checkMetadata(`${field}.metadata`, c.metadata),
        // Spot VMs are chosen at creation: nodePools.update has no field for them.
        spot: c.spot === true,
        resourceLabels: checkResourceLabels(`${field}.resource_labels`, c.resourceLabels ?? {}),
    };
}

/** Node pool locations: zones of the cluster (default all of them). */
function poolZones(field: string, wanted: unknown, clusterZones: string[]): string[] {
    if (!Array.isArray(wanted) || wanted.length === 0) return [...clusterZones];
    for (const z of wanted)
        if (typeof z !== "string" || !clusterZones.includes(z))
            throw invalid(
                `Invalid value for field "${field}.locations": "${String(z)}" is not a location of the cluster.`,
            );
    return [...new Set(wanted as string[])];
}

/** A NodePool as created: initialNodeCount per zone, version no newer than the master. */
export function nodePoolSpec(spec: Json, clusterZones: string[], master: string, field: string): PoolRecord {
    const name = checkGkeName(`${field}.name`, spec.name);
    const count = spec.initialNodeCount ?? 0;
    if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 1000)
        throw invalid(`Invalid value for field "${field}.initial_node_count": ${String(count)}.`);
    const version = spec.version && spec.version !== "-" ? resolveVersion(spec.version, NODE_VERSIONS, "Node") : master;
    checkNodeVersion(version, master);
    const autoscaling = checkAutoscaling(`${field}.autoscaling`, spec.autoscaling);
    const management = isObject(spec.management) ? spec.management : {};
    const json: Json = {
        name,
        config: nodeConfig(`${field}.config`, spec.config),
        initialNodeCount: count,
        locations: poolZones(field, spec.locations, clusterZones),
        version,
        management: { autoUpgrade: management.autoUpgrade !== false, autoRepair: management.autoRepair !== false },
        upgradeSettings: checkUpgradeSettings(`${field}.upgrade_settings`, spec.upgradeSettings ?? { maxSurge: 1 }),
        podIpv4CidrSize: 24,
    };
    if (autoscaling) json.autoscaling = autoscaling;
    return { json, status: "PROVISIONING", migs: [] };
}

export interface NodePoolChange {
    next: Json;
    /** Whether nodes are replaced (new instances): machine, disk, image or version changed. */
    recreate: boolean;
}

const RECREATING_FIELDS = ["machineType", "diskSizeGb", "diskType", "imageType"];

/**
 * nodePools.update: version, machine type, disk, image, labels ({labels}), taints ({taints}) and
 * upgradeSettings; at least one must be given. Labels and taints are replaced as a whole.
 */
export function checkNodePoolUpdate(current: Json, body: Json, master: string): NodePoolChange {
    const next = clone(current);
    const config = next.config as Json;
    let recreate = false;
    let touched = false;
    if (body.nodeVersion !== undefined && body.nodeVersion !== "") {
        const version = body.nodeVersion === "-" ? master : resolveVersion(body.nodeVersion, NODE_VERSIONS, "Node");
        checkNodeVersion(version, master);
        recreate ||= version !== current.version;
        next.version = version;
        touched = true;
    }
    const checks: Record<string, (f: string, v: unknown) => unknown> = {
        machineType: checkMachineType,
        diskSizeGb: checkDiskSize,
        diskType: checkDiskType,
        imageType: checkImageType,
    };
    for (const field of RECREATING_FIELDS) {
        if (body[field] === undefined || body[field] === "" || body[field] === 0 || body[field] === "0") continue;
        const value = checks[field](field, body[field]);
        recreate ||= value !== config[field];
        config[field] = value;
        touched = true;
    }
    if (isObject(body.labels)) {
        config.labels = checkNodeLabels("labels.labels", body.labels.labels);
        touched = true;
    }
    if (isObject(body.taints)) {
        config.taints = checkTaints("taints.taints", body.taints.taints);
        touched = true;
    }
    if (isObject(body.upgradeSettings)) {
        next.upgradeSettings = checkUpgradeSettings("upgrade_settings", body.upgradeSettings);
        touched = true;
    }
    // ResourceLabels {labels}: GCE labels on the nodes' VMs, changed without recreating them.
    if (isObject(body.resourceLabels)) {
        config.resourceLabels = checkResourceLabels("resource_labels.labels", body.resourceLabels.labels ?? {});
        touched = true;
    }
    if (!touched) throw invalid("At least one field to update must be specified.");
    return { next, recreate };
}
