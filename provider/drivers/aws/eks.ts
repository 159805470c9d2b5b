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
    Logging,
    Nodegroup,
    NodegroupUpdateConfig,
    Taint as EksTaint,
    Update,
} from "@aws-sdk/client-eks";
import type {
    ClusterInfo,
    ClusterStatus,
    EndpointAccess,
    Iid,
    LogType,
    MaxUnavailable,
    NodeGroupInfo,
    NodeGroupStatus,
    Taint,
    TaintEffect,
} from "../../interface/driver";
import { LOG_TYPES } from "../../interface/driver";
import { CloudApiError, NotFoundError } from "../../interface/errors";
import { waitForStatus, WaitOptions } from "../../interface/wait";
import { AwsSession, aws, errorCode, isAwsNotFound, isoTime, unlessGone, waitOptions } from "./clients";

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

export async function describeCluster(session: AwsSession, name: string, what: string): Promise<Cluster> {
    const cluster = (await aws(what, () => session.clients.eks.send(new DescribeClusterCommand({ name })))).cluster;
    if (!cluster) throw new NotFoundError(`${what}: no cluster ${name}`);
    return cluster;
}

export async function describeNodegroup(
    session: AwsSession,
    cluster: string,
    ng: string,
    what: string,
): Promise<Nodegroup> {
    const group = (
        await aws(what, () =>
            session.clients.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: ng })),
        )
    ).nodegroup;
    if (!group) throw new NotFoundError(`${what}: no node group ${ng} in cluster ${cluster}`);
    return group;
}

export async function listNodegroupNames(session: AwsSession, cluster: string, what: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
        const page = await aws(what, () =>
            session.clients.eks.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken: token })),
        );
        names.push(...(page.nodegroups ?? []));
        token = page.nextToken || undefined;
    } while (token);
    return names;
}

/** EC2 instances EKS launched for the cluster, by node group (EKS tags them with both names). */
export async function describeNodes(
    session: AwsSession,
    cluster: string,
    ng: string | undefined,
    what: string,
): Promise<Map<string, string[]>> {
    const byGroup = new Map<string, string[]>();
    let token: string | undefined;
    do {
        const page = await aws(what, () =>
            session.clients.ec2.send(
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
    session: AwsSession,
    cluster: string,
    ng: Nodegroup,
    what: string,
): Promise<NodeGroupInfo> {
    const nodes = await describeNodes(session, cluster, ng.nodegroupName, what);
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

export async function deleteNodegroupAndWait(
    session: AwsSession,
    cluster: string,
    ng: string,
    what: string,
): Promise<void> {
    const deleted = await deleteWhenSettled(
        () =>
            aws(what, () =>
                session.clients.eks.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: ng })),
            ),
        () => waitNodegroupSettled(session, cluster, ng, what),
    );
    if (deleted) await waitNodegroupGone(session, cluster, ng, what);
}

export async function deleteClusterAndWait(session: AwsSession, name: string, what: string): Promise<void> {
    const deleted = await deleteWhenSettled(
        () => aws(what, () => session.clients.eks.send(new DeleteClusterCommand({ name }))),
        () => waitClusterSettled(session, name, what),
    );
    if (deleted) await waitClusterGone(session, name, what);
}

// ---------------------------------------------------------------------------------------------
// waits

export function issuesText(
    issues: Array<{ code?: string; message?: string; resourceIds?: string[] }> | undefined,
): string {
    const list = (issues ?? []).map(issue => {
        const where = issue.resourceIds?.length ? ` (${issue.resourceIds.join(", ")})` : "";
        return `${issue.code ?? "Unknown"}: ${issue.message ?? ""}${where}`;
    });
    return list.length ? list.join("; ") : "EKS reported no health issues";
}

function waitOpts(session: AwsSession, timeoutMs: number, what: string): WaitOptions {
    return waitOptions(session, "cluster", timeoutMs, what);
}

/** EKS's own words for why an object is in a bad state. */
function healthFailure(what: string, kind: string, item: Cluster | Nodegroup, status: string): CloudApiError {
    return new CloudApiError(`${what}: ${kind} is ${status}: ${issuesText(item.health?.issues)}`);
}

/** Lifecycle statuses as EKS reports them; `busy` ones refuse deletes until they settle. */
const CLUSTER_STATUS = { busy: ["CREATING", "UPDATING", "PENDING"], failed: ["FAILED", "DELETING"] };
const NODEGROUP_STATUS = {
    busy: ["CREATING", "UPDATING"],
    failed: ["CREATE_FAILED", "DEGRADED", "DELETING", "DELETE_FAILED"],
    deleteFailed: ["DELETE_FAILED"],
};
const UPDATE_STATUS = { failed: ["Failed", "Cancelled"] };

export async function waitClusterActive(
    session: AwsSession,
    name: string,
    what: string,
    timeoutMs: number,
): Promise<Cluster> {
    return waitForStatus({
        ...waitOpts(session, timeoutMs, `Cluster (${name}) to be ACTIVE`),
        describe: () => describeCluster(session, name, what),
        status: cluster => cluster.status ?? "unknown",
        success: ["ACTIVE"],
        failure: CLUSTER_STATUS.failed,
        failed: (cluster, status) => healthFailure(what, "cluster", cluster, status),
    });
}

/** Lets a CREATING/UPDATING cluster finish first: EKS refuses to delete it meanwhile. */
export async function waitClusterSettled(session: AwsSession, name: string, what: string): Promise<void> {
    const target = `Cluster (${name}) to finish its current operation`;
    await waitForStatus({
        ...waitOpts(session, session.timeout("cluster", "create"), target),
        describe: () => describeCluster(session, name, what),
        status: cluster => cluster.status ?? "unknown",
        pending: CLUSTER_STATUS.busy,
    });
}

export async function waitClusterGone(session: AwsSession, name: string, what: string): Promise<void> {
    await waitForStatus({
        ...waitOpts(session, session.timeout("cluster", "delete"), `Cluster (${name}) to be deleted`),
        describe: () => unlessGone(() => describeCluster(session, name, what)),
        status: cluster => cluster.status ?? "unknown",
        gone: "done",
    });
}

export async function waitNodegroupActive(
    session: AwsSession,
    cluster: string,
    ng: string,
    what: string,
): Promise<Nodegroup> {
    return waitForStatus({
        ...waitOpts(session, session.timeout("nodegroup", "create"), `NodeGroup (${ng}) to be ACTIVE`),
        describe: () => describeNodegroup(session, cluster, ng, what),
        status: group => group.status ?? "unknown",
        success: ["ACTIVE"],
        failure: NODEGROUP_STATUS.failed,
        failed: (group, status) => healthFailure(what, `node group ${ng}`, group, status),
    });
}

export async function waitNodegroupSettled(
    session: AwsSession,
    cluster: string,
    ng: string,
    what: string,
): Promise<void> {
    const target = `NodeGroup (${ng}) to finish its current operation`;
    await waitForStatus({
        ...waitOpts(session, session.timeout("nodegroup", "create"), target),
        describe: () => describeNodegroup(session, cluster, ng, what),
        status: group => group.status ?? "unknown",
        pending: NODEGROUP_STATUS.busy,
    });
}

export async function waitNodegroupGone(session: AwsSession, cluster: string, ng: string, what: string): Promise<void> {
    await waitForStatus({
        ...waitOpts(session, session.timeout("nodegroup", "delete"), `NodeGroup (${ng}) to be deleted`),
        describe: () => unlessGone(() => describeNodegroup(session, cluster, ng, what)),
        status: group => group.status ?? "unknown",
        failure: NODEGROUP_STATUS.deleteFailed,
        failed: (group, status) => healthFailure(what, `node group ${ng}`, group, status),
        gone: "done",
    });
}

/** One EKS update call (`send`) and its DescribeUpdate wait; `property` names the input a refusal is about. */
export async function updateAndWait(
    session: AwsSession,
    what: string,
    target: { cluster: string; nodegroup?: string; property: string },
    send: () => Promise<{ update?: Update }>,
): Promise<Update> {
    const update = (await aws(what, send, { property: target.property })).update;
    return waitUpdate(session, target.cluster, update, what, target.nodegroup);
}

/** DescribeUpdate until Successful; Failed/Cancelled surface EKS's update errors. */
export async function waitUpdate(
    session: AwsSession,
    cluster: string,
    update: Update | undefined,
    what: string,
    nodegroup?: string,
): Promise<Update> {
    if (!update?.id) throw new CloudApiError(`${what}: EKS returned no update id`);
    const updateId = update.id;
    const target = nodegroup ? `NodeGroup (${nodegroup})` : `Cluster (${cluster})`;
    const input = { name: cluster, updateId, ...(nodegroup ? { nodegroupName: nodegroup } : {}) };
    const describe = async (): Promise<Update | undefined> =>
        (await aws(what, () => session.clients.eks.send(new DescribeUpdateCommand(input)))).update;
    return waitForStatus({
        ...waitOpts(
            session,
            session.timeout(nodegroup ? "nodegroup" : "cluster", "update"),
            `${target} update ${update.type ?? ""} to finish`,
        ),
        describe,
        status: current => current.status ?? "unknown",
        success: ["Successful"],
        failure: UPDATE_STATUS.failed,
        failed: (current, status) => updateFailure(what, updateId, current, status),
    });
}

function updateFailure(what: string, updateId: string, update: Update, status: string): CloudApiError {
    const errors = (update.errors ?? []).map(detail => ({
        code: detail.errorCode,
        message: detail.errorMessage,
        resourceIds: detail.resourceIds,
    }));
    return new CloudApiError(`${what}: update ${updateId} ${status}: ${issuesText(errors)}`);
}

// ---------------------------------------------------------------------------------------------
// converters

export function major(version: string): number {
    return Number(version.split(".")[0]);
}

export function minor(version: string): number {
    return Number(version.split(".")[1]);
}

export function userTags(tags: Record<string, string> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(tags ?? {}).filter(([k]) => !k.startsWith("spider:")));
}

/** EKS lifecycle statuses in the neutral model; any other one (FAILED, DEGRADED, …) is Inactive. */
const NODE_GROUP_STATUSES: Readonly<Record<string, NodeGroupStatus>> = {
    CREATING: "Creating",
    ACTIVE: "Active",
    UPDATING: "Updating",
    DELETING: "Deleting",
};
const CLUSTER_STATUSES: Readonly<Record<string, ClusterStatus>> = { ...NODE_GROUP_STATUSES, PENDING: "Creating" };

function neutralStatus<T>(table: Readonly<Record<string, T>>, status: string | undefined, otherwise: T): T {
    return status !== undefined && Object.hasOwn(table, status) ? table[status] : otherwise;
}

export function toClusterStatus(status: string | undefined): ClusterStatus {
    return neutralStatus(CLUSTER_STATUSES, status, "Inactive");
}

export function toNodeGroupStatus(status: string | undefined): NodeGroupStatus {
    return neutralStatus(NODE_GROUP_STATUSES, status, "Inactive");
}

/** The size bounds a node group reports: while autoscaling is off, the ones kept in its tags. */
function reportedBounds(ng: Nodegroup): { minNodeSize: number; maxNodeSize: number } {
    const scaling = ng.scalingConfig ?? {};
    if (ng.tags?.[AUTOSCALING_TAG] !== "off")
        return { minNodeSize: scaling.minSize ?? 0, maxNodeSize: scaling.maxSize ?? 0 };
    return {
        minNodeSize: Number(ng.tags?.[AUTOSCALING_MIN_TAG] ?? scaling.minSize ?? 0),
        maxNodeSize: Number(ng.tags?.[AUTOSCALING_MAX_TAG] ?? scaling.maxSize ?? 0),
    };
}

/** Kubernetes' taint effects and EKS's spelling of them. */
const EKS_EFFECTS: Readonly<Record<TaintEffect, NonNullable<EksTaint["effect"]>>> = {
    NoSchedule: "NO_SCHEDULE",
    PreferNoSchedule: "PREFER_NO_SCHEDULE",
    NoExecute: "NO_EXECUTE",
};

export function toEksTaint(taint: Taint): EksTaint {
    return { key: taint.key, ...(taint.value ? { value: taint.value } : {}), effect: EKS_EFFECTS[taint.effect] };
}

export function fromEksTaint(taint: EksTaint): Taint {
    const effect = (Object.keys(EKS_EFFECTS) as TaintEffect[]).find(k => EKS_EFFECTS[k] === taint.effect);
    return { key: taint.key ?? "", ...(taint.value ? { value: taint.value } : {}), effect: effect ?? "NoSchedule" };
}

/** A count, or a percentage "33%" (EKS's maxUnavailablePercentage). */
export function toUpdateConfig(value: MaxUnavailable): NodegroupUpdateConfig {
    return typeof value === "string" ? { maxUnavailablePercentage: parseInt(value, 10) } : { maxUnavailable: value };
}

export function fromUpdateConfig(config: NodegroupUpdateConfig | undefined): MaxUnavailable {
    if (config?.maxUnavailablePercentage !== undefined) return `${config.maxUnavailablePercentage}%`;
    return config?.maxUnavailable ?? 1;
}

/** The log types turned on, in EKS's order. */
export function enabledLogTypes(logging: Logging | undefined): LogType[] {
    const on = new Set((logging?.clusterLogging ?? []).filter(s => s.enabled).flatMap(s => s.types ?? []));
    return LOG_TYPES.filter(type => on.has(type));
}

/** EKS's logging setup for exactly `types` on: one entry for those turned on, one for the rest. */
export function toLogging(types: readonly LogType[]): Logging {
    const off = LOG_TYPES.filter(type => !types.includes(type));
    const setups = [
        ...(types.length ? [{ types: [...types], enabled: true }] : []),
        ...(off.length ? [{ types: off, enabled: false }] : []),
    ];
    return { clusterLogging: setups };
}

export function endpointAccessOf(vpc: NonNullable<Cluster["resourcesVpcConfig"]>): EndpointAccess {
    const open = vpc.endpointPublicAccess ?? true;
    return {
        public: open,
        private: vpc.endpointPrivateAccess ?? false,
        publicCidrs: open ? [...(vpc.publicAccessCidrs ?? ["0.0.0.0/0"])] : [],
    };
}

export function toNodeGroupInfo(ng: Nodegroup, nodes: string[]): NodeGroupInfo {
    return {
        iid: { nameId: ng.nodegroupName ?? "", systemId: ng.nodegroupArn ?? "" },
        image: ng.amiType ?? "",
        vmSpec: ng.instanceTypes?.[0] ?? "",
        vmSpecs: [...(ng.instanceTypes ?? [])],
        capacityType: ng.capacityType === "SPOT" ? "SPOT" : "ON_DEMAND",
        subnets: [...(ng.subnets ?? [])],
        labels: { ...(ng.labels ?? {}) },
        taints: (ng.taints ?? []).map(fromEksTaint),
        maxUnavailable: fromUpdateConfig(ng.updateConfig),
        rootDiskType: "",
        rootDiskSize: Number(ng.diskSize ?? 0),
        keyPair: ng.remoteAccess?.ec2SshKey ?? "",
        onAutoScaling: ng.tags?.[AUTOSCALING_TAG] !== "off",
        desiredNodeSize: ng.scalingConfig?.desiredSize ?? 0,
        ...reportedBounds(ng),
        status: toNodeGroupStatus(ng.status),
        nodes,
        version: ng.version ?? "",
        ...ownerField(ownerFromTags(ng.tags)),
    };
}

export function toClusterInfo(
    cluster: Cluster,
    nodeGroups: NodeGroupInfo[],
    region: string,
    profile?: string,
): ClusterInfo {
    const vpc = cluster.resourcesVpcConfig ?? {};
    return {
        iid: { nameId: cluster.name ?? "", systemId: cluster.arn ?? "" },
        version: cluster.version ?? "",
        network: {
            vpc: vpc.vpcId ?? "",
            subnets: [...(vpc.subnetIds ?? [])],
            securityGroups: [...(vpc.securityGroupIds ?? [])],
        },
        endpointAccess: endpointAccessOf(vpc),
        logging: enabledLogTypes(cluster.logging),
        nodeGroups,
        endpoint: cluster.endpoint ?? "",
        kubeconfig: cluster.endpoint ? toKubeconfig(cluster, region, profile) : "",
        status: toClusterStatus(cluster.status),
        createdTime: isoTime(cluster.createdAt),
        tags: userTags(cluster.tags),
        ...ownerField(ownerFromTags(cluster.tags)),
        keyValues: {
            ...presentOrEmpty(cluster, ["arn", "status", "roleArn", "platformVersion"]),
            clusterSecurityGroupId: vpc.clusterSecurityGroupId ?? "",
            oidcIssuer: cluster.identity?.oidc?.issuer ?? "",
            health: issuesText(cluster.health?.issues),
        },
    };
}

/** These string fields of an EKS object as they are, "" where EKS left one out. */
function presentOrEmpty<T extends object, K extends keyof T & string>(from: T, keys: readonly K[]): Record<K, string> {
    const values: Partial<Record<K, string>> = {};
    for (const key of keys) values[key] = typeof from[key] === "string" ? from[key] : "";
    return values as Record<K, string>;
}

/**
 * A kubeconfig that authenticates with `aws eks get-token`, the exec plugin kubectl runs for
 * EKS (needs the AWS CLI v2 on PATH). Scalars are JSON-quoted, which YAML reads verbatim.
 */
export function toKubeconfig(cluster: Cluster, region: string, profile?: string): string {
    const quote = (text: string): string => JSON.stringify(text);
    const arn = cluster.arn ?? cluster.name ?? "eks";
    const lines = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: " + quote(arn),
        "  cluster:",
        "    server: " + quote(cluster.endpoint ?? ""),
        "    certificate-authority-data: " + quote(cluster.certificateAuthority?.data ?? ""),
        "contexts:",
        "- name: " + quote(arn),
        "  context:",
        "    cluster: " + quote(arn),
        "    user: " + quote(arn),
        "current-context: " + quote(arn),
        "preferences: {}",
        "users:",
        "- name: " + quote(arn),
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      command: aws",
        "      args: [" +
            ["--region", region, "eks", "get-token", "--cluster-name", cluster.name ?? "", "--output", "json"]
                .map(quote)
                .join(", ") +
            "]",
        "      interactiveMode: IfAvailable",
        "      provideClusterInfo: false",
    ];
    if (profile) lines.push("      env:", "      - name: AWS_PROFILE", "        value: " + quote(profile));
    return lines.join("\n") + "\n";
}
