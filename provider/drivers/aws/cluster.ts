/**
 * ClusterHandler on EKS: a control plane plus managed node groups. The cluster's systemId is
 * its ARN, a node group's systemId its node group ARN. Every wait uses the shared waiter:
 * DescribeCluster / DescribeNodegroup for lifecycle states, DescribeUpdate for updates.
 *
 * Autoscaling on EKS managed node groups: EKS itself never changes a group's size; an
 * autoscaler running in the cluster (Cluster Autoscaler, Karpenter) does, within the group's
 * min/max (EKS tags every managed group's Auto Scaling group for Cluster Autoscaler discovery).
 * So "on" means the group's min/max are the bounds the user asked for, and "off" pins the group:
 * min = max = desired, which no autoscaler can move. While off, the requested bounds are kept in
 * the node group's tags (`spider:autoscaling*`), reported as min/max, and restored when turned on.
 */
import { ownerTags } from "../../interface/owner";
import { throwIfIssues } from "../../interface/rules";
import {
    Cluster,
    CreateClusterCommand,
    CreateNodegroupCommand,
    ListClustersCommand,
    Nodegroup,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateClusterConfigCommand,
    UpdateClusterVersionCommand,
    UpdateNodegroupConfigCommand,
    UpdateNodegroupVersionCommand,
    UpdateLabelsPayload,
    UpdateTaintsPayload,
    VpcConfigRequest,
} from "@aws-sdk/client-eks";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import type {
    ClusterAccessChange,
    ClusterInfo,
    ClusterNetwork,
    ClusterNetworkChange,
    ClusterReq,
    EndpointAccess,
    Iid,
    NodeGroupConfigChange,
    NodeGroupInfo,
    NodeGroupReq,
    ScalingReq,
    Taint,
} from "../../interface/driver";
import { DEFAULT_ENDPOINT_ACCESS, nodeGroupOptions, refuseMachineChange } from "../../interface/driver";
import { FieldIssue, ValidationError } from "../../interface/errors";
import { allOrFirstError, withRetries } from "../../interface/wait";
import { AwsSession, aws, isAwsNotFound, subnetsInVpc } from "./clients";
import { transaction, UndoStack } from "../../interface/undo";
import { ensureRole } from "./roles";
import {
    validateCluster,
    validateClusterAccess,
    validateClusterNetwork,
    validateNodeGroup,
    validateScaling,
    validateTags,
    validateVersion,
} from "./validate";
import {
    AUTOSCALING_MAX_TAG,
    AUTOSCALING_MIN_TAG,
    AUTOSCALING_TAG,
    CLUSTER_TAG,
    clusterName,
    deleteClusterAndWait,
    deleteNodegroupAndWait,
    describeCluster,
    describeNodegroup,
    describeNodes,
    listNodegroupNames,
    major,
    minor,
    nodeGroupName,
    toClusterInfo,
    toNodeGroupInfo,
    toNodeGroupInfoWithNodes,
    enabledLogTypes,
    endpointAccessOf,
    fromEksTaint,
    fromUpdateConfig,
    toEksTaint,
    toLogging,
    toUpdateConfig,
    userTags,
    waitClusterActive,
    waitNodegroupActive,
    updateAndWait,
} from "./eks";

// ---------------------------------------------------------------------------------------------
// create

export async function createCluster(session: AwsSession, req: ClusterReq): Promise<ClusterInfo> {
    const name = req.iid.nameId;
    const what = `creating Cluster (${name})`;
    throwIfIssues(validateCluster(req));

    // Independent IAM checks: both roles at once.
    const [clusterRole, nodeRole] = await Promise.all([
        ensureRole(session, "cluster", what),
        req.nodeGroups.length ? ensureRole(session, "node", what).then(r => r.arn) : Promise.resolve(""),
    ]);
    return transaction(what, { log: line => session.log(line), creates: true }, async undo => {
        // The control plane carries the cluster's own name: only its conflict means the name is taken.
        await undo.anchor(() => createClusterCall(session, req, clusterRole, what));
        undo.push(`cluster ${name}`, () => deleteClusterAndWait(session, name, `undoing ${what}`));
        const cluster = await waitClusterActive(session, name, what, session.timeout("cluster", "create"));
        const groups = await createNodegroups(session, { cluster, nodeRole, what }, req.nodeGroups, undo);
        // The last polls already hold the final state; only the nodes are still unknown.
        return readCluster(session, cluster, what, groups);
    });
}

/** Node groups come up in parallel; each one's undo is recorded as soon as it exists. */
async function createNodegroups(
    session: AwsSession,
    target: { cluster: Cluster; nodeRole: string; what: string },
    nodeGroups: NodeGroupReq[],
    undo: UndoStack,
): Promise<Nodegroup[]> {
    const { cluster, nodeRole, what } = target;
    const name = cluster.name as string;
    return allOrFirstError(
        nodeGroups.map(async ng => {
            await createNodegroupCall(session, name, cluster, ng, nodeRole, what);
            undo.push(`node group ${ng.iid.nameId}`, () =>
                deleteNodegroupAndWait(session, name, ng.iid.nameId, `undoing ${what}`),
            );
            return waitNodegroupActive(session, name, ng.iid.nameId, what);
        }),
    );
}

async function createClusterCall(
    session: AwsSession,
    req: ClusterReq,
    role: { arn: string; created: boolean },
    what: string,
): Promise<void> {
    const poll = session.poll("cluster");
    const send = (): Promise<unknown> =>
        aws(
            what,
            () =>
                session.clients.eks.send(
                    new CreateClusterCommand({
                        name: req.iid.nameId,
                        version: req.version,
                        roleArn: role.arn,
                        resourcesVpcConfig: {
                            subnetIds: req.network.subnets,
                            securityGroupIds: req.network.securityGroups,
                            ...endpointConfig(req.endpointAccess ?? DEFAULT_ENDPOINT_ACCESS),
                        },
                        ...(req.logging?.length ? { logging: toLogging(req.logging) } : {}),
                        tags: { ...req.tags, ...ownerTags(req.owner), [CLUSTER_TAG]: req.iid.nameId },
                    }),
                ),
            { property: "network", resourceInUseMeansExists: true },
        );
    // A role created seconds ago is not yet assumable by EKS (IAM is eventually consistent).
    await withRetries(send, err => role.created && err instanceof ValidationError && /role/i.test(err.message), {
        attempts: 6,
        minDelayMs: poll.minDelayMs,
        maxDelayMs: poll.maxDelayMs,
    });
}

async function createNodegroupCall(
    session: AwsSession,
    clusterName: string,
    cluster: Cluster,
    ng: NodeGroupReq,
    nodeRole: string,
    what: string,
): Promise<void> {
    const pinned = !ng.onAutoScaling;
    const options = nodeGroupOptions(ng);
    await aws(
        what,
        () =>
            session.clients.eks.send(
                new CreateNodegroupCommand({
                    clusterName,
                    nodegroupName: ng.iid.nameId,
                    nodeRole,
                    subnets: options.subnets.length ? options.subnets : (cluster.resourcesVpcConfig?.subnetIds ?? []),
                    instanceTypes: options.vmSpecs,
                    capacityType: options.capacityType,
                    ...(Object.keys(options.labels).length ? { labels: options.labels } : {}),
                    ...(options.taints.length ? { taints: options.taints.map(toEksTaint) } : {}),
                    updateConfig: toUpdateConfig(options.maxUnavailable),
                    amiType: (ng.image || defaultAmiType(ng.vmSpec)) as Nodegroup["amiType"],
                    ...(ng.rootDiskSize ? { diskSize: ng.rootDiskSize } : {}),
                    ...(ng.keyPair ? { remoteAccess: { ec2SshKey: ng.keyPair } } : {}),
                    version: cluster.version,
                    scalingConfig: pinned
                        ? pinnedScaling(ng.desiredNodeSize)
                        : { minSize: ng.minNodeSize, maxSize: ng.maxNodeSize, desiredSize: ng.desiredNodeSize },
                    tags: {
                        ...ownerTags(ng.owner),
                        [CLUSTER_TAG]: clusterName,
                        ...(pinned ? autoscalingOffTags(ng.minNodeSize, ng.maxNodeSize) : {}),
                    },
                }),
            ),
        { property: "nodeGroups", resourceInUseMeansExists: true },
    );
}

/** The endpoint settings EKS takes: the CIDR blocks only while public access is on. */
function endpointConfig(access: EndpointAccess): VpcConfigRequest {
    return {
        endpointPublicAccess: access.public,
        endpointPrivateAccess: access.private,
        ...(access.public ? { publicAccessCidrs: [...access.publicCidrs] } : {}),
    };
}

/** Graviton families (m6g, t4g, c7gn, …) need the ARM image; everything else runs x86_64. */
function defaultAmiType(instanceType: string): string {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Autoscaling off: min = max = desired (EKS needs max ≥ 1), which no autoscaler can move. */
function pinnedScaling(desired: number): { minSize: number; maxSize: number; desiredSize: number } {
    return { minSize: desired, maxSize: Math.max(1, desired), desiredSize: desired };
}

/** The cluster and node group names of a node group call. */
function namesOf(clusterIid: Iid, ngIid: Iid): { name: string; ngName: string } {
    return { name: clusterName(clusterIid), ngName: nodeGroupName(ngIid) };
}

function autoscalingOffTags(min: number, max: number): Record<string, string> {
    return { [AUTOSCALING_TAG]: "off", [AUTOSCALING_MIN_TAG]: String(min), [AUTOSCALING_MAX_TAG]: String(max) };
}

export async function addNodeGroup(session: AwsSession, clusterIid: Iid, req: NodeGroupReq): Promise<NodeGroupInfo> {
    const name = clusterName(clusterIid);
    const what = `adding NodeGroup (${req.iid.nameId}) to Cluster (${name})`;
    throwIfIssues(validateNodeGroup(req));
    const cluster = await describeCluster(session, name, what);
    const nodeRole = (await ensureRole(session, "node", what)).arn;
    await createNodegroupCall(session, name, cluster, req, nodeRole, what);
    return transaction(what, {}, async undo => {
        undo.push(`node group ${req.iid.nameId}`, () =>
            deleteNodegroupAndWait(session, name, req.iid.nameId, `undoing ${what}`),
        );
        const ng = await waitNodegroupActive(session, name, req.iid.nameId, what);
        return toNodeGroupInfoWithNodes(session, name, ng, what);
    });
}

// ---------------------------------------------------------------------------------------------
// read

export async function getCluster(session: AwsSession, iid: Iid): Promise<ClusterInfo> {
    const name = clusterName(iid);
    const what = `reading Cluster (${name})`;
    return readCluster(session, await describeCluster(session, name, what), what);
}

export async function listCluster(session: AwsSession): Promise<ClusterInfo[]> {
    const what = "listing Clusters";
    const names: string[] = [];
    let token: string | undefined;
    do {
        const page = await aws(what, () => session.clients.eks.send(new ListClustersCommand({ nextToken: token })));
        names.push(...(page.clusters ?? []));
        token = page.nextToken || undefined;
    } while (token);
    const out: ClusterInfo[] = [];
    for (const name of names) {
        try {
            const cluster = await describeCluster(session, name, what);
            if (cluster.tags?.[CLUSTER_TAG] !== undefined) out.push(await readCluster(session, cluster, what));
        } catch (err) {
            if (!isAwsNotFound(err)) throw err;
        }
    }
    return out;
}

/**
 * Cluster plus node groups plus their nodes. `known` node groups (fresh from a wait) are not
 * re-read; known `names` spare the ListNodegroups call.
 */
async function readCluster(
    session: AwsSession,
    cluster: Cluster,
    what: string,
    known?: Nodegroup[],
    names?: string[],
): Promise<ClusterInfo> {
    const name = cluster.name as string;
    const readGroups = async (): Promise<Array<Nodegroup | undefined>> => {
        if (known) return known;
        const list = names ?? (await listNodegroupNames(session, name, what));
        return Promise.all(
            list.map(async ng => {
                try {
                    return await describeNodegroup(session, name, ng, what);
                } catch (err) {
                    if (isAwsNotFound(err)) return undefined;
                    throw err;
                }
            }),
        );
    };
    const [groups, nodes] = await Promise.all([readGroups(), describeNodes(session, name, undefined, what)]);
    const nodeGroups = groups
        .filter((g): g is Nodegroup => g !== undefined)
        .map(g => toNodeGroupInfo(g, nodes.get(g.nodegroupName as string) ?? []));
    return toClusterInfo(cluster, nodeGroups, session.clients.region, session.ctx.config?.awsProfile);
}

export async function getNodeGroup(session: AwsSession, clusterIid: Iid, ngIid: Iid): Promise<NodeGroupInfo> {
    const { name, ngName } = namesOf(clusterIid, ngIid);
    const what = `reading NodeGroup (${ngName}) of Cluster (${name})`;
    return toNodeGroupInfoWithNodes(session, name, await describeNodegroup(session, name, ngName, what), what);
}

// ---------------------------------------------------------------------------------------------
// changes

export async function changeNodeGroupScaling(
    session: AwsSession,
    clusterIid: Iid,
    ngIid: Iid,
    scaling: ScalingReq,
): Promise<NodeGroupInfo> {
    const { name, ngName } = namesOf(clusterIid, ngIid);
    const what = `scaling NodeGroup (${ngName}) of Cluster (${name})`;
    throwIfIssues(validateScaling(scaling));
    let ng = await describeNodegroup(session, name, ngName, what);
    const off = ng.tags?.[AUTOSCALING_TAG] === "off";
    if (off) {
        await tagNodegroup(session, ng, autoscalingOffTags(scaling.minNodeSize, scaling.maxNodeSize), what);
    }
    const target = off
        ? pinnedScaling(scaling.desiredNodeSize)
        : { minSize: scaling.minNodeSize, maxSize: scaling.maxNodeSize, desiredSize: scaling.desiredNodeSize };
    ng = await applyScaling(session, name, ng, target, what);
    return toNodeGroupInfoWithNodes(session, name, ng, what);
}

export async function setNodeGroupAutoScaling(
    session: AwsSession,
    clusterIid: Iid,
    ngIid: Iid,
    on: boolean,
): Promise<NodeGroupInfo> {
    const { name, ngName } = namesOf(clusterIid, ngIid);
    const what = `turning autoscaling ${on ? "on" : "off"} for NodeGroup (${ngName}) of Cluster (${name})`;
    let ng = await describeNodegroup(session, name, ngName, what);
    const sc = ng.scalingConfig ?? {};
    const isOff = ng.tags?.[AUTOSCALING_TAG] === "off";
    if (on === !isOff) return toNodeGroupInfoWithNodes(session, name, ng, what);
    const desired = sc.desiredSize ?? 0;
    if (!on) {
        // Remember the bounds first, so an interruption never loses them.
        await tagNodegroup(session, ng, autoscalingOffTags(sc.minSize ?? 0, sc.maxSize ?? 1), what);
        ng = await applyScaling(session, name, ng, pinnedScaling(desired), what);
    } else {
        const min = Number(ng.tags?.[AUTOSCALING_MIN_TAG] ?? sc.minSize ?? 0);
        const max = Number(ng.tags?.[AUTOSCALING_MAX_TAG] ?? sc.maxSize ?? 1);
        ng = await applyScaling(
            session,
            name,
            ng,
            { minSize: min, maxSize: max, desiredSize: Math.min(max, Math.max(min, desired)) },
            what,
        );
        const keys = [AUTOSCALING_TAG, AUTOSCALING_MIN_TAG, AUTOSCALING_MAX_TAG];
        await aws(what, () =>
            session.clients.eks.send(new UntagResourceCommand({ resourceArn: ng.nodegroupArn, tagKeys: keys })),
        );
        ng.tags = Object.fromEntries(Object.entries(ng.tags ?? {}).filter(([k]) => !keys.includes(k)));
    }
    return toNodeGroupInfoWithNodes(session, name, ng, what);
}

async function tagNodegroup(
    session: AwsSession,
    ng: Nodegroup,
    tags: Record<string, string>,
    what: string,
): Promise<void> {
    if (Object.entries(tags).every(([k, v]) => ng.tags?.[k] === v)) return;
    await aws(what, () => session.clients.eks.send(new TagResourceCommand({ resourceArn: ng.nodegroupArn, tags })));
    ng.tags = { ...(ng.tags ?? {}), ...tags };
}

/** UpdateNodegroupConfig and its DescribeUpdate wait; no call when nothing changes. */
async function applyScaling(
    session: AwsSession,
    cluster: string,
    ng: Nodegroup,
    target: { minSize: number; maxSize: number; desiredSize: number },
    what: string,
): Promise<Nodegroup> {
    const sc = ng.scalingConfig ?? {};
    const ngName = ng.nodegroupName as string;
    if (sc.minSize === target.minSize && sc.maxSize === target.maxSize && sc.desiredSize === target.desiredSize)
        return ng;
    const command = new UpdateNodegroupConfigCommand({
        clusterName: cluster,
        nodegroupName: ngName,
        scalingConfig: target,
    });
    await updateAndWait(session, what, { cluster, nodegroup: ngName, property: "scaling" }, () =>
        session.clients.eks.send(command),
    );
    return describeNodegroup(session, cluster, ngName, what);
}

/**
 * Steps the control plane one minor version at a time (EKS refuses skipping); before each step
 * and after the last, every node group is brought to the control plane's version, concurrently.
 */
export async function upgradeCluster(session: AwsSession, clusterIid: Iid, version: string): Promise<ClusterInfo> {
    const name = clusterName(clusterIid);
    const what = `upgrading Cluster (${name}) to ${version}`;
    throwIfIssues(validateVersion(version));
    const cluster = await describeCluster(session, name, what);
    let current = cluster.version as string;
    if (minor(version) < minor(current)) {
        throw new ValidationError([
            { property: "version", reason: `${what}: the cluster runs ${current}; EKS cannot downgrade` },
        ]);
    }
    const names = await listNodegroupNames(session, name, what);
    const versions = new Map<string, string>();
    for (const ng of names) versions.set(ng, (await describeNodegroup(session, name, ng, what)).version ?? current);
    // EKS updates the control plane one minor version at a time, and only while every managed node
    // group runs its current version: before each step the lagging groups catch up, concurrently.
    let upgraded = false;
    while (minor(current) < minor(version)) {
        const next = `${major(current)}.${minor(current) + 1}`;
        await catchUpNodegroups(session, name, versions, current, what);
        session.log(`${what}: control plane ${current} → ${next}`);
        const command = new UpdateClusterVersionCommand({ name, version: next });
        await updateAndWait(session, what, { cluster: name, property: "version" }, () =>
            session.clients.eks.send(command),
        );
        current = next;
        upgraded = true;
    }
    // Node groups lagging behind a control plane already on `version` (an interrupted upgrade) too.
    upgraded = (await catchUpNodegroups(session, name, versions, version, what)) || upgraded;
    return readCluster(
        session,
        upgraded ? await describeCluster(session, name, what) : cluster,
        what,
        undefined,
        names,
    );
}

/** Brings every node group not on `version` to it, all at once (EKS updates node groups in parallel). */
async function catchUpNodegroups(
    session: AwsSession,
    cluster: string,
    versions: Map<string, string>,
    version: string,
    what: string,
): Promise<boolean> {
    const lagging = [...versions].filter(([, v]) => v !== version).map(([ng]) => ng);
    await allOrFirstError(
        lagging.map(async ng => {
            await upgradeNodegroup(session, cluster, ng, version, what);
            versions.set(ng, version);
        }),
    );
    return lagging.length > 0;
}

async function upgradeNodegroup(
    session: AwsSession,
    cluster: string,
    ng: string,
    version: string,
    what: string,
): Promise<void> {
    session.log(`${what}: node group ${ng} → ${version}`);
    const command = new UpdateNodegroupVersionCommand({ clusterName: cluster, nodegroupName: ng, version });
    await updateAndWait(session, what, { cluster, nodegroup: ng, property: "version" }, () =>
        session.clients.eks.send(command),
    );
}

/**
 * UpdateClusterConfig `resourcesVpcConfig`, one update per kind (subnets first, then security
 * groups), each waited on with DescribeUpdate. The VPC and two-zone rules are checked here
 * before any write; EKS itself refuses a zone outside those chosen at creation (which its API
 * does not report), and that refusal comes from the first write, so nothing has changed then.
 */
export async function changeClusterNetwork(
    session: AwsSession,
    clusterIid: Iid,
    change: ClusterNetworkChange,
): Promise<ClusterNetwork> {
    const name = clusterName(clusterIid);
    const what = `changing the network of Cluster (${name})`;
    throwIfIssues(validateClusterNetwork(change));
    const cluster = await describeCluster(session, name, what);
    const vpc = cluster.resourcesVpcConfig?.vpcId ?? "";
    const problems = await placementIssues(session, vpc, change, what);
    if (problems.length) throw new ValidationError(problems.map(p => ({ ...p, reason: `${what}: ${p.reason}` })));
    const updates: Array<["subnetIds" | "securityGroupIds", string[] | undefined, string]> = [
        ["subnetIds", change.subnets, "network.subnets"],
        ["securityGroupIds", change.securityGroups, "network.securityGroups"],
    ];
    for (const [key, value, property] of updates) {
        if (!value) continue;
        session.log(`${what}: UpdateClusterConfig ${key} ${value.join(", ") || "(none)"}`);
        const command = new UpdateClusterConfigCommand({ name, resourcesVpcConfig: { [key]: value } });
        await updateAndWait(session, what, { cluster: name, property }, () => session.clients.eks.send(command));
    }
    const after = (await describeCluster(session, name, what)).resourcesVpcConfig ?? {};
    const sorted = (ids: string[] | undefined): string[] => [...(ids ?? [])].sort();
    return { vpc, subnets: sorted(after.subnetIds), securityGroups: sorted(after.securityGroupIds) };
}

/** The label and taint payloads from the node group's current ones to the wanted ones; absent when equal. */
function labelsPayload(
    current: Record<string, string>,
    wanted: Record<string, string>,
): UpdateLabelsPayload | undefined {
    const add = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current[key] !== value));
    const remove = Object.keys(current).filter(key => !(key in wanted));
    if (Object.keys(add).length === 0 && remove.length === 0) return undefined;
    return {
        ...(Object.keys(add).length ? { addOrUpdateLabels: add } : {}),
        ...(remove.length ? { removeLabels: remove } : {}),
    };
}

function taintsPayload(current: Taint[], wanted: Taint[]): UpdateTaintsPayload | undefined {
    const id = (taint: Taint): string => `${taint.key}:${taint.effect}`;
    const same = (left: Taint, right: Taint): boolean =>
        id(left) === id(right) && (left.value ?? "") === (right.value ?? "");
    const add = wanted.filter(taint => !current.some(have => same(have, taint)));
    // A taint whose value changes is updated in place (same key and effect), not removed.
    const remove = current.filter(have => !wanted.some(taint => id(taint) === id(have)));
    if (add.length === 0 && remove.length === 0) return undefined;
    return {
        ...(add.length ? { addOrUpdateTaints: add.map(toEksTaint) } : {}),
        ...(remove.length ? { removeTaints: remove.map(toEksTaint) } : {}),
    };
}

/**
 * Labels, taints and update config in one UpdateNodegroupConfig (EKS takes them together), the
 * additions and removals computed from what the node group has now; no call when nothing differs.
 */
export async function changeNodeGroupConfig(
    session: AwsSession,
    clusterIid: Iid,
    ngIid: Iid,
    change: NodeGroupConfigChange,
): Promise<NodeGroupInfo> {
    const { name, ngName } = namesOf(clusterIid, ngIid);
    const what = `changing the labels, taints or update config of NodeGroup (${ngName}) of Cluster (${name})`;
    let ng = await describeNodegroup(session, name, ngName, what);
    const labels = change.labels && labelsPayload(ng.labels ?? {}, change.labels);
    const taints = change.taints && taintsPayload((ng.taints ?? []).map(fromEksTaint), change.taints);
    const wanted = change.maxUnavailable;
    const updateConfig =
        wanted !== undefined && wanted !== fromUpdateConfig(ng.updateConfig) ? toUpdateConfig(wanted) : undefined;
    if (labels || taints || updateConfig) {
        session.log(`${what}: UpdateNodegroupConfig`);
        const input = { clusterName: name, nodegroupName: ngName, labels, taints, updateConfig };
        const command = new UpdateNodegroupConfigCommand(input);
        const property = labels ? "labels" : taints ? "taints" : "maxUnavailable";
        await updateAndWait(session, what, { cluster: name, nodegroup: ngName, property }, () =>
            session.clients.eks.send(command),
        );
        ng = await describeNodegroup(session, name, ngName, what);
    }
    return toNodeGroupInfoWithNodes(session, name, ng, what);
}

/**
 * Endpoint access, then logging: EKS allows one update type per UpdateClusterConfig call, so one
 * call per kind that changed, each waited on with DescribeUpdate before the next.
 */
export async function changeClusterAccess(
    session: AwsSession,
    clusterIid: Iid,
    change: ClusterAccessChange,
): Promise<ClusterInfo> {
    const name = clusterName(clusterIid);
    const what = `changing the endpoint access or logging of Cluster (${name})`;
    throwIfIssues(validateClusterAccess(change));
    const cluster = await describeCluster(session, name, what);
    const updates: Array<[string, UpdateClusterConfigCommand]> = [];
    // EKS refuses an update that changes nothing: a kind already as wanted is skipped.
    const access = endpointAccessOf(cluster.resourcesVpcConfig ?? {});
    if (change.endpointAccess && !sameEndpointAccess(access, change.endpointAccess)) {
        const resourcesVpcConfig = endpointConfig(change.endpointAccess);
        updates.push(["endpointAccess", new UpdateClusterConfigCommand({ name, resourcesVpcConfig })]);
    }
    const logs = (types: readonly string[]): string => [...types].sort().join(",");
    if (change.logging && logs(enabledLogTypes(cluster.logging)) !== logs(change.logging)) {
        updates.push(["logging", new UpdateClusterConfigCommand({ name, logging: toLogging(change.logging) })]);
    }
    for (const [property, command] of updates) {
        session.log(`${what}: UpdateClusterConfig ${property}`);
        await updateAndWait(session, what, { cluster: name, property }, () => session.clients.eks.send(command));
    }
    return readCluster(session, updates.length ? await describeCluster(session, name, what) : cluster, what);
}

function sameEndpointAccess(left: EndpointAccess, right: EndpointAccess): boolean {
    const cidrs = (access: EndpointAccess): string => [...access.publicCidrs].sort().join(",");
    return left.public === right.public && left.private === right.private && cidrs(left) === cidrs(right);
}

/** As EKS checks a network change: subnets of the cluster's VPC in two zones or more, security groups of that VPC. */
async function placementIssues(
    session: AwsSession,
    vpc: string,
    change: ClusterNetworkChange,
    what: string,
): Promise<FieldIssue[]> {
    const subnets = change.subnets ?? [];
    const groups = change.securityGroups ?? [];
    const issues: FieldIssue[] = [];
    if (subnets.length > 0) {
        const where = { property: "network.subnets", owner: "the cluster", what };
        const inVpc = await subnetsInVpc(session, subnets, vpc, where);
        const zones = [...new Set(inVpc.found.map(s => s.AvailabilityZone))];
        issues.push(...inVpc.issues);
        if (inVpc.issues.length === 0 && zones.length < 2) {
            const reason = `EKS needs subnets in at least two availability zones; these are all in ${zones.join(", ")}`;
            issues.push({ property: "network.subnets", reason });
        }
    }
    if (groups.length === 0) return issues;
    const describe = () => session.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groups }));
    const found = (await aws(what, describe, { property: "network.securityGroups" })).SecurityGroups ?? [];
    groups.forEach((group, i) => {
        const property = `network.securityGroups[${i}]`;
        const described = found.find(f => f.GroupId === group);
        if (!described) issues.push({ property, reason: `security group ${group} does not exist` });
        else if (described.VpcId !== vpc) {
            const reason = `security group ${group} is in ${described.VpcId}, not in the cluster's VPC ${vpc}`;
            issues.push({ property, reason });
        }
    });
    return issues;
}

export async function changeClusterTags(
    session: AwsSession,
    clusterIid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const name = clusterName(clusterIid);
    const what = `changing the tags of Cluster (${name})`;
    throwIfIssues(validateTags(tags));
    const cluster = await describeCluster(session, name, what);
    const current = userTags(cluster.tags);
    const removed = Object.keys(current).filter(k => !(k in tags));
    const changed = Object.fromEntries(Object.entries(tags).filter(([k, v]) => current[k] !== v));
    if (removed.length)
        await aws(
            what,
            () => session.clients.eks.send(new UntagResourceCommand({ resourceArn: cluster.arn, tagKeys: removed })),
            { property: "tags" },
        );
    if (Object.keys(changed).length)
        await aws(
            what,
            () => session.clients.eks.send(new TagResourceCommand({ resourceArn: cluster.arn, tags: changed })),
            {
                property: "tags",
            },
        );
    return { ...tags };
}

// ---------------------------------------------------------------------------------------------
// delete

/** Node groups first (EKS refuses to delete a cluster that has any), then the cluster. */
export async function deleteCluster(session: AwsSession, iid: Iid): Promise<void> {
    const name = clusterName(iid);
    const what = `deleting Cluster (${name})`;
    let groups: string[];
    try {
        groups = await listNodegroupNames(session, name, what);
    } catch (err) {
        if (isAwsNotFound(err)) return;
        throw err;
    }
    const results = await Promise.allSettled(groups.map(ng => deleteNodegroupAndWait(session, name, ng, what)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    await deleteClusterAndWait(session, name, what);
}

export async function removeNodeGroup(session: AwsSession, clusterIid: Iid, ngIid: Iid): Promise<void> {
    const { name, ngName } = namesOf(clusterIid, ngIid);
    await deleteNodegroupAndWait(session, name, ngName, `removing NodeGroup (${ngName}) from Cluster (${name})`);
}

export const changeNodeGroupMachines = refuseMachineChange<AwsSession>("aws");
