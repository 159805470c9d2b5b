/**
 * `pulumi-spider recover`: after a killed `pulumi up`, turns every pending create of this
 * package's resources into a managed resource when its cloud object exists and names this very
 * URN as its owner, and drops the pending creates that created nothing. Cloud lookups go through
 * the same drivers, connection and stack config as the program; the state is changed only by one
 * `pulumi stack import`, after a backup of the export.
 */
import * as fs from "fs";
import * as path from "path";
import type { Connection, Driver } from "../interface/driver";
import { describeError, isNotFound } from "../interface/errors";
import { isOwnedBy } from "../interface/owner";
import { openDriver } from "../drivers/registry";
import { waitUntil } from "../interface/wait";
import { driverContext, Props, ProviderConfig, readConfig } from "../resources/common";
import { connectionOf } from "../resources/skeleton";
import { impls } from "../resources";
import { diyLocks, fileBackendDir, livePulumiProcesses } from "./guard";
import { PulumiCli } from "./pulumiCli";

const TYPE_PREFIX = "pulumi-nodejs:dynamic/spider:";
/** How the checkpoint format marks a secret; `plaintext` ones are encrypted by `stack import`. */
const SECRET_SIG = "4dabf18193072939515e22adc82d4e3e";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Props;
    outputs?: Props;
    additionalSecretOutputs?: string[];
    [key: string]: unknown;
}

interface PendingOperation {
    resource: StateResource;
    type: string;
    [key: string]: unknown;
}

interface StackExport {
    version: number;
    deployment: { resources?: StateResource[]; pending_operations?: PendingOperation[]; [key: string]: unknown };
    [key: string]: unknown;
}

export interface RecoverOptions {
    cwd: string;
    stack?: string;
    dryRun: boolean;
    waitMinutes: number;
    out: (line: string) => void;
}

type Outcome = "adopted" | "not found" | "not adopted" | "orphan" | "no cloud object" | "failed";

interface Finding {
    op: PendingOperation;
    kind: string;
    cloudName: string;
    outcome: Outcome;
    id?: string;
    detail: string;
}

interface Found {
    id: string;
    owner?: string;
    /** Why updates would still be refused (a cluster still Creating), if so. */
    busy?: string;
}

type CloudKind = "Nlb" | "Cluster" | "NodeGroup";
const NAME_KEYS: Record<CloudKind, string> = { Nlb: "nlbName", Cluster: "clusterName", NodeGroup: "nodeGroupName" };

const FINDERS: Record<CloudKind, (driver: Driver, name: string, ins: Props) => Promise<Found>> = {
    Nlb: async (driver, name) => {
        const nlb = await driver.nlb.getNlb({ nameId: name, systemId: "" });
        return { id: nlb.iid.systemId, owner: nlb.owner };
    },
    Cluster: async (driver, name) => {
        const cluster = await driver.cluster.getCluster({ nameId: name, systemId: "" });
        const creating = cluster.nodeGroups.filter(g => g.status === "Creating").map(g => g.iid.nameId);
        const busy =
            cluster.status === "Creating"
                ? "cluster Creating"
                : creating.length > 0
                  ? `node groups Creating: ${creating.join(", ")}`
                  : undefined;
        return { id: cluster.iid.systemId, owner: cluster.owner, busy };
    },
    NodeGroup: async (driver, name, ins) => {
        const clusterIid = { nameId: "", systemId: String(ins.cluster) };
        const group = await driver.cluster.getNodeGroup(clusterIid, { nameId: name, systemId: "" });
        const busy = group.status === "Creating" ? "node group Creating" : undefined;
        return { id: group.iid.systemId, owner: group.owner, busy };
    },
};

function isCloudKind(kind: string): kind is CloudKind {
    return kind in FINDERS;
}

function isOurCreate(op: PendingOperation): boolean {
    return op.type === "creating" && op.resource.type.startsWith(TYPE_PREFIX);
}

/** Runs the whole recovery; returns the process exit code. */
export async function recover(opts: RecoverOptions): Promise<number> {
    const cli = new PulumiCli(opts.cwd, opts.stack);
    const stack = opts.stack ?? (await cli.ok(["stack", "--show-name"], false)).trim();
    const refusal = await whyNotNow(cli, opts.cwd, stack);
    if (refusal) {
        opts.out(`pulumi-spider recover: refusing to touch stack "${stack}": ${refusal}`);
        return 1;
    }
    const exported = await cli.json<StackExport>(["stack", "export"]);
    const config = await stackConfig(cli);
    const ours = (exported.deployment.pending_operations ?? []).filter(isOurCreate);
    if (ours.length === 0) {
        opts.out(`stack "${stack}" has no pending creates of pulumi-spider resources: nothing to recover`);
        return 0;
    }
    const managed = new Map((exported.deployment.resources ?? []).map(r => [r.urn, r.id ?? ""]));
    let findings = await Promise.all(ours.map(op => examine(op, config, managed)));
    if (!opts.dryRun && !findings.some(f => f.outcome === "failed")) {
        findings = await Promise.all(findings.map(f => (f.outcome === "adopted" ? settle(f, config, opts) : f)));
    }
    printTable(findings, opts.out);
    if (findings.some(f => f.outcome === "failed")) {
        opts.out("nothing was imported: fix what failed above and run `pulumi-spider recover` again");
        return 1;
    }
    if (opts.dryRun) {
        opts.out("dry run: the stack was not changed");
        return 0;
    }
    return importRecovered(cli, exported, findings, stack, opts);
}

/** Why recovery must not run now, or undefined when it may. */
async function whyNotNow(cli: PulumiCli, cwd: string, stack: string): Promise<string | undefined> {
    const live = livePulumiProcesses(cwd);
    if (live.length > 0) {
        const list = live.map(p => `  ${p.pid} ${p.command.slice(0, 160)}`).join("\n");
        return (
            `Pulumi processes of an earlier run are still alive in ${cwd} (a provider host goes on creating ` +
            `cloud objects):\n${list}\n` +
            "Wait for them to end or stop them (kill PID), run `pulumi cancel`, then recover again."
        );
    }
    const who = await cli.json<{ url?: string }>(["whoami", "--json"], false);
    const backendDir = who.url ? fileBackendDir(who.url) : undefined;
    if (backendDir) {
        const locks = diyLocks(backendDir, projectName(cwd), stack);
        if (locks.length > 0) {
            return (
                `the stack is locked (${locks.join(", ")}). ` +
                "Make sure no `pulumi` command of this stack is running " +
                `anywhere, then run \`pulumi cancel --stack ${stack} --yes\` and recover again.`
            );
        }
        return undefined;
    }
    const history = await cli.json<Array<{ result?: string }>>(["stack", "history", "--json", "--page-size", "1"]);
    if (history[0]?.result === "in-progress") {
        return (
            "an update of the stack is still in progress. " +
            `If it was killed, run \`pulumi cancel --stack ${stack} --yes\`, then recover again.`
        );
    }
    return undefined;
}

function projectName(cwd: string): string {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
        const projectFile = path.join(cwd, file);
        if (!fs.existsSync(projectFile)) continue;
        const match = /^name:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(projectFile, "utf8"));
        if (match) return match[1];
    }
    throw new Error(
        `no Pulumi.yaml with a project name in ${cwd}: ` + "run pulumi-spider recover in the program's directory",
    );
}

/** The `spider:*` stack config, credentials included, exactly as the provider receives it. */
async function stackConfig(cli: PulumiCli): Promise<ProviderConfig> {
    const all = await cli.json<Record<string, { value?: unknown }>>(["config", "--json", "--show-secrets"]);
    return readConfig({ get: key => (typeof all[key]?.value === "string" ? String(all[key].value) : undefined) });
}

/**
 * What the cloud holds for one pending create. `managed`: URN → id of the stack's resources; a
 * URN already there means a later plain `pulumi up` created the object again, and the
 * interrupted run's object is an orphan (adopting it would give the stack two resources of one URN).
 */
async function examine(op: PendingOperation, config: ProviderConfig, managed: Map<string, string>): Promise<Finding> {
    const kind = op.resource.type.slice(TYPE_PREFIX.length);
    const ins = op.resource.inputs ?? {};
    const base = { op, kind, cloudName: "" };
    if (!isCloudKind(kind)) {
        const detail = "no cloud object of its own; `pulumi up` attaches its VMs again";
        return { ...base, outcome: "no cloud object", detail };
    }
    const name = ins[NAME_KEYS[kind]];
    const connection = connectionOf(ins);
    if (typeof name !== "string" || !connection) {
        const detail = `the pending create records no plain ${NAME_KEYS[kind]} and connection (secret?)`;
        return { ...base, outcome: "failed", detail };
    }
    const driver = openDriver(connection, driverContext(kind, name, config));
    try {
        const found = await FINDERS[kind](driver, name, ins);
        if (!isOwnedBy(found.owner, op.resource.urn)) {
            const whose = found.owner ? `owned by ${found.owner}` : "it carries no pulumi-spider owner tag";
            return { ...base, cloudName: name, outcome: "not adopted", id: found.id, detail: `${whose}; left alone` };
        }
        const current = managed.get(op.resource.urn);
        if (current !== undefined && current !== found.id) {
            const detail = `the stack already manages ${current}`;
            return { ...base, cloudName: name, outcome: "orphan", id: found.id, detail };
        }
        return {
            ...base,
            cloudName: name,
            outcome: current === found.id ? "not adopted" : "adopted",
            id: found.id,
            detail: current === found.id ? "already managed by the stack" : (found.busy ?? ""),
        };
    } catch (err) {
        if (isNotFound(err)) {
            return { ...base, cloudName: name, outcome: "not found", detail: "the create never reached the cloud" };
        }
        return { ...base, cloudName: name, outcome: "failed", detail: describeError(err) };
    }
}

/**
 * Waits until the object takes updates (an interrupted cluster create goes on in the cloud),
 * then reads it through the resource's own `read`, so the state holds exactly what a
 * `pulumi refresh` would record.
 */
async function settle(finding: Finding, config: ProviderConfig, opts: RecoverOptions): Promise<Finding> {
    const kind = finding.kind as CloudKind;
    const ins = finding.op.resource.inputs ?? {};
    const connection = connectionOf(ins) as Connection;
    const ctx = driverContext(kind, finding.cloudName, config);
    const driver = openDriver(connection, ctx);
    try {
        if (finding.detail !== "") {
            opts.out(
                `${kind} ${finding.cloudName}: ${finding.detail}; waiting until it is ready ` +
                    `(at most ${opts.waitMinutes} min)`,
            );
            await waitUntil(
                async () => {
                    const found = await FINDERS[kind](driver, finding.cloudName, ins);
                    return found.busy ? { done: false, state: found.busy } : { done: true, value: undefined };
                },
                {
                    timeoutMs: opts.waitMinutes * 60_000,
                    minDelayMs: ctx.poll?.minDelayMs ?? 1_000,
                    maxDelayMs: ctx.poll?.maxDelayMs ?? 15_000,
                    what: `${kind} ${finding.cloudName}`,
                    log: opts.out,
                },
            );
        }
        const read = await impls[kind].read(finding.id as string, ins, config);
        if (!read.id || !read.props)
            return { ...finding, outcome: "failed", detail: "it disappeared while recovering" };
        const secretKeys = finding.op.resource.additionalSecretOutputs ?? [];
        const outputs = withSecrets({ ...read.props, __provider: ins.__provider }, secretKeys);
        const resource: StateResource = { ...finding.op.resource, id: read.id, outputs };
        return { ...finding, id: read.id, detail: "", op: { ...finding.op, resource } };
    } catch (err) {
        return { ...finding, outcome: "failed", detail: describeError(err) };
    }
}

/** Outputs the program declared secret (a Cluster's kubeconfig) in the form `stack import` encrypts. */
function withSecrets(outputs: Props, secretKeys: string[]): Props {
    const out: Props = { ...outputs };
    for (const key of secretKeys) {
        if (key in out) out[key] = { [SECRET_SIG]: SECRET_VALUE, plaintext: JSON.stringify(out[key]) };
    }
    return out;
}

const SHOWN: Record<Outcome, (f: Finding) => string> = {
    adopted: f => `${f.id} (adopted)`,
    "not found": () => "not found (pending create dropped)",
    "not adopted": f => `not adopted: ${f.id} ${f.detail}`,
    orphan: f => `not adopted: ${f.id} is an orphan of this resource (${f.detail}); delete it with the cloud's tools`,
    "no cloud object": f => `- (${f.detail})`,
    failed: f => `error: ${f.detail}`,
};

function printTable(findings: Finding[], out: (line: string) => void): void {
    const rows = [
        ["URN", "CLOUD NAME", "ID"],
        ...findings.map(f => [f.op.resource.urn, f.cloudName || "-", SHOWN[f.outcome](f)]),
    ];
    const widths = [0, 1].map(col => Math.max(...rows.map(r => r[col].length)));
    for (const r of rows) out(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`);
}

/** The export with the adopted creates as resources and every examined pending create gone. */
function recoveredState(exported: StackExport, findings: Finding[]): StackExport {
    const dep = exported.deployment;
    const adopted = findings.filter(f => f.outcome === "adopted").map(f => f.op.resource);
    return {
        ...exported,
        deployment: {
            ...dep,
            resources: [...(dep.resources ?? []), ...adopted],
            pending_operations: (dep.pending_operations ?? []).filter(op => !isOurCreate(op)),
        },
    };
}

async function importRecovered(
    cli: PulumiCli,
    exported: StackExport,
    findings: Finding[],
    stack: string,
    opts: RecoverOptions,
): Promise<number> {
    const dir = path.join(opts.cwd, ".pulumi-spider", "recover");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const backup = path.join(dir, `${stack.replace(/\//g, "_")}-${stamp}.backup.json`);
    fs.writeFileSync(backup, JSON.stringify(exported, null, 2) + "\n", { mode: 0o600 });
    // Holds secret outputs in plaintext until `stack import` encrypts them: removed right after.
    const next = path.join(dir, `${stack.replace(/\//g, "_")}-${stamp}.import.json`);
    fs.writeFileSync(next, JSON.stringify(recoveredState(exported, findings), null, 2) + "\n", { mode: 0o600 });
    const res = await cli.run(["stack", "import", "--file", next]);
    fs.rmSync(next, { force: true });
    if (res.code !== 0) {
        const why = (res.stderr || res.stdout).trim();
        opts.out(`pulumi stack import failed; the stack is unchanged (its export is kept in ${backup}):\n${why}`);
        return 1;
    }
    const adopted = findings.filter(f => f.outcome === "adopted").length;
    opts.out(
        `recovered stack "${stack}": ${adopted} adopted, ${findings.length - adopted} pending create(s) dropped ` +
            `(previous state in ${backup}). Next: \`pulumi up\` finishes what the interrupted run did not.`,
    );
    return 0;
}
