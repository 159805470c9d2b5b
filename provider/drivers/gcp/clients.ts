/**
 * Compute Engine clients for one `open()` call, the settings they need, error translation and the
 * operation waiter. Compute mutations return an operation and do not poll on their own; a failed
 * operation is an HTTP 200 whose body is DONE with `error`, so every wait here checks `op.error`.
 */
import { randomUUID } from "crypto";
import * as path from "path";
import type {
    AddressesClient,
    ForwardingRulesClient,
    InstanceGroupManagersClient,
    InstanceGroupsClient,
    InstancesClient,
    NetworksClient,
    RegionBackendServicesClient,
    RegionHealthChecksClient,
    RegionOperationsClient,
    SubnetworksClient,
    ZoneOperationsClient,
    protos,
} from "@google-cloud/compute";
import type { v1 as containerV1 } from "@google-cloud/container";
import type { Connection, DriverContext } from "../../interface/driver";
import {
    AlreadyExistsError,
    CloudApiError,
    FieldIssue,
    NotFoundError,
    SpiderError,
    ValidationError,
} from "../../interface/errors";
import { waitForStatus, withRetries } from "../../interface/wait";

export type IOperation = protos.google.cloud.compute.v1.IOperation;
export type IHealthCheck = protos.google.cloud.compute.v1.IHealthCheck;
export type IBackendService = protos.google.cloud.compute.v1.IBackendService;
export type IBackend = protos.google.cloud.compute.v1.IBackend;
export type IForwardingRule = protos.google.cloud.compute.v1.IForwardingRule;
export type IAddress = protos.google.cloud.compute.v1.IAddress;
export type IInstanceGroup = protos.google.cloud.compute.v1.IInstanceGroup;
export type IInstance = protos.google.cloud.compute.v1.IInstance;
export type INetwork = protos.google.cloud.compute.v1.INetwork;
export type ISubnetwork = protos.google.cloud.compute.v1.ISubnetwork;

type ComputeModule = typeof import("@google-cloud/compute");

export interface GcpSettings {
    project: string;
    region: string;
    /** A zone of `region` (connection.zone): GKE clusters there are zonal, else regional. */
    zone?: string;
    log?: (line: string) => void;
    poll: { minDelayMs: number; maxDelayMs: number };
    timeouts: { create: number; update: number; delete: number };
}

export type Phase = keyof GcpSettings["timeouts"];

const DEFAULT_TIMEOUTS = { create: 15 * 60_000, update: 15 * 60_000, delete: 15 * 60_000 };
/** Real Compute operations take seconds to a minute; polling faster only burns quota. */
const DEFAULT_POLL = { minDelayMs: 1_000, maxDelayMs: 10_000 };
const RETRY_ATTEMPTS = 5;

export function resolveSettings(conn: Connection, ctx: DriverContext): GcpSettings {
    const project = conn.project || process.env.GOOGLE_CLOUD_PROJECT || "";
    const issues: FieldIssue[] = [];
    if (project === "") {
        issues.push({
            property: "connection.project",
            reason: "a GCP project is required (set connection.project or GOOGLE_CLOUD_PROJECT)",
        });
    }
    const region = conn.region || "us-central1";
    if (!/^[a-z]+-[a-z]+\d+$/.test(region)) {
        issues.push({
            property: "connection.region",
            reason: `"${region}" is not a GCP region name such as us-central1`,
        });
    }
    if (conn.zone && !conn.zone.startsWith(`${region}-`)) {
        issues.push({
            property: "connection.zone",
            reason: `"${conn.zone}" is not a zone of region ${region} (such as ${region}-a)`,
        });
    }
    if (conn.endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(conn.endpoint)) {
        issues.push({ property: "connection.endpoint", reason: "expected http(s)://host[:port]" });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return {
        project,
        region,
        ...(conn.zone ? { zone: conn.zone } : {}),
        log: ctx.log,
        poll: ctx.poll ?? DEFAULT_POLL,
        timeouts: { ...DEFAULT_TIMEOUTS, ...ctx.timeouts },
    };
}

/** Options as @google-cloud/compute's own google-gax types them (the top-level google-gax may be another major). */
type ClientOptions = NonNullable<ConstructorParameters<typeof AddressesClient>[0]>;
/** The same for @google-cloud/container, which brings its own google-gax major. */
type ContainerClientOptions = NonNullable<ConstructorParameters<typeof containerV1.ClusterManagerClient>[0]>;

/** The auth client that sends no credentials, from the google-gax instance `pkg` itself uses (so the classes match). */
function passThroughClient<Auth>(pkg: "@google-cloud/compute" | "@google-cloud/container"): Auth {
    const packageDir = path.dirname(require.resolve(`${pkg}/package.json`));
    const gax = require(require.resolve("google-gax", { paths: [packageDir] })) as {
        googleAuthLibrary: { PassThroughClient: new () => Auth };
    };
    return new gax.googleAuthLibrary.PassThroughClient();
}

/** A service-account key file's fields the Google auth library reads (a JWTInput in both gax majors). */
interface ServiceAccountKey {
    type?: string;
    client_email?: string;
    private_key?: string;
    private_key_id?: string;
    project_id?: string;
    client_id?: string;
}

function parseCredentials(ctx: DriverContext): ServiceAccountKey | undefined {
    const json = ctx.config?.gcpCredentialsJson;
    if (!json) return undefined;
    try {
        return JSON.parse(json) as ServiceAccountKey;
    } catch {
        // The message must not echo the secret.
        throw new ValidationError([
            {
                property: "config.gcpCredentialsJson",
                reason: "is not valid JSON (expected a service-account key file's content)",
            },
        ]);
    }
}

/** REST transport options shared by the Compute and GKE clients; `plainHttp`: an emulator or fake. */
function endpointOptions(conn: Connection, ctx: DriverContext) {
    const base = { fallback: true as const, credentials: parseCredentials(ctx) };
    if (!conn.endpoint) return { ...base, plainHttp: false };
    const url = new URL(conn.endpoint);
    const protocol = url.protocol === "http:" ? "http" : "https";
    const port = url.port ? Number(url.port) : protocol === "http" ? 80 : 443;
    return { ...base, apiEndpoint: url.hostname, port, protocol, plainHttp: protocol === "http" };
}

// A plain-http endpoint is an emulator or fake: sending Google credentials there would leak them.
function clientOptions(conn: Connection, ctx: DriverContext): ClientOptions {
    const { plainHttp, credentials, ...opts } = endpointOptions(conn, ctx);
    if (plainHttp) return { ...opts, authClient: passThroughClient("@google-cloud/compute") };
    return credentials ? { ...opts, credentials } : opts;
}

/**
 * google-gax retries the ClusterManager methods it deems idempotent on UNAVAILABLE for up to 10
 * minutes, under the driver's own 5 attempts (gke.ts): unbounded attempts per call, and a retried
 * delete whose first attempt was applied shows the driver only the final "operation running". Off,
 * so the driver's retries are the only ones and see every attempt.
 */
const GAX_RETRIED_METHODS = [
    "ListClusters",
    "GetCluster",
    "DeleteCluster",
    "ListOperations",
    "GetOperation",
    "GetServerConfig",
    "ListNodePools",
    "GetNodePool",
    "DeleteNodePool",
];
const NO_GAX_RETRIES = {
    interfaces: {
        "google.container.v1.ClusterManager": {
            retry_codes: { none: [] },
            methods: Object.fromEntries(GAX_RETRIED_METHODS.map(method => [method, { retry_codes_name: "none" }])),
        },
    },
};

function containerOptions(conn: Connection, ctx: DriverContext): ContainerClientOptions {
    const { plainHttp, credentials, ...endpoint } = endpointOptions(conn, ctx);
    const opts = { ...endpoint, clientConfig: NO_GAX_RETRIES };
    if (plainHttp) return { ...opts, authClient: passThroughClient("@google-cloud/container") };
    return credentials ? { ...opts, credentials } : opts;
}

/** The client of each Compute API the driver calls. */
interface ComputeClients {
    healthChecks: RegionHealthChecksClient;
    backendServices: RegionBackendServicesClient;
    addresses: AddressesClient;
    forwardingRules: ForwardingRulesClient;
    instanceGroups: InstanceGroupsClient;
    instanceGroupManagers: InstanceGroupManagersClient;
    instances: InstancesClient;
    networks: NetworksClient;
    subnetworks: SubnetworksClient;
    regionOperations: RegionOperationsClient;
    zoneOperations: ZoneOperationsClient;
}

type ClientClass<T> = new (opts: ClientOptions) => T;

const CLIENT_CLASSES: { [K in keyof ComputeClients]: (compute: ComputeModule) => ClientClass<ComputeClients[K]> } = {
    healthChecks: compute => compute.RegionHealthChecksClient,
    backendServices: compute => compute.RegionBackendServicesClient,
    addresses: compute => compute.AddressesClient,
    forwardingRules: compute => compute.ForwardingRulesClient,
    instanceGroups: compute => compute.InstanceGroupsClient,
    instanceGroupManagers: compute => compute.InstanceGroupManagersClient,
    instances: compute => compute.InstancesClient,
    networks: compute => compute.NetworksClient,
    subnetworks: compute => compute.SubnetworksClient,
    regionOperations: compute => compute.RegionOperationsClient,
    zoneOperations: compute => compute.ZoneOperationsClient,
};

/** Clients are built lazily and only for this `open()`; building one loads ~10 MB of protos. */
export class GcpClients {
    private readonly made: Partial<ComputeClients> = {};
    private compute?: ComputeModule;
    private gke?: containerV1.ClusterManagerClient;

    constructor(
        private readonly conn: Connection,
        private readonly ctx: DriverContext,
    ) {
        parseCredentials(ctx);
    }

    of<K extends keyof ComputeClients>(api: K): ComputeClients[K] {
        const made = this.made[api];
        if (made !== undefined) return made;
        this.compute ??= require("@google-cloud/compute") as ComputeModule;
        const Client = CLIENT_CLASSES[api](this.compute);
        const client = new Client(clientOptions(this.conn, this.ctx));
        this.made[api] = client;
        return client;
    }

    /** The GKE (Kubernetes Engine API v1) client, over REST like the Compute ones. */
    container(): containerV1.ClusterManagerClient {
        if (this.gke) return this.gke;
        const container = require("@google-cloud/container") as typeof import("@google-cloud/container");
        this.gke = new container.v1.ClusterManagerClient(containerOptions(this.conn, this.ctx));
        return this.gke;
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** What a call was doing, for messages like `creating Nlb (web): inserting health check web-hc: …`. */
export interface Step {
    action: string;
    step: string;
    /** Input property a refusal of this call is about (for ValidationError issues). */
    property?: string;
}

/** The `error` of an operation that finished DONE with a failure; kept as the CloudApiError's cause. */
export class GcpOperationError extends Error {
    constructor(
        readonly operation: string,
        readonly operationType: string,
        readonly target: string,
        readonly errors: Array<{ code: string; message: string }>,
        readonly httpStatus: number,
    ) {
        const details = errors.map(e => `${e.code}: ${e.message}`).join("; ");
        super(`operation ${operation} (${operationType} ${target}) failed: ${details}`);
        this.name = "GcpOperationError";
    }

    get codes(): string[] {
        return this.errors.map(e => e.code);
    }
}

interface CloudFailure {
    status?: number;
    reasons: string[];
    message: string;
    network: boolean;
}

const NETWORK_CODES = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_SOCKET"];
const RETRY_REASONS = ["rateLimitExceeded", "userRateLimitExceeded", "backendError", "internalError"];
const VALIDATION_REASONS = [
    "invalid",
    "required",
    "badRequest",
    "instanceInMultipleLoadBalancedIgs",
    "memberAlreadyExists",
    "invalidParameter",
];

function parseBody(text: unknown): { message?: string; reasons: string[] } {
    let body: unknown = text;
    if (typeof text === "string") {
        try {
            body = JSON.parse(text);
        } catch {
            return { reasons: [] };
        }
    }
    if (typeof body !== "object" || body === null) return { reasons: [] };
    const error = (body as { error?: { message?: unknown; errors?: Array<{ reason?: unknown }> } }).error;
    if (!error) return { reasons: [] };
    const reasons = (error.errors ?? []).map(e => String(e.reason ?? "")).filter(r => r !== "");
    return { message: typeof error.message === "string" ? error.message : undefined, reasons };
}

/** Reads a GaxiosError / GoogleError / network error without trusting any one shape. */
function readFailure(err: unknown): CloudFailure {
    const shape = (err ?? {}) as {
        code?: unknown;
        status?: unknown;
        message?: unknown;
        reason?: unknown;
        response?: { status?: unknown; data?: unknown };
        errors?: Array<{ reason?: unknown }>;
    };
    const rawMessage = typeof shape.message === "string" ? shape.message : String(err);
    const fromMessage = parseBody(rawMessage);
    const fromData = parseBody(shape.response?.data);
    const reasons = [...fromMessage.reasons, ...fromData.reasons];
    if (typeof shape.reason === "string") reasons.push(shape.reason);
    for (const x of shape.errors ?? []) if (typeof x.reason === "string") reasons.push(x.reason);
    const numeric = [shape.status, shape.response?.status, shape.code]
        .map(v => (typeof v === "string" && /^\d{3}$/.test(v) ? Number(v) : v))
        .find(v => typeof v === "number" && v >= 100 && v < 600);
    const network = typeof shape.code === "string" && NETWORK_CODES.includes(shape.code);
    return {
        status: typeof numeric === "number" ? numeric : undefined,
        reasons,
        message: fromMessage.message ?? fromData.message ?? rawMessage,
        network,
    };
}

export function isRetryable(err: unknown): boolean {
    if (err instanceof SpiderError) return err instanceof CloudApiError && err.retryable;
    const failure = readFailure(err);
    if (failure.network) return true;
    if (failure.reasons.some(r => RETRY_REASONS.includes(r))) return true;
    return failure.status === 429 || (failure.status !== undefined && failure.status >= 500);
}

/** A cloud's refusal of the input behind `property`, worded `<action>: <property>: <step>: <message>`. */
export function refusalOf(where: Step, property: string, message: string, cause: unknown): ValidationError {
    const refusal = new ValidationError([{ property, reason: `${where.step}: ${message}` }], cause);
    refusal.message = `${where.action}: ${refusal.message}`;
    return refusal;
}

/** Translates a Compute API failure into the project's typed errors; never parses for control flow elsewhere. */
export function toSpiderError(err: unknown, where: Step): SpiderError {
    if (err instanceof SpiderError) return err;
    const failure = readFailure(err);
    const text = `${where.action}: ${where.step}: ${failure.message}`;
    const has = (r: string): boolean => failure.reasons.includes(r);
    if (has("notFound") || (failure.status === 404 && !failure.reasons.length)) return new NotFoundError(text, err);
    if (has("alreadyExists") || failure.status === 409) return new AlreadyExistsError(text, err);
    const refused =
        failure.reasons.some(r => VALIDATION_REASONS.includes(r)) ||
        (failure.status === 400 && !has("resourceInUseByAnotherResource"));
    // A refusal is about the user's input only where the call carries one; elsewhere it is the cloud's.
    if (refused && where.property !== undefined) return refusalOf(where, where.property, failure.message, err);
    if (has("conditionNotMet") || failure.status === 412) return new CloudApiError(text, err, true);
    return new CloudApiError(text, err, isRetryable(err));
}

/** One API call with retries on throttling, 5xx and dropped connections, then error translation. */
export async function call<T>(settings: GcpSettings, where: Step, fn: () => Promise<T>): Promise<T> {
    try {
        return await withRetries(fn, isRetryable, { attempts: RETRY_ATTEMPTS, ...settings.poll });
    } catch (err) {
        throw toSpiderError(err, where);
    }
}

/** First element of a gapic `[response, request, raw]` tuple. */
export async function read<T>(settings: GcpSettings, where: Step, fn: () => Promise<[T, ...unknown[]]>): Promise<T> {
    const [res] = await call(settings, where, fn);
    return res;
}

export async function readOrUndefined<T>(
    settings: GcpSettings,
    where: Step,
    fn: () => Promise<[T, ...unknown[]]>,
): Promise<T | undefined> {
    try {
        return await read(settings, where, fn);
    } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
    }
}

// ---------------------------------------------------------------------------------------------
// Operations

export function lastSegment(link: string | null | undefined): string {
    const path = link ?? "";
    return path.slice(path.lastIndexOf("/") + 1);
}

function opState(op: IOperation): string {
    return String(op.status ?? "PENDING");
}

/** One poll of an operation through the Zone or Region operations client matching its scope. */
async function pollOperation(
    clients: GcpClients,
    settings: GcpSettings,
    op: IOperation,
    where: Step,
): Promise<IOperation> {
    const name = op.name ?? "";
    const zone = op.zone ? lastSegment(op.zone) : undefined;
    const region = op.region ? lastSegment(op.region) : settings.region;
    try {
        return await read(settings, { ...where, step: `${where.step} (waiting for operation ${name})` }, () =>
            zone
                ? clients.of("zoneOperations").wait({ project: settings.project, zone, operation: name })
                : clients.of("regionOperations").wait({ project: settings.project, region, operation: name }),
        );
    } catch (err) {
        // A vanished operation says nothing about the resource; it must not read as "resource not found".
        if (err instanceof NotFoundError)
            throw new CloudApiError(
                `${where.action}: ${where.step}: operation ${name} is no longer known to the API`,
                err,
            );
        throw err;
    }
}

/** Polls the operation until DONE (an operation already DONE is not read again). */
export function waitOperationDone(
    clients: GcpClients,
    settings: GcpSettings,
    first: IOperation,
    where: Step,
    phase: Phase,
): Promise<IOperation> {
    let current = first;
    return waitForStatus({
        describe: async () => {
            if (opState(current) !== "DONE") current = await pollOperation(clients, settings, current, where);
            return current;
        },
        status: opState,
        success: ["DONE"],
        timeoutMs: settings.timeouts[phase],
        minDelayMs: settings.poll.minDelayMs,
        maxDelayMs: settings.poll.maxDelayMs,
        what: `${where.step} (operation ${first.name ?? ""})`,
        log: settings.log,
    });
}

/** The finished operation's failure, or undefined when it succeeded. */
export function operationFailure(op: IOperation): GcpOperationError | undefined {
    const errors = (op.error?.errors ?? []).map(e => ({
        code: String(e.code ?? "UNKNOWN"),
        message: String(e.message ?? ""),
    }));
    if (errors.length === 0) return undefined;
    return new GcpOperationError(
        op.name ?? "",
        op.operationType ?? "",
        lastSegment(op.targetLink),
        errors,
        Number(op.httpErrorStatusCode ?? 0),
    );
}

export interface MutationResult {
    op: IOperation;
    /** Id of the created/changed resource, from the operation's targetId. */
    targetId: string;
}

/**
 * Starts a mutation with a request id (so a retried request is the same operation on GCE), waits
 * for its operation and checks `op.error`.
 */
export async function mutate(
    clients: GcpClients,
    settings: GcpSettings,
    where: Step,
    phase: Phase,
    start: (requestId: string) => Promise<[unknown, ...unknown[]]>,
): Promise<MutationResult> {
    const requestId = randomUUID();
    const [lro] = await call(settings, where, () => start(requestId));
    const first = (lro as { latestResponse?: IOperation }).latestResponse ?? (lro as IOperation);
    const done = await waitOperationDone(clients, settings, first, where, phase);
    const failure = operationFailure(done);
    if (failure) {
        const retryable = failure.codes.some(c => /RATE_LIMIT|INTERNAL_ERROR|UNAVAILABLE/.test(c));
        throw new CloudApiError(`${where.action}: ${where.step}: ${failure.message}`, failure, retryable);
    }
    return { op: done, targetId: String(done.targetId ?? first.targetId ?? "") };
}

/** Deletes; a resource that is already gone counts as deleted. */
export async function deleteIfExists(
    clients: GcpClients,
    settings: GcpSettings,
    where: Step,
    phase: Phase,
    start: (requestId: string) => Promise<[unknown, ...unknown[]]>,
): Promise<boolean> {
    try {
        await mutate(clients, settings, where, phase, start);
        return true;
    } catch (err) {
        if (err instanceof NotFoundError) return false;
        if (
            err instanceof CloudApiError &&
            err.cause instanceof GcpOperationError &&
            err.cause.codes.includes("RESOURCE_NOT_FOUND")
        )
            return false;
        throw err;
    }
}
