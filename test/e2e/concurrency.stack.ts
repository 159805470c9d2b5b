/**
 * Concurrency: many resources in one stack (50 Nlb and 10 NodeGroup on one Cluster, or the env's
 * `scale`) created and destroyed with `--parallel`.
 */
import assert from "node:assert/strict";
import type { E2EEnv, E2EInventory } from "./env";
import {
    assertInventory,
    assertNoChanges,
    cloud,
    E2E,
    plus,
    Program,
    ref,
    runSteps,
    SpecResource,
    stateOf,
} from "./support";

interface Concurrency extends Program {
    before: E2EInventory;
    scale: { nlbs: number; nodeGroups: number; parallel: number };
}

export function concurrencyStack(e: E2E): void {
    const { k8s, vm, label } = e;
    describe("concurrency", () => {
        let env: E2EEnv;
        before(() => {
            env = e.env;
        });
        const s = {} as Concurrency;
        const par = (s: Concurrency) => ["--parallel", String(s.scale.parallel)];
        runSteps(s, [
            {
                title: k8s
                    ? "10. 50 Nlb and 10 NodeGroup on one Cluster with --parallel 16 (or the env.scale) converge; a second preview shows no changes; destroy leaves nothing"
                    : "10. many Nlb (env.scale) with --parallel converge; a second preview shows no changes; destroy leaves nothing",
                change: async s => {
                    const scale = (s.scale = env.scale ?? { nlbs: 50, nodeGroups: 10, parallel: 16 });
                    if (!k8s)
                        assert.equal(
                            scale.nodeGroups,
                            0,
                            "env.scale.nodeGroups must be 0 on a driver without clusters",
                        );
                    s.p = await e.project("scale");
                    s.before = await env.inventory();
                    const resources: SpecResource[] = !k8s
                        ? []
                        : [
                              {
                                  kind: "Cluster",
                                  name: "k8s",
                                  args: {
                                      version: env.versions[0],
                                      network: { vpc: env.vpc, subnets: env.subnets.slice(0, 2) },
                                      nodeGroups: [
                                          {
                                              name: "default",
                                              vmSpec: env.vmSpec,
                                              desiredNodeSize: 1,
                                              minNodeSize: 1,
                                              maxNodeSize: 2,
                                          },
                                      ],
                                  },
                              },
                          ];
                    for (let i = 0; i < scale.nlbs; i++) {
                        resources.push({
                            kind: "Nlb",
                            name: `lb${i}`,
                            args: {
                                vpc: env.vpc,
                                listener: { protocol: "TCP", port: 1000 + i },
                                vmGroup: { port: 8080, vms: [vm(`lb${i}`, i)] },
                            },
                        });
                    }
                    for (let i = 0; i < scale.nodeGroups; i++) {
                        resources.push({
                            kind: "NodeGroup",
                            name: `ng${i}`,
                            args: {
                                cluster: ref("k8s.clusterId"),
                                vmSpec: env.vmSpec,
                                desiredNodeSize: 1,
                                minNodeSize: 0,
                                maxNodeSize: 2,
                            },
                        });
                    }
                    s.spec = { connection: env.connection, resources };
                },
                command: "up",
                args: par,
                ops: s => Object.fromEntries(s.spec.resources.map(r => [r.name, "create"])),
                others: "none",
                checks: [
                    (s, r) =>
                        console.log(
                            `      concurrency (${label}): up of ${s.spec.resources.length} resources with --parallel ${s.scale.parallel} took ${(r.up!.durationMs / 1000).toFixed(1)}s`,
                        ),
                    async s =>
                        assertInventory(
                            await env.inventory(),
                            plus(s.before, {
                                nlbs: s.scale.nlbs,
                                ...(k8s ? { clusters: 1, nodeGroups: s.scale.nodeGroups + 1 } : {}),
                            }),
                            "after the parallel up",
                        ),
                    async s => {
                        const st = await stateOf(s.p);
                        assert.equal(st.size, s.spec.resources.length);
                        if (k8s) {
                            const live = await cloud(env).cluster(st.get("k8s")!);
                            assert.equal(
                                live.nodeGroups.length,
                                s.scale.nodeGroups + 1,
                                "every node group exists on the cluster",
                            );
                        }
                    },
                    async s =>
                        assertNoChanges(
                            await s.p.preview(par(s)),
                            "preview after the parallel up",
                            s.spec.resources.length,
                        ),
                ],
                then: [
                    {
                        command: "destroy",
                        args: par,
                        checks: [
                            (s, r) =>
                                console.log(
                                    `      concurrency (${label}): destroy with --parallel ${s.scale.parallel} took ${(r.destroy!.durationMs / 1000).toFixed(1)}s`,
                                ),
                            async s => assertInventory(await env.inventory(), s.before, "after the parallel destroy"),
                        ],
                    },
                ],
            },
        ]);
    });
}
