import assert from "node:assert/strict";
import type {
    Capabilities,
    ClusterInfo,
    ClusterReq,
    Iid,
    NodeGroupInfo,
    NodeGroupReq,
    Taint,
} from "../../provider/interface/driver";
import type { ContractEnv } from "./env";
import { assertPlainInfo, expectCode, ISO_TIME, sortedCopy } from "./nlb.contract";

/*
 * The cluster contract every driver must pass through the ClusterHandler interface. One cluster
 * is created and walked through the steps in order. A driver whose capabilities say clusters are
 * unsupported runs only the NotSupported scenario (chosen at registration from `caps`).
 */

/** Taints in a stable order (clouds report them in their own). */
function sortedTaints(taints: readonly Taint[]): Taint[] {
    const id = (taint: Taint): string => `${taint.key}:${taint.effect}`;
    return [...taints].sort((left, right) => id(left).localeCompare(id(right)));
}

/** The URN a Cluster resource passes as the owner of the cluster and of its node groups. */
const CLUSTER_OWNER = "urn:pulumi:contract::pulumi-spider::pulumi-nodejs:dynamic/spider:Cluster::k8s";

export function describeClusterContract(label: string, getEnv: () => ContractEnv, caps: Capabilities): void {
    const describeIf = (cond: boolean) => (cond ? describe : () => undefined);
    describe(`Cluster contract (${label})`, function () {
        describeIf(caps.cluster.supported)("when the driver supports clusters", function () {
            let baseline = 0;
            let clusterName = "";
            let clusterIid: Iid = { nameId: "", systemId: "" };
            let defaultGroup: Iid = { nameId: "", systemId: "" };
            let extraGroup: Iid = { nameId: "", systemId: "" };
            let created: ClusterInfo | undefined;

            function nodeGroupReq(ngName: string, sizes: { desired: number; min: number; max: number }): NodeGroupReq {
                return {
                    iid: { nameId: ngName, systemId: "" },
                    image: "",
                    vmSpec: getEnv().vmSpec,
                    rootDiskType: "",
                    rootDiskSize: 0,
                    keyPair: "",
                    onAutoScaling: true,
                    desiredNodeSize: sizes.desired,
                    minNodeSize: sizes.min,
                    maxNodeSize: sizes.max,
                    owner: CLUSTER_OWNER,
                };
            }

            function clusterReq(name: string, ngName: string): ClusterReq {
                const env = getEnv();
                return {
                    iid: { nameId: name, systemId: "" },
                    version: env.versions[0],
                    network: { vpc: env.vpc, subnets: env.subnets, securityGroups: [] },
                    nodeGroups: [nodeGroupReq(ngName, { desired: 2, min: 1, max: 3 })],
                    tags: { suite: "cluster-contract" },
                    owner: CLUSTER_OWNER,
                };
            }

            function requireCreated(): ClusterInfo {
                assert.ok(created, "the cluster from the first scenario was not created; later scenarios depend on it");
                return created;
            }

            function assertNodeGroupShape(
                ng: NodeGroupInfo,
                sizes: { desired: number; min: number; max: number },
            ): void {
                assertPlainInfo(ng, `node group ${ng.iid.nameId}`);
                assert.equal(ng.status, "Active");
                assert.equal(ng.desiredNodeSize, sizes.desired);
                assert.equal(ng.minNodeSize, sizes.min);
                assert.equal(ng.maxNodeSize, sizes.max);
                assert.equal(ng.nodes.length, sizes.desired, "nodes follow the desired size");
            }

            before(async function () {
                const env = getEnv();
                baseline = (await env.inventory()).clusters;
            });

            after(async function () {
                if (!created) return;
                try {
                    await getEnv().driver.cluster.deleteCluster(clusterIid);
                } catch {
                    // The scenario that failed already reported the real problem.
                }
            });

            it("creates a cluster with one node group (desired 2, min 1, max 3) and waits until Active", async function () {
                const env = getEnv();
                clusterName = env.uniqueName("k8s");
                const ngName = env.uniqueName("ng");
                const req = clusterReq(clusterName, ngName);
                const info = await env.driver.cluster.createCluster(req);
                created = info;
                clusterIid = { nameId: info.iid.nameId, systemId: info.iid.systemId };

                assertPlainInfo(info, "createCluster result");
                assert.equal(info.iid.nameId, clusterName);
                assert.ok(info.iid.systemId.length > 0, "iid.systemId must be set");
                assert.equal(info.status, "Active");
                assert.equal(info.version, env.versions[0]);
                assert.equal(info.network.vpc, env.vpc);
                assert.deepEqual(sortedCopy(info.network.subnets), sortedCopy(env.subnets));
                assert.ok(info.endpoint.length > 0, "endpoint must be set");
                assert.ok(info.kubeconfig.length > 0, "kubeconfig must be set");
                assert.ok(info.kubeconfig.includes(info.endpoint), "the kubeconfig points at the endpoint");
                assert.match(info.createdTime, ISO_TIME);
                assert.deepEqual(info.tags, req.tags);
                assert.equal(info.owner, CLUSTER_OWNER);
                assert.equal(info.nodeGroups.length, 1);
                const ng = info.nodeGroups[0];
                assert.equal(ng.iid.nameId, ngName);
                assert.ok(ng.iid.systemId.length > 0, "node group iid.systemId must be set");
                assert.equal(ng.vmSpec, env.vmSpec);
                assert.equal(ng.version, env.versions[0]);
                assert.equal(ng.onAutoScaling, true);
                assertNodeGroupShape(ng, { desired: 2, min: 1, max: 3 });
                defaultGroup = { nameId: ng.iid.nameId, systemId: ng.iid.systemId };
            });

            it("reads the node group by name alone", async function () {
                const env = getEnv();
                requireCreated();
                const ng = await env.driver.cluster.getNodeGroup(clusterIid, {
                    nameId: defaultGroup.nameId,
                    systemId: "",
                });
                assert.equal(ng.iid.systemId, defaultGroup.systemId);
                assertNodeGroupShape(ng, { desired: 2, min: 1, max: 3 });
                assert.equal(ng.owner, CLUSTER_OWNER, "a cluster's node groups record the cluster's URN as owner");
                const cluster = await env.driver.cluster.getCluster({ nameId: clusterName, systemId: "" });
                assert.equal(cluster.iid.systemId, clusterIid.systemId);
                assert.equal(cluster.owner, CLUSTER_OWNER, "the owner is read back from the cloud object");
            });

            it("adds a second node group", async function () {
                const env = getEnv();
                requireCreated();
                const ng = await env.driver.cluster.addNodeGroup(
                    clusterIid,
                    nodeGroupReq(env.uniqueName("ng"), { desired: 1, min: 1, max: 2 }),
                );
                extraGroup = { nameId: ng.iid.nameId, systemId: ng.iid.systemId };
                assertNodeGroupShape(ng, { desired: 1, min: 1, max: 2 });
                const cluster = await env.driver.cluster.getCluster(clusterIid);
                assert.deepEqual(
                    sortedCopy(cluster.nodeGroups.map(g => g.iid.nameId)),
                    sortedCopy([defaultGroup.nameId, extraGroup.nameId]),
                );
            });

            let configGroup: Iid = { nameId: "", systemId: "" };

            it("adds a node group with labels, taints, spot capacity, its VM specs, own subnets and maxUnavailable", async function () {
                const env = getEnv();
                requireCreated();
                assert.ok(env.otherVmSpec, "a driver that supports clusters must offer env.otherVmSpec");
                // Two VM specs and a percentage where the cloud takes them (EKS), else one and a count (GKE).
                const vmSpecs = caps.cluster.limits.vmSpecs >= 2 ? [env.vmSpec, env.otherVmSpec] : [env.vmSpec];
                const maxUnavailable = caps.cluster.maxUnavailablePercent ? "33%" : 2;
                const req: NodeGroupReq = {
                    ...nodeGroupReq(env.uniqueName("ng"), { desired: 1, min: 1, max: 2 }),
                    vmSpecs,
                    capacityType: "SPOT",
                    subnets: [env.subnets[0]],
                    labels: { role: "web", tier: "a" },
                    taints: [
                        { key: "dedicated", value: "web", effect: "NoSchedule" },
                        { key: "spot", effect: "PreferNoSchedule" },
                    ],
                    maxUnavailable,
                };
                const ng = await env.driver.cluster.addNodeGroup(clusterIid, req);
                configGroup = { nameId: ng.iid.nameId, systemId: ng.iid.systemId };
                const read = await env.driver.cluster.getNodeGroup(clusterIid, { nameId: ng.iid.nameId, systemId: "" });
                for (const got of [ng, read]) {
                    assert.deepEqual(got.vmSpecs, vmSpecs);
                    assert.equal(got.vmSpec, env.vmSpec);
                    assert.equal(got.capacityType, "SPOT");
                    assert.deepEqual(got.subnets, [env.subnets[0]]);
                    assert.deepEqual(got.labels, req.labels);
                    assert.deepEqual(sortedTaints(got.taints), sortedTaints(req.taints ?? []));
                    assert.equal(got.maxUnavailable, maxUnavailable);
                }
                const plain = (await env.driver.cluster.getCluster(clusterIid)).nodeGroups.find(
                    g => g.iid.nameId === defaultGroup.nameId,
                );
                assert.ok(plain, "the default node group is listed");
                assert.deepEqual(
                    { capacityType: plain.capacityType, labels: plain.labels, taints: plain.taints },
                    { capacityType: "ON_DEMAND", labels: {}, taints: [] },
                    "a node group declared without them has the defaults",
                );
                assert.deepEqual(
                    sortedCopy(plain.subnets),
                    sortedCopy(env.subnets),
                    "defaults to the cluster's subnets",
                );
                assert.equal(plain.maxUnavailable, 1);
            });

            it("changes labels, taints and maxUnavailable in place in one update, keeping the node group", async function () {
                const env = getEnv();
                requireCreated();
                const labels = { role: "api", zone: "b" };
                const taints = [
                    { key: "dedicated", value: "api", effect: "NoSchedule" as const },
                    { key: "gpu", effect: "NoExecute" as const },
                ];
                const got = await env.driver.cluster.changeNodeGroupConfig(clusterIid, configGroup, {
                    labels,
                    taints,
                    maxUnavailable: 2,
                });
                const read = await env.driver.cluster.getNodeGroup(clusterIid, configGroup);
                for (const ng of [got, read]) {
                    assert.equal(ng.iid.systemId, configGroup.systemId, "the same node group");
                    assert.equal(ng.status, "Active");
                    assert.deepEqual(ng.labels, labels);
                    assert.deepEqual(sortedTaints(ng.taints), sortedTaints(taints));
                    assert.equal(ng.maxUnavailable, 2);
                }
                const refused = await expectCode(
                    () =>
                        env.driver.cluster.changeNodeGroupConfig(clusterIid, configGroup, {
                            taints: [{ key: "bad key", effect: "NoSchedule" }],
                        }),
                    "Validation",
                );
                assert.match(refused.message, /taints\[0\]\.key|taint key/i);
                await env.driver.cluster.removeNodeGroup(clusterIid, configGroup);
            });

            it("changes endpoint access and logging in place, one update per kind, keeping the cluster", async function () {
                const env = getEnv();
                const cluster = requireCreated();
                assert.deepEqual(cluster.endpointAccess, { public: true, private: false, publicCidrs: ["0.0.0.0/0"] });
                assert.deepEqual(cluster.logging, []);
                const endpointAccess = {
                    public: true,
                    private: caps.cluster.privateEndpoint,
                    publicCidrs: ["203.0.113.0/24"],
                };
                const logging = caps.cluster.logTypes.slice(0, 2);
                const got = await env.driver.cluster.changeClusterAccess(clusterIid, { endpointAccess, logging });
                const read = await env.driver.cluster.getCluster(clusterIid);
                for (const info of [got, read]) {
                    assert.equal(info.iid.systemId, cluster.iid.systemId, "the same cluster");
                    assert.equal(info.status, "Active");
                    assert.deepEqual(info.endpointAccess, endpointAccess);
                    assert.deepEqual(info.logging, logging);
                }
                // Private only where the control plane has a private endpoint; else the public one stays.
                const privateOnly = { public: false, private: true, publicCidrs: [] };
                const kept = caps.cluster.privateEndpoint ? privateOnly : endpointAccess;
                if (caps.cluster.privateEndpoint) {
                    const after = await env.driver.cluster.changeClusterAccess(clusterIid, {
                        endpointAccess: privateOnly,
                    });
                    assert.deepEqual(after.endpointAccess, privateOnly);
                } else {
                    const refusedPrivate = await expectCode(
                        () => env.driver.cluster.changeClusterAccess(clusterIid, { endpointAccess: privateOnly }),
                        "Validation",
                    );
                    assert.match(refusedPrivate.message, /endpointAccess\.private/);
                }
                const refused = await expectCode(
                    () =>
                        env.driver.cluster.changeClusterAccess(clusterIid, {
                            endpointAccess: { public: false, private: false, publicCidrs: [] },
                        }),
                    "Validation",
                );
                assert.match(refused.message, /endpointAccess\.private/);
                assert.deepEqual((await env.driver.cluster.getCluster(clusterIid)).endpointAccess, kept);
            });

            it("turns autoscaling off and on again", async function () {
                const env = getEnv();
                requireCreated();
                const off = await env.driver.cluster.setNodeGroupAutoScaling(clusterIid, defaultGroup, false);
                assert.equal(off.onAutoScaling, false);
                assert.equal((await env.driver.cluster.getNodeGroup(clusterIid, defaultGroup)).onAutoScaling, false);
                const on = await env.driver.cluster.setNodeGroupAutoScaling(clusterIid, defaultGroup, true);
                assert.equal(on.onAutoScaling, true);
                assert.equal((await env.driver.cluster.getNodeGroup(clusterIid, defaultGroup)).onAutoScaling, true);
            });

            it("changes scaling in place and the nodes follow the desired size", async function () {
                const env = getEnv();
                requireCreated();
                const up = await env.driver.cluster.changeNodeGroupScaling(clusterIid, defaultGroup, {
                    desiredNodeSize: 3,
                    minNodeSize: 2,
                    maxNodeSize: 4,
                });
                assertNodeGroupShape(up, { desired: 3, min: 2, max: 4 });
                assert.equal(up.iid.systemId, defaultGroup.systemId);
                assertNodeGroupShape(await env.driver.cluster.getNodeGroup(clusterIid, defaultGroup), {
                    desired: 3,
                    min: 2,
                    max: 4,
                });
                const down = await env.driver.cluster.changeNodeGroupScaling(clusterIid, defaultGroup, {
                    desiredNodeSize: 1,
                    minNodeSize: 1,
                    maxNodeSize: 3,
                });
                assertNodeGroupShape(down, { desired: 1, min: 1, max: 3 });
            });

            it("changes a node group's machines in place where the driver can, recreating its nodes", async function () {
                const env = getEnv();
                requireCreated();
                assert.ok(env.otherVmSpec, "a driver that supports clusters must offer env.otherVmSpec");
                const change = { vmSpec: env.otherVmSpec, rootDiskSize: 50 };
                if (!caps.cluster.inPlace.machines) {
                    await expectCode(
                        () => env.driver.cluster.changeNodeGroupMachines(clusterIid, extraGroup, change),
                        "NotSupported",
                    );
                    return;
                }
                const before = await env.driver.cluster.getNodeGroup(clusterIid, extraGroup);
                const got = await env.driver.cluster.changeNodeGroupMachines(clusterIid, extraGroup, change);
                const read = await env.driver.cluster.getNodeGroup(clusterIid, extraGroup);
                for (const ng of [got, read]) {
                    assert.equal(ng.iid.systemId, extraGroup.systemId, "the same node group");
                    assert.equal(ng.status, "Active");
                    assert.equal(ng.vmSpec, env.otherVmSpec);
                    assert.equal(ng.rootDiskSize, 50);
                    assert.equal(ng.nodes.length, before.nodes.length, "as many nodes as before");
                    assert.ok(
                        ng.nodes.every(node => !before.nodes.includes(node)),
                        "every node was recreated with the new machine",
                    );
                }
            });

            it("removes the second node group; getNodeGroup then throws NotFound", async function () {
                const env = getEnv();
                requireCreated();
                await env.driver.cluster.removeNodeGroup(clusterIid, extraGroup);
                await expectCode(() => env.driver.cluster.getNodeGroup(clusterIid, extraGroup), "NotFound");
                const cluster = await env.driver.cluster.getCluster(clusterIid);
                assert.deepEqual(
                    cluster.nodeGroups.map(g => g.iid.nameId),
                    [defaultGroup.nameId],
                );
            });

            it("upgrades the control plane and every node group one minor version", async function () {
                const env = getEnv();
                requireCreated();
                const upgraded = await env.driver.cluster.upgradeCluster(clusterIid, env.versions[1]);
                assertPlainInfo(upgraded, "upgradeCluster result");
                assert.equal(upgraded.status, "Active");
                assert.equal(upgraded.version, env.versions[1]);
                assert.equal(upgraded.iid.systemId, clusterIid.systemId);
                for (const ng of upgraded.nodeGroups)
                    assert.equal(ng.version, env.versions[1], `node group ${ng.iid.nameId}`);
                const read = await env.driver.cluster.getCluster(clusterIid);
                assert.equal(read.version, env.versions[1]);
                for (const ng of read.nodeGroups) assert.equal(ng.version, env.versions[1]);
            });

            it("replaces the tags with exactly the new set", async function () {
                const env = getEnv();
                requireCreated();
                const tags = { suite: "cluster-contract", stage: "tagged" };
                assert.deepEqual(await env.driver.cluster.changeClusterTags(clusterIid, tags), tags);
                assert.deepEqual((await env.driver.cluster.getCluster(clusterIid)).tags, tags);
            });

            it("changes the control plane's subnets and security groups in place, keeping the cluster", async function () {
                const env = getEnv();
                const cluster = requireCreated();
                if (!caps.cluster.inPlace.network) {
                    await expectCode(
                        () => env.driver.cluster.changeClusterNetwork(clusterIid, { securityGroups: [] }),
                        "NotSupported",
                    );
                    return;
                }
                assert.ok(env.network, "a driver that changes cluster networks in place must offer env.network");
                const subnets = sortedCopy([env.network.sameZoneSubnet, ...env.subnets.slice(1)]);
                const securityGroups = sortedCopy(env.network.securityGroups);
                const got = await env.driver.cluster.changeClusterNetwork(clusterIid, { subnets, securityGroups });
                assert.deepEqual(
                    { subnets: sortedCopy(got.subnets), securityGroups: sortedCopy(got.securityGroups) },
                    { subnets, securityGroups },
                );
                const read = await env.driver.cluster.getCluster(clusterIid);
                assert.equal(read.iid.systemId, cluster.iid.systemId, "the same cluster");
                assert.equal(read.status, "Active");
                assert.deepEqual(sortedCopy(read.network.subnets), subnets);
                assert.deepEqual(sortedCopy(read.network.securityGroups), securityGroups);
            });

            it("refuses control-plane subnets of another VPC or in a single zone, changing nothing", async function () {
                const env = getEnv();
                requireCreated();
                if (!caps.cluster.inPlace.network || !env.network)
                    return assert.equal(caps.cluster.inPlace.network, false);
                const before = (await env.driver.cluster.getCluster(clusterIid)).network;
                const foreign = await expectCode(
                    () =>
                        env.driver.cluster.changeClusterNetwork(clusterIid, {
                            subnets: [env.subnets[1], env.network!.otherVpcSubnet],
                        }),
                    "Validation",
                );
                assert.match(foreign.message, /network\.subnets\[1\]/);
                const oneZone = await expectCode(
                    () =>
                        env.driver.cluster.changeClusterNetwork(clusterIid, {
                            subnets: [env.subnets[0], env.network!.sameZoneSubnet],
                        }),
                    "Validation",
                );
                assert.match(oneZone.message, /two (availability )?zones/);
                const after = (await env.driver.cluster.getCluster(clusterIid)).network;
                assert.deepEqual(sortedCopy(after.subnets), sortedCopy(before.subnets), "nothing changed");
            });

            it("lists the cluster", async function () {
                const env = getEnv();
                requireCreated();
                const all = await env.driver.cluster.listCluster();
                assertPlainInfo(all, "listCluster result");
                assert.equal(all.filter(c => c.iid.systemId === clusterIid.systemId).length, 1);
            });

            it("throws NotFound for a cluster that does not exist", async function () {
                const env = getEnv();
                await expectCode(
                    () => env.driver.cluster.getCluster({ nameId: env.uniqueName("missing"), systemId: "" }),
                    "NotFound",
                );
            });

            it("refuses a second cluster with the same name", async function () {
                const env = getEnv();
                requireCreated();
                const countBefore = (await env.inventory()).clusters;
                await expectCode(
                    () => env.driver.cluster.createCluster(clusterReq(clusterName, env.uniqueName("ng"))),
                    "AlreadyExists",
                );
                assert.equal((await env.inventory()).clusters, countBefore);
            });

            it("deletes the cluster with its node groups; getCluster then throws NotFound", async function () {
                const env = getEnv();
                requireCreated();
                await env.driver.cluster.deleteCluster(clusterIid);
                await expectCode(() => env.driver.cluster.getCluster(clusterIid), "NotFound");
                await expectCode(() => env.driver.cluster.getNodeGroup(clusterIid, defaultGroup), "NotFound");
            });

            it("deleting it again succeeds", async function () {
                const env = getEnv();
                requireCreated();
                await env.driver.cluster.deleteCluster(clusterIid);
            });

            it("leaves no cluster behind", async function () {
                const env = getEnv();
                assert.equal(
                    (await env.inventory()).clusters,
                    baseline,
                    "the suite must delete every cluster it created",
                );
            });
        });

        describeIf(!caps.cluster.supported)("when the driver does not support clusters", function () {
            it("rejects every ClusterHandler method with NotSupported", async function () {
                const env = getEnv();
                const c = env.driver.cluster;
                const iid: Iid = { nameId: "any", systemId: "" };
                const ng: NodeGroupReq = {
                    iid: { nameId: "ng", systemId: "" },
                    image: "",
                    vmSpec: env.vmSpec,
                    rootDiskType: "",
                    rootDiskSize: 0,
                    keyPair: "",
                    onAutoScaling: false,
                    desiredNodeSize: 1,
                    minNodeSize: 1,
                    maxNodeSize: 1,
                };
                const req: ClusterReq = {
                    iid,
                    version: env.versions[0],
                    network: { vpc: env.vpc, subnets: env.subnets, securityGroups: [] },
                    nodeGroups: [ng],
                    tags: {},
                };
                const calls: Array<[string, () => Promise<unknown>]> = [
                    ["createCluster", () => c.createCluster(req)],
                    ["listCluster", () => c.listCluster()],
                    ["getCluster", () => c.getCluster(iid)],
                    ["deleteCluster", () => c.deleteCluster(iid)],
                    ["addNodeGroup", () => c.addNodeGroup(iid, ng)],
                    ["getNodeGroup", () => c.getNodeGroup(iid, ng.iid)],
                    ["setNodeGroupAutoScaling", () => c.setNodeGroupAutoScaling(iid, ng.iid, true)],
                    [
                        "changeNodeGroupScaling",
                        () =>
                            c.changeNodeGroupScaling(iid, ng.iid, {
                                desiredNodeSize: 1,
                                minNodeSize: 1,
                                maxNodeSize: 1,
                            }),
                    ],
                    ["removeNodeGroup", () => c.removeNodeGroup(iid, ng.iid)],
                    ["upgradeCluster", () => c.upgradeCluster(iid, env.versions[1])],
                    ["changeClusterTags", () => c.changeClusterTags(iid, {})],
                    ["changeNodeGroupConfig", () => c.changeNodeGroupConfig(iid, ng.iid, { labels: {} })],
                    ["changeClusterAccess", () => c.changeClusterAccess(iid, { logging: [] })],
                    ["changeNodeGroupMachines", () => c.changeNodeGroupMachines(iid, ng.iid, { vmSpec: env.vmSpec })],
                ];
                for (const [method, call] of calls) {
                    // A synchronous throw counts as a rejection too.
                    const err = await expectCode(() => Promise.resolve().then(call), "NotSupported").catch(
                        (e: Error) => {
                            throw new Error(`${method}: ${e.message}`);
                        },
                    );
                    assert.ok(err.message.length > 0, `${method} must say why`);
                }
            });
        });
    });
}
