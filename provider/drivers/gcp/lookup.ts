/**
 * Reading an NLB back from its GCE parts: finding it by name or by its backend service id, its
 * instance groups and members, the network it lives in, and waiting until it is gone.
 */
import type { Iid, NlbInfo } from "../../interface/driver";
import { FieldIssue, NotFoundError, ValidationError } from "../../interface/errors";
import { waitUntil } from "../../interface/wait";
import {
    GcpClients,
    GcpSettings,
    IBackendService,
    IForwardingRule,
    IHealthCheck,
    INetwork,
    ISubnetwork,
    Step,
    call,
    lastSegment,
    read,
    readOrUndefined,
} from "./clients";
import { PartMarker, fromDescription, groupNamePattern, nlbNames, toNlbInfo, zoneOfLink } from "./parts";
import { ResolvedVm, canonicalOfLink, inRegion } from "./vms";

/** An instance group attached to the backend service, with its members. */
export interface GroupState {
    link: string;
    zone: string;
    name: string;
    /** Canonical `zone/name` of the members. */
    vms: string[];
}

export function label(iid: Iid): string {
    return iid.nameId || iid.systemId;
}

export function invalid(action: string, issues: FieldIssue[]): ValidationError {
    const err = new ValidationError(issues);
    err.message = `${action}: ${err.message}`;
    return err;
}

/** Refuses a request with issues, as one ValidationError naming the action. */
export function throwIfInvalid(action: string, issues: FieldIssue[]): void {
    if (issues.length > 0) throw invalid(action, issues);
}

/** Group links compare by their `projects/...` tail, whatever host the API put in front. */
export function groupKey(link: string | null | undefined): string {
    const full = link ?? "";
    const start = full.indexOf("projects/");
    return start >= 0 ? full.slice(start) : full;
}

/** What every GCP NLB step works with: the Compute clients and the resolved settings. */
export interface GcpContext {
    clients: GcpClients;
    settings: GcpSettings;
}

/** The project and region every regional Compute request names. */
export function regionScope(ctx: GcpContext): { project: string; region: string } {
    return { project: ctx.settings.project, region: ctx.settings.region };
}

export function readBackendService(ctx: GcpContext, name: string, action: string): Promise<IBackendService> {
    return read(ctx.settings, { action, step: `reading backend service ${name}` }, () =>
        ctx.clients
            .of("backendServices")
            .get({ project: ctx.settings.project, region: ctx.settings.region, backendService: name }),
    );
}

export function markerOf(ctx: GcpContext, bs: IBackendService, name: string): PartMarker {
    return fromDescription(bs.description) ?? { managedBy: "pulumi-spider", nlb: name, part: "backendService" };
}

export function readForwardingRule(
    ctx: GcpContext,
    name: string,
    action: string,
): Promise<IForwardingRule | undefined> {
    const frName = nlbNames(name).forwardingRule;
    return readOrUndefined(ctx.settings, { action, step: `reading forwarding rule ${frName}` }, () =>
        ctx.clients
            .of("forwardingRules")
            .get({ project: ctx.settings.project, region: ctx.settings.region, forwardingRule: frName }),
    );
}

/** The NLB's backend service by name, or by id (systemId wins when both are given). */
export async function findNlb(
    ctx: GcpContext,
    iid: Iid,
    action: string,
): Promise<{ name: string; bs: IBackendService }> {
    if (!iid.nameId && !iid.systemId)
        throw invalid(action, [{ property: "iid", reason: "nameId or systemId is required" }]);
    const ours = (bs: IBackendService | undefined, name: string): boolean => {
        const marker = fromDescription(bs?.description);
        return marker?.part === "backendService" && marker.nlb === name;
    };
    if (iid.nameId) {
        const bs = await readOrUndefined(ctx.settings, { action, step: "reading backend service" }, () =>
            ctx.clients.of("backendServices").get({
                project: ctx.settings.project,
                region: ctx.settings.region,
                backendService: nlbNames(iid.nameId).backendService,
            }),
        );
        if (bs && ours(bs, iid.nameId) && (!iid.systemId || String(bs.id) === iid.systemId))
            return { name: iid.nameId, bs };
        if (!iid.systemId)
            throw new NotFoundError(
                `${action}: no NLB named ${iid.nameId} in ${ctx.settings.project}/${ctx.settings.region}`,
            );
    }
    const all = await listAll<IBackendService>(ctx, { action, step: "listing backend services" }, () =>
        ctx.clients
            .of("backendServices")
            .listAsync({ project: ctx.settings.project, region: ctx.settings.region }, { autoPaginate: false }),
    );
    const bs = all.find(b => String(b.id) === iid.systemId);
    const marker = fromDescription(bs?.description);
    if (!bs || !marker || marker.part !== "backendService") {
        throw new NotFoundError(
            `${action}: no NLB with id ${iid.systemId} in ${ctx.settings.project}/${ctx.settings.region}`,
        );
    }
    return { name: marker.nlb, bs };
}

/**
 * Which name to delete under (undefined when the NLB is certainly gone already), and whether its
 * backend service still exists. A name whose backend service is gone is still cleaned up: a
 * failed create or delete may have left other parts.
 */
export async function nameForDelete(
    ctx: GcpContext,
    iid: Iid,
    action: string,
): Promise<{ name: string; anchored: boolean } | undefined> {
    if (!iid.nameId && !iid.systemId)
        throw invalid(action, [{ property: "iid", reason: "nameId or systemId is required" }]);
    if (!iid.nameId) {
        const all = await listAll<IBackendService>(ctx, { action, step: "listing backend services" }, () =>
            ctx.clients
                .of("backendServices")
                .listAsync({ project: ctx.settings.project, region: ctx.settings.region }, { autoPaginate: false }),
        );
        const marker = fromDescription(all.find(b => String(b.id) === iid.systemId)?.description);
        return marker?.part === "backendService" ? { name: marker.nlb, anchored: true } : undefined;
    }
    const bs = await readOrUndefined(ctx.settings, { action, step: "reading backend service" }, () =>
        ctx.clients.of("backendServices").get({
            project: ctx.settings.project,
            region: ctx.settings.region,
            backendService: nlbNames(iid.nameId).backendService,
        }),
    );
    if (!bs) return { name: iid.nameId, anchored: false };
    const marker = fromDescription(bs.description);
    // A backend service of that name that is not this NLB's (foreign, or a newer NLB) is left alone.
    const ours =
        marker?.part === "backendService" &&
        marker.nlb === iid.nameId &&
        (!iid.systemId || String(bs.id) === iid.systemId);
    return ours ? { name: iid.nameId, anchored: true } : undefined;
}

export async function describeNlb(
    ctx: GcpContext,
    name: string,
    bs: IBackendService,
    action: string,
    known?: { fr: IForwardingRule | null; hc?: IHealthCheck },
): Promise<NlbInfo> {
    const partNames = nlbNames(name);
    const hcName = lastSegment(bs.healthChecks?.[0]) || partNames.healthCheck;
    const [hc, fr, groups] = await Promise.all([
        known?.hc ??
            readOrUndefined(ctx.settings, { action, step: `reading health check ${hcName}` }, () =>
                ctx.clients.of("healthChecks").get({ ...regionScope(ctx), healthCheck: hcName }),
            ),
        known
            ? (known.fr ?? undefined)
            : readOrUndefined(
                  ctx.settings,
                  { action, step: `reading forwarding rule ${partNames.forwardingRule}` },
                  () =>
                      ctx.clients
                          .of("forwardingRules")
                          .get({ ...regionScope(ctx), forwardingRule: partNames.forwardingRule }),
              ),
        groupsOf(ctx, bs, action),
    ]);
    let ip = fr?.IPAddress ?? "";
    if (!fr) {
        const addr = await readOrUndefined(ctx.settings, { action, step: `reading address ${partNames.address}` }, () =>
            ctx.clients.of("addresses").get({ ...regionScope(ctx), address: partNames.address }),
        );
        ip = addr?.address ?? "";
    }
    return toNlbInfo(ctx.settings, { name, bs, hc, fr, ip, vms: groups.flatMap(g => g.vms) });
}

export async function groupsOf(ctx: GcpContext, bs: IBackendService, action: string): Promise<GroupState[]> {
    return Promise.all(
        (bs.backends ?? []).map(async b => {
            const link = groupKey(b.group);
            const zone = zoneOfLink(link);
            const name = lastSegment(link);
            return { link, zone, name, vms: await membersOf(ctx, zone, name, action) };
        }),
    );
}

export function membersOf(ctx: GcpContext, zone: string, group: string, action: string): Promise<string[]> {
    return call(ctx.settings, { action, step: `listing instances of ${group}` }, async () => {
        const out: string[] = [];
        const it = ctx.clients.of("instanceGroups").listInstancesAsync(
            {
                project: ctx.settings.project,
                zone,
                instanceGroup: group,
                instanceGroupsListInstancesRequestResource: { instanceState: "ALL" },
            },
            { autoPaginate: false },
        );
        for await (const item of it) out.push(canonicalOfLink(item.instance ?? ""));
        return out.sort();
    });
}

/** This NLB's instance groups in the region's zones, found by name pattern and marker. */
export function findOwnGroups(
    ctx: GcpContext,
    nlb: string,
    action: string,
): Promise<Array<{ zone: string; name: string }>> {
    return call(ctx.settings, { action, step: "listing instance groups" }, async () => {
        const out: Array<{ zone: string; name: string }> = [];
        const it = ctx.clients
            .of("instanceGroups")
            .aggregatedListAsync(
                { project: ctx.settings.project, filter: `name eq "${groupNamePattern(nlb)}"` },
                { autoPaginate: false },
            );
        for await (const [, scoped] of it) {
            for (const ig of scoped.instanceGroups ?? []) {
                const zone = lastSegment(ig.zone);
                if (inRegion(zone, ctx.settings.region) && fromDescription(ig.description)?.nlb === nlb)
                    out.push({ zone, name: ig.name ?? "" });
            }
        }
        return out;
    });
}

export function listAll<T>(ctx: GcpContext, where: Step, iterate: () => AsyncIterable<T>): Promise<T[]> {
    return call(ctx.settings, where, async () => {
        const out: T[] = [];
        for await (const item of iterate()) out.push(item);
        return out;
    });
}

export async function findNetwork(ctx: GcpContext, vpc: string, action: string): Promise<INetwork> {
    const net = await readOrUndefined(ctx.settings, { action, step: `reading network ${vpc}`, property: "vpc" }, () =>
        ctx.clients.of("networks").get({ project: ctx.settings.project, network: vpc }),
    );
    if (!net)
        throw invalid(action, [
            { property: "vpc", reason: `network "${vpc}" does not exist in project ${ctx.settings.project}` },
        ]);
    return net;
}

/** The explicit subnet, else the VPC's first subnetwork (by name) in the region. */
export async function findSubnetwork(
    ctx: GcpContext,
    network: INetwork,
    explicit: string | undefined,
    action: string,
): Promise<ISubnetwork> {
    const vpc = network.name ?? "";
    if (explicit) {
        const sn = await readOrUndefined(
            ctx.settings,
            { action, step: `reading subnetwork ${explicit}`, property: "subnets[0]" },
            () => ctx.clients.of("subnetworks").get({ ...regionScope(ctx), subnetwork: explicit }),
        );
        if (!sn)
            throw invalid(action, [
                {
                    property: "subnets[0]",
                    reason: `subnetwork "${explicit}" does not exist in region ${ctx.settings.region}`,
                },
            ]);
        if (lastSegment(sn.network) !== vpc) {
            throw invalid(action, [
                {
                    property: "subnets[0]",
                    reason: `subnetwork "${explicit}" belongs to network ${lastSegment(sn.network)}, not ${vpc}`,
                },
            ]);
        }
        return sn;
    }
    const all = await listAll<ISubnetwork>(ctx, { action, step: "listing subnetworks" }, () =>
        ctx.clients.of("subnetworks").listAsync(regionScope(ctx), { autoPaginate: false }),
    );
    const mine = all
        .filter(sn => lastSegment(sn.network) === vpc)
        .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
    if (mine.length === 0) {
        throw invalid(action, [
            {
                property: "subnets",
                reason: `network ${vpc} has no subnetwork in region ${ctx.settings.region}; an INTERNAL NLB needs one`,
            },
        ]);
    }
    return mine[0];
}

export function checkVmNetworks(
    ctx: GcpContext,
    vms: ResolvedVm[],
    vpc: string,
    action: string,
    property: string,
): void {
    if (vpc === "") return;
    const wrong = vms.filter(v => v.network !== "" && v.network !== vpc);
    if (wrong.length > 0) {
        throw invalid(
            action,
            wrong.map(v => ({
                property,
                reason: `VM ${v.canonical} is in network ${v.network}, not in the NLB's VPC ${vpc}`,
            })),
        );
    }
}

export function waitNlbGone(ctx: GcpContext, name: string, action: string): Promise<void> {
    const bsName = nlbNames(name).backendService;
    return waitUntil(
        async () => {
            const bs = await readOrUndefined(ctx.settings, { action, step: `reading backend service ${bsName}` }, () =>
                ctx.clients.of("backendServices").get({
                    project: ctx.settings.project,
                    region: ctx.settings.region,
                    backendService: bsName,
                }),
            );
            return bs ? { done: false, state: "backend service still present" } : { done: true, value: undefined };
        },
        {
            timeoutMs: ctx.settings.timeouts.delete,
            ...ctx.settings.poll,
            what: `Nlb (${name}) to be gone`,
            log: ctx.settings.log,
        },
    );
}
