import { defineCapabilities } from "../../interface/capabilities";
import type { Capabilities, NameRule } from "../../interface/driver";

/** GCE resource names: RFC 1035 labels of 1–63 characters. */
export const GCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The driver names the parts of an NLB after it: `<name>-hc`, `-bs`, `-ip`, `-fr` and one
 * `<name>-ig-<zone letter>` instance group per zone. The longest suffix is 6 characters
 * (`-ig-` plus a zone suffix of up to 2), so the NLB name may use 63 - 6 = 57.
 */
export const NLB_NAME_MAX = 57;

const nlbName: NameRule = {
    maxLength: NLB_NAME_MAX,
    pattern: GCE_NAME,
    description:
        `1-${NLB_NAME_MAX} characters: lowercase letters, digits and hyphens, ` +
        "starting with a letter and not ending with a hyphen " +
        "(GCE allows 63; the driver appends up to 6 characters such as `-ig-a` to name the parts it creates)",
};

const gkeName: NameRule = {
    maxLength: 40,
    pattern: /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
    description: "1-40 characters: lowercase letters, digits and hyphens, starting with a letter",
};

export const CLUSTER_UNSUPPORTED_REASON =
    "the gcp driver does not manage Kubernetes clusters (GKE) yet; " +
    "use the aws or local driver for Cluster and NodeGroup";

/** The shared base (interface/capabilities.ts) with what differs on GCE passthrough NLBs and the absent GKE. */
export const capabilities: Capabilities = defineCapabilities({
    driver: "gcp",
    nlb: {
        healthInterval: { min: 1, max: 300 },
        healthTimeout: { min: 1, max: 300 },
        healthThreshold: { min: 1, max: 10 },
        defaults: { interval: 5, timeout: 5, threshold: 2 },
        name: nlbName,
        traffic: {
            defaults: { crossZone: true, connectionDraining: 0, preserveClientIp: true, proxyProtocol: false },
            crossZone: [true],
            preserveClientIp: [true],
            proxyProtocol: [false],
            reasons: {
                crossZone: "a GCP passthrough NLB always spreads connections across the region's zones",
                preserveClientIp: "a GCP passthrough NLB always delivers the client's address",
                proxyProtocol: "a GCP passthrough NLB does not add PROXY protocol headers",
                securityGroups: "GCP load balancers carry no security groups; firewall rules are separate",
            },
        },
        securityGroups: false,
        inPlace: { subnets: false, securityGroups: false },
        // A forwarding rule's ports and protocol are immutable: the driver deletes and re-inserts it.
        inPlaceNotes: {
            changeListener:
                "deletes and re-inserts the forwarding rule: same IP and id, no forwarding for a few seconds",
            changeVmGroupInfo: "a protocol change re-inserts the forwarding rule too",
        },
        exclusiveVmMembership: true,
    },
    cluster: {
        supported: false,
        reason: CLUSTER_UNSUPPORTED_REASON,
        name: gkeName,
        nodeGroupName: gkeName,
        versions: [],
        maxNodeSize: 0,
        inPlace: { version: false, scaling: false, autoScaling: false, nodeGroups: false, tags: false, network: false },
        allowsNoNodeGroups: false,
    },
});
