import type { Capabilities, Connection, DriverContext, Iid } from "../../interface/driver";
import { ValidationError } from "../../interface/errors";
import { UndoStack } from "../../interface/undo";
import { Poll, waitUntil, withRetries } from "../../interface/wait";
import { DEFAULT_REGION, defaultStateDir, LocalCloud, StoreState } from "./store";

/** Everything one `open()` of the local driver needs; built per call, never cached. */
export interface LocalSession {
    cloud: LocalCloud;
    caps: Capabilities;
    region: string;
    log?: (line: string) => void;
    poll: { minDelayMs: number; maxDelayMs: number };
    timeouts: { create: number; update: number; delete: number };
}

/** Transitions settle after a few polls, so minutes are generous; tests override via ctx. */
export const DEFAULT_TIMEOUTS = { create: 120_000, update: 120_000, delete: 120_000 };
export const DEFAULT_POLL = { minDelayMs: 50, maxDelayMs: 500 };
const RETRY_ATTEMPTS = 5;

export function openSession(conn: Connection, ctx: DriverContext, caps: Capabilities): LocalSession {
    const region = conn.region ?? DEFAULT_REGION;
    return {
        cloud: new LocalCloud(conn.localStateDir ?? defaultStateDir(), { region }),
        caps,
        region,
        log: ctx.log,
        poll: ctx.poll ?? DEFAULT_POLL,
        timeouts: { ...DEFAULT_TIMEOUTS, ...ctx.timeouts },
    };
}

export function isRetryable(err: unknown): boolean {
    const shape = err as { code?: unknown; retryable?: unknown } | undefined;
    return shape?.code === "CloudApi" && shape.retryable === true;
}

/** One embedded-cloud API call, retried on throttling like a real SDK call would be. */
export function call<T>(
    session: LocalSession,
    op: string | null,
    what: string,
    fn: (state: StoreState) => T,
): Promise<T> {
    return withRetries(() => session.cloud.step(op, what, fn), isRetryable, {
        attempts: RETRY_ATTEMPTS,
        minDelayMs: session.poll.minDelayMs,
        maxDelayMs: session.poll.maxDelayMs,
    });
}

/** The fault point every public driver operation passes first. */
export function enter(session: LocalSession, op: string, what: string): Promise<void> {
    return call(session, op, what, () => undefined);
}

export function wait<T>(
    session: LocalSession,
    phase: "create" | "update" | "delete",
    what: string,
    check: () => Promise<Poll<T>>,
): Promise<T> {
    return waitUntil(check, {
        timeoutMs: session.timeouts[phase],
        minDelayMs: session.poll.minDelayMs,
        maxDelayMs: session.poll.maxDelayMs,
        what,
        log: session.log,
        // Local transitions settle within a few polls; a wait ten polls long is worth reporting.
        progressEveryMs: 10 * session.poll.maxDelayMs,
    });
}

export function label(iid: Iid): string {
    return iid.nameId || iid.systemId || "<no name>";
}

/** Finds a managed object by Iid; the systemId wins when both are set. */
export function matchIid<T extends { id: string; name: string }>(records: T[], iid: Iid): T | undefined {
    if (iid.systemId) return records.find(r => r.id === iid.systemId);
    if (iid.nameId) return records.find(r => r.name === iid.nameId);
    return undefined;
}

export function requireIid(iid: Iid, property: string): void {
    if (!iid || (!iid.nameId && !iid.systemId)) {
        throw new ValidationError([{ property, reason: "needs a nameId or a systemId" }]);
    }
}

/**
 * The undo stack of a create whose one undo removes the object it made (`part`, e.g. `Nlb web`):
 * `undo.fail(err)` rolls it back and throws `err`, a failed removal hung under it as its cause.
 */
export function undoCreate(what: string, part: string, remove: () => Promise<void>): UndoStack {
    const undo = new UndoStack(what);
    undo.push(part, remove);
    return undo;
}

export function copyTags(tags: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k, String(v)]));
}
