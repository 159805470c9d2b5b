/**
 * Counts the AWS API calls each aws-driver operation makes, using moto's request recorder, and
 * writes bench/aws-api-calls.md next to the lower bound of calls each operation needs.
 *
 *   npx ts-node bench/aws-api-calls.ts
 *
 * moto runs with transitional polls = 0, so every wait polls exactly once: the numbers are the
 * fixed cost of an operation; on AWS each wait adds polls for as long as the cloud takes.
 */
import * as fs from "fs";
import * as path from "path";
import {
    DescribeImagesCommand,
    DescribeSubnetsCommand,
    DescribeVpcsCommand,
    EC2Client,
    RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import type { ClusterReq, Driver, NlbReq, NodeGroupReq } from "../provider/interface/driver";
import * as aws from "../provider/drivers/aws";
import { MotoServer, RecordedCall, startMoto } from "../test/support/moto/launch";

const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

interface Bound {
    reads: number;
    writes: number;
    why: string;
}

interface Row {
    op: string;
    calls: RecordedCall[];
    bound: Bound;
    note?: string;
}

const READ = /^(Describe|List|Get)/;

async function measure(moto: MotoServer, fn: () => Promise<unknown>): Promise<RecordedCall[]> {
    await moto.recorder.start();
    try {
        await fn();
        return await moto.recorder.calls();
    } finally {
        await moto.recorder.stop();
    }
}

function summarize(calls: RecordedCall[]): string {
    const counts = new Map<string, number>();
    for (const c of calls) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
    return [...counts].map(([a, n]) => (n > 1 ? `${a} ×${n}` : a)).join(", ");
}

async function main(): Promise<void> {
    const moto = await startMoto({ polls: 0 });
    try {
        const conn = { driver: "aws" as const, region: REGION, endpoint: moto.endpoint };
        const driver: Driver = aws.open(conn, {
            config: { awsAccessKeyId: CREDENTIALS.accessKeyId, awsSecretAccessKey: CREDENTIALS.secretAccessKey },
            poll: { minDelayMs: 5, maxDelayMs: 20 },
        });
        const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
        const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] })))
            .Vpcs?.[0]?.VpcId as string;
        const subnets = (
            (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }))).Subnets ?? []
        )
            .map(s => s.SubnetId as string)
            .sort();
        const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ["amazon"] }))).Images?.[0]?.ImageId as string;
        const vms: string[] = [];
        for (let i = 0; i < 6; i++) {
            const run = await ec2.send(
                new RunInstancesCommand({
                    ImageId: ami,
                    InstanceType: "t3.micro",
                    MinCount: 1,
                    MaxCount: 1,
                    SubnetId: subnets[i % subnets.length],
                }),
            );
            vms.push(run.Instances?.[0]?.InstanceId as string);
        }

        const rows: Row[] = [];
        const nlbReq: NlbReq = {
            iid: { nameId: "bench-nlb", systemId: "" },
            vpc,
            type: "PUBLIC",
            scope: "REGION",
            listener: { protocol: "TCP", port: 80 },
            vmGroup: { protocol: "TCP", port: 8080, vms: vms.slice(0, 3) },
            healthChecker: { protocol: "TCP" },
            tags: { team: "bench" },
        };
        let nlbIid = nlbReq.iid;
        const op = async (op: string, bound: Bound, fn: () => Promise<unknown>, note?: string): Promise<void> => {
            rows.push({ op, bound, note, calls: await measure(moto, fn) });
        };
        await op(
            "createNlb (3 VMs, subnets picked per AZ)",
            {
                reads: 3,
                writes: 4,
                why: "a name-uniqueness check (ELBv2 returns the existing LB for a repeated name instead of failing), one DescribeSubnets, ≥1 poll until active; one create per object and one RegisterTargets for all VMs",
            },
            async () => {
                nlbIid = (await driver.nlb.createNlb(nlbReq)).iid;
            },
        );
        await op(
            "getNlb",
            {
                reads: 7,
                writes: 0,
                why: "load balancer, listener, target group settings, registered targets, tags and the two attribute sets (traffic settings) come from seven different ELBv2 reads",
            },
            () => driver.nlb.getNlb(nlbIid),
        );
        await op(
            "changeListener (port)",
            {
                reads: 2,
                writes: 1,
                why: "the Iid holds only the LB ARN: DescribeListeners finds the listener, DescribeLoadBalancers gives the DNS name the result reports; one ModifyListener",
            },
            () => driver.nlb.changeListener(nlbIid, { protocol: "TCP", port: 81 }),
        );
        await op(
            "changeVmGroupInfo (port: target-group swap)",
            {
                reads: 5,
                writes: 4,
                why: "listener (which group it forwards to), old group settings, its targets, tags and attributes to copy; create group, register all targets, switch the listener, delete the old group (attributes at ELBv2's defaults need no ModifyTargetGroupAttributes)",
            },
            () => driver.nlb.changeVmGroupInfo(nlbIid, { protocol: "TCP", port: 9090 }),
        );
        await op(
            "changeListener (TCP→UDP, group follows)",
            {
                reads: 6,
                writes: 4,
                why: "as a port change plus the group settings, targets, tags and attributes; the swap's four writes, the listener's new protocol riding on the same ModifyListener",
            },
            () => driver.nlb.changeListener(nlbIid, { protocol: "UDP", port: 81 }),
        );
        await op(
            "changeHealthCheckerInfo",
            {
                reads: 1,
                writes: 1,
                why: "DescribeListeners for the target group ARN; ModifyTargetGroup returns the new settings",
            },
            () =>
                driver.nlb.changeHealthCheckerInfo(nlbIid, {
                    protocol: "HTTP",
                    path: "/healthz",
                    interval: 10,
                    timeout: 5,
                    threshold: 3,
                }),
        );
        await op(
            "changeTrafficSettings (four settings change)",
            {
                reads: 4,
                writes: 2,
                why: "listener → group ARN, group protocol (UDP keeps client IPs), both attribute sets to send only what differs; one ModifyLoadBalancerAttributes (cross-zone) and one ModifyTargetGroupAttributes for the other four",
            },
            () =>
                driver.nlb.changeTrafficSettings(nlbIid, {
                    crossZone: true,
                    connectionDraining: 10,
                    sessionAffinity: "CLIENT_IP",
                    // The listener is UDP by now, where ELBv2 always keeps client IPs.
                    preserveClientIp: true,
                    proxyProtocol: true,
                }),
        );
        await op(
            "addVms (3 VMs)",
            {
                reads: 3,
                writes: 1,
                why: "listener → group ARN, group protocol/port and its current targets for the returned VmGroupInfo; one RegisterTargets for all",
            },
            () => driver.nlb.addVms(nlbIid, vms.slice(3, 6)),
        );
        await op(
            "removeVms (2 VMs)",
            {
                reads: 3,
                writes: 1,
                why: "as addVms; one DeregisterTargets for all (VMs not attached are skipped, not sent)",
            },
            () => driver.nlb.removeVms(nlbIid, vms.slice(0, 2)),
        );
        await op(
            "getVmGroupHealthInfo",
            {
                reads: 2,
                writes: 0,
                why: "listener → group ARN, then DescribeTargetHealth",
            },
            () => driver.nlb.getVmGroupHealthInfo(nlbIid),
        );
        await op(
            "changeTags (one removed, one added)",
            {
                reads: 2,
                writes: 2,
                why: "listener and group ARNs (all three carry the tags) and the current tags; one RemoveTags and one AddTags for all ARNs",
            },
            () => driver.nlb.changeTags(nlbIid, { env: "ci" }),
        );
        await op(
            "deleteNlb",
            {
                reads: 2,
                writes: 3,
                why: "DescribeListeners (listener and group ARNs), ≥1 poll until gone; listener → target group → load balancer",
            },
            () => driver.nlb.deleteNlb(nlbIid),
            "+1 read: DescribeTargetGroups sweeps groups an interrupted create/swap left behind (found by name, confirmed by the spider:nlb tag)",
        );

        const ng = (name: string): NodeGroupReq => ({
            iid: { nameId: name, systemId: "" },
            image: "",
            vmSpec: "t3.medium",
            rootDiskType: "",
            rootDiskSize: 0,
            keyPair: "",
            onAutoScaling: true,
            desiredNodeSize: 2,
            minNodeSize: 1,
            maxNodeSize: 3,
        });
        const clusterReq = (name: string, version: string): ClusterReq => ({
            iid: { nameId: name, systemId: "" },
            version,
            network: { vpc, subnets: subnets.slice(0, 3), securityGroups: [] },
            nodeGroups: [ng(`${name}-ng`)],
            tags: { team: "bench" },
        });
        const c1 = { nameId: "bench-k8s-1", systemId: "" };
        const c2 = { nameId: "bench-k8s-2", systemId: "" };
        const ng1 = { nameId: "bench-k8s-1-ng", systemId: "" };
        await op(
            "createCluster (1 node group; first run creates the IAM roles)",
            {
                reads: 5,
                writes: 8,
                why: "GetRole ×2, ≥1 poll for the cluster and for the node group, DescribeInstances for the nodes; CreateRole ×2, AttachRolePolicy ×4 (1 + 3 managed policies), CreateCluster, CreateNodegroup",
            },
            () => driver.cluster.createCluster(clusterReq(c1.nameId, "1.29")),
        );
        await op(
            "createCluster (1 node group; roles exist)",
            {
                reads: 5,
                writes: 2,
                why: "GetRole ×2 (explicit role ARNs make it 3), ≥1 poll each for cluster and node group, DescribeInstances; CreateCluster, CreateNodegroup",
            },
            () => driver.cluster.createCluster(clusterReq(c2.nameId, "1.28")),
            "+2 reads: ListAttachedRolePolicies per role re-attaches a managed policy someone detached",
        );
        await op(
            "getCluster (1 node group)",
            {
                reads: 4,
                writes: 0,
                why: "DescribeCluster, ListNodegroups, DescribeNodegroup per group, DescribeInstances for the nodes",
            },
            () => driver.cluster.getCluster(c1),
        );
        await op(
            "changeNodeGroupScaling",
            {
                reads: 3,
                writes: 1,
                why: "≥1 DescribeUpdate, DescribeNodegroup for the result (the update carries no node group), DescribeInstances; one UpdateNodegroupConfig",
            },
            () =>
                driver.cluster.changeNodeGroupScaling(c1, ng1, { desiredNodeSize: 3, minNodeSize: 1, maxNodeSize: 4 }),
            "+1 read: the group is read first (autoscaling off means pinned sizes; unchanged sizes cost no update)",
        );
        await op(
            "setNodeGroupAutoScaling (off)",
            {
                reads: 4,
                writes: 2,
                why: "current sizes, ≥1 DescribeUpdate, the result and its nodes; TagResource remembers the bounds, UpdateNodegroupConfig pins min = max = desired",
            },
            () => driver.cluster.setNodeGroupAutoScaling(c1, ng1, false),
        );
        await op(
            "setNodeGroupAutoScaling (on)",
            {
                reads: 4,
                writes: 2,
                why: "as off; UpdateNodegroupConfig restores the bounds, UntagResource forgets them",
            },
            () => driver.cluster.setNodeGroupAutoScaling(c1, ng1, true),
        );
        await op(
            "changeNodeGroupConfig (labels + taints + maxUnavailable)",
            {
                reads: 4,
                writes: 1,
                why: "the group's current labels, taints and update config (additions and removals are computed from them), ≥1 DescribeUpdate, the result and its nodes; one UpdateNodegroupConfig carries labels, taints and update config together",
            },
            () =>
                driver.cluster.changeNodeGroupConfig(c1, ng1, {
                    labels: { role: "web" },
                    taints: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
                    maxUnavailable: "33%",
                }),
        );
        await op(
            "changeClusterAccess (endpoint access + logging)",
            {
                reads: 7,
                writes: 2,
                why: "current endpoint and logging (a kind already as wanted is not sent: EKS refuses no-op updates), ≥1 DescribeUpdate per update (2), the result: cluster, node groups, node group, nodes (4); EKS takes one update type per UpdateClusterConfig, so one for endpoint access and one for logging",
            },
            () =>
                driver.cluster.changeClusterAccess(c1, {
                    endpointAccess: { public: true, private: true, publicCidrs: ["203.0.113.0/24"] },
                    logging: ["api", "audit"],
                }),
        );
        await op(
            "upgradeCluster (one minor, 1 node group)",
            {
                reads: 8,
                writes: 2,
                why: "current version, node groups and their versions (3), ≥1 DescribeUpdate per update (2), the result: cluster, node group, nodes (3); UpdateClusterVersion, UpdateNodegroupVersion",
            },
            () => driver.cluster.upgradeCluster(c1, "1.30"),
        );
        await op(
            "upgradeCluster (two minors, 1 node group)",
            {
                reads: 10,
                writes: 4,
                why: "EKS takes the control plane one minor version per UpdateClusterVersion, and the node group must reach each minor before the next step (1.29 then 1.30): two UpdateClusterVersion and two UpdateNodegroupVersion, each waited on with one DescribeUpdate",
            },
            () => driver.cluster.upgradeCluster(c2, "1.30"),
        );
        await op(
            "deleteCluster (1 node group)",
            {
                reads: 3,
                writes: 2,
                why: "ListNodegroups, ≥1 poll until the group is gone, ≥1 poll until the cluster is gone; DeleteNodegroup, DeleteCluster",
            },
            () => driver.cluster.deleteCluster(c1),
        );
        await driver.cluster.deleteCluster(c2);

        const lines = [
            "# AWS API calls per driver operation",
            "",
            "Produced by `npx ts-node bench/aws-api-calls.ts` (extended moto from `test/support/moto`, request recorder on).",
            `Generated ${new Date().toISOString().slice(0, 10)}. moto ran with transitional polls = 0, so every wait polls exactly`,
            "once: the numbers are an operation's fixed cost. On AWS each wait adds DescribeX / DescribeUpdate polls",
            "(jittered backoff, 2–15 s for NLBs, 5–30 s for EKS) for as long as the cloud takes. Reads are",
            "Describe*/List*/Get*; everything else is a write. SDK retries (standard mode, 5 attempts) would add",
            "calls only under throttling or 5xx.",
            "",
            "| Operation | Reads | Writes | Lower bound (R / W) | Over the bound | Calls made |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ];
        for (const row of rows) {
            const reads = row.calls.filter(c => READ.test(c.action)).length;
            const writes = row.calls.length - reads;
            const over =
                reads === row.bound.reads && writes === row.bound.writes
                    ? "at the bound"
                    : (row.note ?? `reads +${reads - row.bound.reads}, writes +${writes - row.bound.writes}`);
            lines.push(
                `| ${row.op} | ${reads} | ${writes} | ${row.bound.reads} / ${row.bound.writes} | ${over} | ${summarize(row.calls)} |`,
            );
        }
        lines.push("", "## Why each lower bound", "");
        for (const row of rows)
            lines.push(`- **${row.op}** (${row.bound.reads} / ${row.bound.writes}): ${row.bound.why}.`);
        lines.push("");
        const out = path.join(__dirname, "aws-api-calls.md");
        fs.writeFileSync(out, lines.join("\n"));
        process.stdout.write(`${lines.slice(9, 11 + rows.length).join("\n")}\n\nwrote ${out}\n`);
    } finally {
        await moto.stop();
    }
}

main().catch(err => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
});
