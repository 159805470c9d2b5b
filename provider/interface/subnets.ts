/**
 * Moving a load balancer between subnets in place, as ELBv2 allows it for network load balancers:
 * each call names the complete new set; zones can be added and removed; a different subnet in a
 * zone already in use needs the old subnet's removal to finish first, in a call of its own.
 */

export interface SubnetPlan {
    /** The complete subnet set to send in each call, in order; empty when nothing changes. */
    steps: string[][];
    /** Why the move cannot be made in place, when it cannot. */
    problem?: string;
}

/**
 * Zones gained come first (capacity before loss), then zones dropped, then each same-zone swap as
 * remove-then-add. A swap of the only subnet would pass through an empty set, which no NLB may have.
 */
export function planSubnetSteps(current: string[], desired: string[], zoneOf: (subnet: string) => string): SubnetPlan {
    const zoneNow = new Map(current.map(subnet => [zoneOf(subnet), subnet]));
    const wanted = new Map(desired.map(subnet => [zoneOf(subnet), subnet]));
    const gained = desired.filter(subnet => !zoneNow.has(zoneOf(subnet)));
    const dropped = current.filter(subnet => !wanted.has(zoneOf(subnet)));
    const swaps = desired.filter(subnet => zoneNow.has(zoneOf(subnet)) && zoneNow.get(zoneOf(subnet)) !== subnet);
    const steps: string[][] = [];
    let set = [...current];
    const step = (next: string[]): void => {
        set = next;
        steps.push([...next].sort());
    };
    if (gained.length) step([...set, ...gained]);
    if (dropped.length) step(set.filter(subnet => !dropped.includes(subnet)));
    for (const subnet of swaps) {
        const old = zoneNow.get(zoneOf(subnet)) as string;
        const without = set.filter(s => s !== old);
        if (without.length === 0) {
            return {
                steps: [],
                problem:
                    `replacing the only subnet ${old} with ${subnet} in zone ${zoneOf(subnet)} would leave ` +
                    "the load balancer without a subnet between the removal and the addition, " +
                    "which the cloud refuses; " +
                    "add a subnet in another zone first",
            };
        }
        step(without);
        step([...without, subnet]);
    }
    return { steps };
}

/** Zones that would hold two of `subnets`, as "zone (a, b)" phrases; [] when one per zone. */
export function sharedZones(subnets: string[], zoneOf: (subnet: string) => string): string[] {
    const byZone = new Map<string, string[]>();
    for (const subnet of subnets) byZone.set(zoneOf(subnet), [...(byZone.get(zoneOf(subnet)) ?? []), subnet]);
    return [...byZone].filter(([, list]) => list.length > 1).map(([zone, list]) => `${zone} (${list.join(", ")})`);
}
