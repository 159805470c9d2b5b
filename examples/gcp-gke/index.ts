// A GKE cluster (regional by default: control plane and nodes over three of the region's zones)
// with one node pool declared inline ("default"), plus a standalone node pool ("workers") managed
// as its own resource. Everything project-specific comes from stack config (see README.md):
//
//   endpoint            API endpoint override, e.g. the fake's http://127.0.0.1:PORT   default: real GCP
//   project             GCP project id                             default: gcp:project, then GOOGLE_CLOUD_PROJECT
//   region              GCP region                                 default: us-central1
//   zone                a zone of the region: makes the cluster zonal (one zone)      default: none (regional)
//   network             VPC network name                           default: default
//   subnetwork          the one subnetwork of the nodes, in region default: default
//   version             Kubernetes "MAJOR.MINOR" (1.33, 1.34, 1.35); raise one minor  default: 1.34
//                       step to upgrade in place (control plane, then every node pool)
//   machineType         machine type of both node pools; changes in place            default: e2-medium
//                       (GKE recreates the nodes, the pools keep their names)
//   desiredSize         nodes in "default" (all zones together); in place            default: 3
//   minSize / maxSize   autoscaling bounds of "default" (totals); in place           default: 3 / max(6, desiredSize)
//   workerDesiredSize   nodes in "workers" (autoscaling off); in place               default: 3
//
// On a regional cluster GKE sizes node pools per zone, so node counts must be multiples of 3 (one
// node per zone is 3); a zonal cluster takes any count. Preview refuses other counts.
//
// Credentials: Application Default Credentials, or secret stack config `spider:gcpCredentialsJson`
// (a service-account key); never from state. A plain-http endpoint (an emulator) gets none.
import * as pulumi from "@pulumi/pulumi";
import * as spider from "pulumi-spider";

const config = new pulumi.Config();

const project = config.get("project") ?? new pulumi.Config("gcp").get("project") ?? process.env.GOOGLE_CLOUD_PROJECT;
if (!project) {
    throw new Error("no GCP project: `pulumi config set project <id>` (or set gcp:project or GOOGLE_CLOUD_PROJECT)");
}

const connection: spider.ConnectionArgs = {
    driver: "gcp",
    project,
    region: config.get("region") ?? "us-central1",
    zone: config.get("zone"),
    endpoint: config.get("endpoint"),
};

const machineType = config.get("machineType") ?? "e2-medium";
const desiredSize = config.getNumber("desiredSize") ?? 3;

const cluster = new spider.Cluster("k8s", {
    connection,
    version: config.get("version") ?? "1.34",
    network: { vpc: config.get("network") ?? "default", subnets: [config.get("subnetwork") ?? "default"] },
    nodeGroups: [
        {
            name: "default",
            vmSpec: machineType,
            desiredNodeSize: desiredSize,
            minNodeSize: config.getNumber("minSize") ?? 3,
            maxNodeSize: config.getNumber("maxSize") ?? Math.max(6, desiredSize),
            onAutoScaling: true,
        },
    ],
    tags: { example: "gcp-gke" },
});

const workers = new spider.NodeGroup("workers", {
    connection,
    cluster: cluster.clusterId,
    vmSpec: machineType,
    desiredNodeSize: config.getNumber("workerDesiredSize") ?? 3,
    minNodeSize: 0,
    maxNodeSize: 6,
    // A fixed size: GKE's autoscaler stays off and an out-of-band resize shows as drift.
    onAutoScaling: false,
    labels: { role: "workers" },
});

export const clusterId = cluster.clusterId;
export const clusterName = cluster.clusterName;
export const clusterVersion = cluster.version;
export const clusterStatus = cluster.status;
export const endpoint = cluster.endpoint;
// A secret; authenticates with gke-gcloud-auth-plugin (see README.md).
export const kubeconfig = cluster.kubeconfig;
export const location = cluster.keyValues.apply(kv => kv?.location);
// During the first preview node groups are known only as declared, without ids, status or nodes.
export const nodeGroups = cluster.nodeGroups.apply(gs =>
    (gs ?? []).map(g => ({
        name: g.name,
        nodeGroupName: g.nodeGroupName,
        status: g.status,
        version: g.version,
        vmSpec: g.vmSpec,
        desiredNodeSize: g.desiredNodeSize,
        nodes: g.nodes?.length ?? 0,
    })),
);
export const workersNodeGroup = {
    id: workers.nodeGroupId,
    name: workers.nodeGroupName,
    status: workers.status,
    version: workers.version,
    desiredNodeSize: workers.desiredNodeSize,
    nodes: workers.nodes.apply(n => n?.length ?? 0),
};
