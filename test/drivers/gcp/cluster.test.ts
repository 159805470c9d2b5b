/**
 * The gcp driver's GKE side against the fake's Kubernetes Engine routes: what the shared cluster
 * contract cannot see because it is GKE's own (per-zone sizes of a regional pool, operations GKE
 * runs one at a time, operation errors, stepwise upgrades, bounds kept while the autoscaler is off).
 */
import assert from "node:assert/strict";
import { v1 as containerV1 } from "@google-cloud/container";
import * as gcp from "../../../provider/drivers/gcp";
import type { ClusterReq, Driver, NodeGroupReq } from "../../../provider/interface/driver";
import { CloudApiError, ValidationError } from "../../../provider/interface/errors";
import { containerClientOptions } from "../../support/gcp-fake/launch";
import { CONTRACT_ZONE, GcpHarness, gkeCluster, gkePool, startHarness } from "./harness";

const pool = (name: string, sizes: { desired: number; min: number; max: number }): NodeGroupReq => gkePool(name, sizes);
const clusterReq = (name: string, version: string, pools: NodeGroupReq[]): ClusterReq =>
    gkeCluster(name, version, pools);

describe("gcp driver: GKE clusters and node pools on the fake", function () {
    this.timeout(120_000);
    let h: GcpHarness | undefined;
    let regional: Driver;
    let zonal: Driver;
    let raw: containerV1.ClusterManagerClient;

    before(async function () {
        h = await startHarness({ opPolls: 2 });
        regional = h.driver;
        zonal = h.open().cluster ? gcp.open({ ...h.conn, zone: CONTRACT_ZONE }, h.ctx) : h.driver;
        raw = new containerV1.ClusterManagerClient(containerClientOptions(h.fake.port));
    });
    after(async function () {
        await raw?.close();
        await h?.stop();
    });
    afterEach(async function () {
        await h?.fake.reset();
    });

    const harness = (): GcpHarness => {
        assert.ok(h, "the GCP fake did not start; see the before-all hook failure");
        return h;
    };
    const poolPath = (location: string, cluster: string, name: string) =>
        `projects/spider-test/locations/${location}/clusters/${cluster}/nodePools/${name}`;

    it("sizes a regional pool per zone: 3 nodes are one in each of GKE's three zones, bounds as totals", async function () {
        const name = harness().uniqueName("reg");
        const info = await regional.cluster.createCluster(
            clusterReq(name, "1.34", [pool("web", { desired: 3, min: 3, max: 9 })]),
        );
        const [np] = await raw.getNodePool({ name: poolPath("us-central1", name, "web") });
        assert.equal(np.initialNodeCount, 1, "initialNodeCount is per zone");
        assert.equal(np.locations?.length, 3);
        assert.deepEqual([np.autoscaling?.totalMinNodeCount, np.autoscaling?.totalMaxNodeCount], [3, 9]);
        const web = info.nodeGroups[0];
        assert.deepEqual([web.desiredNodeSize, web.minNodeSize, web.maxNodeSize, web.nodes.length], [3, 3, 9, 3]);
        const refused = await regional.cluster
            .addNodeGroup(info.iid, pool("odd", { desired: 2, min: 0, max: 3 }))
            .catch((err: unknown) => err);
        assert.ok(refused instanceof ValidationError, `expected a ValidationError, got ${String(refused)}`);
        assert.match(refused.message, /desiredNodeSize.*multiple of 3/);
        assert.equal((await regional.cluster.getCluster(info.iid)).nodeGroups.length, 1, "nothing was created");
    });

    it("keeps the bounds while GKE's autoscaler is off, scales to zero, and restores them when on", async function () {
        const name = harness().uniqueName("fix");
        const info = await zonal.cluster.createCluster(
            clusterReq(name, "1.34", [pool("web", { desired: 2, min: 1, max: 4 })]),
        );
        const web = info.nodeGroups[0].iid;
        const off = await zonal.cluster.setNodeGroupAutoScaling(info.iid, web, false);
        assert.deepEqual([off.onAutoScaling, off.minNodeSize, off.maxNodeSize], [false, 1, 4]);
        const zero = await zonal.cluster.changeNodeGroupScaling(info.iid, web, {
            desiredNodeSize: 0,
            minNodeSize: 0,
            maxNodeSize: 5,
        });
        assert.deepEqual([zero.desiredNodeSize, zero.nodes.length, zero.minNodeSize, zero.maxNodeSize], [0, 0, 0, 5]);
        const [np] = await raw.getNodePool({ name: poolPath(CONTRACT_ZONE, name, "web") });
        assert.notEqual(np.autoscaling?.enabled, true, "a size and bounds while off never turn GKE's autoscaler on");
        const on = await zonal.cluster.setNodeGroupAutoScaling(info.iid, web, true);
        assert.deepEqual([on.onAutoScaling, on.minNodeSize, on.maxNodeSize], [true, 0, 5]);
    });

    it("waits out an operation already running on the cluster, then applies its own", async function () {
        const name = harness().uniqueName("busy");
        const info = await zonal.cluster.createCluster(
            clusterReq(name, "1.34", [pool("web", { desired: 1, min: 1, max: 3 })]),
        );
        const [op] = await raw.setNodePoolSize({ name: poolPath(CONTRACT_ZONE, name, "web"), nodeCount: 2 });
        const opName = `projects/spider-test/locations/${CONTRACT_ZONE}/operations/${op.name ?? ""}`;
        await harness().fake.clearRequests();
        // The other operation finishes only as it is polled, as a real one finishes in its own time.
        const other = (async () => {
            for (let polls = 0; polls < 50; polls++) {
                const [current] = await raw.getOperation({ name: opName });
                if (String(current.status) === "DONE") return;
                await new Promise(resolve => setTimeout(resolve, 20));
            }
        })();
        const [tagged] = await Promise.all([zonal.cluster.changeClusterTags(info.iid, { stage: "busy" }), other]);
        assert.deepEqual(tagged, { stage: "busy" });
        const setLabels = (await harness().fake.requests()).filter(r => r.path.endsWith(":setResourceLabels"));
        assert.ok(setLabels.length >= 2, `refused while busy, then sent again (${setLabels.length} sends)`);
    });

    it("reads a create operation that ends DONE with an error as a failure and removes the cluster", async function () {
        const name = harness().uniqueName("bad");
        await harness().fake.failNext({ method: "POST", path: /\/clusters$/, asOperationError: true });
        const failed = await zonal.cluster
            .createCluster(clusterReq(name, "1.34", [pool("web", { desired: 1, min: 1, max: 2 })]))
            .catch((err: unknown) => err);
        assert.ok(failed instanceof CloudApiError, `expected a CloudApiError, got ${String(failed)}`);
        assert.match(failed.message, /creating Cluster \(.*\): creating cluster .*: operation .* failed/);
        assert.equal((await harness().fake.inventory()).clusters ?? 0, 0, "nothing is left behind");
    });

    it("upgrades two minor versions one step at a time: control plane, then each node pool", async function () {
        const name = harness().uniqueName("upg");
        const info = await zonal.cluster.createCluster(
            clusterReq(name, "1.33", [
                pool("a", { desired: 1, min: 1, max: 2 }),
                pool("b", { desired: 1, min: 1, max: 2 }),
            ]),
        );
        await harness().fake.clearRequests();
        const upgraded = await zonal.cluster.upgradeCluster(info.iid, "1.35");
        assert.equal(upgraded.version, "1.35");
        assert.deepEqual(
            upgraded.nodeGroups.map(group => group.version),
            ["1.35", "1.35"],
        );
        const writes = (await harness().fake.requests())
            .filter(r => r.method === "PUT")
            .map(r => r.path.replace(/.*\/clusters\//, ""));
        assert.deepEqual(writes, [
            name,
            `${name}/nodePools/a`,
            `${name}/nodePools/b`,
            name,
            `${name}/nodePools/a`,
            `${name}/nodePools/b`,
        ]);
        const downgrade = await zonal.cluster.upgradeCluster(info.iid, "1.34").catch((err: unknown) => err);
        assert.ok(downgrade instanceof ValidationError, "a downgrade is refused before any call");
    });

    it("installs the key pair as the nodes' ssh-keys metadata and records the owner there, not in labels", async function () {
        const name = harness().uniqueName("key");
        const keyPair = "alice:ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake alice@laptop";
        const owned = {
            ...pool("web", { desired: 1, min: 1, max: 2 }),
            keyPair,
            owner: "urn:pulumi:s::p::spider:Cluster::k8s",
        };
        const info = await zonal.cluster.createCluster(clusterReq(name, "1.34", [owned]));
        const [np] = await raw.getNodePool({ name: poolPath(CONTRACT_ZONE, name, "web") });
        assert.equal(np.config?.metadata?.["ssh-keys"], keyPair, "GCE reads SSH keys from this metadata key");
        assert.equal(np.config?.metadata?.["spider-owner"], owned.owner);
        assert.ok(!Object.keys(np.config?.labels ?? {}).some(key => /key|owner/.test(key)), "nothing in node labels");
        assert.deepEqual([info.nodeGroups[0].keyPair, info.nodeGroups[0].owner], [keyPair, owned.owner]);
    });

    it("hands out a kubeconfig that authenticates with gke-gcloud-auth-plugin", async function () {
        const name = harness().uniqueName("kube");
        const info = await zonal.cluster.createCluster(
            clusterReq(name, "1.34", [pool("web", { desired: 1, min: 1, max: 2 })]),
        );
        assert.ok(info.endpoint.startsWith("https://"));
        assert.match(info.kubeconfig, /server: https:\/\//);
        assert.match(info.kubeconfig, /command: gke-gcloud-auth-plugin/);
        assert.ok(info.kubeconfig.includes(info.endpoint));
        assert.doesNotMatch(info.kubeconfig, /token:|password:/, "no credential is written into it");
    });
});
