/**
 * Cluster: a managed Kubernetes control plane with the node groups declared inline. A node
 * group change never replaces the cluster: scaling and autoscaling are applied in place, any
 * other node-group field recreates that node group alone (new one first, then the old removed).
 */
import * as crypto from "crypto";
import type { ClusterInfo, ClusterNetworkChange, ClusterReq, Connection, Iid, Driver } from "../interface/driver";
import { isNotFound } from "../interface/errors";
import { ownerField } from "../interface/owner";
import { driverModule, openDriver } from "../drivers/registry";
import {
    adoptionConflicts,
    autoName,
    checkPulumiUrn,
    createError,
    leftBehind,
    checkConnection,
    checkKnownKeys,
    checkName,
    checkString,
    checkStringList,
    checkTags,
    checkTimeouts,
    clean,
    CheckResult,
    CreateResult,
    DiffResult,
    driverCaps,
    driverContext,
    Issues,
    isRecord,
    isUnknown,
    opError,
    PartialFailure,
    Props,
    ProviderConfig,
    ReadResult,
    ResourceImpl,
    toDriverTimeouts,
    UpdateResult,
    UNKNOWN,
} from "./common";
import { CLUSTER_CALL_ORDER, clusterFields, nodeGroupOps, plan } from "./fields";
import {
    changeScaling,
    checkNodeGroupList,
    enforceDeclaredSize,
    fromNodeGroupInfo,
    NodeGroupSpec,
    toNodeGroupReq,
} from "./nodeGroupCommon";

export interface ClusterNodeGroupInput extends NodeGroupSpec {
    name: string;
}

export interface ClusterInputs {
    connection: Connection;
    clusterName: string;
    autoNamed: boolean;
    version: string;
    network: { vpc: string; subnets: string[]; securityGroups: string[] };
    nodeGroups: ClusterNodeGroupInput[];
    tags: Record<string, string>;
    adopt?: string;
    timeouts?: { create?: number; update?: number; delete?: number };
    /** URN of this resource, recorded on the cluster and its node groups as their owner. */
    pulumiUrn?: string;
}

export type ClusterNodeGroupOutput = ClusterNodeGroupInput & ReturnType<typeof fromNodeGroupInfo>;

export interface ClusterOutputs extends ClusterInputs {
    clusterId: string;
    status: string;
    endpoint: string;
    kubeconfig: string;
    nodeGroups: ClusterNodeGroupOutput[];
    createdTime: string;
    keyValues: Record<string, string>;
}

const KIND = "Cluster";

export function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

export function checkCluster(olds: Props, news: Props): CheckResult {
    const issues = new Issues();
    const topKeys = [
        "connection",
        "clusterName",
        "pulumiName",
        "autoNamed",
        "version",
        "network",
        "nodeGroups",
        "tags",
        "adopt",
        "timeouts",
        "pulumiUrn",
    ];
    checkKnownKeys(news, topKeys, "", issues);
    const conn = checkConnection(news.connection, issues);
    const caps = conn ? driverCaps(conn).cluster : undefined;
    if (conn && caps && !caps.supported)
        issues.add(
            "connection.driver",
            `the ${conn.driver} driver does not support Cluster: ${caps.reason ?? "not implemented"}`,
        );

    let clusterName: string | undefined;
    let autoNamed = false;
    if (news.clusterName !== undefined && news.clusterName !== null) {
        clusterName = caps
            ? checkName(news.clusterName, "clusterName", issues, caps.name)
            : checkString(news.clusterName, "clusterName", issues);
    } else if (typeof olds.clusterName === "string" && olds.clusterName !== "") {
        clusterName = olds.clusterName;
        autoNamed = olds.autoNamed === true;
    } else {
        clusterName = autoName(
            typeof news.pulumiName === "string" ? news.pulumiName : "cluster",
            Math.min(caps?.name.maxLength ?? 40, 40),
            false,
        );
        autoNamed = true;
    }
    if (news.clusterName === UNKNOWN) clusterName = UNKNOWN;

    const version = checkString(news.version, "version", issues);
    if (version !== undefined) {
        if (!/^\d+\.\d+$/.test(version)) issues.add("version", `must be MAJOR.MINOR such as "1.30", got "${version}"`);
        else if (caps && caps.supported && !caps.versions.includes(version))
            issues.add(
                "version",
                `"${version}" is not available on ${conn?.driver} (available: ${caps.versions.join(", ")})`,
            );
        else if (typeof olds.version === "string" && compareVersions(version, olds.version) < 0) {
            issues.add(
                "version",
                `downgrade from ${olds.version} to ${version} is not supported; Kubernetes control planes only upgrade`,
            );
        }
    }
    const n = isRecord(news.network) ? news.network : undefined;
    if (!n && news.network !== UNKNOWN) issues.add("network", "is required: { vpc, subnets, securityGroups? }");
    checkKnownKeys(n, ["vpc", "subnets", "securityGroups"], "network", issues);
    const vpc = n ? checkString(n.vpc, "network.vpc", issues) : undefined;
    const subnets = n ? checkStringList(n.subnets, "network.subnets", issues) : undefined;
    if (subnets && subnets.length === 0) issues.add("network.subnets", "must list at least one subnet");
    const securityGroups = n ? checkStringList(n.securityGroups ?? [], "network.securityGroups", issues) : undefined;
    const nodeGroups = checkNodeGroupList(news.nodeGroups, issues, caps);
    if (caps && caps.supported && nodeGroups && nodeGroups.length === 0 && !caps.allowsNoNodeGroups)
        issues.add("nodeGroups", "must declare at least one node group for this driver");
    const tags = checkTags(news.tags, "tags", issues);
    const adopt = news.adopt === undefined ? undefined : checkString(news.adopt, "adopt", issues);
    const timeouts = checkTimeouts(news.timeouts, issues);

    const inputs: Props = {
        connection: conn ?? news.connection,
        clusterName,
        autoNamed,
        version: version ?? news.version,
        network: {
            vpc: vpc ?? n?.vpc,
            subnets: subnets ?? n?.subnets,
            securityGroups: securityGroups ?? n?.securityGroups ?? [],
        },
        nodeGroups: nodeGroups ?? news.nodeGroups ?? [],
        tags: tags ?? news.tags ?? {},
        ...checkPulumiUrn(news, issues),
    };
    if (adopt !== undefined) inputs.adopt = adopt;
    if (timeouts !== undefined) inputs.timeouts = timeouts;
    if (issues.ok && conn && !isUnknown(inputs)) {
        const mod = driverModule(conn.driver) as {
            validateCluster?: (req: ClusterReq) => Array<{ property: string; reason: string }>;
        };
        if (mod.validateCluster) issues.addAll(mod.validateCluster(toClusterReq(inputs as unknown as ClusterInputs)));
    }
    return { inputs: issues.ok ? clean(inputs) : news, failures: issues.list };
}

export function diffCluster(olds: Props, news: Props): DiffResult {
    const conn = isRecord(news.connection) && !isUnknown(news.connection) ? news.connection : olds.connection;
    const p = plan(clusterFields, olds, news, driverCaps(conn as unknown as Connection));
    return {
        changes: p.changed.length > 0,
        replaces: p.replaces,
        deleteBeforeReplace: p.replaces.length > 0 && news.autoNamed !== true,
    };
}

function iidOf(id: string, props: Props): Iid {
    return { nameId: typeof props.clusterName === "string" ? props.clusterName : "", systemId: id };
}

export async function createCluster(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = inputs as unknown as ClusterInputs;
    const driver = openDriver(
        ins.connection,
        driverContext(KIND, ins.clusterName, config, toDriverTimeouts(ins.timeouts)),
    );
    if (ins.adopt) return adoptCluster(ins, inputs, config, driver);
    let info: ClusterInfo;
    try {
        info = await driver.cluster.createCluster(toClusterReq(ins));
    } catch (err) {
        const e = opError("creating", KIND, ins.clusterName, err);
        const left = await leftBehind(err, () => driver.cluster.getCluster({ nameId: ins.clusterName, systemId: "" }));
        if (left) {
            throw new PartialFailure(
                e.message,
                left.iid.systemId,
                { ...(toOutputs(left, ins, nameMap(ins, left)) as unknown as Props), __provider: inputs.__provider },
                [
                    "create failed and its rollback left the cluster behind; `pulumi up` retries, `pulumi destroy` removes it",
                ],
            );
        }
        throw await createError(KIND, ins.clusterName, ins.pulumiUrn, err, () =>
            driver.cluster.getCluster({ nameId: ins.clusterName, systemId: "" }),
        );
    }
    return { id: info.iid.systemId, outs: toOutputs(info, ins, nameMap(ins, info)) as unknown as Props };
}

async function adoptCluster(
    ins: ClusterInputs,
    inputs: Props,
    config: ProviderConfig,
    driver: Driver,
): Promise<CreateResult> {
    let info: ClusterInfo;
    try {
        info = await driver.cluster.getCluster({ nameId: "", systemId: ins.adopt as string });
    } catch (err) {
        throw opError("adopting", KIND, ins.adopt as string, err);
    }
    // Existing node groups are matched to declared ones by cloud name; others are left alone.
    const live = toOutputs(
        info,
        { ...ins, nodeGroups: ins.nodeGroups.filter(g => info.nodeGroups.some(l => l.iid.nameId === g.name)) },
        nameMap(ins, info),
    );
    const mismatches = adoptionConflicts(
        diffCluster(live as unknown as Props, inputs).replaces,
        live as unknown as Props,
        inputs,
    );
    // A downgrade is no replacement but cannot be applied either.
    if (compareVersions(ins.version, info.version) < 0)
        mismatches.push(`version: existing ${info.version} is newer than declared ${ins.version}`);
    if (mismatches.length > 0)
        throw new Error(
            `adopting ${KIND} (${ins.adopt}): these cannot change in place, declare the existing values: ${mismatches.join("; ")}`,
        );
    const res = await updateCluster(
        info.iid.systemId,
        { ...live, adopt: ins.adopt } as unknown as Props,
        inputs,
        config,
    );
    return { id: info.iid.systemId, outs: res.outs };
}

/** Declared node-group name → cloud name, defaulting to the same name. */
function nameMap(ins: ClusterInputs, _info: ClusterInfo, previous?: ClusterNodeGroupOutput[]): Map<string, string> {
    const m = new Map<string, string>();
    for (const g of ins.nodeGroups) m.set(g.name, previous?.find(p => p.name === g.name)?.nodeGroupName ?? g.name);
    return m;
}

export async function readCluster(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const conn = props.connection as unknown as Connection;
    const name = typeof props.clusterName === "string" ? props.clusterName : id;
    const driver = openDriver(conn, driverContext(KIND, name, config));
    try {
        const info = await driver.cluster.getCluster(iidOf(id, props));
        const prev = Array.isArray(props.nodeGroups) ? (props.nodeGroups as ClusterNodeGroupOutput[]) : undefined;
        // Declared node groups still present, matched by cloud name; a Resource.get sees them all.
        const declared: ClusterNodeGroupInput[] = prev
            ? prev.filter(p => info.nodeGroups.some(l => l.iid.nameId === (p.nodeGroupName ?? p.name)))
            : info.nodeGroups.map(l => ({ name: l.iid.nameId, ...fromNodeGroupInfo(l) }));
        const base: ClusterInputs = {
            connection: conn,
            clusterName: info.iid.nameId,
            autoNamed: props.autoNamed === true,
            version: info.version,
            network: {
                vpc: info.network.vpc,
                subnets: info.network.subnets,
                securityGroups: info.network.securityGroups,
            },
            nodeGroups: declared,
            tags: info.tags,
        };
        if (props.adopt) base.adopt = props.adopt as string;
        if (props.timeouts) base.timeouts = props.timeouts as ClusterInputs["timeouts"];
        if (typeof props.pulumiUrn === "string") base.pulumiUrn = props.pulumiUrn;
        const m = new Map<string, string>();
        for (const g of declared) m.set(g.name, (g as Partial<ClusterNodeGroupOutput>).nodeGroupName ?? g.name);
        return { id: info.iid.systemId, props: toOutputs(info, base, m) as unknown as Props };
    } catch (err) {
        if (isNotFound(err)) return {};
        throw opError("reading", KIND, name, err);
    }
}

/** Only the kinds that changed: EKS makes one update per kind. */
function networkChange(changed: string[], network: ClusterInputs["network"]): ClusterNetworkChange {
    const change: ClusterNetworkChange = {};
    if (changed.includes("network.subnets")) change.subnets = [...network.subnets];
    if (changed.includes("network.securityGroups")) change.securityGroups = [...(network.securityGroups ?? [])];
    return change;
}

export async function updateCluster(
    id: string,
    olds: Props,
    news: Props,
    config: ProviderConfig,
): Promise<UpdateResult> {
    const ins = news as unknown as ClusterInputs;
    const old = olds as unknown as ClusterOutputs;
    const caps = driverCaps(ins.connection);
    const driver = openDriver(
        ins.connection,
        driverContext(KIND, ins.clusterName, config, toDriverTimeouts(ins.timeouts)),
    );
    const iid = iidOf(id, olds);
    const urn = ins.pulumiUrn;
    const p = plan(clusterFields, olds, news, caps);
    const names = new Map<string, string>();
    for (const g of old.nodeGroups ?? []) names.set(g.name, g.nodeGroupName ?? g.name);
    const done: string[] = [];
    try {
        for (const call of CLUSTER_CALL_ORDER.filter(c => p.calls.includes(c))) {
            if (call === "changeClusterNetwork") {
                await driver.cluster.changeClusterNetwork(iid, networkChange(p.changed, ins.network));
                done.push("changeClusterNetwork");
            } else if (call === "upgradeCluster") {
                await driver.cluster.upgradeCluster(iid, ins.version);
                done.push(`upgradeCluster ${ins.version}`);
            } else if (call === "changeClusterTags") {
                await driver.cluster.changeClusterTags(iid, ins.tags);
                done.push("changeClusterTags");
            } else {
                const ops = nodeGroupOps(old.nodeGroups, ins.nodeGroups, caps);
                const resized = new Set(ops.filter(o => o.op === "changeNodeGroupScaling").map(o => o.name));
                for (const op of ops) {
                    const cloudName = names.get(op.name) ?? op.name;
                    const ngIid: Iid = {
                        nameId: cloudName,
                        systemId:
                            "olds" in op ? String((op.olds as Partial<ClusterNodeGroupOutput>).nodeGroupId ?? "") : "",
                    };
                    const spec = "news" in op ? (op.news as unknown as NodeGroupSpec) : undefined;
                    switch (op.op) {
                        case "add":
                            await driver.cluster.addNodeGroup(iid, toNodeGroupReq(op.name, spec as NodeGroupSpec, urn));
                            names.set(op.name, op.name);
                            break;
                        case "remove":
                            await driver.cluster.removeNodeGroup(iid, ngIid);
                            names.delete(op.name);
                            break;
                        case "recreate": {
                            const fresh = `${op.name}-${crypto.randomBytes(2).toString("hex")}`;
                            await driver.cluster.addNodeGroup(iid, toNodeGroupReq(fresh, spec as NodeGroupSpec, urn));
                            names.set(op.name, fresh);
                            await driver.cluster.removeNodeGroup(iid, ngIid);
                            break;
                        }
                        case "changeNodeGroupScaling":
                            await changeScaling(driver, iid, ngIid, op.olds.desiredNodeSize, spec as NodeGroupSpec);
                            break;
                        case "setNodeGroupAutoScaling":
                            await driver.cluster.setNodeGroupAutoScaling(iid, ngIid, spec!.onAutoScaling);
                            if (!spec!.onAutoScaling && !resized.has(op.name)) {
                                await enforceDeclaredSize(driver, iid, ngIid, spec as NodeGroupSpec);
                            }
                            break;
                    }
                    done.push(`${op.op} ${op.name}`);
                }
            }
        }
        const info = await driver.cluster.getCluster(iid);
        return { outs: toOutputs(info, ins, names) as unknown as Props };
    } catch (err) {
        const e = opError("updating", KIND, ins.clusterName, err);
        let props: Props = { ...olds, __provider: news.__provider };
        try {
            const info = await driver.cluster.getCluster(iid);
            // Only node groups that really exist are recorded, under whichever spec they now have.
            const present = [...names.entries()].filter(([, cloud]) =>
                info.nodeGroups.some(l => l.iid.nameId === cloud),
            );
            const partial: ClusterInputs = {
                ...ins,
                version: info.version,
                nodeGroups: present.map(
                    ([name]) =>
                        ins.nodeGroups.find(g => g.name === name) ??
                        (old.nodeGroups.find(g => g.name === name) as ClusterNodeGroupInput),
                ),
            };
            props = {
                ...(toOutputs(info, partial, new Map(present)) as unknown as Props),
                __provider: news.__provider,
            };
        } catch {
            // Keep the previous outputs; the error below says what failed.
        }
        throw new PartialFailure(e.message, id, props, [`completed: ${done.join(", ") || "nothing"}`]);
    }
}

export async function deleteCluster(id: string, props: Props, config: ProviderConfig): Promise<void> {
    const name = typeof props.clusterName === "string" ? props.clusterName : id;
    const driver = openDriver(
        props.connection as unknown as Connection,
        driverContext(KIND, name, config, toDriverTimeouts(props.timeouts)),
    );
    try {
        await driver.cluster.deleteCluster(iidOf(id, props));
    } catch (err) {
        if (isNotFound(err)) return;
        throw opError("deleting", KIND, name, err);
    }
}

export const clusterImpl: ResourceImpl = {
    check: async (olds, news) => checkCluster(olds, news),
    diff: async (_id, olds, news) => diffCluster(olds, news),
    create: createCluster,
    read: readCluster,
    update: updateCluster,
    delete: deleteCluster,
};

// ---------------------------------------------------------------------------------------------
// Converters

export function toClusterReq(ins: ClusterInputs): ClusterReq {
    return {
        iid: { nameId: ins.clusterName, systemId: "" },
        version: ins.version,
        network: {
            vpc: ins.network.vpc,
            subnets: [...ins.network.subnets],
            securityGroups: [...(ins.network.securityGroups ?? [])],
        },
        nodeGroups: ins.nodeGroups.map(g => toNodeGroupReq(g.name, g, ins.pulumiUrn)),
        tags: { ...ins.tags },
        ...ownerField(ins.pulumiUrn),
    };
}

/** Outputs: declared node groups (by cloud name) with live values; others' groups are not ours. */
export function toOutputs(info: ClusterInfo, ins: ClusterInputs, cloudNames: Map<string, string>): ClusterOutputs {
    const nodeGroups: ClusterNodeGroupOutput[] = [];
    for (const g of ins.nodeGroups) {
        const cloud = cloudNames.get(g.name) ?? g.name;
        const live = info.nodeGroups.find(l => l.iid.nameId === cloud);
        if (live) nodeGroups.push({ name: g.name, ...fromNodeGroupInfo(live, g) });
    }
    const userTags: Record<string, string> = {};
    for (const [k, v] of Object.entries(info.tags)) if (!k.startsWith("spider:")) userTags[k] = v;
    const out: ClusterOutputs = {
        ...ins,
        clusterName: info.iid.nameId,
        clusterId: info.iid.systemId,
        version: info.version,
        network: {
            vpc: info.network.vpc,
            subnets: [...info.network.subnets],
            securityGroups: [...info.network.securityGroups],
        },
        nodeGroups,
        tags: userTags,
        status: info.status,
        endpoint: info.endpoint,
        kubeconfig: info.kubeconfig,
        createdTime: info.createdTime,
        keyValues: { ...info.keyValues },
    };
    return clean(out);
}
