import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import { LookupOptions, ResourceLookup, SpiderResource } from "./resource";
import nlbProvider = require("./providers/nlb");

/** The frontend of the load balancer. */
export interface ListenerArgs {
    /**
     * Traffic protocol. Allowed: "TCP" or "UDP". A change applies in place (changeListener). gcp: deletes and
     * re-inserts the forwarding rule: same IP and id, no forwarding for a few seconds.
     */
    protocol: pulumi.Input<"TCP" | "UDP">;
    /**
     * Port clients connect to, 1–65535. A change applies in place (changeListener). gcp: deletes and re-inserts
     * the forwarding rule: same IP and id, no forwarding for a few seconds.
     */
    port: pulumi.Input<number>;
}

/** The backends. */
export interface VmGroupArgs {
    /**
     * Backend protocol; must be compatible with the listener's. Default: the listener's protocol.
     * Allowed: "TCP" or "UDP". A change applies in place (changeVmGroupInfo). aws: swaps in a new target group;
     * the listener keeps forwarding. gcp: a protocol change re-inserts the forwarding rule too.
     */
    protocol?: pulumi.Input<"TCP" | "UDP">;
    /**
     * Backend port, 1–65535. A change applies in place (changeVmGroupInfo). aws: swaps in a new target group; the
     * listener keeps forwarding. gcp: a protocol change re-inserts the forwarding rule too.
     */
    port: pulumi.Input<number>;
    /**
     * VMs attached by this Nlb: local `vm-1`, AWS instance ids `i-…`, GCP `zone/name` or a bare name.
     * Default: none. A change applies in place (addVms/removeVms: the difference only).
     */
    vms?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The health probe. */
export interface HealthCheckerArgs {
    /**
     * Probe protocol. Default: "TCP". Allowed: "TCP", "HTTP" or "HTTPS". A change applies in place
     * (changeHealthCheckerInfo).
     */
    protocol?: pulumi.Input<"TCP" | "HTTP" | "HTTPS">;
    /** Port probed, 1–65535. Default: the VM group port. A change applies in place (changeHealthCheckerInfo). */
    port?: pulumi.Input<number>;
    /**
     * Seconds between probes. Default: 30 on aws; 5 on gcp; 10 on local. Allowed: 5–300 on aws and local;
     * 1–300 on gcp. A change applies in place (changeHealthCheckerInfo).
     */
    interval?: pulumi.Input<number>;
    /**
     * Seconds before a probe fails, at most `interval`. Default: 10 on aws; 5 on gcp and local. A smaller
     * `interval` lowers the default to it. Allowed: 2–120 on aws and local; 1–300 on gcp. A change applies in place
     * (changeHealthCheckerInfo).
     */
    timeout?: pulumi.Input<number>;
    /**
     * Consecutive probes that change a VM's state (healthy and unhealthy alike). Default: 3 on aws and local;
     * 2 on gcp. Allowed: 2–10 on aws and local; 1–10 on gcp. A change applies in place (changeHealthCheckerInfo).
     */
    threshold?: pulumi.Input<number>;
    /**
     * Consecutive failed probes that mark a VM unhealthy (then `threshold` counts the passing ones that mark it
     * healthy again). Default: `threshold`. Allowed: 2–10 on aws and local; 1–10 on gcp. A change applies in place
     * (changeHealthCheckerInfo).
     */
    unhealthyThreshold?: pulumi.Input<number>;
    /** HTTP/HTTPS only: the request path. Default: "/". A change applies in place (changeHealthCheckerInfo). */
    path?: pulumi.Input<string>;
}

export interface NlbArgs {
    /** Where the NLB lives. A change replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /**
     * Cloud name. Default: the Pulumi name plus a random suffix. Allowed: at most 32 characters on aws and local; at
     * most 57 characters on gcp. A change replaces the resource. Names are unique, so the old one is deleted first.
     */
    nlbName?: pulumi.Input<string>;
    /** VPC / network: local `vpc-local`, AWS `vpc-…`, GCP network name. A change replaces the resource. */
    vpc: pulumi.Input<string>;
    /**
     * "PUBLIC" is internet-facing. Default: "PUBLIC". Allowed: "PUBLIC" or "INTERNAL". A change replaces the
     * resource.
     */
    type?: pulumi.Input<"PUBLIC" | "INTERNAL">;
    /**
     * Default: "REGION". Allowed: "REGION". "GLOBAL" is refused at preview: no driver supports it yet. A change
     * replaces the resource.
     */
    scope?: pulumi.Input<"REGION" | "GLOBAL">;
    /**
     * AWS: subnets, one per AZ; GCP: at most one subnetwork, for an INTERNAL NLB only (refused for PUBLIC).
     * Default: the driver's choice (AWS: one subnet per AZ of the VPC). Omitting it, or declaring the subnets the
     * NLB already has (the `subnets` output), is no change. A change applies in place (changeSubnets) on aws and
     * local; replaces the resource on gcp. A move adds and removes zones and swaps a zone's subnet
     * remove-then-add; connections in a removed zone are closed.
     */
    subnets?: pulumi.Input<pulumi.Input<string>[]>;
    /** The listener (frontend). A change applies field by field, as each field says. */
    listener: pulumi.Input<ListenerArgs>;
    /** The VM group (backends). A change applies field by field, as each field says. */
    vmGroup: pulumi.Input<VmGroupArgs>;
    /**
     * The health checker. Default: TCP on the VM group port. A change applies field by field, as each field says.
     */
    healthChecker?: pulumi.Input<HealthCheckerArgs>;
    /**
     * Cross-zone load balancing: each zone's connections are spread over the VMs of every zone (AWS: load balancer
     * attribute `load_balancing.cross_zone.enabled`; GCP passthrough NLBs always do). Default: false on aws and
     * local; true on gcp. Allowed: true or false on aws and local; true on gcp. A change applies in place
     * (changeTrafficSettings).
     */
    crossZone?: pulumi.Input<boolean>;
    /**
     * Seconds a VM being removed keeps its open connections (AWS: target-group attribute
     * `deregistration_delay.timeout_seconds`; GCP: backend service `connectionDraining.drainingTimeoutSec`).
     * Default: 300 on aws and local; 0 on gcp. Allowed: 0–3600. A change applies in place (changeTrafficSettings).
     */
    connectionDraining?: pulumi.Input<number>;
    /**
     * "CLIENT_IP" sends every connection of a client to the same VM (AWS: target-group stickiness `source_ip`; GCP:
     * backend service `sessionAffinity`). Default: "NONE". Allowed: "NONE" or "CLIENT_IP". A change applies in
     * place (changeTrafficSettings).
     */
    sessionAffinity?: pulumi.Input<"NONE" | "CLIENT_IP">;
    /**
     * VMs see the client's address as the source (AWS: target-group attribute `preserve_client_ip.enabled`; GCP
     * passthrough NLBs always preserve it). Default: true. Allowed: true or false on aws and local; true on gcp. A
     * UDP VM group always preserves it on aws and local, so false is refused there. A change applies in place
     * (changeTrafficSettings).
     */
    preserveClientIp?: pulumi.Input<boolean>;
    /**
     * Prefix each connection with a PROXY protocol v2 header (AWS: target-group attribute
     * `proxy_protocol_v2.enabled`). Default: false. Allowed: true or false on aws and local; false on gcp. A change
     * applies in place (changeTrafficSettings).
     */
    proxyProtocol?: pulumi.Input<boolean>;
    /**
     * Security group ids for the NLB (AWS); at most 5. Refused on gcp, where firewall rules are separate. Default:
     * none. A change applies in place (changeSecurityGroups) on aws and local; replaces the resource on gcp. aws and
     * local: between non-empty sets; none ↔ some replaces.
     */
    securityGroups?: pulumi.Input<pulumi.Input<string>[]>;
    /** Tags/labels. Default: none. A change applies in place (changeTags). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Id of an existing NLB to bring under management instead of creating one (see README, "Adopting").
     * Default: none. A change is recorded in state only (no cloud call).
     */
    adopt?: pulumi.Input<string>;
    /** Wait limits in minutes. Default: the driver's. A change is recorded in state only (no cloud call). */
    timeouts?: pulumi.Input<TimeoutsArgs>;
}

/** Every output property of an Nlb (see `spiderInputs`). */
const NLB_OUTPUTS = [
    "nlbId",
    "nlbName",
    "vpc",
    "type",
    "scope",
    "tags",
    "listener",
    "vmGroup",
    "healthChecker",
    "crossZone",
    "connectionDraining",
    "sessionAffinity",
    "preserveClientIp",
    "proxyProtocol",
    "securityGroups",
    "subnets",
    "vms",
    "health",
    "createdTime",
    "keyValues",
];

/** A network load balancer: listener → VM group, with a health checker. */
export class Nlb extends SpiderResource {
    /** Cloud id (AWS ARN, local `nlb-…`, GCP backend-service id). */
    public readonly nlbId!: pulumi.Output<string>;
    public readonly nlbName!: pulumi.Output<string>;
    public readonly vpc!: pulumi.Output<string>;
    public readonly type!: pulumi.Output<string>;
    public readonly scope!: pulumi.Output<string>;
    /** Effective listener, with the frontend `ip` and `dnsName`. */
    public readonly listener!: pulumi.Output<{ protocol: string; port: number; ip: string; dnsName: string }>;
    /** Effective VM group; `vms` are the VMs this Nlb attached. */
    public readonly vmGroup!: pulumi.Output<{ protocol: string; port: number; vms: string[] }>;
    /** Effective health checker, defaults filled in. */
    public readonly healthChecker!: pulumi.Output<{
        protocol: string;
        port: number;
        interval: number;
        timeout: number;
        threshold: number;
        unhealthyThreshold: number;
        path: string;
    }>;
    public readonly crossZone!: pulumi.Output<boolean>;
    /** Seconds. */
    public readonly connectionDraining!: pulumi.Output<number>;
    public readonly sessionAffinity!: pulumi.Output<string>;
    public readonly preserveClientIp!: pulumi.Output<boolean>;
    public readonly proxyProtocol!: pulumi.Output<boolean>;
    public readonly securityGroups!: pulumi.Output<string[]>;
    /** Every VM attached, including those attached by NlbVmGroup resources. */
    public readonly vms!: pulumi.Output<string[]>;
    /** Health as of the last create/update/refresh. */
    public readonly health!: pulumi.Output<{ healthy: string[]; unhealthy: string[] }>;
    public readonly tags!: pulumi.Output<Record<string, string>>;
    /** The subnets the NLB is in (the driver's choice when none were declared). */
    public readonly subnets!: pulumi.Output<string[]>;
    /** ISO-8601. */
    public readonly createdTime!: pulumi.Output<string>;
    /** Cloud-specific ids (ARNs, self links). */
    public readonly keyValues!: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: NlbArgs, opts?: pulumi.CustomResourceOptions);
    /** Reads the existing NLB `opts.id` without managing it (see `Nlb.get`). */
    constructor(name: string, lookup: ResourceLookup, opts: LookupOptions);
    constructor(name: string, args: NlbArgs | ResourceLookup, opts?: pulumi.CustomResourceOptions) {
        super(nlbProvider, name, args, NLB_OUTPUTS, opts);
        // The id is known during a preview of an in-place update, an output is not (dynamic providers
        // cannot preview outputs): referencing it keeps dependents from previewing a false change.
        this.nlbId = this.id;
    }
}
