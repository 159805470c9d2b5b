import { CloudApiError, WaitTimeoutError } from "./errors";

/** One poll's verdict: finished with a value, or still going in the given cloud state. */
export type Poll<T> = { done: true; value: T } | { done: false; state: string };

export interface WaitOptions {
    /** Give up after this long (ms). */
    timeoutMs: number;
    /** First delay between polls (ms); grows by doubling with jitter up to maxDelayMs. */
    minDelayMs: number;
    /** Largest delay between polls (ms). */
    maxDelayMs: number;
    /** What is awaited, for progress lines and errors: `Cluster (k8s-1a2b) to be Active`. */
    what: string;
    /** Receives progress lines during long waits. */
    log?: (line: string) => void;
    /** Progress line interval (ms); default 30 s. */
    progressEveryMs?: number;
}

export function formatDuration(ms: number): string {
    const seconds = Math.floor(ms / 1000);
    const minutes = Math.floor(seconds / 60);
    const hours = Math.floor(minutes / 60);
    if (hours > 0) return `${hours}h${minutes % 60}m${seconds % 60}s`;
    if (minutes > 0) return `${minutes}m${seconds % 60}s`;
    return `${seconds}s`;
}

function delay(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * The one waiter: polls `check` with jittered exponential backoff until it reports done or
 * the deadline passes. The final sleep is shortened so a last poll happens just before the
 * deadline instead of giving up with time on the clock. Errors thrown by `check` end the wait.
 */
export async function waitUntil<T>(check: () => Promise<Poll<T>>, opts: WaitOptions): Promise<T> {
    const start = Date.now();
    const deadline = start + opts.timeoutMs;
    const progressEvery = opts.progressEveryMs ?? 30_000;
    let nextProgress = start + progressEvery;
    let backoff = Math.max(1, opts.minDelayMs);
    for (;;) {
        const res = await check();
        if (res.done) return res.value;
        const lastState = res.state;
        const now = Date.now();
        if (now >= deadline) {
            throw new WaitTimeoutError(
                `timed out after ${formatDuration(now - start)} waiting for ${opts.what} (last state: ${lastState})`,
                lastState,
            );
        }
        if (opts.log && now >= nextProgress) {
            opts.log(`waiting for ${opts.what}: ${formatDuration(now - start)} (state: ${lastState})`);
            nextProgress = now + progressEvery;
        }
        // Full jitter in [backoff/2, backoff] keeps parallel waiters from polling in lockstep.
        const jittered = backoff / 2 + Math.random() * (backoff / 2);
        await delay(Math.max(0, Math.min(jittered, deadline - Date.now())));
        backoff = Math.min(opts.maxDelayMs, backoff * 2);
    }
}

/**
 * Retries `fn` while `retryable(err)` holds, with the same jittered backoff, at most
 * `attempts` times in total. Used for throttling and transient 5xx; everything else is thrown.
 */
export async function withRetries<T>(
    fn: () => Promise<T>,
    retryable: (err: unknown) => boolean,
    opts: { attempts: number; minDelayMs: number; maxDelayMs: number },
): Promise<T> {
    let backoff = Math.max(1, opts.minDelayMs);
    for (let attempt = 1; ; attempt++) {
        try {
            return await fn();
        } catch (err) {
            if (attempt >= opts.attempts || !retryable(err)) throw err;
            await delay(backoff / 2 + Math.random() * (backoff / 2));
            backoff = Math.min(opts.maxDelayMs, backoff * 2);
        }
    }
}

/**
 * Runs independent steps concurrently; after all settle (so none is left running unobserved),
 * throws the first failure in list order.
 */
export async function allOrFirstError<T>(tasks: Array<Promise<T>>): Promise<T[]> {
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map(r => (r as PromiseFulfilledResult<T>).value);
}

/**
 * How a status ends a wait: either the `success` statuses end it (every other status keeps it
 * going: the wait for ACTIVE), or the `pending` statuses keep it going (every other status ends
 * it: the wait for a busy object to settle). `failure` statuses end it with an error either way.
 */
export type StatusTable =
    | { success?: readonly string[]; pending?: never; failure?: readonly string[] }
    | { pending: readonly string[]; success?: never; failure?: readonly string[] };

export type StatusWait<T> = WaitOptions &
    StatusTable & {
        /** One read of the object; `undefined` when it is not there (a read that finds nothing). */
        describe: () => Promise<T | undefined>;
        /** The object's status as the cloud words it (`ACTIVE`, `active_impaired`, `Successful`). */
        status: (item: T) => string;
        /** The error a `failure` status ends the wait with; default a CloudApiError naming the status. */
        failed?: (item: T, status: string) => Error;
        /** What an absent object means: the wait is over (`"done"`, value undefined), or it goes on (default). */
        gone?: "done" | "wait";
        /** The state reported while an absent object is awaited; default "unknown". */
        goneState?: string;
    };

/** One poll of a status table: done with the object, an error, or still going in a state. */
export function statusPoll<T>(spec: StatusWait<T>, item: T | undefined): Poll<T | undefined> {
    if (item === undefined) {
        return spec.gone === "done"
            ? { done: true, value: undefined }
            : { done: false, state: spec.goneState ?? "unknown" };
    }
    const status = spec.status(item);
    if (spec.failure?.includes(status)) {
        throw spec.failed?.(item, status) ?? new CloudApiError(`${spec.what}: ended in status ${status}`);
    }
    const finished = spec.pending ? !spec.pending.includes(status) : (spec.success ?? []).includes(status);
    return finished ? { done: true, value: item } : { done: false, state: status };
}

/**
 * The table-driven status waiter on `waitUntil` (same backoff, progress lines and last poll
 * before the deadline): `describe` until the status is in the table's success set (or out of its
 * pending set), throwing on a failure status; `gone` says whether an absent object ends the wait.
 */
export function waitForStatus<T>(spec: StatusWait<T> & { gone: "done" }): Promise<T | undefined>;
export function waitForStatus<T>(spec: StatusWait<T>): Promise<T>;
export async function waitForStatus<T>(spec: StatusWait<T>): Promise<T | undefined> {
    return waitUntil(async () => statusPoll(spec, await spec.describe()), spec);
}
