/**
 * The GCE objects one NLB consists of: their derived names, the description marker that lets a
 * partial create be found again, the request bodies the driver sends, and the converters back to
 * the driver interface's Info types.
 */
import type {
    HealthCheckerInfo,
    HealthCheckerReq,
    HealthProtocol,
    ListenerInfo,
    NlbInfo,
    NlbTraffic,
    NlbType,
    TrafficProtocol,
} from "../../interface/driver";
import type { GcpSettings, IBackendService, IForwardingRule, IHealthCheck } from "./clients";
import { lastSegment } from "./clients";
import { healthDefaults } from "./validate";
import { ownerField } from "../../interface/owner";

export interface NlbNames {
    nlb: string;
    healthCheck: string;
    backendService: string;
    address: string;
    forwardingRule: string;
}

export function nlbNames(nlb: string): NlbNames {
    return {
        nlb,
        healthCheck: `${nlb}-hc`,
        backendService: `${nlb}-bs`,
        address: `${nlb}-ip`,
        forwardingRule: `${nlb}-fr`,
    };
}

/** `us-central1-a` in region `us-central1` → `a`. */
export function zoneSuffix(region: string, zone: string): string {
    return zone.startsWith(`${region}-`) ? zone.slice(region.length + 1) : zone;
}

export function groupName(nlb: string, region: string, zone: string): string {
    return `${nlb}-ig-${zoneSuffix(region, zone)}`;
}

/** Pattern of every instance group name of an NLB, as a Compute `eq` filter regex. */
export function groupNamePattern(nlb: string): string {
    return `${nlb}-ig-[a-z0-9]+`;
}

export type PartKind = "healthCheck" | "instanceGroup" | "backendService" | "address" | "forwardingRule";

/**
 * Written into each part's description. The backend service's marker also holds what GCE has no
 * field for: the VPC name (an EXTERNAL backend service has no network), the VM group port (a
 * passthrough NLB does not translate ports) and whether the health check port follows it.
 */
export interface PartMarker {
    managedBy: "pulumi-spider";
    nlb: string;
    part: PartKind;
    vpc?: string;
    vmGroupPort?: number;
    healthPortAuto?: boolean;
    /** URN of the resource that created the NLB, as `ownerValue` records it (GCE labels are too short). */
    owner?: string;
    /** `project/stack` of that URN. */
    stack?: string;
}

export function toDescription(marker: Omit<PartMarker, "managedBy">): string {
    return JSON.stringify({ managedBy: "pulumi-spider", ...marker });
}

export function fromDescription(description: string | null | undefined): PartMarker | undefined {
    if (!description || !description.startsWith("{")) return undefined;
    try {
        const marker = JSON.parse(description) as Partial<PartMarker>;
        return marker.managedBy === "pulumi-spider" && typeof marker.nlb === "string" && typeof marker.part === "string"
            ? (marker as PartMarker)
            : undefined;
    } catch {
        return undefined;
    }
}

export function regionalLink(settings: GcpSettings, collection: string, name: string): string {
    return `projects/${settings.project}/regions/${settings.region}/${collection}/${name}`;
}

export function zonalLink(settings: GcpSettings, zone: string, collection: string, name: string): string {
    return `projects/${settings.project}/zones/${zone}/${collection}/${name}`;
}

export function networkLink(settings: GcpSettings, name: string): string {
    return `projects/${settings.project}/global/networks/${name}`;
}

export function zoneOfLink(link: string | null | undefined): string {
    const match = /zones\/([^/]+)\//.exec(link ?? "");
    return match ? match[1] : "";
}

export function toScheme(type: NlbType): "EXTERNAL" | "INTERNAL" {
    return type === "INTERNAL" ? "INTERNAL" : "EXTERNAL";
}

export function fromScheme(scheme: string | null | undefined): NlbType {
    return scheme === "INTERNAL" ? "INTERNAL" : "PUBLIC";
}

const HC_BLOCK: Record<HealthProtocol, "tcpHealthCheck" | "httpHealthCheck" | "httpsHealthCheck"> = {
    TCP: "tcpHealthCheck",
    HTTP: "httpHealthCheck",
    HTTPS: "httpsHealthCheck",
};

/** The full health check resource (used for insert and for update, which replaces it). */
export function toHealthCheckResource(
    name: string,
    nlb: string,
    health: HealthCheckerReq,
    vmGroupPort: number,
): IHealthCheck {
    const timing = healthDefaults(health);
    const port = health.port ?? vmGroupPort;
    const block = health.protocol === "TCP" ? { port } : { port, requestPath: health.path || "/" };
    return {
        name,
        description: toDescription({ nlb, part: "healthCheck" }),
        type: health.protocol,
        checkIntervalSec: timing.interval,
        timeoutSec: timing.timeout,
        healthyThreshold: timing.threshold,
        unhealthyThreshold: health.unhealthyThreshold ?? timing.threshold,
        [HC_BLOCK[health.protocol]]: block,
    };
}

export function fromHealthCheck(hc: IHealthCheck): HealthCheckerInfo {
    const protocol = (String(hc.type) in HC_BLOCK ? String(hc.type) : "TCP") as HealthProtocol;
    const block = hc[HC_BLOCK[protocol]] as { port?: number | null; requestPath?: string | null } | null | undefined;
    return {
        protocol,
        port: Number(block?.port ?? 0),
        interval: Number(hc.checkIntervalSec ?? 0),
        timeout: Number(hc.timeoutSec ?? 0),
        threshold: Number(hc.healthyThreshold ?? 0),
        unhealthyThreshold: Number(hc.unhealthyThreshold ?? hc.healthyThreshold ?? 0),
        path: protocol === "TCP" ? "" : String(block?.requestPath ?? "/"),
        cspId: String(hc.id ?? ""),
    };
}

export interface ForwardingRuleSpec {
    name: string;
    nlb: string;
    ip: string;
    protocol: TrafficProtocol;
    port: number;
    scheme: "EXTERNAL" | "INTERNAL";
    backendService: string;
    labels: Record<string, string>;
    network?: string;
    subnetwork?: string;
}

export function toForwardingRuleResource(spec: ForwardingRuleSpec): IForwardingRule {
    const fr: IForwardingRule = {
        name: spec.name,
        description: toDescription({ nlb: spec.nlb, part: "forwardingRule" }),
        IPAddress: spec.ip,
        IPProtocol: spec.protocol,
        ports: [String(spec.port)],
        loadBalancingScheme: spec.scheme,
        backendService: spec.backendService,
        labels: { ...spec.labels },
    };
    if (spec.scheme === "EXTERNAL") fr.networkTier = "PREMIUM";
    if (spec.network) fr.network = spec.network;
    if (spec.subnetwork) fr.subnetwork = spec.subnetwork;
    return fr;
}

/** The spec that recreates an existing forwarding rule as it was (undo of a listener change). */
export function specOfForwardingRule(fr: IForwardingRule, nlb: string): ForwardingRuleSpec {
    return {
        name: fr.name ?? "",
        nlb,
        ip: fr.IPAddress ?? "",
        protocol: fr.IPProtocol === "UDP" ? "UDP" : "TCP",
        port: firstPort(fr),
        scheme: fr.loadBalancingScheme === "INTERNAL" ? "INTERNAL" : "EXTERNAL",
        backendService: fr.backendService ?? "",
        labels: labelsOf(fr),
        network: fr.network ?? undefined,
        subnetwork: fr.subnetwork ?? undefined,
    };
}

function firstPort(fr: IForwardingRule): number {
    if (fr.ports && fr.ports.length > 0) return Number(fr.ports[0]);
    if (fr.portRange) return Number(String(fr.portRange).split("-")[0]);
    return 0;
}

export function labelsOf(fr: IForwardingRule | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(fr?.labels ?? {})) out[k] = String(v);
    return out;
}

export function fromForwardingRule(fr: IForwardingRule): ListenerInfo {
    return {
        protocol: fr.IPProtocol === "UDP" ? "UDP" : "TCP",
        port: firstPort(fr),
        ip: fr.IPAddress ?? "",
        dnsName: "",
        cspId: String(fr.id ?? ""),
    };
}

export function isoTime(ts: string | null | undefined): string {
    const date = new Date(ts ?? "");
    return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

export function protocolOf(bs: IBackendService): TrafficProtocol {
    return bs.protocol === "UDP" ? "UDP" : "TCP";
}

/** Everything read about one NLB; the forwarding rule may be missing mid-repair. */
export interface NlbParts {
    name: string;
    bs: IBackendService;
    hc?: IHealthCheck;
    fr?: IForwardingRule;
    /** The reserved address's IP. */
    ip: string;
    /** Canonical `zone/name` of every attached VM. */
    vms: string[];
}

export function toNlbInfo(settings: GcpSettings, parts: NlbParts): NlbInfo {
    const marker = fromDescription(parts.bs.description);
    const names = nlbNames(parts.name);
    const bsLink = parts.bs.selfLink ?? "";
    const keyValues: Record<string, string> = {
        project: settings.project,
        region: settings.region,
        loadBalancingScheme: String(parts.bs.loadBalancingScheme ?? ""),
        backendService: bsLink,
        address: bsLink.replace(/backendServices\/[^/]+$/, `addresses/${names.address}`),
        reservedIp: parts.ip,
        instanceGroups: (parts.bs.backends ?? [])
            .map(b => b.group ?? "")
            .filter(g => g !== "")
            .join(","),
    };
    if (parts.hc?.selfLink) keyValues.healthCheck = parts.hc.selfLink;
    if (parts.fr?.selfLink) keyValues.forwardingRule = parts.fr.selfLink;
    const protocol = protocolOf(parts.bs);
    return {
        iid: { nameId: parts.name, systemId: String(parts.bs.id ?? "") },
        vpc: marker?.vpc ?? lastSegment(parts.bs.network),
        type: fromScheme(parts.bs.loadBalancingScheme),
        scope: "REGION",
        listener: parts.fr ? fromForwardingRule(parts.fr) : { protocol, port: 0, ip: parts.ip, dnsName: "", cspId: "" },
        vmGroup: {
            protocol,
            port: marker?.vmGroupPort ?? 0,
            vms: [...parts.vms].sort(),
            cspId: String(parts.bs.id ?? ""),
        },
        healthChecker: parts.hc
            ? fromHealthCheck(parts.hc)
            : {
                  protocol: "TCP",
                  port: 0,
                  interval: 0,
                  timeout: 0,
                  threshold: 0,
                  unhealthyThreshold: 0,
                  path: "",
                  cspId: "",
              },
        traffic: trafficOf(parts.bs),
        securityGroups: [],
        createdTime: isoTime(parts.bs.creationTimestamp),
        tags: labelsOf(parts.fr),
        subnets: parts.fr?.subnetwork ? [lastSegment(parts.fr.subnetwork)] : [],
        keyValues,
        ...ownerField(marker?.owner),
    };
}

/**
 * The backend service's traffic settings; the rest is what a passthrough NLB always does. An
 * affinity set outside this driver (CLIENT_IP_PROTO, …) reads as CLIENT_IP: it keeps clients on a VM.
 */
export function trafficOf(bs: IBackendService): NlbTraffic {
    const affinity = String(bs.sessionAffinity ?? "NONE");
    return {
        crossZone: true,
        connectionDraining: Number(bs.connectionDraining?.drainingTimeoutSec ?? 0),
        sessionAffinity: affinity === "NONE" || affinity === "" ? "NONE" : "CLIENT_IP",
        preserveClientIp: true,
        proxyProtocol: false,
    };
}

/** The backend-service fields of the traffic settings. */
export function toBackendServiceTraffic(
    traffic: NlbTraffic,
): Pick<IBackendService, "connectionDraining" | "sessionAffinity"> {
    return {
        connectionDraining: { drainingTimeoutSec: traffic.connectionDraining },
        sessionAffinity: traffic.sessionAffinity,
    };
}
