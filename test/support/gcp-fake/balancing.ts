/**
 * Health checks, unmanaged instance groups and regional backend services of the fake, with the
 * constraints GCE enforces on them (see README.md). Each mutation validates on arrival and again
 * when its operation finishes.
 */
import { HttpError, alreadyExists, conditionNotMet, invalidField, notFound, required } from "./errors";
import {
    API_ROOT,
    FakeCompute,
    Json,
    Plan,
    Resource,
    clone,
    fingerprint,
    isObject,
    lastSegment,
    mergePatch,
    newId,
    regionOfZone,
    sameLink,
    timestamp,
} from "./model";

const LB_SCHEMES = ["EXTERNAL", "INTERNAL"];
const BS_PROTOCOLS = ["TCP", "UDP", "UNSPECIFIED"];
/**
 * BackendService.sessionAffinity per scheme (Compute v1 reference): EXTERNAL passthrough (network
 * load balancing) takes the 2-, 3- and 5-tuple hashes; INTERNAL also the 1-tuple
 * CLIENT_IP_NO_DESTINATION. The cookie/header affinities belong to proxy load balancers.
 */
const SESSION_AFFINITIES: Record<string, readonly string[]> = {
    EXTERNAL: ["NONE", "CLIENT_IP", "CLIENT_IP_PROTO", "CLIENT_IP_PORT_PROTO"],
    INTERNAL: ["NONE", "CLIENT_IP", "CLIENT_IP_PROTO", "CLIENT_IP_PORT_PROTO", "CLIENT_IP_NO_DESTINATION"],
};
/** Every value of the SessionAffinity enum, so an unknown one is told apart from a misplaced one. */
const ALL_SESSION_AFFINITIES = [
    ...SESSION_AFFINITIES.INTERNAL,
    "GENERATED_COOKIE",
    "HEADER_FIELD",
    "HTTP_COOKIE",
    "STRONG_COOKIE_AFFINITY",
];
/** ConnectionDraining.drainingTimeoutSec: "The valid range is [0, 3600]"; GCE reports 0 when unset. */
const DRAINING_TIMEOUT_MAX = 3600;
export const HC_TYPES: Record<string, string> = {
    TCP: "tcpHealthCheck",
    HTTP: "httpHealthCheck",
    HTTPS: "httpsHealthCheck",
};

// ---------------------------------------------------------------------------------------------
// Health checks

function validateHealthCheck(body: Json, field: (f: string) => string): Json {
    const type = body.type;
    if (typeof type !== "string" || !HC_TYPES[type])
        throw invalidField(field("type"), type, "Supported types: TCP, HTTP, HTTPS.");
    const block = body[HC_TYPES[type]];
    if (!isObject(block)) throw required(field(HC_TYPES[type]));
    for (const other of Object.values(HC_TYPES)) {
        if (other !== HC_TYPES[type] && body[other] !== undefined && body[other] !== null) {
            throw invalidField(field(other), "", `Only ${HC_TYPES[type]} may be set for type ${type}.`);
        }
    }
    const port = block.port ?? (type === "HTTPS" ? 443 : 80);
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
        throw invalidField(field(`${HC_TYPES[type]}.port`), port, "Port must be in [1, 65535].");
    }
    const out: Json = { port };
    if (type !== "TCP") {
        const path = block.requestPath ?? "/";
        if (typeof path !== "string" || !path.startsWith("/"))
            throw invalidField(field(`${HC_TYPES[type]}.requestPath`), path, "Request path must start with '/'.");
        out.requestPath = path;
        out.proxyHeader = "NONE";
    }
    const interval = body.checkIntervalSec ?? 5;
    const timeout = body.timeoutSec ?? 5;
    const healthy = body.healthyThreshold ?? 2;
    const unhealthy = body.unhealthyThreshold ?? 2;
    const range = (f: string, v: unknown, lo: number, hi: number): void => {
        if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi)
            throw invalidField(field(f), v, `Must be in [${lo}, ${hi}].`);
    };
    range("checkIntervalSec", interval, 1, 300);
    range("timeoutSec", timeout, 1, 300);
    range("healthyThreshold", healthy, 1, 10);
    range("unhealthyThreshold", unhealthy, 1, 10);
    if ((timeout as number) > (interval as number)) {
        throw invalidField(field("timeoutSec"), String(timeout), "TimeoutSec should be less than checkIntervalSec.");
    }
    return {
        type,
        checkIntervalSec: interval,
        timeoutSec: timeout,
        healthyThreshold: healthy,
        unhealthyThreshold: unhealthy,
        [HC_TYPES[type]]: out,
    };
}

export function insertHealthCheck(m: FakeCompute, region: string, body: Json, requestId?: string): Json {
    const scope = `regions/${region}`;
    const name = m.checkName(body.name);
    const spec = validateHealthCheck(body, f => `resource.${f}`);
    const id = newId();
    return m.startOperation({
        scope,
        operationType: "insert",
        targetLink: m.link(scope, "healthChecks", name),
        targetId: id,
        requestId,
        plan: () => {
            if (m.healthChecks.has(`${scope}/${name}`)) throw alreadyExists(m.path(scope, "healthChecks", name));
            return () =>
                m.healthChecks.set(`${scope}/${name}`, {
                    kind: "compute#healthCheck",
                    id,
                    creationTimestamp: timestamp(),
                    name,
                    description: typeof body.description === "string" ? body.description : "",
                    ...spec,
                    region: `${API_ROOT}/projects/${m.project}/${scope}`,
                    selfLink: m.link(scope, "healthChecks", name),
                });
        },
    });
}

/** PUT replaces the health check; PATCH merges the given fields first (JSON merge patch). */
export function updateHealthCheck(
    m: FakeCompute,
    region: string,
    name: string,
    body: Json,
    merge: boolean,
    requestId?: string,
): Json {
    const scope = `regions/${region}`;
    const key = `${scope}/${name}`;
    const current = m.healthChecks.get(key);
    if (!current) throw notFound(m.path(scope, "healthChecks", name));
    const merged: Json = merge ? mergePatch(current, body) : { ...body };
    if (merge && typeof body.type === "string" && body.type !== current.type) {
        for (const t of Object.values(HC_TYPES)) if (body[t] === undefined) delete merged[t];
    }
    if (body.name !== undefined && body.name !== name)
        throw invalidField("resource.name", body.name, "Name cannot be changed.");
    const spec = validateHealthCheck(merged, f => `resource.${f}`);
    return m.startOperation({
        scope,
        operationType: merge ? "patch" : "update",
        targetLink: current.selfLink,
        targetId: current.id,
        requestId,
        plan: () => {
            const now = m.healthChecks.get(key);
            if (!now) throw notFound(m.path(scope, "healthChecks", name));
            return () => {
                const next: Resource = {
                    kind: now.kind,
                    id: now.id,
                    creationTimestamp: now.creationTimestamp,
                    name,
                    description: typeof merged.description === "string" ? merged.description : "",
                    ...spec,
                    region: now.region,
                    selfLink: now.selfLink,
                };
                m.healthChecks.set(key, next);
            };
        },
    });
}

// ---------------------------------------------------------------------------------------------
// Instance groups

export function insertInstanceGroup(m: FakeCompute, zone: string, body: Json, requestId?: string): Json {
    const scope = `zones/${zone}`;
    const name = m.checkName(body.name);
    let network: string | undefined;
    if (body.network !== undefined) network = m.deref(body.network, "resource.network", "networks").res.selfLink;
    const id = newId();
    return m.startOperation({
        scope,
        operationType: "insert",
        targetLink: m.link(scope, "instanceGroups", name),
        targetId: id,
        requestId,
        plan: () => {
            if (m.groups.has(`${scope}/${name}`)) throw alreadyExists(m.path(scope, "instanceGroups", name));
            return () => {
                const json: Resource = {
                    kind: "compute#instanceGroup",
                    id,
                    creationTimestamp: timestamp(),
                    name,
                    description: typeof body.description === "string" ? body.description : "",
                    fingerprint: fingerprint(),
                    zone: `${API_ROOT}/projects/${m.project}/${scope}`,
                    selfLink: m.link(scope, "instanceGroups", name),
                    size: 0,
                };
                if (network) json.network = network;
                if (Array.isArray(body.namedPorts)) json.namedPorts = clone(body.namedPorts);
                m.groups.set(`${scope}/${name}`, { json, members: [] });
            };
        },
    });
}

/** Backend services that use this group (which makes it a load-balanced group). */
function balancersOf(m: FakeCompute, groupLink: string): string[] {
    return [...m.backendServices.values()]
        .filter(bs => ((bs.backends as Json[] | undefined) ?? []).some(b => sameLink(String(b.group), groupLink)))
        .map(bs => bs.selfLink);
}

/** GCE: an instance may be a member of at most one load-balanced instance group. */
function checkSingleBalancedGroup(m: FakeCompute, instanceKey: string, groupLink: string, field: string): void {
    for (const [k, g] of m.groups) {
        if (g.json.selfLink === groupLink || !g.members.includes(instanceKey)) continue;
        if (balancersOf(m, g.json.selfLink).length > 0) {
            throw new HttpError(
                400,
                "instanceInMultipleLoadBalancedIgs",
                `Validation failed for instance 'projects/${m.project}/${instanceKey}': instance may belong to at most one load-balanced instance group. (${field}; other group: ${k})`,
            );
        }
    }
}

export function changeMembers(
    m: FakeCompute,
    zone: string,
    name: string,
    verb: "addInstances" | "removeInstances",
    body: Json,
    requestId?: string,
): Json {
    const scope = `zones/${zone}`;
    const key = `${scope}/${name}`;
    const grp = m.group(scope, name);
    const refs = body.instances;
    if (!Array.isArray(refs) || refs.length === 0) throw required("resource.instances");
    const plan: Plan = () => {
        const g = m.groups.get(key);
        if (!g) throw notFound(m.path(scope, "instanceGroups", name));
        const keys: string[] = [];
        refs.forEach((r, i) => {
            const field = `resource.instances[${i}].instance`;
            if (!isObject(r)) throw required(field);
            const { key: ik, res, ref } = m.deref(r.instance, field, "instances");
            if (ref.scope !== scope)
                throw invalidField(
                    field,
                    String(r.instance),
                    `Instance must be in zone ${zone} like the instance group.`,
                );
            if (verb === "addInstances") {
                if (g.members.includes(ik)) {
                    throw new HttpError(
                        400,
                        "memberAlreadyExists",
                        `The resource 'projects/${m.project}/${ik}' is already a member of 'projects/${m.project}/${key.replace(scope + "/", scope + "/instanceGroups/")}'`,
                    );
                }
                const net = String(((res.networkInterfaces as Json[])[0] ?? {}).network ?? "");
                if (g.json.network && !sameLink(net, String(g.json.network))) {
                    throw invalidField(
                        field,
                        String(r.instance),
                        `Instance is in network '${lastSegment(net)}', the instance group in '${lastSegment(String(g.json.network))}'.`,
                    );
                }
                if (balancersOf(m, g.json.selfLink).length > 0) checkSingleBalancedGroup(m, ik, g.json.selfLink, field);
            } else if (!g.members.includes(ik)) {
                throw invalidField(field, String(r.instance), "The instance is not a member of the instance group.");
            }
            keys.push(ik);
        });
        return () => {
            if (verb === "addInstances") {
                for (const ik of keys) if (!g.members.includes(ik)) g.members.push(ik);
                if (!g.json.network && keys.length > 0) {
                    g.json.network = String((m.instances.get(keys[0])!.json.networkInterfaces as Json[])[0].network);
                }
            } else {
                g.members = g.members.filter(k => !keys.includes(k));
            }
            g.json.size = g.members.length;
        };
    };
    return m.startOperation({
        scope,
        operationType: `compute.instanceGroups.${verb}`,
        targetLink: grp.json.selfLink,
        targetId: grp.json.id,
        plan,
        requestId,
    });
}

export function listGroupInstances(m: FakeCompute, zone: string, name: string): Json[] {
    const g = m.group(`zones/${zone}`, name);
    return g.members.map(key => {
        const inst = m.instances.get(key);
        return {
            instance: inst ? inst.json.selfLink : `${API_ROOT}/projects/${m.project}/${key}`,
            status: inst ? inst.json.status : "TERMINATED",
        };
    });
}

// ---------------------------------------------------------------------------------------------
// Backend services

function validateBackendService(m: FakeCompute, region: string, body: Json, self?: string): Json {
    const scheme = body.loadBalancingScheme ?? "EXTERNAL";
    if (typeof scheme !== "string" || !LB_SCHEMES.includes(scheme)) {
        throw invalidField(
            "resource.loadBalancingScheme",
            scheme,
            "This fake models passthrough load balancing only (EXTERNAL, INTERNAL).",
        );
    }
    const protocol = body.protocol ?? "TCP";
    if (typeof protocol !== "string" || !BS_PROTOCOLS.includes(protocol)) {
        throw invalidField(
            "resource.protocol",
            protocol,
            `Protocol must be one of ${BS_PROTOCOLS.join(", ")} for scheme ${scheme}.`,
        );
    }
    const hcs = body.healthChecks;
    if (!Array.isArray(hcs) || hcs.length !== 1) {
        throw invalidField(
            "resource.healthChecks",
            hcs ?? "",
            "Exactly one health check is required for a regional backend service.",
        );
    }
    const hc = m.deref(hcs[0], "resource.healthChecks[0]", "healthChecks");
    if (hc.ref.scope !== `regions/${region}`) {
        throw invalidField(
            "resource.healthChecks[0]",
            String(hcs[0]),
            "Health check must be in the backend service's region.",
        );
    }
    let network: string | undefined;
    if (body.network !== undefined && body.network !== null) {
        if (scheme !== "INTERNAL")
            throw invalidField(
                "resource.network",
                body.network,
                "Network may only be set for INTERNAL load balancing.",
            );
        network = m.deref(body.network, "resource.network", "networks").res.selfLink;
    }
    const backends: Json[] = [];
    const seen = new Set<string>();
    const rawBackends = body.backends ?? [];
    if (!Array.isArray(rawBackends)) throw invalidField("resource.backends", rawBackends, "Must be a list.");
    rawBackends.forEach((b, i) => {
        const field = `resource.backends[${i}].group`;
        if (!isObject(b)) throw required(field);
        const g = m.deref(b.group, field, "instanceGroups");
        const zone = g.ref.scope.replace("zones/", "");
        if (regionOfZone(zone) !== region)
            throw invalidField(field, String(b.group), `Instance group must be in region ${region}.`);
        if (seen.has(g.res.selfLink))
            throw invalidField(field, String(b.group), "Duplicate instance groups in backend service.");
        seen.add(g.res.selfLink);
        const mode = b.balancingMode ?? "UTILIZATION";
        if (mode !== "CONNECTION") {
            throw invalidField(
                `resource.backends[${i}].balancingMode`,
                mode,
                `Balancing mode ${String(mode)} is not supported for load balancing scheme ${scheme}; use CONNECTION.`,
            );
        }
        if (network && g.res.network && !sameLink(String(g.res.network), network)) {
            throw invalidField(
                field,
                String(b.group),
                "Instance group network does not match the backend service network.",
            );
        }
        for (const key of m.groups.get(g.key)!.members) checkSingleBalancedGroup(m, key, g.res.selfLink, field);
        backends.push({ group: g.res.selfLink, balancingMode: "CONNECTION" });
    });
    const out: Json = {
        loadBalancingScheme: scheme,
        protocol,
        healthChecks: [hc.res.selfLink],
        backends,
        description: typeof body.description === "string" ? body.description : "",
        sessionAffinity: validateSessionAffinity(body.sessionAffinity, scheme),
        timeoutSec: 30,
        connectionDraining: { drainingTimeoutSec: validateDraining(body.connectionDraining) },
    };
    if (network) out.network = network;
    if (self) {
        const fr = [...m.forwardingRules.values()].find(f => sameLink(String(f.backendService), self));
        if (fr && protocol !== "UNSPECIFIED" && fr.IPProtocol !== protocol) {
            throw invalidField(
                "resource.protocol",
                protocol,
                `Backend service protocol must match the protocol of forwarding rule '${fr.name}' (${String(fr.IPProtocol)}).`,
            );
        }
        if (fr && fr.loadBalancingScheme !== scheme) {
            throw invalidField(
                "resource.loadBalancingScheme",
                scheme,
                `Forwarding rule '${fr.name}' uses scheme ${String(fr.loadBalancingScheme)}.`,
            );
        }
    }
    return out;
}

function validateSessionAffinity(raw: unknown, scheme: string): string {
    const affinity = raw ?? "NONE";
    if (typeof affinity !== "string" || !ALL_SESSION_AFFINITIES.includes(affinity)) {
        throw invalidField(
            "resource.sessionAffinity",
            affinity,
            `Unknown session affinity; one of ${ALL_SESSION_AFFINITIES.join(", ")}.`,
        );
    }
    if (!SESSION_AFFINITIES[scheme].includes(affinity)) {
        throw invalidField(
            "resource.sessionAffinity",
            affinity,
            `Session affinity ${affinity} is not supported for load balancing scheme ${scheme}; ` +
                `use one of ${SESSION_AFFINITIES[scheme].join(", ")}.`,
        );
    }
    return affinity;
}

/** `connectionDraining` absent, null or `{}` means no draining (0 s), as GCE reports it. */
function validateDraining(raw: unknown): number {
    if (raw === undefined || raw === null) return 0;
    if (!isObject(raw)) throw invalidField("resource.connectionDraining", raw, "Must be an object.");
    const timeout = raw.drainingTimeoutSec ?? 0;
    if (!Number.isInteger(timeout) || (timeout as number) < 0 || (timeout as number) > DRAINING_TIMEOUT_MAX) {
        throw invalidField(
            "resource.connectionDraining.drainingTimeoutSec",
            timeout,
            `Connection draining timeout must be in [0, ${DRAINING_TIMEOUT_MAX}] seconds.`,
        );
    }
    return timeout as number;
}

export function insertBackendService(m: FakeCompute, region: string, body: Json, requestId?: string): Json {
    const scope = `regions/${region}`;
    const name = m.checkName(body.name);
    validateBackendService(m, region, body);
    const id = newId();
    return m.startOperation({
        scope,
        operationType: "insert",
        targetLink: m.link(scope, "backendServices", name),
        targetId: id,
        requestId,
        plan: () => {
            if (m.backendServices.has(`${scope}/${name}`)) throw alreadyExists(m.path(scope, "backendServices", name));
            const spec = validateBackendService(m, region, body);
            return () =>
                m.backendServices.set(`${scope}/${name}`, {
                    kind: "compute#backendService",
                    id,
                    creationTimestamp: timestamp(),
                    name,
                    ...spec,
                    fingerprint: fingerprint(),
                    region: `${API_ROOT}/projects/${m.project}/${scope}`,
                    selfLink: m.link(scope, "backendServices", name),
                });
        },
    });
}

/**
 * PATCH (JSON merge patch, so `connectionDraining: {}` keeps the timeout and `null` resets it) or
 * PUT (replaces: what is left out reverts to its default); both need the current fingerprint, as on GCE.
 */
export function updateBackendService(
    m: FakeCompute,
    region: string,
    name: string,
    body: Json,
    merge: boolean,
    requestId?: string,
): Json {
    const scope = `regions/${region}`;
    const key = `${scope}/${name}`;
    const current = m.backendServices.get(key);
    if (!current) throw notFound(m.path(scope, "backendServices", name));
    if (body.fingerprint !== current.fingerprint) {
        throw conditionNotMet(
            "Invalid fingerprint. The resource was modified or the fingerprint is missing; get it again and retry.",
        );
    }
    if (body.name !== undefined && body.name !== name)
        throw invalidField("resource.name", body.name, "Name cannot be changed.");
    const merged: Json = merge ? mergePatch(current, body) : { ...body };
    validateBackendService(m, region, merged, current.selfLink);
    const expected = current.fingerprint;
    return m.startOperation({
        scope,
        operationType: merge ? "patch" : "update",
        targetLink: current.selfLink,
        targetId: current.id,
        requestId,
        plan: () => {
            const now = m.backendServices.get(key);
            if (!now) throw notFound(m.path(scope, "backendServices", name));
            if (now.fingerprint !== expected)
                throw conditionNotMet("The resource was modified while the operation ran.");
            const spec = validateBackendService(m, region, merged, now.selfLink);
            return () =>
                m.backendServices.set(key, {
                    kind: now.kind,
                    id: now.id,
                    creationTimestamp: now.creationTimestamp,
                    name,
                    ...spec,
                    fingerprint: fingerprint(),
                    region: now.region,
                    selfLink: now.selfLink,
                });
        },
    });
}

export function getHealth(m: FakeCompute, region: string, name: string, body: Json): Json {
    const scope = `regions/${region}`;
    const bs = m.backendServices.get(`${scope}/${name}`);
    if (!bs) throw notFound(m.path(scope, "backendServices", name));
    const g = m.deref(body.group, "resource.group", "instanceGroups");
    if (!((bs.backends as Json[]) ?? []).some(b => sameLink(String(b.group), g.res.selfLink))) {
        throw invalidField(
            "resource.group",
            String(body.group),
            `Instance group is not a backend of backend service '${name}'.`,
        );
    }
    const hc = [...m.healthChecks.values()].find(h =>
        sameLink(h.selfLink, ((bs.healthChecks as string[]) ?? [])[0] ?? ""),
    );
    const hcType = hc ? HC_TYPES[String(hc.type)] : undefined;
    const port = hc && hcType ? Number((hc[hcType] as Json).port) : 80;
    const fr = [...m.forwardingRules.values()].find(f => sameLink(String(f.backendService), bs.selfLink));
    const status = m.groups.get(g.key)!.members.map(key => {
        const inst = m.instances.get(key);
        const ok = !!inst && inst.healthy && inst.json.status === "RUNNING";
        const entry: Json = {
            instance: inst ? inst.json.selfLink : `${API_ROOT}/projects/${m.project}/${key}`,
            ipAddress: inst ? String((inst.json.networkInterfaces as Json[])[0].networkIP) : "",
            port,
            healthState: ok ? "HEALTHY" : "UNHEALTHY",
        };
        if (fr) {
            entry.forwardingRule = fr.selfLink;
            entry.forwardingRuleIp = fr.IPAddress;
        }
        return entry;
    });
    const out: Json = { kind: "compute#backendServiceGroupHealth" };
    if (status.length > 0) out.healthStatus = status;
    return out;
}
