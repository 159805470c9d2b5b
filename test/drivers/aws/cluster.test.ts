import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    DescribeClusterCommand,
    DescribeNodegroupCommand,
    DescribeUpdateCommand,
    UpdateClusterVersionCommand,
} from "@aws-sdk/client-eks";
import { waitUntil } from "../../../provider/interface/wait";
import { GetRoleCommand, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import type { ClusterReq, NodeGroupReq } from "../../../provider/interface/driver";
import {
    AlreadyExistsError,
    CloudApiError,
    NotFoundError,
    ValidationError,
    describeError,
} from "../../../provider/interface/errors";
import * as awsDriver from "../../../provider/drivers/aws";
import { AwsHarness, countOf, startHarness, writes } from "./harness";

function nodeGroup(name: string, over: Partial<NodeGroupReq> = {}): NodeGroupReq {
    return {
        iid: { nameId: name, systemId: "" },
        image: "",
        vmSpec: "t3.medium",
        rootDiskType: "",
        rootDiskSize: 0,
        keyPair: "",
        onAutoScaling: true,
        desiredNodeSize: 2,
        minNodeSize: 1,
        maxNodeSize: 3,
        ...over,
    };
}

/** Ensures the AWS CLI (which provides the `aws eks get-token` exec plugin) is installed. */
function ensureAwsCli(): void {
    try {
        execFileSync("aws", ["--version"], { stdio: "pipe" });
        return;
    } catch {
        // not installed: fall through
    }
    try {
        execFileSync("python3", ["-m", "pip", "install", "--quiet", "awscli"], { stdio: "pipe", timeout: 600_000 });
        execFileSync("aws", ["--version"], { stdio: "pipe" });
    } catch (err) {
        throw new Error(
            `the AWS CLI is needed to run the kubeconfig's exec plugin and could not be installed: ${(err as Error).message}`,
        );
    }
}

describe("aws driver: EKS clusters (against extended moto)", function () {
    this.timeout(180_000);
    let h: AwsHarness;

    before(async () => {
        h = await startHarness({ polls: 2, vmCount: 0 });
    });
    after(async () => {
        if (h) await h.stop();
    });

    function req(name: string, over: Partial<ClusterReq> = {}): ClusterReq {
        return {
            iid: { nameId: name, systemId: "" },
            version: "1.29",
            network: { vpc: h.vpc, subnets: h.subnets.slice(0, 3), securityGroups: [] },
            nodeGroups: [nodeGroup(`${name}-a`)],
            tags: { team: "platform" },
            ...over,
        };
    }

    it("creates a cluster with its default node groups, polling through CREATING until ACTIVE", async () => {
        const name = h.uniqueName("mk");
        const { value: info, calls } = await h.record(() =>
            h.driver.cluster.createCluster(
                req(name, {
                    nodeGroups: [
                        nodeGroup(`${name}-a`),
                        nodeGroup(`${name}-b`, { desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 2 }),
                    ],
                }),
            ),
        );
        assert.strictEqual(info.status, "Active");
        assert.strictEqual(info.version, "1.29");
        assert.strictEqual(info.network.vpc, h.vpc);
        assert.deepStrictEqual(info.nodeGroups.map(g => [g.iid.nameId, g.status, g.nodes.length]).sort(), [
            [`${name}-a`, "Active", 2],
            [`${name}-b`, "Active", 1],
        ]);
        assert.ok(countOf(calls, "DescribeCluster") >= 3, "CREATING for two describes, then ACTIVE");
        assert.ok(countOf(calls, "DescribeNodegroup") >= 6, "each node group polled through CREATING");
        assert.deepStrictEqual(info.tags, { team: "platform" });
        assert.strictEqual(info.nodeGroups[0].image, "AL2023_x86_64_STANDARD");
        assert.ok(!JSON.stringify(info).includes("undefined"));
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("creates the cluster and node roles once, with the documented AWS managed policies, and reuses them", async () => {
        const policies = async (role: string): Promise<string[]> =>
            ((await h.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [])
                .map(p => p.PolicyName as string)
                .sort();
        const first = await h.driver.cluster.createCluster(req(h.uniqueName("role")));
        assert.deepStrictEqual(await policies("spider-eks-cluster-role"), ["AmazonEKSClusterPolicy"]);
        assert.deepStrictEqual(await policies("spider-eks-node-role"), [
            "AmazonEC2ContainerRegistryReadOnly",
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
        ]);
        const trust =
            (await h.clients.iam.send(new GetRoleCommand({ RoleName: "spider-eks-cluster-role" }))).Role
                ?.AssumeRolePolicyDocument ?? "";
        assert.match(decodeURIComponent(trust), /eks\.amazonaws\.com/);
        const { value: second, calls } = await h.record(() =>
            h.driver.cluster.createCluster(req(h.uniqueName("role"))),
        );
        assert.strictEqual(countOf(calls, "CreateRole"), 0);
        assert.strictEqual(countOf(calls, "AttachRolePolicy"), 0);
        const described = await h.clients.eks.send(new DescribeClusterCommand({ name: second.iid.nameId }));
        assert.match(described.cluster?.roleArn ?? "", /role\/spider-eks-cluster-role$/);
        await h.driver.cluster.deleteCluster(first.iid);
        await h.driver.cluster.deleteCluster(second.iid);
    });

    it("uses explicit role ARNs from the driver options without touching IAM", async () => {
        const driver = h.open({
            config: {
                ...h.ctx.config,
                awsClusterRoleArn: "arn:aws:iam::123456789012:role/my-cluster-role",
                awsNodeRoleArn: "arn:aws:iam::123456789012:role/my-node-role",
            },
        });
        const name = h.uniqueName("exp");
        const { value: info, calls } = await h.record(() => driver.cluster.createCluster(req(name)));
        assert.deepStrictEqual(
            calls.filter(c => c.service === "iam"),
            [],
        );
        const c = await h.clients.eks.send(new DescribeClusterCommand({ name }));
        assert.strictEqual(c.cluster?.roleArn, "arn:aws:iam::123456789012:role/my-cluster-role");
        const ng = await h.clients.eks.send(
            new DescribeNodegroupCommand({ clusterName: name, nodegroupName: `${name}-a` }),
        );
        assert.strictEqual(ng.nodegroup?.nodeRole, "arn:aws:iam::123456789012:role/my-node-role");
        await driver.cluster.deleteCluster(info.iid);
    });

    it("surfaces the health issues EKS reports for a failed node group, and rolls the cluster back", async () => {
        const name = h.uniqueName("fail");
        await h.moto.failNext("nodegroup", [
            {
                code: "AsgInstanceLaunchFailures",
                message: "Could not launch On-Demand Instances. InsufficientInstanceCapacity",
            },
        ]);
        try {
            await h.driver.cluster.createCluster(req(name));
            assert.fail("create should have failed");
        } catch (err) {
            assert.ok(err instanceof CloudApiError, describeError(err));
            assert.match(err.message, /CREATE_FAILED: AsgInstanceLaunchFailures: Could not launch/);
        }
        assert.deepStrictEqual(
            await h.inventory(),
            { nlbs: 0, clusters: 0, other: 0 },
            "node group and cluster undone",
        );

        await h.moto.failNext("cluster", [{ code: "VpcNotFound", message: "The VPC is gone" }]);
        await assert.rejects(
            h.driver.cluster.createCluster(req(h.uniqueName("fail"))),
            (err: unknown) => err instanceof CloudApiError && /FAILED: VpcNotFound: The VPC is gone/.test(err.message),
        );
        assert.deepStrictEqual(await h.inventory(), { nlbs: 0, clusters: 0, other: 0 });
    });

    it("refuses a second cluster with the same name and leaves the first alone", async () => {
        const name = h.uniqueName("dup");
        const info = await h.driver.cluster.createCluster(req(name));
        await assert.rejects(h.driver.cluster.createCluster(req(name)), AlreadyExistsError);
        assert.strictEqual((await h.driver.cluster.getCluster(info.iid)).status, "Active");
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("reports every EKS rule a request breaks at once, and calls no API", async () => {
        const bad = req("_bad", {
            version: "1.20",
            network: { vpc: "net-1", subnets: ["subnet-1"], securityGroups: ["default"] },
            nodeGroups: [
                nodeGroup("ng", {
                    vmSpec: "large",
                    image: "ami-0123",
                    rootDiskType: "gp3",
                    desiredNodeSize: 5,
                    minNodeSize: 1,
                    maxNodeSize: 3,
                }),
                nodeGroup("ng"),
            ],
        });
        const props = awsDriver.validateCluster(bad).map(i => i.property);
        for (const p of [
            "iid.nameId",
            "version",
            "network.vpc",
            "network.subnets",
            "network.subnets[0]",
            "network.securityGroups[0]",
            "nodeGroups[0].vmSpec",
            "nodeGroups[0].image",
            "nodeGroups[0].rootDiskType",
            "nodeGroups[0].desiredNodeSize",
            "nodeGroups[1].iid.nameId",
        ]) {
            assert.ok(props.includes(p), `missing ${p} in ${props.join(", ")}`);
        }
        const { calls } = await h.record(() => assert.rejects(h.driver.cluster.createCluster(bad), ValidationError));
        assert.deepStrictEqual(calls, []);
        assert.deepStrictEqual(awsDriver.validateCluster(req("good-one")), []);
    });

    it("scales a node group with UpdateNodegroupConfig and waits for the update via DescribeUpdate", async () => {
        const name = h.uniqueName("scale");
        const info = await h.driver.cluster.createCluster(req(name));
        const ng = info.nodeGroups[0].iid;
        const { value, calls } = await h.record(() =>
            h.driver.cluster.changeNodeGroupScaling(info.iid, ng, {
                desiredNodeSize: 4,
                minNodeSize: 2,
                maxNodeSize: 6,
            }),
        );
        assert.deepStrictEqual(writes(calls), ["UpdateNodegroupConfig"]);
        assert.ok(countOf(calls, "DescribeUpdate") >= 3, "InProgress for two polls, then Successful");
        assert.deepStrictEqual(
            [value.desiredNodeSize, value.minNodeSize, value.maxNodeSize, value.nodes.length, value.status],
            [4, 2, 6, 4, "Active"],
        );
        const { calls: none } = await h.record(() =>
            h.driver.cluster.changeNodeGroupScaling(info.iid, ng, {
                desiredNodeSize: 4,
                minNodeSize: 2,
                maxNodeSize: 6,
            }),
        );
        assert.deepStrictEqual(writes(none), [], "an unchanged size costs no update");
        await assert.rejects(
            h.driver.cluster.changeNodeGroupScaling(info.iid, ng, {
                desiredNodeSize: 9,
                minNodeSize: 2,
                maxNodeSize: 6,
            }),
            (err: unknown) => err instanceof ValidationError && err.issues.some(i => i.property === "desiredNodeSize"),
        );
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("creates node groups with labels, taints, spot, instance types, subnets and updateConfig, and a private endpoint with logs", async () => {
        const name = h.uniqueName("cfg");
        const group = nodeGroup(`${name}-a`, {
            vmSpecs: ["t3.medium", "t3a.medium"],
            capacityType: "SPOT",
            subnets: [h.subnets[0]],
            labels: { role: "web", zone: "a" },
            taints: [
                { key: "dedicated", value: "web", effect: "NoSchedule" },
                { key: "spot", effect: "PreferNoSchedule" },
            ],
            maxUnavailable: "33%",
        });
        const info = await h.driver.cluster.createCluster(
            req(name, {
                nodeGroups: [group],
                endpointAccess: { public: false, private: true, publicCidrs: [] },
                logging: ["audit"],
            }),
        );
        assert.deepStrictEqual(
            [info.endpointAccess, info.logging],
            [{ public: false, private: true, publicCidrs: [] }, ["audit"]],
        );
        const cfg = (await h.clients.eks.send(new DescribeClusterCommand({ name }))).cluster;
        assert.deepStrictEqual(
            [cfg?.resourcesVpcConfig?.endpointPublicAccess, cfg?.resourcesVpcConfig?.endpointPrivateAccess],
            [false, true],
        );
        const described = async () =>
            (await h.clients.eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: `${name}-a` })))
                .nodegroup;
        const ng = await described();
        assert.deepStrictEqual(
            [ng?.instanceTypes, ng?.capacityType, ng?.subnets, ng?.labels, ng?.updateConfig],
            [
                ["t3.medium", "t3a.medium"],
                "SPOT",
                [h.subnets[0]],
                { role: "web", zone: "a" },
                { maxUnavailablePercentage: 33 },
            ],
        );
        assert.deepStrictEqual((ng?.taints ?? []).map(t => `${t.key}=${t.value ?? ""}:${t.effect}`).sort(), [
            "dedicated=web:NO_SCHEDULE",
            "spot=:PREFER_NO_SCHEDULE",
        ]);
        const ngIid = info.nodeGroups[0].iid;
        const change = {
            labels: { role: "api", tier: "b" },
            taints: [
                { key: "dedicated", value: "api", effect: "NoSchedule" as const },
                { key: "gpu", effect: "NoExecute" as const },
            ],
            maxUnavailable: 2,
        };
        const { value, calls } = await h.record(() => h.driver.cluster.changeNodeGroupConfig(info.iid, ngIid, change));
        assert.deepStrictEqual(
            writes(calls),
            ["UpdateNodegroupConfig"],
            "labels, taints and update config in one call",
        );
        assert.deepStrictEqual([value.labels, value.maxUnavailable], [change.labels, 2]);
        const after = await described();
        assert.deepStrictEqual(after?.labels, change.labels);
        assert.deepStrictEqual((after?.taints ?? []).map(t => `${t.key}=${t.value ?? ""}:${t.effect}`).sort(), [
            "dedicated=api:NO_SCHEDULE",
            "gpu=:NO_EXECUTE",
        ]);
        const { calls: none } = await h.record(() => h.driver.cluster.changeNodeGroupConfig(info.iid, ngIid, change));
        assert.deepStrictEqual(writes(none), [], "nothing to change costs no update");
        const access = {
            endpointAccess: { public: true, private: true, publicCidrs: ["203.0.113.0/24"] },
            logging: ["api" as const, "audit" as const],
        };
        const { value: cluster, calls: accessCalls } = await h.record(() =>
            h.driver.cluster.changeClusterAccess(info.iid, access),
        );
        assert.deepStrictEqual(writes(accessCalls), ["UpdateClusterConfig", "UpdateClusterConfig"], "one per kind");
        assert.ok(countOf(accessCalls, "DescribeUpdate") >= 2, "each update is waited on");
        assert.deepStrictEqual([cluster.endpointAccess, cluster.logging], [access.endpointAccess, access.logging]);
        const { calls: same } = await h.record(() => h.driver.cluster.changeClusterAccess(info.iid, access));
        assert.deepStrictEqual(writes(same), [], "EKS refuses no-op updates: none is sent");
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("turns autoscaling off by pinning min = max = desired, and on again by restoring the bounds", async () => {
        const name = h.uniqueName("auto");
        const info = await h.driver.cluster.createCluster(
            req(name, { nodeGroups: [nodeGroup(`${name}-a`, { desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 5 })] }),
        );
        const ngIid = info.nodeGroups[0].iid;
        const cloud = async () =>
            (await h.clients.eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: ngIid.nameId })))
                .nodegroup?.scalingConfig;

        const off = await h.driver.cluster.setNodeGroupAutoScaling(info.iid, ngIid, false);
        assert.strictEqual(off.onAutoScaling, false);
        assert.deepStrictEqual(
            await cloud(),
            { minSize: 2, maxSize: 2, desiredSize: 2 },
            "no autoscaler can move a pinned group",
        );
        assert.deepStrictEqual(
            [off.minNodeSize, off.maxNodeSize, off.desiredNodeSize],
            [1, 5, 2],
            "the requested bounds are kept for later",
        );

        const resized = await h.driver.cluster.changeNodeGroupScaling(info.iid, ngIid, {
            desiredNodeSize: 3,
            minNodeSize: 2,
            maxNodeSize: 4,
        });
        assert.deepStrictEqual(
            await cloud(),
            { minSize: 3, maxSize: 3, desiredSize: 3 },
            "while off, the group stays pinned at the new desired size",
        );
        assert.deepStrictEqual(
            [resized.onAutoScaling, resized.minNodeSize, resized.maxNodeSize, resized.nodes.length],
            [false, 2, 4, 3],
        );

        const on = await h.driver.cluster.setNodeGroupAutoScaling(info.iid, ngIid, true);
        assert.strictEqual(on.onAutoScaling, true);
        assert.deepStrictEqual(await cloud(), { minSize: 2, maxSize: 4, desiredSize: 3 });
        const { calls } = await h.record(() => h.driver.cluster.setNodeGroupAutoScaling(info.iid, ngIid, true));
        assert.deepStrictEqual(writes(calls), [], "already on");

        const pinnedAtCreate = await h.driver.cluster.addNodeGroup(
            info.iid,
            nodeGroup(`${name}-p`, { onAutoScaling: false, desiredNodeSize: 1, minNodeSize: 0, maxNodeSize: 3 }),
        );
        assert.deepStrictEqual(
            [pinnedAtCreate.onAutoScaling, pinnedAtCreate.minNodeSize, pinnedAtCreate.maxNodeSize],
            [false, 0, 3],
        );
        const raw = (
            await h.clients.eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: `${name}-p` }))
        ).nodegroup?.scalingConfig;
        assert.deepStrictEqual(raw, { minSize: 1, maxSize: 1, desiredSize: 1 });
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("upgrades one minor version per step, bringing every node group to the control plane's version before the next, concurrently", async () => {
        const name = h.uniqueName("up");
        const info = await h.driver.cluster.createCluster(
            req(name, {
                version: "1.28",
                nodeGroups: [nodeGroup(`${name}-a`), nodeGroup(`${name}-b`, { desiredNodeSize: 1 })],
            }),
        );
        const { value, calls } = await h.record(() => h.driver.cluster.upgradeCluster(info.iid, "1.30"));
        assert.deepStrictEqual(
            writes(calls),
            [
                "UpdateClusterVersion",
                "UpdateNodegroupVersion",
                "UpdateNodegroupVersion",
                "UpdateClusterVersion",
                "UpdateNodegroupVersion",
                "UpdateNodegroupVersion",
            ],
            "node groups catch up to 1.29 before the control plane may go to 1.30",
        );
        // Each update stays InProgress for `polls` DescribeUpdate calls: one after the other, at least
        // three describes would separate the two node-group updates of a step.
        const order = calls
            .map(c => c.action)
            .filter(a => a === "UpdateNodegroupVersion" || a === "DescribeUpdate" || a === "UpdateClusterVersion");
        const nodegroupUpdates = order.flatMap((a, i) => (a === "UpdateNodegroupVersion" ? [i] : []));
        for (const [first, second] of [
            [0, 1],
            [2, 3],
        ]) {
            const between = order
                .slice(nodegroupUpdates[first] + 1, nodegroupUpdates[second])
                .filter(a => a === "DescribeUpdate").length;
            assert.ok(
                between <= 1,
                `the node-group updates of one step overlap (${between} DescribeUpdate calls between them)`,
            );
        }
        assert.ok(
            countOf(calls, "DescribeUpdate") >= 18,
            `each of 6 updates polled through InProgress (${countOf(calls, "DescribeUpdate")})`,
        );
        assert.strictEqual(value.version, "1.30");
        assert.deepStrictEqual(
            value.nodeGroups.map(g => g.version),
            ["1.30", "1.30"],
        );
        assert.strictEqual(value.status, "Active");
        await assert.rejects(h.driver.cluster.upgradeCluster(info.iid, "1.29"), ValidationError, "no downgrades");
        await assert.rejects(h.driver.cluster.upgradeCluster(info.iid, "1.99"), ValidationError);
        const { calls: none } = await h.record(() => h.driver.cluster.upgradeCluster(info.iid, "1.30"));
        assert.deepStrictEqual(writes(none), []);
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("the extended moto refuses a control-plane update while a node group lags, as EKS does", async () => {
        const name = h.uniqueName("lag");
        const info = await h.driver.cluster.createCluster(
            req(name, { version: "1.28", nodeGroups: [nodeGroup(`${name}-a`)] }),
        );
        const first = await h.clients.eks.send(new UpdateClusterVersionCommand({ name, version: "1.29" }));
        await waitUntil(
            async () => {
                const u = (await h.clients.eks.send(new DescribeUpdateCommand({ name, updateId: first.update?.id })))
                    .update;
                return u?.status === "Successful"
                    ? { done: true, value: undefined }
                    : { done: false, state: String(u?.status) };
            },
            { timeoutMs: 30_000, minDelayMs: 5, maxDelayMs: 40, what: "the control plane at 1.29" },
        );
        await assert.rejects(
            h.clients.eks.send(new UpdateClusterVersionCommand({ name, version: "1.30" })),
            (err: Error) =>
                err.name === "InvalidRequestException" &&
                new RegExp(`${name}-a must be on .* 1\\.29`).test(err.message),
        );
        const done = await h.driver.cluster.upgradeCluster(info.iid, "1.30");
        assert.deepStrictEqual(
            [done.version, ...done.nodeGroups.map(g => g.version)],
            ["1.30", "1.30"],
            "the driver catches the group up first",
        );
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("changes subnets and security groups as one UpdateClusterConfig each, waited on with DescribeUpdate", async () => {
        const name = h.uniqueName("net");
        const info = await h.driver.cluster.createCluster(
            req(name, { network: { vpc: h.vpc, subnets: h.subnets.slice(0, 3), securityGroups: [] } }),
        );
        const change = {
            subnets: [h.network.sameZoneSubnet, h.subnets[1]].sort(),
            securityGroups: [...h.network.securityGroups].sort(),
        };
        const { value, calls } = await h.record(() => h.driver.cluster.changeClusterNetwork(info.iid, change));
        assert.deepStrictEqual(writes(calls), ["UpdateClusterConfig", "UpdateClusterConfig"]);
        assert.ok(countOf(calls, "DescribeUpdate") >= 2, "each update is waited on");
        assert.deepStrictEqual({ subnets: value.subnets, securityGroups: value.securityGroups }, change);
        const cfg = (await h.clients.eks.send(new DescribeClusterCommand({ name }))).cluster?.resourcesVpcConfig;
        assert.deepStrictEqual([...(cfg?.subnetIds ?? [])].sort(), change.subnets, "moto holds the new subnets");
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("EKS refuses a subnet outside the zones chosen at creation on the first write, so nothing changes", async () => {
        const name = h.uniqueName("azs");
        const info = await h.driver.cluster.createCluster(
            req(name, { network: { vpc: h.vpc, subnets: h.subnets.slice(0, 2), securityGroups: [] } }),
        );
        const { calls } = await h.record(() =>
            assert.rejects(
                h.driver.cluster.changeClusterNetwork(info.iid, {
                    subnets: [h.subnets[0], h.subnets[2]],
                    securityGroups: [h.network.securityGroups[0]],
                }),
                (err: unknown) =>
                    err instanceof ValidationError &&
                    /network\.subnets.*Availability Zones chosen when it was created/.test(err.message),
            ),
        );
        assert.deepStrictEqual(
            writes(calls),
            ["UpdateClusterConfig"],
            "the security groups were not sent after the refusal",
        );
        const cfg = (await h.clients.eks.send(new DescribeClusterCommand({ name }))).cluster?.resourcesVpcConfig;
        assert.deepStrictEqual([...(cfg?.subnetIds ?? [])].sort(), h.subnets.slice(0, 2), "nothing changed");
        assert.deepStrictEqual(cfg?.securityGroupIds ?? [], []);
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("surfaces the errors of a failed update", async () => {
        const info = await h.driver.cluster.createCluster(req(h.uniqueName("uf")));
        await h.moto.failNext("update", [
            { code: "NodeCreationFailure", message: "Instances failed to join the kubernetes cluster" },
        ]);
        await assert.rejects(
            h.driver.cluster.changeNodeGroupScaling(info.iid, info.nodeGroups[0].iid, {
                desiredNodeSize: 3,
                minNodeSize: 1,
                maxNodeSize: 3,
            }),
            (err: unknown) =>
                err instanceof CloudApiError &&
                /Failed: NodeCreationFailure: Instances failed to join/.test(err.message),
        );
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("deletes node groups first and waits for them, then the cluster, waiting until it is gone", async () => {
        const name = h.uniqueName("del");
        const info = await h.driver.cluster.createCluster(
            req(name, { nodeGroups: [nodeGroup(`${name}-a`), nodeGroup(`${name}-b`)] }),
        );
        const { calls } = await h.record(() => h.driver.cluster.deleteCluster(info.iid));
        const order = calls.map(c => c.action);
        const lastNodegroupDescribe = order.lastIndexOf("DescribeNodegroup");
        const deleteCluster = order.indexOf("DeleteCluster");
        assert.deepStrictEqual(writes(calls), ["DeleteNodegroup", "DeleteNodegroup", "DeleteCluster"]);
        assert.ok(lastNodegroupDescribe < deleteCluster, "node groups were gone before DeleteCluster");
        assert.ok(countOf(calls, "DescribeCluster") >= 3, "waited through DELETING");
        await assert.rejects(h.driver.cluster.getCluster(info.iid), NotFoundError);
        await h.driver.cluster.deleteCluster(info.iid);
        assert.deepStrictEqual(await h.inventory(), { nlbs: 0, clusters: 0, other: 0 });
    });

    it("writes a kubeconfig that kubectl can use through the `aws eks get-token` exec plugin", async () => {
        ensureAwsCli();
        const name = h.uniqueName("kc");
        const info = await h.driver.cluster.createCluster(req(name, { nodeGroups: [] }));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-kubeconfig-"));
        try {
            const file = path.join(dir, "config");
            fs.writeFileSync(file, info.kubeconfig);
            const parsed = JSON.parse(
                execFileSync("python3", [
                    "-c",
                    "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                    file,
                ]).toString(),
            ) as {
                "current-context": string;
                clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data": string } }>;
                users: Array<{ name: string; user: { exec: { apiVersion: string; command: string; args: string[] } } }>;
            };
            assert.strictEqual(parsed["current-context"], info.iid.systemId);
            assert.strictEqual(parsed.clusters[0].cluster.server, info.endpoint);
            assert.ok(parsed.clusters[0].cluster["certificate-authority-data"].length > 0);
            const exec = parsed.users[0].user.exec;
            assert.strictEqual(exec.apiVersion, "client.authentication.k8s.io/v1beta1");
            assert.strictEqual(exec.command, "aws");
            assert.deepStrictEqual(exec.args.slice(0, 4), ["--region", "us-east-1", "eks", "get-token"]);
            // Run the exec plugin as kubectl would; get-token signs a request locally, no network.
            const out = execFileSync(exec.command, exec.args, {
                env: {
                    ...process.env,
                    AWS_ACCESS_KEY_ID: "testing",
                    AWS_SECRET_ACCESS_KEY: "testing",
                    AWS_SESSION_TOKEN: "testing",
                },
            }).toString();
            const credential = JSON.parse(out) as { kind: string; apiVersion: string; status: { token: string } };
            assert.strictEqual(credential.kind, "ExecCredential");
            assert.strictEqual(credential.apiVersion, exec.apiVersion);
            assert.match(credential.status.token, /^k8s-aws-v1\./);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        await h.driver.cluster.deleteCluster(info.iid);
    });

    it("adds and removes node groups on a live cluster, and lists only the clusters it manages", async () => {
        const name = h.uniqueName("ngs");
        const info = await h.driver.cluster.createCluster(req(name, { nodeGroups: [] }));
        assert.deepStrictEqual(info.nodeGroups, []);
        const arm = await h.driver.cluster.addNodeGroup(
            info.iid,
            nodeGroup(`${name}-arm`, { vmSpec: "m6g.large", keyPair: "ops", rootDiskSize: 50 }),
        );
        assert.deepStrictEqual(
            [arm.image, arm.keyPair, arm.rootDiskSize, arm.status],
            ["AL2023_ARM_64_STANDARD", "ops", 50, "Active"],
        );
        await assert.rejects(h.driver.cluster.addNodeGroup(info.iid, nodeGroup(`${name}-arm`)), AlreadyExistsError);
        await h.driver.cluster.removeNodeGroup(info.iid, arm.iid);
        await assert.rejects(h.driver.cluster.getNodeGroup(info.iid, arm.iid), NotFoundError);
        await h.driver.cluster.removeNodeGroup(info.iid, arm.iid);
        assert.deepStrictEqual(
            (await h.driver.cluster.listCluster()).map(c => c.iid.nameId),
            [name],
        );
        await h.driver.cluster.deleteCluster(info.iid);
    });
});
