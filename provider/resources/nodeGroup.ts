/** NodeGroup: a node group managed on its own, attached to a Cluster by id. */
import type { Driver, Iid, NodeGroupInfo, NodeGroupReq } from "../interface/driver";
import { parseWith, Props } from "../interface/schema";
import { capabilitiesOf } from "../drivers/registry";
import type { CreateResult, DiffResult, ProviderConfig, ReadResult, ResourceImpl } from "./common";
import { clean } from "./common";
import { NODE_GROUP_CALL_ORDER, NodeGroupCall, nodeGroupFields, plan, Plan } from "./fields";
import {
    changeScaling,
    configChange,
    enforceDeclaredSize,
    fromNodeGroupInfo,
    liveSpec,
    machineChange,
} from "./nodeGroupCommon";
import { toNodeGroupReq } from "./nodeGroupCommon";
import { NodeGroupInputs, nodeGroupSchema } from "./schemas";
import { adoptExisting, capsOf, checker, createTracked, deleteOrGone, diffResource, driverFor } from "./skeleton";
import { nameIn } from "./skeleton";
import { readOrGone, runUpdate, step, Step, stepsOf, storedConnection, typedInputs } from "./skeleton";

export type { NodeGroupInputs } from "./schemas";
export type NodeGroupOutputs = NodeGroupInputs & ReturnType<typeof fromNodeGroupInfo>;

const KIND = "NodeGroup";

export const checkNodeGroup = checker({
    kind: KIND,
    supported: caps => caps.cluster,
    schema: caps => nodeGroupSchema(caps),
    naming: { key: "nodeGroupName", fallback: "nodegroup", rule: caps => caps?.cluster.nodeGroupName, cap: 63 },
    validate: (module, inputs, conn) => module.validateNodeGroup?.(requestOf(nodeGroupInputs(inputs)), conn) ?? [],
});

/** The driver request for the declared node group, owned by this resource. */
function requestOf(ins: NodeGroupInputs): NodeGroupReq {
    return toNodeGroupReq(ins.nodeGroupName, ins, ins.pulumiUrn);
}

function nodeGroupInputs(props: Props, stored = false): NodeGroupInputs {
    const inputs = typedInputs(KIND, nodeGroupSchema(capsOf(props), stored), props);
    return { ...inputs, nodeGroupName: nameIn(props, "nodeGroupName", ""), autoNamed: props.autoNamed === true };
}

export function diffNodeGroup(olds: Props, news: Props): DiffResult {
    return diffResource(nodeGroupFields, olds, news);
}

function clusterIid(props: Props): Iid {
    return { nameId: "", systemId: nameIn(props, "cluster", "") };
}

export async function createNodeGroup(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = nodeGroupInputs(inputs);
    const driver = driverFor(KIND, ins.nodeGroupName, inputs, config);
    if (ins.adopt) return adoptNodeGroup(driver, ins, ins.adopt, inputs, config);
    const byName = { nameId: ins.nodeGroupName, systemId: "" };
    return createTracked<NodeGroupInfo>({
        kind: KIND,
        name: ins.nodeGroupName,
        urn: ins.pulumiUrn,
        provider: inputs.__provider,
        create: () => driver.cluster.addNodeGroup(clusterIid(inputs), requestOf(ins)),
        find: () => driver.cluster.getNodeGroup(clusterIid(inputs), byName),
        outputs: live => toOutputs(live, ins),
        describe: async live => ({ id: live.iid.systemId, outs: toOutputs(live, ins) }),
        leftBehindReason: "create failed but the node group exists; `pulumi up` retries, `pulumi destroy` removes it",
    });
}

async function adoptNodeGroup(
    driver: Driver,
    ins: NodeGroupInputs,
    adopt: string,
    inputs: Props,
    config: ProviderConfig,
): Promise<CreateResult> {
    return adoptExisting<NodeGroupInfo>(
        {
            kind: KIND,
            adopt,
            fetch: iid => driver.cluster.getNodeGroup(clusterIid(inputs), iid),
            outputs: live => toOutputs(live, ins),
            diff: diffNodeGroup,
            update: updateNodeGroup,
        },
        inputs,
        config,
    );
}

export async function readNodeGroup(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const stored = { kind: KIND, name: nameIn(props, "nodeGroupName", id), props, config };
    return readOrGone(stored, async driver => {
        const byId = { nameId: nameIn(props, "nodeGroupName", ""), systemId: id };
        const live = await driver.cluster.getNodeGroup(clusterIid(props), byId);
        return { id: live.iid.systemId, props: toOutputs(live, storedOrLive(props, live)) };
    });
}

/** What state holds, or (a `NodeGroup.get` knows only the id) the live node group's own values. */
function storedOrLive(props: Props, live: NodeGroupInfo): NodeGroupInputs {
    const stored = parseWith(nodeGroupSchema(capsOf(props), true), props).value;
    const nodeGroupName = live.iid.nameId;
    if (stored) return { ...stored, nodeGroupName, autoNamed: props.autoNamed === true };
    const spec = liveSpec(live);
    return {
        ...spec,
        connection: storedConnection(props),
        cluster: nameIn(props, "cluster", ""),
        nodeGroupName,
        autoNamed: false,
    };
}

interface NodeGroupUpdate {
    driver: Driver;
    cluster: Iid;
    ngIid: Iid;
    ins: NodeGroupInputs;
    olds: Props;
    planned: Plan<NodeGroupCall>;
}

/** One function per field-table call of a NodeGroup. */
const NODE_GROUP_CALLS: Record<NodeGroupCall, (ctx: NodeGroupUpdate) => Step[]> = {
    setNodeGroupAutoScaling: ({ driver, cluster, ngIid, ins, planned }) =>
        step("setNodeGroupAutoScaling", async () => {
            await driver.cluster.setNodeGroupAutoScaling(cluster, ngIid, ins.onAutoScaling);
            if (!ins.onAutoScaling && !planned.calls.includes("changeNodeGroupScaling")) {
                await enforceDeclaredSize(driver, cluster, ngIid, ins);
            }
        }),
    changeNodeGroupScaling: ({ driver, cluster, ngIid, ins, olds }) =>
        step("changeNodeGroupScaling", () => changeScaling(driver, cluster, ngIid, olds.desiredNodeSize, ins)),
    changeNodeGroupConfig: ({ driver, cluster, ngIid, ins, olds }) =>
        step("changeNodeGroupConfig", () =>
            driver.cluster.changeNodeGroupConfig(cluster, ngIid, configChange(olds, ins)),
        ),
    changeNodeGroupMachines: ({ driver, cluster, ngIid, ins, olds }) =>
        step("changeNodeGroupMachines", () =>
            driver.cluster.changeNodeGroupMachines(cluster, ngIid, machineChange(olds, ins)),
        ),
};

export const updateNodeGroup: ResourceImpl["update"] = async (id, olds, news, config) => {
    const ins = nodeGroupInputs(news);
    const driver = driverFor(KIND, ins.nodeGroupName, news, config);
    const planned = plan(nodeGroupFields, olds, news, capabilitiesOf(ins.connection.driver));
    const ctx: NodeGroupUpdate = {
        driver,
        cluster: clusterIid(news),
        ngIid: { nameId: ins.nodeGroupName, systemId: id },
        ins,
        olds,
        planned,
    };
    const readBack = async () => toOutputs(await driver.cluster.getNodeGroup(ctx.cluster, ctx.ngIid), ins);
    return runUpdate({
        kind: KIND,
        name: ins.nodeGroupName,
        id,
        olds,
        provider: news.__provider,
        steps: stepsOf(NODE_GROUP_CALL_ORDER, planned, NODE_GROUP_CALLS, ctx),
        outputs: readBack,
        partialOutputs: readBack,
    });
};

export async function deleteNodeGroup(id: string, props: Props, config: ProviderConfig): Promise<void> {
    const ngIid = { nameId: nameIn(props, "nodeGroupName", ""), systemId: id };
    const stored = { kind: KIND, name: nameIn(props, "nodeGroupName", id), props, config };
    await deleteOrGone(stored, driver => driver.cluster.removeNodeGroup(clusterIid(props), ngIid));
}

export const nodeGroupImpl: ResourceImpl = {
    check: async (olds, news) => checkNodeGroup(olds, news),
    diff: async (_id, olds, news) => diffNodeGroup(olds, news),
    create: createNodeGroup,
    read: readNodeGroup,
    update: updateNodeGroup,
    delete: deleteNodeGroup,
};

function toOutputs(live: NodeGroupInfo, ins: NodeGroupInputs): NodeGroupOutputs {
    const out: NodeGroupOutputs = {
        ...ins,
        ...fromNodeGroupInfo(live, ins),
        connection: ins.connection,
        cluster: ins.cluster,
        nodeGroupName: live.iid.nameId,
        autoNamed: ins.autoNamed === true,
    };
    return clean(out);
}
