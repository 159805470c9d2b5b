/**
 * The one undo stack of every driver's transactional operations (a create made of several cloud
 * steps, an update that swaps parts). After each cloud step succeeds its undo is pushed; when a
 * later step fails the undos run newest-first, every one of them even after a failure, and the
 * ORIGINAL error is thrown. What could not be undone is hung under it as its `cause`, a
 * `RollbackError` naming each part left behind, so `describeError` shows both and the resource
 * still looks for those parts. A clean rollback adds nothing to the original error.
 *
 *     const undo = new UndoStack(what, { log, creates: true });
 *     try {
 *         const lb = await undo.anchor(() => createLoadBalancer());       // claims the name
 *         undo.push(`load balancer ${lb.arn}`, () => deleteLoadBalancer(lb.arn));
 *         ...
 *     } catch (err) {
 *         return undo.fail(err);                                          // rolls back, throws
 *     }
 *
 * or, the same in one call: `transaction(what, { log, creates: true }, async undo => { ... })`.
 */
import { asPartConflict, CloudApiError, describeError } from "./errors";

/** One undo: how to take back a step that succeeded. */
export interface UndoStep {
    /** The part the step made, for progress and reports: `target group arn:…`, `health check web-hc`. */
    name: string;
    /**
     * What stays wrong when this undo fails; default `<name> left behind`. Steps that restore
     * rather than delete say so: `forwarding rule web-fr (TCP:80) not restored`.
     */
    leftBehind?: string;
    run(): Promise<void>;
}

/** One undo that failed, in the order the undos ran (newest step first). */
export interface UndoFailure {
    step: string;
    leftBehind: string;
    error: unknown;
}

/**
 * Hung under the original error as its `cause` when undos failed. Its own `cause` is what the
 * original's cause was before, so nothing of the original chain is lost.
 */
export class RollbackError extends CloudApiError {
    readonly failures: readonly UndoFailure[];
    constructor(what: string, failures: readonly UndoFailure[], previousCause?: unknown) {
        const items = failures.map(f => `${f.leftBehind} (rollback failed: ${describeError(f.error)})`);
        super(`${what}: rollback incomplete, left parts behind: ${items.join("; ")}`, previousCause);
        this.failures = failures;
    }

    /** Every part the rollback left, as the steps word it. */
    get leftBehind(): string[] {
        return this.failures.map(f => f.leftBehind);
    }
}

/**
 * Keeps `original` as the error to throw and hangs a RollbackError for `failures` under it as its
 * `cause` (no failures: `original` unchanged). A non-Error original is wrapped in a CloudApiError,
 * so the failures are never lost.
 */
export function attachUndoFailures(original: unknown, what: string, failures: readonly UndoFailure[]): unknown {
    if (failures.length === 0) return original;
    if (!(original instanceof Error)) {
        return new CloudApiError(`${what}: ${String(original)}`, new RollbackError(what, failures));
    }
    const descriptor = Object.getOwnPropertyDescriptor(original, "cause");
    const rollback = new RollbackError(what, failures, descriptor?.value);
    // Keep the property as enumerable as it was (own field on SpiderErrors, hidden on plain Errors).
    Object.defineProperty(original, "cause", {
        value: rollback,
        enumerable: descriptor?.enumerable ?? false,
        configurable: true,
        writable: true,
    });
    return original;
}

/** Runs undo steps newest-first, never stopping at a failure; returns the failures. */
export async function runUndos(steps: readonly UndoStep[]): Promise<UndoFailure[]> {
    const failures: UndoFailure[] = [];
    for (const step of [...steps].reverse()) {
        try {
            await step.run();
        } catch (err) {
            failures.push({ step: step.name, leftBehind: step.leftBehind ?? `${step.name} left behind`, error: err });
        }
    }
    return failures;
}

export interface UndoOptions {
    /** Receives `<what> failed; removing the N part(s) created so far` before a rollback. */
    log?: (line: string) => void;
    /**
     * The operation creates an object under a name of its own: a name conflict from any step
     * except the `anchor` (the step that claims that name) is then a failure of this create, not
     * a sign that someone else owns the name, and is thrown as `asPartConflict` makes it.
     */
    creates?: boolean;
}

export class UndoStack {
    private readonly steps: UndoStep[] = [];
    private anchorFailure: unknown = undefined;

    /** `what` is the operation as the user reads it: `creating Nlb (web-1a2b)`. */
    constructor(
        readonly what: string,
        private readonly opts: UndoOptions = {},
    ) {}

    /** How many undos are recorded. */
    get size(): number {
        return this.steps.length;
    }

    /** Records the undo of a step that just succeeded. Safe from concurrent steps. */
    push(step: UndoStep): void;
    push(name: string, run: () => Promise<void>, leftBehind?: string): void;
    push(stepOrName: UndoStep | string, run?: () => Promise<void>, leftBehind?: string): void {
        if (typeof stepOrName !== "string") {
            this.steps.push(stepOrName);
            return;
        }
        if (!run) throw new TypeError(`UndoStack.push(${stepOrName}): no undo function`);
        this.steps.push({ name: stepOrName, run, ...(leftBehind === undefined ? {} : { leftBehind }) });
    }

    /**
     * Runs the step of a create that claims the object's own name (the load balancer, the backend
     * service, the control plane). A name conflict from it means the name is taken and nothing of
     * this operation owns it, so it stays AlreadyExistsError; with `creates`, a conflict from any
     * other step is a failure of this operation (`asPartConflict`: CloudApiError).
     */
    async anchor<T>(step: () => Promise<T>): Promise<T> {
        try {
            return await step();
        } catch (err) {
            this.anchorFailure = err;
            throw err;
        }
    }

    /** Runs every recorded undo newest-first and forgets them; returns the undos that failed. */
    async rollback(): Promise<UndoFailure[]> {
        const steps = this.steps.splice(0, this.steps.length);
        return runUndos(steps);
    }

    /**
     * The failure path: rolls back and throws `err` (for a create, a name conflict that did not
     * come from the anchor turned into a part conflict) with the undos that failed hung under it.
     */
    async fail(err: unknown): Promise<never> {
        this.opts.log?.(`${this.what} failed; removing the ${this.size} part(s) created so far`);
        const original = this.opts.creates && err !== this.anchorFailure ? asPartConflict(err) : err;
        throw attachUndoFailures(original, this.what, await this.rollback());
    }
}

/** Runs `body` with a fresh undo stack; on failure rolls it back and throws (see `UndoStack.fail`). */
export async function transaction<T>(
    what: string,
    opts: UndoOptions,
    body: (undo: UndoStack) => Promise<T>,
): Promise<T> {
    const undo = new UndoStack(what, opts);
    try {
        return await body(undo);
    } catch (err) {
        return undo.fail(err);
    }
}
