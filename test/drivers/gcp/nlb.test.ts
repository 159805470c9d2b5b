import assert from "node:assert/strict";
import { describeError } from "../../../provider/interface/errors";
import { GcpHarness, nlbRequest, startHarness } from "./harness";

/** Asserts `run` rejects with a SpiderError of this code; returns it for further checks. */
async function rejectsWith(
    run: () => Promise<unknown>,
    code: string,
): Promise<Error & { code: string; cause?: unknown; issues?: Array<{ property: string; reason: string }> }> {
    try {
        await run();
    } catch (err) {
        const e = err as Error & { code: string };
        assert.equal(e.code, code, `expected ${code}, got ${String(e.code)}: ${e.message}`);
        return e;
    }
    return assert.fail(`expected a ${code} error, but the call succeeded`);
}

function mutations(calls: Array<{ method: string; path: string }>): string[] {
    return calls
        .filter(c => c.method !== "GET" && !/\/(wait|getHealth|listInstances)$/.test(c.path))
        .map(c => `${c.method} ${c.path.replace(/^\/compute\/v1\/projects\/[^/]+\//, "")}`);
}

describe("gcp driver: passthrough NLB on the Compute fake", function () {
    let h: GcpHarness;

    before(async function () {
        h = await startHarness({ opPolls: 2 });
    });

    after(async function () {
        await h?.stop();
    });

    beforeEach(async function () {
        await h.fake.reset();
    });

    async function expectNothingLeft(): Promise<void> {
        assert.deepEqual(await h.fake.inventory(), {
            forwardingRules: 0,
            backendServices: 0,
            healthChecks: 0,
            addresses: 0,
            instanceGroups: 0,
        });
    }

    describe("create and delete", function () {
        it("builds health check, per-zone instance groups, backend service, reserved address and forwarding rule", async function () {
            const name = h.uniqueName("web");
            const { value: info, calls } = await h.record(() => h.driver.nlb.createNlb(nlbRequest(name)));
            assert.deepEqual(
                info.vmGroup.vms,
                ["us-central1-a/vm-1", "us-central1-b/vm-4"],
                "bare names resolve to zone/name",
            );
            assert.match(info.listener.ip, /^34\.118\./);
            assert.equal(info.keyValues.loadBalancingScheme, "EXTERNAL");
            assert.match(info.keyValues.forwardingRule, new RegExp(`/regions/us-central1/forwardingRules/${name}-fr$`));
            assert.match(info.keyValues.address, new RegExp(`/regions/us-central1/addresses/${name}-ip$`));
            assert.deepEqual(await h.fake.inventory(), {
                forwardingRules: 1,
                backendServices: 1,
                healthChecks: 1,
                addresses: 1,
                instanceGroups: 2,
            });
            const m = mutations(calls);
            const at = (re: RegExp): number => m.findIndex(x => re.test(x));
            assert.ok(
                at(/POST regions\/us-central1\/healthChecks$/) < at(/POST regions\/us-central1\/backendServices$/),
            );
            assert.ok(
                at(/POST zones\/us-central1-a\/instanceGroups$/) < at(/POST regions\/us-central1\/backendServices$/),
            );
            assert.ok(at(/POST regions\/us-central1\/addresses$/) < at(/POST regions\/us-central1\/forwardingRules$/));
            assert.ok(
                at(/POST regions\/us-central1\/backendServices$/) < at(/POST regions\/us-central1\/forwardingRules$/),
            );
            assert.deepEqual(await h.driver.nlb.getNlb(info.iid), info, "createNlb returns exactly what getNlb reads");
        });

        it("deletes in reverse dependency order, releases the address and treats a second delete as success", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("del")));
            const { calls } = await h.record(() => h.driver.nlb.deleteNlb(info.iid));
            const m = mutations(calls);
            const at = (re: RegExp): number => m.findIndex(x => re.test(x));
            assert.equal(at(/DELETE .*forwardingRules\//), 0, "the forwarding rule goes first");
            assert.ok(at(/DELETE .*addresses\//) > 0);
            assert.ok(at(/DELETE .*backendServices\//) > 0);
            assert.ok(at(/DELETE .*instanceGroups\//) > at(/DELETE .*backendServices\//));
            assert.ok(at(/DELETE .*healthChecks\//) > at(/DELETE .*backendServices\//));
            await expectNothingLeft();
            await h.driver.nlb.deleteNlb(info.iid);
            await h.driver.nlb.deleteNlb({ nameId: info.iid.nameId, systemId: "" });
        });

        it("creates an INTERNAL NLB on an internal address of the VPC's subnetwork", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("ilb"), { type: "INTERNAL" }));
            assert.equal(info.type, "INTERNAL");
            assert.equal(info.keyValues.loadBalancingScheme, "INTERNAL");
            assert.match(info.listener.ip, /^10\.128\.0\./, "internal IP from the us-central1 default subnetwork");
            const read = await h.driver.nlb.getNlb(info.iid);
            assert.equal(read.type, "INTERNAL");
            assert.equal(read.listener.ip, info.listener.ip);
            await h.driver.nlb.deleteNlb(info.iid);
            await expectNothingLeft();
        });

        it("creates an NLB without VMs (no instance group) and adds the first VM later", async function () {
            const info = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("empty"), { vmGroup: { protocol: "TCP", port: 8080, vms: [] } }),
            );
            assert.deepEqual(info.vmGroup.vms, []);
            assert.equal((await h.fake.inventory()).instanceGroups, 0);
            const group = await h.driver.nlb.addVms(info.iid, ["vm-2"]);
            assert.deepEqual(group.vms, ["us-central1-a/vm-2"]);
            assert.equal((await h.fake.inventory()).instanceGroups, 1);
            await h.driver.nlb.deleteNlb(info.iid);
            await expectNothingLeft();
        });

        it("refuses a duplicate name before creating anything", async function () {
            const name = h.uniqueName("dupe");
            await h.driver.nlb.createNlb(nlbRequest(name));
            const { calls } = await h.record(() =>
                rejectsWith(() => h.driver.nlb.createNlb(nlbRequest(name)), "AlreadyExists"),
            );
            assert.deepEqual(mutations(calls), [], "no part of the second NLB was created");
        });
    });

    describe("failures and rollback", function () {
        it("surfaces a failed operation (HTTP 200, DONE with error) with its message and the operation named", async function () {
            await h.fake.failNext({
                method: "POST",
                path: /\/backendServices$/,
                asOperationError: true,
                reason: "QUOTA_EXCEEDED",
                message: "Quota 'BACKEND_SERVICES' exceeded. Limit: 0.0 in region us-central1.",
            });
            const name = h.uniqueName("quota");
            const err = await rejectsWith(() => h.driver.nlb.createNlb(nlbRequest(name)), "CloudApi");
            assert.match(
                err.message,
                new RegExp(
                    `^creating Nlb \\(${name}\\): inserting backend service ${name}-bs: operation operation-\\S+ \\(insert ${name}-bs\\) failed: QUOTA_EXCEEDED: Quota 'BACKEND_SERVICES' exceeded`,
                ),
            );
            await expectNothingLeft();
        });

        it("rolls back every created part in reverse order when the forwarding rule is refused", async function () {
            await h.fake.failNext({
                method: "POST",
                path: /\/forwardingRules$/,
                status: 400,
                reason: "invalid",
                message: "Invalid value for field 'resource.IPAddress'.",
            });
            const name = h.uniqueName("rb");
            const { value: err, calls } = await h.record(() =>
                rejectsWith(() => h.driver.nlb.createNlb(nlbRequest(name)), "Validation"),
            );
            assert.equal(err.issues?.[0]?.property, "listener", "a refused forwarding rule is about the listener");
            assert.match(err.message, /^creating Nlb/);
            const deletes = mutations(calls).filter(x => x.startsWith("DELETE"));
            assert.equal(
                deletes[0],
                `DELETE regions/us-central1/backendServices/${name}-bs`,
                "undo starts with the last created part",
            );
            assert.ok(deletes.indexOf(`DELETE regions/us-central1/healthChecks/${name}-hc`) > 0);
            assert.ok(deletes.includes(`DELETE regions/us-central1/addresses/${name}-ip`));
            await expectNothingLeft();
        });

        it("keeps the original error and hangs rollback failures under it as its cause; delete cleans up later", async function () {
            await h.fake.failNext({
                method: "POST",
                path: /\/forwardingRules$/,
                asOperationError: true,
                reason: "IP_IN_USE",
                message: "address in use",
            });
            await h.fake.failNext({
                method: "DELETE",
                path: /\/backendServices\//,
                status: 400,
                reason: "invalid",
                message: "backend service is locked",
            });
            const name = h.uniqueName("rbf");
            const err = await rejectsWith(() => h.driver.nlb.createNlb(nlbRequest(name)), "CloudApi");
            assert.match(err.message, /IP_IN_USE: address in use/, "the original error is the one thrown");
            const chain = describeError(err);
            assert.match(chain, /rollback incomplete/);
            assert.match(chain, new RegExp(`backend service ${name}-bs left behind`));
            assert.match(
                chain,
                new RegExp(`health check ${name}-hc left behind`),
                "the health check stays because the backend service uses it",
            );
            const left = await h.fake.inventory();
            assert.equal(left.backendServices, 1);
            assert.equal(left.healthChecks, 1);
            assert.equal(left.addresses, 0);
            await h.driver.nlb.deleteNlb({ nameId: name, systemId: "" });
            await expectNothingLeft();
        });

        it("deletes only the parts a failed rollback left once the backend service is gone, and sends no write when nothing is left", async function () {
            await h.fake.failNext({
                method: "POST",
                path: /\/forwardingRules$/,
                asOperationError: true,
                reason: "IP_IN_USE",
                message: "address in use",
            });
            await h.fake.failNext({
                method: "DELETE",
                path: /\/healthChecks\//,
                status: 400,
                reason: "invalid",
                message: "health check is locked",
            });
            const name = h.uniqueName("left");
            const err = await rejectsWith(() => h.driver.nlb.createNlb(nlbRequest(name)), "CloudApi");
            assert.match(describeError(err), new RegExp(`health check ${name}-hc left behind`));
            assert.deepEqual(await h.fake.inventory(), {
                forwardingRules: 0,
                backendServices: 0,
                healthChecks: 1,
                addresses: 0,
                instanceGroups: 0,
            });

            const cleanup = await h.record(() => h.driver.nlb.deleteNlb({ nameId: name, systemId: "" }));
            assert.deepEqual(mutations(cleanup.calls), [`DELETE regions/us-central1/healthChecks/${name}-hc`]);
            await expectNothingLeft();

            const again = await h.record(() => h.driver.nlb.deleteNlb({ nameId: name, systemId: "" }));
            assert.deepEqual(mutations(again.calls), [], "a delete of an NLB that is gone sends no write");
        });

        it("retries throttling and 5xx with backoff, then succeeds", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("thr")));
            await h.fake.failNext({
                method: "GET",
                path: /\/backendServices\//,
                status: 429,
                reason: "rateLimitExceeded",
                times: 2,
            });
            await h.fake.failNext({
                method: "GET",
                path: /\/forwardingRules\//,
                status: 503,
                reason: "backendError",
                times: 1,
            });
            const read = await h.driver.nlb.getNlb(info.iid);
            assert.equal(read.iid.systemId, info.iid.systemId);
        });

        it("reports persistent throttling as a retryable CloudApi error", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("thr2")));
            await h.fake.failNext({
                method: "GET",
                path: /\/backendServices\//,
                status: 429,
                reason: "rateLimitExceeded",
                times: 50,
            });
            const err = await rejectsWith(() => h.driver.nlb.getNlb(info.iid), "CloudApi");
            assert.equal((err as unknown as { retryable: boolean }).retryable, true);
        });

        it("gives up with WaitTimeout when an operation never finishes", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("slow")));
            await h.fake.setOpPolls(100_000);
            try {
                const slow = h.open({ timeouts: { update: 300 } });
                const err = await rejectsWith(() => slow.nlb.changeTags(info.iid, { team: "ops" }), "WaitTimeout");
                assert.match(err.message, /setting labels on .*-fr/);
            } finally {
                await h.fake.setOpPolls(2);
            }
        });
    });

    describe("listener", function () {
        it("changes the port by recreating the forwarding rule on the same reserved IP", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("lp")));
            const { value: listener, calls } = await h.record(() =>
                h.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 443 }),
            );
            assert.equal(listener.ip, info.listener.ip, "the listener IP must not change");
            assert.equal(listener.port, 443);
            assert.notEqual(listener.cspId, info.listener.cspId, "a new forwarding rule");
            assert.deepEqual(mutations(calls), [
                `DELETE regions/us-central1/forwardingRules/${info.iid.nameId}-fr`,
                "POST regions/us-central1/forwardingRules",
            ]);
            const read = await h.driver.nlb.getNlb(info.iid);
            assert.equal(read.iid.systemId, info.iid.systemId, "the systemId (backend service id) survives");
            assert.equal(read.listener.ip, info.listener.ip);
            assert.deepEqual(read.tags, { team: "web" }, "labels move to the new rule");
        });

        it("switches TCP to UDP together with the backend service, keeping the IP", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("udp")));
            const listener = await h.driver.nlb.changeListener(info.iid, { protocol: "UDP", port: 53 });
            assert.equal(listener.ip, info.listener.ip);
            const read = await h.driver.nlb.getNlb(info.iid);
            assert.equal(read.listener.protocol, "UDP");
            assert.equal(read.vmGroup.protocol, "UDP");
            assert.equal(read.healthChecker.protocol, "TCP", "UDP backends are still probed over TCP");
        });

        it("carries the listener along when only the VM group protocol changes", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("carry")));
            const group = await h.driver.nlb.changeVmGroupInfo(info.iid, { protocol: "UDP", port: 8080 });
            assert.equal(group.protocol, "UDP");
            const read = await h.driver.nlb.getNlb(info.iid);
            assert.equal(read.listener.protocol, "UDP");
            assert.equal(read.listener.port, 80, "same port");
            assert.equal(read.listener.ip, info.listener.ip, "same IP");
        });

        it("restores the previous forwarding rule when the new one is refused", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("lrb")));
            await h.fake.failNext({
                method: "POST",
                path: /\/forwardingRules$/,
                asOperationError: true,
                reason: "RESOURCE_OPERATION_RATE_EXCEEDED",
                message: "slow down",
            });
            const err = await rejectsWith(
                () => h.driver.nlb.changeListener(info.iid, { protocol: "UDP", port: 5353 }),
                "CloudApi",
            );
            assert.match(err.message, /RESOURCE_OPERATION_RATE_EXCEEDED: slow down/);
            const read = await h.driver.nlb.getNlb(info.iid);
            assert.equal(read.listener.protocol, "TCP");
            assert.equal(read.listener.port, 80);
            assert.equal(read.listener.ip, info.listener.ip);
            assert.equal(read.vmGroup.protocol, "TCP", "the backend service protocol was switched back");
        });

        it("does nothing when the listener is unchanged", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("same")));
            const { calls } = await h.record(() =>
                h.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 80 }),
            );
            assert.deepEqual(mutations(calls), []);
        });

        it("repairs a missing forwarding rule on the reserved address", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("fix")));
            await h.fake.failNext({ method: "POST", path: /\/forwardingRules$/, asOperationError: true, times: 2 });
            await rejectsWith(() => h.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 81 }), "CloudApi");
            const broken = await h.driver.nlb.getNlb(info.iid);
            assert.equal(broken.listener.port, 0, "refresh shows the missing rule as drift");
            assert.equal(broken.listener.ip, info.listener.ip);
            const fixed = await h.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 81 });
            assert.equal(fixed.ip, info.listener.ip);
            assert.equal((await h.driver.nlb.getNlb(info.iid)).listener.port, 81);
        });
    });

    describe("VMs", function () {
        it("resolves zone/name and bare names, and reports missing, ambiguous and out-of-region VMs together", async function () {
            const name = h.uniqueName("refs");
            const { value: err, calls } = await h.record(() =>
                rejectsWith(
                    () =>
                        h.driver.nlb.createNlb(
                            nlbRequest(name, {
                                vmGroup: {
                                    protocol: "TCP",
                                    port: 8080,
                                    vms: ["dup", "nope", "vm-eu", "europe-west1-b/vm-eu", "us-central1-c/vm-1", "vm-2"],
                                },
                            }),
                        ),
                    "Validation",
                ),
            );
            const byProp = new Map(err.issues!.map(i => [i.property, i.reason]));
            assert.match(byProp.get("vmGroup.vms[0]")!, /ambiguous.*us-central1-a, us-central1-b.*zone\/name/);
            assert.match(byProp.get("vmGroup.vms[1]")!, /no VM named "nope"/);
            assert.match(byProp.get("vmGroup.vms[2]")!, /found in europe-west1-b/);
            assert.match(byProp.get("vmGroup.vms[3]")!, /not in the NLB's region us-central1/);
            assert.match(byProp.get("vmGroup.vms[4]")!, /no VM named "vm-1" in us-central1-c/);
            assert.equal(byProp.has("vmGroup.vms[5]"), false);
            assert.deepEqual(mutations(calls), [], "nothing is created for bad references");
            const ok = await h.driver.nlb.createNlb(
                nlbRequest(name, { vmGroup: { protocol: "TCP", port: 8080, vms: ["us-central1-b/dup"] } }),
            );
            assert.deepEqual(ok.vmGroup.vms, ["us-central1-b/dup"]);
        });

        it("creates a zone's instance group when the first VM there is added and deletes it with the last", async function () {
            const info = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("zones"), { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1"] } }),
            );
            assert.equal((await h.fake.inventory()).instanceGroups, 1);
            const added = await h.driver.nlb.addVms(info.iid, ["vm-5", "us-central1-b/vm-6", "vm-1"]);
            assert.deepEqual(added.vms, ["us-central1-a/vm-1", "us-central1-b/vm-5", "us-central1-b/vm-6"]);
            assert.equal((await h.fake.inventory()).instanceGroups, 2);
            const partial = await h.driver.nlb.removeVms(info.iid, ["vm-5"]);
            assert.deepEqual(partial.vms, ["us-central1-a/vm-1", "us-central1-b/vm-6"]);
            assert.equal((await h.fake.inventory()).instanceGroups, 2, "zone b still has vm-6");
            const removed = await h.driver.nlb.removeVms(info.iid, ["us-central1-b/vm-6", "vm-9-not-attached"]);
            assert.deepEqual(removed.vms, ["us-central1-a/vm-1"]);
            assert.equal((await h.fake.inventory()).instanceGroups, 1, "zone b's group is gone");
            assert.deepEqual((await h.driver.nlb.getNlb(info.iid)).vmGroup.vms, ["us-central1-a/vm-1"]);
        });

        it("removes the last VM of the NLB (no backends left)", async function () {
            const info = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("last"), { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-3"] } }),
            );
            const group = await h.driver.nlb.removeVms(info.iid, ["vm-3"]);
            assert.deepEqual(group.vms, []);
            assert.deepEqual((await h.driver.nlb.getNlb(info.iid)).vmGroup.vms, []);
            assert.equal((await h.fake.inventory()).instanceGroups, 0);
        });

        it("refuses a VM that already serves another NLB, and rolls the new NLB back", async function () {
            const first = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("own"), { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-3"] } }),
            );
            const err = await rejectsWith(
                () =>
                    h.driver.nlb.createNlb(
                        nlbRequest(h.uniqueName("steal"), { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-3"] } }),
                    ),
                "Validation",
            );
            assert.match(err.message, /at most one load-balanced instance group/);
            assert.deepEqual(await h.fake.inventory(), {
                forwardingRules: 1,
                backendServices: 1,
                healthChecks: 1,
                addresses: 1,
                instanceGroups: 1,
            });
            assert.deepEqual((await h.driver.nlb.getNlb(first.iid)).vmGroup.vms, ["us-central1-a/vm-3"]);
        });

        it("reports health from the backend service per VM", async function () {
            const info = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("hl"), {
                    vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-4", "vm-5"] },
                }),
            );
            await h.fake.setHealth("us-central1-b", "vm-4", false);
            const health = await h.driver.nlb.getVmGroupHealthInfo(info.iid);
            assert.deepEqual(health, {
                all: ["us-central1-a/vm-1", "us-central1-b/vm-4", "us-central1-b/vm-5"],
                healthy: ["us-central1-a/vm-1", "us-central1-b/vm-5"],
                unhealthy: ["us-central1-b/vm-4"],
            });
        });
    });

    describe("health checker, VM group port and tags", function () {
        it("supports TCP, HTTP and HTTPS health checks, changed in place on the same health check", async function () {
            const info = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("hc"), {
                    healthChecker: {
                        protocol: "HTTPS",
                        port: 8443,
                        path: "/ready",
                        interval: 10,
                        timeout: 4,
                        threshold: 3,
                    },
                }),
            );
            assert.deepEqual(
                { ...info.healthChecker, cspId: "" },
                {
                    protocol: "HTTPS",
                    port: 8443,
                    interval: 10,
                    timeout: 4,
                    threshold: 3,
                    unhealthyThreshold: 3,
                    path: "/ready",
                    cspId: "",
                },
            );
            const http = await h.driver.nlb.changeHealthCheckerInfo(info.iid, { protocol: "HTTP", interval: 3 });
            assert.deepEqual(
                { ...http, cspId: "" },
                {
                    protocol: "HTTP",
                    port: 8080,
                    interval: 3,
                    timeout: 3,
                    threshold: 2,
                    unhealthyThreshold: 2,
                    path: "/",
                    cspId: "",
                },
            );
            assert.equal(http.cspId, info.healthChecker.cspId, "same health check, changed in place");
            const tcp = await h.driver.nlb.changeHealthCheckerInfo(info.iid, { protocol: "TCP", port: 22 });
            assert.equal(tcp.path, "");
            assert.deepEqual((await h.driver.nlb.getNlb(info.iid)).healthChecker, tcp);
        });

        it("refuses timeout > interval before calling the cloud", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("to")));
            const { value: err, calls } = await h.record(() =>
                rejectsWith(
                    () => h.driver.nlb.changeHealthCheckerInfo(info.iid, { protocol: "TCP", interval: 5, timeout: 6 }),
                    "Validation",
                ),
            );
            assert.deepEqual(err.issues, [
                { property: "healthChecker.timeout", reason: "must not exceed the interval (5s) on GCP" },
            ]);
            assert.deepEqual(calls, []);
        });

        it("moves an omitted health check port along with the VM group port, but not an explicit one", async function () {
            const auto = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("auto")));
            await h.driver.nlb.changeVmGroupInfo(auto.iid, { protocol: "TCP", port: 9090 });
            assert.equal((await h.driver.nlb.getNlb(auto.iid)).healthChecker.port, 9090);
            const fixed = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("fixed"), {
                    vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-2"] },
                    healthChecker: { protocol: "TCP", port: 22 },
                }),
            );
            await h.driver.nlb.changeVmGroupInfo(fixed.iid, { protocol: "TCP", port: 9090 });
            const read = await h.driver.nlb.getNlb(fixed.iid);
            assert.equal(read.healthChecker.port, 22);
            assert.equal(read.vmGroup.port, 9090);
        });

        it("replaces tags as forwarding-rule labels in place, and refuses keys GCE labels cannot hold", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("tags")));
            const { calls } = await h.record(() => h.driver.nlb.changeTags(info.iid, { env: "prod", tier: "1" }));
            assert.deepEqual(mutations(calls), [
                `POST regions/us-central1/forwardingRules/${info.iid.nameId}-fr/setLabels`,
            ]);
            assert.deepEqual((await h.driver.nlb.getNlb(info.iid)).tags, { env: "prod", tier: "1" });
            const err = await rejectsWith(() => h.driver.nlb.changeTags(info.iid, { "Bad Key": "x" }), "Validation");
            assert.equal(err.issues?.[0]?.property, "tags.Bad Key");
        });
    });

    describe("lookup and connection", function () {
        it("finds an NLB by backend-service id alone and lists only NLBs this driver made", async function () {
            const a = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("la"), { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1"] } }),
            );
            const b = await h.driver.nlb.createNlb(
                nlbRequest(h.uniqueName("lb"), { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-4"] } }),
            );
            assert.equal(
                (await h.driver.nlb.getNlb({ nameId: "", systemId: b.iid.systemId })).iid.nameId,
                b.iid.nameId,
            );
            const all = await h.driver.nlb.listNlb();
            assert.deepEqual(
                all.map(n => n.iid.nameId),
                [a.iid.nameId, b.iid.nameId].sort(),
            );
            assert.deepEqual(
                all.find(n => n.iid.nameId === a.iid.nameId),
                await h.driver.nlb.getNlb(a.iid),
            );
        });

        it("treats a systemId that no longer matches the name as not found", async function () {
            const info = await h.driver.nlb.createNlb(nlbRequest(h.uniqueName("stale")));
            await rejectsWith(() => h.driver.nlb.getNlb({ nameId: info.iid.nameId, systemId: "12345" }), "NotFound");
            await h.driver.nlb.deleteNlb({ nameId: info.iid.nameId, systemId: "12345" });
            assert.equal(
                (await h.fake.inventory()).backendServices,
                1,
                "a delete by a stale id leaves the current NLB alone",
            );
        });

        it("requires a project, defaulting to GOOGLE_CLOUD_PROJECT", function () {
            const saved = process.env.GOOGLE_CLOUD_PROJECT;
            const gcp = require("../../../provider/drivers/gcp") as typeof import("../../../provider/drivers/gcp");
            try {
                delete process.env.GOOGLE_CLOUD_PROJECT;
                assert.throws(
                    () => gcp.open({ driver: "gcp", endpoint: h.fake.endpoint }, {}),
                    (e: { code?: string; issues?: Array<{ property: string }> }) =>
                        e.code === "Validation" && e.issues?.[0]?.property === "connection.project",
                );
                process.env.GOOGLE_CLOUD_PROJECT = "from-env";
                assert.doesNotThrow(() => gcp.open({ driver: "gcp", endpoint: h.fake.endpoint }, {}));
            } finally {
                if (saved === undefined) delete process.env.GOOGLE_CLOUD_PROJECT;
                else process.env.GOOGLE_CLOUD_PROJECT = saved;
            }
        });

        it("reports a missing VPC as a validation error on vpc", async function () {
            const err = await rejectsWith(
                () => h.driver.nlb.createNlb(nlbRequest(h.uniqueName("novpc"), { vpc: "nope" })),
                "Validation",
            );
            assert.equal(err.issues?.[0]?.property, "vpc");
        });
    });
});
