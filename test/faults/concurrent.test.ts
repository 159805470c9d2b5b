/**
 * Several `pulumi up` (then `destroy`) of different stacks at once, all on one local cloud
 * (one shared localStateDir): separate processes read-modify-write the same state file, and no
 * update may be lost. test/drivers/local/store.test.ts covers the store itself; this is the same
 * promise through the real CLI and provider hosts.
 */
import * as assert from "assert";
import * as path from "path";
import { LocalCloud } from "../../provider/drivers/local/store";
import { PulumiWorkspace, tail } from "./cli";

const STACKS = ["s1", "s2", "s3", "s4"];
const NLBS_PER_STACK = 3;

describe("faults: concurrent pulumi runs sharing one local cloud lose no update", function () {
    this.timeout(600_000);
    let ws: PulumiWorkspace;
    let cloud: LocalCloud;
    let passed = false;

    before(async () => {
        ws = PulumiWorkspace.create(path.join(__dirname, "programs", "local-stack"), "faults-concurrent");
        const cloudDir = path.join(ws.dir, "cloud");
        ws.writeJson("spec.json", { localStateDir: cloudDir, nlbs: NLBS_PER_STACK });
        cloud = new LocalCloud(cloudDir);
        await cloud.setPolls(1);
        for (const s of STACKS) await ws.initStack(s);
    });

    after(() => {
        if (ws && passed) ws.remove();
    });

    it(`${STACKS.length} stacks up at once: the cloud holds exactly the sum; destroyed at once: nothing`, async () => {
        const ups = await Promise.all(STACKS.map(s => ws.up(s, [], { check: false })));
        ups.forEach((r, i) => assert.strictEqual(r.code, 0, `up of ${STACKS[i]} failed:\n${tail(r.output, 40)}`));

        assert.deepStrictEqual(await cloud.inventory(), {
            nlbs: STACKS.length * NLBS_PER_STACK,
            clusters: STACKS.length,
            nodeGroups: STACKS.length,
            other: STACKS.length,
        });
        const snap = await cloud.snapshot();
        for (const stack of STACKS) {
            const exported = await ws.exportStack(stack);
            const mine = (exported.deployment.resources ?? []).filter(
                r => r.type === "pulumi-nodejs:dynamic/spider:Nlb",
            );
            assert.strictEqual(mine.length, NLBS_PER_STACK);
            for (const r of mine) {
                const rec = snap.nlbs.find(n => n.id === r.id);
                assert.ok(rec, `${stack}: ${r.id} is in the stack but not in the cloud`);
                assert.strictEqual(rec.tags.stack, stack);
                // Every part of every create and every attach made it into the shared file.
                assert.ok(
                    rec.listener.cspId && rec.vmGroup.cspId && rec.healthChecker.cspId,
                    `${stack}: ${r.id} lost a part: ${JSON.stringify(rec)}`,
                );
                const i = Number(r.urn.split("web-").pop());
                const expected = [`vm-${1 + (i % 4)}`, ...(i === 0 ? ["vm-8"] : [])].sort();
                assert.deepStrictEqual(rec.vms.map(v => v.vm).sort(), expected, `${stack}: ${r.id} attachments`);
            }
            const cluster = (exported.deployment.resources ?? []).find(
                r => r.type === "pulumi-nodejs:dynamic/spider:Cluster",
            );
            const crec = snap.clusters.find(c => c.id === cluster?.id);
            assert.ok(
                crec && crec.tags.stack === stack && crec.nodeGroups.length === 1,
                `${stack}: cluster ${cluster?.id}`,
            );
        }

        const destroys = await Promise.all(STACKS.map(s => ws.destroy(s, [], { check: false })));
        destroys.forEach((r, i) =>
            assert.strictEqual(r.code, 0, `destroy of ${STACKS[i]} failed:\n${tail(r.output, 40)}`),
        );
        assert.deepStrictEqual(await cloud.inventory(), { nlbs: 0, clusters: 0, nodeGroups: 0, other: 0 });
        console.log(
            `      ${STACKS.length} stacks × (${NLBS_PER_STACK} Nlb + NlbVmGroup + Cluster): up ${Math.max(...ups.map(r => r.ms))} ms, destroy ${Math.max(...destroys.map(r => r.ms))} ms (slowest stack); store revision ${(await cloud.snapshot()).revision}`,
        );
        passed = true;
    });
});
