import { ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Driver, DriverContext } from "../../../provider/interface/driver";
import { capabilities, open } from "../../../provider/drivers/local";
import { LocalCloud } from "../../../provider/drivers/local/store";
import type { ContractEnv } from "../../contract/env";

/** Polls fast: the embedded cloud settles after a few describes, not minutes. */
export const FAST_CTX: DriverContext = {
    poll: { minDelayMs: 2, maxDelayMs: 20 },
    timeouts: { create: 20_000, update: 20_000, delete: 20_000 },
};

export interface LocalFixture {
    dir: string;
    cloud: LocalCloud;
    driver: Driver;
    logs: string[];
    cleanup(): void;
}

export function freshLocalCloud(ctx: DriverContext = FAST_CTX): LocalFixture {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-local-"));
    const logs: string[] = [];
    const driver = open({ driver: "local", localStateDir: dir }, { ...ctx, log: line => logs.push(line) });
    return {
        dir,
        cloud: new LocalCloud(dir),
        driver,
        logs,
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

export function contractEnv(f: LocalFixture): ContractEnv {
    return {
        driver: f.driver,
        caps: capabilities,
        vpc: "vpc-local",
        subnets: ["subnet-a", "subnet-b", "subnet-c"],
        vms: ["vm-1", "vm-2", "vm-3", "vm-4"],
        vmSpec: "small",
        otherVmSpec: "medium",
        versions: ["1.28", "1.29"],
        network: { sameZoneSubnet: "subnet-d", otherVpcSubnet: "subnet-x", securityGroups: ["sg-default", "sg-web"] },
        uniqueName: prefix => `${prefix}-${crypto.randomBytes(3).toString("hex")}`,
        inventory: () => f.cloud.inventory(),
    };
}

const REPO = path.resolve(__dirname, "../../..");
const FIXTURES = path.join(__dirname, "fixtures");

export interface ChildResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Children started by tests, so `after` hooks can stop any still running by PID. */
const children = new Set<ChildProcess>();

/** Runs a fixture script in a separate Node process, as a separate `pulumi` run would be. */
export function runTsChild(script: string, args: string[]): Promise<ChildResult> {
    const child = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(FIXTURES, script), ...args],
        {
            cwd: REPO,
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", d => {
        stdout += String(d);
    });
    child.stderr?.on("data", d => {
        stderr += String(d);
    });
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", code => {
            children.delete(child);
            resolve({ code, stdout, stderr });
        });
    });
}

export function stopChildren(): void {
    for (const child of children) if (child.pid && child.exitCode === null) process.kill(child.pid, "SIGKILL");
}
