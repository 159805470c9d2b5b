// `nlbs` NLBs, one NlbVmGroup and one cluster with a node group on a local cloud shared by
// several stacks at once. spec.json (written by the test): { localStateDir, nlbs }.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const conn: spider.ConnectionArgs = { driver: "local", localStateDir: spec.localStateDir };
const stack = pulumi.getStack();

const ids: pulumi.Output<string>[] = [];
for (let i = 0; i < spec.nlbs; i++) {
    const lb = new spider.Nlb(`web-${i}`, {
        connection: conn,
        vpc: "vpc-local",
        listener: { protocol: "TCP", port: 80 + i },
        vmGroup: { protocol: "TCP", port: 8080, vms: [`vm-${1 + (i % 4)}`] },
        tags: { stack },
    });
    ids.push(lb.nlbId);
    if (i === 0) new spider.NlbVmGroup("extra", { connection: conn, nlb: lb.nlbId, vms: ["vm-8"] });
}
const k8s = new spider.Cluster("k8s", {
    connection: conn,
    version: "1.29",
    network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
    nodeGroups: [{ name: "default", vmSpec: "small", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 2 }],
    tags: { stack },
});

export const nlbIds = pulumi.all(ids);
export const clusterId = k8s.clusterId;
