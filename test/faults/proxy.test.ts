/**
 * The fault proxy itself (test/support/faultProxy.ts): forwards faithfully, replays a seed,
 * shapes its failures so the real SDKs classify them as the clouds' own (throttling, 5xx,
 * connection resets are retried; attempts stay bounded), and is bounded (budget, lifetime).
 */
import * as assert from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient, ListClustersCommand } from "@aws-sdk/client-eks";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { isRetryable as awsRetryable, isThrottle as awsThrottle } from "../../provider/drivers/aws/clients";
import { isRetryable as gcpRetryable } from "../../provider/drivers/gcp/clients";
import { FailureKind, groupAttempts, seededRandom, startFaultProxy } from "../support/faultProxy";

const CREDS = { accessKeyId: "testing", secretAccessKey: "testing" };

/** An upstream that answers every request with 200 and echoes method, URL and body. */
async function echoServer(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
    let hits = 0;
    const server = http.createServer((req, res) => {
        hits++;
        let body = "";
        req.on("data", d => {
            body += String(d);
        });
        req.on("end", () =>
            res
                .writeHead(200, { "content-type": "application/json", "x-echo": "1" })
                .end(JSON.stringify({ method: req.method, url: req.url, body })),
        );
    });
    await new Promise<void>(r => server.listen(0, "127.0.0.1", () => r()));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hits: () => hits,
        close: () =>
            new Promise<void>(r => {
                server.closeAllConnections();
                server.close(() => r());
            }),
    };
}

async function send(
    url: string,
    body = "Action=DescribeLoadBalancers&Version=2015-12-01",
): Promise<{ status: number; text: string } | "reset"> {
    try {
        const res = await fetch(url, {
            method: "POST",
            body,
            headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        return { status: res.status, text: await res.text() };
    } catch {
        return "reset";
    }
}

describe("faults: the fault proxy", function () {
    this.timeout(120_000);
    let upstream: Awaited<ReturnType<typeof echoServer>>;
    before(async () => {
        upstream = await echoServer();
    });
    after(async () => {
        await upstream.close();
    });

    it("forwards method, path, body and response unchanged when no fault is drawn", async () => {
        const proxy = await startFaultProxy({ target: upstream.url });
        try {
            const res = await send(`${proxy.endpoint}/some/path?x=1`, "hello");
            assert.notStrictEqual(res, "reset");
            if (res === "reset") return;
            assert.strictEqual(res.status, 200);
            assert.deepStrictEqual(JSON.parse(res.text), { method: "POST", url: "/some/path?x=1", body: "hello" });
            assert.deepStrictEqual(
                { ...proxy.stats(), byKind: undefined },
                {
                    requests: 1,
                    forwarded: 1,
                    failed: 0,
                    byKind: undefined,
                    delayed: 0,
                    exhausted: false,
                    stopped: false,
                    stopReason: "",
                },
            );
        } finally {
            await proxy.stop();
        }
    });

    it("replays the same fates for the same seed, and the failure ratio holds", async () => {
        const run = async (seed: number): Promise<string[]> => {
            const proxy = await startFaultProxy({
                target: upstream.url,
                failureRatio: 0.2,
                seed,
                faults: { reset: 0 },
            });
            try {
                for (let i = 0; i < 200; i++) await send(proxy.endpoint);
                return proxy.log().map(e => e.outcome);
            } finally {
                await proxy.stop();
            }
        };
        const a = await run(42);
        assert.deepStrictEqual(await run(42), a);
        assert.notDeepStrictEqual(await run(43), a);
        const failed = a.filter(o => o !== "forwarded").length;
        assert.ok(failed > 20 && failed < 60, `about 20 % of 200 requests should fail, got ${failed}`);
        const rnd = seededRandom(1);
        assert.ok([0, 1, 2].map(() => rnd()).every(x => x >= 0 && x < 1));
    });

    for (const kind of ["throttle", "throttle429", "error500", "error503", "reset"] as FailureKind[]) {
        it(`AWS SDK clients classify "${kind}" as retryable and stop after maxAttempts`, async () => {
            const proxy = await startFaultProxy({
                target: upstream.url,
                failureRatio: 1,
                faults: { throttle: 0, throttle429: 0, error500: 0, error503: 0, reset: 0, [kind]: 1 },
            });
            try {
                const common = {
                    region: "us-east-1",
                    endpoint: proxy.endpoint,
                    credentials: CREDS,
                    maxAttempts: 2,
                    retryMode: "standard",
                };
                const calls: Array<[string, () => Promise<unknown>]> = [
                    [
                        "elbv2",
                        () => new ElasticLoadBalancingV2Client(common).send(new DescribeLoadBalancersCommand({})),
                    ],
                    ["ec2", () => new EC2Client(common).send(new DescribeInstancesCommand({}))],
                    ["eks", () => new EKSClient(common).send(new ListClustersCommand({}))],
                ];
                for (const [name, call] of calls) {
                    proxy.clearLog();
                    const err = await call().then(
                        () => undefined,
                        (e: unknown) => e,
                    );
                    assert.ok(err, `${name}: the call must fail`);
                    assert.ok(
                        awsRetryable(err) || kind === "reset",
                        `${name}: ${kind} must be retryable for the aws driver, got ${String(err)}`,
                    );
                    if (kind.startsWith("throttle"))
                        assert.ok(
                            awsThrottle(err),
                            `${name}: ${kind} must read as throttling, got ${(err as Error).name}`,
                        );
                    const calls2 = groupAttempts(proxy.log());
                    assert.strictEqual(calls2.length, 1, `${name}: one logical call`);
                    assert.strictEqual(
                        calls2[0].attempts,
                        2,
                        `${name}: the SDK retries up to maxAttempts (2), got ${calls2[0].attempts}`,
                    );
                }
            } finally {
                await proxy.stop();
            }
        });
    }

    it("GCP-style failures are retryable for the gcp driver's error classification", async () => {
        for (const kind of ["throttle", "throttle429", "error500", "error503"] as FailureKind[]) {
            const proxy = await startFaultProxy({
                target: upstream.url,
                style: "gcp",
                failureRatio: 1,
                faults: { throttle: 0, throttle429: 0, error500: 0, error503: 0, reset: 0, [kind]: 1 },
            });
            try {
                const res = await send(`${proxy.endpoint}/compute/v1/projects/p/regions/r/backendServices`, "{}");
                assert.notStrictEqual(res, "reset");
                if (res === "reset") continue;
                // The shape google-gax's REST fallback raises: status in `code`, the raw JSON body as `message`.
                const err = Object.assign(new Error(res.text), { code: res.status });
                assert.ok(gcpRetryable(err), `${kind}: HTTP ${res.status} ${res.text} must be retryable`);
                assert.match(res.text, /"reason":"(rateLimitExceeded|backendError)"/);
            } finally {
                await proxy.stop();
            }
        }
    });

    it("resetAfterForward: the request reaches the target, the client sees a reset", async () => {
        const proxy = await startFaultProxy({
            target: upstream.url,
            failureRatio: 1,
            faults: { throttle: 0, throttle429: 0, error500: 0, error503: 0, reset: 0, resetAfterForward: 1 },
        });
        try {
            const before = upstream.hits();
            assert.strictEqual(await send(proxy.endpoint), "reset");
            assert.strictEqual(upstream.hits(), before + 1);
            assert.deepStrictEqual(proxy.stats().byKind, { resetAfterForward: 1 });
        } finally {
            await proxy.stop();
        }
    });

    it("counts a request of the next client run as a new call, not as one more attempt", async () => {
        const proxy = await startFaultProxy({
            target: upstream.url,
            failureRatio: 1,
            faults: { throttle: 0, throttle429: 0, error500: 0, error503: 1, reset: 0, resetAfterForward: 0 },
        });
        try {
            for (let attempt = 0; attempt < 3; attempt++) await send(`${proxy.endpoint}/same`);
            proxy.setFailureRatio(0);
            await send(`${proxy.endpoint}/same`);
            assert.deepStrictEqual(
                proxy.attemptsPerCall().map(call => call.attempts),
                [4],
                "three failures and the success after them are one call",
            );
            proxy.setFailureRatio(1);
            for (let attempt = 0; attempt < 3; attempt++) await send(`${proxy.endpoint}/again`);
            proxy.newRun();
            proxy.setFailureRatio(0);
            await send(`${proxy.endpoint}/again`);
            assert.deepStrictEqual(
                proxy.attemptsPerCall().map(call => [call.attempts, call.succeeded]),
                [
                    [4, true],
                    [3, false],
                    [1, true],
                ],
                "the run that gave up made a call of 3 attempts; the next run's request is a call of its own",
            );
        } finally {
            await proxy.stop();
        }
    });

    it("is bounded: a request budget and a lifetime after which it stops by itself", async () => {
        const proxy = await startFaultProxy({ target: upstream.url, maxRequests: 2, maxLifetimeMs: 300 });
        assert.strictEqual(((await send(proxy.endpoint)) as { status: number }).status, 200);
        assert.strictEqual(((await send(proxy.endpoint)) as { status: number }).status, 200);
        const third = await send(proxy.endpoint);
        assert.ok(third !== "reset" && third.status === 400 && /FaultProxyBudgetExhausted/.test(third.text));
        assert.strictEqual(proxy.stats().exhausted, true);
        await new Promise(r => setTimeout(r, 500));
        assert.deepStrictEqual([proxy.stats().stopped, proxy.stats().stopReason], [true, "lifetime"]);
        assert.strictEqual(await send(proxy.endpoint), "reset", "a stopped proxy accepts no connection");
        await assert.rejects(startFaultProxy({ target: "http://example.com:80" }), /loopback/);
    });
});
