/**
 * The extended moto enforces the cloud's rules for the EKS and ELBv2 calls the upcoming features
 * use: a valid call works and shows in the Describe* answers, an invalid one fails with the error
 * code AWS answers. Talks to moto directly through the AWS SDK (no driver involved), so each rule is
 * proven for the emulator itself. Sources for each rule: test/support/moto/README.md.
 */
import assert from "node:assert/strict";
import { CreateSecurityGroupCommand } from "@aws-sdk/client-ec2";
import {
    CreateClusterCommand,
    CreateNodegroupCommand,
    DescribeClusterCommand,
    DescribeNodegroupCommand,
    DescribeUpdateCommand,
    type Nodegroup,
    type Taint,
    UpdateClusterConfigCommand,
    type UpdateClusterConfigCommandInput,
    UpdateNodegroupConfigCommand,
    type UpdateNodegroupConfigCommandInput,
    type Update,
    type VpcConfigRequest,
} from "@aws-sdk/client-eks";
import {
    CreateLoadBalancerCommand,
    CreateTargetGroupCommand,
    DescribeLoadBalancerAttributesCommand,
    DescribeLoadBalancersCommand,
    DescribeTargetGroupAttributesCommand,
    ModifyLoadBalancerAttributesCommand,
    ModifyTargetGroupAttributesCommand,
    SetSecurityGroupsCommand,
    type ProtocolEnum,
    type TargetTypeEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { makeVpc, type MotoClients, motoClients } from "./moto/fixtures";
import { type MotoServer, startMoto } from "./moto/launch";

const ROLE = "arn:aws:iam::123456789012:role/spider-eks";

/** The AWS error code of an SDK v3 error: the wire code (`Code`), else the exception's name. */
function codeOf(err: unknown): string {
    const e = err as { Code?: string; name?: string };
    return e.Code ?? e.name ?? String(err);
}

/** Asserts that `p` fails with AWS error `code` (SDK v3 names modeled ELBv2 errors `<code>Exception`). */
async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
    await assert.rejects(p, (err: unknown) => {
        const got = codeOf(err);
        assert.ok(
            got === code || got === `${code}Exception`,
            `expected ${code}, got ${got}: ${(err as Error).message}`,
        );
        if (message) assert.match((err as Error).message, message);
        return true;
    });
}

describe("extended moto: the cloud's rules for EKS and ELBv2 calls", function () {
    this.timeout(300_000);
    let moto: MotoServer;
    let c: MotoClients;
    let vpc: { vpc: string; subnets: string[]; vms: string[] };
    let seq = 0;
    const unique = (prefix: string): string => `${prefix}-${++seq}`;

    before(async () => {
        moto = await startMoto({ polls: 1 });
        c = motoClients(moto.endpoint);
        vpc = await makeVpc(c.ec2, 40, ["a", "b", "c"], 0);
    });
    after(async () => {
        if (moto) await moto.stop();
    });

    async function activeCluster(over: Record<string, unknown> = {}): Promise<string> {
        const name = unique("rules");
        await c.eks.send(
            new CreateClusterCommand({
                name,
                roleArn: ROLE,
                version: "1.29",
                resourcesVpcConfig: { subnetIds: vpc.subnets.slice(0, 2) },
                ...over,
            }),
        );
        for (let i = 0; i < 10; i++) {
            const st = (await c.eks.send(new DescribeClusterCommand({ name }))).cluster?.status;
            if (st === "ACTIVE") return name;
        }
        throw new Error(`cluster ${name} never became ACTIVE`);
    }

    async function describeNg(cluster: string, nodegroup: string): Promise<Nodegroup> {
        const ng = (await c.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup })))
            .nodegroup;
        assert.ok(ng);
        return ng;
    }

    async function activeNodegroup(cluster: string, over: Record<string, unknown> = {}): Promise<string> {
        const name = unique("ng");
        await c.eks.send(
            new CreateNodegroupCommand({
                clusterName: cluster,
                nodegroupName: name,
                nodeRole: ROLE,
                subnets: vpc.subnets.slice(0, 2),
                scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
                ...over,
            }),
        );
        for (let i = 0; i < 10; i++) if ((await describeNg(cluster, name)).status === "ACTIVE") return name;
        throw new Error(`node group ${name} never became ACTIVE`);
    }

    async function finish(cluster: string, update: Update | undefined, nodegroupName?: string): Promise<Update> {
        assert.ok(update?.id);
        for (let i = 0; i < 10; i++) {
            const u = (
                await c.eks.send(new DescribeUpdateCommand({ name: cluster, updateId: update.id, nodegroupName }))
            ).update;
            if (u?.status !== "InProgress") return u ?? {};
        }
        throw new Error(`update ${update.id} stayed InProgress`);
    }

    const sortTaints = (ts: Taint[] | undefined): Taint[] =>
        [...(ts ?? [])].sort((a, b) => `${a.key}:${a.effect}`.localeCompare(`${b.key}:${b.effect}`));

    describe("EKS CreateNodegroup", () => {
        let cluster: string;
        before(async () => {
            cluster = await activeCluster();
        });

        it("stores labels, taints, capacity type, several instance types, subnets and update config, as DescribeNodegroup shows", async () => {
            const ng = await activeNodegroup(cluster, {
                labels: { team: "web", "example.com/tier": "front" },
                taints: [
                    { key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" },
                    { key: "dedicated", value: "gpu", effect: "NO_EXECUTE" },
                    { key: "example.com/spot", effect: "PREFER_NO_SCHEDULE" },
                ],
                capacityType: "SPOT",
                instanceTypes: ["t3.medium", "t3a.medium", "m5.large"],
                subnets: vpc.subnets,
                updateConfig: { maxUnavailablePercentage: 33 },
            });
            const d = await describeNg(cluster, ng);
            assert.deepEqual(d.labels, { team: "web", "example.com/tier": "front" });
            assert.deepEqual(sortTaints(d.taints), [
                { key: "dedicated", value: "gpu", effect: "NO_EXECUTE" },
                { key: "dedicated", value: "gpu", effect: "NO_SCHEDULE" },
                { key: "example.com/spot", effect: "PREFER_NO_SCHEDULE" },
            ]);
            assert.equal(d.capacityType, "SPOT");
            assert.deepEqual(d.instanceTypes, ["t3.medium", "t3a.medium", "m5.large"]);
            assert.deepEqual(d.subnets, vpc.subnets);
            assert.deepEqual(d.updateConfig, { maxUnavailablePercentage: 33 });
        });

        it("defaults to ON_DEMAND and an update config of maxUnavailable 1, as EKS does", async () => {
            const d = await describeNg(cluster, await activeNodegroup(cluster));
            assert.equal(d.capacityType, "ON_DEMAND");
            assert.deepEqual(d.updateConfig, { maxUnavailable: 1 });
            assert.deepEqual(d.labels ?? {}, {});
            assert.deepEqual(d.taints ?? [], []);
        });

        const bad: Array<[string, Record<string, unknown>, RegExp?]> = [
            [
                "a taint effect in Kubernetes spelling",
                { taints: [{ key: "a", effect: "NoSchedule" }] },
                /Invalid taint effect: NoSchedule, must be one of these \[NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE\]/,
            ],
            ["a taint without an effect", { taints: [{ key: "a", value: "b" }] }, /Invalid taint effect/],
            [
                "a taint key that does not begin with a letter or number",
                { taints: [{ key: "-a", effect: "NO_SCHEDULE" }] },
            ],
            ["a taint key longer than 63 characters", { taints: [{ key: "k".repeat(64), effect: "NO_SCHEDULE" }] }],
            [
                "a taint value longer than 63 characters",
                { taints: [{ key: "a", value: "v".repeat(64), effect: "NO_SCHEDULE" }] },
            ],
            ["a taint value with a space", { taints: [{ key: "a", value: "b c", effect: "NO_SCHEDULE" }] }],
            [
                "two taints with the same key and effect",
                {
                    taints: [
                        { key: "a", value: "1", effect: "NO_SCHEDULE" },
                        { key: "a", value: "2", effect: "NO_SCHEDULE" },
                    ],
                },
                /unique by key and effect/,
            ],
            [
                "51 taints",
                { taints: Array.from({ length: 51 }, (_, i) => ({ key: `t${i}`, effect: "NO_SCHEDULE" })) },
                /at most 50 taints/,
            ],
            [
                "a label with a reserved prefix",
                { labels: { "kubernetes.io/role": "x" } },
                /reserved prefixes \[kubernetes.io\/, k8s.io\/, eks.amazonaws.com\/\]/,
            ],
            ["a label under eks.amazonaws.com/", { labels: { "eks.amazonaws.com/x": "y" } }, /reserved prefixes/],
            ["a label key longer than 63 characters", { labels: { ["k".repeat(64)]: "v" } }],
            ["an empty label value", { labels: { a: "" } }],
            ["a label value with a slash", { labels: { a: "b/c" } }],
            ["an unknown capacity type", { capacityType: "RESERVED" }, /capacityType/],
            [
                "both maxUnavailable and maxUnavailablePercentage",
                { updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 10 } },
            ],
            ["an update config with neither", { updateConfig: {} }],
            ["maxUnavailable 0", { updateConfig: { maxUnavailable: 0 } }],
            ["maxUnavailable 101", { updateConfig: { maxUnavailable: 101 } }],
            ["maxUnavailablePercentage 101", { updateConfig: { maxUnavailablePercentage: 101 } }],
            ["an empty instance type list", { instanceTypes: [] }],
            ["an unknown subnet", { subnets: ["subnet-0000000000000000"] }],
            ["no subnets", { subnets: [] }],
            ["a minimum above the desired size", { scalingConfig: { minSize: 3, maxSize: 3, desiredSize: 2 } }],
        ];
        for (const [what, over, message] of bad) {
            it(`refuses ${what} (InvalidParameterException)`, async () => {
                await rejectsWith(
                    c.eks.send(
                        new CreateNodegroupCommand({
                            clusterName: cluster,
                            nodegroupName: unique("bad"),
                            nodeRole: ROLE,
                            subnets: vpc.subnets.slice(0, 2),
                            ...over,
                        }),
                    ),
                    "InvalidParameterException",
                    message,
                );
            });
        }
    });

    describe("EKS UpdateNodegroupConfig", () => {
        let cluster: string;
        before(async () => {
            cluster = await activeCluster();
        });

        const update = (input: Partial<UpdateNodegroupConfigCommandInput> & { nodegroupName: string }) =>
            c.eks.send(new UpdateNodegroupConfigCommand({ clusterName: cluster, ...input }));

        it("takes labels, taints, scaling and update config in ONE call; one ConfigUpdate applied when it completes", async () => {
            const ng = await activeNodegroup(cluster, {
                labels: { keep: "1", drop: "2" },
                taints: [{ key: "old", value: "x", effect: "NO_SCHEDULE" }],
            });
            const started = await update({
                nodegroupName: ng,
                labels: { addOrUpdateLabels: { keep: "3", added: "4" }, removeLabels: ["drop"] },
                taints: {
                    addOrUpdateTaints: [{ key: "new", value: "y", effect: "NO_EXECUTE" }],
                    removeTaints: [{ key: "old", effect: "NO_SCHEDULE" }],
                },
                scalingConfig: { desiredSize: 2, maxSize: 4 },
                updateConfig: { maxUnavailablePercentage: 50 },
            });
            assert.equal(started.update?.type, "ConfigUpdate");
            assert.equal(started.update?.status, "InProgress");
            const params = Object.fromEntries((started.update?.params ?? []).map(p => [p.type, p.value]));
            assert.deepEqual(Object.keys(params).sort(), [
                "DesiredSize",
                "LabelsToAdd",
                "LabelsToRemove",
                "MaxSize",
                "MaxUnavailablePercentage",
                "TaintsToAdd",
                "TaintsToRemove",
            ]);
            assert.deepEqual(JSON.parse(params.LabelsToAdd ?? ""), { keep: "3", added: "4" });
            assert.deepEqual(JSON.parse(params.LabelsToRemove ?? ""), ["drop"]);
            assert.equal(params.DesiredSize, "2");
            assert.equal(params.MaxUnavailablePercentage, "50");

            const during = await describeNg(cluster, ng);
            assert.equal(during.status, "UPDATING");
            assert.deepEqual(during.labels, { keep: "1", drop: "2" }, "nothing applies before the update completes");
            assert.deepEqual(during.updateConfig, { maxUnavailable: 1 });

            assert.equal((await finish(cluster, started.update, ng)).status, "Successful");
            const d = await describeNg(cluster, ng);
            assert.equal(d.status, "ACTIVE");
            assert.deepEqual(d.labels, { keep: "3", added: "4" });
            assert.deepEqual(d.taints, [{ key: "new", value: "y", effect: "NO_EXECUTE" }]);
            assert.deepEqual(d.scalingConfig, { minSize: 1, maxSize: 4, desiredSize: 2 });
            assert.deepEqual(d.updateConfig, { maxUnavailablePercentage: 50 });
        });

        it("takes labels or taints alone, without scalingConfig", async () => {
            const ng = await activeNodegroup(cluster);
            const u = await update({ nodegroupName: ng, labels: { addOrUpdateLabels: { a: "b" } } });
            assert.deepEqual(
                u.update?.params?.map(p => p.type),
                ["LabelsToAdd"],
            );
            await finish(cluster, u.update, ng);
            const t = await update({
                nodegroupName: ng,
                taints: { addOrUpdateTaints: [{ key: "a", effect: "PREFER_NO_SCHEDULE" }] },
            });
            await finish(cluster, t.update, ng);
            const d = await describeNg(cluster, ng);
            assert.deepEqual(d.labels, { a: "b" });
            assert.deepEqual(d.taints, [{ key: "a", effect: "PREFER_NO_SCHEDULE" }]);
            assert.deepEqual(d.scalingConfig, { minSize: 1, maxSize: 3, desiredSize: 1 });
        });

        it("replaces a taint with the same key and effect, and keeps one with another effect", async () => {
            const ng = await activeNodegroup(cluster, {
                taints: [
                    { key: "k", value: "1", effect: "NO_SCHEDULE" },
                    { key: "k", value: "1", effect: "NO_EXECUTE" },
                ],
            });
            const u = await update({
                nodegroupName: ng,
                taints: { addOrUpdateTaints: [{ key: "k", value: "2", effect: "NO_SCHEDULE" }] },
            });
            await finish(cluster, u.update, ng);
            assert.deepEqual(sortTaints((await describeNg(cluster, ng)).taints), [
                { key: "k", value: "1", effect: "NO_EXECUTE" },
                { key: "k", value: "2", effect: "NO_SCHEDULE" },
            ]);
        });

        it("refuses a second update while one is in progress (ResourceInUseException)", async () => {
            const ng = await activeNodegroup(cluster);
            const first = await update({ nodegroupName: ng, labels: { addOrUpdateLabels: { a: "1" } } });
            await rejectsWith(
                update({ nodegroupName: ng, labels: { addOrUpdateLabels: { b: "1" } } }),
                "ResourceInUseException",
            );
            await finish(cluster, first.update, ng);
        });

        const bad: Array<[string, Omit<UpdateNodegroupConfigCommandInput, "clusterName" | "nodegroupName">, RegExp?]> =
            [
                [
                    "a label both added and removed",
                    { labels: { addOrUpdateLabels: { a: "1" }, removeLabels: ["a"] } },
                    /both added and removed/,
                ],
                [
                    "a taint both added and removed",
                    {
                        taints: {
                            addOrUpdateTaints: [{ key: "a", effect: "NO_SCHEDULE" }],
                            removeTaints: [{ key: "a", effect: "NO_SCHEDULE" }],
                        },
                    },
                    /both added and removed/,
                ],
                [
                    "an empty labels payload",
                    { labels: {} },
                    /Both or either addOrUpdateLabels or removeLabels must not be empty/,
                ],
                ["an empty taints payload", { taints: { addOrUpdateTaints: [], removeTaints: [] } }],
                [
                    "an empty scalingConfig",
                    { scalingConfig: {} },
                    /Either all or at least one of minSize, maxSize, desiredSize must be provided/,
                ],
                ["a desired size above the maximum", { scalingConfig: { desiredSize: 9 } }],
                [
                    "both maxUnavailable and maxUnavailablePercentage",
                    { updateConfig: { maxUnavailable: 1, maxUnavailablePercentage: 1 } },
                ],
                ["maxUnavailablePercentage 0", { updateConfig: { maxUnavailablePercentage: 0 } }],
                [
                    "a taint effect in Kubernetes spelling",
                    { taints: { addOrUpdateTaints: [{ key: "a", effect: "NoExecute" as never }] } },
                    /Invalid taint effect/,
                ],
                [
                    "a label with a reserved prefix",
                    { labels: { addOrUpdateLabels: { "k8s.io/x": "y" } } },
                    /reserved prefixes/,
                ],
                [
                    "more than 50 taints in all",
                    {
                        taints: {
                            addOrUpdateTaints: Array.from({ length: 50 }, (_, i) => ({
                                key: `n${i}`,
                                effect: "NO_SCHEDULE" as const,
                            })),
                        },
                    },
                    /at most 50 taints/,
                ],
            ];
        for (const [what, input, message] of bad) {
            it(`refuses ${what} (InvalidParameterException) and changes nothing`, async () => {
                const ng = await activeNodegroup(cluster, {
                    labels: { a: "1" },
                    taints: [{ key: "a", effect: "NO_SCHEDULE" }],
                });
                const before = await describeNg(cluster, ng);
                await rejectsWith(update({ nodegroupName: ng, ...input }), "InvalidParameterException", message);
                const afterwards = await describeNg(cluster, ng);
                assert.equal(afterwards.status, "ACTIVE");
                for (const k of ["labels", "taints", "scalingConfig", "updateConfig"] as const) {
                    assert.deepEqual(afterwards[k], before[k], k);
                }
            });
        }
    });

    describe("EKS cluster endpoint access and logging", () => {
        const describeCluster = async (name: string) => {
            const cl = (await c.eks.send(new DescribeClusterCommand({ name }))).cluster;
            assert.ok(cl);
            return cl;
        };
        const updateConfig = (input: UpdateClusterConfigCommandInput) =>
            c.eks.send(new UpdateClusterConfigCommand(input));

        it("reports EKS's defaults: public endpoint, no private one, 0.0.0.0/0, every log type disabled", async () => {
            const cl = await describeCluster(await activeCluster());
            assert.equal(cl.resourcesVpcConfig?.endpointPublicAccess, true);
            assert.equal(cl.resourcesVpcConfig?.endpointPrivateAccess, false);
            assert.deepEqual(cl.resourcesVpcConfig?.publicAccessCidrs, ["0.0.0.0/0"]);
            assert.deepEqual(cl.logging, {
                clusterLogging: [
                    { types: ["api", "audit", "authenticator", "controllerManager", "scheduler"], enabled: false },
                ],
            });
        });

        it("CreateCluster takes endpoint access and logging, and DescribeCluster reports them", async () => {
            const cl = await describeCluster(
                await activeCluster({
                    resourcesVpcConfig: {
                        subnetIds: vpc.subnets.slice(0, 2),
                        endpointPublicAccess: false,
                        endpointPrivateAccess: true,
                    },
                    logging: { clusterLogging: [{ types: ["api", "scheduler"], enabled: true }] },
                }),
            );
            assert.equal(cl.resourcesVpcConfig?.endpointPublicAccess, false);
            assert.equal(cl.resourcesVpcConfig?.endpointPrivateAccess, true);
            assert.deepEqual(cl.logging?.clusterLogging, [
                { types: ["api", "scheduler"], enabled: true },
                { types: ["audit", "authenticator", "controllerManager"], enabled: false },
            ]);
        });

        const badCreates: Array<[string, VpcConfigRequest]> = [
            ["both endpoints disabled", { endpointPublicAccess: false, endpointPrivateAccess: false }],
            ["a malformed CIDR", { publicAccessCidrs: ["1.2.3.4/33"] }],
        ];
        for (const [what, vpcConfig] of badCreates) {
            it(`CreateCluster refuses ${what} (InvalidParameterException)`, async () => {
                await rejectsWith(
                    c.eks.send(
                        new CreateClusterCommand({
                            name: unique("bad"),
                            roleArn: ROLE,
                            resourcesVpcConfig: { subnetIds: vpc.subnets.slice(0, 2), ...vpcConfig },
                        }),
                    ),
                    "InvalidParameterException",
                );
            });
        }

        it("UpdateClusterConfig changes endpoint access as an EndpointAccessUpdate, applied when it completes", async () => {
            const name = await activeCluster();
            const u = await updateConfig({
                name,
                resourcesVpcConfig: {
                    endpointPrivateAccess: true,
                    endpointPublicAccess: true,
                    publicAccessCidrs: ["203.0.113.5/32", "198.51.100.0/24"],
                },
            });
            assert.equal(u.update?.type, "EndpointAccessUpdate");
            assert.deepEqual(
                u.update?.params?.map(p => [p.type, p.value]),
                [
                    ["EndpointPublicAccess", "true"],
                    ["EndpointPrivateAccess", "true"],
                    ["PublicAccessCidrs", JSON.stringify(["203.0.113.5/32", "198.51.100.0/24"])],
                ],
            );
            assert.equal((await describeCluster(name)).resourcesVpcConfig?.endpointPrivateAccess, false);
            assert.equal((await finish(name, u.update)).status, "Successful");
            const v = (await describeCluster(name)).resourcesVpcConfig;
            assert.equal(v?.endpointPrivateAccess, true);
            assert.equal(v?.endpointPublicAccess, true);
            assert.deepEqual(v?.publicAccessCidrs, ["203.0.113.5/32", "198.51.100.0/24"]);
            assert.equal(v?.subnetIds?.length, 2, "the subnets stay as they were");

            const privateOnly = await updateConfig({ name, resourcesVpcConfig: { endpointPublicAccess: false } });
            await finish(name, privateOnly.update);
            assert.equal((await describeCluster(name)).resourcesVpcConfig?.endpointPublicAccess, false);
        });

        it("UpdateClusterConfig changes logging as a LoggingUpdate; the types not named keep their state", async () => {
            const name = await activeCluster();
            const u = await updateConfig({
                name,
                logging: { clusterLogging: [{ types: ["api", "audit"], enabled: true }] },
            });
            assert.equal(u.update?.type, "LoggingUpdate");
            assert.deepEqual(
                u.update?.params?.map(p => p.type),
                ["ClusterLogging"],
            );
            assert.equal((await describeCluster(name)).logging?.clusterLogging?.length, 1, "not applied yet");
            await finish(name, u.update);
            const second = await updateConfig({
                name,
                logging: {
                    clusterLogging: [
                        { types: ["audit"], enabled: false },
                        { types: ["scheduler"], enabled: true },
                    ],
                },
            });
            await finish(name, second.update);
            assert.deepEqual((await describeCluster(name)).logging?.clusterLogging, [
                { types: ["api", "scheduler"], enabled: true },
                { types: ["audit", "authenticator", "controllerManager"], enabled: false },
            ]);
        });

        const bad: Array<[string, Omit<UpdateClusterConfigCommandInput, "name">, RegExp?]> = [
            [
                "both endpoints disabled",
                { resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: false } },
            ],
            [
                "disabling the public endpoint while the private one is off",
                { resourcesVpcConfig: { endpointPublicAccess: false } },
            ],
            [
                "a CIDR with a prefix above 32",
                { resourcesVpcConfig: { publicAccessCidrs: ["1.2.3.4/33"] } },
                /The following CIDRs are invalid in publicAccessCidrs: \[1.2.3.4\/33\]/,
            ],
            [
                "a CIDR with host bits set",
                { resourcesVpcConfig: { publicAccessCidrs: ["203.0.113.5/24"] } },
                /invalid in publicAccessCidrs/,
            ],
            [
                "a reserved (private) range",
                { resourcesVpcConfig: { publicAccessCidrs: ["10.0.0.0/8"] } },
                /invalid in publicAccessCidrs/,
            ],
            [
                "an IPv6 block on an IPv4 cluster",
                { resourcesVpcConfig: { publicAccessCidrs: ["2001:db8::/32"] } },
                /invalid in publicAccessCidrs/,
            ],
            [
                "41 CIDR blocks",
                { resourcesVpcConfig: { publicAccessCidrs: Array.from({ length: 41 }, (_, i) => `198.51.${i}.0/24`) } },
                /at most 40/,
            ],
            [
                "the configuration the cluster already has",
                { resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: false } },
                /Cluster is already at the desired configuration/,
            ],
            [
                "endpoint access together with subnets",
                { resourcesVpcConfig: { endpointPrivateAccess: true, subnetIds: [] } },
                /Only one type of update can be allowed/,
            ],
            [
                "endpoint access together with logging",
                {
                    resourcesVpcConfig: { endpointPrivateAccess: true },
                    logging: { clusterLogging: [{ types: ["api"], enabled: true }] },
                },
                /Only one type of update can be allowed/,
            ],
            [
                "subnets together with logging",
                {
                    resourcesVpcConfig: { subnetIds: [] },
                    logging: { clusterLogging: [{ types: ["api"], enabled: true }] },
                },
                /Only one type of update can be allowed/,
            ],
            [
                "an unknown log type",
                { logging: { clusterLogging: [{ types: ["kubelet" as never], enabled: true }] } },
                /Invalid log type/,
            ],
            [
                "a log type named twice",
                {
                    logging: {
                        clusterLogging: [
                            { types: ["api"], enabled: true },
                            { types: ["api"], enabled: false },
                        ],
                    },
                },
            ],
            [
                "logging that is already so",
                { logging: { clusterLogging: [{ types: ["api"], enabled: false }] } },
                /No changes needed for the logging config provided/,
            ],
        ];
        for (const [what, input, message] of bad) {
            it(`UpdateClusterConfig refuses ${what} (InvalidParameterException)`, async () => {
                const name = await activeCluster();
                const before = await describeCluster(name);
                await rejectsWith(updateConfig({ name, ...input }), "InvalidParameterException", message);
                const afterwards = await describeCluster(name);
                assert.deepEqual(afterwards.resourcesVpcConfig, before.resourcesVpcConfig);
                assert.deepEqual(afterwards.logging, before.logging);
                assert.equal(afterwards.status, "ACTIVE");
            });
        }

        it("refuses a second cluster update while one is in progress (ResourceInUseException)", async () => {
            const name = await activeCluster();
            const first = await updateConfig({ name, resourcesVpcConfig: { endpointPrivateAccess: true } });
            await rejectsWith(
                updateConfig({ name, logging: { clusterLogging: [{ types: ["api"], enabled: true }] } }),
                "ResourceInUseException",
            );
            await finish(name, first.update);
        });
    });

    describe("ELBv2 target-group attributes of NLB target groups", () => {
        async function targetGroup(protocol: ProtocolEnum, targetType: TargetTypeEnum = "instance"): Promise<string> {
            const arn = (
                await c.elb.send(
                    new CreateTargetGroupCommand({
                        Name: unique(`tg-${protocol.toLowerCase().replace("_", "")}`),
                        Protocol: protocol,
                        Port: 8080,
                        VpcId: vpc.vpc,
                        TargetType: targetType,
                    }),
                )
            ).TargetGroups?.[0]?.TargetGroupArn;
            assert.ok(arn);
            return arn;
        }
        async function attributes(arn: string): Promise<Record<string, string>> {
            const out = await c.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
            return Object.fromEntries((out.Attributes ?? []).map(a => [a.Key ?? "", a.Value ?? ""]));
        }
        const modify = (arn: string, attrs: Record<string, string>) =>
            c.elb.send(
                new ModifyTargetGroupAttributesCommand({
                    TargetGroupArn: arn,
                    Attributes: Object.entries(attrs).map(([Key, Value]) => ({ Key, Value })),
                }),
            );

        it("reports the NLB defaults: deregistration 300 s, no stickiness (source_ip), no proxy protocol, client IP preservation per target type and protocol", async () => {
            const cases: Array<[ProtocolEnum, TargetTypeEnum, string]> = [
                ["TCP", "instance", "true"],
                ["TCP", "ip", "false"],
                ["TLS", "ip", "false"],
                ["UDP", "ip", "true"],
                ["TCP_UDP", "ip", "true"],
                ["UDP", "instance", "true"],
            ];
            for (const [protocol, targetType, preserve] of cases) {
                const a = await attributes(await targetGroup(protocol, targetType));
                const what = `${protocol}/${targetType}`;
                assert.equal(a["deregistration_delay.timeout_seconds"], "300", what);
                assert.equal(a["stickiness.enabled"], "false", what);
                assert.equal(a["stickiness.type"], "source_ip", what);
                assert.equal(a["proxy_protocol_v2.enabled"], "false", what);
                assert.equal(a["preserve_client_ip.enabled"], preserve, what);
                assert.equal(a["slow_start.duration_seconds"], undefined, `${what}: no ALB attributes`);
            }
        });

        it("takes several attributes in one call and answers with all of them, as DescribeTargetGroupAttributes does", async () => {
            const arn = await targetGroup("TCP", "ip");
            const out = await modify(arn, {
                "deregistration_delay.timeout_seconds": "3600",
                "stickiness.enabled": "true",
                "stickiness.type": "source_ip",
                "preserve_client_ip.enabled": "true",
                "proxy_protocol_v2.enabled": "true",
            });
            const answered = Object.fromEntries((out.Attributes ?? []).map(a => [a.Key, a.Value]));
            const described = await attributes(arn);
            assert.deepEqual(answered, described);
            assert.equal(described["deregistration_delay.timeout_seconds"], "3600");
            assert.equal(described["stickiness.enabled"], "true");
            assert.equal(described["preserve_client_ip.enabled"], "true");
            assert.equal(described["proxy_protocol_v2.enabled"], "true");
            await modify(arn, { "deregistration_delay.timeout_seconds": "0" });
            assert.equal((await attributes(arn))["deregistration_delay.timeout_seconds"], "0");
        });

        it("lets UDP groups keep client IP preservation on and use stickiness", async () => {
            const arn = await targetGroup("UDP");
            await modify(arn, { "preserve_client_ip.enabled": "true", "stickiness.enabled": "true" });
            assert.equal((await attributes(arn))["stickiness.enabled"], "true");
        });

        const bad: Array<[string, ProtocolEnum, Record<string, string>, string, RegExp?]> = [
            [
                "a deregistration delay of 3601 s",
                "TCP",
                { "deregistration_delay.timeout_seconds": "3601" },
                "ValidationError",
                /must be between '0-3600' inclusive/,
            ],
            [
                "a negative deregistration delay",
                "TCP",
                { "deregistration_delay.timeout_seconds": "-1" },
                "ValidationError",
            ],
            [
                "a non-numeric deregistration delay",
                "TCP",
                { "deregistration_delay.timeout_seconds": "soon" },
                "ValidationError",
            ],
            [
                "an unknown key",
                "TCP",
                { "bogus.attribute": "1" },
                "ValidationError",
                /Target group attribute key 'bogus.attribute' is not recognized/,
            ],
            ["an ALB key (slow start)", "TCP", { "slow_start.duration_seconds": "30" }, "InvalidConfigurationRequest"],
            [
                "lb_cookie stickiness",
                "TCP",
                { "stickiness.type": "lb_cookie" },
                "InvalidConfigurationRequest",
                /Stickiness type 'lb_cookie' is not supported/,
            ],
            ["an unknown stickiness type", "TCP", { "stickiness.type": "sticky" }, "ValidationError"],
            [
                "stickiness on a TLS group",
                "TLS",
                { "stickiness.enabled": "true" },
                "InvalidConfigurationRequest",
                /TLS protocol/,
            ],
            [
                "disabling client IP preservation on UDP",
                "UDP",
                { "preserve_client_ip.enabled": "false" },
                "InvalidConfigurationRequest",
            ],
            [
                "disabling client IP preservation on TCP_UDP",
                "TCP_UDP",
                { "preserve_client_ip.enabled": "false" },
                "InvalidConfigurationRequest",
            ],
            ["a boolean that is not true or false", "TCP", { "proxy_protocol_v2.enabled": "yes" }, "ValidationError"],
            [
                "a valid and an invalid attribute together",
                "TCP",
                { "proxy_protocol_v2.enabled": "true", "deregistration_delay.timeout_seconds": "9999" },
                "ValidationError",
            ],
        ];
        for (const [what, protocol, attrs, code, message] of bad) {
            it(`refuses ${what} (${code}) and changes nothing`, async () => {
                const arn = await targetGroup(protocol);
                const before = await attributes(arn);
                await rejectsWith(modify(arn, attrs), code, message);
                assert.deepEqual(await attributes(arn), before);
            });
        }
    });

    describe("ELBv2 network load balancers: cross-zone attribute and security groups", () => {
        let groups: string[];
        before(async () => {
            groups = [];
            for (const n of ["a", "b"]) {
                const id = (
                    await c.ec2.send(
                        new CreateSecurityGroupCommand({
                            GroupName: unique(`nlb-${n}`),
                            Description: "nlb",
                            VpcId: vpc.vpc,
                        }),
                    )
                ).GroupId;
                assert.ok(id);
                groups.push(id);
            }
        });

        async function nlb(securityGroups?: string[]): Promise<string> {
            const arn = (
                await c.elb.send(
                    new CreateLoadBalancerCommand({
                        Name: unique("nlb"),
                        Type: "network",
                        Scheme: "internal",
                        Subnets: vpc.subnets.slice(0, 2),
                        SecurityGroups: securityGroups,
                    }),
                )
            ).LoadBalancers?.[0]?.LoadBalancerArn;
            assert.ok(arn);
            return arn;
        }
        async function lbAttributes(arn: string): Promise<Record<string, string>> {
            const out = await c.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
            return Object.fromEntries((out.Attributes ?? []).map(a => [a.Key ?? "", a.Value ?? ""]));
        }
        const securityGroupsOf = async (arn: string) =>
            (await c.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).LoadBalancers?.[0]
                ?.SecurityGroups ?? [];
        const modifyLb = (arn: string, attrs: Record<string, string>) =>
            c.elb.send(
                new ModifyLoadBalancerAttributesCommand({
                    LoadBalancerArn: arn,
                    Attributes: Object.entries(attrs).map(([Key, Value]) => ({ Key, Value })),
                }),
            );

        it("has cross-zone load balancing off by default and turns it on and off", async () => {
            const arn = await nlb();
            assert.equal((await lbAttributes(arn))["load_balancing.cross_zone.enabled"], "false");
            const out = await modifyLb(arn, { "load_balancing.cross_zone.enabled": "true" });
            assert.ok(out.Attributes?.some(a => a.Key === "load_balancing.cross_zone.enabled" && a.Value === "true"));
            assert.equal((await lbAttributes(arn))["load_balancing.cross_zone.enabled"], "true");
            await modifyLb(arn, {
                "load_balancing.cross_zone.enabled": "false",
                "deletion_protection.enabled": "false",
            });
            assert.equal((await lbAttributes(arn))["load_balancing.cross_zone.enabled"], "false");
        });

        for (const [what, attrs, code] of [
            [
                "a cross-zone value that is not true or false",
                { "load_balancing.cross_zone.enabled": "maybe" },
                "ValidationError",
            ],
            [
                "an ALB attribute (idle timeout)",
                { "idle_timeout.timeout_seconds": "60" },
                "InvalidConfigurationRequest",
            ],
            ["an unknown attribute", { "bogus.key": "1" }, "ValidationError"],
        ] as const) {
            it(`ModifyLoadBalancerAttributes refuses ${what} (${code}) and changes nothing`, async () => {
                const arn = await nlb();
                const before = await lbAttributes(arn);
                await rejectsWith(modifyLb(arn, attrs), code);
                assert.deepEqual(await lbAttributes(arn), before);
            });
        }

        it("stores the security groups given at creation and lets SetSecurityGroups change them", async () => {
            const arn = await nlb([groups[0] ?? ""]);
            assert.deepEqual(await securityGroupsOf(arn), [groups[0]]);
            const out = await c.elb.send(
                new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: groups }),
            );
            assert.deepEqual(out.SecurityGroupIds, groups);
            assert.deepEqual(await securityGroupsOf(arn), groups);
        });

        it("refuses security groups on an NLB created without any (InvalidConfigurationRequest)", async () => {
            const arn = await nlb();
            assert.deepEqual(await securityGroupsOf(arn), []);
            await rejectsWith(
                c.elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: [groups[0] ?? ""] })),
                "InvalidConfigurationRequest",
                /created without any security groups/,
            );
            assert.deepEqual(await securityGroupsOf(arn), []);
        });

        it("refuses removing every security group from an NLB that has some (InvalidConfigurationRequest)", async () => {
            const arn = await nlb(groups);
            await rejectsWith(
                c.elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: [] })),
                "InvalidConfigurationRequest",
            );
            assert.deepEqual(await securityGroupsOf(arn), groups);
        });

        it("refuses an unknown security group at creation (InvalidSecurityGroup)", async () => {
            await rejectsWith(nlb(["sg-00000000000000000"]), "InvalidSecurityGroup");
        });
    });
});
