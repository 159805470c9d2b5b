import assert from "node:assert/strict";
import * as compute from "@google-cloud/compute";
import { fakeClientOptions, GcpFake, startGcpFake } from "../../support/gcp-fake/launch";

/*
 * The fake is only worth something where it behaves like Compute Engine. These scenarios drive it
 * with the real @google-cloud/compute client (REST transport) and pin the behaviour the gcp driver
 * depends on.
 */

type Op = compute.protos.google.cloud.compute.v1.IOperation;

interface RawError {
    code: number;
    message: string;
}

async function httpError(run: () => Promise<unknown>): Promise<{ status: number; reason: string; message: string }> {
    try {
        await run();
    } catch (err) {
        const e = err as RawError;
        const body = JSON.parse(e.message) as {
            error: { code: number; message: string; errors: Array<{ reason: string }> };
        };
        assert.equal(body.error.code, e.code, "Google's body repeats the HTTP status");
        return { status: e.code, reason: body.error.errors[0].reason, message: body.error.message };
    }
    return assert.fail("expected an HTTP error");
}

describe("gcp fake: a stateful Compute REST double for the real client", function () {
    let fake: GcpFake;
    const P = { project: "spider-test", region: "us-central1" };
    let hcs: compute.RegionHealthChecksClient;
    let bss: compute.RegionBackendServicesClient;
    let frs: compute.ForwardingRulesClient;
    let addrs: compute.AddressesClient;
    let igs: compute.InstanceGroupsClient;
    let rops: compute.RegionOperationsClient;
    let zops: compute.ZoneOperationsClient;

    before(async function () {
        fake = await startGcpFake({ opPolls: 2 });
        const opts = () => fakeClientOptions(fake.port);
        hcs = new compute.RegionHealthChecksClient(opts());
        bss = new compute.RegionBackendServicesClient(opts());
        frs = new compute.ForwardingRulesClient(opts());
        addrs = new compute.AddressesClient(opts());
        igs = new compute.InstanceGroupsClient(opts());
        rops = new compute.RegionOperationsClient(opts());
        zops = new compute.ZoneOperationsClient(opts());
    });

    after(async function () {
        await fake?.stop();
    });

    beforeEach(async function () {
        await fake.reset();
    });

    async function done(lro: unknown): Promise<Op> {
        let op = (lro as { latestResponse: Op }).latestResponse;
        for (let i = 0; i < 10 && op.status !== "DONE"; i++) {
            const zone = op.zone ? op.zone.slice(op.zone.lastIndexOf("/") + 1) : undefined;
            [op] = zone
                ? await zops.wait({ project: P.project, zone, operation: op.name ?? "" })
                : await rops.wait({ ...P, operation: op.name ?? "" });
        }
        return op;
    }

    async function ok(lro: unknown): Promise<Op> {
        const op = await done(lro);
        assert.equal(op.status, "DONE");
        assert.equal(op.error ?? undefined, undefined, `operation failed: ${JSON.stringify(op.error)}`);
        return op;
    }

    async function healthCheck(name: string): Promise<void> {
        const [lro] = await hcs.insert({
            ...P,
            healthCheckResource: { name, type: "TCP", tcpHealthCheck: { port: 80 } },
        });
        await ok(lro);
    }

    async function group(zone: string, name: string, vms: string[]): Promise<string> {
        const [lro] = await igs.insert({
            project: P.project,
            zone,
            instanceGroupResource: { name, network: "global/networks/default" },
        });
        await ok(lro);
        if (vms.length > 0) {
            const [add] = await igs.addInstances({
                project: P.project,
                zone,
                instanceGroup: name,
                instanceGroupsAddInstancesRequestResource: {
                    instances: vms.map(v => ({ instance: `zones/${zone}/instances/${v}` })),
                },
            });
            await ok(add);
        }
        return `projects/${P.project}/zones/${zone}/instanceGroups/${name}`;
    }

    async function backendService(name: string, groups: string[], hc = "hc"): Promise<void> {
        const [lro] = await bss.insert({
            ...P,
            backendServiceResource: {
                name,
                loadBalancingScheme: "EXTERNAL",
                protocol: "TCP",
                healthChecks: [`regions/us-central1/healthChecks/${hc}`],
                backends: groups.map(group => ({ group, balancingMode: "CONNECTION" })),
            },
        });
        await ok(lro);
    }

    it("runs as its own process on 127.0.0.1 with a PID, serving the seeded project", async function () {
        assert.match(fake.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.notEqual(fake.pid, process.pid);
        assert.doesNotThrow(() => process.kill(fake.pid, 0), "the fake's process is alive");
        assert.equal(fake.project, "spider-test");
        const inst = new compute.InstancesClient(fakeClientOptions(fake.port));
        const names: string[] = [];
        for await (const [zone, scoped] of inst.aggregatedListAsync({ project: P.project }, { autoPaginate: false })) {
            for (const i of scoped.instances ?? []) names.push(`${zone.replace("zones/", "")}/${i.name}`);
        }
        assert.deepEqual(names.sort(), [
            "europe-west1-b/vm-eu",
            "us-central1-a/dup",
            "us-central1-a/vm-1",
            "us-central1-a/vm-2",
            "us-central1-a/vm-3",
            "us-central1-b/dup",
            "us-central1-b/vm-4",
            "us-central1-b/vm-5",
            "us-central1-b/vm-6",
        ]);
    });

    it("keeps an operation RUNNING for opPolls polls and applies the change only when it is DONE", async function () {
        const [lro] = await hcs.insert({
            ...P,
            healthCheckResource: { name: "slow", type: "TCP", tcpHealthCheck: { port: 80 } },
        });
        const first = (lro as unknown as { latestResponse: Op }).latestResponse;
        assert.equal(first.status, "RUNNING");
        assert.match(
            first.selfLink ?? "",
            /\/compute\/v1\/projects\/spider-test\/regions\/us-central1\/operations\/operation-/,
        );
        assert.match(
            first.targetLink ?? "",
            /^https:\/\/www\.googleapis\.com\/compute\/v1\/projects\/spider-test\/regions\/us-central1\/healthChecks\/slow$/,
        );
        assert.equal(
            (await httpError(() => hcs.get({ ...P, healthCheck: "slow" }))).reason,
            "notFound",
            "not there while RUNNING",
        );
        const statuses: string[] = [];
        for (let i = 0; i < 3; i++)
            statuses.push(String((await rops.get({ ...P, operation: first.name ?? "" }))[0].status));
        assert.deepEqual(statuses, ["RUNNING", "RUNNING", "DONE"]);
        const [hc] = await hcs.get({ ...P, healthCheck: "slow" });
        assert.equal(hc.selfLink, first.targetLink);
        assert.equal(String(hc.id), String(first.targetId));
    });

    it("answers with Google's error body and reasons: notFound, alreadyExists, invalid, required", async function () {
        assert.deepEqual(await httpError(() => hcs.get({ ...P, healthCheck: "missing" })), {
            status: 404,
            reason: "notFound",
            message: "The resource 'projects/spider-test/regions/us-central1/healthChecks/missing' was not found",
        });
        await healthCheck("hc");
        const dup = await httpError(() =>
            hcs.insert({ ...P, healthCheckResource: { name: "hc", type: "TCP", tcpHealthCheck: { port: 80 } } }),
        );
        assert.deepEqual([dup.status, dup.reason], [409, "alreadyExists"]);
        const bad = await httpError(() =>
            hcs.insert({ ...P, healthCheckResource: { name: "Bad_Name", type: "TCP", tcpHealthCheck: {} } }),
        );
        assert.deepEqual([bad.status, bad.reason], [400, "invalid"]);
        const req = await httpError(() =>
            hcs.insert({ ...P, healthCheckResource: { type: "TCP", tcpHealthCheck: {} } }),
        );
        assert.deepEqual([req.status, req.reason], [400, "required"]);
    });

    it("refuses a health check whose timeout exceeds its interval", async function () {
        const e = await httpError(() =>
            hcs.insert({
                ...P,
                healthCheckResource: {
                    name: "to",
                    type: "HTTP",
                    httpHealthCheck: { port: 80 },
                    checkIntervalSec: 5,
                    timeoutSec: 6,
                },
            }),
        );
        assert.equal(e.reason, "invalid");
        assert.match(e.message, /timeoutSec.*TimeoutSec should be less than checkIntervalSec/);
    });

    it("refuses deletes in the wrong order with resourceInUseByAnotherResource", async function () {
        await healthCheck("hc");
        const g = await group("us-central1-a", "ig-a", ["vm-1"]);
        await backendService("bs", [g]);
        const [lro] = await addrs.insert({ ...P, addressResource: { name: "ip" } });
        await ok(lro);
        const [ip] = await addrs.get({ ...P, address: "ip" });
        const [fr] = await frs.insert({
            ...P,
            forwardingRuleResource: {
                name: "fr",
                IPAddress: ip.address,
                IPProtocol: "TCP",
                ports: ["80"],
                loadBalancingScheme: "EXTERNAL",
                backendService: "regions/us-central1/backendServices/bs",
            },
        });
        await ok(fr);
        assert.equal((await addrs.get({ ...P, address: "ip" }))[0].status, "IN_USE");
        for (const [what, run] of [
            ["health check", () => hcs.delete({ ...P, healthCheck: "hc" })],
            ["instance group", () => igs.delete({ project: P.project, zone: "us-central1-a", instanceGroup: "ig-a" })],
            ["backend service", () => bss.delete({ ...P, backendService: "bs" })],
            ["address", () => addrs.delete({ ...P, address: "ip" })],
        ] as Array<[string, () => Promise<unknown>]>) {
            const e = await httpError(run);
            assert.equal(e.reason, "resourceInUseByAnotherResource", what);
            assert.match(e.message, /is already being used by/, what);
        }
        await ok((await frs.delete({ ...P, forwardingRule: "fr" }))[0]);
        assert.equal((await addrs.get({ ...P, address: "ip" }))[0].status, "RESERVED");
    });

    it("refuses a second forwarding rule on the same IP, protocol and port", async function () {
        await healthCheck("hc");
        await backendService("bs", []);
        await backendService("bs2", []);
        await ok((await addrs.insert({ ...P, addressResource: { name: "ip" } }))[0]);
        const [ip] = await addrs.get({ ...P, address: "ip" });
        const rule = (name: string, bs: string, port: string) => ({
            ...P,
            forwardingRuleResource: {
                name,
                IPAddress: ip.address,
                IPProtocol: "TCP",
                ports: [port],
                loadBalancingScheme: "EXTERNAL",
                backendService: `regions/us-central1/backendServices/${bs}`,
            },
        });
        await ok((await frs.insert(rule("fr1", "bs", "80")))[0]);
        const e = await httpError(() => frs.insert(rule("fr2", "bs2", "80")));
        assert.equal(e.reason, "invalid");
        assert.match(e.message, /IP address is in-use and would result in a conflict/);
        await ok((await frs.insert(rule("fr3", "bs2", "443")))[0]);
    });

    it("checks instance group members: existing, same zone, and in one load-balanced group only", async function () {
        const zone = "us-central1-a";
        await ok(
            (
                await igs.insert({
                    project: P.project,
                    zone,
                    instanceGroupResource: { name: "ig", network: "global/networks/default" },
                })
            )[0],
        );
        const add = (vm: string) =>
            igs.addInstances({
                project: P.project,
                zone,
                instanceGroup: "ig",
                instanceGroupsAddInstancesRequestResource: { instances: [{ instance: vm }] },
            });
        assert.equal((await httpError(() => add("zones/us-central1-a/instances/ghost"))).reason, "notFound");
        assert.equal((await httpError(() => add("zones/us-central1-b/instances/vm-4"))).reason, "invalid");
        assert.equal((await httpError(() => add("zones/europe-west1-b/instances/vm-eu"))).reason, "invalid");
        await ok((await add("zones/us-central1-a/instances/vm-1"))[0]);
        assert.equal((await httpError(() => add("zones/us-central1-a/instances/vm-1"))).reason, "memberAlreadyExists");
        await healthCheck("hc");
        await backendService("bs", [`projects/spider-test/zones/${zone}/instanceGroups/ig`]);
        const other = await group(zone, "ig2", ["vm-1"]);
        const e = await httpError(() => backendService("bs2", [other]));
        assert.equal(e.reason, "instanceInMultipleLoadBalancedIgs");
    });

    it("needs the current fingerprint to update a backend service and labelFingerprint to set labels", async function () {
        await healthCheck("hc");
        await backendService("bs", []);
        const [bs] = await bss.get({ ...P, backendService: "bs" });
        const stale = {
            ...P,
            backendService: "bs",
            backendServiceResource: {
                name: "bs",
                loadBalancingScheme: "EXTERNAL",
                protocol: "UDP",
                healthChecks: bs.healthChecks,
                fingerprint: "stale",
            },
        };
        assert.deepEqual([(await httpError(() => bss.update(stale))).status], [412]);
        await ok(
            (
                await bss.update({
                    ...stale,
                    backendServiceResource: { ...stale.backendServiceResource, fingerprint: bs.fingerprint },
                })
            )[0],
        );
        assert.equal((await bss.get({ ...P, backendService: "bs" }))[0].protocol, "UDP");
        await ok((await addrs.insert({ ...P, addressResource: { name: "ip" } }))[0]);
        const e = await httpError(() =>
            addrs.setLabels({
                ...P,
                resource: "ip",
                regionSetLabelsRequestResource: { labels: { a: "b" }, labelFingerprint: "nope" },
            }),
        );
        assert.equal(e.reason, "conditionNotMet");
    });

    it("fails the next matching request on demand: as an HTTP error or as an operation DONE with error", async function () {
        await fake.failNext({ method: "GET", path: "/healthChecks/x", status: 503, reason: "backendError", times: 2 });
        for (let i = 0; i < 2; i++)
            assert.equal((await httpError(() => hcs.get({ ...P, healthCheck: "x" }))).status, 503);
        assert.equal((await httpError(() => hcs.get({ ...P, healthCheck: "x" }))).status, 404, "the rule is used up");

        await fake.failNext({
            method: "POST",
            path: /\/healthChecks$/,
            asOperationError: true,
            reason: "QUOTA_EXCEEDED",
            message: "no quota",
        });
        const [lro] = await hcs.insert({
            ...P,
            healthCheckResource: { name: "q", type: "TCP", tcpHealthCheck: { port: 80 } },
        });
        const op = await done(lro);
        assert.equal(op.status, "DONE");
        assert.deepEqual(
            op.error?.errors?.map(e => [e.code, e.message]),
            [["QUOTA_EXCEEDED", "no quota"]],
        );
        assert.equal(op.httpErrorStatusCode, 400);
        assert.equal(
            (await httpError(() => hcs.get({ ...P, healthCheck: "q" }))).reason,
            "notFound",
            "a failed operation applies nothing",
        );
    });

    it("returns the same operation for a repeated requestId instead of acting twice", async function () {
        const body = {
            ...P,
            requestId: "5f0c1b2e-0000-4000-8000-000000000001",
            healthCheckResource: { name: "once", type: "TCP", tcpHealthCheck: { port: 80 } },
        };
        const [a] = await hcs.insert(body);
        const [b] = await hcs.insert(body);
        assert.equal(
            (a as unknown as { latestResponse: Op }).latestResponse.name,
            (b as unknown as { latestResponse: Op }).latestResponse.name,
        );
        await ok(a);
    });

    it("logs every Compute request and counts the load-balancing inventory", async function () {
        await fake.clearRequests();
        await healthCheck("hc");
        const log = await fake.requests();
        assert.deepEqual(
            log.map(r => r.method),
            ["POST", "POST", "POST", "POST"],
        );
        assert.equal(log[0].path, "/compute/v1/projects/spider-test/regions/us-central1/healthChecks");
        assert.match(log[1].path, /\/operations\/operation-[^/]+\/wait$/);
        assert.deepEqual(await fake.inventory(), {
            forwardingRules: 0,
            backendServices: 0,
            healthChecks: 1,
            addresses: 0,
            instanceGroups: 0,
        });
        await fake.addInstance("us-central1-c", "extra", { healthy: false });
        await group("us-central1-c", "ig-c", ["extra"]);
        assert.equal((await fake.inventory()).instanceGroups, 1);
    });
});
