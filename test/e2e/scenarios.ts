/**
 * The end-to-end scenarios, driven through the real Pulumi CLI against any driver: each driver's
 * `<driver>.e2e.test.ts` calls `describeE2E(label, getEnv)` with its backing cloud.
 *
 * Every assertion is on machine-readable output — step operations of `pulumi preview|up --json`,
 * `pulumi stack export`, engine diagnostics — and on the cloud itself through the driver.
 * Steps of one stack run in order and share it (each pulumi command costs seconds); once a step
 * fails, the rest of its stack are skipped rather than failing confusingly.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Capabilities, ClusterInfo, Iid, NlbInfo, NodeGroupInfo } from "../../provider/interface/driver";
import { isNotFound } from "../../provider/interface/errors";
import {
    checkInstalledPackage,
    commandSummary,
    findPulumi,
    isSecret,
    opsByName,
    PulumiProject,
    PulumiResult,
    spiderResources,
    StateResource,
    tail,
} from "../support/pulumi";
import type { E2EEnv, E2EInventory, ObjectRef, OutOfBand } from "./env";

type Kind = "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup";

interface SpecResource {
    kind: Kind;
    name: string;
    args: Record<string, unknown>;
    opts?: Record<string, unknown>;
    get?: unknown;
}

interface Spec {
    connection: Record<string, unknown>;
    resources: SpecResource[];
    exports?: Record<string, unknown>;
}

const ref = (r: string) => ({ $ref: r });
const rand = () => crypto.randomBytes(2).toString("hex");

// ---------------------------------------------------------------------------------------------
// Assertions on pulumi output

/** What users would see of a failed command: its diagnostics (no debug noise) and stderr, trimmed. */
function shown(r: PulumiResult): string {
    const clip = (s: string) => (s.length > 1500 ? `${s.slice(0, 1500)}…` : s);
    return tail(
        [
            ...r.diagnostics.map(
                d => `[${d.severity}${d.urn ? ` ${d.urn.split("::").pop()}` : ""}] ${clip(d.message.trim())}`,
            ),
            clip(r.stderr.trim()),
        ].join("\n"),
        40,
    );
}

function assertOk(r: PulumiResult, what: string): void {
    if (!r.ok) assert.fail(`${what} failed (exit ${r.code}):\n${shown(r)}`);
}

/**
 * What happened to one resource, from its step ops in engine order: "create", "update", "same",
 * "delete", "read", "replace" (create first) or "replace-dbr" (delete first).
 */
function classify(ops: string[] | undefined): string {
    if (!ops || ops.length === 0) return "none";
    const cr = ops.indexOf("create-replacement");
    const dr = ops.indexOf("delete-replaced");
    if (cr >= 0 || ops.includes("replace")) return dr >= 0 && cr >= 0 && dr < cr ? "replace-dbr" : "replace";
    return ops.length === 1 ? ops[0] : ops.join("+");
}

/**
 * Asserts the op of each named resource, and `others` (e.g. "same") for every other resource.
 * `pulumi preview --json` lists only resources that change (one "replace" step per replacement,
 * so delete-before-replace is visible only in `up` events): there an unlisted resource is
 * "same", and with `declared` (the number of spider resources in the program) the change
 * summary must account for every one of them.
 */
function assertOps(r: PulumiResult, expected: Record<string, string>, others?: string, declared?: number): void {
    const isPreview = r.args[0] === "preview";
    const ops = opsByName(r);
    const actual: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [name, op] of Object.entries(expected)) {
        actual[name] = ops.has(name) ? classify(ops.get(name)) : isPreview ? "same" : "none";
        want[name] = isPreview && op === "replace-dbr" ? "replace" : op;
    }
    if (others) {
        for (const name of ops.keys()) {
            if (name in expected) continue;
            actual[name] = classify(ops.get(name));
            want[name] = others;
        }
    }
    assert.deepEqual(actual, want, `step operations of \`pulumi ${r.args[0]}\``);
    if (isPreview && others === "same" && declared !== undefined) {
        const changed = Object.values(expected).filter(op => op !== "same").length;
        assert.equal(
            r.changeSummary.same ?? 0,
            declared - changed + 1,
            `unchanged resources (+ the stack) in the preview summary ${JSON.stringify(r.changeSummary)}`,
        );
    }
}

/** Asserts a `preview` succeeded and shows no change at all (no perpetual diff) for `declared` resources. */
function assertNoChanges(r: PulumiResult, what: string, declared: number): void {
    assertOk(r, what);
    const changed = r.steps.filter(s => s.op !== "same");
    assert.deepEqual(
        changed.map(s => `${s.name}: ${s.op}`),
        [],
        `${what}: expected no changes`,
    );
    assert.deepEqual(r.changeSummary, { same: declared + 1 }, `${what}: change summary (the stack counts as one)`);
}

function hasVm(list: string[], vm: string): boolean {
    return list.some(l => l === vm || l.endsWith(`/${vm}`));
}

function sameVmSet(live: string[], declared: string[]): boolean {
    return live.length === declared.length && declared.every(v => hasVm(live, v));
}

// ---------------------------------------------------------------------------------------------
// The cloud, through the driver

function cloud(env: E2EEnv) {
    const oob: OutOfBand = {
        setListenerPort: async (nlb, protocol, port) => {
            await env.driver.nlb.changeListener({ nameId: nlb.name, systemId: nlb.id }, { protocol, port });
        },
        setNodeGroupScaling: async (c, ng, s) => {
            await env.driver.cluster.changeNodeGroupScaling(
                { nameId: c.name, systemId: c.id },
                { nameId: ng.name, systemId: ng.id },
                s,
            );
        },
        deleteNlb: async nlb => {
            await env.driver.nlb.deleteNlb({ nameId: nlb.name, systemId: nlb.id });
        },
        ...env.outOfBand,
    };
    const iid = (r: StateResource, nameKey: string): Iid => ({
        nameId: String(r.outputs?.[nameKey] ?? ""),
        systemId: r.id ?? "",
    });
    return {
        oob,
        nlb: (r: StateResource): Promise<NlbInfo> => env.driver.nlb.getNlb(iid(r, "nlbName")),
        nlbById: (id: string): Promise<NlbInfo> => env.driver.nlb.getNlb({ nameId: "", systemId: id }),
        cluster: (r: StateResource): Promise<ClusterInfo> => env.driver.cluster.getCluster(iid(r, "clusterName")),
        nodeGroup: (r: StateResource): Promise<NodeGroupInfo> =>
            env.driver.cluster.getNodeGroup(
                { nameId: "", systemId: String(r.outputs?.cluster) },
                iid(r, "nodeGroupName"),
            ),
        async gone(fn: () => Promise<unknown>): Promise<boolean> {
            try {
                await fn();
                return false;
            } catch (err) {
                if (isNotFound(err)) return true;
                throw err;
            }
        },
    };
}

function refOf(r: StateResource, nameKey: string): ObjectRef {
    return { id: r.id ?? "", name: String(r.outputs?.[nameKey] ?? "") };
}

function assertInventory(actual: E2EInventory, expected: E2EInventory, what: string): void {
    const pick = (i: E2EInventory) => ({
        nlbs: i.nlbs,
        clusters: i.clusters,
        ...(expected.nodeGroups !== undefined && actual.nodeGroups !== undefined ? { nodeGroups: i.nodeGroups } : {}),
    });
    assert.deepEqual(pick(actual), pick(expected), `cloud inventory ${what}`);
}

function plus(base: E2EInventory, d: Partial<E2EInventory>): E2EInventory {
    return {
        nlbs: base.nlbs + (d.nlbs ?? 0),
        clusters: base.clusters + (d.clusters ?? 0),
        ...(base.nodeGroups !== undefined ? { nodeGroups: base.nodeGroups + (d.nodeGroups ?? 0) } : {}),
    };
}

async function stateOf(p: PulumiProject): Promise<Map<string, StateResource>> {
    return spiderResources((await p.exportStack()).deployment);
}

function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter(e => e.isFile())
        .map(e => path.join(e.parentPath ?? e.path, e.name));
}

function must<T>(v: T | undefined, what: string): T {
    assert.ok(v !== undefined, `${what} is missing`);
    return v as T;
}

/** Sequential steps sharing one stack: after a failure the rest fail at once, naming it (never skipped). */
function stepper() {
    let failed: string | undefined;
    return (title: string, fn: (this: Mocha.Context) => Promise<void>) => {
        it(title, async function () {
            if (failed) throw new Error(`not run: the earlier step "${failed}" failed and this one depends on it`);
            try {
                await fn.call(this);
            } catch (err) {
                failed = title;
                throw err;
            }
        });
    };
}

const FAKE = `FAKE-E2E-SECRET-${crypto.randomBytes(6).toString("hex")}`;
const FAKE_KEY_ID = `AKIAFAKEE2E${crypto.randomBytes(4).toString("hex").toUpperCase()}`;

function credentialEnv(env: E2EEnv): Record<string, string> {
    // Recognisable fake credentials in every pulumi process; emulator envs may override them.
    return {
        AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
        AWS_SECRET_ACCESS_KEY: `${FAKE}-aws-env`,
        AWS_SESSION_TOKEN: `${FAKE}-aws-session`,
        ...env.processEnv,
    };
}

function configSecrets(env: E2EEnv): Record<string, string> {
    return env.configSecrets ?? { "spider:awsSecretAccessKey": `${FAKE}-stack-config` };
}

async function newProject(env: E2EEnv, name: string): Promise<PulumiProject> {
    const p = await PulumiProject.create({ name, env: credentialEnv(env) });
    for (const [k, v] of Object.entries(configSecrets(env))) await p.setConfig(k, v, true);
    return p;
}

/**
 * VMs for the NLBs of the scenarios. `vm(owner, i)` is `env.vms[i]` (VMs shared between NLBs),
 * except on drivers where a VM can serve only one NLB at a time (`exclusiveVmMembership`): there
 * every (owner, i) gets a VM of its own from `env.vms`, the same one each time it is asked for.
 */
function vmAllocator(getEnv: () => E2EEnv) {
    const given = new Map<string, string>();
    return (owner: string, i: number): string => {
        const env = getEnv();
        if (!env.caps.nlb.exclusiveVmMembership) return env.vms[i % env.vms.length];
        const key = `${owner}#${i}`;
        let vm = given.get(key);
        if (vm === undefined) {
            if (given.size >= env.vms.length) {
                throw new Error(
                    `the env supplies ${env.vms.length} VMs, all in use: on ${env.caps.driver} a VM serves one NLB at a time, so every NLB of the scenarios needs VMs of its own`,
                );
            }
            vm = env.vms[given.size];
            given.set(key, vm);
        }
        return vm;
    };
}

// ---------------------------------------------------------------------------------------------

/**
 * `caps`: the driver's capabilities, known when the tests are registered (mocha registers before
 * the env exists). Cluster and NodeGroup scenarios are registered only where `caps.cluster.supported`
 * (default: supported), so a driver without clusters runs the NLB scenarios and reports no skips.
 */
export function describeE2E(label: string, getEnv: () => Promise<E2EEnv>, caps?: Capabilities): void {
    const k8s = caps?.cluster.supported ?? true;
    describe(`end to end through the Pulumi CLI (${label})`, function () {
        this.timeout(20 * 60_000);
        let env: E2EEnv;
        const projects: PulumiProject[] = [];
        let started = Date.now();
        const vm = vmAllocator(() => env);

        before(async function () {
            this.timeout(30 * 60_000);
            started = Date.now();
            // Fails the whole suite loudly, with the reason, when the CLI or the installed package is missing.
            findPulumi();
            checkInstalledPackage();
            env = await getEnv();
            assert.ok(env.vms.length >= 5, "the env must supply at least five VMs");
            if (k8s) assert.ok(env.subnets.length >= 3, "the env must supply at least three subnets");
            assert.equal(
                env.caps.cluster.supported,
                k8s,
                "describeE2E was registered with the capabilities of the env's driver",
            );
        });

        after(async function () {
            this.timeout(10 * 60_000);
            for (const p of projects) {
                try {
                    await p.cleanup();
                } catch (err) {
                    process.stderr.write(`e2e cleanup of ${p.root} failed: ${(err as Error).message}\n`);
                }
            }
            await env?.cleanup?.();
            console.log(`      [e2e ${label}] ${((Date.now() - started) / 1000).toFixed(1)}s; ${commandSummary()}`);
        });

        const project = async (name: string) => {
            const p = await newProject(env, name);
            projects.push(p);
            return p;
        };

        describe("one stack: create, in-place updates, replacements, drift, errors, export/import, destroy", () => {
            const step = stepper();
            let p: PulumiProject;
            let spec: Spec;
            let baseline: E2EInventory;
            let ids: Map<string, string>;
            const fixedNlb = `e2e-fixed-${rand()}`;
            const fixedCluster = `e2e-fixed-${rand()}`;
            let webSubnetsAtStart: string[] = [];

            const res = (name: string) =>
                must(
                    spec.resources.find(r => r.name === name),
                    `spec resource ${name}`,
                );
            const args = (name: string) => res(name).args as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
            const idsOf = (st: Map<string, StateResource>) => new Map([...st].map(([n, r]) => [n, r.id ?? ""]));

            step(
                k8s
                    ? "1. `up` creates all four kinds; a second preview shows no changes (no perpetual diff, also for driver defaults)"
                    : "1. `up` creates Nlb and NlbVmGroup; a second preview shows no changes (no perpetual diff, also for driver defaults)",
                async () => {
                    const c = cloud(env);
                    p = await project("lifecycle");
                    baseline = await env.inventory();
                    const v2 = vm("web", 2);
                    spec = {
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
                    p.writeSpec(spec);
                    const up = await p.up(["--skip-preview"]);
                    assertOk(up, "up");
                    const all = Object.fromEntries(spec.resources.map(r => [r.name, "create"]));
                    assertOps(up, all, "none");
                    const st = await stateOf(p);
                    ids = idsOf(st);
                    assert.equal(st.size, spec.resources.length);
                    for (const [name, r] of st) {
                        assert.ok(r.id, `${name} has an id`);
                        if (r.type.endsWith(":Nlb")) assert.equal((await c.nlb(r)).iid.systemId, r.id);
                        if (r.type.endsWith(":Cluster")) assert.equal((await c.cluster(r)).iid.systemId, r.id);
                        if (r.type.endsWith(":NodeGroup")) assert.equal((await c.nodeGroup(r)).iid.systemId, r.id);
                    }
                    const web = await c.nlb(st.get("web")!);
                    assert.ok(hasVm(web.vmGroup.vms, v2), "extra attached its VM to web");
                    // Defaults the driver filled in are recorded, so they cannot show up as a diff.
                    const hc = st.get("web")!.outputs!.healthChecker as Record<string, unknown>;
                    assert.equal(hc.port, 8080);
                    assert.equal(hc.interval, env.caps.nlb.defaults.interval);
                    assertInventory(
                        await env.inventory(),
                        plus(baseline, { nlbs: 5, ...(k8s ? { clusters: 2, nodeGroups: 4 } : {}) }),
                        "after the first up",
                    );
                    assertNoChanges(await p.preview(), "preview right after the first up", spec.resources.length);
                    if (env.caps.nlb.inPlace.subnets) {
                        // Declaring the subnets the driver chose (in another order) is no change.
                        args("lbHealth").subnets = [...(st.get("lbHealth")!.outputs!.subnets as string[])].reverse();
                        p.writeSpec(spec);
                        assertNoChanges(
                            await p.preview(),
                            "preview after declaring lbHealth's own subnets",
                            spec.resources.length,
                        );
                    }
                },
            );

            step("2. every in-place field previews as `update`, keeps the ID and reaches the cloud", async () => {
                const c = cloud(env);
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
                const webSubnets = [...((await stateOf(p)).get("web")!.outputs!.subnets as string[])].sort();
                webSubnetsAtStart = webSubnets;
                const net = env.network;
                if (ip.subnets) args("web").subnets = webSubnets.slice(0, -1); // an NLB zone removed
                if (k8s && cip.network && net) {
                    // control-plane subnets (a zone's subnet swapped) and security groups
                    args("k8s").network = {
                        vpc: env.vpc,
                        subnets: [net.sameZoneSubnet, env.subnets[1]],
                        securityGroups: [net.securityGroups[0]],
                    };
                }
                p.writeSpec(spec);
                const upd = (inPlace: boolean) => (inPlace ? "update" : "replace");
                const expected: Record<string, string> = {
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
                const pre = await p.preview();
                assertOk(pre, "preview");
                assertOps(pre, expected, "same", spec.resources.length);
                const up = await p.up(["--skip-preview"]);
                assertOk(up, "up");
                assertOps(up, expected, "same");
                const st = await stateOf(p);
                for (const [name, op] of Object.entries(expected)) {
                    if (op === "update") assert.equal(st.get(name)?.id, ids.get(name), `${name} kept its ID`);
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
                    const def = (await c.cluster(st.get("k8s")!)).nodeGroups.find(n => n.iid.nameId === "default");
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
                ids = idsOf(st);
            });

            step(
                k8s
                    ? "3. replace fields preview as replacements (delete first where the cloud name is fixed); a node-group vmSpec change inside Cluster is an update"
                    : "3. replace fields preview as replacements (delete first where the cloud name is fixed)",
                async () => {
                    const c = cloud(env);
                    const oldState = await stateOf(p);
                    if (env.altVpc) {
                        args("lbProto").vpc = env.altVpc.vpc; // vpc (auto-named: create the new one first)
                        args("lbProto").vmGroup.vms = env.altVpc.vms;
                    }
                    args("lbGroup").type = "INTERNAL"; // type
                    args("lbVms").nlbName = `${fixedNlb}-b`; // explicit nlbName: the old one must go first
                    const zoneBack = env.caps.nlb.inPlace.subnets;
                    if (zoneBack) args("web").subnets = webSubnetsAtStart; // the removed zone added back: in place
                    if (k8s) {
                        args("k8sFixed").clusterName = `${fixedCluster}-b`; // explicit clusterName: the old one must go first
                        args("gpu").vmSpec = env.vmSpecAlt; // a standalone NodeGroup's vmSpec
                        args("k8s").nodeGroups[0].vmSpec = env.vmSpecAlt; // ... but inside Cluster only that node group is recreated
                    }
                    p.writeSpec(spec);
                    // Where a VM serves one NLB at a time, an NLB with VMs must go before its replacement comes.
                    const nlbReplace = env.caps.nlb.exclusiveVmMembership ? "replace-dbr" : "replace";
                    const expected: Record<string, string> = {
                        lbGroup: nlbReplace,
                        lbVms: "replace-dbr",
                        ...(k8s ? { k8sFixed: "replace-dbr", gpu: "replace", k8s: "update" } : {}),
                        ...(env.altVpc ? { lbProto: nlbReplace } : {}),
                        ...(zoneBack ? { web: "update" } : {}),
                    };
                    const pre = await p.preview();
                    assertOk(pre, "preview");
                    // Everything changed in step 2 and not touched now must be "same": no perpetual diff after updates.
                    assertOps(pre, expected, "same", spec.resources.length);
                    const live = (r: StateResource): Promise<{ iid: Iid; createdTime?: string }> =>
                        r.type.endsWith(":Nlb")
                            ? c.nlb(r)
                            : r.type.endsWith(":Cluster")
                              ? c.cluster(r)
                              : c.nodeGroup(r);
                    const createdBefore = new Map<string, string | undefined>();
                    for (const name of Object.keys(expected))
                        createdBefore.set(name, (await live(oldState.get(name)!)).createdTime);
                    const up = await p.up(["--skip-preview"]);
                    assertOk(up, "up");
                    assertOps(up, expected, "same");
                    const st = await stateOf(p);
                    for (const name of Object.keys(expected)) {
                        if (expected[name].startsWith("replace")) {
                            const old = oldState.get(name)!;
                            const sameName = Object.keys(old.outputs ?? {}).some(
                                k =>
                                    /^(nlbName|clusterName|nodeGroupName)$/.test(k) &&
                                    old.outputs![k] === st.get(name)?.outputs?.[k],
                            );
                            if (sameName && st.get(name)?.id === old.id) {
                                // The cloud derives the ID from the name (EKS: the ARN), so a delete-first replacement that
                                // keeps the name keeps the ID: it must be a new object all the same.
                                const before = createdBefore.get(name);
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
                                assert.notEqual(st.get(name)?.id, ids.get(name), `${name} got a new ID`);
                                assert.ok(
                                    await c.gone(() => live(old)),
                                    `the replaced ${name} (${old.id}) is gone from the cloud`,
                                );
                            }
                        }
                    }
                    if (k8s) assert.equal(st.get("k8s")?.id, ids.get("k8s"), "k8s kept its ID");
                    if (zoneBack) {
                        assert.equal(st.get("web")?.id, ids.get("web"), "web kept its ID over the zone's return");
                        assert.deepEqual([...(await c.nlb(st.get("web")!)).subnets].sort(), webSubnetsAtStart);
                    }
                    assert.equal((await c.nlb(st.get("lbGroup")!)).type, "INTERNAL");
                    assert.equal((await c.nlb(st.get("lbVms")!)).iid.nameId, `${fixedNlb}-b`);
                    if (env.altVpc) assert.equal((await c.nlb(st.get("lbProto")!)).vpc, env.altVpc.vpc);
                    if (k8s) {
                        assert.equal((await c.cluster(st.get("k8sFixed")!)).iid.nameId, `${fixedCluster}-b`);
                        assert.equal((await c.nodeGroup(st.get("gpu")!)).vmSpec, env.vmSpecAlt);
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
                        plus(baseline, { nlbs: 5, ...(k8s ? { clusters: 2, nodeGroups: 4 } : {}) }),
                        "after the replacements (nothing orphaned)",
                    );
                    ids = idsOf(st);
                },
            );

            step(
                "4. drift: `refresh` records out-of-band changes and deletions; the next `up` restores them; an autoscaler's size is kept",
                async () => {
                    const c = cloud(env);
                    let st = await stateOf(p);
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
                    const refresh = await p.refresh();
                    assertOk(refresh, "refresh");
                    st = await stateOf(p);
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
                    const expected = { web: "update", lbHealth: "create", ...(k8s ? { batch: "update" } : {}) };
                    const pre = await p.preview();
                    assertOk(pre, "preview");
                    assertOps(pre, expected, "same", spec.resources.length);
                    const up = await p.up(["--skip-preview"]);
                    assertOk(up, "up");
                    assertOps(up, expected, "same");
                    st = await stateOf(p);
                    assert.equal(st.get("web")!.id, ids.get("web"));
                    assert.equal(
                        (await c.nlb(st.get("web")!)).listener.port,
                        8000,
                        "declared listener port restored in place",
                    );
                    if (k8s) {
                        assert.equal(st.get("batch")!.id, ids.get("batch"));
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
                    assert.notEqual(lbHealth.iid.systemId, ids.get("lbHealth"), "lbHealth was recreated");
                    assert.equal(lbHealth.healthChecker.path, "/healthz");
                    ids = idsOf(st);
                },
            );

            step(
                "5. a cloud error names the resource and the operation in `up`; where the env can slow its cloud down (local), long waits print progress lines",
                async function () {
                    assert.ok(env.injectFault, "every env must be able to inject a cloud fault");
                    if (env.slowDown) {
                        const restore = await env.slowDown();
                        try {
                            args("web").listener.port = 8002;
                            p.writeSpec(spec);
                            const up = await p.up(["--skip-preview"]);
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
                    }
                    if (env.injectFault) {
                        const before = await env.inventory();
                        await env.injectFault("createNlb");
                        spec.resources.push({
                            kind: "Nlb",
                            name: "lbFail",
                            args: {
                                vpc: env.vpc,
                                listener: { protocol: "TCP", port: 85 },
                                vmGroup: { port: 8085, vms: [vm("lbFail", 0)] },
                            },
                        });
                        p.writeSpec(spec);
                        const bad = await p.up(["--skip-preview"]);
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
                            (await stateOf(p)).has("lbFail"),
                            false,
                            "the failed create left nothing in state",
                        );
                        assertInventory(
                            await env.inventory(),
                            before,
                            "after the failed create (nothing half-created)",
                        );
                        const retry = await p.up(["--skip-preview"]);
                        assertOk(retry, "up after the fault");
                        assertOps(retry, { lbFail: "create" }, "same");
                    }
                    ids = idsOf(await stateOf(p));
                },
            );

            step(
                "6. `stack export`: small __provider, no credential in plain text, kubeconfig secret; `stack import` round-trips with no changes",
                async () => {
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
                    for (const s of secrets) {
                        assert.ok(
                            !text.includes(s),
                            `a credential value (${s.slice(0, 12)}…) appears in plain text in the stack export`,
                        );
                        for (const f of files)
                            assert.ok(
                                !fs.readFileSync(f, "utf8").includes(s),
                                `a credential value (${s.slice(0, 12)}…) appears in plain text in ${f}`,
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
                    assertNoChanges(await p.preview(), "preview after `stack import`", spec.resources.length);
                },
            );

            step("7. `destroy` deletes everything: the cloud inventory is back where it started", async () => {
                const d = await p.destroy();
                assertOk(d, "destroy");
                const all = Object.fromEntries(spec.resources.map(r => [r.name, "delete"]));
                assertOps(d, all, "none");
                assert.equal((await stateOf(p)).size, 0);
                assertInventory(await env.inventory(), baseline, "after destroy (nothing orphaned)");
            });
        });

        describe("invalid input fails at preview, naming the property; nothing is created", () => {
            const step = stepper();
            let p: PulumiProject;
            let before: E2EInventory;
            const valid = (): SpecResource => ({
                kind: "Nlb",
                name: "ok",
                args: {
                    vpc: env.vpc,
                    listener: { protocol: "TCP", port: 80 },
                    vmGroup: { port: 8080, vms: [vm("ok", 0)] },
                },
            });
            type Case = { title: string; resource: () => SpecResource; property: RegExp };
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

            for (const c of cases) {
                step(`${c.title}: preview fails naming the property`, async () => {
                    if (!p) {
                        p = await project("invalid");
                        before = await env.inventory();
                    }
                    p.writeSpec({ connection: env.connection, resources: [valid(), c.resource()] });
                    const pre = await p.preview();
                    assert.equal(pre.ok, false, "preview must fail");
                    const errors = pre.diagnostics.filter(d => d.severity === "error" && d.urn?.endsWith("::bad"));
                    assert.ok(
                        errors.some(e => c.property.test(e.message)),
                        `an error on "bad" matching ${c.property}; got:\n${shown(pre)}`,
                    );
                    assertInventory(await env.inventory(), before, "after the failed preview");
                });
            }

            step("`up` of an invalid program fails before creating anything, even the valid resources", async () => {
                p.writeSpec({ connection: env.connection, resources: [valid(), cases[0].resource()] });
                const up = await p.up();
                assert.equal(up.ok, false, "up must fail");
                assert.match(up.text, /listener\.port/);
                assert.equal((await stateOf(p)).size, 0, "nothing in state");
                assertInventory(await env.inventory(), before, "after the failed up");
            });
        });

        describe("existing cloud objects: `get` reads them, `adopt` brings them under management without recreating them", () => {
            const step = stepper();
            let p: PulumiProject;
            let before: E2EInventory;
            let withObjects: E2EInventory;
            let nlb: NlbInfo;
            let cluster: ClusterInfo;
            let solo: NodeGroupInfo;
            const nlbName = `e2e-adopt-${rand()}`;
            const clusterName = `e2e-adopt-${rand()}`;
            const soloName = `solo-${rand()}`;
            let spec: Spec;

            step("objects created directly through the driver (outside Pulumi)", async () => {
                p = await project("adopt");
                before = await env.inventory();
                const [v0, v1, v2] = [0, 1, 2].map(i => vm("adopt", i));
                nlb = await env.driver.nlb.createNlb({
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
                await env.driver.nlb.addVms(nlb.iid, [v2]);
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
                    cluster = await env.driver.cluster.createCluster({
                        iid: { nameId: clusterName, systemId: "" },
                        version: env.versions[0],
                        network: { vpc: env.vpc, subnets: env.subnets.slice(0, 2), securityGroups: [] },
                        nodeGroups: [ng("pool", 1, 1, 3)],
                        tags: {},
                    });
                    solo = await env.driver.cluster.addNodeGroup(cluster.iid, ng(soloName, 1, 0, 2));
                }
                withObjects = await env.inventory();
                assertInventory(
                    withObjects,
                    plus(before, { nlbs: 1, ...(k8s ? { clusters: 1, nodeGroups: 2 } : {}) }),
                    "after creating through the driver",
                );
            });

            step(
                k8s
                    ? "8. `Nlb.get`, `NlbVmGroup.get`, `Cluster.get`, `NodeGroup.get` return live outputs"
                    : "8. `Nlb.get`, `NlbVmGroup.get` return live outputs",
                async () => {
                    spec = {
                        connection: env.connection,
                        resources: [
                            { kind: "Nlb", name: "readLb", get: nlb.iid.systemId, args: {} },
                            {
                                kind: "NlbVmGroup",
                                name: "readVmg",
                                get: "vmg-e2e-read",
                                args: { nlb: nlb.iid.systemId, vms: [vm("adopt", 2)] },
                            },
                            ...(!k8s
                                ? []
                                : ([
                                      { kind: "Cluster", name: "readK8s", get: cluster.iid.systemId, args: {} },
                                      {
                                          kind: "NodeGroup",
                                          name: "readNg",
                                          get: solo.iid.systemId,
                                          args: { cluster: cluster.iid.systemId },
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
                    p.writeSpec(spec);
                    const up = await p.up(["--skip-preview"]);
                    assertOk(up, "up");
                    assertOps(
                        up,
                        { readLb: "read", readVmg: "read", ...(k8s ? { readK8s: "read", readNg: "read" } : {}) },
                        "none",
                    );
                    const { deployment } = await p.exportStack();
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
                    const st = await stateOf(p);
                    for (const r of st.values()) assert.equal(r.external, true, `${r.urn} is read, not managed`);
                    assertInventory(await env.inventory(), withObjects, "after the reads");
                },
            );

            step(
                "9. `adopt` manages them without recreating: same IDs, no new objects, a next preview shows no changes",
                async () => {
                    const [v0, v1, v2] = [0, 1, 2].map(i => vm("adopt", i));
                    spec = {
                        connection: env.connection,
                        resources: [
                            {
                                kind: "Nlb",
                                name: "lb",
                                args: {
                                    adopt: nlb.iid.systemId,
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
                                              adopt: cluster.iid.systemId,
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
                                              adopt: solo.iid.systemId,
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
                    p.writeSpec(spec);
                    const up = await p.up(["--skip-preview"]);
                    assertOk(up, "up");
                    assertOps(
                        up,
                        { lb: "create", vmg: "create", ...(k8s ? { k8s: "create", ng: "create" } : {}) },
                        "discard",
                    );
                    const st = await stateOf(p);
                    assert.equal(st.get("lb")?.id, nlb.iid.systemId, "lb is the existing NLB");
                    if (k8s) {
                        assert.equal(st.get("k8s")?.id, cluster.iid.systemId, "k8s is the existing cluster");
                        assert.equal(st.get("ng")?.id, solo.iid.systemId, "ng is the existing node group");
                    }
                    const c = cloud(env);
                    const live = await c.nlb(st.get("lb")!);
                    assert.equal(live.createdTime, nlb.createdTime, "the NLB was not recreated");
                    assert.ok(sameVmSet(live.vmGroup.vms, [v0, v1, v2]), `VMs after adoption: ${live.vmGroup.vms}`);
                    if (k8s)
                        assert.equal(
                            (await c.cluster(st.get("k8s")!)).createdTime,
                            cluster.createdTime,
                            "the cluster was not recreated",
                        );
                    assertInventory(await env.inventory(), withObjects, "after adoption (no new objects)");
                    assertNoChanges(await p.preview(), "preview after adoption", spec.resources.length);
                },
            );

            step("9. a later change to an adopted resource is applied in place", async () => {
                const a = (name: string) => spec.resources.find(r => r.name === name)!.args as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
                a("lb").listener.port = 91;
                if (k8s) {
                    a("k8s").nodeGroups[0].desiredNodeSize = 2;
                    a("ng").desiredNodeSize = 2;
                }
                p.writeSpec(spec);
                const expected = { lb: "update", ...(k8s ? { k8s: "update", ng: "update" } : {}) };
                const pre = await p.preview();
                assertOk(pre, "preview");
                assertOps(pre, expected, "same", spec.resources.length);
                const up = await p.up(["--skip-preview"]);
                assertOk(up, "up");
                assertOps(up, expected, "same");
                const st = await stateOf(p);
                const c = cloud(env);
                assert.equal(st.get("lb")?.id, nlb.iid.systemId);
                assert.equal((await c.nlb(st.get("lb")!)).listener.port, 91);
                if (k8s) {
                    assert.equal(
                        (await c.cluster(st.get("k8s")!)).nodeGroups.find(n => n.iid.nameId === "pool")
                            ?.desiredNodeSize,
                        2,
                    );
                    assert.equal((await c.nodeGroup(st.get("ng")!)).desiredNodeSize, 2);
                }
            });

            step("9. `destroy` deletes the adopted objects", async () => {
                const d = await p.destroy();
                assertOk(d, "destroy");
                assertOps(d, { lb: "delete", vmg: "delete", ...(k8s ? { k8s: "delete", ng: "delete" } : {}) }, "none");
                assertInventory(await env.inventory(), before, "after destroy (adopted objects deleted)");
            });
        });

        if (k8s)
            describe("multi-step upgrade", () => {
                const step = stepper();
                step(
                    "11. 1.28 → 1.31 with two node groups and a standalone NodeGroup: node groups catch up before each control-plane step, concurrently",
                    async () => {
                        const versions = ["1.28", "1.29", "1.30", "1.31"];
                        assert.ok(
                            versions.every(v => env.caps.cluster.versions.includes(v)),
                            `the driver offers ${versions.join(", ")}`,
                        );
                        const p = await project("upgrade");
                        const before = await env.inventory();
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
                                    version: "1.28",
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
                        const spec: Spec = { connection: env.connection, resources };
                        p.writeSpec(spec);
                        assertOk(await p.up(["--skip-preview"]), "up");
                        const id = (await stateOf(p)).get("k8s")!.id;
                        (resources[0].args as Record<string, unknown>).version = "1.31";
                        p.writeSpec(spec);
                        const pre = await p.preview();
                        assertOk(pre, "preview");
                        assertOps(pre, { k8s: "update" }, "same", resources.length);
                        const up = await p.up(["--skip-preview"]);
                        assertOk(up, "up");
                        const st = await stateOf(p);
                        assert.equal(st.get("k8s")!.id, id, "the cluster kept its ID");
                        const live = await cloud(env).cluster(st.get("k8s")!);
                        assert.deepEqual(
                            [live.version, ...live.nodeGroups.map(g => g.version)],
                            ["1.31", "1.31", "1.31", "1.31"],
                            "control plane and all three node groups",
                        );
                        if (env.updates) {
                            const updates = (await env.updates()).filter(
                                u => u.type === "VersionUpdate" && u.cluster === live.iid.nameId,
                            );
                            for (const [i, v] of versions.slice(1).entries()) {
                                const cp = updates.filter(u => u.nodegroup === null && u.version === v);
                                assert.equal(cp.length, 1, `one control-plane step to ${v}`);
                                const behind = updates.filter(u => u.nodegroup !== null && u.version === versions[i]);
                                if (i > 0) {
                                    assert.equal(behind.length, 3, `three node groups brought to ${versions[i]}`);
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
                        }
                        assertOk(await p.refresh(), "refresh");
                        assertNoChanges(await p.preview(), "preview after the upgrade and a refresh", resources.length);
                        assertOk(await p.destroy(), "destroy");
                        assertInventory(await env.inventory(), before, "after destroy");
                    },
                );
            });

        describe("concurrency", () => {
            const step = stepper();
            step(
                k8s
                    ? "10. 50 Nlb and 10 NodeGroup on one Cluster with --parallel 16 converge; a second preview shows no changes; destroy leaves nothing"
                    : "10. many Nlb (env.scale) with --parallel converge; a second preview shows no changes; destroy leaves nothing",
                async () => {
                    const scale = env.scale ?? { nlbs: 50, nodeGroups: 10, parallel: 16 };
                    if (!k8s)
                        assert.equal(
                            scale.nodeGroups,
                            0,
                            "env.scale.nodeGroups must be 0 on a driver without clusters",
                        );
                    const p = await project("scale");
                    const before = await env.inventory();
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
                    p.writeSpec({ connection: env.connection, resources });
                    const par = ["--parallel", String(scale.parallel)];
                    const up = await p.up(["--skip-preview", ...par]);
                    assertOk(up, "up");
                    assertOps(up, Object.fromEntries(resources.map(r => [r.name, "create"])), "none");
                    console.log(
                        `      concurrency (${label}): up of ${resources.length} resources with --parallel ${scale.parallel} took ${(up.durationMs / 1000).toFixed(1)}s`,
                    );
                    assertInventory(
                        await env.inventory(),
                        plus(before, {
                            nlbs: scale.nlbs,
                            ...(k8s ? { clusters: 1, nodeGroups: scale.nodeGroups + 1 } : {}),
                        }),
                        "after the parallel up",
                    );
                    const st = await stateOf(p);
                    assert.equal(st.size, resources.length);
                    if (k8s) {
                        const live = await cloud(env).cluster(st.get("k8s")!);
                        assert.equal(
                            live.nodeGroups.length,
                            scale.nodeGroups + 1,
                            "every node group exists on the cluster",
                        );
                    }
                    assertNoChanges(await p.preview(par), "preview after the parallel up", resources.length);
                    const d = await p.destroy(par);
                    assertOk(d, "destroy");
                    console.log(
                        `      concurrency (${label}): destroy with --parallel ${scale.parallel} took ${(d.durationMs / 1000).toFixed(1)}s`,
                    );
                    assertInventory(await env.inventory(), before, "after the parallel destroy");
                },
            );
        });
    });
}

export type { E2EEnv, E2EInventory, ObjectRef, OutOfBand } from "./env";
