/**
 * A small runner for the real Pulumi CLI, used by the fault tests and the benchmarks.
 *
 * Each workspace is a copy of one program from test/faults/programs (or bench/programs) in
 * /work/main/.e2e/<label>-<random>/ — inside the repository, so `pulumi-spider` and
 * `@pulumi/pulumi` resolve from its node_modules — with its own file backend in `state/`.
 * Every command runs asynchronously (so in-process emulators and proxies keep serving), has a
 * timeout, and on timeout its whole process tree is killed.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "../..");
export const E2E_DIR = path.join(ROOT, ".e2e");

let binDir: string | undefined;

/** The directory holding `pulumi` (v3.276), its Node.js language host and the dynamic-provider script. */
export function pulumiBinDir(): string {
    if (!binDir) {
        const out = execFileSync("bash", [path.join(ROOT, "scripts/ensure-pulumi.sh")], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 40 * 60_000,
        });
        binDir = out.trim().split("\n").pop() ?? "";
        if (!fs.existsSync(path.join(binDir, "pulumi")))
            throw new Error(`ensure-pulumi.sh printed ${binDir}, which holds no pulumi`);
    }
    return binDir;
}

export interface RunResult {
    args: string[];
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** stdout then stderr, for assertions and messages. */
    output: string;
    ms: number;
}

export interface RunOptions {
    /** Kill the command's process tree after this long. Default 240 s. */
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    /** Reject when the exit code is not 0. Default true. */
    check?: boolean;
}

export interface Running {
    child: ChildProcess;
    pid: number;
    done: Promise<RunResult>;
}

/** Process ids of every live descendant of `pid` (from /proc), children before grandchildren. */
export function descendants(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        } catch {
            continue;
        }
        // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ppid = Number(fields[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(entry));
        children.set(ppid, list);
    }
    const out: number[] = [];
    const queue = [pid];
    while (queue.length > 0) {
        const p = queue.shift() as number;
        for (const c of children.get(p) ?? []) {
            out.push(c);
            queue.push(c);
        }
    }
    return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(pid, sig);
    } catch {
        // Already gone.
    }
}

/**
 * Kills `pid` and every descendant with SIGKILL, as a crash or an OOM kill of the whole job
 * would. Pulumi starts its language host and provider plugins in process groups of their own, so
 * killing only the CLI's process group would leave them running (and finishing cloud calls).
 * The tree is frozen with SIGSTOP first, so nothing can spawn or be re-parented while it is collected.
 * Returns the pids killed.
 */
export function killTree(pid: number): number[] {
    const seen = new Set<number>([pid]);
    signal(pid, "SIGSTOP");
    for (let round = 0; round < 20; round++) {
        let grew = false;
        for (const p of [...seen]) {
            for (const d of descendants(p)) {
                if (!seen.has(d)) {
                    seen.add(d);
                    signal(d, "SIGSTOP");
                    grew = true;
                }
            }
        }
        if (!grew) break;
    }
    for (const p of seen) signal(p, "SIGKILL");
    return [...seen];
}

export class PulumiWorkspace {
    readonly dir: string;
    readonly stateDir: string;
    private readonly baseEnv: NodeJS.ProcessEnv;

    private constructor(dir: string, env: NodeJS.ProcessEnv) {
        this.dir = dir;
        this.stateDir = path.join(dir, "state");
        this.baseEnv = env;
    }

    /** Copies the program in `programDir` (its files, not sub-folders) into a fresh workspace. */
    static create(programDir: string, label: string, env: NodeJS.ProcessEnv = {}): PulumiWorkspace {
        const dir = path.join(E2E_DIR, `${label}-${crypto.randomBytes(3).toString("hex")}`);
        fs.mkdirSync(path.join(dir, "state"), { recursive: true });
        for (const f of fs.readdirSync(programDir)) {
            const src = path.join(programDir, f);
            if (fs.statSync(src).isFile()) fs.copyFileSync(src, path.join(dir, f));
        }
        const bin = pulumiBinDir();
        const clean: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) {
            // Never let a developer's real cloud or Pulumi settings leak into a test run.
            if (/^(PULUMI_|AWS_|GOOGLE_|CLOUDSDK_|TS_NODE_)/.test(k)) continue;
            clean[k] = v;
        }
        return new PulumiWorkspace(dir, {
            ...clean,
            PATH: `${bin}:${process.env.PATH ?? ""}`,
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            ...env,
        });
    }

    env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        return { ...this.baseEnv, ...extra };
    }

    writeJson(file: string, value: unknown): void {
        fs.writeFileSync(path.join(this.dir, file), JSON.stringify(value, null, 2));
    }

    /** Starts `pulumi <args>` in its own process group; `done` never rejects. */
    start(args: string[], opts: RunOptions = {}): Running {
        const t0 = Date.now();
        const child = spawn("pulumi", args, {
            cwd: this.dir,
            env: this.env(opts.env),
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        if (child.pid === undefined) throw new Error(`could not spawn pulumi ${args.join(" ")}`);
        const pid = child.pid;
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", d => {
            stdout += String(d);
        });
        child.stderr?.on("data", d => {
            stderr += String(d);
        });
        const timeoutMs = opts.timeoutMs ?? 240_000;
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            killTree(pid);
        }, timeoutMs);
        const done = new Promise<RunResult>(resolve => {
            child.once("close", (code, sig) => {
                clearTimeout(timer);
                if (timedOut) stderr += `\n[cli.ts] killed after the ${timeoutMs} ms timeout\n`;
                resolve({
                    args,
                    code,
                    signal: sig,
                    stdout,
                    stderr,
                    output: `${stdout}\n${stderr}`,
                    ms: Date.now() - t0,
                });
            });
        });
        return { child, pid, done };
    }

    async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
        const res = await this.start(args, opts).done;
        if ((opts.check ?? true) && res.code !== 0) {
            throw new Error(
                `pulumi ${args.join(" ")} exited with ${res.code ?? res.signal} after ${res.ms} ms:\n${tail(res.output, 60)}`,
            );
        }
        return res;
    }

    async initStack(stack: string): Promise<void> {
        await this.run(["stack", "init", stack, "--non-interactive"], { timeoutMs: 60_000 });
    }

    up(stack: string, extra: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
        return this.run(["up", "--stack", stack, "--yes", "--non-interactive", "--skip-preview", ...extra], opts);
    }

    destroy(stack: string, extra: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
        return this.run(["destroy", "--stack", stack, "--yes", "--non-interactive", "--skip-preview", ...extra], opts);
    }

    preview(stack: string, extra: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
        return this.run(["preview", "--stack", stack, "--non-interactive", ...extra], opts);
    }

    /** `pulumi stack export` parsed. */
    async exportStack(stack: string): Promise<StackExport> {
        const res = await this.run(["stack", "export", "--stack", stack, "--show-secrets"], { timeoutMs: 60_000 });
        return JSON.parse(res.stdout) as StackExport;
    }

    remove(): void {
        if (process.env.SPIDER_KEEP_E2E) return;
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export interface StateResource {
    urn: string;
    custom?: boolean;
    id?: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    [key: string]: unknown;
}

export interface StackExport {
    version: number;
    deployment: {
        resources?: StateResource[];
        pending_operations?: Array<{ resource: StateResource; type: string }>;
        [key: string]: unknown;
    };
}

export function tail(text: string, lines: number): string {
    return text.split("\n").slice(-lines).join("\n");
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(
    items: readonly T[],
    limit: number,
    fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i], i);
        }
    });
    await Promise.all(workers);
    return out;
}
