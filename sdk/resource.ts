import * as pulumi from "@pulumi/pulumi";
import type { ConnectionArgs } from "./connection";
import type { ResourceKind, SpiderProvider } from "./provider";
import { ownUrn } from "./urn";

/** What `get` needs to read an existing resource besides its id. */
export interface ResourceLookup {
    connection: pulumi.Input<ConnectionArgs>;
}

/** Options of a read by id (`Nlb.get` and the like): `id` names the existing resource. */
export type LookupOptions = pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> };

/**
 * The inputs of a spider resource: its arguments, its Pulumi name and URN, and every output
 * property, absent ones as undefined, so Pulumi registers each of them as an output.
 */
export function spiderInputs(
    name: string,
    kind: ResourceKind,
    opts: pulumi.CustomResourceOptions | undefined,
    args: object,
    outputs: readonly string[],
): pulumi.Inputs {
    const given = new Map<string, unknown>(Object.entries(args ?? {}));
    return {
        ...args,
        pulumiName: name,
        pulumiUrn: ownUrn(name, kind, opts),
        ...Object.fromEntries(outputs.map(key => [key, given.get(key)])),
    };
}

/**
 * A spider resource: its inputs built by `spiderInputs`, and `get`, which reads an existing one by
 * id through the subclass's lookup constructor (`new Nlb(name, { connection }, { id })`).
 */
export abstract class SpiderResource extends pulumi.dynamic.Resource {
    protected constructor(
        provider: SpiderProvider,
        name: string,
        args: object,
        outputs: readonly string[],
        opts: pulumi.CustomResourceOptions | undefined,
    ) {
        super(provider, name, spiderInputs(name, provider.k, opts, args, outputs), opts, "spider", provider.k);
    }

    /** Reads an existing resource by id without managing it. */
    static get<Lookup, Instance>(
        this: new (name: string, lookup: Lookup, opts: LookupOptions) => Instance,
        name: string,
        id: pulumi.Input<pulumi.ID>,
        state: Lookup,
        opts?: pulumi.CustomResourceOptions,
    ): Instance {
        return new this(name, state, { ...opts, id });
    }
}
