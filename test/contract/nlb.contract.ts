import assert from "node:assert/strict";
import type { Capabilities, HealthCheckerReq, Iid, NlbInfo, NlbReq, Range } from "../../provider/interface/driver";
import type { ContractEnv } from "./env";

/*
 * The NLB contract every driver must pass, run only through the Driver interface and its
 * capabilities. One NLB is created and walked through the steps in order (cloud creates are slow).
 *
 * Semantics the scenarios pin down for every driver:
 * - `env.vms` are in the driver's canonical form: VmGroupInfo.vms and HealthInfo lists use it.
 * - A listener (or VM group) protocol change that the other side cannot serve carries the other
 *   side along to a compatible protocol (same port, same VMs) inside the same call, so an NLB is
 *   never left with an incompatible listener/VM group pair.
 * - Errors are recognised by `err.code`, never by `instanceof` (test and driver may load
 *   different copies of errors.ts).
 */

/** The URN a Pulumi resource would pass as the owner of what the driver creates. */
export const OWNER_URN = "urn:pulumi:contract::pulumi-spider::pulumi-nodejs:dynamic/spider:Nlb::web";

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function sortedCopy(values: readonly string[]): string[] {
    return [...values].sort();
}

/** Awaits `run` and asserts it rejects with one of the given SpiderError codes; returns the error. */
export async function expectCode(
    run: () => Promise<unknown>,
    codes: string | readonly string[],
): Promise<Error & { code?: string }> {
    const wanted = typeof codes === "string" ? [codes] : codes;
    let outcome: unknown;
    try {
        outcome = await run();
    } catch (err) {
        const code = (err as { code?: unknown }).code;
        assert.ok(err instanceof Error, `expected an Error object, got ${String(err)}`);
        assert.ok(
            wanted.includes(String(code)),
            `expected error code ${wanted.join(" or ")}, got ${String(code)}: ${(err as Error).message}`,
        );
        return err as Error & { code?: string };
    }
    assert.fail(`expected a ${wanted.join(" or ")} error, but the call resolved with ${JSON.stringify(outcome)}`);
}

/** Info objects go into Pulumi state: no undefined anywhere, no Date objects, no functions. */
export function assertPlainInfo(value: unknown, where = "info"): void {
    if (value === undefined) assert.fail(`${where} is undefined`);
    if (value === null || typeof value !== "object") {
        assert.notEqual(typeof value, "function", `${where} is a function`);
        return;
    }
    assert.ok(!(value instanceof Date), `${where} is a Date object; Info must carry ISO strings`);
    if (Array.isArray(value)) {
        value.forEach((v, i) => assertPlainInfo(v, `${where}[${i}]`));
        return;
    }
    for (const [k, v] of Object.entries(value)) assertPlainInfo(v, `${where}.${k}`);
}

function clamp(n: number, r: Range): number {
    return Math.min(r.max, Math.max(r.min, n));
}

/** A value inside `range` that differs from `current` (preferring `preferred`). */
function differentIn(range: Range, current: number, preferred: number, fallback: number): number {
    const a = clamp(preferred, range);
    if (a !== current) return a;
    return clamp(fallback, range);
}

/**
 * `caps` (the driver's static capabilities) decides at registration which capability-dependent
 * scenarios exist for this driver, so none is ever reported as skipped.
 */
export function describeNlbContract(label: string, getEnv: () => ContractEnv, caps: Capabilities): void {
    const udpSwitch =
        caps.nlb.inPlace.listenerProtocol &&
        caps.nlb.listenerProtocols.includes("UDP") &&
        caps.nlb.vmGroupProtocols.includes("UDP") &&
        caps.nlb.compatibleProtocols.UDP.includes("UDP");
    const itIf = (cond: boolean) => (cond ? it : () => undefined);
    describe(`NLB contract (${label})`, function () {
        const LISTENER_PORT = 80;
        const VM_PORT = 8080;
        let baseline = 0;
        let name = "";
        let iid: Iid = { nameId: "", systemId: "" };
        let created: NlbInfo | undefined;
        let attached: string[] = [];
        const toCleanUp: Iid[] = [];

        function request(nlbName: string, overrides: Partial<NlbReq> = {}): NlbReq {
            const env = getEnv();
            return {
                iid: { nameId: nlbName, systemId: "" },
                vpc: env.vpc,
                type: "PUBLIC",
                scope: "REGION",
                listener: { protocol: "TCP", port: LISTENER_PORT },
                vmGroup: { protocol: "TCP", port: VM_PORT, vms: env.vms.slice(0, 2) },
                healthChecker: { protocol: "TCP" },
                tags: { suite: "nlb-contract", owner: "spider" },
                owner: OWNER_URN,
                ...overrides,
            };
        }

        function requireCreated(): NlbInfo {
            assert.ok(created, "the NLB from the first scenario was not created; later scenarios depend on it");
            return created;
        }

        before(async function () {
            baseline = (await getEnv().inventory()).nlbs;
        });

        after(async function () {
            // Best effort so one failing scenario does not leak into other suites.
            for (const leftover of toCleanUp) {
                try {
                    await getEnv().driver.nlb.deleteNlb(leftover);
                } catch {
                    // The scenario that failed already reported the real problem.
                }
            }
        });

        it("creates an NLB with two VMs and reports every field with effective defaults", async function () {
            const env = getEnv();
            assert.ok(env.vms.length >= 4, "the env must offer at least four VMs");
            name = env.uniqueName("nlb");
            const req = request(name);
            const info = await env.driver.nlb.createNlb(req);
            created = info;
            iid = { nameId: info.iid.nameId, systemId: info.iid.systemId };
            toCleanUp.push(iid);
            attached = env.vms.slice(0, 2);

            assertPlainInfo(info, "createNlb result");
            assert.equal(info.iid.nameId, name);
            assert.ok(info.iid.systemId.length > 0, "iid.systemId must be set");
            assert.equal(info.vpc, env.vpc);
            assert.equal(info.type, "PUBLIC");
            assert.equal(info.scope, "REGION");
            assert.equal(info.listener.protocol, "TCP");
            assert.equal(info.listener.port, LISTENER_PORT);
            assert.ok(
                info.listener.ip.length > 0 || info.listener.dnsName.length > 0,
                "listener needs an ip or a dnsName",
            );
            assert.equal(info.vmGroup.protocol, "TCP");
            assert.equal(info.vmGroup.port, VM_PORT);
            assert.deepEqual(sortedCopy(info.vmGroup.vms), sortedCopy(attached));
            const d = env.caps.nlb.defaults;
            assert.equal(info.healthChecker.protocol, "TCP");
            assert.equal(info.healthChecker.port, VM_PORT, "an omitted health port means the VM group port");
            assert.equal(info.healthChecker.interval, d.interval);
            assert.equal(info.healthChecker.timeout, d.timeout);
            assert.equal(info.healthChecker.threshold, d.threshold);
            assert.equal(info.healthChecker.path, "");
            assert.match(info.createdTime, ISO_TIME);
            assert.ok(!Number.isNaN(Date.parse(info.createdTime)));
            assert.deepEqual(info.tags, req.tags, "the owner is recorded beside the user's tags, not among them");
            assert.equal(info.owner, OWNER_URN);
            assert.ok(
                Array.isArray(info.subnets) && info.subnets.every(s => typeof s === "string" && s !== ""),
                `subnets must list the effective subnets: ${JSON.stringify(info.subnets)}`,
            );

            const read = await env.driver.nlb.getNlb(iid);
            assertPlainInfo(read, "getNlb result");
            assert.equal(read.owner, OWNER_URN, "the owner is read back from the cloud object");
            assert.deepEqual(read.tags, req.tags);
            assert.equal(read.iid.systemId, iid.systemId);
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        it("attaches two more VMs and keeps the first two", async function () {
            const env = getEnv();
            requireCreated();
            const group = await env.driver.nlb.addVms(iid, env.vms.slice(2, 4));
            assertPlainInfo(group, "addVms result");
            attached = env.vms.slice(0, 4);
            assert.deepEqual(sortedCopy(group.vms), sortedCopy(attached));
            const read = await env.driver.nlb.getNlb(iid);
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        it("detaches two VMs and keeps exactly the other two", async function () {
            const env = getEnv();
            requireCreated();
            const group = await env.driver.nlb.removeVms(iid, env.vms.slice(0, 2));
            attached = env.vms.slice(2, 4);
            assert.deepEqual(sortedCopy(group.vms), sortedCopy(attached));
            const read = await env.driver.nlb.getNlb(iid);
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        it("changes the listener port in place and keeps the id", async function () {
            const env = getEnv();
            requireCreated();
            const listener = await env.driver.nlb.changeListener(iid, { protocol: "TCP", port: LISTENER_PORT + 1 });
            assertPlainInfo(listener, "changeListener result");
            assert.equal(listener.protocol, "TCP");
            assert.equal(listener.port, LISTENER_PORT + 1);
            const read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
            assert.equal(read.listener.port, LISTENER_PORT + 1);
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        itIf(udpSwitch)("switches the listener TCP→UDP→TCP in place, carrying the VM group along", async function () {
            const env = getEnv();
            requireCreated();

            const toUdp = await env.driver.nlb.changeListener(iid, { protocol: "UDP", port: LISTENER_PORT + 1 });
            assert.equal(toUdp.protocol, "UDP");
            let read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
            assert.equal(read.listener.protocol, "UDP");
            assert.ok(
                caps.nlb.compatibleProtocols.UDP.includes(read.vmGroup.protocol),
                `VM group protocol ${read.vmGroup.protocol} cannot serve a UDP listener`,
            );
            const udpGroup = await env.driver.nlb.changeVmGroupInfo(iid, { protocol: "UDP", port: VM_PORT });
            assert.equal(udpGroup.protocol, "UDP");
            assert.deepEqual(sortedCopy(udpGroup.vms), sortedCopy(attached));

            const toTcp = await env.driver.nlb.changeListener(iid, { protocol: "TCP", port: LISTENER_PORT + 1 });
            assert.equal(toTcp.protocol, "TCP");
            read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
            assert.equal(read.listener.protocol, "TCP");
            assert.ok(caps.nlb.compatibleProtocols.TCP.includes(read.vmGroup.protocol));
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        it("changes the VM group port in place and keeps the VMs", async function () {
            const env = getEnv();
            requireCreated();
            const group = await env.driver.nlb.changeVmGroupInfo(iid, { protocol: "TCP", port: VM_PORT + 1 });
            assertPlainInfo(group, "changeVmGroupInfo result");
            assert.equal(group.protocol, "TCP");
            assert.equal(group.port, VM_PORT + 1);
            assert.deepEqual(sortedCopy(group.vms), sortedCopy(attached));
            const read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
            assert.equal(read.vmGroup.port, VM_PORT + 1);
            assert.equal(read.listener.port, LISTENER_PORT + 1, "the listener is untouched");
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        it("changes the health checker (interval, timeout, threshold, HTTP path) in place", async function () {
            const env = getEnv();
            const previous = requireCreated().healthChecker;
            const caps = env.caps.nlb;
            const interval = differentIn(caps.healthInterval, previous.interval, 30, 20);
            let timeout = differentIn(caps.healthTimeout, previous.timeout, 10, 6);
            if (caps.timeoutAtMostInterval) timeout = Math.min(timeout, interval);
            const threshold = differentIn(caps.healthThreshold, previous.threshold, 5, 4);
            const http = caps.healthProtocols.includes("HTTP");
            const req: HealthCheckerReq = http
                ? { protocol: "HTTP", port: VM_PORT + 1, interval, timeout, threshold, path: "/healthz" }
                : { protocol: "TCP", port: VM_PORT + 1, interval, timeout, threshold };
            const hc = await env.driver.nlb.changeHealthCheckerInfo(iid, req);
            assertPlainInfo(hc, "changeHealthCheckerInfo result");
            const expected = {
                protocol: req.protocol,
                port: VM_PORT + 1,
                interval,
                timeout,
                threshold,
                unhealthyThreshold: threshold,
                path: http ? "/healthz" : "",
            };
            const { cspId: _ignored, ...got } = hc;
            assert.deepEqual(got, expected);
            const read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
            const { cspId: _ignoredToo, ...readHc } = read.healthChecker;
            assert.deepEqual(readHc, expected);
            assert.deepEqual(sortedCopy(read.vmGroup.vms), sortedCopy(attached));
        });

        it("reports health for exactly the attached VMs, each healthy or unhealthy", async function () {
            const env = getEnv();
            requireCreated();
            for (let round = 0; round < 2; round++) {
                const health = await env.driver.nlb.getVmGroupHealthInfo(iid);
                assertPlainInfo(health, "getVmGroupHealthInfo result");
                for (const vm of health.all) assert.ok(attached.includes(vm), `${vm} is reported but not attached`);
                for (const vm of [...health.healthy, ...health.unhealthy]) {
                    assert.ok(health.all.includes(vm), `${vm} is in healthy/unhealthy but not in all`);
                }
                for (const vm of attached) {
                    const hits = Number(health.healthy.includes(vm)) + Number(health.unhealthy.includes(vm));
                    assert.equal(hits, 1, `${vm} must appear in exactly one of healthy/unhealthy (round ${round})`);
                }
            }
        });

        it("starts with the cloud's traffic defaults and changes every setting it accepts in one call", async function () {
            const env = getEnv();
            requireCreated();
            const traffic = caps.nlb.traffic;
            assert.deepEqual((await env.driver.nlb.getNlb(iid)).traffic, traffic.defaults);
            // Each boolean flipped where the cloud accepts both values; the rest changed within their limits.
            const flip = (values: readonly boolean[], current: boolean) =>
                values.includes(!current) ? !current : current;
            const tuned = {
                crossZone: flip(traffic.crossZone, traffic.defaults.crossZone),
                connectionDraining: differentIn(traffic.connectionDraining, traffic.defaults.connectionDraining, 20, 1),
                sessionAffinity: traffic.sessionAffinities.find(a => a !== traffic.defaults.sessionAffinity) ?? "NONE",
                preserveClientIp: flip(traffic.preserveClientIp, traffic.defaults.preserveClientIp),
                proxyProtocol: flip(traffic.proxyProtocol, traffic.defaults.proxyProtocol),
            };
            const got = await env.driver.nlb.changeTrafficSettings(iid, tuned);
            assert.deepEqual(got, tuned);
            const read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
            assert.deepEqual(read.traffic, tuned);
            assert.deepEqual(await env.driver.nlb.changeTrafficSettings(iid, traffic.defaults), traffic.defaults);
        });

        itIf(caps.nlb.securityGroups)(
            "creates an NLB with a security group, changes to another non-empty set in place, and refuses none",
            async function () {
                const env = getEnv();
                assert.ok(env.network, "the env names two security groups of the VPC");
                const [first, second] = env.network.securityGroups;
                const guarded = await env.driver.nlb.createNlb(
                    request(env.uniqueName("sg"), {
                        securityGroups: [first],
                        vmGroup: { ...request("x").vmGroup, vms: [] },
                    }),
                );
                toCleanUp.push(guarded.iid);
                assert.deepEqual(guarded.securityGroups, [first]);
                assert.deepEqual(
                    sortedCopy(await env.driver.nlb.changeSecurityGroups(guarded.iid, [second, first])),
                    sortedCopy([first, second]),
                );
                const read = await env.driver.nlb.getNlb(guarded.iid);
                assert.equal(read.iid.systemId, guarded.iid.systemId);
                assert.deepEqual(sortedCopy(read.securityGroups), sortedCopy([first, second]));
                await expectCode(
                    () => env.driver.nlb.changeSecurityGroups(guarded.iid, []),
                    ["Validation", "CloudApi"],
                );
                assert.deepEqual(
                    sortedCopy((await env.driver.nlb.getNlb(guarded.iid)).securityGroups),
                    sortedCopy([first, second]),
                );
                await env.driver.nlb.deleteNlb(guarded.iid);
            },
        );

        it("replaces the tags with exactly the new set", async function () {
            const env = getEnv();
            requireCreated();
            const tags = { suite: "nlb-contract", stage: "tagged" };
            const got = await env.driver.nlb.changeTags(iid, tags);
            assert.deepEqual(got, tags);
            const read = await env.driver.nlb.getNlb(iid);
            assert.deepEqual(read.tags, tags);
        });

        it("moves the NLB between subnets in place: a zone dropped, a zone's subnet swapped, then back", async function () {
            const env = getEnv();
            const nlb = requireCreated();
            if (!env.caps.nlb.inPlace.subnets) {
                await expectCode(() => env.driver.nlb.changeSubnets(iid, nlb.subnets), "NotSupported");
                return;
            }
            assert.ok(env.network, "a driver that moves NLBs in place must offer env.network");
            const current = await env.driver.nlb.getNlb(iid);
            const start = sortedCopy(current.subnets);
            assert.ok(start.length >= 3 && start.includes(env.subnets[0]), `start subnets ${start.join(", ")}`);
            const others = start.filter(s => s !== env.subnets[0]);
            const target = sortedCopy([env.network.sameZoneSubnet, ...others.slice(1)]);
            assert.deepEqual(sortedCopy(await env.driver.nlb.changeSubnets(iid, target)), target);
            const moved = await env.driver.nlb.getNlb(iid);
            assert.deepEqual(sortedCopy(moved.subnets), target);
            assert.equal(moved.iid.systemId, nlb.iid.systemId, "the same NLB");
            assert.equal(moved.listener.port, current.listener.port, "the listener is untouched");
            assert.deepEqual(sortedCopy(await env.driver.nlb.changeSubnets(iid, start)), start);
            assert.deepEqual(sortedCopy((await env.driver.nlb.getNlb(iid)).subnets), start);
        });

        it("refuses subnets of another VPC or two in one zone before changing anything", async function () {
            const env = getEnv();
            const nlb = requireCreated();
            if (!env.caps.nlb.inPlace.subnets || !env.network) return assert.equal(env.caps.nlb.inPlace.subnets, false);
            const before = sortedCopy((await env.driver.nlb.getNlb(iid)).subnets);
            const foreign = await expectCode(
                () => env.driver.nlb.changeSubnets(iid, [...before, env.network!.otherVpcSubnet]),
                "Validation",
            );
            assert.match(foreign.message, new RegExp(`subnets\\[${before.length}\\].*${env.network.otherVpcSubnet}`));
            const twoInZone = await expectCode(
                () => env.driver.nlb.changeSubnets(iid, [env.subnets[0], env.network!.sameZoneSubnet]),
                "Validation",
            );
            assert.match(twoInZone.message, /one subnet per zone/);
            assert.deepEqual(sortedCopy((await env.driver.nlb.getNlb(iid)).subnets), before, "nothing changed");
            assert.equal((await env.driver.nlb.getNlb(iid)).iid.systemId, nlb.iid.systemId);
        });

        it("lists the NLB", async function () {
            const env = getEnv();
            requireCreated();
            const all = await env.driver.nlb.listNlb();
            assertPlainInfo(all, "listNlb result");
            const mine = all.filter(n => n.iid.systemId === iid.systemId);
            assert.equal(mine.length, 1, "listNlb must contain the NLB exactly once");
            assert.equal(mine[0].iid.nameId, name);
        });

        it("finds the NLB by its name alone and by its system id alone", async function () {
            const env = getEnv();
            requireCreated();
            const byName = await env.driver.nlb.getNlb({ nameId: name, systemId: "" });
            assert.equal(byName.iid.systemId, iid.systemId);
            const byId = await env.driver.nlb.getNlb({ nameId: "", systemId: iid.systemId });
            assert.equal(byId.iid.nameId, name);
        });

        it("throws NotFound for an NLB that does not exist", async function () {
            const env = getEnv();
            await expectCode(
                () => env.driver.nlb.getNlb({ nameId: env.uniqueName("missing"), systemId: "" }),
                "NotFound",
            );
        });

        it("refuses a second NLB with the same name and leaves the first intact", async function () {
            const env = getEnv();
            requireCreated();
            const countBefore = (await env.inventory()).nlbs;
            await expectCode(() => env.driver.nlb.createNlb(request(name)), "AlreadyExists");
            assert.equal((await env.inventory()).nlbs, countBefore);
            const read = await env.driver.nlb.getNlb(iid);
            assert.equal(read.iid.systemId, iid.systemId);
        });

        itIf(!caps.nlb.scopes.includes("GLOBAL"))(
            "rejects GLOBAL scope when the driver does not offer it, creating nothing",
            async function () {
                const env = getEnv();
                const countBefore = (await env.inventory()).nlbs;
                await expectCode(
                    () => env.driver.nlb.createNlb(request(env.uniqueName("glb"), { scope: "GLOBAL" })),
                    ["NotSupported", "Validation"],
                );
                assert.equal((await env.inventory()).nlbs, countBefore);
            },
        );

        it("creates and deletes an INTERNAL NLB when the driver offers it (and rejects it otherwise)", async function () {
            const env = getEnv();
            const internalName = env.uniqueName("nlbi");
            const req = request(internalName, {
                type: "INTERNAL",
                vmGroup: { protocol: "TCP", port: VM_PORT, vms: env.vms.slice(0, 1) },
            });
            if (!env.caps.nlb.types.includes("INTERNAL")) {
                await expectCode(() => env.driver.nlb.createNlb(req), ["NotSupported", "Validation"]);
                return;
            }
            const info = await env.driver.nlb.createNlb(req);
            toCleanUp.push(info.iid);
            assertPlainInfo(info, "createNlb (INTERNAL) result");
            assert.equal(info.type, "INTERNAL");
            assert.equal((await env.driver.nlb.getNlb(info.iid)).type, "INTERNAL");
            await env.driver.nlb.deleteNlb(info.iid);
            await expectCode(() => env.driver.nlb.getNlb(info.iid), "NotFound");
        });

        it("deletes the NLB; afterwards getNlb throws NotFound", async function () {
            const env = getEnv();
            requireCreated();
            await env.driver.nlb.deleteNlb(iid);
            await expectCode(() => env.driver.nlb.getNlb(iid), "NotFound");
            await expectCode(() => env.driver.nlb.getNlb({ nameId: name, systemId: "" }), "NotFound");
        });

        it("deleting it again succeeds", async function () {
            const env = getEnv();
            requireCreated();
            await env.driver.nlb.deleteNlb(iid);
            await env.driver.nlb.deleteNlb({ nameId: name, systemId: "" });
        });

        it("leaves no NLB behind", async function () {
            const env = getEnv();
            assert.equal((await env.inventory()).nlbs, baseline, "the suite must delete every NLB it created");
        });
    });
}
