/**
 * A small harness around the real Pulumi CLI for the end-to-end tests.
 *
 * - `findPulumi()` locates the CLI and the Node.js language host (PATH, else
 *   scripts/ensure-pulumi.sh, which uses its cache or builds) and throws a loud, explanatory error
 *   when there is none: the end-to-end suite never silently skips.
 * - `PulumiProject.create()` makes a throw-away project under <repo>/.e2e/<random> (inside the
 *   repository, so `pulumi-spider` and `@pulumi/pulumi` resolve from its node_modules) with a
 *   file backend in a temp dir of its own, and a stack.
 * - Every command runs non-interactively; `preview`/`up`/`refresh`/`destroy` use `--json` and
 *   return parsed step operations, engine events and diagnostics, never only human text.
 * - `cleanup()` destroys whatever is left in the stack (best effort), removes the stack and
 *   deletes the project and backend folders (kept when E2E_KEEP=1, for debugging).
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const REPO = path.resolve(__dirname, "../..");
export const E2E_ROOT = path.join(REPO, ".e2e");
const DEFAULT_PROGRAM = path.join(REPO, "test/e2e-program");

export interface PulumiCli {
    /** Folder holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
    binDir: string;
    version: string;
}

let cachedCli: PulumiCli | undefined;

function executable(p: string): boolean {
    try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

function onPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (dir && executable(path.join(dir, name))) return path.join(dir, name);
    }
    return undefined;
}

function cliVersion(pulumi: string): string | undefined {
    const r = spawnSync(pulumi, ["version"], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    const v = (r.stdout ?? "").trim().split("\n")[0];
    return r.status === 0 && /^v?\d+\.\d+\.\d+/.test(v) ? v.replace(/^v/, "") : undefined;
}

/**
 * The Pulumi CLI plus the Node.js language host and dynamic-provider launcher. Throws with the
 * reason when they cannot be had; never returns something half-working.
 */
export function findPulumi(): PulumiCli {
    if (cachedCli) return cachedCli;
    const reasons: string[] = [];
    const onPathCli = onPath("pulumi");
    if (onPathCli) {
        const dir = path.dirname(fs.realpathSync(onPathCli));
        const host = executable(path.join(dir, "pulumi-language-nodejs")) || onPath("pulumi-language-nodejs");
        const shim =
            executable(path.join(dir, "pulumi-resource-pulumi-nodejs")) || onPath("pulumi-resource-pulumi-nodejs");
        const version = cliVersion(onPathCli);
        if (version && host && shim) {
            cachedCli = { binDir: dir, version };
            return cachedCli;
        }
        reasons.push(
            `pulumi on PATH (${onPathCli}) is unusable: version=${version ?? "?"}, language host ${host ? "found" : "MISSING"}, dynamic-provider launcher ${shim ? "found" : "MISSING"}`,
        );
    } else {
        reasons.push("no `pulumi` on PATH");
    }
    // ensure-pulumi.sh prints the bin dir as its last stdout line; it may build (minutes) when no cache exists.
    const script = path.join(REPO, "scripts/ensure-pulumi.sh");
    const r = spawnSync("bash", [script], { encoding: "utf8", timeout: 30 * 60_000, maxBuffer: 64 << 20 });
    const last = (r.stdout ?? "").trim().split("\n").pop() ?? "";
    if (r.status === 0 && last && executable(path.join(last, "pulumi"))) {
        const version = cliVersion(path.join(last, "pulumi"));
        if (version) {
            cachedCli = { binDir: last, version };
            return cachedCli;
        }
        reasons.push(`${last}/pulumi does not report a version`);
    } else {
        const tail = `${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n    ");
        reasons.push(
            `scripts/ensure-pulumi.sh failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n    ${tail}`,
        );
    }
    throw new Error(
        `END-TO-END TESTS NEED THE REAL PULUMI CLI, AND NONE IS AVAILABLE.\n  ${reasons.join("\n  ")}\n` +
            "  Fix: run `bash scripts/ensure-pulumi.sh` (builds from the Go module proxy; needs Go) or put pulumi ≥ v3.276 with pulumi-language-nodejs on PATH.",
    );
}

/**
 * The programs and the provider host load the INSTALLED package (node_modules/pulumi-spider, made
 * by scripts/setup.sh), not the sources. Fails when it is missing; warns when it is older than
 * the sources it is built from.
 */
let staleWarned = false;

export function checkInstalledPackage(): void {
    const installed = path.join(REPO, "node_modules/pulumi-spider/dist/sdk/index.js");
    if (!fs.existsSync(installed)) {
        throw new Error(
            `pulumi-spider is not installed in node_modules (${installed} missing): run \`bash scripts/setup.sh\` first`,
        );
    }
    const builtAt = fs.statSync(installed).mtimeMs;
    const stale: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (p.endsWith(".ts") && fs.statSync(p).mtimeMs > builtAt) stale.push(path.relative(REPO, p));
        }
    };
    for (const d of ["sdk", "provider/resources", "provider/interface", "provider/drivers/local"])
        walk(path.join(REPO, d));
    if (stale.length > 0 && !staleWarned) {
        staleWarned = true;
        process.stderr.write(
            `WARNING: node_modules/pulumi-spider is older than ${stale.slice(0, 5).join(", ")}${stale.length > 5 ? ", …" : ""}; ` +
                "the end-to-end tests run the installed copy: re-run `bash scripts/setup.sh`.\n",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Parsed results

export interface RunResult {
    args: string[];
    code: number | null;
    stdout: string;
    stderr: string;
    durationMs: number;
}

export interface StepOp {
    op: string;
    urn: string;
    /** `pulumi-nodejs:dynamic/spider:Nlb`. */
    type: string;
    /** The resource's Pulumi name (last URN segment). */
    name: string;
}

export interface Diagnostic {
    message: string;
    severity: string;
    urn?: string;
}

export interface EngineEvent {
    sequence?: number;
    resourcePreEvent?: { metadata: StepMetadata };
    resOutputsEvent?: { metadata: StepMetadata };
    resOpFailedEvent?: { metadata: StepMetadata; status: number; steps: number };
    diagnosticEvent?: { urn?: string; message: string; severity: string; prefix?: string };
    summaryEvent?: { resourceChanges: Record<string, number>; result?: string; durationSeconds?: number };
    [k: string]: unknown;
}

export interface StepMetadata {
    op: string;
    urn: string;
    type: string;
    old?: { id?: string; outputs?: Record<string, unknown>; inputs?: Record<string, unknown> } | null;
    new?: { id?: string; outputs?: Record<string, unknown>; inputs?: Record<string, unknown> } | null;
    keys?: string[];
    diffs?: string[];
}

export interface PulumiResult extends RunResult {
    ok: boolean;
    /** Step operations in the order the engine reported them (resource steps only). */
    steps: StepOp[];
    changeSummary: Record<string, number>;
    diagnostics: Diagnostic[];
    /** Engine events (`up`/`refresh`/`destroy`); empty for `preview`. */
    events: EngineEvent[];
    /** Outputs of resources after each step, by resource name (from resOutputsEvent). */
    outputs: Record<string, { id?: string; outputs: Record<string, unknown> }>;
    /** Every diagnostic message and the CLI's stderr, for substring assertions on what users see. */
    text: string;
}

export function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function typeOf(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? (parts[parts.length - 2].split("$").pop() ?? "") : "";
}

function toStep(op: string, urn: string, type?: string): StepOp {
    return { op, urn, type: type ?? typeOf(urn), name: nameOf(urn) };
}

/**
 * `pulumi preview --json` prints one JSON document; `pulumi up|refresh|destroy --json` print that
 * document (unless --skip-preview) followed by one engine event per line.
 */
export function parseJsonOutput(r: RunResult): PulumiResult {
    const lines = r.stdout.split("\n");
    let doc:
        | {
              steps?: Array<{ op: string; urn: string; newState?: { type?: string }; oldState?: { type?: string } }>;
              changeSummary?: Record<string, number>;
              diagnostics?: Diagnostic[];
          }
        | undefined;
    let i = 0;
    while (i < lines.length && lines[i].trim() === "") i++;
    if (lines[i] === "{") {
        const start = i;
        while (i < lines.length && lines[i] !== "}") i++;
        try {
            doc = JSON.parse(lines.slice(start, i + 1).join("\n"));
        } catch (err) {
            throw new Error(
                `could not parse the JSON document of \`pulumi ${r.args.join(" ")}\`: ${(err as Error).message}\n${r.stdout.slice(0, 2000)}`,
            );
        }
        i++;
    }
    const events: EngineEvent[] = [];
    for (; i < lines.length; i++) {
        const l = lines[i].trim();
        if (!l.startsWith("{")) continue;
        try {
            events.push(JSON.parse(l) as EngineEvent);
        } catch {
            // Not an event line (the CLI prints nothing else on stdout with --json, but be lenient).
        }
    }
    const isResource = (urn: string) =>
        !urn.includes("::pulumi:pulumi:Stack::") && !urn.includes("::pulumi:providers:");
    let steps: StepOp[];
    let changeSummary: Record<string, number> = {};
    if (events.length > 0) {
        steps = events
            .filter(e => e.resourcePreEvent)
            .map(e => e.resourcePreEvent!.metadata)
            .filter(m => isResource(m.urn))
            .map(m => toStep(m.op, m.urn, m.type));
        const summary = events.find(e => e.summaryEvent)?.summaryEvent;
        if (summary) changeSummary = summary.resourceChanges ?? {};
    } else {
        steps = (doc?.steps ?? [])
            .filter(s => isResource(s.urn))
            .map(s => toStep(s.op, s.urn, s.newState?.type ?? s.oldState?.type));
        changeSummary = doc?.changeSummary ?? {};
    }
    const diagnostics: Diagnostic[] = [];
    for (const d of doc?.diagnostics ?? []) diagnostics.push({ message: d.message, severity: d.severity, urn: d.urn });
    for (const e of events) {
        const d = e.diagnosticEvent;
        if (d && d.severity !== "debug") diagnostics.push({ message: d.message, severity: d.severity, urn: d.urn });
    }
    const outputs: PulumiResult["outputs"] = {};
    for (const e of events) {
        const m = e.resOutputsEvent?.metadata;
        if (m && isResource(m.urn) && m.new) outputs[nameOf(m.urn)] = { id: m.new.id, outputs: m.new.outputs ?? {} };
    }
    const text = [...diagnostics.map(d => d.message), r.stderr].join("\n");
    return { ...r, ok: r.code === 0, steps, changeSummary, diagnostics, events, outputs, text };
}

// ---------------------------------------------------------------------------------------------
// Stack export

export interface StateResource {
    urn: string;
    type: string;
    id?: string;
    custom?: boolean;
    external?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    additionalSecretOutputs?: string[];
}

export interface Deployment {
    version: number;
    deployment: { resources?: StateResource[]; [k: string]: unknown };
}

/** The `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext }` marker. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecret(v: unknown): boolean {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** Spider resources of an exported stack, by Pulumi name. */
export function spiderResources(d: Deployment): Map<string, StateResource> {
    const m = new Map<string, StateResource>();
    for (const r of d.deployment.resources ?? [])
        if (r.type.startsWith("pulumi-nodejs:dynamic/spider:")) m.set(nameOf(r.urn), r);
    return m;
}

// ---------------------------------------------------------------------------------------------
// Projects

export interface ProjectOptions {
    /** Project name (Pulumi.yaml `name`). Default "spider-e2e". */
    name?: string;
    stack?: string;
    /** Folder whose files are copied into the project (default test/e2e-program). */
    programDir?: string;
    /** Extra environment for every command (fake or emulator credentials, …). */
    env?: Record<string, string>;
}

/** Durations of every pulumi command run by any project, for the suite's summary. */
export const commandLog: Array<{ project: string; args: string; durationMs: number; code: number | null }> = [];

export class PulumiProject {
    readonly id: string;
    readonly root: string;
    readonly dir: string;
    readonly backendDir: string;
    readonly homeDir: string;
    readonly stack: string;
    readonly cli: PulumiCli;
    readonly env: NodeJS.ProcessEnv;
    private cleaned = false;

    private constructor(cli: PulumiCli, opts: ProjectOptions) {
        this.cli = cli;
        this.id = crypto.randomBytes(4).toString("hex");
        this.root = path.join(E2E_ROOT, `${opts.name ?? "spider-e2e"}-${this.id}`);
        this.dir = path.join(this.root, "project");
        this.backendDir = path.join(this.root, "backend");
        this.homeDir = path.join(this.root, "pulumi-home");
        this.stack = opts.stack ?? "e2e";
        for (const d of [this.dir, this.backendDir, this.homeDir]) fs.mkdirSync(d, { recursive: true });
        const programDir = opts.programDir ?? DEFAULT_PROGRAM;
        for (const f of fs.readdirSync(programDir)) fs.copyFileSync(path.join(programDir, f), path.join(this.dir, f));
        const name = opts.name ?? "spider-e2e";
        fs.writeFileSync(
            path.join(this.dir, "Pulumi.yaml"),
            `name: ${name}\nruntime: nodejs\ndescription: pulumi-spider end-to-end test project (temporary)\n`,
        );
        // Without a package.json here the SDK would take the repository's (main: dist/sdk/index.js) as the program.
        fs.writeFileSync(
            path.join(this.dir, "package.json"),
            JSON.stringify({ name, private: true, main: "index.js" }, null, 2) + "\n",
        );
        this.env = {
            ...process.env,
            PATH: [cli.binDir, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_HOME: this.homeDir,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            ...opts.env,
        };
        delete this.env.PULUMI_ACCESS_TOKEN;
        delete this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    }

    static async create(opts: ProjectOptions = {}): Promise<PulumiProject> {
        checkInstalledPackage();
        const p = new PulumiProject(findPulumi(), opts);
        await p.must(["stack", "init"]);
        return p;
    }

    /** Writes the spec the generic program reads (see test/e2e-program/index.js). */
    writeSpec(spec: unknown): void {
        fs.writeFileSync(path.join(this.dir, "spec.json"), JSON.stringify(spec, null, 2) + "\n");
    }

    /** Runs `pulumi <args> --stack <stack> --non-interactive`; never throws on a non-zero exit. */
    run(args: string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<RunResult> {
        const full = [...args, "--stack", this.stack, "--non-interactive"];
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = spawn(path.join(this.cli.binDir, "pulumi"), full, {
                cwd: this.dir,
                env: this.env,
                stdio: ["pipe", "pipe", "pipe"],
            });
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            child.stdout.on("data", (b: Buffer) => out.push(b));
            child.stderr.on("data", (b: Buffer) => err.push(b));
            const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 10 * 60_000);
            child.on("error", e => {
                clearTimeout(timer);
                reject(e);
            });
            child.on("close", code => {
                clearTimeout(timer);
                const durationMs = Date.now() - started;
                commandLog.push({ project: path.basename(this.root), args: args.join(" "), durationMs, code });
                resolve({
                    args: full,
                    code,
                    stdout: Buffer.concat(out).toString("utf8"),
                    stderr: Buffer.concat(err).toString("utf8"),
                    durationMs,
                });
            });
            child.stdin.end(opts.stdin ?? "");
        });
    }

    /** Like run, but throws with the command's output when it fails. */
    async must(args: string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<RunResult> {
        const r = await this.run(args, opts);
        if (r.code !== 0)
            throw new Error(
                `\`pulumi ${args.join(" ")}\` failed (exit ${r.code}):\n${tail(r.stderr + "\n" + r.stdout, 60)}`,
            );
        return r;
    }

    async preview(extra: string[] = []): Promise<PulumiResult> {
        return parseJsonOutput(await this.run(["preview", "--json", ...extra]));
    }

    /** `pulumi up --json --yes`; pass `--skip-preview` in `extra` when a preview was just asserted. */
    async up(extra: string[] = []): Promise<PulumiResult> {
        return parseJsonOutput(await this.run(["up", "--json", "--yes", ...extra]));
    }

    async refresh(extra: string[] = []): Promise<PulumiResult> {
        return parseJsonOutput(await this.run(["refresh", "--json", "--yes", "--skip-preview", ...extra]));
    }

    async destroy(extra: string[] = []): Promise<PulumiResult> {
        return parseJsonOutput(await this.run(["destroy", "--json", "--yes", "--skip-preview", ...extra]));
    }

    async exportStack(): Promise<{ deployment: Deployment; text: string }> {
        const r = await this.must(["stack", "export"]);
        return { deployment: JSON.parse(r.stdout) as Deployment, text: r.stdout };
    }

    async importStack(text: string): Promise<RunResult> {
        const file = path.join(this.root, `import-${Date.now()}.json`);
        fs.writeFileSync(file, text);
        return this.must(["stack", "import", "--file", file]);
    }

    async setConfig(key: string, value: string, secret = false): Promise<void> {
        // The value goes through stdin, never the command line.
        await this.must(["config", "set", key, ...(secret ? ["--secret"] : ["--plaintext"])], { stdin: value });
    }

    /** Best-effort teardown: destroy what is left, remove the stack, delete the folders. */
    async cleanup(): Promise<void> {
        if (this.cleaned) return;
        this.cleaned = true;
        try {
            const st = await this.run(["stack", "export"]);
            const left = st.code === 0 ? spiderResources(JSON.parse(st.stdout) as Deployment).size : 0;
            if (left > 0) {
                const d = await this.destroy();
                if (!d.ok) process.stderr.write(`e2e cleanup: destroy of ${this.root} failed:\n${tail(d.text, 20)}\n`);
            }
            await this.run(["stack", "rm", "--yes", "--force"]);
        } finally {
            if (process.env.E2E_KEEP !== "1") fs.rmSync(this.root, { recursive: true, force: true });
        }
    }
}

export function tail(s: string, lines: number): string {
    return s.trim().split("\n").slice(-lines).join("\n");
}

/** The op each resource got, by Pulumi name (several ops per name for replacements). */
export function opsByName(r: PulumiResult): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const s of r.steps) m.set(s.name, [...(m.get(s.name) ?? []), s.op]);
    return m;
}

/** One line per command: "12.3s up --json --yes" etc., for the suite's timing summary. */
export function commandSummary(): string {
    const total = commandLog.reduce((s, c) => s + c.durationMs, 0);
    const byVerb = new Map<string, { n: number; ms: number }>();
    for (const c of commandLog) {
        const verb = c.args
            .split(" ")
            .slice(0, c.args.startsWith("stack") || c.args.startsWith("config") ? 2 : 1)
            .join(" ");
        const v = byVerb.get(verb) ?? { n: 0, ms: 0 };
        v.n++;
        v.ms += c.durationMs;
        byVerb.set(verb, v);
    }
    const parts = [...byVerb.entries()].map(([verb, v]) => `${verb}: ${v.n}× avg ${(v.ms / v.n / 1000).toFixed(1)}s`);
    return `${commandLog.length} pulumi commands, ${(total / 1000).toFixed(1)}s in total (${parts.join("; ")})`;
}
