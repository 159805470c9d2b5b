/**
 * The end-to-end scenarios, driven through the real Pulumi CLI against any driver: each driver's
 * `<driver>.e2e.test.ts` calls `describeE2E(label, getEnv)` with its backing cloud.
 *
 * One file per stack, each a list of steps written as data (the change to the program, the
 * expected step ops, the checks on state and the cloud) run in order by `runSteps`
 * (support.ts): lifecycle.stack.ts, invalid.stack.ts, adopt.stack.ts, upgrade.stack.ts,
 * concurrency.stack.ts. Steps of one stack share it (each pulumi command costs seconds); once a
 * step fails, the rest of its stack fail at once, naming it.
 */
import assert from "node:assert/strict";
import type { Capabilities } from "../../provider/interface/driver";
import { checkInstalledPackage, commandSummary, findPulumi, PulumiProject } from "../support/pulumi";
import { adoptStack } from "./adopt.stack";
import { concurrencyStack } from "./concurrency.stack";
import type { E2EEnv } from "./env";
import { invalidStack } from "./invalid.stack";
import { lifecycleStack } from "./lifecycle.stack";
import { E2E, newProject, vmAllocator } from "./support";
import { upgradeStack } from "./upgrade.stack";

/**
 * `caps`: the driver's capabilities, known when the tests are registered (mocha registers before
 * the env exists). Cluster and NodeGroup scenarios are registered only where `caps.cluster.supported`
 * (default: supported), so a driver without clusters runs the NLB scenarios and reports no skips.
 */
export function describeE2E(label: string, getEnv: () => Promise<E2EEnv>, caps?: Capabilities): void {
    const k8s = caps?.cluster.supported ?? true;
    describe(`end to end through the Pulumi CLI (${label})`, function () {
        this.timeout(20 * 60_000);
        let env: E2EEnv | undefined;
        const projects: PulumiProject[] = [];
        let started = Date.now();
        const e2e: E2E = {
            label,
            k8s,
            get env(): E2EEnv {
                assert.ok(env, "the e2e env is set up in the suite's before hook");
                return env;
            },
            project: async (name: string) => {
                const p = await newProject(e2e.env, name);
                projects.push(p);
                return p;
            },
            vm: vmAllocator(() => e2e.env),
        };

        before(async function () {
            this.timeout(30 * 60_000);
            started = Date.now();
            // Fails the whole suite loudly, with the reason, when the CLI or the installed package is missing.
            findPulumi();
            checkInstalledPackage();
            env = await getEnv();
            assert.ok(env.vms.length >= 5, "the env must supply at least five VMs");
            // Clusters take `subnets.slice(0, 2)` and the in-place network step keeps `subnets[1]`. Where
            // the control-plane network does not change in place (GKE: a cluster takes exactly one
            // subnetwork, a change replaces it), one subnet is all the scenarios need.
            const subnets = env.caps.cluster.inPlace.network ? 3 : 1;
            if (k8s) assert.ok(env.subnets.length >= subnets, `the env must supply at least ${subnets} subnet(s)`);
            assert.equal(
                env.caps.cluster.supported,
                k8s,
                "describeE2E was registered with the capabilities of the env's driver",
            );
        });

        after(async function () {
            this.timeout(10 * 60_000);
            for (const p of projects) {
                try {
                    await p.cleanup();
                } catch (err) {
                    process.stderr.write(`e2e cleanup of ${p.root} failed: ${(err as Error).message}\n`);
                }
            }
            await env?.cleanup?.();
            console.log(`      [e2e ${label}] ${((Date.now() - started) / 1000).toFixed(1)}s; ${commandSummary()}`);
        });

        lifecycleStack(e2e);
        invalidStack(e2e);
        adoptStack(e2e);
        if (k8s) upgradeStack(e2e);
        concurrencyStack(e2e);
    });
}

export type { E2EEnv, E2EInventory, ObjectRef, OutOfBand } from "./env";
