/**
 * The `aws` driver: ELBv2 network load balancers and EKS clusters, over the AWS SDK v3.
 * Connection: `region` (default AWS_REGION, then us-east-1) and `endpoint` (an emulator such as
 * moto, used for every service). Credentials come from the SDK's default chain unless the stack
 * config carries `awsAccessKeyId`/`awsSecretAccessKey`[/`awsSessionToken`] or `awsProfile`.
 * EKS roles: `awsClusterRoleArn` / `awsNodeRoleArn` in the config (or SPIDER_AWS_CLUSTER_ROLE_ARN /
 * SPIDER_AWS_NODE_ROLE_ARN) name existing roles; otherwise the driver creates them once.
 */
import type { Capabilities, ClusterReq, Connection, Driver, DriverContext, NlbReq } from "../../interface/driver";
import { bindClusterHandler, bindNlbHandler } from "../../interface/driver";
import type { FieldIssue } from "../../interface/errors";
import { defineCapabilities } from "../../interface/capabilities";
import { makeSession } from "./clients";
import * as clusterOperations from "./cluster";
import * as nlbOperations from "./nlb";
import {
    CLUSTER_NAME,
    CONNECTION_DRAINING,
    EKS_VERSIONS,
    HEALTH,
    MAX_NODE_GROUP_SIZE,
    NLB_NAME,
    NODE_GROUP_NAME,
    TRAFFIC_DEFAULTS,
    validateCluster as validateClusterReq,
    validateNlb as validateNlbReq,
} from "./validate";

export const capabilities: Capabilities = defineCapabilities({
    driver: "aws",
    nlb: {
        defaults: HEALTH.defaults,
        name: NLB_NAME,
        traffic: {
            defaults: TRAFFIC_DEFAULTS,
            connectionDraining: CONNECTION_DRAINING,
            clientIpAlwaysPreservedFor: ["UDP"],
            reasons: { preserveClientIp: "ELBv2 always preserves client IPs for UDP target groups" },
        },
        // A target group's port and protocol are immutable: a new group is made, the listener switched to it.
        inPlaceNotes: { changeVmGroupInfo: "swaps in a new target group; the listener keeps forwarding" },
    },
    cluster: {
        name: CLUSTER_NAME,
        nodeGroupName: NODE_GROUP_NAME,
        versions: EKS_VERSIONS,
        maxNodeSize: MAX_NODE_GROUP_SIZE,
    },
});

/** Every ELBv2 rule an NLB request breaks (property paths like `healthChecker.interval`); no API calls. */
export function validateNlb(req: NlbReq): FieldIssue[] {
    return validateNlbReq(req);
}

/** Every EKS rule a cluster request breaks (property paths like `nodeGroups[0].maxNodeSize`); no API calls. */
export function validateCluster(req: ClusterReq): FieldIssue[] {
    return validateClusterReq(req);
}

export function open(conn: Connection, ctx: DriverContext): Driver {
    const session = makeSession(conn, ctx);
    return {
        nlb: bindNlbHandler(session, nlbOperations),
        cluster: bindClusterHandler(session, clusterOperations),
    };
}
