import { defineCapabilities } from "../../interface/capabilities";
import type { Capabilities, Connection, Driver, DriverContext } from "../../interface/driver";
import { bindClusterHandler, bindNlbHandler } from "../../interface/driver";
import * as clusterOperations from "./cluster";
import * as nlbOperations from "./nlb";
import { openSession } from "./ops";

export { LocalCloud } from "./store";

/**
 * The local driver: an embedded cloud whose state lives in files (`conn.localStateDir`, default
 * `./.spider-local`), so it survives across separate `pulumi` runs.
 *
 * Its limits deliberately mirror the real clouds so a program written against it ports to AWS:
 * - NLB names follow the AWS load balancer rule (≤ 32 characters, letters, digits and hyphens,
 *   no leading/trailing hyphen, not starting with "internal-").
 * - Only REGION scope exists (GLOBAL is unsupported, as on AWS NLBs and GCP passthrough NLBs).
 * - A listener forwards only to a VM group of the same protocol (TCP→TCP, UDP→UDP).
 * - Health checks: TCP, HTTP or HTTPS; interval 5–300 s, timeout 2–120 s and at most the interval,
 *   threshold 2–10. Omitted values default to interval 10 s, timeout 5 s, threshold 3; an omitted
 *   port probes the VM group port (and follows it when that port changes); HTTP(S) path "/".
 * - Clusters: name ≤ 100, node group name ≤ 63, both `^[a-zA-Z][a-zA-Z0-9-]*$`; Kubernetes
 *   1.28–1.31, upgraded one minor version at a time; at most 100 nodes per node group.
 * Every change is applied in place.
 */
export const capabilities: Capabilities = defineCapabilities({
    driver: "local",
    nlb: {
        // The health ranges are the shared ELBv2 ones; only the defaults differ.
        defaults: { interval: 10, timeout: 5, threshold: 3 },
        // As on AWS.
        traffic: {
            clientIpAlwaysPreservedFor: ["UDP"],
            reasons: { preserveClientIp: "ELBv2 always preserves client IPs for UDP target groups" },
        },
        name: {
            maxLength: 32,
            pattern: /^(?!internal-)[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
            description:
                "1–32 letters, digits and hyphens, not starting or ending with a hyphen " +
                'and not starting with "internal-" (the AWS load balancer name rule)',
        },
    },
    cluster: {
        name: {
            maxLength: 100,
            pattern: /^[a-zA-Z][a-zA-Z0-9-]*$/,
            description: "1–100 letters, digits and hyphens, starting with a letter",
        },
        nodeGroupName: {
            maxLength: 63,
            pattern: /^[a-zA-Z][a-zA-Z0-9-]*$/,
            description: "1–63 letters, digits and hyphens, starting with a letter",
        },
        versions: ["1.28", "1.29", "1.30", "1.31"],
        maxNodeSize: 100,
    },
});

export function open(conn: Connection, ctx: DriverContext): Driver {
    const session = openSession(conn, ctx, capabilities);
    return {
        nlb: bindNlbHandler(session, nlbOperations),
        cluster: bindClusterHandler(session, clusterOperations),
    };
}
