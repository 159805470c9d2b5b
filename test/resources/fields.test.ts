import * as assert from "assert";
import type { Capabilities } from "../../provider/interface/driver";
import { capabilitiesOf } from "../../provider/drivers/registry";
import { checkCluster, diffCluster } from "../../provider/resources/cluster";
import { Props } from "../../provider/resources/common";
import {
    CLUSTER_CALL_ORDER,
    clusterFields,
    nlbFields,
    nlbVmGroupFields,
    nodeGroupFields,
    nodeGroupOps,
    plan,
} from "../../provider/resources/fields";
import { checkNlb, diffNlb } from "../../provider/resources/nlb";
import { checkNlbVmGroup, diffNlbVmGroup } from "../../provider/resources/nlbVmGroup";
import { checkNodeGroup, diffNodeGroup } from "../../provider/resources/nodeGroup";
import { machineChange, type NodeGroupSpec } from "../../provider/resources/nodeGroupCommon";

const conn = { driver: "local" };

function checked(fn: (o: Props, n: Props) => { inputs?: Props; failures?: unknown[] }, news: Props): Props {
    const r = fn({}, news);
    assert.deepStrictEqual(r.failures, [], `baseline must be valid: ${JSON.stringify(r.failures)}`);
    return r.inputs as Props;
}

function set(obj: Props, path: string, value: unknown): Props {
    const copy = JSON.parse(JSON.stringify(obj)) as Props;
    const parts = path.split(".");
    let cur: Props = copy;
    for (const p of parts.slice(0, -1)) cur = cur[p] as Props;
    cur[parts[parts.length - 1]] = value;
    return copy;
}

/** Expected behaviour per field, written from the spec (issue #2), not from the table. */
const nlbExpect: Array<[string, unknown, "replace" | string]> = [
    ["connection", { driver: "local", region: "local-2" }, "replace"],
    ["nlbName", "web-other", "replace"],
    ["vpc", "vpc-other", "replace"],
    ["type", "INTERNAL", "replace"],
    ["scope", "GLOBAL", "replace"],
    ["subnets", ["subnet-b"], "changeSubnets"],
    ["listener.protocol", "UDP", "changeListener"],
    ["listener.port", 81, "changeListener"],
    ["vmGroup.protocol", "UDP", "changeVmGroupInfo"],
    ["vmGroup.port", 9090, "changeVmGroupInfo"],
    ["vmGroup.vms", ["vm-1", "vm-3"], "vms"],
    ["healthChecker.protocol", "HTTP", "changeHealthCheckerInfo"],
    ["healthChecker.port", 9999, "changeHealthCheckerInfo"],
    ["healthChecker.interval", 30, "changeHealthCheckerInfo"],
    ["healthChecker.timeout", 6, "changeHealthCheckerInfo"],
    ["healthChecker.threshold", 5, "changeHealthCheckerInfo"],
    ["healthChecker.path", "/healthz", "changeHealthCheckerInfo"],
    ["healthChecker.unhealthyThreshold", 2, "changeHealthCheckerInfo"],
    ["crossZone", true, "changeTrafficSettings"],
    ["connectionDraining", 0, "changeTrafficSettings"],
    ["sessionAffinity", "CLIENT_IP", "changeTrafficSettings"],
    ["preserveClientIp", false, "changeTrafficSettings"],
    ["proxyProtocol", true, "changeTrafficSettings"],
    // The base has none: ELBv2 cannot add security groups to an NLB created without any.
    ["securityGroups", ["sg-web"], "replace"],
    ["tags", { app: "other" }, "changeTags"],
];

describe("field tables", () => {
    const localCaps = capabilitiesOf("local");

    describe("Nlb", () => {
        const base = checked(checkNlb, {
            connection: conn,
            nlbName: "web-1",
            vpc: "vpc-local",
            subnets: ["subnet-a"],
            listener: { protocol: "TCP", port: 80 },
            vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-2"] },
            healthChecker: { protocol: "TCP", interval: 10, threshold: 3 },
            tags: { app: "web" },
        });

        it("covers every field of the table with an expectation", () => {
            const tablePaths = nlbFields
                .filter(r => r.effect !== "state")
                .map(r => r.path)
                .sort();
            assert.deepStrictEqual(nlbExpect.map(e => e[0]).sort(), tablePaths);
        });

        for (const [path, value, expected] of nlbExpect) {
            it(`${path} → ${expected === "replace" ? "replace" : `in place via ${expected}`}`, () => {
                const news = set(base, path, value);
                const d = diffNlb(base, news);
                assert.strictEqual(d.changes, true);
                if (expected === "replace") {
                    assert.deepStrictEqual(d.replaces, [path]);
                    assert.strictEqual(d.deleteBeforeReplace, true, "explicit names are freed before the replacement");
                } else {
                    assert.deepStrictEqual(d.replaces, []);
                    assert.deepStrictEqual(plan(nlbFields, base, news, localCaps).calls, [expected]);
                }
            });
        }

        it("reports no change when nothing changed (no perpetual diff from defaults)", () => {
            assert.deepStrictEqual(
                diffNlb(
                    base,
                    checked(checkNlb, {
                        connection: conn,
                        nlbName: "web-1",
                        vpc: "vpc-local",
                        subnets: ["subnet-a"],
                        listener: { protocol: "TCP", port: 80 },
                        vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-2", "vm-1"] },
                        healthChecker: { protocol: "TCP", interval: 10, threshold: 3 },
                        tags: { app: "web" },
                    }),
                ),
                { changes: false, replaces: [], deleteBeforeReplace: false },
            );
        });

        it("changes one non-empty set of security groups to another in place, and replaces for none", () => {
            const guarded = set(base, "securityGroups", ["sg-default"]);
            const other = set(guarded, "securityGroups", ["sg-web", "sg-default"]);
            assert.deepStrictEqual(diffNlb(guarded, other).replaces, []);
            assert.deepStrictEqual(plan(nlbFields, guarded, other, localCaps).calls, ["changeSecurityGroups"]);
            assert.deepStrictEqual(diffNlb(guarded, set(guarded, "securityGroups", [])).replaces, ["securityGroups"]);
        });

        it("changes several traffic settings in one call", () => {
            const news = { ...base, crossZone: true, connectionDraining: 30, sessionAffinity: "CLIENT_IP" };
            assert.deepStrictEqual(plan(nlbFields, base, news, localCaps).calls, ["changeTrafficSettings"]);
        });

        it("announces no change for state written before the traffic settings existed", () => {
            const { crossZone, connectionDraining, sessionAffinity, preserveClientIp, proxyProtocol, ...older } = base;
            assert.deepStrictEqual(
                [crossZone, connectionDraining, sessionAffinity, preserveClientIp, proxyProtocol],
                [false, 300, "NONE", true, false],
            );
            delete older.securityGroups;
            const health = { ...(older.healthChecker as Props) };
            delete health.unhealthyThreshold;
            const stored = { ...older, healthChecker: health };
            assert.deepStrictEqual(diffNlb(stored, base), { changes: false, replaces: [], deleteBeforeReplace: false });
            assert.strictEqual(diffNlb(stored, { ...base, connectionDraining: 10 }).changes, true);
        });

        it("turns an in-place field into a replace when the driver lacks the capability", () => {
            const caps: Capabilities = {
                ...localCaps,
                nlb: { ...localCaps.nlb, inPlace: { ...localCaps.nlb.inPlace, listenerProtocol: false } },
            };
            const p = plan(nlbFields, base, set(base, "listener.protocol", "UDP"), caps);
            assert.deepStrictEqual(p.replaces, ["listener.protocol"]);
            assert.deepStrictEqual(p.calls, []);
        });

        it("creates the replacement first when the name was generated", () => {
            const auto = checked(checkNlb, {
                connection: conn,
                pulumiName: "web",
                vpc: "vpc-local",
                listener: { protocol: "TCP", port: 80 },
                vmGroup: { port: 8080, vms: ["vm-1"] },
            });
            assert.match(auto.nlbName as string, /^web-[0-9a-f]{4}$/);
            const d = diffNlb(auto, set(auto, "vpc", "vpc-2"));
            assert.deepStrictEqual(d, { changes: true, replaces: ["vpc"], deleteBeforeReplace: false });
        });

        it("deletes first on GCP even when auto-named, since a VM can serve one NLB only there", () => {
            const olds = {
                connection: { driver: "gcp" },
                autoNamed: true,
                vpc: "a",
                vmGroup: { protocol: "TCP", port: 80, vms: ["vm-1"] },
            };
            assert.strictEqual(diffNlb(olds, { ...olds, vpc: "b" }).deleteBeforeReplace, true);
            const local = { ...olds, connection: { driver: "local" } };
            assert.strictEqual(diffNlb(local, { ...local, vpc: "b" }).deleteBeforeReplace, false);
        });

        it("treats unknown values during preview as changes, not failures", () => {
            const news = set(base, "listener.port", "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
            assert.deepStrictEqual(checkNlb({}, news).failures, []);
            assert.deepStrictEqual(diffNlb(base, news), { changes: true, replaces: [], deleteBeforeReplace: false });
        });
    });

    describe("NlbVmGroup", () => {
        const base = checked(checkNlbVmGroup, { connection: conn, nlb: "nlb-1", vms: ["vm-3"] });
        it("does not announce a replacement while the Nlb id is unknown during preview (the Nlb is being updated)", () => {
            const d = diffNlbVmGroup(base, set(base, "nlb", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"));
            assert.deepStrictEqual(d.replaces, []);
        });
        it("nlb → replace", () =>
            assert.deepStrictEqual(diffNlbVmGroup(base, set(base, "nlb", "nlb-2")).replaces, ["nlb"]));
        it("connection → replace", () =>
            assert.deepStrictEqual(
                diffNlbVmGroup(base, set(base, "connection", { driver: "local", region: "r2" })).replaces,
                ["connection"],
            ));
        it("vms → in place via AddVMs/RemoveVMs", () => {
            const news = set(base, "vms", ["vm-3", "vm-4"]);
            assert.deepStrictEqual(diffNlbVmGroup(base, news), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
            assert.deepStrictEqual(plan(nlbVmGroupFields, base, news, localCaps).calls, ["vms"]);
        });
    });

    describe("Cluster", () => {
        const ng = { name: "default", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 3 };
        const base = checked(checkCluster, {
            connection: conn,
            clusterName: "k8s-1",
            version: "1.29",
            network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
            nodeGroups: [ng],
        });
        const expectReplace: Array<[string, unknown]> = [
            ["connection", { driver: "local", region: "r2" }],
            ["clusterName", "k8s-2"],
            ["network.vpc", "vpc-2"],
        ];
        for (const [path, value] of expectReplace) {
            it(`${path} → replace`, () =>
                assert.deepStrictEqual(diffCluster(base, set(base, path, value)).replaces, [path]));
        }
        for (const [path, value] of [
            ["network.subnets", ["subnet-d", "subnet-b"]],
            ["network.securityGroups", ["sg-web"]],
        ] as const) {
            it(`${path} → in place via changeClusterNetwork (replace where the driver cannot)`, () => {
                const news = set(base, path, value);
                assert.deepStrictEqual(diffCluster(base, news), {
                    changes: true,
                    replaces: [],
                    deleteBeforeReplace: false,
                });
                assert.deepStrictEqual(plan(clusterFields, base, news, localCaps).calls, ["changeClusterNetwork"]);
                const noNetwork = {
                    ...localCaps,
                    cluster: { ...localCaps.cluster, inPlace: { ...localCaps.cluster.inPlace, network: false } },
                };
                assert.deepStrictEqual(plan(clusterFields, base, news, noNetwork).replaces, [path]);
            });
        }
        it("a network change runs before an upgrade and node-group steps in one update", () => {
            const news = set(set(base, "network.subnets", ["subnet-d", "subnet-b"]), "version", "1.30");
            const calls = plan(clusterFields, base, news, localCaps).calls;
            assert.deepStrictEqual(
                CLUSTER_CALL_ORDER.filter(c => calls.includes(c)),
                ["changeClusterNetwork", "upgradeCluster"],
            );
        });
        it("version → in place via upgradeCluster", () => {
            const news = set(base, "version", "1.30");
            assert.deepStrictEqual(diffCluster(base, news), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
            assert.deepStrictEqual(plan(clusterFields, base, news, localCaps).calls, ["upgradeCluster"]);
        });
        it("refuses a version downgrade at check time, naming version", () => {
            const r = checkCluster(base, { ...base, version: "1.28" });
            assert.deepStrictEqual(
                r.failures?.map(f => f.property),
                ["version"],
            );
        });
        it("tags → in place via changeClusterTags", () => {
            assert.deepStrictEqual(plan(clusterFields, base, set(base, "tags", { a: "b" }), localCaps).calls, [
                "changeClusterTags",
            ]);
        });
        const ngCases: Array<[string, unknown, string]> = [
            ["desiredNodeSize", 3, "changeNodeGroupScaling"],
            ["minNodeSize", 2, "changeNodeGroupScaling"],
            ["maxNodeSize", 5, "changeNodeGroupScaling"],
            ["onAutoScaling", false, "setNodeGroupAutoScaling"],
            ["vmSpec", "large", "recreate"],
            ["image", "ubuntu-24.04", "recreate"],
            ["rootDiskType", "ssd", "recreate"],
            ["rootDiskSize", 50, "recreate"],
            ["keyPair", "default-key", "recreate"],
            ["vmSpecs", ["small", "medium"], "recreate"],
            ["capacityType", "SPOT", "recreate"],
            ["subnets", ["subnet-a"], "recreate"],
            ["labels", { role: "web" }, "changeNodeGroupConfig"],
            ["taints", [{ key: "web", value: "yes", effect: "NoExecute" }], "changeNodeGroupConfig"],
            ["maxUnavailable", 2, "changeNodeGroupConfig"],
        ];
        for (const [field, value, op] of ngCases) {
            it(`nodeGroups[].${field} → ${op} of that node group, never a cluster replace`, () => {
                const news = { ...base, nodeGroups: [{ ...(base.nodeGroups as Props[])[0], [field]: value }] };
                assert.deepStrictEqual(diffCluster(base, news), {
                    changes: true,
                    replaces: [],
                    deleteBeforeReplace: false,
                });
                assert.deepStrictEqual(
                    nodeGroupOps(base.nodeGroups, news.nodeGroups, localCaps).map(o => o.op),
                    [op],
                );
            });
        }
        it("adds and removes node groups by name", () => {
            const news = { ...base, nodeGroups: [{ ...ng, name: "other" }] };
            assert.deepStrictEqual(
                nodeGroupOps(base.nodeGroups, news.nodeGroups, localCaps).map(o => `${o.op} ${o.name}`),
                ["remove default", "add other"],
            );
            assert.deepStrictEqual(diffCluster(base, news).replaces, []);
        });
    });

    describe("NodeGroup", () => {
        const base = checked(checkNodeGroup, {
            connection: conn,
            cluster: "cls-1",
            nodeGroupName: "gpu-1",
            vmSpec: "large",
            desiredNodeSize: 1,
            minNodeSize: 0,
            maxNodeSize: 4,
        });
        const cases: Array<[string, unknown, string]> = [
            ["connection", { driver: "local", region: "r2" }, "replace"],
            ["cluster", "cls-2", "replace"],
            ["nodeGroupName", "gpu-2", "replace"],
            ["image", "ubuntu-24.04", "replace"],
            ["vmSpec", "small", "replace"],
            ["rootDiskType", "ssd", "replace"],
            ["rootDiskSize", 40, "replace"],
            ["keyPair", "default-key", "replace"],
            ["desiredNodeSize", 2, "changeNodeGroupScaling"],
            ["minNodeSize", 1, "changeNodeGroupScaling"],
            ["maxNodeSize", 8, "changeNodeGroupScaling"],
            ["onAutoScaling", false, "setNodeGroupAutoScaling"],
            ["vmSpecs", ["small", "medium"], "replace"],
            ["capacityType", "SPOT", "replace"],
            ["subnets", ["subnet-a"], "replace"],
            ["labels", { role: "gpu" }, "changeNodeGroupConfig"],
            ["taints", [{ key: "gpu", effect: "NoSchedule" }], "changeNodeGroupConfig"],
            ["maxUnavailable", "33%", "changeNodeGroupConfig"],
        ];
        it("covers every field of the table", () => {
            assert.deepStrictEqual(
                cases.map(c => c[0]).sort(),
                nodeGroupFields
                    .filter(r => r.effect !== "state")
                    .map(r => r.path)
                    .sort(),
            );
        });
        for (const [path, value, expected] of cases) {
            it(`${path} → ${expected === "replace" ? "replace" : `in place via ${expected}`}`, () => {
                const news = set(base, path, value);
                const d = diffNodeGroup(base, news);
                if (expected === "replace") assert.deepStrictEqual(d.replaces, [path]);
                else {
                    assert.deepStrictEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
                    assert.deepStrictEqual(plan(nodeGroupFields, base, news, localCaps).calls, [expected]);
                }
            });
        }
    });

    describe("gcp (GKE): a node group's machines change in place, its nodes recreated", () => {
        const caps = capabilitiesOf("gcp");
        const connection = { driver: "gcp", project: "p", region: "us-central1", zone: "us-central1-a" };
        const ngBase = checked(checkNodeGroup, {
            connection,
            cluster: "k8s-1",
            nodeGroupName: "web-1",
            vmSpec: "e2-medium",
            desiredNodeSize: 1,
            minNodeSize: 0,
            maxNodeSize: 4,
        });
        const machineCases: Array<[string, unknown]> = [
            ["vmSpec", "e2-standard-4"],
            ["vmSpecs", ["e2-standard-4"]],
            ["image", "UBUNTU_CONTAINERD"],
            ["rootDiskType", "pd-ssd"],
            ["rootDiskSize", 200],
        ];
        for (const [path, value] of machineCases) {
            it(`NodeGroup ${path} → in place via changeNodeGroupMachines, never a replace`, () => {
                const news = set(ngBase, path, value);
                assert.deepStrictEqual(diffNodeGroup(ngBase, news).replaces, []);
                assert.deepStrictEqual(plan(nodeGroupFields, ngBase, news, caps).calls, ["changeNodeGroupMachines"]);
            });
        }
        it("NodeGroup capacityType and keyPair still replace (GKE cannot change them on a pool)", () => {
            assert.deepStrictEqual(diffNodeGroup(ngBase, set(ngBase, "capacityType", "SPOT")).replaces, [
                "capacityType",
            ]);
            const key = "alice:ssh-ed25519 AAAAC3Nza alice";
            assert.deepStrictEqual(diffNodeGroup(ngBase, set(ngBase, "keyPair", key)).replaces, ["keyPair"]);
        });
        it("inside a Cluster, a machine change is that node group's changeNodeGroupMachines, not a recreate", () => {
            const cluster = checked(checkCluster, {
                connection,
                clusterName: "k8s-1",
                version: "1.34",
                network: { vpc: "default", subnets: ["default"] },
                nodeGroups: [
                    { name: "default", vmSpec: "e2-medium", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 2 },
                ],
            });
            const olds = cluster.nodeGroups as Props[];
            const news = [{ ...olds[0], vmSpec: "e2-standard-2", labels: { role: "web" } }];
            const ops = nodeGroupOps(olds, news, caps).map(o => o.op);
            assert.deepStrictEqual(ops, ["changeNodeGroupConfig", "changeNodeGroupMachines"]);
            assert.deepStrictEqual(diffCluster(cluster, { ...cluster, nodeGroups: news }).replaces, []);
            assert.deepStrictEqual(
                nodeGroupOps(olds, news, capabilitiesOf("aws")).map(o => o.op),
                ["recreate"],
            );
        });
        it("sends only the machine settings that changed", () => {
            const news = set(set(ngBase, "vmSpec", "e2-standard-4"), "rootDiskSize", 200);
            assert.deepStrictEqual(machineChange(ngBase, news as NodeGroupSpec), {
                vmSpec: "e2-standard-4",
                rootDiskSize: 200,
            });
        });
    });

    describe("issue 13: node-group and cluster fields real workloads need, per driver", () => {
        for (const driver of ["local", "aws"] as const) {
            const caps = capabilitiesOf(driver);
            const vmSpec = driver === "aws" ? "t3.medium" : "small";
            const ngBase = checked(checkNodeGroup, {
                connection: { driver },
                cluster: "cls-1",
                nodeGroupName: "web-1",
                vmSpec,
                labels: { role: "web", tier: "a" },
                taints: [
                    { key: "a", value: "1", effect: "NoSchedule" },
                    { key: "b", effect: "NoExecute" },
                ],
                desiredNodeSize: 1,
                minNodeSize: 0,
                maxNodeSize: 4,
            });
            const clBase = checked(checkCluster, {
                connection: { driver },
                clusterName: "k8s-1",
                version: "1.29",
                network: {
                    vpc: driver === "aws" ? "vpc-0abc1234" : "vpc-local",
                    subnets: driver === "aws" ? ["subnet-0aaa1111", "subnet-0bbb2222"] : ["subnet-a", "subnet-b"],
                },
                nodeGroups: [{ name: "default", vmSpec, desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 2 }],
            });
            const off = (flag: keyof Capabilities["cluster"]["inPlace"]): Capabilities => ({
                ...caps,
                cluster: { ...caps.cluster, inPlace: { ...caps.cluster.inPlace, [flag]: false } },
            });

            it(`${driver}: labels, taints and maxUnavailable changed together are one changeNodeGroupConfig`, () => {
                let news = set(ngBase, "labels", { role: "api" });
                news = set(news, "taints", [{ key: "c", effect: "PreferNoSchedule" }]);
                news = set(news, "maxUnavailable", "50%");
                assert.deepStrictEqual(diffNodeGroup(ngBase, news).replaces, []);
                assert.deepStrictEqual(plan(nodeGroupFields, ngBase, news, caps).calls, ["changeNodeGroupConfig"]);
                const inCluster = {
                    ...clBase,
                    nodeGroups: [{ ...(clBase.nodeGroups as Props[])[0], labels: { a: "b" } }],
                };
                const ops = nodeGroupOps(clBase.nodeGroups, inCluster.nodeGroups, caps).map(o => o.op);
                assert.deepStrictEqual(ops, ["changeNodeGroupConfig"]);
            });
            it(`${driver}: taints in another order, and defaults left out, are no change`, () => {
                const reordered = set(ngBase, "taints", [...(ngBase.taints as Props[])].reverse());
                assert.deepStrictEqual(diffNodeGroup(ngBase, reordered).changes, false);
                const { subnets: _s, ...noSubnets } = { ...ngBase, subnets: ["subnet-a", "subnet-b"] };
                assert.deepStrictEqual(
                    diffNodeGroup({ ...ngBase, subnets: ["subnet-a", "subnet-b"] }, noSubnets).changes,
                    false,
                );
            });
            it(`${driver}: vmSpec → vmSpecs, capacityType and subnets replace (recreate in a Cluster)`, () => {
                const { vmSpec: _v, ...rest } = ngBase;
                assert.deepStrictEqual(diffNodeGroup(ngBase, { ...rest, vmSpecs: [vmSpec, vmSpec + "x"] }).replaces, [
                    "vmSpec",
                    "vmSpecs",
                ]);
                for (const [field, value] of [
                    ["capacityType", "SPOT"],
                    ["subnets", ["subnet-b"]],
                ] as const) {
                    const ng = { ...(clBase.nodeGroups as Props[])[0], [field]: value };
                    assert.deepStrictEqual(
                        nodeGroupOps(clBase.nodeGroups, [ng], caps).map(o => o.op),
                        ["recreate"],
                    );
                }
            });
            it(`${driver}: endpointAccess and logging → one changeClusterAccess call (replace without the capability)`, () => {
                let news = set(clBase, "endpointAccess", {
                    public: true,
                    private: true,
                    publicCidrs: ["203.0.113.0/24"],
                });
                news = set(news, "logging", ["api", "audit"]);
                assert.deepStrictEqual(diffCluster(clBase, news).replaces, []);
                const planned = plan(clusterFields, clBase, news, caps);
                assert.deepStrictEqual(planned.calls, ["changeClusterAccess"]);
                assert.deepStrictEqual(planned.changed, [
                    "endpointAccess.private",
                    "endpointAccess.publicCidrs",
                    "logging",
                ]);
                assert.deepStrictEqual(plan(clusterFields, clBase, news, off("logging")).replaces, ["logging"]);
                assert.deepStrictEqual(plan(clusterFields, clBase, news, off("endpointAccess")).replaces, [
                    "endpointAccess.private",
                    "endpointAccess.publicCidrs",
                ]);
            });
            it(`${driver}: state written before these fields existed shows no diff against their defaults`, () => {
                const strip = (props: Props, keys: string[]): Props =>
                    Object.fromEntries(Object.entries(props).filter(([key]) => !keys.includes(key)));
                const ngKeys = ["labels", "taints", "maxUnavailable", "capacityType", "vmSpecs", "subnets"];
                const news = set(set(ngBase, "labels", {}), "taints", []);
                assert.deepStrictEqual(diffNodeGroup(strip(news, ngKeys), news).changes, false);
                const oldCluster = {
                    ...strip(clBase, ["endpointAccess", "logging"]),
                    nodeGroups: (clBase.nodeGroups as Props[]).map(group => strip(group, ngKeys)),
                };
                assert.deepStrictEqual(diffCluster(oldCluster, clBase).changes, false);
            });
            it(`${driver}: labels, taints and maxUnavailable replace only where the driver lacks the capability`, () => {
                const news = set(set(ngBase, "labels", {}), "maxUnavailable", 3);
                assert.deepStrictEqual(plan(nodeGroupFields, ngBase, news, off("labels")).replaces, ["labels"]);
                assert.deepStrictEqual(plan(nodeGroupFields, ngBase, news, off("updateConfig")).replaces, [
                    "maxUnavailable",
                ]);
            });
        }
    });
});
