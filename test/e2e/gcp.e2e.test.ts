/**
 * The end-to-end scenarios on the gcp driver, against the GCP Compute fake (test/support/gcp-fake):
 * the fake runs on 127.0.0.1 for this file only and is stopped by PID afterwards. The gcp driver
 * manages NLBs only, so describeE2E registers no Cluster/NodeGroup scenario for it. A VM can be
 * in one load-balanced instance group at a time on GCE, so the scenarios give every NLB VMs of its
 * own: the test adds enough instances to the fake. Inventory counts come from the fake; drift goes
 * through the driver (the default out-of-band helpers).
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { DriverContext } from "../../provider/interface/driver";
import * as gcp from "../../provider/drivers/gcp";
import { GcpFake, startGcpFake } from "../support/gcp-fake/launch";
import { isRunning } from "../support/process";
import { describeE2E } from "./scenarios";

const SCALE = { nlbs: 16, nodeGroups: 0, parallel: 16 };
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
            const connection = fake.connection;
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
                // Unused: the gcp driver has no clusters.
                subnets: ["default"],
                vms,
                vmSpec: "e2-small",
                vmSpecAlt: "e2-medium",
                versions: ["1.29", "1.30"],
                // No altVpc: the fake has one network, so the `vpc` replacement is not exercised on gcp.
                processEnv: { SPIDER_POLL_MIN_MS: "20", SPIDER_POLL_MAX_MS: "200" },
                configSecrets: {
                    // Not used against a plain-http endpoint (the driver sends no Google credentials there), but must never leak.
                    "spider:gcpCredentialsJson": JSON.stringify({
                        type: "service_account",
                        private_key: `FAKE-E2E-SECRET-${crypto.randomBytes(6).toString("hex")}-gcp-key`,
                    }),
                },
                inventory: async () => ({ nlbs: (await fake.inventory()).backendServices, clusters: 0 }),
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
                cleanup: stop,
            };
        } catch (err) {
            await stop();
            throw err;
        }
    },
    gcp.capabilities,
);
