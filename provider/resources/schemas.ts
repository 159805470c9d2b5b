/**
 * The input schema of every resource, built from the driver's capabilities: types, ranges,
 * allowed values, defaults and the cross-field rules. `check` runs them; the Inputs types are
 * inferred from them, so a field is declared once.
 */
import { z } from "zod";
import type { Capabilities, ClusterCapabilities, DriverName, NameRule, NlbCapabilities } from "../interface/driver";
import type { HealthProtocol, NlbScope, NlbType, SessionAffinity, TrafficProtocol } from "../interface/driver";
import type { TrafficCapabilities } from "../interface/driver";
import { HEALTH_PROTOCOLS, NLB_SCOPES, NLB_TYPES, SESSION_AFFINITIES, TRAFFIC_PROTOCOLS } from "../interface/driver";
import { SHARED_NLB } from "../interface/capabilities";
import { bool, cloudName, int, isRecord, known, leaf, listOf, object, oneOf, Props, str } from "../interface/schema";
import { strList, stringMap, UNKNOWN } from "../interface/schema";
import { cidrList, countOrPercent, labelMap, MAX_UNAVAILABLE_RANGE, taintList } from "../interface/schema";
import type { CapacityType, LogType } from "../interface/driver";
import { CAPACITY_TYPES, LOG_TYPES } from "../interface/driver";
import { DRIVER_NAMES } from "../drivers/registry";

/** Keys the engine and the SDK add that are not inputs users write. */
const BOOKKEEPING = ["__provider", "pulumiName", "autoNamed"];
const PORT = { min: 1, max: 65535 };

const DRIVER_CHOICES = DRIVER_NAMES.map(name => `"${name}"`).join(" | ");

/** Written in any case, stored lower-case; the preview sentinel passes through. */
const driverName = oneOf(DRIVER_NAMES.map(name => name.toUpperCase())).transform(
    (upper): DriverName => DRIVER_NAMES.find(name => name.toUpperCase() === upper) ?? (UNKNOWN as DriverName),
);

/** Where the resource lives; credentials are refused because state is not secret storage. */
export const connectionSchema = object(
    {
        driver: driverName,
        region: str({ optional: true }),
        zone: str({ optional: true }),
        project: str({ optional: true }),
        endpoint: str({ optional: true }),
        localStateDir: str({ optional: true }),
    },
    {
        hint: `{ driver: ${DRIVER_CHOICES}, region?, zone?, project?, endpoint?, localStateDir? }`,
    },
);

/** Per-resource timeouts in minutes (the Node dynamic-provider host ignores customTimeouts). */
export const timeoutsSchema = object(
    {
        create: int({ min: 1, max: 24 * 60 }, { optional: true }),
        update: int({ min: 1, max: 24 * 60 }, { optional: true }),
        delete: int({ min: 1, max: 24 * 60 }, { optional: true }),
    },
    { optional: "omit", hint: "{ create?, update?, delete? } in minutes" },
);

/**
 * The creating resource's URN, which the SDK passes as an input (dynamic providers are not told
 * it): drivers record it on what they create, so `pulumi-spider recover` adopts only objects this
 * very resource made. Not a field of any table: it never causes a diff.
 */
const pulumiUrn = leaf<string | undefined>((raw, fail) => {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== "string" || raw === "") return void fail(`must be a string, got ${JSON.stringify(raw)}`);
    if (!raw.startsWith("urn:pulumi:")) return void fail(`must be a Pulumi URN, got "${raw}"`);
    return raw;
});

/** The fields every resource shares. */
function commonShape() {
    return {
        connection: connectionSchema,
        adopt: str({ optional: true, description: "Id of an existing object to bring under management" }),
        timeouts: timeoutsSchema,
        pulumiUrn,
    };
}

// ---------------------------------------------------------------------------------------------
// Nlb

const NLB_DEFAULTS = { interval: 10, timeout: 5, threshold: 3 };

function listenerSchema(caps: NlbCapabilities | undefined) {
    return object(
        {
            protocol: oneOf<TrafficProtocol>(TRAFFIC_PROTOCOLS, { supported: caps?.listenerProtocols }),
            port: int(PORT),
        },
        { hint: "{ protocol: TCP|UDP, port }" },
    );
}

function vmGroupSchema(caps: NlbCapabilities | undefined) {
    return object(
        {
            // Filled from the listener's protocol; left out when that one is already invalid.
            protocol: oneOf<TrafficProtocol>(TRAFFIC_PROTOCOLS, { supported: caps?.vmGroupProtocols, optional: true }),
            port: int(PORT),
            vms: strList({ default: [] }),
        },
        { hint: "{ protocol?, port, vms? }" },
    );
}

/** "" or a path; whether one is allowed depends on the protocol (checked with it). */
const healthPath = leaf<string>((raw, fail) => {
    if (raw === undefined || raw === null) return "";
    if (typeof raw !== "string") return void fail(`must be a string, got ${JSON.stringify(raw)}`);
    return raw;
});

function healthCheckerSchema(caps: NlbCapabilities | undefined) {
    const defaults = caps?.defaults ?? NLB_DEFAULTS;
    const thresholdRange = caps?.healthThreshold ?? { min: 1, max: 100 };
    return object(
        {
            protocol: oneOf<HealthProtocol>(HEALTH_PROTOCOLS, { supported: caps?.healthProtocols, default: "TCP" }),
            port: int(PORT, { optional: true }),
            interval: int(caps?.healthInterval ?? { min: 1, max: 3600 }, { default: defaults.interval }),
            timeout: int(caps?.healthTimeout ?? { min: 1, max: 3600 }, { default: defaults.timeout }),
            threshold: int(thresholdRange, { default: defaults.threshold }),
            unhealthyThreshold: int(thresholdRange, {
                optional: true,
                description: "Consecutive failed probes that mark a VM unhealthy; default: `threshold`",
            }),
            path: healthPath,
        },
        {
            optional: true,
            hint: "{ protocol?, port?, interval?, timeout?, threshold?, unhealthyThreshold?, path? }",
            prepare: raw => withHealthDefaults(raw, defaults, thresholdRange),
            refine: (valid, fail) => {
                const { interval, timeout, path, protocol } = valid;
                if (caps?.timeoutAtMostInterval && known(timeout) && known(interval) && timeout > interval) {
                    fail("timeout", `must not exceed healthChecker.interval (${interval}s), got ${timeout}s`);
                }
                if (!known(path) || path === "") return;
                if (protocol === "TCP") fail("path", "is only valid for HTTP and HTTPS health checks");
                else if (!path.startsWith("/")) fail("path", `must start with "/", got "${path}"`);
            },
        },
    );
}

/**
 * The timeout defaults to the interval when that is shorter; the unhealthy threshold to the
 * threshold; HTTP(S) checks default to "/".
 */
function withHealthDefaults(
    raw: Props,
    defaults: { timeout: number; threshold: number },
    thresholdRange: { min: number; max: number },
): Props {
    const out = { ...raw };
    if (out.timeout === undefined) {
        out.timeout = typeof out.interval === "number" ? Math.min(defaults.timeout, out.interval) : defaults.timeout;
    }
    // Only a well-formed threshold is copied: a bad one is reported once, under its own name.
    const threshold = out.threshold ?? defaults.threshold;
    const valid = typeof threshold === "number" && int(thresholdRange).safeParse(threshold).success;
    if (out.unhealthyThreshold === undefined && valid) out.unhealthyThreshold = threshold;
    const protocol = typeof out.protocol === "string" ? out.protocol.toUpperCase() : out.protocol;
    if ((out.path === undefined || out.path === "") && (protocol === "HTTP" || protocol === "HTTPS")) out.path = "/";
    return out;
}

/** The VM group's protocol follows a valid listener's; the health check's port, the VM group's. */
function withNlbDefaults(raw: Props, caps: NlbCapabilities | undefined): Props {
    const out = { ...raw };
    const listener = isRecord(raw.listener) ? raw.listener : undefined;
    const vmGroup = isRecord(raw.vmGroup) ? raw.vmGroup : undefined;
    const listenerProtocol = oneOf<TrafficProtocol>(TRAFFIC_PROTOCOLS, {
        supported: caps?.listenerProtocols,
    }).safeParse(listener?.protocol);
    if (vmGroup && vmGroup.protocol === undefined && listenerProtocol.success) {
        out.vmGroup = { ...vmGroup, protocol: listenerProtocol.data };
    }
    if (raw.healthChecker === undefined || isRecord(raw.healthChecker)) {
        const health = isRecord(raw.healthChecker) ? raw.healthChecker : {};
        if (health.port === undefined && vmGroup) out.healthChecker = { ...health, port: vmGroup.port };
    }
    return out;
}

type Fail = (path: string, reason: string) => void;

const FIXED_SETTINGS = ["crossZone", "preserveClientIp", "proxyProtocol"] as const;

/** Traffic settings a cloud fixes (a GCP passthrough NLB always spreads across zones), refused naming the driver. */
function trafficRules(caps: Capabilities, valid: Partial<NlbShapeOutput>, fail: Fail): void {
    const traffic = caps.nlb.traffic;
    for (const setting of FIXED_SETTINGS) {
        const value = valid[setting];
        if (!known(value) || traffic[setting].includes(value)) continue;
        const reason = traffic.reasons[setting] ?? "the cloud does not offer it";
        fail(
            setting,
            `must be ${traffic[setting].join(" or ")} on the ${caps.driver} driver (${reason}), got ${value}`,
        );
    }
    const protocol = known(valid.vmGroup) ? valid.vmGroup.protocol : undefined;
    if (valid.preserveClientIp === false && known(protocol) && traffic.clientIpAlwaysPreservedFor.includes(protocol)) {
        const reason = traffic.reasons.preserveClientIp ?? "the cloud always preserves it";
        fail("preserveClientIp", `cannot be false for a ${protocol} VM group on the ${caps.driver} driver (${reason})`);
    }
    const groups = valid.securityGroups;
    if (!caps.nlb.securityGroups && known(groups) && groups.length > 0) {
        const reason = traffic.reasons.securityGroups ?? "the cloud has none";
        fail("securityGroups", `must be empty on the ${caps.driver} driver (${reason}), got ${JSON.stringify(groups)}`);
    }
}

function nlbRules(caps: Capabilities | undefined) {
    return (valid: Partial<NlbShapeOutput>, fail: Fail) => {
        const nlb = caps?.nlb;
        if (caps) trafficRules(caps, valid, fail);
        const listener = valid.listener;
        const vmGroup = valid.vmGroup;
        if (!nlb || !known(listener) || !known(vmGroup)) return;
        const allowed = known(listener.protocol) ? nlb.compatibleProtocols[listener.protocol] : undefined;
        if (allowed && known(vmGroup.protocol) && !allowed.includes(vmGroup.protocol)) {
            fail(
                "vmGroup.protocol",
                `${vmGroup.protocol} cannot serve a ${listener.protocol} listener on ${caps.driver} ` +
                    `(allowed: ${allowed.join(", ")})`,
            );
        }
        if (known(vmGroup.vms) && vmGroup.vms.length === 0 && !nlb.allowsEmptyVmGroup) {
            fail("vmGroup.vms", "must list at least one VM for this driver");
        }
    };
}

function nlbShape(caps: Capabilities | undefined) {
    const nlb = caps?.nlb;
    return {
        ...commonShape(),
        nlbName: cloudName(nlb?.name, { optional: true }),
        vpc: str(),
        type: oneOf<NlbType>(NLB_TYPES, { supported: nlb?.types, default: "PUBLIC" }),
        scope: oneOf<NlbScope>(NLB_SCOPES, { supported: nlb?.scopes, default: "REGION" }),
        subnets: strList({ optional: true }),
        listener: listenerSchema(nlb),
        vmGroup: vmGroupSchema(nlb),
        healthChecker: healthCheckerSchema(nlb),
        ...trafficShape(nlb?.traffic ?? SHARED_NLB.traffic),
        securityGroups: strList({ default: [], description: "Security group ids (AWS); [] = none" }),
        tags: stringMap(),
    };
}

function trafficShape(traffic: TrafficCapabilities) {
    const defaults = traffic.defaults;
    return {
        crossZone: bool({ default: defaults.crossZone, description: "Spread connections over the VMs of every zone" }),
        connectionDraining: int(traffic.connectionDraining, {
            default: defaults.connectionDraining,
            description: "Seconds a VM being removed keeps its open connections",
        }),
        sessionAffinity: oneOf<SessionAffinity>(SESSION_AFFINITIES, {
            supported: traffic.sessionAffinities,
            default: defaults.sessionAffinity,
            description: "CLIENT_IP sends a client's connections to the same VM",
        }),
        preserveClientIp: bool({
            default: defaults.preserveClientIp,
            description: "VMs see the client's address as the source",
        }),
        proxyProtocol: bool({
            default: defaults.proxyProtocol,
            description: "Prefix each connection with a PROXY protocol v2 header",
        }),
    };
}

type NlbShapeOutput = { [K in keyof ReturnType<typeof nlbShape>]: z.output<ReturnType<typeof nlbShape>[K]> };

export function nlbSchema(caps: Capabilities | undefined) {
    return object(nlbShape(caps), {
        ignoredKeys: BOOKKEEPING,
        prepare: raw => withNlbDefaults(raw, caps?.nlb),
        refine: nlbRules(caps),
    });
}

/** Nlb inputs after check: every default filled in, so outputs and inputs compare field by field. */
export type NlbInputs = z.output<ReturnType<typeof nlbSchema>> & { nlbName: string; autoNamed: boolean };

// ---------------------------------------------------------------------------------------------
// NlbVmGroup

/** `stored`: read from state, where outputs sit beside the inputs. */
export function nlbVmGroupSchema(stored = false) {
    return object(
        {
            connection: connectionSchema,
            nlb: str({ description: "The Nlb's id (`Nlb.nlbId`)" }),
            vms: strList({ minItems: { count: 1, reason: "must list at least one VM" } }),
            timeouts: timeoutsSchema,
        },
        { ignoredKeys: stored ? "all" : ["__provider", "pulumiName"] },
    );
}

export type NlbVmGroupInputs = z.output<ReturnType<typeof nlbVmGroupSchema>>;

// ---------------------------------------------------------------------------------------------
// Node groups (Cluster.nodeGroups and NodeGroup)

function nodeGroupSpecShape(caps: ClusterCapabilities | undefined) {
    const size = { min: 0, max: caps?.maxNodeSize ?? 1000 };
    return {
        image: str({ default: "" }),
        // Exactly one of the two (nodeGroupRules).
        vmSpec: str({ optional: true }),
        vmSpecs: strList({ optional: true, minItems: { count: 1, reason: "must list at least one VM spec" } }),
        capacityType: oneOf<CapacityType>(CAPACITY_TYPES, { supported: caps?.capacityTypes, default: "ON_DEMAND" }),
        subnets: strList({ optional: true, minItems: { count: 1, reason: "must list a subnet, or be left out" } }),
        labels: labelMap(),
        taints: taintList({ max: caps?.limits.taints ?? 50 }),
        maxUnavailable: countOrPercent(MAX_UNAVAILABLE_RANGE, {
            default: 1,
            ...(caps?.maxUnavailablePercent === false
                ? { countOnly: caps.reasons?.maxUnavailablePercent ?? "this driver takes a count only" }
                : {}),
        }),
        rootDiskType: str({ default: "" }),
        rootDiskSize: int({ min: 1, max: 65536 }, { emptyMeans: 0 }),
        keyPair: str({ default: "" }),
        onAutoScaling: bool({ default: true }),
        desiredNodeSize: int(size),
        minNodeSize: int(size),
        maxNodeSize: int({ min: 1, max: size.max }),
    };
}

interface Sizes {
    desiredNodeSize?: number;
    minNodeSize?: number;
    maxNodeSize?: number;
}

/** The sizes' order, and exactly one of vmSpec / vmSpecs (vmSpecs within the cloud's count). */
function nodeGroupRules(caps: ClusterCapabilities | undefined) {
    return (
        valid: Sizes & { vmSpec?: string; vmSpecs?: string[] },
        fail: (path: string, reason: string) => void,
        raw: Props,
    ) => {
        sizeRules(valid, fail);
        const given = (key: string) => raw[key] !== undefined && raw[key] !== null && raw[key] !== "";
        if (!given("vmSpec") && !given("vmSpecs")) {
            fail("vmSpec", "is required: give vmSpec, or vmSpecs for several VM specs");
        } else if (given("vmSpec") && given("vmSpecs")) {
            fail("vmSpecs", "give either vmSpec (one VM spec) or vmSpecs (several), not both");
        }
        const max = caps?.limits.vmSpecs ?? 20;
        if (known(valid.vmSpecs) && valid.vmSpecs.length > max) {
            fail("vmSpecs", `at most ${max} VM specs per node group, got ${valid.vmSpecs.length}`);
        }
    };
}

function sizeRules(valid: Sizes, fail: (path: string, reason: string) => void): void {
    const { desiredNodeSize: desired, minNodeSize: min, maxNodeSize: max } = valid;
    if (known(min) && known(max) && min > max) fail("minNodeSize", `must not exceed maxNodeSize (${max}), got ${min}`);
    if (known(desired) && known(min) && desired < min) {
        fail("desiredNodeSize", `must be at least minNodeSize (${min}), got ${desired}`);
    }
    if (known(desired) && known(max) && desired > max) {
        fail("desiredNodeSize", `must not exceed maxNodeSize (${max}), got ${desired}`);
    }
}

/** Recreating a node group appends a 5-character suffix to its cloud name, so leave room. */
function inlineNodeGroupName(caps: ClusterCapabilities | undefined): NameRule | undefined {
    return caps ? { ...caps.nodeGroupName, maxLength: caps.nodeGroupName.maxLength - 5 } : undefined;
}

function clusterNodeGroupSchema(caps: ClusterCapabilities | undefined) {
    return object(
        { name: cloudName(inlineNodeGroupName(caps)), ...nodeGroupSpecShape(caps) },
        { hint: "{ name, vmSpec, desiredNodeSize, minNodeSize, maxNodeSize, … }", refine: nodeGroupRules(caps) },
    );
}

export type ClusterNodeGroupInput = z.output<ReturnType<typeof clusterNodeGroupSchema>>;
export type NodeGroupSpec = Omit<ClusterNodeGroupInput, "name">;

function nodeGroupListSchema(caps: ClusterCapabilities | undefined) {
    const nameSchema = cloudName(inlineNodeGroupName(caps));
    return listOf(clusterNodeGroupSchema(caps), {
        notList: "must be a list of node groups",
        refine: (valid, fail, raw) => {
            const seen = new Set<string>();
            raw.forEach((entry, index) => {
                const name = nameSchema.safeParse(isRecord(entry) ? entry.name : undefined);
                if (!name.success || !known(name.data)) return;
                if (seen.has(name.data)) fail(`${index}.name`, `"${name.data}" is used by two node groups`);
                seen.add(name.data);
            });
            if (caps?.supported && raw.length === 0 && !caps.allowsNoNodeGroups) {
                fail("", "must declare at least one node group for this driver");
            }
        },
    });
}

// ---------------------------------------------------------------------------------------------
// Cluster

export function compareVersions(left: string, right: string): number {
    const leftParts = left.split(".").map(Number);
    const rightParts = right.split(".").map(Number);
    for (let i = 0; i < Math.max(leftParts.length, rightParts.length); i++) {
        const delta = (leftParts[i] ?? 0) - (rightParts[i] ?? 0);
        if (delta !== 0) return delta;
    }
    return 0;
}

/** MAJOR.MINOR, offered by the driver, and never below what the cluster already runs. */
function versionSchema(caps: Capabilities | undefined, oldVersion: unknown) {
    const text = str();
    return leaf<string>((raw, fail) => {
        const parsed = text.safeParse(raw);
        if (!parsed.success) return void fail(parsed.error.issues[0].message);
        const version = parsed.data;
        if (!/^\d+\.\d+$/.test(version)) return void fail(`must be MAJOR.MINOR such as "1.30", got "${version}"`);
        const cluster = caps?.cluster;
        if (cluster?.supported && !cluster.versions.includes(version)) {
            const available = cluster.versions.join(", ");
            return void fail(`"${version}" is not available on ${caps?.driver} (available: ${available})`);
        }
        if (typeof oldVersion === "string" && compareVersions(version, oldVersion) < 0) {
            return void fail(
                `downgrade from ${oldVersion} to ${version} is not supported; Kubernetes control planes only upgrade`,
            );
        }
        return version;
    });
}

const networkSchema = object(
    {
        vpc: str(),
        subnets: strList({ minItems: { count: 1, reason: "must list at least one subnet" } }),
        securityGroups: strList({ default: [] }),
    },
    { hint: "{ vpc, subnets, securityGroups? }" },
);

/** Public on from any address, private off, unless declared. */
function endpointAccessSchema(caps: ClusterCapabilities | undefined) {
    return object(
        {
            public: bool({ default: true }),
            private: bool({ default: false }),
            publicCidrs: cidrList({ max: caps?.limits.publicCidrs ?? 40 }),
        },
        {
            optional: true,
            hint: "{ public?, private?, publicCidrs? }",
            // Any address while public access is on; none while it is off.
            prepare: raw => ({ ...raw, publicCidrs: raw.publicCidrs ?? (raw.public === false ? [] : ["0.0.0.0/0"]) }),
            refine: (valid, fail) => {
                if (valid.private === true && caps?.privateEndpoint === false) {
                    fail(
                        "private",
                        `must be false on this driver (${caps.reasons?.privateEndpoint ?? "no private endpoint"})`,
                    );
                }
                if (valid.public === false && valid.private === false) {
                    fail(
                        "private",
                        "public and private access cannot both be off: the API server would be unreachable",
                    );
                }
                if (valid.public === false && known(valid.publicCidrs) && valid.publicCidrs.length > 0) {
                    fail("publicCidrs", "applies to public access only; it is off");
                }
                if (valid.public !== false && known(valid.publicCidrs) && valid.publicCidrs.length === 0) {
                    fail(
                        "publicCidrs",
                        'must list at least one CIDR block while public access is on (any address: "0.0.0.0/0")',
                    );
                }
            },
        },
    );
}

/** Control-plane log types, each at most once. */
function loggingSchema(caps: ClusterCapabilities | undefined) {
    return listOf(oneOf<LogType>(LOG_TYPES, { supported: caps?.logTypes }), {
        notList: `must be a list of log types (${LOG_TYPES.join(", ")})`,
        refine: (valid, fail) => {
            valid.forEach((type, index) => {
                if (known(type) && valid.indexOf(type) !== index) fail(`${index}`, `"${type}" is listed twice`);
            });
        },
    });
}

function clusterShape(caps: Capabilities | undefined, oldVersion: unknown) {
    return {
        ...commonShape(),
        clusterName: cloudName(caps?.cluster.name, { optional: true }),
        version: versionSchema(caps, oldVersion),
        network: networkSchema,
        endpointAccess: endpointAccessSchema(caps?.cluster),
        logging: loggingSchema(caps?.cluster),
        nodeGroups: nodeGroupListSchema(caps?.cluster),
        tags: stringMap(),
    };
}

/** `olds`: the previous outputs, for the no-downgrade rule. */
export function clusterSchema(caps: Capabilities | undefined, olds: Props = {}) {
    return object(clusterShape(caps, olds.version), { ignoredKeys: BOOKKEEPING });
}

export type ClusterInputs = z.output<ReturnType<typeof clusterSchema>> & { clusterName: string; autoNamed: boolean };

// ---------------------------------------------------------------------------------------------
// NodeGroup

/** `stored`: read from state, where outputs sit beside the inputs. */
export function nodeGroupSchema(caps: Capabilities | undefined, stored = false) {
    return object(
        {
            ...commonShape(),
            cluster: str({ description: "The Cluster's id (`Cluster.clusterId`)" }),
            nodeGroupName: cloudName(caps?.cluster.nodeGroupName, { optional: true }),
            ...nodeGroupSpecShape(caps?.cluster),
        },
        { ignoredKeys: stored ? "all" : BOOKKEEPING, refine: nodeGroupRules(caps?.cluster) },
    );
}

export type NodeGroupInputs = z.output<ReturnType<typeof nodeGroupSchema>> & {
    nodeGroupName: string;
    autoNamed: boolean;
};
