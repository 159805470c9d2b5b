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

export function toDescription(m: Omit<PartMarker, "managedBy">): string {
    return JSON.stringify({ managedBy: "pulumi-spider", ...m });
}

export function fromDescription(d: string | null | undefined): PartMarker | undefined {
    if (!d || !d.startsWith("{")) return undefined;
    try {
        const m = JSON.parse(d) as Partial<PartMarker>;
        return m.managedBy === "pulumi-spider" && typeof m.nlb === "string" && typeof m.part === "string"
            ? (m as PartMarker)
            : undefined;
    } catch {
        return undefined;
    }
}

export function regionalLink(s: GcpSettings, collection: string, name: string): string {
    return `projects/${s.project}/regions/${s.region}/${collection}/${name}`;
}

export function zonalLink(s: GcpSettings, zone: string, collection: string, name: string): string {
    return `projects/${s.project}/zones/${zone}/${collection}/${name}`;
}

export function networkLink(s: GcpSettings, name: string): string {
    return `projects/${s.project}/global/networks/${name}`;
}

export function zoneOfLink(link: string | null | undefined): string {
    const m = /zones\/([^/]+)\//.exec(link ?? "");
    return m ? m[1] : "";
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
    h: HealthCheckerReq,
    vmGroupPort: number,
): IHealthCheck {
    const d = healthDefaults(h);
    const port = h.port ?? vmGroupPort;
    const block = h.protocol === "TCP" ? { port } : { port, requestPath: h.path || "/" };
    return {
        name,
        description: toDescription({ nlb, part: "healthCheck" }),
        type: h.protocol,
        checkIntervalSec: d.interval,
        timeoutSec: d.timeout,
        healthyThreshold: d.threshold,
        unhealthyThreshold: d.threshold,
        [HC_BLOCK[h.protocol]]: block,
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

export function toForwardingRuleResource(f: ForwardingRuleSpec): IForwardingRule {
    const fr: IForwardingRule = {
        name: f.name,
        description: toDescription({ nlb: f.nlb, part: "forwardingRule" }),
        IPAddress: f.ip,
        IPProtocol: f.protocol,
        ports: [String(f.port)],
        loadBalancingScheme: f.scheme,
        backendService: f.backendService,
        labels: { ...f.labels },
    };
    if (f.scheme === "EXTERNAL") fr.networkTier = "PREMIUM";
    if (f.network) fr.network = f.network;
    if (f.subnetwork) fr.subnetwork = f.subnetwork;
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
    const d = new Date(ts ?? "");
    return Number.isNaN(d.getTime()) ? "" : d.toISOString();
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

export function toNlbInfo(s: GcpSettings, p: NlbParts): NlbInfo {
    const marker = fromDescription(p.bs.description);
    const names = nlbNames(p.name);
    const bsLink = p.bs.selfLink ?? "";
    const keyValues: Record<string, string> = {
        project: s.project,
        region: s.region,
        loadBalancingScheme: String(p.bs.loadBalancingScheme ?? ""),
        backendService: bsLink,
        address: bsLink.replace(/backendServices\/[^/]+$/, `addresses/${names.address}`),
        reservedIp: p.ip,
        instanceGroups: (p.bs.backends ?? [])
            .map(b => b.group ?? "")
            .filter(g => g !== "")
            .join(","),
    };
    if (p.hc?.selfLink) keyValues.healthCheck = p.hc.selfLink;
    if (p.fr?.selfLink) keyValues.forwardingRule = p.fr.selfLink;
    const protocol = protocolOf(p.bs);
    return {
        iid: { nameId: p.name, systemId: String(p.bs.id ?? "") },
        vpc: marker?.vpc ?? lastSegment(p.bs.network),
        type: fromScheme(p.bs.loadBalancingScheme),
        scope: "REGION",
        listener: p.fr ? fromForwardingRule(p.fr) : { protocol, port: 0, ip: p.ip, dnsName: "", cspId: "" },
        vmGroup: { protocol, port: marker?.vmGroupPort ?? 0, vms: [...p.vms].sort(), cspId: String(p.bs.id ?? "") },
        healthChecker: p.hc
            ? fromHealthCheck(p.hc)
            : { protocol: "TCP", port: 0, interval: 0, timeout: 0, threshold: 0, path: "", cspId: "" },
        createdTime: isoTime(p.bs.creationTimestamp),
        tags: labelsOf(p.fr),
        subnets: p.fr?.subnetwork ? [lastSegment(p.fr.subnetwork)] : [],
        keyValues,
        ...ownerField(marker?.owner),
    };
}
