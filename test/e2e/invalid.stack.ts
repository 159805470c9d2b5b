/**
 * Invalid input fails at preview, naming the property, and nothing is created: one stack, one
 * step per invalid resource declared beside a valid one, then an `up` of an invalid program.
 */
import assert from "node:assert/strict";
import type { E2EEnv, E2EInventory } from "./env";
import { assertInventory, E2E, Program, runSteps, shown, SpecResource, stateOf, Step } from "./support";

interface Invalid extends Program {
    before: E2EInventory;
}

/** An invalid resource named "bad", and the error its preview must show. */
type Case = { title: string; resource: () => SpecResource; property: RegExp };

export function invalidStack(e: E2E): void {
    const { k8s, vm } = e;
    describe("invalid input fails at preview, naming the property; nothing is created", () => {
        let env: E2EEnv;
        before(() => {
            env = e.env;
        });
        const s = {} as Invalid;
        const valid = (): SpecResource => ({
            kind: "Nlb",
            name: "ok",
            args: {
                vpc: env.vpc,
                listener: { protocol: "TCP", port: 80 },
                vmGroup: { port: 8080, vms: [vm("ok", 0)] },
            },
        });
        const cases: Case[] = [
            {
                title: "port 70000",
                resource: () => ({
                    kind: "Nlb",
                    name: "bad",
                    args: { vpc: env.vpc, listener: { protocol: "TCP", port: 70000 }, vmGroup: { port: 8080 } },
                }),
                property: /listener\.port\b.*65535/,
            },
            ...(!k8s
                ? []
                : [
                      {
                          title: "min > max",
                          resource: () => ({
                              kind: "NodeGroup",
                              name: "bad",
                              args: {
                                  cluster: "cls-not-created",
                                  vmSpec: env.vmSpec,
                                  desiredNodeSize: 3,
                                  minNodeSize: 5,
                                  maxNodeSize: 2,
                              },
                          }),
                          property: /minNodeSize\b.*maxNodeSize/,
                      } as Case,
                  ]),
            {
                title: "unknown protocol",
                resource: () => ({
                    kind: "Nlb",
                    name: "bad",
                    args: { vpc: env.vpc, listener: { protocol: "SCTP", port: 80 }, vmGroup: { port: 8080 } },
                }),
                property: /listener\.protocol\b.*SCTP/,
            },
            {
                title: "a misspelt property",
                resource: () => ({
                    kind: "Nlb",
                    name: "bad",
                    args: { vpc: env.vpc, listner: { protocol: "TCP", port: 80 }, vmGroup: { port: 8080 } },
                }),
                property: /listner\b.*did you mean "listener"/,
            },
            ...(!k8s
                ? []
                : [
                      {
                          title: "min > max inside Cluster.nodeGroups",
                          resource: () => ({
                              kind: "Cluster",
                              name: "bad",
                              args: {
                                  version: env.versions[0],
                                  network: { vpc: env.vpc, subnets: env.subnets.slice(0, 2) },
                                  nodeGroups: [
                                      {
                                          name: "ng",
                                          vmSpec: env.vmSpec,
                                          desiredNodeSize: 1,
                                          minNodeSize: 4,
                                          maxNodeSize: 2,
                                      },
                                  ],
                              },
                          }),
                          property: /nodeGroups\[0\]\.minNodeSize\b/,
                      } as Case,
                  ]),
        ];

        const steps: Step<Invalid>[] = cases.map(c => ({
            title: `${c.title}: preview fails naming the property`,
            change: async s => {
                if (!s.p) {
                    s.p = await e.project("invalid");
                    s.before = await env.inventory();
                }
                s.spec = { connection: env.connection, resources: [valid(), c.resource()] };
            },
            checks: [
                async s => {
                    const pre = await s.p.preview();
                    assert.equal(pre.ok, false, "preview must fail");
                    const errors = pre.diagnostics.filter(d => d.severity === "error" && d.urn?.endsWith("::bad"));
                    assert.ok(
                        errors.some(e => c.property.test(e.message)),
                        `an error on "bad" matching ${c.property}; got:\n${shown(pre)}`,
                    );
                },
                async s => assertInventory(await env.inventory(), s.before, "after the failed preview"),
            ],
        }));

        steps.push({
            title: "`up` of an invalid program fails before creating anything, even the valid resources",
            change: s => {
                s.spec = { connection: env.connection, resources: [valid(), cases[0].resource()] };
            },
            checks: [
                async s => {
                    const up = await s.p.up();
                    assert.equal(up.ok, false, "up must fail");
                    assert.match(up.text, /listener\.port/);
                },
                async s => assert.equal((await stateOf(s.p)).size, 0, "nothing in state"),
                async s => assertInventory(await env.inventory(), s.before, "after the failed up"),
            ],
        });

        runSteps(s, steps);
    });
}
