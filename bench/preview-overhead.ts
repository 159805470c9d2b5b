/**
 * `pulumi preview` of a stack of 50 Nlb resources versus 50 trivial dynamic resources with the
 * same inputs (bench/programs/trivial: check passes inputs through, diff says "no change"), in
 * the same run, alternating, median of ROUNDS. Two kinds of preview:
 *   - "create": a stack that was never deployed (the engine calls check for each resource);
 *   - "no-change": a deployed stack whose program is unchanged (check + diff for each resource).
 * An empty program's preview is measured too, so the per-resource (marginal) cost can be compared
 * without the fixed start-up of the CLI, language host and provider host. Target: ratio ≤ 1.3.
 *
 *   npx ts-node bench/preview-overhead.ts
 */
import * as path from "path";
import { LocalCloud } from "../provider/drivers/local/store";
import { PulumiWorkspace } from "../test/faults/cli";
import { BENCH_DIR, log, median, ratio, seconds, writeResult } from "./lib";

const N = 50;
const ROUNDS = 5;
const TARGET = 1.3;

interface Subject {
    label: string;
    ws: PulumiWorkspace;
    fresh: number[];
    live: number[];
}

async function prepare(program: string, label: string, count: number): Promise<Subject> {
    const ws = PulumiWorkspace.create(path.join(BENCH_DIR, "programs", program), `bench-preview-${program}-${count}`);
    const cloudDir = path.join(ws.dir, "cloud");
    ws.writeJson("spec.json", { count, localStateDir: cloudDir });
    await new LocalCloud(cloudDir).setPolls(0);
    await ws.initStack("fresh");
    await ws.initStack("live");
    log(`${label}: pulumi up of the "live" stack`);
    await ws.up("live", ["--parallel", "16"], { timeoutMs: 600_000 });
    return { label, ws, fresh: [], live: [] };
}

async function main(): Promise<void> {
    const nlb = await prepare("nlbs", `${N} Nlb`, N);
    const triv = await prepare("trivial", `${N} trivial dynamic`, N);
    const empty = await prepare("trivial", "empty program", 0);
    const subjects = [nlb, triv, empty];
    for (const s of subjects) {
        await s.ws.preview("fresh");
        await s.ws.preview("live");
    }
    for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? subjects : [...subjects].reverse();
        for (const s of order) {
            s.fresh.push((await s.ws.preview("fresh")).ms);
            const live = await s.ws.preview("live", ["--expect-no-changes"]);
            s.live.push(live.ms);
        }
        log(`round ${r + 1}/${ROUNDS}: ${subjects.map(s => `${s.label} ${s.fresh[r]}/${s.live[r]} ms`).join("; ")}`);
    }
    for (const s of [nlb, triv]) await s.ws.destroy("live", ["--parallel", "16"], { timeoutMs: 600_000 });

    const m = (s: Subject, k: "fresh" | "live"): number => median(s[k]);
    const row = (k: "fresh" | "live", what: string): string => {
        const whole = m(nlb, k) / m(triv, k);
        const marginal = (m(nlb, k) - m(empty, k)) / (m(triv, k) - m(empty, k));
        return `| ${what} | ${seconds(m(nlb, k))} | ${seconds(m(triv, k))} | ${seconds(m(empty, k))} | **${whole.toFixed(2)}** ${whole <= TARGET ? "✓" : "✗"} | ${marginal.toFixed(2)} | ${((m(nlb, k) - m(empty, k)) / N).toFixed(0)} ms / ${((m(triv, k) - m(empty, k)) / N).toFixed(0)} ms |`;
    };
    const raw = (s: Subject): string => `| ${s.label} | ${s.fresh.join(", ")} | ${s.live.join(", ")} |`;
    const file = writeResult("preview-overhead", `Preview overhead: ${N} Nlb vs ${N} trivial dynamic resources`, [
        "## Result",
        "",
        `Median of ${ROUNDS} alternating rounds (after one warm-up preview each). Target: the ${N}-Nlb preview takes at most ${TARGET}× the trivial one.`,
        "",
        `| preview | ${N} Nlb | ${N} trivial | empty program | ratio Nlb / trivial | marginal ratio (minus empty) | per resource, Nlb / trivial |`,
        "|---|---:|---:|---:|---:|---:|---:|",
        row("fresh", "create (stack never deployed: check)"),
        row("live", "no-change (deployed stack: check + diff)"),
        "",
        `Ratio ${ratio(m(nlb, "fresh"), m(triv, "fresh"))} (create) and ${ratio(m(nlb, "live"), m(triv, "live"))} (no-change) against the ${TARGET} target.`,
        "The marginal ratio removes the fixed start-up cost (CLI, language host, program, provider host) that both pay once.",
        "",
        "## Raw timings (ms, in run order)",
        "",
        "| subject | create previews | no-change previews |",
        "|---|---|---|",
        ...subjects.map(raw),
        "",
        "## Set-up",
        "",
        "- Programs: `bench/programs/nlbs` (Nlb on the local driver: TCP listener, one VM, TCP health check, a tag) and `bench/programs/trivial` (a dynamic resource with the same inputs whose provider is an object literal serialized into state).",
        "- Each preview is a full `pulumi preview --non-interactive` (the no-change ones with `--expect-no-changes`), file backend, `PULUMI_NODEJS_TRANSPILE_ONLY=true`.",
        "- Preview makes no cloud calls for either program (checked by test/faults/invalid-inputs.test.ts for Nlb), so this is engine + provider CPU only.",
    ]);
    for (const s of subjects) s.ws.remove();
    log(`wrote ${file}`);
}

main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
