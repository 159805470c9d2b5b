/**
 * The end-to-end scenarios on the aws driver, against the extended moto (test/support/moto):
 * moto runs on 127.0.0.1 for this file only and is stopped by PID afterwards. The test makes a
 * VPC with three subnets (one per AZ) and six instances, plus a second VPC with an instance of
 * its own; the Pulumi provider host reaches moto through `connection.endpoint` with fake
 * credentials from the environment. Inventory counts and out-of-band drift go through the AWS SDK.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
    DescribeNodegroupCommand,
    DescribeUpdateCommand,
    ListClustersCommand,
    ListNodegroupsCommand,
    UpdateNodegroupConfigCommand,
} from "@aws-sdk/client-eks";
import {
    DeleteLoadBalancerCommand,
    DeleteTargetGroupCommand,
    DescribeListenersCommand,
    DescribeLoadBalancersCommand,
    DescribeTargetGroupsCommand,
    ModifyListenerCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateSecurityGroupCommand, CreateSubnetCommand } from "@aws-sdk/client-ec2";
import type { Connection, DriverContext } from "../../provider/interface/driver";
import * as aws from "../../provider/drivers/aws";
import { waitUntil } from "../../provider/interface/wait";
import { FAKE_AWS_ENV, FAKE_CREDENTIALS, makeVpc, motoClients, REGION } from "../support/moto/fixtures";
import { MotoServer, startMoto } from "../support/moto/launch";
import { isRunning } from "../support/process";
import { describeE2E } from "./scenarios";

describeE2E(
    "aws on moto",
    async () => {
        let moto: MotoServer;
        try {
            moto = await startMoto({ polls: 1, initialPolls: 0 });
        } catch (err) {
            throw new Error(
                `MOTO DID NOT START; the aws end-to-end scenarios cannot run:\n${(err as Error).stack ?? String(err)}`,
            );
        }
        const stop = async () => {
            await moto.stop();
            assert.ok(!isRunning(moto.pid), `moto (pid ${moto.pid}) is still running after stop()`);
        };
        try {
            const { ec2, elb, eks } = motoClients(moto.endpoint);
            const main = await makeVpc(ec2, 43, ["a", "b", "c"], 6);
            const alt = await makeVpc(ec2, 44, ["a"], 1);
            // For the in-place network steps: a second subnet in the first one's zone, two security groups.
            const sameZone = await ec2.send(
                new CreateSubnetCommand({ VpcId: main.vpc, CidrBlock: "10.43.9.0/24", AvailabilityZone: `${REGION}a` }),
            );
            const group = async (name: string) =>
                (
                    await ec2.send(
                        new CreateSecurityGroupCommand({ VpcId: main.vpc, GroupName: name, Description: "e2e" }),
                    )
                ).GroupId as string;
            const network = {
                sameZoneSubnet: sameZone.Subnet?.SubnetId as string,
                securityGroups: [await group("e2e-cp-1"), await group("e2e-cp-2")] as [string, string],
            };

            const connection: Connection = { driver: "aws", region: REGION, endpoint: moto.endpoint };
            const ctx: DriverContext = {
                log: () => undefined,
                config: {
                    awsAccessKeyId: FAKE_CREDENTIALS.accessKeyId,
                    awsSecretAccessKey: FAKE_CREDENTIALS.secretAccessKey,
                },
                poll: { minDelayMs: 10, maxDelayMs: 100 },
                timeouts: { create: 120_000, update: 120_000, delete: 120_000 },
            };

            return {
                connection: { ...connection },
                caps: aws.capabilities,
                driver: aws.open(connection, ctx),
                vpc: main.vpc,
                subnets: main.subnets,
                vms: main.vms,
                vmSpec: "t3.medium",
                vmSpecAlt: "t3.large",
                versions: ["1.29", "1.30"],
                altVpc: { vpc: alt.vpc, vms: alt.vms },
                network,
                updates: async () =>
                    (await moto.updates()).map(u => ({
                        cluster: u.cluster,
                        type: u.type,
                        nodegroup: u.nodegroup,
                        startedAt: u.startedAt,
                        doneAt: u.doneAt,
                        version: u.params.find(p => p.type === "Version")?.value ?? "",
                    })),
                processEnv: {
                    ...FAKE_AWS_ENV,
                    // moto settles within a poll or two: poll it quickly (read by the provider host).
                    SPIDER_POLL_MIN_MS: "20",
                    SPIDER_POLL_MAX_MS: "200",
                },
                configSecrets: {
                    "spider:awsSecretAccessKey": `FAKE-E2E-SECRET-${crypto.randomBytes(6).toString("hex")}-aws-config`,
                },
                inventory: async () => {
                    let nlbs = 0;
                    let marker: string | undefined;
                    do {
                        const page = await elb.send(new DescribeLoadBalancersCommand({ Marker: marker }));
                        nlbs += (page.LoadBalancers ?? []).length;
                        marker = page.NextMarker;
                    } while (marker);
                    const clusters = (await eks.send(new ListClustersCommand({}))).clusters ?? [];
                    let nodeGroups = 0;
                    for (const c of clusters)
                        nodeGroups += ((await eks.send(new ListNodegroupsCommand({ clusterName: c }))).nodegroups ?? [])
                            .length;
                    return { nlbs, clusters: clusters.length, nodeGroups };
                },
                outOfBand: {
                    // Straight through the AWS APIs, as a console user would, bypassing the driver.
                    setListenerPort: async (nlb, protocol, port) => {
                        const listeners =
                            (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: nlb.id }))).Listeners ?? [];
                        assert.equal(listeners.length, 1, `listeners of ${nlb.id}`);
                        await elb.send(
                            new ModifyListenerCommand({
                                ListenerArn: listeners[0].ListenerArn,
                                Protocol: protocol,
                                Port: port,
                            }),
                        );
                    },
                    setNodeGroupScaling: async (cluster, ng, s) => {
                        const clusterName = cluster.name;
                        const upd = await eks.send(
                            new UpdateNodegroupConfigCommand({
                                clusterName,
                                nodegroupName: ng.name,
                                scalingConfig: {
                                    desiredSize: s.desiredNodeSize,
                                    minSize: s.minNodeSize,
                                    maxSize: s.maxNodeSize,
                                },
                            }),
                        );
                        // As the console does: follow the update (moto applies it after a few DescribeUpdate polls).
                        await waitUntil(
                            async () => {
                                const u = (
                                    await eks.send(
                                        new DescribeUpdateCommand({
                                            name: clusterName,
                                            nodegroupName: ng.name,
                                            updateId: upd.update!.id!,
                                        }),
                                    )
                                ).update;
                                if (u?.status === "Failed" || u?.status === "Cancelled")
                                    throw new Error(`out-of-band scaling of ${ng.name}: update ${u.status}`);
                                return u?.status === "Successful"
                                    ? { done: true, value: undefined }
                                    : { done: false, state: String(u?.status) };
                            },
                            {
                                timeoutMs: 60_000,
                                minDelayMs: 20,
                                maxDelayMs: 200,
                                what: `node group ${ng.name} to scale`,
                            },
                        );
                        const d = (
                            await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: ng.name }))
                        ).nodegroup;
                        assert.equal(
                            d?.scalingConfig?.desiredSize,
                            s.desiredNodeSize,
                            "out-of-band scaling reached moto",
                        );
                    },
                    deleteNlb: async nlb => {
                        const tgs =
                            (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: nlb.id })))
                                .TargetGroups ?? [];
                        await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: nlb.id }));
                        for (const tg of tgs)
                            await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
                    },
                },
                injectFault: async op => {
                    assert.equal(op, "createNlb");
                    await moto.injectFault({
                        service: "elasticloadbalancing",
                        action: "CreateLoadBalancer",
                        count: 1,
                        status: 400,
                        code: "InvalidConfigurationRequest",
                        message: "injected by the e2e test",
                    });
                },
                cleanup: stop,
            };
        } catch (err) {
            await stop();
            throw err;
        }
    },
    aws.capabilities,
);
