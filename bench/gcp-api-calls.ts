/**
 * Counts the Compute API calls the gcp driver makes per driver operation, from the GCP fake's
 * request log, and writes bench/gcp-api-calls.md.
 *
 *   npx ts-node bench/gcp-api-calls.ts
 *
 * Calls are classed as mutations (insert/delete/update/setLabels/addInstances/removeInstances),
 * reads (get/list/aggregatedList/listInstances/getHealth) and operation polls (operations wait).
 * Polls depend on how long operations run; the fake keeps each one RUNNING for OP_POLLS polls.
 */
import { writeFileSync } from "fs";
import * as path from "path";
import type { ClusterReq, Driver, Iid, NlbReq, NodeGroupReq } from "../provider/interface/driver";
import * as gcp from "../provider/drivers/gcp";
import { gkeCluster, gkePool, nlbRequest } from "../test/drivers/gcp/harness";
import { GcpFake, startGcpFake } from "../test/support/gcp-fake/launch";

const OP_POLLS = 1;
const OUT = path.join(__dirname, "gcp-api-calls.md");

interface Row {
    operation: string;
    mutations: number;
    reads: number;
    polls: number;
    calls: string[];
    lowerMutations: string;
    lowerReads: string;
    why: string;
}

function classify(method: string, p: string): "mutation" | "read" | "poll" {
    if (/\/operations\/[^/]+(\/wait)?$/.test(p)) return "poll";
    if (method === "GET" || /\/(getHealth|listInstances|listManagedInstances)$/.test(p)) return "read";
    return "mutation";
}

function shortPath(p: string): string {
    return p
        .replace(/^\/compute\/v1\/projects\/[^/]+\//, "")
        .replace(/^\/v1\/projects\/[^/]+\/locations\/[^/]+\//, "gke: ")
        .replace(/operations\/[^/]+/, "operations/…")
        .replace(/instanceGroupManagers\/gke-[^/]+/, "instanceGroupManagers/gke-…");
}

async function measure<T>(
    fake: GcpFake,
    fn: () => Promise<T>,
): Promise<{ value: T; mutations: number; reads: number; polls: number; calls: string[] }> {
    await fake.clearRequests();
    const value = await fn();
    const log = await fake.requests();
    const kinds = log.map(r => classify(r.method, r.path));
    return {
        value,
        mutations: kinds.filter(k => k === "mutation").length,
        reads: kinds.filter(k => k === "read").length,
        polls: kinds.filter(k => k === "poll").length,
        calls: log.filter(r => classify(r.method, r.path) !== "poll").map(r => `${r.method} ${shortPath(r.path)}`),
    };
}

/** Bare VM names: the bench counts the zone lookups they take. */
function request(name: string, overrides: Partial<NlbReq> = {}): NlbReq {
    return nlbRequest(name, { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-4"] }, ...overrides });
}

type Add = <T>(
    operation: string,
    lowerMutations: string,
    lowerReads: string,
    why: string,
    fn: () => Promise<T>,
) => Promise<T>;

function recorder(fake: GcpFake, rows: Row[]): Add {
    return async (operation, lowerMutations, lowerReads, why, fn) => {
        const m = await measure(fake, fn);
        rows.push({ operation, ...m, lowerMutations, lowerReads, why });
        return m.value;
    };
}

async function run(fake: GcpFake, driver: Driver): Promise<Row[]> {
    const rows: Row[] = [];
    const add = async <T>(
        operation: string,
        lowerMutations: string,
        lowerReads: string,
        why: string,
        fn: () => Promise<T>,
    ): Promise<T> => {
        const m = await measure(fake, fn);
        rows.push({
            operation,
            mutations: m.mutations,
            reads: m.reads,
            polls: m.polls,
            calls: m.calls,
            lowerMutations,
            lowerReads,
            why,
        });
        return m.value;
    };

    const web = await add(
        "createNlb (PUBLIC, 2 VMs in 2 zones)",
        "8",
        "2",
        "4 + 2 per zone: health check, address, backend service, forwarding rule, and per zone a group insert + one addInstances; reads: one VM lookup (bare names), the reserved IP",
        () => driver.nlb.createNlb(request("web")),
    );
    const iid: Iid = web.iid;
    await add(
        "createNlb (INTERNAL, 1 VM)",
        "6",
        "3",
        "as above with one zone; reads add the VPC's subnetwork for the internal address",
        () =>
            driver.nlb.createNlb(
                request("ilb", { type: "INTERNAL", vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-2"] } }),
            ),
    );
    await add(
        "getNlb (2 zones)",
        "0",
        "5",
        "3 + 1 per zone: backend service (anchor), health check, forwarding rule (carries the IP), listInstances per zone",
        () => driver.nlb.getNlb(iid),
    );
    await add(
        "listNlb (2 NLBs, 3 groups in all)",
        "0",
        "6",
        "3 lists (backend services, forwarding rules, health checks) + listInstances per group",
        () => driver.nlb.listNlb(),
    );
    await add(
        "changeListener (port)",
        "2",
        "1",
        "a forwarding rule's ports cannot be patched: delete + insert on the same address; read the rule to recreate it",
        () => driver.nlb.changeListener(iid, { protocol: "TCP", port: 443 }),
    );
    await add(
        "changeListener (TCP→UDP)",
        "3",
        "1",
        "delete + insert of the rule, plus one backend service update for its protocol",
        () => driver.nlb.changeListener(iid, { protocol: "UDP", port: 443 }),
    );
    await add("changeListener (unchanged)", "0", "1", "read the rule to see nothing changes", () =>
        driver.nlb.changeListener(iid, { protocol: "UDP", port: 443 }),
    );
    await add(
        "changeVmGroupInfo (port; health port follows it)",
        "2",
        "4",
        "backend service update (port marker) + health check update; reads: backend service, health check (its type), listInstances per zone for the result",
        () => driver.nlb.changeVmGroupInfo(iid, { protocol: "UDP", port: 9090 }),
    );
    await add(
        "addVms (1 VM, zone already used)",
        "1",
        "4",
        "one addInstances; reads: backend service, VM lookup, listInstances per zone (skip attached VMs, return the list)",
        () => driver.nlb.addVms(iid, ["vm-5"]),
    );
    await fake.addInstance("us-central1-c", "vm-7");
    await add(
        "addVms (1 VM, new zone)",
        "3",
        "4",
        "group insert + addInstances + one backend service update; reads as above",
        () => driver.nlb.addVms(iid, ["vm-7"]),
    );
    await add(
        "removeVms (1 VM, zone keeps others)",
        "1",
        "4",
        "one removeInstances; reads: backend service + listInstances per zone (3 zones)",
        () => driver.nlb.removeVms(iid, ["vm-5"]),
    );
    await add(
        "removeVms (last VM of a zone)",
        "2",
        "4",
        "backend service update (detach the group) + group delete",
        () => driver.nlb.removeVms(iid, ["vm-7"]),
    );
    await add("getVmGroupHealthInfo (2 zones)", "0", "3", "backend service + getHealth per instance group", () =>
        driver.nlb.getVmGroupHealthInfo(iid),
    );
    await add(
        "changeHealthCheckerInfo (port still follows the VM group)",
        "1",
        "1",
        "one health check update (PUT, no fingerprint); read the backend service for the hc and the VM group port",
        () =>
            driver.nlb.changeHealthCheckerInfo(iid, {
                protocol: "HTTP",
                interval: 10,
                timeout: 5,
                threshold: 3,
                path: "/healthz",
            }),
    );
    await add(
        "changeTrafficSettings (draining + affinity)",
        "1",
        "2",
        "one backend service update (PUT with its fingerprint) for both; read it before (fingerprint) and after",
        () =>
            driver.nlb.changeTrafficSettings(iid, {
                crossZone: true,
                connectionDraining: 30,
                sessionAffinity: "CLIENT_IP",
                preserveClientIp: true,
                proxyProtocol: false,
            }),
    );
    await add(
        "changeHealthCheckerInfo (explicit port)",
        "2",
        "1",
        "as above + a backend service update recording that the port no longer follows the VM group",
        () =>
            driver.nlb.changeHealthCheckerInfo(iid, {
                protocol: "HTTP",
                port: 9191,
                interval: 10,
                timeout: 5,
                threshold: 3,
                path: "/healthz",
            }),
    );
    await add("changeTags", "1", "1", "setLabels needs the rule's current labelFingerprint", () =>
        driver.nlb.changeTags(iid, { team: "web", env: "prod" }),
    );
    await add(
        "deleteNlb (2 zones)",
        "6",
        "1",
        "4 + 1 per zone: forwarding rule, address, backend service, groups, health check; one read to find the groups",
        () => driver.nlb.deleteNlb(iid),
    );
    await add(
        "deleteNlb (already gone)",
        "0",
        "1",
        "one read shows the backend service is gone; writes stay at 0 because leftover parts are read, not deleted blindly",
        () => driver.nlb.deleteNlb(iid),
    );
    return rows;
}

function pool(name: string, desired: number, min: number, max: number): NodeGroupReq {
    return gkePool(name, { desired, min, max });
}

function cluster(name: string, version: string, pools: NodeGroupReq[]): ClusterReq {
    return gkeCluster(name, version, pools, { tags: { bench: "gke" } });
}

/** GKE operations on a zonal cluster (one zone: one managed instance group per pool), and one regional create. */
async function runGke(fake: GcpFake, regional: Driver, zonal: Driver): Promise<Row[]> {
    const rows: Row[] = [];
    const add = recorder(fake, rows);
    const perPool = "1 per zone (the pool's managed instance group there)";
    await add(
        "createCluster (regional, 1 pool over 3 zones)",
        "1",
        "4",
        `one clusters.create holds the pools; reads: the cluster, ${perPool}`,
        () => regional.cluster.createCluster(cluster("reg", "1.34", [pool("web", 3, 3, 6)])),
    );
    await regional.cluster.deleteCluster({ nameId: "reg", systemId: "" });
    const info = await add(
        "createCluster (zonal, 2 pools)",
        "1",
        "3",
        `one clusters.create holds both pools; reads: the cluster, 1 per pool's MIG`,
        () => zonal.cluster.createCluster(cluster("k8s", "1.33", [pool("a", 2, 1, 4), pool("b", 1, 1, 2)])),
    );
    const iid = info.iid;
    const [a, b] = info.nodeGroups.map(group => group.iid);
    await add("getCluster (2 pools)", "0", "3", "the cluster (it lists its pools) + 1 per pool's MIG", () =>
        zonal.cluster.getCluster(iid),
    );
    await add("getNodeGroup", "0", "3", "the cluster (the nodes' subnetwork), the pool, its MIG", () =>
        zonal.cluster.getNodeGroup(iid, a),
    );
    await add(
        "addNodeGroup",
        "1",
        "3",
        "nodePools.create; reads: the cluster (version, zones), then the pool + its MIG",
        () => zonal.cluster.addNodeGroup(iid, pool("c", 1, 0, 2)),
    );
    await add(
        "changeNodeGroupScaling (size, autoscaling on)",
        "1",
        "5",
        "one setSize; before: the pool and its MIG (current size); after: cluster, pool, MIG",
        () => zonal.cluster.changeNodeGroupScaling(iid, a, { desiredNodeSize: 3, minNodeSize: 1, maxNodeSize: 4 }),
    );
    await add(
        "changeNodeGroupScaling (bounds only)",
        "1",
        "5",
        "one setAutoscaling with the totals; reads as above",
        () => zonal.cluster.changeNodeGroupScaling(iid, a, { desiredNodeSize: 3, minNodeSize: 2, maxNodeSize: 5 }),
    );
    await add(
        "setNodeGroupAutoScaling (off)",
        "2",
        "5",
        "the bounds into the pool's labels (nodePools.update), then setAutoscaling off; reads as for scaling",
        () => zonal.cluster.setNodeGroupAutoScaling(iid, a, false),
    );
    await add(
        "setNodeGroupAutoScaling (on)",
        "1",
        "5",
        "setAutoscaling with the bounds read from the labels; reads as for scaling",
        () => zonal.cluster.setNodeGroupAutoScaling(iid, a, true),
    );
    await add(
        "changeNodeGroupConfig (labels + taints + maxUnavailable)",
        "1",
        "4",
        "one nodePools.update for all three; the pool before (its version and image type GKE requires), then cluster, pool, MIG",
        () =>
            zonal.cluster.changeNodeGroupConfig(iid, b, {
                labels: { role: "web" },
                taints: [{ key: "web", effect: "NoSchedule" }],
                maxUnavailable: 2,
            }),
    );
    await add(
        "changeNodeGroupMachines (machine type + disk size)",
        "1",
        "4",
        "one nodePools.update (nodes recreated); reads as for the config change",
        () => zonal.cluster.changeNodeGroupMachines(iid, b, { vmSpec: "e2-standard-2", rootDiskSize: 50 }),
    );
    await add(
        "changeClusterAccess (authorized networks + logging)",
        "2",
        "5",
        "GKE takes one ClusterUpdate field per update: 2 updates; the cluster before, then the cluster + 1 MIG per pool",
        () =>
            zonal.cluster.changeClusterAccess(iid, {
                endpointAccess: { public: true, private: false, publicCidrs: ["203.0.113.0/24"] },
                logging: ["api"],
            }),
    );
    await add(
        "changeClusterTags",
        "1",
        "1",
        "setResourceLabels needs the current labelFingerprint (one cluster read)",
        () => zonal.cluster.changeClusterTags(iid, { bench: "gke", stage: "tagged" }),
    );
    await add(
        "upgradeCluster (1.33 → 1.35, 3 pools)",
        "8",
        "5",
        "per minor step the control plane, then each pool (2 × (1 + 3)); reads: the cluster at the start, the result (cluster + 1 MIG per pool)",
        () => zonal.cluster.upgradeCluster(iid, "1.35"),
    );
    await add("removeNodeGroup", "1", "0", "one nodePools.delete", () =>
        zonal.cluster.removeNodeGroup(iid, { nameId: "c", systemId: "" }),
    );
    await add("deleteCluster (2 pools)", "1", "0", "one clusters.delete removes the pools too", () =>
        zonal.cluster.deleteCluster(iid),
    );
    return rows;
}

function table(rows: Row[]): string[] {
    return [
        "| operation | mutations | reads | op polls | lower bound (mutations / reads) | why that bound |",
        "|---|---:|---:|---:|---|---|",
        ...rows.map(
            r =>
                `| ${r.operation} | ${r.mutations} | ${r.reads} | ${r.polls} | ${r.lowerMutations} / ${r.lowerReads} | ${r.why} |`,
        ),
    ];
}

function render(rows: Row[], gkeRows: Row[]): string {
    const lines = [
        "# gcp driver: Compute API calls per operation",
        "",
        "Recorded from the GCP fake's request log (`test/support/gcp-fake`), driver talking to it with the real",
        "`@google-cloud/compute` client. Regenerate with:",
        "",
        "```",
        "npx ts-node bench/gcp-api-calls.ts",
        "```",
        "",
        `Operations stay RUNNING for ${OP_POLLS} poll(s) in the fake, so every mutation costs ${OP_POLLS + 1} operation poll(s)`,
        "(`operations/…/wait`; on GCE `wait` blocks up to 2 minutes, so real polls stay few). Polls are listed separately.",
        "Zones: vm-1/vm-2 in us-central1-a, vm-4/vm-5 in us-central1-b, vm-7 (added for the run) in us-central1-c.",
        "",
        ...table(rows),
        "",
        "Where the driver reads more than the bound, the extra reads buy something specific:",
        "",
        "- createNlb: a backend-service read first refuses a duplicate name before anything is created; a network read",
        "  turns a missing VPC into a validation error on `vpc`; a final backend-service read gives `createdTime`.",
        "- changeListener / changeTags / changeHealthCheckerInfo / removeVms: one backend-service read resolves the",
        "  NLB by systemId (the backend service id) so a stale id never touches a newer NLB of the same name.",
        "- changeVmGroupInfo / addVms / removeVms: listInstances per zone so the returned VM list is the cloud's.",
        "- deleteNlb: the aggregated instance-group list also finds groups a failed update left behind, and a",
        "  final backend-service read confirms the NLB is gone. When the backend service is already gone the",
        "  driver still reads every other part by name and deletes the ones it finds, so a half-finished",
        '  delete or a failed rollback is always completed; those reads are what the "already gone" row',
        "  spends above its bound, and it sends no write when nothing is left.",
        "",
    ];
    lines.push(...gkeSection(gkeRows));
    for (const r of [...rows, ...gkeRows]) {
        lines.push(`### ${r.operation}`, "", "```", ...r.calls, "```", "");
    }
    return lines.join("\n");
}

function gkeSection(rows: Row[]): string[] {
    return [
        "## GKE (Kubernetes Engine API v1, container client over REST)",
        "",
        "A zonal cluster (`connection.zone` us-central1-a) unless the row says regional; each pool has one managed",
        "instance group per zone. Every GKE mutation returns an operation polled with `operations.get` until DONE",
        "(the fake keeps it RUNNING for the same number of polls). Reads count the Compute",
        "`instanceGroupManagers` get and `listManagedInstances` behind the pools.",
        "",
        ...table(rows),
        "",
        "Where the driver reads more than the bound:",
        "",
        "- Per managed instance group the driver reads both the group (`targetSize`, the pool's size) and its",
        "  managed instances (the node names), where the bound counts one: the node list is what",
        "  `nodes` reports, the target size what an autoscaler or a resize asked for, and they differ while",
        "  nodes are being added or removed.",
        "- changeClusterTags reads the cluster again after setResourceLabels to return the labels the cloud holds.",
        "- upgradeCluster reads the cluster once more per minor step (and once before the final catch-up) for the",
        "  pools' current versions, so a pool upgraded or added meanwhile is neither upgraded twice nor skipped.",
        "",
        "## Calls per operation (without operation polls)",
        "",
    ];
}

async function main(): Promise<void> {
    const fake = await startGcpFake({ opPolls: OP_POLLS });
    try {
        const driver = gcp.open(fake.connection, { poll: { minDelayMs: 2, maxDelayMs: 20 } });
        const rows = await run(fake, driver);
        const zonal = gcp.open(
            { ...fake.connection, zone: "us-central1-a" },
            { poll: { minDelayMs: 2, maxDelayMs: 20 } },
        );
        const gkeRows = await runGke(fake, driver, zonal);
        writeFileSync(OUT, render(rows, gkeRows));
        for (const r of [...rows, ...gkeRows]) {
            process.stdout.write(
                `${r.operation.padEnd(48)} mutations ${String(r.mutations).padStart(2)}  reads ${String(r.reads).padStart(2)}  polls ${String(r.polls).padStart(2)}\n`,
            );
        }
        process.stdout.write(`wrote ${OUT}\n`);
    } finally {
        await fake.stop();
    }
}

main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
