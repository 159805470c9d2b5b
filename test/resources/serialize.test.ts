import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { makeProvider } from "../../sdk/provider";

/** The providers as users get them: from the package installed in node_modules. */
const installed = require("pulumi-spider/dist/sdk/provider") as { makeProvider: unknown };
const installedProvider = (kind: string) =>
    require(`pulumi-spider/dist/sdk/providers/${kind}`) as pulumi.dynamic.ResourceProvider;

const requireFromString = require("require-from-string") as (
    code: string,
    filename?: string,
) => { handler(): pulumi.dynamic.ResourceProvider };

/** Serializes a provider exactly as the engine stores it in `__provider`, and loads it back. */
async function roundTrip(
    p: pulumi.dynamic.ResourceProvider,
): Promise<{ text: string; provider: pulumi.dynamic.ResourceProvider }> {
    const s = await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true });
    // The provider host evaluates the text with no file name: requires resolve from its cwd.
    const provider = requireFromString(s.text).handler();
    return { text: s.text, provider };
}

describe("serialized providers (__provider)", () => {
    before(() =>
        assert.ok(installed.makeProvider, "pulumi-spider must be installed in node_modules (scripts/setup.sh)"),
    );

    for (const kind of ["nlb", "nlbVmGroup", "cluster", "nodeGroup"]) {
        it(`${kind}: installed from node_modules, it is stored as a require of its module (≤ 2 KB) and loads back`, async () => {
            process.env.AWS_SECRET_ACCESS_KEY = "FAKE-SECRET-should-never-appear";
            const { text, provider } = await roundTrip(installedProvider(kind));
            assert.ok(text.length <= 2048, `${kind} __provider is ${text.length} bytes`);
            assert.match(text, new RegExp(`require\\("pulumi-spider/dist/sdk/providers/${kind}`));
            assert.ok(!text.includes("FAKE-SECRET"), "no environment value captured");
            assert.strictEqual(typeof provider.create, "function");
        });
    }

    it("serialized by value (package not under node_modules) it captures only its kind, no clients or secrets", async () => {
        process.env.AWS_SECRET_ACCESS_KEY = "FAKE-SECRET-should-never-appear";
        const { text } = await roundTrip(makeProvider("Cluster"));
        assert.ok(text.length <= 4096, `by-value __provider is ${text.length} bytes`);
        assert.ok(!text.includes("FAKE-SECRET"), "no environment value captured");
        assert.ok(!/Client\b/.test(text), "no SDK client captured");
    });

    it("still works after the round trip: check, create, diff, update, read, delete on the local cloud", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-ser-"));
        try {
            const { provider } = await roundTrip(makeProvider("Nlb"));
            await provider.configure!({
                config: {
                    get: () => undefined,
                    require: () => {
                        throw new Error("none");
                    },
                },
            });
            const args = {
                connection: { driver: "local", localStateDir: dir },
                pulumiName: "ser",
                vpc: "vpc-local",
                listener: { protocol: "TCP", port: 80 },
                vmGroup: { port: 8080, vms: ["vm-1"] },
            };
            const checked = await provider.check!({}, args);
            assert.deepStrictEqual(checked.failures, []);
            const created = await provider.create(checked.inputs);
            const news = (await provider.check!(checked.inputs, { ...args, listener: { protocol: "TCP", port: 81 } }))
                .inputs;
            const d = await provider.diff!(created.id, created.outs, news);
            assert.deepStrictEqual({ changes: d.changes, replaces: d.replaces }, { changes: true, replaces: [] });
            const updated = await provider.update!(created.id, created.outs, news);
            assert.strictEqual(updated.outs.listener.port, 81);
            const read = await provider.read!(created.id, updated.outs);
            assert.strictEqual(read.id, created.id);
            await provider.delete!(created.id, updated.outs);
            assert.strictEqual((await provider.read!(created.id, updated.outs)).id, undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports check failures with the property named through the serialized provider", async () => {
        const { provider } = await roundTrip(installedProvider("nlb"));
        const r = await provider.check!(
            {},
            {
                connection: { driver: "local" },
                vpc: "vpc-local",
                listener: { protocol: "TCP", port: 70000 },
                vmGroup: { port: 8080 },
            },
        );
        assert.deepStrictEqual(
            r.failures!.map(f => f.property),
            ["listener.port"],
        );
    });
});
