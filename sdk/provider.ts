/**
 * The dynamic providers Pulumi stores in state as `__provider`. Each kind's provider is the
 * whole export of a module under ./providers, so when the package is installed in node_modules
 * Pulumi records it as a `require` of that module (about 100 bytes) instead of code. Where the
 * package is not under node_modules (e.g. `npm link`), the object is serialized by value; its
 * methods then forward to the implementation loaded by package name, and carry only the kind,
 * so no SDK client, credential or config is ever captured. Stack config (credentials for users
 * who keep them there) arrives through `configure` and lives only in the host's memory.
 */
import * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup";

/** `k`: the resource kind; `c`: stack config received by `configure` (memory only). */
export interface SpiderProvider extends pulumi.dynamic.ResourceProvider {
    k: ResourceKind;
    c?: Record<string, string>;
}

// Method bodies are kept short on purpose: their source text is what gets stored in state.
export function makeProvider(kind: ResourceKind): SpiderProvider {
    return {
        k: kind,
        async configure(r) {
            this.c = require("pulumi-spider/dist/provider/resources").readConfig(r.config);
        },
        check(o, n) {
            return require("pulumi-spider/dist/provider/resources").run(this, "check", o, n);
        },
        diff(i, o, n) {
            return require("pulumi-spider/dist/provider/resources").run(this, "diff", i, o, n);
        },
        create(n) {
            return require("pulumi-spider/dist/provider/resources").run(this, "create", n);
        },
        read(i, p) {
            return require("pulumi-spider/dist/provider/resources").run(this, "read", i, p);
        },
        update(i, o, n) {
            return require("pulumi-spider/dist/provider/resources").run(this, "update", i, o, n);
        },
        delete(i, p) {
            return require("pulumi-spider/dist/provider/resources").run(this, "delete", i, p);
        },
    };
}
