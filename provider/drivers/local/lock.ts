import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { waitUntil } from "../../interface/wait";

/**
 * An exclusive lock file shared by every process using one state folder. Creation with the "wx"
 * flag is atomic on local file systems, so exactly one creator wins; losers poll with jittered
 * backoff. A lock whose holder died (or that is held far longer than any critical section can
 * take) is broken so one crashed `pulumi up` cannot wedge the embedded cloud forever.
 */

export interface LockOptions {
    /** Give up acquiring after this long (ms). */
    timeoutMs: number;
    /** A lock older than this is broken even if its holder looks alive (PID reuse, hung process). */
    staleMs: number;
}

interface Holder {
    pid: number;
    host: string;
    acquiredAt: number;
    token: string;
}

const BREAKER_STALE_MS = 5_000;

export function isProcessAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        // EPERM: the process exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

function errno(err: unknown): string | undefined {
    return (err as NodeJS.ErrnoException | undefined)?.code;
}

function parseHolder(raw: string): Holder | null {
    try {
        const holder = JSON.parse(raw) as Partial<Holder>;
        if (typeof holder.pid === "number" && typeof holder.host === "string" && typeof holder.token === "string") {
            return {
                pid: holder.pid,
                host: holder.host,
                token: holder.token,
                acquiredAt: Number(holder.acquiredAt) || 0,
            };
        }
    } catch {
        // A holder between create and write leaves an empty file for a moment.
    }
    return null;
}

function tryCreate(lockPath: string, content: string): boolean {
    let fd: number;
    try {
        fd = fs.openSync(lockPath, "wx");
    } catch (err) {
        if (errno(err) === "EEXIST") return false;
        throw err;
    }
    try {
        fs.writeSync(fd, content);
    } finally {
        fs.closeSync(fd);
    }
    return true;
}

function readLock(lockPath: string): { raw: string; ageMs: number } | null {
    try {
        const stat = fs.statSync(lockPath);
        return { raw: fs.readFileSync(lockPath, "utf8"), ageMs: Date.now() - stat.mtimeMs };
    } catch (err) {
        if (errno(err) === "ENOENT") return null;
        throw err;
    }
}

/** Why the current lock may be broken, or null while it is legitimately held. */
function staleReason(raw: string, ageMs: number, staleMs: number): string | null {
    const holder = parseHolder(raw);
    if (!holder) return ageMs > staleMs ? `unreadable lock ${Math.round(ageMs)} ms old` : null;
    if (holder.host === os.hostname() && !isProcessAlive(holder.pid)) return `holder pid ${holder.pid} is dead`;
    if (ageMs > staleMs) return `held by pid ${holder.pid} for ${Math.round(ageMs)} ms`;
    return null;
}

/**
 * Removes a stale lock without racing other breakers: only the holder of the ".break" file may
 * unlink, and only if the lock still has the exact content judged stale (otherwise a fresh lock
 * taken meanwhile by a live process would be destroyed).
 */
function breakLock(lockPath: string, judged: string): void {
    const breaker = `${lockPath}.break`;
    if (!tryCreate(breaker, String(process.pid))) {
        const current = readLock(breaker);
        if (current && current.ageMs > BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
        return;
    }
    try {
        const now = readLock(lockPath);
        if (now && now.raw === judged) fs.rmSync(lockPath, { force: true });
    } finally {
        fs.rmSync(breaker, { force: true });
    }
}

function release(lockPath: string, token: string): void {
    const cur = readLock(lockPath);
    // Our lock may have been broken as stale; never delete a lock someone else now holds.
    if (cur && parseHolder(cur.raw)?.token === token) fs.rmSync(lockPath, { force: true });
}

/** Runs the synchronous critical section `fn` while holding the lock file. */
export async function withFileLock<T>(lockPath: string, fn: () => T, opts: LockOptions): Promise<T> {
    const holder: Holder = {
        pid: process.pid,
        host: os.hostname(),
        acquiredAt: Date.now(),
        token: crypto.randomBytes(8).toString("hex"),
    };
    await waitUntil<void>(
        async () => {
            holder.acquiredAt = Date.now();
            if (tryCreate(lockPath, JSON.stringify(holder))) return { done: true, value: undefined };
            const cur = readLock(lockPath);
            if (!cur) return { done: false, state: "released" };
            const reason = staleReason(cur.raw, cur.ageMs, opts.staleMs);
            if (reason) {
                breakLock(lockPath, cur.raw);
                return { done: false, state: `broke stale lock (${reason})` };
            }
            return { done: false, state: `held by ${cur.raw || "a process that is still writing it"}` };
        },
        { timeoutMs: opts.timeoutMs, minDelayMs: 1, maxDelayMs: 25, what: `the lock ${lockPath}` },
    );
    try {
        return fn();
    } finally {
        release(lockPath, holder.token);
    }
}
