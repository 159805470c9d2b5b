// An AWS network load balancer (ELBv2, type "network") in front of EC2 instances, plus a second
// group of instances attached by an NlbVmGroup managed on its own. Everything account-specific
// comes from stack config (see README.md):
//
//   endpoint      API endpoint override, e.g. moto's http://127.0.0.1:5000   default: real AWS
//   region        AWS region                                                  default: us-east-1
//   vpc           VPC id (vpc-…)                                              required
//   subnets       subnet ids, one per AZ (JSON list or comma-separated)       default: one subnet per AZ of the VPC
//   vms           instance ids attached by the Nlb (JSON list or a,b,c)       default: none
//   extraVms      instance ids attached by the NlbVmGroup "extra"             default: none (no NlbVmGroup)
//   listenerPort  port clients connect to; changes in place                   default: 80
//   backendPort   port on the instances; changes in place                     default: 80
//   type          PUBLIC (internet-facing) or INTERNAL; changing it replaces   default: PUBLIC
//
// Credentials come from the AWS default chain (environment, profile, SSO, instance role) or from
// secret stack config `spider:awsAccessKeyId` / `spider:awsSecretAccessKey`; never from state.
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

const lb = new spider.Nlb("web", {
    connection,
    vpc: config.require("vpc"),
    subnets: list("subnets"),
    type: (config.get("type", { allowedValues: ["PUBLIC", "INTERNAL"] }) ?? "PUBLIC") as "PUBLIC" | "INTERNAL",
    listener: { protocol: "TCP", port: config.getNumber("listenerPort") ?? 80 },
    vmGroup: { protocol: "TCP", port: config.getNumber("backendPort") ?? 80, vms: list("vms") ?? [] },
    healthChecker: { protocol: "TCP", interval: 10, timeout: 5, threshold: 3 },
    tags: { app: "web", example: "aws-nlb" },
});

const extraVms = list("extraVms");
const extra = extraVms ? new spider.NlbVmGroup("extra", { connection, nlb: lb.nlbId, vms: extraVms }) : undefined;

export const nlbId = lb.nlbId;
export const nlbName = lb.nlbName;
export const type = lb.type;
export const listener = lb.listener;
export const dnsName = lb.listener.dnsName;
export const vmGroup = lb.vmGroup;
export const vms = lb.vms;
export const health = lb.health;
export const extraGroupVms = extra ? extra.vms : [];
