// An NLB and a Kubernetes cluster on the embedded local cloud, or on moto: the program the crash
// test kills `pulumi up` of. spec.json (written by the test):
//   { localStateDir } for the local cloud, or { aws: { endpoint, region, vpc, subnets, vms } };
//   optional nlbNames { <stack>: name } (default: auto-named) and nlbOnly (no cluster).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const aws = spec.aws;
const conn: spider.ConnectionArgs = aws
    ? { driver: "aws", region: aws.region, endpoint: aws.endpoint }
    : { driver: "local", localStateDir: spec.localStateDir };

const web = new spider.Nlb("web", {
    connection: conn,
    nlbName: spec.nlbNames?.[pulumi.getStack()],
    vpc: aws ? aws.vpc : "vpc-local",
    listener: { protocol: "TCP", port: 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: aws ? aws.vms : ["vm-1", "vm-2"] },
});
export const nlbId = web.nlbId;
export const nlbName = web.nlbName;

const k8s = spec.nlbOnly
    ? undefined
    : new spider.Cluster("k8s", {
          connection: conn,
          version: "1.30",
          network: { vpc: aws ? aws.vpc : "vpc-local", subnets: aws ? aws.subnets : ["subnet-a", "subnet-b"] },
          nodeGroups: [
              {
                  name: "default",
                  vmSpec: aws ? "t3.medium" : "small",
                  desiredNodeSize: 2,
                  minNodeSize: 1,
                  maxNodeSize: 3,
              },
          ],
      });
export const clusterId = k8s?.clusterId;
export const clusterName = k8s?.clusterName;
export const clusterStatus = k8s?.status;
