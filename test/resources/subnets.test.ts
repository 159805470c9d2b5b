import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Props } from "../../provider/resources/common";
import { nlbImpl } from "../../provider/resources/nlb";

/** No spurious replacements from `subnets`: the outputs hold the effective ones. */
describe("Nlb subnets: what the NLB already has is no change", () => {
    let dir: string;
    let conn: Props;
    let id = "";
    let outs: Props = {};
    const cfg = {};
    const args = (over: Props = {}): Props => ({
        connection: conn,
        pulumiName: "web",
        vpc: "vpc-local",
        listener: { protocol: "TCP", port: 80 },
        vmGroup: { port: 8080, vms: ["vm-1"] },
        ...over,
    });

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-subnets-"));
        conn = { driver: "local", localStateDir: dir };
        const checked = await nlbImpl.check({}, args(), cfg);
        const created = await nlbImpl.create(checked.inputs as Props, cfg);
        id = created.id;
        outs = created.outs;
    });
    after(async () => {
        await nlbImpl.delete(id, outs, cfg);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function diffWith(over: Props): Promise<{ changes?: boolean; replaces?: string[] }> {
        const checked = await nlbImpl.check(outs, args(over), cfg);
        assert.deepStrictEqual(checked.failures ?? [], []);
        return nlbImpl.diff(id, outs, checked.inputs as Props, cfg);
    }

    it("reports the subnets the driver chose as an output", () => {
        assert.ok(
            Array.isArray(outs.subnets) && (outs.subnets as string[]).length > 0,
            `subnets output: ${JSON.stringify(outs.subnets)}`,
        );
    });

    it("declaring exactly those subnets (in any order) previews no change", async () => {
        const declared = [...(outs.subnets as string[])].reverse();
        assert.deepStrictEqual(await diffWith({ subnets: declared }), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("leaving them undeclared previews no change", async () => {
        assert.strictEqual((await diffWith({})).changes, false);
    });

    it("declaring other subnets is an in-place change on a driver that can move the NLB", async () => {
        const one = [(outs.subnets as string[])[0]];
        const d = await diffWith({ subnets: one });
        assert.strictEqual(d.changes, true);
        assert.deepStrictEqual(d.replaces, []);
    });

    it("adds a zone, drops two and swaps a zone's subnet in place: same id, the new set in the cloud", async () => {
        const checkedAdd = await nlbImpl.check(outs, args({ subnets: ["subnet-a", "subnet-b"] }), cfg);
        const dropped = await nlbImpl.update(id, outs, checkedAdd.inputs as Props, cfg);
        assert.deepStrictEqual(dropped.outs.subnets, ["subnet-a", "subnet-b"]);
        const checkedSwap = await nlbImpl.check(dropped.outs, args({ subnets: ["subnet-d", "subnet-c"] }), cfg);
        assert.deepStrictEqual((await nlbImpl.diff(id, dropped.outs, checkedSwap.inputs as Props, cfg)).replaces, []);
        const swapped = await nlbImpl.update(id, dropped.outs, checkedSwap.inputs as Props, cfg);
        assert.deepStrictEqual(
            swapped.outs.subnets,
            ["subnet-c", "subnet-d"],
            "subnet-a swapped for subnet-d (same zone), b dropped, c added",
        );
        assert.strictEqual(swapped.outs.nlbId, outs.nlbId);
        outs = swapped.outs;
    });

    it("refuses, before any change, subnets of another VPC, two in one zone, or swapping the only subnet", async () => {
        const attempt = async (subnets: string[]): Promise<string> => {
            const checked = await nlbImpl.check(outs, args({ subnets }), cfg);
            const err = await nlbImpl.update(id, outs, checked.inputs as Props, cfg).then(
                () => undefined,
                (e: Error) => e,
            );
            assert.ok(err, `moving to ${JSON.stringify(subnets)} should fail`);
            return err.message;
        };
        assert.match(
            await attempt(["subnet-c", "subnet-x"]),
            /subnets\[1\]: subnet "subnet-x" is in vpc-other, not in vpc-local/,
        );
        assert.match(
            await attempt(["subnet-a", "subnet-d"]),
            /subnets: one subnet per zone: zone local-1a \(subnet-a, subnet-d\)/,
        );
        const reduced = await nlbImpl.update(
            id,
            outs,
            (await nlbImpl.check(outs, args({ subnets: ["subnet-d"] }), cfg)).inputs as Props,
            cfg,
        );
        outs = reduced.outs;
        assert.match(await attempt(["subnet-a"]), /replacing the only subnet subnet-d with subnet-a in zone local-1a/);
        assert.deepStrictEqual(
            (await nlbImpl.read(id, outs, cfg)).props?.subnets,
            ["subnet-d"],
            "a refused move changes nothing",
        );
    });

    it("GCP refuses subnets on a PUBLIC NLB at preview instead of ignoring (and replacing on) them", async () => {
        const checked = await nlbImpl.check(
            {},
            {
                ...args(),
                connection: { driver: "gcp", project: "p", region: "us-central1" },
                vpc: "default",
                vmGroup: { port: 8080, vms: ["us-central1-a/vm-1"] },
                subnets: ["default"],
            },
            cfg,
        );
        assert.deepStrictEqual(
            (checked.failures ?? []).map(f => f.property),
            ["subnets"],
        );
        assert.match(checked.failures?.[0].reason ?? "", /PUBLIC NLB on GCP uses no subnetwork/);
    });
});
