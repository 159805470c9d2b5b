import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalCloud } from "../../provider/drivers/local/store";
import { clusterImpl } from "../../provider/resources/cluster";
import { PartialFailure, Props } from "../../provider/resources/common";
import { nlbImpl } from "../../provider/resources/nlb";
import { nlbVmGroupImpl } from "../../provider/resources/nlbVmGroup";
import { nodeGroupImpl } from "../../provider/resources/nodeGroup";
import { CallLog, spyOnLocalDriver } from "../support/spy";

/** Lifecycles of the four resources against the local cloud, as the engine drives them. */
describe("resource lifecycles on the local driver", () => {
    let dir: string;
    let cloud: LocalCloud;
    let spy: CallLog;
    let conn: Props;
    const cfg = {};

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-life-"));
        cloud = new LocalCloud(dir);
        conn = { driver: "local", localStateDir: dir };
        spy = spyOnLocalDriver();
    });
    after(() => {
        spy.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function checked(impl: typeof nlbImpl, olds: Props, news: Props): Promise<Props> {
        const r = await impl.check(olds, news, cfg);
        assert.deepStrictEqual(r.failures, []);
        return r.inputs as Props;
    }

    async function apply(
        impl: typeof nlbImpl,
        id: string,
        olds: Props,
        newsRaw: Props,
    ): Promise<{ outs: Props; calls: string[] }> {
        const news = await checked(impl, olds, newsRaw);
        const d = await impl.diff(id, olds, news, cfg);
        assert.deepStrictEqual(d.replaces, [], "must be an in-place update");
        assert.strictEqual(d.changes, true);
        spy.reset();
        const r = await impl.update(id, olds, news, cfg);
        const calls = spy.calls.filter(c => !/\.(get|list)/.test(c));
        return { outs: r.outs, calls };
    }

    describe("Nlb", () => {
        let id: string;
        let outs: Props;
        let args: Props;

        it("creates with two VMs and reports effective values", async () => {
            args = {
                connection: conn,
                pulumiName: "web",
                vpc: "vpc-local",
                listener: { protocol: "TCP", port: 80 },
                vmGroup: { port: 8080, vms: ["vm-1", "vm-2"] },
            };
            const inputs = await checked(nlbImpl, {}, args);
            const r = await nlbImpl.create(inputs, cfg);
            id = r.id;
            outs = r.outs;
            assert.match(id, /.+/);
            assert.strictEqual(outs.nlbId, id);
            assert.deepStrictEqual((outs.vmGroup as Props).vms, ["vm-1", "vm-2"]);
            assert.deepStrictEqual(outs.healthChecker, {
                protocol: "TCP",
                port: 8080,
                interval: 10,
                timeout: 5,
                threshold: 3,
                unhealthyThreshold: 3,
                path: "",
            });
            assert.ok(!Number.isNaN(Date.parse(outs.createdTime as string)));
            assert.ok(!JSON.stringify(outs).includes("null"), "no undefined/null leaks into outputs");
            const again = await nlbImpl.diff(id, outs, await checked(nlbImpl, inputs, args), cfg);
            assert.strictEqual(again.changes, false, "no perpetual diff right after create");
        });

        it("changes the listener port in place with one driver call and keeps the id", async () => {
            const r = await apply(nlbImpl, id, outs, { ...args, listener: { protocol: "TCP", port: 81 } });
            assert.deepStrictEqual(r.calls, ["nlb.changeListener"]);
            assert.strictEqual(r.outs.nlbId, id);
            assert.strictEqual((r.outs.listener as Props).port, 81);
            outs = r.outs;
            args = { ...args, listener: { protocol: "TCP", port: 81 } };
        });

        it("adds and removes VMs by delta only", async () => {
            const r = await apply(nlbImpl, id, outs, { ...args, vmGroup: { port: 8080, vms: ["vm-2", "vm-4"] } });
            assert.deepStrictEqual(r.calls, ["nlb.removeVms", "nlb.addVms"]);
            assert.deepStrictEqual([...((r.outs.vmGroup as Props).vms as string[])].sort(), ["vm-2", "vm-4"]);
            outs = r.outs;
            args = { ...args, vmGroup: { port: 8080, vms: ["vm-2", "vm-4"] } };
        });

        it("tunes the health checker in place", async () => {
            const r = await apply(nlbImpl, id, outs, {
                ...args,
                healthChecker: { protocol: "HTTP", interval: 30, timeout: 10, threshold: 5, path: "/healthz" },
            });
            assert.deepStrictEqual(r.calls, ["nlb.changeHealthCheckerInfo"]);
            assert.deepStrictEqual(r.outs.healthChecker, {
                protocol: "HTTP",
                port: 8080,
                interval: 30,
                timeout: 10,
                threshold: 5,
                unhealthyThreshold: 5,
                path: "/healthz",
            });
            outs = r.outs;
            args = {
                ...args,
                healthChecker: { protocol: "HTTP", interval: 30, timeout: 10, threshold: 5, path: "/healthz" },
            };
        });

        it("reports health from the VMs' state", async () => {
            await cloud.setVmState("vm-4", "stopped");
            const r = await nlbImpl.read(id, outs, cfg);
            assert.deepStrictEqual((r.props!.health as Props).unhealthy, ["vm-4"]);
            await cloud.setVmState("vm-4", "running");
        });

        it("leaves VMs attached by an NlbVmGroup alone, and the group leaves the Nlb's alone", async () => {
            const g = await nlbVmGroupImpl.create(
                await checked(nlbVmGroupImpl, {}, { connection: conn, nlb: id, vms: ["vm-5"] }),
                cfg,
            );
            const read = await nlbImpl.read(id, outs, cfg);
            assert.deepStrictEqual([...((read.props!.vmGroup as Props).vms as string[])].sort(), ["vm-2", "vm-4"]);
            assert.deepStrictEqual([...(read.props!.vms as string[])].sort(), ["vm-2", "vm-4", "vm-5"]);
            const d = await nlbImpl.diff(id, read.props!, await checked(nlbImpl, outs, args), cfg);
            assert.strictEqual(d.changes, false);
            await nlbVmGroupImpl.delete(g.id, g.outs, cfg);
            const after = await nlbImpl.read(id, outs, cfg);
            assert.deepStrictEqual([...(after.props!.vms as string[])].sort(), ["vm-2", "vm-4"]);
        });

        it("sees out-of-band drift on refresh and drops a deleted NLB from state", async () => {
            await cloud.deleteNlbOutOfBand(outs.nlbName as string);
            const r = await nlbImpl.read(id, outs, cfg);
            assert.strictEqual(r.id, undefined);
            await nlbImpl.delete(id, outs, cfg);
        });
    });

    describe("rollback and partial failure", () => {
        it("a failed create leaves nothing behind and keeps the original error", async () => {
            const before = await cloud.inventory();
            await cloud.injectFault("createNlb.listener", { message: "injected listener failure" });
            const inputs = await checked(
                nlbImpl,
                {},
                {
                    connection: conn,
                    pulumiName: "bad",
                    vpc: "vpc-local",
                    listener: { protocol: "TCP", port: 80 },
                    vmGroup: { port: 8080, vms: ["vm-1"] },
                },
            );
            await assert.rejects(nlbImpl.create(inputs, cfg), (e: Error) =>
                /^creating Nlb \(bad-[0-9a-f]{4}\): .*injected listener failure/.test(e.message),
            );
            assert.deepStrictEqual(await cloud.inventory(), before);
        });

        it("a failed create whose rollback also fails keeps the NLB in state (id + __provider), and delete removes it", async () => {
            const before = await cloud.inventory();
            await cloud.injectFault("createNlb.listener", { message: "injected listener failure" });
            await cloud.injectFault("deleteNlb.loadBalancer", { times: 5, message: "injected rollback failure" });
            const inputs = {
                ...(await checked(
                    nlbImpl,
                    {},
                    {
                        connection: conn,
                        pulumiName: "orph",
                        vpc: "vpc-local",
                        listener: { protocol: "TCP", port: 80 },
                        vmGroup: { port: 8080, vms: ["vm-1"] },
                    },
                )),
                __provider: "PROVIDER",
            };
            let err: unknown;
            try {
                await nlbImpl.create(inputs, cfg);
            } catch (e) {
                err = e;
            }
            assert.ok(err instanceof PartialFailure, `expected PartialFailure, got ${String(err)}`);
            const pf = err as PartialFailure;
            assert.match(pf.message, /creating Nlb \(orph-[0-9a-f]{4}\): .*injected listener failure/);
            assert.strictEqual(pf.properties.__provider, "PROVIDER");
            assert.strictEqual(pf.properties.nlbId, pf.id);
            assert.strictEqual(
                (await cloud.inventory()).nlbs,
                before.nlbs + 1,
                "the leftover NLB is the one kept in state",
            );
            await cloud.clearFaults();
            await nlbImpl.delete(pf.id, pf.properties, cfg);
            assert.deepStrictEqual(await cloud.inventory(), before);
        });

        it("a create refused because the name is taken records nothing, so destroy can never delete the other owner's object", async () => {
            const base = {
                connection: conn,
                vpc: "vpc-local",
                listener: { protocol: "TCP", port: 80 },
                vmGroup: { port: 8080, vms: ["vm-1"] },
            };
            const owner = await nlbImpl.create(
                await checked(nlbImpl, {}, { ...base, pulumiName: "owner", nlbName: "taken-name" }),
                cfg,
            );
            const clash = await checked(nlbImpl, {}, { ...base, pulumiName: "clash", nlbName: "taken-name" });
            const nlbErr = await nlbImpl.create({ ...clash, __provider: "PROVIDER" }, cfg).then(
                () => undefined,
                (e: unknown) => e,
            );
            assert.ok(
                nlbErr instanceof Error && !(nlbErr instanceof PartialFailure),
                `expected a plain error, got ${String(nlbErr)}`,
            );
            assert.match(nlbErr.message, /^creating Nlb \(taken-name\): .*already exists/);

            const clusterArgs = {
                connection: conn,
                version: "1.30",
                network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
                clusterName: "taken-cluster",
                nodeGroups: [],
            };
            const cluster = await clusterImpl.create(
                await checked(clusterImpl, {}, { ...clusterArgs, pulumiName: "k-owner" }),
                cfg,
            );
            const clusterErr = await clusterImpl
                .create(
                    {
                        ...(await checked(clusterImpl, {}, { ...clusterArgs, pulumiName: "k-clash" })),
                        __provider: "PROVIDER",
                    },
                    cfg,
                )
                .then(
                    () => undefined,
                    (e: unknown) => e,
                );
            assert.ok(
                clusterErr instanceof Error && !(clusterErr instanceof PartialFailure),
                `expected a plain error, got ${String(clusterErr)}`,
            );

            const ngArgs = {
                connection: conn,
                cluster: cluster.id,
                nodeGroupName: "taken-ng",
                vmSpec: "small",
                desiredNodeSize: 1,
                minNodeSize: 1,
                maxNodeSize: 2,
            };
            const ng = await nodeGroupImpl.create(
                await checked(nodeGroupImpl, {}, { ...ngArgs, pulumiName: "ng-owner" }),
                cfg,
            );
            const ngErr = await nodeGroupImpl
                .create(
                    {
                        ...(await checked(nodeGroupImpl, {}, { ...ngArgs, pulumiName: "ng-clash" })),
                        __provider: "PROVIDER",
                    },
                    cfg,
                )
                .then(
                    () => undefined,
                    (e: unknown) => e,
                );
            assert.ok(
                ngErr instanceof Error && !(ngErr instanceof PartialFailure),
                `expected a plain error, got ${String(ngErr)}`,
            );

            assert.strictEqual(
                (await nlbImpl.read(owner.id, owner.outs, cfg)).id,
                owner.id,
                "the owner's NLB is untouched",
            );
            assert.strictEqual(
                (await nodeGroupImpl.read(ng.id, ng.outs, cfg)).id,
                ng.id,
                "the owner's node group is untouched",
            );
            await nodeGroupImpl.delete(ng.id, ng.outs, cfg);
            await clusterImpl.delete(cluster.id, cluster.outs, cfg);
            await nlbImpl.delete(owner.id, owner.outs, cfg);
        });

        it("adoption refuses every field that would replace the adopted object, naming it, and creates nothing", async () => {
            const clusterArgs = {
                connection: conn,
                version: "1.30",
                network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
                clusterName: "adopt-me",
                nodeGroups: [],
            };
            const cluster = await clusterImpl.create(
                await checked(clusterImpl, {}, { ...clusterArgs, pulumiName: "orig" }),
                cfg,
            );
            const ng = await nodeGroupImpl.create(
                await checked(
                    nodeGroupImpl,
                    {},
                    {
                        connection: conn,
                        pulumiName: "orig-ng",
                        cluster: cluster.id,
                        nodeGroupName: "adopt-ng",
                        vmSpec: "small",
                        rootDiskSize: 50,
                        desiredNodeSize: 1,
                        minNodeSize: 1,
                        maxNodeSize: 2,
                    },
                ),
                cfg,
            );
            const before = await cloud.inventory();

            const wrongVpc = await checked(
                clusterImpl,
                {},
                {
                    ...clusterArgs,
                    pulumiName: "adopted",
                    adopt: cluster.id,
                    network: { vpc: "vpc-other", subnets: ["subnet-a", "subnet-b"] },
                },
            );
            await assert.rejects(clusterImpl.create(wrongVpc, cfg), (e: Error) =>
                /^adopting Cluster .*network\.vpc: existing "vpc-local", declared "vpc-other"/.test(e.message),
            );
            const wrongDisk = await checked(
                nodeGroupImpl,
                {},
                {
                    connection: conn,
                    pulumiName: "adopted-ng",
                    adopt: ng.id,
                    cluster: cluster.id,
                    nodeGroupName: "adopt-ng",
                    vmSpec: "small",
                    rootDiskSize: 80,
                    desiredNodeSize: 1,
                    minNodeSize: 1,
                    maxNodeSize: 2,
                },
            );
            await assert.rejects(nodeGroupImpl.create(wrongDisk, cfg), (e: Error) =>
                /^adopting NodeGroup .*rootDiskSize: existing 50, declared 80/.test(e.message),
            );
            assert.deepStrictEqual(await cloud.inventory(), before, "a refused adoption creates nothing");

            const right = await checked(clusterImpl, {}, { ...clusterArgs, pulumiName: "adopted", adopt: cluster.id });
            const adopted = await clusterImpl.create(right, cfg);
            assert.strictEqual(adopted.id, cluster.id);
            assert.strictEqual(
                (await clusterImpl.diff(adopted.id, adopted.outs, right, cfg)).changes,
                false,
                "no changes right after adoption",
            );
            await nodeGroupImpl.delete(ng.id, ng.outs, cfg);
            await clusterImpl.delete(cluster.id, cluster.outs, cfg);
        });

        it("a failed update records what was applied and carries __provider", async () => {
            const args = {
                connection: conn,
                pulumiName: "pf",
                vpc: "vpc-local",
                listener: { protocol: "TCP", port: 80 },
                vmGroup: { port: 8080, vms: ["vm-1"] },
                __provider: "PROVIDER",
            };
            const inputs = await checked(nlbImpl, {}, args);
            const c = await nlbImpl.create({ ...inputs, __provider: "PROVIDER" }, cfg);
            await cloud.injectFault("changeHealthCheckerInfo", { message: "injected" });
            const news = {
                ...(await checked(nlbImpl, inputs, {
                    ...args,
                    listener: { protocol: "TCP", port: 82 },
                    healthChecker: { interval: 20 },
                })),
                __provider: "PROVIDER",
            };
            let err: unknown;
            try {
                await nlbImpl.update(c.id, c.outs, news, cfg);
            } catch (e) {
                err = e;
            }
            assert.ok(err instanceof PartialFailure, `expected PartialFailure, got ${String(err)}`);
            const pf = err as PartialFailure;
            assert.strictEqual(pf.id, c.id);
            assert.strictEqual(pf.properties.__provider, "PROVIDER");
            assert.strictEqual(
                (pf.properties.listener as Props).port,
                82,
                "the listener change that succeeded is recorded",
            );
            assert.strictEqual(
                (pf.properties.healthChecker as Props).interval,
                10,
                "the failed change is not recorded",
            );
            await nlbImpl.delete(c.id, c.outs, cfg);
        });
    });

    describe("Cluster and NodeGroup", () => {
        let id: string;
        let outs: Props;
        let args: Props;
        const ng = { name: "default", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 3 };

        it("creates a cluster with a default node group", async () => {
            args = {
                connection: conn,
                pulumiName: "k8s",
                version: "1.29",
                network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
                nodeGroups: [ng],
            };
            const r = await clusterImpl.create(await checked(clusterImpl, {}, args), cfg);
            id = r.id;
            outs = r.outs;
            assert.strictEqual(outs.status, "Active");
            const groups = outs.nodeGroups as Props[];
            assert.strictEqual(groups.length, 1);
            assert.strictEqual((groups[0].nodes as string[]).length, 2);
            assert.match(outs.kubeconfig as string, /apiVersion: v1/);
            const d = await clusterImpl.diff(id, outs, await checked(clusterImpl, outs, args), cfg);
            assert.strictEqual(d.changes, false, "no perpetual diff right after create");
        });

        it("scales the default node group in place without touching the cluster", async () => {
            const r = await apply(clusterImpl, id, outs, { ...args, nodeGroups: [{ ...ng, desiredNodeSize: 3 }] });
            assert.deepStrictEqual(r.calls, ["cluster.changeNodeGroupScaling"]);
            assert.strictEqual(((r.outs.nodeGroups as Props[])[0].nodes as string[]).length, 3);
            assert.strictEqual(r.outs.clusterId, id);
            outs = r.outs;
            args = { ...args, nodeGroups: [{ ...ng, desiredNodeSize: 3 }] };
        });

        it("upgrades the Kubernetes version in place", async () => {
            const r = await apply(clusterImpl, id, outs, { ...args, version: "1.30" });
            assert.deepStrictEqual(r.calls, ["cluster.upgradeCluster"]);
            assert.strictEqual(r.outs.version, "1.30");
            assert.strictEqual((r.outs.nodeGroups as Props[])[0].version, "1.30");
            outs = r.outs;
            args = { ...args, version: "1.30" };
        });

        it("recreates only the node group whose vmSpec changed, new one first", async () => {
            const r = await apply(clusterImpl, id, outs, {
                ...args,
                nodeGroups: [{ ...ng, desiredNodeSize: 3, vmSpec: "medium" }],
            });
            assert.deepStrictEqual(r.calls, ["cluster.addNodeGroup", "cluster.removeNodeGroup"]);
            const g = (r.outs.nodeGroups as Props[])[0];
            assert.strictEqual(g.vmSpec, "medium");
            assert.match(g.nodeGroupName as string, /^default-[0-9a-f]{4}$/);
            outs = r.outs;
            args = { ...args, nodeGroups: [{ ...ng, desiredNodeSize: 3, vmSpec: "medium" }] };
            const d = await clusterImpl.diff(id, outs, await checked(clusterImpl, outs, args), cfg);
            assert.strictEqual(d.changes, false);
        });

        it("manages a standalone NodeGroup: scaling and autoscaling in place", async () => {
            const inputs = await checked(
                nodeGroupImpl,
                {},
                {
                    connection: conn,
                    pulumiName: "gpu",
                    cluster: id,
                    vmSpec: "large",
                    desiredNodeSize: 1,
                    minNodeSize: 0,
                    maxNodeSize: 4,
                },
            );
            const c = await nodeGroupImpl.create(inputs, cfg);
            const r1 = await apply(nodeGroupImpl, c.id, c.outs, { ...inputs, desiredNodeSize: 2 });
            assert.deepStrictEqual(r1.calls, ["cluster.changeNodeGroupScaling"]);
            const r2 = await apply(nodeGroupImpl, c.id, r1.outs, {
                ...inputs,
                desiredNodeSize: 2,
                onAutoScaling: false,
            });
            assert.deepStrictEqual(r2.calls, ["cluster.setNodeGroupAutoScaling"]);
            assert.strictEqual(r2.outs.onAutoScaling, false);
            const read = await clusterImpl.read(id, outs, cfg);
            assert.strictEqual(
                (read.props!.nodeGroups as Props[]).length,
                1,
                "the cluster does not claim the standalone group",
            );
            await nodeGroupImpl.delete(c.id, r2.outs, cfg);
        });

        it("deletes the cluster and leaves nothing behind", async () => {
            await clusterImpl.delete(id, outs, cfg);
            assert.strictEqual((await clusterImpl.read(id, outs, cfg)).id, undefined);
            const inv = await cloud.inventory();
            assert.strictEqual(inv.clusters, 0);
            assert.strictEqual(inv.nodeGroups, 0);
        });
    });
});
