/**
 * Typed errors every driver throws. Resources branch on these classes and never parse a
 * cloud's message text; the cloud's own error is kept as `cause` for the user to read.
 */

export type SpiderErrorCode = "NotFound" | "AlreadyExists" | "NotSupported" | "Validation" | "WaitTimeout" | "CloudApi";

export class SpiderError extends Error {
    readonly code: SpiderErrorCode;
    readonly cause?: unknown;
    constructor(code: SpiderErrorCode, message: string, cause?: unknown) {
        super(message);
        this.code = code;
        this.cause = cause;
        this.name = `${code}Error`;
    }
}

/** The named cloud object does not exist (or no longer exists). */
export class NotFoundError extends SpiderError {
    constructor(message: string, cause?: unknown) {
        super("NotFound", message, cause);
    }
}

/**
 * A cloud object with the same unique name already exists. From a create this promises that the
 * object's own name is taken and nothing was created: the object under that name belongs to
 * someone else, so resources must not record it. A conflict on a later part is `asPartConflict`.
 */
export class AlreadyExistsError extends SpiderError {
    constructor(message: string, cause?: unknown) {
        super("AlreadyExists", message, cause);
    }
}

/** The driver or the cloud cannot do this at all (e.g. GLOBAL scope on AWS). */
export class NotSupportedError extends SpiderError {
    constructor(message: string, cause?: unknown) {
        super("NotSupported", message, cause);
    }
}

/** One problem with one input field, named by its property path (`listener.port`). */
export interface FieldIssue {
    property: string;
    reason: string;
}

/** Input the cloud would refuse; `issues` lists every bad field at once. */
export class ValidationError extends SpiderError {
    readonly issues: FieldIssue[];
    constructor(issues: FieldIssue[], cause?: unknown) {
        super("Validation", issues.map(i => `${i.property}: ${i.reason}`).join("; "), cause);
        this.issues = issues;
    }
}

/** A waiter reached its deadline; `lastState` is what the cloud last reported. */
export class WaitTimeoutError extends SpiderError {
    readonly lastState?: string;
    constructor(message: string, lastState?: string) {
        super("WaitTimeout", message);
        this.lastState = lastState;
    }
}

/** Any other cloud failure; `retryable` marks throttling and 5xx the driver gave up on. */
export class CloudApiError extends SpiderError {
    readonly retryable: boolean;
    constructor(message: string, cause?: unknown, retryable = false) {
        super("CloudApi", message, cause);
        this.retryable = retryable;
    }
}

export function isNotFound(err: unknown): boolean {
    return err instanceof SpiderError && err.code === "NotFound";
}

export function isAlreadyExists(err: unknown): boolean {
    return err instanceof SpiderError && err.code === "AlreadyExists";
}

/** The message of an error and of its `cause` chain, for reports. */
export function describeError(err: unknown): string {
    const parts: string[] = [];
    let cur: unknown = err;
    const seen = new Set<unknown>();
    while (cur !== undefined && cur !== null && !seen.has(cur) && parts.length < 5) {
        seen.add(cur);
        if (cur instanceof Error) {
            parts.push(cur.message);
            cur = (cur as { cause?: unknown }).cause;
        } else {
            const msg =
                typeof cur === "object" && typeof (cur as { message?: unknown }).message === "string"
                    ? (cur as { message: string }).message
                    : typeof cur === "object"
                      ? JSON.stringify(cur)
                      : String(cur);
            parts.push(msg);
            break;
        }
    }
    const uniq = parts.filter((p, i) => p && parts.indexOf(p) === i);
    return uniq.join(": caused by: ");
}

/**
 * A name conflict on a part made after a create's own object exists is a failure of that create,
 * not a sign that someone else owns the name: report it as CloudApiError (the conflict as its
 * cause), so the resource still looks for what a failed rollback left behind.
 */
export function asPartConflict(err: unknown): unknown {
    return err instanceof AlreadyExistsError ? new CloudApiError(err.message, err) : err;
}
