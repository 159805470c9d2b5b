/**
 * `pulumi up` then `pulumi destroy` of an AWS (two NLBs), a GCP NLB and a GKE program (test/faults/programs) while
 * 20 % of the cloud API requests fail: the fault proxy answers them with throttling (400/403 and
 * 429), 500, 503 or a connection reset, and delays another 10 % by 50–300 ms. For GCP, a sixth
 * kind of failure is a response lost after the fake applied the request (connection reset after
 * forwarding): the retried mutation carries the same requestId, so it must not act twice. On top, one
 * non-retryable failure is armed in the emulator itself (moto's fault hook: CreateListener;
 * the GCP fake's failNext: the forwarding-rule insert ends as a failed operation), so the first
 * `up` always fails part-way and must roll back through the faulty proxy.
 *
 * What must hold:
 * - `up` converges within MAX_UPS runs (a failed run is simply run again), and `destroy`
 *   within MAX_DESTROYS;
 * - every API call is retried a bounded number of times (attempts counted at the proxy: at most
 *   the SDK's / driver's 5 attempts per call);
 * - afterwards the emulator holds nothing of ours: moto has no load balancer, target group or
 *   listener; the GCP fake's inventory is all zero.
 *
 * The GKE block (a regional Cluster with an inline pool plus a NodeGroup) arms a createNodePool that
 * ends as a failed operation, then, once converged, changes version, machine type and sizes in place
 * under the same faults. GKE takes no requestId, so a lost response meets the call's own work on retry.
 */
import * as assert from "assert";
import * as path from "path";
import { startHarness as startAwsHarness, AwsHarness } from "../drivers/aws/harness";
import { FAKE_AWS_ENV, REGION } from "../support/moto/fixtures";
import { startGcpFake, GcpFake } from "../support/gcp-fake/launch";
import { FaultProxy, startFaultProxy } from "../support/faultProxy";
import { PulumiWorkspace, RunResult, tail } from "./cli";

const PROGRAMS = path.join(__dirname, "programs");
const FAILURE_RATIO = 0.2;
const MAX_UPS = 4;
const MAX_DESTROYS = 3;
/** AWS SDK v3 standard mode (provider/drivers/aws/clients.ts SDK_MAX_ATTEMPTS) and the gcp driver's withRetries. */
const MAX_ATTEMPTS_PER_CALL = 5;
/** Every kind the fault proxy injects for GCP, lost responses included. */
const ALL_KINDS = ["throttle", "throttle429", "error500", "error503", "reset", "resetAfterForward"];
/**
 * Seed of the GKE block's proxy (`GKE_SEED` to try others): with 7 the lost responses include a
 * createNodePool (its retry meets ALREADY_EXISTS for its own pool) and an updateNodePool (its retry
 * meets its own running operation), besides reads.
 */
const GKE_SEED = Number(process.env.GKE_SEED ?? 7);

interface Converged {
    runs: RunResult[];
}

/**
 * Runs `op` until it succeeds, at most `max` times. Each run is a new client run for the proxy's
 * attempt count: a call a run gave up on after its bounded attempts is sent afresh by the next run.
 */
async function converge(
    what: string,
    max: number,
    op: () => Promise<RunResult>,
    proxy?: FaultProxy,
): Promise<Converged> {
    const runs: RunResult[] = [];
    for (let i = 0; i < max; i++) {
        proxy?.newRun();
        const res = await op();
        runs.push(res);
        if (res.code === 0) return { runs };
    }
    throw new Error(`${what} did not converge in ${max} runs; last output:\n${tail(runs[runs.length - 1].output, 80)}`);
}

/** The proxy injected every kind of failure asked for, kept within its request budget, and no call passed the bound. */
function assertFaultsBounded(
    proxy: FaultProxy,
    kinds: readonly string[],
    worst: { count: number; what: string; trail: string },
): void {
    const s = proxy.stats();
    assert.deepStrictEqual(
        kinds.filter(k => !s.byKind[k]),
        [],
        `every kind of failure must have been injected: ${JSON.stringify(s.byKind)}`,
    );
    assert.ok(!s.exhausted, "the proxy's request budget must not run out");
    assert.ok(
        worst.count <= MAX_ATTEMPTS_PER_CALL,
        `an API call ${worst.what} ${worst.count} times (bound ${MAX_ATTEMPTS_PER_CALL}): ${worst.trail}`,
    );
}

function summarize(
    label: string,
    proxy: FaultProxy,
    ups: Converged,
    destroys: Converged,
): { maxAttempts: number; maxFailures: number; report: string; trail: string } {
    const s = proxy.stats();
    const calls = proxy.attemptsPerCall();
    const maxAttempts = Math.max(0, ...calls.map(c => c.attempts));
    const most = calls.find(c => c.attempts === maxAttempts);
    const maxFailures = Math.max(0, ...calls.map(c => c.failures));
    const retried = calls.filter(c => c.attempts > 1).length;
    const gaveUp = calls.filter(c => !c.succeeded).length;
    const report =
        `${label}: ${s.requests} requests, ${s.failed} failed (${Object.entries(s.byKind)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}), ` +
        `${s.delayed} delayed; ${calls.length} calls, ${retried} retried, max ${maxAttempts} attempts/call (${most?.key ?? "none"}), ${gaveUp} gave up; ` +
        `up runs ${ups.runs.length} (exit ${ups.runs.map(r => `${r.code} in ${(r.ms / 1000).toFixed(1)} s`).join(", ")}), destroy runs ${destroys.runs.length} (${destroys.runs.map(r => `${(r.ms / 1000).toFixed(1)} s`).join(", ")})`;
    // The requests behind the call with the most attempts, for a failure message that shows them.
    const trail = proxy
        .log()
        .filter(e => most !== undefined && `${e.method} ${e.url}` === most.key)
        .map(e => `#${e.seq} ${e.outcome} ${e.status}`)
        .join(", ");
    return { maxAttempts, maxFailures, report, trail };
}

describe("faults: 20% of cloud API calls fail", function () {
    this.timeout(600_000);

    describe("AWS (moto behind the fault proxy)", () => {
        let aws: AwsHarness;
        let proxy: FaultProxy;
        let ws: PulumiWorkspace;
        let passed = false;

        before(async () => {
            aws = await startAwsHarness({ polls: 1, vmCount: 3 });
            proxy = await startFaultProxy({
                target: aws.moto.endpoint,
                style: "aws",
                failureRatio: FAILURE_RATIO,
                seed: 1, // its first 50 draws hold every kind
                latencyRatio: 0.1,
                latencyMs: { min: 50, max: 300 },
                maxRequests: 5_000,
                maxLifetimeMs: 10 * 60_000,
            });
            ws = PulumiWorkspace.create(path.join(PROGRAMS, "aws-nlb"), "faults-aws", FAKE_AWS_ENV);
            ws.writeJson("spec.json", { endpoint: proxy.endpoint, region: REGION, vpc: aws.vpc, vms: aws.vms });
            await ws.initStack("faults");
        });

        after(async () => {
            await proxy?.stop();
            await aws?.stop();
            if (ws && passed) ws.remove();
        });

        it("up and destroy converge, retries stay bounded and moto is left empty", async () => {
            // A non-retryable failure in the middle of the first create: it must roll back cleanly.
            await aws.moto.injectFault({
                service: "elasticloadbalancing",
                action: "CreateListener",
                count: 1,
                status: 400,
                code: "TooManyListeners",
                message: "injected by test/faults",
            });
            const ups = await converge("pulumi up", MAX_UPS, () => ws.up("faults", [], { check: false }), proxy);
            assert.ok(
                ups.runs.some(r => r.code !== 0 && /TooManyListeners/.test(r.output)),
                "an up must have failed on the injected CreateListener fault",
            );

            const lbs = await aws.inventory();
            assert.strictEqual(lbs.nlbs, 2, `expected exactly two load balancers after up, got ${JSON.stringify(lbs)}`);
            const noChanges = await ws.preview("faults", ["--expect-no-changes"], { check: false });
            assert.strictEqual(
                noChanges.code,
                0,
                `a converged stack previews no changes:\n${tail(noChanges.output, 40)}`,
            );

            const destroys = await converge(
                "pulumi destroy",
                MAX_DESTROYS,
                () => ws.destroy("faults", [], { check: false }),
                proxy,
            );
            const { maxAttempts, report, trail } = summarize("aws", proxy, ups, destroys);
            console.log(`      ${report}`);

            assert.deepStrictEqual(
                await aws.inventory(),
                { nlbs: 0, clusters: 0, other: 0 },
                "moto must hold no load balancer, target group, listener or cluster of ours",
            );
            assertFaultsBounded(proxy, ["throttle", "throttle429", "error500", "error503", "reset"], {
                count: maxAttempts,
                what: "was attempted",
                trail,
            });
            passed = true;
        });
    });

    describe("GCP (the Compute fake behind the fault proxy)", () => {
        let fake: GcpFake;
        let proxy: FaultProxy;
        let ws: PulumiWorkspace;
        let passed = false;

        before(async () => {
            fake = await startGcpFake({ opPolls: 1 });
            proxy = await startFaultProxy({
                target: fake.endpoint,
                style: "gcp",
                failureRatio: FAILURE_RATIO,
                seed: 20261,
                // GCP also loses responses after the fake acted: the driver's requestId makes the retried mutation
                // the same operation. (Not for moto: it is not idempotent where ELBv2 is, so it would keep duplicates.)
                faults: { resetAfterForward: 1 },
                latencyRatio: 0.1,
                latencyMs: { min: 50, max: 300 },
                maxRequests: 5_000,
                maxLifetimeMs: 10 * 60_000,
            });
            ws = PulumiWorkspace.create(path.join(PROGRAMS, "gcp-nlb"), "faults-gcp");
            ws.writeJson("spec.json", {
                endpoint: proxy.endpoint,
                project: fake.project,
                region: fake.region,
                vms: ["us-central1-a/vm-1", "us-central1-b/vm-4", "us-central1-a/vm-2"],
            });
            await ws.initStack("faults");
        });

        after(async () => {
            await proxy?.stop();
            await fake?.stop();
            if (ws && passed) ws.remove();
        });

        it("up and destroy converge, retries stay bounded and the fake is left empty", async () => {
            // GCE reports some failures only in the finished operation (HTTP 200, DONE, error).
            await fake.failNext({
                method: "POST",
                path: /\/forwardingRules$/,
                asOperationError: true,
                reason: "QUOTA_EXCEEDED",
                message: "injected by test/faults",
                times: 1,
            });
            const ups = await converge("pulumi up", MAX_UPS, () => ws.up("faults", [], { check: false }), proxy);
            assert.ok(
                ups.runs.some(r => r.code !== 0 && /QUOTA_EXCEEDED/.test(r.output)),
                "an up must have failed on the injected forwarding-rule operation error",
            );

            const inv = await fake.inventory();
            assert.strictEqual(
                inv.backendServices,
                1,
                `expected one backend service after up, got ${JSON.stringify(inv)}`,
            );
            assert.strictEqual(
                inv.forwardingRules,
                1,
                `expected one forwarding rule after up, got ${JSON.stringify(inv)}`,
            );
            const noChanges = await ws.preview("faults", ["--expect-no-changes"], { check: false });
            assert.strictEqual(
                noChanges.code,
                0,
                `a converged stack previews no changes:\n${tail(noChanges.output, 40)}`,
            );

            const destroys = await converge(
                "pulumi destroy",
                MAX_DESTROYS,
                () => ws.destroy("faults", [], { check: false }),
                proxy,
            );
            const { maxAttempts, report, trail } = summarize("gcp", proxy, ups, destroys);
            console.log(`      ${report}`);

            assert.deepStrictEqual(
                await fake.inventory(),
                { forwardingRules: 0, backendServices: 0, healthChecks: 0, addresses: 0, instanceGroups: 0 },
                "the fake must hold no load-balancing resource of ours",
            );
            assertFaultsBounded(proxy, ALL_KINDS, { count: maxAttempts, what: "was attempted", trail });
            passed = true;
        });
    });

    describe("GCP GKE (the fake's container v1 API behind the fault proxy)", () => {
        let fake: GcpFake;
        let proxy: FaultProxy;
        let ws: PulumiWorkspace;
        let passed = false;

        before(async () => {
            fake = await startGcpFake({ opPolls: 1 });
            proxy = await startFaultProxy({
                target: fake.endpoint,
                style: "gcp",
                failureRatio: FAILURE_RATIO,
                seed: GKE_SEED,
                // Lost responses after the fake acted: GKE has no requestId, so a retried create meets its own
                // cluster or pool (ALREADY_EXISTS) and a retried delete or update meets its own operation.
                faults: { resetAfterForward: 1 },
                latencyRatio: 0.1,
                latencyMs: { min: 50, max: 300 },
                maxRequests: 5_000,
                maxLifetimeMs: 10 * 60_000,
            });
            // Short waits: the fake's operations are done after one poll.
            ws = PulumiWorkspace.create(path.join(PROGRAMS, "gcp-gke"), "faults-gke", {
                SPIDER_POLL_MIN_MS: "20",
                SPIDER_POLL_MAX_MS: "200",
            });
            spec = { endpoint: proxy.endpoint, project: fake.project, region: fake.region };
            ws.writeJson("spec.json", spec);
            await ws.initStack("faults");
        });

        after(async () => {
            await proxy?.stop();
            await fake?.stop();
            if (ws && passed) ws.remove();
        });

        let spec: Record<string, string> = {};

        async function expectNoChanges(): Promise<void> {
            const noChanges = await ws.preview("faults", ["--expect-no-changes"], { check: false });
            assert.strictEqual(
                noChanges.code,
                0,
                `a converged stack previews no changes:\n${tail(noChanges.output, 40)}`,
            );
        }

        /** The one cluster as the fake holds it (read directly, not through the proxy). */
        async function fakeCluster(): Promise<{
            version: string;
            pools: Array<{ version: string; machineType: string }>;
        }> {
            const res = await fetch(`${fake.endpoint}/v1/projects/${fake.project}/locations/${fake.region}/clusters`);
            assert.ok(res.ok, `listing the fake's clusters: HTTP ${res.status}`);
            const body = (await res.json()) as {
                clusters?: Array<{
                    currentMasterVersion: string;
                    nodePools?: Array<{ version: string; config: { machineType: string } }>;
                }>;
            };
            assert.strictEqual(body.clusters?.length, 1, "one cluster");
            const [c] = body.clusters!;
            return {
                version: c.currentMasterVersion,
                pools: (c.nodePools ?? []).map(p => ({ version: p.version, machineType: p.config.machineType })),
            };
        }

        async function gkeInventory(): Promise<{ clusters: number; nodePools: number; instanceGroupManagers: number }> {
            const inv = await fake.inventory();
            return {
                clusters: inv.clusters ?? 0,
                nodePools: inv.nodePools ?? 0,
                instanceGroupManagers: inv.instanceGroupManagers ?? 0,
            };
        }

        it("up and destroy converge, retries stay bounded and the fake holds no cluster, pool or MIG", async () => {
            // GKE reports some failures only in the finished operation (DONE with `error`): the standalone
            // pool's create fails that way once, so the first up fails part-way and rolls back its undo.
            await fake.failNext({
                method: "POST",
                path: /\/clusters\/[^/]+\/nodePools$/,
                asOperationError: true,
                reason: "QUOTA_EXCEEDED",
                message: "injected by test/faults",
                times: 1,
            });
            const ups = await converge("pulumi up", MAX_UPS, () => ws.up("faults", [], { check: false }), proxy);
            assert.ok(
                ups.runs.some(r => r.code !== 0 && /injected by test\/faults/.test(r.output)),
                "an up must have failed on the injected node-pool operation error",
            );

            // A regional cluster: two pools over three zones, one managed instance group per pool and zone.
            assert.deepStrictEqual(
                await gkeInventory(),
                { clusters: 1, nodePools: 2, instanceGroupManagers: 6 },
                "exactly one cluster with its inline pool and the standalone pool after up",
            );
            await expectNoChanges();

            // In place under the same faults: upgrade 1.34→1.35 (control plane, then both pools), a new machine
            // type (nodes recreated) and scaling — the calls whose lost responses meet the call's own operation.
            ws.writeJson("spec.json", {
                ...spec,
                version: "1.35",
                machineType: "e2-standard-2",
                desired: 6,
                workerDesired: 6,
            });
            const changes = await converge(
                "pulumi up (changes)",
                MAX_UPS,
                () => ws.up("faults", [], { check: false }),
                proxy,
            );
            const c = await fakeCluster();
            assert.match(c.version, /^1\.35\./, "the control plane was upgraded");
            assert.deepStrictEqual(
                c.pools.map(p => [p.version.replace(/^(\d+\.\d+)\..*/, "$1"), p.machineType]),
                [
                    ["1.35", "e2-standard-2"],
                    ["1.35", "e2-standard-2"],
                ],
                `both pools upgraded and on the new machine type: ${JSON.stringify(c.pools)}`,
            );
            assert.deepStrictEqual(
                await gkeInventory(),
                { clusters: 1, nodePools: 2, instanceGroupManagers: 6 },
                "the changes kept the cluster and its pools",
            );
            await expectNoChanges();

            const destroys = await converge(
                "pulumi destroy",
                MAX_DESTROYS,
                () => ws.destroy("faults", [], { check: false }),
                proxy,
            );
            const allUps = { runs: [...ups.runs, ...changes.runs] };
            const { maxFailures, report, trail } = summarize("gcp-gke", proxy, allUps, destroys);
            const lost = proxy
                .log()
                .filter(e => e.outcome === "resetAfterForward")
                .map(e => `${e.method} ${e.url.split("?")[0].replace(/^.*\/locations\/[^/]+\//, "")}`);
            console.log(`      ${report}`);
            console.log(
                `      gcp-gke: up runs ${ups.runs.length} + ${changes.runs.length} for the changes; responses lost after the fake acted: ${lost.join(", ") || "none"}`,
            );

            assert.deepStrictEqual(
                await gkeInventory(),
                { clusters: 0, nodePools: 0, instanceGroupManagers: 0 },
                "the fake must hold no cluster, node pool or managed instance group of ours",
            );
            // GCP requests carry no invocation id, so a call that gave up after its 5 failed attempts and
            // the next call to the same URL (the read of what the failed update left) group as one: the
            // bound that tells them apart is on the failures one call met in a row, at most 5.
            assertFaultsBounded(proxy, ALL_KINDS, { count: maxFailures, what: "met failures in a row", trail });
            passed = true;
        });
    });
});
