// A GCP passthrough network load balancer (backend service, health check, instance groups in two
// zones, reserved address, forwarding rule) plus extra VMs, talking to the GCP fake through the
// fault proxy. spec.json (written by the test): { endpoint, project, region, vms: ["zone/name", ...] }.
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

const web = new spider.Nlb("web", {
    connection: conn,
    vpc: "default",
    listener: { protocol: "TCP", port: 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: spec.vms.slice(0, 2) },
    healthChecker: { protocol: "TCP", interval: 10, timeout: 5, threshold: 3 },
    tags: { suite: "faults" },
});
const extra = new spider.NlbVmGroup("extra", { connection: conn, nlb: web.nlbId, vms: spec.vms.slice(2, 3) });

export const nlbId = web.nlbId;
export const vms = web.vms;
export const extraVms = extra.vms;
