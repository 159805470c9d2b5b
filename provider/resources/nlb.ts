/**
 * Nlb: a network load balancer with one listener, one VM group and one health checker.
 * Order: schema (./schemas) and field table (./fields) → check, diff, create, read, update,
 * delete on the skeleton → converters.
 */
import type { Driver, HealthCheckerReq, HealthInfo, Iid, NlbInfo, NlbReq } from "../interface/driver";
import type { NlbTraffic, TrafficProtocol } from "../interface/driver";
import { ownerField } from "../interface/owner";
import { isRecord, parseWith, Props } from "../interface/schema";
import type { CreateResult, DiffResult, ProviderConfig, ReadResult, ResourceImpl } from "./common";
import { clean, sameVm, userTags } from "./common";
import { NLB_CALL_ORDER, NlbCall, nlbFields, plan } from "./fields";
import { NlbInputs, nlbSchema, timeoutsSchema } from "./schemas";
import { adoptExisting, capsOf, checker, createTracked, deleteOrGone, diffResource, driverFor } from "./skeleton";
import { nameIn } from "./skeleton";
import { readOrGone, runUpdate, step, Step, storedConnection, typedInputs } from "./skeleton";
import { capabilitiesOf } from "../drivers/registry";

export type { NlbInputs } from "./schemas";

export type NlbOutputs = Omit<NlbInputs, "listener"> & {
    nlbId: string;
    listener: NlbInputs["listener"] & { ip: string; dnsName: string };
    /** Every VM attached to the NLB, including those attached by NlbVmGroup resources. */
    vms: string[];
    health: { healthy: string[]; unhealthy: string[] };
    createdTime: string;
    keyValues: Record<string, string>;
};

const KIND = "Nlb";

export const checkNlb = checker({
    kind: KIND,
    supported: caps => caps.nlb,
    schema: caps => nlbSchema(caps),
    naming: { key: "nlbName", fallback: "nlb", rule: caps => caps?.nlb.name, cap: 32 },
    validate: (module, inputs) => module.validateNlb?.(toNlbReq(nlbInputs(inputs))) ?? [],
});

function nlbInputs(props: Props): NlbInputs {
    const inputs = typedInputs(KIND, nlbSchema(capsOf(props)), props);
    return { ...inputs, nlbName: nameIn(props, "nlbName", ""), autoNamed: props.autoNamed === true };
}

function vmsOf(props: Props): string[] {
    const vms = isRecord(props.vmGroup) ? props.vmGroup.vms : undefined;
    return Array.isArray(vms) ? vms.filter((vm): vm is string => typeof vm === "string") : [];
}

export function diffNlb(olds: Props, news: Props): DiffResult {
    // A fixed cloud name, or VMs that can serve one NLB only, must be freed before the
    // replacement can take them.
    return diffResource(nlbFields, olds, news, (caps, previous) => {
        return news.autoNamed !== true || (caps.nlb.exclusiveVmMembership && vmsOf(previous).length > 0);
    });
}

function iidOf(id: string, props: Props): Iid {
    return { nameId: nameIn(props, "nlbName", ""), systemId: id };
}

export async function createNlb(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = nlbInputs(inputs);
    if (ins.adopt) return adoptNlb(ins, ins.adopt, inputs, config);
    const driver = driverFor(KIND, ins.nlbName, inputs, config);
    const byName = { nameId: ins.nlbName, systemId: "" };
    return createTracked<NlbInfo>({
        kind: KIND,
        name: ins.nlbName,
        urn: ins.pulumiUrn,
        provider: inputs.__provider,
        create: () => driver.nlb.createNlb(toNlbReq(ins)),
        find: () => driver.nlb.getNlb(byName),
        outputs: live => toOutputs(live, ins, undefined),
        describe: async info => {
            const health = await driver.nlb.getVmGroupHealthInfo(info.iid);
            return { id: info.iid.systemId, outs: toOutputs(info, ins, health) };
        },
        leftBehindReason:
            "create failed and its rollback left the NLB behind; `pulumi up` retries, `pulumi destroy` removes it",
        describeFailedReason: "reading health after create failed",
    });
}

/** Brings an existing NLB under management: no create; declared in-place values are applied. */
async function adoptNlb(ins: NlbInputs, adopt: string, inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const driver = driverFor(KIND, ins.nlbName, inputs, config, false);
    return adoptExisting<NlbInfo>(
        {
            kind: KIND,
            adopt,
            fetch: iid => driver.nlb.getNlb(iid),
            // Adopted VMs are all the NLB's own: declared ones stay, others are detached by the update.
            outputs: info => toOutputs(info, { ...ins, vmGroup: { ...ins.vmGroup, vms: info.vmGroup.vms } }, undefined),
            diff: diffNlb,
            update: updateNlb,
        },
        inputs,
        config,
    );
}

export async function readNlb(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const stored = { kind: KIND, name: nameIn(props, "nlbName", id), props, config };
    return readOrGone(stored, async driver => {
        const info = await driver.nlb.getNlb(iidOf(id, props));
        const health = await driver.nlb.getVmGroupHealthInfo(info.iid);
        const declared = isRecord(props.vmGroup) && Array.isArray(props.vmGroup.vms) ? vmsOf(props) : undefined;
        return { id: info.iid.systemId, props: toOutputs(info, fromProps(props, info, declared), health) };
    });
}

/** The declared half of the outputs: from stored state, or from the live NLB when only an id is known. */
function fromProps(props: Props, info: NlbInfo, declaredVms: string[] | undefined): NlbInputs {
    const out: NlbInputs = {
        connection: storedConnection(props),
        nlbName: info.iid.nameId,
        autoNamed: props.autoNamed === true,
        vpc: info.vpc,
        type: info.type,
        scope: info.scope,
        listener: { protocol: info.listener.protocol, port: info.listener.port },
        vmGroup: { protocol: info.vmGroup.protocol, port: info.vmGroup.port, vms: declaredVms ?? info.vmGroup.vms },
        healthChecker: healthOf(info),
        ...info.traffic,
        securityGroups: [...info.securityGroups],
        tags: info.tags,
    };
    if (typeof props.adopt === "string") out.adopt = props.adopt;
    const timeouts = parseWith(timeoutsSchema, props.timeouts).value;
    if (timeouts) out.timeouts = timeouts;
    if (typeof props.pulumiUrn === "string") out.pulumiUrn = props.pulumiUrn;
    return out;
}

interface NlbUpdate {
    driver: Driver;
    iid: Iid;
    ins: NlbInputs;
    toRemove: string[];
    toAdd: string[];
}

/** One function per field-table call; "vms" is the delta, split around the reshaping calls. */
const NLB_CALLS: Record<NlbCall, (ctx: NlbUpdate) => Step[]> = {
    removeVms: ({ driver, iid, toRemove }) => step("removeVms", () => driver.nlb.removeVms(iid, toRemove)),
    changeVmGroupInfo: ({ driver, iid, ins }) =>
        step("changeVmGroupInfo", () => driver.nlb.changeVmGroupInfo(iid, vmGroupInfo(ins))),
    changeListener: ({ driver, iid, ins }) =>
        step("changeListener", () => driver.nlb.changeListener(iid, { ...ins.listener })),
    changeHealthCheckerInfo: ({ driver, iid, ins }) =>
        step("changeHealthCheckerInfo", () => driver.nlb.changeHealthCheckerInfo(iid, toHealthReq(ins.healthChecker))),
    changeSubnets: ({ driver, iid, ins }) =>
        step("changeSubnets", () => driver.nlb.changeSubnets(iid, ins.subnets ?? [])),
    changeSecurityGroups: ({ driver, iid, ins }) =>
        step("changeSecurityGroups", () => driver.nlb.changeSecurityGroups(iid, [...ins.securityGroups])),
    changeTrafficSettings: ({ driver, iid, ins }) =>
        step("changeTrafficSettings", () => driver.nlb.changeTrafficSettings(iid, trafficOf(ins))),
    addVms: ({ driver, iid, toAdd }) => step("addVms", () => driver.nlb.addVms(iid, toAdd)),
    changeTags: ({ driver, iid, ins }) => step("changeTags", () => driver.nlb.changeTags(iid, ins.tags)),
};

function nlbSteps(ctx: NlbUpdate, calls: readonly string[]): Step[] {
    const wanted = (call: NlbCall) =>
        calls.includes(call) ||
        (calls.includes("vms") &&
            ((call === "removeVms" && ctx.toRemove.length > 0) || (call === "addVms" && ctx.toAdd.length > 0)));
    return NLB_CALL_ORDER.filter(wanted).flatMap(call => NLB_CALLS[call](ctx));
}

export const updateNlb: ResourceImpl["update"] = async (id, olds, news, config) => {
    const ins = nlbInputs(news);
    const driver = driverFor(KIND, ins.nlbName, news, config);
    const iid = iidOf(id, olds);
    const planned = plan(nlbFields, olds, news, capabilitiesOf(ins.connection.driver));
    const oldVms = vmsOf(olds);
    const toRemove = oldVms.filter(vm => !ins.vmGroup.vms.includes(vm));
    const toAdd = ins.vmGroup.vms.filter(vm => !oldVms.includes(vm));
    const readBack = async (vms: (live: NlbInfo) => string[], withHealth: boolean) => {
        const info = await driver.nlb.getNlb(iid);
        const health = withHealth ? await driver.nlb.getVmGroupHealthInfo(iid) : undefined;
        return toOutputs(info, { ...ins, vmGroup: { ...ins.vmGroup, vms: vms(info) } }, health);
    };
    return runUpdate({
        kind: KIND,
        name: ins.nlbName,
        id,
        olds,
        provider: news.__provider,
        steps: nlbSteps({ driver, iid, ins, toRemove, toAdd }, planned.calls),
        outputs: () => readBack(() => ins.vmGroup.vms, true),
        partialOutputs: () => readBack(info => mergeVms(oldVms, ins.vmGroup.vms, info.vmGroup.vms), false),
        nameFailedStep: true,
    });
};

/** Declared VMs that are really attached, whichever of the old or new declarations they came from. */
function mergeVms(oldVms: string[], newVms: string[], live: string[]): string[] {
    return [...new Set([...oldVms, ...newVms])].filter(vm => live.some(attached => sameVm(vm, attached)));
}

export async function deleteNlb(id: string, props: Props, config: ProviderConfig): Promise<void> {
    const stored = { kind: KIND, name: nameIn(props, "nlbName", id), props, config };
    await deleteOrGone(stored, driver => driver.nlb.deleteNlb(iidOf(id, props)));
}

export const nlbImpl: ResourceImpl = {
    check: async (olds, news) => checkNlb(olds, news),
    diff: async (_id, olds, news) => diffNlb(olds, news),
    create: createNlb,
    read: readNlb,
    update: updateNlb,
    delete: deleteNlb,
};

// ---------------------------------------------------------------------------------------------
// Converters

/** The VM group's protocol is the listener's unless declared (check fills it in). */
function vmGroupInfo(ins: NlbInputs): { protocol: TrafficProtocol; port: number } {
    return { protocol: ins.vmGroup.protocol ?? ins.listener.protocol, port: ins.vmGroup.port };
}

function healthOf(info: NlbInfo): NlbInputs["healthChecker"] {
    const { protocol, port, interval, timeout, threshold, unhealthyThreshold, path } = info.healthChecker;
    return { protocol, port, interval, timeout, threshold, unhealthyThreshold, path };
}

function trafficOf(ins: NlbInputs): NlbTraffic {
    const { crossZone, connectionDraining, sessionAffinity, preserveClientIp, proxyProtocol } = ins;
    return { crossZone, connectionDraining, sessionAffinity, preserveClientIp, proxyProtocol };
}

export function toHealthReq(health: NlbInputs["healthChecker"]): HealthCheckerReq {
    const { path, ...rest } = health;
    const req: HealthCheckerReq = { ...rest };
    if (path) req.path = path;
    return req;
}

export function toNlbReq(ins: NlbInputs): NlbReq {
    const req: NlbReq = {
        iid: { nameId: ins.nlbName, systemId: "" },
        vpc: ins.vpc,
        type: ins.type,
        scope: ins.scope,
        listener: { protocol: ins.listener.protocol, port: ins.listener.port },
        vmGroup: { ...vmGroupInfo(ins), vms: [...ins.vmGroup.vms] },
        healthChecker: toHealthReq(ins.healthChecker),
        traffic: trafficOf(ins),
        securityGroups: [...ins.securityGroups],
        tags: { ...ins.tags },
        ...ownerField(ins.pulumiUrn),
    };
    if (ins.subnets) req.subnets = [...ins.subnets];
    return req;
}

/** Live state in the declared shape; VMs attached by others stay out of `vmGroup.vms`. */
export function toOutputs(info: NlbInfo, ins: NlbInputs, health: HealthInfo | undefined): NlbOutputs {
    const owned = ins.vmGroup.vms.filter(vm => info.vmGroup.vms.some(attached => sameVm(vm, attached)));
    const out: NlbOutputs = {
        ...ins,
        nlbName: info.iid.nameId,
        vpc: info.vpc,
        type: info.type,
        scope: info.scope,
        nlbId: info.iid.systemId,
        listener: {
            protocol: info.listener.protocol,
            port: info.listener.port,
            ip: info.listener.ip,
            dnsName: info.listener.dnsName,
        },
        vmGroup: { protocol: info.vmGroup.protocol, port: info.vmGroup.port, vms: owned },
        healthChecker: healthOf(info),
        ...info.traffic,
        securityGroups: [...info.securityGroups],
        tags: userTags(info.tags),
        subnets: [...info.subnets],
        vms: [...info.vmGroup.vms],
        health: { healthy: health ? [...health.healthy] : [], unhealthy: health ? [...health.unhealthy] : [] },
        createdTime: info.createdTime,
        keyValues: { ...info.keyValues },
    };
    return clean(out);
}
