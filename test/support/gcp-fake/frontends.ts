/**
 * Regional addresses and forwarding rules of the fake: IP allocation, address users and status,
 * the IP/protocol/port conflict check, scheme and protocol agreement with the backend service, and
 * fingerprinted setLabels.
 */
import { alreadyExists, conditionNotMet, invalidField, notFound, required } from "./errors";
import {
    API_ROOT,
    FakeCompute,
    Json,
    Resource,
    clone,
    dropUndefined,
    fingerprint,
    isObject,
    labelFingerprint,
    newId,
    overlaps,
    portsOf,
    timestamp,
} from "./model";

const LB_SCHEMES = ["EXTERNAL", "INTERNAL"];

// ---------------------------------------------------------------------------------------------
// Addresses

export function insertAddress(m: FakeCompute, region: string, body: Json, requestId?: string): Json {
    const scope = `regions/${region}`;
    const name = m.checkName(body.name);
    const type = body.addressType ?? "EXTERNAL";
    if (type !== "EXTERNAL" && type !== "INTERNAL")
        throw invalidField("resource.addressType", type, "Must be EXTERNAL or INTERNAL.");
    let subnetwork: string | undefined;
    if (type === "INTERNAL") {
        if (body.subnetwork === undefined)
            throw invalidField("resource.subnetwork", "", "A subnetwork must be specified for an INTERNAL address.");
        const sn = m.deref(body.subnetwork, "resource.subnetwork", "subnetworks");
        if (sn.ref.scope !== scope)
            throw invalidField(
                "resource.subnetwork",
                String(body.subnetwork),
                `Subnetwork must be in region ${region}.`,
            );
        subnetwork = sn.res.selfLink;
    } else if (body.subnetwork !== undefined) {
        throw invalidField(
            "resource.subnetwork",
            String(body.subnetwork),
            "A subnetwork may only be set for INTERNAL addresses.",
        );
    }
    if (typeof body.address === "string" && m.usedIps.has(body.address)) {
        throw invalidField("resource.address", body.address, "IP address is already in use.");
    }
    const id = newId();
    return m.startOperation({
        scope,
        operationType: "insert",
        targetLink: m.link(scope, "addresses", name),
        targetId: id,
        requestId,
        plan: () => {
            if (m.addresses.has(`${scope}/${name}`)) throw alreadyExists(m.path(scope, "addresses", name));
            return () => {
                const ip = typeof body.address === "string" ? body.address : m.allocateIp(String(type), region);
                m.usedIps.add(ip);
                const labels = isObject(body.labels) ? (body.labels as Record<string, string>) : {};
                const json: Resource = {
                    kind: "compute#address",
                    id,
                    creationTimestamp: timestamp(),
                    name,
                    description: typeof body.description === "string" ? body.description : "",
                    address: ip,
                    status: "RESERVED",
                    region: `${API_ROOT}/projects/${m.project}/${scope}`,
                    selfLink: m.link(scope, "addresses", name),
                    addressType: type,
                    networkTier: type === "EXTERNAL" ? (body.networkTier ?? "PREMIUM") : undefined,
                    purpose: type === "INTERNAL" ? (body.purpose ?? "GCE_ENDPOINT") : undefined,
                    subnetwork,
                    ipVersion: "IPV4",
                    labels,
                    labelFingerprint: labelFingerprint(labels),
                    users: [],
                };
                m.addresses.set(`${scope}/${name}`, dropUndefined(json));
            };
        },
    });
}

// ---------------------------------------------------------------------------------------------
// Forwarding rules

export function insertForwardingRule(m: FakeCompute, region: string, body: Json, requestId?: string): Json {
    const scope = `regions/${region}`;
    const name = m.checkName(body.name);
    planForwardingRule(m, region, name, body);
    const id = newId();
    return m.startOperation({
        scope,
        operationType: "insert",
        targetLink: m.link(scope, "forwardingRules", name),
        targetId: id,
        requestId,
        plan: () => {
            if (m.forwardingRules.has(`${scope}/${name}`)) throw alreadyExists(m.path(scope, "forwardingRules", name));
            const spec = planForwardingRule(m, region, name, body);
            return () => {
                const labels = isObject(body.labels) ? (body.labels as Record<string, string>) : {};
                const json: Resource = {
                    kind: "compute#forwardingRule",
                    id,
                    creationTimestamp: timestamp(),
                    name,
                    description: typeof body.description === "string" ? body.description : "",
                    region: `${API_ROOT}/projects/${m.project}/${scope}`,
                    ...spec.json,
                    selfLink: m.link(scope, "forwardingRules", name),
                    labels,
                    labelFingerprint: labelFingerprint(labels),
                    fingerprint: fingerprint(),
                };
                m.forwardingRules.set(`${scope}/${name}`, json);
                if (spec.addressKey) {
                    const addr = m.addresses.get(spec.addressKey)!;
                    addr.users = [...((addr.users as string[]) ?? []), json.selfLink];
                    addr.status = "IN_USE";
                }
            };
        },
    });
}

function planForwardingRule(
    m: FakeCompute,
    region: string,
    name: string,
    body: Json,
): { json: Json; addressKey?: string } {
    const scope = `regions/${region}`;
    const scheme = body.loadBalancingScheme ?? "EXTERNAL";
    if (typeof scheme !== "string" || !LB_SCHEMES.includes(scheme)) {
        throw invalidField(
            "resource.loadBalancingScheme",
            scheme,
            "This fake models passthrough load balancing only (EXTERNAL, INTERNAL).",
        );
    }
    const protocol = body.IPProtocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP")
        throw invalidField("resource.IPProtocol", protocol, "Must be TCP or UDP for a passthrough forwarding rule.");
    const given = [body.ports !== undefined, body.portRange !== undefined, body.allPorts === true].filter(
        Boolean,
    ).length;
    if (given > 1)
        throw invalidField(
            "resource.ports",
            body.ports ?? body.portRange,
            "Only one of ports, portRange and allPorts may be set.",
        );
    if (Array.isArray(body.ports)) {
        if (body.ports.length === 0 || body.ports.length > 5)
            throw invalidField("resource.ports", body.ports, "Between 1 and 5 ports may be listed.");
        body.ports.forEach((p, i) => {
            const n = Number(p);
            if (!Number.isInteger(n) || n < 1 || n > 65535 || String(p).includes("-"))
                throw invalidField(`resource.ports[${i}]`, p, "Port must be a number in [1, 65535].");
        });
    } else if (body.portRange !== undefined) {
        if (typeof body.portRange !== "string" || !/^\d+(-\d+)?$/.test(body.portRange))
            throw invalidField("resource.portRange", body.portRange, "Expected PORT or PORT-PORT.");
    }
    const bs = m.deref(body.backendService, "resource.backendService", "backendServices");
    if (bs.ref.scope !== scope)
        throw invalidField(
            "resource.backendService",
            String(body.backendService),
            `Backend service must be in region ${region}.`,
        );
    if (bs.res.loadBalancingScheme !== scheme) {
        throw invalidField(
            "resource.loadBalancingScheme",
            scheme,
            `Backend service '${bs.res.name}' uses scheme ${String(bs.res.loadBalancingScheme)}.`,
        );
    }
    if (bs.res.protocol !== "UNSPECIFIED" && bs.res.protocol !== protocol) {
        throw invalidField(
            "resource.IPProtocol",
            protocol,
            `Forwarding rule protocol must match backend service '${bs.res.name}' protocol ${String(bs.res.protocol)}.`,
        );
    }
    let ip: string;
    let addressKey: string | undefined;
    const raw = body.IPAddress;
    if (raw === undefined || raw === "") {
        ip = m.allocateIp(scheme, region);
    } else if (typeof raw === "string" && /^\d+\.\d+\.\d+\.\d+$/.test(raw)) {
        const found = [...m.addresses.entries()].find(([, a]) => a.address === raw);
        if (!found) throw invalidField("resource.IPAddress", raw, "The IP address is not reserved in this project.");
        ip = raw;
        addressKey = found[0];
    } else {
        const a = m.deref(raw, "resource.IPAddress", "addresses", scope);
        ip = String(a.res.address);
        addressKey = a.key;
    }
    if (addressKey) {
        const addr = m.addresses.get(addressKey)!;
        if (!addressKey.startsWith(`${scope}/`))
            throw invalidField("resource.IPAddress", ip, `Address must be in region ${region}.`);
        if (addr.addressType !== scheme) {
            throw invalidField(
                "resource.IPAddress",
                ip,
                `Address type ${String(addr.addressType)} does not fit load balancing scheme ${scheme}.`,
            );
        }
        const users = (addr.users as string[] | undefined) ?? [];
        if (scheme === "INTERNAL" && addr.purpose !== "SHARED_LOADBALANCER_VIP" && users.length > 0) {
            throw invalidField(
                "resource.IPAddress",
                ip,
                `IP address is in use by '${users[0]}' and its purpose is not SHARED_LOADBALANCER_VIP.`,
            );
        }
    }
    const ports = portsOf(body);
    for (const f of m.forwardingRules.values()) {
        if (f.name === name || f.IPAddress !== ip || f.IPProtocol !== protocol) continue;
        if (overlaps(ports, portsOf(f))) {
            throw invalidField(
                "resource.IPAddress",
                ip,
                `Specified IP address is in-use and would result in a conflict: forwarding rule '${f.name}' already uses ${String(protocol)} ports on it.`,
            );
        }
    }
    const json: Json = {
        IPAddress: ip,
        IPProtocol: protocol,
        loadBalancingScheme: scheme,
        backendService: bs.res.selfLink,
        networkTier: scheme === "EXTERNAL" ? "PREMIUM" : undefined,
    };
    if (Array.isArray(body.ports)) json.ports = body.ports.map(String);
    else if (typeof body.portRange === "string")
        json.portRange = body.portRange.includes("-") ? body.portRange : `${body.portRange}-${body.portRange}`;
    else json.allPorts = true;
    if (scheme === "INTERNAL") {
        json.network =
            body.network !== undefined
                ? m.deref(body.network, "resource.network", "networks").res.selfLink
                : m.link("global", "networks", "default");
        if (body.subnetwork !== undefined)
            json.subnetwork = m.deref(body.subnetwork, "resource.subnetwork", "subnetworks").res.selfLink;
    }
    return { json: dropUndefined(json), addressKey };
}

export function deleteForwardingRule(m: FakeCompute, region: string, name: string, requestId?: string): Json {
    const scope = `regions/${region}`;
    const key = `${scope}/${name}`;
    const fr = m.forwardingRules.get(key);
    return m.startOperation({
        scope,
        operationType: "delete",
        targetLink: m.link(scope, "forwardingRules", name),
        targetId: fr?.id,
        requestId,
        plan: () => {
            const now = m.forwardingRules.get(key);
            if (!now) throw notFound(m.path(scope, "forwardingRules", name));
            return () => {
                m.forwardingRules.delete(key);
                for (const a of m.addresses.values()) {
                    const users = ((a.users as string[] | undefined) ?? []).filter(u => u !== now.selfLink);
                    a.users = users;
                    if (users.length === 0) a.status = "RESERVED";
                }
            };
        },
    });
}

export function setLabels(
    m: FakeCompute,
    region: string,
    collection: "forwardingRules" | "addresses",
    name: string,
    body: Json,
    requestId?: string,
): Json {
    const scope = `regions/${region}`;
    const key = `${scope}/${name}`;
    const map = m.collection(collection);
    const res = map.get(key);
    if (!res) throw notFound(m.path(scope, collection, name));
    if (typeof body.labelFingerprint !== "string") throw required("resource.labelFingerprint");
    const labels = isObject(body.labels) ? (body.labels as Record<string, string>) : {};
    for (const [k, v] of Object.entries(labels)) {
        if (!/^[a-z][-_a-z0-9]{0,62}$/.test(k))
            throw invalidField(`resource.labels.key`, k, "Label keys must match [a-z][-_a-z0-9]{0,62}.");
        if (typeof v !== "string" || !/^[-_a-z0-9]{0,63}$/.test(v))
            throw invalidField(`resource.labels.value`, v, "Label values must match [-_a-z0-9]{0,63}.");
    }
    const expected = body.labelFingerprint;
    return m.startOperation({
        scope,
        operationType: "setLabels",
        targetLink: res.selfLink,
        targetId: res.id,
        requestId,
        plan: () => {
            const now = map.get(key);
            if (!now) throw notFound(m.path(scope, collection, name));
            if (now.labelFingerprint !== expected) {
                throw conditionNotMet("Labels fingerprint either invalid or resource labels have changed");
            }
            return () => {
                now.labels = clone(labels);
                now.labelFingerprint = labelFingerprint(labels);
            };
        },
    });
}
