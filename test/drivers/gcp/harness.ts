/**
 * One GCP Compute fake process per test file and the gcp driver pointed at it. The fake seeds
 * project spider-test / us-central1 with network `default` and VMs vm-1…vm-6 (zones a and b).
 */
import type {
    ClusterReq,
    Connection,
    Driver,
    DriverContext,
    NlbReq,
    NodeGroupReq,
} from "../../../provider/interface/driver";
import * as gcp from "../../../provider/drivers/gcp";
import type { ContractEnv } from "../../contract/env";
import { GcpFake, startGcpFake } from "../../support/gcp-fake/launch";

/** The zone the cluster contract's (zonal) GKE cluster lives in. */
export const CONTRACT_ZONE = "us-central1-a";

export const FAST_POLL = { minDelayMs: 2, maxDelayMs: 20 };

/** Canonical references of four seeded VMs: two per zone, so the suite crosses zones. */
export const CONTRACT_VMS = ["us-central1-a/vm-1", "us-central1-a/vm-2", "us-central1-b/vm-4", "us-central1-b/vm-5"];

/** A TCP 80 → 8080 NLB request on seeded VMs in two zones (one by bare name, one by zone/name). */
export function nlbRequest(name: string, overrides: Partial<NlbReq> = {}): NlbReq {
    return {
        iid: { nameId: name, systemId: "" },
        vpc: "default",
        type: "PUBLIC",
        scope: "REGION",
        listener: { protocol: "TCP", port: 80 },
        vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "us-central1-b/vm-4"] },
        healthChecker: { protocol: "TCP" },
        tags: { team: "web" },
        ...overrides,
    };
}

/** A GKE node pool request: e2-medium, default image and disk, the given sizes; autoscaling on unless told. */
export function gkePool(
    name: string,
    sizes: { desired: number; min: number; max: number },
    overrides: Partial<NodeGroupReq> = {},
): NodeGroupReq {
    return {
        iid: { nameId: name, systemId: "" },
        image: "",
        vmSpec: "e2-medium",
        rootDiskType: "",
        rootDiskSize: 0,
        keyPair: "",
        onAutoScaling: true,
        desiredNodeSize: sizes.desired,
        minNodeSize: sizes.min,
        maxNodeSize: sizes.max,
        ...overrides,
    };
}

/** A GKE cluster request on the fake's `default` network and subnetwork. */
export function gkeCluster(
    name: string,
    version: string,
    pools: NodeGroupReq[],
    overrides: Partial<ClusterReq> = {},
): ClusterReq {
    return {
        iid: { nameId: name, systemId: "" },
        version,
        network: { vpc: "default", subnets: ["default"], securityGroups: [] },
        nodeGroups: pools,
        tags: { suite: "gke" },
        ...overrides,
    };
}

export interface GcpHarness {
    fake: GcpFake;
    conn: Connection;
    ctx: DriverContext;
    driver: Driver;
    log: string[];
    open(ctx?: Partial<DriverContext>): Driver;
    uniqueName(prefix: string): string;
    /** Calls `fn` and returns the Compute requests it made. */
    record<T>(fn: () => Promise<T>): Promise<{ value: T; calls: Array<{ method: string; path: string }> }>;
    contractEnv(): ContractEnv;
    stop(): Promise<void>;
}

export async function startHarness(opts: { opPolls?: number } = {}): Promise<GcpHarness> {
    const fake = await startGcpFake({ opPolls: opts.opPolls ?? 2 });
    const conn = fake.connection;
    const log: string[] = [];
    const ctx: DriverContext = {
        log: line => log.push(line),
        poll: FAST_POLL,
        timeouts: { create: 60_000, update: 60_000, delete: 60_000 },
    };
    let counter = 0;
    const stamp = Date.now().toString(36).slice(-4);
    const h: GcpHarness = {
        fake,
        conn,
        ctx,
        log,
        driver: gcp.open(conn, ctx),
        open: more => gcp.open(conn, { ...ctx, ...more }),
        uniqueName: prefix => `${prefix}-${stamp}${(counter++).toString(36)}`,
        async record(fn) {
            await fake.clearRequests();
            const value = await fn();
            return { value, calls: await fake.requests() };
        },
        // Zonal, so the contract's node group sizes (2, 1…3) need not divide over a region's three zones;
        // the NLB side ignores the zone.
        contractEnv: () => ({
            driver: gcp.open({ ...conn, zone: CONTRACT_ZONE }, ctx),
            caps: gcp.capabilities,
            vpc: "default",
            subnets: ["default"],
            vms: [...CONTRACT_VMS],
            vmSpec: "e2-medium",
            otherVmSpec: "e2-standard-2",
            versions: ["1.34", "1.35"],
            uniqueName: h.uniqueName,
            async inventory() {
                const inv = await fake.inventory();
                return {
                    nlbs: inv.backendServices,
                    clusters: inv.clusters ?? 0,
                    other:
                        inv.forwardingRules +
                        inv.healthChecks +
                        inv.addresses +
                        inv.instanceGroups +
                        (inv.nodePools ?? 0) +
                        (inv.instanceGroupManagers ?? 0),
                };
            },
        }),
        stop: () => fake.stop(),
    };
    return h;
}
