import assert from "node:assert/strict";
import type { ClusterReq, NlbReq, NodeGroupReq } from "../../../provider/interface/driver";
import { capabilities, open, validateCluster, validateNlb, validateNodeGroup } from "../../../provider/drivers/gcp";
import { groupName, nlbNames } from "../../../provider/drivers/gcp/parts";
import { nlbRequest } from "./harness";

function request(overrides: Partial<NlbReq> = {}): NlbReq {
    return nlbRequest("web", overrides);
}

describe("gcp driver: capabilities and pure validation (no cloud)", function () {
    it("declares a regional passthrough NLB with TCP/HTTP/HTTPS health checks, and GKE clusters", function () {
        const nlb = capabilities.nlb;
        assert.deepEqual(nlb.types, ["PUBLIC", "INTERNAL"]);
        assert.deepEqual(nlb.scopes, ["REGION"]);
        assert.deepEqual(nlb.healthProtocols, ["TCP", "HTTP", "HTTPS"]);
        assert.deepEqual(nlb.compatibleProtocols, { TCP: ["TCP"], UDP: ["UDP"] });
        assert.equal(nlb.timeoutAtMostInterval, true);
        assert.deepEqual(
            [nlb.healthInterval, nlb.healthTimeout, nlb.healthThreshold],
            [
                { min: 1, max: 300 },
                { min: 1, max: 300 },
                { min: 1, max: 10 },
            ],
        );
        // Security groups do not exist on GCP load balancers: refused at preview, so never changed.
        const { subnets, securityGroups, ...rest } = nlb.inPlace;
        assert.ok(
            Object.values(rest).every(v => v),
            "every NLB change but subnets and security groups is in place",
        );
        assert.equal(subnets, false, "a forwarding rule's subnetwork is immutable: subnets replace");
        assert.equal(securityGroups, false);
        assert.equal(nlb.securityGroups, false);
        const cluster = capabilities.cluster;
        assert.equal(cluster.supported, true);
        // A GKE subnetwork is fixed at creation; machines change by recreating the nodes within the pool.
        assert.deepEqual([cluster.inPlace.network, cluster.inPlace.machines], [false, true]);
        assert.deepEqual([cluster.limits.vmSpecs, cluster.allowsNoNodeGroups], [1, false]);
        assert.deepEqual([cluster.privateEndpoint, cluster.maxUnavailablePercent], [false, false]);
    });

    it("limits the NLB name so every derived part name is a valid 63-character GCE name", function () {
        const longest = "a" + "b".repeat(capabilities.nlb.name.maxLength - 1);
        assert.equal(validateNlb(request({ iid: { nameId: longest, systemId: "" } })).length, 0);
        const derived = [
            ...Object.values(nlbNames(longest)).slice(1),
            groupName(longest, "us-central1", "us-central1-f"),
        ];
        for (const n of derived) assert.match(n, /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, n);
        const issues = validateNlb(request({ iid: { nameId: longest + "c", systemId: "" } }));
        assert.equal(issues[0]?.property, "iid.nameId");
        assert.match(issues[0].reason, /1-57 characters/);
    });

    it("reports every invalid field at once with its property path", function () {
        const issues = validateNlb(
            request({
                iid: { nameId: "Web_1", systemId: "" },
                vpc: "",
                scope: "GLOBAL",
                listener: { protocol: "TCP", port: 70000 },
                vmGroup: { protocol: "UDP", port: 0, vms: ["a/b/c", "vm-1"] },
                healthChecker: { protocol: "HTTP", interval: 5, timeout: 6, threshold: 11, path: "healthz" },
                tags: { Team: "x", ok: "Not Allowed" },
            }),
        );
        assert.deepEqual(
            issues.map(i => i.property),
            [
                "iid.nameId",
                "vpc",
                "scope",
                "listener.port",
                "vmGroup.protocol",
                "vmGroup.port",
                "vmGroup.vms[0]",
                "healthChecker.threshold",
                "healthChecker.timeout",
                "healthChecker.path",
                "tags.Team",
                "tags.ok",
            ],
        );
        assert.match(issues.find(i => i.property === "scope")!.reason, /regional/);
        assert.match(issues.find(i => i.property === "vmGroup.protocol")!.reason, /listener protocol \(TCP\)/);
    });

    it("keeps a defaulted timeout within a short interval", function () {
        assert.deepEqual(validateNlb(request({ healthChecker: { protocol: "TCP", interval: 2 } })), []);
    });

    describe("GKE rules at preview", function () {
        const pool = (overrides: Partial<NodeGroupReq> = {}): NodeGroupReq => ({
            iid: { nameId: "pool", systemId: "" },
            image: "",
            vmSpec: "e2-medium",
            rootDiskType: "",
            rootDiskSize: 0,
            keyPair: "",
            onAutoScaling: true,
            desiredNodeSize: 3,
            minNodeSize: 1,
            maxNodeSize: 6,
            ...overrides,
        });
        const cluster = (overrides: Partial<ClusterReq> = {}): ClusterReq => ({
            iid: { nameId: "k8s", systemId: "" },
            version: "1.34",
            network: { vpc: "default", subnets: ["default"], securityGroups: [] },
            nodeGroups: [pool()],
            tags: { team: "web" },
            ...overrides,
        });
        const regional = { driver: "gcp" as const, region: "us-central1" };
        const zonal = { ...regional, zone: "us-central1-a" };
        const properties = (issues: Array<{ property: string }>) => issues.map(issue => issue.property);

        it("accepts a regional cluster whose node pool size divides over GKE's three zones", function () {
            assert.deepEqual(validateCluster(cluster(), regional), []);
        });

        it("refuses a regional size that is not a multiple of three, naming the node group's field", function () {
            const issues = validateCluster(cluster({ nodeGroups: [pool({ desiredNodeSize: 2 })] }), regional);
            assert.deepEqual(properties(issues), ["nodeGroups[0].desiredNodeSize"]);
            assert.match(issues[0].reason, /multiple of 3.*connection\.zone/);
            assert.deepEqual(validateCluster(cluster({ nodeGroups: [pool({ desiredNodeSize: 2 })] }), zonal), []);
        });

        it("refuses security groups, several subnetworks, a pool on another subnetwork and bad GCE labels", function () {
            const issues = validateCluster(
                cluster({
                    network: { vpc: "default", subnets: ["a", "b"], securityGroups: ["sg-1"] },
                    nodeGroups: [pool({ subnets: ["other"] })],
                    tags: { Team: "web" },
                }),
                zonal,
            );
            assert.deepEqual(properties(issues).sort(), [
                "network.securityGroups",
                "network.subnets",
                "nodeGroups[0].subnets",
                "tags.Team",
            ]);
        });

        it("refuses an unknown image or disk type, a disk under 10 GB, a bad machine type and a bad SSH key", function () {
            const bad = pool({
                image: "WINDOWS",
                rootDiskType: "gp3",
                rootDiskSize: 5,
                vmSpec: "t3.medium",
                keyPair: "my-key",
            });
            assert.deepEqual(properties(validateNodeGroup(bad, zonal)).sort(), [
                "image",
                "keyPair",
                "rootDiskSize",
                "rootDiskType",
                "vmSpec",
            ]);
            const good = pool({ image: "UBUNTU_CONTAINERD", rootDiskType: "pd-ssd", rootDiskSize: 50 });
            assert.deepEqual(
                validateNodeGroup({ ...good, keyPair: "alice:ssh-ed25519 AAAAC3Nza alice@host" }, zonal),
                [],
            );
        });
    });

    it("rejects a malformed connection and credentials JSON without echoing the secret", function () {
        assert.throws(
            () => open({ driver: "gcp", project: "p", region: "Mars" }, {}),
            (e: { issues?: Array<{ property: string }> }) => e.issues?.[0]?.property === "connection.region",
        );
        assert.throws(
            () => open({ driver: "gcp", project: "p" }, { config: { gcpCredentialsJson: "{secret-key" } }),
            (e: Error & { issues?: Array<{ property: string }> }) =>
                e.issues?.[0]?.property === "config.gcpCredentialsJson" && !e.message.includes("secret-key"),
        );
    });
});
