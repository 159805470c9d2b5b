/**
 * What every test and benchmark against moto shares: the region, credentials that can never reach
 * a real account, the environment a Pulumi host needs to use them, SDK clients pointed at moto,
 * and a VPC with instances to use as NLB backends.
 */
import {
    CreateSubnetCommand,
    CreateVpcCommand,
    DescribeImagesCommand,
    EC2Client,
    RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";

export const REGION = "us-east-1";
/** moto accepts any credentials; these make sure nothing ever reaches a real account. */
export const FAKE_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" };

/**
 * Environment for a process (the Pulumi CLI and its provider host) that talks to moto: the fake
 * credentials, and no shared config, credentials file or instance metadata that could add real ones.
 */
export const FAKE_AWS_ENV: Record<string, string> = {
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: FAKE_CREDENTIALS.sessionToken,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
};

export interface MotoClients {
    ec2: EC2Client;
    elb: ElasticLoadBalancingV2Client;
    eks: EKSClient;
    iam: IAMClient;
}

/** SDK clients on moto that never retry, so a test sees every emulator error as it happens. */
export function motoClients(endpoint: string): MotoClients {
    const common = { region: REGION, endpoint, credentials: FAKE_CREDENTIALS, maxAttempts: 1 };
    return {
        ec2: new EC2Client(common),
        elb: new ElasticLoadBalancingV2Client(common),
        eks: new EKSClient(common),
        iam: new IAMClient(common),
    };
}

/** Runs `count` t3.micro instances spread round-robin over `subnets`; returns their ids. */
export async function runInstances(ec2: EC2Client, subnets: string[], count: number): Promise<string[]> {
    const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ["amazon"] }))).Images?.[0]?.ImageId;
    if (!ami) throw new Error("moto offers no AMI to launch instances from");
    const vms: string[] = [];
    for (let i = 0; i < count; i++) {
        const run = await ec2.send(
            new RunInstancesCommand({
                ImageId: ami,
                InstanceType: "t3.micro",
                MinCount: 1,
                MaxCount: 1,
                SubnetId: subnets[i % subnets.length],
            }),
        );
        const id = run.Instances?.[0]?.InstanceId;
        if (!id) throw new Error("moto's RunInstances returned no instance id");
        vms.push(id);
    }
    return vms;
}

/**
 * A new VPC 10.`octet`.0.0/16 with one /24 subnet per zone suffix in `azs` ("a" → us-east-1a)
 * and `instances` instances spread over those subnets.
 */
export async function makeVpc(
    ec2: EC2Client,
    octet: number,
    azs: string[],
    instances: number,
): Promise<{ vpc: string; subnets: string[]; vms: string[] }> {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }))).Vpc?.VpcId;
    if (!vpc) throw new Error("moto's CreateVpc returned no VPC id");
    const subnets: string[] = [];
    for (const [i, az] of azs.entries()) {
        const id = (
            await ec2.send(
                new CreateSubnetCommand({
                    VpcId: vpc,
                    CidrBlock: `10.${octet}.${i}.0/24`,
                    AvailabilityZone: `${REGION}${az}`,
                }),
            )
        ).Subnet?.SubnetId;
        if (!id) throw new Error("moto's CreateSubnet returned no subnet id");
        subnets.push(id);
    }
    return { vpc, subnets, vms: await runInstances(ec2, subnets, instances) };
}
