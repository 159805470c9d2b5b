/**
 * Kubernetes Engine (container v1) state of the fake: clusters, their node pools, the zonal managed
 * instance groups (MIGs) that hold each pool's nodes, and GKE operations. Unlike Compute (model.ts),
 * GKE shows a resource while its operation runs (PROVISIONING, RECONCILING, STOPPING) and allows one
 * operation per cluster at a time, so a mutation validates on arrival, takes the cluster, and applies
 * its change when the operation is polled to DONE. The field rules live in container-rules.ts.
 */
import { createHash, randomBytes } from "crypto";
import { HttpError, RPC_CODES, RpcError, rpcStatusOf } from "./errors";
import {
    DEFAULT_CLUSTER_VERSION,
    MASTER_VERSIONS,
    NODE_VERSIONS,
    LOGGING_COMPONENTS,
    checkAutoscaling,
    checkGkeName,
    checkMasterStep,
    checkResourceLabels,
    clampSizes,
    compareVersions,
    enumName,
    failedPrecondition,
    invalid,
    resolveVersion,
} from "./container-rules";
import { checkNodePoolUpdate, NodePoolChange, nodePoolSpec } from "./node-pools";
import { API_ROOT, FakeCompute, Json, REGIONS, clone, isObject, lastSegment, newId, regionOfZone } from "./model";

export const CONTAINER_ROOT = "https://container.googleapis.com/v1";

/** `/v1/projects/P/locations/L/clusters[/C[/nodePools[/NP]]][:verb]`: location, cluster, pool, verb. */
const MUTATION_PATH = new RegExp(
    "^/v1/projects/[^/]+/locations/([^/]+)/clusters(?:/([^/:]+))?(?:/nodePools(?:/([^/:]+))?)?(?::(\\w+))?$",
);

export interface MigRecord {
    id: string;
    name: string;
    zone: string;
    targetSize: number;
    instances: string[];
    creationTimestamp: string;
}

export interface PoolRecord {
    /** The NodePool as GKE reports it, without the derived `instanceGroupUrls` and `status`. */
    json: Json;
    status: string;
    migs: MigRecord[];
}

interface ClusterRecord {
    location: string;
    json: Json;
    status: string;
    pools: Map<string, PoolRecord>;
}

interface GkeOperation {
    json: Json;
    clusterKey: string;
    pollsLeft: number;
    /** Applied when the operation turns DONE; absent for injected failures. */
    apply?: () => void;
    injected?: HttpError;
}

/** What GKE says a running operation is doing, for the "one operation at a time" refusal. */
const BUSY_VERBS: Record<string, string> = {
    CREATE_CLUSTER: "creating cluster",
    DELETE_CLUSTER: "deleting cluster",
    CREATE_NODE_POOL: "creating a node pool for cluster",
    DELETE_NODE_POOL: "deleting a node pool for cluster",
};

export interface ContainerInventory {
    clusters: number;
    nodePools: number;
    instanceGroupManagers: number;
}

export class FakeContainer {
    readonly clusters = new Map<string, ClusterRecord>();
    readonly operations = new Map<string, GkeOperation>();
    /** Cluster key → the operation that holds it until DONE. */
    private readonly busy = new Map<string, GkeOperation>();

    constructor(private readonly compute: FakeCompute) {}

    get project(): string {
        return this.compute.project;
    }

    reset(): void {
        this.clusters.clear();
        this.operations.clear();
        this.busy.clear();
    }

    /**
     * GKE counts for `inventory()`, each key present only when non-zero: "nothing left" stays "every
     * value is 0", and the exact load-balancing inventories existing tests compare keep their shape.
     */
    inventory(): Partial<ContainerInventory> {
        const pools = [...this.clusters.values()].flatMap(c => [...c.pools.values()]);
        const counts: ContainerInventory = {
            clusters: this.clusters.size,
            nodePools: pools.length,
            instanceGroupManagers: pools.reduce((n, p) => n + p.migs.length, 0),
        };
        return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    }

    // -------------------------------------------------------------------------------------------
    // Locations, names and links

    checkProject(project: string): void {
        if (project !== this.project)
            throw new RpcError("PERMISSION_DENIED", `Permission denied on resource project ${project}.`);
    }

    /** A region's seeded zones, or the one zone of a zonal location. */
    zonesOf(location: string): string[] {
        if (REGIONS[location]) return [...REGIONS[location]];
        if (regionOfZone(location)) return [location];
        throw new RpcError("NOT_FOUND", `Location "${location}" not found.`);
    }

    regionOf(location: string): string {
        return REGIONS[location] ? location : (regionOfZone(location) ?? location);
    }

    resourcePath(location: string, cluster?: string, pool?: string): string {
        const base = `projects/${this.project}/locations/${location}`;
        if (cluster === undefined) return base;
        return pool === undefined ? `${base}/clusters/${cluster}` : `${base}/clusters/${cluster}/nodePools/${pool}`;
    }

    private cluster(location: string, name: string): ClusterRecord {
        this.zonesOf(location);
        const rec = this.clusters.get(`${location}/${name}`);
        if (!rec) throw new RpcError("NOT_FOUND", `Not found: ${this.resourcePath(location, name)}.`);
        return rec;
    }

    private pool(c: ClusterRecord, name: string): PoolRecord {
        const rec = c.pools.get(name);
        if (!rec)
            throw new RpcError("NOT_FOUND", `Not found: ${this.resourcePath(c.location, String(c.json.name), name)}.`);
        return rec;
    }

    // -------------------------------------------------------------------------------------------
    // Reads

    renderPool(c: ClusterRecord, p: PoolRecord): Json {
        return {
            ...clone(p.json),
            instanceGroupUrls: p.migs.map(
                m => `${API_ROOT}/projects/${this.project}/zones/${m.zone}/instanceGroupManagers/${m.name}`,
            ),
            status: p.status,
            selfLink: `${CONTAINER_ROOT}/${this.resourcePath(c.location, String(c.json.name), String(p.json.name))}`,
        };
    }

    private renderCluster(c: ClusterRecord): Json {
        const pools = [...c.pools.values()];
        const versions = pools.map(p => String(p.json.version)).sort(compareVersions);
        return {
            ...clone(c.json),
            nodePools: pools.map(p => this.renderPool(c, p)),
            currentNodeVersion: versions[0] ?? c.json.currentMasterVersion,
            currentNodeCount: pools.reduce((n, p) => n + p.migs.reduce((s, m) => s + m.targetSize, 0), 0),
            status: c.status,
        };
    }

    getCluster(location: string, name: string): Json {
        return this.renderCluster(this.cluster(location, name));
    }

    /** `-` lists every location, as GKE allows. */
    listClusters(location: string): Json {
        if (location !== "-") this.zonesOf(location);
        const found = [...this.clusters.values()].filter(c => location === "-" || c.location === location);
        return { clusters: found.map(c => this.renderCluster(c)) };
    }

    getNodePool(location: string, cluster: string, name: string): Json {
        const c = this.cluster(location, cluster);
        return this.renderPool(c, this.pool(c, name));
    }

    listNodePools(location: string, cluster: string): Json {
        const c = this.cluster(location, cluster);
        return { nodePools: [...c.pools.values()].map(p => this.renderPool(c, p)) };
    }

    serverConfig(location: string): Json {
        this.zonesOf(location);
        return {
            defaultClusterVersion: DEFAULT_CLUSTER_VERSION,
            validNodeVersions: [...NODE_VERSIONS],
            defaultImageType: "COS_CONTAINERD",
            validImageTypes: ["COS_CONTAINERD", "UBUNTU_CONTAINERD", "WINDOWS_LTSC_CONTAINERD"],
            validMasterVersions: [...MASTER_VERSIONS],
        };
    }

    // -------------------------------------------------------------------------------------------
    // Operations

    private assertIdle(key: string, clusterName: string): void {
        const running = this.busy.get(key);
        if (!running) return;
        const verb = BUSY_VERBS[String(running.json.operationType)] ?? "upgrading cluster";
        throw failedPrecondition(
            `Operation ${String(running.json.name)} is currently ${verb} ${clusterName}. ` +
                "Please wait and try again once it is done.",
        );
    }

    private startOperation(
        location: string,
        clusterName: string,
        type: string,
        target: string,
        op: Partial<GkeOperation>,
    ): Json {
        const name = `operation-${Date.now()}-${randomBytes(4).toString("hex")}`;
        const json: Json = {
            name,
            zone: location,
            operationType: type,
            status: "RUNNING",
            selfLink: `${CONTAINER_ROOT}/${this.resourcePath(location)}/operations/${name}`,
            targetLink: `${CONTAINER_ROOT}/${target}`,
            location: `${CONTAINER_ROOT}/${this.resourcePath(location)}`,
            startTime: new Date().toISOString(),
        };
        const key = `${location}/${clusterName}`;
        const rec: GkeOperation = { json, clusterKey: key, pollsLeft: this.compute.opPolls, ...op };
        this.operations.set(`${location}/${name}`, rec);
        this.busy.set(key, rec);
        return clone(json);
    }

    /** One poll: RUNNING for `opPolls` polls, then DONE, applying the change (or ending with `error`). */
    getOperation(location: string, name: string): Json {
        const rec = this.operations.get(`${location}/${name}`);
        if (!rec) throw new RpcError("NOT_FOUND", `Not found: ${this.resourcePath(location)}/operations/${name}.`);
        if (rec.json.status !== "DONE") {
            if (rec.pollsLeft > 0) rec.pollsLeft--;
            else this.finish(rec);
        }
        return clone(rec.json);
    }

    listOperations(location: string): Json {
        const prefix = `${location}/`;
        const ops = [...this.operations.entries()].filter(([k]) => location === "-" || k.startsWith(prefix));
        return { operations: ops.map(([, r]) => clone(r.json)) };
    }

    private finish(rec: GkeOperation): void {
        if (rec.injected) {
            const status = rpcStatusOf(rec.injected);
            rec.json.error = { code: RPC_CODES[status] ?? RPC_CODES.UNKNOWN, message: rec.injected.message };
            rec.json.statusMessage = rec.injected.message;
        } else {
            rec.apply?.();
        }
        rec.json.status = "DONE";
        rec.json.endTime = new Date().toISOString();
        if (this.busy.get(rec.clusterKey) === rec) this.busy.delete(rec.clusterKey);
    }

    /**
     * An injected `asOperationError` on a container path: accepted, holds the cluster while it runs
     * like any GKE operation, then DONE with `error` (google.rpc.Status) and nothing applied.
     */
    failedOperation(method: string, path: string, body: Json, error: HttpError): Json {
        const m = MUTATION_PATH.exec(path);
        if (!m) throw invalid(`asOperationError needs a cluster or node pool mutation path, got ${path}`);
        const [, location, clusterFromPath, poolFromPath, verb] = m;
        const cluster = clusterFromPath ?? String((isObject(body.cluster) && body.cluster.name) || "unknown");
        const isPool = path.includes("/nodePools");
        const pool = poolFromPath ?? (isObject(body.nodePool) ? String(body.nodePool.name) : undefined);
        const type = operationTypeOf(method, isPool, verb);
        const target = this.resourcePath(location, cluster, isPool ? pool : undefined);
        return this.startOperation(location, cluster, type, target, { injected: error });
    }

    // -------------------------------------------------------------------------------------------
    // Clusters

    createCluster(location: string, body: Json): Json {
        const zones = this.zonesOf(location);
        const spec = isObject(body.cluster) ? body.cluster : {};
        const name = checkGkeName("cluster.name", spec.name);
        const key = `${location}/${name}`;
        if (this.clusters.has(key))
            throw new RpcError("ALREADY_EXISTS", `Already exists: ${this.resourcePath(location, name)}.`);
        this.assertIdle(key, name);
        const clusterZones = this.clusterZones(location, zones, spec.locations);
        const master = resolveVersion(spec.initialClusterVersion, MASTER_VERSIONS, "Master");
        const pools = this.initialPools(spec, clusterZones, master);
        const rec: ClusterRecord = {
            location,
            status: "PROVISIONING",
            pools: new Map(pools.map(p => [String(p.json.name), p])),
            json: this.clusterJson(location, name, spec, clusterZones, master),
        };
        this.clusters.set(key, rec);
        return this.startOperation(location, name, "CREATE_CLUSTER", this.resourcePath(location, name), {
            apply: () => {
                rec.status = "RUNNING";
                for (const p of rec.pools.values()) this.provisionPool(rec, p);
            },
        });
    }

    /** Cluster.locations: zones of the cluster's region; a zonal cluster's own zone must be one of them. */
    private clusterZones(location: string, zones: string[], wanted: unknown): string[] {
        if (!Array.isArray(wanted) || wanted.length === 0) return zones;
        const region = this.regionOf(location);
        for (const z of wanted) {
            if (typeof z !== "string" || regionOfZone(z) !== region)
                throw invalid(
                    `Invalid value for field "cluster.locations": "${String(z)}" is not a zone of ${region}.`,
                );
        }
        if (!REGIONS[location] && !wanted.includes(location))
            throw invalid(
                `Invalid value for field "cluster.locations": it must contain the cluster's zone ${location}.`,
            );
        return [...new Set(wanted as string[])];
    }

    /** node_pools, or one `default-pool` from initial_node_count and node_config; one of them is required. */
    private initialPools(spec: Json, zones: string[], master: string): PoolRecord[] {
        const given = Array.isArray(spec.nodePools) ? (spec.nodePools as unknown[]) : [];
        const initial = spec.initialNodeCount;
        if (given.length > 0 && initial !== undefined && initial !== 0)
            throw invalid("Cluster.initial_node_count and Cluster.node_pools cannot both be set.");
        if (given.length === 0) {
            if (!Number.isInteger(initial) || (initial as number) <= 0)
                throw invalid("Cluster.initial_node_count must be greater than zero.");
            const pool = { name: "default-pool", initialNodeCount: initial, config: spec.nodeConfig };
            return [nodePoolSpec(pool, zones, master, "cluster.node_config")];
        }
        const out = given.map((p, i) => nodePoolSpec(isObject(p) ? p : {}, zones, master, `cluster.node_pools[${i}]`));
        const names = out.map(p => String(p.json.name));
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup) throw invalid(`Invalid value for field "cluster.node_pools": node pool name "${dup}" is repeated.`);
        return out;
    }

    private clusterJson(location: string, name: string, spec: Json, zones: string[], master: string): Json {
        const net = this.checkNetwork(location, spec);
        const labels = checkResourceLabels("cluster.resource_labels", spec.resourceLabels);
        return {
            name,
            description: typeof spec.description === "string" ? spec.description : "",
            network: net.network,
            subnetwork: net.subnetwork,
            networkConfig: {
                network: `projects/${this.project}/global/networks/${net.network}`,
                subnetwork: `projects/${this.project}/regions/${this.regionOf(location)}/subnetworks/${net.subnetwork}`,
            },
            clusterIpv4Cidr: "10.4.0.0/14",
            servicesIpv4Cidr: "34.118.224.0/20",
            locations: zones,
            location,
            zone: location,
            resourceLabels: labels,
            labelFingerprint: labelFingerprint(labels),
            loggingService: "logging.googleapis.com/kubernetes",
            monitoringService: "monitoring.googleapis.com/kubernetes",
            loggingConfig: checkLoggingConfig("cluster.logging_config", spec.loggingConfig) ?? {
                componentConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
            },
            masterAuthorizedNetworksConfig: checkAuthorizedNetworks(spec.masterAuthorizedNetworksConfig) ?? {},
            privateClusterConfig: isObject(spec.privateClusterConfig) ? clone(spec.privateClusterConfig) : {},
            masterAuth: { clusterCaCertificate: randomBytes(24).toString("base64") },
            endpoint: `34.${100 + (this.clusters.size % 100)}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0] % 250)}`,
            initialClusterVersion: master,
            currentMasterVersion: master,
            selfLink: `${CONTAINER_ROOT}/${this.resourcePath(location, name)}`,
            createTime: new Date().toISOString(),
            id: randomBytes(16).toString("hex"),
        };
    }

    /** network/subnetwork (or networkConfig) must name ones the Compute side has, in the cluster's region. */
    private checkNetwork(location: string, spec: Json): { network: string; subnetwork: string } {
        const cfg = isObject(spec.networkConfig) ? spec.networkConfig : {};
        const network = lastSegment(String(spec.network || cfg.network || "default"));
        const subnetwork = lastSegment(String(spec.subnetwork || cfg.subnetwork || "default"));
        if (!this.compute.networks.has(`global/${network}`)) throw invalid(`network "${network}" does not exist.`);
        const region = this.regionOf(location);
        const sub = this.compute.subnetworks.get(`regions/${region}/${subnetwork}`);
        if (!sub) throw invalid(`subnetwork "${subnetwork}" does not exist in region ${region}.`);
        if (lastSegment(String(sub.network)) !== network)
            throw invalid(`subnetwork "${subnetwork}" is not in network "${network}".`);
        return { network, subnetwork };
    }

    deleteCluster(location: string, name: string): Json {
        const c = this.cluster(location, name);
        this.assertIdle(`${location}/${name}`, name);
        c.status = "STOPPING";
        return this.startOperation(location, name, "DELETE_CLUSTER", this.resourcePath(location, name), {
            apply: () => {
                this.clusters.delete(`${location}/${name}`);
            },
        });
    }

    /** clusters.update: exactly one change per call, as ClusterUpdate documents. */
    updateCluster(location: string, name: string, body: Json): Json {
        const c = this.cluster(location, name);
        this.assertIdle(`${location}/${name}`, name);
        const update = isObject(body.update) ? body.update : {};
        const fields = Object.keys(update).filter(k => k !== "desiredNodePoolId" && update[k] !== undefined);
        if (fields.length !== 1)
            throw invalid(`Exactly one update can be applied to a cluster with each request, got ${fields.length}.`);
        const change = this.planClusterUpdate(c, fields[0], update);
        // A node upgrade reconciles the pool; every other update the cluster itself.
        const upgrading = change.type === "UPGRADE_NODES" ? this.targetPool(c, update.desiredNodePoolId) : undefined;
        if (upgrading) upgrading.status = "RECONCILING";
        else c.status = "RECONCILING";
        return this.startOperation(location, name, change.type, this.resourcePath(location, name), {
            apply: () => {
                change.apply();
                if (upgrading) upgrading.status = "RUNNING";
                else c.status = "RUNNING";
            },
        });
    }

    private planClusterUpdate(c: ClusterRecord, field: string, update: Json): { type: string; apply: () => void } {
        const value = update[field];
        switch (field) {
            case "desiredMasterVersion": {
                const current = String(c.json.currentMasterVersion);
                const next = resolveVersion(value, MASTER_VERSIONS, "Master");
                const oldest = [...c.pools.values()].map(p => String(p.json.version)).sort(compareVersions)[0];
                checkMasterStep(current, next, oldest);
                return { type: "UPGRADE_MASTER", apply: () => (c.json.currentMasterVersion = next) };
            }
            case "desiredNodeVersion": {
                const pool = this.targetPool(c, update.desiredNodePoolId);
                const change: NodePoolChange = checkNodePoolUpdate(
                    pool.json,
                    { nodeVersion: value },
                    String(c.json.currentMasterVersion),
                );
                return { type: "UPGRADE_NODES", apply: () => this.applyPoolChange(pool, change) };
            }
            case "desiredLoggingConfig": {
                const cfg = checkLoggingConfig("update.desired_logging_config", value);
                return { type: "UPDATE_CLUSTER", apply: () => (c.json.loggingConfig = cfg ?? {}) };
            }
            case "desiredMasterAuthorizedNetworksConfig": {
                const cfg = checkAuthorizedNetworks(value) ?? {};
                return { type: "UPDATE_CLUSTER", apply: () => (c.json.masterAuthorizedNetworksConfig = cfg) };
            }
            case "desiredPrivateClusterConfig": {
                const cfg = isObject(value) ? clone(value) : {};
                return {
                    type: "UPDATE_CLUSTER",
                    apply: () => (c.json.privateClusterConfig = { ...(c.json.privateClusterConfig as Json), ...cfg }),
                };
            }
            default:
                throw invalid(`Update field "${field}" is not modelled by gcp-fake.`);
        }
    }

    /** desired_node_pool_id, which may be left out when the cluster has a single node pool. */
    private targetPool(c: ClusterRecord, id: unknown): PoolRecord {
        if (typeof id === "string" && id !== "") return this.pool(c, id);
        if (c.pools.size !== 1)
            throw invalid(
                "update.desired_node_pool_id must be specified when the cluster has more than one node pool.",
            );
        return [...c.pools.values()][0];
    }

    /** setResourceLabels needs the current labelFingerprint; the change gives a new one. */
    setResourceLabels(location: string, name: string, body: Json): Json {
        const c = this.cluster(location, name);
        this.assertIdle(`${location}/${name}`, name);
        const labels = checkResourceLabels("resource_labels", body.resourceLabels);
        const supplied = typeof body.labelFingerprint === "string" ? body.labelFingerprint : "";
        const expected = String(c.json.labelFingerprint);
        if (supplied !== expected)
            throw failedPrecondition(
                "Labels could not be set due to fingerprint mismatch; try again with the proper fingerprint: " +
                    `incorrect fingerprint supplied was "${supplied}", the expected one is "${expected}".`,
            );
        return this.startOperation(location, name, "SET_LABELS", this.resourcePath(location, name), {
            apply: () => {
                c.json.resourceLabels = labels;
                c.json.labelFingerprint = labelFingerprint(labels);
            },
        });
    }

    // -------------------------------------------------------------------------------------------
    // Node pools

    createNodePool(location: string, clusterName: string, body: Json): Json {
        const c = this.cluster(location, clusterName);
        const spec = isObject(body.nodePool) ? body.nodePool : {};
        const name = checkGkeName("node_pool.name", spec.name);
        if (c.pools.has(name))
            throw new RpcError("ALREADY_EXISTS", `Already exists: ${this.resourcePath(location, clusterName, name)}.`);
        this.assertIdle(`${location}/${clusterName}`, clusterName);
        const pool = nodePoolSpec(spec, c.json.locations as string[], String(c.json.currentMasterVersion), "node_pool");
        c.pools.set(name, pool);
        const target = this.resourcePath(location, clusterName, name);
        return this.startOperation(location, clusterName, "CREATE_NODE_POOL", target, {
            apply: () => this.provisionPool(c, pool),
        });
    }

    /** GKE lets a cluster lose its last node pool (it then has no nodes), so the fake does too. */
    deleteNodePool(location: string, clusterName: string, name: string): Json {
        const c = this.cluster(location, clusterName);
        const pool = this.pool(c, name);
        this.assertIdle(`${location}/${clusterName}`, clusterName);
        pool.status = "STOPPING";
        const target = this.resourcePath(location, clusterName, name);
        return this.startOperation(location, clusterName, "DELETE_NODE_POOL", target, {
            apply: () => {
                c.pools.delete(name);
            },
        });
    }

    updateNodePool(location: string, clusterName: string, name: string, body: Json): Json {
        const c = this.cluster(location, clusterName);
        const pool = this.pool(c, name);
        this.assertIdle(`${location}/${clusterName}`, clusterName);
        const change = checkNodePoolUpdate(pool.json, body, String(c.json.currentMasterVersion));
        return this.poolOperation(c, pool, "UPGRADE_NODES", () => this.applyPoolChange(pool, change));
    }

    /** nodeCount is per zone: every MIG of the pool gets it (then the autoscaler keeps its limits). */
    setNodePoolSize(location: string, clusterName: string, name: string, body: Json): Json {
        const c = this.cluster(location, clusterName);
        const pool = this.pool(c, name);
        this.assertIdle(`${location}/${clusterName}`, clusterName);
        const count = body.nodeCount ?? 0;
        if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 1000)
            throw invalid(`Invalid value for field "node_count": ${String(count)}. Must be in [0, 1000].`);
        return this.poolOperation(c, pool, "SET_NODE_POOL_SIZE", () =>
            this.resize(
                pool,
                pool.migs.map(() => count as number),
            ),
        );
    }

    setNodePoolAutoscaling(location: string, clusterName: string, name: string, body: Json): Json {
        const c = this.cluster(location, clusterName);
        const pool = this.pool(c, name);
        this.assertIdle(`${location}/${clusterName}`, clusterName);
        const autoscaling = checkAutoscaling("autoscaling", body.autoscaling) ?? { enabled: false };
        return this.poolOperation(c, pool, "UPDATE_CLUSTER", () => {
            pool.json.autoscaling = autoscaling;
            this.resize(
                pool,
                pool.migs.map(m => m.targetSize),
            );
        });
    }

    private poolOperation(c: ClusterRecord, pool: PoolRecord, type: string, apply: () => void): Json {
        pool.status = "RECONCILING";
        const target = this.resourcePath(c.location, String(c.json.name), String(pool.json.name));
        return this.startOperation(c.location, String(c.json.name), type, target, {
            apply: () => {
                apply();
                pool.status = "RUNNING";
            },
        });
    }

    // -------------------------------------------------------------------------------------------
    // The Compute side: one MIG per node location

    /** Creates the pool's MIGs (one per zone, initialNodeCount each, within autoscaling limits). */
    private provisionPool(c: ClusterRecord, pool: PoolRecord): void {
        const zones = pool.json.locations as string[];
        pool.migs = zones.map(zone => ({
            id: newId(),
            name: `${migBase(String(c.json.name), String(pool.json.name))}-grp`,
            zone,
            targetSize: 0,
            instances: [],
            creationTimestamp: new Date().toISOString(),
        }));
        this.resize(
            pool,
            zones.map(() => Number(pool.json.initialNodeCount ?? 0)),
        );
        pool.status = "RUNNING";
    }

    private resize(pool: PoolRecord, wanted: number[]): void {
        const sizes = clampSizes(wanted, pool.json.autoscaling as Json | undefined);
        pool.migs.forEach((mig, i) => {
            const base = mig.name.replace(/-grp$/, "");
            while (mig.instances.length < sizes[i]) mig.instances.push(`${base}-${randomBytes(2).toString("hex")}`);
            mig.instances.length = sizes[i];
            mig.targetSize = sizes[i];
        });
    }

    /** A node config or version change recreates every node (new instance names); labels and taints do not. */
    private applyPoolChange(pool: PoolRecord, change: NodePoolChange): void {
        pool.json = change.next;
        if (!change.recreate) return;
        for (const mig of pool.migs) {
            const base = mig.name.replace(/-grp$/, "");
            mig.instances = mig.instances.map(() => `${base}-${randomBytes(2).toString("hex")}`);
        }
    }

    private findMig(zone: string, name: string): MigRecord {
        for (const c of this.clusters.values())
            for (const p of c.pools.values()) {
                const mig = p.migs.find(m => m.zone === zone && m.name === name);
                if (mig) return mig;
            }
        throw new HttpError(
            404,
            "notFound",
            `The resource 'projects/${this.project}/zones/${zone}/instanceGroupManagers/${name}' was not found`,
        );
    }

    private migJson(mig: MigRecord): Json {
        const zoneLink = `${API_ROOT}/projects/${this.project}/zones/${mig.zone}`;
        const base = mig.name.replace(/-grp$/, "");
        return {
            kind: "compute#instanceGroupManager",
            id: mig.id,
            creationTimestamp: mig.creationTimestamp,
            name: mig.name,
            zone: zoneLink,
            baseInstanceName: base,
            instanceTemplate: `${API_ROOT}/projects/${this.project}/global/instanceTemplates/${base}`,
            instanceGroup: `${zoneLink}/instanceGroups/${mig.name}`,
            targetSize: mig.targetSize,
            currentActions: {
                none: mig.instances.length,
                creating: 0,
                creatingWithoutRetries: 0,
                recreating: 0,
                deleting: 0,
                abandoning: 0,
                restarting: 0,
                refreshing: 0,
                verifying: 0,
            },
            status: { isStable: true },
            selfLink: `${zoneLink}/instanceGroupManagers/${mig.name}`,
        };
    }

    getInstanceGroupManager(zone: string, name: string): Json {
        return this.migJson(this.findMig(zone, name));
    }

    listInstanceGroupManagers(zone: string): Json[] {
        const all = [...this.clusters.values()].flatMap(c => [...c.pools.values()].flatMap(p => p.migs));
        return all.filter(m => m.zone === zone).map(m => this.migJson(m));
    }

    listManagedInstances(zone: string, name: string): Json {
        const mig = this.findMig(zone, name);
        return {
            managedInstances: mig.instances.map(i => ({
                instance: `${API_ROOT}/projects/${this.project}/zones/${zone}/instances/${i}`,
                instanceStatus: "RUNNING",
                currentAction: "NONE",
                name: i,
            })),
        };
    }
}

/** GKE's MIG naming: gke-<cluster>-<pool>-<8 hex>, each part shortened so the names stay within 63. */
function migBase(cluster: string, pool: string): string {
    return `gke-${cluster.slice(0, 20)}-${pool.slice(0, 20)}-${randomBytes(4).toString("hex")}`;
}

/** GKE's labelFingerprint is 8 hex digits; it changes whenever the labels do. */
function labelFingerprint(labels: Record<string, string>): string {
    const sorted = Object.keys(labels)
        .sort()
        .map(k => [k, labels[k]]);
    return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 8);
}

function operationTypeOf(method: string, isPool: boolean, verb: string | undefined): string {
    if (verb === "setResourceLabels") return "SET_LABELS";
    if (verb === "setSize") return "SET_NODE_POOL_SIZE";
    if (verb) return "UPDATE_CLUSTER";
    if (method === "POST") return isPool ? "CREATE_NODE_POOL" : "CREATE_CLUSTER";
    if (method === "DELETE") return isPool ? "DELETE_NODE_POOL" : "DELETE_CLUSTER";
    return isPool ? "UPGRADE_NODES" : "UPDATE_CLUSTER";
}

/** LoggingConfig.componentConfig.enableComponents (WORKLOADS needs SYSTEM_COMPONENTS, as GKE requires). */
function checkLoggingConfig(field: string, raw: unknown): Json | undefined {
    if (raw === undefined || raw === null) return undefined;
    const cfg = isObject(raw) ? raw : {};
    const comp = isObject(cfg.componentConfig) ? cfg.componentConfig : {};
    const list = Array.isArray(comp.enableComponents) ? (comp.enableComponents as unknown[]) : [];
    const names = list.map((v, i) =>
        enumName(v, LOGGING_COMPONENTS, `${field}.component_config.enable_components[${i}]`),
    );
    if (names.length > 0 && !names.includes("SYSTEM_COMPONENTS"))
        throw invalid(
            `Invalid value for field "${field}": SYSTEM_COMPONENTS is required when any component is enabled.`,
        );
    return { componentConfig: { enableComponents: [...new Set(names)] } };
}

/** MasterAuthorizedNetworksConfig: `enabled` and CIDR blocks in a.b.c.d/n form. */
function checkAuthorizedNetworks(raw: unknown): Json | undefined {
    if (raw === undefined || raw === null) return undefined;
    const cfg = isObject(raw) ? raw : {};
    const blocks = Array.isArray(cfg.cidrBlocks) ? (cfg.cidrBlocks as unknown[]) : [];
    const cidrBlocks = blocks.map(b => {
        const block = isObject(b) ? b : {};
        const cidr = String(block.cidrBlock ?? "");
        if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr))
            throw invalid(`Invalid master authorized networks: invalid CIDR block "${cidr}".`);
        return block.displayName === undefined
            ? { cidrBlock: cidr }
            : { displayName: block.displayName, cidrBlock: cidr };
    });
    return { enabled: cfg.enabled === true, cidrBlocks };
}
