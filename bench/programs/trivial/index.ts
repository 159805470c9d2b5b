// `count` trivial dynamic resources with the same inputs as bench/programs/nlbs: the baseline of
// what any dynamic resource costs (check passes inputs through, diff reports no change, create
// makes up an id). spec.json: { count, localStateDir }.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));

const provider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: any, news: any) {
        return { inputs: news };
    },
    async diff() {
        return { changes: false };
    },
    async create(inputs: any) {
        return { id: `t-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, outs: inputs };
    },
    async delete() {
        /* nothing to delete */
    },
};

class Trivial extends pulumi.dynamic.Resource {
    constructor(name: string, args: Record<string, unknown>) {
        super(provider, name, args, {}, "bench", "Trivial");
    }
}

const conn = { driver: "local", localStateDir: spec.localStateDir };
for (let i = 0; i < spec.count; i++) {
    new Trivial(`web-${i}`, {
        connection: conn,
        vpc: "vpc-local",
        listener: { protocol: "TCP", port: 80 },
        vmGroup: { protocol: "TCP", port: 8080, vms: [`vm-${1 + (i % 8)}`] },
        healthChecker: { protocol: "TCP", interval: 10, threshold: 3 },
        tags: { app: "bench" },
    });
}
