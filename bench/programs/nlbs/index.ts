// `count` Nlb resources. spec.json: { count, localStateDir } for the local driver, or
// { count, connection, vpc, vms } for another (e.g. aws against moto).
import * as fs from "fs";
import * as path from "path";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const conn: spider.ConnectionArgs = spec.connection ?? { driver: "local", localStateDir: spec.localStateDir };
const vpc: string = spec.vpc ?? "vpc-local";
const vms: string[] = spec.vms ?? ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5", "vm-6", "vm-7", "vm-8"];
for (let i = 0; i < spec.count; i++) {
    new spider.Nlb(`web-${i}`, {
        connection: conn,
        vpc,
        listener: { protocol: "TCP", port: 80 },
        vmGroup: { protocol: "TCP", port: 8080, vms: [vms[i % vms.length]] },
        healthChecker: { protocol: "TCP", interval: 10, threshold: 3 },
        tags: { app: "bench" },
    });
}
