/**
 * Nlb: a network load balancer with one listener, one VM group and one health checker.
 * Order: Args/State shapes → field table (./fields) → default timeouts → check, diff, create,
 * read, update, delete → converters.
 */
import type {
    Capabilities,
    Connection,
    HealthCheckerReq,
    HealthInfo,
    Iid,
    NlbInfo,
    NlbReq,
    NlbScope,
    NlbType,
    TrafficProtocol,
    HealthProtocol,
} from "../interface/driver";
import { HEALTH_PROTOCOLS, NLB_SCOPES, NLB_TYPES, TRAFFIC_PROTOCOLS } from "../interface/driver";
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
    checkEnum,
    checkInt,
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
    sameVm,
    toDriverTimeouts,
    UpdateResult,
    UNKNOWN,
} from "./common";
import { NLB_CALL_ORDER, nlbFields, plan } from "./fields";

/** Inputs after check: every default filled in, so outputs and inputs compare field by field. */
export interface NlbInputs {
    connection: Connection;
    nlbName: string;
    autoNamed: boolean;
    vpc: string;
    type: NlbType;
    scope: NlbScope;
    subnets?: string[];
    listener: { protocol: TrafficProtocol; port: number };
    vmGroup: { protocol: TrafficProtocol; port: number; vms: string[] };
    healthChecker: {
        protocol: HealthProtocol;
        port: number;
        interval: number;
        timeout: number;
        threshold: number;
        path: string;
    };
    tags: Record<string, string>;
    adopt?: string;
    timeouts?: { create?: number; update?: number; delete?: number };
    /** URN of this resource, recorded on the cloud objects as their owner. */
    pulumiUrn?: string;
}

export interface NlbOutputs extends NlbInputs {
    nlbId: string;
    listener: NlbInputs["listener"] & { ip: string; dnsName: string };
    /** Every VM attached to the NLB, including those attached by NlbVmGroup resources. */
    vms: string[];
    health: { healthy: string[]; unhealthy: string[] };
    createdTime: string;
    keyValues: Record<string, string>;
}

const KIND = "Nlb";
const TOP_KEYS = [
    "connection",
    "nlbName",
    "pulumiName",
    "autoNamed",
    "vpc",
    "type",
    "scope",
    "subnets",
    "listener",
    "vmGroup",
    "healthChecker",
    "tags",
    "adopt",
    "timeouts",
    "pulumiUrn",
];

export function checkNlb(olds: Props, news: Props): CheckResult {
    const issues = new Issues();
    checkKnownKeys(news, TOP_KEYS, "", issues);
    const conn = checkConnection(news.connection, issues);
    const caps = conn ? driverCaps(conn) : undefined;
    if (caps && !caps.nlb.supported)
        issues.add(
            "connection.driver",
            `the ${caps.driver} driver does not support Nlb: ${caps.nlb.reason ?? "not implemented"}`,
        );
    const ncaps = caps?.nlb;

    let nlbName: string | undefined;
    let autoNamed = false;
    if (news.nlbName !== undefined && news.nlbName !== null) {
        nlbName = ncaps
            ? checkName(news.nlbName, "nlbName", issues, ncaps.name)
            : checkString(news.nlbName, "nlbName", issues);
    } else if (typeof olds.nlbName === "string" && olds.nlbName !== "") {
        nlbName = olds.nlbName;
        autoNamed = olds.autoNamed === true;
    } else {
        const base = typeof news.pulumiName === "string" ? news.pulumiName : "nlb";
        nlbName = autoName(base, ncaps?.name.maxLength ?? 32, caps?.driver === "gcp");
        autoNamed = true;
    }
    if (news.nlbName === UNKNOWN) nlbName = UNKNOWN;

    const vpc = checkString(news.vpc, "vpc", issues);
    const type = checkEnum<NlbType>(news.type ?? "PUBLIC", "type", issues, ncaps?.types ?? NLB_TYPES, NLB_TYPES);
    const scope = checkEnum<NlbScope>(news.scope ?? "REGION", "scope", issues, ncaps?.scopes ?? NLB_SCOPES, NLB_SCOPES);
    const subnets = news.subnets === undefined ? undefined : checkStringList(news.subnets, "subnets", issues);

    const l = isRecord(news.listener) ? news.listener : undefined;
    if (!l && news.listener !== UNKNOWN) issues.add("listener", "is required: { protocol: TCP|UDP, port }");
    checkKnownKeys(l, ["protocol", "port"], "listener", issues);
    const lProto = l
        ? checkEnum<TrafficProtocol>(
              l.protocol,
              "listener.protocol",
              issues,
              ncaps?.listenerProtocols ?? TRAFFIC_PROTOCOLS,
              TRAFFIC_PROTOCOLS,
          )
        : undefined;
    const lPort = l ? checkInt(l.port, "listener.port", issues, { min: 1, max: 65535 }) : undefined;

    const g = isRecord(news.vmGroup) ? news.vmGroup : undefined;
    if (!g && news.vmGroup !== UNKNOWN) issues.add("vmGroup", "is required: { protocol?, port, vms? }");
    checkKnownKeys(g, ["protocol", "port", "vms"], "vmGroup", issues);
    // Defaults to the listener's protocol; not reported again when that one is already invalid.
    const gProto = g
        ? checkEnum<TrafficProtocol>(
              g.protocol ?? lProto,
              "vmGroup.protocol",
              issues,
              ncaps?.vmGroupProtocols ?? TRAFFIC_PROTOCOLS,
              TRAFFIC_PROTOCOLS,
              g.protocol !== undefined || lProto !== undefined,
          )
        : undefined;
    const gPort = g ? checkInt(g.port, "vmGroup.port", issues, { min: 1, max: 65535 }) : undefined;
    const vms = g ? checkStringList(g.vms ?? [], "vmGroup.vms", issues) : undefined;
    if (ncaps && lProto && gProto && !ncaps.compatibleProtocols[lProto].includes(gProto)) {
        issues.add(
            "vmGroup.protocol",
            `${gProto} cannot serve a ${lProto} listener on ${caps?.driver} (allowed: ${ncaps.compatibleProtocols[lProto].join(", ")})`,
        );
    }
    if (ncaps && vms && vms.length === 0 && !ncaps.allowsEmptyVmGroup)
        issues.add("vmGroup.vms", "must list at least one VM for this driver");

    const h = news.healthChecker === undefined ? {} : isRecord(news.healthChecker) ? news.healthChecker : undefined;
    if (!h && news.healthChecker !== UNKNOWN)
        issues.add("healthChecker", "must be an object { protocol?, port?, interval?, timeout?, threshold?, path? }");
    checkKnownKeys(h, ["protocol", "port", "interval", "timeout", "threshold", "path"], "healthChecker", issues);
    const defaults = ncaps?.defaults ?? { interval: 10, timeout: 5, threshold: 3 };
    const hProto = h
        ? checkEnum<HealthProtocol>(
              h.protocol ?? "TCP",
              "healthChecker.protocol",
              issues,
              ncaps?.healthProtocols ?? HEALTH_PROTOCOLS,
              HEALTH_PROTOCOLS,
          )
        : undefined;
    const hPort = h
        ? checkInt(h.port ?? g?.port, "healthChecker.port", issues, { min: 1, max: 65535 }, false)
        : undefined;
    const hInterval = h
        ? checkInt(
              h.interval ?? defaults.interval,
              "healthChecker.interval",
              issues,
              ncaps?.healthInterval ?? { min: 1, max: 3600 },
          )
        : undefined;
    const hTimeout = h
        ? checkInt(
              h.timeout ?? Math.min(defaults.timeout, typeof h.interval === "number" ? h.interval : defaults.timeout),
              "healthChecker.timeout",
              issues,
              ncaps?.healthTimeout ?? { min: 1, max: 3600 },
          )
        : undefined;
    const hThreshold = h
        ? checkInt(
              h.threshold ?? defaults.threshold,
              "healthChecker.threshold",
              issues,
              ncaps?.healthThreshold ?? { min: 1, max: 100 },
          )
        : undefined;
    if (ncaps?.timeoutAtMostInterval && hTimeout !== undefined && hInterval !== undefined && hTimeout > hInterval) {
        issues.add("healthChecker.timeout", `must not exceed healthChecker.interval (${hInterval}s), got ${hTimeout}s`);
    }
    let hPath = "";
    if (h && h.path !== undefined && h.path !== "") {
        const p = checkString(h.path, "healthChecker.path", issues);
        if (p !== undefined && hProto === "TCP")
            issues.add("healthChecker.path", "is only valid for HTTP and HTTPS health checks");
        else if (p !== undefined && !p.startsWith("/"))
            issues.add("healthChecker.path", `must start with "/", got "${p}"`);
        else if (p !== undefined) hPath = p;
    } else if (hProto === "HTTP" || hProto === "HTTPS") {
        hPath = "/";
    }
    const tags = checkTags(news.tags, "tags", issues);
    const adopt = news.adopt === undefined ? undefined : checkString(news.adopt, "adopt", issues);
    const timeouts = checkTimeouts(news.timeouts, issues);

    const inputs: Props = {
        connection: conn ?? news.connection,
        nlbName,
        autoNamed,
        vpc: vpc ?? news.vpc,
        type: type ?? news.type,
        scope: scope ?? news.scope,
        listener: { protocol: lProto ?? l?.protocol, port: lPort ?? l?.port },
        vmGroup: { protocol: gProto ?? g?.protocol, port: gPort ?? g?.port, vms: vms ?? g?.vms ?? [] },
        healthChecker: {
            protocol: hProto ?? h?.protocol,
            port: hPort ?? h?.port ?? g?.port,
            interval: hInterval ?? h?.interval,
            timeout: hTimeout ?? h?.timeout,
            threshold: hThreshold ?? h?.threshold,
            path: hPath,
        },
        tags: tags ?? news.tags ?? {},
        ...checkPulumiUrn(news, issues),
    };
    if (subnets !== undefined || news.subnets !== undefined) inputs.subnets = subnets ?? news.subnets;
    if (adopt !== undefined) inputs.adopt = adopt;
    if (timeouts !== undefined) inputs.timeouts = timeouts;

    // Driver-specific rules (e.g. ELBv2 or GCE constraints) only once every value is known.
    if (issues.ok && conn && !isUnknown(inputs)) {
        const mod = driverModule(conn.driver) as {
            validateNlb?: (req: NlbReq) => Array<{ property: string; reason: string }>;
        };
        if (mod.validateNlb) issues.addAll(mod.validateNlb(toNlbReq(inputs as unknown as NlbInputs)));
    }
    return { inputs: issues.ok ? clean(inputs) : news, failures: issues.list };
}

export function diffNlb(olds: Props, news: Props): DiffResult {
    const caps = capsFor(news, olds);
    const p = plan(nlbFields, olds, news, caps);
    return {
        changes: p.changed.length > 0,
        replaces: p.replaces,
        // A fixed cloud name, or VMs that can serve one NLB only, must be freed before the
        // replacement can take them.
        deleteBeforeReplace:
            p.replaces.length > 0 && (news.autoNamed !== true || (caps.nlb.exclusiveVmMembership && hasVms(olds))),
    };
}

function hasVms(olds: Props): boolean {
    return isRecord(olds.vmGroup) && Array.isArray(olds.vmGroup.vms) && olds.vmGroup.vms.length > 0;
}

function capsFor(news: Props, olds: Props): Capabilities {
    const conn = isRecord(news.connection) && !isUnknown(news.connection) ? news.connection : olds.connection;
    return driverCaps(conn as unknown as Connection);
}

function iidOf(id: string, props: Props): Iid {
    return { nameId: typeof props.nlbName === "string" ? props.nlbName : "", systemId: id };
}

export async function createNlb(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = inputs as unknown as NlbInputs;
    const ctx = driverContext(KIND, ins.nlbName, config, toDriverTimeouts(ins.timeouts));
    const driver = openDriver(ins.connection, ctx);
    if (ins.adopt) return adoptNlb(ins, inputs, config);
    let info: NlbInfo;
    try {
        info = await driver.nlb.createNlb(toNlbReq(ins));
    } catch (err) {
        const e = opError("creating", KIND, ins.nlbName, err);
        const left = await leftBehind(err, () => driver.nlb.getNlb({ nameId: ins.nlbName, systemId: "" }));
        if (left) {
            throw new PartialFailure(
                e.message,
                left.iid.systemId,
                { ...(toOutputs(left, ins, undefined) as unknown as Props), __provider: inputs.__provider },
                [
                    "create failed and its rollback left the NLB behind; `pulumi up` retries, `pulumi destroy` removes it",
                ],
            );
        }
        throw await createError(KIND, ins.nlbName, ins.pulumiUrn, err, () =>
            driver.nlb.getNlb({ nameId: ins.nlbName, systemId: "" }),
        );
    }
    let health: HealthInfo;
    try {
        health = await driver.nlb.getVmGroupHealthInfo(info.iid);
    } catch (err) {
        // The NLB exists: keep it in state so it is neither orphaned nor created twice.
        const outs = toOutputs(info, ins, undefined);
        throw new PartialFailure(
            opError("creating", KIND, ins.nlbName, err).message,
            info.iid.systemId,
            { ...outs, __provider: inputs.__provider },
            ["reading health after create failed"],
        );
    }
    return { id: info.iid.systemId, outs: toOutputs(info, ins, health) as unknown as Props };
}

/** Brings an existing NLB under management: no create; declared in-place values are applied. */
async function adoptNlb(ins: NlbInputs, inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const driver = openDriver(ins.connection, driverContext(KIND, ins.nlbName, config));
    let info: NlbInfo;
    try {
        info = await driver.nlb.getNlb({ nameId: "", systemId: ins.adopt as string });
    } catch (err) {
        throw opError("adopting", KIND, ins.adopt as string, err);
    }
    // Adopted VMs are all the NLB's own: declared ones stay, others are detached by the update.
    const live = toOutputs(info, { ...ins, vmGroup: { ...ins.vmGroup, vms: info.vmGroup.vms } }, undefined);
    const mismatches = adoptionConflicts(
        diffNlb(live as unknown as Props, inputs).replaces,
        live as unknown as Props,
        inputs,
    );
    if (mismatches.length > 0) {
        throw new Error(
            `adopting ${KIND} (${ins.adopt}): these cannot change in place, declare the existing values: ${mismatches.join("; ")}`,
        );
    }
    const res = await updateNlb(info.iid.systemId, { ...live, adopt: ins.adopt } as unknown as Props, inputs, config);
    return { id: info.iid.systemId, outs: res.outs };
}

export async function readNlb(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const conn = props.connection as unknown as Connection;
    const name = typeof props.nlbName === "string" ? props.nlbName : id;
    const driver = openDriver(conn, driverContext(KIND, name, config));
    try {
        const info = await driver.nlb.getNlb(iidOf(id, props));
        const health = await driver.nlb.getVmGroupHealthInfo(info.iid);
        const declared =
            isRecord(props.vmGroup) && Array.isArray(props.vmGroup.vms) ? (props.vmGroup.vms as string[]) : undefined;
        const base = fromProps(props, info, declared);
        return { id: info.iid.systemId, props: toOutputs(info, base, health) as unknown as Props };
    } catch (err) {
        if (isNotFound(err)) return {};
        throw opError("reading", KIND, name, err);
    }
}

/** The declared half of the outputs: from stored state, or from the live NLB when only an id is known. */
function fromProps(props: Props, info: NlbInfo, declaredVms: string[] | undefined): NlbInputs {
    const p = props as Partial<NlbInputs>;
    const out: NlbInputs = {
        connection: p.connection as Connection,
        nlbName: info.iid.nameId,
        autoNamed: p.autoNamed === true,
        vpc: info.vpc,
        type: info.type,
        scope: info.scope,
        listener: { protocol: info.listener.protocol, port: info.listener.port },
        vmGroup: { protocol: info.vmGroup.protocol, port: info.vmGroup.port, vms: declaredVms ?? info.vmGroup.vms },
        healthChecker: {
            protocol: info.healthChecker.protocol,
            port: info.healthChecker.port,
            interval: info.healthChecker.interval,
            timeout: info.healthChecker.timeout,
            threshold: info.healthChecker.threshold,
            path: info.healthChecker.path,
        },
        tags: info.tags,
    };
    if (p.adopt) out.adopt = p.adopt;
    if (p.timeouts) out.timeouts = p.timeouts;
    if (p.pulumiUrn) out.pulumiUrn = p.pulumiUrn;
    return out;
}

export async function updateNlb(id: string, olds: Props, news: Props, config: ProviderConfig): Promise<UpdateResult> {
    const ins = news as unknown as NlbInputs;
    const old = olds as unknown as NlbOutputs;
    const ctx = driverContext(KIND, ins.nlbName, config, toDriverTimeouts(ins.timeouts));
    const driver = openDriver(ins.connection, ctx);
    const iid = iidOf(id, olds);
    const p = plan(nlbFields, olds, news, driverCaps(ins.connection));
    const oldVms = old.vmGroup?.vms ?? [];
    const toRemove = oldVms.filter(v => !ins.vmGroup.vms.includes(v));
    const toAdd = ins.vmGroup.vms.filter(v => !oldVms.includes(v));
    const calls = NLB_CALL_ORDER.filter(
        c =>
            p.calls.includes(c) ||
            (p.calls.includes("vms") &&
                ((c === "removeVms" && toRemove.length > 0) || (c === "addVms" && toAdd.length > 0))),
    );
    const done: string[] = [];
    try {
        for (const call of calls) {
            switch (call) {
                case "removeVms":
                    await driver.nlb.removeVms(iid, toRemove);
                    break;
                case "changeVmGroupInfo":
                    await driver.nlb.changeVmGroupInfo(iid, { protocol: ins.vmGroup.protocol, port: ins.vmGroup.port });
                    break;
                case "changeListener":
                    await driver.nlb.changeListener(iid, { protocol: ins.listener.protocol, port: ins.listener.port });
                    break;
                case "changeHealthCheckerInfo":
                    await driver.nlb.changeHealthCheckerInfo(iid, toHealthReq(ins.healthChecker));
                    break;
                case "changeSubnets":
                    await driver.nlb.changeSubnets(iid, ins.subnets ?? []);
                    break;
                case "addVms":
                    await driver.nlb.addVms(iid, toAdd);
                    break;
                case "changeTags":
                    await driver.nlb.changeTags(iid, ins.tags);
                    break;
            }
            done.push(call);
        }
        const info = await driver.nlb.getNlb(iid);
        const health = await driver.nlb.getVmGroupHealthInfo(iid);
        return { outs: toOutputs(info, ins, health) as unknown as Props };
    } catch (err) {
        const e = opError("updating", KIND, ins.nlbName, err);
        // Record what did change so the next run retries only the rest.
        let props: Props = { ...olds, __provider: news.__provider };
        try {
            const info = await driver.nlb.getNlb(iid);
            props = {
                ...(toOutputs(
                    info,
                    { ...ins, vmGroup: { ...ins.vmGroup, vms: mergeVms(oldVms, ins.vmGroup.vms, info.vmGroup.vms) } },
                    undefined,
                ) as unknown as Props),
                __provider: news.__provider,
            };
        } catch {
            // Keep the previous outputs; the error below already says what failed.
        }
        throw new PartialFailure(e.message, id, props, [
            `completed: ${done.join(", ") || "nothing"}`,
            `failed: ${calls[done.length]}`,
        ]);
    }
}

/** Declared VMs that are really attached, whichever of the old or new declarations they came from. */
function mergeVms(oldVms: string[], newVms: string[], live: string[]): string[] {
    return [...new Set([...oldVms, ...newVms])].filter(v => live.some(l => sameVm(v, l)));
}

export async function deleteNlb(id: string, props: Props, config: ProviderConfig): Promise<void> {
    const name = typeof props.nlbName === "string" ? props.nlbName : id;
    const driver = openDriver(
        props.connection as unknown as Connection,
        driverContext(KIND, name, config, toDriverTimeouts(props.timeouts)),
    );
    try {
        await driver.nlb.deleteNlb(iidOf(id, props));
    } catch (err) {
        if (isNotFound(err)) return;
        throw opError("deleting", KIND, name, err);
    }
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

export function toHealthReq(h: NlbInputs["healthChecker"]): HealthCheckerReq {
    const req: HealthCheckerReq = {
        protocol: h.protocol,
        port: h.port,
        interval: h.interval,
        timeout: h.timeout,
        threshold: h.threshold,
    };
    if (h.path) req.path = h.path;
    return req;
}

export function toNlbReq(ins: NlbInputs): NlbReq {
    const req: NlbReq = {
        iid: { nameId: ins.nlbName, systemId: "" },
        vpc: ins.vpc,
        type: ins.type,
        scope: ins.scope,
        listener: { protocol: ins.listener.protocol, port: ins.listener.port },
        vmGroup: { protocol: ins.vmGroup.protocol, port: ins.vmGroup.port, vms: [...ins.vmGroup.vms] },
        healthChecker: toHealthReq(ins.healthChecker),
        tags: { ...ins.tags },
        ...ownerField(ins.pulumiUrn),
    };
    if (ins.subnets) req.subnets = [...ins.subnets];
    return req;
}

/** Live state in the declared shape; VMs attached by others stay out of `vmGroup.vms`. */
export function toOutputs(info: NlbInfo, ins: NlbInputs, health: HealthInfo | undefined): NlbOutputs {
    const owned = ins.vmGroup.vms.filter(v => info.vmGroup.vms.some(l => sameVm(v, l)));
    const userTags: Record<string, string> = {};
    for (const [k, v] of Object.entries(info.tags)) if (!k.startsWith("spider:")) userTags[k] = v;
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
        healthChecker: {
            protocol: info.healthChecker.protocol,
            port: info.healthChecker.port,
            interval: info.healthChecker.interval,
            timeout: info.healthChecker.timeout,
            threshold: info.healthChecker.threshold,
            path: info.healthChecker.path,
        },
        tags: userTags,
        subnets: [...info.subnets],
        vms: [...info.vmGroup.vms],
        health: { healthy: health ? [...health.healthy] : [], unhealthy: health ? [...health.unhealthy] : [] },
        createdTime: info.createdTime,
        keyValues: { ...info.keyValues },
    };
    return clean(out);
}
