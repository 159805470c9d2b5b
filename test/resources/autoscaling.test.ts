import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalCloud } from "../../provider/drivers/local/store";
import { clusterImpl } from "../../provider/resources/cluster";
import { Props, ResourceImpl } from "../../provider/resources/common";
import { nodeGroupImpl } from "../../provider/resources/nodeGroup";

/**
 * Node-group scaling that cooperates with a cluster autoscaler, on the local cloud (whose
 * `resizeNodeGroupOutOfBand` plays the autoscaler), driven as the engine drives a resource:
 * check, diff, update, read (= refresh).
 */
describe("scaling cooperates with autoscalers", () => {
    let dir: string;
    let cloud: LocalCloud;
    let conn: Props;
    const cfg = {};

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-autoscale-"));
        cloud = new LocalCloud(dir);
        conn = { driver: "local", localStateDir: dir };
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function checked(impl: ResourceImpl, olds: Props, news: Props): Promise<Props> {
        const r = await impl.check(olds, news, cfg);
        assert.deepStrictEqual(r.failures ?? [], []);
        return r.inputs as Props;
    }

    /** One `pulumi up` of `args` over `olds`: returns the outputs, or the olds when the diff is empty. */
    async function up(
        impl: ResourceImpl,
        id: string,
        olds: Props,
        args: Props,
    ): Promise<{ outs: Props; changed: boolean }> {
        const news = await checked(impl, olds, args);
        const d = await impl.diff(id, olds, news, cfg);
        assert.deepStrictEqual(d.replaces ?? [], [], "scaling never replaces");
        if (!d.changes) return { outs: olds, changed: false };
        return { outs: (await impl.update(id, olds, news, cfg)).outs, changed: true };
    }

    async function refresh(impl: ResourceImpl, id: string, olds: Props): Promise<Props> {
        const r = await impl.read(id, olds, cfg);
        assert.ok(r.props, "the resource must still exist");
        return r.props;
    }

    async function cloudGroup(
        clusterName: string,
        ngName: string,
    ): Promise<{ desired: number; min: number; max: number; nodes: number }> {
        const ng = (await cloud.snapshot()).clusters
            .find(c => c.name === clusterName)
            ?.nodeGroups.find(g => g.name === ngName);
        assert.ok(ng, `node group ${ngName} must exist`);
        return { desired: ng.desiredNodeSize, min: ng.minNodeSize, max: ng.maxNodeSize, nodes: ng.nodes.length };
    }

    describe("NodeGroup", () => {
        let clusterId = "";
        let clusterName = "";
        let id = "";
        let state: Props = {};
        const args = (over: Props = {}): Props => ({
            connection: conn,
            cluster: clusterId,
            nodeGroupName: "workers",
            vmSpec: "small",
            onAutoScaling: true,
            desiredNodeSize: 2,
            minNodeSize: 1,
            maxNodeSize: 5,
            ...over,
        });

        before(async () => {
            const inputs = await checked(
                clusterImpl,
                {},
                {
                    connection: conn,
                    clusterName: "k8s-scale",
                    version: "1.30",
                    network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
                    nodeGroups: [
                        { name: "default", vmSpec: "small", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 2 },
                    ],
                },
            );
            const created = await clusterImpl.create(inputs, cfg);
            clusterId = created.id;
            clusterName = "k8s-scale";
            const ng = await nodeGroupImpl.create(await checked(nodeGroupImpl, {}, args()), cfg);
            id = ng.id;
            state = ng.outs;
        });

        it("keeps the autoscaler's size when autoscaling is on: after refresh, no diff", async () => {
            await cloud.resizeNodeGroupOutOfBand(clusterName, "workers", 4);
            state = await refresh(nodeGroupImpl, id, state);
            assert.strictEqual(state.desiredNodeSize, 2, "the declared size stays in state");
            assert.strictEqual(state.currentNodeSize, 4, "the cloud's size is an output of its own");
            const res = await up(nodeGroupImpl, id, state, args());
            assert.strictEqual(res.changed, false, "an autoscaler's size inside [min, max] is no diff");
            assert.deepStrictEqual(await cloudGroup(clusterName, "workers"), { desired: 4, min: 1, max: 5, nodes: 4 });
        });

        it("changing maxNodeSize sends the bounds and keeps the autoscaler's size", async () => {
            const res = await up(nodeGroupImpl, id, state, args({ maxNodeSize: 6 }));
            assert.ok(res.changed);
            state = res.outs;
            assert.deepStrictEqual(await cloudGroup(clusterName, "workers"), { desired: 4, min: 1, max: 6, nodes: 4 });
            assert.strictEqual(state.desiredNodeSize, 2);
            assert.strictEqual(state.currentNodeSize, 4);
        });

        it("lowering maxNodeSize below the current size clamps it to the new bound", async () => {
            const res = await up(nodeGroupImpl, id, state, args({ maxNodeSize: 3 }));
            state = res.outs;
            assert.deepStrictEqual(await cloudGroup(clusterName, "workers"), { desired: 3, min: 1, max: 3, nodes: 3 });
        });

        it("a changed desiredNodeSize is an explicit request and is applied", async () => {
            await cloud.resizeNodeGroupOutOfBand(clusterName, "workers", 1);
            state = await refresh(nodeGroupImpl, id, state);
            const res = await up(nodeGroupImpl, id, state, args({ maxNodeSize: 3, desiredNodeSize: 3 }));
            state = res.outs;
            assert.deepStrictEqual(await cloudGroup(clusterName, "workers"), { desired: 3, min: 1, max: 3, nodes: 3 });
            assert.strictEqual(state.desiredNodeSize, 3);
        });

        it("turning autoscaling off enforces the declared size in the same update", async () => {
            await cloud.resizeNodeGroupOutOfBand(clusterName, "workers", 1);
            state = await refresh(nodeGroupImpl, id, state);
            const res = await up(
                nodeGroupImpl,
                id,
                state,
                args({ maxNodeSize: 3, desiredNodeSize: 3, onAutoScaling: false }),
            );
            state = res.outs;
            assert.strictEqual((await cloudGroup(clusterName, "workers")).desired, 3);
        });

        it("with autoscaling off, an out-of-band resize is drift: refresh shows it and up restores the declared size", async () => {
            await cloud.resizeNodeGroupOutOfBand(clusterName, "workers", 2);
            state = await refresh(nodeGroupImpl, id, state);
            assert.strictEqual(state.desiredNodeSize, 2, "with autoscaling off the cloud's size is reported");
            const res = await up(
                nodeGroupImpl,
                id,
                state,
                args({ maxNodeSize: 3, desiredNodeSize: 3, onAutoScaling: false }),
            );
            assert.ok(res.changed, "the drift is a diff");
            assert.strictEqual((await cloudGroup(clusterName, "workers")).desired, 3);
        });
    });

    describe("Cluster.nodeGroups", () => {
        let id = "";
        let state: Props = {};
        const args = (group: Props = {}): Props => ({
            connection: conn,
            clusterName: "k8s-inline",
            version: "1.30",
            network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
            nodeGroups: [
                { name: "default", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 5, ...group },
            ],
        });

        before(async () => {
            const created = await clusterImpl.create(await checked(clusterImpl, {}, args()), cfg);
            id = created.id;
            state = created.outs;
        });

        it("keeps the autoscaler's size when autoscaling is on, and through a change of the bounds", async () => {
            await cloud.resizeNodeGroupOutOfBand("k8s-inline", "default", 4);
            state = await refresh(clusterImpl, id, state);
            const group = (state.nodeGroups as Props[])[0];
            assert.strictEqual(group.desiredNodeSize, 2);
            assert.strictEqual(group.currentNodeSize, 4);
            assert.strictEqual((await up(clusterImpl, id, state, args())).changed, false);
            const res = await up(clusterImpl, id, state, args({ maxNodeSize: 6 }));
            assert.ok(res.changed);
            assert.deepStrictEqual(await cloudGroup("k8s-inline", "default"), { desired: 4, min: 1, max: 6, nodes: 4 });
        });
    });
});
