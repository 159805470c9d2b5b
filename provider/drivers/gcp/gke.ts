/**
 * GKE (Kubernetes Engine API v1) mechanics for the gcp ClusterHandler: resource names, error
 * translation, the operation waiter, and the converters between GKE objects and the interface's.
 *
 * Every GKE mutation returns an Operation that is not done yet. It is polled with the shared
 * waiter until DONE, and only then is its `error` read: DONE with an error is a failure, never a
 * success. GKE runs one mutation per cluster at a time and refuses another with
 * FAILED_PRECONDITION ("operation … is currently …"); such a refusal is waited out and the call
 * sent again, until the phase's timeout.
 */
import type { protos } from "@google-cloud/container";
import type {
    ClusterInfo,
    ClusterStatus,
    EndpointAccess,
    Iid,
    LogType,
    NodeGroupInfo,
    NodeGroupStatus,
    Taint,
    TaintEffect,
} from "../../interface/driver";
import { AlreadyExistsError, CloudApiError, NotFoundError, SpiderError } from "../../interface/errors";
import { waitForStatus, waitUntil, withRetries } from "../../interface/wait";
import { GcpSettings, Phase, Step, isRetryable, refusalOf } from "./clients";
import type { GcpContext } from "./lookup";

export type ICluster = protos.google.container.v1.ICluster;
export type INodePool = protos.google.container.v1.INodePool;
export type IGkeOperation = protos.google.container.v1.IOperation;
type INodeTaint = protos.google.container.v1.INodeTaint;

/** Node-pool metadata key holding the URN of the resource that created the pool (metadata takes any string). */
export const OWNER_METADATA = "spider-owner";
/** Node-pool metadata key GCE reads SSH keys from (`user:ssh-ed25519 AAAA…`), so `keyPair` is really installed. */
export const SSH_KEYS_METADATA = "ssh-keys";
/** Pool resource labels keeping the declared bounds while GKE's autoscaler is off (label keys take no `:`). */
export const AUTOSCALING_MIN_LABEL = "spider-autoscaling-min";
export const AUTOSCALING_MAX_LABEL = "spider-autoscaling-max";
/** Marks the cluster description as this package's, with the owner URN (descriptions are set once, at create). */
const DESCRIPTION_MARK = "pulumi-spider";

const RETRY_ATTEMPTS = 5;

// ---------------------------------------------------------------------------------------------
// Names

/** `us-central1` (regional cluster) or `us-central1-a` (zonal), from the connection. */
export function locationOf(settings: GcpSettings): string {
    return settings.zone ?? settings.region;
}

export function parentPath(settings: GcpSettings): string {
    return `projects/${settings.project}/locations/${locationOf(settings)}`;
}

export function clusterPath(settings: GcpSettings, cluster: string): string {
    return `${parentPath(settings)}/clusters/${cluster}`;
}

export function nodePoolPath(settings: GcpSettings, cluster: string, pool: string): string {
    return `${clusterPath(settings, cluster)}/nodePools/${pool}`;
}

/** A cluster or node pool is named by its name; a systemId (its path) names the same object. */
export function nameOf(iid: Iid): string {
    const id = iid.nameId || iid.systemId;
    return id.slice(id.lastIndexOf("/") + 1);
}

// ---------------------------------------------------------------------------------------------
// Errors

/** gRPC status codes, which google-gax's REST fallback puts in `code` (the HTTP status in `httpStatusCode`). */
const GRPC = {
    INVALID_ARGUMENT: 3,
    DEADLINE_EXCEEDED: 4,
    NOT_FOUND: 5,
    ALREADY_EXISTS: 6,
    RESOURCE_EXHAUSTED: 8,
    FAILED_PRECONDITION: 9,
    ABORTED: 10,
    OUT_OF_RANGE: 11,
    INTERNAL: 13,
    UNAVAILABLE: 14,
} as const;

const TRANSIENT: readonly number[] = [
    GRPC.DEADLINE_EXCEEDED,
    GRPC.RESOURCE_EXHAUSTED,
    GRPC.ABORTED,
    GRPC.INTERNAL,
    GRPC.UNAVAILABLE,
];

interface GkeFailure {
    code?: number;
    httpStatus?: number;
    message: string;
}

function readGkeFailure(err: unknown): GkeFailure {
    const shape = (err ?? {}) as { code?: unknown; httpStatusCode?: unknown; message?: unknown };
    return {
        code: typeof shape.code === "number" ? shape.code : undefined,
        httpStatus: typeof shape.httpStatusCode === "number" ? shape.httpStatusCode : undefined,
        message: typeof shape.message === "string" ? shape.message : String(err),
    };
}

/** GKE refuses a mutation while another one runs on the same cluster; this is that refusal. */
function isClusterBusy(err: unknown): boolean {
    if (err instanceof SpiderError) return false;
    const failure = readGkeFailure(err);
    return (
        failure.code === GRPC.FAILED_PRECONDITION &&
        /operation .* (is currently|in progress)|please wait and try again/i.test(failure.message)
    );
}

function isGkeRetryable(err: unknown): boolean {
    const failure = readGkeFailure(err);
    if (failure.code !== undefined && TRANSIENT.includes(failure.code)) return true;
    // google-gax maps HTTP 403 to PERMISSION_DENIED whatever the reason; Google's `rateLimitExceeded`
    // reason is only in the HTTP error (gaxios) kept as the `cause`, whose message is the JSON body.
    const cause = err instanceof Error && !(err instanceof SpiderError) ? err.cause : undefined;
    return isRetryable(err) || (cause !== undefined && isRetryable(cause));
}

/** Translates a GKE API failure into the project's typed errors. */
function toGkeError(err: unknown, where: Step): SpiderError {
    if (err instanceof SpiderError) return err;
    const failure = readGkeFailure(err);
    const text = `${where.action}: ${where.step}: ${failure.message}`;
    if (failure.code === GRPC.NOT_FOUND || failure.httpStatus === 404) return new NotFoundError(text, err);
    if (failure.code === GRPC.ALREADY_EXISTS || failure.httpStatus === 409) return new AlreadyExistsError(text, err);
    const refused = failure.code === GRPC.INVALID_ARGUMENT || failure.code === GRPC.OUT_OF_RANGE;
    if (refused && where.property !== undefined) return refusalOf(where, where.property, failure.message, err);
    return new CloudApiError(text, err, isGkeRetryable(err));
}

/** One GKE read or call with retries on transient failures, then error translation. */
export async function gkeCall<T>(settings: GcpSettings, where: Step, fn: () => Promise<[T, ...unknown[]]>): Promise<T> {
    try {
        const [result] = await withRetries(fn, isGkeRetryable, { attempts: RETRY_ATTEMPTS, ...settings.poll });
        return result;
    } catch (err) {
        throw toGkeError(err, where);
    }
}

// ---------------------------------------------------------------------------------------------
// Operations

const OPERATION_STATUSES = ["STATUS_UNSPECIFIED", "PENDING", "RUNNING", "DONE", "ABORTING"];

/** The status as a name: the client decodes enums to names, but the type also allows the number. */
function enumName(value: unknown, names: readonly string[]): string {
    if (typeof value === "number") return names[value] ?? String(value);
    return typeof value === "string" && value !== "" ? value : names[0];
}

function operationStatus(op: IGkeOperation): string {
    return enumName(op.status, OPERATION_STATUSES);
}

/**
 * A GKE mutation as data: the step (for messages), its phase (timeout), the path of the object it
 * acts on (`projects/P/locations/L/clusters/C[/nodePools/N]`) and its call. The path lets a retry
 * recognise what an earlier attempt of the same call did when its response was lost (GKE takes no
 * request id); `owned` says, for a create, whether an existing object of that name carries this
 * call's owner mark (absent when the call has no owner: nothing then tells it from a foreign one).
 */
export interface GkeMutation {
    where: Step;
    phase: Phase;
    target: string;
    start: () => Promise<[IGkeOperation, ...unknown[]]>;
    owned?: () => Promise<boolean>;
}

/** Clock skew allowed between this machine and GKE when telling an operation started by this call. */
const CLOCK_SKEW_MS = 60_000;

/** GKE's own repairs and upgrades (AUTO_REPAIR_NODES, AUTO_UPGRADE_NODES = 10, 11) are never a call's. */
function isAutomatic(op: IGkeOperation): boolean {
    return /^AUTO_/.test(String(op.operationType ?? "")) || op.operationType === 10 || op.operationType === 11;
}

/**
 * The newest operation on `target` that is not DONE and may be this call's: not one of GKE's
 * automatic ones, and not started before the call's first attempt (GKE lists a location's operations).
 */
async function runningOperationOn(
    ctx: GcpContext,
    where: Step,
    target: string,
    sentAt: number,
): Promise<IGkeOperation | undefined> {
    const listed = await gkeCall(ctx.settings, { ...where, step: `${where.step} (listing operations)` }, () =>
        ctx.clients.container().listOperations({ parent: parentPath(ctx.settings) }),
    );
    const started = (op: IGkeOperation): number => Date.parse(String(op.startTime ?? "")) || sentAt;
    return (listed.operations ?? [])
        .filter(op => operationStatus(op) !== "DONE" && (op.targetLink ?? "").endsWith(`/${target}`))
        .filter(op => !isAutomatic(op) && started(op) >= sentAt - CLOCK_SKEW_MS)
        .sort((a, b) => started(b) - started(a))[0];
}

/**
 * After an attempt of this call that may have been applied (a transient failure: the response may be
 * lost after GKE acted), the retry meets that attempt's work: ALREADY_EXISTS for the object a create
 * made (only when it carries this call's owner mark: else it stays a conflict), or "another operation
 * is running" for the call's own operation. That operation (or, when it is already over, a done one)
 * is the call's result.
 */
async function ownEarlierAttempt(
    ctx: GcpContext,
    mutation: GkeMutation,
    err: unknown,
    sentAt: number,
): Promise<IGkeOperation | undefined> {
    const { where, target, owned } = mutation;
    if (readGkeFailure(err).code === GRPC.ALREADY_EXISTS) {
        if (!owned || !(await owned())) return undefined;
        return (await runningOperationOn(ctx, where, target, sentAt)) ?? { name: "", status: "DONE" };
    }
    return isClusterBusy(err) ? runningOperationOn(ctx, where, target, sentAt) : undefined;
}

/**
 * Sends a GKE mutation and returns its (running) operation. GKE's "another operation is running
 * on this cluster" is waited out and the call sent again, until the phase's timeout; a retry after
 * a possibly applied attempt adopts that attempt's operation (ownEarlierAttempt).
 */
export async function startMutation(ctx: GcpContext, mutation: GkeMutation): Promise<IGkeOperation> {
    const { settings } = ctx;
    const { where, phase } = mutation;
    let mayHaveApplied = false;
    const sentAt = Date.now();
    const attempt = async (): Promise<[IGkeOperation, ...unknown[]]> => {
        try {
            return await mutation.start();
        } catch (err) {
            if (isGkeRetryable(err)) mayHaveApplied = true;
            throw err;
        }
    };
    return waitUntil<IGkeOperation>(
        async () => {
            try {
                const [op] = await withRetries(attempt, isGkeRetryable, { attempts: RETRY_ATTEMPTS, ...settings.poll });
                return { done: true, value: op };
            } catch (err) {
                const earlier = mayHaveApplied ? await ownEarlierAttempt(ctx, mutation, err, sentAt) : undefined;
                if (earlier) return { done: true, value: earlier };
                if (isClusterBusy(err)) return { done: false, state: "another operation is running on the cluster" };
                throw toGkeError(err, where);
            }
        },
        { ...waitOptions(settings, phase), what: `${where.step} (GKE to accept it)` },
    );
}

function waitOptions(settings: GcpSettings, phase: Phase) {
    return {
        timeoutMs: settings.timeouts[phase],
        minDelayMs: settings.poll.minDelayMs,
        maxDelayMs: settings.poll.maxDelayMs,
        log: settings.log,
    };
}

/**
 * Polls the operation until DONE (ABORTING keeps waiting: it ends DONE with an error) and throws
 * when the operation's `error` says it failed.
 */
export async function waitMutation(
    ctx: GcpContext,
    mutation: GkeMutation,
    first: IGkeOperation,
): Promise<IGkeOperation> {
    const { settings } = ctx;
    const { where, phase } = mutation;
    const name = `${parentPath(settings)}/operations/${first.name ?? ""}`;
    const pollStep = { ...where, step: `${where.step} (operation ${first.name ?? ""})` };
    let current = first;
    const done = await waitForStatus({
        describe: async () => {
            if (operationStatus(current) !== "DONE") {
                current = await gkeCall(settings, pollStep, () => ctx.clients.container().getOperation({ name }));
            }
            return current;
        },
        status: operationStatus,
        success: ["DONE"],
        ...waitOptions(settings, phase),
        what: pollStep.step,
    });
    const code = Number(done.error?.code ?? 0);
    if (code !== 0) {
        const failure = `operation ${first.name ?? ""} failed: ${done.error?.message ?? ""}`;
        throw new CloudApiError(`${where.action}: ${where.step}: ${failure}`, done.error, TRANSIENT.includes(code));
    }
    return done;
}

/** A GKE mutation from start to a successful DONE. */
export async function gkeMutation(ctx: GcpContext, mutation: GkeMutation): Promise<IGkeOperation> {
    return waitMutation(ctx, mutation, await startMutation(ctx, mutation));
}

/** A delete from start to DONE; an object already gone counts as deleted. */
export async function gkeDelete(ctx: GcpContext, mutation: GkeMutation): Promise<void> {
    try {
        await gkeMutation(ctx, mutation);
    } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
    }
}

// ---------------------------------------------------------------------------------------------
// Converters

const CLUSTER_STATUS_NAMES = ["STATUS_UNSPECIFIED", "PROVISIONING", "RUNNING", "RECONCILING", "STOPPING", "ERROR"];
const POOL_STATUS_NAMES = [
    "STATUS_UNSPECIFIED",
    "PROVISIONING",
    "RUNNING",
    "RUNNING_WITH_ERROR",
    "RECONCILING",
    "STOPPING",
    "ERROR",
];
const NEUTRAL_STATUS: Readonly<Record<string, ClusterStatus & NodeGroupStatus>> = {
    PROVISIONING: "Creating",
    RUNNING: "Active",
    RECONCILING: "Updating",
    STOPPING: "Deleting",
};

function clusterStatusOf(cluster: ICluster): ClusterStatus {
    return NEUTRAL_STATUS[enumName(cluster.status, CLUSTER_STATUS_NAMES)] ?? "Inactive";
}

function poolStatusOf(pool: INodePool): NodeGroupStatus {
    return NEUTRAL_STATUS[enumName(pool.status, POOL_STATUS_NAMES)] ?? "Inactive";
}

/** "1.34.1-gke.1100000" → "1.34": GKE picks patch versions itself, so only MAJOR.MINOR is declared. */
export function minorVersion(version: string | null | undefined): string {
    const match = /^(\d+)\.(\d+)/.exec(version ?? "");
    return match ? `${match[1]}.${match[2]}` : (version ?? "");
}

export function minorNumber(version: string): number {
    return Number(minorVersion(version).split(".")[1] ?? 0);
}

const GKE_EFFECTS: Readonly<Record<TaintEffect, string>> = {
    NoSchedule: "NO_SCHEDULE",
    PreferNoSchedule: "PREFER_NO_SCHEDULE",
    NoExecute: "NO_EXECUTE",
};
const EFFECT_NAMES = ["EFFECT_UNSPECIFIED", "NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"];

export function toGkeTaint(taint: Taint): INodeTaint {
    return { key: taint.key, value: taint.value ?? "", effect: GKE_EFFECTS[taint.effect] as "NO_SCHEDULE" };
}

function fromGkeTaint(taint: INodeTaint): Taint {
    const name = enumName(taint.effect, EFFECT_NAMES);
    const effect = (Object.keys(GKE_EFFECTS) as TaintEffect[]).find(key => GKE_EFFECTS[key] === name) ?? "NoSchedule";
    return { key: taint.key ?? "", ...(taint.value ? { value: taint.value } : {}), effect };
}

type Component = protos.google.container.v1.LoggingComponentConfig.Component;
/** LoggingComponentConfig.Component by number, as the proto numbers them. */
const COMPONENT_NAMES = [
    "COMPONENT_UNSPECIFIED",
    "SYSTEM_COMPONENTS",
    "WORKLOADS",
    "APISERVER",
    "SCHEDULER",
    "CONTROLLER_MANAGER",
];
const LOG_COMPONENTS: Readonly<Partial<Record<LogType, string>>> = {
    // In LOG_TYPES order, which reads report.
    api: "APISERVER",
    controllerManager: "CONTROLLER_MANAGER",
    scheduler: "SCHEDULER",
};

function component(name: string): Component {
    return COMPONENT_NAMES.indexOf(name) as Component;
}

/** GKE's logging components: system components and workloads (GKE's default) plus the control-plane ones asked for. */
export function toLoggingConfig(types: readonly LogType[]): protos.google.container.v1.ILoggingConfig {
    const controlPlane = types.map(type => LOG_COMPONENTS[type]).filter((c): c is string => c !== undefined);
    return {
        componentConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS", ...controlPlane].map(component) },
    };
}

function enabledLogTypes(cluster: ICluster): LogType[] {
    const names = (cluster.loggingConfig?.componentConfig?.enableComponents ?? []).map(value =>
        enumName(value, COMPONENT_NAMES),
    );
    return (Object.keys(LOG_COMPONENTS) as LogType[]).filter(type => names.includes(LOG_COMPONENTS[type] ?? ""));
}

const ANY_ADDRESS = "0.0.0.0/0";

/** Public access from `publicCidrs`: GKE's master authorized networks, off meaning any address. */
export function toAuthorizedNetworks(
    access: EndpointAccess,
): protos.google.container.v1.IMasterAuthorizedNetworksConfig {
    const open = access.publicCidrs.length === 0 || access.publicCidrs.includes(ANY_ADDRESS);
    if (open) return { enabled: false, cidrBlocks: [] };
    return { enabled: true, cidrBlocks: access.publicCidrs.map(cidrBlock => ({ cidrBlock })) };
}

function endpointAccessOf(cluster: ICluster): EndpointAccess {
    const networks = cluster.masterAuthorizedNetworksConfig;
    const cidrs = networks?.enabled ? (networks.cidrBlocks ?? []).map(block => block.cidrBlock ?? "") : [ANY_ADDRESS];
    return { public: true, private: false, publicCidrs: cidrs };
}

export function descriptionOwner(description: string | null | undefined): string | undefined {
    try {
        const marker = JSON.parse(description ?? "") as { managedBy?: unknown; owner?: unknown };
        return marker.managedBy === DESCRIPTION_MARK && typeof marker.owner === "string" ? marker.owner : undefined;
    } catch {
        return undefined;
    }
}

export function toDescription(owner: string | undefined): string {
    return JSON.stringify({ managedBy: DESCRIPTION_MARK, ...(owner ? { owner } : {}) });
}

/** What the pool's managed instance groups hold: their target sizes summed, and the node names. */
export interface PoolSize {
    size: number;
    nodes: string[];
}

/** The declared bounds: GKE's totals while its autoscaler is on, the pool's labels while it is off. */
function boundsOf(pool: INodePool, size: number): { min: number; max: number } {
    const scaling = pool.autoscaling;
    const zones = Math.max(1, pool.locations?.length ?? 1);
    if (scaling?.enabled) {
        const total = (scaling.totalMinNodeCount ?? 0) > 0 || (scaling.totalMaxNodeCount ?? 0) > 0;
        return total
            ? { min: scaling.totalMinNodeCount ?? 0, max: scaling.totalMaxNodeCount ?? 0 }
            : { min: (scaling.minNodeCount ?? 0) * zones, max: (scaling.maxNodeCount ?? 0) * zones };
    }
    const labels = pool.config?.resourceLabels ?? {};
    const min = Number(labels[AUTOSCALING_MIN_LABEL] ?? size);
    const max = Number(labels[AUTOSCALING_MAX_LABEL] ?? size);
    return { min, max };
}

export function toNodeGroupInfo(pool: INodePool, subnets: string[], size: PoolSize, path: string): NodeGroupInfo {
    const config = pool.config ?? {};
    const metadata = config.metadata ?? {};
    const bounds = boundsOf(pool, size.size);
    const owner = metadata[OWNER_METADATA];
    const machineType = config.machineType ?? "";
    return {
        iid: { nameId: pool.name ?? "", systemId: path },
        image: config.imageType ?? "",
        vmSpec: machineType,
        vmSpecs: [machineType],
        capacityType: config.spot ? "SPOT" : "ON_DEMAND",
        subnets: [...subnets],
        labels: { ...(config.labels ?? {}) },
        taints: (config.taints ?? []).map(fromGkeTaint),
        maxUnavailable: pool.upgradeSettings?.maxUnavailable ?? 1,
        rootDiskType: config.diskType ?? "",
        rootDiskSize: Number(config.diskSizeGb ?? 0),
        keyPair: metadata[SSH_KEYS_METADATA] ?? "",
        onAutoScaling: pool.autoscaling?.enabled === true,
        desiredNodeSize: size.size,
        minNodeSize: bounds.min,
        maxNodeSize: bounds.max,
        status: poolStatusOf(pool),
        nodes: [...size.nodes],
        version: minorVersion(pool.version),
        ...(owner ? { owner } : {}),
    };
}

function userLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
    return { ...(labels ?? {}) };
}

export function toClusterInfo(
    settings: GcpSettings,
    cluster: ICluster,
    nodeGroups: NodeGroupInfo[],
    kubeconfig: string,
): ClusterInfo {
    const owner = descriptionOwner(cluster.description);
    return {
        iid: { nameId: cluster.name ?? "", systemId: clusterPath(settings, cluster.name ?? "") },
        version: minorVersion(cluster.currentMasterVersion),
        network: {
            vpc: cluster.network ?? "",
            subnets: cluster.subnetwork ? [cluster.subnetwork] : [],
            securityGroups: [],
        },
        endpointAccess: endpointAccessOf(cluster),
        logging: enabledLogTypes(cluster),
        nodeGroups,
        endpoint: cluster.endpoint ? `https://${cluster.endpoint}` : "",
        kubeconfig,
        status: clusterStatusOf(cluster),
        createdTime: cluster.createTime ? new Date(cluster.createTime).toISOString() : "",
        tags: userLabels(cluster.resourceLabels),
        keyValues: {
            location: cluster.location ?? locationOf(settings),
            masterVersion: cluster.currentMasterVersion ?? "",
            nodeLocations: (cluster.locations ?? []).join(","),
        },
        ...(owner ? { owner } : {}),
    };
}

/** A kubeconfig that authenticates with Google's standard exec plugin (`gke-gcloud-auth-plugin`). */
export function toKubeconfig(cluster: ICluster, contextName: string): string {
    if (!cluster.endpoint) return "";
    const ca = cluster.masterAuth?.clusterCaCertificate ?? "";
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: ${contextName}`,
        "  cluster:",
        `    server: https://${cluster.endpoint}`,
        `    certificate-authority-data: ${ca}`,
        "contexts:",
        `- name: ${contextName}`,
        "  context:",
        `    cluster: ${contextName}`,
        `    user: ${contextName}`,
        `current-context: ${contextName}`,
        "users:",
        `- name: ${contextName}`,
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      command: gke-gcloud-auth-plugin",
        "      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)",
        "      provideClusterInfo: true",
        "      interactiveMode: Never",
        "",
    ].join("\n");
}
