/**
 * NlbVmGroup: extra VMs attached to an existing Nlb. It owns only the VMs it lists: it never
 * detaches VMs that the Nlb itself or another NlbVmGroup attached.
 */
import * as crypto from "crypto";
import type { Connection, HealthInfo, Iid } from "../interface/driver";
import { isNotFound } from "../interface/errors";
import { openDriver } from "../drivers/registry";
import {
    checkConnection,
    checkKnownKeys,
    checkString,
    checkStringList,
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
} from "./common";
import { nlbVmGroupFields, plan } from "./fields";

export interface NlbVmGroupInputs {
    connection: Connection;
    /** The Nlb's id (`Nlb.nlbId`). */
    nlb: string;
    vms: string[];
    timeouts?: { create?: number; update?: number; delete?: number };
}

export interface NlbVmGroupOutputs extends NlbVmGroupInputs {
    health: { healthy: string[]; unhealthy: string[] };
}

const KIND = "NlbVmGroup";

export function checkNlbVmGroup(_olds: Props, news: Props): CheckResult {
    const issues = new Issues();
    checkKnownKeys(news, ["connection", "nlb", "vms", "timeouts", "pulumiName"], "", issues);
    const conn = checkConnection(news.connection, issues);
    const caps = conn ? driverCaps(conn) : undefined;
    if (caps && !caps.nlb.supported)
        issues.add(
            "connection.driver",
            `the ${caps.driver} driver does not support Nlb: ${caps.nlb.reason ?? "not implemented"}`,
        );
    const nlb = checkString(news.nlb, "nlb", issues);
    const vms = checkStringList(news.vms, "vms", issues);
    if (vms && vms.length === 0) issues.add("vms", "must list at least one VM");
    const timeouts = checkTimeouts(news.timeouts, issues);
    const inputs: Props = {
        connection: conn ?? news.connection,
        nlb: nlb ?? news.nlb,
        vms: news.vms === undefined ? [] : (vms ?? news.vms),
    };
    if (timeouts) inputs.timeouts = timeouts;
    return { inputs: issues.ok ? clean(inputs) : news, failures: issues.list };
}

export function diffNlbVmGroup(olds: Props, news: Props): DiffResult {
    const conn = isRecord(news.connection) && !isUnknown(news.connection) ? news.connection : olds.connection;
    const caps = driverCaps(conn as unknown as Connection);
    const p = plan(nlbVmGroupFields, olds, news, caps);
    // Where a VM can serve one NLB only, the old attachment must go before the new one.
    return {
        changes: p.changed.length > 0,
        replaces: p.replaces,
        deleteBeforeReplace: p.replaces.length > 0 && caps.nlb.exclusiveVmMembership,
    };
}

function nlbIid(nlb: string): Iid {
    return { nameId: "", systemId: nlb };
}

export async function createNlbVmGroup(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = inputs as unknown as NlbVmGroupInputs;
    const driver = openDriver(ins.connection, driverContext(KIND, ins.nlb, config, toDriverTimeouts(ins.timeouts)));
    const id = `vmg-${crypto.randomBytes(6).toString("hex")}`;
    try {
        await driver.nlb.addVms(nlbIid(ins.nlb), ins.vms);
    } catch (err) {
        throw opError("creating", KIND, ins.nlb, err);
    }
    try {
        const health = await driver.nlb.getVmGroupHealthInfo(nlbIid(ins.nlb));
        return { id, outs: toOutputs(ins, ins.vms, health) as unknown as Props };
    } catch (err) {
        throw new PartialFailure(
            opError("creating", KIND, ins.nlb, err).message,
            id,
            { ...(toOutputs(ins, ins.vms, undefined) as unknown as Props), __provider: inputs.__provider },
            ["reading health after attach failed"],
        );
    }
}

export async function readNlbVmGroup(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const ins = props as unknown as NlbVmGroupInputs;
    const driver = openDriver(ins.connection, driverContext(KIND, ins.nlb, config));
    try {
        const info = await driver.nlb.getNlb(nlbIid(ins.nlb));
        const health = await driver.nlb.getVmGroupHealthInfo(info.iid);
        const owned = (ins.vms ?? []).filter(v => info.vmGroup.vms.some(l => sameVm(v, l)));
        return { id, props: toOutputs(ins, owned, health) as unknown as Props };
    } catch (err) {
        if (isNotFound(err)) return {};
        throw opError("reading", KIND, ins.nlb, err);
    }
}

export async function updateNlbVmGroup(
    id: string,
    olds: Props,
    news: Props,
    config: ProviderConfig,
): Promise<UpdateResult> {
    const ins = news as unknown as NlbVmGroupInputs;
    const oldVms = Array.isArray(olds.vms) ? (olds.vms as string[]) : [];
    const driver = openDriver(ins.connection, driverContext(KIND, ins.nlb, config, toDriverTimeouts(ins.timeouts)));
    const toRemove = oldVms.filter(v => !ins.vms.includes(v));
    const toAdd = ins.vms.filter(v => !oldVms.includes(v));
    try {
        if (toRemove.length > 0) await driver.nlb.removeVms(nlbIid(ins.nlb), toRemove);
        if (toAdd.length > 0) await driver.nlb.addVms(nlbIid(ins.nlb), toAdd);
        const health = await driver.nlb.getVmGroupHealthInfo(nlbIid(ins.nlb));
        return { outs: toOutputs(ins, ins.vms, health) as unknown as Props };
    } catch (err) {
        let owned = oldVms;
        try {
            const info = await driver.nlb.getNlb(nlbIid(ins.nlb));
            owned = [...new Set([...oldVms, ...ins.vms])].filter(v => info.vmGroup.vms.some(l => sameVm(v, l)));
        } catch {
            // Keep the previous list; the error below says what failed.
        }
        throw new PartialFailure(
            opError("updating", KIND, ins.nlb, err).message,
            id,
            { ...(toOutputs(ins, owned, undefined) as unknown as Props), __provider: news.__provider },
            ["attaching or detaching VMs failed"],
        );
    }
}

export async function deleteNlbVmGroup(_id: string, props: Props, config: ProviderConfig): Promise<void> {
    const ins = props as unknown as NlbVmGroupInputs;
    const driver = openDriver(ins.connection, driverContext(KIND, ins.nlb, config, toDriverTimeouts(ins.timeouts)));
    try {
        if ((ins.vms ?? []).length > 0) await driver.nlb.removeVms(nlbIid(ins.nlb), ins.vms);
    } catch (err) {
        if (isNotFound(err)) return;
        throw opError("deleting", KIND, ins.nlb, err);
    }
}

export const nlbVmGroupImpl: ResourceImpl = {
    check: async (olds, news) => checkNlbVmGroup(olds, news),
    diff: async (_id, olds, news) => diffNlbVmGroup(olds, news),
    create: createNlbVmGroup,
    read: readNlbVmGroup,
    update: updateNlbVmGroup,
    delete: deleteNlbVmGroup,
};

function toOutputs(ins: NlbVmGroupInputs, owned: string[], health: HealthInfo | undefined): NlbVmGroupOutputs {
    const mine = (list: string[]) => list.filter(l => owned.some(v => sameVm(v, l)));
    const out: NlbVmGroupOutputs = {
        connection: ins.connection,
        nlb: ins.nlb,
        vms: owned,
        health: { healthy: health ? mine(health.healthy) : [], unhealthy: health ? mine(health.unhealthy) : [] },
    };
    if (ins.timeouts) out.timeouts = ins.timeouts;
    return clean(out);
}
