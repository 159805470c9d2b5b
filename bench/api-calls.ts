/**
 * Cloud API calls per driver operation, against the lower bound each operation needs: a summary
 * of bench/aws-api-calls.md and bench/gcp-api-calls.md (written by bench/aws-api-calls.ts and
 * bench/gcp-api-calls.ts, which record every request at moto / the GCP fake). This script only
 * reads those two result files; regenerate them first to summarize fresh numbers.
 *
 *   npx ts-node bench/aws-api-calls.ts && npx ts-node bench/gcp-api-calls.ts   # optional: fresh recordings
 *   npx ts-node bench/api-calls.ts
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BENCH_DIR, log, writeResult } from "./lib";

interface Op {
    op: string;
    calls: number;
    bound: number;
    note: string;
}

/** Cells of the first markdown table whose header has a "lower bound" column. */
function boundTable(md: string): { header: string[]; rows: string[][] } | undefined {
    const lines = md.split("\n");
    for (let i = 0; i < lines.length - 2; i++) {
        if (!lines[i].startsWith("|") || !/lower bound/i.test(lines[i]) || !/^\|[\s:|-]+\|$/.test(lines[i + 1].trim()))
            continue;
        const cells = (l: string): string[] =>
            l
                .trim()
                .replace(/^\|/, "")
                .replace(/\|$/, "")
                .split("|")
                .map(c => c.trim());
        const rows: string[][] = [];
        for (let j = i + 2; j < lines.length && lines[j].startsWith("|"); j++) rows.push(cells(lines[j]));
        return { header: cells(lines[i]).map(h => h.toLowerCase()), rows };
    }
    return undefined;
}

function parse(file: string): { ops: Op[]; error?: string } {
    if (!fs.existsSync(file)) return { ops: [], error: "file not found" };
    const t = boundTable(fs.readFileSync(file, "utf8"));
    if (!t) return { ops: [], error: "no table with a lower-bound column" };
    const col = (re: RegExp): number => t.header.findIndex(h => re.test(h));
    const reads = col(/^reads$/);
    const writes = col(/^(writes|mutations)$/);
    const bound = col(/lower bound/);
    const over = col(/over the bound/);
    if (reads < 0 || writes < 0 || bound < 0) return { ops: [], error: `unexpected columns: ${t.header.join(", ")}` };
    const ops = t.rows.map(r => {
        const b = /(\d+)\s*\/\s*(\d+)/.exec(r[bound]);
        return {
            op: r[0].replace(/\*\*/g, ""),
            calls: Number(r[reads]) + Number(r[writes]),
            bound: b ? Number(b[1]) + Number(b[2]) : NaN,
            note: over >= 0 ? r[over] : "",
        };
    });
    return { ops };
}

/** A checkout resets mtimes, so a committed, unmodified recording is dated by its last commit. */
function recordedOn(file: string): string {
    const git = (args: string[]) => execFileSync("git", args, { cwd: BENCH_DIR, encoding: "utf8" }).trim();
    try {
        if (git(["status", "--porcelain", "--", file]) === "") return git(["log", "-1", "--format=%cs", "--", file]);
    } catch {
        // Not a git checkout: the file's own time is all there is.
    }
    return fs.statSync(file).mtime.toISOString().slice(0, 10);
}

function section(title: string, name: string, parsed: { ops: Op[]; error?: string }, polls: string): string[] {
    const file = path.join(BENCH_DIR, `${name}.md`);
    if (parsed.error)
        return [`## ${title}`, "", `Could not summarize [bench/${name}.md](${name}.md): ${parsed.error}.`, ""];
    const at = parsed.ops.filter(o => o.calls <= o.bound);
    const above = parsed.ops.filter(o => o.calls > o.bound);
    const total = parsed.ops.reduce((s, o) => s + o.calls, 0);
    const bound = parsed.ops.reduce((s, o) => s + o.bound, 0);
    return [
        `## ${title}`,
        "",
        `Source: [bench/${name}.md](${name}.md) (recorded ${recordedOn(file)}; ${polls}).`,
        "",
        `- ${parsed.ops.length} operations: **${at.length} at their lower bound**, ${above.length} above it.`,
        `- ${total} calls in all against a lower bound of ${bound} (${((total / bound - 1) * 100).toFixed(0)} % above).`,
        "",
        "| operation | calls | lower bound | above |",
        "|---|---:|---:|---|",
        ...parsed.ops.map(
            o =>
                `| ${o.op} | ${o.calls} | ${o.bound} | ${o.calls > o.bound ? (o.note && !/at the bound/.test(o.note) ? o.note : `+${o.calls - o.bound}`) : "—"} |`,
        ),
        "",
    ];
}

function main(): void {
    const aws = parse(path.join(BENCH_DIR, "aws-api-calls.md"));
    const gcp = parse(path.join(BENCH_DIR, "gcp-api-calls.md"));
    const file = writeResult("api-calls", "Cloud API calls per operation vs the lower bound", [
        "Calls are reads + writes (GCP: mutations + reads, operation polls excluded) of one driver operation,",
        "recorded at the emulator by the owners' benchmarks; the lower bound is the fewest calls the",
        "operation can be done with (each row's reasoning is in the source file). Waits add polls on a",
        "real cloud for as long as it takes; retries add calls only under throttling / 5xx (see",
        "test/faults/cloud-faults.test.ts: at most 5 attempts per call).",
        "",
        ...section(
            "AWS (ELBv2 + EKS, moto)",
            "aws-api-calls",
            aws,
            "moto with 0-poll transitions: every wait polls once",
        ),
        ...section(
            "GCP (Compute passthrough NLB, the fake)",
            "gcp-api-calls",
            gcp,
            "operation polls listed separately there",
        ),
        "What the GCP calls above the bound buy (a duplicate-name check before creating, resolving the NLB by id so a stale id never touches a newer NLB of the same name, the cloud's own VM list in results, sweeping parts a failed update left behind) is listed under the table in [bench/gcp-api-calls.md](gcp-api-calls.md).",
        "",
    ]);
    log(`wrote ${file}`);
}

main();
