// A GCP regional passthrough network load balancer (health check, per-zone instance groups, a
// backend service, a reserved address and a forwarding rule) in front of Compute Engine VMs.
// Everything project-specific comes from stack config (see README.md):
//
//   endpoint      Compute API endpoint override, e.g. the fake's http://127.0.0.1:PORT   default: real GCP
//   project       GCP project id                                 default: gcp:project, then GOOGLE_CLOUD_PROJECT
//   region        GCP region                                      default: us-central1
//   network       VPC network name                                default: default
//   vms           VMs as `zone/name` or bare names looked up in the region's zones
//                 (JSON list or a,b,c)                            default: none
//   listenerPort  forwarding-rule port; changes in place, the IP address stays         default: 80
//   backendPort   port on the VMs (health-checked); changes in place                   default: 80
//   type          PUBLIC (EXTERNAL scheme) or INTERNAL; changing it replaces            default: PUBLIC
//
// Credentials: Application Default Credentials, or secret stack config `spider:gcpCredentialsJson`
// (a service-account key); never from state. A plain-http endpoint (an emulator) gets none.
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

const project = config.get("project") ?? new pulumi.Config("gcp").get("project") ?? process.env.GOOGLE_CLOUD_PROJECT;
if (!project) {
    throw new Error("no GCP project: `pulumi config set project <id>` (or set gcp:project or GOOGLE_CLOUD_PROJECT)");
}

const connection: spider.ConnectionArgs = {
    driver: "gcp",
    project,
    region: config.get("region") ?? "us-central1",
    endpoint: config.get("endpoint"),
};

const lb = new spider.Nlb("web", {
    connection,
    vpc: config.get("network") ?? "default",
    type: (config.get("type", { allowedValues: ["PUBLIC", "INTERNAL"] }) ?? "PUBLIC") as "PUBLIC" | "INTERNAL",
    listener: { protocol: "TCP", port: config.getNumber("listenerPort") ?? 80 },
    vmGroup: { protocol: "TCP", port: config.getNumber("backendPort") ?? 80, vms: list("vms") ?? [] },
    healthChecker: { protocol: "TCP", interval: 5, timeout: 5, threshold: 2 },
    tags: { app: "web", example: "gcp-nlb" },
});
// GCE lets a VM belong to only one load-balanced instance group, so the provider replaces a GCP
// NLB that has VMs (e.g. `type` PUBLIC→INTERNAL) by deleting the old one first: replacements have
// a short outage; in-place changes have none.

export const nlbId = lb.nlbId;
export const nlbName = lb.nlbName;
export const type = lb.type;
export const listener = lb.listener;
export const ip = lb.listener.ip;
export const vmGroup = lb.vmGroup;
export const vms = lb.vms;
export const health = lb.health;
export const keyValues = lb.keyValues;
