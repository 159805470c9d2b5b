/**
 * What the end-to-end stacks share (test/e2e/*.stack.ts): the program spec, assertions on pulumi
 * output and on the cloud (through the driver), projects with fake credentials, VM allocation, and
 * the step runner.
 *
 * Every assertion is on machine-readable output — step operations of `pulumi preview|up --json`,
 * `pulumi stack export`, engine diagnostics — and on the cloud itself through the driver.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ClusterInfo, Iid, NlbInfo, NodeGroupInfo } from "../../provider/interface/driver";
import { isNotFound } from "../../provider/interface/errors";
import { opsByName, PulumiProject, PulumiResult, spiderResources, StateResource, tail } from "../support/pulumi";
import type { E2EEnv, E2EInventory, ObjectRef, OutOfBand } from "./env";

export type Kind = "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup";

export interface SpecResource {
    kind: Kind;
    name: string;
    args: Record<string, unknown>;
    opts?: Record<string, unknown>;
    get?: unknown;
}

export interface Spec {
    connection: Record<string, unknown>;
    resources: SpecResource[];
    exports?: Record<string, unknown>;
}

export const ref = (r: string) => ({ $ref: r });
export const rand = () => crypto.randomBytes(2).toString("hex");

// ---------------------------------------------------------------------------------------------
// Assertions on pulumi output

/** What users would see of a failed command: its diagnostics (no debug noise) and stderr, trimmed. */
export function shown(r: PulumiResult): string {
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

export function assertOk(r: PulumiResult, what: string): void {
    if (!r.ok) assert.fail(`${what} failed (exit ${r.code}):\n${shown(r)}`);
}

/**
 * What happened to one resource, from its step ops in engine order: "create", "update", "same",
 * "delete", "read", "replace" (create first) or "replace-dbr" (delete first).
 */
export function classify(ops: string[] | undefined): string {
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
export function assertOps(r: PulumiResult, expected: Record<string, string>, others?: string, declared?: number): void {
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
export function assertNoChanges(r: PulumiResult, what: string, declared: number): void {
    assertOk(r, what);
    const changed = r.steps.filter(s => s.op !== "same");
    assert.deepEqual(
        changed.map(s => `${s.name}: ${s.op}`),
        [],
        `${what}: expected no changes`,
    );
    assert.deepEqual(r.changeSummary, { same: declared + 1 }, `${what}: change summary (the stack counts as one)`);
}

export function hasVm(list: string[], vm: string): boolean {
    return list.some(l => l === vm || l.endsWith(`/${vm}`));
}

export function sameVmSet(live: string[], declared: string[]): boolean {
    return live.length === declared.length && declared.every(v => hasVm(live, v));
}

// ---------------------------------------------------------------------------------------------
// The cloud, through the driver

export function cloud(env: E2EEnv) {
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

export function refOf(r: StateResource, nameKey: string): ObjectRef {
    return { id: r.id ?? "", name: String(r.outputs?.[nameKey] ?? "") };
}

export function assertInventory(actual: E2EInventory, expected: E2EInventory, what: string): void {
    const pick = (i: E2EInventory) => ({
        nlbs: i.nlbs,
        clusters: i.clusters,
        ...(expected.nodeGroups !== undefined && actual.nodeGroups !== undefined ? { nodeGroups: i.nodeGroups } : {}),
    });
    assert.deepEqual(pick(actual), pick(expected), `cloud inventory ${what}`);
}

export function plus(base: E2EInventory, d: Partial<E2EInventory>): E2EInventory {
    return {
        nlbs: base.nlbs + (d.nlbs ?? 0),
        clusters: base.clusters + (d.clusters ?? 0),
        ...(base.nodeGroups !== undefined ? { nodeGroups: base.nodeGroups + (d.nodeGroups ?? 0) } : {}),
    };
}

export async function stateOf(p: PulumiProject): Promise<Map<string, StateResource>> {
    return spiderResources((await p.exportStack()).deployment);
}

export function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter(e => e.isFile())
        .map(e => path.join(e.parentPath ?? e.path, e.name));
}

export function must<T>(v: T | undefined, what: string): T {
    assert.ok(v !== undefined, `${what} is missing`);
    return v as T;
}

/** Sequential steps sharing one stack: after a failure the rest fail at once, naming it (never skipped). */
export function stepper() {
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

export function credentialEnv(env: E2EEnv): Record<string, string> {
    // Recognisable fake credentials in every pulumi process; emulator envs may override them.
    return {
        AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
        AWS_SECRET_ACCESS_KEY: `${FAKE}-aws-env`,
        AWS_SESSION_TOKEN: `${FAKE}-aws-session`,
        ...env.processEnv,
    };
}

export function configSecrets(env: E2EEnv): Record<string, string> {
    return env.configSecrets ?? { "spider:awsSecretAccessKey": `${FAKE}-stack-config` };
}

export async function newProject(env: E2EEnv, name: string): Promise<PulumiProject> {
    const p = await PulumiProject.create({ name, env: credentialEnv(env) });
    for (const [k, v] of Object.entries(configSecrets(env))) await p.setConfig(k, v, true);
    return p;
}

/**
 * VMs for the NLBs of the scenarios. `vm(owner, i)` is `env.vms[i]` (VMs shared between NLBs),
 * except on drivers where a VM can serve only one NLB at a time (`exclusiveVmMembership`): there
 * every (owner, i) gets a VM of its own from `env.vms`, the same one each time it is asked for.
 */
export function vmAllocator(getEnv: () => E2EEnv) {
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
// What a stack file gets from describeE2E

/** The suite a stack is registered in: `env` exists once the suite's `before` has run. */
export interface E2E {
    label: string;
    /** The driver manages clusters: Cluster and NodeGroup resources are part of the scenarios. */
    k8s: boolean;
    readonly env: E2EEnv;
    /** A new project (stack) with the fake credentials, cleaned up after the suite. */
    project(name: string): Promise<PulumiProject>;
    /** The VM for (owner, i): see vmAllocator. */
    vm(owner: string, i: number): string;
}

// ---------------------------------------------------------------------------------------------
// Steps as data, and the runner

/** The program of a stack: its project and the spec its resources are declared in. */
export interface Program {
    p: PulumiProject;
    spec: Spec;
}

/** Expected step operations by resource name: "create", "update", "same", "replace", "replace-dbr", "delete", "read", … */
export type Ops = Record<string, string>;

/** The results of the commands a phase ran. */
export interface Results {
    preview?: PulumiResult;
    up?: PulumiResult;
    refresh?: PulumiResult;
    destroy?: PulumiResult;
    /** The phase's expected ops, as computed for its command. */
    ops?: Ops;
}

/**
 * One phase of a step, in this order: `change` (to the program's inputs in `s.spec` or to the cloud;
 * the spec is written after it), `command`, whose result must succeed and show `ops` (for the named
 * resources, and `others` for every other one), then `checks` (on state and the cloud).
 *
 * Commands: "preview"; "up" (`up --skip-preview`); "preview+up" (a preview, then `up --skip-preview`,
 * both showing `ops`); "refresh"; "destroy". `args` are extra arguments to each of them.
 * `others` defaults to "same" ("none" for destroy); a preview also checks its change summary
 * against the number of resources in `s.spec`.
 */
export interface Phase<S extends Program> {
    change?: (s: S) => void | Promise<void>;
    command?: "preview" | "up" | "preview+up" | "refresh" | "destroy";
    args?: (s: S) => string[];
    ops?: (s: S) => Ops;
    others?: string;
    checks?: Array<(s: S, r: Results) => void | Promise<void>>;
}

/** One mocha test: a phase, then optionally further phases on the same stack. */
export interface Step<S extends Program> extends Phase<S> {
    title: string;
    then?: Phase<S>[];
}

async function runPhase<S extends Program>(s: S, ph: Phase<S>): Promise<void> {
    if (ph.change) {
        await ph.change(s);
        if (s.spec) s.p.writeSpec(s.spec);
    }
    const args = ph.args?.(s) ?? [];
    const ops = ph.ops?.(s);
    const r: Results = { ops };
    const cmd = ph.command;
    if (cmd === "preview" || cmd === "preview+up") {
        const pre = (r.preview = await s.p.preview(args));
        assertOk(pre, "preview");
        if (ops) assertOps(pre, ops, ph.others ?? "same", s.spec.resources.length);
    }
    if (cmd === "up" || cmd === "preview+up") {
        const up = (r.up = await s.p.up(["--skip-preview", ...args]));
        assertOk(up, "up");
        if (ops) assertOps(up, ops, ph.others ?? "same");
    }
    if (cmd === "refresh") assertOk((r.refresh = await s.p.refresh(args)), "refresh");
    if (cmd === "destroy") {
        const d = (r.destroy = await s.p.destroy(args));
        assertOk(d, "destroy");
        if (ops) assertOps(d, ops, ph.others ?? "none");
    }
    for (const check of ph.checks ?? []) await check(s, r);
}

/** Registers the steps of one stack as mocha tests that run in order on the shared state `s`. */
export function runSteps<S extends Program>(s: S, steps: Step<S>[]): void {
    const step = stepper();
    for (const st of steps) {
        step(st.title, async () => {
            for (const ph of [st, ...(st.then ?? [])]) await runPhase(s, ph);
        });
    }
}
