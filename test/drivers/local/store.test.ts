import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitUntil } from "../../../provider/interface/wait";
import { isProcessAlive } from "../../../provider/drivers/local/lock";
import { LocalCloud } from "../../../provider/drivers/local/store";
import { expectCode } from "../../contract/nlb.contract";
import { runTsChild, stopChildren } from "./helpers";

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "spider-store-"));
}

/** A PID that certainly belonged to a process which has exited. */
function deadPid(): number {
    const res = spawnSync(process.execPath, ["-e", ""]);
    assert.ok(res.pid && !isProcessAlive(res.pid), "could not obtain the PID of an exited process");
    return res.pid;
}

describe("local store: state file, lock and concurrency", function () {
    const dirs: string[] = [];
    const dir = (): string => {
        const d = tempDir();
        dirs.push(d);
        return d;
    };

    after(function () {
        stopChildren();
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it("seeds the default inventory on first use", async function () {
        const cloud = new LocalCloud(dir());
        const s = await cloud.snapshot();
        assert.deepEqual(s.inventory.vpcs["vpc-local"].subnets, ["subnet-a", "subnet-b", "subnet-c", "subnet-d"]);
        assert.strictEqual(
            s.inventory.vpcs["vpc-local"].zones?.["subnet-d"],
            s.inventory.vpcs["vpc-local"].zones?.["subnet-a"],
            "subnet-d shares subnet-a's zone",
        );
        assert.deepEqual(Object.keys(s.inventory.vms), [
            "vm-1",
            "vm-2",
            "vm-3",
            "vm-4",
            "vm-5",
            "vm-6",
            "vm-7",
            "vm-8",
        ]);
        assert.ok(Object.values(s.inventory.vms).every(vm => vm.state === "running"));
        assert.deepEqual(s.inventory.vmSpecs, ["small", "medium", "large"]);
        assert.deepEqual(s.inventory.images, ["ubuntu-22.04", "ubuntu-24.04"]);
        assert.equal(s.inventory.defaultImage, "ubuntu-22.04");
        assert.deepEqual(s.inventory.keyPairs, ["default-key"]);
        assert.deepEqual(s.inventory.k8sVersions, ["1.28", "1.29", "1.30", "1.31"]);
        assert.equal(s.inventory.region, "local-1");
        assert.equal(s.config.polls, 2);
        assert.ok(fs.existsSync(cloud.statePath), "the seeded state is written to disk");
    });

    it("loses none of 20 parallel mutations in one process", async function () {
        const cloud = new LocalCloud(dir());
        const start = (await cloud.snapshot()).revision;
        await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
                cloud.mutate(s => {
                    s.inventory.vms[`p-${i}`] = { vpc: "vpc-local", subnet: "subnet-b", state: "stopped" };
                }),
            ),
        );
        const s = await cloud.snapshot();
        for (let i = 0; i < 20; i++) assert.ok(s.inventory.vms[`p-${i}`], `p-${i} was lost`);
        assert.equal(s.revision, start + 20, "every mutation is its own write");
        assert.ok(!fs.existsSync(cloud.lockPath), "the lock is released");
    });

    it("loses none of the mutations of four child processes racing this one", async function () {
        const d = dir();
        const cloud = new LocalCloud(d);
        const start = (await cloud.snapshot()).revision;
        const tags = ["c1", "c2", "c3", "c4"];
        const perChild = 30;
        const runs = tags.map(tag => runTsChild("mutate-many.ts", [d, tag, String(perChild)]));
        await waitUntil(
            async () => {
                const ready = tags.filter(t => fs.existsSync(path.join(d, `ready-${t}`))).length;
                return ready === tags.length
                    ? { done: true, value: undefined }
                    : { done: false, state: `${ready} ready` };
            },
            { timeoutMs: 60_000, minDelayMs: 5, maxDelayMs: 100, what: "the child processes to start" },
        );
        fs.writeFileSync(path.join(d, "go"), "");
        await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
                cloud.mutate(s => {
                    s.inventory.vms[`parent-${i}`] = { vpc: "vpc-local", subnet: "subnet-c", state: "running" };
                }),
            ),
        );
        const results = await Promise.all(runs);
        results.forEach((r, i) => assert.equal(r.code, 0, `child ${tags[i]} failed: ${r.stderr}`));

        const s = await cloud.snapshot();
        const missing: string[] = [];
        for (const tag of tags)
            for (let i = 0; i < perChild; i++) if (!s.inventory.vms[`${tag}-${i}`]) missing.push(`${tag}-${i}`);
        for (let i = 0; i < 20; i++) if (!s.inventory.vms[`parent-${i}`]) missing.push(`parent-${i}`);
        assert.deepEqual(missing, [], "lost updates");
        assert.equal(s.revision, start + tags.length * perChild + 20);
        const leftovers = fs
            .readdirSync(d)
            .filter(f => f.endsWith(".tmp") || f.endsWith(".lock") || f.endsWith(".break"));
        assert.deepEqual(leftovers, [], "no temp files or locks are left behind");
    });

    it("breaks a stale lock whose holder PID is dead", async function () {
        const cloud = new LocalCloud(dir(), { lockTimeoutMs: 10_000, staleLockMs: 60_000 });
        await cloud.snapshot();
        const pid = deadPid();
        fs.writeFileSync(
            cloud.lockPath,
            JSON.stringify({ pid, host: os.hostname(), acquiredAt: Date.now(), token: "dead" }),
        );
        const t0 = Date.now();
        await cloud.setPolls(3);
        assert.ok(Date.now() - t0 < 5_000, "the dead holder's lock was broken promptly, not waited out");
        assert.equal((await cloud.snapshot()).config.polls, 3);
        assert.ok(!fs.existsSync(cloud.lockPath));
    });

    it("waits for a live holder and times out with WaitTimeout instead of breaking its lock", async function () {
        const cloud = new LocalCloud(dir(), { lockTimeoutMs: 300, staleLockMs: 60_000 });
        await cloud.snapshot();
        const holder = JSON.stringify({ pid: process.pid, host: os.hostname(), acquiredAt: Date.now(), token: "live" });
        fs.writeFileSync(cloud.lockPath, holder);
        try {
            await expectCode(() => cloud.setPolls(5), "WaitTimeout");
            assert.equal(fs.readFileSync(cloud.lockPath, "utf8"), holder, "a live holder's lock is untouched");
        } finally {
            fs.rmSync(cloud.lockPath, { force: true });
        }
        assert.equal((await cloud.snapshot()).config.polls, 2);
    });

    it("breaks a lock held far longer than any critical section, even by a live PID", async function () {
        const cloud = new LocalCloud(dir(), { lockTimeoutMs: 10_000, staleLockMs: 1_000 });
        await cloud.snapshot();
        fs.writeFileSync(
            cloud.lockPath,
            JSON.stringify({ pid: process.pid, host: os.hostname(), acquiredAt: 0, token: "hung" }),
        );
        const old = new Date(Date.now() - 3_600_000);
        fs.utimesSync(cloud.lockPath, old, old);
        await cloud.setPolls(4);
        assert.equal((await cloud.snapshot()).config.polls, 4);
    });

    it("writes nothing when a mutation throws", async function () {
        const cloud = new LocalCloud(dir());
        const before = await cloud.snapshot();
        await assert.rejects(
            cloud.mutate(s => {
                s.config.polls = 99;
                throw new Error("changed my mind");
            }),
            /changed my mind/,
        );
        const after = await cloud.snapshot();
        assert.equal(after.config.polls, before.config.polls);
        assert.equal(after.revision, before.revision);
    });

    it("reports a corrupt state file as a CloudApi error naming the file", async function () {
        const cloud = new LocalCloud(dir());
        fs.mkdirSync(cloud.stateDir, { recursive: true });
        fs.writeFileSync(cloud.statePath, "{ not json");
        const err = await expectCode(() => cloud.snapshot(), "CloudApi");
        assert.match(err.message, /state\.json/);
    });

    it("keeps injected faults in the state file so another process's store consumes them", async function () {
        const d = dir();
        await new LocalCloud(d).injectFault("createNlb", { times: 2, error: "NotFound", message: "boom" });
        const other = new LocalCloud(d);
        await expectCode(() => other.consumeFault("createNlb"), "NotFound");
        const err = await expectCode(() => other.consumeFault("createNlb", "creating Nlb (x)"), "NotFound");
        assert.equal(err.message, "creating Nlb (x): boom");
        await other.consumeFault("createNlb");
        await new LocalCloud(d).injectFault("getNlb");
        await other.clearFaults();
        await other.consumeFault("getNlb");
    });
});
