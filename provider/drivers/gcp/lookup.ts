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

/** Group links compare by their `projects/...` tail, whatever host the API put in front. */
export function groupKey(link: string | null | undefined): string {
    const s = link ?? "";
    const i = s.indexOf("projects/");
    return i >= 0 ? s.slice(i) : s;
}

export class NlbReader {
    constructor(
        protected readonly g: GcpClients,
        protected readonly s: GcpSettings,
    ) {}

    protected readBackendService(name: string, action: string): Promise<IBackendService> {
        return read(this.s, { action, step: `reading backend service ${name}` }, () =>
            this.g.backendServices.get({ project: this.s.project, region: this.s.region, backendService: name }),
        );
    }

    protected markerOf(bs: IBackendService, name: string): PartMarker {
        return fromDescription(bs.description) ?? { managedBy: "pulumi-spider", nlb: name, part: "backendService" };
    }

    protected readForwardingRule(name: string, action: string): Promise<IForwardingRule | undefined> {
        const frName = nlbNames(name).forwardingRule;
        return readOrUndefined(this.s, { action, step: `reading forwarding rule ${frName}` }, () =>
            this.g.forwardingRules.get({ project: this.s.project, region: this.s.region, forwardingRule: frName }),
        );
    }

    /** The NLB's backend service by name, or by id (systemId wins when both are given). */
    protected async findNlb(iid: Iid, action: string): Promise<{ name: string; bs: IBackendService }> {
        if (!iid.nameId && !iid.systemId)
            throw invalid(action, [{ property: "iid", reason: "nameId or systemId is required" }]);
        const ours = (bs: IBackendService | undefined, name: string): boolean => {
            const m = fromDescription(bs?.description);
            return m?.part === "backendService" && m.nlb === name;
        };
        if (iid.nameId) {
            const bs = await readOrUndefined(this.s, { action, step: "reading backend service" }, () =>
                this.g.backendServices.get({
                    project: this.s.project,
                    region: this.s.region,
                    backendService: nlbNames(iid.nameId).backendService,
                }),
            );
            if (bs && ours(bs, iid.nameId) && (!iid.systemId || String(bs.id) === iid.systemId))
                return { name: iid.nameId, bs };
            if (!iid.systemId)
                throw new NotFoundError(`${action}: no NLB named ${iid.nameId} in ${this.s.project}/${this.s.region}`);
        }
        const all = await this.listAll<IBackendService>({ action, step: "listing backend services" }, () =>
            this.g.backendServices.listAsync(
                { project: this.s.project, region: this.s.region },
                { autoPaginate: false },
            ),
        );
        const bs = all.find(b => String(b.id) === iid.systemId);
        const marker = fromDescription(bs?.description);
        if (!bs || !marker || marker.part !== "backendService") {
            throw new NotFoundError(`${action}: no NLB with id ${iid.systemId} in ${this.s.project}/${this.s.region}`);
        }
        return { name: marker.nlb, bs };
    }

    /**
     * Which name to delete under (undefined when the NLB is certainly gone already), and whether its
     * backend service still exists. A name whose backend service is gone is still cleaned up: a
     * failed create or delete may have left other parts.
     */
    protected async nameForDelete(iid: Iid, action: string): Promise<{ name: string; anchored: boolean } | undefined> {
        if (!iid.nameId && !iid.systemId)
            throw invalid(action, [{ property: "iid", reason: "nameId or systemId is required" }]);
        if (!iid.nameId) {
            const all = await this.listAll<IBackendService>({ action, step: "listing backend services" }, () =>
                this.g.backendServices.listAsync(
                    { project: this.s.project, region: this.s.region },
                    { autoPaginate: false },
                ),
            );
            const marker = fromDescription(all.find(b => String(b.id) === iid.systemId)?.description);
            return marker?.part === "backendService" ? { name: marker.nlb, anchored: true } : undefined;
        }
        const bs = await readOrUndefined(this.s, { action, step: "reading backend service" }, () =>
            this.g.backendServices.get({
                project: this.s.project,
                region: this.s.region,
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

    protected async describe(
        name: string,
        bs: IBackendService,
        action: string,
        known?: { fr: IForwardingRule | null; hc?: IHealthCheck },
    ): Promise<NlbInfo> {
        const n = nlbNames(name);
        const p = { project: this.s.project, region: this.s.region };
        const hcName = lastSegment(bs.healthChecks?.[0]) || n.healthCheck;
        const [hc, fr, groups] = await Promise.all([
            known?.hc ??
                readOrUndefined(this.s, { action, step: `reading health check ${hcName}` }, () =>
                    this.g.healthChecks.get({ ...p, healthCheck: hcName }),
                ),
            known
                ? (known.fr ?? undefined)
                : readOrUndefined(this.s, { action, step: `reading forwarding rule ${n.forwardingRule}` }, () =>
                      this.g.forwardingRules.get({ ...p, forwardingRule: n.forwardingRule }),
                  ),
            this.groupsOf(bs, action),
        ]);
        let ip = fr?.IPAddress ?? "";
        if (!fr) {
            const addr = await readOrUndefined(this.s, { action, step: `reading address ${n.address}` }, () =>
                this.g.addresses.get({ ...p, address: n.address }),
            );
            ip = addr?.address ?? "";
        }
        return toNlbInfo(this.s, { name, bs, hc, fr, ip, vms: groups.flatMap(g => g.vms) });
    }

    protected async groupsOf(bs: IBackendService, action: string): Promise<GroupState[]> {
        return Promise.all(
            (bs.backends ?? []).map(async b => {
                const link = groupKey(b.group);
                const zone = zoneOfLink(link);
                const name = lastSegment(link);
                return { link, zone, name, vms: await this.membersOf(zone, name, action) };
            }),
        );
    }

    protected membersOf(zone: string, group: string, action: string): Promise<string[]> {
        return call(this.s, { action, step: `listing instances of ${group}` }, async () => {
            const out: string[] = [];
            const it = this.g.instanceGroups.listInstancesAsync(
                {
                    project: this.s.project,
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
    protected findOwnGroups(nlb: string, action: string): Promise<Array<{ zone: string; name: string }>> {
        return call(this.s, { action, step: "listing instance groups" }, async () => {
            const out: Array<{ zone: string; name: string }> = [];
            const it = this.g.instanceGroups.aggregatedListAsync(
                { project: this.s.project, filter: `name eq "${groupNamePattern(nlb)}"` },
                { autoPaginate: false },
            );
            for await (const [, scoped] of it) {
                for (const ig of scoped.instanceGroups ?? []) {
                    const zone = lastSegment(ig.zone);
                    if (inRegion(zone, this.s.region) && fromDescription(ig.description)?.nlb === nlb)
                        out.push({ zone, name: ig.name ?? "" });
                }
            }
            return out;
        });
    }

    protected listAll<T>(where: Step, iterate: () => AsyncIterable<T>): Promise<T[]> {
        return call(this.s, where, async () => {
            const out: T[] = [];
            for await (const item of iterate()) out.push(item);
            return out;
        });
    }

    protected async findNetwork(vpc: string, action: string): Promise<INetwork> {
        const net = await readOrUndefined(this.s, { action, step: `reading network ${vpc}`, property: "vpc" }, () =>
            this.g.networks.get({ project: this.s.project, network: vpc }),
        );
        if (!net)
            throw invalid(action, [
                { property: "vpc", reason: `network "${vpc}" does not exist in project ${this.s.project}` },
            ]);
        return net;
    }

    /** The explicit subnet, else the VPC's first subnetwork (by name) in the region. */
    protected async findSubnetwork(
        network: INetwork,
        explicit: string | undefined,
        action: string,
    ): Promise<ISubnetwork> {
        const vpc = network.name ?? "";
        const p = { project: this.s.project, region: this.s.region };
        if (explicit) {
            const sn = await readOrUndefined(
                this.s,
                { action, step: `reading subnetwork ${explicit}`, property: "subnets[0]" },
                () => this.g.subnetworks.get({ ...p, subnetwork: explicit }),
            );
            if (!sn)
                throw invalid(action, [
                    {
                        property: "subnets[0]",
                        reason: `subnetwork "${explicit}" does not exist in region ${this.s.region}`,
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
        const all = await this.listAll<ISubnetwork>({ action, step: "listing subnetworks" }, () =>
            this.g.subnetworks.listAsync(p, { autoPaginate: false }),
        );
        const mine = all
            .filter(sn => lastSegment(sn.network) === vpc)
            .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
        if (mine.length === 0) {
            throw invalid(action, [
                {
                    property: "subnets",
                    reason: `network ${vpc} has no subnetwork in region ${this.s.region}; an INTERNAL NLB needs one`,
                },
            ]);
        }
        return mine[0];
    }

    protected checkVmNetworks(vms: ResolvedVm[], vpc: string, action: string, property: string): void {
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

    protected waitNlbGone(name: string, action: string): Promise<void> {
        const bsName = nlbNames(name).backendService;
        return waitUntil(
            async () => {
                const bs = await readOrUndefined(this.s, { action, step: `reading backend service ${bsName}` }, () =>
                    this.g.backendServices.get({
                        project: this.s.project,
                        region: this.s.region,
                        backendService: bsName,
                    }),
                );
                return bs ? { done: false, state: "backend service still present" } : { done: true, value: undefined };
            },
            { timeoutMs: this.s.timeouts.delete, ...this.s.poll, what: `Nlb (${name}) to be gone`, log: this.s.log },
        );
    }
}
