/**
 * The multi-call steps an NLB change is made of: inserting parts with their undo, instance group
 * membership, fingerprinted backend service updates, health check replacement, and the listener
 * switch (a forwarding rule cannot be patched, so it is recreated on the same reserved address).
 */
import type {
    HealthCheckerInfo,
    HealthCheckerReq,
    ListenerInfo,
    ListenerReq,
    TrafficProtocol,
} from "../../interface/driver";
import { AlreadyExistsError, CloudApiError, NotFoundError } from "../../interface/errors";
import {
    GcpOperationError,
    IBackend,
    IBackendService,
    IForwardingRule,
    IHealthCheck,
    MutationResult,
    Phase,
    Step,
    deleteIfExists,
    lastSegment,
    mutate,
    read,
    readOrUndefined,
} from "./clients";
import { UndoStack, UndoStep } from "../../interface/undo";
import { GcpContext, GroupState, membersOf, readBackendService, regionScope } from "./lookup";
import {
    ForwardingRuleSpec,
    fromDescription,
    groupName,
    networkLink,
    nlbNames,
    protocolOf,
    regionalLink,
    specOfForwardingRule,
    toDescription,
    toForwardingRuleResource,
    toHealthCheckResource,
    zonalLink,
} from "./parts";
import { ResolvedVm } from "./vms";

export const UPDATE_ATTEMPTS = 3;

/** Starts one mutation with the request id that makes a retried request the same operation. */
export type Start = (requestId: string) => Promise<[unknown, ...unknown[]]>;

/** An undo that restores rather than deletes: `leftBehind` says what stays wrong if it fails. */
export function restoring(leftBehind: string): Pick<UndoStep, "name" | "leftBehind"> {
    return { name: leftBehind, leftBehind };
}

/** A fingerprint/labelFingerprint race: someone changed the resource between our read and write. */
export function isConditionNotMet(err: unknown): boolean {
    if (!(err instanceof CloudApiError)) return false;
    if (err.cause instanceof GcpOperationError) return err.cause.codes.includes("CONDITION_NOT_MET");
    const cause = err.cause as { code?: unknown; status?: unknown } | undefined;
    return cause?.code === 412 || cause?.status === 412;
}

export function cleanBackends(backends: IBackend[] | null | undefined): IBackend[] {
    return (backends ?? []).map(b => ({ group: b.group, balancingMode: b.balancingMode ?? "CONNECTION" }));
}

/**
 * The backend service as a full PUT body. PUT rather than PATCH because the client serializes an
 * empty list (no backends left) as an absent field, which PATCH would read as "unchanged".
 */
function toBackendServiceBody(bs: IBackendService, change: Partial<IBackendService>): IBackendService {
    const body: IBackendService = {
        ...bs,
        backends: cleanBackends(bs.backends),
        ...change,
        fingerprint: bs.fingerprint,
    };
    for (const k of ["id", "creationTimestamp", "selfLink", "kind", "region"] as const) delete body[k];
    return body;
}

/**
 * A forwarding rule's protocol and ports cannot be patched: delete it and insert it again on the
 * same reserved address (so the IP stays), switching the backend service's protocol in between
 * when the protocol changes. Any failure restores the previous rule.
 */
export async function switchListener(
    ctx: GcpContext,
    name: string,
    known: IBackendService | undefined,
    fr: IForwardingRule | undefined,
    listener: ListenerReq,
    action: string,
): Promise<ListenerInfo> {
    const partNames = nlbNames(name);
    const bs = known ?? (await readBackendService(ctx, partNames.backendService, action));
    const spec = fr
        ? { ...specOfForwardingRule(fr, name), protocol: listener.protocol, port: listener.port }
        : await specWithoutRule(ctx, name, bs, listener, action);
    const undo = new UndoStack(action);
    try {
        if (fr) await dropForwardingRule(ctx, name, fr, action, undo);
        if (protocolOf(bs) !== listener.protocol) {
            await switchBackendProtocol(ctx, partNames.backendService, bs, listener.protocol, action, {
                property: "listener.protocol",
                undo,
            });
        }
        const step = `inserting forwarding rule ${partNames.forwardingRule}`;
        const res = await insertForwardingRule(ctx, action, step, "update", spec);
        return { protocol: listener.protocol, port: listener.port, ip: spec.ip, dnsName: "", cspId: res.targetId };
    } catch (err) {
        return undo.fail(err);
    }
}

/** Deletes the forwarding rule ahead of its re-insert; the undo inserts it again as it was. */
async function dropForwardingRule(
    ctx: GcpContext,
    name: string,
    fr: IForwardingRule,
    action: string,
    undo: UndoStack,
): Promise<void> {
    const frName = nlbNames(name).forwardingRule;
    await removePart(ctx, action, `deleting forwarding rule ${frName}`, deleteForwardingRule(ctx, frName), "update");
    const previous = specOfForwardingRule(fr, name);
    undo.push({
        ...restoring(`forwarding rule ${frName} (${previous.protocol}:${previous.port}) not restored`),
        run: async () => {
            await insertForwardingRule(ctx, action, `restoring forwarding rule ${frName}`, "update", previous);
        },
    });
}

/** Inserts the forwarding rule a spec describes: a new one, the switched one, or the previous one restored. */
export function insertForwardingRule(
    ctx: GcpContext,
    action: string,
    step: string,
    phase: Phase,
    spec: ForwardingRuleSpec,
): Promise<MutationResult> {
    return runStep(ctx, action, step, "listener", phase, requestId =>
        ctx.clients.of("forwardingRules").insert({
            ...regionScope(ctx),
            requestId,
            forwardingRuleResource: toForwardingRuleResource(spec),
        }),
    );
}

/**
 * Switches the backend service's protocol. With `undo`, a later failure switches it back; the
 * switch is recorded against `property` when GCE refuses it.
 */
export async function switchBackendProtocol(
    ctx: GcpContext,
    bsName: string,
    bs: IBackendService,
    protocol: TrafficProtocol,
    action: string,
    options: { property: string; undo?: UndoStack },
): Promise<void> {
    const before = protocolOf(bs);
    await updateBackendService(
        ctx,
        bsName,
        bs,
        { action, step: `switching backend service ${bsName} to ${protocol}`, property: options.property },
        () => ({ protocol }),
    );
    options.undo?.push({
        ...restoring(`backend service ${bsName} protocol not switched back to ${before}`),
        run: async () => {
            await updateBackendService(
                ctx,
                bsName,
                undefined,
                { action, step: `switching backend service ${bsName} back to ${before}` },
                () => ({ protocol: before }),
            );
        },
    });
}

/** Adds instance groups to the backend service's backends. */
export function attachGroups(
    ctx: GcpContext,
    bsName: string,
    known: IBackendService | undefined,
    links: string[],
    where: Step,
): Promise<MutationResult> {
    return updateBackendService(ctx, bsName, known, where, current => ({
        backends: [
            ...cleanBackends(current.backends),
            ...links.map(link => ({ group: link, balancingMode: "CONNECTION" })),
        ],
    }));
}

export function runStep(
    ctx: GcpContext,
    action: string,
    step: string,
    property: string | undefined,
    phase: Phase,
    start: Start,
): Promise<MutationResult> {
    return mutate(ctx.clients, ctx.settings, { action, step, property }, phase, start);
}

export async function removePart(
    ctx: GcpContext,
    action: string,
    step: string,
    start: Start,
    phase: Phase = "delete",
): Promise<void> {
    await deleteIfExists(ctx.clients, ctx.settings, { action, step }, phase, start);
}

export function undoDelete(ctx: GcpContext, what: string, action: string, start: Start): UndoStep {
    return {
        name: what,
        run: () => removePart(ctx, `${action}: rolling back`, `deleting ${what}`, start),
    };
}

/** A part of a new NLB: how to insert it and, to roll it back, how to delete it. */
export interface NewPart {
    what: string;
    insert: () => Promise<MutationResult>;
    remove: Start;
    /** The part that claims the NLB's name (see UndoStack.anchor). */
    anchor?: boolean;
}

/** Inserts a part and pushes its deletion as the undo. */
export async function insertPart(
    ctx: GcpContext,
    action: string,
    undo: UndoStack,
    part: NewPart,
): Promise<MutationResult> {
    const res = part.anchor ? await undo.anchor(part.insert) : await part.insert();
    undo.push(undoDelete(ctx, part.what, action, part.remove));
    return res;
}

export function deleteForwardingRule(ctx: GcpContext, name: string): Start {
    return requestId =>
        ctx.clients.of("forwardingRules").delete({ ...regionScope(ctx), forwardingRule: name, requestId });
}

export function deleteBackendService(ctx: GcpContext, name: string): Start {
    return requestId =>
        ctx.clients.of("backendServices").delete({ ...regionScope(ctx), backendService: name, requestId });
}

export function deleteHealthCheck(ctx: GcpContext, name: string): Start {
    return requestId => ctx.clients.of("healthChecks").delete({ ...regionScope(ctx), healthCheck: name, requestId });
}

export function deleteAddress(ctx: GcpContext, name: string): Start {
    return requestId => ctx.clients.of("addresses").delete({ ...regionScope(ctx), address: name, requestId });
}

export function deleteInstanceGroup(ctx: GcpContext, zone: string, name: string): Start {
    return requestId =>
        ctx.clients.of("instanceGroups").delete({
            project: ctx.settings.project,
            zone,
            instanceGroup: name,
            requestId,
        });
}

export function insertHealthCheck(
    ctx: GcpContext,
    body: IHealthCheck,
    action: string,
    undo: UndoStack,
): Promise<MutationResult> {
    const name = body.name ?? "";
    return insertPart(ctx, action, undo, {
        what: `health check ${name}`,
        insert: () =>
            runStep(ctx, action, `inserting health check ${name}`, "healthChecker", "create", requestId =>
                ctx.clients.of("healthChecks").insert({ ...regionScope(ctx), requestId, healthCheckResource: body }),
            ),
        remove: deleteHealthCheck(ctx, name),
    });
}

/** Reserves the regional address the forwarding rule uses, and returns its IP. */
export async function reserveAddress(
    ctx: GcpContext,
    nlb: string,
    scheme: "EXTERNAL" | "INTERNAL",
    subnetwork: string | undefined,
    action: string,
    undo: UndoStack,
): Promise<string> {
    const name = nlbNames(nlb).address;
    const body = {
        name,
        description: toDescription({ nlb, part: "address" }),
        addressType: scheme,
        ...(scheme === "EXTERNAL" ? { networkTier: "PREMIUM" } : { subnetwork }),
    };
    await insertPart(ctx, action, undo, {
        what: `address ${name}`,
        insert: () =>
            runStep(ctx, action, `reserving address ${name}`, "type", "create", requestId =>
                ctx.clients.of("addresses").insert({ ...regionScope(ctx), requestId, addressResource: body }),
            ),
        remove: deleteAddress(ctx, name),
    });
    const addr = await read(ctx.settings, { action, step: `reading address ${name}` }, () =>
        ctx.clients.of("addresses").get({ ...regionScope(ctx), address: name }),
    );
    return addr.address ?? "";
}

/**
 * Creates the zone's unmanaged instance group with the VMs. With `adopt`, a group of this NLB
 * left over by an earlier failure is reused instead of failing with AlreadyExists.
 */
export async function createGroup(
    ctx: GcpContext,
    nlb: string,
    zone: string,
    vms: ResolvedVm[],
    vpc: string,
    action: string,
    undo: UndoStack,
    adopt = false,
): Promise<string> {
    const name = groupName(nlb, ctx.settings.region, zone);
    const group: GroupState = { link: zonalLink(ctx.settings, zone, "instanceGroups", name), zone, name, vms: [] };
    const body = {
        name,
        description: toDescription({ nlb, part: "instanceGroup" }),
        network: networkLink(ctx.settings, vpc),
    };
    try {
        await runStep(
            ctx,
            action,
            `inserting instance group ${name}`,
            "vmGroup.vms",
            adopt ? "update" : "create",
            requestId =>
                ctx.clients.of("instanceGroups").insert({
                    project: ctx.settings.project,
                    zone,
                    requestId,
                    instanceGroupResource: body,
                }),
        );
    } catch (err) {
        if (!adopt || !(err instanceof AlreadyExistsError)) throw err;
        await adoptGroup(ctx, nlb, group, vms, action, err);
        return group.link;
    }
    undo.push(undoDelete(ctx, `instance group ${name}`, action, deleteInstanceGroup(ctx, zone, name)));
    if (vms.length > 0) await addMissing(ctx, group, vms, action);
    return group.link;
}

/** Takes over this NLB's group left by an earlier failure; `conflict` is rethrown for anyone else's. */
async function adoptGroup(
    ctx: GcpContext,
    nlb: string,
    group: GroupState,
    vms: ResolvedVm[],
    action: string,
    conflict: AlreadyExistsError,
): Promise<void> {
    const existing = await read(ctx.settings, { action, step: `reading instance group ${group.name}` }, () =>
        ctx.clients.of("instanceGroups").get({
            project: ctx.settings.project,
            zone: group.zone,
            instanceGroup: group.name,
        }),
    );
    if (fromDescription(existing.description)?.nlb !== nlb) throw conflict;
    group.vms = await membersOf(ctx, group.zone, group.name, action);
    await addMissing(ctx, group, vms, action);
}

async function addMissing(ctx: GcpContext, group: GroupState, vms: ResolvedVm[], action: string): Promise<void> {
    const missing = vms.filter(vm => !group.vms.includes(vm.canonical));
    if (missing.length === 0) return;
    await changeMembers(
        ctx,
        group,
        "addInstances",
        missing.map(vm => vm.link),
        action,
    );
}

export async function changeMembers(
    ctx: GcpContext,
    group: GroupState,
    verb: "addInstances" | "removeInstances",
    links: string[],
    action: string,
): Promise<void> {
    const groupScope = { project: ctx.settings.project, zone: group.zone, instanceGroup: group.name };
    const instances = links.map(instance => ({ instance }));
    const vmNames = links.map(link => lastSegment(link)).join(", ");
    const step =
        verb === "addInstances"
            ? `adding ${vmNames} to instance group ${group.name}`
            : `removing ${vmNames} from instance group ${group.name}`;
    await runStep(ctx, action, step, "vmGroup.vms", "update", requestId =>
        verb === "addInstances"
            ? ctx.clients.of("instanceGroups").addInstances({
                  ...groupScope,
                  requestId,
                  instanceGroupsAddInstancesRequestResource: { instances },
              })
            : ctx.clients.of("instanceGroups").removeInstances({
                  ...groupScope,
                  requestId,
                  instanceGroupsRemoveInstancesRequestResource: { instances },
              }),
    );
}

/** PUT of the whole health check (it has no fingerprint); the port defaults to the VM group port. */
export function putHealthCheck(
    ctx: GcpContext,
    hcName: string,
    nlb: string,
    health: HealthCheckerReq,
    vmGroupPort: number,
    action: string,
    property: string,
): Promise<MutationResult> {
    return runStep(ctx, action, `updating health check ${hcName}`, property, "update", requestId =>
        ctx.clients.of("healthChecks").update({
            project: ctx.settings.project,
            region: ctx.settings.region,
            healthCheck: hcName,
            requestId,
            healthCheckResource: toHealthCheckResource(hcName, nlb, health, vmGroupPort),
        }),
    );
}

export function healthReqOf(ctx: GcpContext, info: HealthCheckerInfo): HealthCheckerReq {
    const req: HealthCheckerReq = {
        protocol: info.protocol,
        port: info.port,
        interval: info.interval,
        timeout: info.timeout,
        threshold: info.threshold,
        unhealthyThreshold: info.unhealthyThreshold,
    };
    if (info.protocol !== "TCP") req.path = info.path;
    return req;
}

/** Read-modify-write of the backend service with its fingerprint, re-reading on a lost race. */
export async function updateBackendService(
    ctx: GcpContext,
    name: string,
    current: IBackendService | undefined,
    where: Step,
    change: (bs: IBackendService) => Partial<IBackendService>,
): Promise<MutationResult> {
    let bs = current;
    for (let attempt = 1; ; attempt++) {
        bs ??= await readBackendService(ctx, name, where.action);
        const body = toBackendServiceBody(bs, change(bs));
        try {
            return await mutate(ctx.clients, ctx.settings, where, "update", requestId =>
                ctx.clients.of("backendServices").update({
                    project: ctx.settings.project,
                    region: ctx.settings.region,
                    backendService: name,
                    requestId,
                    backendServiceResource: body,
                }),
            );
        } catch (err) {
            if (attempt >= UPDATE_ATTEMPTS || !isConditionNotMet(err)) throw err;
            bs = undefined;
        }
    }
}

/** The forwarding rule to insert when the old one is missing (a repair after a failed change). */
export async function specWithoutRule(
    ctx: GcpContext,
    name: string,
    bs: IBackendService,
    listener: ListenerReq,
    action: string,
): Promise<ForwardingRuleSpec> {
    const partNames = nlbNames(name);
    const addr = await readOrUndefined(ctx.settings, { action, step: `reading address ${partNames.address}` }, () =>
        ctx.clients
            .of("addresses")
            .get({ project: ctx.settings.project, region: ctx.settings.region, address: partNames.address }),
    );
    if (!addr)
        throw new NotFoundError(
            `${action}: both the forwarding rule and the reserved address ${partNames.address} are missing`,
        );
    const internal = bs.loadBalancingScheme === "INTERNAL";
    return {
        name: partNames.forwardingRule,
        nlb: name,
        ip: addr.address ?? "",
        protocol: listener.protocol,
        port: listener.port,
        scheme: internal ? "INTERNAL" : "EXTERNAL",
        backendService: bs.selfLink ?? regionalLink(ctx.settings, "backendServices", partNames.backendService),
        labels: {},
        network: internal ? (bs.network ?? undefined) : undefined,
        subnetwork: internal ? (addr.subnetwork ?? undefined) : undefined,
    };
}
