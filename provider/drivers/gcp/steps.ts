/**
 * The multi-call steps an NLB change is made of: inserting parts with their undo, instance group
 * membership, fingerprinted backend service updates, health check replacement, and the listener
 * switch (a forwarding rule cannot be patched, so it is recreated on the same reserved address).
 */
import type { HealthCheckerInfo, HealthCheckerReq, ListenerInfo, ListenerReq } from "../../interface/driver";
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

/** An undo that restores rather than deletes: `leftBehind` says what stays wrong if it fails. */
export function restoring(leftBehind: string): Pick<UndoStep, "name" | "leftBehind"> {
    return { name: leftBehind, leftBehind };
}
import { GcpContext, GroupState, membersOf, readBackendService } from "./lookup";
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
    const regionScope = { project: ctx.settings.project, region: ctx.settings.region };
    const bs = known ?? (await readBackendService(ctx, partNames.backendService, action));
    const spec = fr
        ? { ...specOfForwardingRule(fr, name), protocol: listener.protocol, port: listener.port }
        : await specWithoutRule(ctx, name, bs, listener, action);
    const undo = new UndoStack(action);
    try {
        if (fr) {
            await removePart(
                ctx,
                action,
                `deleting forwarding rule ${partNames.forwardingRule}`,
                requestId =>
                    ctx.clients
                        .of("forwardingRules")
                        .delete({ ...regionScope, forwardingRule: partNames.forwardingRule, requestId }),
                "update",
            );
            const previous = specOfForwardingRule(fr, name);
            undo.push({
                ...restoring(
                    `forwarding rule ${partNames.forwardingRule} (${previous.protocol}:${previous.port}) not restored`,
                ),
                run: async () => {
                    await runStep(
                        ctx,
                        action,
                        `restoring forwarding rule ${partNames.forwardingRule}`,
                        "listener",
                        "update",
                        requestId =>
                            ctx.clients.of("forwardingRules").insert({
                                ...regionScope,
                                requestId,
                                forwardingRuleResource: toForwardingRuleResource(previous),
                            }),
                    );
                },
            });
        }
        if (protocolOf(bs) !== listener.protocol) {
            const before = protocolOf(bs);
            await updateBackendService(
                ctx,
                partNames.backendService,
                bs,
                {
                    action,
                    step: `switching backend service ${partNames.backendService} to ${listener.protocol}`,
                    property: "listener.protocol",
                },
                () => ({ protocol: listener.protocol }),
            );
            undo.push({
                ...restoring(`backend service ${partNames.backendService} protocol not switched back to ${before}`),
                run: async () => {
                    await updateBackendService(
                        ctx,
                        partNames.backendService,
                        undefined,
                        { action, step: `switching backend service ${partNames.backendService} back to ${before}` },
                        () => ({ protocol: before }),
                    );
                },
            });
        }
        const res = await runStep(
            ctx,
            action,
            `inserting forwarding rule ${partNames.forwardingRule}`,
            "listener",
            "update",
            requestId =>
                ctx.clients.of("forwardingRules").insert({
                    ...regionScope,
                    requestId,
                    forwardingRuleResource: toForwardingRuleResource(spec),
                }),
        );
        return { protocol: listener.protocol, port: listener.port, ip: spec.ip, dnsName: "", cspId: res.targetId };
    } catch (err) {
        return undo.fail(err);
    }
}

export function runStep(
    ctx: GcpContext,
    action: string,
    step: string,
    property: string | undefined,
    phase: Phase,
    start: (requestId: string) => Promise<[unknown, ...unknown[]]>,
): Promise<MutationResult> {
    return mutate(ctx.clients, ctx.settings, { action, step, property }, phase, start);
}

export async function removePart(
    ctx: GcpContext,
    action: string,
    step: string,
    start: (requestId: string) => Promise<[unknown, ...unknown[]]>,
    phase: Phase = "delete",
): Promise<void> {
    await deleteIfExists(ctx.clients, ctx.settings, { action, step }, phase, start);
}

export function undoDelete(
    ctx: GcpContext,
    what: string,
    action: string,
    start: (requestId: string) => Promise<[unknown, ...unknown[]]>,
): UndoStep {
    return {
        name: what,
        run: () => removePart(ctx, `${action}: rolling back`, `deleting ${what}`, start),
    };
}

export async function insertHealthCheck(
    ctx: GcpContext,
    body: IHealthCheck,
    action: string,
    undo: UndoStack,
): Promise<MutationResult> {
    const name = body.name ?? "";
    const res = await runStep(ctx, action, `inserting health check ${name}`, "healthChecker", "create", requestId =>
        ctx.clients.of("healthChecks").insert({
            project: ctx.settings.project,
            region: ctx.settings.region,
            requestId,
            healthCheckResource: body,
        }),
    );
    undo.push(
        undoDelete(ctx, `health check ${name}`, action, requestId =>
            ctx.clients.of("healthChecks").delete({
                project: ctx.settings.project,
                region: ctx.settings.region,
                healthCheck: name,
                requestId,
            }),
        ),
    );
    return res;
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
    const regionScope = { project: ctx.settings.project, region: ctx.settings.region };
    const body = {
        name,
        description: toDescription({ nlb, part: "address" }),
        addressType: scheme,
        ...(scheme === "EXTERNAL" ? { networkTier: "PREMIUM" } : { subnetwork }),
    };
    await runStep(ctx, action, `reserving address ${name}`, "type", "create", requestId =>
        ctx.clients.of("addresses").insert({ ...regionScope, requestId, addressResource: body }),
    );
    undo.push(
        undoDelete(ctx, `address ${name}`, action, requestId =>
            ctx.clients.of("addresses").delete({ ...regionScope, address: name, requestId }),
        ),
    );
    const addr = await read(ctx.settings, { action, step: `reading address ${name}` }, () =>
        ctx.clients.of("addresses").get({ ...regionScope, address: name }),
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
    const link = zonalLink(ctx.settings, zone, "instanceGroups", name);
    const zoneScope = { project: ctx.settings.project, zone };
    const group: GroupState = { link, zone, name, vms: [] };
    try {
        await runStep(
            ctx,
            action,
            `inserting instance group ${name}`,
            "vmGroup.vms",
            adopt ? "update" : "create",
            requestId =>
                ctx.clients.of("instanceGroups").insert({
                    ...zoneScope,
                    requestId,
                    instanceGroupResource: {
                        name,
                        description: toDescription({ nlb, part: "instanceGroup" }),
                        network: networkLink(ctx.settings, vpc),
                    },
                }),
        );
    } catch (err) {
        if (!adopt || !(err instanceof AlreadyExistsError)) throw err;
        const existing = await read(ctx.settings, { action, step: `reading instance group ${name}` }, () =>
            ctx.clients.of("instanceGroups").get({ ...zoneScope, instanceGroup: name }),
        );
        if (fromDescription(existing.description)?.nlb !== nlb) throw err;
        group.vms = await membersOf(ctx, zone, name, action);
        const missing = vms.filter(v => !group.vms.includes(v.canonical));
        if (missing.length > 0)
            await changeMembers(
                ctx,
                group,
                "addInstances",
                missing.map(v => v.link),
                action,
            );
        return link;
    }
    undo.push(
        undoDelete(ctx, `instance group ${name}`, action, requestId =>
            ctx.clients.of("instanceGroups").delete({ ...zoneScope, instanceGroup: name, requestId }),
        ),
    );
    if (vms.length > 0)
        await changeMembers(
            ctx,
            group,
            "addInstances",
            vms.map(v => v.link),
            action,
        );
    return link;
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
    const step = `${verb === "addInstances" ? "adding" : "removing"} ${links.map(l => lastSegment(l)).join(", ")} ${verb === "addInstances" ? "to" : "from"} instance group ${group.name}`;
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
