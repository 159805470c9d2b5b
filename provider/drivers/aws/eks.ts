/**
 * EKS building blocks of the cluster handler: reads, deletes that wait, the waits on lifecycle
 * states and updates, and the converters (including the kubeconfig).
 */
import { ownerField, ownerFromTags } from "../../interface/owner";
import { DescribeInstancesCommand, Instance } from "@aws-sdk/client-ec2";
import {
    Cluster,
    DeleteClusterCommand,
    DeleteNodegroupCommand,
    DescribeClusterCommand,
    DescribeNodegroupCommand,
    DescribeUpdateCommand,
    ListNodegroupsCommand,
    Nodegroup,
    Update,
} from "@aws-sdk/client-eks";
import type { ClusterInfo, ClusterStatus, Iid, NodeGroupInfo, NodeGroupStatus } from "../../interface/driver";
import { CloudApiError, NotFoundError } from "../../interface/errors";
import { waitUntil } from "../../interface/wait";
import { AwsCtx, aws, errorCode, isAwsNotFound, isoTime } from "./clients";

export const CLUSTER_TAG = "spider:cluster";
export const AUTOSCALING_TAG = "spider:autoscaling";
export const AUTOSCALING_MIN_TAG = "spider:autoscaling-min";
export const AUTOSCALING_MAX_TAG = "spider:autoscaling-max";

/** The cluster name from an Iid (`arn:aws:eks:r:acct:cluster/NAME` when only the ARN is known). */
export function clusterName(iid: Iid): string {
    return iid.nameId || iid.systemId.split(":cluster/")[1] || iid.systemId;
}

/** The node group name from an Iid (`…:nodegroup/CLUSTER/NAME/UUID` when only the ARN is known). */
export function nodeGroupName(iid: Iid): string {
    return iid.nameId || iid.systemId.split(":nodegroup/")[1]?.split("/")[1] || iid.systemId;
}

// ---------------------------------------------------------------------------------------------
// reads

export async function describeCluster(a: AwsCtx, name: string, what: string): Promise<Cluster> {
    const cluster = (await aws(what, () => a.clients.eks.send(new DescribeClusterCommand({ name })))).cluster;
    if (!cluster) throw new NotFoundError(`${what}: no cluster ${name}`);
    return cluster;
}

export async function describeNodegroup(a: AwsCtx, cluster: string, ng: string, what: string): Promise<Nodegroup> {
    const group = (
        await aws(what, () =>
            a.clients.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: ng })),
        )
    ).nodegroup;
    if (!group) throw new NotFoundError(`${what}: no node group ${ng} in cluster ${cluster}`);
    return group;
}

export async function listNodegroupNames(a: AwsCtx, cluster: string, what: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
        const page = await aws(what, () =>
            a.clients.eks.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken: token })),
        );
        names.push(...(page.nodegroups ?? []));
        token = page.nextToken || undefined;
    } while (token);
    return names;
}

/** EC2 instances EKS launched for the cluster, by node group (EKS tags them with both names). */
export async function describeNodes(
    a: AwsCtx,
    cluster: string,
    ng: string | undefined,
    what: string,
): Promise<Map<string, string[]>> {
    const byGroup = new Map<string, string[]>();
    let token: string | undefined;
    do {
        const page = await aws(what, () =>
            a.clients.ec2.send(
                new DescribeInstancesCommand({
                    Filters: [
                        { Name: "tag:eks:cluster-name", Values: [cluster] },
                        { Name: "instance-state-name", Values: ["pending", "running"] },
                        ...(ng ? [{ Name: "tag:eks:nodegroup-name", Values: [ng] }] : []),
                    ],
                    NextToken: token,
                }),
            ),
        );
        const instances: Instance[] = (page.Reservations ?? []).flatMap(r => r.Instances ?? []);
        for (const i of instances) {
            const group = i.Tags?.find(t => t.Key === "eks:nodegroup-name")?.Value ?? "";
            byGroup.set(group, [...(byGroup.get(group) ?? []), i.InstanceId as string].sort());
        }
        token = page.NextToken;
    } while (token);
    return byGroup;
}

export async function toNodeGroupInfoWithNodes(
    a: AwsCtx,
    cluster: string,
    ng: Nodegroup,
    what: string,
): Promise<NodeGroupInfo> {
    const nodes = await describeNodes(a, cluster, ng.nodegroupName, what);
    return toNodeGroupInfo(ng, nodes.get(ng.nodegroupName as string) ?? []);
}

// ---------------------------------------------------------------------------------------------
// deletes that wait

/** EKS answers ResourceInUse while the object is CREATING/UPDATING: wait that out, then delete. */
export async function deleteWhenSettled(call: () => Promise<unknown>, settle: () => Promise<void>): Promise<boolean> {
    try {
        try {
            await call();
        } catch (err) {
            if (errorCode((err as { cause?: unknown }).cause) !== "ResourceInUse") throw err;
            await settle();
            await call();
        }
        return true;
    } catch (err) {
        if (isAwsNotFound(err)) return false;
        throw err;
    }
}

export async function deleteNodegroupAndWait(a: AwsCtx, cluster: string, ng: string, what: string): Promise<void> {
    const deleted = await deleteWhenSettled(
        () =>
            aws(what, () =>
                a.clients.eks.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: ng })),
            ),
        () => waitNodegroupSettled(a, cluster, ng, what),
    );
    if (deleted) await waitNodegroupGone(a, cluster, ng, what);
}

export async function deleteClusterAndWait(a: AwsCtx, name: string, what: string): Promise<void> {
    const deleted = await deleteWhenSettled(
        () => aws(what, () => a.clients.eks.send(new DeleteClusterCommand({ name }))),
        () => waitClusterSettled(a, name, what),
    );
    if (deleted) await waitClusterGone(a, name, what);
}

// ---------------------------------------------------------------------------------------------
// waits

export function issuesText(
    issues: Array<{ code?: string; message?: string; resourceIds?: string[] }> | undefined,
): string {
    const list = (issues ?? []).map(
        i =>
            `${i.code ?? "Unknown"}: ${i.message ?? ""}${i.resourceIds?.length ? ` (${i.resourceIds.join(", ")})` : ""}`,
    );
    return list.length ? list.join("; ") : "EKS reported no health issues";
}

export function waitOpts(a: AwsCtx, timeoutMs: number, what: string): Parameters<typeof waitUntil>[1] {
    return { timeoutMs, ...a.poll("cluster"), what, log: a.ctx.log };
}

export async function waitClusterActive(a: AwsCtx, name: string, what: string, timeoutMs: number): Promise<Cluster> {
    return waitUntil(
        async () => {
            const c = await describeCluster(a, name, what);
            if (c.status === "ACTIVE") return { done: true, value: c };
            if (c.status === "FAILED" || c.status === "DELETING") {
                throw new CloudApiError(`${what}: cluster is ${c.status}: ${issuesText(c.health?.issues)}`);
            }
            return { done: false, state: c.status ?? "unknown" };
        },
        waitOpts(a, timeoutMs, `Cluster (${name}) to be ACTIVE`),
    );
}

/** Lets a CREATING/UPDATING cluster finish first: EKS refuses to delete it meanwhile. */
export async function waitClusterSettled(a: AwsCtx, name: string, what: string): Promise<void> {
    await waitUntil(
        async () => {
            const c = await describeCluster(a, name, what);
            const busy = c.status === "CREATING" || c.status === "UPDATING" || c.status === "PENDING";
            return busy ? { done: false, state: c.status ?? "unknown" } : { done: true, value: undefined };
        },
        waitOpts(a, a.timeout("cluster", "create"), `Cluster (${name}) to finish its current operation`),
    );
}

export async function waitClusterGone(a: AwsCtx, name: string, what: string): Promise<void> {
    await waitUntil(
        async () => {
            try {
                const c = await describeCluster(a, name, what);
                return { done: false, state: c.status ?? "unknown" };
            } catch (err) {
                if (isAwsNotFound(err)) return { done: true, value: undefined };
                throw err;
            }
        },
        waitOpts(a, a.timeout("cluster", "delete"), `Cluster (${name}) to be deleted`),
    );
}

export async function waitNodegroupActive(a: AwsCtx, cluster: string, ng: string, what: string): Promise<Nodegroup> {
    return waitUntil(
        async () => {
            const g = await describeNodegroup(a, cluster, ng, what);
            if (g.status === "ACTIVE") return { done: true, value: g };
            if (
                g.status === "CREATE_FAILED" ||
                g.status === "DEGRADED" ||
                g.status === "DELETING" ||
                g.status === "DELETE_FAILED"
            ) {
                throw new CloudApiError(`${what}: node group ${ng} is ${g.status}: ${issuesText(g.health?.issues)}`);
            }
            return { done: false, state: g.status ?? "unknown" };
        },
        waitOpts(a, a.timeout("nodegroup", "create"), `NodeGroup (${ng}) to be ACTIVE`),
    );
}

export async function waitNodegroupSettled(a: AwsCtx, cluster: string, ng: string, what: string): Promise<void> {
    await waitUntil(
        async () => {
            const g = await describeNodegroup(a, cluster, ng, what);
            const busy = g.status === "CREATING" || g.status === "UPDATING";
            return busy ? { done: false, state: g.status ?? "unknown" } : { done: true, value: undefined };
        },
        waitOpts(a, a.timeout("nodegroup", "create"), `NodeGroup (${ng}) to finish its current operation`),
    );
}

export async function waitNodegroupGone(a: AwsCtx, cluster: string, ng: string, what: string): Promise<void> {
    await waitUntil(
        async () => {
            try {
                const g = await describeNodegroup(a, cluster, ng, what);
                if (g.status === "DELETE_FAILED")
                    throw new CloudApiError(
                        `${what}: node group ${ng} is DELETE_FAILED: ${issuesText(g.health?.issues)}`,
                    );
                return { done: false, state: g.status ?? "unknown" };
            } catch (err) {
                if (isAwsNotFound(err)) return { done: true, value: undefined };
                throw err;
            }
        },
        waitOpts(a, a.timeout("nodegroup", "delete"), `NodeGroup (${ng}) to be deleted`),
    );
}

/** DescribeUpdate until Successful; Failed/Cancelled surface EKS's update errors. */
export async function waitUpdate(
    a: AwsCtx,
    cluster: string,
    update: Update | undefined,
    what: string,
    nodegroup?: string,
): Promise<Update> {
    if (!update?.id) throw new CloudApiError(`${what}: EKS returned no update id`);
    const id = update.id;
    const target = nodegroup ? `NodeGroup (${nodegroup})` : `Cluster (${cluster})`;
    return waitUntil(
        async () => {
            const u = (
                await aws(what, () =>
                    a.clients.eks.send(
                        new DescribeUpdateCommand({
                            name: cluster,
                            updateId: id,
                            ...(nodegroup ? { nodegroupName: nodegroup } : {}),
                        }),
                    ),
                )
            ).update;
            if (u?.status === "Successful") return { done: true, value: u };
            if (u?.status === "Failed" || u?.status === "Cancelled") {
                const errors = (u.errors ?? []).map(e => ({
                    code: e.errorCode,
                    message: e.errorMessage,
                    resourceIds: e.resourceIds,
                }));
                throw new CloudApiError(`${what}: update ${id} ${u.status}: ${issuesText(errors)}`);
            }
            return { done: false, state: u?.status ?? "unknown" };
        },
        waitOpts(
            a,
            a.timeout(nodegroup ? "nodegroup" : "cluster", "update"),
            `${target} update ${update.type ?? ""} to finish`,
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// converters

export function major(v: string): number {
    return Number(v.split(".")[0]);
}

export function minor(v: string): number {
    return Number(v.split(".")[1]);
}

export function userTags(tags: Record<string, string> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(tags ?? {}).filter(([k]) => !k.startsWith("spider:")));
}

export function toClusterStatus(s: string | undefined): ClusterStatus {
    switch (s) {
        case "CREATING":
        case "PENDING":
            return "Creating";
        case "ACTIVE":
            return "Active";
        case "UPDATING":
            return "Updating";
        case "DELETING":
            return "Deleting";
        default:
            return "Inactive";
    }
}

export function toNodeGroupStatus(s: string | undefined): NodeGroupStatus {
    switch (s) {
        case "CREATING":
            return "Creating";
        case "ACTIVE":
            return "Active";
        case "UPDATING":
            return "Updating";
        case "DELETING":
            return "Deleting";
        default:
            return "Inactive";
    }
}

export function toNodeGroupInfo(ng: Nodegroup, nodes: string[]): NodeGroupInfo {
    const sc = ng.scalingConfig ?? {};
    const off = ng.tags?.[AUTOSCALING_TAG] === "off";
    return {
        iid: { nameId: ng.nodegroupName ?? "", systemId: ng.nodegroupArn ?? "" },
        image: ng.amiType ?? "",
        vmSpec: ng.instanceTypes?.[0] ?? "",
        rootDiskType: "",
        rootDiskSize: Number(ng.diskSize ?? 0),
        keyPair: ng.remoteAccess?.ec2SshKey ?? "",
        onAutoScaling: !off,
        desiredNodeSize: sc.desiredSize ?? 0,
        minNodeSize: off ? Number(ng.tags?.[AUTOSCALING_MIN_TAG] ?? sc.minSize ?? 0) : (sc.minSize ?? 0),
        maxNodeSize: off ? Number(ng.tags?.[AUTOSCALING_MAX_TAG] ?? sc.maxSize ?? 0) : (sc.maxSize ?? 0),
        status: toNodeGroupStatus(ng.status),
        nodes,
        version: ng.version ?? "",
        ...ownerField(ownerFromTags(ng.tags)),
    };
}

export function toClusterInfo(c: Cluster, nodeGroups: NodeGroupInfo[], region: string, profile?: string): ClusterInfo {
    const vpc = c.resourcesVpcConfig ?? {};
    return {
        iid: { nameId: c.name ?? "", systemId: c.arn ?? "" },
        version: c.version ?? "",
        network: {
            vpc: vpc.vpcId ?? "",
            subnets: [...(vpc.subnetIds ?? [])],
            securityGroups: [...(vpc.securityGroupIds ?? [])],
        },
        nodeGroups,
        endpoint: c.endpoint ?? "",
        kubeconfig: c.endpoint ? toKubeconfig(c, region, profile) : "",
        status: toClusterStatus(c.status),
        createdTime: isoTime(c.createdAt),
        tags: userTags(c.tags),
        ...ownerField(ownerFromTags(c.tags)),
        keyValues: {
            arn: c.arn ?? "",
            status: c.status ?? "",
            roleArn: c.roleArn ?? "",
            platformVersion: c.platformVersion ?? "",
            clusterSecurityGroupId: vpc.clusterSecurityGroupId ?? "",
            oidcIssuer: c.identity?.oidc?.issuer ?? "",
            health: issuesText(c.health?.issues),
        },
    };
}

/**
 * A kubeconfig that authenticates with `aws eks get-token`, the exec plugin kubectl runs for
 * EKS (needs the AWS CLI v2 on PATH). Scalars are JSON-quoted, which YAML reads verbatim.
 */
export function toKubeconfig(c: Cluster, region: string, profile?: string): string {
    const q = (s: string): string => JSON.stringify(s);
    const arn = c.arn ?? c.name ?? "eks";
    const lines = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: " + q(arn),
        "  cluster:",
        "    server: " + q(c.endpoint ?? ""),
        "    certificate-authority-data: " + q(c.certificateAuthority?.data ?? ""),
        "contexts:",
        "- name: " + q(arn),
        "  context:",
        "    cluster: " + q(arn),
        "    user: " + q(arn),
        "current-context: " + q(arn),
        "preferences: {}",
        "users:",
        "- name: " + q(arn),
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      command: aws",
        "      args: [" +
            ["--region", region, "eks", "get-token", "--cluster-name", c.name ?? "", "--output", "json"]
                .map(q)
                .join(", ") +
            "]",
        "      interactiveMode: IfAvailable",
        "      provideClusterInfo: false",
    ];
    if (profile) lines.push("      env:", "      - name: AWS_PROFILE", "        value: " + q(profile));
    return lines.join("\n") + "\n";
}
