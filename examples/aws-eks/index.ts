// An EKS cluster with a default managed node group declared inline, plus a standalone node group
// ("workers") managed as its own resource. Everything account-specific comes from stack config
// (see README.md):
//
//   endpoint            API endpoint override, e.g. moto's http://127.0.0.1:5000    default: real AWS
//   region              AWS region                                                   default: us-east-1
//   vpc                 VPC id (vpc-…)                                               required
//   subnets             subnet ids in at least two AZs (JSON list or a,b)           required
//   version             Kubernetes "MAJOR.MINOR"; raise one minor step to upgrade   default: 1.30
//                       in place (control plane, then every node group)
//   desiredSize         nodes in the default node group; changes in place           default: 2
//   minSize / maxSize   bounds of the default node group; change in place           default: 1 / max(3, desiredSize)
//   instanceType        instance type of both node groups; changing it recreates    default: t3.medium
//                       the default group (new one first) and replaces "workers"
//   workerDesiredSize   nodes in the standalone "workers" group; changes in place   default: 1
//
// IAM roles: EKS needs a cluster role and a node role. They are not arguments of the resources
// but provider config read by pulumi-spider itself:
//
//   pulumi config set spider:awsClusterRoleArn arn:aws:iam::123456789012:role/my-eks-cluster-role
//   pulumi config set spider:awsNodeRoleArn    arn:aws:iam::123456789012:role/my-eks-node-role
//
// When they are not given, the driver creates `spider-eks-cluster-role` and `spider-eks-node-role`
// once per account (with the AWS managed EKS policies attached) and reuses them afterwards; they are
// not deleted by `pulumi destroy`.
//
// Credentials come from the AWS default chain or from secret stack config `spider:awsAccessKeyId` /
// `spider:awsSecretAccessKey`; never from state.
import * as pulumi from "@pulumi/pulumi";
import * as spider from "pulumi-spider";

const config = new pulumi.Config();

/** A list from config: a JSON array (`["a","b"]`) or a comma-separated string (`a,b`). */
function list(key: string): string[] | undefined {
    const raw = config.get(key);
    if (raw === undefined || raw.trim() === "") return undefined;
    if (raw.trim().startsWith("[")) return config.requireObject<string[]>(key);
    return raw
        .split(",")
        .map(s => s.trim())
        .filter(s => s !== "");
}

const connection: spider.ConnectionArgs = {
    driver: "aws",
    region: config.get("region") ?? "us-east-1",
    endpoint: config.get("endpoint"),
};

const subnets = list("subnets");
if (!subnets || subnets.length < 2) {
    throw new Error(
        "config `subnets` is required: at least two subnet ids in different AZs, e.g. `pulumi config set subnets subnet-aaa,subnet-bbb`",
    );
}

const instanceType = config.get("instanceType") ?? "t3.medium";
const desiredSize = config.getNumber("desiredSize") ?? 2;

const cluster = new spider.Cluster("k8s", {
    connection,
    version: config.get("version") ?? "1.30",
    network: { vpc: config.require("vpc"), subnets },
    nodeGroups: [
        {
            name: "default",
            vmSpec: instanceType,
            desiredNodeSize: desiredSize,
            minNodeSize: config.getNumber("minSize") ?? 1,
            maxNodeSize: config.getNumber("maxSize") ?? Math.max(3, desiredSize),
        },
    ],
    tags: { example: "aws-eks" },
});

const workers = new spider.NodeGroup("workers", {
    connection,
    cluster: cluster.clusterId,
    vmSpec: instanceType,
    desiredNodeSize: config.getNumber("workerDesiredSize") ?? 1,
    minNodeSize: 0,
    maxNodeSize: 4,
});

export const clusterId = cluster.clusterId;
export const clusterName = cluster.clusterName;
export const clusterVersion = cluster.version;
export const clusterStatus = cluster.status;
export const endpoint = cluster.endpoint;
export const kubeconfig = cluster.kubeconfig;
// During the first preview node groups are known only as declared, without ids, status or nodes.
export const nodeGroups = cluster.nodeGroups.apply(gs =>
    (gs ?? []).map(g => ({
        name: g.name,
        nodeGroupName: g.nodeGroupName,
        status: g.status,
        version: g.version,
        desiredNodeSize: g.desiredNodeSize,
        nodes: g.nodes?.length ?? 0,
    })),
);
export const workersNodeGroup = {
    id: workers.nodeGroupId,
    name: workers.nodeGroupName,
    status: workers.status,
    desiredNodeSize: workers.desiredNodeSize,
    nodes: workers.nodes.apply(n => n?.length ?? 0),
};
