import type { Capabilities, Driver } from "../../provider/interface/driver";

/**
 * What a driver's test file hands to the shared contract suites. Each driver's test sets up
 * its real backing cloud (local store, moto, the GCP fake) and describes it here.
 */
export interface ContractEnv {
    driver: Driver;
    caps: Capabilities;
    /** A VPC (network) that exists. */
    vpc: string;
    /** Subnets of that VPC usable for clusters (may be empty where clusters are unsupported). */
    subnets: string[];
    /** At least four existing VM references usable as NLB backends. */
    vms: string[];
    /** A VM spec / instance type valid for node groups. */
    vmSpec: string;
    /** A second one, for node groups of several VM specs (drivers that support clusters). */
    otherVmSpec?: string;
    /** Two Kubernetes versions one minor step apart, oldest first, for the upgrade scenario. */
    versions: [string, string];
    /**
     * For the in-place network scenarios (drivers that move NLBs or control planes in place): a
     * subnet of `vpc` in the zone of `subnets[0]`, a subnet of another VPC, and two security groups
     * of `vpc`.
     */
    network?: { sameZoneSubnet: string; otherVpcSubnet: string; securityGroups: [string, string] };
    /** Unique suffix generator so reruns never collide. */
    uniqueName(prefix: string): string;
    /** Lists every NLB/cluster the backing cloud holds, to prove nothing is orphaned. */
    inventory(): Promise<{ nlbs: number; clusters: number; other: number }>;
}
