import assert from "node:assert/strict";
import type { ClusterReq, NlbReq } from "../../../provider/interface/driver";
import { capabilities, open, validateCluster, validateNlb } from "../../../provider/drivers/gcp";
import { groupName, nlbNames } from "../../../provider/drivers/gcp/parts";
import { nlbRequest } from "./harness";

function request(overrides: Partial<NlbReq> = {}): NlbReq {
    return nlbRequest("web", overrides);
}

describe("gcp driver: capabilities and pure validation (no cloud)", function () {
    it("declares a regional passthrough NLB with TCP/HTTP/HTTPS health checks and no clusters", function () {
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
        assert.equal(capabilities.cluster.supported, false);
        assert.match(capabilities.cluster.reason ?? "", /GKE/);
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

    it("refuses every GCP cluster at check time with the reason", function () {
        const req: ClusterReq = {
            iid: { nameId: "k8s", systemId: "" },
            version: "1.30",
            network: { vpc: "default", subnets: [], securityGroups: [] },
            nodeGroups: [],
            tags: {},
        };
        const issues = validateCluster(req);
        assert.equal(issues.length, 1);
        assert.equal(issues[0].property, "connection.driver");
        assert.match(issues[0].reason, /does not manage Kubernetes clusters/);
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
