// A regional GKE cluster with one inline node pool plus a standalone node pool, talking to the GCP
// fake (container v1 and Compute's instance group managers) through the fault proxy.
// spec.json (written by the test): { endpoint, project, region, version?, machineType?, desired?, workerDesired? };
// the test changes the last four for a second, in-place `up` (upgrade, machine type, scaling).
import * as fs from "fs";
import * as path from "path";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const conn: spider.ConnectionArgs = {
    driver: "gcp",
    project: spec.project,
    region: spec.region,
    endpoint: spec.endpoint,
};

const k8s = new spider.Cluster("k8s", {
    connection: conn,
    version: spec.version ?? "1.34",
    network: { vpc: "default", subnets: ["default"] },
    nodeGroups: [
        {
            name: "default",
            vmSpec: spec.machineType ?? "e2-medium",
            desiredNodeSize: spec.desired ?? 3,
            minNodeSize: 3,
            maxNodeSize: 6,
            onAutoScaling: true,
        },
    ],
    tags: { suite: "faults" },
});
const workers = new spider.NodeGroup("workers", {
    connection: conn,
    cluster: k8s.clusterId,
    vmSpec: spec.machineType ?? "e2-medium",
    desiredNodeSize: spec.workerDesired ?? 3,
    minNodeSize: 0,
    maxNodeSize: 6,
    onAutoScaling: false,
});

export const clusterName = k8s.clusterName;
export const pools = k8s.nodeGroups.apply(gs => (gs ?? []).map(g => g.nodeGroupName));
export const workersName = workers.nodeGroupName;
