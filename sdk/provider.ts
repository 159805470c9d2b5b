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
        async configure(request) {
            this.c = require("pulumi-spider/dist/provider/resources").readConfig(request.config);
        },
        check(olds, news) {
            return require("pulumi-spider/dist/provider/resources").run(this, "check", olds, news);
        },
        diff(id, olds, news) {
            return require("pulumi-spider/dist/provider/resources").run(this, "diff", id, olds, news);
        },
        create(news) {
            return require("pulumi-spider/dist/provider/resources").run(this, "create", news);
        },
        read(id, props) {
            return require("pulumi-spider/dist/provider/resources").run(this, "read", id, props);
        },
        update(id, olds, news) {
            return require("pulumi-spider/dist/provider/resources").run(this, "update", id, olds, news);
        },
        delete(id, props) {
            return require("pulumi-spider/dist/provider/resources").run(this, "delete", id, props);
        },
    };
}
