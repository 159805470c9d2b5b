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
