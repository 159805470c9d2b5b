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
} from "@aws-sdk/client-eks";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import type {
    ClusterHandler,
    ClusterInfo,
    ClusterNetwork,
    ClusterNetworkChange,
    ClusterReq,
    Iid,
    NodeGroupInfo,
    NodeGroupReq,
    ScalingReq,
} from "../../interface/driver";
import { asPartConflict, FieldIssue, ValidationError } from "../../interface/errors";
import { allOrFirstError, withRetries } from "../../interface/wait";
import { AwsCtx, aws, isAwsNotFound, subnetsInVpc, undoAll, withRollbackFailures } from "./clients";
import { ensureRole } from "./roles";
import {
    validateCluster,
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
    userTags,
    waitClusterActive,
    waitNodegroupActive,
    waitUpdate,
} from "./eks";

export function openCluster(a: AwsCtx): ClusterHandler {
    return {
        createCluster: req => createCluster(a, req),
        listCluster: () => listCluster(a),
        getCluster: iid => getCluster(a, iid),
        deleteCluster: iid => deleteCluster(a, iid),
        addNodeGroup: (c, req) => addNodeGroup(a, c, req),
        getNodeGroup: (c, ng) => getNodeGroup(a, c, ng),
        setNodeGroupAutoScaling: (c, ng, on) => setNodeGroupAutoScaling(a, c, ng, on),
        changeNodeGroupScaling: (c, ng, s) => changeNodeGroupScaling(a, c, ng, s),
        removeNodeGroup: (c, ng) => removeNodeGroup(a, c, ng),
        upgradeCluster: (c, version) => upgradeCluster(a, c, version),
        changeClusterTags: (c, tags) => changeClusterTags(a, c, tags),
        changeClusterNetwork: (c, change) => changeClusterNetwork(a, c, change),
    };
}

// ---------------------------------------------------------------------------------------------
// create

async function createCluster(a: AwsCtx, req: ClusterReq): Promise<ClusterInfo> {
    const name = req.iid.nameId;
    const what = `creating Cluster (${name})`;
    const issues = validateCluster(req);
    if (issues.length) throw new ValidationError(issues);

    // Independent IAM checks: both roles at once.
    const [clusterRole, nodeRole] = await Promise.all([
        ensureRole(a, "cluster", what),
        req.nodeGroups.length ? ensureRole(a, "node", what).then(r => r.arn) : Promise.resolve(""),
    ]);
    const undo: Array<() => Promise<void>> = [];
    try {
        await createClusterCall(a, req, clusterRole, what);
        undo.push(() => deleteClusterAndWait(a, name, `undoing ${what}`));
        const cluster = await waitClusterActive(a, name, what, a.timeout("cluster", "create"));

        // Node groups come up in parallel; each one's undo is recorded as soon as it exists.
        const results = await Promise.allSettled(
            req.nodeGroups.map(async ng => {
                await createNodegroupCall(a, name, cluster, ng, nodeRole, what);
                undo.push(() => deleteNodegroupAndWait(a, name, ng.iid.nameId, `undoing ${what}`));
                return waitNodegroupActive(a, name, ng.iid.nameId, what);
            }),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        const groups = results.map(r => (r as PromiseFulfilledResult<Nodegroup>).value);
        // The last polls already hold the final state; only the nodes are still unknown.
        return await readCluster(a, cluster, what, groups);
    } catch (err) {
        a.log(`${what} failed; removing the ${undo.length} part(s) created so far`);
        // Before the first part exists, a conflict is the object's own name: nothing was created.
        throw withRollbackFailures(undo.length > 0 ? asPartConflict(err) : err, what, await undoAll(undo));
    }
}

async function createClusterCall(
    a: AwsCtx,
    req: ClusterReq,
    role: { arn: string; created: boolean },
    what: string,
): Promise<void> {
    const poll = a.poll("cluster");
    const send = (): Promise<unknown> =>
        aws(
            what,
            () =>
                a.clients.eks.send(
                    new CreateClusterCommand({
                        name: req.iid.nameId,
                        version: req.version,
                        roleArn: role.arn,
                        resourcesVpcConfig: {
                            subnetIds: req.network.subnets,
                            securityGroupIds: req.network.securityGroups,
                            endpointPublicAccess: true,
                        },
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
    a: AwsCtx,
    clusterName: string,
    cluster: Cluster,
    ng: NodeGroupReq,
    nodeRole: string,
    what: string,
): Promise<void> {
    const pinned = !ng.onAutoScaling;
    await aws(
        what,
        () =>
            a.clients.eks.send(
                new CreateNodegroupCommand({
                    clusterName,
                    nodegroupName: ng.iid.nameId,
                    nodeRole,
                    subnets: cluster.resourcesVpcConfig?.subnetIds ?? [],
                    instanceTypes: [ng.vmSpec],
                    amiType: (ng.image || defaultAmiType(ng.vmSpec)) as Nodegroup["amiType"],
                    ...(ng.rootDiskSize ? { diskSize: ng.rootDiskSize } : {}),
                    ...(ng.keyPair ? { remoteAccess: { ec2SshKey: ng.keyPair } } : {}),
                    version: cluster.version,
                    scalingConfig: pinned
                        ? {
                              minSize: ng.desiredNodeSize,
                              maxSize: Math.max(1, ng.desiredNodeSize),
                              desiredSize: ng.desiredNodeSize,
                          }
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

/** Graviton families (m6g, t4g, c7gn, …) need the ARM image; everything else runs x86_64. */
function defaultAmiType(instanceType: string): string {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

function autoscalingOffTags(min: number, max: number): Record<string, string> {
    return { [AUTOSCALING_TAG]: "off", [AUTOSCALING_MIN_TAG]: String(min), [AUTOSCALING_MAX_TAG]: String(max) };
}

async function addNodeGroup(a: AwsCtx, clusterIid: Iid, req: NodeGroupReq): Promise<NodeGroupInfo> {
    const name = clusterName(clusterIid);
    const what = `adding NodeGroup (${req.iid.nameId}) to Cluster (${name})`;
    const issues = validateNodeGroup(req);
    if (issues.length) throw new ValidationError(issues);
    const cluster = await describeCluster(a, name, what);
    const nodeRole = (await ensureRole(a, "node", what)).arn;
    await createNodegroupCall(a, name, cluster, req, nodeRole, what);
    try {
        const ng = await waitNodegroupActive(a, name, req.iid.nameId, what);
        return await toNodeGroupInfoWithNodes(a, name, ng, what);
    } catch (err) {
        throw withRollbackFailures(
            err,
            what,
            await undoAll([() => deleteNodegroupAndWait(a, name, req.iid.nameId, `undoing ${what}`)]),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// read

async function getCluster(a: AwsCtx, iid: Iid): Promise<ClusterInfo> {
    const name = clusterName(iid);
    const what = `reading Cluster (${name})`;
    return readCluster(a, await describeCluster(a, name, what), what);
}

async function listCluster(a: AwsCtx): Promise<ClusterInfo[]> {
    const what = "listing Clusters";
    const names: string[] = [];
    let token: string | undefined;
    do {
        const page = await aws(what, () => a.clients.eks.send(new ListClustersCommand({ nextToken: token })));
        names.push(...(page.clusters ?? []));
        token = page.nextToken || undefined;
    } while (token);
    const out: ClusterInfo[] = [];
    for (const name of names) {
        try {
            const cluster = await describeCluster(a, name, what);
            if (cluster.tags?.[CLUSTER_TAG] !== undefined) out.push(await readCluster(a, cluster, what));
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
    a: AwsCtx,
    cluster: Cluster,
    what: string,
    known?: Nodegroup[],
    names?: string[],
): Promise<ClusterInfo> {
    const name = cluster.name as string;
    const readGroups = async (): Promise<Array<Nodegroup | undefined>> => {
        if (known) return known;
        const list = names ?? (await listNodegroupNames(a, name, what));
        return Promise.all(
            list.map(async ng => {
                try {
                    return await describeNodegroup(a, name, ng, what);
                } catch (err) {
                    if (isAwsNotFound(err)) return undefined;
                    throw err;
                }
            }),
        );
    };
    const [groups, nodes] = await Promise.all([readGroups(), describeNodes(a, name, undefined, what)]);
    const nodeGroups = groups
        .filter((g): g is Nodegroup => g !== undefined)
        .map(g => toNodeGroupInfo(g, nodes.get(g.nodegroupName as string) ?? []));
    return toClusterInfo(cluster, nodeGroups, a.clients.region, a.ctx.config?.awsProfile);
}

async function getNodeGroup(a: AwsCtx, clusterIid: Iid, ngIid: Iid): Promise<NodeGroupInfo> {
    const name = clusterName(clusterIid);
    const ngName = nodeGroupName(ngIid);
    const what = `reading NodeGroup (${ngName}) of Cluster (${name})`;
    return toNodeGroupInfoWithNodes(a, name, await describeNodegroup(a, name, ngName, what), what);
}

// ---------------------------------------------------------------------------------------------
// changes

async function changeNodeGroupScaling(
    a: AwsCtx,
    clusterIid: Iid,
    ngIid: Iid,
    scaling: ScalingReq,
): Promise<NodeGroupInfo> {
    const name = clusterName(clusterIid);
    const ngName = nodeGroupName(ngIid);
    const what = `scaling NodeGroup (${ngName}) of Cluster (${name})`;
    const issues = validateScaling(scaling);
    if (issues.length) throw new ValidationError(issues);
    let ng = await describeNodegroup(a, name, ngName, what);
    const off = ng.tags?.[AUTOSCALING_TAG] === "off";
    if (off) {
        await tagNodegroup(a, ng, autoscalingOffTags(scaling.minNodeSize, scaling.maxNodeSize), what);
    }
    const target = off
        ? {
              minSize: scaling.desiredNodeSize,
              maxSize: Math.max(1, scaling.desiredNodeSize),
              desiredSize: scaling.desiredNodeSize,
          }
        : { minSize: scaling.minNodeSize, maxSize: scaling.maxNodeSize, desiredSize: scaling.desiredNodeSize };
    ng = await applyScaling(a, name, ng, target, what);
    return toNodeGroupInfoWithNodes(a, name, ng, what);
}

async function setNodeGroupAutoScaling(a: AwsCtx, clusterIid: Iid, ngIid: Iid, on: boolean): Promise<NodeGroupInfo> {
    const name = clusterName(clusterIid);
    const ngName = nodeGroupName(ngIid);
    const what = `turning autoscaling ${on ? "on" : "off"} for NodeGroup (${ngName}) of Cluster (${name})`;
    let ng = await describeNodegroup(a, name, ngName, what);
    const sc = ng.scalingConfig ?? {};
    const isOff = ng.tags?.[AUTOSCALING_TAG] === "off";
    if (on === !isOff) return toNodeGroupInfoWithNodes(a, name, ng, what);
    const desired = sc.desiredSize ?? 0;
    if (!on) {
        // Remember the bounds first, so an interruption never loses them.
        await tagNodegroup(a, ng, autoscalingOffTags(sc.minSize ?? 0, sc.maxSize ?? 1), what);
        ng = await applyScaling(
            a,
            name,
            ng,
            { minSize: desired, maxSize: Math.max(1, desired), desiredSize: desired },
            what,
        );
    } else {
        const min = Number(ng.tags?.[AUTOSCALING_MIN_TAG] ?? sc.minSize ?? 0);
        const max = Number(ng.tags?.[AUTOSCALING_MAX_TAG] ?? sc.maxSize ?? 1);
        ng = await applyScaling(
            a,
            name,
            ng,
            { minSize: min, maxSize: max, desiredSize: Math.min(max, Math.max(min, desired)) },
            what,
        );
        const keys = [AUTOSCALING_TAG, AUTOSCALING_MIN_TAG, AUTOSCALING_MAX_TAG];
        await aws(what, () =>
            a.clients.eks.send(new UntagResourceCommand({ resourceArn: ng.nodegroupArn, tagKeys: keys })),
        );
        ng.tags = Object.fromEntries(Object.entries(ng.tags ?? {}).filter(([k]) => !keys.includes(k)));
    }
    return toNodeGroupInfoWithNodes(a, name, ng, what);
}

async function tagNodegroup(a: AwsCtx, ng: Nodegroup, tags: Record<string, string>, what: string): Promise<void> {
    if (Object.entries(tags).every(([k, v]) => ng.tags?.[k] === v)) return;
    await aws(what, () => a.clients.eks.send(new TagResourceCommand({ resourceArn: ng.nodegroupArn, tags })));
    ng.tags = { ...(ng.tags ?? {}), ...tags };
}

/** UpdateNodegroupConfig and its DescribeUpdate wait; no call when nothing changes. */
async function applyScaling(
    a: AwsCtx,
    cluster: string,
    ng: Nodegroup,
    target: { minSize: number; maxSize: number; desiredSize: number },
    what: string,
): Promise<Nodegroup> {
    const sc = ng.scalingConfig ?? {};
    const ngName = ng.nodegroupName as string;
    if (sc.minSize === target.minSize && sc.maxSize === target.maxSize && sc.desiredSize === target.desiredSize)
        return ng;
    const update = (
        await aws(
            what,
            () =>
                a.clients.eks.send(
                    new UpdateNodegroupConfigCommand({
                        clusterName: cluster,
                        nodegroupName: ngName,
                        scalingConfig: target,
                    }),
                ),
            { property: "scaling" },
        )
    ).update;
    await waitUpdate(a, cluster, update, what, ngName);
    const after = await describeNodegroup(a, cluster, ngName, what);
    return after;
}

/**
 * Steps the control plane one minor version at a time (EKS refuses skipping); before each step
 * and after the last, every node group is brought to the control plane's version, concurrently.
 */
async function upgradeCluster(a: AwsCtx, clusterIid: Iid, version: string): Promise<ClusterInfo> {
    const name = clusterName(clusterIid);
    const what = `upgrading Cluster (${name}) to ${version}`;
    const issues = validateVersion(version);
    if (issues.length) throw new ValidationError(issues);
    const cluster = await describeCluster(a, name, what);
    let current = cluster.version as string;
    if (minor(version) < minor(current)) {
        throw new ValidationError([
            { property: "version", reason: `${what}: the cluster runs ${current}; EKS cannot downgrade` },
        ]);
    }
    const names = await listNodegroupNames(a, name, what);
    const versions = new Map<string, string>();
    for (const ng of names) versions.set(ng, (await describeNodegroup(a, name, ng, what)).version ?? current);
    // EKS updates the control plane one minor version at a time, and only while every managed node
    // group runs its current version: before each step the lagging groups catch up, concurrently.
    let upgraded = false;
    while (minor(current) < minor(version)) {
        const next = `${major(current)}.${minor(current) + 1}`;
        upgraded = (await catchUpNodegroups(a, name, versions, current, what)) || upgraded;
        a.log(`${what}: control plane ${current} → ${next}`);
        const send = () => a.clients.eks.send(new UpdateClusterVersionCommand({ name, version: next }));
        const update = (await aws(what, send, { property: "version" })).update;
        await waitUpdate(a, name, update, what);
        current = next;
        upgraded = true;
    }
    upgraded = (await catchUpNodegroups(a, name, versions, version, what)) || upgraded;
    return readCluster(a, upgraded ? await describeCluster(a, name, what) : cluster, what, undefined, names);
}

/** Brings every node group not on `version` to it, all at once (EKS updates node groups in parallel). */
async function catchUpNodegroups(
    a: AwsCtx,
    cluster: string,
    versions: Map<string, string>,
    version: string,
    what: string,
): Promise<boolean> {
    const lagging = [...versions].filter(([, v]) => v !== version).map(([ng]) => ng);
    await allOrFirstError(
        lagging.map(async ng => {
            await upgradeNodegroup(a, cluster, ng, version, what);
            versions.set(ng, version);
        }),
    );
    return lagging.length > 0;
}

async function upgradeNodegroup(a: AwsCtx, cluster: string, ng: string, version: string, what: string): Promise<void> {
    a.log(`${what}: node group ${ng} → ${version}`);
    const update = (
        await aws(
            what,
            () =>
                a.clients.eks.send(
                    new UpdateNodegroupVersionCommand({
                        clusterName: cluster,
                        nodegroupName: ng,
                        version,
                    }),
                ),
            { property: "version" },
        )
    ).update;
    await waitUpdate(a, cluster, update, what, ng);
}

/**
 * UpdateClusterConfig `resourcesVpcConfig`, one update per kind (subnets first, then security
 * groups), each waited on with DescribeUpdate. The VPC and two-zone rules are checked here
 * before any write; EKS itself refuses a zone outside those chosen at creation (which its API
 * does not report), and that refusal comes from the first write, so nothing has changed then.
 */
async function changeClusterNetwork(a: AwsCtx, clusterIid: Iid, change: ClusterNetworkChange): Promise<ClusterNetwork> {
    const name = clusterName(clusterIid);
    const what = `changing the network of Cluster (${name})`;
    const issues = validateClusterNetwork(change);
    if (issues.length) throw new ValidationError(issues);
    const cluster = await describeCluster(a, name, what);
    const vpc = cluster.resourcesVpcConfig?.vpcId ?? "";
    const problems = [
        ...(await subnetPlacementIssues(a, vpc, change.subnets ?? [], what)),
        ...(await securityGroupPlacementIssues(a, vpc, change.securityGroups ?? [], what)),
    ];
    if (problems.length) throw new ValidationError(problems.map(p => ({ ...p, reason: `${what}: ${p.reason}` })));
    const updates: Array<["subnetIds" | "securityGroupIds", string[] | undefined, string]> = [
        ["subnetIds", change.subnets, "network.subnets"],
        ["securityGroupIds", change.securityGroups, "network.securityGroups"],
    ];
    for (const [key, value, property] of updates) {
        if (!value) continue;
        a.log(`${what}: UpdateClusterConfig ${key} ${value.join(", ") || "(none)"}`);
        const update = (
            await aws(
                what,
                () =>
                    a.clients.eks.send(
                        new UpdateClusterConfigCommand({
                            name,
                            resourcesVpcConfig: { [key]: value },
                        }),
                    ),
                { property },
            )
        ).update;
        await waitUpdate(a, name, update, what);
    }
    const after = (await describeCluster(a, name, what)).resourcesVpcConfig ?? {};
    const sorted = (ids: string[] | undefined): string[] => [...(ids ?? [])].sort();
    return { vpc, subnets: sorted(after.subnetIds), securityGroups: sorted(after.securityGroupIds) };
}

async function subnetPlacementIssues(a: AwsCtx, vpc: string, subnets: string[], what: string): Promise<FieldIssue[]> {
    if (subnets.length === 0) return [];
    const where = { property: "network.subnets", owner: "the cluster", what };
    const { found, issues } = await subnetsInVpc(a, subnets, vpc, where);
    const zones = [...new Set(found.map(s => s.AvailabilityZone))];
    if (issues.length === 0 && zones.length < 2) {
        const reason = `EKS needs subnets in at least two availability zones; these are all in ${zones.join(", ")}`;
        issues.push({ property: "network.subnets", reason });
    }
    return issues;
}

async function securityGroupPlacementIssues(
    a: AwsCtx,
    vpc: string,
    groups: string[],
    what: string,
): Promise<FieldIssue[]> {
    if (groups.length === 0) return [];
    const found =
        (
            await aws(what, () => a.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groups })), {
                property: "network.securityGroups",
            })
        ).SecurityGroups ?? [];
    return groups.flatMap((group, i) => {
        const g = found.find(f => f.GroupId === group);
        if (!g) return [{ property: `network.securityGroups[${i}]`, reason: `security group ${group} does not exist` }];
        const reason = `security group ${group} is in ${g.VpcId}, not in the cluster's VPC ${vpc}`;
        return g.VpcId === vpc ? [] : [{ property: `network.securityGroups[${i}]`, reason }];
    });
}

async function changeClusterTags(
    a: AwsCtx,
    clusterIid: Iid,
    tags: Record<string, string>,
): Promise<Record<string, string>> {
    const name = clusterName(clusterIid);
    const what = `changing the tags of Cluster (${name})`;
    const issues = validateTags(tags);
    if (issues.length) throw new ValidationError(issues);
    const cluster = await describeCluster(a, name, what);
    const current = userTags(cluster.tags);
    const removed = Object.keys(current).filter(k => !(k in tags));
    const changed = Object.fromEntries(Object.entries(tags).filter(([k, v]) => current[k] !== v));
    if (removed.length)
        await aws(
            what,
            () => a.clients.eks.send(new UntagResourceCommand({ resourceArn: cluster.arn, tagKeys: removed })),
            { property: "tags" },
        );
    if (Object.keys(changed).length)
        await aws(what, () => a.clients.eks.send(new TagResourceCommand({ resourceArn: cluster.arn, tags: changed })), {
            property: "tags",
        });
    return { ...tags };
}

// ---------------------------------------------------------------------------------------------
// delete

/** Node groups first (EKS refuses to delete a cluster that has any), then the cluster. */
async function deleteCluster(a: AwsCtx, iid: Iid): Promise<void> {
    const name = clusterName(iid);
    const what = `deleting Cluster (${name})`;
    let groups: string[];
    try {
        groups = await listNodegroupNames(a, name, what);
    } catch (err) {
        if (isAwsNotFound(err)) return;
        throw err;
    }
    const results = await Promise.allSettled(groups.map(ng => deleteNodegroupAndWait(a, name, ng, what)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    await deleteClusterAndWait(a, name, what);
}

async function removeNodeGroup(a: AwsCtx, clusterIid: Iid, ngIid: Iid): Promise<void> {
    const name = clusterName(clusterIid);
    const ngName = nodeGroupName(ngIid);
    await deleteNodegroupAndWait(a, name, ngName, `removing NodeGroup (${ngName}) from Cluster (${name})`);
}
