// A network load balancer and a Kubernetes cluster on the embedded local cloud.
// Try: `pulumi config set listenerPort 8080` then `pulumi preview --diff`: an in-place update.
import * as pulumi from "@pulumi/pulumi";
import * as spider from "pulumi-spider";

const config = new pulumi.Config();
const conn: spider.ConnectionArgs = { driver: "local", localStateDir: config.get("localStateDir") };

const lb = new spider.Nlb("web", {
    connection: conn,
    vpc: "vpc-local",
    listener: { protocol: "TCP", port: config.getNumber("listenerPort") ?? 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1", "vm-2"] },
    healthChecker: { protocol: "TCP", interval: 10, threshold: 3 },
    tags: { app: "web" },
});

const extra = new spider.NlbVmGroup("extra", { connection: conn, nlb: lb.nlbId, vms: ["vm-3"] });

const k8s = new spider.Cluster("k8s", {
    connection: conn,
    version: config.get("k8sVersion") ?? "1.30",
    network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
    nodeGroups: [
        {
            name: "default",
            vmSpec: "small",
            desiredNodeSize: config.getNumber("defaultNodes") ?? 2,
            minNodeSize: 1,
            maxNodeSize: 3,
        },
    ],
});

const gpu = new spider.NodeGroup("gpu", {
    connection: conn,
    cluster: k8s.clusterId,
    vmSpec: "large",
    desiredNodeSize: 1,
    minNodeSize: 0,
    maxNodeSize: 4,
});

export const nlbId = lb.nlbId;
export const nlbName = lb.nlbName;
export const listener = lb.listener;
export const vms = lb.vms;
export const health = lb.health;
export const extraVms = extra.vms;
export const clusterId = k8s.clusterId;
export const clusterVersion = k8s.version;
export const clusterStatus = k8s.status;
export const endpoint = k8s.endpoint;
export const kubeconfig = k8s.kubeconfig;
// During the first preview node groups are known only as declared, without status or nodes.
export const nodeGroups = k8s.nodeGroups.apply(gs =>
    (gs ?? []).map(g => ({ name: g.name, status: g.status, nodes: g.nodes?.length ?? 0 })),
);
export const gpuNodeGroup = { id: gpu.nodeGroupId, status: gpu.status, nodes: gpu.nodes };
