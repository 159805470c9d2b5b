/**
 * Existing cloud objects: created through the driver outside Pulumi, read with `get`, then
 * brought under management with `adopt` without recreating them, changed in place, destroyed.
 */
import assert from "node:assert/strict";
import type { ClusterInfo, NlbInfo, NodeGroupInfo } from "../../provider/interface/driver";
import type { E2EEnv, E2EInventory } from "./env";
import {
    assertInventory,
    assertNoChanges,
    cloud,
    E2E,
    must,
    plus,
    Program,
    rand,
    ref,
    runSteps,
    sameVmSet,
    SpecResource,
    stateOf,
} from "./support";

interface Adopt extends Program {
    before: E2EInventory;
    withObjects: E2EInventory;
    nlb: NlbInfo;
    cluster: ClusterInfo;
    solo: NodeGroupInfo;
}

export function adoptStack(e: E2E): void {
    const { k8s, vm } = e;
    describe("existing cloud objects: `get` reads them, `adopt` brings them under management without recreating them", () => {
        let env: E2EEnv;
        before(() => {
            env = e.env;
        });
        const s = {} as Adopt;
        const nlbName = `e2e-adopt-${rand()}`;
        const clusterName = `e2e-adopt-${rand()}`;
        const soloName = `solo-${rand()}`;

        runSteps(s, [
            {
                title: "objects created directly through the driver (outside Pulumi)",
                change: async s => {
                    s.p = await e.project("adopt");
                    s.before = await env.inventory();
                    const [v0, v1, v2] = [0, 1, 2].map(i => vm("adopt", i));
                    s.nlb = await env.driver.nlb.createNlb({
                        iid: { nameId: nlbName, systemId: "" },
                        vpc: env.vpc,
                        type: "PUBLIC",
                        scope: "REGION",
                        listener: { protocol: "TCP", port: 90 },
                        vmGroup: { protocol: "TCP", port: 9090, vms: [v0, v1] },
                        healthChecker: {
                            protocol: "TCP",
                            port: 9090,
                            interval: env.caps.nlb.defaults.interval,
                            timeout: env.caps.nlb.defaults.timeout,
                            threshold: env.caps.nlb.defaults.threshold,
                        },
                        tags: {},
                    });
                    await env.driver.nlb.addVms(s.nlb.iid, [v2]);
                    const ng = (name: string, desired: number, min: number, max: number) => ({
                        iid: { nameId: name, systemId: "" },
                        image: "",
                        vmSpec: env.vmSpec,
                        rootDiskType: "",
                        rootDiskSize: 0,
                        keyPair: "",
                        onAutoScaling: true,
                        desiredNodeSize: desired,
                        minNodeSize: min,
                        maxNodeSize: max,
                    });
                    if (k8s) {
                        s.cluster = await env.driver.cluster.createCluster({
                            iid: { nameId: clusterName, systemId: "" },
                            version: env.versions[0],
                            network: { vpc: env.vpc, subnets: env.subnets.slice(0, 2), securityGroups: [] },
                            nodeGroups: [ng("pool", 1, 1, 3)],
                            tags: {},
                        });
                        s.solo = await env.driver.cluster.addNodeGroup(s.cluster.iid, ng(soloName, 1, 0, 2));
                    }
                },
                checks: [
                    async s => {
                        s.withObjects = await env.inventory();
                        assertInventory(
                            s.withObjects,
                            plus(s.before, { nlbs: 1, ...(k8s ? { clusters: 1, nodeGroups: 2 } : {}) }),
                            "after creating through the driver",
                        );
                    },
                ],
            },

            {
                title: k8s
                    ? "8. `Nlb.get`, `NlbVmGroup.get`, `Cluster.get`, `NodeGroup.get` return live outputs"
                    : "8. `Nlb.get`, `NlbVmGroup.get` return live outputs",
                change: s => {
                    s.spec = {
                        connection: env.connection,
                        resources: [
                            { kind: "Nlb", name: "readLb", get: s.nlb.iid.systemId, args: {} },
                            {
                                kind: "NlbVmGroup",
                                name: "readVmg",
                                get: "vmg-e2e-read",
                                args: { nlb: s.nlb.iid.systemId, vms: [vm("adopt", 2)] },
                            },
                            ...(!k8s
                                ? []
                                : ([
                                      { kind: "Cluster", name: "readK8s", get: s.cluster.iid.systemId, args: {} },
                                      {
                                          kind: "NodeGroup",
                                          name: "readNg",
                                          get: s.solo.iid.systemId,
                                          args: { cluster: s.cluster.iid.systemId },
                                      },
                                  ] as SpecResource[])),
                        ],
                        exports: {
                            lbPort: ref("readLb.listener.port"),
                            lbVms: ref("readLb.vms"),
                            vmgVms: ref("readVmg.vms"),
                            ...(!k8s
                                ? {}
                                : {
                                      k8sVersion: ref("readK8s.version"),
                                      k8sGroups: ref("readK8s.nodeGroups"),
                                      ngDesired: ref("readNg.desiredNodeSize"),
                                      ngName: ref("readNg.nodeGroupName"),
                                  }),
                        },
                    };
                },
                command: "up",
                ops: () => ({
                    readLb: "read",
                    readVmg: "read",
                    ...(k8s ? { readK8s: "read", readNg: "read" } : {}),
                }),
                others: "none",
                checks: [
                    async s => {
                        const { deployment } = await s.p.exportStack();
                        const stack = must(
                            (deployment.deployment.resources ?? []).find(r => r.type === "pulumi:pulumi:Stack"),
                            "stack resource",
                        );
                        const o = stack.outputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
                        assert.equal(o.lbPort, 90);
                        assert.ok(
                            sameVmSet(
                                o.lbVms,
                                [0, 1, 2].map(i => vm("adopt", i)),
                            ),
                            `live VMs: ${o.lbVms}`,
                        );
                        assert.deepEqual(o.vmgVms, [vm("adopt", 2)]);
                        if (k8s) {
                            assert.equal(o.k8sVersion, env.versions[0]);
                            assert.deepEqual(
                                o.k8sGroups.map((g: { nodeGroupName: string }) => g.nodeGroupName).sort(),
                                ["pool", soloName].sort(),
                            );
                            assert.equal(o.ngDesired, 1);
                            assert.equal(o.ngName, soloName);
                        }
                    },
                    async s => {
                        const st = await stateOf(s.p);
                        for (const r of st.values()) assert.equal(r.external, true, `${r.urn} is read, not managed`);
                    },
                    async s => assertInventory(await env.inventory(), s.withObjects, "after the reads"),
                ],
            },

            {
                title: "9. `adopt` manages them without recreating: same IDs, no new objects, a next preview shows no changes",
                change: s => {
                    const [v0, v1, v2] = [0, 1, 2].map(i => vm("adopt", i));
                    s.spec = {
                        connection: env.connection,
                        resources: [
                            {
                                kind: "Nlb",
                                name: "lb",
                                args: {
                                    adopt: s.nlb.iid.systemId,
                                    nlbName,
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 90 },
                                    vmGroup: { port: 9090, vms: [v0, v1] },
                                },
                            },
                            { kind: "NlbVmGroup", name: "vmg", args: { nlb: ref("lb.nlbId"), vms: [v2] } },
                            ...(!k8s
                                ? []
                                : ([
                                      {
                                          kind: "Cluster",
                                          name: "k8s",
                                          args: {
                                              adopt: s.cluster.iid.systemId,
                                              clusterName,
                                              version: env.versions[0],
                                              network: { vpc: env.vpc, subnets: env.subnets.slice(0, 2) },
                                              nodeGroups: [
                                                  {
                                                      name: "pool",
                                                      vmSpec: env.vmSpec,
                                                      desiredNodeSize: 1,
                                                      minNodeSize: 1,
                                                      maxNodeSize: 3,
                                                  },
                                              ],
                                          },
                                      },
                                      {
                                          kind: "NodeGroup",
                                          name: "ng",
                                          args: {
                                              adopt: s.solo.iid.systemId,
                                              cluster: ref("k8s.clusterId"),
                                              nodeGroupName: soloName,
                                              vmSpec: env.vmSpec,
                                              desiredNodeSize: 1,
                                              minNodeSize: 0,
                                              maxNodeSize: 2,
                                          },
                                      },
                                  ] as SpecResource[])),
                        ],
                    };
                },
                command: "up",
                ops: () => ({ lb: "create", vmg: "create", ...(k8s ? { k8s: "create", ng: "create" } : {}) }),
                others: "discard",
                checks: [
                    async s => {
                        const [v0, v1, v2] = [0, 1, 2].map(i => vm("adopt", i));
                        const st = await stateOf(s.p);
                        assert.equal(st.get("lb")?.id, s.nlb.iid.systemId, "lb is the existing NLB");
                        if (k8s) {
                            assert.equal(st.get("k8s")?.id, s.cluster.iid.systemId, "k8s is the existing cluster");
                            assert.equal(st.get("ng")?.id, s.solo.iid.systemId, "ng is the existing node group");
                        }
                        const c = cloud(env);
                        const live = await c.nlb(st.get("lb")!);
                        assert.equal(live.createdTime, s.nlb.createdTime, "the NLB was not recreated");
                        assert.ok(sameVmSet(live.vmGroup.vms, [v0, v1, v2]), `VMs after adoption: ${live.vmGroup.vms}`);
                        if (k8s)
                            assert.equal(
                                (await c.cluster(st.get("k8s")!)).createdTime,
                                s.cluster.createdTime,
                                "the cluster was not recreated",
                            );
                    },
                    async s => assertInventory(await env.inventory(), s.withObjects, "after adoption (no new objects)"),
                    async s => assertNoChanges(await s.p.preview(), "preview after adoption", s.spec.resources.length),
                ],
            },

            {
                title: "9. a later change to an adopted resource is applied in place",
                change: s => {
                    const a = (name: string) =>
                        s.spec.resources.find(r => r.name === name)!.args as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
                    a("lb").listener.port = 91;
                    if (k8s) {
                        a("k8s").nodeGroups[0].desiredNodeSize = 2;
                        a("ng").desiredNodeSize = 2;
                    }
                },
                command: "preview+up",
                ops: () => ({ lb: "update", ...(k8s ? { k8s: "update", ng: "update" } : {}) }),
                checks: [
                    async s => {
                        const st = await stateOf(s.p);
                        const c = cloud(env);
                        assert.equal(st.get("lb")?.id, s.nlb.iid.systemId);
                        assert.equal((await c.nlb(st.get("lb")!)).listener.port, 91);
                        if (k8s) {
                            assert.equal(
                                (await c.cluster(st.get("k8s")!)).nodeGroups.find(n => n.iid.nameId === "pool")
                                    ?.desiredNodeSize,
                                2,
                            );
                            assert.equal((await c.nodeGroup(st.get("ng")!)).desiredNodeSize, 2);
                        }
                    },
                ],
            },

            {
                title: "9. `destroy` deletes the adopted objects",
                command: "destroy",
                ops: () => ({ lb: "delete", vmg: "delete", ...(k8s ? { k8s: "delete", ng: "delete" } : {}) }),
                others: "none",
                checks: [
                    async s =>
                        assertInventory(await env.inventory(), s.before, "after destroy (adopted objects deleted)"),
                ],
            },
        ]);
    });
}
