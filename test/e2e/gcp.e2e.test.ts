/**
 * The end-to-end scenarios on the gcp driver, against the GCP Compute fake (test/support/gcp-fake):
 * the fake runs on 127.0.0.1 for this file only and is stopped by PID afterwards. The gcp driver
 * manages NLBs and GKE clusters (the fake's Kubernetes Engine routes), so describeE2E registers the
 * Cluster/NodeGroup scenarios too; they follow the driver's capabilities (one subnetwork per
 * cluster, machine changes in place, no private endpoint, …). A VM can be
 * in one load-balanced instance group at a time on GCE, so the scenarios give every NLB VMs of its
 * own: the test adds enough instances to the fake. Inventory counts come from the fake; drift goes
 * through the driver (the default out-of-band helpers). Once every stack is destroyed the fake must
 * hold nothing at all: no load-balancing part, cluster, node pool or managed instance group.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { DriverContext } from "../../provider/interface/driver";
import * as gcp from "../../provider/drivers/gcp";
import { GcpFake, startGcpFake } from "../support/gcp-fake/launch";
import { isRunning } from "../support/process";
import { describeE2E } from "./scenarios";

const SCALE = { nlbs: 16, nodeGroups: 5, parallel: 16 };
/** VMs the scenarios take, one set per NLB (see vmAllocator in support.ts), plus the concurrency NLBs. */
const VM_COUNT = 20 + SCALE.nlbs;

describeE2E(
    "gcp on the Compute fake",
    async () => {
        let fake: GcpFake;
        try {
            fake = await startGcpFake({ opPolls: 1 });
        } catch (err) {
            throw new Error(
                `THE GCP FAKE DID NOT START; the gcp end-to-end scenarios cannot run:\n${(err as Error).stack ?? String(err)}`,
            );
        }
        const stop = async () => {
            await fake.stop();
            assert.ok(!isRunning(fake.pid), `the GCP fake (pid ${fake.pid}) is still running after stop()`);
        };
        try {
            // Seeded: vm-1..vm-3 in us-central1-a, vm-4..vm-6 in us-central1-b; add more across zones a, b and c.
            const vms = [
                "us-central1-a/vm-1",
                "us-central1-a/vm-2",
                "us-central1-a/vm-3",
                "us-central1-b/vm-4",
                "us-central1-b/vm-5",
                "us-central1-b/vm-6",
            ];
            for (let i = 0; vms.length < VM_COUNT; i++) {
                const zone = `us-central1-${"abc"[i % 3]}`;
                await fake.addInstance(zone, `e2e-vm-${i}`);
                vms.push(`${zone}/e2e-vm-${i}`);
            }
            // Zonal: a regional GKE cluster sizes node pools per zone over three zones, so every node
            // count of the scenarios would have to be a multiple of 3 (validate.ts). The NLB side
            // ignores the zone.
            const connection = { ...fake.connection, zone: "us-central1-a" };
            const ctx: DriverContext = {
                log: () => undefined,
                poll: { minDelayMs: 5, maxDelayMs: 50 },
                timeouts: { create: 120_000, update: 120_000, delete: 120_000 },
            };
            return {
                connection: { ...connection },
                caps: gcp.capabilities,
                driver: gcp.open(connection, ctx),
                vpc: "default",
                // A GKE cluster takes exactly one subnetwork: the region's `default` one is all there is
                // (no `network`: control-plane network changes replace on GKE, caps.cluster.inPlace.network).
                subnets: ["default"],
                vms,
                vmSpec: "e2-medium",
                vmSpecAlt: "e2-standard-2",
                // The fake's serverConfig offers 1.33, 1.34 and 1.35 (the upgrade stack goes 1.33 → 1.35).
                versions: ["1.34", "1.35"],
                // No altVpc: the fake has one network, so the `vpc` replacement is not exercised on gcp.
                processEnv: { SPIDER_POLL_MIN_MS: "20", SPIDER_POLL_MAX_MS: "200" },
                configSecrets: {
                    // Not used against a plain-http endpoint (the driver sends no Google credentials there), but must never leak.
                    "spider:gcpCredentialsJson": JSON.stringify({
                        type: "service_account",
                        private_key: `FAKE-E2E-SECRET-${crypto.randomBytes(6).toString("hex")}-gcp-key`,
                    }),
                },
                inventory: async () => {
                    // The fake lists clusters and nodePools only while non-zero.
                    const inv = await fake.inventory();
                    return { nlbs: inv.backendServices, clusters: inv.clusters ?? 0, nodeGroups: inv.nodePools ?? 0 };
                },
                injectFault: async op => {
                    assert.equal(op, "createNlb");
                    await fake.failNext({
                        method: "POST",
                        path: /\/backendServices$/,
                        asOperationError: true,
                        reason: "QUOTA_EXCEEDED",
                        message: "injected by the e2e test",
                    });
                },
                scale: SCALE,
                cleanup: async () => {
                    const left = await fake.inventory().catch((err: Error) => ({ unreadable: err.message }));
                    await stop();
                    if (Object.values(left).some(n => n !== 0))
                        throw new Error(
                            `the GCP fake is not empty after every stack was destroyed: ${JSON.stringify(left)}`,
                        );
                },
            };
        } catch (err) {
            await stop();
            throw err;
        }
    },
    gcp.capabilities,
);
