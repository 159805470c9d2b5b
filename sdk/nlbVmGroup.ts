import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, TimeoutsArgs } from "./connection";
import nlbVmGroupProvider = require("./providers/nlbVmGroup");

export interface NlbVmGroupArgs {
    /** Must match the Nlb's connection. A change replaces the resource. */
    connection: pulumi.Input<ConnectionArgs>;
    /** The Nlb's id (`nlb.nlbId`). A change replaces the resource. */
    nlb: pulumi.Input<string>;
    /**
     * VMs this group attaches (at least one); VMs attached by others are never touched. A change applies in place
     * (addVms/removeVms: the difference only).
     */
    vms: pulumi.Input<pulumi.Input<string>[]>;
    /** Wait limits in minutes. Default: the driver's. A change is recorded in state only (no cloud call). */
    timeouts?: pulumi.Input<TimeoutsArgs>;
}

/** Extra VMs attached to an existing Nlb, managed separately from it. */
export class NlbVmGroup extends pulumi.dynamic.Resource {
    public readonly nlb!: pulumi.Output<string>;
    /** The VMs this group attached that are attached now. */
    public readonly vms!: pulumi.Output<string[]>;
    /** Health of this group's VMs as of the last create/update/refresh. */
    public readonly health!: pulumi.Output<{ healthy: string[]; unhealthy: string[] }>;

    constructor(name: string, args: NlbVmGroupArgs, opts?: pulumi.CustomResourceOptions) {
        super(nlbVmGroupProvider, name, { ...args, health: undefined }, opts, "spider", "NlbVmGroup");
    }

    static get(
        name: string,
        id: pulumi.Input<string>,
        state: {
            connection: pulumi.Input<ConnectionArgs>;
            nlb: pulumi.Input<string>;
            vms: pulumi.Input<pulumi.Input<string>[]>;
        },
        opts?: pulumi.CustomResourceOptions,
    ): NlbVmGroup {
        return new NlbVmGroup(name, state, { ...opts, id });
    }
}
