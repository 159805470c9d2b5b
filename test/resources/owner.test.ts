import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isOwnedBy, ownerTags, ownerValue, stackOfUrn } from "../../provider/interface/owner";
import { clusterImpl } from "../../provider/resources/cluster";
import { Props } from "../../provider/resources/common";
import { nlbImpl } from "../../provider/resources/nlb";

const URN = "urn:pulumi:prod::shop::pulumi-nodejs:dynamic/spider:Nlb::web";
const OTHER = "urn:pulumi:staging::shop::pulumi-nodejs:dynamic/spider:Nlb::web";

describe("ownership: every cloud object names the URN that created it", () => {
    it("writes the URN and the project/stack as tags", () => {
        assert.deepStrictEqual(ownerTags(URN), { "spider:urn": URN, "spider:stack": "shop/prod" });
        assert.strictEqual(stackOfUrn(URN), "shop/prod");
        assert.deepStrictEqual(ownerTags(undefined), {});
    });

    it("records a URN too long for a tag value (256) as its digest, and still recognises it", () => {
        const long = `urn:pulumi:prod::shop::${"my:component$".repeat(30)}pulumi-nodejs:dynamic/spider:Nlb::web`;
        assert.ok(long.length > 256);
        const recorded = ownerValue(long);
        assert.match(recorded, /^sha256:[0-9a-f]{64}$/);
        assert.ok(isOwnedBy(recorded, long));
        assert.ok(!isOwnedBy(recorded, URN));
    });

    it("an object with no owner, or another stack's, is not owned by this URN", () => {
        assert.ok(isOwnedBy(URN, URN));
        assert.ok(!isOwnedBy(OTHER, URN));
        assert.ok(!isOwnedBy(undefined, URN));
        assert.ok(!isOwnedBy("", URN));
    });

    describe("explicit-name creates that collide on the local driver", () => {
        let dir: string;
        let conn: Props;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "spider-owner-"));
            conn = { driver: "local", localStateDir: dir };
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        async function create(impl: typeof nlbImpl, args: Props): Promise<{ id: string; outs: Props }> {
            const checked = await impl.check({}, args, {});
            assert.deepStrictEqual(checked.failures, []);
            return impl.create(checked.inputs as Props, {});
        }

        const nlbArgs = (urn: string): Props => ({
            connection: conn,
            nlbName: "web-fixed",
            pulumiUrn: urn,
            vpc: "vpc-local",
            listener: { protocol: "TCP", port: 80 },
            vmGroup: { port: 8080, vms: ["vm-1"] },
        });

        it("says to run `pulumi-spider recover` when the object there was made by this very resource", async () => {
            const first = await create(nlbImpl, nlbArgs(URN));
            await assert.rejects(create(nlbImpl, nlbArgs(URN)), (err: Error) => {
                assert.match(err.message, /^creating Nlb \(web-fixed\): .*already exists/);
                assert.match(
                    err.message,
                    /created by this very resource \(urn:pulumi:prod::shop::.*\).*npx pulumi-spider recover/,
                );
                return true;
            });
            await assert.rejects(create(nlbImpl, nlbArgs(OTHER)), (err: Error) => {
                assert.match(err.message, /already exists/);
                assert.doesNotMatch(err.message, /recover/, "another stack's object is no case for recover");
                return true;
            });
            await nlbImpl.delete(first.id, first.outs, {});
        });

        it("gives a Cluster's node groups the cluster's URN", async () => {
            const urn = "urn:pulumi:prod::shop::pulumi-nodejs:dynamic/spider:Cluster::k8s";
            const { id, outs } = await create(clusterImpl, {
                connection: conn,
                clusterName: "k8s-fixed",
                pulumiUrn: urn,
                version: "1.30",
                network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
                nodeGroups: [{ name: "default", vmSpec: "small", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 2 }],
            });
            const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as {
                clusters: Array<{ owner?: string; nodeGroups: Array<{ owner?: string }> }>;
            };
            assert.deepStrictEqual(
                state.clusters.map(c => [c.owner, ...c.nodeGroups.map(g => g.owner)]),
                [[urn, urn]],
            );
            assert.strictEqual(outs.pulumiUrn, urn);
            await clusterImpl.delete(id, outs, {});
        });
    });
});
