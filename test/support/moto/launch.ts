/**
 * Starts the extended moto (./spider_moto.py) for tests, benchmarks and e2e runs.
 *
 *   const moto = await startMoto({ polls: 2 });
 *   // point AWS SDK clients at moto.endpoint with fake credentials
 *   await moto.setTargetHealth({ targetId: "i-0abc", state: "unhealthy" });
 *   await moto.recorder.start(); ...; const calls = await moto.recorder.calls();
 *   await moto.stop();
 *
 * moto listens on 127.0.0.1 on a free port and runs in its own process group; `stop()` ends
 * that group by PID (SIGTERM, then SIGKILL if it lingers), and a process-exit hook does the same
 * if the caller never gets to `stop()`. If the test process is killed outright, moto sees its
 * stdin close and exits by itself (`--exit-with-parent`). If moto is not importable, it is installed with
 * `python3 -m pip install 'moto[server]'`; if that fails, `startMoto` rejects with pip's output.
 */
import { execFileSync, spawn } from "child_process";
import * as path from "path";
import { waitUntil } from "../../../provider/interface/wait";

export interface MotoOptions {
    /** Describes (or DescribeUpdate polls) an object stays CREATING/DELETING/provisioning/InProgress; default 2. */
    polls?: number;
    /** DescribeTargetHealth polls a newly registered target reports `initial`; default 0. */
    initialPolls?: number;
    /** Python interpreter; default `python3`. */
    python?: string;
    /** How long to wait for moto to serve; default 60 s (the first start imports a lot). */
    startTimeoutMs?: number;
}

export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

export interface TargetHealthReq {
    /** Instance id (or IP) as registered. */
    targetId: string;
    /** `clear` removes the override so the target is healthy again. */
    state: TargetHealthState | "clear";
    reason?: string;
    description?: string;
    /** Limit the override to one target group; default: every group the target is in. */
    targetGroupArn?: string;
}

export interface FaultReq {
    /** SigV4 signing name: `elasticloadbalancing`, `eks`, `ec2`, `iam`; omitted = any. */
    service?: string;
    /** API action, e.g. `DescribeLoadBalancers`; omitted = any. */
    action?: string;
    /** How many matching requests fail before the fault disarms itself. */
    count: number;
    /** HTTP status; default 400. */
    status?: number;
    /** Error code; default `Throttling`. */
    code?: string;
    message?: string;
}

export interface FaultInfo extends Required<Omit<FaultReq, "service" | "action" | "message">> {
    service: string | null;
    action: string | null;
    message: string;
    /** Requests this fault has answered so far. */
    hits: number;
}

export interface HealthIssue {
    code: string;
    message: string;
}

/** One API request moto served, as its request recorder saw it. */
export interface RecordedCall {
    service: string;
    action: string;
    method: string;
    path: string;
}

export interface MotoServer {
    /** `http://127.0.0.1:<port>`: the endpoint for every AWS service. */
    endpoint: string;
    port: number;
    pid: number;
    /** Stops moto (the whole process group) and waits until it has exited. */
    stop(): Promise<void>;
    /** Clears all cloud state, target-health overrides, faults and pending failures. */
    reset(): Promise<void>;
    setTargetHealth(req: TargetHealthReq): Promise<void>;
    /** The next `count` matching requests get the given error instead of reaching moto. */
    injectFault(req: FaultReq): Promise<void>;
    faults(): Promise<FaultInfo[]>;
    clearFaults(): Promise<void>;
    /** The next cluster/node group created fails (FAILED/CREATE_FAILED with these health issues), or the next update ends Failed. */
    failNext(kind: "cluster" | "nodegroup" | "update", issues?: HealthIssue[]): Promise<void>;
    /** Describes a new object stays transitional; `existing`: objects already transitional finish within as many. */
    setPolls(polls: number, initialPolls?: number, existing?: boolean): Promise<void>;
    /** Time-based mode: every transitional object or update also lasts `ms` of wall time (0 = off). */
    setTransitionMs(ms: number): Promise<void>;
    /** Every EKS update moto holds, with when it started and finished (epoch seconds; doneAt null while running). */
    updates(): Promise<EksUpdateRecord[]>;
    recorder: {
        /** Clears the recording and starts recording every API request. */
        start(): Promise<void>;
        stop(): Promise<void>;
        /** Requests recorded since `start()`. */
        calls(): Promise<RecordedCall[]>;
    };
}

export interface EksUpdateRecord {
    id: string;
    type: string;
    status: string;
    params: Array<{ type: string; value: string }>;
    cluster: string;
    nodegroup: string | null;
    startedAt: number;
    doneAt: number | null;
}

const LAUNCHER = path.join(__dirname, "spider_moto.py");

/** Makes sure `import moto` (with its server extras) works, installing moto[server] if not. */
export function ensureMoto(python = "python3"): void {
    const probe = (): boolean => {
        try {
            execFileSync(python, ["-c", "import moto, flask, flask_cors, werkzeug"], { stdio: "pipe" });
            return true;
        } catch {
            return false;
        }
    };
    if (probe()) return;
    try {
        execFileSync(python, ["-m", "pip", "install", "--quiet", "moto[server]"], { stdio: "pipe", timeout: 600_000 });
    } catch (err) {
        const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
        throw new Error(
            `moto is not importable and \`${python} -m pip install 'moto[server]'\` failed: ${e.message}\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`,
        );
    }
    if (!probe())
        throw new Error(`\`${python} -m pip install 'moto[server]'\` succeeded but \`import moto\` still fails`);
}

export async function startMoto(opts: MotoOptions = {}): Promise<MotoServer> {
    const python = opts.python ?? "python3";
    ensureMoto(python);
    const args = [
        LAUNCHER,
        "--port",
        "0",
        "--polls",
        String(opts.polls ?? 2),
        "--initial-polls",
        String(opts.initialPolls ?? 0),
        "--exit-with-parent",
    ];
    const child = spawn(python, args, {
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn ${python} ${LAUNCHER}`);

    const output: string[] = [];
    let port = 0;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const remember = (chunk: Buffer): void => {
        for (const line of chunk.toString().split("\n")) {
            if (!line) continue;
            const m = /^SPIDER_MOTO_LISTENING port=(\d+)/.exec(line);
            if (m) port = Number(m[1]);
            output.push(line);
            if (output.length > 80) output.shift();
        }
    };
    child.stdout?.on("data", remember);
    child.stderr?.on("data", remember);
    child.on("exit", (code, signal) => {
        exited = { code, signal };
    });

    const killGroup = (signal: NodeJS.Signals): void => {
        try {
            process.kill(-pid, signal);
        } catch {
            // The group is already gone.
        }
    };
    const onExit = (): void => killGroup("SIGKILL");
    process.once("exit", onExit);

    const failStart = (why: string): Error => {
        killGroup("SIGKILL");
        process.removeListener("exit", onExit);
        return new Error(`moto (${python} ${path.basename(LAUNCHER)}) did not start: ${why}\n${output.join("\n")}`);
    };

    try {
        await waitUntil(
            async () => {
                if (exited) throw failStart(`exited with ${exited.code ?? exited.signal}`);
                if (!port) return { done: false, state: "starting" };
                try {
                    const res = await fetch(`http://127.0.0.1:${port}/spider-moto/health`);
                    return res.ok
                        ? { done: true, value: undefined }
                        : { done: false, state: `health HTTP ${res.status}` };
                } catch (err) {
                    return { done: false, state: `health: ${(err as Error).message}` };
                }
            },
            { timeoutMs: opts.startTimeoutMs ?? 60_000, minDelayMs: 50, maxDelayMs: 500, what: "moto to serve" },
        );
    } catch (err) {
        if (err instanceof Error && err.message.startsWith("moto (")) throw err;
        throw failStart((err as Error).message);
    }

    const endpoint = `http://127.0.0.1:${port}`;
    const call = async (method: string, route: string, body?: unknown): Promise<unknown> => {
        const res = await fetch(`${endpoint}${route}`, {
            method,
            headers: body === undefined ? undefined : { "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`moto ${method} ${route}: HTTP ${res.status}: ${text}`);
        return text.trim().startsWith("{") ? JSON.parse(text) : text;
    };

    const stop = async (): Promise<void> => {
        process.removeListener("exit", onExit);
        if (exited) return;
        killGroup("SIGTERM");
        try {
            await waitUntil(
                async () => (exited ? { done: true, value: undefined } : { done: false, state: "running" }),
                { timeoutMs: 10_000, minDelayMs: 20, maxDelayMs: 250, what: `moto (pid ${pid}) to exit` },
            );
        } catch {
            killGroup("SIGKILL");
            await waitUntil(
                async () => (exited ? { done: true, value: undefined } : { done: false, state: "running" }),
                { timeoutMs: 5_000, minDelayMs: 20, maxDelayMs: 250, what: `moto (pid ${pid}) to exit after SIGKILL` },
            );
        }
    };

    return {
        endpoint,
        port,
        pid,
        stop,
        reset: async () => {
            await call("POST", "/spider-moto/reset", {});
        },
        setTargetHealth: async req => {
            await call("POST", "/spider-moto/target-health", req);
        },
        injectFault: async req => {
            await call("POST", "/spider-moto/faults", req);
        },
        faults: async () => ((await call("GET", "/spider-moto/faults")) as { faults: FaultInfo[] }).faults,
        clearFaults: async () => {
            await call("DELETE", "/spider-moto/faults");
        },
        failNext: async (kind, issues) => {
            await call("POST", "/spider-moto/fail-next", { kind, issues });
        },
        setPolls: async (polls, initialPolls, existing) => {
            await call("POST", "/spider-moto/polls", { polls, initialPolls, existing });
        },
        setTransitionMs: async ms => {
            await call("POST", "/spider-moto/polls", { transitionMs: ms });
        },
        updates: async () => ((await call("GET", "/spider-moto/updates")) as { updates: EksUpdateRecord[] }).updates,
        recorder: {
            start: async () => {
                await call("POST", "/moto-api/recorder/reset-recording");
                await call("POST", "/moto-api/recorder/start-recording");
            },
            stop: async () => {
                await call("POST", "/moto-api/recorder/stop-recording");
            },
            calls: async () => ((await call("GET", "/spider-moto/recording")) as { calls: RecordedCall[] }).calls,
        },
    };
}
