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

/** GKE cluster names: 1-40 characters (the Kubernetes Engine API's limit). */
const gkeName: NameRule = {
    maxLength: 40,
    pattern: /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
    description:
        "1-40 characters: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen",
};

/** Node pool names: 1-40 characters as well (GKE appends them to the instance group names it makes). */
const poolName: NameRule = { ...gkeName };

/** GKE's release channels offer three minors at a time; the driver takes MAJOR.MINOR and GKE picks the patch. */
export const GKE_VERSIONS = ["1.33", "1.34", "1.35"];

/** The shared base (interface/capabilities.ts) with what differs on GCE passthrough NLBs and on GKE. */
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
        name: gkeName,
        nodeGroupName: poolName,
        versions: GKE_VERSIONS,
        // GKE: 1000 nodes per node pool per zone (and 15000 per cluster); the bound counts the whole pool.
        maxNodeSize: 1000,
        inPlace: { network: false, machines: true },
        inPlaceNotes: {
            changeNodeGroupMachines: "nodes recreated by a surge upgrade; the node pool is kept",
            upgradeCluster: "control plane one minor version at a time, then each node pool in turn",
        },
        logTypes: ["api", "controllerManager", "scheduler"],
        // GKE: one machine type per node pool; up to 50 master authorized networks.
        limits: { taints: 50, vmSpecs: 1, publicCidrs: 50 },
        allowsNoNodeGroups: false,
        privateEndpoint: false,
        maxUnavailablePercent: false,
        reasons: {
            privateEndpoint:
                "the gcp driver manages GKE clusters with a public endpoint; private clusters are not built yet",
            maxUnavailablePercent: "GKE's upgradeSettings.maxUnavailable is a node count",
        },
    },
});
