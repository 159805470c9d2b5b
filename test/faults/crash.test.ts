/**
 * `pulumi up` killed with SIGKILL in the middle of an Nlb and a Cluster create, then recovered
 * with the procedure of docs/RECOVERY.md (its recovery script is taken from the document, so the
 * two cannot drift apart).
 *
 * The local cloud is made slow (LocalCloud.setPolls: every transition lasts POLLS describes) and
 * the whole `pulumi` process tree is killed as soon as the cloud state shows both objects
 * Creating — after the first cloud object of each exists, while the provider waits for them.
 * Afterwards: exactly one NLB, one cluster and its one node group in the cloud, named as the
 * interrupted create named them; the stack previews no changes; destroy leaves nothing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as local from "../../provider/drivers/local";
import { LocalCloud, StoreState } from "../../provider/drivers/local/store";
import { waitUntil } from "../../provider/driver/wait";
import { killTree, PulumiWorkspace, ROOT, StackExport, tail } from "./cli";

const POLLS = 12;
const STACK = "crash";

/** The recovery script exactly as docs/RECOVERY.md shows it. */
export function recoveryScriptFromDocs(): string {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "RECOVERY.md"), "utf8");
    const m = /<!-- recover-pending-creates\.js:start -->\s*```js\n([\s\S]*?)```\s*<!-- recover-pending-creates\.js:end -->/.exec(doc);
    if (!m) throw new Error("docs/RECOVERY.md has no recover-pending-creates.js block");
    return m[1];
}

function readCloud(dir: string): StoreState | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as StoreState;
    } catch {
        return undefined; // not written yet (writes are atomic renames, so never half-written)
    }
}

function alive(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return false;
    }
}

describe("faults: pulumi up killed with SIGKILL mid-create, recovered by docs/RECOVERY.md", function () {
    this.timeout(600_000);
    let ws: PulumiWorkspace;
    let cloudDir: string;
    let passed = false;

    before(async () => {
        ws = PulumiWorkspace.create(path.join(__dirname, "programs", "local-crash"), "faults-crash");
        cloudDir = path.join(ws.dir, "cloud");
        ws.writeJson("spec.json", { localStateDir: cloudDir });
        fs.writeFileSync(path.join(ws.dir, "recover-pending-creates.js"), recoveryScriptFromDocs());
        await new LocalCloud(cloudDir).setPolls(POLLS);
        await ws.initStack(STACK);
    });

    after(() => {
        if (ws && passed) ws.remove();
    });

    it("converges with nothing orphaned or duplicated, and destroys to zero", async () => {
        // --- the crash
        const running = ws.start(["up", "--stack", STACK, "--yes", "--non-interactive", "--skip-preview"]);
        let exitedEarly = false;
        void running.done.then(() => { exitedEarly = true; });
        await waitUntil(async () => {
            if (exitedEarly) throw new Error(`pulumi up ended before the kill:\n${tail((await running.done).output, 40)}`);
            const s = readCloud(cloudDir);
            const ready = s !== undefined && s.nlbs.some(n => n.status === "Creating" && n.listener.cspId !== "")
                && s.clusters.some(c => c.status === "Creating");
            return ready ? { done: true, value: undefined } : { done: false, state: "waiting for Creating objects" };
        }, { timeoutMs: 120_000, minDelayMs: 10, maxDelayMs: 25, what: "an Nlb and a Cluster to be Creating" });
        const killed = killTree(running.pid);
        const res = await running.done;
        assert.strictEqual(res.signal, "SIGKILL");
        assert.ok(killed.length >= 3, `expected pulumi, its language host and the provider host, killed ${killed.length} processes`);
        await waitUntil(async () => (killed.some(alive) ? { done: false, state: "alive" } : { done: true, value: undefined }),
            { timeoutMs: 10_000, minDelayMs: 10, maxDelayMs: 100, what: "the killed processes to be gone" });

        const atCrash = readCloud(cloudDir) as StoreState;
        assert.strictEqual(atCrash.nlbs.length, 1);
        assert.strictEqual(atCrash.clusters.length, 1);
        const nlbRec = atCrash.nlbs[0];
        const clusterRec = atCrash.clusters[0];
        // From now on new transitions settle fast (the interrupted ones keep their remaining polls).
        await new LocalCloud(cloudDir).setPolls(1);

        // --- recovery, step by step as docs/RECOVERY.md says
        const locked = await ws.run(["refresh", "--stack", STACK, "--yes", "--non-interactive"], { check: false });
        assert.notStrictEqual(locked.code, 0, "a refresh right after the crash must hit the stale lock");
        assert.match(locked.output, /locked/);
        await ws.run(["cancel", "--stack", STACK, "--yes", "--non-interactive"]);

        const exported = path.join(ws.dir, "interrupted.json");
        await ws.run(["stack", "export", "--stack", STACK, "--file", exported]);
        const before = JSON.parse(fs.readFileSync(exported, "utf8")) as StackExport;
        const pending = before.deployment.pending_operations ?? [];
        assert.deepStrictEqual(pending.map(p => p.type), ["creating", "creating"], "both creates must be pending");
        const script = path.join(ws.dir, "recover-pending-creates.js");
        const list = await runNode([script, exported, "--list"], ws.dir);
        const lines = list.trim().split("\n").map(l => l.split("\t"));
        const names = new Map(lines.map(([, urn, , name]) => [urn, name]));
        const nlbUrn = lines.find(l => l[2] === "Nlb")?.[1] as string;
        const clusterUrn = lines.find(l => l[2] === "Cluster")?.[1] as string;
        assert.strictEqual(names.get(nlbUrn), nlbRec.name, "the pending create holds the cloud name it used");
        assert.strictEqual(names.get(clusterUrn), clusterRec.name);

        // Look the names up in the cloud (here: the local cloud's state file).
        const cloudNow = readCloud(cloudDir) as StoreState;
        const nlbId = cloudNow.nlbs.find(n => n.name === names.get(nlbUrn))?.id as string;
        const clusterId = cloudNow.clusters.find(c => c.name === names.get(clusterUrn))?.id as string;
        assert.ok(nlbId && clusterId);
        const recovered = await runNode([script, exported, `${nlbUrn}=${nlbId}`, `${clusterUrn}=${clusterId}`], ws.dir);
        fs.writeFileSync(path.join(ws.dir, "recovered.json"), recovered);
        await ws.run(["stack", "import", "--stack", STACK, "--file", "recovered.json"]);

        // Wait until the cloud finished what the killed run started (as time passing would on a real cloud).
        const driver = local.open({ driver: "local", localStateDir: cloudDir }, { poll: { minDelayMs: 1, maxDelayMs: 5 } });
        await waitUntil(async () => {
            const c = await driver.cluster.getCluster({ nameId: "", systemId: clusterId });
            await driver.nlb.getNlb({ nameId: "", systemId: nlbId });
            return c.status === "Active" ? { done: true, value: undefined } : { done: false, state: c.status };
        }, { timeoutMs: 60_000, minDelayMs: 1, maxDelayMs: 5, what: "the interrupted cluster to be Active" });

        await ws.run(["refresh", "--stack", STACK, "--yes", "--non-interactive"]);
        const up = await ws.up(STACK);
        const noChanges = await ws.preview(STACK, ["--expect-no-changes"], { check: false });
        assert.strictEqual(noChanges.code, 0, `after recovery the stack must preview no changes:\n${tail(noChanges.output, 40)}\n--- up:\n${tail(up.output, 30)}`);

        // Exactly one of each, the ones the interrupted run created.
        const after = readCloud(cloudDir) as StoreState;
        assert.deepStrictEqual(after.nlbs.map(n => [n.id, n.name]), [[nlbId, nlbRec.name]]);
        assert.deepStrictEqual(after.clusters.map(c => [c.id, c.name]), [[clusterId, clusterRec.name]]);
        assert.deepStrictEqual(after.clusters[0].nodeGroups.map(g => [g.name, g.status, g.nodes.length]), [["default", "Active", 2]]);
        const state = await ws.exportStack(STACK);
        assert.deepStrictEqual(state.deployment.pending_operations ?? [], []);
        const ids = (state.deployment.resources ?? []).filter(r => r.type.startsWith("pulumi-nodejs:dynamic/spider:")).map(r => r.id).sort();
        assert.deepStrictEqual(ids, [clusterId, nlbId].sort());

        await ws.destroy(STACK);
        assert.deepStrictEqual(await new LocalCloud(cloudDir).inventory(), { nlbs: 0, clusters: 0, nodeGroups: 0, other: 0 });
        passed = true;
    });
});

async function runNode(args: string[], cwd: string): Promise<string> {
    const { spawn } = await import("child_process");
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", d => { out += String(d); });
        child.stderr.on("data", d => { err += String(d); });
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        child.on("close", code => {
            clearTimeout(timer);
            if (code === 0) resolve(out);
            else reject(new Error(`node ${args.join(" ")} exited ${code}: ${err}`));
        });
    });
}
