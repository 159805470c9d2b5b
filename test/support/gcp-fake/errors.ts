/**
 * Google's error shape for the Compute REST API. A synchronous failure is an HTTP error whose body is
 * `{"error":{"code","message","errors":[{"message","domain","reason"}]}}`; a failure found while an
 * operation runs is an HTTP 200 operation that is DONE with `error.errors[{code,message}]`, so every
 * error here knows both renderings.
 */

export interface GoogleErrorBody {
    error: {
        code: number;
        message: string;
        errors: Array<{ message: string; domain: string; reason: string }>;
    };
}

/** Operation error codes Compute uses for the HTTP reasons the fake raises. */
const OPERATION_CODES: Record<string, string> = {
    notFound: "RESOURCE_NOT_FOUND",
    alreadyExists: "RESOURCE_ALREADY_EXISTS",
    invalid: "INVALID_FIELD_VALUE",
    required: "REQUIRED_FIELD_MISSING",
    resourceInUseByAnotherResource: "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
    conditionNotMet: "CONDITION_NOT_MET",
    memberAlreadyExists: "MEMBER_ALREADY_EXISTS",
    instanceInMultipleLoadBalancedIgs: "INSTANCE_IN_MULTIPLE_LOAD_BALANCED_IGS",
    backendError: "INTERNAL_ERROR",
};

const STATUS_TEXT: Record<number, string> = {
    400: "BAD REQUEST",
    403: "FORBIDDEN",
    404: "NOT FOUND",
    409: "CONFLICT",
    412: "PRECONDITION FAILED",
    429: "TOO MANY REQUESTS",
    500: "INTERNAL SERVER ERROR",
    503: "SERVICE UNAVAILABLE",
};

export function statusText(status: number): string {
    return STATUS_TEXT[status] ?? "ERROR";
}

export class HttpError extends Error {
    /** `opCode` overrides the operation error code derived from the reason. */
    constructor(
        readonly status: number,
        readonly reason: string,
        message: string,
        private readonly opCode?: string,
    ) {
        super(message);
    }

    body(): GoogleErrorBody {
        return {
            error: {
                code: this.status,
                message: this.message,
                errors: [{ message: this.message, domain: "global", reason: this.reason }],
            },
        };
    }

    operationCode(): string {
        return this.opCode ?? OPERATION_CODES[this.reason] ?? this.reason.toUpperCase();
    }
}

export function notFound(resourcePath: string): HttpError {
    return new HttpError(404, "notFound", `The resource '${resourcePath}' was not found`);
}

export function alreadyExists(resourcePath: string): HttpError {
    return new HttpError(409, "alreadyExists", `The resource '${resourcePath}' already exists`);
}

export function invalidField(field: string, value: unknown, why: string): HttpError {
    const shown = typeof value === "string" ? value : JSON.stringify(value ?? "");
    return new HttpError(400, "invalid", `Invalid value for field '${field}': '${shown}'. ${why}`);
}

export function required(field: string): HttpError {
    return new HttpError(400, "required", `Required field '${field}' not specified`);
}

export function inUse(kind: string, resourcePath: string, usedBy: string): HttpError {
    return new HttpError(
        400,
        "resourceInUseByAnotherResource",
        `The ${kind} resource '${resourcePath}' is already being used by '${usedBy}'`,
    );
}

export function conditionNotMet(message: string): HttpError {
    return new HttpError(412, "conditionNotMet", message);
}

// ---------------------------------------------------------------------------------------------
// Kubernetes Engine (container v1)

/** google.rpc.Code numbers, which the REST fallback of google-gax turns the body's `status` into. */
export const RPC_CODES: Readonly<Record<string, number>> = {
    OK: 0,
    CANCELLED: 1,
    UNKNOWN: 2,
    INVALID_ARGUMENT: 3,
    DEADLINE_EXCEEDED: 4,
    NOT_FOUND: 5,
    ALREADY_EXISTS: 6,
    PERMISSION_DENIED: 7,
    RESOURCE_EXHAUSTED: 8,
    FAILED_PRECONDITION: 9,
    ABORTED: 10,
    OUT_OF_RANGE: 11,
    UNIMPLEMENTED: 12,
    INTERNAL: 13,
    UNAVAILABLE: 14,
    DATA_LOSS: 15,
    UNAUTHENTICATED: 16,
};

/** HTTP status and legacy `errors[].reason` GKE pairs with each status (as in "Error 400: …, badRequest"). */
const RPC_HTTP: Readonly<Record<string, [number, string]>> = {
    INVALID_ARGUMENT: [400, "badRequest"],
    FAILED_PRECONDITION: [400, "failedPrecondition"],
    OUT_OF_RANGE: [400, "badRequest"],
    UNAUTHENTICATED: [401, "unauthorized"],
    PERMISSION_DENIED: [403, "forbidden"],
    NOT_FOUND: [404, "notFound"],
    ALREADY_EXISTS: [409, "alreadyExists"],
    ABORTED: [409, "aborted"],
    RESOURCE_EXHAUSTED: [429, "rateLimitExceeded"],
    INTERNAL: [500, "backendError"],
    UNIMPLEMENTED: [501, "notImplemented"],
    UNAVAILABLE: [503, "backendError"],
    DEADLINE_EXCEEDED: [504, "deadlineExceeded"],
};

const HTTP_RPC: Readonly<Record<number, string>> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
};

/** Compute-style reasons an injected failure may name, read as the status they stand for. */
const REASON_RPC: Readonly<Record<string, string>> = {
    QUOTA_EXCEEDED: "RESOURCE_EXHAUSTED",
    backendError: "INTERNAL",
    notFound: "NOT_FOUND",
    alreadyExists: "ALREADY_EXISTS",
    conditionNotMet: "FAILED_PRECONDITION",
};

/** A GKE refusal: HTTP status and reason follow from the google.rpc status name. */
export class RpcError extends HttpError {
    constructor(
        readonly rpcStatus: string,
        message: string,
    ) {
        const [status, reason] = RPC_HTTP[rpcStatus] ?? [500, "backendError"];
        super(status, reason, message);
    }
}

/** The google.rpc status name of any fake error: its own, the one its reason names, or its HTTP status's. */
export function rpcStatusOf(err: HttpError): string {
    if (err instanceof RpcError) return err.rpcStatus;
    if (RPC_CODES[err.reason] !== undefined) return err.reason;
    if (err.status === 503) return "UNAVAILABLE";
    return REASON_RPC[err.reason] ?? HTTP_RPC[err.status] ?? "UNKNOWN";
}

export interface GkeErrorBody {
    error: {
        code: number;
        message: string;
        status: string;
        errors: Array<{ message: string; domain: string; reason: string }>;
    };
}

/** container.googleapis.com errors carry the google.rpc `status` name besides the legacy `errors[]`. */
export function gkeErrorBody(err: HttpError): GkeErrorBody {
    return {
        error: {
            code: err.status,
            message: err.message,
            status: rpcStatusOf(err),
            errors: [{ message: err.message, domain: "global", reason: err.reason }],
        },
    };
}
