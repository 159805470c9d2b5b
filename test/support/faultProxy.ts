/**
 * A fault-injecting HTTP proxy for tests and benchmarks: put it between a cloud SDK and its
 * emulator (moto, the GCP fake) by pointing `connection.endpoint` at `proxy.endpoint`.
 *
 *   const proxy = await startFaultProxy({ target: moto.endpoint, style: "aws", failureRatio: 0.2, seed: 7 });
 *   // ... run `pulumi up` with connection.endpoint = proxy.endpoint ...
 *   proxy.stats();              // requests, faults by kind, forwarded
 *   proxy.attemptsPerCall();    // retries the clients made, grouped per logical call
 *   await proxy.stop();
 *
 * Every request draws from a seeded RNG (mulberry32) in arrival order: with probability
 * `failureRatio` it is answered with a failure picked by `faults` weights instead of reaching the
 * emulator (so a failed request never has a side effect), otherwise it is forwarded unchanged,
 * optionally after added latency. Failures are shaped like the cloud's own:
 *
 * | kind              | aws (query: ELBv2/IAM, ec2, rest-json: EKS)            | gcp (Compute JSON)                  |
 * |-------------------|--------------------------------------------------------|-------------------------------------|
 * | throttle          | HTTP 400 ThrottlingException (EC2: RequestLimitExceeded) | HTTP 403 rateLimitExceeded         |
 * | throttle429       | HTTP 429 ThrottlingException / TooManyRequests          | HTTP 429 rateLimitExceeded          |
 * | error500          | HTTP 500 InternalFailure / ServerException              | HTTP 500 backendError               |
 * | error503          | HTTP 503 ServiceUnavailable                             | HTTP 503 backendError               |
 * | reset             | TCP connection destroyed before forwarding (ECONNRESET) | same                                |
 * | resetAfterForward | forwarded, then the connection is destroyed before the response (the call DID happen) — weight 0 unless asked for |
 *
 * Bounded: listens on 127.0.0.1 only, forwards only to a 127.0.0.1/localhost target, caps
 * request bodies (`maxBodyBytes`), concurrent upstream sockets, the number of requests
 * (`maxRequests`: later requests get a non-retryable HTTP 400 `FaultProxyBudgetExhausted` and
 * `stats().exhausted` is set) and its own lifetime (`maxLifetimeMs`, default 15 min) and idleness
 * (`idleTimeoutMs`, default 5 min): it stops by itself, and its timers never keep a process alive.
 * Control paths of the emulators (`/moto-api/`, `/spider-moto/`, `/__fake/`) are never faulted.
 */
import * as crypto from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";

export type FailureKind = "throttle" | "throttle429" | "error500" | "error503" | "reset" | "resetAfterForward";
export const FAILURE_KINDS: readonly FailureKind[] = [
    "throttle",
    "throttle429",
    "error500",
    "error503",
    "reset",
    "resetAfterForward",
];

export interface ProxyRequestInfo {
    method: string;
    /** URL path and query as received. */
    url: string;
    /** AWS signing name (`elasticloadbalancing`, `ec2`, `eks`, `iam`) or `compute` for GCP; "" if unknown. */
    service: string;
    /** AWS API action (`CreateLoadBalancer`) or `METHOD /path` for REST APIs. */
    action: string;
}

export interface FaultProxyOptions {
    /** Upstream base URL, e.g. moto's `http://127.0.0.1:5000`. Must be a loopback address. */
    target: string;
    /** Error body format. Default "aws". */
    style?: "aws" | "gcp";
    /** Share of requests (0–1) answered with a failure instead of reaching the target. Default 0. */
    failureRatio?: number;
    /** Relative weights of the failure kinds. Default: every kind 1 except resetAfterForward 0. */
    faults?: Partial<Record<FailureKind, number>>;
    /** Seed of the RNG that decides each request's fate. Default 1. */
    seed?: number;
    /** Share of forwarded requests (0–1) that get added latency. Default 0. */
    latencyRatio?: number;
    /** Added latency range in ms. Default 100–500. */
    latencyMs?: { min: number; max: number };
    /** Which requests may be faulted; default all except emulator control paths. */
    shouldFault?: (req: ProxyRequestInfo) => boolean;
    /** Largest request body accepted (413 beyond). Default 4 MiB. */
    maxBodyBytes?: number;
    /** Requests served before the budget is exhausted. Default 20 000. */
    maxRequests?: number;
    /** Concurrent upstream sockets. Default 32. */
    maxSockets?: number;
    /** The proxy stops itself after this long. Default 15 min. */
    maxLifetimeMs?: number;
    /** The proxy stops itself after this long without a request. Default 5 min. */
    idleTimeoutMs?: number;
}

export type Outcome = "forwarded" | FailureKind | "budget" | "tooLarge" | "upstreamError";

export interface ProxyLogEntry {
    seq: number;
    /** ms since the proxy started. */
    at: number;
    method: string;
    url: string;
    service: string;
    action: string;
    /** AWS SDK `amz-sdk-invocation-id`: the same for every attempt of one API call. */
    invocationId: string;
    /** AWS SDK attempt number from `amz-sdk-request` (1-based), 0 if not sent. */
    attempt: number;
    outcome: Outcome;
    /** HTTP status returned to the client (0 for a reset). */
    status: number;
    /** Added latency in ms. */
    delayMs: number;
}

export interface FaultProxyStats {
    requests: number;
    forwarded: number;
    failed: number;
    byKind: Record<string, number>;
    delayed: number;
    exhausted: boolean;
    stopped: boolean;
    /** Why it stopped: "stop()", "lifetime", "idle". */
    stopReason: string;
}

export interface CallAttempts {
    /** The grouping key (invocation id, or method + URL). */
    key: string;
    action: string;
    attempts: number;
    /** Attempts answered with an injected failure. */
    failures: number;
    /** Whether the last attempt reached the target. */
    succeeded: boolean;
}

export interface FaultProxy {
    /** `http://127.0.0.1:<port>`. */
    endpoint: string;
    port: number;
    stats(): FaultProxyStats;
    log(): ProxyLogEntry[];
    clearLog(): void;
    /**
     * API calls as the client made them, each with its number of attempts. AWS attempts are
     * grouped by the SDK's invocation id; otherwise consecutive failed attempts on the same
     * method + URL and the attempt after them count as one call, within one client run (`newRun`).
     */
    attemptsPerCall(): CallAttempts[];
    /**
     * Marks the start of another client run (a new `pulumi up`): a call the last run gave up on and
     * the same request sent by the next run are two calls, not one call with more attempts.
     */
    newRun(): void;
    /** Changes the failure ratio from now on (e.g. 0 for a clean-up phase). */
    setFailureRatio(ratio: number): void;
    stop(): Promise<void>;
}

/** mulberry32: a tiny, good-enough seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const CONTROL_PATHS = ["/moto-api/", "/spider-moto/", "/__fake/"];
const DEFAULT_WEIGHTS: Record<FailureKind, number> = {
    throttle: 1,
    throttle429: 1,
    error500: 1,
    error503: 1,
    reset: 1,
    resetAfterForward: 0,
};

function isLoopback(host: string): boolean {
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
}

/** Signing name from a SigV4 Authorization header: `Credential=AKID/20240101/us-east-1/ec2/aws4_request`. */
function awsService(headers: http.IncomingHttpHeaders): string {
    const auth = String(headers.authorization ?? "");
    const m = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth);
    return m ? m[1] : "";
}

function describe(
    method: string,
    url: string,
    headers: http.IncomingHttpHeaders,
    body: Buffer,
    style: "aws" | "gcp",
): ProxyRequestInfo {
    const path = url.split("?")[0];
    if (style === "gcp") {
        return {
            method,
            url,
            service: "compute",
            action: `${method} ${path.replace(/^\/compute\/v1\/projects\/[^/]+\//, "")}`,
        };
    }
    const service = awsService(headers);
    const target = headers["x-amz-target"];
    if (typeof target === "string" && target)
        return { method, url, service, action: target.split(".").pop() ?? target };
    const form = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body.toString("utf8", 0, Math.min(body.length, 4096)));
    if (form) return { method, url, service, action: form[1] };
    const q = /[?&]Action=([A-Za-z0-9]+)/.exec(url);
    if (q) return { method, url, service, action: q[1] };
    // rest-json (EKS): name the route with ids folded, e.g. `GET /clusters/*/node-groups/*`.
    const route = path
        .split("/")
        .map((seg, i, all) => (i > 0 && i % 2 === 0 && all[i - 1] !== "" ? "*" : seg))
        .join("/");
    return { method, url, service, action: `${method} ${route}` };
}

interface FailureReply {
    status: number;
    headers: Record<string, string>;
    body: string;
}

function failureReply(
    kind: Exclude<FailureKind, "reset" | "resetAfterForward">,
    info: ProxyRequestInfo,
    style: "aws" | "gcp",
): FailureReply {
    const requestId = crypto.randomUUID();
    if (style === "gcp") {
        const spec = {
            throttle: {
                status: 403,
                reason: "rateLimitExceeded",
                domain: "usageLimits",
                message: "Rate Limit Exceeded (injected by faultProxy)",
            },
            throttle429: {
                status: 429,
                reason: "rateLimitExceeded",
                domain: "usageLimits",
                message: "Quota exceeded for quota metric 'Queries' (injected by faultProxy)",
            },
            error500: {
                status: 500,
                reason: "backendError",
                domain: "global",
                message: "Internal error (injected by faultProxy)",
            },
            error503: {
                status: 503,
                reason: "backendError",
                domain: "global",
                message: "The service is currently unavailable (injected by faultProxy)",
            },
        }[kind];
        return {
            status: spec.status,
            headers: { "content-type": "application/json; charset=UTF-8" },
            body: JSON.stringify({
                error: {
                    code: spec.status,
                    message: spec.message,
                    errors: [{ message: spec.message, domain: spec.domain, reason: spec.reason }],
                },
            }),
        };
    }
    const status = { throttle: 400, throttle429: 429, error500: 500, error503: 503 }[kind];
    if (info.service === "eks" || (!info.service && info.action.includes(" "))) {
        const type = {
            throttle: "ThrottlingException",
            throttle429: "ThrottlingException",
            error500: "ServerException",
            error503: "ServiceUnavailableException",
        }[kind];
        return {
            status,
            headers: { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": requestId },
            body: JSON.stringify({ message: `${type} (injected by faultProxy)` }),
        };
    }
    if (info.service === "ec2") {
        const code = {
            throttle: "RequestLimitExceeded",
            throttle429: "RequestLimitExceeded",
            error500: "InternalError",
            error503: "Unavailable",
        }[kind];
        return {
            status,
            headers: { "content-type": "text/xml" },
            body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${code} (injected by faultProxy)</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        };
    }
    const code = {
        throttle: "ThrottlingException",
        throttle429: "Throttling",
        error500: "InternalFailure",
        error503: "ServiceUnavailable",
    }[kind];
    const type = kind === "throttle" || kind === "throttle429" ? "Sender" : "Receiver";
    return {
        status,
        headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
        body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${code} (injected by faultProxy)</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
}

function delay(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
    const target = new URL(opts.target);
    if (target.protocol !== "http:") throw new Error(`faultProxy: target must be http://, got ${opts.target}`);
    if (!isLoopback(target.hostname))
        throw new Error(`faultProxy: target must be a loopback address, got ${target.hostname}`);
    const style = opts.style ?? "aws";
    let failureRatio = opts.failureRatio ?? 0;
    const validateRatio = (r: number, name: string): void => {
        if (!(r >= 0 && r <= 1)) throw new Error(`faultProxy: ${name} must be within 0–1, got ${r}`);
    };
    validateRatio(failureRatio, "failureRatio");
    const latencyRatio = opts.latencyRatio ?? 0;
    validateRatio(latencyRatio, "latencyRatio");
    const latency = opts.latencyMs ?? { min: 100, max: 500 };
    const weights = { ...DEFAULT_WEIGHTS, ...(opts.faults ?? {}) };
    const kinds = FAILURE_KINDS.filter(k => weights[k] > 0);
    const totalWeight = kinds.reduce((s, k) => s + weights[k], 0);
    if (failureRatio > 0 && totalWeight <= 0)
        throw new Error("faultProxy: failureRatio > 0 but every fault weight is 0");
    const shouldFault = opts.shouldFault ?? (() => true);
    const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
    const maxRequests = opts.maxRequests ?? 20_000;
    const random = seededRandom(opts.seed ?? 1);
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 32 });
    const started = Date.now();

    const entries: ProxyLogEntry[] = [];
    const stats: FaultProxyStats = {
        requests: 0,
        forwarded: 0,
        failed: 0,
        byKind: {},
        delayed: 0,
        exhausted: false,
        stopped: false,
        stopReason: "",
    };
    let seq = 0;
    /** The seq of the first request of each client run after the first (newRun). */
    const runStarts: number[] = [];
    const record = (e: ProxyLogEntry): void => {
        entries.push(e);
        if (entries.length > maxRequests) entries.shift();
    };

    const pickKind = (r: number): FailureKind => {
        let x = r * totalWeight;
        for (const k of kinds) {
            x -= weights[k];
            if (x < 0) return k;
        }
        return kinds[kinds.length - 1];
    };

    const server = http.createServer((req, res) => {
        touch();
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        req.on("data", (c: Buffer) => {
            size += c.length;
            if (size > maxBody) tooLarge = true;
            else chunks.push(c);
        });
        req.on("error", () => undefined);
        req.on("end", () => {
            void handle(req, res, Buffer.concat(chunks), tooLarge);
        });
    });
    server.keepAliveTimeout = 5_000;
    server.headersTimeout = 30_000;
    server.requestTimeout = 120_000;
    server.maxHeadersCount = 200;

    async function handle(
        req: http.IncomingMessage,
        res: http.ServerResponse,
        body: Buffer,
        tooLarge: boolean,
    ): Promise<void> {
        const method = req.method ?? "GET";
        const url = req.url ?? "/";
        const info = describe(method, url, req.headers, body, style);
        const attemptHeader = /attempt=(\d+)/.exec(String(req.headers["amz-sdk-request"] ?? ""));
        const entry: ProxyLogEntry = {
            seq: ++seq,
            at: Date.now() - started,
            method,
            url,
            service: info.service,
            action: info.action,
            invocationId: String(req.headers["amz-sdk-invocation-id"] ?? ""),
            attempt: attemptHeader ? Number(attemptHeader[1]) : 0,
            outcome: "forwarded",
            status: 0,
            delayMs: 0,
        };
        const control = CONTROL_PATHS.some(p => url.startsWith(p));
        if (!control) stats.requests++;
        if (tooLarge) {
            entry.outcome = "tooLarge";
            entry.status = 413;
            record(entry);
            res.writeHead(413, { "content-type": "text/plain" }).end("faultProxy: request body too large");
            return;
        }
        if (!control && stats.requests > maxRequests) {
            stats.exhausted = true;
            entry.outcome = "budget";
            entry.status = 400;
            record(entry);
            const reply =
                style === "gcp"
                    ? JSON.stringify({
                          error: {
                              code: 400,
                              message: "faultProxy request budget exhausted",
                              errors: [{ reason: "invalid", message: "faultProxy request budget exhausted" }],
                          },
                      })
                    : `<ErrorResponse><Error><Type>Sender</Type><Code>FaultProxyBudgetExhausted</Code><Message>faultProxy request budget exhausted</Message></Error><RequestId>0</RequestId></ErrorResponse>`;
            res.writeHead(400, { "content-type": style === "gcp" ? "application/json" : "text/xml" }).end(reply);
            return;
        }
        // Every faultable request draws the same number of random values, so a seed replays exactly.
        const faultable = !control && shouldFault(info);
        const r1 = faultable ? random() : 1;
        const r2 = faultable ? random() : 1;
        const r3 = faultable ? random() : 0;
        const r4 = faultable ? random() : 0;
        let kind: FailureKind | undefined;
        if (faultable && r1 < failureRatio) kind = pickKind(r4);
        if (kind && kind !== "resetAfterForward") {
            stats.failed++;
            stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
            entry.outcome = kind;
            record(entry);
            if (kind === "reset") {
                req.socket.destroy();
                return;
            }
            const reply = failureReply(kind, info, style);
            entry.status = reply.status;
            res.writeHead(reply.status, {
                ...reply.headers,
                "content-length": String(Buffer.byteLength(reply.body)),
            }).end(reply.body);
            return;
        }
        if (faultable && r2 < latencyRatio) {
            entry.delayMs = Math.round(latency.min + r3 * (latency.max - latency.min));
            stats.delayed++;
            await delay(entry.delayMs);
        }
        const headers = { ...req.headers };
        delete headers["content-length"];
        headers["content-length"] = String(body.length);
        const up = http.request(
            {
                protocol: "http:",
                hostname: target.hostname,
                port: target.port,
                method,
                path: url,
                headers,
                agent,
            },
            upRes => {
                const upChunks: Buffer[] = [];
                upRes.on("data", (c: Buffer) => upChunks.push(c));
                upRes.on("error", () => undefined);
                upRes.on("end", () => {
                    if (kind === "resetAfterForward") {
                        stats.failed++;
                        stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
                        entry.outcome = kind;
                        record(entry);
                        req.socket.destroy();
                        return;
                    }
                    if (!control) stats.forwarded++;
                    entry.status = upRes.statusCode ?? 0;
                    record(entry);
                    const out = Buffer.concat(upChunks);
                    const h = { ...upRes.headers };
                    delete h["transfer-encoding"];
                    h["content-length"] = String(out.length);
                    res.writeHead(upRes.statusCode ?? 502, h).end(out);
                });
            },
        );
        up.setTimeout(120_000, () => up.destroy(new Error("upstream timeout")));
        up.on("error", err => {
            entry.outcome = "upstreamError";
            entry.status = 502;
            record(entry);
            if (!res.headersSent)
                res.writeHead(502, { "content-type": "text/plain" }).end(`faultProxy: upstream error: ${err.message}`);
            else res.destroy();
        });
        up.end(body);
    }

    let lifetimeTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    let stopping: Promise<void> | undefined;
    const stop = (reason = "stop()"): Promise<void> => {
        if (stopping) return stopping;
        stats.stopped = true;
        stats.stopReason = reason;
        if (lifetimeTimer) clearTimeout(lifetimeTimer);
        if (idleTimer) clearTimeout(idleTimer);
        stopping = new Promise<void>(resolve => {
            server.close(() => resolve());
            server.closeAllConnections();
            agent.destroy();
        });
        return stopping;
    };
    const idleMs = opts.idleTimeoutMs ?? 5 * 60_000;
    function touch(): void {
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
            void stop("idle");
        }, idleMs);
        idleTimer.unref();
    }

    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    lifetimeTimer = setTimeout(
        () => {
            void stop("lifetime");
        },
        opts.maxLifetimeMs ?? 15 * 60_000,
    );
    lifetimeTimer.unref();
    touch();
    const port = (server.address() as AddressInfo).port;

    return {
        endpoint: `http://127.0.0.1:${port}`,
        port,
        stats: () => ({ ...stats, byKind: { ...stats.byKind } }),
        log: () => [...entries],
        clearLog: () => {
            entries.length = 0;
        },
        attemptsPerCall: () => groupAttempts(entries, runStarts),
        newRun: () => {
            runStarts.push(seq + 1);
        },
        setFailureRatio: r => {
            validateRatio(r, "failureRatio");
            failureRatio = r;
        },
        stop: () => stop(),
    };
}

const CLIENT_VISIBLE_FAILURES = new Set<Outcome>([
    "throttle",
    "throttle429",
    "error500",
    "error503",
    "reset",
    "resetAfterForward",
]);

/** Groups logged requests into API calls (see FaultProxy.attemptsPerCall). */
export function groupAttempts(entries: readonly ProxyLogEntry[], runStarts: readonly number[] = []): CallAttempts[] {
    const calls: CallAttempts[] = [];
    const byInvocation = new Map<string, CallAttempts>();
    const openByUrl = new Map<string, CallAttempts>();
    const boundaries = [...runStarts].sort((a, b) => a - b);
    for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
        if (CONTROL_PATHS.some(p => e.url.startsWith(p))) continue;
        // A new run closes every open call: its requests are calls of its own.
        while (boundaries.length > 0 && e.seq >= boundaries[0]) {
            boundaries.shift();
            openByUrl.clear();
        }
        const failed = CLIENT_VISIBLE_FAILURES.has(e.outcome);
        if (e.invocationId) {
            let c = byInvocation.get(e.invocationId);
            if (!c) {
                c = { key: e.invocationId, action: e.action, attempts: 0, failures: 0, succeeded: false };
                byInvocation.set(e.invocationId, c);
                calls.push(c);
            }
            c.attempts++;
            if (failed) c.failures++;
            c.succeeded = !failed;
            continue;
        }
        const key = `${e.method} ${e.url}`;
        let c = openByUrl.get(key);
        if (!c) {
            c = { key, action: e.action, attempts: 0, failures: 0, succeeded: false };
            calls.push(c);
        }
        c.attempts++;
        if (failed) c.failures++;
        c.succeeded = !failed;
        if (failed) openByUrl.set(key, c);
        else openByUrl.delete(key);
    }
    return calls;
}
