/**
 * One example program (examples/<name>) copied into a throw-away Pulumi project with a stack of
 * its own: a fresh file backend and PULUMI_HOME per stack, everything under <repo>/.e2e so that
 * `pulumi-spider` and `@pulumi/pulumi` resolve from the repository's node_modules, exactly as they
 * do for a user running the example in place. Commands run non-interactively; `preview`, `up` and
 * `destroy` use `--json` and come back parsed by test/support/pulumi.ts.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
    checkInstalledPackage,
    findPulumi,
    nameOf,
    parseJsonOutput,
    PulumiCli,
    PulumiResult,
    RunResult,
    tail,
} from "../support/pulumi";

export const REPO = path.resolve(__dirname, "../..");

/** Files of an example that make up the program (stack files and local state are not copied). */
function programFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter(e => e.isFile() && !/^Pulumi\..+\.yaml$/.test(e.name))
        .map(e => e.name);
}

export class ExampleStack {
    readonly root: string;
    readonly dir: string;
    readonly backendDir: string;
    readonly stack = "test";
    readonly env: NodeJS.ProcessEnv;
    /** Every command run, with its duration, for the timing summary. */
    readonly log: Array<{ args: string; ms: number; code: number | null }> = [];
    private cleaned = false;

    private constructor(
        readonly example: string,
        readonly cli: PulumiCli,
        env: Record<string, string>,
    ) {
        this.root = path.join(REPO, ".e2e", `example-${example}-${crypto.randomBytes(4).toString("hex")}`);
        this.dir = path.join(this.root, "project");
        this.backendDir = path.join(this.root, "backend");
        const home = path.join(this.root, "pulumi-home");
        for (const d of [this.dir, this.backendDir, home]) fs.mkdirSync(d, { recursive: true });
        const src = path.join(REPO, "examples", example);
        for (const f of programFiles(src)) fs.copyFileSync(path.join(src, f), path.join(this.dir, f));
        this.env = {
            ...process.env,
            PATH: [cli.binDir, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_HOME: home,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            ...env,
        };
        delete this.env.PULUMI_ACCESS_TOKEN;
        delete this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    }

    /** Copies examples/<example> and runs `pulumi stack init`. */
    static async create(example: string, env: Record<string, string>): Promise<ExampleStack> {
        checkInstalledPackage();
        const s = new ExampleStack(example, findPulumi(), env);
        try {
            await s.must(["stack", "init"]); // run() adds `--stack <name>`
        } catch (err) {
            fs.rmSync(s.root, { recursive: true, force: true });
            throw err;
        }
        return s;
    }

    /** Runs `pulumi <args> --stack <stack> --non-interactive`; never throws on a non-zero exit. */
    run(args: string[], timeoutMs = 10 * 60_000): Promise<RunResult> {
        const full = [...args, "--stack", this.stack, "--non-interactive"];
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = spawn(path.join(this.cli.binDir, "pulumi"), full, {
                cwd: this.dir,
                env: this.env,
                stdio: ["ignore", "pipe", "pipe"],
            });
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            child.stdout.on("data", (b: Buffer) => out.push(b));
            child.stderr.on("data", (b: Buffer) => err.push(b));
            const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
            child.on("error", e => {
                clearTimeout(timer);
                reject(e);
            });
            child.on("close", code => {
                clearTimeout(timer);
                const durationMs = Date.now() - started;
                this.log.push({ args: args.join(" "), ms: durationMs, code });
                resolve({
                    args: full,
                    code,
                    stdout: Buffer.concat(out).toString("utf8"),
                    stderr: Buffer.concat(err).toString("utf8"),
                    durationMs,
                });
            });
        });
    }

    /** Like run, but throws with the command's output when it fails. */
    async must(args: string[]): Promise<RunResult> {
        const r = await this.run(args);
        if (r.code !== 0)
            throw new Error(
                `\`pulumi ${args.join(" ")}\` failed (exit ${r.code}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`,
            );
        return r;
    }

    /** Sets plain (non-secret) stack config; `spider:` keys go to the provider. */
    async config(values: Record<string, string | number | string[]>): Promise<void> {
        for (const [key, v] of Object.entries(values)) {
            const value = Array.isArray(v) ? JSON.stringify(v) : String(v);
            await this.must(["config", "set", key, value]);
        }
    }

    async preview(): Promise<PulumiResult> {
        return this.checked(parseJsonOutput(await this.run(["preview", "--json"])));
    }

    /** `pulumi up --json --yes --skip-preview` (each test asserts its own preview first). */
    async up(): Promise<PulumiResult> {
        return this.checked(parseJsonOutput(await this.run(["up", "--json", "--yes", "--skip-preview"])));
    }

    async destroy(): Promise<PulumiResult> {
        return this.checked(parseJsonOutput(await this.run(["destroy", "--json", "--yes", "--skip-preview"])));
    }

    /** `pulumi stack output --json` (secrets shown as "[secret]"). */
    async outputs(): Promise<Record<string, any>> {
        return JSON.parse((await this.must(["stack", "output", "--json"])).stdout) as Record<string, any>;
    }

    /** Spider resources in the stack's state, by Pulumi name, with their ids. */
    async resources(): Promise<Map<string, { type: string; id?: string }>> {
        const d = JSON.parse((await this.must(["stack", "export"])).stdout) as {
            deployment: { resources?: Array<{ urn: string; type: string; id?: string }> };
        };
        const m = new Map<string, { type: string; id?: string }>();
        for (const r of d.deployment.resources ?? []) {
            if (r.type.startsWith("pulumi-nodejs:dynamic/spider:")) m.set(nameOf(r.urn), { type: r.type, id: r.id });
        }
        return m;
    }

    /** Best-effort teardown: destroy what is left, remove the stack, delete the folders. */
    async cleanup(): Promise<void> {
        if (this.cleaned) return;
        this.cleaned = true;
        try {
            const left = await this.resources().then(
                m => m.size,
                () => 0,
            );
            if (left > 0) {
                const d = await this.destroy().catch(e => ({ ok: false, text: String(e) }));
                if (!d.ok)
                    process.stderr.write(`example cleanup: destroy in ${this.root} failed:\n${tail(d.text, 20)}\n`);
            }
            await this.run(["stack", "rm", "--yes", "--force"]);
        } finally {
            if (process.env.E2E_KEEP !== "1") fs.rmSync(this.root, { recursive: true, force: true });
        }
    }

    /** "up 12.3s, preview 3.1s …" */
    timings(): string {
        return this.log
            .filter(c => !c.args.startsWith("config") && !c.args.startsWith("stack"))
            .map(c => `${c.args.split(" ")[0]} ${(c.ms / 1000).toFixed(1)}s`)
            .join(", ");
    }

    /** A command that failed outright is reported with its output, not as an assertion on empty steps. */
    private checked(r: PulumiResult): PulumiResult {
        if (!r.ok)
            throw new Error(
                `\`pulumi ${r.args.join(" ")}\` failed (exit ${r.code}):\n${tail(r.text + "\n" + r.stdout, 60)}`,
            );
        return r;
    }
}

/** The ops each spider resource got, by Pulumi name. */
export function ops(r: PulumiResult): Record<string, string[]> {
    const m: Record<string, string[]> = {};
    for (const s of r.steps) {
        if (!s.type.includes("spider:")) continue;
        (m[s.name] ??= []).push(s.op);
    }
    return m;
}
