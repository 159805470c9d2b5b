/**
 * VM references: `zone/name` or a bare name looked up across the region's zones. The canonical
 * form the driver reports is always `zone/name`.
 */
import { FieldIssue, ValidationError } from "../../interface/errors";
import { GcpClients, GcpSettings, IInstance, Step, call, lastSegment } from "./clients";

export interface VmRef {
    zone?: string;
    name: string;
}

export interface ResolvedVm {
    zone: string;
    name: string;
    /** Partial URL GCE accepts as a reference. */
    link: string;
    /** Network of the first interface (name). */
    network: string;
    canonical: string;
}

/** Names per aggregated-list request; keeps the filter expression well within request limits. */
const NAMES_PER_LOOKUP = 40;

export function parseVmRef(ref: string): VmRef {
    const url = /zones\/([^/]+)\/instances\/([^/]+)$/.exec(ref);
    if (url) return { zone: url[1], name: url[2] };
    const slash = ref.indexOf("/");
    return slash >= 0 ? { zone: ref.slice(0, slash), name: ref.slice(slash + 1) } : { name: ref };
}

/** `zone/name` of an instance URL. */
export function canonicalOfLink(link: string): string {
    const match = /zones\/([^/]+)\/instances\/([^/]+)$/.exec(link);
    return match ? `${match[1]}/${match[2]}` : lastSegment(link);
}

export function instanceLink(project: string, zone: string, name: string): string {
    return `projects/${project}/zones/${zone}/instances/${name}`;
}

export function inRegion(zone: string, region: string): boolean {
    return zone.startsWith(`${region}-`);
}

/**
 * Resolves every reference with one aggregated instance list per 40 distinct names. Missing,
 * ambiguous and out-of-region references are all reported together as a ValidationError.
 */
export async function resolveVms(
    clients: GcpClients,
    settings: GcpSettings,
    refs: readonly string[],
    where: Step,
    property: string,
): Promise<ResolvedVm[]> {
    const parsed = refs.map(parseVmRef);
    const found = await instancesNamed(clients, settings, [...new Set(parsed.map(ref => ref.name))], where);
    const issues: FieldIssue[] = [];
    const out = new Map<string, ResolvedVm>();
    parsed.forEach((ref, index) => {
        const resolved = resolveOne(settings, ref, found.get(ref.name) ?? []);
        if (typeof resolved === "string") issues.push({ property: `${property}[${index}]`, reason: resolved });
        else out.set(resolved.canonical, resolved);
    });
    if (issues.length > 0) {
        const err = new ValidationError(issues);
        err.message = `${where.action}: ${err.message}`;
        throw err;
    }
    return [...out.values()];
}

/** The project's instances with these names, in any zone, by name. */
async function instancesNamed(
    clients: GcpClients,
    settings: GcpSettings,
    names: string[],
    where: Step,
): Promise<Map<string, IInstance[]>> {
    const found = new Map<string, IInstance[]>();
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_LOOKUP) chunks.push(names.slice(i, i + NAMES_PER_LOOKUP));
    await Promise.all(
        chunks.map(chunk =>
            call(settings, { ...where, step: "looking up VMs" }, async () => {
                const filter = chunk.map(name => `(name = "${name}")`).join(" OR ");
                const iterable = clients
                    .of("instances")
                    .aggregatedListAsync({ project: settings.project, filter }, { autoPaginate: false });
                for await (const [, scoped] of iterable) {
                    for (const inst of scoped.instances ?? []) {
                        const list = found.get(inst.name ?? "") ?? [];
                        list.push(inst);
                        found.set(inst.name ?? "", list);
                    }
                }
            }),
        ),
    );
    return found;
}

/** The one in-region VM a reference names among the instances of that name, or why there is none. */
function resolveOne(settings: GcpSettings, ref: VmRef, all: IInstance[]): ResolvedVm | string {
    const zoneOf = (inst: IInstance): string => lastSegment(inst.zone);
    if (ref.zone !== undefined && !inRegion(ref.zone, settings.region))
        return `zone ${ref.zone} is not in the NLB's region ${settings.region}`;
    const candidates = all.filter(
        inst => inRegion(zoneOf(inst), settings.region) && (ref.zone === undefined || zoneOf(inst) === ref.zone),
    );
    if (candidates.length === 0) {
        const elsewhere = all.map(zoneOf);
        const place = ref.zone ?? `the zones of region ${settings.region}`;
        return (
            `no VM named "${ref.name}" in ${place}` + (elsewhere.length ? ` (found in ${elsewhere.join(", ")})` : "")
        );
    }
    if (candidates.length > 1) {
        const zones = candidates.map(zoneOf).sort().join(", ");
        return `"${ref.name}" is ambiguous: VMs with that name exist in ${zones}; write it as zone/name`;
    }
    const zone = zoneOf(candidates[0]);
    return {
        zone,
        name: ref.name,
        canonical: `${zone}/${ref.name}`,
        link: instanceLink(settings.project, zone, ref.name),
        network: lastSegment(candidates[0].networkInterfaces?.[0]?.network),
    };
}

/** VMs grouped by zone, zones sorted. */
export function byZone<T extends { zone: string }>(vms: readonly T[]): Map<string, T[]> {
    const zones = new Map<string, T[]>();
    for (const vm of [...vms].sort((a, b) => a.zone.localeCompare(b.zone))) {
        const list = zones.get(vm.zone) ?? [];
        list.push(vm);
        zones.set(vm.zone, list);
    }
    return zones;
}
