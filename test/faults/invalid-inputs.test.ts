/**
 * Invalid inputs fail at `pulumi preview`, naming the property, and make no cloud API call.
 *
 * The rows are test/resources/check.test.ts's INVALID_INPUTS (79 rows across Nlb, NlbVmGroup,
 * Cluster and NodeGroup, checked there at the provider level) plus AWS_ONLY_ROWS below, which pass
 * the generic checks and fail only in the aws driver's own validation. Every row is given the
 * aws connection, whose endpoint is the fault proxy in front of moto: the proxy and moto's
 * request recorder must both see zero requests after all the previews.
 *
 * Pulumi stops a preview at the first resource whose check fails, but one resource's check
 * reports all its invalid fields at once. So rows of the same kind that break different
 * properties are merged into one resource (verified in-process with the same check function
 * before use: a merge is kept only if the merged inputs still fail on every merged row's
 * property), and each merged resource gets its own stack and preview.
 */
import * as assert from "assert";
import * as path from "path";
import { checkCluster } from "../../provider/resources/cluster";
import type { Props } from "../../provider/resources/common";
import { batchRows, Batch, Checker, CHECKERS, Row } from "./batch";
import { checkNlb } from "../../provider/resources/nlb";
import { INVALID_INPUTS } from "../resources/check.test";
import { FaultProxy, startFaultProxy } from "../support/faultProxy";
import { FAKE_AWS_ENV } from "../support/moto/fixtures";
import { MotoServer, startMoto } from "../support/moto/launch";
import { mapLimit, PulumiWorkspace, RunResult, tail } from "./cli";

const AWS_NLB: Props = {
    pulumiName: "web",
    vpc: "vpc-0123456789abcdef0",
    listener: { protocol: "TCP", port: 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: ["i-0123456789abcdef0"] },
};
const AWS_CLUSTER: Props = {
    pulumiName: "k8s",
    version: "1.30",
    network: { vpc: "vpc-0123456789abcdef0", subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] },
    nodeGroups: [{ name: "default", vmSpec: "t3.medium", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 3 }],
};
const patch = (base: Props, p: Props): Props => JSON.parse(JSON.stringify({ ...base, ...p })) as Props;

/** Rows valid for the generic checks that only the aws driver's validation refuses. */
const AWS_ONLY_ROWS: Array<[string, Checker, Props, string]> = [
    ["aws: vpc that is not a VPC id", checkNlb, patch(AWS_NLB, { vpc: "vpc-local" }), "vpc"],
    [
        "aws: VM that is not an instance id",
        checkNlb,
        patch(AWS_NLB, { vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1"] } }),
        "vmGroup.vms[0]",
    ],
    ["aws: subnet that is not a subnet id", checkNlb, patch(AWS_NLB, { subnets: ["subnet-a"] }), "subnets[0]"],
    ["aws: reserved tag prefix", checkNlb, patch(AWS_NLB, { tags: { "aws:owner": "me" } }), "tags.aws:owner"],
    [
        "aws: node vmSpec that is not an instance type",
        checkCluster,
        patch(AWS_CLUSTER, {
            nodeGroups: [{ name: "default", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 3 }],
        }),
        "nodeGroups[0].vmSpec",
    ],
    [
        "aws: rootDiskType without a launch template",
        checkCluster,
        patch(AWS_CLUSTER, {
            nodeGroups: [
                {
                    name: "default",
                    vmSpec: "t3.medium",
                    rootDiskType: "gp3",
                    desiredNodeSize: 2,
                    minNodeSize: 1,
                    maxNodeSize: 3,
                },
            ],
        }),
        "nodeGroups[0].rootDiskType",
    ],
];

function awsConnection(conn: unknown, endpoint: string): unknown {
    if (conn && typeof conn === "object" && (conn as Props).driver === "local")
        return { ...(conn as Props), driver: "aws", region: "us-east-1", endpoint };
    if (conn === undefined) return { driver: "aws", region: "us-east-1", endpoint };
    return conn;
}

describe("faults: invalid inputs fail at preview with no cloud API call", function () {
    this.timeout(600_000);
    let moto: MotoServer;
    let proxy: FaultProxy;
    let ws: PulumiWorkspace;
    let rows: Row[];
    let batches: Batch[];
    let results: RunResult[];
    let passed = false;

    before(async () => {
        moto = await startMoto({ polls: 0 });
        proxy = await startFaultProxy({ target: moto.endpoint, style: "aws", maxLifetimeMs: 10 * 60_000 });
        rows = [...INVALID_INPUTS, ...AWS_ONLY_ROWS].map(([title, check, inputs, property]) => {
            const kind = CHECKERS.find(([c]) => c === check)?.[1];
            if (!kind) throw new Error(`row "${title}": unknown checker`);
            const converted = { ...inputs, connection: awsConnection(inputs.connection, proxy.endpoint) } as Props;
            delete converted.pulumiName;
            return { title, kind, check, inputs: converted, property };
        });
        batches = batchRows(rows);
        ws = PulumiWorkspace.create(path.join(__dirname, "programs", "invalid"), "faults-invalid", FAKE_AWS_ENV);
        await moto.recorder.start();
        await ws.initStack("invalid");
        // Previews take no stack lock: they run side by side, each with its own spec file.
        batches.forEach((b, i) =>
            ws.writeJson(`spec.b${i}.json`, {
                resources: [{ kind: b.kind, name: `bad-${b.kind.toLowerCase()}-${i}`, args: b.inputs }],
            }),
        );
        results = await mapLimit(batches, 3, (_b, i) =>
            ws.preview("invalid", [], { check: false, timeoutMs: 180_000, env: { SPIDER_SPEC: `spec.b${i}.json` } }),
        );
    });

    after(async () => {
        await moto?.recorder.stop().catch(() => undefined);
        await proxy?.stop();
        await moto?.stop();
        if (ws && passed) ws.remove();
    });

    it("covers at least 30 invalid inputs across all four resources", () => {
        assert.ok(rows.length >= 30, `only ${rows.length} rows`);
        assert.deepStrictEqual([...new Set(rows.map(r => r.kind))].sort(), [
            "Cluster",
            "Nlb",
            "NlbVmGroup",
            "NodeGroup",
        ]);
        console.log(`      ${rows.length} invalid inputs in ${batches.length} previews`);
        if (process.env.SPIDER_FAULTS_DEBUG)
            batches.forEach((b, i) => console.log(`        ${i} ${b.kind}: ${b.rows.map(r => r.property).join(", ")}`));
    });

    it("every preview fails and names each invalid property", () => {
        const missing: string[] = [];
        batches.forEach((b, i) => {
            const res = results[i];
            assert.notStrictEqual(
                res.code,
                0,
                `preview of batch ${i} (${b.rows.map(r => r.title).join("; ")}) succeeded:\n${tail(res.output, 30)}`,
            );
            for (const r of b.rows) {
                if (!res.output.includes(`property ${r.property} value`))
                    missing.push(
                        `${r.kind}: ${r.title} (expected property ${r.property}) in batch ${i}:\n${tail(res.output, 20)}`,
                    );
            }
        });
        assert.deepStrictEqual(missing, []);
    });

    it("no preview made a cloud API call (proxy and moto recorder both saw none)", async () => {
        assert.strictEqual(
            proxy.stats().requests,
            0,
            `requests through the proxy: ${JSON.stringify(proxy.log().map(e => e.action))}`,
        );
        const recorded = await moto.recorder.calls();
        assert.deepStrictEqual(
            recorded.map(c => `${c.service}:${c.action}`),
            [],
        );
        passed = true;
    });
});
