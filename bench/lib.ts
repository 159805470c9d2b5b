/**
 * Shared helpers of the benchmarks: machine info, timing statistics, /proc memory sampling and
 * the result file every benchmark writes (bench/<name>.md: the command that reproduces it, the
 * machine, the numbers). Pulumi runs go through test/faults/cli.ts (a real CLI, a file backend,
 * a workspace under .e2e/).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { descendants, pulumiBinDir, ROOT } from "../test/faults/cli";

export const BENCH_DIR = __dirname;

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(2)} s`;
}

export function ratio(a: number, b: number): string {
    return (a / b).toFixed(2);
}

export function kib(bytes: number): string {
    return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function mib(bytes: number): string {
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function sh(cmd: string, args: string[], cwd = ROOT): string {
    try {
        return execFileSync(cmd, args, {
            cwd,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
            timeout: 60_000,
        }).trim();
    } catch {
        return "?";
    }
}

/** Markdown lines describing the machine and the code measured. */
export function machineInfo(): string[] {
    const cpus = os.cpus();
    const commit = sh("git", ["rev-parse", "--short", "HEAD"]);
    const dirty = sh("git", ["status", "--porcelain", "--", "provider", "sdk"])
        ? " (provider/ or sdk/ modified since)"
        : "";
    const pulumi = sh(path.join(pulumiBinDir(), "pulumi"), ["version"]);
    const sdk = (
        JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as {
            version: string;
        }
    ).version;
    return [
        `- Date: ${new Date().toISOString()}`,
        `- Machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${mib(os.totalmem())} RAM, ${os.type()} ${os.release()} (${os.arch()})`,
        `- Load average when the run started: ${os
            .loadavg()
            .map(l => l.toFixed(2))
            .join(", ")} (other work on the machine makes absolute times drift; compare the ratios)`,
        `- Node.js ${process.version}; Pulumi CLI ${pulumi}; @pulumi/pulumi ${sdk}; commit ${commit}${dirty}`,
    ];
}

export function writeResult(name: string, title: string, body: string[]): string {
    const file = path.join(BENCH_DIR, `${name}.md`);
    const text = [
        `# ${title}`,
        "",
        "Reproduce:",
        "",
        "```sh",
        `npx ts-node bench/${name}.ts`,
        "```",
        "",
        "## Machine",
        "",
        ...machineInfo(),
        "",
        ...body,
        "",
    ].join("\n");
    fs.writeFileSync(file, text);
    return file;
}

export function log(line: string): void {
    process.stderr.write(`[bench] ${line}\n`);
}

/** Peak resident memory seen for a process, from /proc/<pid>/status (VmHWM is the kernel's own high-water mark). */
export interface ProcessPeak {
    pid: number;
    role: string;
    cmd: string;
    /** Largest VmHWM read (bytes). */
    hwm: number;
    /** Largest VmRSS sampled (bytes). */
    rss: number;
    samples: number;
}

function readStatusKb(pid: number, field: string): number {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
        return m ? Number(m[1]) * 1024 : 0;
    } catch {
        return 0;
    }
}

function cmdline(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
        return "";
    }
}

export function roleOf(cmd: string): string {
    if (cmd.includes("dynamic-provider")) return "dynamic-provider host (node)";
    if (cmd.includes("pulumi-resource-pulumi-nodejs")) return "dynamic-provider launcher (sh)";
    if (cmd.includes("cmd/run")) return "program (node, language runtime)";
    if (cmd.includes("pulumi-language-nodejs")) return "language host (Go)";
    if (/(^|\/)pulumi( |$)/.test(cmd)) return "pulumi CLI / engine (Go)";
    return "other";
}

/** Samples every descendant of `rootPid` (and itself) every `everyMs` until stopped. */
export function sampleTree(rootPid: number, everyMs = 100): { stop: () => ProcessPeak[] } {
    const peaks = new Map<number, ProcessPeak>();
    const tick = (): void => {
        for (const pid of [rootPid, ...descendants(rootPid)]) {
            const hwm = readStatusKb(pid, "VmHWM");
            const rss = readStatusKb(pid, "VmRSS");
            if (!hwm && !rss) continue;
            let p = peaks.get(pid);
            if (!p) {
                const cmd = cmdline(pid);
                p = { pid, role: roleOf(cmd), cmd, hwm: 0, rss: 0, samples: 0 };
                peaks.set(pid, p);
            }
            p.hwm = Math.max(p.hwm, hwm);
            p.rss = Math.max(p.rss, rss);
            p.samples++;
        }
    };
    const timer = setInterval(tick, everyMs);
    tick();
    return {
        stop: () => {
            clearInterval(timer);
            return [...peaks.values()];
        },
    };
}
