import assert from "node:assert/strict";
import * as compute from "@google-cloud/compute";
import * as container from "@google-cloud/container";
import { containerClientOptions, fakeClientOptions, GcpFake, startGcpFake } from "./gcp-fake/launch";

/*
 * The Kubernetes Engine (container v1) rules the fake enforces, driven through the real
 * ClusterManagerClient in its REST fallback (HTTP/1.1 JSON, enums sent as numbers):
 *
 * - every mutation returns an Operation that stays RUNNING for `opPolls` getOperation polls, then
 *   turns DONE and only then applies its change; one operation per cluster at a time
 *   ("Operation … is currently … cluster c. Please wait and try again once it is done.", 400
 *   FAILED_PRECONDITION);
 * - versions from serverConfig, "1.34" / "latest" resolved to a full patch version; the master moves
 *   one minor per upgrade; nodes never above the master and at most two minors below it;
 * - a regional cluster's nodes live in one MIG per zone of the region; initialNodeCount, setSize and
 *   min/maxNodeCount are per zone, totalMin/totalMaxNodeCount totals (never both);
 * - setResourceLabels needs the current labelFingerprint; deleting a cluster removes its pools and MIGs.
 *
 * How errors arrive (google-gax 6 REST fallback, as observed here): an HTTP error becomes a
 * GoogleError whose `code` is the google.rpc code of the body's `error.status` (3 INVALID_ARGUMENT,
 * 5 NOT_FOUND, 6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, 14 UNAVAILABLE, ...), `httpStatusCode` the HTTP
 * status and `message` exactly the body's `error.message`. A failed operation is no exception at all:
 * getOperation resolves with status DONE, `error: {code, message, details: []}` (google.rpc.Status,
 * numeric code) and `statusMessage` repeating the message. A driver has to translate both.
 */

type Operation = container.protos.google.container.v1.IOperation;
type Cluster = container.protos.google.container.v1.ICluster;
type NodePool = container.protos.google.container.v1.INodePool;
const Component = container.protos.google.container.v1.LoggingComponentConfig.Component;

const REGIONAL = "projects/spider-test/locations/us-central1";
const ZONAL = "projects/spider-test/locations/us-central1-a";

interface RaisedError {
    code: number;
    httpStatusCode: number;
    message: string;
}

async function raised(run: () => Promise<unknown>): Promise<RaisedError> {
    try {
        await run();
    } catch (err) {
        const e = err as { code: number; httpStatusCode: number; message: string; constructor: { name: string } };
        assert.equal(e.constructor.name, "GoogleError");
        return { code: e.code, httpStatusCode: e.httpStatusCode, message: e.message };
    }
    return assert.fail("expected the client to raise");
}

/** A RegExp matching exactly `text` (so GKE's wording can be written out as it is). */
function exactly(text: string): RegExp {
    return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
}

function assertRefused(err: RaisedError, code: number, http: number, message: RegExp): void {
    assert.equal(err.code, code, err.message);
    assert.equal(err.httpStatusCode, http, err.message);
    assert.match(err.message, message);
}

describe("gcp fake rules: GKE clusters, node pools and operations (container v1 REST)", function () {
    let fake: GcpFake;
    let gke: container.v1.ClusterManagerClient;
    let migs: compute.InstanceGroupManagersClient;

    before(async function () {
        fake = await startGcpFake({ opPolls: 1 });
        gke = new container.v1.ClusterManagerClient(containerClientOptions(fake.port));
        migs = new compute.InstanceGroupManagersClient(fakeClientOptions(fake.port));
    });

    after(async function () {
        await fake?.stop();
    });

    beforeEach(async function () {
        await fake.reset();
        await fake.setOpPolls(1);
    });

    function locationOf(op: Operation): string {
        return String(op.selfLink).replace(/^.*\/locations\/([^/]+)\/operations\/.*$/, "$1");
    }

    /** Polls getOperation until DONE (at most 20 polls) and returns the last answer. */
    async function done(op: Operation): Promise<Operation> {
        let current = op;
        for (let i = 0; i < 20 && current.status !== "DONE"; i++) {
            [current] = await gke.getOperation({
                name: `projects/spider-test/locations/${locationOf(op)}/operations/${op.name}`,
            });
        }
        return current;
    }

    async function ok(pending: Promise<[Operation, ...unknown[]]>): Promise<Operation> {
        const finished = await done((await pending)[0]);
        assert.equal(finished.status, "DONE");
        assert.equal(finished.error ?? undefined, undefined, `operation failed: ${JSON.stringify(finished.error)}`);
        return finished;
    }

    async function cluster(parent: string, spec: Cluster): Promise<Cluster> {
        await ok(gke.createCluster({ parent, cluster: spec }));
        return (await gke.getCluster({ name: `${parent}/clusters/${spec.name}` }))[0];
    }

    async function pool(clusterName: string, name: string): Promise<NodePool> {
        return (await gke.getNodePool({ name: `${clusterName}/nodePools/${name}` }))[0];
    }

    /** targetSize of each of the pool's MIGs, read through the Compute instanceGroupManagers.get route. */
    async function targetSizes(p: NodePool): Promise<number[]> {
        const out: number[] = [];
        for (const url of p.instanceGroupUrls ?? []) {
            const [, zone, name] = /zones\/([^/]+)\/instanceGroupManagers\/([^/]+)$/.exec(url) ?? [];
            const [mig] = await migs.get({ project: "spider-test", zone, instanceGroupManager: name });
            out.push(Number(mig.targetSize));
        }
        return out;
    }

    async function instanceNames(p: NodePool): Promise<string[]> {
        const names: string[] = [];
        for (const url of p.instanceGroupUrls ?? []) {
            const [, zone, name] = /zones\/([^/]+)\/instanceGroupManagers\/([^/]+)$/.exec(url) ?? [];
            const [items] = await migs.listManagedInstances({
                project: "spider-test",
                zone,
                instanceGroupManager: name,
            });
            names.push(...items.map(i => String(i.instance)));
        }
        return names.sort();
    }

    describe("operations", function () {
        it("stay RUNNING for opPolls polls, show the cluster PROVISIONING meanwhile, then apply", async function () {
            await fake.setOpPolls(2);
            const [op] = await gke.createCluster({ parent: ZONAL, cluster: { name: "c1", initialNodeCount: 1 } });
            assert.equal(op.status, "RUNNING");
            assert.equal(op.operationType, "CREATE_CLUSTER");
            assert.match(String(op.name), /^operation-\d+-[0-9a-f]{8}$/);
            assert.equal(op.targetLink, `https://container.googleapis.com/v1/${ZONAL}/clusters/c1`);
            assert.equal((await gke.getCluster({ name: `${ZONAL}/clusters/c1` }))[0].status, "PROVISIONING");
            const name = `${ZONAL}/operations/${op.name}`;
            const statuses: string[] = [];
            for (let i = 0; i < 3; i++) statuses.push(String((await gke.getOperation({ name }))[0].status));
            assert.deepEqual(statuses, ["RUNNING", "RUNNING", "DONE"]);
            const [c] = await gke.getCluster({ name: `${ZONAL}/clusters/c1` });
            assert.equal(c.status, "RUNNING");
            assert.deepEqual(c.locations, ["us-central1-a"]);
            assert.deepEqual(
                c.nodePools?.map(p => [p.name, p.status, p.version]),
                [["default-pool", "RUNNING", "1.34.1-gke.1100000"]],
            );
            assert.equal(c.currentMasterVersion, "1.34.1-gke.1100000");
            assert.equal(c.currentNodeCount, 1);
        });

        it("refuse a second mutation on the cluster while one runs (FAILED_PRECONDITION)", async function () {
            const [create] = await gke.createCluster({
                parent: REGIONAL,
                cluster: { name: "busy", initialNodeCount: 1 },
            });
            const whileCreating = await raised(() =>
                gke.createNodePool({
                    parent: `${REGIONAL}/clusters/busy`,
                    nodePool: { name: "p2", initialNodeCount: 1 },
                }),
            );
            assertRefused(
                whileCreating,
                9,
                400,
                new RegExp(`^Operation ${create.name} is currently creating cluster busy\\. Please wait and try again`),
            );
            await done(create);
            const [upgrade] = await gke.updateCluster({
                name: `${REGIONAL}/clusters/busy`,
                update: { desiredMasterVersion: "1.35" },
            });
            assert.equal(upgrade.operationType, "UPGRADE_MASTER");
            const whileUpgrading = await raised(() =>
                gke.setNodePoolSize({ name: `${REGIONAL}/clusters/busy/nodePools/default-pool`, nodeCount: 2 }),
            );
            assertRefused(whileUpgrading, 9, 400, /is currently upgrading cluster busy\. Please wait and try again/);
            assert.equal((await done(upgrade)).error ?? undefined, undefined);
            // Reads are never refused, and another cluster is not held by this one's operation.
            await ok(gke.createCluster({ parent: REGIONAL, cluster: { name: "other", initialNodeCount: 1 } }));
        });

        it("end DONE with a google.rpc.Status error, applying nothing, under asOperationError", async function () {
            await fake.failNext({
                method: "POST",
                path: /\/clusters$/,
                asOperationError: true,
                reason: "RESOURCE_EXHAUSTED",
                message: 'Insufficient regional quota to satisfy request: resource "CPUS".',
            });
            const [op] = await gke.createCluster({ parent: REGIONAL, cluster: { name: "quota", initialNodeCount: 1 } });
            assert.equal(op.status, "RUNNING");
            const retry = await raised(() =>
                gke.createCluster({ parent: REGIONAL, cluster: { name: "quota", initialNodeCount: 1 } }),
            );
            assertRefused(retry, 9, 400, /is currently creating cluster quota\. Please wait/);
            const finished = await done(op);
            assert.equal(finished.status, "DONE");
            assert.equal(finished.error?.code, 8);
            assert.match(String(finished.error?.message), /Insufficient regional quota/);
            assert.equal(finished.statusMessage, finished.error?.message);
            assert.deepEqual((await gke.listClusters({ parent: "projects/spider-test/locations/-" }))[0].clusters, []);
            assert.equal((await fake.inventory()).clusters, undefined, "no GKE key while there is no cluster");
        });

        it("raise an injected HTTP failure as a GoogleError with the rpc code of its status", async function () {
            await fake.failNext({ method: "POST", path: "/v1/projects/spider-test/locations/us-central1/clusters" });
            const unavailable = await raised(() =>
                gke.createCluster({ parent: REGIONAL, cluster: { name: "flaky", initialNodeCount: 1 } }),
            );
            assertRefused(unavailable, 14, 503, /^Injected failure \(gcp-fake\) for POST \/v1\/projects/);
            await fake.failNext({ method: "GET", path: /\/serverConfig$/, status: 429, reason: "RESOURCE_EXHAUSTED" });
            assertRefused(await raised(() => gke.getServerConfig({ name: REGIONAL })), 8, 429, /Injected failure/);
            assert.equal((await fake.inventory()).clusters, undefined, "no GKE key while there is no cluster");
            const calls = (await fake.requests()).map(r => `${r.method} ${r.path}`);
            assert.deepEqual(calls, [
                "POST /v1/projects/spider-test/locations/us-central1/clusters",
                "GET /v1/projects/spider-test/locations/us-central1/serverConfig",
            ]);
        });
    });

    describe("versions", function () {
        it("are full patch versions of three minors; a minor or latest means its newest patch", async function () {
            const [cfg] = await gke.getServerConfig({ name: REGIONAL });
            assert.equal(cfg.defaultClusterVersion, "1.34.1-gke.1100000");
            assert.deepEqual(cfg.validMasterVersions, [
                "1.35.0-gke.1000000",
                "1.34.1-gke.1100000",
                "1.34.0-gke.1500000",
                "1.33.5-gke.1200000",
                "1.33.4-gke.1100000",
            ]);
            assert.ok(cfg.validNodeVersions?.includes("1.32.9-gke.1000000"));
            const old = await cluster(ZONAL, { name: "old", initialNodeCount: 1, initialClusterVersion: "1.33" });
            assert.equal(old.currentMasterVersion, "1.33.5-gke.1200000");
            assert.equal(old.currentNodeVersion, "1.33.5-gke.1200000");
            const newest = await cluster(ZONAL, {
                name: "newest",
                initialNodeCount: 1,
                initialClusterVersion: "latest",
            });
            assert.equal(newest.currentMasterVersion, "1.35.0-gke.1000000");
            const unsupported = await raised(() =>
                gke.createCluster({
                    parent: ZONAL,
                    cluster: { name: "ancient", initialNodeCount: 1, initialClusterVersion: "1.30" },
                }),
            );
            assertRefused(unsupported, 3, 400, /^Master version "1\.30" is unsupported\.$/);
        });

        it("upgrades the master one minor per step and never to a lower minor", async function () {
            await cluster(ZONAL, { name: "up", initialNodeCount: 1, initialClusterVersion: "1.33" });
            const name = `${ZONAL}/clusters/up`;
            const skip = await raised(() => gke.updateCluster({ name, update: { desiredMasterVersion: "1.35" } }));
            assertRefused(
                skip,
                3,
                400,
                exactly(
                    "Master version 1.33.5-gke.1200000 cannot be upgraded to 1.35.0-gke.1000000: " +
                        "cannot upgrade the master more than a minor version at a time.",
                ),
            );
            await ok(gke.updateCluster({ name, update: { desiredMasterVersion: "1.34" } }));
            const [c] = await gke.getCluster({ name });
            assert.equal(c.currentMasterVersion, "1.34.1-gke.1100000");
            assert.equal(c.currentNodeVersion, "1.33.5-gke.1200000", "the master upgrade leaves the nodes alone");
            const down = await raised(() => gke.updateCluster({ name, update: { desiredMasterVersion: "1.33" } }));
            assertRefused(down, 3, 400, /cannot be downgraded/);
        });

        it("keeps node versions at or below the master and within two minors of it", async function () {
            await cluster(ZONAL, { name: "nodes", initialNodeCount: 1, initialClusterVersion: "1.33" });
            const name = `${ZONAL}/clusters/nodes`;
            const pool1 = `${name}/nodePools/default-pool`;
            const above = await raised(() => gke.updateNodePool({ name: pool1, nodeVersion: "1.34" }));
            assertRefused(
                above,
                3,
                400,
                exactly(
                    'Node version "1.34.1-gke.1100000" must not have a greater minor version than ' +
                        'master version "1.33.5-gke.1200000".',
                ),
            );
            const createAbove = await raised(() =>
                gke.createNodePool({ parent: name, nodePool: { name: "new", initialNodeCount: 1, version: "1.34" } }),
            );
            assertRefused(createAbove, 3, 400, /must not have a greater minor version than master version/);
            await ok(
                gke.createNodePool({ parent: name, nodePool: { name: "older", initialNodeCount: 1, version: "1.32" } }),
            );
            await ok(gke.updateCluster({ name, update: { desiredMasterVersion: "1.34" } }));
            const tooFar = await raised(() => gke.updateCluster({ name, update: { desiredMasterVersion: "1.35" } }));
            assertRefused(
                tooFar,
                9,
                400,
                /node version 1\.32\.9-gke\.1000000 would be more than 2 minor versions older/,
            );
            const before = await instanceNames(await pool(name, "default-pool"));
            const upgrade = await ok(gke.updateNodePool({ name: pool1, nodeVersion: "1.34" }));
            assert.equal(upgrade.operationType, "UPGRADE_NODES");
            const upgraded = await pool(name, "default-pool");
            assert.equal(upgraded.version, "1.34.1-gke.1100000");
            const after = await instanceNames(upgraded);
            assert.equal(after.length, before.length);
            assert.ok(
                after.every(n => !before.includes(n)),
                "an upgrade recreates the nodes",
            );
            await ok(gke.updateCluster({ name, update: { desiredNodeVersion: "-", desiredNodePoolId: "older" } }));
            assert.equal((await pool(name, "older")).version, "1.34.1-gke.1100000", "'-' is the master's version");
        });
    });

    describe("sizes and zones", function () {
        it("gives a regional pool one MIG per zone of the region, initialNodeCount in each", async function () {
            const c = await cluster(REGIONAL, { name: "reg", nodePools: [{ name: "work", initialNodeCount: 1 }] });
            assert.deepEqual(c.locations, ["us-central1-a", "us-central1-b", "us-central1-c"]);
            const work = await pool(`${REGIONAL}/clusters/reg`, "work");
            assert.equal(work.instanceGroupUrls?.length, 3);
            for (const [i, zone] of ["a", "b", "c"].entries())
                assert.match(
                    String(work.instanceGroupUrls?.[i]),
                    new RegExp(
                        "^https://www\\.googleapis\\.com/compute/v1/projects/spider-test/" +
                            `zones/us-central1-${zone}/instanceGroupManagers/gke-reg-work-[0-9a-f]{8}-grp$`,
                    ),
                );
            assert.deepEqual(await targetSizes(work), [1, 1, 1]);
            assert.equal(c.currentNodeCount, 3);
            assert.equal((await instanceNames(work)).length, 3);
            const [listed] = await gke.listClusters({ parent: "projects/spider-test/locations/-" });
            assert.deepEqual(
                listed.clusters?.map(x => [x.name, x.location]),
                [["reg", "us-central1"]],
            );
        });

        it("sets the size per zone and keeps it within per-zone or total autoscaling limits", async function () {
            await cluster(REGIONAL, { name: "scale", nodePools: [{ name: "work", initialNodeCount: 1 }] });
            const name = `${REGIONAL}/clusters/scale/nodePools/work`;
            const op = await ok(gke.setNodePoolSize({ name, nodeCount: 2 }));
            assert.equal(op.operationType, "SET_NODE_POOL_SIZE");
            assert.deepEqual(await targetSizes(await pool(`${REGIONAL}/clusters/scale`, "work")), [2, 2, 2]);
            await ok(
                gke.setNodePoolAutoscaling({ name, autoscaling: { enabled: true, minNodeCount: 0, maxNodeCount: 1 } }),
            );
            const perZone = await pool(`${REGIONAL}/clusters/scale`, "work");
            assert.deepEqual(await targetSizes(perZone), [1, 1, 1], "clamped to maxNodeCount per zone");
            assert.equal(perZone.autoscaling?.locationPolicy, "BALANCED");
            await ok(gke.setNodePoolSize({ name, nodeCount: 4 }));
            assert.deepEqual(await targetSizes(await pool(`${REGIONAL}/clusters/scale`, "work")), [1, 1, 1]);
            const both = await raised(() =>
                gke.setNodePoolAutoscaling({
                    name,
                    autoscaling: { enabled: true, maxNodeCount: 3, totalMaxNodeCount: 5 },
                }),
            );
            assertRefused(both, 3, 400, /cannot be set together/);
            await ok(
                gke.setNodePoolAutoscaling({
                    name,
                    autoscaling: { enabled: true, totalMinNodeCount: 4, totalMaxNodeCount: 5, locationPolicy: "ANY" },
                }),
            );
            const total = await targetSizes(await pool(`${REGIONAL}/clusters/scale`, "work"));
            assert.equal(
                total.reduce((a, b) => a + b, 0),
                4,
                `raised to totalMinNodeCount over all zones: ${total.join(",")}`,
            );
            const zero = await raised(() =>
                gke.setNodePoolAutoscaling({ name, autoscaling: { enabled: true, minNodeCount: 1 } }),
            );
            assertRefused(zero, 3, 400, /cannot be both set to zero/);
        });
    });

    describe("validation", function () {
        it("refuses bad names, duplicates, a cluster without nodes and unknown networks", async function () {
            const make = (spec: Cluster, parent = ZONAL) => raised(() => gke.createCluster({ parent, cluster: spec }));
            assertRefused(
                await make({ name: "1c", initialNodeCount: 1 }),
                3,
                400,
                /^Invalid value for field "cluster\.name": "1c"\. Must be a match of regex/,
            );
            assertRefused(await make({ name: `c${"x".repeat(40)}`, initialNodeCount: 1 }), 3, 400, /no longer than 40/);
            assertRefused(
                await make({ name: "empty" }),
                3,
                400,
                /^Cluster\.initial_node_count must be greater than zero\.$/,
            );
            assertRefused(
                await make({ name: "badnet", initialNodeCount: 1, network: "nope" }),
                3,
                400,
                /^network "nope" does not exist\.$/,
            );
            assertRefused(
                await make({ name: "badsub", initialNodeCount: 1, subnetwork: "nope" }),
                3,
                400,
                /^subnetwork "nope" does not exist/,
            );
            assertRefused(
                await make({ name: "badpool", nodePools: [{ name: "Pool_1", initialNodeCount: 1 }] }),
                3,
                400,
                /"cluster\.node_pools\[0\]\.name": "Pool_1"/,
            );
            await cluster(ZONAL, { name: "dup", initialNodeCount: 1 });
            assertRefused(
                await make({ name: "dup", initialNodeCount: 1 }),
                6,
                409,
                /^Already exists: projects\/spider-test\/locations\/us-central1-a\/clusters\/dup\.$/,
            );
            const dupPool = await raised(() =>
                gke.createNodePool({
                    parent: `${ZONAL}/clusters/dup`,
                    nodePool: { name: "default-pool", initialNodeCount: 1 },
                }),
            );
            assertRefused(dupPool, 6, 409, /^Already exists: .*\/clusters\/dup\/nodePools\/default-pool\.$/);
            const missing = await raised(() => gke.getCluster({ name: `${ZONAL}/clusters/ghost` }));
            assertRefused(
                missing,
                5,
                404,
                /^Not found: projects\/spider-test\/locations\/us-central1-a\/clusters\/ghost\.$/,
            );
        });

        it("checks GCE resource labels, Kubernetes node labels and taint effects", async function () {
            const make = (spec: Cluster) => raised(() => gke.createCluster({ parent: ZONAL, cluster: spec }));
            assertRefused(
                await make({ name: "l1", initialNodeCount: 1, resourceLabels: { Team: "web" } }),
                3,
                400,
                /label key "Team"/,
            );
            assertRefused(
                await make({ name: "l2", initialNodeCount: 1, resourceLabels: { team: "a:b" } }),
                3,
                400,
                /label value "a:b"/,
            );
            assertRefused(
                await make({ name: "l3", initialNodeCount: 1, nodeConfig: { labels: { "-bad": "x" } } }),
                3,
                400,
                /label key "-bad"/,
            );
            assertRefused(
                await make({
                    name: "l4",
                    initialNodeCount: 1,
                    nodeConfig: { taints: [{ key: "dedicated", value: "gpu", effect: "EFFECT_UNSPECIFIED" }] },
                }),
                3,
                400,
                /taints\[0\]\.effect/,
            );
            const c = await cluster(ZONAL, {
                name: "ok",
                initialNodeCount: 1,
                resourceLabels: { team: "web" },
                nodeConfig: {
                    labels: { "example.com/role": "Web.Front_1" },
                    taints: [{ key: "dedicated", value: "gpu", effect: "PREFER_NO_SCHEDULE" }],
                },
            });
            assert.deepEqual(c.resourceLabels, { team: "web" });
            const config = c.nodePools?.[0].config;
            assert.deepEqual(config?.labels, { "example.com/role": "Web.Front_1" });
            assert.deepEqual(
                config?.taints?.map(t => [t.key, t.value, t.effect]),
                [["dedicated", "gpu", "PREFER_NO_SCHEDULE"]],
            );
        });
    });

    describe("updates", function () {
        it("sets resource labels only with the current labelFingerprint, and changes it", async function () {
            const c = await cluster(ZONAL, { name: "lab", initialNodeCount: 1, resourceLabels: { team: "web" } });
            const name = `${ZONAL}/clusters/lab`;
            assert.match(String(c.labelFingerprint), /^[0-9a-f]{8}$/);
            const stale = await raised(() =>
                gke.setLabels({ name, resourceLabels: { team: "api" }, labelFingerprint: "0000beef" }),
            );
            assertRefused(
                stale,
                9,
                400,
                exactly(
                    "Labels could not be set due to fingerprint mismatch; try again with the proper fingerprint: " +
                        `incorrect fingerprint supplied was "0000beef", the expected one is "${c.labelFingerprint}".`,
                ),
            );
            await ok(gke.setLabels({ name, resourceLabels: { team: "api" }, labelFingerprint: c.labelFingerprint }));
            const [after] = await gke.getCluster({ name });
            assert.deepEqual(after.resourceLabels, { team: "api" });
            assert.notEqual(after.labelFingerprint, c.labelFingerprint);
            const reused = await raised(() =>
                gke.setLabels({ name, resourceLabels: {}, labelFingerprint: c.labelFingerprint }),
            );
            assertRefused(reused, 9, 400, /fingerprint mismatch/);
        });

        it("updates logging components and authorized networks, one change per call", async function () {
            await cluster(ZONAL, { name: "cfg", initialNodeCount: 1 });
            const name = `${ZONAL}/clusters/cfg`;
            const names = ["SYSTEM_COMPONENTS", "APISERVER", "SCHEDULER", "CONTROLLER_MANAGER", "WORKLOADS"] as const;
            const logging = { componentConfig: { enableComponents: names.map(n => Component[n]) } };
            const op = await ok(gke.updateCluster({ name, update: { desiredLoggingConfig: logging } }));
            assert.equal(op.operationType, "UPDATE_CLUSTER");
            assert.deepEqual(
                (await gke.getCluster({ name }))[0].loggingConfig?.componentConfig?.enableComponents,
                [...names],
                "sent as numbers, reported by name",
            );
            const noSystem = await raised(() =>
                gke.updateCluster({
                    name,
                    update: { desiredLoggingConfig: { componentConfig: { enableComponents: [Component.WORKLOADS] } } },
                }),
            );
            assertRefused(noSystem, 3, 400, /SYSTEM_COMPONENTS is required/);
            const networks = { enabled: true, cidrBlocks: [{ displayName: "office", cidrBlock: "203.0.113.0/24" }] };
            await ok(gke.updateCluster({ name, update: { desiredMasterAuthorizedNetworksConfig: networks } }));
            assert.deepEqual((await gke.getCluster({ name }))[0].masterAuthorizedNetworksConfig?.cidrBlocks, [
                { displayName: "office", cidrBlock: "203.0.113.0/24" },
            ]);
            const two = await raised(() =>
                gke.updateCluster({
                    name,
                    update: { desiredMasterVersion: "1.35", desiredMasterAuthorizedNetworksConfig: networks },
                }),
            );
            assertRefused(two, 3, 400, /^Exactly one update can be applied to a cluster with each request/);
        });

        it("recreates nodes for a machine or disk change but not for labels or taints", async function () {
            await cluster(ZONAL, { name: "np", nodePools: [{ name: "work", initialNodeCount: 2 }] });
            const name = `${ZONAL}/clusters/np/nodePools/work`;
            const first = await instanceNames(await pool(`${ZONAL}/clusters/np`, "work"));
            await ok(
                gke.updateNodePool({
                    name,
                    labels: { labels: { role: "web" } },
                    taints: { taints: [{ key: "dedicated", value: "web", effect: "NO_EXECUTE" }] },
                }),
            );
            const labelled = await pool(`${ZONAL}/clusters/np`, "work");
            assert.deepEqual(labelled.config?.labels, { role: "web" });
            assert.equal(labelled.config?.taints?.[0].effect, "NO_EXECUTE");
            assert.deepEqual(await instanceNames(labelled), first);
            await ok(gke.updateNodePool({ name, machineType: "e2-standard-4", diskSizeGb: 50, diskType: "pd-ssd" }));
            const resized = await pool(`${ZONAL}/clusters/np`, "work");
            assert.deepEqual(
                [resized.config?.machineType, resized.config?.diskSizeGb, resized.config?.diskType],
                ["e2-standard-4", 50, "pd-ssd"],
            );
            const second = await instanceNames(resized);
            assert.equal(second.length, 2);
            assert.ok(
                second.every(n => !first.includes(n)),
                "new instance names after the config change",
            );
            const tiny = await raised(() => gke.updateNodePool({ name, diskSizeGb: 5 }));
            assertRefused(tiny, 3, 400, /Disk size must be at least 10 GB/);
        });
    });

    describe("node config kept as created", function () {
        it("keeps spot, metadata and resource labels, refuses a reserved metadata key, updates labels in place", async function () {
            const config = {
                spot: true,
                metadata: { "spider-owner": "urn:pulumi:s::p::t::n", "ssh-keys": "alice:ssh-ed25519 AAAA alice" },
                resourceLabels: { "spider-autoscaling-min": "1" },
            };
            await cluster(ZONAL, { name: "cfg", nodePools: [{ name: "work", initialNodeCount: 1, config }] });
            const created = await pool(`${ZONAL}/clusters/cfg`, "work");
            assert.equal(created.config?.spot, true);
            assert.equal(created.config?.metadata?.["spider-owner"], "urn:pulumi:s::p::t::n");
            assert.equal(created.config?.metadata?.["disable-legacy-endpoints"], "true", "GKE's own key is added");
            assert.deepEqual(created.config?.resourceLabels, { "spider-autoscaling-min": "1" });
            const nodes = await instanceNames(created);
            const name = `${ZONAL}/clusters/cfg/nodePools/work`;
            await ok(gke.updateNodePool({ name, resourceLabels: { labels: { "spider-autoscaling-min": "2" } } }));
            const relabelled = await pool(`${ZONAL}/clusters/cfg`, "work");
            assert.deepEqual(relabelled.config?.resourceLabels, { "spider-autoscaling-min": "2" });
            assert.deepEqual(await instanceNames(relabelled), nodes, "resource labels change without new nodes");
            const reserved = await raised(() =>
                gke.createNodePool({
                    parent: `${ZONAL}/clusters/cfg`,
                    nodePool: { name: "bad", initialNodeCount: 1, config: { metadata: { "kube-env": "x" } } },
                }),
            );
            assertRefused(reserved, 3, 400, /metadata.*"kube-env" is reserved/);
        });
    });

    describe("deletes", function () {
        it("take a pool's MIGs along, allow deleting the last pool, and cascade from the cluster", async function () {
            await cluster(REGIONAL, {
                name: "del",
                nodePools: [
                    { name: "a", initialNodeCount: 1 },
                    { name: "b", initialNodeCount: 1 },
                ],
            });
            assert.deepEqual(await fake.inventory(), {
                forwardingRules: 0,
                backendServices: 0,
                healthChecks: 0,
                addresses: 0,
                instanceGroups: 0,
                clusters: 1,
                nodePools: 2,
                instanceGroupManagers: 6,
            });
            const cl = `${REGIONAL}/clusters/del`;
            const a = await pool(cl, "a");
            const [del] = await gke.deleteNodePool({ name: `${cl}/nodePools/a` });
            assert.equal(del.operationType, "DELETE_NODE_POOL");
            assert.equal((await pool(cl, "a")).status, "STOPPING");
            await done(del);
            assertRefused(await raised(() => pool(cl, "a")), 5, 404, /^Not found: .*\/clusters\/del\/nodePools\/a\.$/);
            // The Compute client (its own google-gax) raises a GaxiosError whose message is Google's body.
            await assert.rejects(targetSizes(a), /instanceGroupManagers\/gke-del-a-[0-9a-f]{8}-grp' was not found/);
            await ok(gke.deleteNodePool({ name: `${cl}/nodePools/b` }));
            const [empty] = await gke.getCluster({ name: cl });
            assert.deepEqual([empty.nodePools, empty.currentNodeCount], [[], 0]);
            await ok(gke.createNodePool({ parent: cl, nodePool: { name: "c", initialNodeCount: 2 } }));
            assert.equal((await fake.inventory()).instanceGroupManagers, 3);
            await ok(gke.deleteCluster({ name: cl }));
            const inv = await fake.inventory();
            assert.ok(
                Object.values(inv).every(n => n === 0),
                `nothing left: ${JSON.stringify(inv)}`,
            );
            assertRefused(await raised(() => gke.getCluster({ name: cl })), 5, 404, /^Not found: /);
        });
    });
});
