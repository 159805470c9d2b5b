import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "./provider";

/**
 * The URN Pulumi will give this resource, passed to the provider as the input `pulumiUrn`:
 * dynamic providers are not told the URN of what they create, and drivers record it on the cloud
 * objects so crash recovery adopts only what this very resource made. Computed as
 * `pulumi.createUrn` does, but from the parent's URN value only: an input carrying the parent as
 * a dependency would make a resource inside a component wait on that component's children —
 * itself included.
 */
export function ownUrn(
    name: string,
    kind: ResourceKind,
    opts: pulumi.CustomResourceOptions | undefined,
): pulumi.Output<string> {
    const type = `pulumi-nodejs:dynamic/spider:${kind}`;
    const root = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::`;
    const parent = opts?.parent;
    const prefix =
        parent === undefined
            ? Promise.resolve(root)
            : new Promise<string>(resolve => {
                  parent.urn.apply(parentUrn => {
                      const parentPrefix = parentUrn.substring(0, parentUrn.lastIndexOf("::")) + "$";
                      resolve(parentPrefix.endsWith("::pulumi:pulumi:Stack$") ? root : parentPrefix);
                  });
              });
    return pulumi.output(prefix.then(p => `${p}${type}::${name}`));
}
