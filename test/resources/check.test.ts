import * as assert from "assert";
import { checkCluster } from "../../provider/resources/cluster";
import { Props } from "../../provider/resources/common";
import { checkNlb } from "../../provider/resources/nlb";
import { checkNlbVmGroup } from "../../provider/resources/nlbVmGroup";
import { checkNodeGroup } from "../../provider/resources/nodeGroup";

const conn = { driver: "local" };
const nlb: Props = {
    connection: conn,
    vpc: "vpc-local",
    pulumiName: "web",
    listener: { protocol: "TCP", port: 80 },
    vmGroup: { protocol: "TCP", port: 8080, vms: ["vm-1"] },
};
const cluster: Props = {
    connection: conn,
    pulumiName: "k8s",
    version: "1.30",
    network: { vpc: "vpc-local", subnets: ["subnet-a", "subnet-b"] },
    nodeGroups: [{ name: "default", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 1, maxNodeSize: 3 }],
};
const nodeGroup: Props = {
    connection: conn,
    pulumiName: "gpu",
    cluster: "cls-1",
    vmSpec: "large",
    desiredNodeSize: 1,
    minNodeSize: 0,
    maxNodeSize: 4,
};
const vmGroup: Props = { connection: conn, nlb: "nlb-1", vms: ["vm-3"] };
const gcpConn = { driver: "gcp", project: "p", region: "us-central1" };
const gkeCluster: Props = {
    connection: gcpConn,
    pulumiName: "k8s",
    version: "1.34",
    network: { vpc: "default", subnets: ["default"] },
    nodeGroups: [{ name: "default", vmSpec: "e2-medium", desiredNodeSize: 3, minNodeSize: 3, maxNodeSize: 6 }],
};
const gkeNodeGroup: Props = { ...nodeGroup, connection: { ...gcpConn, zone: "us-central1-a" }, vmSpec: "e2-medium" };

type Checker = (olds: Props, news: Props) => { failures?: Array<{ property: string; reason: string }> };
const with_ = (base: Props, patch: Props): Props => JSON.parse(JSON.stringify({ ...base, ...patch })) as Props;

/** [title, checker, inputs, property the failure must name]. */
export const INVALID_INPUTS: Array<[string, Checker, Props, string]> = [
    ["listener port 70000", checkNlb, with_(nlb, { listener: { protocol: "TCP", port: 70000 } }), "listener.port"],
    ["listener port 0", checkNlb, with_(nlb, { listener: { protocol: "TCP", port: 0 } }), "listener.port"],
    ["listener port 80.5", checkNlb, with_(nlb, { listener: { protocol: "TCP", port: 80.5 } }), "listener.port"],
    ["listener port as text", checkNlb, with_(nlb, { listener: { protocol: "TCP", port: "80" } }), "listener.port"],
    [
        "unknown listener protocol",
        checkNlb,
        with_(nlb, { listener: { protocol: "SCTP", port: 80 } }),
        "listener.protocol",
    ],
    ["missing listener", checkNlb, with_(nlb, { listener: undefined }), "listener"],
    ["misspelt property listner", checkNlb, with_(nlb, { listner: { protocol: "TCP", port: 80 } }), "listner"],
    [
        "misspelt nested property prot",
        checkNlb,
        with_(nlb, { listener: { prot: "TCP", protocol: "TCP", port: 80 } }),
        "listener.prot",
    ],
    ["vm group port -1", checkNlb, with_(nlb, { vmGroup: { port: -1, vms: ["vm-1"] } }), "vmGroup.port"],
    [
        "vm group protocol incompatible with listener",
        checkNlb,
        with_(nlb, { vmGroup: { protocol: "UDP", port: 8080, vms: ["vm-1"] } }),
        "vmGroup.protocol",
    ],
    ["duplicate VM", checkNlb, with_(nlb, { vmGroup: { port: 8080, vms: ["vm-1", "vm-1"] } }), "vmGroup.vms[1]"],
    ["empty VM name", checkNlb, with_(nlb, { vmGroup: { port: 8080, vms: [""] } }), "vmGroup.vms[0]"],
    ["health interval 1 (below 5)", checkNlb, with_(nlb, { healthChecker: { interval: 1 } }), "healthChecker.interval"],
    ["health interval 301", checkNlb, with_(nlb, { healthChecker: { interval: 301 } }), "healthChecker.interval"],
    [
        "health timeout above interval",
        checkNlb,
        with_(nlb, { healthChecker: { interval: 10, timeout: 20 } }),
        "healthChecker.timeout",
    ],
    ["health threshold 11", checkNlb, with_(nlb, { healthChecker: { threshold: 11 } }), "healthChecker.threshold"],
    ["health protocol ICMP", checkNlb, with_(nlb, { healthChecker: { protocol: "ICMP" } }), "healthChecker.protocol"],
    [
        "health path on TCP check",
        checkNlb,
        with_(nlb, { healthChecker: { protocol: "TCP", path: "/x" } }),
        "healthChecker.path",
    ],
    [
        "health path without slash",
        checkNlb,
        with_(nlb, { healthChecker: { protocol: "HTTP", path: "x" } }),
        "healthChecker.path",
    ],
    [
        "unhealthy threshold 11",
        checkNlb,
        with_(nlb, { healthChecker: { unhealthyThreshold: 11 } }),
        "healthChecker.unhealthyThreshold",
    ],
    ["connection draining 3601 s", checkNlb, with_(nlb, { connectionDraining: 3601 }), "connectionDraining"],
    ["session affinity by cookie", checkNlb, with_(nlb, { sessionAffinity: "COOKIE" }), "sessionAffinity"],
    ["cross-zone not a boolean", checkNlb, with_(nlb, { crossZone: "yes" }), "crossZone"],
    [
        "client IP not preserved on UDP",
        checkNlb,
        with_(nlb, { listener: { protocol: "UDP", port: 53 }, vmGroup: { port: 53 }, preserveClientIp: false }),
        "preserveClientIp",
    ],
    [
        "cross-zone off on gcp",
        checkNlb,
        with_(nlb, { connection: { driver: "gcp", project: "p" }, crossZone: false }),
        "crossZone",
    ],
    [
        "proxy protocol on gcp",
        checkNlb,
        with_(nlb, { connection: { driver: "gcp", project: "p" }, proxyProtocol: true }),
        "proxyProtocol",
    ],
    [
        "client IP not preserved on gcp",
        checkNlb,
        with_(nlb, { connection: { driver: "gcp", project: "p" }, preserveClientIp: false }),
        "preserveClientIp",
    ],
    [
        "security groups on gcp",
        checkNlb,
        with_(nlb, { connection: { driver: "gcp", project: "p" }, securityGroups: ["sg-1"] }),
        "securityGroups",
    ],
    // GKE (gcp): the cloud's own sizing and the settings it does not offer, refused at preview.
    [
        "regional GKE node pool size that does not divide over three zones",
        checkCluster,
        with_(gkeCluster, {
            nodeGroups: [{ name: "default", vmSpec: "e2-medium", desiredNodeSize: 2, minNodeSize: 0, maxNodeSize: 3 }],
        }),
        "nodeGroups[0].desiredNodeSize",
    ],
    [
        "private endpoint on gcp",
        checkCluster,
        with_(gkeCluster, { endpointAccess: { public: true, private: true } }),
        "endpointAccess.private",
    ],
    [
        "security groups on a GKE cluster",
        checkCluster,
        with_(gkeCluster, { network: { vpc: "default", subnets: ["default"], securityGroups: ["sg-1"] } }),
        "network.securityGroups",
    ],
    ["audit logs on gcp", checkCluster, with_(gkeCluster, { logging: ["audit"] }), "logging[0]"],
    [
        "maxUnavailable as a percentage on gcp",
        checkNodeGroup,
        with_(gkeNodeGroup, { maxUnavailable: "33%" }),
        "maxUnavailable",
    ],
    [
        "two VM specs on gcp",
        checkNodeGroup,
        with_(gkeNodeGroup, { vmSpec: undefined, vmSpecs: ["e2-medium", "e2-standard-2"] }),
        "vmSpecs",
    ],
    ["GLOBAL scope", checkNlb, with_(nlb, { scope: "GLOBAL" }), "scope"],
    ["unknown type", checkNlb, with_(nlb, { type: "PRIVATE" }), "type"],
    ["name too long for AWS rules", checkNlb, with_(nlb, { nlbName: "a".repeat(33) }), "nlbName"],
    ["name with underscore", checkNlb, with_(nlb, { nlbName: "web_1" }), "nlbName"],
    ["missing vpc", checkNlb, with_(nlb, { vpc: undefined }), "vpc"],
    ["unknown driver", checkNlb, with_(nlb, { connection: { driver: "azure" } }), "connection.driver"],
    [
        "credentials in connection",
        checkNlb,
        with_(nlb, { connection: { driver: "local", secretKey: "x" } }),
        "connection.secretKey",
    ],
    ["tag value not a string", checkNlb, with_(nlb, { tags: { a: 1 } }), "tags.a"],
    ["timeouts not a number", checkNlb, with_(nlb, { timeouts: { create: "ten" } }), "timeouts.create"],
    ["NlbVmGroup without VMs", checkNlbVmGroup, with_(vmGroup, { vms: [] }), "vms"],
    ["NlbVmGroup without nlb", checkNlbVmGroup, with_(vmGroup, { nlb: undefined }), "nlb"],
    ["NlbVmGroup misspelt vm", checkNlbVmGroup, with_(vmGroup, { vm: ["vm-1"] }), "vm"],
    [
        "cluster min > max",
        checkCluster,
        with_(cluster, {
            nodeGroups: [{ name: "d", vmSpec: "small", desiredNodeSize: 2, minNodeSize: 4, maxNodeSize: 3 }],
        }),
        "nodeGroups[0].minNodeSize",
    ],
    [
        "cluster desired > max",
        checkCluster,
        with_(cluster, {
            nodeGroups: [{ name: "d", vmSpec: "small", desiredNodeSize: 5, minNodeSize: 1, maxNodeSize: 3 }],
        }),
        "nodeGroups[0].desiredNodeSize",
    ],
    [
        "cluster max 0",
        checkCluster,
        with_(cluster, {
            nodeGroups: [{ name: "d", vmSpec: "small", desiredNodeSize: 0, minNodeSize: 0, maxNodeSize: 0 }],
        }),
        "nodeGroups[0].maxNodeSize",
    ],
    [
        "cluster duplicate node group names",
        checkCluster,
        with_(cluster, {
            nodeGroups: [
                { name: "d", vmSpec: "small", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 1 },
                { name: "d", vmSpec: "small", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 1 },
            ],
        }),
        "nodeGroups[1].name",
    ],
    [
        "cluster node group without vmSpec",
        checkCluster,
        with_(cluster, { nodeGroups: [{ name: "d", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 1 }] }),
        "nodeGroups[0].vmSpec",
    ],
    ["cluster version 1.30.2", checkCluster, with_(cluster, { version: "1.30.2" }), "version"],
    ["cluster version not offered", checkCluster, with_(cluster, { version: "1.12" }), "version"],
    [
        "cluster without subnets",
        checkCluster,
        with_(cluster, { network: { vpc: "vpc-local", subnets: [] } }),
        "network.subnets",
    ],
    [
        "cluster misspelt nodeGroup field",
        checkCluster,
        with_(cluster, {
            nodeGroups: [
                { name: "d", vmSpec: "small", desiredNodeSize: 1, minNodeSize: 1, maxNodeSize: 1, maxNodes: 3 },
            ],
        }),
        "nodeGroups[0].maxNodes",
    ],
    ["node group autoscaling as text", checkNodeGroup, with_(nodeGroup, { onAutoScaling: "yes" }), "onAutoScaling"],
    [
        "node group desired < min",
        checkNodeGroup,
        with_(nodeGroup, { desiredNodeSize: 0, minNodeSize: 1 }),
        "desiredNodeSize",
    ],
    ["node group without cluster", checkNodeGroup, with_(nodeGroup, { cluster: undefined }), "cluster"],
    ["node group negative disk", checkNodeGroup, with_(nodeGroup, { rootDiskSize: -5 }), "rootDiskSize"],
    // Issue 13: Kubernetes' and EKS's rules for labels, taints, update config, capacity, endpoint access, logs.
    [
        "node group label under a reserved prefix",
        checkNodeGroup,
        with_(nodeGroup, { labels: { "kubernetes.io/role": "web" } }),
        "labels.kubernetes.io/role",
    ],
    [
        "node group label value with a space",
        checkNodeGroup,
        with_(nodeGroup, { labels: { team: "a b" } }),
        "labels.team",
    ],
    [
        "node group label key of 64 characters",
        checkNodeGroup,
        with_(nodeGroup, { labels: { ["k".repeat(64)]: "v" } }),
        `labels.${"k".repeat(64)}`,
    ],
    [
        "node group taint effect NoWhere",
        checkNodeGroup,
        with_(nodeGroup, { taints: [{ key: "gpu", effect: "NoWhere" }] }),
        "taints[0].effect",
    ],
    [
        "node group taint value of 64 characters",
        checkNodeGroup,
        with_(nodeGroup, { taints: [{ key: "gpu", value: "v".repeat(64), effect: "NoSchedule" }] }),
        "taints[0].value",
    ],
    [
        "node group taint listed twice",
        checkNodeGroup,
        with_(nodeGroup, {
            taints: [
                { key: "gpu", effect: "NoSchedule" },
                { key: "gpu", value: "x", effect: "NoSchedule" },
            ],
        }),
        "taints[1]",
    ],
    [
        "node group with 51 taints",
        checkNodeGroup,
        with_(nodeGroup, { taints: Array.from({ length: 51 }, (_, i) => ({ key: `t${i}`, effect: "NoExecute" })) }),
        "taints",
    ],
    ["node group maxUnavailable 0", checkNodeGroup, with_(nodeGroup, { maxUnavailable: 0 }), "maxUnavailable"],
    ["node group maxUnavailable 150%", checkNodeGroup, with_(nodeGroup, { maxUnavailable: "150%" }), "maxUnavailable"],
    [
        "node group capacityType RESERVED",
        checkNodeGroup,
        with_(nodeGroup, { capacityType: "RESERVED" }),
        "capacityType",
    ],
    [
        "node group with both vmSpec and vmSpecs",
        checkNodeGroup,
        with_(nodeGroup, { vmSpecs: ["small", "medium"] }),
        "vmSpecs",
    ],
    [
        "node group with 21 vmSpecs",
        checkNodeGroup,
        with_(nodeGroup, { vmSpec: undefined, vmSpecs: Array.from({ length: 21 }, (_, i) => `spec-${i}`) }),
        "vmSpecs",
    ],
    ["node group with empty subnets", checkNodeGroup, with_(nodeGroup, { subnets: [] }), "subnets"],
    [
        "cluster node group taint without effect",
        checkCluster,
        with_(cluster, {
            nodeGroups: [
                {
                    name: "d",
                    vmSpec: "small",
                    desiredNodeSize: 1,
                    minNodeSize: 1,
                    maxNodeSize: 1,
                    taints: [{ key: "a" }],
                },
            ],
        }),
        "nodeGroups[0].taints[0].effect",
    ],
    [
        "cluster endpoint with public and private access off",
        checkCluster,
        with_(cluster, { endpointAccess: { public: false, private: false } }),
        "endpointAccess.private",
    ],
    [
        "cluster public CIDR with host bits",
        checkCluster,
        with_(cluster, { endpointAccess: { publicCidrs: ["203.0.113.7/24"] } }),
        "endpointAccess.publicCidrs[0]",
    ],
    [
        "cluster public CIDRs without public access",
        checkCluster,
        with_(cluster, { endpointAccess: { public: false, private: true, publicCidrs: ["203.0.113.0/24"] } }),
        "endpointAccess.publicCidrs",
    ],
    [
        "cluster with 41 public CIDRs",
        checkCluster,
        with_(cluster, { endpointAccess: { publicCidrs: Array.from({ length: 41 }, (_, i) => `198.51.${i}.0/24`) } }),
        "endpointAccess.publicCidrs",
    ],
    ["cluster log type kubelet", checkCluster, with_(cluster, { logging: ["api", "kubelet"] }), "logging[1]"],
    ["cluster log type twice", checkCluster, with_(cluster, { logging: ["audit", "audit"] }), "logging[1]"],
];

describe("check", () => {
    describe("refuses invalid input at preview, naming the property", () => {
        for (const [title, fn, inputs, property] of INVALID_INPUTS) {
            it(title, () => {
                const r = fn({}, inputs);
                const props = (r.failures ?? []).map(f => f.property);
                assert.ok(
                    props.includes(property),
                    `expected a failure on ${property}, got ${JSON.stringify(r.failures)}`,
                );
            });
        }
    });

    it("refuses a traffic setting the cloud fixes, naming the property, the driver and why", () => {
        const r = checkNlb({}, with_(nlb, { connection: { driver: "gcp", project: "p" }, crossZone: false }));
        assert.deepStrictEqual(r.failures, [
            {
                property: "crossZone",
                reason:
                    "must be true on the gcp driver (a GCP passthrough NLB always spreads connections across the " +
                    "region's zones), got false",
            },
        ]);
    });

    it("reports every invalid field at once", () => {
        const r = checkNlb(
            {},
            with_(nlb, {
                listener: { protocol: "SCTP", port: 70000 },
                vmGroup: { port: 0 },
                healthChecker: { threshold: 99 },
            }),
        );
        assert.deepStrictEqual(
            (r.failures ?? []).map(f => f.property).sort(),
            [
                "healthChecker.port",
                "healthChecker.threshold",
                "listener.port",
                "listener.protocol",
                "vmGroup.port",
            ].sort(),
        );
    });

    it("fills every default so outputs and inputs compare field by field", () => {
        const r = checkNlb({}, nlb);
        assert.deepStrictEqual(r.failures, []);
        const i = r.inputs as Props;
        assert.deepStrictEqual(i.healthChecker, {
            protocol: "TCP",
            port: 8080,
            interval: 10,
            timeout: 5,
            threshold: 3,
            unhealthyThreshold: 3,
            path: "",
        });
        assert.strictEqual(i.type, "PUBLIC");
        assert.deepStrictEqual(
            [i.crossZone, i.connectionDraining, i.sessionAffinity, i.preserveClientIp, i.proxyProtocol],
            [false, 300, "NONE", true, false],
        );
        assert.deepStrictEqual(i.securityGroups, []);
        assert.strictEqual(i.scope, "REGION");
    });

    it("keeps a generated name across previews", () => {
        const first = checkNlb({}, nlb).inputs as Props;
        const again = checkNlb(first, nlb).inputs as Props;
        assert.strictEqual(again.nlbName, first.nlbName);
    });
});
