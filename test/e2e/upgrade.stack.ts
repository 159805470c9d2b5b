/**
 * A multi-step Kubernetes upgrade of a cluster with two node groups and a standalone NodeGroup,
 * from the oldest version the driver offers up to three minors later (1.28 → 1.31 on EKS and
 * local; GKE offers three minors, so 1.33 → 1.35): node groups catch up before each control-plane
 * step, concurrently (checked where the env records update history). Registered only where the
 * driver manages clusters.
 */
import assert from "node:assert/strict";
import type { E2EEnv, E2EInventory } from "./env";
import { assertInventory, assertNoChanges, cloud, E2E, Program, ref, runSteps, SpecResource, stateOf } from "./support";

interface Upgrade extends Program {
    before: E2EInventory;
    /** The cluster's ID before the upgrade. */
    id: string | undefined;
}

export function upgradeStack(e: E2E): void {
    describe("multi-step upgrade", () => {
        let env: E2EEnv;
        before(() => {
            env = e.env;
        });
        const s = {} as Upgrade;
        /** The upgrade path: the driver's oldest versions, at most four (three minor steps). */
        const path = () => env.caps.cluster.versions.slice(0, 4);
        const first = () => path()[0];
        const last = () => path()[path().length - 1];
        runSteps(s, [
            {
                title: "11. an upgrade of at least two minors (oldest offered → up to three minors later) with two node groups and a standalone NodeGroup: node groups catch up before each control-plane step (concurrently where the cloud allows; order checked where the env records update history)",
                change: async s => {
                    const versions = path();
                    assert.ok(
                        versions.length >= 3,
                        `the driver offers at least three versions for a two-minor upgrade: ${versions.join(", ")}`,
                    );
                    console.log(`      upgrade path: ${versions.join(" → ")}`);
                    s.p = await e.project("upgrade");
                    s.before = await env.inventory();
                    const group = (name: string) => ({
                        name,
                        vmSpec: env.vmSpec,
                        desiredNodeSize: 1,
                        minNodeSize: 1,
                        maxNodeSize: 2,
                    });
                    const resources: SpecResource[] = [
                        {
                            kind: "Cluster",
                            name: "k8s",
                            args: {
                                version: first(),
                                network: { vpc: env.vpc, subnets: env.subnets.slice(0, 2) },
                                nodeGroups: [group("one"), group("two")],
                            },
                        },
                        {
                            kind: "NodeGroup",
                            name: "solo",
                            args: {
                                cluster: ref("k8s.clusterId"),
                                vmSpec: env.vmSpec,
                                desiredNodeSize: 1,
                                minNodeSize: 1,
                                maxNodeSize: 2,
                            },
                        },
                    ];
                    s.spec = { connection: env.connection, resources };
                },
                command: "up",
                checks: [
                    async s => {
                        s.id = (await stateOf(s.p)).get("k8s")!.id;
                    },
                ],
                then: [
                    {
                        change: s => {
                            (s.spec.resources[0].args as Record<string, unknown>).version = last();
                        },
                        command: "preview",
                        ops: () => ({ k8s: "update" }),
                    },
                    {
                        command: "up",
                        checks: [
                            async s => {
                                const st = await stateOf(s.p);
                                assert.equal(st.get("k8s")!.id, s.id, "the cluster kept its ID");
                                const live = await cloud(env).cluster(st.get("k8s")!);
                                assert.deepEqual(
                                    [live.version, ...live.nodeGroups.map(g => g.version)],
                                    [last(), last(), last(), last()],
                                    "control plane and all three node groups",
                                );
                                if (env.updates) {
                                    const versions = path();
                                    const updates = (await env.updates()).filter(
                                        u => u.type === "VersionUpdate" && u.cluster === live.iid.nameId,
                                    );
                                    for (const [i, v] of versions.slice(1).entries()) {
                                        const cp = updates.filter(u => u.nodegroup === null && u.version === v);
                                        assert.equal(cp.length, 1, `one control-plane step to ${v}`);
                                        const behind = updates.filter(
                                            u => u.nodegroup !== null && u.version === versions[i],
                                        );
                                        if (i > 0) {
                                            assert.equal(
                                                behind.length,
                                                3,
                                                `three node groups brought to ${versions[i]}`,
                                            );
                                            for (const u of behind)
                                                assert.ok(
                                                    u.doneAt !== null && u.doneAt <= cp[0].startedAt,
                                                    `${u.nodegroup} reached ${versions[i]} before the step to ${v}`,
                                                );
                                            const lastStart = Math.max(...behind.map(u => u.startedAt));
                                            const firstDone = Math.min(...behind.map(u => u.doneAt ?? Infinity));
                                            assert.ok(
                                                lastStart < firstDone,
                                                `the node-group updates to ${versions[i]} overlap in time`,
                                            );
                                        }
                                    }
                                } else {
                                    console.log(
                                        `      upgrade (${e.label}): the env records no update history, so the order and overlap of the steps are not checked; only the versions reached`,
                                    );
                                }
                            },
                        ],
                    },
                    {
                        command: "refresh",
                        checks: [
                            async s =>
                                assertNoChanges(
                                    await s.p.preview(),
                                    "preview after the upgrade and a refresh",
                                    s.spec.resources.length,
                                ),
                        ],
                    },
                    {
                        command: "destroy",
                        checks: [async s => assertInventory(await env.inventory(), s.before, "after destroy")],
                    },
                ],
            },
        ]);
    });
}
