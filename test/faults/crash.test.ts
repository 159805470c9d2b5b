/**
 * `pulumi up` killed with SIGKILL in the middle of an Nlb and a Cluster create, then recovered
 * with the three commands of the README: `pulumi cancel`, `pulumi-spider recover`, `pulumi up`.
 *
 * The cloud is made slow (the local cloud's transitions, moto's CREATING / provisioning states
 * last many describes) and the whole `pulumi` process tree is killed as soon as the cloud shows
 * both objects being created — after the first cloud objects exist, while the provider waits.
 * Afterwards: exactly one NLB and one cluster with its node group, named as the interrupted create
 * named them; the stack previews no changes; destroy leaves nothing. A second scenario checks
 * that `recover` never adopts a same-named object another stack owns, and that an explicit-name
 * create colliding with its own earlier object says to run `pulumi-spider recover`.
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DescribeListenersCommand, DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListClustersCommand } from "@aws-sdk/client-eks";
import * as local from "../../provider/drivers/local";
import { LocalCloud, StoreState } from "../../provider/drivers/local/store";
import { waitUntil } from "../../provider/interface/wait";
import { startHarness as startAwsHarness, AwsHarness } from "../drivers/aws/harness";
import { FAKE_AWS_ENV, REGION } from "../support/moto/fixtures";
import { killTree, pulumiBinDir, PulumiWorkspace, ROOT, RunResult, StackExport, tail } from "./cli";

export const PROGRAM = path.join(__dirname, "programs", "local-crash");
const RECOVER_BIN = path.join(ROOT, "node_modules", "pulumi-spider", "dist", "provider", "cli", "main.js");
const SPIDER_TYPE = "pulumi-nodejs:dynamic/spider:";
/** Engine-visible marker of a secret value in `pulumi stack export` without --show-secrets. */
const SECRET_SIG = "4dabf18193072939515e22adc82d4e3e";

export const LOCAL_ENV = { SPIDER_POLL_MIN_MS: "10", SPIDER_POLL_MAX_MS: "100" };

/** What the scenario needs from the cloud under test. */
interface CrashCloud {
    label: string;
    env: NodeJS.ProcessEnv;
    spec: Record<string, unknown>;
    /** Cloud names of the NLB and cluster once both are being created (undefined before). */
    creating(): Promise<{ nlb: string; cluster: string } | undefined>;
    /** Lets what the killed run started finish quickly from now on. */
    speedUp(): Promise<void>;
    /** [name, id] of every NLB and cluster, and the cluster's node groups. */
    objects(): Promise<{ nlbs: string[][]; clusters: string[][]; nodeGroups: string[] }>;
    isEmpty(): Promise<boolean>;
}

/** Runs `pulumi-spider recover ARGS` as installed, in the workspace, with its environment. */
function recoverCmd(ws: PulumiWorkspace, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const t0 = Date.now();
    const child = spawn(process.execPath, [RECOVER_BIN, "recover", ...args], {
        cwd: ws.dir,
        env: ws.env(env),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", d => {
        stdout += String(d);
    });
    child.stderr.on("data", d => {
        stderr += String(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    return new Promise(resolve =>
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ args, code, signal, stdout, stderr, output: `${stdout}\n${stderr}`, ms: Date.now() - t0 });
        }),
    );
}

function alive(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return false;
    }
}

/** A `pulumi` first on PATH that fails `stack import` and runs the real CLI for everything else. */
function failingImportBin(ws: PulumiWorkspace): string {
    const bin = path.join(ws.dir, "failing-import-bin");
    fs.mkdirSync(bin, { recursive: true });
    const real = path.join(pulumiBinDir(), "pulumi");
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        `#!/bin/sh\nif [ "$1" = stack ] && [ "$2" = import ]; then echo "error: injected import failure" >&2; exit 1; fi\nexec "${real}" "$@"\n`,
    );
    fs.chmodSync(path.join(bin, "pulumi"), 0o755);
    return bin;
}

/** A stand-in for a surviving Pulumi process: `sleep` under the name `pulumi`, in the program's directory. */
function fakePulumiProcess(ws: PulumiWorkspace): ChildProcess {
    const bin = path.join(ws.dir, "fake-bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.copyFileSync("/bin/sleep", path.join(bin, "pulumi"));
    fs.chmodSync(path.join(bin, "pulumi"), 0o755);
    return spawn(path.join(bin, "pulumi"), ["600"], { cwd: ws.dir, stdio: "ignore" });
}

function spiderResources(state: StackExport): Array<{ urn: string; id?: string; outputs?: Record<string, unknown> }> {
    return (state.deployment.resources ?? []).filter(r => r.type.startsWith(SPIDER_TYPE));
}

async function killMidCreate(
    ws: PulumiWorkspace,
    stack: string,
    cloud: CrashCloud,
): Promise<{ nlb: string; cluster: string }> {
    const running = ws.start(["up", "--stack", stack, "--yes", "--non-interactive", "--skip-preview"], {
        timeoutMs: 300_000,
    });
    let exitedEarly = false;
    void running.done.then(() => {
        exitedEarly = true;
    });
    const names = await waitUntil(
        async () => {
            if (exitedEarly)
                throw new Error(`pulumi up ended before the kill:\n${tail((await running.done).output, 40)}`);
            const seen = await cloud.creating();
            return seen
                ? { done: true, value: seen }
                : { done: false, state: "waiting for the NLB and cluster creates" };
        },
        { timeoutMs: 180_000, minDelayMs: 10, maxDelayMs: 50, what: "an Nlb and a Cluster being created" },
    );
    const killed = killTree(running.pid);
    const res = await running.done;
    assert.strictEqual(res.signal, "SIGKILL");
    assert.ok(
        killed.length >= 3,
        `expected pulumi, its language host and the provider host, killed ${killed.length} processes`,
    );
    await waitUntil(
        async () => (killed.some(alive) ? { done: false, state: "alive" } : { done: true, value: undefined }),
        { timeoutMs: 10_000, minDelayMs: 10, maxDelayMs: 100, what: "the killed processes to be gone" },
    );
    return names;
}

/** The recovery script exactly as docs/RECOVERY.md shows it (the manual path). */
function recoveryScriptFromDocs(): string {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "RECOVERY.md"), "utf8");
    const m =
        /<!-- recover-pending-creates\.js:start -->\s*```js\n([\s\S]*?)```\s*<!-- recover-pending-creates\.js:end -->/.exec(
            doc,
        );
    if (!m) throw new Error("docs/RECOVERY.md has no recover-pending-creates.js block");
    return m[1];
}

/** The manual path of docs/RECOVERY.md on the same interrupted state: it lists and records what recover adopts. */
function checkManualScript(
    ws: PulumiWorkspace,
    interrupted: StackExport,
    objects: { nlbs: string[][]; clusters: string[][] },
): void {
    const script = path.join(ws.dir, "recover-pending-creates.js");
    fs.writeFileSync(script, recoveryScriptFromDocs());
    const exported = path.join(ws.dir, "interrupted.json");
    fs.writeFileSync(exported, JSON.stringify(interrupted));
    const run = (args: string[]) =>
        execFileSync(process.execPath, [script, exported, ...args], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    const listed = run(["--list"])
        .trim()
        .split("\n")
        .map(l => l.split("\t"));
    const urnOf = (kind: string) => listed.find(l => l[2] === kind)?.[1] as string;
    assert.deepStrictEqual(listed.map(l => [l[2], l[3]]).sort(), [
        ["Cluster", objects.clusters[0][0]],
        ["Nlb", objects.nlbs[0][0]],
    ]);
    const out = JSON.parse(
        run([`${urnOf("Nlb")}=${objects.nlbs[0][1]}`, `${urnOf("Cluster")}=${objects.clusters[0][1]}`]),
    ) as StackExport;
    assert.deepStrictEqual(out.deployment.pending_operations, []);
    assert.deepStrictEqual(
        spiderResources(out)
            .map(r => r.id)
            .sort(),
        [objects.nlbs[0][1], objects.clusters[0][1]].sort(),
    );
}

/** Kill mid-create, then exactly the README's three commands (with the refusals checked on the way). */
async function crashAndRecover(ws: PulumiWorkspace, stack: string, cloud: CrashCloud): Promise<void> {
    const names = await killMidCreate(ws, stack, cloud);

    const fake = fakePulumiProcess(ws);
    try {
        const refused = await recoverCmd(ws, []);
        assert.strictEqual(
            refused.code,
            1,
            `recover must refuse while a Pulumi process lives in the program's directory:\n${refused.output}`,
        );
        assert.match(refused.output, new RegExp(`still alive[\\s\\S]*${fake.pid}`));
    } finally {
        fake.kill("SIGKILL");
    }
    const locked = await recoverCmd(ws, []);
    assert.strictEqual(locked.code, 1, `recover must refuse while the stack is locked:\n${locked.output}`);
    assert.match(locked.output, /locked[\s\S]*pulumi cancel/);

    await ws.run(["cancel", "--stack", stack, "--yes", "--non-interactive"]);
    const dry = await recoverCmd(ws, ["--dry-run"]);
    assert.strictEqual(dry.code, 0, dry.output);
    assert.match(dry.output, new RegExp(`spider:Nlb::web\\s+${names.nlb}\\s+\\S+ \\(adopted\\)`));
    assert.match(dry.output, new RegExp(`spider:Cluster::k8s\\s+${names.cluster}\\s+\\S+ \\(adopted\\)`));
    const untouched = await ws.exportStack(stack);
    assert.strictEqual(
        (untouched.deployment.pending_operations ?? []).length,
        2,
        "--dry-run must leave the pending creates alone",
    );
    assert.deepStrictEqual(spiderResources(untouched), []);
    checkManualScript(ws, untouched, await cloud.objects());

    await cloud.speedUp();
    const recovered = await recoverCmd(ws, []);
    assert.strictEqual(recovered.code, 0, recovered.output);
    const before = await cloud.objects();
    const state = await ws.exportStack(stack);
    assert.deepStrictEqual(state.deployment.pending_operations ?? [], []);
    assert.deepStrictEqual(
        spiderResources(state)
            .map(r => r.id)
            .sort(),
        [before.nlbs[0][1], before.clusters[0][1]].sort(),
    );
    const plain = await ws.run(["stack", "export", "--stack", stack], { timeoutMs: 60_000 });
    const cluster = spiderResources(JSON.parse(plain.stdout) as StackExport).find(r => r.urn.endsWith("::k8s"));
    assert.ok(
        cluster?.outputs?.kubeconfig && (cluster.outputs.kubeconfig as Record<string, unknown>)[SECRET_SIG],
        "the recovered kubeconfig must be stored as a secret",
    );

    const up = await ws.up(stack, [], { timeoutMs: 300_000 });
    const noChanges = await ws.preview(stack, ["--expect-no-changes"], { check: false });
    assert.strictEqual(
        noChanges.code,
        0,
        `after recovery the stack must preview no changes:\n${tail(noChanges.output, 40)}\n--- up:\n${tail(up.output, 30)}`,
    );
    const after = await cloud.objects();
    assert.deepStrictEqual(after.nlbs, before.nlbs, "exactly the NLB the interrupted run created");
    assert.deepStrictEqual(
        after.nlbs.map(n => n[0]),
        [names.nlb],
    );
    assert.deepStrictEqual(after.clusters, before.clusters, "exactly the cluster the interrupted run created");
    assert.deepStrictEqual(after.nodeGroups, ["default"]);

    await ws.destroy(stack, [], { timeoutMs: 300_000 });
    assert.ok(await cloud.isEmpty(), `destroy must leave the cloud empty: ${JSON.stringify(await cloud.objects())}`);
}

export function readCloud(dir: string): StoreState | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as StoreState;
    } catch {
        return undefined; // not written yet (writes are atomic renames, so never half-written)
    }
}

function localCloud(cloudDir: string): CrashCloud {
    const objects = async () => {
        const s = readCloud(cloudDir);
        return {
            nlbs: (s?.nlbs ?? []).map(n => [n.name, n.id]),
            clusters: (s?.clusters ?? []).map(c => [c.name, c.id]),
            nodeGroups: (s?.clusters ?? []).flatMap(c => c.nodeGroups.map(g => g.name)),
        };
    };
    return {
        label: "local",
        env: LOCAL_ENV,
        spec: { localStateDir: cloudDir },
        creating: async () => {
            const s = readCloud(cloudDir);
            const nlb = s?.nlbs.find(n => n.status === "Creating" && n.listener.cspId !== "");
            const cluster = s?.clusters.find(c => c.status === "Creating");
            return nlb && cluster ? { nlb: nlb.name, cluster: cluster.name } : undefined;
        },
        speedUp: () => new LocalCloud(cloudDir).setPolls(1),
        objects,
        isEmpty: async () =>
            JSON.stringify(await new LocalCloud(cloudDir).inventory()) ===
            JSON.stringify({ nlbs: 0, clusters: 0, nodeGroups: 0, other: 0 }),
    };
}

function awsCloud(h: AwsHarness): CrashCloud {
    const { elb, eks } = h.clients;
    const objects = async () => {
        const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
        const clusters = (await eks.send(new ListClustersCommand({}))).clusters ?? [];
        const infos = await Promise.all(
            clusters.map(name => h.driver.cluster.getCluster({ nameId: name, systemId: "" })),
        );
        return {
            nlbs: lbs.map(lb => [lb.LoadBalancerName ?? "", lb.LoadBalancerArn ?? ""]),
            clusters: infos.map(c => [c.iid.nameId, c.iid.systemId]),
            nodeGroups: infos.flatMap(c => c.nodeGroups.map(g => g.iid.nameId)),
        };
    };
    return {
        label: "aws",
        env: { ...FAKE_AWS_ENV, SPIDER_POLL_MIN_MS: "20", SPIDER_POLL_MAX_MS: "200" },
        spec: {
            aws: {
                endpoint: h.moto.endpoint,
                region: REGION,
                vpc: h.vpc,
                subnets: h.subnets.slice(0, 2),
                vms: h.vms.slice(0, 2),
            },
        },
        creating: async () => {
            // Only calls that leave moto's transitional countdowns alone (DescribeCluster would advance them).
            const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
            const clusters = (await eks.send(new ListClustersCommand({}))).clusters ?? [];
            const lb = lbs[0];
            if (!lb || clusters.length === 0) return undefined;
            const listeners =
                (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
            return listeners.length > 0 ? { nlb: lb.LoadBalancerName ?? "", cluster: clusters[0] } : undefined;
        },
        speedUp: () => h.moto.setPolls(1, undefined, true),
        objects,
        isEmpty: async () => JSON.stringify(await h.inventory()) === JSON.stringify({ nlbs: 0, clusters: 0, other: 0 }),
    };
}

describe("faults: pulumi up killed with SIGKILL mid-create, recovered by `pulumi-spider recover`", function () {
    this.timeout(900_000);

    describe("local driver", () => {
        let ws: PulumiWorkspace;
        let cloud: CrashCloud;
        let passed = false;
        before(async () => {
            ws = PulumiWorkspace.create(PROGRAM, "faults-crash", LOCAL_ENV);
            const cloudDir = path.join(ws.dir, "cloud");
            cloud = localCloud(cloudDir);
            ws.writeJson("spec.json", cloud.spec);
            // Every transition lasts 12 describes: the kill lands while the provider waits.
            await new LocalCloud(cloudDir).setPolls(12);
            await ws.initStack("crash");
        });
        after(() => {
            if (ws && passed) ws.remove();
        });

        it("cancel, recover, up: converges with nothing orphaned or duplicated, and destroys to zero", async () => {
            await crashAndRecover(ws, "crash", cloud);
            passed = true;
        });
    });

    describe("AWS driver (moto)", () => {
        let aws: AwsHarness;
        let ws: PulumiWorkspace;
        let cloud: CrashCloud;
        let passed = false;
        before(async () => {
            // Objects stay CREATING / provisioning until speedUp: the kill always lands mid-create.
            aws = await startAwsHarness({ polls: 100_000, vmCount: 2 });
            cloud = awsCloud(aws);
            ws = PulumiWorkspace.create(PROGRAM, "faults-crash-aws", cloud.env);
            ws.writeJson("spec.json", cloud.spec);
            await ws.initStack("crash");
        });
        after(async () => {
            await aws?.stop();
            if (ws && passed) ws.remove();
        });

        it("cancel, recover, up: converges with nothing orphaned or duplicated, and destroys to zero", async () => {
            await crashAndRecover(ws, "crash", cloud);
            passed = true;
        });
    });
});

/** Kills `up` of `stack` while its NLB is being created on the (slow) local cloud, then cancels the lock. */
export async function killNlbCreate(
    ws: PulumiWorkspace,
    stack: string,
    cloudDir: string,
    nlbName?: string,
): Promise<void> {
    await new LocalCloud(cloudDir).setPolls(12);
    const cloud: CrashCloud = {
        ...localCloud(cloudDir),
        creating: async () => {
            const nlb = readCloud(cloudDir)?.nlbs.find(
                n =>
                    (nlbName === undefined || n.name === nlbName) && n.status === "Creating" && n.listener.cspId !== "",
            );
            return nlb ? { nlb: nlb.name, cluster: "" } : undefined;
        },
    };
    await killMidCreate(ws, stack, cloud);
    await ws.run(["cancel", "--stack", stack, "--yes", "--non-interactive"]);
    await new LocalCloud(cloudDir).setPolls(1);
}

describe("faults: `pulumi-spider recover` adopts only what this very resource created", function () {
    this.timeout(600_000);
    let ws: PulumiWorkspace;
    let cloudDir: string;
    let passed = false;
    before(async () => {
        ws = PulumiWorkspace.create(PROGRAM, "faults-recover-owner", LOCAL_ENV);
        cloudDir = path.join(ws.dir, "cloud");
        ws.writeJson("spec.json", {
            localStateDir: cloudDir,
            nlbOnly: true,
            nlbNames: { mine: "shared-web", theirs: "shared-web", again: "again-web" },
        });
        for (const stack of ["mine", "theirs", "again", "dup"]) await ws.initStack(stack);
    });
    after(() => {
        if (ws && passed) ws.remove();
    });

    it("leaves another stack's same-named object alone", async () => {
        // "mine" is killed mid-create; its object is then deleted out of band and "theirs" takes the name.
        await killNlbCreate(ws, "mine", cloudDir, "shared-web");
        const driver = local.open(
            { driver: "local", localStateDir: cloudDir },
            { poll: { minDelayMs: 1, maxDelayMs: 5 } },
        );
        const mineObject = await waitUntil(
            async () => {
                const nlb = await driver.nlb.getNlb({ nameId: "shared-web", systemId: "" });
                return nlb.keyValues.status === "Active"
                    ? { done: true, value: nlb }
                    : { done: false, state: nlb.keyValues.status };
            },
            { timeoutMs: 30_000, minDelayMs: 1, maxDelayMs: 5, what: "the interrupted NLB to be Active" },
        );
        assert.match(mineObject.owner ?? "", /^urn:pulumi:mine::/);
        await driver.nlb.deleteNlb(mineObject.iid);
        await ws.up("theirs");
        const theirsId = (readCloud(cloudDir) as StoreState).nlbs.find(n => n.name === "shared-web")?.id;

        const mine = await recoverCmd(ws, ["--stack", "mine"]);
        assert.strictEqual(mine.code, 0, mine.output);
        assert.match(mine.output, /spider:Nlb::web\s+shared-web\s+not adopted: \S+ owned by urn:pulumi:theirs::/);
        const mineState = await ws.exportStack("mine");
        assert.deepStrictEqual(spiderResources(mineState), [], "another stack's object must not be adopted");
        assert.deepStrictEqual(mineState.deployment.pending_operations ?? [], []);
        assert.deepStrictEqual(
            (readCloud(cloudDir) as StoreState).nlbs.map(n => [n.name, n.id]),
            [["shared-web", theirsId]],
            "the other stack's object is untouched",
        );
        const collide = await ws.up("mine", [], { check: false });
        assert.notStrictEqual(collide.code, 0);
        assert.match(collide.output, /already exists/);
        assert.doesNotMatch(collide.output, /pulumi-spider recover/, "someone else's object is no case for recover");
        await ws.destroy("theirs");
        await ws.destroy("mine");
        assert.deepStrictEqual(await new LocalCloud(cloudDir).inventory(), {
            nlbs: 0,
            clusters: 0,
            nodeGroups: 0,
            other: 0,
        });
    });

    it("an explicit-name create that collides with its own earlier object says to run recover, which adopts it", async () => {
        await killNlbCreate(ws, "again", cloudDir, "again-web");
        const own = await ws.up("again", [], { check: false });
        assert.notStrictEqual(own.code, 0, "an explicit-name create must not take over an existing object by itself");
        assert.match(own.output, /created by this very resource[\s\S]*pulumi-spider recover/);
        // Measured on CLI v3.276: the failed `up` keeps the interrupted run's pending create.
        const pending = (await ws.exportStack("again")).deployment.pending_operations ?? [];
        assert.deepStrictEqual(
            pending.map(p => [p.type, p.resource.urn.split("::").pop()]),
            [["creating", "web"]],
        );

        // A `pulumi stack import` that fails leaves the stack as it was, and the backup holds its export.
        const failing = await recoverCmd(ws, ["--stack", "again"], {
            PATH: `${failingImportBin(ws)}:${ws.env().PATH ?? ""}`,
        });
        assert.strictEqual(failing.code, 1, failing.output);
        const backup = /kept in (\S+\.backup\.json)/.exec(failing.output)?.[1];
        assert.ok(backup && fs.existsSync(backup), `recover names its backup:\n${failing.output}`);
        const kept = JSON.parse(fs.readFileSync(backup, "utf8")) as StackExport;
        assert.deepStrictEqual(
            kept.deployment.pending_operations?.map(p => p.resource.urn),
            pending.map(p => p.resource.urn),
        );
        assert.deepStrictEqual(
            (await ws.exportStack("again")).deployment.pending_operations?.map(p => p.type),
            ["creating"],
            "the failed import changed nothing",
        );
        assert.deepStrictEqual(
            fs.readdirSync(path.dirname(backup)).filter(f => f.endsWith(".import.json")),
            [],
            "the import file (plaintext secrets) is removed even when the import fails",
        );

        const adopted = await recoverCmd(ws, ["--stack", "again"]);
        assert.strictEqual(adopted.code, 0, adopted.output);
        const id = (readCloud(cloudDir) as StoreState).nlbs.find(n => n.name === "again-web")?.id as string;
        assert.match(adopted.output, new RegExp(`spider:Nlb::web\\s+again-web\\s+${id} \\(adopted\\)`));
        await ws.up("again");
        const noChanges = await ws.preview("again", ["--expect-no-changes"], { check: false });
        assert.strictEqual(noChanges.code, 0, tail(noChanges.output, 40));
        await ws.destroy("again");
        assert.deepStrictEqual(await new LocalCloud(cloudDir).inventory(), {
            nlbs: 0,
            clusters: 0,
            nodeGroups: 0,
            other: 0,
        });
    });

    it("after the trap of a plain `up` (a second, auto-named NLB), reports the first as an orphan instead of adopting it", async () => {
        await killNlbCreate(ws, "dup", cloudDir);
        const first = (readCloud(cloudDir) as StoreState).nlbs[0];
        const up = await ws.up("dup");
        assert.match(up.output, /pending operations from previous deployment/);
        const second = (readCloud(cloudDir) as StoreState).nlbs.find(n => n.id !== first.id);
        assert.ok(second, "measured on v3.276: the plain up creates the NLB again under a new name");
        const res = await recoverCmd(ws, ["--stack", "dup"]);
        assert.strictEqual(res.code, 0, res.output);
        assert.match(
            res.output,
            new RegExp(
                `${first.name}\\s+not adopted: ${first.id} is an orphan of this resource \\(the stack already manages ${second.id}\\)`,
            ),
        );
        const state = await ws.exportStack("dup");
        assert.deepStrictEqual(state.deployment.pending_operations ?? [], []);
        assert.deepStrictEqual(
            spiderResources(state).map(r => r.id),
            [second.id],
        );
        await ws.destroy("dup");
        const driver = local.open(
            { driver: "local", localStateDir: cloudDir },
            { poll: { minDelayMs: 1, maxDelayMs: 5 } },
        );
        await waitUntil(
            async () => {
                const nlb = await driver.nlb.getNlb({ nameId: "", systemId: first.id });
                return nlb.keyValues.status === "Active"
                    ? { done: true, value: undefined }
                    : { done: false, state: nlb.keyValues.status };
            },
            { timeoutMs: 30_000, minDelayMs: 1, maxDelayMs: 5, what: "the orphan to be Active" },
        );
        await driver.nlb.deleteNlb({ nameId: "", systemId: first.id });
        assert.deepStrictEqual(await new LocalCloud(cloudDir).inventory(), {
            nlbs: 0,
            clusters: 0,
            nodeGroups: 0,
            other: 0,
        });
        passed = true;
    });
});
