/**
 * Starts the GCP fake (Compute, plus the Kubernetes Engine v1 routes) as a separate process and gives
 * tests, e2e runs and benchmarks a typed handle on it. The fake is a test double only; nothing under
 * test/ ships in the package.
 *
 *   const fake = await startGcpFake({ opPolls: 2 });
 *   const conn = fake.connection;              // { driver: "gcp", project, region, endpoint }
 *   await fake.failNext({ method: "POST", path: /forwardingRules$/, asOperationError: true });
 *   ...
 *   await fake.stop();                          // in an `after` hook; stops the process by its PID
 *
 * Seed (restored by `reset()`): project `spider-test`; regions us-central1 (zones a, b, c) and
 * europe-west1 (zone b); network `default` with a `default` subnetwork in each region; instances
 * vm-1..vm-3 and `dup` in us-central1-a, vm-4..vm-6 and `dup` in us-central1-b, `vm-eu` in
 * europe-west1-b. Operations stay RUNNING for `opPolls` polls (get or wait) after the request
 * that started them, then turn DONE and only then apply their change.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import type { AddressesClient } from "@google-cloud/compute";
import type { v1 as containerV1 } from "@google-cloud/container";
import type { Connection } from "../../../provider/interface/driver";

/** Which request fails and how. Every given field must match; `path` is the URL path without query. */
export interface FailNextMatch {
    /** HTTP method, e.g. "POST" (inserts and custom verbs), "DELETE", "PATCH", "PUT", "GET". */
    method?: string;
    /** Substring of, or RegExp tested against, the path (`/compute/v1/projects/…` or GKE's `/v1/projects/…`). */
    path?: RegExp | string;
    /** HTTP status (default 503; with asOperationError it becomes the operation's httpErrorStatusCode, default 400). */
    status?: number;
    /**
     * Error reason (default `backendError`); with asOperationError the operation error code (default
     * QUOTA_EXCEEDED). On GKE paths a google.rpc status name here (e.g. RESOURCE_EXHAUSTED) becomes the
     * body's `status` / the operation's numeric `error.code`; otherwise it follows from the HTTP status.
     */
    reason?: string;
    /** Error message (default names the request). */
    message?: string;
    /**
     * Accept the request and return an operation that ends DONE with `error` instead of an HTTP error
     * (on GKE paths it holds the cluster while it runs, like any GKE operation, and applies nothing).
     */
    asOperationError?: boolean;
    /** How many matching requests fail (default 1). */
    times?: number;
}

export interface AddInstanceOptions {
    /** Network name (default `default`). */
    network?: string;
    /** Health reported by backend-service getHealth (default true). */
    healthy?: boolean;
    /** Instance status (default RUNNING; anything else reports UNHEALTHY). */
    status?: string;
}

export interface FakeInventory {
    forwardingRules: number;
    backendServices: number;
    healthChecks: number;
    addresses: number;
    instanceGroups: number;
    /**
     * GKE clusters, node pools and the pools' managed instance groups (all locations), each present
     * only when non-zero, so "every value is 0" still means clean and the load-balancing-only shape
     * that existing tests compare exactly is unchanged while no GKE resource exists.
     */
    clusters?: number;
    nodePools?: number;
    instanceGroupManagers?: number;
}

export interface GcpFake {
    /** `http://127.0.0.1:<port>`, for `Connection.endpoint`. */
    endpoint: string;
    port: number;
    pid: number;
    project: string;
    region: string;
    /** A gcp driver connection pointing at this fake. */
    connection: Connection;
    /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    stop(): Promise<void>;
    /** Back to the seed: no load-balancing or GKE resources, operations, failure rules or request log. */
    reset(): Promise<void>;
    /** Makes the next matching request(s) fail. */
    failNext(match: FailNextMatch): Promise<void>;
    /** Every Compute and container request received since start/reset/clearRequests, oldest first. */
    requests(): Promise<Array<{ method: string; path: string }>>;
    clearRequests(): Promise<void>;
    addInstance(zone: string, name: string, opts?: AddInstanceOptions): Promise<void>;
    /** Sets what getHealth reports for an instance. */
    setHealth(zone: string, name: string, healthy: boolean): Promise<void>;
    /** Changes how many polls new operations stay RUNNING. */
    setOpPolls(opPolls: number): Promise<void>;
    /** Counts of load-balancing and GKE resources in the project (all regions and zones); all 0 when clean. */
    inventory(): Promise<FakeInventory>;
}

const REPO_ROOT = path.resolve(__dirname, "../../..");
const MAIN = path.join(__dirname, "main.ts");
const START_TIMEOUT_MS = 60_000;

function waitForPort(child: ChildProcess): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`gcp-fake did not start within ${START_TIMEOUT_MS / 1000}s; stderr: ${err || "(empty)"}`));
        }, START_TIMEOUT_MS);
        child.stderr?.on("data", d => {
            err += String(d);
        });
        child.stdout?.on("data", d => {
            out += String(d);
            const m = /gcp-fake listening on 127\.0\.0\.1:(\d+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.once("exit", code => {
            clearTimeout(timer);
            reject(
                new Error(`gcp-fake exited with code ${String(code)} before listening; stderr: ${err || "(empty)"}`),
            );
        });
        child.once("error", e => {
            clearTimeout(timer);
            reject(new Error(`gcp-fake could not be spawned: ${e.message}`));
        });
    });
}

/** Options for a @google-cloud/compute client talking REST to the fake, with no credentials. */
type ComputeClientOptions = NonNullable<ConstructorParameters<typeof AddressesClient>[0]>;
/** Options for a @google-cloud/container ClusterManagerClient talking REST (fallback) to the fake. */
export type ContainerClientOptions = NonNullable<ConstructorParameters<typeof containerV1.ClusterManagerClient>[0]>;

/**
 * REST options against the fake with the pass-through auth client of the google-gax that `pkg`
 * itself loads (compute and container bring different majors, whose auth classes do not mix).
 */
function restOptions<Auth>(pkg: "@google-cloud/compute" | "@google-cloud/container", port: number) {
    const packageDir = path.dirname(require.resolve(`${pkg}/package.json`));
    const gax = require(require.resolve("google-gax", { paths: [packageDir] })) as {
        googleAuthLibrary: { PassThroughClient: new () => Auth };
    };
    return {
        apiEndpoint: "127.0.0.1",
        port,
        protocol: "http",
        fallback: true,
        authClient: new gax.googleAuthLibrary.PassThroughClient(),
    };
}

export function fakeClientOptions(port: number): ComputeClientOptions {
    return restOptions<NonNullable<ComputeClientOptions["authClient"]>>("@google-cloud/compute", port);
}

export function containerClientOptions(port: number): ContainerClientOptions {
    return restOptions<NonNullable<ContainerClientOptions["authClient"]>>("@google-cloud/container", port);
}

export async function startGcpFake(opts: { opPolls?: number } = {}): Promise<GcpFake> {
    const args = ["-r", "ts-node/register/transpile-only", MAIN, "--port", "0", "--exit-with-parent"];
    if (opts.opPolls !== undefined) args.push("--op-polls", String(opts.opPolls));
    const child = spawn(process.execPath, args, {
        cwd: REPO_ROOT,
        stdio: ["pipe", "pipe", "pipe"],
    });
    if (child.pid === undefined) throw new Error("gcp-fake could not be spawned (no pid)");
    const pid = child.pid;
    const exited = new Promise<void>(resolve => child.once("exit", () => resolve()));
    const port = await waitForPort(child);
    // Keep draining output so a chatty fake never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    const endpoint = `http://127.0.0.1:${port}`;

    const control = async <T>(method: string, what: string, body?: unknown): Promise<T> => {
        const res = await fetch(`${endpoint}/__fake/${what}`, {
            method,
            headers: body === undefined ? undefined : { "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`gcp-fake control ${method} ${what} failed (${res.status}): ${text}`);
        return JSON.parse(text) as T;
    };

    let info: { project: string };
    try {
        info = await control<{ project: string }>("GET", "info");
    } catch (err) {
        child.kill("SIGKILL");
        throw err;
    }
    const region = "us-central1";
    let stopped = false;
    return {
        endpoint,
        port,
        pid,
        project: info.project,
        region,
        connection: { driver: "gcp", project: info.project, region, endpoint },
        async stop() {
            if (stopped || child.exitCode !== null || child.signalCode !== null) return;
            stopped = true;
            const signal = (sig: NodeJS.Signals): void => {
                try {
                    process.kill(pid, sig);
                } catch {
                    // Already exited between the check and the signal.
                }
            };
            signal("SIGTERM");
            const timer = setTimeout(() => {
                if (child.exitCode === null && child.signalCode === null) signal("SIGKILL");
            }, 5_000);
            await exited;
            clearTimeout(timer);
        },
        async reset() {
            await control("POST", "reset");
        },
        async failNext(match) {
            const p =
                match.path instanceof RegExp ? { source: match.path.source, flags: match.path.flags } : match.path;
            await control("POST", "fail", { ...match, path: p });
        },
        requests: () => control("GET", "requests"),
        async clearRequests() {
            await control("DELETE", "requests");
        },
        async addInstance(zone, name, o = {}) {
            await control("POST", "instances", { zone, name, ...o });
        },
        async setHealth(zone, name, healthy) {
            await control("POST", "health", { zone, name, healthy });
        },
        async setOpPolls(opPolls) {
            await control("POST", "config", { opPolls });
        },
        inventory: () => control("GET", "inventory"),
    };
}
