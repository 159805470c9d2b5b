/**
 * Peak resident memory of the dynamic-provider host (the `node …/cmd/dynamic-provider` process
 * behind `pulumi-resource-pulumi-nodejs`) and of the program's node process during `pulumi up`
 * and `pulumi destroy` of 200 Nlb resources on the local driver, sampled from /proc every 100 ms
 * (VmHWM: the kernel's own high-water mark, so short peaks between samples are not missed).
 * For comparison: the same with 200 trivial dynamic resources (bench/programs/trivial), with 50 Nlb,
 * and 200 Nlb on the aws driver against moto (the AWS SDK's weight).
 *
 *   npx ts-node bench/memory.ts
 */
import * as path from "path";
import { LocalCloud } from "../provider/drivers/local/store";
import { startHarness as startAwsHarness } from "../test/drivers/aws/harness";
import { FAKE_AWS_ENV, REGION } from "../test/support/moto/fixtures";
import { PulumiWorkspace } from "../test/faults/cli";
import { BENCH_DIR, log, mib, ProcessPeak, sampleTree, seconds, writeResult } from "./lib";

interface Measured {
    label: string;
    op: string;
    ms: number;
    peaks: ProcessPeak[];
}

async function measure(ws: PulumiWorkspace, label: string, op: "up" | "destroy"): Promise<Measured> {
    const args = [op, "--stack", "bench", "--yes", "--non-interactive", "--skip-preview", "--parallel", "16"];
    const running = ws.start(args, { timeoutMs: 1_200_000 });
    const sampler = sampleTree(running.pid, 100);
    const res = await running.done;
    const peaks = sampler.stop();
    if (res.code !== 0) throw new Error(`pulumi ${op} (${label}) failed:\n${res.output.slice(-4000)}`);
    log(`${label} ${op}: ${res.ms} ms, provider host peak ${mib(peakOf(peaks, "dynamic-provider host (node)"))}`);
    return { label, op, ms: res.ms, peaks };
}

function peakOf(peaks: ProcessPeak[], role: string): number {
    return Math.max(0, ...peaks.filter(p => p.role === role).map(p => Math.max(p.hwm, p.rss)));
}

async function run(
    program: string,
    count: number,
    label: string,
    aws?: { endpoint: string; vpc: string; vms: string[] },
): Promise<Measured[]> {
    const env = aws ? FAKE_AWS_ENV : {};
    const ws = PulumiWorkspace.create(
        path.join(BENCH_DIR, "programs", program),
        `bench-memory-${program}-${count}`,
        env,
    );
    const cloudDir = path.join(ws.dir, "cloud");
    ws.writeJson(
        "spec.json",
        aws
            ? {
                  count,
                  connection: { driver: "aws", region: REGION, endpoint: aws.endpoint },
                  vpc: aws.vpc,
                  vms: aws.vms,
              }
            : { count, localStateDir: cloudDir },
    );
    await new LocalCloud(cloudDir).setPolls(1);
    await ws.initStack("bench");
    const up = await measure(ws, label, "up");
    if (program === "nlbs" && !aws) {
        const inv = await new LocalCloud(cloudDir).inventory();
        if (inv.nlbs !== count) throw new Error(`expected ${count} NLBs, found ${inv.nlbs}`);
    }
    const down = await measure(ws, label, "destroy");
    ws.remove();
    return [up, down];
}

const ROLES = [
    "dynamic-provider host (node)",
    "program (node, language runtime)",
    "pulumi CLI / engine (Go)",
    "language host (Go)",
];

async function main(): Promise<void> {
    const results = [
        ...(await run("nlbs", 200, "200 Nlb")),
        ...(await run("trivial", 200, "200 trivial")),
        ...(await run("nlbs", 50, "50 Nlb")),
    ];
    const h = await startAwsHarness({ polls: 0, vmCount: 8 });
    try {
        results.push(
            ...(await run("nlbs", 200, "200 Nlb (aws driver, moto)", {
                endpoint: h.moto.endpoint,
                vpc: h.vpc,
                vms: h.vms,
            })),
        );
        const left = await h.inventory();
        if (left.nlbs !== 0 || left.other !== 0)
            throw new Error(`moto not empty after destroy: ${JSON.stringify(left)}`);
    } finally {
        await h.stop();
    }
    const host = (label: string, op: string): number =>
        peakOf(results.find(r => r.label === label && r.op === op)?.peaks ?? [], ROLES[0]);
    const file = writeResult("memory", "Peak memory (RSS) of the dynamic-provider host", [
        "## Result",
        "",
        `Peak RSS of the dynamic-provider host with 200 Nlb: **${mib(host("200 Nlb", "up"))}** during \`up\`, ${mib(host("200 Nlb", "destroy"))} during \`destroy\` ` +
            `(200 trivial dynamic resources: ${mib(host("200 trivial", "up"))} / ${mib(host("200 trivial", "destroy"))}, so ${(host("200 Nlb", "up") / host("200 trivial", "up")).toFixed(2)}× a trivial provider's; ` +
            `50 Nlb: ${mib(host("50 Nlb", "up"))} / ${mib(host("50 Nlb", "destroy"))}). With the aws driver (AWS SDK v3 clients, against moto), 200 Nlb: ` +
            `${mib(host("200 Nlb (aws driver, moto)", "up"))} / ${mib(host("200 Nlb (aws driver, moto)", "destroy"))}.`,
        "",
        `| run | wall time | ${ROLES.join(" | ")} |`,
        `|---|---:|${ROLES.map(() => "---:").join("|")}|`,
        ...results.map(
            r =>
                `| ${r.label}, \`pulumi ${r.op}\` | ${seconds(r.ms)} | ${ROLES.map(role => (peakOf(r.peaks, role) ? mib(peakOf(r.peaks, role)) : "— (not run)")).join(" | ")} |`,
        ),
        "",
        "Each cell is the largest VmHWM/VmRSS seen for processes of that role (one process each per run).",
        "",
        "## Set-up",
        "",
        "- `pulumi up|destroy --yes --non-interactive --skip-preview --parallel 16`, file backend; local driver with 1-describe transitions; the aws run against the extended moto with 0-poll transitions (moto's own memory is not counted).",
        "- `destroy` does not run the program, hence no program process in those rows.",
        "- Every process under the `pulumi` process was sampled from /proc/<pid>/status every 100 ms; roles are told apart by command line.",
        "- The provider host serves all resources of a run in one Node.js process (one per provider plugin instance); its memory grows with in-flight operations and loaded modules (the local driver here; the AWS and GCP SDKs add their own weight when used).",
    ]);
    log(`wrote ${file}`);
}

main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
