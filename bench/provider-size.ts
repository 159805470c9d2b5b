/**
 * Size of `__provider` in the state, per resource kind, from `pulumi stack export` after
 * `pulumi up` of examples/local (which declares all four kinds). The dynamic-provider machinery
 * stores the provider in every resource's inputs AND outputs; target ≤ 2 KB per copy.
 * For comparison, a trivial dynamic resource whose provider is an object literal (bench/programs/trivial).
 *
 *   npx ts-node bench/provider-size.ts
 */
import * as path from "path";
import { PulumiWorkspace, ROOT, StateResource } from "../test/faults/cli";
import { BENCH_DIR, log, writeResult } from "./lib";

const TARGET = 2048;

const bytes = (v: unknown): number => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v ?? null), "utf8");

async function resourcesOf(
    programDir: string,
    label: string,
    config: (ws: PulumiWorkspace, cloud: string) => Promise<void>,
): Promise<StateResource[]> {
    const ws = PulumiWorkspace.create(programDir, label);
    const cloud = path.join(ws.dir, "cloud");
    await ws.initStack("bench");
    await config(ws, cloud);
    await ws.up("bench");
    const exp = await ws.exportStack("bench");
    await ws.destroy("bench");
    ws.remove();
    return (exp.deployment.resources ?? []).filter(r => r.type.startsWith("pulumi-nodejs:dynamic/"));
}

async function main(): Promise<void> {
    const spider = await resourcesOf(path.join(ROOT, "examples", "local"), "bench-provider-size", async (ws, cloud) => {
        await ws.run(["config", "set", "localStateDir", cloud, "--stack", "bench"]);
    });
    const trivial = await resourcesOf(
        path.join(BENCH_DIR, "programs", "trivial"),
        "bench-provider-size-trivial",
        async (ws, cloud) => {
            ws.writeJson("spec.json", { count: 1, localStateDir: cloud });
        },
    );
    const rows = [...spider, ...trivial].map(r => {
        const kind = r.type.split(":").pop() as string;
        const pin = bytes(r.inputs?.__provider);
        const pout = bytes(r.outputs?.__provider);
        return {
            kind,
            urn: r.urn,
            pin,
            pout,
            inputs: bytes(r.inputs),
            outputs: bytes(r.outputs),
            whole: bytes(r),
            text: String(r.inputs?.__provider ?? ""),
        };
    });
    const ok = rows.filter(r => !r.kind.startsWith("Trivial")).every(r => r.pin <= TARGET && r.pout <= TARGET);
    const sample = rows.find(r => r.kind === "Nlb")?.text ?? "";
    const file = writeResult("provider-size", "`__provider` bytes per resource kind", [
        "## Result",
        "",
        `From \`pulumi stack export\` after \`pulumi up\` of examples/local. Target: ≤ ${TARGET} bytes per copy of \`__provider\`. ${ok ? "**Met for every kind.**" : "**Not met** (see the table)."}`,
        "",
        "| kind | `__provider` in inputs | `__provider` in outputs | all inputs | all outputs | whole resource entry |",
        "|---|---:|---:|---:|---:|---:|",
        ...rows.map(
            r =>
                `| ${r.kind} | ${r.pin} B ${r.kind.startsWith("Trivial") ? "" : r.pin <= TARGET ? "✓" : "✗"} | ${r.pout} B | ${r.inputs} B | ${r.outputs} B | ${r.whole} B |`,
        ),
        "",
        "Trivial is the baseline: a dynamic resource whose provider is an object literal in the program (bench/programs/trivial), serialized by value.",
        "",
        "What the spider resources store (the Nlb's, verbatim; the other kinds differ only in the module name):",
        "",
        "```js",
        sample.trim(),
        "```",
        "",
        "The provider object is the whole export of an installed module (`pulumi-spider/dist/sdk/providers/<kind>.js`), so Pulumi serializes a `require` of it instead of code: no SDK client, config or credential is captured.",
    ]);
    log(`wrote ${file}`);
}

main().catch(err => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
