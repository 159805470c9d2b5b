import type { Capabilities, Connection, DriverContext, Iid } from "../../interface/driver";
import { AlreadyExistsError, FieldIssue, NotFoundError, ValidationError } from "../../interface/errors";
import { throwIfIssues } from "../../interface/rules";
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

/** How the local cloud keeps one kind of record, for the describe and the waits every kind shares. */
export interface Kept<R extends { id: string; status: string }> {
    /** The describe's operation (a fault point), e.g. `describeNlb`. */
    op: string;
    /** The record in errors: "the <noun> disappeared …", "<aNoun> named … already exists". */
    noun: string;
    aNoun: string;
    /** The part of `what` that names the record, for the waits' progress lines. */
    subject: (what: string) => string;
    list: (state: StoreState) => R[];
    /** Moves the record along its transition; false once that has deleted it. */
    observe: (state: StoreState, rec: R) => boolean;
    drop: (state: StoreState, rec: R) => void;
}

/**
 * The first cloud call of a create, in one step so a racing create of the same name is refused:
 * the request checked against the state, the name found free, the new record stored. Its id.
 */
export function insertKept<R extends { id: string; status: string; name: string }>(
    session: LocalSession,
    kept: Kept<R>,
    step: { op: string; what: string; name: string },
    issues: (state: StoreState) => FieldIssue[],
    build: (state: StoreState) => R,
): Promise<string> {
    return call(session, step.op, step.what, state => {
        throwIfIssues(issues(state));
        if (kept.list(state).some(rec => rec.name === step.name)) {
            throw new AlreadyExistsError(`${step.what}: ${kept.aNoun} named "${step.name}" already exists`);
        }
        const rec = build(state);
        kept.list(state).push(rec);
        return rec.id;
    });
}

/** A copy of the record as stored, without the poll a describe counts (null when there is none). */
export function peekKept<R extends { id: string; status: string }>(
    session: LocalSession,
    kept: Kept<R>,
    id: string,
    what: string,
): Promise<R | null> {
    return call(session, null, what, state => {
        const found = kept.list(state).find(rec => rec.id === id);
        return found ? structuredClone(found) : null;
    });
}

/** One describe: counts as a poll of the record; null when it does not exist (any more). */
export function describeKept<R extends { id: string; status: string }>(
    session: LocalSession,
    kept: Kept<R>,
    what: string,
    pick: (state: StoreState) => string | undefined,
): Promise<R | null> {
    return call(session, kept.op, what, state => {
        const id = pick(state);
        const rec = kept.list(state).find(candidate => candidate.id === id);
        if (!rec) return null;
        if (!kept.observe(state, rec)) {
            kept.drop(state, rec);
            return null;
        }
        return structuredClone(rec);
    });
}

export function waitKeptActive<R extends { id: string; status: string }>(
    session: LocalSession,
    kept: Kept<R>,
    id: string,
    what: string,
    phase: "create" | "update",
): Promise<R> {
    return wait(session, phase, `${kept.subject(what)} to be Active`, async () => {
        const rec = await describeKept(session, kept, what, () => id);
        if (!rec)
            throw new NotFoundError(`${what}: the ${kept.noun} disappeared while waiting for it to become Active`);
        return rec.status === "Active" ? { done: true, value: rec } : { done: false, state: rec.status };
    });
}

export async function waitKeptGone<R extends { id: string; status: string }>(
    session: LocalSession,
    kept: Kept<R>,
    id: string,
    what: string,
): Promise<void> {
    await wait(session, "delete", `${kept.subject(what)} to be deleted`, async () => {
        const rec = await describeKept(session, kept, what, () => id);
        return rec ? { done: false, state: rec.status } : { done: true, value: undefined };
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
