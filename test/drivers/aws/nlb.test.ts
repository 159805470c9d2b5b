import * as assert from "assert";
import {
    DescribeListenersCommand,
    DescribeLoadBalancerAttributesCommand,
    DescribeLoadBalancersCommand,
    DescribeTargetGroupAttributesCommand,
    DescribeTagsCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    SetSubnetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { NlbReq } from "../../../provider/interface/driver";
import {
    AlreadyExistsError,
    CloudApiError,
    NotFoundError,
    NotSupportedError,
    ValidationError,
    describeError,
} from "../../../provider/interface/errors";
import * as awsDriver from "../../../provider/drivers/aws";
import { AwsHarness, countOf, reads, startHarness, writes } from "./harness";

describe("aws driver: ELBv2 network load balancers (against extended moto)", function () {
    this.timeout(120_000);
    let h: AwsHarness;

    before(async () => {
        h = await startHarness({ polls: 2 });
    });
    after(async () => {
        if (h) await h.stop();
    });

    function req(name: string, over: Partial<NlbReq> = {}): NlbReq {
        return {
            iid: { nameId: name, systemId: "" },
            vpc: h.vpc,
            type: "PUBLIC",
            scope: "REGION",
            listener: { protocol: "TCP", port: 80 },
            vmGroup: { protocol: "TCP", port: 8080, vms: h.vms.slice(0, 2) },
            healthChecker: { protocol: "TCP" },
            tags: { team: "web" },
            ...over,
        };
    }

    async function targetsOf(tgArn: string): Promise<string[]> {
        const res = await h.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
        return (res.TargetHealthDescriptions ?? []).map(t => t.Target?.Id as string).sort();
    }

    it("creates an INTERNAL NLB as an internal-scheme load balancer in one subnet per AZ, waiting through provisioning", async () => {
        const name = h.uniqueName("int");
        const { value: info, calls } = await h.record(() => h.driver.nlb.createNlb(req(name, { type: "INTERNAL" })));
        assert.strictEqual(info.type, "INTERNAL");
        assert.strictEqual(info.scope, "REGION");
        const lb = (
            await h.clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [info.iid.systemId] }))
        ).LoadBalancers?.[0];
        assert.strictEqual(lb?.Scheme, "internal");
        assert.strictEqual(lb?.Type, "network");
        assert.strictEqual(lb?.State?.Code, "active");
        const zones = (lb?.AvailabilityZones ?? []).map(z => z.ZoneName);
        assert.strictEqual(new Set(zones).size, zones.length, "one subnet per AZ");
        assert.ok(zones.length >= 2, `expected every AZ of the VPC, got ${zones.join(",")}`);
        // provisioning for 2 describes, so the waiter polled at least 3 times (plus the name check)
        assert.ok(
            countOf(calls, "DescribeLoadBalancers") >= 4,
            `DescribeLoadBalancers ×${countOf(calls, "DescribeLoadBalancers")}`,
        );
        assert.deepStrictEqual(writes(calls).sort(), [
            "CreateListener",
            "CreateLoadBalancer",
            "CreateTargetGroup",
            "RegisterTargets",
        ]);
        assert.strictEqual(info.iid.systemId, info.keyValues.loadBalancerArn);
        assert.match(info.createdTime, /^\d{4}-\d\d-\d\dT/);
        assert.deepStrictEqual(info.vmGroup.vms, h.vms.slice(0, 2).sort());
        assert.deepStrictEqual(info.tags, { team: "web" });
        assert.ok(!JSON.stringify(info).includes("undefined"));
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("creates a PUBLIC NLB as internet-facing and tags the LB, listener and target group with spider:nlb", async () => {
        const name = h.uniqueName("pub");
        const info = await h.driver.nlb.createNlb(req(name));
        const lb = (
            await h.clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [info.iid.systemId] }))
        ).LoadBalancers?.[0];
        assert.strictEqual(lb?.Scheme, "internet-facing");
        const tags = await h.clients.elb.send(
            new DescribeTagsCommand({
                ResourceArns: [info.iid.systemId, info.listener.cspId, info.vmGroup.cspId],
            }),
        );
        for (const d of tags.TagDescriptions ?? []) {
            assert.ok(
                d.Tags?.some(t => t.Key === "spider:nlb" && t.Value === name),
                `${d.ResourceArn} lacks spider:nlb`,
            );
            assert.ok(d.Tags?.some(t => t.Key === "team" && t.Value === "web"));
        }
        assert.strictEqual((tags.TagDescriptions ?? []).length, 3);
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("refuses a second NLB with the same name although moto would create it", async () => {
        const name = h.uniqueName("dup");
        const first = await h.driver.nlb.createNlb(req(name));
        const before = await h.inventory();
        await assert.rejects(
            h.driver.nlb.createNlb(req(name)),
            (err: unknown) => err instanceof AlreadyExistsError && err.message.includes(name),
        );
        assert.deepStrictEqual(await h.inventory(), before);
        await h.driver.nlb.deleteNlb(first.iid);
    });

    it("reports every ELBv2 rule a request breaks at once, with property paths, and calls no API", async () => {
        const bad = req("-bad-name-", {
            listener: { protocol: "TCP", port: 70000 },
            vmGroup: { protocol: "UDP", port: 0, vms: ["vm-1"] },
            healthChecker: { protocol: "HTTP", interval: 4, timeout: 130, threshold: 11, path: "health" },
            tags: { "aws:owner": "x" },
        });
        const issues = awsDriver.validateNlb(bad);
        const props = issues.map(i => i.property);
        for (const p of [
            "iid.nameId",
            "listener.port",
            "vmGroup.port",
            "vmGroup.vms[0]",
            "vmGroup.protocol",
            "healthChecker.interval",
            "healthChecker.timeout",
            "healthChecker.threshold",
            "healthChecker.path",
            "tags.aws:owner",
        ]) {
            assert.ok(props.includes(p), `missing issue for ${p}: ${JSON.stringify(issues)}`);
        }
        const { calls } = await h.record(() =>
            assert.rejects(
                h.driver.nlb.createNlb(bad),
                (err: unknown) => err instanceof ValidationError && err.issues.length === issues.length,
            ),
        );
        assert.deepStrictEqual(calls, []);
        assert.deepStrictEqual(awsDriver.validateNlb(req("ok-name")), []);
        assert.ok(
            awsDriver
                .validateNlb(req("ok", { healthChecker: { protocol: "TCP", interval: 10, timeout: 11 } }))
                .some(i => i.property === "healthChecker.timeout" && /interval/.test(i.reason)),
            "timeout above interval",
        );
        assert.ok(
            awsDriver.validateNlb(req("internal-x")).some(i => i.property === "iid.nameId"),
            "internal- prefix",
        );
        assert.ok(
            awsDriver.validateNlb(req("a".repeat(33))).some(i => i.property === "iid.nameId"),
            "33 characters",
        );
    });

    it("refuses GLOBAL scope as not supported", async () => {
        await assert.rejects(h.driver.nlb.createNlb(req(h.uniqueName("glob"), { scope: "GLOBAL" })), NotSupportedError);
    });

    it("changes the listener port in place with one ModifyListener and keeps the id", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("lsn")));
        const { value: listener, calls } = await h.record(() =>
            h.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 8443 }),
        );
        assert.deepStrictEqual(writes(calls), ["ModifyListener"]);
        assert.strictEqual(listener.port, 8443);
        assert.strictEqual(listener.cspId, info.listener.cspId);
        const again = await h.driver.nlb.getNlb(info.iid);
        assert.strictEqual(again.iid.systemId, info.iid.systemId);
        assert.strictEqual(again.listener.port, 8443);
        const { calls: none } = await h.record(() =>
            h.driver.nlb.changeListener(info.iid, { protocol: "TCP", port: 8443 }),
        );
        assert.deepStrictEqual(writes(none), [], "an unchanged listener costs no write");
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("swaps the target group for a new VM group port: the listener forwards to a complete group throughout, the old group is gone", async () => {
        const vms = h.vms.slice(0, 3);
        const info = await h.driver.nlb.createNlb(
            req(h.uniqueName("swap"), { vmGroup: { protocol: "TCP", port: 8080, vms } }),
        );
        const observed: Array<{ tg: string; targets: string[] }> = [];
        let polling = true;
        const forwardsTo = async () =>
            (await h.clients.elb.send(new DescribeListenersCommand({ ListenerArns: [info.listener.cspId] })))
                .Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn as string;
        const poller = (async () => {
            while (polling) {
                const tg = await forwardsTo();
                const targets = await targetsOf(tg).catch(async (err: Error) => {
                    if (err.name !== "TargetGroupNotFoundException") throw err;
                    // The old group was deleted between the two reads: fine only if the listener had
                    // already moved on; a listener still forwarding to a deleted group is recorded empty.
                    return (await forwardsTo()) === tg ? [] : undefined;
                });
                if (targets) observed.push({ tg, targets });
            }
        })();
        const { value: group, calls } = await h.record(() =>
            h.driver.nlb.changeVmGroupInfo(info.iid, { protocol: "TCP", port: 9090 }),
        );
        polling = false;
        await poller;

        assert.deepStrictEqual(writes(calls), [
            "CreateTargetGroup",
            "RegisterTargets",
            "ModifyListener",
            "DeleteTargetGroup",
        ]);
        assert.strictEqual(group.port, 9090);
        assert.notStrictEqual(group.cspId, info.vmGroup.cspId);
        assert.deepStrictEqual(group.vms, [...vms].sort());
        assert.ok(observed.length > 0);
        for (const o of observed)
            assert.deepStrictEqual(
                o.targets,
                [...vms].sort(),
                `listener forwarded to ${o.tg} with ${o.targets.join(",")}`,
            );
        await assert.rejects(
            h.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [info.vmGroup.cspId] })),
            /TargetGroupNotFound/,
        );
        const after = await h.driver.nlb.getNlb(info.iid);
        assert.strictEqual(after.iid.systemId, info.iid.systemId);
        assert.strictEqual(after.listener.cspId, info.listener.cspId);
        assert.strictEqual(after.vmGroup.port, 9090);
        assert.strictEqual(after.healthChecker.port, 9090, "a traffic-port health check follows the new port");
        await h.driver.nlb.deleteNlb(info.iid);
        assert.deepStrictEqual(await h.inventory(), { nlbs: 0, clusters: 0, other: 0 });
    });

    it("moves listener and VM group from TCP to UDP together, whichever is changed first", async () => {
        const a = await h.driver.nlb.createNlb(req(h.uniqueName("udpa")));
        await h.driver.nlb.changeVmGroupInfo(a.iid, { protocol: "UDP", port: 8080 });
        const la = await h.driver.nlb.changeListener(a.iid, { protocol: "UDP", port: 53 });
        const b = await h.driver.nlb.createNlb(req(h.uniqueName("udpb")));
        await h.driver.nlb.changeListener(b.iid, { protocol: "UDP", port: 53 });
        const gb = await h.driver.nlb.changeVmGroupInfo(b.iid, { protocol: "UDP", port: 8080 });
        for (const iid of [a.iid, b.iid]) {
            const info = await h.driver.nlb.getNlb(iid);
            assert.strictEqual(info.listener.protocol, "UDP");
            assert.strictEqual(info.listener.port, 53);
            assert.strictEqual(info.vmGroup.protocol, "UDP");
            assert.deepStrictEqual(info.vmGroup.vms, h.vms.slice(0, 2).sort());
        }
        assert.strictEqual(la.protocol, "UDP");
        assert.strictEqual(gb.protocol, "UDP");
        await h.driver.nlb.deleteNlb(a.iid);
        await h.driver.nlb.deleteNlb(b.iid);
        assert.deepStrictEqual(await h.inventory(), { nlbs: 0, clusters: 0, other: 0 });
    });

    it("changes the health checker in place with one ModifyTargetGroup", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("hc")));
        const { value: hc, calls } = await h.record(() =>
            h.driver.nlb.changeHealthCheckerInfo(info.iid, {
                protocol: "HTTP",
                port: 8081,
                path: "/healthz",
                interval: 10,
                timeout: 5,
                threshold: 4,
            }),
        );
        assert.deepStrictEqual(writes(calls), ["ModifyTargetGroup"]);
        assert.deepStrictEqual(
            { ...hc, cspId: "" },
            {
                protocol: "HTTP",
                port: 8081,
                path: "/healthz",
                interval: 10,
                timeout: 5,
                threshold: 4,
                unhealthyThreshold: 4,
                cspId: "",
            },
        );
        const tg = (
            await h.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [info.vmGroup.cspId] }))
        ).TargetGroups?.[0];
        assert.strictEqual(tg?.HealthCheckPath, "/healthz");
        assert.strictEqual(tg?.UnhealthyThresholdCount, 4);
        await assert.rejects(
            h.driver.nlb.changeHealthCheckerInfo(info.iid, { protocol: "TCP", interval: 300, timeout: 121 }),
            (err: unknown) =>
                err instanceof ValidationError && err.issues.some(i => i.property === "healthChecker.timeout"),
        );
        await h.driver.nlb.deleteNlb(info.iid);
    });

    async function attributesOf(info: { iid: { systemId: string }; vmGroup: { cspId: string } }) {
        const [lb, tg] = await Promise.all([
            h.clients.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: info.iid.systemId })),
            h.clients.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: info.vmGroup.cspId })),
        ]);
        // Target-group keys first: a target group has its own cross-zone key (use_load_balancer_configuration).
        const all = [...(tg.Attributes ?? []), ...(lb.Attributes ?? [])];
        return Object.fromEntries(all.map(attribute => [attribute.Key, attribute.Value]));
    }

    const TUNED = {
        crossZone: true,
        connectionDraining: 15,
        sessionAffinity: "CLIENT_IP",
        preserveClientIp: false,
        proxyProtocol: true,
    } as const;

    it("creates with ELBv2's traffic defaults and no attribute calls", async () => {
        const { value: info, calls } = await h.record(() => h.driver.nlb.createNlb(req(h.uniqueName("dflt"))));
        assert.deepStrictEqual(info.traffic, {
            crossZone: false,
            connectionDraining: 300,
            sessionAffinity: "NONE",
            preserveClientIp: true,
            proxyProtocol: false,
        });
        assert.strictEqual(countOf(calls, "ModifyTargetGroupAttributes"), 0);
        assert.strictEqual(countOf(calls, "ModifyLoadBalancerAttributes"), 0);
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("changes five traffic settings with one ModifyTargetGroupAttributes and one ModifyLoadBalancerAttributes", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("traffic")));
        const { value, calls } = await h.record(() => h.driver.nlb.changeTrafficSettings(info.iid, TUNED));
        assert.deepStrictEqual(value, TUNED);
        assert.deepStrictEqual(writes(calls).sort(), ["ModifyLoadBalancerAttributes", "ModifyTargetGroupAttributes"]);
        const attributes = await attributesOf(info);
        assert.strictEqual(attributes["load_balancing.cross_zone.enabled"], "true");
        assert.strictEqual(attributes["deregistration_delay.timeout_seconds"], "15");
        assert.strictEqual(attributes["stickiness.enabled"], "true");
        assert.strictEqual(attributes["stickiness.type"], "source_ip");
        assert.strictEqual(attributes["preserve_client_ip.enabled"], "false");
        assert.strictEqual(attributes["proxy_protocol_v2.enabled"], "true");
        assert.deepStrictEqual((await h.driver.nlb.getNlb(info.iid)).traffic, TUNED);
        const again = await h.record(() => h.driver.nlb.changeTrafficSettings(info.iid, TUNED));
        assert.deepStrictEqual(writes(again.calls), [], "an unchanged setting makes no call");
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("carries every target-group attribute and the health check over a target-group swap", async () => {
        const health = { protocol: "HTTP" as const, path: "/ready", interval: 10, timeout: 5, threshold: 4 };
        const info = await h.driver.nlb.createNlb(
            req(h.uniqueName("carry"), { traffic: TUNED, healthChecker: { ...health, unhealthyThreshold: 2 } }),
        );
        const before = await attributesOf(info);
        const group = await h.driver.nlb.changeVmGroupInfo(info.iid, { protocol: "TCP", port: 9090 });
        assert.notStrictEqual(group.cspId, info.vmGroup.cspId, "a new target group");
        const swapped = await h.driver.nlb.getNlb(info.iid);
        assert.deepStrictEqual(await attributesOf(swapped), before);
        assert.deepStrictEqual(swapped.traffic, TUNED);
        const { cspId: _cspId, port: _port, ...kept } = swapped.healthChecker;
        assert.deepStrictEqual(kept, { ...health, unhealthyThreshold: 2 });
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("creates with security groups and changes them with SetSecurityGroups; one made without gets none", async () => {
        const [first, second] = h.network.securityGroups;
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("sg"), { securityGroups: [first] }));
        assert.deepStrictEqual(info.securityGroups, [first]);
        const { value, calls } = await h.record(() => h.driver.nlb.changeSecurityGroups(info.iid, [first, second]));
        assert.deepStrictEqual(value, [first, second].sort());
        assert.deepStrictEqual(writes(calls), ["SetSecurityGroups"]);
        assert.deepStrictEqual((await h.driver.nlb.getNlb(info.iid)).securityGroups, [first, second].sort());
        // ELBv2's InvalidConfigurationRequest, named by the property.
        await assert.rejects(h.driver.nlb.changeSecurityGroups(info.iid, []), ValidationError);
        await h.driver.nlb.deleteNlb(info.iid);
        const bare = await h.driver.nlb.createNlb(req(h.uniqueName("nosg")));
        await assert.rejects(h.driver.nlb.changeSecurityGroups(bare.iid, [first]), ValidationError);
        await h.driver.nlb.deleteNlb(bare.iid);
    });

    it("swaps a zone's subnet as two SetSubnets calls (remove, then add) and drops a zone in one, same ARN", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("subnets"), { subnets: h.subnets.slice(0, 3) }));
        const target = [h.network.sameZoneSubnet, h.subnets[1]].sort();
        const { calls } = await h.record(() => h.driver.nlb.changeSubnets(info.iid, target));
        assert.deepStrictEqual(
            writes(calls),
            ["SetSubnets", "SetSubnets", "SetSubnets"],
            "drop a zone, remove the old subnet, add the new",
        );
        const lb = (
            await h.clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [info.iid.systemId] }))
        ).LoadBalancers?.[0];
        assert.deepStrictEqual(
            (lb?.AvailabilityZones ?? []).map(z => z.SubnetId).sort(),
            target,
            "moto holds the new set",
        );
        assert.strictEqual(lb?.LoadBalancerArn, info.iid.systemId);
        const { calls: none } = await h.record(() => h.driver.nlb.changeSubnets(info.iid, target));
        assert.deepStrictEqual(writes(none), [], "an unchanged set costs no write");
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("the extended moto holds ELBv2's NLB subnet rules: a same-call zone swap, another VPC and two per zone are refused", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("rules"), { subnets: h.subnets.slice(0, 2) }));
        const set = (subnets: string[]) =>
            h.clients.elb.send(new SetSubnetsCommand({ LoadBalancerArn: info.iid.systemId, Subnets: subnets }));
        await assert.rejects(set([h.network.sameZoneSubnet, h.subnets[1]]), /remove it in a separate SetSubnets call/);
        await assert.rejects(set([h.subnets[0], h.network.otherVpcSubnet]), /not in the load balancer's VPC/);
        await assert.rejects(
            set([h.subnets[0], h.network.sameZoneSubnet]),
            /More than 1 subnet cannot be specified for 1 availability zone/,
        );
        await set([h.subnets[1]]);
        const lb = (
            await h.clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [info.iid.systemId] }))
        ).LoadBalancers?.[0];
        assert.deepStrictEqual(
            (lb?.AvailabilityZones ?? []).map(z => z.SubnetId),
            [h.subnets[1]],
            "an NLB may shrink to one zone",
        );
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("adds and removes several VMs with one RegisterTargets / DeregisterTargets call each", async () => {
        const info = await h.driver.nlb.createNlb(
            req(h.uniqueName("vms"), { vmGroup: { protocol: "TCP", port: 8080, vms: [] } }),
        );
        assert.deepStrictEqual(info.vmGroup.vms, []);
        const add = await h.record(() => h.driver.nlb.addVms(info.iid, h.vms.slice(0, 4)));
        assert.deepStrictEqual(writes(add.calls), ["RegisterTargets"]);
        assert.deepStrictEqual(add.value.vms, h.vms.slice(0, 4).sort());
        const again = await h.record(() => h.driver.nlb.addVms(info.iid, h.vms.slice(2, 5)));
        assert.deepStrictEqual(writes(again.calls), ["RegisterTargets"]);
        assert.deepStrictEqual(again.value.vms, h.vms.slice(0, 5).sort());
        const remove = await h.record(() =>
            h.driver.nlb.removeVms(info.iid, [h.vms[0], h.vms[1], h.vms[2], "i-00000000000000000"]),
        );
        assert.deepStrictEqual(writes(remove.calls), ["DeregisterTargets"]);
        assert.deepStrictEqual(remove.value.vms, h.vms.slice(3, 5).sort());
        assert.deepStrictEqual(await targetsOf(info.vmGroup.cspId), h.vms.slice(3, 5).sort());
        const noop = await h.record(() => h.driver.nlb.removeVms(info.iid, [h.vms[0]]));
        assert.deepStrictEqual(writes(noop.calls), [], "removing a VM that is not attached costs no write");
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("reports initial and unhealthy targets as unhealthy; only `healthy` counts as healthy", async () => {
        const vms = h.vms.slice(0, 4);
        const info = await h.driver.nlb.createNlb(
            req(h.uniqueName("hlth"), { vmGroup: { protocol: "TCP", port: 8080, vms } }),
        );
        await h.moto.setTargetHealth({ targetId: vms[1], state: "unhealthy", reason: "Target.FailedHealthChecks" });
        await h.moto.setTargetHealth({ targetId: vms[2], state: "unavailable" });
        await h.moto.setPolls(2, 5);
        try {
            await h.driver.nlb.addVms(info.iid, [h.vms[4]]);
        } finally {
            await h.moto.setPolls(2, 0);
        }
        const health = await h.driver.nlb.getVmGroupHealthInfo(info.iid);
        assert.deepStrictEqual(health.all, [...vms, h.vms[4]].sort());
        assert.deepStrictEqual(health.healthy, [vms[0], vms[3]].sort());
        assert.deepStrictEqual(
            health.unhealthy,
            [vms[1], vms[2], h.vms[4]].sort(),
            "the new target is still `initial`",
        );
        const raw = await h.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: info.vmGroup.cspId }));
        assert.strictEqual(
            raw.TargetHealthDescriptions?.find(t => t.Target?.Id === h.vms[4])?.TargetHealth?.State,
            "initial",
        );
        for (const vm of vms) await h.moto.setTargetHealth({ targetId: vm, state: "clear" });
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("replaces the user tags on the LB, listener and target group, keeping spider:nlb", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("tag"), { tags: { team: "web", cost: "1" } }));
        const tags = await h.driver.nlb.changeTags(info.iid, { team: "api", env: "prod" });
        assert.deepStrictEqual(tags, { team: "api", env: "prod" });
        const res = await h.clients.elb.send(
            new DescribeTagsCommand({ ResourceArns: [info.iid.systemId, info.listener.cspId, info.vmGroup.cspId] }),
        );
        for (const d of res.TagDescriptions ?? []) {
            const got = Object.fromEntries((d.Tags ?? []).map(t => [t.Key, t.Value]));
            assert.deepStrictEqual(got, { "spider:nlb": info.iid.nameId, team: "api", env: "prod" }, d.ResourceArn);
        }
        assert.deepStrictEqual((await h.driver.nlb.getNlb(info.iid)).tags, { team: "api", env: "prod" });
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("deletes listener → target group → load balancer and waits until gone; a second delete succeeds", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("del")));
        const { calls } = await h.record(() => h.driver.nlb.deleteNlb(info.iid));
        assert.deepStrictEqual(writes(calls), ["DeleteListener", "DeleteTargetGroup", "DeleteLoadBalancer"]);
        assert.ok(reads(calls).lastIndexOf("DescribeLoadBalancers") > -1);
        await assert.rejects(h.driver.nlb.getNlb(info.iid), NotFoundError);
        await h.driver.nlb.deleteNlb(info.iid);
        await h.driver.nlb.deleteNlb({ nameId: info.iid.nameId, systemId: "" });
        assert.deepStrictEqual(await h.inventory(), { nlbs: 0, clusters: 0, other: 0 });
    });

    it("rolls a failed create back, keeps the original error, and hangs rollback failures under it as its cause", async () => {
        const name = h.uniqueName("rb");
        await h.moto.injectFault({
            service: "elasticloadbalancing",
            action: "CreateListener",
            count: 1,
            status: 400,
            code: "InvalidConfigurationRequest",
            message: "injected listener failure",
        });
        await assert.rejects(
            h.driver.nlb.createNlb(req(name)),
            (err: unknown) =>
                err instanceof ValidationError &&
                /injected listener failure/.test(err.message) &&
                err.cause !== undefined,
        );
        assert.deepStrictEqual(
            await h.inventory(),
            { nlbs: 0, clusters: 0, other: 0 },
            "load balancer and target group undone",
        );

        await h.moto.injectFault({
            service: "elasticloadbalancing",
            action: "CreateListener",
            count: 1,
            status: 400,
            code: "InvalidConfigurationRequest",
            message: "injected listener failure",
        });
        await h.moto.injectFault({
            service: "elasticloadbalancing",
            action: "DeleteTargetGroup",
            count: 1,
            status: 403,
            code: "AccessDenied",
            message: "injected rollback failure",
        });
        try {
            await h.driver.nlb.createNlb(req(name));
            assert.fail("create should have failed");
        } catch (err) {
            assert.ok(err instanceof ValidationError, describeError(err));
            assert.match(err.message, /injected listener failure/);
            assert.match(describeError(err), /rollback .* left parts behind: .*injected rollback failure/);
        }
        const left = await h.inventory();
        assert.deepStrictEqual(
            left,
            { nlbs: 0, clusters: 0, other: 1 },
            "only the target group whose delete failed is left",
        );
        await h.driver.nlb.deleteNlb({ nameId: name, systemId: "" });
        assert.deepStrictEqual(
            await h.inventory(),
            { nlbs: 0, clusters: 0, other: 0 },
            "delete found the orphaned group by its tag",
        );
        assert.deepStrictEqual(
            (await h.moto.faults()).map(f => f.hits),
            [1, 1, 1],
        );
        await h.moto.clearFaults();
    });

    it("reports a name conflict on the target group, after the load balancer exists, as a CloudApi error and rolls back", async () => {
        await h.moto.clearFaults();
        await h.moto.injectFault({
            service: "elasticloadbalancing",
            action: "CreateTargetGroup",
            count: 1,
            status: 400,
            code: "DuplicateTargetGroupName",
            message: "injected: a target group with the same name exists",
        });
        const err = await h.driver.nlb.createNlb(req(h.uniqueName("tgdup"))).then(
            () => undefined,
            (e: unknown) => e,
        );
        assert.ok(
            err instanceof CloudApiError,
            `AlreadyExists is kept for the load balancer's own name; got ${describeError(err)}`,
        );
        assert.ok(err.cause instanceof AlreadyExistsError, "the conflict is kept as the cause");
        assert.deepStrictEqual(await h.inventory(), { nlbs: 0, clusters: 0, other: 0 }, "the load balancer is undone");
    });

    it("retries throttled calls through the SDK's standard retry mode, and reports persistent throttling as retryable", async () => {
        const info = await h.driver.nlb.createNlb(req(h.uniqueName("thr")));
        await h.moto.clearFaults();
        await h.moto.injectFault({
            service: "elasticloadbalancing",
            action: "DescribeLoadBalancers",
            count: 3,
            status: 400,
            code: "Throttling",
            message: "Rate exceeded",
        });
        const got = await h.driver.nlb.getNlb(info.iid);
        assert.strictEqual(got.iid.systemId, info.iid.systemId);
        const faults = await h.moto.faults();
        assert.strictEqual(faults[0].hits, 3, "three throttled attempts, then success");
        await h.moto.clearFaults();

        await h.moto.injectFault({
            service: "elasticloadbalancing",
            action: "DescribeListeners",
            count: 50,
            status: 400,
            code: "Throttling",
            message: "Rate exceeded",
        });
        try {
            await assert.rejects(
                h.driver.nlb.getNlb(info.iid),
                (err: unknown) => err instanceof CloudApiError && err.retryable && /Throttling/.test(err.message),
            );
            assert.strictEqual((await h.moto.faults())[0].hits, 5, "bounded: 5 attempts in all");
        } finally {
            await h.moto.clearFaults();
        }
        await h.driver.nlb.deleteNlb(info.iid);
    });

    it("throws NotFoundError for an NLB that does not exist, by ARN or by name", async () => {
        await assert.rejects(h.driver.nlb.getNlb({ nameId: "nothing-here", systemId: "" }), NotFoundError);
        const arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nothing/0123456789abcdef";
        await assert.rejects(h.driver.nlb.getNlb({ nameId: "", systemId: arn }), NotFoundError);
        await assert.rejects(
            h.driver.nlb.changeListener({ nameId: "", systemId: arn }, { protocol: "TCP", port: 81 }),
            NotFoundError,
        );
    });

    it("lists the NLBs it manages", async () => {
        const a = await h.driver.nlb.createNlb(req(h.uniqueName("lsa")));
        const b = await h.driver.nlb.createNlb(req(h.uniqueName("lsb"), { type: "INTERNAL" }));
        const names = (await h.driver.nlb.listNlb()).map(n => n.iid.nameId).sort();
        assert.deepStrictEqual(names, [a.iid.nameId, b.iid.nameId].sort());
        await h.driver.nlb.deleteNlb(a.iid);
        await h.driver.nlb.deleteNlb(b.iid);
    });
});
