/**
 * What a cloud driver hands to the shared end-to-end scenarios (test/e2e/scenarios.ts and its
 * *.stack.ts files). Each driver's `<driver>.e2e.test.ts` sets up its backing cloud (the local
 * store, moto, the GCP fake) and describes it here; the scenarios then drive it through the real
 * Pulumi CLI.
 */
import type { Capabilities, Driver } from "../../provider/interface/driver";

export interface E2EInventory {
    nlbs: number;
    clusters: number;
    /** Node groups across all clusters, where the driver can count them. */
    nodeGroups?: number;
}

/** A managed object as the scenarios know it: the Pulumi id (cloud systemId) and the cloud name. */
export interface ObjectRef {
    id: string;
    name: string;
}

/** Changes made behind Pulumi's back, as someone using the cloud console would. */
export interface OutOfBand {
    setListenerPort(nlb: ObjectRef, protocol: "TCP" | "UDP", port: number): Promise<void>;
    setNodeGroupScaling(
        cluster: ObjectRef,
        nodeGroup: ObjectRef,
        scaling: { desiredNodeSize: number; minNodeSize: number; maxNodeSize: number },
    ): Promise<void>;
    deleteNlb(nlb: ObjectRef): Promise<void>;
}

export interface E2EEnv {
    /** The `connection` every resource of the programs gets. Plain data; no credentials. */
    connection: Record<string, unknown>;
    caps: Capabilities;
    /** A driver opened on the same connection, to inspect (and pre-create) cloud objects. */
    driver: Driver;
    vpc: string;
    /**
     * For the in-place network steps (drivers that move NLBs and control planes in place): a subnet
     * of `vpc` in the zone of `subnets[0]` and two security groups of `vpc`.
     */
    network?: { sameZoneSubnet: string; securityGroups: [string, string] };
    /** EKS-like update history with wall times, for the multi-step upgrade scenario (aws on moto). */
    updates?(): Promise<
        Array<{
            cluster: string;
            type: string;
            nodegroup: string | null;
            version: string;
            startedAt: number;
            doneAt: number | null;
        }>
    >;
    /**
     * Subnets of `vpc` usable for clusters, which take the first two: at least three where the
     * control plane's network changes in place (`caps.cluster.inPlace.network`), else at least one
     * (GKE: give exactly the one subnetwork a cluster takes).
     */
    subnets: string[];
    /** At least five VM references in `vpc`. */
    vms: string[];
    /** Two different VM specs valid for node groups. */
    vmSpec: string;
    vmSpecAlt: string;
    /** Two Kubernetes versions one minor step apart, oldest first (the upgrade stack uses `caps.cluster.versions`). */
    versions: [string, string];
    /** A second VPC with at least one VM of its own, for the `vpc` replacement; scenario skipped when absent. */
    altVpc?: { vpc: string; vms: string[] };
    /** Extra environment for every pulumi command (emulator credentials, endpoints, …). */
    processEnv?: Record<string, string>;
    /** Secret stack config set on every stack (default: a recognisable fake `spider:awsSecretAccessKey`). */
    configSecrets?: Record<string, string>;
    /** Counts every NLB / cluster / node group the backing cloud holds. */
    inventory(): Promise<E2EInventory>;
    /** Overrides of the out-of-band helpers; the defaults go through `driver`. */
    outOfBand?: Partial<OutOfBand>;
    /** Makes every wait long enough to print progress lines; returns the undo. Scenario skipped when absent. */
    slowDown?(): Promise<() => Promise<void>>;
    /** Makes the next call of a driver operation (`createNlb`) fail in the cloud. Scenario skipped when absent. */
    injectFault?(op: "createNlb"): Promise<void>;
    /** Size of the concurrency scenario (default 50 Nlb + 10 NodeGroup, --parallel 16). */
    scale?: { nlbs: number; nodeGroups: number; parallel: number };
    cleanup?(): Promise<void>;
}
