/**
 * NlbVmGroup: extra VMs attached to an existing Nlb. It owns only the VMs it lists: it never
 * detaches VMs that the Nlb itself or another NlbVmGroup attached.
 */
import * as crypto from "crypto";
import type { HealthInfo, Iid } from "../interface/driver";
import { parseWith, Props } from "../interface/schema";
import type { CreateResult, DiffResult, ProviderConfig, ReadResult, ResourceImpl } from "./common";
import { clean, opError, PartialFailure, sameVm, UpdateResult } from "./common";
import { nlbVmGroupFields } from "./fields";
import { NlbVmGroupInputs, nlbVmGroupSchema } from "./schemas";
import { checker, deleteOrGone, diffResource, driverFor, nameIn, readOrGone, runUpdate } from "./skeleton";
import { storedConnection, typedInputs } from "./skeleton";

export type { NlbVmGroupInputs } from "./schemas";
export type NlbVmGroupOutputs = NlbVmGroupInputs & { health: { healthy: string[]; unhealthy: string[] } };

const KIND = "NlbVmGroup";

export const checkNlbVmGroup = checker({ kind: KIND, supported: caps => caps.nlb, schema: () => nlbVmGroupSchema() });

function vmGroupInputs(props: Props): NlbVmGroupInputs {
    return typedInputs(KIND, nlbVmGroupSchema(), props);
}

/** What state holds; a `NlbVmGroup.get` may know no VMs yet. */
function storedInputs(props: Props): NlbVmGroupInputs {
    const stored = parseWith(nlbVmGroupSchema(true), props).value;
    if (stored) return stored;
    const vms = Array.isArray(props.vms) ? props.vms.filter((vm): vm is string => typeof vm === "string") : [];
    return { connection: storedConnection(props), nlb: nameIn(props, "nlb", ""), vms };
}

export function diffNlbVmGroup(olds: Props, news: Props): DiffResult {
    // Where a VM can serve one NLB only, the old attachment must go before the new one.
    return diffResource(nlbVmGroupFields, olds, news, caps => caps.nlb.exclusiveVmMembership);
}

function nlbIid(ins: NlbVmGroupInputs): Iid {
    return { nameId: "", systemId: ins.nlb };
}

export async function createNlbVmGroup(inputs: Props, config: ProviderConfig): Promise<CreateResult> {
    const ins = vmGroupInputs(inputs);
    const driver = driverFor(KIND, ins.nlb, inputs, config);
    const id = `vmg-${crypto.randomBytes(6).toString("hex")}`;
    try {
        await driver.nlb.addVms(nlbIid(ins), ins.vms);
    } catch (err) {
        throw opError("creating", KIND, ins.nlb, err);
    }
    try {
        const health = await driver.nlb.getVmGroupHealthInfo(nlbIid(ins));
        return { id, outs: toOutputs(ins, ins.vms, health) };
    } catch (err) {
        const props = { ...toOutputs(ins, ins.vms, undefined), __provider: inputs.__provider };
        throw new PartialFailure(opError("creating", KIND, ins.nlb, err).message, id, props, [
            "reading health after attach failed",
        ]);
    }
}

export async function readNlbVmGroup(id: string, props: Props, config: ProviderConfig): Promise<ReadResult> {
    const ins = storedInputs(props);
    const stored = { kind: KIND, name: ins.nlb, props, config };
    return readOrGone(stored, async driver => {
        const info = await driver.nlb.getNlb(nlbIid(ins));
        const health = await driver.nlb.getVmGroupHealthInfo(info.iid);
        const owned = ins.vms.filter(vm => info.vmGroup.vms.some(attached => sameVm(vm, attached)));
        return { id, props: toOutputs(ins, owned, health) };
    });
}

export async function updateNlbVmGroup(
    id: string,
    olds: Props,
    news: Props,
    config: ProviderConfig,
): Promise<UpdateResult> {
    const ins = vmGroupInputs(news);
    const oldVms = Array.isArray(olds.vms) ? olds.vms.filter((vm): vm is string => typeof vm === "string") : [];
    const driver = driverFor(KIND, ins.nlb, news, config);
    const toRemove = oldVms.filter(vm => !ins.vms.includes(vm));
    const toAdd = ins.vms.filter(vm => !oldVms.includes(vm));
    const steps = [
        {
            label: "removeVms",
            run: async () => void (await driver.nlb.removeVms(nlbIid(ins), toRemove)),
            wanted: toRemove.length > 0,
        },
        {
            label: "addVms",
            run: async () => void (await driver.nlb.addVms(nlbIid(ins), toAdd)),
            wanted: toAdd.length > 0,
        },
    ];
    return runUpdate({
        kind: KIND,
        name: ins.nlb,
        id,
        olds,
        provider: news.__provider,
        steps: steps.filter(candidate => candidate.wanted),
        outputs: async () => toOutputs(ins, ins.vms, await driver.nlb.getVmGroupHealthInfo(nlbIid(ins))),
        partialOutputs: async () => {
            const info = await driver.nlb.getNlb(nlbIid(ins));
            const owned = [...new Set([...oldVms, ...ins.vms])].filter(vm =>
                info.vmGroup.vms.some(attached => sameVm(vm, attached)),
            );
            return toOutputs(ins, owned, undefined);
        },
        nameFailedStep: true,
    });
}

export async function deleteNlbVmGroup(_id: string, props: Props, config: ProviderConfig): Promise<void> {
    const ins = storedInputs(props);
    const stored = { kind: KIND, name: ins.nlb, props, config };
    await deleteOrGone(stored, async driver => {
        if (ins.vms.length > 0) await driver.nlb.removeVms(nlbIid(ins), ins.vms);
    });
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
    const mine = (list: string[]) => list.filter(listed => owned.some(vm => sameVm(vm, listed)));
    const out: NlbVmGroupOutputs = {
        connection: ins.connection,
        nlb: ins.nlb,
        vms: owned,
        health: { healthy: health ? mine(health.healthy) : [], unhealthy: health ? mine(health.unhealthy) : [] },
    };
    if (ins.timeouts) out.timeouts = ins.timeouts;
    return clean(out);
}
