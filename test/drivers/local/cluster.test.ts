import assert from "node:assert/strict";
import type { ClusterReq, Iid, NodeGroupInfo, NodeGroupReq } from "../../../provider/interface/driver";
import { open } from "../../../provider/drivers/local";
import { assertPlainInfo, expectCode } from "../../contract/nlb.contract";
import { freshLocalCloud, LocalFixture } from "./helpers";

function ngReq(name: string, overrides: Partial<NodeGroupReq> = {}): NodeGroupReq {
    return {
        iid: { nameId: name, systemId: "" },
        image: "",
        vmSpec: "small",
        rootDiskType: "",
        rootDiskSize: 0,
        keyPair: "",
        onAutoScaling: false,
        desiredNodeSize: 2,
        minNodeSize: 1,
        maxNodeSize: 3,
        ...overrides,
    };
}

function clusterReq(name: string, overrides: Partial<ClusterReq> = {}): ClusterReq {
    return {
        iid: { nameId: name, systemId: "" },
        version: "1.28",
        network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"], securityGroups: [] },
        nodeGroups: [ngReq("ng-a")],
        tags: {},
        ...overrides,
    };
}

function issueProps(err: Error): string[] {
    return ((err as { issues?: { property: string }[] }).issues ?? []).map(i => i.property);
}

const byName = (nameId: string): Iid => ({ nameId, systemId: "" });

/** Polls `read` until `stop` resolves, collecting what it saw (NotFound counts as not there yet). */
async function observeWhile<T>(stop: Promise<unknown>, read: () => Promise<T>): Promise<T[]> {
    let done = false;
    stop.then(
        () => {
            done = true;
        },
        () => {
            done = true;
        },
    );
    const seen: T[] = [];
    while (!done) {
        try {
            seen.push(await read());
        } catch (err) {
            if ((err as { code?: string }).code !== "NotFound") throw err;
        }
    }
    return seen;
}

describe("local driver: cluster behaviour", function () {
    let f: LocalFixture;

    beforeEach(function () {
        f = freshLocalCloud();
    });

    afterEach(function () {
        f.cleanup();
    });

    it("creates a cluster whose kubeconfig points at https://<id>.k8s.local with a token", async function () {
        const info = await f.driver.cluster.createCluster(clusterReq("k1"));
        assertPlainInfo(info);
        assert.equal(info.endpoint, `https://${info.iid.systemId}.k8s.local`);
        assert.match(info.kubeconfig, /^apiVersion: v1\nkind: Config\n/);
        assert.ok(info.kubeconfig.includes(`server: ${info.endpoint}\n`));
        assert.match(info.kubeconfig, /current-context: k1\n/);
        assert.match(info.kubeconfig, /token: [0-9a-f]{48}\n/);
        const ng = info.nodeGroups[0];
        assert.deepEqual(
            { image: ng.image, rootDiskType: ng.rootDiskType, rootDiskSize: ng.rootDiskSize },
            { image: "ubuntu-22.04", rootDiskType: "standard", rootDiskSize: 50 },
            "effective defaults are reported",
        );
        assert.equal(new Set(ng.nodes).size, 2);
    });

    describe("transitional states", function () {
        it("shows Creating to a concurrent reader while createCluster returns only when Active", async function () {
            await f.cloud.setPolls(5);
            const slow = open({ driver: "local", localStateDir: f.dir }, { poll: { minDelayMs: 20, maxDelayMs: 40 } });
            const creating = slow.cluster.createCluster(clusterReq("k-slow"));
            const seen = await observeWhile(creating, async () => {
                const c = await f.driver.cluster.getCluster(byName("k-slow"));
                return `${c.status}/${c.nodeGroups.map(g => g.status).join(",")}`;
            });
            const info = await creating;
            assert.equal(info.status, "Active");
            assert.equal(info.nodeGroups[0].status, "Active");
            assert.ok(seen.includes("Creating/"), `control plane Creating not seen: ${seen.join(" ")}`);
            assert.ok(seen.includes("Active/Creating"), `node group Creating not seen: ${seen.join(" ")}`);
        });

        it("keeps the old node count while a scaling update is Updating, then follows desired", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-scale"));
            await f.cloud.setPolls(5);
            const slow = open({ driver: "local", localStateDir: f.dir }, { poll: { minDelayMs: 20, maxDelayMs: 40 } });
            const scaling = slow.cluster.changeNodeGroupScaling(byName("k-scale"), byName("ng-a"), {
                desiredNodeSize: 4,
                minNodeSize: 1,
                maxNodeSize: 5,
            });
            const seen = await observeWhile(scaling, () =>
                f.driver.cluster.getNodeGroup(byName("k-scale"), byName("ng-a")),
            );
            const done = await scaling;
            assert.equal(done.nodes.length, 4);
            const updating = seen.filter(g => g.status === "Updating");
            assert.ok(updating.length > 0, "Updating was observed");
            assert.ok(
                updating.every(g => g.nodes.length === 2 && g.desiredNodeSize === 4),
                "nodes change only when the update settles",
            );
        });

        it("refuses a second update of a node group that is still Updating (ResourceInUse)", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-busy"));
            await f.cloud.mutate(s => {
                s.clusters[0].nodeGroups[0].status = "Updating";
                s.clusters[0].nodeGroups[0].pendingPolls = 50;
            });
            const err = await expectCode(
                () => f.driver.cluster.setNodeGroupAutoScaling(byName("k-busy"), byName("ng-a"), true),
                "CloudApi",
            );
            assert.match(err.message, /ResourceInUse: the node group is Updating/);
        });
    });

    describe("upgrades", function () {
        it("steps 1.28 → 1.31 one minor version at a time, node groups after the control plane", async function () {
            await f.driver.cluster.createCluster(
                clusterReq("k-up", { nodeGroups: [ngReq("ng-a"), ngReq("ng-b", { desiredNodeSize: 1 })] }),
            );
            const upgrading = f.driver.cluster.upgradeCluster(byName("k-up"), "1.31");
            const versions: string[] = [];
            let done = false;
            upgrading.then(
                () => {
                    done = true;
                },
                () => {
                    done = true;
                },
            );
            while (!done) {
                const s = await f.cloud.snapshot();
                const c = s.clusters[0];
                const line = `${c.version}|${c.nodeGroups.map(g => g.version).join(",")}`;
                if (versions[versions.length - 1] !== line) versions.push(line);
            }
            const info = await upgrading;
            assert.equal(info.version, "1.31");
            assert.deepEqual(
                info.nodeGroups.map(g => g.version),
                ["1.31", "1.31"],
            );
            const cp = versions.map(v => v.split("|")[0]).filter((v, i, a) => a.indexOf(v) === i);
            assert.deepEqual(cp, ["1.28", "1.29", "1.30", "1.31"], `control plane went ${versions.join(" → ")}`);
            for (const line of versions) {
                const [plane, groups] = line.split("|");
                for (const g of groups.split(","))
                    assert.ok(g <= plane, `node group ${g} ahead of control plane ${plane}`);
            }
        });

        it("refuses a downgrade with a Validation error on version, and an unknown version likewise", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-down", { version: "1.30", nodeGroups: [] }));
            const down = await expectCode(
                () => f.driver.cluster.upgradeCluster(byName("k-down"), "1.29"),
                "Validation",
            );
            assert.deepEqual(issueProps(down), ["version"]);
            assert.match(down.message, /downgrade from 1\.30 to 1\.29/);
            const unknown = await expectCode(
                () => f.driver.cluster.upgradeCluster(byName("k-down"), "1.99"),
                "Validation",
            );
            assert.deepEqual(issueProps(unknown), ["version"]);
            assert.equal((await f.driver.cluster.getCluster(byName("k-down"))).version, "1.30");
        });

        it("brings node groups left behind by an interrupted upgrade up to the control plane", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-lag", { version: "1.29" }));
            await f.cloud.mutate(s => {
                const ng = s.clusters[0].nodeGroups[0];
                ng.version = "1.28";
                ng.targetVersion = "1.28";
            });
            const info = await f.driver.cluster.upgradeCluster(byName("k-lag"), "1.29");
            assert.equal(info.nodeGroups[0].version, "1.29");
        });
    });

    describe("fault injection and rollback", function () {
        it("rolls back a create that fails at a node group after the control plane is Active", async function () {
            await f.cloud.injectFault("createCluster.nodeGroup", { message: "node group quota exceeded" });
            const req = clusterReq("k-half", { nodeGroups: [ngReq("ng-a"), ngReq("ng-b")] });
            const err = await expectCode(() => f.driver.cluster.createCluster(req), "CloudApi");
            assert.equal(err.message, "creating Cluster (k-half): node group quota exceeded");
            assert.equal((err as { cause?: unknown }).cause, undefined, "a clean rollback adds no cause");
            assert.deepEqual(await f.cloud.inventory(), { nlbs: 0, clusters: 0, nodeGroups: 0, other: 0 });
            const retry = await f.driver.cluster.createCluster(req);
            assert.deepEqual(
                retry.nodeGroups.map(g => g.iid.nameId),
                ["ng-a", "ng-b"],
                "the name is free again",
            );
        });

        it("attaches a failed rollback as cause and leaves the undeletable part findable", async function () {
            await f.cloud.injectFault("createCluster.nodeGroup", { message: "no capacity" });
            await f.cloud.injectFault("deleteCluster.controlPlane", { message: "control plane delete refused" });
            const err = await expectCode(() => f.driver.cluster.createCluster(clusterReq("k-stuck")), "CloudApi");
            assert.equal(err.message, "creating Cluster (k-stuck): no capacity");
            assert.match(
                (err as { cause?: Error }).cause?.message ?? "",
                /rollback failed.*control plane delete refused/,
            );
            assert.equal((await f.cloud.inventory()).clusters, 1);
            await f.driver.cluster.deleteCluster(byName("k-stuck"));
            assert.equal((await f.cloud.inventory()).clusters, 0);
        });

        it("deletes node groups before the control plane", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-order", { nodeGroups: [ngReq("ng-a"), ngReq("ng-b")] }));
            await f.cloud.injectFault("deleteCluster.controlPlane", { message: "stop here" });
            await expectCode(() => f.driver.cluster.deleteCluster(byName("k-order")), "CloudApi");
            assert.deepEqual(
                await f.cloud.inventory(),
                { nlbs: 0, clusters: 1, nodeGroups: 0, other: 0 },
                "the node groups were already gone when the control plane delete was attempted",
            );
            await f.driver.cluster.deleteCluster(byName("k-order"));
            assert.equal((await f.cloud.inventory()).clusters, 0);
        });

        it("rolls back a node group whose wait times out", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-ng", { nodeGroups: [] }));
            await f.cloud.setPolls(1000);
            const impatient = open(
                { driver: "local", localStateDir: f.dir },
                { poll: { minDelayMs: 2, maxDelayMs: 10 }, timeouts: { create: 200, delete: 200 } },
            );
            const err = await expectCode(
                () => impatient.cluster.addNodeGroup(byName("k-ng"), ngReq("ng-late")),
                "WaitTimeout",
            );
            assert.match(err.message, /node groups of Cluster \(k-ng\) to be Active/);
            const s = await f.cloud.snapshot();
            assert.equal(
                s.clusters[0].nodeGroups[0]?.status,
                "Deleting",
                "the rollback started deleting the node group",
            );
        });
    });

    describe("validation", function () {
        it("names unknown subnet, VM spec, image and key pair by property path, all at once", async function () {
            const err = await expectCode(
                () =>
                    f.driver.cluster.createCluster(
                        clusterReq("k-bad", {
                            network: { vpc: "vpc-local", subnets: ["subnet-x"], securityGroups: ["sg-nope"] },
                            nodeGroups: [
                                ngReq("ng-a", { vmSpec: "huge" }),
                                ngReq("ng-a", { image: "windows-95", keyPair: "nobody", desiredNodeSize: 9 }),
                            ],
                        }),
                    ),
                "Validation",
            );
            assert.deepEqual(issueProps(err).sort(), [
                "network.securityGroups[0]",
                "network.subnets[0]",
                "nodeGroups[0].vmSpec",
                "nodeGroups[1].desiredNodeSize",
                "nodeGroups[1].iid.nameId",
                "nodeGroups[1].image",
                "nodeGroups[1].keyPair",
            ]);
            assert.equal((await f.cloud.inventory()).clusters, 0);
        });

        it("models EKS's limits for labels, taints, VM specs, capacity, subnets, endpoint access and logs", async function () {
            const err = await expectCode(
                () =>
                    f.driver.cluster.createCluster(
                        clusterReq("k-limits", {
                            endpointAccess: { public: true, private: false, publicCidrs: ["10.0.0.1/8"] },
                            logging: ["kubelet" as "api"],
                            nodeGroups: [
                                ngReq("ng-a", {
                                    labels: { "k8s.io/role": "x" },
                                    taints: Array.from({ length: 51 }, (_, i) => ({
                                        key: `t${i}`,
                                        effect: "NoSchedule" as const,
                                    })),
                                    vmSpecs: Array.from({ length: 21 }, () => "small"),
                                    capacityType: "RESERVED" as "SPOT",
                                    subnets: ["subnet-x"],
                                    maxUnavailable: "0%",
                                }),
                            ],
                        }),
                    ),
                "Validation",
            );
            assert.deepEqual(issueProps(err).sort(), [
                "endpointAccess.publicCidrs[0]",
                "logging[0]",
                "nodeGroups[0].capacityType",
                "nodeGroups[0].labels.k8s.io/role",
                "nodeGroups[0].maxUnavailable",
                "nodeGroups[0].subnets[0]",
                "nodeGroups[0].taints",
                "nodeGroups[0].vmSpecs",
            ]);
            assert.equal((await f.cloud.inventory()).clusters, 0);
        });

        it("checks names, version and scaling limits", async function () {
            const err = await expectCode(
                () =>
                    f.driver.cluster.createCluster(
                        clusterReq("1-starts-with-digit", {
                            version: "1.27",
                            nodeGroups: [ngReq("n".repeat(64), { minNodeSize: 4, maxNodeSize: 101 })],
                        }),
                    ),
                "Validation",
            );
            assert.deepEqual(issueProps(err).sort(), [
                "iid.nameId",
                "nodeGroups[0].iid.nameId",
                "nodeGroups[0].maxNodeSize",
                "version",
            ]);
            await f.driver.cluster.createCluster(clusterReq("k-ok", { nodeGroups: [] }));
            const scaling = await expectCode(
                () => f.driver.cluster.addNodeGroup(byName("k-ok"), ngReq("ng-x", { minNodeSize: 3, maxNodeSize: 2 })),
                "Validation",
            );
            assert.deepEqual(issueProps(scaling), ["minNodeSize"]);
        });

        it("refuses a duplicate node group name with AlreadyExists", async function () {
            await f.driver.cluster.createCluster(clusterReq("k-dup"));
            await expectCode(() => f.driver.cluster.addNodeGroup(byName("k-dup"), ngReq("ng-a")), "AlreadyExists");
        });
    });

    it("treats removal of missing node groups and clusters as success", async function () {
        await f.driver.cluster.removeNodeGroup(byName("nope"), byName("ng"));
        await f.driver.cluster.deleteCluster(byName("nope"));
        const c = await f.driver.cluster.createCluster(clusterReq("k-rm", { nodeGroups: [] }));
        await f.driver.cluster.removeNodeGroup(c.iid, byName("ng-missing"));
        const ng: NodeGroupInfo = await f.driver.cluster.addNodeGroup(
            c.iid,
            ngReq("ng-z", { desiredNodeSize: 0, minNodeSize: 0 }),
        );
        assert.deepEqual(ng.nodes, []);
        await f.driver.cluster.removeNodeGroup(c.iid, { nameId: "", systemId: ng.iid.systemId });
        await expectCode(() => f.driver.cluster.getNodeGroup(c.iid, ng.iid), "NotFound");
    });
});
