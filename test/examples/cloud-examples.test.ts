/**
 * The cloud examples (examples/aws-nlb, examples/aws-eks, examples/gcp-nlb, examples/gcp-gke) run by
 * the real Pulumi CLI against the emulators: the extended moto for AWS and the GCP fake (Compute and
 * GKE) for GCP, both started here and stopped by PID afterwards. Each example is copied into a
 * throw-away project with its own file backend, configured through stack config only (as a user
 * would against the real cloud, plus `endpoint`), and taken through its life:
 *
 *   up → the emulator really holds the objects → preview shows no changes → an in-place change
 *   previews as `update` and `up` keeps the id → (NLBs) `type` PUBLIC→INTERNAL previews as a
 *   replacement and `up` replaces it → (EKS, GKE) scaling, a version upgrade and (GKE) a machine
 *   type change in place → destroy → the emulator holds nothing of ours.
 *
 * Assertions use `--json` step ops, `pulumi stack output --json` and the emulators' own APIs.
 */
import assert from "node:assert/strict";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
    DescribeClusterCommand,
    DescribeNodegroupCommand,
    EKSClient,
    ListClustersCommand,
    ListNodegroupsCommand,
} from "@aws-sdk/client-eks";
import {
    DescribeListenersCommand,
    DescribeLoadBalancersCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import type { PulumiResult } from "../support/pulumi";
import { GcpFake, startGcpFake } from "../support/gcp-fake/launch";
import { FAKE_AWS_ENV, makeVpc, motoClients, REGION } from "../support/moto/fixtures";
import { MotoServer, startMoto } from "../support/moto/launch";
import { isRunning } from "../support/process";
import { ExampleStack, ops } from "./stack";

/** Short waits against the emulators (read by the provider host, see provider/resources/common.ts). */
const FAST_POLL_ENV = { SPIDER_POLL_MIN_MS: "10", SPIDER_POLL_MAX_MS: "100" };
const AWS_ENV = { ...FAST_POLL_ENV, ...FAKE_AWS_ENV };

/**
 * No changes: `pulumi preview --json` lists no step for an unchanged resource (only the stack's
 * own `same`), so assert that no spider resource has a step other than `same` and that the
 * summary counts every resource (plus the stack) as `same` and nothing else.
 */
function assertNoChanges(p: PulumiResult, names: string[]): void {
    for (const [name, o] of Object.entries(ops(p)))
        assert.deepEqual(o, ["same"], `${name}: ${o.join(", ")} in a preview that should show no changes`);
    const summary = Object.fromEntries(Object.entries(p.changeSummary).filter(([, n]) => n !== 0));
    assert.deepEqual(summary, { same: names.length + 1 }, `change summary of a preview that should show no changes`);
}

/** `name` gets exactly `expected`; every other spider resource is `same` or, in a preview, `update` (unknown ids). */
function assertOnly(p: PulumiResult, name: string, expected: string[], othersMay: string[] = ["same"]): void {
    const got = ops(p);
    assert.deepEqual(got[name], expected, `${name}: ${JSON.stringify(got)}`);
    for (const [other, o] of Object.entries(got)) {
        if (other === name) continue;
        for (const op of o)
            assert.ok(
                othersMay.includes(op),
                `${other} got ${op} (allowed: ${othersMay.join(", ")}): ${JSON.stringify(got)}`,
            );
    }
}

/** A replacement in a preview: `replace` (with or without the create/delete halves). */
function isReplacement(o: string[] | undefined): boolean {
    return !!o && (o.includes("replace") || o.includes("create-replacement")) && !o.includes("update");
}

/**
 * Runs the `it`s of one example in order; once one fails, the later ones fail at once with a
 * pointer to it instead of asserting on a stack in an unknown state.
 */
function sequential(suite: Mocha.Suite): void {
    let failed: string | undefined;
    suite.beforeEach(function () {
        if (failed) throw new Error(`not run: an earlier step of this example failed ("${failed}")`);
    });
    suite.afterEach(function () {
        if (this.currentTest?.state === "failed" && !failed) failed = this.currentTest.title;
    });
}

describe("cloud examples: the real pulumi CLI against moto and the GCP fake", function () {
    this.timeout(900_000);

    let moto: MotoServer | undefined;
    let fake: GcpFake | undefined;
    const stacks: ExampleStack[] = [];
    const timings: string[] = [];

    before(async function () {
        this.timeout(300_000);
        const [m, f] = await Promise.allSettled([
            startMoto({ polls: 1, initialPolls: 0 }),
            startGcpFake({ opPolls: 1 }),
        ]);
        if (m.status === "fulfilled") moto = m.value;
        if (f.status === "fulfilled") fake = f.value;
        const why = [m, f]
            .filter((r): r is PromiseRejectedResult => r.status === "rejected")
            .map(r => String(r.reason?.stack ?? r.reason));
        if (why.length > 0)
            throw new Error(`EMULATORS DID NOT START; the cloud examples cannot run:\n${why.join("\n")}`);
    });

    after(async function () {
        this.timeout(300_000);
        // Stacks first (their cleanup may still need the emulators), then the emulators by PID.
        for (const s of stacks) await s.cleanup().catch(e => process.stderr.write(`example cleanup: ${String(e)}\n`));
        const pids = [moto?.pid, fake?.pid].filter((p): p is number => p !== undefined);
        await Promise.all([moto?.stop(), fake?.stop()]);
        for (const pid of pids) assert.ok(!isRunning(pid), `emulator process ${pid} is still running after stop()`);
        if (timings.length > 0)
            process.stdout.write(`\n      pulumi command timings:\n${timings.map(t => `        ${t}`).join("\n")}\n`);
    });

    const newStack = async (example: string, env: Record<string, string>): Promise<ExampleStack> => {
        const s = await ExampleStack.create(example, env);
        stacks.push(s);
        return s;
    };

    // ------------------------------------------------------------------------------------------
    describe("aws: a VPC, subnets and instances made in moto", function () {
        let ec2: EC2Client;
        let elb: ElasticLoadBalancingV2Client;
        let eks: EKSClient;
        let iam: IAMClient;
        let vpc = "";
        let subnets: string[] = [];
        let instances: string[] = [];

        before(async function () {
            assert.ok(moto, "moto is running");
            ({ ec2, elb, eks, iam } = motoClients(moto!.endpoint));
            ({ vpc, subnets, vms: instances } = await makeVpc(ec2, 42, ["a", "b"], 3));
        });

        async function awsInventory(): Promise<{ lbs: string[]; targetGroups: number; clusters: string[] }> {
            const lbs = ((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map(
                l => l.LoadBalancerArn!,
            );
            const targetGroups = ((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).length;
            const clusters = (await eks.send(new ListClustersCommand({}))).clusters ?? [];
            return { lbs, targetGroups, clusters };
        }

        /** The load balancer as moto holds it: scheme, listener ports, registered targets. */
        async function describeLb(arn: string): Promise<{
            scheme: string;
            type: string;
            vpc: string;
            subnets: string[];
            ports: number[];
            targets: string[];
        }> {
            const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })))
                .LoadBalancers?.[0];
            assert.ok(lb, `moto has no load balancer ${arn}`);
            const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
            const targets: string[] = [];
            for (const tg of (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn }))).TargetGroups ??
                []) {
                for (const d of (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn })))
                    .TargetHealthDescriptions ?? []) {
                    targets.push(d.Target!.Id!);
                }
            }
            return {
                scheme: lb.Scheme!,
                type: lb.Type!,
                vpc: lb.VpcId!,
                subnets: (lb.AvailabilityZones ?? []).map(z => z.SubnetId!).sort(),
                ports: listeners.map(l => l.Port!),
                targets: targets.sort(),
            };
        }

        // --------------------------------------------------------------------------------------
        describe("examples/aws-nlb", function () {
            sequential(this);
            let s: ExampleStack;
            let firstId = "";

            before(async function () {
                s = await newStack("aws-nlb", AWS_ENV);
                await s.config({
                    endpoint: moto!.endpoint,
                    region: REGION,
                    vpc,
                    subnets,
                    vms: instances.slice(0, 2),
                    extraVms: instances[2],
                    listenerPort: 80,
                    type: "PUBLIC",
                });
            });
            after(() => {
                timings.push(`aws-nlb: ${s?.timings() ?? "-"}`);
            });

            it("pulumi up creates the Nlb and the NlbVmGroup, and moto holds the load balancer", async () => {
                const r = await s.up();
                assert.deepEqual(ops(r), { web: ["create"], extra: ["create"] });
                const out = await s.outputs();
                firstId = out.nlbId;
                // Real AWS names network load balancers `loadbalancer/net/…`; moto 5.2 writes `app/` for every type.
                assert.match(firstId, /^arn:aws:elasticloadbalancing:us-east-1:\d+:loadbalancer\/(net|app)\//);
                assert.equal(out.type, "PUBLIC");
                assert.equal(out.listener.port, 80);
                assert.ok(out.dnsName, "the listener has a DNS name");
                assert.deepEqual([...out.vmGroup.vms].sort(), instances.slice(0, 2).sort());
                assert.deepEqual(out.extraGroupVms, [instances[2]]);
                const state = await s.resources();
                assert.equal(state.get("web")?.id, firstId);
                assert.ok(state.get("extra")?.id, "the NlbVmGroup has an id in state");

                const lb = await describeLb(firstId);
                assert.equal(lb.type, "network");
                assert.equal(lb.scheme, "internet-facing");
                assert.equal(lb.vpc, vpc);
                assert.deepEqual(lb.subnets, [...subnets].sort());
                assert.deepEqual(lb.ports, [80]);
                assert.deepEqual(
                    lb.targets,
                    [...instances].sort(),
                    "the Nlb's two instances and the NlbVmGroup's one are registered",
                );
                assert.deepEqual((await awsInventory()).lbs, [firstId]);
            });

            it("a second preview shows no changes", async () => {
                assertNoChanges(await s.preview(), ["web", "extra"]);
            });

            it("listenerPort 80→8080 previews as an update and up keeps the load balancer's ARN", async () => {
                await s.config({ listenerPort: 8080 });
                // The NlbVmGroup may show `update` in preview: the Nlb's id is unknown while it updates (README, "Preview caveat").
                assertOnly(await s.preview(), "web", ["update"], ["same", "update"]);
                const r = await s.up();
                assertOnly(r, "web", ["update"]);
                const out = await s.outputs();
                assert.equal(out.nlbId, firstId, "the NLB kept its ARN");
                assert.equal((await s.resources()).get("web")?.id, firstId, "the resource id in state is unchanged");
                assert.equal(out.listener.port, 8080);
                const lb = await describeLb(firstId);
                assert.deepEqual(lb.ports, [8080]);
                assert.deepEqual(lb.targets, [...instances].sort(), "no instance was detached");
                assertNoChanges(await s.preview(), ["web", "extra"]);
            });

            it("type PUBLIC→INTERNAL previews as a replacement and up replaces the load balancer", async () => {
                await s.config({ type: "INTERNAL" });
                const p = await s.preview();
                assert.ok(isReplacement(ops(p).web), `web should be replaced: ${JSON.stringify(ops(p))}`);
                const r = await s.up();
                const got = ops(r);
                assert.ok(isReplacement(got.web), `web: ${JSON.stringify(got)}`);
                const out = await s.outputs();
                assert.notEqual(out.nlbId, firstId, "a replacement has a new ARN");
                assert.equal(out.type, "INTERNAL");
                const lb = await describeLb(out.nlbId);
                assert.equal(lb.scheme, "internal");
                assert.deepEqual(lb.ports, [8080]);
                assert.deepEqual(
                    lb.targets,
                    [...instances].sort(),
                    "the NlbVmGroup re-attached its instance to the new load balancer",
                );
                assert.deepEqual((await awsInventory()).lbs, [out.nlbId], "the old load balancer is gone");
            });

            it("pulumi destroy leaves no load balancer or target group in moto", async () => {
                const r = await s.destroy();
                assert.deepEqual(ops(r), { extra: ["delete"], web: ["delete"] });
                const inv = await awsInventory();
                assert.deepEqual(inv.lbs, []);
                assert.equal(inv.targetGroups, 0);
                assert.equal((await s.resources()).size, 0);
                assert.deepEqual(await s.outputs(), {});
            });
        });

        // --------------------------------------------------------------------------------------
        describe("examples/aws-eks", function () {
            sequential(this);
            let s: ExampleStack;
            let clusterRoleArn = "";
            let clusterId = "";
            let clusterName = "";
            let groups: string[] = [];
            let ids = { k8s: "", workers: "" };

            async function assertIdsKept(): Promise<void> {
                const state = await s.resources();
                assert.deepEqual(
                    { k8s: state.get("k8s")?.id, workers: state.get("workers")?.id },
                    ids,
                    "resource ids in state are unchanged",
                );
            }

            before(async function () {
                // One role given through provider config, the other left to the driver: both paths documented in the example.
                clusterRoleArn = (
                    await iam.send(
                        new CreateRoleCommand({
                            RoleName: "example-eks-cluster-role",
                            AssumeRolePolicyDocument: JSON.stringify({
                                Version: "2012-10-17",
                                Statement: [
                                    {
                                        Effect: "Allow",
                                        Principal: { Service: "eks.amazonaws.com" },
                                        Action: "sts:AssumeRole",
                                    },
                                ],
                            }),
                        }),
                    )
                ).Role!.Arn!;
                s = await newStack("aws-eks", AWS_ENV);
                await s.config({
                    endpoint: moto!.endpoint,
                    region: REGION,
                    vpc,
                    subnets,
                    version: "1.29",
                    desiredSize: 2,
                    workerDesiredSize: 1,
                    "spider:awsClusterRoleArn": clusterRoleArn,
                });
            });
            after(() => {
                timings.push(`aws-eks: ${s?.timings() ?? "-"}`);
            });

            async function nodeGroupsInMoto(): Promise<
                Map<string, { desired: number; version: string; nodeRole: string; status: string }>
            > {
                const m = new Map<string, { desired: number; version: string; nodeRole: string; status: string }>();
                for (const ng of (await eks.send(new ListNodegroupsCommand({ clusterName }))).nodegroups ?? []) {
                    const d = (await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: ng })))
                        .nodegroup!;
                    m.set(ng, {
                        desired: d.scalingConfig!.desiredSize!,
                        version: d.version!,
                        nodeRole: d.nodeRole!,
                        status: d.status!,
                    });
                }
                return m;
            }

            async function runningNodes(nodegroup?: string): Promise<number> {
                const filters = [
                    { Name: "tag:eks:cluster-name", Values: [clusterName] },
                    { Name: "instance-state-name", Values: ["pending", "running"] },
                ];
                if (nodegroup) filters.push({ Name: "tag:eks:nodegroup-name", Values: [nodegroup] });
                const res = await ec2.send(new DescribeInstancesCommand({ Filters: filters }));
                return (res.Reservations ?? []).reduce((n, r) => n + (r.Instances ?? []).length, 0);
            }

            it("pulumi up creates the Cluster (with its default node group) and the NodeGroup, and moto holds them", async () => {
                const r = await s.up();
                assert.deepEqual(ops(r), { k8s: ["create"], workers: ["create"] });
                const out = await s.outputs();
                clusterId = out.clusterId;
                clusterName = out.clusterName;
                assert.ok(clusterId && clusterName, `cluster outputs: ${JSON.stringify(out)}`);
                assert.equal(out.clusterVersion, "1.29");
                assert.equal(out.clusterStatus, "Active");
                assert.equal(out.kubeconfig, "[secret]", "the kubeconfig output is a secret");
                assert.equal(out.nodeGroups.length, 1);
                assert.equal(out.nodeGroups[0].name, "default");
                assert.equal(out.nodeGroups[0].desiredNodeSize, 2);
                assert.equal(out.workersNodeGroup.desiredNodeSize, 1);
                groups = [out.nodeGroups[0].nodeGroupName, out.workersNodeGroup.name];
                const state = await s.resources();
                ids = { k8s: state.get("k8s")?.id ?? "", workers: state.get("workers")?.id ?? "" };
                assert.ok(ids.k8s && ids.workers, `ids in state: ${JSON.stringify(ids)}`);

                const c = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster!;
                assert.equal(c.status, "ACTIVE");
                assert.equal(c.version, "1.29");
                assert.equal(
                    c.roleArn,
                    clusterRoleArn,
                    "spider:awsClusterRoleArn from stack config is the cluster role",
                );
                assert.deepEqual([...(c.resourcesVpcConfig?.subnetIds ?? [])].sort(), [...subnets].sort());
                const ngs = await nodeGroupsInMoto();
                assert.deepEqual([...ngs.keys()].sort(), [...groups].sort());
                assert.equal(ngs.get(groups[0])?.desired, 2);
                assert.equal(ngs.get(groups[1])?.desired, 1);
                for (const [name, ng] of ngs) {
                    assert.match(
                        ng.nodeRole,
                        /:role\/spider-eks-node-role$/,
                        `${name}: without spider:awsNodeRoleArn the driver creates the node role`,
                    );
                    assert.equal(ng.status, "ACTIVE");
                }
                assert.equal(await runningNodes(groups[0]), 2);
                assert.equal(await runningNodes(groups[1]), 1);
            });

            it("a second preview shows no changes", async () => {
                assertNoChanges(await s.preview(), ["k8s", "workers"]);
            });

            it("desiredSize 2→3 previews as an update and up scales the node group in place", async () => {
                await s.config({ desiredSize: 3 });
                // The NodeGroup may show `update` in preview: the Cluster's id is unknown while it updates.
                assertOnly(await s.preview(), "k8s", ["update"], ["same", "update"]);
                assertOnly(await s.up(), "k8s", ["update"]);
                const out = await s.outputs();
                assert.equal(out.clusterId, clusterId, "the cluster kept its id");
                assert.equal(out.nodeGroups[0].nodeGroupName, groups[0], "the node group was scaled, not recreated");
                assert.equal(out.nodeGroups[0].desiredNodeSize, 3);
                const ngs = await nodeGroupsInMoto();
                assert.equal(ngs.get(groups[0])?.desired, 3);
                assert.equal(ngs.get(groups[1])?.desired, 1, "the standalone node group is untouched");
                await assertIdsKept();
            });

            it("version 1.29→1.30 previews as an update and up upgrades the cluster in place", async () => {
                await s.config({ version: "1.30" });
                assertOnly(await s.preview(), "k8s", ["update"], ["same", "update"]);
                assertOnly(await s.up(), "k8s", ["update"]);
                const out = await s.outputs();
                assert.equal(out.clusterId, clusterId, "the cluster kept its id");
                assert.equal(out.clusterVersion, "1.30");
                const c = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster!;
                assert.equal(c.version, "1.30");
                assert.deepEqual(
                    (await eks.send(new ListClustersCommand({}))).clusters,
                    [clusterName],
                    "no second cluster",
                );
                const ngs = await nodeGroupsInMoto();
                assert.deepEqual([...ngs.keys()].sort(), [...groups].sort(), "the node groups were kept");
                for (const [name, ng] of ngs)
                    assert.equal(ng.version, "1.30", `node group ${name} follows the control plane`);
                await assertIdsKept();
                assertNoChanges(await s.preview(), ["k8s", "workers"]);
            });

            it("pulumi destroy leaves no cluster, node group or node in moto", async () => {
                const r = await s.destroy();
                assert.deepEqual(ops(r), { workers: ["delete"], k8s: ["delete"] });
                assert.deepEqual((await awsInventory()).clusters, []);
                assert.equal(await runningNodes(), 0, "every node instance was terminated");
                assert.equal((await s.resources()).size, 0);
            });
        });
    });

    // ------------------------------------------------------------------------------------------
    describe("examples/gcp-nlb", function () {
        sequential(this);
        let s: ExampleStack;
        let firstId = "";
        let firstIp = "";
        const vms = ["us-central1-a/web-1", "us-central1-b/web-2"];

        before(async function () {
            assert.ok(fake, "the GCP fake is running");
            for (const vm of vms) {
                const [zone, name] = vm.split("/");
                await fake!.addInstance(zone, name);
            }
            s = await newStack("gcp-nlb", FAST_POLL_ENV);
            await s.config({
                endpoint: fake!.endpoint,
                project: fake!.project,
                region: fake!.region,
                network: "default",
                vms,
                listenerPort: 80,
                type: "PUBLIC",
            });
        });
        after(() => {
            timings.push(`gcp-nlb: ${s?.timings() ?? "-"}`);
        });

        async function forwardingRules(): Promise<
            Array<{
                name: string;
                IPAddress: string;
                portRange?: string;
                ports?: string[];
                loadBalancingScheme: string;
            }>
        > {
            const res = await fetch(
                `${fake!.endpoint}/compute/v1/projects/${fake!.project}/regions/${fake!.region}/forwardingRules`,
            );
            assert.ok(res.ok, `GET forwardingRules: HTTP ${res.status}`);
            return ((await res.json()) as { items?: any[] }).items ?? [];
        }

        function port(fr: { portRange?: string; ports?: string[] }): string {
            return fr.ports?.join(",") ?? fr.portRange?.replace(/^(\d+)-\1$/, "$1") ?? "";
        }

        it("pulumi up creates the Nlb, and the fake holds its health check, groups, backend service, address and rule", async () => {
            const r = await s.up();
            assert.deepEqual(ops(r), { web: ["create"] });
            const out = await s.outputs();
            firstId = out.nlbId;
            firstIp = out.ip;
            assert.ok(firstId, "nlbId");
            assert.match(firstIp, /^\d+\.\d+\.\d+\.\d+$/);
            assert.equal(out.listener.port, 80);
            assert.deepEqual([...out.vmGroup.vms].sort(), [...vms].sort());
            assert.deepEqual(await fake!.inventory(), {
                forwardingRules: 1,
                backendServices: 1,
                healthChecks: 1,
                addresses: 1,
                instanceGroups: 2,
            });
            const [fr] = await forwardingRules();
            assert.equal(fr.IPAddress, firstIp);
            assert.equal(port(fr), "80");
            assert.equal(fr.loadBalancingScheme, "EXTERNAL");
        });

        it("a second preview shows no changes", async () => {
            assertNoChanges(await s.preview(), ["web"]);
        });

        it("listenerPort 80→8080 previews as an update and up keeps the id and the IP address", async () => {
            await s.config({ listenerPort: 8080 });
            assertOnly(await s.preview(), "web", ["update"]);
            assertOnly(await s.up(), "web", ["update"]);
            const out = await s.outputs();
            assert.equal(out.nlbId, firstId, "the NLB kept its id");
            assert.equal((await s.resources()).get("web")?.id, firstId, "the resource id in state is unchanged");
            assert.equal(out.ip, firstIp, "the listener IP stays the same");
            assert.equal(out.listener.port, 8080);
            const rules = await forwardingRules();
            assert.equal(rules.length, 1);
            assert.equal(port(rules[0]), "8080");
            assert.equal(rules[0].IPAddress, firstIp);
            assertNoChanges(await s.preview(), ["web"]);
        });

        it("type PUBLIC→INTERNAL previews as a replacement and up replaces the NLB", async () => {
            await s.config({ type: "INTERNAL" });
            assert.ok(isReplacement(ops(await s.preview()).web), "web should be replaced");
            const got = ops(await s.up());
            assert.ok(isReplacement(got.web), `web: ${JSON.stringify(got)}`);
            const out = await s.outputs();
            assert.notEqual(out.nlbId, firstId, "a replacement has a new id");
            assert.equal(out.type, "INTERNAL");
            const rules = await forwardingRules();
            assert.equal(rules.length, 1, "the old forwarding rule is gone");
            assert.equal(rules[0].loadBalancingScheme, "INTERNAL");
            assert.equal(rules[0].IPAddress, out.ip);
            assert.deepEqual(await fake!.inventory(), {
                forwardingRules: 1,
                backendServices: 1,
                healthChecks: 1,
                addresses: 1,
                instanceGroups: 2,
            });
        });

        it("pulumi destroy leaves nothing in the fake", async () => {
            const r = await s.destroy();
            assert.deepEqual(ops(r), { web: ["delete"] });
            assert.deepEqual(await fake!.inventory(), {
                forwardingRules: 0,
                backendServices: 0,
                healthChecks: 0,
                addresses: 0,
                instanceGroups: 0,
            });
            assert.equal((await s.resources()).size, 0);
        });
    });

    // ------------------------------------------------------------------------------------------
    describe("examples/gcp-gke", function () {
        sequential(this);
        let s: ExampleStack;
        let clusterName = "";
        let pools: string[] = [];
        let ids = { k8s: "", workers: "" };

        interface FakePool {
            name: string;
            version: string;
            machineType: string;
            autoscaling: boolean;
            zones: string[];
        }

        before(async function () {
            assert.ok(fake, "the GCP fake is running");
            s = await newStack("gcp-gke", FAST_POLL_ENV);
            await s.config({
                endpoint: fake!.endpoint,
                project: fake!.project,
                region: fake!.region,
                version: "1.34",
                machineType: "e2-medium",
                desiredSize: 3,
                workerDesiredSize: 3,
            });
        });
        after(() => {
            timings.push(`gcp-gke: ${s?.timings() ?? "-"}`);
        });

        /** The cluster as the fake's container v1 API holds it. */
        async function gkeCluster(): Promise<{ version: string; zones: string[]; pools: Map<string, FakePool> }> {
            const url = `${fake!.endpoint}/v1/projects/${fake!.project}/locations/${fake!.region}/clusters/${clusterName}`;
            const res = await fetch(url);
            assert.ok(res.ok, `GET ${url}: HTTP ${res.status}`);
            const c = (await res.json()) as {
                currentMasterVersion: string;
                locations: string[];
                nodePools?: Array<{
                    name: string;
                    version: string;
                    locations: string[];
                    config: { machineType: string };
                    autoscaling?: { enabled?: boolean };
                }>;
            };
            const byName = new Map<string, FakePool>();
            for (const p of c.nodePools ?? []) {
                byName.set(p.name, {
                    name: p.name,
                    version: p.version,
                    machineType: p.config.machineType,
                    autoscaling: p.autoscaling?.enabled === true,
                    zones: [...p.locations].sort(),
                });
            }
            return { version: c.currentMasterVersion, zones: [...c.locations].sort(), pools: byName };
        }

        async function gkeInventory(): Promise<{ clusters: number; nodePools: number; instanceGroupManagers: number }> {
            const inv = await fake!.inventory();
            return {
                clusters: inv.clusters ?? 0,
                nodePools: inv.nodePools ?? 0,
                instanceGroupManagers: inv.instanceGroupManagers ?? 0,
            };
        }

        async function assertIdsKept(): Promise<void> {
            const state = await s.resources();
            assert.deepEqual(
                { k8s: state.get("k8s")?.id, workers: state.get("workers")?.id },
                ids,
                "resource ids in state are unchanged",
            );
        }

        it("pulumi up creates the regional Cluster (with its inline pool) and the NodeGroup, and the fake holds them", async () => {
            const r = await s.up();
            assert.deepEqual(ops(r), { k8s: ["create"], workers: ["create"] });
            const out = await s.outputs();
            clusterName = out.clusterName;
            assert.ok(out.clusterId && clusterName, `cluster outputs: ${JSON.stringify(out)}`);
            assert.equal(out.clusterVersion, "1.34");
            assert.equal(out.clusterStatus, "Active");
            assert.equal(out.location, fake!.region, "a regional cluster");
            assert.equal(out.kubeconfig, "[secret]", "the kubeconfig output is a secret");
            const kubeconfig = (await s.must(["stack", "output", "kubeconfig", "--show-secrets"])).stdout;
            assert.match(kubeconfig, /command: gke-gcloud-auth-plugin/);
            assert.equal(out.nodeGroups.length, 1);
            assert.equal(out.nodeGroups[0].name, "default");
            assert.equal(out.nodeGroups[0].desiredNodeSize, 3);
            assert.equal(out.nodeGroups[0].nodes, 3);
            assert.equal(out.workersNodeGroup.desiredNodeSize, 3);
            assert.equal(out.workersNodeGroup.nodes, 3);
            pools = [out.nodeGroups[0].nodeGroupName, out.workersNodeGroup.name];
            const state = await s.resources();
            ids = { k8s: state.get("k8s")?.id ?? "", workers: state.get("workers")?.id ?? "" };
            assert.ok(ids.k8s && ids.workers, `ids in state: ${JSON.stringify(ids)}`);

            // Two pools over three zones: one managed instance group per pool and zone.
            assert.deepEqual(await gkeInventory(), { clusters: 1, nodePools: 2, instanceGroupManagers: 6 });
            const c = await gkeCluster();
            const zones = ["us-central1-a", "us-central1-b", "us-central1-c"];
            assert.deepEqual(c.zones, zones);
            assert.match(c.version, /^1\.34\./);
            assert.deepEqual([...c.pools.keys()].sort(), [...pools].sort());
            for (const p of c.pools.values()) {
                assert.match(p.version, /^1\.34\./, `pool ${p.name}`);
                assert.equal(p.machineType, "e2-medium", `pool ${p.name}`);
                assert.deepEqual(p.zones, zones, `pool ${p.name}`);
            }
            assert.equal(c.pools.get(pools[0])?.autoscaling, true, "default: GKE's autoscaler is on");
            assert.equal(c.pools.get(pools[1])?.autoscaling, false, "workers: autoscaling off");
        });

        it("a second preview shows no changes", async () => {
            assertNoChanges(await s.preview(), ["k8s", "workers"]);
        });

        it("desiredSize 3→6 previews as an update and up scales the inline pool in place", async () => {
            await s.config({ desiredSize: 6 });
            // The NodeGroup may show `update` in preview: the Cluster's id is unknown while it updates.
            assertOnly(await s.preview(), "k8s", ["update"], ["same", "update"]);
            assertOnly(await s.up(), "k8s", ["update"]);
            const out = await s.outputs();
            assert.equal(out.nodeGroups[0].nodeGroupName, pools[0], "the pool was resized, not recreated");
            assert.equal(out.nodeGroups[0].desiredNodeSize, 6);
            assert.equal(out.nodeGroups[0].nodes, 6, "two nodes per zone");
            assert.equal(out.workersNodeGroup.nodes, 3, "the standalone pool is untouched");
            assert.deepEqual(await gkeInventory(), { clusters: 1, nodePools: 2, instanceGroupManagers: 6 });
            await assertIdsKept();
            assertNoChanges(await s.preview(), ["k8s", "workers"]);
        });

        it("machineType e2-medium→e2-standard-2 previews as an update of both and up keeps the pools", async () => {
            await s.config({ machineType: "e2-standard-2" });
            const p = ops(await s.preview());
            assert.deepEqual(p, { k8s: ["update"], workers: ["update"] });
            assert.deepEqual(ops(await s.up()), { k8s: ["update"], workers: ["update"] });
            const out = await s.outputs();
            assert.equal(out.nodeGroups[0].vmSpec, "e2-standard-2");
            assert.deepEqual([out.nodeGroups[0].nodeGroupName, out.workersNodeGroup.name], pools, "same pools");
            const c = await gkeCluster();
            assert.deepEqual([...c.pools.keys()].sort(), [...pools].sort(), "no pool was recreated");
            for (const pool of c.pools.values()) assert.equal(pool.machineType, "e2-standard-2", `pool ${pool.name}`);
            assert.deepEqual(await gkeInventory(), { clusters: 1, nodePools: 2, instanceGroupManagers: 6 });
            await assertIdsKept();
            assertNoChanges(await s.preview(), ["k8s", "workers"]);
        });

        it("version 1.34→1.35 previews as an update and up upgrades the control plane and both pools", async () => {
            await s.config({ version: "1.35" });
            assertOnly(await s.preview(), "k8s", ["update"], ["same", "update"]);
            assertOnly(await s.up(), "k8s", ["update"]);
            const out = await s.outputs();
            assert.equal(out.clusterVersion, "1.35");
            const c = await gkeCluster();
            assert.match(c.version, /^1\.35\./);
            assert.deepEqual([...c.pools.keys()].sort(), [...pools].sort(), "the pools were kept");
            for (const pool of c.pools.values())
                assert.match(pool.version, /^1\.35\./, `pool ${pool.name} follows the control plane`);
            assert.deepEqual(await gkeInventory(), { clusters: 1, nodePools: 2, instanceGroupManagers: 6 });
            await assertIdsKept();
            assertNoChanges(await s.preview(), ["k8s", "workers"]);
        });

        it("pulumi destroy leaves no cluster, node pool or instance group manager in the fake", async () => {
            const r = await s.destroy();
            assert.deepEqual(ops(r), { workers: ["delete"], k8s: ["delete"] });
            assert.deepEqual(await gkeInventory(), { clusters: 0, nodePools: 0, instanceGroupManagers: 0 });
            assert.equal((await s.resources()).size, 0);
        });
    });
});
