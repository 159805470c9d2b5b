/**
 * One stack through its whole life: create, in-place updates, replacements, drift, errors,
 * export/import, destroy. Steps 1–7 share the stack and its program (`s.spec`), each changing it
 * from where the step before left it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Iid } from "../../provider/interface/driver";
import { isSecret, spiderResources, StateResource } from "../support/pulumi";
import type { E2EEnv, E2EInventory } from "./env";
import {
    assertInventory,
    assertNoChanges,
    assertOk,
    assertOps,
    cloud,
    configSecrets,
    credentialEnv,
    E2E,
    hasVm,
    listFiles,
    must,
    Ops,
    plus,
    Program,
    rand,
    ref,
    refOf,
    runSteps,
    sameVmSet,
    shown,
    SpecResource,
    stateOf,
} from "./support";

interface Lifecycle extends Program {
    baseline: E2EInventory;
    /** Resource IDs after the last step, by name. */
    ids: Map<string, string>;
    /** web's subnets as the driver chose them at create. */
    webSubnetsAtStart: string[];
    /** Step 3: the state and the objects' createdTime before the replacements. */
    oldState: Map<string, StateResource>;
    createdBefore: Map<string, string | undefined>;
    /** Step 5: the inventory before the failing create. */
    faultBaseline: E2EInventory;
}

export function lifecycleStack(e: E2E): void {
    const { k8s, vm, label } = e;
    describe("one stack: create, in-place updates, replacements, drift, errors, export/import, destroy", () => {
        let env: E2EEnv;
        before(() => {
            env = e.env;
        });
        const s = { webSubnetsAtStart: [] as string[] } as Lifecycle;
        const fixedNlb = `e2e-fixed-${rand()}`;
        const fixedCluster = `e2e-fixed-${rand()}`;

        const res = (name: string) =>
            must(
                s.spec.resources.find(r => r.name === name),
                `spec resource ${name}`,
            );
        const args = (name: string) => res(name).args as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        const idsOf = (st: Map<string, StateResource>) => new Map([...st].map(([n, r]) => [n, r.id ?? ""]));
        const upd = (inPlace: boolean) => (inPlace ? "update" : "replace");

        runSteps(s, [
            {
                title: k8s
                    ? "1. `up` creates all four kinds; a second preview shows no changes (no perpetual diff, also for driver defaults)"
                    : "1. `up` creates Nlb and NlbVmGroup; a second preview shows no changes (no perpetual diff, also for driver defaults)",
                change: async s => {
                    s.p = await e.project("lifecycle");
                    s.baseline = await env.inventory();
                    const v2 = vm("web", 2);
                    s.spec = {
                        connection: env.connection,
                        resources: [
                            // healthChecker omitted: every value is a driver default filled in by check.
                            {
                                kind: "Nlb",
                                name: "web",
                                args: {
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 80 },
                                    vmGroup: { protocol: "TCP", port: 8080, vms: [vm("web", 0), vm("web", 1)] },
                                    tags: { app: "web" },
                                },
                            },
                            { kind: "NlbVmGroup", name: "extra", args: { nlb: ref("web.nlbId"), vms: [v2] } },
                            {
                                kind: "Nlb",
                                name: "lbProto",
                                args: {
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 81 },
                                    vmGroup: { port: 8081, vms: [vm("lbProto", 0)] },
                                },
                            },
                            {
                                kind: "Nlb",
                                name: "lbGroup",
                                args: {
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 82 },
                                    vmGroup: { port: 8082, vms: [vm("lbGroup", 0)] },
                                },
                            },
                            {
                                kind: "Nlb",
                                name: "lbVms",
                                args: {
                                    nlbName: fixedNlb,
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 83 },
                                    vmGroup: { port: 8083, vms: [vm("lbVms", 0), vm("lbVms", 1)] },
                                },
                            },
                            {
                                kind: "Nlb",
                                name: "lbHealth",
                                args: {
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 84 },
                                    vmGroup: { port: 8084, vms: [vm("lbHealth", 0)] },
                                    healthChecker: { protocol: "TCP", interval: 10, timeout: 5, threshold: 3 },
                                },
                            },
                            ...(!k8s
                                ? []
                                : ([
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
                                                      desiredNodeSize: 2,
                                                      minNodeSize: 1,
                                                      maxNodeSize: 3,
                                                  },
                                              ],
                                          },
                                      },
                                      {
                                          kind: "Cluster",
                                          name: "k8sFixed",
                                          args: {
                                              clusterName: fixedCluster,
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
                                          name: "gpu",
                                          args: {
                                              cluster: ref("k8s.clusterId"),
                                              vmSpec: env.vmSpec,
                                              desiredNodeSize: 1,
                                              minNodeSize: 0,
                                              maxNodeSize: 4,
                                          },
                                      },
                                      {
                                          kind: "NodeGroup",
                                          name: "batch",
                                          args: {
                                              cluster: ref("k8s.clusterId"),
                                              vmSpec: env.vmSpec,
                                              desiredNodeSize: 1,
                                              minNodeSize: 1,
                                              maxNodeSize: 2,
                                              onAutoScaling: true,
                                          },
                                      },
                                  ] as SpecResource[])),
                        ],
                        exports: { webId: ref("web.nlbId"), ...(k8s ? { clusterId: ref("k8s.clusterId") } : {}) },
                    };
                },
                command: "up",
                ops: s => Object.fromEntries(s.spec.resources.map(r => [r.name, "create"])),
                others: "none",
                checks: [
                    async s => {
                        const c = cloud(env);
                        const st = await stateOf(s.p);
                        s.ids = idsOf(st);
                        assert.equal(st.size, s.spec.resources.length);
                        for (const [name, r] of st) {
                            assert.ok(r.id, `${name} has an id`);
                            if (r.type.endsWith(":Nlb")) assert.equal((await c.nlb(r)).iid.systemId, r.id);
                            if (r.type.endsWith(":Cluster")) assert.equal((await c.cluster(r)).iid.systemId, r.id);
                            if (r.type.endsWith(":NodeGroup")) assert.equal((await c.nodeGroup(r)).iid.systemId, r.id);
                        }
                        const web = await c.nlb(st.get("web")!);
                        assert.ok(hasVm(web.vmGroup.vms, vm("web", 2)), "extra attached its VM to web");
                        // Defaults the driver filled in are recorded, so they cannot show up as a diff.
                        const hc = st.get("web")!.outputs!.healthChecker as Record<string, unknown>;
                        assert.equal(hc.port, 8080);
                        assert.equal(hc.interval, env.caps.nlb.defaults.interval);
                    },
                    async s =>
                        assertInventory(
                            await env.inventory(),
                            plus(s.baseline, { nlbs: 5, ...(k8s ? { clusters: 2, nodeGroups: 4 } : {}) }),
                            "after the first up",
                        ),
                    async s =>
                        assertNoChanges(
                            await s.p.preview(),
                            "preview right after the first up",
                            s.spec.resources.length,
                        ),
                ],
                then: [
                    {
                        // Declaring the subnets the driver chose (in another order) is no change.
                        change: async s => {
                            if (!env.caps.nlb.inPlace.subnets) return;
                            const st = await stateOf(s.p);
                            args("lbHealth").subnets = [
                                ...(st.get("lbHealth")!.outputs!.subnets as string[]),
                            ].reverse();
                        },
                        checks: [
                            async s => {
                                if (!env.caps.nlb.inPlace.subnets) return;
                                assertNoChanges(
                                    await s.p.preview(),
                                    "preview after declaring lbHealth's own subnets",
                                    s.spec.resources.length,
                                );
                            },
                        ],
                    },
                ],
            },

            {
                title: "2. every in-place field previews as `update`, keeps the ID and reaches the cloud",
                change: async s => {
                    const ip = env.caps.nlb.inPlace;
                    const cip = env.caps.cluster.inPlace;
                    const compat = env.caps.nlb.compatibleProtocols.UDP;
                    const udp = env.caps.nlb.listenerProtocols.includes("UDP");
                    args("web").listener.port = 8000; // listener.port
                    if (udp) args("lbProto").listener.protocol = "UDP"; // listener.protocol (+ the group follows where it must)
                    if (udp && !compat.includes("TCP")) args("lbProto").vmGroup.protocol = "UDP";
                    args("lbGroup").vmGroup.port = 9092; // vmGroup.port (the default health port follows)
                    args("lbVms").vmGroup.vms = [vm("lbVms", 1), vm("lbVms", 3)]; // one VM removed, one added
                    args("lbHealth").healthChecker = {
                        protocol: "HTTP",
                        port: 8085,
                        interval: 30,
                        timeout: 10,
                        threshold: 5,
                        path: "/healthz",
                    };
                    args("extra").vms = [vm("web", 2), vm("web", 4)]; // NlbVmGroup vms
                    if (k8s) {
                        args("k8sFixed").version = env.versions[1]; // cluster version upgrade
                        args("k8s").nodeGroups[0].desiredNodeSize = 3; // a default node group's scaling inside Cluster
                        args("k8s").nodeGroups[0].maxNodeSize = 4;
                        args("gpu").desiredNodeSize = 2; // node-group scaling
                        args("gpu").maxNodeSize = 5;
                        args("batch").onAutoScaling = false; // autoscaling toggle
                    }
                    const webSubnets = [...((await stateOf(s.p)).get("web")!.outputs!.subnets as string[])].sort();
                    s.webSubnetsAtStart = webSubnets;
                    const net = env.network;
                    if (ip.subnets) args("web").subnets = webSubnets.slice(0, -1); // an NLB zone removed
                    if (k8s && cip.network && net) {
                        // control-plane subnets (a zone's subnet swapped) and security groups
                        args("k8s").network = {
                            vpc: env.vpc,
                            subnets: [net.sameZoneSubnet, env.subnets[1]],
                            securityGroups: [net.securityGroups[0]],
                        };
                    } else if (k8s) {
                        console.log(
                            `      not changed in place on ${label}: the control plane's network (${
                                cip.network
                                    ? "the env gives no second subnet and security groups"
                                    : "caps.cluster.inPlace.network is false: a change replaces the cluster"
                            })`,
                        );
                    }
                },
                command: "preview+up",
                ops: () => {
                    const ip = env.caps.nlb.inPlace;
                    const cip = env.caps.cluster.inPlace;
                    const compat = env.caps.nlb.compatibleProtocols.UDP;
                    const udp = env.caps.nlb.listenerProtocols.includes("UDP");
                    return {
                        web: upd(ip.listenerPort),
                        lbProto: udp ? upd(ip.listenerProtocol && (compat.includes("TCP") || ip.vmGroup)) : "same",
                        lbGroup: upd(ip.vmGroup),
                        lbVms: upd(ip.vms),
                        lbHealth: upd(ip.healthChecker),
                        extra: upd(ip.vms),
                        ...(k8s
                            ? {
                                  k8sFixed: upd(cip.version),
                                  k8s: upd(cip.nodeGroups && cip.scaling),
                                  gpu: upd(cip.scaling),
                                  batch: upd(cip.autoScaling),
                              }
                            : {}),
                    };
                },
                checks: [
                    async (s, r) => {
                        const c = cloud(env);
                        const ip = env.caps.nlb.inPlace;
                        const cip = env.caps.cluster.inPlace;
                        const udp = env.caps.nlb.listenerProtocols.includes("UDP");
                        const net = env.network;
                        const webSubnets = s.webSubnetsAtStart;
                        const st = await stateOf(s.p);
                        const expected = must(r.ops, "the step's ops");
                        for (const [name, op] of Object.entries(expected)) {
                            if (op === "update") assert.equal(st.get(name)?.id, s.ids.get(name), `${name} kept its ID`);
                        }
                        const web = await c.nlb(st.get("web")!);
                        assert.equal(web.listener.port, 8000);
                        if (ip.subnets)
                            assert.deepEqual(
                                [...web.subnets].sort(),
                                webSubnets.slice(0, -1),
                                "the cloud holds web's new subnets",
                            );
                        assert.ok(
                            hasVm(web.vmGroup.vms, vm("web", 2)) && hasVm(web.vmGroup.vms, vm("web", 4)),
                            `extra's VMs attached to web: ${web.vmGroup.vms}`,
                        );
                        assert.deepEqual(st.get("extra")!.outputs!.vms, [vm("web", 2), vm("web", 4)]);
                        if (udp) {
                            const lb = await c.nlb(st.get("lbProto")!);
                            assert.equal(lb.listener.protocol, "UDP");
                        }
                        const g = await c.nlb(st.get("lbGroup")!);
                        assert.equal(g.vmGroup.port, 9092);
                        assert.equal(g.healthChecker.port, 9092, "the default health port follows the VM group port");
                        const vms = await c.nlb(st.get("lbVms")!);
                        assert.ok(
                            sameVmSet(vms.vmGroup.vms, [vm("lbVms", 1), vm("lbVms", 3)]),
                            `lbVms VMs: ${vms.vmGroup.vms}`,
                        );
                        const h = (await c.nlb(st.get("lbHealth")!)).healthChecker;
                        assert.deepEqual(
                            {
                                protocol: h.protocol,
                                port: h.port,
                                interval: h.interval,
                                timeout: h.timeout,
                                threshold: h.threshold,
                                path: h.path,
                            },
                            { protocol: "HTTP", port: 8085, interval: 30, timeout: 10, threshold: 5, path: "/healthz" },
                        );
                        if (k8s) {
                            assert.equal((await c.cluster(st.get("k8sFixed")!)).version, env.versions[1]);
                            const def = (await c.cluster(st.get("k8s")!)).nodeGroups.find(
                                n => n.iid.nameId === "default",
                            );
                            assert.deepEqual([def?.desiredNodeSize, def?.maxNodeSize], [3, 4]);
                            const gpu = await c.nodeGroup(st.get("gpu")!);
                            assert.deepEqual([gpu.desiredNodeSize, gpu.maxNodeSize], [2, 5]);
                            assert.equal((await c.nodeGroup(st.get("batch")!)).onAutoScaling, false);
                            if (cip.network && net) {
                                const k = (await c.cluster(st.get("k8s")!)).network;
                                assert.deepEqual(
                                    [[...k.subnets].sort(), k.securityGroups],
                                    [[net.sameZoneSubnet, env.subnets[1]].sort(), [net.securityGroups[0]]],
                                );
                            }
                        }
                        s.ids = idsOf(st);
                    },
                ],
                then: [
                    {
                        // Issue 13: an NLB's traffic settings and unhealthy threshold all change at once:
                        // one `~ update`, the same id, every value in the cloud, then a clean preview.
                        change: async () => {
                            const traffic = env.caps.nlb.traffic;
                            Object.assign(args("lbHealth"), {
                                connectionDraining: 30,
                                sessionAffinity: "CLIENT_IP",
                                crossZone: traffic.crossZone.includes(!traffic.defaults.crossZone)
                                    ? !traffic.defaults.crossZone
                                    : traffic.defaults.crossZone,
                                proxyProtocol: traffic.proxyProtocol.includes(true),
                            });
                            args("lbHealth").healthChecker.unhealthyThreshold = 2;
                        },
                        command: "preview+up",
                        ops: (): Ops => ({ lbHealth: upd(env.caps.nlb.inPlace.traffic) }),
                        checks: [
                            async s => {
                                const st = await stateOf(s.p);
                                assert.equal(st.get("lbHealth")?.id, s.ids.get("lbHealth"), "lbHealth kept its ID");
                                const live = await cloud(env).nlb(st.get("lbHealth")!);
                                const traffic = env.caps.nlb.traffic;
                                assert.deepEqual(
                                    [live.traffic.connectionDraining, live.traffic.sessionAffinity],
                                    [30, "CLIENT_IP"],
                                );
                                // Flipped where the cloud accepts both values, else its fixed value.
                                const flipped = !traffic.defaults.crossZone;
                                const crossZone = traffic.crossZone.includes(flipped) ? flipped : !flipped;
                                assert.equal(live.traffic.crossZone, crossZone);
                                assert.equal(live.traffic.proxyProtocol, traffic.proxyProtocol.includes(true));
                                assert.equal(live.healthChecker.unhealthyThreshold, 2);
                                assert.equal(live.healthChecker.threshold, 5, "the healthy threshold is kept");
                                assertNoChanges(
                                    await s.p.preview(),
                                    "preview after the traffic-settings update",
                                    s.spec.resources.length,
                                );
                            },
                        ],
                    },
                    {
                        // Issue 13: endpoint access, logging, and a node group's labels, taints and
                        // maxUnavailable (inline and standalone) all change at once: one `~ update` each.
                        // What the cluster cannot take is left at its value, from the capabilities: a private
                        // endpoint (GKE: `private` stays false), the log types, a percentage maxUnavailable.
                        change: async () => {
                            if (!k8s) return;
                            const cc = env.caps.cluster;
                            const adapted = [
                                ...(cc.privateEndpoint
                                    ? []
                                    : [
                                          `endpointAccess.private stays false (${cc.reasons?.privateEndpoint ?? "no private endpoint"})`,
                                      ]),
                                ...(cc.maxUnavailablePercent
                                    ? []
                                    : [
                                          `maxUnavailable is a count (${cc.reasons?.maxUnavailablePercent ?? "no percentage"})`,
                                      ]),
                            ];
                            if (adapted.length > 0)
                                console.log(
                                    `      adapted to ${label}: ${adapted.join("; ")}; log types ${logging().join(", ")}`,
                                );
                            args("k8s").endpointAccess = endpointAccess();
                            args("k8s").logging = logging();
                            Object.assign(args("k8s").nodeGroups[0], {
                                labels: { role: "system" },
                                taints: [{ key: "critical", value: "yes", effect: "NoSchedule" }],
                                maxUnavailable: inlineMaxUnavailable(),
                            });
                            Object.assign(args("gpu"), {
                                labels: { accel: "gpu", team: "ml" },
                                taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
                                maxUnavailable: 2,
                            });
                        },
                        command: "preview+up",
                        ops: (): Ops => {
                            if (!k8s) return {};
                            const cip = env.caps.cluster.inPlace;
                            const config = cip.labels && cip.taints && cip.updateConfig;
                            return {
                                k8s: upd(cip.endpointAccess && cip.logging && cip.nodeGroups && config),
                                gpu: upd(config),
                            };
                        },
                        checks: [
                            async s => {
                                if (!k8s) return;
                                const c = cloud(env);
                                const st = await stateOf(s.p);
                                assert.equal(st.get("k8s")?.id, s.ids.get("k8s"), "k8s kept its ID");
                                assert.equal(st.get("gpu")?.id, s.ids.get("gpu"), "gpu kept its ID");
                                const k = await c.cluster(st.get("k8s")!);
                                assert.deepEqual(k.endpointAccess, endpointAccess());
                                assert.deepEqual(k.logging, logging());
                                const def = must(
                                    k.nodeGroups.find(n => n.iid.nameId === "default"),
                                    "the default node group, not recreated",
                                );
                                assert.deepEqual(
                                    [def.labels, def.taints, def.maxUnavailable],
                                    [
                                        { role: "system" },
                                        [{ key: "critical", value: "yes", effect: "NoSchedule" }],
                                        inlineMaxUnavailable(),
                                    ],
                                );
                                const gpu = await c.nodeGroup(st.get("gpu")!);
                                assert.deepEqual(
                                    [gpu.labels, gpu.taints, gpu.maxUnavailable],
                                    [
                                        { accel: "gpu", team: "ml" },
                                        [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
                                        2,
                                    ],
                                );
                                assertNoChanges(
                                    await s.p.preview(),
                                    "preview after the endpoint, logging, label, taint and maxUnavailable update",
                                    s.spec.resources.length,
                                );
                            },
                        ],
                    },
                ],
            },

            {
                title: k8s
                    ? "3. replace fields preview as replacements (delete first where the cloud name is fixed); a node-group vmSpec change inside Cluster is an update (a standalone NodeGroup's too where the driver changes machines in place; its capacity type replaces it there)"
                    : "3. replace fields preview as replacements (delete first where the cloud name is fixed)",
                change: async s => {
                    s.oldState = await stateOf(s.p);
                    if (env.altVpc) {
                        args("lbProto").vpc = env.altVpc.vpc; // vpc (auto-named: create the new one first)
                        args("lbProto").vmGroup.vms = env.altVpc.vms;
                    }
                    args("lbGroup").type = "INTERNAL"; // type
                    args("lbVms").nlbName = `${fixedNlb}-b`; // explicit nlbName: the old one must go first
                    if (env.caps.nlb.inPlace.subnets) args("web").subnets = s.webSubnetsAtStart; // the removed zone added back: in place
                    if (k8s) {
                        args("k8sFixed").clusterName = `${fixedCluster}-b`; // explicit clusterName: the old one must go first
                        args("gpu").vmSpec = env.vmSpecAlt; // a standalone NodeGroup's vmSpec: replaced, or in place (inPlace.machines)
                        args("k8s").nodeGroups[0].vmSpec = env.vmSpecAlt; // ... inside Cluster an update either way (the group or its nodes recreated)
                        // Where gpu's vmSpec is in place, batch's capacity type still replaces a standalone NodeGroup.
                        if (spotReplaces()) args("batch").capacityType = "SPOT";
                    }
                },
                // Everything changed in step 2 and not touched now must be "same": no perpetual diff after updates.
                command: "preview",
                ops: () => replacements(),
                then: [
                    {
                        checks: [
                            async s => {
                                s.createdBefore = new Map();
                                for (const name of Object.keys(replacements()))
                                    s.createdBefore.set(name, (await live(s.oldState.get(name)!)).createdTime);
                            },
                        ],
                    },
                    {
                        command: "up",
                        ops: () => replacements(),
                        checks: [
                            async s => {
                                const c = cloud(env);
                                const expected = replacements();
                                const zoneBack = env.caps.nlb.inPlace.subnets;
                                const st = await stateOf(s.p);
                                for (const name of Object.keys(expected)) {
                                    if (expected[name].startsWith("replace")) {
                                        const old = s.oldState.get(name)!;
                                        const sameName = Object.keys(old.outputs ?? {}).some(
                                            k =>
                                                /^(nlbName|clusterName|nodeGroupName)$/.test(k) &&
                                                old.outputs![k] === st.get(name)?.outputs?.[k],
                                        );
                                        if (sameName && st.get(name)?.id === old.id) {
                                            // The cloud derives the ID from the name (EKS: the ARN), so a delete-first replacement that
                                            // keeps the name keeps the ID: it must be a new object all the same.
                                            const before = s.createdBefore.get(name);
                                            assert.ok(
                                                before,
                                                `${name} keeps its ID ${old.id} over a replacement, and the driver reports no createdTime to tell the objects apart`,
                                            );
                                            assert.notEqual(
                                                (await live(st.get(name)!)).createdTime,
                                                before,
                                                `${name} (same name, same ID ${old.id}) was recreated`,
                                            );
                                        } else {
                                            assert.notEqual(st.get(name)?.id, s.ids.get(name), `${name} got a new ID`);
                                            assert.ok(
                                                await c.gone(() => live(old)),
                                                `the replaced ${name} (${old.id}) is gone from the cloud`,
                                            );
                                        }
                                    }
                                }
                                for (const [name, op] of Object.entries(expected)) {
                                    if (op !== "update") continue;
                                    assert.equal(st.get(name)?.id, s.ids.get(name), `${name} kept its ID`);
                                    // In place, not recreated under the same ID (GKE: the node pool kept, its nodes recreated).
                                    const before = s.createdBefore.get(name);
                                    if (before)
                                        assert.equal(
                                            (await live(st.get(name)!)).createdTime,
                                            before,
                                            `${name} was updated in place, not recreated`,
                                        );
                                }
                                if (zoneBack) {
                                    assert.equal(
                                        st.get("web")?.id,
                                        s.ids.get("web"),
                                        "web kept its ID over the zone's return",
                                    );
                                    assert.deepEqual(
                                        [...(await c.nlb(st.get("web")!)).subnets].sort(),
                                        s.webSubnetsAtStart,
                                    );
                                }
                                assert.equal((await c.nlb(st.get("lbGroup")!)).type, "INTERNAL");
                                assert.equal((await c.nlb(st.get("lbVms")!)).iid.nameId, `${fixedNlb}-b`);
                                if (env.altVpc) assert.equal((await c.nlb(st.get("lbProto")!)).vpc, env.altVpc.vpc);
                                if (k8s) {
                                    assert.equal(
                                        (await c.cluster(st.get("k8sFixed")!)).iid.nameId,
                                        `${fixedCluster}-b`,
                                    );
                                    assert.equal((await c.nodeGroup(st.get("gpu")!)).vmSpec, env.vmSpecAlt);
                                    if (spotReplaces())
                                        assert.equal((await c.nodeGroup(st.get("batch")!)).capacityType, "SPOT");
                                    const k8sLive = await c.cluster(st.get("k8s")!);
                                    const def = k8sLive.nodeGroups.filter(n => n.iid.nameId.startsWith("default"));
                                    assert.equal(
                                        def.length,
                                        1,
                                        `exactly one "default" node group: ${k8sLive.nodeGroups.map(n => n.iid.nameId)}`,
                                    );
                                    assert.equal(def[0].vmSpec, env.vmSpecAlt);
                                }
                                assertInventory(
                                    await env.inventory(),
                                    plus(s.baseline, { nlbs: 5, ...(k8s ? { clusters: 2, nodeGroups: 4 } : {}) }),
                                    "after the replacements (nothing orphaned)",
                                );
                                s.ids = idsOf(st);
                            },
                        ],
                    },
                ],
            },

            {
                title: "4. drift: `refresh` records out-of-band changes and deletions; the next `up` restores them; an autoscaler's size is kept",
                change: async s => {
                    const c = cloud(env);
                    const st = await stateOf(s.p);
                    await c.oob.setListenerPort(refOf(st.get("web")!, "nlbName"), "TCP", 8001);
                    const k8sRef = k8s ? refOf(st.get("k8s")!, "clusterName") : undefined;
                    if (k8sRef) {
                        // gpu has autoscaling on (declared 2 in [0, 5]): an autoscaler grows it to 3 — no drift.
                        await c.oob.setNodeGroupScaling(k8sRef, refOf(st.get("gpu")!, "nodeGroupName"), {
                            desiredNodeSize: 3,
                            minNodeSize: 0,
                            maxNodeSize: 5,
                        });
                        // batch has it off (declared 1 in [1, 2]): someone resizes it to 2 — drift.
                        await c.oob.setNodeGroupScaling(k8sRef, refOf(st.get("batch")!, "nodeGroupName"), {
                            desiredNodeSize: 2,
                            minNodeSize: 1,
                            maxNodeSize: 2,
                        });
                    }
                    await c.oob.deleteNlb(refOf(st.get("lbHealth")!, "nlbName"));
                },
                command: "refresh",
                checks: [
                    async s => {
                        const st = await stateOf(s.p);
                        assert.equal(
                            (st.get("web")!.outputs!.listener as { port: number }).port,
                            8001,
                            "refresh recorded the drifted listener port",
                        );
                        if (k8s) {
                            assert.equal(
                                st.get("gpu")!.outputs!.desiredNodeSize,
                                2,
                                "with autoscaling on, the declared size stays in state",
                            );
                            assert.equal(
                                st.get("gpu")!.outputs!.currentNodeSize,
                                3,
                                "the autoscaler's size is the currentNodeSize output",
                            );
                            assert.equal(
                                st.get("batch")!.outputs!.desiredNodeSize,
                                2,
                                "with autoscaling off, refresh recorded the drifted node count",
                            );
                        }
                        assert.equal(st.has("lbHealth"), false, "refresh dropped the deleted Nlb from state");
                    },
                ],
                then: [
                    {
                        command: "preview+up",
                        ops: () => ({ web: "update", lbHealth: "create", ...(k8s ? { batch: "update" } : {}) }),
                        checks: [
                            async s => {
                                const c = cloud(env);
                                const st = await stateOf(s.p);
                                assert.equal(st.get("web")!.id, s.ids.get("web"));
                                assert.equal(
                                    (await c.nlb(st.get("web")!)).listener.port,
                                    8000,
                                    "declared listener port restored in place",
                                );
                                if (k8s) {
                                    assert.equal(st.get("batch")!.id, s.ids.get("batch"));
                                    assert.equal(
                                        (await c.nodeGroup(st.get("batch")!)).desiredNodeSize,
                                        1,
                                        "declared node count restored in place (autoscaling off)",
                                    );
                                    assert.equal(
                                        (await c.nodeGroup(st.get("gpu")!)).desiredNodeSize,
                                        3,
                                        "the autoscaler's size was not undone (autoscaling on)",
                                    );
                                }
                                const lbHealth = await c.nlb(st.get("lbHealth")!);
                                assert.notEqual(lbHealth.iid.systemId, s.ids.get("lbHealth"), "lbHealth was recreated");
                                assert.equal(lbHealth.healthChecker.path, "/healthz");
                                s.ids = idsOf(st);
                            },
                        ],
                    },
                ],
            },

            {
                title: "5. a cloud error names the resource and the operation in `up`; where the env can slow its cloud down (local), long waits print progress lines",
                checks: [
                    () => assert.ok(env.injectFault, "every env must be able to inject a cloud fault"),
                    async s => {
                        if (!env.slowDown) return;
                        const restore = await env.slowDown();
                        try {
                            args("web").listener.port = 8002;
                            s.p.writeSpec(s.spec);
                            const up = await s.p.up(["--skip-preview"]);
                            assertOk(up, "up (slow)");
                            assertOps(up, { web: "update" }, "same");
                            const progress = up.diagnostics.filter(d => /waiting for/.test(d.message));
                            assert.ok(
                                progress.length > 0,
                                `a "waiting for" progress line in the up output; diagnostics:\n${up.diagnostics.map(d => d.message).join("")}`,
                            );
                            assert.match(progress[0].message, /Nlb \(/, "the progress line names the resource");
                        } finally {
                            await restore();
                        }
                    },
                ],
                then: [
                    {
                        // A new Nlb whose create the cloud fails once.
                        change: async s => {
                            if (!env.injectFault) return;
                            s.faultBaseline = await env.inventory();
                            await env.injectFault("createNlb");
                            s.spec.resources.push({
                                kind: "Nlb",
                                name: "lbFail",
                                args: {
                                    vpc: env.vpc,
                                    listener: { protocol: "TCP", port: 85 },
                                    vmGroup: { port: 8085, vms: [vm("lbFail", 0)] },
                                },
                            });
                        },
                        checks: [
                            async s => {
                                if (!env.injectFault) return;
                                const bad = await s.p.up(["--skip-preview"]);
                                assert.equal(bad.ok, false, "up must fail when the cloud fails");
                                const errors = bad.diagnostics.filter(
                                    d => d.severity === "error" && d.urn?.endsWith("::lbFail"),
                                );
                                assert.ok(errors.length > 0, `an error diagnostic on lbFail; got:\n${shown(bad)}`);
                                // Case-insensitive: drivers with lowercase-only names (gcp) lowercase the auto-name.
                                assert.match(
                                    errors[0].message,
                                    /creating Nlb \(lbFail-[0-9a-f]+\)/i,
                                    `the error names the operation and the resource: ${errors[0].message}`,
                                );
                                assert.equal(
                                    (await stateOf(s.p)).has("lbFail"),
                                    false,
                                    "the failed create left nothing in state",
                                );
                                assertInventory(
                                    await env.inventory(),
                                    s.faultBaseline,
                                    "after the failed create (nothing half-created)",
                                );
                                const retry = await s.p.up(["--skip-preview"]);
                                assertOk(retry, "up after the fault");
                                assertOps(retry, { lbFail: "create" }, "same");
                            },
                            async s => {
                                s.ids = idsOf(await stateOf(s.p));
                            },
                        ],
                    },
                ],
            },

            {
                title: "6. `stack export`: small __provider, no credential in plain text, kubeconfig secret; `stack import` round-trips with no changes",
                checks: [
                    async s => {
                        const p = s.p;
                        const { deployment, text } = await p.exportStack();
                        const sizes: Record<string, number> = {};
                        for (const r of spiderResources(deployment).values()) {
                            const kind = r.type.split(":").pop()!;
                            for (const bag of [r.inputs, r.outputs]) {
                                const prov = bag?.__provider;
                                assert.equal(typeof prov, "string", `${kind} stores __provider`);
                                sizes[kind] = Math.max(sizes[kind] ?? 0, Buffer.byteLength(prov as string));
                            }
                        }
                        console.log(
                            `      __provider bytes per kind (${label}): ${Object.entries(sizes)
                                .map(([k, v]) => `${k}=${v}`)
                                .join(", ")}`,
                        );
                        assert.deepEqual(
                            Object.keys(sizes).sort(),
                            k8s ? ["Cluster", "Nlb", "NlbVmGroup", "NodeGroup"] : ["Nlb", "NlbVmGroup"],
                        );
                        for (const [kind, n] of Object.entries(sizes))
                            assert.ok(n <= 2048, `${kind} __provider is ${n} bytes (limit 2048)`);
                        const secrets = [
                            ...Object.values(credentialEnv(env)).filter(
                                v => v.length >= 12 && /SECRET|TOKEN|FAKE/i.test(v),
                            ),
                            ...Object.values(configSecrets(env)),
                        ];
                        secrets.push(
                            ...["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS"]
                                .map(k => process.env[k] ?? "")
                                .filter(v => v.length >= 8),
                        );
                        for (const [k, v] of Object.entries(configSecrets(env))) {
                            // The secret really is in the stack's config (so the searches below are not vacuous).
                            assert.equal((await p.must(["config", "get", k])).stdout.trim(), v, `stack config ${k}`);
                        }
                        // The export, and every file Pulumi wrote: state, history, backups, the stack config.
                        const files = [...listFiles(p.backendDir), path.join(p.dir, `Pulumi.${p.stack}.yaml`)];
                        for (const sec of secrets) {
                            assert.ok(
                                !text.includes(sec),
                                `a credential value (${sec.slice(0, 12)}…) appears in plain text in the stack export`,
                            );
                            for (const f of files)
                                assert.ok(
                                    !fs.readFileSync(f, "utf8").includes(sec),
                                    `a credential value (${sec.slice(0, 12)}…) appears in plain text in ${f}`,
                                );
                        }
                        assert.ok(!/"kubeconfig":\s*"/.test(text), "no kubeconfig in plain text");
                        for (const r of spiderResources(deployment).values()) {
                            if (!r.type.endsWith(":Cluster")) continue;
                            assert.ok(isSecret(r.outputs?.kubeconfig), `${r.urn}: kubeconfig is stored as a secret`);
                        }
                        await p.importStack(text);
                        const after = await p.exportStack();
                        assert.equal(spiderResources(after.deployment).size, spiderResources(deployment).size);
                        assertNoChanges(await p.preview(), "preview after `stack import`", s.spec.resources.length);
                    },
                ],
            },

            {
                title: "7. `destroy` deletes everything: the cloud inventory is back where it started",
                command: "destroy",
                ops: s => Object.fromEntries(s.spec.resources.map(r => [r.name, "delete"])),
                others: "none",
                checks: [
                    async s => assert.equal((await stateOf(s.p)).size, 0),
                    async s => assertInventory(await env.inventory(), s.baseline, "after destroy (nothing orphaned)"),
                ],
            },
        ]);

        /** Step 3's expected ops: the replacements, and what changes in place with them. */
        function replacements(): Ops {
            // Where a VM serves one NLB at a time, an NLB with VMs must go before its replacement comes.
            const nlbReplace = env.caps.nlb.exclusiveVmMembership ? "replace-dbr" : "replace";
            return {
                lbGroup: nlbReplace,
                lbVms: "replace-dbr",
                ...(k8s
                    ? {
                          k8sFixed: "replace-dbr",
                          // GKE changes a node pool's machine type in place (its nodes recreated, the pool kept).
                          gpu: env.caps.cluster.inPlace.machines ? "update" : "replace",
                          k8s: "update",
                          ...(spotReplaces() ? { batch: "replace" } : {}),
                      }
                    : {}),
                ...(env.altVpc ? { lbProto: nlbReplace } : {}),
                ...(env.caps.nlb.inPlace.subnets ? { web: "update" } : {}),
            };
        }

        /**
         * Step 2's endpoint access: a private endpoint too where the driver offers one (GKE: public
         * only), a public CIDR block either way.
         */
        function endpointAccess() {
            return { public: true, private: env.caps.cluster.privateEndpoint, publicCidrs: ["203.0.113.0/24"] };
        }

        /** Step 2's control-plane log types: the first two the driver offers (EKS: api, audit). */
        function logging(): string[] {
            return env.caps.cluster.logTypes.slice(0, 2);
        }

        /** Step 2's maxUnavailable of the inline node group: 50% where a percentage is taken, else a count. */
        function inlineMaxUnavailable(): string | number {
            return env.caps.cluster.maxUnavailablePercent ? "50%" : 1;
        }

        /**
         * Step 3 replaces a standalone NodeGroup through its vmSpec; where that changes in place
         * (GKE), through batch's capacity type instead (SPOT, where the driver offers it).
         */
        function spotReplaces(): boolean {
            return env.caps.cluster.inPlace.machines && env.caps.cluster.capacityTypes.includes("SPOT");
        }

        /** The live object behind a state resource, of whichever kind. */
        function live(r: StateResource): Promise<{ iid: Iid; createdTime?: string }> {
            const c = cloud(env);
            return r.type.endsWith(":Nlb") ? c.nlb(r) : r.type.endsWith(":Cluster") ? c.cluster(r) : c.nodeGroup(r);
        }
    });
}
