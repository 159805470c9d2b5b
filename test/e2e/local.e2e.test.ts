/**
 * The end-to-end scenarios on the local driver: the embedded cloud lives in a folder under
 * .e2e/, which both the test (through LocalCloud and the driver) and the Pulumi provider host
 * (through `connection.localStateDir`) open.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { capabilities, open } from "../../provider/drivers/local";
import { DEFAULT_POLLS, LocalCloud } from "../../provider/drivers/local/store";
import { E2E_ROOT } from "../support/pulumi";
import { describeE2E } from "./scenarios";

describeE2E("local", async () => {
    const dir = path.join(E2E_ROOT, `local-cloud-${crypto.randomBytes(4).toString("hex")}`);
    fs.mkdirSync(dir, { recursive: true });
    const cloud = new LocalCloud(dir);
    // A second VPC with a VM of its own, for the `vpc` replacement.
    await cloud.mutate(state => {
        state.inventory.vpcs["vpc-e2e"] = { subnets: ["subnet-e2e"] };
        state.inventory.vms["vm-e2e-1"] = { vpc: "vpc-e2e", subnet: "subnet-e2e", state: "running" };
    });
    const connection = { driver: "local" as const, localStateDir: dir };
    return {
        connection,
        caps: capabilities,
        driver: open(connection, {}),
        vpc: "vpc-local",
        subnets: ["subnet-a", "subnet-b", "subnet-c"],
        vms: ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5"],
        vmSpec: "small",
        vmSpecAlt: "medium",
        versions: ["1.29", "1.30"],
        altVpc: { vpc: "vpc-e2e", vms: ["vm-e2e-1"] },
        network: { sameZoneSubnet: "subnet-d", securityGroups: ["sg-default", "sg-web"] },
        // The embedded cloud settles within a few polls: poll it quickly (read by the provider host).
        processEnv: { SPIDER_POLL_MIN_MS: "10", SPIDER_POLL_MAX_MS: "100" },
        inventory: () => cloud.inventory(),
        outOfBand: {
            // Straight into the cloud's state, as a console user would, bypassing the driver.
            setListenerPort: (nlb, protocol, port) =>
                cloud.mutate(state => {
                    const rec = state.nlbs.find(n => n.id === nlb.id);
                    if (!rec) throw new Error(`no NLB ${nlb.id}`);
                    rec.listener.protocol = protocol;
                    rec.listener.port = port;
                }),
            deleteNlb: nlb => cloud.deleteNlbOutOfBand(nlb.name),
        },
        slowDown: async () => {
            await cloud.setPolls(40);
            return () => cloud.setPolls(DEFAULT_POLLS);
        },
        injectFault: op => cloud.injectFault(op),
        cleanup: async () => {
            if (process.env.E2E_KEEP !== "1") fs.rmSync(dir, { recursive: true, force: true });
        },
    };
});
