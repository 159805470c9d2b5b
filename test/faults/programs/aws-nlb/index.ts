// Two AWS network load balancers (TCP and UDP) plus extra VMs, talking to moto through the fault proxy.
// spec.json (written by the test): { endpoint, region, vpc, vms: [instance ids] }.
import * as fs from "fs";
import * as path from "path";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const conn: spider.ConnectionArgs = { driver: "aws", region: spec.region, endpoint: spec.endpoint };

const web = new spider.Nlb("web", {
    connection: conn,
    vpc: spec.vpc,
    listener: { protocol: "TCP", port: 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: spec.vms.slice(0, 2) },
    healthChecker: { protocol: "TCP", interval: 10, timeout: 5, threshold: 3 },
    tags: { suite: "faults" },
});
const dns = new spider.Nlb("dns", {
    connection: conn,
    vpc: spec.vpc,
    type: "INTERNAL",
    listener: { protocol: "UDP", port: 53 },
    vmGroup: { protocol: "UDP", port: 5353, vms: spec.vms.slice(0, 1) },
    healthChecker: { protocol: "TCP", port: 8053 },
});
const extra = new spider.NlbVmGroup("extra", { connection: conn, nlb: web.nlbId, vms: spec.vms.slice(2, 3) });

export const nlbId = web.nlbId;
export const dnsId = dns.nlbId;
export const vms = web.vms;
export const extraVms = extra.vms;
