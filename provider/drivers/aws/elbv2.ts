/**
 * ELBv2 building blocks of the NLB handler: lookups, the target-group helpers, deletes, the
 * waits and the converters to the neutral Info types.
 */
import { ownerField, ownerTags } from "../../interface/owner";
import { randomBytes } from "crypto";
import { DescribeSubnetsCommand, Subnet } from "@aws-sdk/client-ec2";
import {
    CreateTargetGroupCommand,
    DescribeLoadBalancerAttributesCommand,
    DescribeTargetGroupAttributesCommand,
    ModifyLoadBalancerAttributesCommand,
    ModifyTargetGroupAttributesCommand,
    DeleteListenerCommand,
    DeleteLoadBalancerCommand,
    DeleteTargetGroupCommand,
    DescribeListenersCommand,
    DescribeLoadBalancersCommand,
    DescribeTagsCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    Listener,
    LoadBalancer,
    RegisterTargetsCommand,
    Tag,
    TargetGroup,
    TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type {
    HealthCheckerInfo,
    HealthCheckerReq,
    HealthInfo,
    HealthProtocol,
    Iid,
    ListenerInfo,
    NlbInfo,
    NlbReq,
    NlbTraffic,
    TrafficProtocol,
    VmGroupInfo,
} from "../../interface/driver";
import { CloudApiError, NotFoundError, ValidationError } from "../../interface/errors";
import { waitForStatus, withRetries } from "../../interface/wait";
import { AwsSession, aws, errorCode, isAwsNotFound, isoTime, unlessGone, waitOptions } from "./clients";
import { HEALTH, TRAFFIC_DEFAULTS } from "./validate";

export const NLB_TAG = "spider:nlb";

/** Target states of VMs that are leaving the group; they no longer count as attached. */
export const LEAVING = new Set(["draining", "unhealthy.draining"]);

export interface NlbParts {
    lb: LoadBalancer;
    listener: Listener;
    tg: TargetGroup;
}

export const label = (iid: Iid): string => iid.nameId || iid.systemId;

// ---------------------------------------------------------------------------------------------
// creation

/** One subnet per availability zone of the VPC, preferring the AZ's default subnet. */
export async function pickSubnets(
    session: AwsSession,
    vpc: string,
    type: NlbReq["type"],
    what: string,
): Promise<string[]> {
    const subnets: Subnet[] = [];
    let token: string | undefined;
    do {
        const page = await aws(
            what,
            () =>
                session.clients.ec2.send(
                    new DescribeSubnetsCommand({
                        Filters: [{ Name: "vpc-id", Values: [vpc] }],
                        NextToken: token,
                    }),
                ),
            { property: "vpc" },
        );
        subnets.push(...(page.Subnets ?? []));
        token = page.NextToken;
    } while (token);
    if (subnets.length === 0)
        throw new ValidationError([
            { property: "vpc", reason: `${what}: VPC ${vpc} has no subnets (or does not exist)` },
        ]);
    const rank = (s: Subnet): number =>
        (s.DefaultForAz ? 0 : 2) + ((type === "PUBLIC") === Boolean(s.MapPublicIpOnLaunch) ? 0 : 1);
    const byAz = new Map<string, Subnet>();
    for (const s of [...subnets].sort(
        (x, y) => rank(x) - rank(y) || (x.SubnetId ?? "").localeCompare(y.SubnetId ?? ""),
    )) {
        const az = s.AvailabilityZone ?? "";
        if (!byAz.has(az)) byAz.set(az, s);
    }
    return [...byAz.values()].map(s => s.SubnetId as string);
}

/** Target group names are unique per region: the NLB's name plus a random suffix, ≤ 32 chars. */
export function targetGroupName(lbName: string): string {
    const base = lbName.slice(0, 23).replace(/-+$/, "");
    return `${base}-${randomBytes(4).toString("hex")}`;
}

export interface TargetGroupSpec {
    lbName: string;
    vpc: string;
    protocol: TrafficProtocol;
    port: number;
    health: HealthCheckerReq;
    tags: Tag[];
}

export function healthParams(hc: HealthCheckerReq): {
    HealthCheckProtocol: HealthProtocol;
    HealthCheckPort: string;
    HealthCheckPath?: string;
    HealthCheckIntervalSeconds: number;
    HealthCheckTimeoutSeconds: number;
    HealthyThresholdCount: number;
    UnhealthyThresholdCount: number;
} {
    const threshold = hc.threshold ?? HEALTH.defaults.threshold;
    return {
        HealthCheckProtocol: hc.protocol,
        HealthCheckPort: hc.port === undefined ? "traffic-port" : String(hc.port),
        ...(hc.protocol === "TCP" ? {} : { HealthCheckPath: hc.path || "/" }),
        HealthCheckIntervalSeconds: hc.interval ?? HEALTH.defaults.interval,
        HealthCheckTimeoutSeconds: hc.timeout ?? HEALTH.defaults.timeout,
        HealthyThresholdCount: threshold,
        UnhealthyThresholdCount: hc.unhealthyThreshold ?? threshold,
    };
}

export async function createTargetGroup(
    session: AwsSession,
    what: string,
    spec: TargetGroupSpec,
): Promise<TargetGroup> {
    const tg = (
        await aws(
            what,
            () =>
                session.clients.elb.send(
                    new CreateTargetGroupCommand({
                        Name: targetGroupName(spec.lbName),
                        Protocol: spec.protocol,
                        Port: spec.port,
                        VpcId: spec.vpc,
                        TargetType: "instance",
                        ...healthParams(spec.health),
                        Tags: spec.tags,
                    }),
                ),
            { property: "healthChecker" },
        )
    ).TargetGroups?.[0];
    if (!tg?.TargetGroupArn) throw new CloudApiError(`${what}: CreateTargetGroup returned no target group`);
    return tg;
}

export async function registerTargets(session: AwsSession, tgArn: string, vms: string[], what: string): Promise<void> {
    await aws(
        what,
        () =>
            session.clients.elb.send(
                new RegisterTargetsCommand({
                    TargetGroupArn: tgArn,
                    Targets: vms.map(Id => ({ Id })),
                }),
            ),
        { property: "vmGroup.vms" },
    );
}

// ---------------------------------------------------------------------------------------------
// lookups

export async function findLoadBalancerByName(
    session: AwsSession,
    name: string,
    what: string,
): Promise<LoadBalancer | undefined> {
    const command = new DescribeLoadBalancersCommand({ Names: [name] });
    return unlessGone(async () => (await aws(what, () => session.clients.elb.send(command))).LoadBalancers?.[0]);
}

export async function findLoadBalancer(session: AwsSession, iid: Iid, what: string): Promise<LoadBalancer> {
    const input = iid.systemId ? { LoadBalancerArns: [iid.systemId] } : { Names: [iid.nameId] };
    const res = await aws(what, () => session.clients.elb.send(new DescribeLoadBalancersCommand(input)));
    const lb = res.LoadBalancers?.[0];
    if (!lb) throw new NotFoundError(`${what}: no load balancer ${iid.systemId || iid.nameId}`);
    return lb;
}

/** The LB ARN: the systemId when known (later calls report a missing LB), else a lookup by name. */
export async function loadBalancerArn(session: AwsSession, iid: Iid, what: string): Promise<string> {
    return iid.systemId || ((await findLoadBalancer(session, iid, what)).LoadBalancerArn as string);
}

export async function findListener(session: AwsSession, lbArn: string, what: string): Promise<Listener> {
    const res = await aws(what, () =>
        session.clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })),
    );
    const listener = res.Listeners?.[0];
    if (!listener)
        throw new NotFoundError(`${what}: load balancer ${lbArn} has no listener (a create that did not finish?)`);
    return listener;
}

export function forwardTargetGroupArns(listener: Listener): string[] {
    const arns = new Set<string>();
    for (const action of listener.DefaultActions ?? []) {
        if (action.TargetGroupArn) arns.add(action.TargetGroupArn);
        for (const t of action.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) arns.add(t.TargetGroupArn);
    }
    return [...arns];
}

export function forwardTargetGroupArn(listener: Listener, what: string): string {
    const arn = forwardTargetGroupArns(listener)[0];
    if (!arn) throw new CloudApiError(`${what}: listener ${listener.ListenerArn} does not forward to a target group`);
    return arn;
}

export async function findTargetGroup(session: AwsSession, tgArn: string, what: string): Promise<TargetGroup> {
    const res = await aws(what, () =>
        session.clients.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })),
    );
    const tg = res.TargetGroups?.[0];
    if (!tg) throw new NotFoundError(`${what}: no target group ${tgArn}`);
    return tg;
}

export async function describeTargets(
    session: AwsSession,
    tgArn: string,
    what: string,
): Promise<TargetHealthDescription[]> {
    const res = await aws(what, () =>
        session.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn })),
    );
    return res.TargetHealthDescriptions ?? [];
}

export function attachedVms(targets: TargetHealthDescription[]): string[] {
    return targets
        .filter(t => t.Target?.Id && !LEAVING.has(t.TargetHealth?.State ?? ""))
        .map(t => t.Target?.Id as string)
        .sort();
}

export async function describeTagList(session: AwsSession, arn: string, what: string): Promise<Tag[]> {
    const res = await aws(what, () => session.clients.elb.send(new DescribeTagsCommand({ ResourceArns: [arn] })));
    return res.TagDescriptions?.[0]?.Tags ?? [];
}

export async function describeUserTags(
    session: AwsSession,
    arn: string,
    what: string,
): Promise<Record<string, string>> {
    return fromAwsTags(await describeTagList(session, arn, what));
}

// ---------------------------------------------------------------------------------------------
// deletes

export async function deleteListener(session: AwsSession, arn: string, what: string): Promise<void> {
    try {
        await aws(what, () => session.clients.elb.send(new DeleteListenerCommand({ ListenerArn: arn })));
    } catch (err) {
        if (!isAwsNotFound(err)) throw err;
    }
}

export async function deleteTargetGroup(session: AwsSession, arn: string, what: string): Promise<void> {
    const poll = session.poll("nlb");
    try {
        // ELBv2 may still see the group as in use for a moment after the listener let go of it.
        await withRetries(
            () => aws(what, () => session.clients.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }))),
            err => errorCode((err as { cause?: unknown }).cause) === "ResourceInUse",
            { attempts: 5, minDelayMs: poll.minDelayMs, maxDelayMs: poll.maxDelayMs },
        );
    } catch (err) {
        if (!isAwsNotFound(err)) throw err;
    }
}

export async function deleteLoadBalancerAndWait(session: AwsSession, arn: string, what: string): Promise<void> {
    await aws(what, () => session.clients.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })));
    await waitNlbGone(session, arn, what);
}

/** Groups left by an interrupted create or swap: named after this NLB, tagged for it, unused. */
export async function deleteOrphanTargetGroups(session: AwsSession, name: string, what: string): Promise<void> {
    const prefix = `${name.slice(0, 23).replace(/-+$/, "")}-`;
    const candidates: TargetGroup[] = [];
    let marker: string | undefined;
    do {
        const page = await aws(what, () =>
            session.clients.elb.send(new DescribeTargetGroupsCommand({ Marker: marker })),
        );
        candidates.push(
            ...(page.TargetGroups ?? []).filter(
                tg =>
                    tg.TargetGroupName?.startsWith(prefix) &&
                    /^[0-9a-f]{8}$/.test(tg.TargetGroupName.slice(prefix.length)) &&
                    (tg.LoadBalancerArns ?? []).length === 0,
            ),
        );
        marker = page.NextMarker;
    } while (marker);
    for (let i = 0; i < candidates.length; i += 20) {
        const batch = candidates.slice(i, i + 20);
        const desc = await aws(what, () =>
            session.clients.elb.send(
                new DescribeTagsCommand({ ResourceArns: batch.map(tg => tg.TargetGroupArn as string) }),
            ),
        );
        for (const d of desc.TagDescriptions ?? []) {
            if (d.Tags?.some(t => t.Key === NLB_TAG && t.Value === name)) {
                session.log(`${what}: deleting orphaned target group ${d.ResourceArn}`);
                await deleteTargetGroup(session, d.ResourceArn as string, what);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// waits

/** `Nlb (<name>)` from a load balancer ARN (`…:loadbalancer/net/<name>/<id>`). */
function nlbLabel(arn: string): string {
    return `Nlb (${arn.split("/").slice(-2, -1)[0] ?? arn})`;
}

async function describeLoadBalancerArn(
    session: AwsSession,
    arn: string,
    what: string,
): Promise<LoadBalancer | undefined> {
    const command = new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] });
    return (await aws(what, () => session.clients.elb.send(command))).LoadBalancers?.[0];
}

export async function waitNlbActive(session: AwsSession, arn: string, what: string): Promise<LoadBalancer> {
    return waitForStatus({
        ...waitOptions(session, "nlb", session.timeout("nlb", "create"), `${nlbLabel(arn)} to be active`),
        describe: () => describeLoadBalancerArn(session, arn, what),
        status: lb => lb.State?.Code ?? "unknown",
        success: ["active", "active_impaired"],
        failure: ["failed"],
        failed: lb =>
            new CloudApiError(
                `${what}: the load balancer failed to provision: ${lb.State?.Reason ?? "no reason given"}`,
            ),
    });
}

export async function waitNlbGone(session: AwsSession, arn: string, what: string): Promise<void> {
    await waitForStatus({
        ...waitOptions(session, "nlb", session.timeout("nlb", "delete"), `${nlbLabel(arn)} to be deleted`),
        describe: () => unlessGone(() => describeLoadBalancerArn(session, arn, what)),
        status: lb => lb.State?.Code ?? "present",
        gone: "done",
    });
}

// ---------------------------------------------------------------------------------------------
// converters

export function toAwsTags(name: string, tags: Record<string, string>, owner?: string): Tag[] {
    const all = { ...tags, ...ownerTags(owner), [NLB_TAG]: name };
    return Object.entries(all).map(([Key, Value]) => ({ Key, Value }));
}

/** The raw tag list as a map, the driver's own `spider:` tags included. */
export function tagMap(tags: Tag[]): Record<string, string> {
    return Object.fromEntries(tags.filter(t => t.Key).map(t => [t.Key as string, t.Value ?? ""]));
}

export function fromAwsTags(tags: Tag[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of tags) if (t.Key && !t.Key.startsWith("spider:")) out[t.Key] = t.Value ?? "";
    return out;
}

export function toTrafficProtocol(protocol: string | undefined): TrafficProtocol {
    return protocol === "UDP" ? "UDP" : "TCP";
}

export function toHealthProtocol(protocol: string | undefined): HealthProtocol {
    return protocol === "HTTP" || protocol === "HTTPS" ? protocol : "TCP";
}

export function fromTargetGroupHealth(tg: TargetGroup): HealthCheckerInfo {
    const protocol = toHealthProtocol(tg.HealthCheckProtocol);
    const port =
        !tg.HealthCheckPort || tg.HealthCheckPort === "traffic-port" ? (tg.Port ?? 0) : Number(tg.HealthCheckPort);
    return {
        protocol,
        port,
        interval: tg.HealthCheckIntervalSeconds ?? HEALTH.defaults.interval,
        timeout: tg.HealthCheckTimeoutSeconds ?? HEALTH.defaults.timeout,
        threshold: tg.HealthyThresholdCount ?? HEALTH.defaults.threshold,
        unhealthyThreshold: tg.UnhealthyThresholdCount ?? tg.HealthyThresholdCount ?? HEALTH.defaults.threshold,
        path: protocol === "TCP" ? "" : tg.HealthCheckPath || "/",
        cspId: tg.TargetGroupArn ?? "",
    };
}

export function toListenerInfo(lb: LoadBalancer, listener: Listener): ListenerInfo {
    const address =
        (lb.AvailabilityZones ?? [])
            .flatMap(z => z.LoadBalancerAddresses ?? [])
            .map(x => x.IpAddress ?? x.PrivateIPv4Address ?? "")
            .find(ip => ip) ?? "";
    return {
        protocol: toTrafficProtocol(listener.Protocol),
        port: listener.Port ?? 0,
        ip: address,
        dnsName: lb.DNSName ?? "",
        cspId: listener.ListenerArn ?? "",
    };
}

export function toVmGroupInfo(tg: TargetGroup, vms: string[]): VmGroupInfo {
    return { protocol: toTrafficProtocol(tg.Protocol), port: tg.Port ?? 0, vms, cspId: tg.TargetGroupArn ?? "" };
}

export function toHealthInfo(targets: TargetHealthDescription[]): HealthInfo {
    const all = targets.map(t => t.Target?.Id as string).sort();
    // Only `healthy` serves traffic; initial, unhealthy, unused and unavailable do not.
    const healthy = targets
        .filter(t => t.TargetHealth?.State === "healthy")
        .map(t => t.Target?.Id as string)
        .sort();
    return { all, healthy, unhealthy: all.filter(id => !healthy.includes(id)) };
}

export function toNlbInfo(
    parts: NlbParts & { traffic: NlbTraffic },
    vms: string[],
    tags: Record<string, string>,
    owner?: string,
): NlbInfo {
    const { lb, listener, tg } = parts;
    const zoneSubnets = (lb.AvailabilityZones ?? []).map(z => z.SubnetId ?? "").filter(Boolean);
    return {
        ...ownerField(owner),
        iid: { nameId: lb.LoadBalancerName ?? "", systemId: lb.LoadBalancerArn ?? "" },
        vpc: lb.VpcId ?? "",
        type: lb.Scheme === "internal" ? "INTERNAL" : "PUBLIC",
        scope: "REGION",
        listener: toListenerInfo(lb, listener),
        vmGroup: toVmGroupInfo(tg, vms),
        healthChecker: fromTargetGroupHealth(tg),
        createdTime: isoTime(lb.CreatedTime),
        tags: { ...tags },
        subnets: [...zoneSubnets].sort(),
        traffic: { ...parts.traffic },
        securityGroups: [...(lb.SecurityGroups ?? [])].sort(),
        keyValues: {
            loadBalancerArn: lb.LoadBalancerArn ?? "",
            listenerArn: listener.ListenerArn ?? "",
            targetGroupArn: tg.TargetGroupArn ?? "",
            targetGroupName: tg.TargetGroupName ?? "",
            scheme: lb.Scheme ?? "",
            state: lb.State?.Code ?? "",
            subnets: zoneSubnets.join(","),
            zones: (lb.AvailabilityZones ?? [])
                .map(z => z.ZoneName ?? "")
                .filter(Boolean)
                .join(","),
            listenerProtocol: listener.Protocol ?? "",
            targetGroupProtocol: tg.Protocol ?? "",
            canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? "",
        },
    };
}

// ---------------------------------------------------------------------------------------------
// traffic settings: target-group and load-balancer attributes

export interface TrafficAttributes {
    loadBalancer: Attribute[];
    targetGroup: Attribute[];
}

interface Attribute {
    Key?: string;
    Value?: string;
}

const CROSS_ZONE = "load_balancing.cross_zone.enabled";

/** The settings as ELBv2 attributes: cross-zone on the load balancer, the rest on the target group. */
export function toTrafficAttributes(traffic: NlbTraffic): TrafficAttributes {
    return {
        loadBalancer: [{ Key: CROSS_ZONE, Value: String(traffic.crossZone) }],
        targetGroup: [
            { Key: "deregistration_delay.timeout_seconds", Value: String(traffic.connectionDraining) },
            { Key: "stickiness.enabled", Value: String(traffic.sessionAffinity === "CLIENT_IP") },
            // source_ip is the only stickiness of NLB target groups.
            { Key: "stickiness.type", Value: "source_ip" },
            { Key: "preserve_client_ip.enabled", Value: String(traffic.preserveClientIp) },
            { Key: "proxy_protocol_v2.enabled", Value: String(traffic.proxyProtocol) },
        ],
    };
}

export function fromTrafficAttributes(attributes: TrafficAttributes): NlbTraffic {
    const value = (list: Attribute[], key: string) => list.find(attribute => attribute.Key === key)?.Value;
    const group = (key: string) => value(attributes.targetGroup, key);
    const draining = Number(group("deregistration_delay.timeout_seconds") ?? TRAFFIC_DEFAULTS.connectionDraining);
    return {
        crossZone: value(attributes.loadBalancer, CROSS_ZONE) === "true",
        connectionDraining: Number.isFinite(draining) ? draining : TRAFFIC_DEFAULTS.connectionDraining,
        sessionAffinity: group("stickiness.enabled") === "true" ? "CLIENT_IP" : "NONE",
        preserveClientIp: (group("preserve_client_ip.enabled") ?? "true") === "true",
        proxyProtocol: group("proxy_protocol_v2.enabled") === "true",
    };
}

/** The attributes of `wanted` whose value differs from `current`'s. */
function changedAttributes(wanted: Attribute[], current: Attribute[]): Attribute[] {
    return wanted.filter(attribute => current.find(other => other.Key === attribute.Key)?.Value !== attribute.Value);
}

export async function describeTrafficAttributes(
    session: AwsSession,
    arns: { lbArn: string; tgArn: string },
    what: string,
): Promise<TrafficAttributes> {
    const elb = session.clients.elb;
    const [loadBalancer, targetGroup] = await Promise.all([
        aws(what, () => elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arns.lbArn }))),
        describeTargetGroupAttributes(session, arns.tgArn, what),
    ]);
    return { loadBalancer: loadBalancer.Attributes ?? [], targetGroup };
}

export async function describeTargetGroupAttributes(
    session: AwsSession,
    tgArn: string,
    what: string,
): Promise<Attribute[]> {
    const command = new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn });
    return (await aws(what, () => session.clients.elb.send(command))).Attributes ?? [];
}

/**
 * What a swapped-in target group must carry over from the old one: its traffic attributes, with
 * client IP preservation on for UDP (ELBv2 refuses it off there).
 */
export function carriedTargetGroupAttributes(old: Attribute[], protocol: TrafficProtocol): Attribute[] {
    const keys = toTrafficAttributes(TRAFFIC_DEFAULTS).targetGroup.map(attribute => attribute.Key);
    const carried = old.filter(attribute => keys.includes(attribute.Key));
    if (protocol !== "UDP") return carried;
    return mergeAttributes(carried, [{ Key: "preserve_client_ip.enabled", Value: "true" }]);
}

/**
 * Sets the attributes that differ from `current`: at most one ModifyLoadBalancerAttributes and
 * one ModifyTargetGroupAttributes, however many settings change. `arns.lbArn` "" = the target
 * group only (a swapped-in group whose load balancer keeps its attributes).
 */
export async function applyTrafficAttributes(
    session: AwsSession,
    arns: { lbArn: string; tgArn: string },
    wanted: TrafficAttributes,
    current: TrafficAttributes,
    what: string,
): Promise<TrafficAttributes> {
    const elb = session.clients.elb;
    const forLoadBalancer = arns.lbArn ? changedAttributes(wanted.loadBalancer, current.loadBalancer) : [];
    const forTargetGroup = changedAttributes(wanted.targetGroup, current.targetGroup);
    const options = { property: "traffic" };
    await Promise.all([
        forLoadBalancer.length === 0
            ? undefined
            : aws(
                  what,
                  () =>
                      elb.send(
                          new ModifyLoadBalancerAttributesCommand({
                              LoadBalancerArn: arns.lbArn,
                              Attributes: forLoadBalancer,
                          }),
                      ),
                  options,
              ),
        forTargetGroup.length === 0
            ? undefined
            : aws(
                  what,
                  () =>
                      elb.send(
                          new ModifyTargetGroupAttributesCommand({
                              TargetGroupArn: arns.tgArn,
                              Attributes: forTargetGroup,
                          }),
                      ),
                  options,
              ),
    ]);
    return {
        loadBalancer: mergeAttributes(current.loadBalancer, forLoadBalancer),
        targetGroup: mergeAttributes(current.targetGroup, forTargetGroup),
    };
}

function mergeAttributes(current: Attribute[], changes: Attribute[]): Attribute[] {
    const kept = current.filter(attribute => !changes.some(change => change.Key === attribute.Key));
    return [...kept, ...changes];
}

/** ELBv2's attributes of a fresh NLB and target group, as far as the traffic settings go. */
export function defaultTrafficAttributes(): TrafficAttributes {
    return toTrafficAttributes(TRAFFIC_DEFAULTS);
}
