import * as pulumi from "@pulumi/pulumi";
import { ownUrn } from "./urn";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import nlbProvider = require("./providers/nlb");

/** The frontend of the load balancer. Changes apply in place (ChangeListener). */
export interface ListenerArgs {
    /**
     * "TCP" or "UDP". Changes in place (ChangeListener; on GCP the forwarding rule is re-inserted:
     * see the README's field tables).
     */
    protocol: pulumi.Input<"TCP" | "UDP">;
    /** Port clients connect to, 1–65535. Changes in place. */
    port: pulumi.Input<number>;
}

/** The backends. Protocol/port change in place (ChangeVMGroupInfo); VMs by delta (AddVMs/RemoveVMs). */
export interface VmGroupArgs {
    /** "TCP" or "UDP"; must be compatible with the listener. Default: the listener's protocol. */
    protocol?: pulumi.Input<"TCP" | "UDP">;
    /** Backend port, 1–65535. Changes in place (AWS: target-group swap without downtime). */
    port: pulumi.Input<number>;
    /** VMs attached by this Nlb: local `vm-1`, AWS instance ids `i-…`, GCP `zone/name` or a bare name. Default: none. Only the delta is attached/detached on change. */
    vms?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The health probe. Every field changes in place (ChangeHealthCheckerInfo). */
export interface HealthCheckerArgs {
    /** "TCP", "HTTP" or "HTTPS". Default: "TCP". */
    protocol?: pulumi.Input<"TCP" | "HTTP" | "HTTPS">;
    /** Port probed, 1–65535. Default: the VM group port. */
    port?: pulumi.Input<number>;
    /** Seconds between probes. Default: local 10, AWS 30, GCP 5. Allowed: AWS/local 5–300, GCP 1–300. */
    interval?: pulumi.Input<number>;
    /** Seconds before a probe fails. Default: local 5, AWS 10, GCP 5 (never above `interval`). Allowed: AWS/local 2–120, GCP 1–300. */
    timeout?: pulumi.Input<number>;
    /** Consecutive probes to change a VM's state (healthy and unhealthy alike). Default: local 3, AWS 3, GCP 2. Allowed: AWS/local 2–10, GCP 1–10. */
    threshold?: pulumi.Input<number>;
    /** HTTP/HTTPS only: request path. Default "/". */
    path?: pulumi.Input<string>;
}

export interface NlbArgs {
    /** Where the NLB lives. Changing this replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /** Cloud name. Default: the Pulumi name plus a random suffix (≤ 32 chars, AWS's limit). Changing this replaces the resource (delete first, as names are unique). */
    nlbName?: pulumi.Input<string>;
    /** VPC / network: local `vpc-local`, AWS `vpc-…`, GCP network name. Changing this replaces the resource. */
    vpc: pulumi.Input<string>;
    /** "PUBLIC" (internet-facing) or "INTERNAL". Default "PUBLIC". Changing this replaces the resource. */
    type?: pulumi.Input<"PUBLIC" | "INTERNAL">;
    /** "REGION" or "GLOBAL" (no driver supports GLOBAL yet; refused at preview). Default "REGION". Changing this replaces the resource. */
    scope?: pulumi.Input<"REGION" | "GLOBAL">;
    /**
     * AWS: subnets, one per AZ (default: one subnet per AZ of the VPC); GCP: at most one
     * subnetwork, for an INTERNAL NLB only (refused for PUBLIC). Omitting it, or declaring the
     * subnets the NLB already has (the `subnets` output), is no change. Other subnets: AWS and local
     * change them in place (SetSubnets: zones added, removed, a zone's subnet swapped remove-then-add;
     * connections in a removed zone are closed); GCP replaces the NLB.
     */
    subnets?: pulumi.Input<pulumi.Input<string>[]>;
    /** The listener (frontend). */
    listener: pulumi.Input<ListenerArgs>;
    /** The VM group (backends). */
    vmGroup: pulumi.Input<VmGroupArgs>;
    /** The health checker. Default: TCP on the VM group port. */
    healthChecker?: pulumi.Input<HealthCheckerArgs>;
    /** Tags/labels. Default none. Changes in place. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Id of an existing NLB to bring under management instead of creating one (see README, "Adopting"). */
    adopt?: pulumi.Input<string>;
    /** Wait limits in minutes. */
    timeouts?: pulumi.Input<TimeoutsArgs>;
}

/** A network load balancer: listener → VM group, with a health checker. */
export class Nlb extends pulumi.dynamic.Resource {
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
        path: string;
    }>;
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

    constructor(name: string, args: NlbArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            nlbProvider,
            name,
            {
                ...args,
                pulumiName: name,
                pulumiUrn: ownUrn(name, "Nlb", opts),
                nlbId: undefined,
                nlbName: args?.nlbName,
                vpc: args?.vpc,
                type: args?.type,
                scope: args?.scope,
                tags: args?.tags,
                listener: args?.listener,
                vmGroup: args?.vmGroup,
                healthChecker: args?.healthChecker,
                subnets: args?.subnets,
                vms: undefined,
                health: undefined,
                createdTime: undefined,
                keyValues: undefined,
            },
            opts,
            "spider",
            "Nlb",
        );
        // The id is known during a preview of an in-place update, an output is not (dynamic providers
        // cannot preview outputs): referencing it keeps dependents from previewing a false change.
        (this as { nlbId: pulumi.Output<string> }).nlbId = this.id;
    }

    /** Reads an existing NLB by id without managing it. */
    static get(
        name: string,
        id: pulumi.Input<string>,
        state: { connection: pulumi.Input<ConnectionArgs> },
        opts?: pulumi.CustomResourceOptions,
    ): Nlb {
        return new Nlb(name, state as unknown as NlbArgs, { ...opts, id });
    }
}
