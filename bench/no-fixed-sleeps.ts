/**
 * "No fixed sleeps in the code paths measured": every timer, sleep or blocking wait in provider/
 * and sdk/ must be the one waiter (provider/interface/wait.ts: jittered backoff until a deadline).
 * Lists every match of the patterns below with its file and line, and whether it is allowed.
 *
 *   npx ts-node bench/no-fixed-sleeps.ts
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../test/faults/cli";
import { log, writeResult } from "./lib";

const PATTERNS: Array<[string, RegExp]> = [
    ["setTimeout", /\bsetTimeout\s*\(/],
    ["setInterval", /\bsetInterval\s*\(/],
    ["setImmediate", /\bsetImmediate\s*\(/],
    ["sleep", /\bsleep\b/i],
    ["delay(", /\bdelay\s*\(/],
    ["Atomics.wait", /Atomics\.wait/],
    ["child_process sync", /\b(execSync|spawnSync|execFileSync)\b/],
    ["timers/promises", /timers\/promises/],
];
const ALLOWED_FILE = "provider/interface/wait.ts";

function files(dir: string): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) out.push(...files(p));
        else if (e.name.endsWith(".ts")) out.push(p);
    }
    return out;
}

function main(): void {
    const hits: Array<{ file: string; line: number; what: string; text: string; verdict: string }> = [];
    for (const f of [...files(path.join(ROOT, "provider")), ...files(path.join(ROOT, "sdk"))]) {
        const rel = path.relative(ROOT, f);
        fs.readFileSync(f, "utf8")
            .split("\n")
            .forEach((text, i) => {
                const code = text.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
                for (const [what, re] of PATTERNS) {
                    if (!re.test(code)) continue;
                    let verdict = "**fixed sleep / blocking wait: not allowed**";
                    if (rel === ALLOWED_FILE) verdict = "the one waiter (allowed)";
                    else if (what === "setImmediate")
                        verdict = "yields one event-loop turn, waits for nothing (allowed)";
                    hits.push({ file: rel, line: i + 1, what, text: text.trim(), verdict });
                }
            });
    }
    const bad = hits.filter(h => h.verdict.includes("not allowed"));
    const file = writeResult("no-fixed-sleeps", "No fixed sleeps in provider/ and sdk/", [
        "## Result",
        "",
        bad.length === 0
            ? `**No fixed sleep.** Every timer in provider/ and sdk/ is in ${ALLOWED_FILE} (waitUntil / withRetries: jittered exponential backoff until a deadline, the last poll just before it); the only other match is a setImmediate that yields one event-loop turn.`
            : `**${bad.length} fixed sleep(s) / blocking wait(s) outside ${ALLOWED_FILE}** (see the table).`,
        "",
        `Patterns: ${PATTERNS.map(([w]) => `\`${w}\``).join(", ")} (comments excluded).`,
        "",
        "| file:line | match | code | verdict |",
        "|---|---|---|---|",
        ...hits.map(h => `| ${h.file}:${h.line} | ${h.what} | \`${h.text.replace(/\|/g, "\\|")}\` | ${h.verdict} |`),
        "",
        "Every wait of the drivers goes through `waitUntil` (polls a cloud state with backoff) and every retry through `withRetries` (bounded attempts); lock waits in provider/drivers/local/lock.ts use `waitUntil` too.",
    ]);
    log(`wrote ${file}; ${hits.length} matches, ${bad.length} not allowed`);
}

main();
