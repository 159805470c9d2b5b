/**
 * The emulators must not outlive a test run that is killed outright (SIGKILL: no exit hook runs),
 * or they keep listening on 127.0.0.1 after CI or a developer's Ctrl-\ gave up on the run.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { waitUntil } from "../../provider/interface/wait";
import { isRunning } from "./process";

const ROOT = path.resolve(__dirname, "../..");

/** Starts an emulator in a child test process that then kills itself; returns the emulator's PID. */
async function emulatorOfKilledParent(module: string, start: string): Promise<number> {
    const script = `
        require(${JSON.stringify(path.join(ROOT, module))}).${start}().then(e => {
            process.stdout.write("PID " + e.pid + "\\n", () => process.kill(process.pid, "SIGKILL"));
        }, err => { console.error(err); process.exit(3); });`;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", d => {
        out += String(d);
    });
    child.stderr.on("data", d => {
        err += String(d);
    });
    const signal = await new Promise<NodeJS.Signals | null>(resolve => child.on("exit", (_code, sig) => resolve(sig)));
    const pid = Number(/PID (\d+)/.exec(out)?.[1]);
    assert.equal(
        signal,
        "SIGKILL",
        `the parent should have killed itself after starting the emulator; stderr:\n${err}`,
    );
    assert.ok(pid > 0, `the parent printed no emulator PID; stdout: ${out}; stderr:\n${err}`);
    return pid;
}

async function waitGone(pid: number, what: string): Promise<void> {
    try {
        await waitUntil(
            async () => (isRunning(pid) ? { done: false, state: "running" } : { done: true, value: undefined }),
            { timeoutMs: 15_000, minDelayMs: 50, maxDelayMs: 500, what: `${what} (pid ${pid}) to exit` },
        );
    } finally {
        if (isRunning(pid)) process.kill(pid, "SIGKILL");
    }
}

describe("emulators exit when the test process that started them is killed", function () {
    this.timeout(120_000);

    it("moto exits after its parent is SIGKILLed", async () => {
        const pid = await emulatorOfKilledParent("test/support/moto/launch", "startMoto");
        await waitGone(pid, "moto");
    });

    it("the GCP fake exits after its parent is SIGKILLed", async () => {
        const pid = await emulatorOfKilledParent("test/support/gcp-fake/launch", "startGcpFake");
        await waitGone(pid, "the GCP fake");
    });
});
