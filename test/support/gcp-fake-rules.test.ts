import assert from "node:assert/strict";
import * as compute from "@google-cloud/compute";
import { fakeClientOptions, GcpFake, startGcpFake } from "./gcp-fake/launch";

/*
 * The Compute Engine rules the fake enforces for the backend service of a passthrough external
 * network load balancer (regional, loadBalancingScheme EXTERNAL, protocol TCP/UDP/UNSPECIFIED) and
 * its regional health check, driven through the real @google-cloud/compute client (REST):
 *
 * - connectionDraining.drainingTimeoutSec: [0, 3600], reported as 0 when unset
 *   (compute/docs/reference/rest/v1/regionBackendServices, ConnectionDraining; "Enable connection
 *   draining": "must be from 0 to 3600 seconds inclusive", passthrough NLBs support it for TCP and UDP);
 * - sessionAffinity: for EXTERNAL network load balancing NONE, CLIENT_IP, CLIENT_IP_PROTO or
 *   CLIENT_IP_PORT_PROTO (BackendService.sessionAffinity); CLIENT_IP_NO_DESTINATION is INTERNAL-only and
 *   the cookie/header affinities are for proxy load balancers;
 * - healthyThreshold / unhealthyThreshold of a regional health check: [1, 10], default 2;
 * - regionBackendServices.patch is a JSON merge patch that returns an operation and needs the
 *   current fingerprint; update (PUT) replaces the resource.
 */

type Op = compute.protos.google.cloud.compute.v1.IOperation;
type BackendService = compute.protos.google.cloud.compute.v1.IBackendService;
type HealthCheck = compute.protos.google.cloud.compute.v1.IHealthCheck;

interface FakeHttpError {
    status: number;
    reason: string;
    message: string;
}

async function httpError(run: () => Promise<unknown>): Promise<FakeHttpError> {
    try {
        await run();
    } catch (err) {
        const thrown = err as { code: number; message: string };
        const body = JSON.parse(thrown.message) as {
            error: { code: number; message: string; errors: Array<{ reason: string; domain: string }> };
        };
        assert.equal(body.error.code, thrown.code, "Google's body repeats the HTTP status");
        assert.equal(body.error.errors[0].domain, "global");
        return { status: thrown.code, reason: body.error.errors[0].reason, message: body.error.message };
    }
    return assert.fail("expected an HTTP error");
}

/** The refusal GCE gives for a bad field value: 400, reason invalid, the field named in the message. */
function assertInvalid(err: FakeHttpError, field: string, value: string): void {
    assert.equal(err.status, 400, err.message);
    assert.equal(err.reason, "invalid", err.message);
    assert.ok(
        err.message.startsWith(`Invalid value for field '${field}': '${value}'.`),
        `message names ${field}: ${err.message}`,
    );
}

describe("gcp fake rules: passthrough external NLB backend service and health check fields", function () {
    let fake: GcpFake;
    const where = { project: "spider-test", region: "us-central1" };
    const BS_PATH = "/compute/v1/projects/spider-test/regions/us-central1/backendServices";
    const HC_PATH = "/compute/v1/projects/spider-test/regions/us-central1/healthChecks";
    let hcs: compute.RegionHealthChecksClient;
    let bss: compute.RegionBackendServicesClient;
    let igs: compute.InstanceGroupsClient;
    let rops: compute.RegionOperationsClient;
    let zops: compute.ZoneOperationsClient;
    let group: string;

    before(async function () {
        fake = await startGcpFake({ opPolls: 1 });
        const opts = () => fakeClientOptions(fake.port);
        hcs = new compute.RegionHealthChecksClient(opts());
        bss = new compute.RegionBackendServicesClient(opts());
        igs = new compute.InstanceGroupsClient(opts());
        rops = new compute.RegionOperationsClient(opts());
        zops = new compute.ZoneOperationsClient(opts());
    });

    after(async function () {
        await fake?.stop();
    });

    beforeEach(async function () {
        await fake.reset();
        await ok(
            (
                await hcs.insert({
                    ...where,
                    healthCheckResource: { name: "hc", type: "TCP", tcpHealthCheck: { port: 80 } },
                })
            )[0],
        );
        await ok(
            (
                await igs.insert({
                    project: where.project,
                    zone: "us-central1-a",
                    instanceGroupResource: { name: "ig-a", network: "global/networks/default" },
                })
            )[0],
        );
        await ok(
            (
                await igs.addInstances({
                    project: where.project,
                    zone: "us-central1-a",
                    instanceGroup: "ig-a",
                    instanceGroupsAddInstancesRequestResource: {
                        instances: [{ instance: "zones/us-central1-a/instances/vm-1" }],
                    },
                })
            )[0],
        );
        group = "projects/spider-test/zones/us-central1-a/instanceGroups/ig-a";
        await fake.clearRequests();
    });

    async function done(lro: unknown): Promise<Op> {
        let op = (lro as { latestResponse: Op }).latestResponse;
        for (let i = 0; i < 10 && op.status !== "DONE"; i++) {
            const zone = op.zone ? op.zone.slice(op.zone.lastIndexOf("/") + 1) : undefined;
            [op] = zone
                ? await zops.wait({ project: where.project, zone, operation: op.name ?? "" })
                : await rops.wait({ ...where, operation: op.name ?? "" });
        }
        return op;
    }

    async function ok(lro: unknown): Promise<Op> {
        const op = await done(lro);
        assert.equal(op.status, "DONE");
        assert.equal(op.error ?? undefined, undefined, `operation failed: ${JSON.stringify(op.error)}`);
        return op;
    }

    /** The body of a passthrough external NLB backend service, with `extra` fields on top. */
    function nlbService(name: string, extra: BackendService = {}): BackendService {
        return {
            name,
            loadBalancingScheme: "EXTERNAL",
            protocol: "TCP",
            healthChecks: ["regions/us-central1/healthChecks/hc"],
            backends: [{ group, balancingMode: "CONNECTION" }],
            ...extra,
        };
    }

    async function insertService(name: string, extra: BackendService = {}): Promise<BackendService> {
        await ok((await bss.insert({ ...where, backendServiceResource: nlbService(name, extra) }))[0]);
        return (await bss.get({ ...where, backendService: name }))[0];
    }

    async function getService(name: string): Promise<BackendService> {
        return (await bss.get({ ...where, backendService: name }))[0];
    }

    async function patchService(name: string, patch: BackendService): Promise<Op> {
        const [current] = await bss.get({ ...where, backendService: name });
        const [lro] = await bss.patch({
            ...where,
            backendService: name,
            backendServiceResource: { fingerprint: current.fingerprint, ...patch },
        });
        return ok(lro);
    }

    async function updateService(name: string, body: BackendService): Promise<Op> {
        const [current] = await bss.get({ ...where, backendService: name });
        const [lro] = await bss.update({
            ...where,
            backendService: name,
            backendServiceResource: { ...nlbService(name), fingerprint: current.fingerprint, ...body },
        });
        return ok(lro);
    }

    async function getCheck(name: string): Promise<HealthCheck> {
        return (await hcs.get({ ...where, healthCheck: name }))[0];
    }

    describe("connectionDraining.drainingTimeoutSec", function () {
        it("reports 0 when the backend service is created without it, in get and list", async function () {
            const bs = await insertService("bs");
            assert.strictEqual(bs.connectionDraining?.drainingTimeoutSec, 0);
            const raw = (await (await fetch(`${fake.endpoint}${BS_PATH}/bs`)).json()) as BackendService;
            assert.deepEqual(raw.connectionDraining, { drainingTimeoutSec: 0 }, "on the wire, not a client default");
            const [listed] = await bss.list({ ...where, filter: 'name = "bs"' });
            assert.deepEqual(
                listed.map(b => b.connectionDraining?.drainingTimeoutSec),
                [0],
            );
        });

        it("stores and reports every value from 0 to 3600 inclusive, for TCP, UDP and UNSPECIFIED", async function () {
            const cases: Array<[number, string]> = [
                [0, "TCP"],
                [1, "UDP"],
                [300, "UNSPECIFIED"],
                [3600, "TCP"],
                [3600, "UDP"],
            ];
            for (const [i, [timeout, protocol]] of cases.entries()) {
                const bs = await insertService(`bs-${i}`, {
                    protocol,
                    connectionDraining: { drainingTimeoutSec: timeout },
                });
                assert.equal(bs.protocol, protocol);
                assert.equal(bs.connectionDraining?.drainingTimeoutSec, timeout, `${protocol} ${timeout}`);
            }
        });

        it("refuses on insert a timeout below 0 or above 3600, naming the field", async function () {
            for (const timeout of [-1, 3601, 86400]) {
                const err = await httpError(() =>
                    bss.insert({
                        ...where,
                        backendServiceResource: nlbService("bs", {
                            connectionDraining: { drainingTimeoutSec: timeout },
                        }),
                    }),
                );
                assertInvalid(err, "resource.connectionDraining.drainingTimeoutSec", String(timeout));
            }
            assert.equal((await httpError(() => getService("bs"))).reason, "notFound");
            assert.equal((await fake.inventory()).backendServices, 0);
        });

        it("patches the timeout through an operation, as the request log shows", async function () {
            const before = await insertService("bs", { connectionDraining: { drainingTimeoutSec: 60 } });
            await fake.clearRequests();
            const [lro] = await bss.patch({
                ...where,
                backendService: "bs",
                backendServiceResource: {
                    fingerprint: before.fingerprint,
                    connectionDraining: { drainingTimeoutSec: 120 },
                },
            });
            const first = lro.latestResponse as Op;
            assert.equal(first.kind, "compute#operation");
            assert.equal(first.operationType, "patch");
            assert.equal(first.status, "RUNNING");
            assert.equal(first.targetLink, before.selfLink);
            assert.equal(String(first.targetId), String(before.id));
            assert.equal(
                (await getService("bs")).connectionDraining?.drainingTimeoutSec,
                60,
                "unchanged while the operation runs",
            );
            await ok(lro);
            const after = await getService("bs");
            assert.equal(after.connectionDraining?.drainingTimeoutSec, 120);
            assert.notEqual(after.fingerprint, before.fingerprint, "a change gives a new fingerprint");
            assert.deepEqual(after.backends, before.backends, "the rest of the service is kept");
            assert.equal(after.sessionAffinity, before.sessionAffinity);
            const log = await fake.requests();
            assert.deepEqual(
                log.filter(r => r.method === "PATCH"),
                [{ method: "PATCH", path: `${BS_PATH}/bs` }],
            );
        });

        it("keeps the timeout when a patch leaves it out or sends an empty connectionDraining", async function () {
            await insertService("bs", { connectionDraining: { drainingTimeoutSec: 90 } });
            await patchService("bs", { description: "changed" });
            let bs = await getService("bs");
            assert.deepEqual([bs.description, bs.connectionDraining?.drainingTimeoutSec], ["changed", 90]);
            await patchService("bs", { connectionDraining: {} });
            bs = await getService("bs");
            assert.equal(bs.connectionDraining?.drainingTimeoutSec, 90, "merge patch: {} changes nothing");
            await patchService("bs", { connectionDraining: { drainingTimeoutSec: 0 } });
            assert.equal((await getService("bs")).connectionDraining?.drainingTimeoutSec, 0, "0 turns draining off");
        });

        it("refuses an out-of-range timeout on patch, naming the field; the service is unchanged", async function () {
            const before = await insertService("bs", { connectionDraining: { drainingTimeoutSec: 30 } });
            for (const timeout of [-1, 3601]) {
                const err = await httpError(() =>
                    bss.patch({
                        ...where,
                        backendService: "bs",
                        backendServiceResource: {
                            fingerprint: before.fingerprint,
                            connectionDraining: { drainingTimeoutSec: timeout },
                        },
                    }),
                );
                assertInvalid(err, "resource.connectionDraining.drainingTimeoutSec", String(timeout));
            }
            const after = await getService("bs");
            assert.equal(after.connectionDraining?.drainingTimeoutSec, 30);
            assert.equal(after.fingerprint, before.fingerprint);
        });

        it("sets the timeout on update, resets it to 0 when left out, refuses out-of-range values", async function () {
            await insertService("bs", { connectionDraining: { drainingTimeoutSec: 10 } });
            await updateService("bs", { connectionDraining: { drainingTimeoutSec: 45 } });
            assert.equal((await getService("bs")).connectionDraining?.drainingTimeoutSec, 45);
            await updateService("bs", {});
            assert.strictEqual(
                (await getService("bs")).connectionDraining?.drainingTimeoutSec,
                0,
                "PUT replaces the resource",
            );
            const current = await getService("bs");
            const err = await httpError(() =>
                bss.update({
                    ...where,
                    backendService: "bs",
                    backendServiceResource: {
                        ...nlbService("bs"),
                        fingerprint: current.fingerprint,
                        connectionDraining: { drainingTimeoutSec: 4000 },
                    },
                }),
            );
            assertInvalid(err, "resource.connectionDraining.drainingTimeoutSec", "4000");
            assert.equal((await getService("bs")).connectionDraining?.drainingTimeoutSec, 0);
        });

        it("refuses a non-integer timeout sent as raw JSON", async function () {
            for (const timeout of ["30s", 1.5]) {
                const res = await fetch(`${fake.endpoint}${BS_PATH}`, {
                    method: "POST",
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify(
                        nlbService("bs", { connectionDraining: { drainingTimeoutSec: timeout as number } }),
                    ),
                });
                const body = (await res.json()) as {
                    error: { code: number; message: string; errors: Array<{ reason: string }> };
                };
                assert.equal(res.status, 400);
                assertInvalid(
                    { status: body.error.code, reason: body.error.errors[0].reason, message: body.error.message },
                    "resource.connectionDraining.drainingTimeoutSec",
                    String(timeout),
                );
            }
        });
    });

    describe("sessionAffinity", function () {
        const ALLOWED = ["NONE", "CLIENT_IP", "CLIENT_IP_PROTO", "CLIENT_IP_PORT_PROTO"];
        const REFUSED = [
            "GENERATED_COOKIE",
            "HEADER_FIELD",
            "HTTP_COOKIE",
            "STRONG_COOKIE_AFFINITY",
            "CLIENT_IP_NO_DESTINATION",
            "client_ip",
            "ROUND_ROBIN",
        ];

        it("reports NONE when the backend service is created without it", async function () {
            assert.equal((await insertService("bs")).sessionAffinity, "NONE");
        });

        it("stores and reports each affinity an external passthrough NLB allows, per protocol", async function () {
            let count = 0;
            for (const protocol of ["TCP", "UDP", "UNSPECIFIED"]) {
                for (const affinity of ALLOWED) {
                    const bs = await insertService(`bs-${count++}`, { protocol, sessionAffinity: affinity });
                    assert.equal(bs.sessionAffinity, affinity, `${protocol} ${affinity}`);
                }
            }
        });

        it("refuses proxy, internal-only and unknown affinities on insert, naming the field", async function () {
            for (const affinity of REFUSED) {
                const err = await httpError(() =>
                    bss.insert({ ...where, backendServiceResource: nlbService("bs", { sessionAffinity: affinity }) }),
                );
                assertInvalid(err, "resource.sessionAffinity", affinity);
            }
            assert.equal((await fake.inventory()).backendServices, 0);
        });

        it("allows CLIENT_IP_NO_DESTINATION only for scheme INTERNAL", async function () {
            const bs = await insertService("internal", {
                loadBalancingScheme: "INTERNAL",
                network: "global/networks/default",
                sessionAffinity: "CLIENT_IP_NO_DESTINATION",
            });
            assert.equal(bs.sessionAffinity, "CLIENT_IP_NO_DESTINATION");
            const err = await httpError(() =>
                bss.insert({
                    ...where,
                    backendServiceResource: nlbService("internal-2", {
                        loadBalancingScheme: "INTERNAL",
                        network: "global/networks/default",
                        sessionAffinity: "GENERATED_COOKIE",
                    }),
                }),
            );
            assertInvalid(err, "resource.sessionAffinity", "GENERATED_COOKIE");
        });

        it("patches the affinity of an existing service and keeps it through unrelated patches", async function () {
            await insertService("bs", { sessionAffinity: "CLIENT_IP" });
            const op = await patchService("bs", { sessionAffinity: "CLIENT_IP_PORT_PROTO" });
            assert.equal(op.operationType, "patch");
            assert.equal((await getService("bs")).sessionAffinity, "CLIENT_IP_PORT_PROTO");
            await patchService("bs", { connectionDraining: { drainingTimeoutSec: 5 } });
            const bs = await getService("bs");
            assert.deepEqual(
                [bs.sessionAffinity, bs.connectionDraining?.drainingTimeoutSec],
                ["CLIENT_IP_PORT_PROTO", 5],
            );
            assert.deepEqual(
                (await fake.requests()).filter(r => r.method === "PATCH"),
                [
                    { method: "PATCH", path: `${BS_PATH}/bs` },
                    { method: "PATCH", path: `${BS_PATH}/bs` },
                ],
            );
        });

        it("refuses a disallowed affinity on patch and update, leaving the stored one", async function () {
            const before = await insertService("bs", { sessionAffinity: "CLIENT_IP_PROTO" });
            const patchErr = await httpError(() =>
                bss.patch({
                    ...where,
                    backendService: "bs",
                    backendServiceResource: { fingerprint: before.fingerprint, sessionAffinity: "GENERATED_COOKIE" },
                }),
            );
            assertInvalid(patchErr, "resource.sessionAffinity", "GENERATED_COOKIE");
            const updateErr = await httpError(() =>
                bss.update({
                    ...where,
                    backendService: "bs",
                    backendServiceResource: {
                        ...nlbService("bs"),
                        fingerprint: before.fingerprint,
                        sessionAffinity: "CLIENT_IP_NO_DESTINATION",
                    },
                }),
            );
            assertInvalid(updateErr, "resource.sessionAffinity", "CLIENT_IP_NO_DESTINATION");
            const after = await getService("bs");
            assert.deepEqual([after.sessionAffinity, after.fingerprint], ["CLIENT_IP_PROTO", before.fingerprint]);
            await updateService("bs", { sessionAffinity: "NONE" });
            assert.equal((await getService("bs")).sessionAffinity, "NONE");
        });

        it("resets the affinity to NONE when an update leaves it out", async function () {
            await insertService("bs", { sessionAffinity: "CLIENT_IP" });
            await updateService("bs", {});
            assert.equal((await getService("bs")).sessionAffinity, "NONE");
        });
    });

    describe("regional health check healthyThreshold and unhealthyThreshold", function () {
        const tcp = (name: string, extra: HealthCheck = {}): HealthCheck => ({
            name,
            type: "TCP",
            tcpHealthCheck: { port: 80 },
            ...extra,
        });

        it("reports 2 and 2 when created without them", async function () {
            const hc = await getCheck("hc");
            assert.deepEqual([hc.healthyThreshold, hc.unhealthyThreshold], [2, 2]);
        });

        it("stores and reports values from 1 to 10 inclusive", async function () {
            const cases: Array<[number, number]> = [
                [1, 10],
                [10, 1],
                [3, 5],
            ];
            for (const [i, [healthy, unhealthy]] of cases.entries()) {
                await ok(
                    (
                        await hcs.insert({
                            ...where,
                            healthCheckResource: tcp(`hc-${i}`, {
                                healthyThreshold: healthy,
                                unhealthyThreshold: unhealthy,
                            }),
                        })
                    )[0],
                );
                const hc = await getCheck(`hc-${i}`);
                assert.deepEqual([hc.healthyThreshold, hc.unhealthyThreshold], [healthy, unhealthy]);
            }
        });

        it("refuses thresholds below 1 or above 10 on insert, naming the field", async function () {
            for (const field of ["healthyThreshold", "unhealthyThreshold"] as const) {
                for (const value of [0, 11, -3]) {
                    const err = await httpError(() =>
                        hcs.insert({ ...where, healthCheckResource: tcp("bad", { [field]: value }) }),
                    );
                    assertInvalid(err, `resource.${field}`, String(value));
                }
            }
            assert.equal((await fake.inventory()).healthChecks, 1, "only the seeded-by-test check exists");
        });

        it("patches one threshold through an operation, keeps the other, refuses out-of-range ones", async function () {
            await fake.clearRequests();
            const [lro] = await hcs.patch({
                ...where,
                healthCheck: "hc",
                healthCheckResource: { unhealthyThreshold: 7 },
            });
            const op = await ok(lro);
            assert.equal(op.operationType, "patch");
            let hc = await getCheck("hc");
            assert.deepEqual([hc.healthyThreshold, hc.unhealthyThreshold], [2, 7]);
            for (const [field, value] of [
                ["healthyThreshold", 11],
                ["unhealthyThreshold", 0],
            ] as const) {
                const err = await httpError(() =>
                    hcs.patch({ ...where, healthCheck: "hc", healthCheckResource: { [field]: value } }),
                );
                assertInvalid(err, `resource.${field}`, String(value));
            }
            hc = await getCheck("hc");
            assert.deepEqual([hc.healthyThreshold, hc.unhealthyThreshold], [2, 7]);
            assert.deepEqual(
                (await fake.requests()).filter(r => r.method === "PATCH").map(r => r.path),
                [`${HC_PATH}/hc`, `${HC_PATH}/hc`, `${HC_PATH}/hc`],
            );
        });

        it("sets thresholds on update, resets them to 2 when left out, refuses out-of-range values", async function () {
            await ok(
                (
                    await hcs.update({
                        ...where,
                        healthCheck: "hc",
                        healthCheckResource: tcp("hc", { healthyThreshold: 4, unhealthyThreshold: 9 }),
                    })
                )[0],
            );
            let hc = await getCheck("hc");
            assert.deepEqual([hc.healthyThreshold, hc.unhealthyThreshold], [4, 9]);
            const err = await httpError(() =>
                hcs.update({ ...where, healthCheck: "hc", healthCheckResource: tcp("hc", { unhealthyThreshold: 12 }) }),
            );
            assertInvalid(err, "resource.unhealthyThreshold", "12");
            await ok((await hcs.update({ ...where, healthCheck: "hc", healthCheckResource: tcp("hc") }))[0]);
            hc = await getCheck("hc");
            assert.deepEqual([hc.healthyThreshold, hc.unhealthyThreshold], [2, 2]);
        });
    });
});
