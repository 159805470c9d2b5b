/** NodeGroup: a node group managed on its own, attached to a Cluster by id. */
import type { Connection, Iid, NodeGroupInfo } from "../interface/driver";
import { isNotFound } from "../interface/errors";
import { openDriver } from "../drivers/registry";
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
import { NODE_GROUP_CALL_ORDER, nodeGroupFields, plan } from "./fields";
import {
    changeScaling,
    checkNodeGroupSpec,
    enforceDeclaredSize,
    fromNodeGroupInfo,
    NODE_GROUP_SPEC_KEYS,
    NodeGroupSpec,
    toNodeGroupReq,
} from "./nodeGroupCommon";

export interface NodeGroupInputs extends NodeGroupSpec {
    connection: Connection;
    /** The Cluster's id (`Cluster.clusterId`). */
    cluster: string;
    nodeGroupName: string;
    autoNamed: boolean;
    adopt?: string;
    timeouts?: { create?: number; update?: number; delete?: number };
    /** URN of this resource, recorded on the node group as its owner. */
    pulumiUrn?: string;
}

export type NodeGroupOutputs = NodeGroupInputs & ReturnType<typeof fromNodeGroupInfo>;

const KIND = "NodeGroup";

export function checkNodeGroup(olds: Props, news: Props): CheckResult {
    const issues = new Issues();
    const topKeys = [
        "connection",
        "cluster",
        "nodeGroupName",
        "pulumiName",
        "autoNamed",
        "adopt",
        "timeouts",
        "pulumiUrn",
    ];
    checkKnownKeys(news, [...topKeys, ...NODE_GROUP_SPEC_KEYS], "", issues);
    const conn = checkConnection(news.connection, issues);
    const caps = conn ? driverCaps(conn).cluster : undefined;
    if (conn && caps && !caps.supported)
        issues.add(
            "connection.driver",
            `the ${conn.driver} driver does not support NodeGroup: ${caps.reason ?? "not implemented"}`,
        );
    const cluster = checkString(news.cluster, "cluster", issues);
    let nodeGroupName: string | undefined;
    let autoNamed = false;
    if (news.nodeGroupName !== undefined && news.nodeGroupName !== null) {
        nodeGroupName = caps
            ? checkName(news.nodeGroupName, "nodeGroupName", issues, caps.nodeGroupName)
            : checkString(news.nodeGroupName, "nodeGroupName", issues);
    } else if (typeof olds.nodeGroupName === "string" && olds.nodeGroupName !== "") {
        nodeGroupName = olds.nodeGroupName;
        autoNamed = olds.autoNamed === true;
    } else {
        nodeGroupName = autoName(
            typeof news.pulumiName === "string" ? news.pulumiName : "nodegroup",
            Math.min(caps?.nodeGroupName.maxLength ?? 63, 63),
            false,
        );
        autoNamed = true;
    }
    if (news.nodeGroupName === UNKNOWN) nodeGroupName = UNKNOWN;
    const spec = checkNodeGroupSpec(news, "", issues, caps);
    const adopt = news.adopt === undefined ? undefined : checkString(news.adopt, "adopt", issues);
    const timeouts = checkTimeouts(news.timeouts, issues);
    const inputs: Props = {
        connection: conn ?? news.connection,
        cluster: cluster ?? news.cluster,
        nodeGroupName,
        autoNamed,
        ...spec,
        ...checkPulumiUrn(news, issues),
    };
    if (adopt !== undefined) inputs.adopt = adopt;
    if (timeouts !== undefined) inputs.timeouts = timeouts;
    return { inputs: issues.ok ? clean(inputs) : news, failures: issues.list };
}

export function diffNodeGroup(olds: Props, news: Props): DiffResult {
    const conn = isRecord(news.connection) && !isUnknown(news.connection) ? news.connection : olds.connection;
    const p = plan(nodeGroupFields, olds, news, driverCaps(conn as unknown as Connection));
    return {
        changes: p.changed.length > 0,
        replaces: p.replaces,
        deleteBeforeReplace: p.replaces.length > 0 && news.autoNamed !== true,
    };
}

function clusterIid(cluster: string): Iid {
    return { nameId: "", systemId: cluster };
}

export async function createNodeGroup(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = inputs as unknown as NodeGroupInputs;
    const driver = openDriver(
        ins.connection,
        driverContext(KIND, ins.nodeGroupName, config, toDriverTimeouts(ins.timeouts)),
    );
    if (ins.adopt) {
        let live: NodeGroupInfo;
        try {
            live = await driver.cluster.getNodeGroup(clusterIid(ins.cluster), { nameId: "", systemId: ins.adopt });
        } catch (err) {
            throw opError("adopting", KIND, ins.adopt, err);
        }
        const liveOuts = toOutputs(live, ins) as unknown as Props;
        const mismatches = adoptionConflicts(diffNodeGroup(liveOuts, inputs).replaces, liveOuts, inputs);
        if (mismatches.length > 0) {
            throw new Error(
                `adopting ${KIND} (${ins.adopt}): these cannot change in place, declare the existing values: ${mismatches.join("; ")}`,
            );
        }
        const res = await updateNodeGroup(live.iid.systemId, { ...liveOuts, adopt: ins.adopt }, inputs, config);
        return { id: live.iid.systemId, outs: res.outs };
    }
    try {
        const req = toNodeGroupReq(ins.nodeGroupName, ins, ins.pulumiUrn);
        const ng = await driver.cluster.addNodeGroup(clusterIid(ins.cluster), req);
        return { id: ng.iid.systemId, outs: toOutputs(ng, ins) as unknown as Props };
    } catch (err) {
        const e = opError("creating", KIND, ins.nodeGroupName, err);
        const left = await leftBehind(err, () =>
            driver.cluster.getNodeGroup(clusterIid(ins.cluster), { nameId: ins.nodeGroupName, systemId: "" }),
        );
        if (left) {
            throw new PartialFailure(
                e.message,
                left.iid.systemId,
                { ...(toOutputs(left, ins) as unknown as Props), __provider: inputs.__provider },
                ["create failed but the node group exists; `pulumi up` retries, `pulumi destroy` removes it"],
            );
        }
        throw await createError(KIND, ins.nodeGroupName, ins.pulumiUrn, err, () =>
            driver.cluster.getNodeGroup(clusterIid(ins.cluster), { nameId: ins.nodeGroupName, systemId: "" }),
        );
    }
}

export async function readNodeGroup(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const ins = props as unknown as NodeGroupInputs;
    const name = ins.nodeGroupName ?? id;
    const driver = openDriver(ins.connection, driverContext(KIND, name, config));
    try {
        const ng = await driver.cluster.getNodeGroup(clusterIid(ins.cluster), {
            nameId: ins.nodeGroupName ?? "",
            systemId: id,
        });
        return { id: ng.iid.systemId, props: toOutputs(ng, ins) as unknown as Props };
    } catch (err) {
        if (isNotFound(err)) return {};
        throw opError("reading", KIND, name, err);
    }
}

export async function updateNodeGroup(
    id: string,
    olds: Props,
    news: Props,
    config: ProviderConfig,
): Promise<UpdateResult> {
    const ins = news as unknown as NodeGroupInputs;
    const driver = openDriver(
        ins.connection,
        driverContext(KIND, ins.nodeGroupName, config, toDriverTimeouts(ins.timeouts)),
    );
    const p = plan(nodeGroupFields, olds, news, driverCaps(ins.connection));
    const ngIid: Iid = { nameId: ins.nodeGroupName, systemId: id };
    const done: string[] = [];
    try {
        for (const call of NODE_GROUP_CALL_ORDER.filter(c => p.calls.includes(c))) {
            if (call === "changeNodeGroupScaling") {
                await changeScaling(driver, clusterIid(ins.cluster), ngIid, olds.desiredNodeSize, ins);
            } else {
                await driver.cluster.setNodeGroupAutoScaling(clusterIid(ins.cluster), ngIid, ins.onAutoScaling);
                if (!ins.onAutoScaling && !p.calls.includes("changeNodeGroupScaling")) {
                    await enforceDeclaredSize(driver, clusterIid(ins.cluster), ngIid, ins);
                }
            }
            done.push(call);
        }
        const ng = await driver.cluster.getNodeGroup(clusterIid(ins.cluster), ngIid);
        return { outs: toOutputs(ng, ins) as unknown as Props };
    } catch (err) {
        let props: Props = { ...olds, __provider: news.__provider };
        try {
            const ng = await driver.cluster.getNodeGroup(clusterIid(ins.cluster), ngIid);
            props = { ...(toOutputs(ng, ins) as unknown as Props), __provider: news.__provider };
        } catch {
            // Keep the previous outputs; the error below says what failed.
        }
        throw new PartialFailure(opError("updating", KIND, ins.nodeGroupName, err).message, id, props, [
            `completed: ${done.join(", ") || "nothing"}`,
        ]);
    }
}

export async function deleteNodeGroup(id: string, props: Props, config: ProviderConfig): Promise<void> {
    const ins = props as unknown as NodeGroupInputs;
    const name = ins.nodeGroupName ?? id;
    const driver = openDriver(ins.connection, driverContext(KIND, name, config, toDriverTimeouts(ins.timeouts)));
    try {
        await driver.cluster.removeNodeGroup(clusterIid(ins.cluster), {
            nameId: ins.nodeGroupName ?? "",
            systemId: id,
        });
    } catch (err) {
        if (isNotFound(err)) return;
        throw opError("deleting", KIND, name, err);
    }
}

export const nodeGroupImpl: ResourceImpl = {
    check: async (olds, news) => checkNodeGroup(olds, news),
    diff: async (_id, olds, news) => diffNodeGroup(olds, news),
    create: createNodeGroup,
    read: readNodeGroup,
    update: updateNodeGroup,
    delete: deleteNodeGroup,
};

function toOutputs(ng: NodeGroupInfo, ins: NodeGroupInputs): NodeGroupOutputs {
    const out: NodeGroupOutputs = {
        ...ins,
        ...fromNodeGroupInfo(ng, ins),
        connection: ins.connection,
        cluster: ins.cluster,
        nodeGroupName: ng.iid.nameId,
        autoNamed: ins.autoNamed === true,
    };
    return clean(out);
}
