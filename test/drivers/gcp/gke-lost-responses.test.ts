/**
 * GKE mutations whose response is lost after the fake applied them (the fault proxy's
 * `resetAfterForward` on exactly one request): GKE takes no requestId, so the driver's retry of the
 * same call meets what its first attempt did — its own cluster or pool (ALREADY_EXISTS), or its own
 * operation still running (FAILED_PRECONDITION). Each case must end as if the response had arrived.
 */
import assert from "node:assert/strict";
import * as gcp from "../../../provider/drivers/gcp";
import type { ClusterReq, Driver, NodeGroupReq } from "../../../provider/interface/driver";
import { FaultProxy, ProxyRequestInfo, startFaultProxy } from "../../support/faultProxy";
import { FAST_POLL, GcpHarness, gkeCluster, gkePool, startHarness } from "./harness";

const OWNER = "urn:pulumi:test::gke::spider:index:Cluster::k8s";

function pool(name: string, desired: number, owner?: string): NodeGroupReq {
    return gkePool(name, { desired, min: 0, max: 9 }, { onAutoScaling: false, ...(owner ? { owner } : {}) });
}

function clusterReq(name: string, owner?: string): ClusterReq {
    return gkeCluster(name, "1.34", [pool("default", 3)], { tags: { suite: "lost" }, ...(owner ? { owner } : {}) });
}

describe("gcp driver: GKE mutations whose response is lost after they were applied", function () {
    this.timeout(120_000);
    let h: GcpHarness | undefined;
    let proxy: FaultProxy | undefined;
    let driver: Driver;
    /** The request the proxy is to lose the response of (once); undefined: none. */
    let lose: ((req: ProxyRequestInfo) => boolean) | undefined;
    let lost: string[] = [];

    before(async function () {
        h = await startHarness({ opPolls: 1 });
        proxy = await startFaultProxy({
            target: h.fake.endpoint,
            style: "gcp",
            failureRatio: 1,
            // Only lost responses: every other kind fails before the fake sees the request.
            faults: { throttle: 0, throttle429: 0, error500: 0, error503: 0, reset: 0, resetAfterForward: 1 },
            shouldFault: req => {
                if (!lose?.(req)) return false;
                lose = undefined;
                lost.push(`${req.method} ${req.url.split("?")[0]}`);
                return true;
            },
            maxLifetimeMs: 5 * 60_000,
        });
        driver = gcp.open({ ...h.conn, endpoint: proxy.endpoint }, { ...h.ctx, poll: FAST_POLL });
    });
    after(async function () {
        await proxy?.stop();
        await h?.stop();
    });
    afterEach(async function () {
        lose = undefined;
        lost = [];
        await h?.fake.reset();
    });

    const losing = (method: string, path: RegExp): void => {
        lose = req => req.method === method && path.test(req.url.split("?")[0]);
    };

    it("createCluster: the retry's ALREADY_EXISTS for the cluster this call created is the call's success", async () => {
        losing("POST", /\/locations\/[^/]+\/clusters$/);
        const info = await driver.cluster!.createCluster(clusterReq("lost-create", OWNER));
        assert.deepEqual(lost.length, 1, "the create's response was lost");
        assert.equal(info.iid.nameId, "lost-create");
        assert.equal(info.status, "Active");
        assert.equal(info.nodeGroups.length, 1);
        assert.equal(info.nodeGroups[0].desiredNodeSize, 3);
        assert.equal((await h!.fake.inventory()).clusters, 1);
    });

    it("createCluster: a same-named cluster of another owner is still a conflict", async () => {
        await h!.driver.cluster!.createCluster(clusterReq("taken", "urn:pulumi:other::x::spider:index:Cluster::k8s"));
        await assert.rejects(driver.cluster!.createCluster(clusterReq("taken", OWNER)), /already exists/i);
    });

    it("createCluster without an owner: the retry's ALREADY_EXISTS stays a conflict (nothing tells it apart)", async () => {
        losing("POST", /\/locations\/[^/]+\/clusters$/);
        await assert.rejects(driver.cluster!.createCluster(clusterReq("no-owner")), /already exists/i);
        assert.equal(lost.length, 1, "the create's response was lost");
    });

    it("createNodePool: the retry's ALREADY_EXISTS for the pool this call created is the call's success", async () => {
        const c = await h!.driver.cluster!.createCluster(clusterReq("lost-pool", OWNER));
        losing("POST", /\/nodePools$/);
        const ng = await driver.cluster!.addNodeGroup(c.iid, pool("workers", 3, OWNER));
        assert.equal(lost.length, 1, "the create's response was lost");
        assert.equal(ng.iid.nameId, "workers");
        assert.equal(ng.desiredNodeSize, 3);
        assert.equal((await h!.fake.inventory()).nodePools, 2);
    });

    it("a 403 rateLimitExceeded on a GKE call is throttling, retried like 429 (google-gax calls it PERMISSION_DENIED)", async () => {
        const throttling = await startFaultProxy({
            target: h!.fake.endpoint,
            style: "gcp",
            failureRatio: 1,
            faults: { throttle: 1, throttle429: 0, error500: 0, error503: 0, reset: 0, resetAfterForward: 0 },
            shouldFault: req =>
                req.method === "POST" && /\/clusters$/.test(req.url.split("?")[0]) && lost.push("403") === 1,
            maxLifetimeMs: 60_000,
        });
        try {
            const throttled = gcp.open({ ...h!.conn, endpoint: throttling.endpoint }, { ...h!.ctx, poll: FAST_POLL });
            const info = await throttled.cluster!.createCluster(clusterReq("throttled", OWNER));
            assert.equal(info.status, "Active");
            assert.equal(throttling.stats().byKind.throttle, 1, "the first create was refused with 403");
        } finally {
            await throttling.stop();
        }
    });

    it("setSize, upgrade, deletePool and deleteCluster: a retry meets the call's own operation and waits it out", async () => {
        const c = await h!.driver.cluster!.createCluster(clusterReq("lost-ops", OWNER));
        const ng = c.nodeGroups[0].iid;
        losing("POST", /:setSize$/);
        const scaled = await driver.cluster!.changeNodeGroupScaling(c.iid, ng, {
            desiredNodeSize: 6,
            minNodeSize: 0,
            maxNodeSize: 9,
        });
        assert.equal(scaled.desiredNodeSize, 6);
        losing("PUT", /\/clusters\/lost-ops$/);
        const up = await driver.cluster!.upgradeCluster(c.iid, "1.35");
        assert.equal(up.version, "1.35");
        assert.ok(
            up.nodeGroups.every(g => g.version === "1.35"),
            JSON.stringify(up.nodeGroups),
        );
        const w = await h!.driver.cluster!.addNodeGroup(c.iid, pool("workers", 3));
        losing("DELETE", /\/nodePools\/workers$/);
        await driver.cluster!.removeNodeGroup(c.iid, w.iid);
        losing("DELETE", /\/clusters\/lost-ops$/);
        await driver.cluster!.deleteCluster(c.iid);
        assert.equal(lost.length, 4, `every lost response was injected: ${lost.join(", ")}`);
        const inv = await h!.fake.inventory();
        assert.deepEqual([inv.clusters ?? 0, inv.nodePools ?? 0, inv.instanceGroupManagers ?? 0], [0, 0, 0]);
    });
});
