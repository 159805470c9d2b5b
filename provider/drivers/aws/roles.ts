/**
 * IAM roles EKS needs: the cluster role (assumed by eks.amazonaws.com) and the node role
 * (assumed by ec2.amazonaws.com). Explicit ARNs win; otherwise one role of each kind is created
 * once per account under a well-known name with the documented AWS managed policies, and later
 * calls reuse it (re-attaching any policy someone detached).
 */
import {
    AttachRolePolicyCommand,
    CreateRoleCommand,
    GetRoleCommand,
    ListAttachedRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { CloudApiError } from "../../interface/errors";
import { AwsSession, aws, errorCode, isAwsNotFound, partitionOf } from "./clients";

export const CLUSTER_ROLE_NAME = "spider-eks-cluster-role";
export const NODE_ROLE_NAME = "spider-eks-node-role";

/** Config keys (stack config `spider:<key>`) or environment variables naming existing roles. */
export const ROLE_OPTIONS = {
    cluster: { config: "awsClusterRoleArn", env: "SPIDER_AWS_CLUSTER_ROLE_ARN" },
    node: { config: "awsNodeRoleArn", env: "SPIDER_AWS_NODE_ROLE_ARN" },
} as const;

const MANAGED_POLICIES = {
    cluster: ["AmazonEKSClusterPolicy"],
    node: ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"],
};

const PRINCIPALS = { cluster: "eks.amazonaws.com", node: "ec2.amazonaws.com" };

export interface RoleRef {
    arn: string;
    /** True when this call created the role (IAM needs a moment before EKS can assume it). */
    created: boolean;
}

export async function ensureRole(session: AwsSession, kind: "cluster" | "node", what: string): Promise<RoleRef> {
    const opt = ROLE_OPTIONS[kind];
    const explicit = session.ctx.config?.[opt.config] || process.env[opt.env];
    if (explicit) return { arn: explicit, created: false };

    const name = kind === "cluster" ? CLUSTER_ROLE_NAME : NODE_ROLE_NAME;
    const partition = partitionOf(session.clients.region);
    const policies = MANAGED_POLICIES[kind].map(p => `arn:${partition}:iam::aws:policy/${p}`);
    const iam = session.clients.iam;
    let arn: string | undefined;
    let created = false;
    try {
        arn = (await aws(what, () => iam.send(new GetRoleCommand({ RoleName: name })))).Role?.Arn;
    } catch (err) {
        if (!isAwsNotFound(err)) throw err;
    }
    let attached: string[] = [];
    if (arn) {
        attached = (
            (await aws(what, () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))))
                .AttachedPolicies ?? []
        ).map(p => p.PolicyArn ?? "");
    } else {
        session.log(`${what}: creating IAM role ${name} for ${PRINCIPALS[kind]}`);
        try {
            arn = (
                await aws(what, () =>
                    iam.send(
                        new CreateRoleCommand({
                            RoleName: name,
                            Description: `pulumi-spider: EKS ${kind} role`,
                            AssumeRolePolicyDocument: JSON.stringify({
                                Version: "2012-10-17",
                                Statement: [
                                    {
                                        Effect: "Allow",
                                        Principal: { Service: PRINCIPALS[kind] },
                                        Action: "sts:AssumeRole",
                                    },
                                ],
                            }),
                            Tags: [{ Key: "spider:managed", Value: "true" }],
                        }),
                    ),
                )
            ).Role?.Arn;
            created = true;
        } catch (err) {
            // Another program created it between our GetRole and CreateRole: use theirs.
            if (errorCode((err as { cause?: unknown }).cause) !== "EntityAlreadyExists") throw err;
            arn = (await aws(what, () => iam.send(new GetRoleCommand({ RoleName: name })))).Role?.Arn;
        }
    }
    if (!arn) throw new CloudApiError(`${what}: IAM returned no ARN for role ${name}`);
    for (const policy of policies.filter(p => !attached.includes(p))) {
        await aws(what, () => iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy })));
    }
    return { arn, created };
}
