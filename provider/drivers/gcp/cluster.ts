/**
 * ClusterHandler on GKE: a cluster (regional, or zonal when `connection.zone` is given) and its
 * node pools. The systemIds are the resource paths (`projects/P/locations/L/clusters/C[/nodePools/N]`).
 * Every mutation is a GKE operation waited on until DONE and checked for its error (gke.ts).
 *
 * Sizes: GKE counts a node pool's nodes per zone (`initialNodeCount`, `setSize`), so a total is
 * divided by the pool's zones (preview refuses a total that does not divide); the bounds use GKE's
 * totals (`totalMinNodeCount` / `totalMaxNodeCount`). The current size is read from the pool's
 * managed instance groups, as the NodePool has no size field.
 *
 * Autoscaling: "on" is GKE's own autoscaler moving the size within the bounds; "off" disables it,
 * keeping a fixed size, with the declared bounds kept in the pool's resource labels and restored
 * when it is turned on again.
 */
import type {
    ClusterAccessChange,
    ClusterInfo,
    ClusterNetwork,
    ClusterNetworkChange,
    ClusterReq,
    Iid,
    NodeGroupConfigChange,
    NodeGroupInfo,
    NodeGroupReq,
    NodeMachineChange,
    ScalingReq,
} from "../../interface/driver";
import { DEFAULT_ENDPOINT_ACCESS, nodeGroupOptions } from "../../interface/driver";
import { FieldIssue, NotSupportedError, ValidationError } from "../../interface/errors";
import { nodeGroupConfigIssues } from "../../interface/schema";
import { allOrFirstError } from "../../interface/wait";
import { transaction } from "../../interface/undo";
import { capabilities } from "./capabilities";
import { read, type Step } from "./clients";
import { label, type GcpContext } from "./lookup";
import {
    ICluster,
    IGkeOperation,
    INodePool,
    OWNER_METADATA,
    PoolSize,
    SSH_KEYS_METADATA,
    AUTOSCALING_MAX_LABEL,
    AUTOSCALING_MIN_LABEL,
    clusterPath,
    descriptionOwner,
    gkeCall,
    gkeDelete,
    GkeMutation,
    gkeMutation,
    minorNumber,
    minorVersion,
    nameOf,
    nodePoolPath,
    parentPath,
    startMutation,
    toAuthorizedNetworks,
    toClusterInfo,
    toDescription,
    toGkeTaint,
    toKubeconfig,
    toLoggingConfig,
    toNodeGroupInfo,
    waitMutation,
} from "./gke";
import { validateCluster, validateNodeGroup, validateTags, zonesOf } from "./validate";

function throwIfInvalid(action: string, issues: FieldIssue[]): void {
    if (issues.length === 0) return;
    const err = new ValidationError(issues);
    err.message = `${action}: ${err.message}`;
    throw err;
}

// ---------------------------------------------------------------------------------------------
// Reads

async function readCluster(ctx: GcpContext, name: string, action: string): Promise<ICluster> {
    return gkeCall(ctx.settings, { action, step: `reading cluster ${name}` }, () =>
        ctx.clients.container().getCluster({ name: clusterPath(ctx.settings, name) }),
    );
}

async function readPool(ctx: GcpContext, cluster: string, pool: string, action: string): Promise<INodePool> {
    return gkeCall(ctx.settings, { action, step: `reading node pool ${pool}` }, () =>
        ctx.clients.container().getNodePool({ name: nodePoolPath(ctx.settings, cluster, pool) }),
    );
}

/** `https://…/zones/Z/instanceGroupManagers/NAME` → its zone and name. */
function managerOf(url: string): { zone: string; name: string } | undefined {
    const match = /zones\/([^/]+)\/instanceGroupManagers\/([^/?]+)/.exec(url);
    return match ? { zone: match[1], name: match[2] } : undefined;
}

/**
 * The pool's size and nodes, from its managed instance groups (one per zone), read concurrently:
 * each group's target size, and (`withNodes`) its managed instances for the node names.
 */
async function poolSize(ctx: GcpContext, pool: INodePool, action: string, withNodes = true): Promise<PoolSize> {
    const { project } = ctx.settings;
    const managers = (pool.instanceGroupUrls ?? []).map(managerOf).filter(m => m !== undefined);
    const igms = ctx.clients.of("instanceGroupManagers");
    const groups = await allOrFirstError(
        managers.map(async ({ zone, name }) => {
            const where: Step = { action, step: `reading instance group manager ${zone}/${name}` };
            const request = { project, zone, instanceGroupManager: name };
            const [manager, instances] = await Promise.all([
                read(ctx.settings, where, () => igms.get(request)),
                withNodes ? read(ctx.settings, where, () => igms.listManagedInstances(request)) : [],
            ]);
            const nodes = instances.map(instance => (instance.instance ?? "").split("/").pop() ?? "");
            return { size: Number(manager.targetSize ?? 0), nodes };
        }),
    );
    return {
        size: groups.reduce((sum, group) => sum + group.size, 0),
        nodes: groups.flatMap(group => group.nodes).sort(),
    };
}

async function nodeGroupInfo(
    ctx: GcpContext,
    cluster: ICluster,
    pool: INodePool,
    action: string,
): Promise<NodeGroupInfo> {
    const path = nodePoolPath(ctx.settings, cluster.name ?? "", pool.name ?? "");
    return toNodeGroupInfo(
        pool,
        cluster.subnetwork ? [cluster.subnetwork] : [],
        await poolSize(ctx, pool, action),
        path,
    );
}

async function clusterInfo(ctx: GcpContext, cluster: ICluster, action: string): Promise<ClusterInfo> {
    const groups = await allOrFirstError(
        (cluster.nodePools ?? []).map(pool => nodeGroupInfo(ctx, cluster, pool, action)),
    );
    const context = `gke_${ctx.settings.project}_${cluster.location ?? ""}_${cluster.name ?? ""}`;
    return toClusterInfo(ctx.settings, cluster, groups, toKubeconfig(cluster, context));
}

export async function getCluster(ctx: GcpContext, iid: Iid): Promise<ClusterInfo> {
    const action = `reading Cluster (${label(iid)})`;
    return clusterInfo(ctx, await readCluster(ctx, nameOf(iid), action), action);
}

export async function listCluster(ctx: GcpContext): Promise<ClusterInfo[]> {
    const action = "listing Clusters";
    const listed = await gkeCall(ctx.settings, { action, step: "listing clusters" }, () =>
        ctx.clients.container().listClusters({ parent: parentPath(ctx.settings) }),
    );
    return allOrFirstError((listed.clusters ?? []).map(cluster => clusterInfo(ctx, cluster, action)));
}

export async function getNodeGroup(ctx: GcpContext, clusterIid: Iid, ngIid: Iid): Promise<NodeGroupInfo> {
    const action = `reading NodeGroup (${label(ngIid)}) of Cluster (${label(clusterIid)})`;
    const cluster = await readCluster(ctx, nameOf(clusterIid), action);
    const pool = await readPool(ctx, nameOf(clusterIid), nameOf(ngIid), action);
    return nodeGroupInfo(ctx, cluster, pool, action);
}

// ---------------------------------------------------------------------------------------------
// Create

/** The node pool GKE is asked for: per-zone initial size, total bounds, owner and SSH keys in metadata. */
function toNodePool(req: NodeGroupReq, zones: number): INodePool {
    const options = nodeGroupOptions(req);
    const metadata: Record<string, string> = {
        ...(req.owner ? { [OWNER_METADATA]: req.owner } : {}),
        ...(req.keyPair ? { [SSH_KEYS_METADATA]: req.keyPair } : {}),
    };
    return {
        name: req.iid.nameId,
        initialNodeCount: req.desiredNodeSize / zones,
        config: {
            machineType: req.vmSpec,
            ...(req.image ? { imageType: req.image } : {}),
            ...(req.rootDiskType ? { diskType: req.rootDiskType } : {}),
            ...(req.rootDiskSize ? { diskSizeGb: req.rootDiskSize } : {}),
            labels: options.labels,
            taints: options.taints.map(toGkeTaint),
            spot: options.capacityType === "SPOT",
            metadata,
            resourceLabels: boundLabels(req),
        },
        autoscaling: req.onAutoScaling ? totalBounds(req) : { enabled: false },
        upgradeSettings: { maxUnavailable: Number(options.maxUnavailable), maxSurge: 1 },
    };
}

function totalBounds(sizes: { minNodeSize: number; maxNodeSize: number }) {
    return {
        enabled: true,
        totalMinNodeCount: sizes.minNodeSize,
        totalMaxNodeCount: sizes.maxNodeSize,
        locationPolicy: "BALANCED" as const,
    };
}

/** The declared bounds as pool labels: what a read reports while GKE's autoscaler is off. */
function boundLabels(sizes: { minNodeSize: number; maxNodeSize: number }): Record<string, string> {
    return { [AUTOSCALING_MIN_LABEL]: String(sizes.minNodeSize), [AUTOSCALING_MAX_LABEL]: String(sizes.maxNodeSize) };
}

function toGkeCluster(ctx: GcpContext, req: ClusterReq): ICluster {
    const zones = zonesOf(ctx.settings);
    return {
        name: req.iid.nameId,
        description: toDescription(req.owner),
        network: req.network.vpc,
        subnetwork: req.network.subnets[0],
        initialClusterVersion: req.version,
        resourceLabels: { ...req.tags },
        nodePools: req.nodeGroups.map(group => toNodePool(group, zones)),
        masterAuthorizedNetworksConfig: toAuthorizedNetworks(req.endpointAccess ?? DEFAULT_ENDPOINT_ACCESS),
        loggingConfig: toLoggingConfig(req.logging ?? []),
    };
}

/**
 * A create as one transaction: GKE accepting the mutation claims the name (a conflict there is
 * someone else's object), its undo is recorded at once, then its operation is waited on and `read`
 * gives the result; a failure anywhere removes what was made.
 */
function createAndRead<T>(
    ctx: GcpContext,
    mutation: GkeMutation,
    undoPart: { name: string; run: () => Promise<void> },
    read: () => Promise<T>,
): Promise<T> {
    return transaction(mutation.where.action, { log: ctx.settings.log, creates: true }, async undo => {
        const op = await undo.anchor(() => startMutation(ctx, mutation));
        undo.push(undoPart.name, undoPart.run);
        await waitMutation(ctx, mutation, op);
        return read();
    });
}

export async function createCluster(ctx: GcpContext, req: ClusterReq): Promise<ClusterInfo> {
    const name = req.iid.nameId;
    const what = `creating Cluster (${name})`;
    throwIfInvalid(what, validateCluster(req, ctx.settings));
    const container = ctx.clients.container();
    // One operation makes the control plane and every declared node pool.
    const mutation: GkeMutation = {
        where: { action: what, step: `creating cluster ${name}` },
        phase: "create",
        target: clusterPath(ctx.settings, name),
        start: () => container.createCluster({ parent: parentPath(ctx.settings), cluster: toGkeCluster(ctx, req) }),
        owned: async () =>
            req.owner !== undefined && descriptionOwner((await readCluster(ctx, name, what)).description) === req.owner,
    };
    const undo = { name: `cluster ${name}`, run: () => deleteClusterAndWait(ctx, name, `undoing ${what}`) };
    return createAndRead(ctx, mutation, undo, async () => clusterInfo(ctx, await readCluster(ctx, name, what), what));
}

export async function addNodeGroup(ctx: GcpContext, clusterIid: Iid, req: NodeGroupReq): Promise<NodeGroupInfo> {
    const name = nameOf(clusterIid);
    const poolName = req.iid.nameId;
    const what = `adding NodeGroup (${poolName}) to Cluster (${name})`;
    throwIfInvalid(what, validateNodeGroup(req, zonesOf(ctx.settings)));
    const cluster = await readCluster(ctx, name, what);
    const own = req.subnets ?? [];
    if (own.length === 1 && own[0] !== cluster.subnetwork) {
        throwIfInvalid(what, [
            { property: "subnets", reason: `a GKE node pool uses the cluster's subnetwork ${cluster.subnetwork}` },
        ]);
    }
    const zones = Math.max(1, cluster.locations?.length ?? zonesOf(ctx.settings));
    // No version: a new pool gets the control plane's.
    const nodePool = toNodePool(req, zones);
    const ownerOf = async () => (await readPool(ctx, name, poolName, what)).config?.metadata?.[OWNER_METADATA];
    const mutation: GkeMutation = {
        where: { action: what, step: `creating node pool ${poolName}` },
        phase: "create",
        target: nodePoolPath(ctx.settings, name, poolName),
        start: () => ctx.clients.container().createNodePool({ parent: clusterPath(ctx.settings, name), nodePool }),
        owned: async () => req.owner !== undefined && (await ownerOf()) === req.owner,
    };
    const undo = {
        name: `node pool ${poolName}`,
        run: () => deletePoolAndWait(ctx, name, poolName, `undoing ${what}`),
    };
    return createAndRead(ctx, mutation, undo, async () =>
        nodeGroupInfo(ctx, cluster, await readPool(ctx, name, poolName, what), what),
    );
}

// ---------------------------------------------------------------------------------------------
// Delete

function deleteClusterAndWait(ctx: GcpContext, name: string, action: string): Promise<void> {
    const target = clusterPath(ctx.settings, name);
    return gkeDelete(ctx, {
        where: { action, step: `deleting cluster ${name}` },
        phase: "delete",
        target,
        start: () => ctx.clients.container().deleteCluster({ name: target }),
    });
}

function deletePoolAndWait(ctx: GcpContext, cluster: string, pool: string, action: string): Promise<void> {
    const target = nodePoolPath(ctx.settings, cluster, pool);
    return gkeDelete(ctx, {
        where: { action, step: `deleting node pool ${pool}` },
        phase: "delete",
        target,
        start: () => ctx.clients.container().deleteNodePool({ name: target }),
    });
}

/** GKE deletes the node pools with the cluster, in the same operation. */
export async function deleteCluster(ctx: GcpContext, iid: Iid): Promise<void> {
    await deleteClusterAndWait(ctx, nameOf(iid), `deleting Cluster (${label(iid)})`);
}

export async function removeNodeGroup(ctx: GcpContext, clusterIid: Iid, ngIid: Iid): Promise<void> {
    const action = `removing NodeGroup (${label(ngIid)}) from Cluster (${label(clusterIid)})`;
    await deletePoolAndWait(ctx, nameOf(clusterIid), nameOf(ngIid), action);
}

// ---------------------------------------------------------------------------------------------
// Node pool changes

interface PoolTarget {
    ctx: GcpContext;
    cluster: string;
    pool: string;
    action: string;
}

function poolTarget(ctx: GcpContext, clusterIid: Iid, ngIid: Iid, what: string): PoolTarget {
    const action = `${what} NodeGroup (${label(ngIid)}) of Cluster (${label(clusterIid)})`;
    return { ctx, cluster: nameOf(clusterIid), pool: nameOf(ngIid), action };
}

function poolMutation(
    target: PoolTarget,
    step: string,
    start: (name: string) => Promise<[IGkeOperation, ...unknown[]]>,
): Promise<IGkeOperation> {
    const name = nodePoolPath(target.ctx.settings, target.cluster, target.pool);
    return gkeMutation(target.ctx, {
        where: { action: target.action, step },
        phase: "update",
        target: name,
        start: () => start(name),
    });
}

/** nodePools.update: GKE requires the node version and image type in every update, so the current ones are sent. */
function updatePool(
    target: PoolTarget,
    pool: INodePool,
    step: string,
    fields: Record<string, unknown>,
): Promise<IGkeOperation> {
    const container = target.ctx.clients.container();
    return poolMutation(target, step, name =>
        container.updateNodePool({
            name,
            nodeVersion: pool.version ?? "-",
            imageType: pool.config?.imageType ?? "",
            ...fields,
        }),
    );
}

/** The node group as a result reports it: the cluster (its subnetwork), the pool and its nodes. */
async function readTarget(target: PoolTarget): Promise<NodeGroupInfo> {
    const [cluster, pool] = await Promise.all([
        readCluster(target.ctx, target.cluster, target.action),
        readPool(target.ctx, target.cluster, target.pool, target.action),
    ]);
    return nodeGroupInfo(target.ctx, cluster, pool, target.action);
}

/** What a scaling change starts from: the pool and its size (no node list, no cluster). */
async function readPoolState(target: PoolTarget): Promise<{ pool: INodePool; state: NodeGroupInfo }> {
    const pool = await readPool(target.ctx, target.cluster, target.pool, target.action);
    const size = await poolSize(target.ctx, pool, target.action, false);
    return { pool, state: toNodeGroupInfo(pool, [], size, "") };
}

export async function setNodeGroupAutoScaling(
    ctx: GcpContext,
    clusterIid: Iid,
    ngIid: Iid,
    on: boolean,
): Promise<NodeGroupInfo> {
    const target = poolTarget(ctx, clusterIid, ngIid, `turning autoscaling ${on ? "on" : "off"} for`);
    const { pool, state: before } = await readPoolState(target);
    if (before.onAutoScaling === on) return readTarget(target);
    const container = ctx.clients.container();
    if (!on) {
        // The bounds GKE forgets when its autoscaler is off are kept in the pool's labels first.
        const resourceLabels = { ...(pool.config?.resourceLabels ?? {}), ...boundLabels(before) };
        await updatePool(target, pool, "keeping the bounds in the pool labels", {
            resourceLabels: { labels: resourceLabels },
        });
    }
    const autoscaling = on ? totalBounds(before) : { enabled: false };
    await poolMutation(target, `setting autoscaling ${on ? "on" : "off"}`, name =>
        container.setNodePoolAutoscaling({ name, autoscaling }),
    );
    return readTarget(target);
}

export async function changeNodeGroupScaling(
    ctx: GcpContext,
    clusterIid: Iid,
    ngIid: Iid,
    scaling: ScalingReq,
): Promise<NodeGroupInfo> {
    const target = poolTarget(ctx, clusterIid, ngIid, "scaling");
    const { pool, state: before } = await readPoolState(target);
    const zones = Math.max(1, pool.locations?.length ?? zonesOf(ctx.settings));
    throwIfInvalid(target.action, validateNodeGroup({ ...before, ...scaling, owner: undefined }, zones));
    const container = ctx.clients.container();
    const boundsChanged = before.minNodeSize !== scaling.minNodeSize || before.maxNodeSize !== scaling.maxNodeSize;
    if (boundsChanged && before.onAutoScaling) {
        await poolMutation(target, "setting the autoscaling bounds", name =>
            container.setNodePoolAutoscaling({ name, autoscaling: totalBounds(scaling) }),
        );
    } else if (boundsChanged) {
        const resourceLabels = { ...(pool.config?.resourceLabels ?? {}), ...boundLabels(scaling) };
        await updatePool(target, pool, "keeping the bounds in the pool labels", {
            resourceLabels: { labels: resourceLabels },
        });
    }
    if (before.desiredNodeSize !== scaling.desiredNodeSize) {
        await poolMutation(target, `resizing to ${scaling.desiredNodeSize} nodes`, name =>
            container.setNodePoolSize({ name, nodeCount: scaling.desiredNodeSize / zones }),
        );
    }
    return readTarget(target);
}

/** One nodePools.update of the fields `fieldsOf` makes from the pool (none: no call), after `issuesOf` finds none. */
async function updatePoolFields(
    target: PoolTarget,
    step: string,
    issuesOf: (pool: INodePool) => FieldIssue[],
    fieldsOf: (pool: INodePool) => Record<string, unknown>,
): Promise<NodeGroupInfo> {
    const pool = await readPool(target.ctx, target.cluster, target.pool, target.action);
    throwIfInvalid(target.action, issuesOf(pool));
    const fields = fieldsOf(pool);
    if (Object.keys(fields).length > 0) await updatePool(target, pool, step, fields);
    return readTarget(target);
}

export function changeNodeGroupConfig(
    ctx: GcpContext,
    clusterIid: Iid,
    ngIid: Iid,
    change: NodeGroupConfigChange,
): Promise<NodeGroupInfo> {
    const target = poolTarget(ctx, clusterIid, ngIid, "changing the labels, taints or update config of");
    const maxSurge = (pool: INodePool) => pool.upgradeSettings?.maxSurge ?? 1;
    return updatePoolFields(
        target,
        "updating labels, taints and update config",
        () => nodeGroupConfigIssues(change, capabilities.cluster),
        pool => ({
            ...(change.labels ? { labels: { labels: change.labels } } : {}),
            ...(change.taints ? { taints: { taints: change.taints.map(toGkeTaint) } } : {}),
            ...(change.maxUnavailable !== undefined
                ? { upgradeSettings: { maxSurge: maxSurge(pool), maxUnavailable: Number(change.maxUnavailable) } }
                : {}),
        }),
    );
}

export function changeNodeGroupMachines(
    ctx: GcpContext,
    clusterIid: Iid,
    ngIid: Iid,
    change: NodeMachineChange,
): Promise<NodeGroupInfo> {
    const target = poolTarget(ctx, clusterIid, ngIid, "changing the machines of");
    const wanted = (pool: INodePool) => ({
        ...toNodeGroupInfo(pool, [], { size: 0, nodes: [] }, ""),
        ...change,
        desiredNodeSize: 0,
        owner: undefined,
    });
    return updatePoolFields(
        target,
        "recreating the nodes with the new machines",
        pool => validateNodeGroup(wanted(pool), 1),
        () => ({
            ...(change.vmSpec ? { machineType: change.vmSpec } : {}),
            ...(change.image ? { imageType: change.image } : {}),
            ...(change.rootDiskType ? { diskType: change.rootDiskType } : {}),
            ...(change.rootDiskSize ? { diskSizeGb: change.rootDiskSize } : {}),
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// Cluster changes

function clusterUpdate(ctx: GcpContext, name: string, action: string, step: string, update: Record<string, unknown>) {
    const path = clusterPath(ctx.settings, name);
    return gkeMutation(ctx, {
        where: { action, step },
        phase: "update",
        target: path,
        start: () => ctx.clients.container().updateCluster({ name: path, update }),
    });
}

/**
 * One minor version per step, as GKE allows: the control plane, then every node pool in turn (GKE
 * runs one operation per cluster at a time, so pools cannot upgrade concurrently) before the next step.
 */
export async function upgradeCluster(ctx: GcpContext, clusterIid: Iid, version: string): Promise<ClusterInfo> {
    const name = nameOf(clusterIid);
    const action = `upgrading Cluster (${label(clusterIid)}) to ${version}`;
    if (!capabilities.cluster.versions.includes(version)) {
        throwIfInvalid(action, [
            { property: "version", reason: `must be one of ${capabilities.cluster.versions.join(", ")}` },
        ]);
    }
    const start = await readCluster(ctx, name, action);
    const from = minorNumber(start.currentMasterVersion ?? "");
    const to = minorNumber(version);
    if (to < from) {
        throwIfInvalid(action, [
            {
                property: "version",
                reason: `GKE cannot downgrade the control plane from ${minorVersion(start.currentMasterVersion)}`,
            },
        ]);
    }
    const major = version.split(".")[0];
    for (let step = from + 1; step <= to; step++) {
        const stepVersion = `${major}.${step}`;
        await clusterUpdate(ctx, name, action, `upgrading the control plane to ${stepVersion}`, {
            desiredMasterVersion: stepVersion,
        });
        await upgradePools(ctx, name, action, stepVersion);
    }
    // Pools left behind by an earlier, interrupted upgrade catch up too.
    await upgradePools(ctx, name, action, version);
    return getCluster(ctx, clusterIid);
}

/** Brings every pool behind the control plane's minor to the control plane's exact version ("-"). */
async function upgradePools(ctx: GcpContext, name: string, action: string, version: string): Promise<void> {
    const cluster = await readCluster(ctx, name, action);
    for (const pool of cluster.nodePools ?? []) {
        if (minorVersion(pool.version) === version) continue;
        const target: PoolTarget = { ctx, cluster: name, pool: pool.name ?? "", action };
        // A "1.X" alias could pick a patch newer than the control plane's; "-" is the control plane's own.
        await updatePool(target, pool, `upgrading node pool ${pool.name ?? ""} to ${version}`, { nodeVersion: "-" });
    }
}

export async function changeClusterTags(
    ctx: GcpContext,
    clusterIid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const name = nameOf(clusterIid);
    const action = `changing tags of Cluster (${label(clusterIid)})`;
    throwIfInvalid(action, validateTags(tags));
    const cluster = await readCluster(ctx, name, action);
    const path = clusterPath(ctx.settings, name);
    await gkeMutation(ctx, {
        where: { action, step: "setting the cluster's resource labels" },
        phase: "update",
        target: path,
        start: () =>
            ctx.clients.container().setLabels({
                name: path,
                resourceLabels: { ...tags },
                labelFingerprint: cluster.labelFingerprint ?? "",
            }),
    });
    return { ...((await readCluster(ctx, name, action)).resourceLabels ?? {}) };
}

/** GKE cannot move a cluster to another subnetwork (the field table replaces the cluster instead). */
export function changeClusterNetwork(
    _ctx: GcpContext,
    clusterIid: Iid,
    _change: ClusterNetworkChange,
): Promise<ClusterNetwork> {
    return Promise.reject(
        new NotSupportedError(
            `changing the network of Cluster (${label(clusterIid)}): a GKE cluster's subnetwork is fixed at creation`,
        ),
    );
}

/** Public access (master authorized networks) and logging: one cluster update per kind that differs. */
export async function changeClusterAccess(
    ctx: GcpContext,
    clusterIid: Iid,
    change: ClusterAccessChange,
): Promise<ClusterInfo> {
    const name = nameOf(clusterIid);
    const action = `changing the endpoint access or logging of Cluster (${label(clusterIid)})`;
    throwIfInvalid(action, accessIssues(change));
    // Only the cluster's own settings are compared: no pool or node read before the change.
    const before = toClusterInfo(ctx.settings, await readCluster(ctx, name, action), [], "");
    const access = change.endpointAccess;
    if (access && JSON.stringify(access) !== JSON.stringify(before.endpointAccess)) {
        await clusterUpdate(ctx, name, action, "changing the master authorized networks", {
            desiredMasterAuthorizedNetworksConfig: toAuthorizedNetworks(access),
        });
    }
    const logging = change.logging;
    if (logging && JSON.stringify([...logging].sort()) !== JSON.stringify([...before.logging].sort())) {
        await clusterUpdate(ctx, name, action, "changing the logging components", {
            desiredLoggingConfig: toLoggingConfig(logging),
        });
    }
    return getCluster(ctx, clusterIid);
}

function accessIssues(change: ClusterAccessChange): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const access = change.endpointAccess;
    if (access?.private) {
        issues.push({
            property: "endpointAccess.private",
            reason: `must be false (${capabilities.cluster.reasons?.privateEndpoint ?? ""})`,
        });
    }
    if (access && !access.public && !access.private) {
        issues.push({ property: "endpointAccess.private", reason: "public and private access cannot both be off" });
    }
    const offered = capabilities.cluster.logTypes;
    (change.logging ?? []).forEach((type, index) => {
        if (!offered.includes(type)) {
            issues.push({
                property: `logging[${index}]`,
                reason: `"${type}" is not offered by GKE (offered: ${offered.join(", ")})`,
            });
        }
    });
    return issues;
}
