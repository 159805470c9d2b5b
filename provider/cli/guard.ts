/**
 * What must hold before `recover` touches a stack: no process of an earlier run is still alive
 * (a surviving provider host goes on creating cloud objects) and the stack is not locked.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface LiveProcess {
    pid: number;
    command: string;
}

/** Executables of a Pulumi run: the CLI, the Node.js language host, the dynamic-provider host. */
function isPulumiProcess(argv: string[]): boolean {
    const exe = path.basename(argv[0] ?? "");
    return (
        exe === "pulumi" ||
        exe.startsWith("pulumi-language-") ||
        exe.startsWith("pulumi-resource-") ||
        argv.some(a => /[\\/]cmd[\\/]dynamic-provider\b/.test(a))
    );
}

function ancestorsOfSelf(): Set<number> {
    const out = new Set<number>([process.pid]);
    let pid = process.ppid;
    for (let depth = 0; pid > 1 && depth < 64; depth++) {
        out.add(pid);
        try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        } catch {
            break;
        }
    }
    return out;
}

function procEntry(pid: number): { argv: string[]; cwd: string; zombie: boolean } | undefined {
    try {
        const argv = fs
            .readFileSync(`/proc/${pid}/cmdline`, "utf8")
            .split("\0")
            .filter(a => a !== "");
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const zombie = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
        return { argv, cwd: fs.readlinkSync(`/proc/${pid}/cwd`), zombie };
    } catch {
        return undefined; // gone, or another user's process we may not inspect
    }
}

/**
 * Pulumi processes running in `dir` (the CLI, its language host and provider hosts all run in
 * the program's directory). Where /proc is missing (macOS), every Pulumi process counts.
 */
export function livePulumiProcesses(dir: string): LiveProcess[] {
    const own = ancestorsOfSelf();
    const real = fs.realpathSync(dir);
    if (!fs.existsSync("/proc/self/cmdline")) return psPulumiProcesses(own);
    const out: LiveProcess[] = [];
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name) || own.has(Number(name))) continue;
        const entry = procEntry(Number(name));
        if (entry && !entry.zombie && entry.cwd === real && isPulumiProcess(entry.argv)) {
            out.push({ pid: Number(name), command: entry.argv.join(" ") });
        }
    }
    return out;
}

function psPulumiProcesses(own: Set<number>): LiveProcess[] {
    const listing = execFileSync("ps", ["-axo", "pid=,command="], { encoding: "utf8" });
    return listing
        .split("\n")
        .map(line => /^\s*(\d+)\s+(.*)$/.exec(line))
        .filter(m => m !== null)
        .map(m => ({ pid: Number(m[1]), command: m[2] }))
        .filter(p => !own.has(p.pid) && isPulumiProcess(p.command.split(" ")));
}

/** Where a `file://` backend URL points, `~` expanded; undefined for other backends. */
export function fileBackendDir(url: string): string | undefined {
    if (!url.startsWith("file://")) return undefined;
    const rest = decodeURIComponent(url.slice("file://".length).split("?")[0]);
    return rest === "~" || rest.startsWith("~/") ? path.join(os.homedir(), rest.slice(1)) : rest;
}

/**
 * Lock files of `stack` in a DIY backend: `.pulumi/locks/<org>/<project>/<stack>/*.json` for
 * project-scoped stacks, `.pulumi/locks/<stack>/*.json` for legacy ones.
 */
export function diyLocks(backendDir: string, project: string, stack: string): string[] {
    const locks = path.join(backendDir, ".pulumi", "locks");
    const parts = stack.split("/");
    const name = parts[parts.length - 1];
    const org = parts.length === 3 ? parts[0] : "organization";
    const dirs = [path.join(locks, org, project, name), path.join(locks, name)];
    const jsonFiles = (dir: string) =>
        fs
            .readdirSync(dir)
            .filter(f => f.endsWith(".json"))
            .map(f => path.join(dir, f));
    return dirs.flatMap(dir => (fs.existsSync(dir) ? jsonFiles(dir) : []));
}
