/**
 * One extended moto per test file, the aws driver pointed at it with fake credentials, and real
 * EC2 instances (RunInstances in the default VPC) to use as NLB backends.
 */
import {
    CreateSecurityGroupCommand,
    CreateSubnetCommand,
    DescribeSubnetsCommand,
    DescribeVpcsCommand,
    EC2Client,
} from "@aws-sdk/client-ec2";
import { EKSClient, ListClustersCommand, ListNodegroupsCommand } from "@aws-sdk/client-eks";
import {
    DescribeListenersCommand,
    DescribeLoadBalancersCommand,
    DescribeTargetGroupsCommand,
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import type { Connection, Driver, DriverContext } from "../../../provider/interface/driver";
import * as aws from "../../../provider/drivers/aws";
import type { ContractEnv } from "../../contract/env";
import { FAKE_CREDENTIALS, makeVpc, motoClients, REGION, runInstances } from "../../support/moto/fixtures";
import { MotoServer, RecordedCall, startMoto } from "../../support/moto/launch";

export const FAST_POLL = { minDelayMs: 5, maxDelayMs: 40 };

export interface AwsHarness {
    moto: MotoServer;
    conn: Connection;
    ctx: DriverContext;
    driver: Driver;
    clients: { ec2: EC2Client; elb: ElasticLoadBalancingV2Client; eks: EKSClient; iam: IAMClient };
    vpc: string;
    /** The default VPC's default subnets, one per AZ. */
    subnets: string[];
    /** Extras for the in-place network scenarios (see ContractEnv.network). */
    network: { sameZoneSubnet: string; otherVpcSubnet: string; securityGroups: [string, string] };
    vms: string[];
    log: string[];
    open(ctx?: Partial<DriverContext>): Driver;
    /** Recreates cloud state after a reset (moto's default VPC comes back; instances do not). */
    seed(): Promise<void>;
    uniqueName(prefix: string): string;
    inventory(): Promise<{ nlbs: number; clusters: number; other: number }>;
    /** Records the API calls `fn` makes. */
    record<T>(fn: () => Promise<T>): Promise<{ value: T; calls: RecordedCall[] }>;
    contractEnv(): ContractEnv;
    stop(): Promise<void>;
}

export async function startHarness(
    opts: { polls?: number; initialPolls?: number; vmCount?: number } = {},
): Promise<AwsHarness> {
    const moto = await startMoto({ polls: opts.polls ?? 2, initialPolls: opts.initialPolls ?? 0 });
    const saved = {
        id: process.env.AWS_ACCESS_KEY_ID,
        secret: process.env.AWS_SECRET_ACCESS_KEY,
        token: process.env.AWS_SESSION_TOKEN,
    };
    process.env.AWS_ACCESS_KEY_ID = FAKE_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDENTIALS.secretAccessKey;
    process.env.AWS_SESSION_TOKEN = FAKE_CREDENTIALS.sessionToken;

    const conn: Connection = { driver: "aws", region: REGION, endpoint: moto.endpoint };
    const log: string[] = [];
    const baseCtx: DriverContext = {
        log: line => log.push(line),
        config: { awsAccessKeyId: FAKE_CREDENTIALS.accessKeyId, awsSecretAccessKey: FAKE_CREDENTIALS.secretAccessKey },
        poll: FAST_POLL,
        timeouts: { create: 60_000, update: 60_000, delete: 60_000 },
    };
    const clients = motoClients(moto.endpoint);
    let counter = 0;
    const h: AwsHarness = {
        moto,
        conn,
        ctx: baseCtx,
        log,
        clients,
        vpc: "",
        subnets: [],
        vms: [],
        network: { sameZoneSubnet: "", otherVpcSubnet: "", securityGroups: ["", ""] },
        driver: aws.open(conn, baseCtx),
        open: ctx => aws.open(conn, { ...baseCtx, ...ctx }),
        seed: async () => {
            const vpcs = await clients.ec2.send(
                new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }),
            );
            h.vpc = vpcs.Vpcs?.[0]?.VpcId ?? "";
            if (!h.vpc) throw new Error("moto has no default VPC");
            const subnets =
                (
                    await clients.ec2.send(
                        new DescribeSubnetsCommand({
                            Filters: [
                                { Name: "vpc-id", Values: [h.vpc] },
                                { Name: "default-for-az", Values: ["true"] },
                            ],
                        }),
                    )
                ).Subnets ?? [];
            h.subnets = subnets.map(s => s.SubnetId as string).sort();
            h.vms = await runInstances(clients.ec2, h.subnets, opts.vmCount ?? 6);
            h.network = await seedNetworkExtras(
                clients.ec2,
                h.vpc,
                subnets.find(s => s.SubnetId === h.subnets[0])?.AvailabilityZone ?? "",
            );
        },
        uniqueName: prefix => `${prefix}-${(++counter).toString(36)}${Math.random().toString(16).slice(2, 6)}`,
        inventory: async () => {
            const lbs = (await clients.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
            const tgs = (await clients.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
            let listeners = 0;
            for (const lb of lbs) {
                listeners += (
                    (await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
                        .Listeners ?? []
                ).length;
            }
            const clusters = (await clients.eks.send(new ListClustersCommand({}))).clusters ?? [];
            let nodegroups = 0;
            for (const c of clusters)
                nodegroups += ((await clients.eks.send(new ListNodegroupsCommand({ clusterName: c }))).nodegroups ?? [])
                    .length;
            return { nlbs: lbs.length, clusters: clusters.length, other: tgs.length + listeners + nodegroups };
        },
        record: async fn => {
            await moto.recorder.start();
            try {
                const value = await fn();
                return { value, calls: await moto.recorder.calls() };
            } finally {
                await moto.recorder.stop();
            }
        },
        contractEnv: () => ({
            driver: h.driver,
            caps: aws.capabilities,
            vpc: h.vpc,
            subnets: h.subnets,
            vms: h.vms,
            vmSpec: "t3.medium",
            otherVmSpec: "t3a.medium",
            versions: ["1.29", "1.30"],
            network: h.network,
            uniqueName: prefix => h.uniqueName(prefix),
            inventory: () => h.inventory(),
        }),
        stop: async () => {
            await moto.stop();
            for (const [k, v] of [
                ["AWS_ACCESS_KEY_ID", saved.id],
                ["AWS_SECRET_ACCESS_KEY", saved.secret],
                ["AWS_SESSION_TOKEN", saved.token],
            ] as const) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        },
    };
    try {
        await h.seed();
    } catch (err) {
        await h.stop();
        throw err;
    }
    return h;
}

/** A second subnet in `zone` of the default VPC, a subnet of another VPC, two security groups of the default VPC. */
async function seedNetworkExtras(ec2: EC2Client, vpc: string, zone: string): Promise<AwsHarness["network"]> {
    const extra = await ec2.send(
        new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "172.31.128.0/20", AvailabilityZone: zone }),
    );
    const other = await makeVpc(ec2, 77, ["a"], 0);
    const group = async (name: string): Promise<string> =>
        (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: name, Description: "spider tests" })))
            .GroupId as string;
    return {
        sameZoneSubnet: extra.Subnet?.SubnetId as string,
        otherVpcSubnet: other.subnets[0],
        securityGroups: [await group("spider-cp-1"), await group("spider-cp-2")],
    };
}

/** Names of the actions in a recording, e.g. ["DescribeLoadBalancers", "ModifyListener"]. */
export function actions(calls: RecordedCall[]): string[] {
    return calls.map(c => c.action);
}

export function countOf(calls: RecordedCall[], action: string): number {
    return calls.filter(c => c.action === action).length;
}

const READ = /^(Describe|List|Get)/;

export function writes(calls: RecordedCall[]): string[] {
    return actions(calls).filter(a => !READ.test(a));
}

export function reads(calls: RecordedCall[]): string[] {
    return actions(calls).filter(a => READ.test(a));
}
