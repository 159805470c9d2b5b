import { WaitTimeoutError } from "./errors";

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
    const s = Math.floor(ms / 1000);
    const m = Math.floor(s / 60);
    const h = Math.floor(m / 60);
    if (h > 0) return `${h}h${m % 60}m${s % 60}s`;
    if (m > 0) return `${m}m${s % 60}s`;
    return `${s}s`;
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
    let lastState = "unknown";
    for (;;) {
        const res = await check();
        if (res.done) return res.value;
        lastState = res.state;
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
