import type { Iid } from "../../interface/driver";
import type * as api from "../../interface/driver";
import { DEFAULT_ENDPOINT_ACCESS, LOG_TYPES, nodeGroupOptions, refuseMachineChange } from "../../interface/driver";
import { ipv4CidrProblem, nodeGroupConfigIssues } from "../../interface/schema";
import { AlreadyExistsError, CloudApiError, FieldIssue, NotFoundError, ValidationError } from "../../interface/errors";
import { ownerField } from "../../interface/owner";
import { call, copyTags, enter, label, LocalSession, matchIid, requireIid, undoCreate, wait } from "./ops";
import { describeKept, insertKept, Kept, peekKept, waitKeptActive, waitKeptGone } from "./ops";
import { intIssues, nameIssues, oneOfIssues, tagIssues, throwIfIssues } from "../../interface/rules";
import {
    beginTransition,
    ClusterRecord,
    Inventory,
    newId,
    NodeGroupRecord,
    observeCluster,
    randomHex,
    StoreState,
    zoneOf,
} from "./store";

const ROOT_DISK_TYPES = ["standard", "ssd"];
const DEFAULT_ROOT_DISK_TYPE = "standard";
const DEFAULT_ROOT_DISK_GB = 50;
const ROOT_DISK_GB = { min: 10, max: 1000 };

// ---------------------------------------------------------------------------------------------
// Operations

export async function createCluster(session: LocalSession, req: api.ClusterReq): Promise<api.ClusterInfo> {
    const name = req?.iid?.nameId ?? "";
    const what = `creating Cluster (${name})`;
    await enter(session, "createCluster", what);
    const issues = (state: StoreState) => clusterReqIssues(session, state, req);
    const build = (state: StoreState) => fromClusterReq(session, state, req);
    const id = await insertKept(session, CLUSTERS, { op: "createCluster.controlPlane", what, name }, issues, build);
    const undo = undoCreate(what, `Cluster ${name}`, () =>
        removeCluster(session, id, `rolling back Cluster (${name})`),
    );
    try {
        // Like EKS: node groups can only be created once the control plane is Active.
        await waitKeptActive(session, CLUSTERS, id, what, "create");
        const ngIds: string[] = [];
        for (const ngReq of req.nodeGroups) {
            ngIds.push(
                await call(session, "createCluster.nodeGroup", what, state => {
                    const cluster = state.clusters.find(x => x.id === id);
                    if (!cluster)
                        throw new NotFoundError(
                            `${what}: the cluster disappeared while its node groups were being created`,
                        );
                    return pushNodeGroup(state, cluster, ngReq);
                }),
            );
        }
        if (ngIds.length > 0) await waitNodeGroupsActive(session, id, ngIds, what, "create");
        return toClusterInfo(await waitKeptActive(session, CLUSTERS, id, what, "create"));
    } catch (err) {
        return undo.fail(err);
    }
}

export async function listCluster(session: LocalSession): Promise<api.ClusterInfo[]> {
    const what = "listing Clusters";
    await enter(session, "listCluster", what);
    return call(session, null, what, state => {
        state.clusters = state.clusters.filter(c => observeCluster(state, c));
        return state.clusters.map(toClusterInfo);
    });
}

export async function getCluster(session: LocalSession, iid: Iid): Promise<api.ClusterInfo> {
    requireIid(iid, "iid");
    const what = `getting Cluster (${label(iid)})`;
    await enter(session, "getCluster", what);
    const rec = await describeKept(session, CLUSTERS, what, state => matchIid(state.clusters, iid)?.id);
    if (!rec) throw new NotFoundError(`${what}: not found`);
    return toClusterInfo(rec);
}

export async function deleteCluster(session: LocalSession, iid: Iid): Promise<void> {
    requireIid(iid, "iid");
    const what = `deleting Cluster (${label(iid)})`;
    await enter(session, "deleteCluster", what);
    const id = await call(session, null, what, state => matchIid(state.clusters, iid)?.id ?? null);
    if (id === null) return;
    await removeCluster(session, id, what);
}

export async function addNodeGroup(
    session: LocalSession,
    clusterIid: Iid,
    req: api.NodeGroupReq,
): Promise<api.NodeGroupInfo> {
    requireIid(clusterIid, "clusterIid");
    const what = `adding NodeGroup (${req?.iid?.nameId ?? ""}) to Cluster (${label(clusterIid)})`;
    await enter(session, "addNodeGroup", what);
    const [clusterId, ngId] = await call(session, null, what, state => {
        const cluster = findCluster(state, clusterIid, what);
        throwIfIssues(nodeGroupReqIssues(session, state, req, "", cluster.vpc));
        if (cluster.status === "Creating" || cluster.status === "Deleting") {
            throw new CloudApiError(`${what}: ResourceInUse: the cluster is ${cluster.status}`);
        }
        if (cluster.nodeGroups.some(g => g.name === req.iid.nameId)) {
            throw new AlreadyExistsError(`${what}: the cluster already has a node group named "${req.iid.nameId}"`);
        }
        return [cluster.id, pushNodeGroup(state, cluster, req)] as const;
    });
    const undo = undoCreate(what, `NodeGroup ${req.iid.nameId}`, () =>
        removeNodeGroups(session, clusterId, [ngId], `rolling back NodeGroup (${req.iid.nameId})`),
    );
    try {
        const cluster = await waitNodeGroupsActive(session, clusterId, [ngId], what, "create");
        return toNodeGroupInfo(nodeGroupById(cluster, ngId, what));
    } catch (err) {
        return undo.fail(err);
    }
}

export async function getNodeGroup(session: LocalSession, clusterIid: Iid, ngIid: Iid): Promise<api.NodeGroupInfo> {
    requireIid(clusterIid, "clusterIid");
    requireIid(ngIid, "nodeGroupIid");
    const what = `getting NodeGroup (${label(ngIid)}) of Cluster (${label(clusterIid)})`;
    await enter(session, "getNodeGroup", what);
    const cluster = await describeKept(session, CLUSTERS, what, state => matchIid(state.clusters, clusterIid)?.id);
    if (!cluster) throw new NotFoundError(`${what}: the cluster does not exist`);
    const ng = matchIid(cluster.nodeGroups, ngIid);
    if (!ng) throw new NotFoundError(`${what}: not found`);
    return toNodeGroupInfo(ng);
}

export const setNodeGroupAutoScaling = nodeGroupChange<boolean>(
    "setNodeGroupAutoScaling",
    on => `setting autoscaling ${on ? "on" : "off"} for`,
    (_session, on) => (typeof on === "boolean" ? [] : [{ property: "onAutoScaling", reason: "must be true or false" }]),
    (ng, on) => {
        ng.onAutoScaling = on;
    },
);

export const changeNodeGroupScaling = nodeGroupChange<api.ScalingReq>(
    "changeNodeGroupScaling",
    () => "changing the scaling of",
    (session, scaling) => scalingIssues(session, scaling, ""),
    (ng, scaling) => {
        ng.desiredNodeSize = scaling.desiredNodeSize;
        ng.minNodeSize = scaling.minNodeSize;
        ng.maxNodeSize = scaling.maxNodeSize;
    },
);

export async function removeNodeGroup(session: LocalSession, clusterIid: Iid, ngIid: Iid): Promise<void> {
    requireIid(clusterIid, "clusterIid");
    requireIid(ngIid, "nodeGroupIid");
    const what = `removing NodeGroup (${label(ngIid)}) from Cluster (${label(clusterIid)})`;
    await enter(session, "removeNodeGroup", what);
    const found = await call(session, null, what, state => {
        const cluster = matchIid(state.clusters, clusterIid);
        const ng = cluster ? matchIid(cluster.nodeGroups, ngIid) : undefined;
        return cluster && ng ? { clusterId: cluster.id, ngId: ng.id } : null;
    });
    if (!found) return;
    await removeNodeGroups(session, found.clusterId, [found.ngId], what);
}

export async function upgradeCluster(
    session: LocalSession,
    clusterIid: Iid,
    version: string,
): Promise<api.ClusterInfo> {
    requireIid(clusterIid, "clusterIid");
    const what = `upgrading Cluster (${label(clusterIid)}) to ${version}`;
    await enter(session, "upgradeCluster", what);
    const versions = session.caps.cluster.versions;
    throwIfIssues(oneOfIssues(version, versions, "version"));
    const cur = await describeKept(session, CLUSTERS, what, state => matchIid(state.clusters, clusterIid)?.id);
    if (!cur) throw new NotFoundError(`${what}: not found`);
    const from = versions.indexOf(cur.version);
    const to = versions.indexOf(version);
    if (to < from) {
        throw new ValidationError([
            {
                property: "version",
                reason: `cannot downgrade from ${cur.version} to ${version}; Kubernetes only upgrades`,
            },
        ]);
    }
    // One minor version per control-plane update, and (like EKS) only once every node group runs
    // the control plane's current version: node groups catch up (all at once) before each step.
    for (let i = from + 1; i <= to; i++) {
        await catchUpNodeGroups(session, cur.id, what);
        await upgradeControlPlaneOneStep(session, cur.id, versions[i], what);
    }
    await catchUpNodeGroups(session, cur.id, what);
    return toClusterInfo(await waitKeptActive(session, CLUSTERS, cur.id, what, "update"));
}

export async function changeClusterTags(
    session: LocalSession,
    clusterIid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    requireIid(clusterIid, "clusterIid");
    const what = `changing the tags of Cluster (${label(clusterIid)})`;
    await enter(session, "changeClusterTags", what);
    throwIfIssues(tagIssues(tags, "tags"));
    return call(session, null, what, state => {
        const cluster = findCluster(state, clusterIid, what);
        cluster.tags = copyTags(tags);
        return copyTags(cluster.tags);
    });
}

/** As on EKS: one update per kind (subnets, then security groups), each settling before the next. */
export async function changeClusterNetwork(
    session: LocalSession,
    clusterIid: Iid,
    change: api.ClusterNetworkChange,
): Promise<api.ClusterNetwork> {
    requireIid(clusterIid, "clusterIid");
    const what = `changing the network of Cluster (${label(clusterIid)})`;
    await enter(session, "changeClusterNetwork", what);
    const id = await call(session, null, what, state => {
        const cluster = findCluster(state, clusterIid, what);
        const net = {
            vpc: cluster.vpc,
            subnets: change.subnets ?? cluster.subnets,
            securityGroups: change.securityGroups ?? cluster.securityGroups,
        };
        throwIfIssues(networkIssues(state.inventory, net, clusterZones(state.inventory, cluster)));
        return cluster.id;
    });
    for (const kind of ["subnets", "securityGroups"] as const) {
        const value = change[kind];
        if (!value) continue;
        await call(session, "changeClusterNetwork", what, state => {
            const cluster = findCluster(state, clusterIid, what);
            if (cluster.status !== "Active")
                throw new CloudApiError(`${what}: ResourceInUse: the cluster is ${cluster.status}`);
            cluster[kind] = [...value];
            beginTransition(state, cluster, "Updating");
        });
        await waitKeptActive(session, CLUSTERS, id, what, "update");
    }
    const cluster = await waitKeptActive(session, CLUSTERS, id, what, "update");
    return { vpc: cluster.vpc, subnets: [...cluster.subnets], securityGroups: [...cluster.securityGroups] };
}

/** Labels, taints and update config in one update, as EKS's UpdateNodegroupConfig. */
export const changeNodeGroupConfig = nodeGroupChange<api.NodeGroupConfigChange>(
    "changeNodeGroupConfig",
    () => "changing the config of",
    (session, change) => nodeGroupConfigIssues(change, session.caps.cluster),
    (ng, change) => {
        if (change.labels) ng.labels = { ...change.labels };
        if (change.taints) ng.taints = change.taints.map(taint => ({ ...taint }));
        if (change.maxUnavailable !== undefined) ng.maxUnavailable = change.maxUnavailable;
    },
);

/** As on EKS: one update per kind (endpoint access, then logging), each settling before the next. */
export async function changeClusterAccess(
    session: LocalSession,
    clusterIid: Iid,
    change: api.ClusterAccessChange,
): Promise<api.ClusterInfo> {
    requireIid(clusterIid, "clusterIid");
    const what = `changing the endpoint access or logging of Cluster (${label(clusterIid)})`;
    await enter(session, "changeClusterAccess", what);
    throwIfIssues(accessIssues(session, change));
    const id = await call(session, null, what, state => findCluster(state, clusterIid, what).id);
    const kinds: Array<(cluster: ClusterRecord) => void> = [];
    const { endpointAccess, logging } = change;
    if (endpointAccess) kinds.push(cluster => (cluster.endpointAccess = { ...endpointAccess }));
    if (logging) kinds.push(cluster => (cluster.logging = [...logging]));
    for (const apply of kinds) {
        await call(session, "changeClusterAccess", what, state => {
            const cluster = findCluster(state, clusterIid, what);
            if (cluster.status !== "Active")
                throw new CloudApiError(`${what}: ResourceInUse: the cluster is ${cluster.status}`);
            apply(cluster);
            beginTransition(state, cluster, "Updating");
        });
        await waitKeptActive(session, CLUSTERS, id, what, "update");
    }
    return toClusterInfo(await waitKeptActive(session, CLUSTERS, id, what, "update"));
}

/** The zones chosen at creation (records from before zones were kept: those of its subnets). */
function clusterZones(inv: Inventory, cluster: ClusterRecord): string[] {
    return cluster.zones ?? [...new Set(cluster.subnets.map(subnet => zoneOf(inv, cluster.vpc, subnet)))];
}

// ---------------------------------------------------------------------------------------------
// Steps and waits

function findCluster(state: StoreState, iid: Iid, what: string): ClusterRecord {
    const cluster = matchIid(state.clusters, iid);
    if (!cluster) throw new NotFoundError(`${what}: the cluster does not exist`);
    return cluster;
}

function nodeGroupById(cluster: ClusterRecord, ngId: string, what: string): NodeGroupRecord {
    const ng = cluster.nodeGroups.find(g => g.id === ngId);
    if (!ng) throw new NotFoundError(`${what}: the node group disappeared`);
    return ng;
}

function pushNodeGroup(state: StoreState, cluster: ClusterRecord, req: api.NodeGroupReq): string {
    const ng = fromNodeGroupReq(state, cluster, req);
    cluster.nodeGroups.push(ng);
    return ng.id;
}

/**
 * The in-place node-group changes (autoscaling, scaling, config) are one operation with its own
 * wording, request check and edit: enter it, refuse a bad request, then update the node group.
 */
function nodeGroupChange<Arg>(
    op: string,
    doing: (arg: Arg) => string,
    issues: (session: LocalSession, arg: Arg) => FieldIssue[],
    apply: (ng: NodeGroupRecord, arg: Arg) => void,
): (session: LocalSession, clusterIid: Iid, ngIid: Iid, arg: Arg) => Promise<api.NodeGroupInfo> {
    return async (session, clusterIid, ngIid, arg) => {
        const what = `${doing(arg)} NodeGroup (${label(ngIid)}) of Cluster (${label(clusterIid)})`;
        await enter(session, op, what);
        throwIfIssues(issues(session, arg));
        return updateNodeGroup(session, clusterIid, ngIid, what, ng => apply(ng, arg));
    };
}

async function updateNodeGroup(
    session: LocalSession,
    clusterIid: Iid,
    ngIid: Iid,
    what: string,
    apply: (ng: NodeGroupRecord) => void,
): Promise<api.NodeGroupInfo> {
    requireIid(clusterIid, "clusterIid");
    requireIid(ngIid, "nodeGroupIid");
    const ids = await call(session, null, what, state => {
        const cluster = findCluster(state, clusterIid, what);
        const ng = matchIid(cluster.nodeGroups, ngIid);
        if (!ng) throw new NotFoundError(`${what}: not found`);
        // Like EKS: one update at a time per node group.
        if (ng.status !== "Active") throw new CloudApiError(`${what}: ResourceInUse: the node group is ${ng.status}`);
        const before = JSON.stringify(ng);
        apply(ng);
        if (JSON.stringify(ng) !== before) beginTransition(state, ng, "Updating");
        return { clusterId: cluster.id, ngId: ng.id };
    });
    const cluster = await waitNodeGroupsActive(session, ids.clusterId, [ids.ngId], what, "update");
    return toNodeGroupInfo(nodeGroupById(cluster, ids.ngId, what));
}

async function upgradeControlPlaneOneStep(
    session: LocalSession,
    clusterId: string,
    step: string,
    what: string,
): Promise<void> {
    const versions = session.caps.cluster.versions;
    await call(session, "upgradeCluster.controlPlane", what, state => {
        const cluster = findCluster(state, { nameId: "", systemId: clusterId }, what);
        if (cluster.status !== "Active")
            throw new CloudApiError(`${what}: ResourceInUse: the cluster is ${cluster.status}`);
        if (versions.indexOf(step) !== versions.indexOf(cluster.version) + 1) {
            const reason = `can only upgrade one minor version at a time (from ${cluster.version})`;
            throw new ValidationError([{ property: "version", reason }]);
        }
        const lagging = cluster.nodeGroups.filter(ng => ng.version !== cluster.version).map(ng => ng.name);
        if (lagging.length > 0) {
            throw new CloudApiError(
                `${what}: InvalidRequest: node groups ${lagging.join(", ")} ` +
                    `must run the control plane's version ${cluster.version} before it is updated to ${step}`,
            );
        }
        cluster.targetVersion = step;
        beginTransition(state, cluster, "Updating");
    });
    await waitKeptActive(session, CLUSTERS, clusterId, what, "update");
}

/** Brings every node group to the control plane's version, one minor version per pass. */
async function catchUpNodeGroups(session: LocalSession, clusterId: string, what: string): Promise<void> {
    let moved = true;
    while (moved) moved = await upgradeNodeGroupsOneStep(session, clusterId, what);
}

/** Moves every node group behind the control plane one minor version up; false when none was behind. */
async function upgradeNodeGroupsOneStep(session: LocalSession, clusterId: string, what: string): Promise<boolean> {
    const versions = session.caps.cluster.versions;
    const moved = await call(session, "upgradeCluster.nodeGroup", what, state => {
        const cluster = findCluster(state, { nameId: "", systemId: clusterId }, what);
        const behind = cluster.nodeGroups.filter(
            ng => versions.indexOf(ng.version) < versions.indexOf(cluster.version),
        );
        for (const ng of behind) {
            if (ng.status !== "Active")
                throw new CloudApiError(`${what}: ResourceInUse: node group ${ng.name} is ${ng.status}`);
        }
        for (const ng of behind) {
            ng.targetVersion = versions[versions.indexOf(ng.version) + 1];
            beginTransition(state, ng, "Updating");
        }
        return behind.map(ng => ng.id);
    });
    if (moved.length === 0) return false;
    await waitNodeGroupsActive(session, clusterId, moved, what, "update");
    return true;
}

/** The clusters this driver keeps, for the shared describe and waits (ops.ts). */
const CLUSTERS: Kept<ClusterRecord> = {
    op: "describeCluster",
    noun: "cluster",
    aNoun: "a Cluster",
    subject: subject,
    list: state => state.clusters,
    // A describe is a poll of the cluster and of each of its node groups.
    observe: observeCluster,
    drop: (state, gone) => {
        state.clusters = state.clusters.filter(candidate => candidate !== gone);
    },
};

async function waitNodeGroupsActive(
    session: LocalSession,
    clusterId: string,
    ngIds: string[],
    what: string,
    phase: "create" | "update",
): Promise<ClusterRecord> {
    return wait(session, phase, `node groups of ${subject(what)} to be Active`, async () => {
        const cluster = await describeKept(session, CLUSTERS, what, () => clusterId);
        if (!cluster) throw new NotFoundError(`${what}: the cluster disappeared while waiting for its node groups`);
        const states = ngIds.map(id => nodeGroupById(cluster, id, what).status);
        const pending = states.filter(st => st !== "Active");
        return pending.length === 0 ? { done: true, value: cluster } : { done: false, state: pending.join(",") };
    });
}

async function waitNodeGroupsGone(
    session: LocalSession,
    clusterId: string,
    ngIds: string[],
    what: string,
): Promise<void> {
    await wait(session, "delete", `node groups of ${subject(what)} to be deleted`, async () => {
        const cluster = await describeKept(session, CLUSTERS, what, () => clusterId);
        const left = cluster ? cluster.nodeGroups.filter(ng => ngIds.includes(ng.id)) : [];
        return left.length === 0
            ? { done: true, value: undefined }
            : { done: false, state: left.map(ng => ng.status).join(",") };
    });
}

async function removeNodeGroups(
    session: LocalSession,
    clusterId: string,
    ngIds: string[],
    what: string,
): Promise<void> {
    for (const ngId of ngIds) {
        await call(session, "deleteCluster.nodeGroup", what, state => {
            const ng = state.clusters.find(c => c.id === clusterId)?.nodeGroups.find(g => g.id === ngId);
            if (ng && ng.status !== "Deleting") beginTransition(state, ng, "Deleting");
        });
    }
    await waitNodeGroupsGone(session, clusterId, ngIds, what);
}

/** Node groups first (the cloud refuses to delete a control plane that still has them), then the cluster. */
async function removeCluster(session: LocalSession, id: string, what: string): Promise<void> {
    const cluster = await peekKept(session, CLUSTERS, id, what);
    if (!cluster) return;
    if (cluster.status !== "Deleting") {
        const ngIds = cluster.nodeGroups.map(ng => ng.id);
        if (ngIds.length > 0) await removeNodeGroups(session, id, ngIds, what);
        await call(session, "deleteCluster.controlPlane", what, state => {
            const cur = state.clusters.find(x => x.id === id);
            if (!cur || cur.status === "Deleting") return;
            if (cur.nodeGroups.length > 0) {
                const names = cur.nodeGroups.map(g => g.name).join(", ");
                throw new CloudApiError(`${what}: ResourceInUse: the cluster still has node groups ${names}`);
            }
            beginTransition(state, cur, "Deleting");
        });
    }
    await waitKeptGone(session, CLUSTERS, id, what);
}

// ---------------------------------------------------------------------------------------------
// Validation

function clusterReqIssues(session: LocalSession, state: StoreState, req: api.ClusterReq): FieldIssue[] {
    const caps = session.caps.cluster;
    const inv = state.inventory;
    const issues: FieldIssue[] = [...nameIssues(caps.name, req.iid?.nameId ?? "", "iid.nameId")];
    issues.push(
        ...oneOfIssues(
            req.version,
            caps.versions.filter(v => inv.k8sVersions.includes(v)),
            "version",
        ),
    );
    const net = req.network;
    const vpc = net ? inv.vpcs[net.vpc] : undefined;
    if (!net) issues.push({ property: "network", reason: "is required" });
    else if (!vpc)
        issues.push({
            property: "network.vpc",
            reason: `unknown VPC "${net.vpc}"; known: ${Object.keys(inv.vpcs).join(", ")}`,
        });
    if (net && vpc) issues.push(...networkIssues(inv, net));
    const groups = Array.isArray(req.nodeGroups) ? req.nodeGroups : [];
    if (!caps.allowsNoNodeGroups && groups.length === 0)
        issues.push({ property: "nodeGroups", reason: "needs at least one node group" });
    groups.forEach((ng, i) => {
        issues.push(...nodeGroupReqIssues(session, state, ng, `nodeGroups[${i}].`, net?.vpc));
        if (groups.findIndex(g => g.iid?.nameId === ng.iid?.nameId) !== i) {
            issues.push({
                property: `nodeGroups[${i}].iid.nameId`,
                reason: `"${ng.iid.nameId}" is used by another node group`,
            });
        }
    });
    issues.push(...accessIssues(session, { endpointAccess: req.endpointAccess, logging: req.logging }));
    issues.push(...tagIssues(req.tags, "tags"));
    return issues;
}

function nodeGroupReqIssues(
    session: LocalSession,
    state: StoreState,
    ng: api.NodeGroupReq,
    prefix: string,
    vpc: string | undefined,
): FieldIssue[] {
    const inv = state.inventory;
    const issues: FieldIssue[] = [
        ...nameIssues(session.caps.cluster.nodeGroupName, ng?.iid?.nameId ?? "", `${prefix}iid.nameId`),
    ];
    if (!ng) return issues;
    if (ng.image && !inv.images.includes(ng.image)) {
        issues.push({
            property: `${prefix}image`,
            reason: `unknown image "${ng.image}"; known: ${inv.images.join(", ")}`,
        });
    }
    if (!inv.vmSpecs.includes(ng.vmSpec)) {
        issues.push({
            property: `${prefix}vmSpec`,
            reason: `unknown VM spec "${ng.vmSpec}"; known: ${inv.vmSpecs.join(", ")}`,
        });
    }
    if (ng.rootDiskType) issues.push(...oneOfIssues(ng.rootDiskType, ROOT_DISK_TYPES, `${prefix}rootDiskType`));
    if (ng.rootDiskSize !== 0)
        issues.push(...intIssues(ng.rootDiskSize, ROOT_DISK_GB.min, ROOT_DISK_GB.max, `${prefix}rootDiskSize`));
    if (ng.keyPair && !inv.keyPairs.includes(ng.keyPair)) {
        issues.push({
            property: `${prefix}keyPair`,
            reason: `unknown key pair "${ng.keyPair}"; known: ${inv.keyPairs.join(", ")}`,
        });
    }
    if (typeof ng.onAutoScaling !== "boolean")
        issues.push({ property: `${prefix}onAutoScaling`, reason: "must be true or false" });
    issues.push(...scalingIssues(session, ng, prefix));
    issues.push(...nodeGroupOptionIssues(session, state.inventory, ng, prefix));
    issues.push(...nodeGroupSubnetIssues(state.inventory, ng.subnets ?? [], prefix, vpc));
    issues.push(...nodeGroupConfigIssues(ng, session.caps.cluster, prefix.replace(/\.$/, "")));
    return issues;
}

/** As on EKS: known VM specs (at most the cloud's count) and an offered capacity type. */
function nodeGroupOptionIssues(
    session: LocalSession,
    inv: Inventory,
    ng: api.NodeGroupReq,
    prefix: string,
): FieldIssue[] {
    const caps = session.caps.cluster;
    const issues: FieldIssue[] = [];
    const specs = ng.vmSpecs ?? [];
    if (specs.length > caps.limits.vmSpecs) {
        issues.push({ property: `${prefix}vmSpecs`, reason: `at most ${caps.limits.vmSpecs} VM specs per node group` });
    }
    specs.forEach((spec, i) => {
        if (!inv.vmSpecs.includes(spec)) {
            const reason = `unknown VM spec "${spec}"; known: ${inv.vmSpecs.join(", ")}`;
            issues.push({ property: `${prefix}vmSpecs[${i}]`, reason });
        }
    });
    if (ng.capacityType !== undefined) {
        issues.push(...oneOfIssues(ng.capacityType, caps.capacityTypes, `${prefix}capacityType`));
    }
    return issues;
}

/** As on EKS: a node group's subnets are the cluster VPC's (unchecked while the VPC is unknown). */
function nodeGroupSubnetIssues(
    inv: Inventory,
    subnets: string[],
    prefix: string,
    vpc: string | undefined,
): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const known = vpc ? (inv.vpcs[vpc]?.subnets ?? []) : undefined;
    subnets.forEach((subnet, i) => {
        if (known && !known.includes(subnet)) {
            const reason = `unknown subnet "${subnet}" in the cluster's VPC ${String(vpc)}; known: ${known.join(", ")}`;
            issues.push({ property: `${prefix}subnets[${i}]`, reason });
        }
    });
    return issues;
}

/** As on EKS: public or private access on, IPv4 CIDR blocks within the quota, known log types. */
function accessIssues(session: LocalSession, change: api.ClusterAccessChange): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const access = change.endpointAccess;
    if (access && !access.public && !access.private) {
        issues.push({ property: "endpointAccess.private", reason: "must be on while public access is off" });
    }
    const cidrs = access?.public ? access.publicCidrs : [];
    const max = session.caps.cluster.limits.publicCidrs;
    if (cidrs.length > max)
        issues.push({ property: "endpointAccess.publicCidrs", reason: `at most ${max} CIDR blocks` });
    cidrs.forEach((cidr, i) => {
        const problem = ipv4CidrProblem(cidr);
        if (problem) issues.push({ property: `endpointAccess.publicCidrs[${i}]`, reason: problem });
    });
    (change.logging ?? []).forEach((type, i) =>
        issues.push(...oneOfIssues(type, session.caps.cluster.logTypes, `logging[${i}]`)),
    );
    return issues;
}

function scalingIssues(session: LocalSession, sc: api.ScalingReq, prefix: string): FieldIssue[] {
    const max = session.caps.cluster.maxNodeSize;
    const issues = [
        ...intIssues(sc?.minNodeSize, 0, max, `${prefix}minNodeSize`),
        ...intIssues(sc?.maxNodeSize, 1, max, `${prefix}maxNodeSize`),
        ...intIssues(sc?.desiredNodeSize, 0, max, `${prefix}desiredNodeSize`),
    ];
    if (issues.length > 0) return issues;
    if (sc.minNodeSize > sc.maxNodeSize) {
        issues.push({
            property: `${prefix}minNodeSize`,
            reason: `must not exceed maxNodeSize (${sc.maxNodeSize}), got ${sc.minNodeSize}`,
        });
    } else if (sc.desiredNodeSize < sc.minNodeSize || sc.desiredNodeSize > sc.maxNodeSize) {
        issues.push({
            property: `${prefix}desiredNodeSize`,
            reason:
                `must be between minNodeSize (${sc.minNodeSize}) and maxNodeSize (${sc.maxNodeSize}), ` +
                `got ${sc.desiredNodeSize}`,
        });
    }
    return issues;
}

// ---------------------------------------------------------------------------------------------
// Converters

/**
 * EKS's placement rules: subnets of the cluster's VPC in two or more zones; after creation only
 * in the zones chosen then (`zones`); security groups of the same VPC.
 */
function networkIssues(inv: Inventory, net: api.ClusterNetwork, zones?: string[]): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const known = inv.vpcs[net.vpc]?.subnets ?? [];
    const subnets = Array.isArray(net.subnets) ? net.subnets : [];
    subnets.forEach((subnet, i) => {
        const zone = zoneOf(inv, net.vpc, subnet);
        if (!known.includes(subnet)) {
            const reason = `unknown subnet "${subnet}" in ${net.vpc}; known: ${known.join(", ")}`;
            issues.push({ property: `network.subnets[${i}]`, reason });
        } else if (zones && !zones.includes(zone)) {
            const reason =
                `subnet "${subnet}" is in zone ${zone}; the cluster's subnets must stay in the zones ` +
                `chosen at creation: ${zones.join(", ")}`;
            issues.push({ property: `network.subnets[${i}]`, reason });
        }
    });
    const allKnown = subnets.every(subnet => known.includes(subnet));
    if (allKnown && new Set(subnets.map(subnet => zoneOf(inv, net.vpc, subnet))).size < 2) {
        const reason = `needs subnets in at least two zones, got ${JSON.stringify(subnets)}`;
        issues.push({ property: "network.subnets", reason });
    }
    (net.securityGroups ?? []).forEach((sg, i) => {
        if (inv.securityGroups[sg]?.vpc !== net.vpc) {
            const reason = `unknown security group "${sg}" in ${net.vpc}`;
            issues.push({ property: `network.securityGroups[${i}]`, reason });
        }
    });
    return issues;
}

function fromClusterReq(session: LocalSession, state: StoreState, req: api.ClusterReq): ClusterRecord {
    const id = newId(state, "cls");
    const rec: ClusterRecord = {
        id,
        name: req.iid.nameId,
        region: session.region,
        version: req.version,
        targetVersion: req.version,
        vpc: req.network.vpc,
        subnets: [...req.network.subnets],
        zones: [...new Set(req.network.subnets.map(subnet => zoneOf(state.inventory, req.network.vpc, subnet)))],
        securityGroups: [...(req.network.securityGroups ?? [])],
        endpointAccess: { ...(req.endpointAccess ?? DEFAULT_ENDPOINT_ACCESS) },
        logging: [...(req.logging ?? [])],
        endpoint: `https://${id}.k8s.local`,
        token: randomHex(24),
        caData: fakeCertificateAuthority(),
        createdTime: new Date().toISOString(),
        tags: copyTags(req.tags),
        ...ownerField(req.owner),
        nodeGroups: [],
        status: "Creating",
        pendingPolls: 0,
    };
    beginTransition(state, rec, "Creating");
    return rec;
}

function fromNodeGroupReq(state: StoreState, cluster: ClusterRecord, req: api.NodeGroupReq): NodeGroupRecord {
    const ng: NodeGroupRecord = {
        id: newId(state, "ng"),
        name: req.iid.nameId,
        image: req.image || state.inventory.defaultImage,
        vmSpec: req.vmSpec,
        ...nodeGroupOptions(req),
        // Like EKS: the node group's subnets default to the cluster's.
        subnets: req.subnets?.length ? [...req.subnets] : [...cluster.subnets],
        rootDiskType: req.rootDiskType || DEFAULT_ROOT_DISK_TYPE,
        rootDiskSize: req.rootDiskSize || DEFAULT_ROOT_DISK_GB,
        keyPair: req.keyPair || "",
        onAutoScaling: req.onAutoScaling,
        desiredNodeSize: req.desiredNodeSize,
        minNodeSize: req.minNodeSize,
        maxNodeSize: req.maxNodeSize,
        ...ownerField(req.owner),
        nodes: [],
        version: cluster.version,
        targetVersion: cluster.version,
        status: "Creating",
        pendingPolls: 0,
    };
    beginTransition(state, ng, "Creating");
    return ng;
}

function toNodeGroupInfo(ng: NodeGroupRecord): api.NodeGroupInfo {
    return {
        iid: { nameId: ng.name, systemId: ng.id },
        image: ng.image,
        vmSpec: ng.vmSpec,
        // Records from before these were kept hold none: the defaults.
        ...nodeGroupOptions(ng),
        rootDiskType: ng.rootDiskType,
        rootDiskSize: ng.rootDiskSize,
        keyPair: ng.keyPair,
        onAutoScaling: ng.onAutoScaling,
        desiredNodeSize: ng.desiredNodeSize,
        minNodeSize: ng.minNodeSize,
        maxNodeSize: ng.maxNodeSize,
        status: ng.status,
        nodes: [...ng.nodes],
        version: ng.version,
        ...ownerField(ng.owner),
    };
}

function toClusterInfo(cluster: ClusterRecord): api.ClusterInfo {
    return {
        iid: { nameId: cluster.name, systemId: cluster.id },
        version: cluster.version,
        network: { vpc: cluster.vpc, subnets: [...cluster.subnets], securityGroups: [...cluster.securityGroups] },
        endpointAccess: endpointAccessOf(cluster),
        logging: LOG_TYPES.filter(type => cluster.logging?.includes(type)),
        nodeGroups: cluster.nodeGroups.map(toNodeGroupInfo),
        endpoint: cluster.endpoint,
        kubeconfig: toKubeconfig(cluster),
        status: cluster.status,
        createdTime: cluster.createdTime,
        tags: copyTags(cluster.tags),
        keyValues: { region: cluster.region },
        ...ownerField(cluster.owner),
    };
}

function endpointAccessOf(cluster: ClusterRecord): api.EndpointAccess {
    const access = cluster.endpointAccess ?? DEFAULT_ENDPOINT_ACCESS;
    return { ...access, publicCidrs: [...access.publicCidrs] };
}

function toKubeconfig(cluster: ClusterRecord): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `  - name: ${cluster.name}`,
        "    cluster:",
        `      server: ${cluster.endpoint}`,
        `      certificate-authority-data: ${cluster.caData}`,
        "contexts:",
        `  - name: ${cluster.name}`,
        "    context:",
        `      cluster: ${cluster.name}`,
        `      user: ${cluster.name}-admin`,
        `current-context: ${cluster.name}`,
        "preferences: {}",
        "users:",
        `  - name: ${cluster.name}-admin`,
        "    user:",
        `      token: ${cluster.token}`,
        "",
    ].join("\n");
}

/** "adding NodeGroup (a) to Cluster (k)" → "Cluster (k)", for wait messages. */
function subject(what: string): string {
    const at = what.lastIndexOf("Cluster (");
    return at >= 0 ? what.slice(at) : what;
}

/** A PEM-shaped, base64-encoded certificate authority, so a kubeconfig built from it parses. */
function fakeCertificateAuthority(): string {
    const body = Buffer.from(randomHex(48)).toString("base64");
    return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

export const changeNodeGroupMachines = refuseMachineChange<LocalSession>("local");
