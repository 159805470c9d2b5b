// An NLB and a Kubernetes cluster on the embedded local cloud: the program the crash test kills
// `pulumi up` of. spec.json (written by the test): { localStateDir }.
import * as fs from "fs";
import * as path from "path";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const conn: spider.ConnectionArgs = { driver: "local", localStateDir: spec.localStateDir };

const web = new spider.Nlb("web", {
    connection: conn,
    vpc: "vpc-local",
    listener: { protocol: "TCP", port: 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-2"] },
});
const k8s = new spider.Cluster("k8s", {
    connection: conn,
    version: "1.30",
    network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
    nodeGroups: [{ name: "default", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 3 }],
});

export const nlbId = web.nlbId;
export const nlbName = web.nlbName;
export const clusterId = k8s.clusterId;
export const clusterName = k8s.clusterName;
export const clusterStatus = k8s.status;
