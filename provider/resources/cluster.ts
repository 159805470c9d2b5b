/**
 * Cluster: a managed Kubernetes control plane with the node groups declared inline. A node
 * group change never replaces the cluster: scaling and autoscaling are applied in place, any
 * other node-group field recreates that node group alone (new one first, then the old removed).
 */
import * as crypto from "crypto";
import type {
    ClusterAccessChange,
    ClusterInfo,
    ClusterNetworkChange,
    ClusterReq,
    Driver,
    Iid,
} from "../interface/driver";
import { ownerField } from "../interface/owner";
import { isRecord, parseWith, Props } from "../interface/schema";
import { capabilitiesOf } from "../drivers/registry";
import type { CreateResult, DiffResult, ProviderConfig, ReadResult, ResourceImpl } from "./common";
import { clean, userTags } from "./common";
import { CLUSTER_CALL_ORDER, ClusterCall, clusterFields, NodeGroupOp, nodeGroupOps, plan, Plan } from "./fields";
import * as groups from "./nodeGroupCommon";
import { ClusterInputs, ClusterNodeGroupInput, clusterSchema, compareVersions, timeoutsSchema } from "./schemas";
import { adoptExisting, capsOf, checker, createTracked, deleteOrGone, diffResource, driverFor } from "./skeleton";
import { nameIn } from "./skeleton";
import { readOrGone, runUpdate, step, Step, stepsOf, storedConnection, typedInputs } from "./skeleton";

export type { ClusterInputs, ClusterNodeGroupInput } from "./schemas";
export { compareVersions } from "./schemas";

export type ClusterNodeGroupOutput = ClusterNodeGroupInput & ReturnType<typeof groups.fromNodeGroupInfo>;

export type ClusterOutputs = Omit<ClusterInputs, "nodeGroups"> & {
    clusterId: string;
    status: string;
    endpoint: string;
    kubeconfig: string;
    nodeGroups: ClusterNodeGroupOutput[];
    createdTime: string;
    keyValues: Record<string, string>;
};

const KIND = "Cluster";

export const checkCluster = checker({
    kind: KIND,
    supported: caps => caps.cluster,
    schema: (caps, previous) => clusterSchema(caps, previous),
    naming: { key: "clusterName", fallback: "cluster", rule: caps => caps?.cluster.name, cap: 40 },
    validate: (module, inputs, conn) => module.validateCluster?.(toClusterReq(clusterInputs(inputs)), conn) ?? [],
});

function clusterInputs(props: Props): ClusterInputs {
    const inputs = typedInputs(KIND, clusterSchema(capsOf(props)), props);
    return { ...inputs, clusterName: nameIn(props, "clusterName", ""), autoNamed: props.autoNamed === true };
}

export function diffCluster(olds: Props, news: Props): DiffResult {
    return diffResource(clusterFields, olds, news);
}

function iidOf(id: string, props: Props): Iid {
    return { nameId: nameIn(props, "clusterName", ""), systemId: id };
}

/** The node groups stored in state, with their cloud names and ids. */
function storedNodeGroups(props: Props): Array<{ name: string; nodeGroupName: string; nodeGroupId: string }> {
    const list = Array.isArray(props.nodeGroups) ? props.nodeGroups.filter(isRecord) : [];
    return list
        .filter(group => typeof group.name === "string")
        .map(group => ({
            name: String(group.name),
            nodeGroupName: nameIn(group, "nodeGroupName", String(group.name)),
            nodeGroupId: nameIn(group, "nodeGroupId", ""),
        }));
}

export async function createCluster(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = clusterInputs(inputs);
    const driver = driverFor(KIND, ins.clusterName, inputs, config);
    if (ins.adopt) return adoptCluster(ins, ins.adopt, inputs, config, driver);
    const names = sameNames(ins);
    return createTracked<ClusterInfo>({
        kind: KIND,
        name: ins.clusterName,
        urn: ins.pulumiUrn,
        provider: inputs.__provider,
        create: () => driver.cluster.createCluster(toClusterReq(ins)),
        find: () => driver.cluster.getCluster({ nameId: ins.clusterName, systemId: "" }),
        outputs: live => toOutputs(live, ins, names),
        describe: async info => ({ id: info.iid.systemId, outs: toOutputs(info, ins, names) }),
        leftBehindReason:
            "create failed and its rollback left the cluster behind; `pulumi up` retries, `pulumi destroy` removes it",
    });
}

async function adoptCluster(
    ins: ClusterInputs,
    adopt: string,
    inputs: Props,
    config: ProviderConfig,
    driver: Driver,
): Promise<CreateResult> {
    return adoptExisting<ClusterInfo>(
        {
            kind: KIND,
            adopt,
            fetch: iid => driver.cluster.getCluster(iid),
            outputs: info => {
                // Existing node groups are matched to declared ones by cloud name; others are left alone.
                const matched = ins.nodeGroups.filter(group => info.nodeGroups.some(g => g.iid.nameId === group.name));
                return toOutputs(info, { ...ins, nodeGroups: matched }, sameNames(ins));
            },
            diff: diffCluster,
            // A downgrade is no replacement but cannot be applied either.
            refusals: info =>
                compareVersions(ins.version, info.version) < 0
                    ? [`version: existing ${info.version} is newer than declared ${ins.version}`]
                    : [],
            update: updateCluster,
        },
        inputs,
        config,
    );
}

/** Declared node-group name → cloud name: the same name for node groups created with the cluster. */
function sameNames(ins: ClusterInputs): Map<string, string> {
    return new Map(ins.nodeGroups.map(group => [group.name, group.name]));
}

export async function readCluster(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const stored = { kind: KIND, name: nameIn(props, "clusterName", id), props, config };
    return readOrGone(stored, async driver => {
        const info = await driver.cluster.getCluster(iidOf(id, props));
        const stored = Array.isArray(props.nodeGroups) ? storedNodeGroups(props) : undefined;
        // Declared node groups still present, matched by cloud name; a Resource.get sees them all.
        const present = stored?.filter(group => info.nodeGroups.some(live => live.iid.nameId === group.nodeGroupName));
        const cloudNames = new Map((present ?? []).map(group => [group.name, group.nodeGroupName]));
        const declared: ClusterNodeGroupInput[] = present
            ? present.map(group => specOf(props, group.name, info, group.nodeGroupName))
            : info.nodeGroups.map(live => ({ name: live.iid.nameId, ...groups.fromNodeGroupInfo(live) }));
        const base: ClusterInputs = {
            connection: storedConnection(props),
            clusterName: info.iid.nameId,
            autoNamed: props.autoNamed === true,
            version: info.version,
            network: { ...info.network },
            endpointAccess: { ...info.endpointAccess },
            logging: [...info.logging],
            nodeGroups: declared,
            tags: info.tags,
        };
        if (typeof props.adopt === "string") base.adopt = props.adopt;
        const timeouts = parseWith(timeoutsSchema, props.timeouts).value;
        if (timeouts) base.timeouts = timeouts;
        if (typeof props.pulumiUrn === "string") base.pulumiUrn = props.pulumiUrn;
        return { id: info.iid.systemId, props: toOutputs(info, base, cloudNames) };
    });
}

/** A stored node group's declared spec: the stored size and autoscaling choice with the live values. */
function specOf(props: Props, name: string, info: ClusterInfo, cloudName: string): ClusterNodeGroupInput {
    const live = info.nodeGroups.find(group => group.iid.nameId === cloudName);
    if (!live) throw new Error(`node group "${cloudName}" is not in the cluster`);
    const stored = (Array.isArray(props.nodeGroups) ? props.nodeGroups.filter(isRecord) : []).find(
        group => group.name === name,
    );
    // The VM specs in the form state holds them (vmSpecs or vmSpec).
    const declared = stored === undefined ? undefined : stored.vmSpecs !== undefined ? { vmSpecs: [] } : { vmSpec: "" };
    const spec = groups.liveSpec(live, declared);
    return {
        name,
        ...spec,
        onAutoScaling: typeof stored?.onAutoScaling === "boolean" ? stored.onAutoScaling : spec.onAutoScaling,
        desiredNodeSize: typeof stored?.desiredNodeSize === "number" ? stored.desiredNodeSize : spec.desiredNodeSize,
    };
}

/** Endpoint access and/or logging, whichever changed. */
function accessChange(changed: string[], ins: ClusterInputs): ClusterAccessChange {
    const change: ClusterAccessChange = {};
    if (changed.some(path => path.startsWith("endpointAccess."))) change.endpointAccess = { ...ins.endpointAccess };
    if (changed.includes("logging")) change.logging = [...ins.logging];
    return change;
}

/** Only the kinds that changed: EKS makes one update per kind. */
function networkChange(changed: string[], network: ClusterInputs["network"]): ClusterNetworkChange {
    const change: ClusterNetworkChange = {};
    if (changed.includes("network.subnets")) change.subnets = [...network.subnets];
    if (changed.includes("network.securityGroups")) change.securityGroups = [...network.securityGroups];
    return change;
}

interface ClusterUpdate {
    driver: Driver;
    iid: Iid;
    ins: ClusterInputs;
    olds: Props;
    planned: Plan<ClusterCall>;
    /** Declared node-group name → cloud name, kept current as steps add and remove groups. */
    names: Map<string, string>;
}

/** One function per field-table call of a Cluster; node groups expand to one step per node-group op. */
const CLUSTER_CALLS: Record<ClusterCall, (ctx: ClusterUpdate) => Step[]> = {
    changeClusterNetwork: ({ driver, iid, ins, planned }) =>
        step("changeClusterNetwork", () =>
            driver.cluster.changeClusterNetwork(iid, networkChange(planned.changed, ins.network)),
        ),
    changeClusterAccess: ({ driver, iid, ins, planned }) =>
        step("changeClusterAccess", () => driver.cluster.changeClusterAccess(iid, accessChange(planned.changed, ins))),
    upgradeCluster: ({ driver, iid, ins }) =>
        step(`upgradeCluster ${ins.version}`, () => driver.cluster.upgradeCluster(iid, ins.version)),
    nodeGroups: ctx => nodeGroupSteps(ctx),
    changeClusterTags: ({ driver, iid, ins }) =>
        step("changeClusterTags", () => driver.cluster.changeClusterTags(iid, ins.tags)),
};

type OpOf<K extends NodeGroupOp["op"]> = NodeGroupOp & { op: K };

/** One function per node-group step kind. */
const NODE_GROUP_STEPS: { [K in NodeGroupOp["op"]]: (ctx: ClusterUpdate, op: OpOf<K>, ngIid: Iid) => Promise<void> } = {
    add: async ({ driver, iid, ins, names }, op) => {
        await driver.cluster.addNodeGroup(
            iid,
            groups.toNodeGroupReq(op.name, declaredSpec(ins, op.name), ins.pulumiUrn),
        );
        names.set(op.name, op.name);
    },
    remove: async ({ driver, iid, names }, op, ngIid) => {
        await driver.cluster.removeNodeGroup(iid, ngIid);
        names.delete(op.name);
    },
    recreate: async ({ driver, iid, ins, names }, op, ngIid) => {
        const fresh = `${op.name}-${crypto.randomBytes(2).toString("hex")}`;
        await driver.cluster.addNodeGroup(iid, groups.toNodeGroupReq(fresh, declaredSpec(ins, op.name), ins.pulumiUrn));
        names.set(op.name, fresh);
        await driver.cluster.removeNodeGroup(iid, ngIid);
    },
    changeNodeGroupScaling: async ({ driver, iid, ins }, op, ngIid) => {
        await groups.changeScaling(driver, iid, ngIid, op.olds.desiredNodeSize, declaredSpec(ins, op.name));
    },
    changeNodeGroupConfig: async ({ driver, iid, ins }, op, ngIid) => {
        await driver.cluster.changeNodeGroupConfig(
            iid,
            ngIid,
            groups.configChange(op.olds, declaredSpec(ins, op.name)),
        );
    },
    changeNodeGroupMachines: async ({ driver, iid, ins }, op, ngIid) => {
        await driver.cluster.changeNodeGroupMachines(
            iid,
            ngIid,
            groups.machineChange(op.olds, declaredSpec(ins, op.name)),
        );
    },
    setNodeGroupAutoScaling: async (ctx, op, ngIid) => {
        const spec = declaredSpec(ctx.ins, op.name);
        await ctx.driver.cluster.setNodeGroupAutoScaling(ctx.iid, ngIid, spec.onAutoScaling);
        const resized = nodeGroupOps(
            ctx.olds.nodeGroups,
            ctx.ins.nodeGroups,
            capabilitiesOf(ctx.ins.connection.driver),
        ).some(other => other.op === "changeNodeGroupScaling" && other.name === op.name);
        if (!spec.onAutoScaling && !resized) await groups.enforceDeclaredSize(ctx.driver, ctx.iid, ngIid, spec);
    },
};

function declaredSpec(ins: ClusterInputs, name: string): ClusterNodeGroupInput {
    const spec = ins.nodeGroups.find(group => group.name === name);
    if (!spec) throw new Error(`node group "${name}" is not declared`);
    return spec;
}

function runNodeGroupStep<K extends NodeGroupOp["op"]>(ctx: ClusterUpdate, op: OpOf<K>, ngIid: Iid): Promise<void> {
    const run = NODE_GROUP_STEPS[op.op] as (ctx: ClusterUpdate, op: OpOf<K>, ngIid: Iid) => Promise<void>;
    return run(ctx, op, ngIid);
}

function nodeGroupSteps(ctx: ClusterUpdate): Step[] {
    const ops = nodeGroupOps(ctx.olds.nodeGroups, ctx.ins.nodeGroups, capabilitiesOf(ctx.ins.connection.driver));
    const stored = storedNodeGroups(ctx.olds);
    return ops.map(op => ({
        label: `${op.op} ${op.name}`,
        run: () => {
            const systemId = op.op === "add" ? "" : (stored.find(group => group.name === op.name)?.nodeGroupId ?? "");
            return runNodeGroupStep(ctx, op, { nameId: ctx.names.get(op.name) ?? op.name, systemId });
        },
    }));
}

export const updateCluster: ResourceImpl["update"] = async (id, olds, news, config) => {
    const ins = clusterInputs(news);
    const driver = driverFor(KIND, ins.clusterName, news, config);
    const iid = iidOf(id, olds);
    const planned = plan(clusterFields, olds, news, capabilitiesOf(ins.connection.driver));
    const names = new Map(storedNodeGroups(olds).map(group => [group.name, group.nodeGroupName]));
    const ctx: ClusterUpdate = { driver, iid, ins, olds, planned, names };
    return runUpdate({
        kind: KIND,
        name: ins.clusterName,
        id,
        olds,
        provider: news.__provider,
        steps: stepsOf(CLUSTER_CALL_ORDER, planned, CLUSTER_CALLS, ctx),
        outputs: async () => toOutputs(await driver.cluster.getCluster(iid), ins, names),
        partialOutputs: async () => partialOutputs(await driver.cluster.getCluster(iid), ins, olds, names),
    });
};

/** Only node groups that really exist are recorded, under whichever spec they now have. */
function partialOutputs(info: ClusterInfo, ins: ClusterInputs, olds: Props, names: Map<string, string>): Props {
    const present = [...names.entries()].filter(([, cloud]) => info.nodeGroups.some(live => live.iid.nameId === cloud));
    const nodeGroups = present.map(([name, cloud]) => {
        return ins.nodeGroups.find(group => group.name === name) ?? specOf(olds, name, info, cloud);
    });
    return toOutputs(info, { ...ins, version: info.version, nodeGroups }, new Map(present));
}

export async function deleteCluster(id: string, props: Props, config: ProviderConfig): Promise<void> {
    const stored = { kind: KIND, name: nameIn(props, "clusterName", id), props, config };
    await deleteOrGone(stored, driver => driver.cluster.deleteCluster(iidOf(id, props)));
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
        ...settingsOf(ins),
        nodeGroups: ins.nodeGroups.map(group => groups.toNodeGroupReq(group.name, group, ins.pulumiUrn)),
        tags: { ...ins.tags },
        ...ownerField(ins.pulumiUrn),
    };
}

/** The cluster-wide settings a request and the outputs both carry, copied so neither shares a list with its source. */
function settingsOf(from: ClusterSettings): ClusterSettings {
    const { network, endpointAccess } = from;
    return {
        network: { vpc: network.vpc, subnets: [...network.subnets], securityGroups: [...network.securityGroups] },
        endpointAccess: { ...endpointAccess, publicCidrs: [...endpointAccess.publicCidrs] },
        logging: [...from.logging],
    };
}

type ClusterSettings = Pick<ClusterInfo, "network" | "endpointAccess" | "logging">;

/** Outputs: declared node groups (by cloud name) with live values; others' groups are not ours. */
export function toOutputs(info: ClusterInfo, ins: ClusterInputs, cloudNames: Map<string, string>): ClusterOutputs {
    const nodeGroups: ClusterNodeGroupOutput[] = [];
    for (const group of ins.nodeGroups) {
        const cloud = cloudNames.get(group.name) ?? group.name;
        const live = info.nodeGroups.find(candidate => candidate.iid.nameId === cloud);
        if (live) nodeGroups.push({ name: group.name, ...groups.fromNodeGroupInfo(live, group) });
    }
    const out: ClusterOutputs = {
        ...ins,
        clusterName: info.iid.nameId,
        clusterId: info.iid.systemId,
        version: info.version,
        ...settingsOf(info),
        nodeGroups,
        tags: userTags(info.tags),
        status: info.status,
        endpoint: info.endpoint,
        kubeconfig: info.kubeconfig,
        createdTime: info.createdTime,
        keyValues: { ...info.keyValues },
    };
    return clean(out);
}
