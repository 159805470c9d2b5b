import assert from "node:assert/strict";
import type { NlbInfo, NlbReq } from "../../../provider/interface/driver";
import { open } from "../../../provider/drivers/local";
import { assertPlainInfo, expectCode } from "../../contract/nlb.contract";
import { FAST_CTX, freshLocalCloud, LocalFixture, runTsChild, stopChildren } from "./helpers";

function nlbReq(name: string, overrides: Partial<NlbReq> = {}): NlbReq {
    return {
        iid: { nameId: name, systemId: "" },
        vpc: "vpc-local",
        type: "PUBLIC",
        scope: "REGION",
        listener: { protocol: "TCP", port: 80 },
        vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-2"] },
        healthChecker: { protocol: "TCP" },
        tags: {},
        ...overrides,
    };
}

function issueProps(err: Error): string[] {
    return ((err as { issues?: { property: string }[] }).issues ?? []).map(i => i.property);
}

describe("local driver: NLB behaviour", function () {
    let f: LocalFixture;

    beforeEach(function () {
        f = freshLocalCloud();
    });

    afterEach(function () {
        f.cleanup();
    });

    after(function () {
        stopChildren();
    });

    describe("transitional states", function () {
        it("shows an injected Creating state to getNlb until its polls are used up", async function () {
            const info = await f.driver.nlb.createNlb(nlbReq("web"));
            assert.equal(info.keyValues.status, "Active");
            await f.cloud.mutate(s => {
                const rec = s.nlbs.find(n => n.name === "web");
                assert.ok(rec);
                rec.status = "Creating";
                rec.pendingPolls = 2;
            });
            assert.equal((await f.driver.nlb.getNlb(info.iid)).keyValues.status, "Creating");
            assert.equal((await f.driver.nlb.getNlb(info.iid)).keyValues.status, "Creating");
            assert.equal((await f.driver.nlb.getNlb(info.iid)).keyValues.status, "Active");
        });

        it("returns from createNlb only once Active, while a concurrent reader sees Creating", async function () {
            await f.cloud.setPolls(6);
            const slow = open({ driver: "local", localStateDir: f.dir }, { poll: { minDelayMs: 40, maxDelayMs: 80 } });
            const creating = slow.nlb.createNlb(nlbReq("slow"));
            const seen: string[] = [];
            let done = false;
            creating.then(
                () => {
                    done = true;
                },
                () => {
                    done = true;
                },
            );
            while (!done) {
                try {
                    seen.push((await f.driver.nlb.getNlb({ nameId: "slow", systemId: "" })).keyValues.status);
                } catch (err) {
                    if ((err as { code?: string }).code !== "NotFound") throw err;
                }
            }
            const info = await creating;
            assert.equal(info.keyValues.status, "Active");
            assert.ok(seen.includes("Creating"), `a reader should have seen Creating, saw ${JSON.stringify(seen)}`);
        });

        it("goes through Deleting before it is gone", async function () {
            const info = await f.driver.nlb.createNlb(nlbReq("bye"));
            await f.cloud.setPolls(3);
            await f.cloud.mutate(s => {
                const rec = s.nlbs.find(n => n.name === "bye");
                assert.ok(rec);
                rec.status = "Deleting";
                rec.pendingPolls = 1;
            });
            assert.equal((await f.driver.nlb.getNlb(info.iid)).keyValues.status, "Deleting");
            await expectCode(() => f.driver.nlb.getNlb(info.iid), "NotFound");
            assert.equal((await f.cloud.inventory()).nlbs, 0);
        });

        it("reports progress through ctx.log while a wait drags on, and times out with WaitTimeout", async function () {
            await f.cloud.setPolls(1000);
            const logs: string[] = [];
            const d = open(
                { driver: "local", localStateDir: f.dir },
                {
                    poll: { minDelayMs: 5, maxDelayMs: 10 },
                    timeouts: { create: 600, delete: 300 },
                    log: line => logs.push(line),
                },
            );
            const err = await expectCode(() => d.nlb.createNlb(nlbReq("stuck")), "WaitTimeout");
            assert.match(err.message, /Nlb \(stuck\) to be Active/);
            assert.ok(
                logs.some(l => l.includes("waiting for Nlb (stuck) to be Active") && l.includes("Creating")),
                logs.join("\n"),
            );
            const cause = (err as { cause?: { message?: string } }).cause;
            assert.match(
                cause?.message ?? "",
                /rollback failed.*to be deleted/,
                "the rollback's own timeout is the cause",
            );
            const left = await f.cloud.snapshot();
            assert.equal(left.nlbs[0]?.status, "Deleting", "the rollback started the delete");
            await f.cloud.mutate(s => {
                s.nlbs[0].pendingPolls = 0;
            });
            await expectCode(() => d.nlb.getNlb({ nameId: "stuck", systemId: "" }), "NotFound");
            assert.equal((await f.cloud.inventory()).nlbs, 0);
        });
    });

    describe("fault injection and rollback", function () {
        it("rolls back a create that fails at the listener step and throws the original error", async function () {
            await f.cloud.injectFault("createNlb.listener", { message: "listener quota exceeded" });
            const err = await expectCode(() => f.driver.nlb.createNlb(nlbReq("half")), "CloudApi");
            assert.equal(err.message, "creating Nlb (half): listener quota exceeded");
            assert.equal((err as { cause?: unknown }).cause, undefined, "a clean rollback adds no cause");
            assert.equal((await f.cloud.inventory()).nlbs, 0, "nothing is left behind");
            const again = await f.driver.nlb.createNlb(nlbReq("half"));
            assert.equal(again.iid.nameId, "half", "the name is free again");
        });

        it("attaches a failed rollback as the cause of the original error", async function () {
            await f.cloud.injectFault("createNlb.vms", { message: "register targets failed" });
            await f.cloud.injectFault("deleteNlb.loadBalancer", { message: "load balancer delete refused" });
            const err = await expectCode(() => f.driver.nlb.createNlb(nlbReq("stuck-half")), "CloudApi");
            assert.equal(err.message, "creating Nlb (stuck-half): register targets failed");
            const cause = (err as { cause?: { code?: string; message?: string } }).cause;
            assert.equal(cause?.code, "CloudApi");
            assert.match(cause?.message ?? "", /rollback failed.*load balancer delete refused/);
            const left = await f.cloud.snapshot();
            assert.equal(left.nlbs.length, 1, "the part the rollback could not delete is still there");
            assert.equal(left.nlbs[0].listener.cspId, "", "the listener was rolled back before the failure");
            assert.deepEqual(left.nlbs[0].vms, []);
            await f.driver.nlb.deleteNlb({ nameId: "stuck-half", systemId: "" });
            assert.equal((await f.cloud.inventory()).nlbs, 0);
        });

        it("retries throttling like an SDK and succeeds", async function () {
            const info = await f.driver.nlb.createNlb(nlbReq("busy"));
            await f.cloud.injectFault("addVms", { times: 2, error: "Throttling" });
            const group = await f.driver.nlb.addVms(info.iid, ["vm-3"]);
            assert.deepEqual(group.vms, ["vm-1", "vm-2", "vm-3"]);
        });

        it("gives up on persistent throttling with a retryable CloudApi error", async function () {
            const info = await f.driver.nlb.createNlb(nlbReq("busier"));
            await f.cloud.injectFault("changeTags", { times: 50, error: "Throttling" });
            const err = await expectCode(() => f.driver.nlb.changeTags(info.iid, { a: "b" }), "CloudApi");
            assert.equal((err as { retryable?: boolean }).retryable, true);
            assert.deepEqual((await f.driver.nlb.getNlb(info.iid)).tags, {});
        });

        it("fails a create in another process with a fault injected here", async function () {
            await f.cloud.injectFault("createNlb", { error: "CloudApi", message: "injected from the test" });
            const run = await runTsChild("driver-op.ts", [f.dir, "remote"]);
            assert.equal(run.code, 0, run.stderr);
            const out = JSON.parse(run.stdout.trim()) as { ok: boolean; code: string; message: string };
            assert.deepEqual(out, {
                ok: false,
                code: "CloudApi",
                message: "creating Nlb (remote): injected from the test",
            });
            const second = JSON.parse((await runTsChild("driver-op.ts", [f.dir, "remote"])).stdout.trim()) as {
                ok: boolean;
            };
            assert.equal(second.ok, true, "the fault fired once only");
            assert.equal((await f.driver.nlb.getNlb({ nameId: "remote", systemId: "" })).iid.nameId, "remote");
        });
    });

    describe("health", function () {
        it("follows the VMs' state: initial probe unhealthy, then healthy; stopped VMs turn unhealthy", async function () {
            const info = await f.driver.nlb.createNlb(
                nlbReq("hc", { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-5", "vm-6"] } }),
            );
            let h = await f.driver.nlb.getVmGroupHealthInfo(info.iid);
            assert.deepEqual(h, { all: ["vm-5", "vm-6"], healthy: [], unhealthy: ["vm-5", "vm-6"] });
            h = await f.driver.nlb.getVmGroupHealthInfo(info.iid);
            assert.deepEqual(h.healthy, ["vm-5", "vm-6"]);

            await f.cloud.setVmState("vm-6", "stopped");
            h = await f.driver.nlb.getVmGroupHealthInfo(info.iid);
            assert.deepEqual(h, { all: ["vm-5", "vm-6"], healthy: ["vm-5"], unhealthy: ["vm-6"] });

            await f.cloud.setVmState("vm-6", "running");
            await f.driver.nlb.addVms(info.iid, ["vm-7"]);
            h = await f.driver.nlb.getVmGroupHealthInfo(info.iid);
            assert.deepEqual(h.healthy, ["vm-5", "vm-6"]);
            assert.deepEqual(h.unhealthy, ["vm-7"], "a just-attached VM is still in its initial probe");
            h = await f.driver.nlb.getVmGroupHealthInfo(info.iid);
            assert.deepEqual(h.healthy, ["vm-5", "vm-6", "vm-7"]);
        });

        it("rejects a state change for a VM the inventory does not have", async function () {
            await expectCode(() => f.cloud.setVmState("vm-42", "stopped"), "NotFound");
        });
    });

    describe("validation", function () {
        it("names the unknown VM and subnet by property path and creates nothing", async function () {
            const err = await expectCode(
                () =>
                    f.driver.nlb.createNlb(
                        nlbReq("bad", {
                            vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-99"] },
                            subnets: ["subnet-a", "subnet-z"],
                        }),
                    ),
                "Validation",
            );
            assert.deepEqual(issueProps(err).sort(), ["subnets[1]", "vmGroup.vms[1]"]);
            assert.match(err.message, /vm-99/);
            assert.equal((await f.cloud.inventory()).nlbs, 0);
        });

        it("reports every bad field at once", async function () {
            const err = await expectCode(
                () =>
                    f.driver.nlb.createNlb(
                        nlbReq("-bad-name-", {
                            vpc: "vpc-nope",
                            listener: { protocol: "TCP", port: 70000 },
                            vmGroup: { protocol: "UDP", port: 8080, vms: [] },
                            healthChecker: { protocol: "TCP", interval: 5, timeout: 10, threshold: 11, path: "/x" },
                        }),
                    ),
                "Validation",
            );
            assert.deepEqual(issueProps(err).sort(), [
                "healthChecker.path",
                "healthChecker.threshold",
                "healthChecker.timeout",
                "iid.nameId",
                "listener.port",
                "vmGroup.protocol",
                "vpc",
            ]);
        });

        it("uses the AWS name rule so programs port to AWS", async function () {
            for (const bad of ["a".repeat(33), "internal-web", "web_1", "web-"]) {
                const err = await expectCode(() => f.driver.nlb.createNlb(nlbReq(bad)), "Validation");
                assert.deepEqual(issueProps(err), ["iid.nameId"], bad);
            }
            const ok = await f.driver.nlb.createNlb(nlbReq("a".repeat(32)));
            assert.equal(ok.iid.nameId.length, 32);
        });

        it("names an unknown VM in addVms and leaves the group unchanged", async function () {
            const info = await f.driver.nlb.createNlb(nlbReq("add"));
            const err = await expectCode(() => f.driver.nlb.addVms(info.iid, ["vm-3", "ghost"]), "Validation");
            assert.deepEqual(issueProps(err), ["vms[1]"]);
            assert.deepEqual((await f.driver.nlb.getNlb(info.iid)).vmGroup.vms, ["vm-1", "vm-2"]);
        });

        it("refuses GLOBAL scope as NotSupported", async function () {
            const err = await expectCode(
                () => f.driver.nlb.createNlb(nlbReq("glb", { scope: "GLOBAL" })),
                "NotSupported",
            );
            assert.match(err.message, /^creating Nlb \(glb\): GLOBAL scope is not supported/);
        });
    });

    describe("in-place changes", function () {
        let info: NlbInfo;

        beforeEach(async function () {
            info = await f.driver.nlb.createNlb(nlbReq("web", { healthChecker: { protocol: "HTTP" } }));
        });

        it("defaults an HTTP health check to path / on the VM group port, and follows that port", async function () {
            assert.deepEqual(
                { ...info.healthChecker, cspId: "" },
                {
                    protocol: "HTTP",
                    port: 8080,
                    interval: 10,
                    timeout: 5,
                    threshold: 3,
                    unhealthyThreshold: 3,
                    path: "/",
                    cspId: "",
                },
            );
            await f.driver.nlb.changeVmGroupInfo(info.iid, { protocol: "TCP", port: 9000 });
            assert.equal((await f.driver.nlb.getNlb(info.iid)).healthChecker.port, 9000);
        });

        it("carries the listener along when the VM group switches protocol", async function () {
            const group = await f.driver.nlb.changeVmGroupInfo(info.iid, { protocol: "UDP", port: 53 });
            assert.equal(group.protocol, "UDP");
            const read = await f.driver.nlb.getNlb(info.iid);
            assert.equal(read.listener.protocol, "UDP");
            assert.equal(read.listener.port, 80);
            assert.equal(read.iid.systemId, info.iid.systemId);
        });

        it("sees drift made behind the driver's back", async function () {
            await f.cloud.mutate(s => {
                const rec = s.nlbs.find(n => n.name === "web");
                assert.ok(rec);
                rec.listener.port = 8443;
            });
            assert.equal((await f.driver.nlb.getNlb(info.iid)).listener.port, 8443);
            await f.cloud.deleteNlbOutOfBand("web");
            await expectCode(() => f.driver.nlb.getNlb(info.iid), "NotFound");
            await f.driver.nlb.deleteNlb(info.iid);
        });

        it("returns plain Info objects (no undefined, ISO dates)", async function () {
            assertPlainInfo(info);
            assertPlainInfo(await f.driver.nlb.listNlb());
            assert.equal(new Date(info.createdTime).toISOString(), info.createdTime);
        });
    });

    describe("parallel operations", function () {
        it("creates eight NLBs in parallel and lets exactly one of five same-name creates win", async function () {
            const names = Array.from({ length: 8 }, (_, i) => `par-${i}`);
            const made = await Promise.all(names.map(n => f.driver.nlb.createNlb(nlbReq(n))));
            assert.equal(new Set(made.map(m => m.iid.systemId)).size, 8);

            const racers = await Promise.allSettled(
                Array.from({ length: 5 }, () => f.driver.nlb.createNlb(nlbReq("same"))),
            );
            const won = racers.filter(r => r.status === "fulfilled");
            const lost = racers.filter((r): r is PromiseRejectedResult => r.status === "rejected");
            assert.equal(won.length, 1);
            for (const r of lost) assert.equal((r.reason as { code?: string }).code, "AlreadyExists");
            assert.equal((await f.cloud.inventory()).nlbs, 9);

            await Promise.all([...names, "same"].map(n => f.driver.nlb.deleteNlb({ nameId: n, systemId: "" })));
            assert.equal((await f.cloud.inventory()).nlbs, 0);
        });

        it("applies parallel in-place changes to one NLB without losing any", async function () {
            const info = await f.driver.nlb.createNlb(
                nlbReq("busy", { vmGroup: { protocol: "TCP", port: 8080, vms: [] } }),
            );
            const vms = ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5", "vm-6", "vm-7", "vm-8"];
            await Promise.all([
                ...vms.map(vm => f.driver.nlb.addVms(info.iid, [vm])),
                f.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 81 }),
                f.driver.nlb.changeTags(info.iid, { k: "v" }),
            ]);
            const read = await f.driver.nlb.getNlb(info.iid);
            assert.deepEqual(read.vmGroup.vms, vms);
            assert.equal(read.listener.port, 81);
            assert.deepEqual(read.tags, { k: "v" });
        });
    });

    it("uses ./.spider-local and region local-1 when the connection names neither", async function () {
        const cwd = process.cwd();
        process.chdir(f.dir);
        try {
            const d = open({ driver: "local" }, FAST_CTX);
            const made = await d.nlb.createNlb(nlbReq("default-dir"));
            assert.equal(made.keyValues.region, "local-1");
            await d.nlb.deleteNlb(made.iid);
        } finally {
            process.chdir(cwd);
        }
        const fs = await import("node:fs");
        assert.ok(fs.existsSync(`${f.dir}/.spider-local/state.json`));
    });
});
