/**
 * Wall time of `pulumi up` and `pulumi destroy`:
 *   - examples/local (an Nlb, an NlbVmGroup, a Cluster with a node group and a NodeGroup), ROUNDS times;
 *   - 50 Nlb resources (bench/programs/nlbs) with `--parallel 1` versus `--parallel 16`, the two
 *     settings alternating, ROUNDS times each; the ratio is the speed-up of parallelism.
 * All on the local driver with its default transitional polls (2 describes per transition, 50–500
 * ms apart), so waits are real but short. `--skip-preview`: the update alone is timed.
 *
 *   npx ts-node bench/up-destroy.ts
 */
import * as fs from "fs";
import * as path from "path";
import { LocalCloud } from "../provider/drivers/local/store";
import { PulumiWorkspace, ROOT } from "../test/faults/cli";
import { BENCH_DIR, log, median, ratio, seconds, writeResult } from "./lib";

const ROUNDS = 3;
const N = 50;

async function main(): Promise<void> {
    // --- examples/local
    const ex = PulumiWorkspace.create(path.join(ROOT, "examples", "local"), "bench-example-local");
    const exCloud = path.join(ex.dir, "cloud");
    await ex.initStack("bench");
    await ex.run(["config", "set", "localStateDir", exCloud, "--stack", "bench"]);
    const exUp: number[] = [];
    const exDestroy: number[] = [];
    let exResources = 0;
    for (let r = 0; r < ROUNDS; r++) {
        exUp.push((await ex.up("bench")).ms);
        exResources =
            (await ex.exportStack("bench")).deployment.resources?.filter(x =>
                x.type.startsWith("pulumi-nodejs:dynamic/"),
            ).length ?? 0;
        exDestroy.push((await ex.destroy("bench")).ms);
        log(`examples/local round ${r + 1}: up ${exUp[r]} ms, destroy ${exDestroy[r]} ms`);
    }
    const leftEx = await new LocalCloud(exCloud).inventory();

    // --- 50 Nlb, --parallel 1 vs 16
    const ws = PulumiWorkspace.create(path.join(BENCH_DIR, "programs", "nlbs"), "bench-parallel");
    const cloudDir = path.join(ws.dir, "cloud");
    ws.writeJson("spec.json", { count: N, localStateDir: cloudDir });
    await ws.initStack("bench");
    const times: Record<"1" | "16", { up: number[]; destroy: number[] }> = {
        1: { up: [], destroy: [] },
        16: { up: [], destroy: [] },
    };
    for (let r = 0; r < ROUNDS; r++) {
        for (const p of (r % 2 === 0 ? ["16", "1"] : ["1", "16"]) as Array<"1" | "16">) {
            const up = await ws.up("bench", ["--parallel", p], { timeoutMs: 900_000 });
            const inv = await new LocalCloud(cloudDir).inventory();
            if (inv.nlbs !== N) throw new Error(`expected ${N} NLBs after up, found ${inv.nlbs}`);
            const down = await ws.destroy("bench", ["--parallel", p], { timeoutMs: 900_000 });
            times[p].up.push(up.ms);
            times[p].destroy.push(down.ms);
            log(`${N} Nlb --parallel ${p}: up ${up.ms} ms, destroy ${down.ms} ms`);
        }
    }
    const left = await new LocalCloud(cloudDir).inventory();
    const state = JSON.parse(fs.readFileSync(path.join(cloudDir, "state.json"), "utf8")) as { revision: number };

    const mu = (p: "1" | "16", k: "up" | "destroy"): number => median(times[p][k]);
    const file = writeResult("up-destroy", "pulumi up / destroy wall time", [
        "## examples/local",
        "",
        `${exResources} spider resources (Nlb, NlbVmGroup, Cluster with one node group, NodeGroup); median of ${ROUNDS} up/destroy cycles.`,
        "",
        "| command | median | runs (ms) |",
        "|---|---:|---|",
        `| \`pulumi up --skip-preview\` | ${seconds(median(exUp))} | ${exUp.join(", ")} |`,
        `| \`pulumi destroy --skip-preview\` | ${seconds(median(exDestroy))} | ${exDestroy.join(", ")} |`,
        "",
        `Left in the local cloud afterwards: ${JSON.stringify(leftEx)}.`,
        "",
        `## ${N} Nlb: --parallel 1 vs --parallel 16`,
        "",
        `Median of ${ROUNDS} runs per setting, settings alternating.`,
        "",
        "| command | --parallel 1 | --parallel 16 | speed-up (1 / 16) | runs p1 (ms) | runs p16 (ms) |",
        "|---|---:|---:|---:|---|---|",
        `| \`pulumi up\` | ${seconds(mu("1", "up"))} | ${seconds(mu("16", "up"))} | **${ratio(mu("1", "up"), mu("16", "up"))}×** | ${times[1].up.join(", ")} | ${times[16].up.join(", ")} |`,
        `| \`pulumi destroy\` | ${seconds(mu("1", "destroy"))} | ${seconds(mu("16", "destroy"))} | **${ratio(mu("1", "destroy"), mu("16", "destroy"))}×** | ${times[1].destroy.join(", ")} | ${times[16].destroy.join(", ")} |`,
        "",
        `Per resource at --parallel 1: up ${(mu("1", "up") / N).toFixed(0)} ms, destroy ${(mu("1", "destroy") / N).toFixed(0)} ms.`,
        `Left in the local cloud afterwards: ${JSON.stringify(left)}; the cloud's state file was written ${state.revision} times in all runs (each write under the file lock, atomically).`,
        "",
        "## Set-up",
        "",
        "- Local driver with its default transition length (2 describes) and poll delays (50–500 ms jittered backoff): every create and delete really waits.",
        "- The local cloud keeps its state in one JSON file changed under an exclusive lock file, so parallel operations serialize on it; the speed-up shows how much of the time is waiting rather than writing.",
        "- `pulumi up --yes --non-interactive --skip-preview` and `pulumi destroy --yes --non-interactive --skip-preview`, file backend, `PULUMI_NODEJS_TRANSPILE_ONLY=true`.",
    ]);
    ex.remove();
    ws.remove();
    log(`wrote ${file}`);
}

main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
