/**
 * The dynamic providers Pulumi serializes into state as `__provider`. They stay tiny (one
 * captured string) and load the implementation by package name inside the provider host, so no
 * SDK client, credential or config object is ever captured. Stack config (credentials for users
 * who keep them there) arrives through `configure` and lives only in the host's memory.
 */
import * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup";

interface Impl {
    check(olds: unknown, news: unknown, config: Record<string, string>): Promise<pulumi.dynamic.CheckResult>;
    diff(id: string, olds: unknown, news: unknown, config: Record<string, string>): Promise<pulumi.dynamic.DiffResult>;
    create(inputs: unknown, config: Record<string, string>): Promise<pulumi.dynamic.CreateResult>;
    read(id: string, props: unknown, config: Record<string, string>): Promise<pulumi.dynamic.ReadResult>;
    update(id: string, olds: unknown, news: unknown, config: Record<string, string>): Promise<pulumi.dynamic.UpdateResult>;
    delete(id: string, props: unknown, config: Record<string, string>): Promise<void>;
}

interface SpiderProvider extends pulumi.dynamic.ResourceProvider {
    spiderConfig?: Record<string, string>;
}

/** Builds the provider for one resource kind; the returned object captures only `kind`. */
export function makeProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
    const provider: SpiderProvider = {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            this.spiderConfig = require("pulumi-spider/dist/provider/resources").readConfig(req.config);
        },
        async check(olds: unknown, news: unknown) {
            const impl: Impl = require("pulumi-spider/dist/provider/resources").impls[kind];
            return impl.check(olds, news, this.spiderConfig ?? {});
        },
        async diff(id: string, olds: unknown, news: unknown) {
            const impl: Impl = require("pulumi-spider/dist/provider/resources").impls[kind];
            return impl.diff(id, olds, news, this.spiderConfig ?? {});
        },
        async create(inputs: unknown) {
            const impl: Impl = require("pulumi-spider/dist/provider/resources").impls[kind];
            return impl.create(inputs, this.spiderConfig ?? {});
        },
        async read(id: string, props: unknown) {
            const impl: Impl = require("pulumi-spider/dist/provider/resources").impls[kind];
            return impl.read(id, props, this.spiderConfig ?? {});
        },
        async update(id: string, olds: unknown, news: unknown) {
            const impl: Impl = require("pulumi-spider/dist/provider/resources").impls[kind];
            return impl.update(id, olds, news, this.spiderConfig ?? {});
        },
        async delete(id: string, props: unknown) {
            const impl: Impl = require("pulumi-spider/dist/provider/resources").impls[kind];
            return impl.delete(id, props, this.spiderConfig ?? {});
        },
    };
    return provider;
}

export const nlbProvider = makeProvider("Nlb");
export const nlbVmGroupProvider = makeProvider("NlbVmGroup");
export const clusterProvider = makeProvider("Cluster");
export const nodeGroupProvider = makeProvider("NodeGroup");
