/**
 * AWS SDK v3 clients for one `open()` call, the per-call context the handlers share, and the
 * translation of AWS errors into the project's typed errors.
 */
import { DescribeSubnetsCommand, EC2Client, Subnet } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import type { Connection, DriverContext } from "../../interface/driver";
import type { WaitOptions } from "../../interface/wait";
import type { FieldIssue } from "../../interface/errors";
import { AlreadyExistsError, CloudApiError, NotFoundError, SpiderError, ValidationError } from "../../interface/errors";

/**
 * Attempts per API call in the SDK's `standard` retry mode (1 call + 4 retries). Standard mode
 * retries throttling, transient 5xx and connection errors with jittered exponential backoff
 * (base 100 ms, capped at 20 s) under a client-side retry quota, so a call gives up after at most
 * ~40 s of backoff; what is still failing then surfaces as a retryable CloudApiError.
 */
export const SDK_MAX_ATTEMPTS = 5;

export interface AwsClients {
    region: string;
    elb: ElasticLoadBalancingV2Client;
    eks: EKSClient;
    ec2: EC2Client;
    iam: IAMClient;
}

/** What every handler function receives: clients, the caller's context and the timing policy. */
export interface AwsSession {
    conn: Connection;
    ctx: DriverContext;
    clients: AwsClients;
    log(line: string): void;
    /** Poll delays for a kind of wait; `ctx.poll` wins when given. */
    poll(kind: "nlb" | "cluster"): { minDelayMs: number; maxDelayMs: number };
    /** Wait budget (ms) for one operation; `ctx.timeouts` wins when given. */
    timeout(kind: "nlb" | "cluster" | "nodegroup", op: "create" | "update" | "delete"): number;
}

const POLL_DEFAULTS = {
    nlb: { minDelayMs: 2_000, maxDelayMs: 15_000 },
    cluster: { minDelayMs: 5_000, maxDelayMs: 30_000 },
};

/** Realistic AWS durations: EKS control planes take 10–20 min, node groups up to ~40 min. */
const TIMEOUT_DEFAULTS = {
    nlb: { create: 10 * 60_000, update: 10 * 60_000, delete: 10 * 60_000 },
    cluster: { create: 30 * 60_000, update: 60 * 60_000, delete: 30 * 60_000 },
    nodegroup: { create: 40 * 60_000, update: 60 * 60_000, delete: 40 * 60_000 },
};

export function regionOf(conn: Connection): string {
    return conn.region ?? process.env.AWS_REGION ?? "us-east-1";
}

export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

export function makeClients(conn: Connection, ctx: DriverContext): AwsClients {
    const region = regionOf(conn);
    const cfg = ctx.config ?? {};
    const credentials =
        cfg.awsAccessKeyId && cfg.awsSecretAccessKey
            ? {
                  accessKeyId: cfg.awsAccessKeyId,
                  secretAccessKey: cfg.awsSecretAccessKey,
                  sessionToken: cfg.awsSessionToken || undefined,
              }
            : undefined;
    const common = {
        region,
        maxAttempts: SDK_MAX_ATTEMPTS,
        retryMode: "standard",
        ...(conn.endpoint ? { endpoint: conn.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        ...(!credentials && cfg.awsProfile ? { profile: cfg.awsProfile } : {}),
    };
    return {
        region,
        elb: new ElasticLoadBalancingV2Client(common),
        eks: new EKSClient(common),
        ec2: new EC2Client(common),
        // IAM is global; only an emulator endpoint overrides where it lives.
        iam: new IAMClient(common),
    };
}

export function makeSession(conn: Connection, ctx: DriverContext): AwsSession {
    const clients = makeClients(conn, ctx);
    return {
        conn,
        ctx,
        clients,
        log: line => ctx.log?.(line),
        poll: kind => ctx.poll ?? POLL_DEFAULTS[kind],
        timeout: (kind, op) => ctx.timeouts?.[op] ?? TIMEOUT_DEFAULTS[kind][op],
    };
}

// ---------------------------------------------------------------------------------------------
// Errors

interface AwsErrorShape {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
}

/** The AWS error code without the SDK's `Exception` suffix: `LoadBalancerNotFound`. */
export function errorCode(err: unknown): string {
    if (!err || typeof err !== "object") return "";
    const shape = err as AwsErrorShape;
    const raw = shape.Code ?? shape.name ?? "";
    return raw.replace(/Exception$/, "");
}

function httpStatus(err: unknown): number {
    return (err as AwsErrorShape | undefined)?.$metadata?.httpStatusCode ?? 0;
}

const NOT_FOUND = new Set([
    "LoadBalancerNotFound",
    "TargetGroupNotFound",
    "ListenerNotFound",
    "ResourceNotFound",
    "NoSuchEntity",
    "InvalidInstanceID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidVpcID.NotFound",
    "NotFound",
]);
const ALREADY_EXISTS = new Set([
    "DuplicateLoadBalancerName",
    "DuplicateTargetGroupName",
    "DuplicateListener",
    "EntityAlreadyExists",
]);
const VALIDATION = new Set([
    "ValidationError",
    "Validation",
    "InvalidParameter",
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "InvalidConfigurationRequest",
    "IncompatibleProtocols",
    "InvalidSubnet",
    "InvalidScheme",
    "InvalidTarget",
    "InvalidSecurityGroup",
    "UnsupportedProtocol",
    "SubnetNotFound",
    "UnsupportedAvailabilityZone",
    "InvalidRequest",
    "MalformedPolicyDocument",
]);
const THROTTLING = new Set([
    "Throttling",
    "ThrottlingException",
    "TooManyRequests",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "ProvisionedThroughputExceeded",
    "PriorRequestNotComplete",
    "EC2Throttled",
]);

export function isThrottle(err: unknown): boolean {
    const code = errorCode(err);
    return (
        THROTTLING.has(code) ||
        THROTTLING.has(`${code}Exception`) ||
        httpStatus(err) === 429 ||
        (err as AwsErrorShape | undefined)?.$retryable?.throttling === true
    );
}

export function isRetryable(err: unknown): boolean {
    const status = httpStatus(err);
    return isThrottle(err) || status >= 500;
}

export function isAwsNotFound(err: unknown): boolean {
    return err instanceof NotFoundError || NOT_FOUND.has(errorCode(err));
}

/**
 * Turns an AWS SDK error into a typed error. `what` is the operation as the user sees it
 * (`creating Nlb (web-1a2b)`); `property` names the input field a ValidationError is about, and
 * `resourceInUseMeansExists` tells whether EKS's ResourceInUseException means "name taken" here.
 */
export function translateAwsError(
    err: unknown,
    what: string,
    opts: { property?: string; resourceInUseMeansExists?: boolean } = {},
): SpiderError {
    if (err instanceof SpiderError) return err;
    const code = errorCode(err);
    const msg = (err as AwsErrorShape | undefined)?.message || code || String(err);
    const text = `${what}: ${code && !msg.startsWith(code) ? `${code}: ` : ""}${msg}`;
    if (NOT_FOUND.has(code)) return new NotFoundError(text, err);
    if (ALREADY_EXISTS.has(code)) return new AlreadyExistsError(text, err);
    if (code === "ResourceInUse" && opts.resourceInUseMeansExists) return new AlreadyExistsError(text, err);
    if (VALIDATION.has(code)) {
        return new ValidationError([{ property: opts.property ?? "", reason: `${what}: ${code}: ${msg}` }], err);
    }
    if (isRetryable(err)) return new CloudApiError(`${text} (gave up after ${SDK_MAX_ATTEMPTS} attempts)`, err, true);
    return new CloudApiError(text, err, false);
}

/** Runs one SDK call and translates its failure. */
export async function aws<T>(
    what: string,
    call: () => Promise<T>,
    opts: { property?: string; resourceInUseMeansExists?: boolean } = {},
): Promise<T> {
    try {
        return await call();
    } catch (err) {
        throw translateAwsError(err, what, opts);
    }
}

/** Options of one wait: the kind's poll delays, the session's progress sink. */
export function waitOptions(
    session: AwsSession,
    kind: "nlb" | "cluster",
    timeoutMs: number,
    what: string,
): WaitOptions {
    return { timeoutMs, ...session.poll(kind), what, log: session.ctx.log };
}

/** The answer of a read, or undefined when what it reads is gone (any other failure is thrown). */
export async function unlessGone<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
        return await read();
    } catch (err) {
        if (isAwsNotFound(err)) return undefined;
        throw err;
    }
}

export function isoTime(when: Date | string | undefined): string {
    if (!when) return "";
    const date = when instanceof Date ? when : new Date(when);
    return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

/**
 * The named subnets as EC2 describes them, with an issue (at `property[i]`) for each one that does
 * not exist or is outside `vpc`; `owner` names what the VPC belongs to ("the NLB", "the cluster").
 */
export async function subnetsInVpc(
    session: AwsSession,
    subnets: string[],
    vpc: string,
    where: { property: string; owner: string; what: string },
): Promise<{ found: Subnet[]; issues: FieldIssue[] }> {
    if (subnets.length === 0) return { found: [], issues: [] };
    const describe = (): Promise<{ Subnets?: Subnet[] }> =>
        session.clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnets }));
    const found = (await aws(where.what, describe, { property: where.property })).Subnets ?? [];
    const issues = subnets.flatMap((subnet, i): FieldIssue[] => {
        const described = found.find(f => f.SubnetId === subnet);
        const property = `${where.property}[${i}]`;
        if (!described) return [{ property, reason: `subnet ${subnet} does not exist` }];
        const reason = `subnet ${subnet} is in ${described.VpcId}, not in ${where.owner}'s VPC ${vpc}`;
        return described.VpcId === vpc ? [] : [{ property, reason }];
    });
    return { found, issues };
}
