import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { EndpointAccess, HealthProtocol, LogType, NlbScope, NlbTraffic, NlbType } from "../../interface/driver";
import type { NodeGroupReq, TrafficProtocol } from "../../interface/driver";
import { CloudApiError, NotFoundError, ValidationError } from "../../interface/errors";
import { withFileLock } from "./lock";

/*
 * The embedded cloud behind the local driver: one JSON state file per folder, changed only by
 * read-modify-write under an exclusive lock file and written atomically (temp file + rename), so
 * separate `pulumi` processes and parallel operations in one process never lose an update.
 *
 * Objects move through transitional states the way a real cloud's do: a change puts the object
 * into Creating/Updating/Deleting for `config.polls` describe calls, and only the describe after
 * that reports the settled state. Each describe of an object counts as one poll of it.
 */

export type VmState = "running" | "stopped";
export type FaultKind = "CloudApi" | "NotFound" | "Throttling";

export interface VmRecord {
    vpc: string;
    subnet: string;
    state: VmState;
}

export interface Inventory {
    region: string;
    /** `zones` maps a subnet to its availability zone; a subnet missing there is a zone of its own. */
    vpcs: Record<string, { subnets: string[]; zones?: Record<string, string> }>;
    securityGroups: Record<string, { vpc: string }>;
    vms: Record<string, VmRecord>;
    vmSpecs: string[];
    images: string[];
    defaultImage: string;
    keyPairs: string[];
    /** Kubernetes versions, oldest first; upgrades move one entry at a time. */
    k8sVersions: string[];
}

export interface Lifecycle {
    status: "Creating" | "Active" | "Updating" | "Deleting";
    /** Describes left before the transitional status settles. */
    pendingPolls: number;
}

export interface AttachedVm {
    vm: string;
    /** Health polls since attachment; a VM is reported healthy only after the first one. */
    healthPolls: number;
}

export interface NlbRecord extends Lifecycle {
    id: string;
    name: string;
    region: string;
    vpc: string;
    type: NlbType;
    scope: NlbScope;
    subnets: string[];
    createdTime: string;
    tags: Record<string, string>;
    /** URN of the resource that created it (see driver/owner.ts). */
    owner?: string;
    /** An empty cspId marks a part not created yet (a create in progress or rolled back). */
    listener: { protocol: TrafficProtocol; port: number; ip: string; dnsName: string; cspId: string };
    vmGroup: { protocol: TrafficProtocol; port: number; cspId: string };
    /** port null = probe the VM group's port, following it when that port changes. */
    healthChecker: {
        protocol: HealthProtocol;
        port: number | null;
        interval: number;
        timeout: number;
        threshold: number;
        /** Absent in stores written before it existed: `threshold`. */
        unhealthyThreshold?: number;
        path: string;
        cspId: string;
    };
    vms: AttachedVm[];
    /** Absent in stores written before they existed: the defaults, no security groups. */
    traffic?: NlbTraffic;
    securityGroups?: string[];
}

export interface NodeGroupRecord extends Lifecycle, Omit<NodeGroupReq, "iid"> {
    id: string;
    name: string;
    nodes: string[];
    version: string;
    /** Version the node group reaches when its current Updating settles. */
    targetVersion: string;
}

export interface ClusterRecord extends Lifecycle {
    id: string;
    name: string;
    region: string;
    version: string;
    targetVersion: string;
    vpc: string;
    subnets: string[];
    /** Zones of the subnets given at creation; later subnets must stay inside them (as on EKS). */
    zones?: string[];
    securityGroups: string[];
    /** Absent in records from before endpoint access was kept: public from anywhere. */
    endpointAccess?: EndpointAccess;
    /** Log types on; absent = none. */
    logging?: LogType[];
    endpoint: string;
    token: string;
    caData: string;
    createdTime: string;
    tags: Record<string, string>;
    owner?: string;
    nodeGroups: NodeGroupRecord[];
}

export interface FaultRecord {
    op: string;
    remaining: number;
    error: FaultKind;
    message: string;
}

export interface StoreState {
    format: 1;
    /** Incremented by every write; lets tests and operators prove no update was lost. */
    revision: number;
    config: { polls: number };
    inventory: Inventory;
    nlbs: NlbRecord[];
    clusters: ClusterRecord[];
    faults: FaultRecord[];
}

export interface LocalCloudOptions {
    /** Region recorded in a freshly seeded state; default "local-1". */
    region?: string;
    lockTimeoutMs?: number;
    staleLockMs?: number;
}

export const DEFAULT_REGION = "local-1";
export const DEFAULT_POLLS = 2;
export const STATE_FILE = "state.json";
export const LOCK_FILE = "state.lock";

export function defaultStateDir(): string {
    return path.join(process.cwd(), ".spider-local");
}

/** The availability zone of a subnet of `vpc`. */
export function zoneOf(inventory: Inventory, vpc: string, subnet: string): string {
    return inventory.vpcs[vpc]?.zones?.[subnet] ?? subnet;
}

/** One subnet per zone, in inventory order: what a driver picks when none are named. */
export function onePerZone(inventory: Inventory, vpc: string): string[] {
    const byZone = new Map<string, string>();
    for (const subnet of inventory.vpcs[vpc]?.subnets ?? []) {
        const zone = zoneOf(inventory, vpc, subnet);
        if (!byZone.has(zone)) byZone.set(zone, subnet);
    }
    return [...byZone.values()];
}

export function seedState(region: string): StoreState {
    const subnets = ["subnet-a", "subnet-b", "subnet-c"];
    const vms: Record<string, VmRecord> = {};
    for (let i = 1; i <= 8; i++)
        vms[`vm-${i}`] = { vpc: "vpc-local", subnet: subnets[(i - 1) % subnets.length], state: "running" };
    // subnet-d shares subnet-a's zone, so tests can move a load balancer or cluster within a zone.
    const zones = {
        "subnet-a": `${region}a`,
        "subnet-b": `${region}b`,
        "subnet-c": `${region}c`,
        "subnet-d": `${region}a`,
    };
    return {
        format: 1,
        revision: 0,
        config: { polls: DEFAULT_POLLS },
        inventory: {
            region,
            vpcs: {
                "vpc-local": { subnets: [...subnets, "subnet-d"], zones },
                "vpc-other": { subnets: ["subnet-x"], zones: { "subnet-x": `${region}a` } },
            },
            securityGroups: {
                "sg-default": { vpc: "vpc-local" },
                "sg-web": { vpc: "vpc-local" },
                "sg-other": { vpc: "vpc-other" },
            },
            vms,
            vmSpecs: ["small", "medium", "large"],
            images: ["ubuntu-22.04", "ubuntu-24.04"],
            defaultImage: "ubuntu-22.04",
            keyPairs: ["default-key"],
            k8sVersions: ["1.28", "1.29", "1.30", "1.31"],
        },
        nlbs: [],
        clusters: [],
        faults: [],
    };
}

export function randomHex(bytes: number): string {
    return crypto.randomBytes(bytes).toString("hex");
}

/** A fresh id `<prefix>-<8 hex>` not used by any object in the state. */
export function newId(state: StoreState, prefix: string): string {
    const taken = new Set<string>();
    for (const n of state.nlbs) taken.add(n.id).add(n.listener.cspId).add(n.vmGroup.cspId).add(n.healthChecker.cspId);
    for (const c of state.clusters) {
        taken.add(c.id);
        for (const g of c.nodeGroups) {
            taken.add(g.id);
            for (const node of g.nodes) taken.add(node);
        }
    }
    for (;;) {
        const id = `${prefix}-${randomHex(4)}`;
        if (!taken.has(id)) return id;
    }
}

/** Puts an object into a transitional status for the configured number of describes. */
export function beginTransition(state: StoreState, rec: Lifecycle, status: "Creating" | "Updating" | "Deleting"): void {
    rec.status = status;
    rec.pendingPolls = state.config.polls;
}

/**
 * One describe of an object: counts a poll and settles the transition when its polls are used up.
 * Returns false when the object is gone (its deletion settled) and must be removed by the caller.
 */
export function observe(rec: Lifecycle, settle: () => void = () => undefined): boolean {
    if (rec.status === "Active") return true;
    if (rec.pendingPolls > 0) {
        rec.pendingPolls--;
        return true;
    }
    if (rec.status === "Deleting") return false;
    rec.status = "Active";
    settle();
    return true;
}

/** Brings a node group to its target version and node count when its transition settles. */
export function settleNodeGroup(state: StoreState, ng: NodeGroupRecord): void {
    ng.version = ng.targetVersion;
    while (ng.nodes.length > ng.desiredNodeSize) ng.nodes.pop();
    while (ng.nodes.length < ng.desiredNodeSize) ng.nodes.push(newId(state, "node"));
}

/** Describes a cluster and all its node groups once; false when the cluster is gone. */
export function observeCluster(state: StoreState, cluster: ClusterRecord): boolean {
    cluster.nodeGroups = cluster.nodeGroups.filter(ng => observe(ng, () => settleNodeGroup(state, ng)));
    return observe(cluster, () => {
        cluster.version = cluster.targetVersion;
    });
}

export function observeNlb(nlb: NlbRecord): boolean {
    return observe(nlb);
}

function faultError(fault: FaultRecord, what: string): Error {
    const msg = `${what}: ${fault.message || `injected ${fault.error} fault at ${fault.op}`}`;
    switch (fault.error) {
        case "NotFound":
            return new NotFoundError(msg);
        case "Throttling":
            return new CloudApiError(msg, new Error("Throttling: Rate exceeded"), true);
        default:
            return new CloudApiError(msg);
    }
}

function takeFault(state: StoreState, op: string): FaultRecord | null {
    const index = state.faults.findIndex(f => f.op === op && f.remaining > 0);
    if (index < 0) return null;
    const fault = state.faults[index];
    const fired = { ...fault };
    fault.remaining--;
    if (fault.remaining <= 0) state.faults.splice(index, 1);
    return fired;
}

export function inventoryCounts(state: StoreState): {
    nlbs: number;
    clusters: number;
    nodeGroups: number;
    other: number;
} {
    const nodeGroups = state.clusters.reduce((sum, c) => sum + c.nodeGroups.length, 0);
    return { nlbs: state.nlbs.length, clusters: state.clusters.length, nodeGroups, other: nodeGroups };
}

/**
 * The embedded cloud: used by the driver for every operation and, by tests and operators, to
 * look inside, inject faults and cause drift behind the provider's back.
 */
export class LocalCloud {
    readonly stateDir: string;
    readonly statePath: string;
    readonly lockPath: string;
    private readonly region: string;
    private readonly lockTimeoutMs: number;
    private readonly staleLockMs: number;

    constructor(stateDir: string = defaultStateDir(), opts: LocalCloudOptions = {}) {
        this.stateDir = path.resolve(stateDir);
        this.statePath = path.join(this.stateDir, STATE_FILE);
        this.lockPath = path.join(this.stateDir, LOCK_FILE);
        this.region = opts.region ?? DEFAULT_REGION;
        this.lockTimeoutMs = opts.lockTimeoutMs ?? 30_000;
        this.staleLockMs = opts.staleLockMs ?? 30_000;
    }

    /**
     * Read-modify-write under the lock. `fn` runs synchronously on a private copy; if it throws,
     * nothing is written. The file is rewritten only when `fn` changed something.
     */
    async mutate<T>(fn: (state: StoreState) => T): Promise<T> {
        // An uncontended lock and sync file I/O would otherwise resolve on microtasks alone, and a
        // caller polling in a loop would starve every timer (including other operations' waits).
        await new Promise<void>(resolve => setImmediate(resolve));
        fs.mkdirSync(this.stateDir, { recursive: true });
        return withFileLock(
            this.lockPath,
            () => {
                const state = this.load();
                if (!fs.existsSync(this.statePath)) this.save(state);
                const before = JSON.stringify(state);
                const result = fn(state);
                if (JSON.stringify(state) !== before) this.save(state);
                return result;
            },
            { timeoutMs: this.lockTimeoutMs, staleMs: this.staleLockMs },
        );
    }

    /**
     * One cloud API call: fires an injected fault for `op` if one is pending (the fault's use is
     * persisted even though the call fails), otherwise applies `fn`.
     */
    async step<T>(op: string | null, what: string, fn: (state: StoreState) => T): Promise<T> {
        const out = await this.mutate((state): { fault: FaultRecord } | { value: T } => {
            const fault = op === null ? null : takeFault(state, op);
            if (fault) return { fault };
            return { value: fn(state) };
        });
        if ("fault" in out) throw faultError(out.fault, what);
        return out.value;
    }

    /** Throws the injected fault pending for `op`, if any. */
    async consumeFault(op: string, what = op): Promise<void> {
        await this.step(op, what, () => undefined);
    }

    async snapshot(): Promise<StoreState> {
        return this.mutate(state => structuredClone(state));
    }

    /**
     * Makes the next `times` calls of `op` fail. Fault points: every public driver method by name
     * (`createNlb`, `addVms`, `getCluster`, …), the describes waiters poll (`describeNlb`,
     * `describeCluster`), and the internal steps `createNlb.loadBalancer|vmGroup|listener|vms`,
     * `deleteNlb.vms|listener|vmGroup|loadBalancer`, `createCluster.controlPlane|nodeGroup`,
     * `deleteCluster.nodeGroup|controlPlane` (also used by rollbacks and removeNodeGroup) and
     * `upgradeCluster.controlPlane|nodeGroup`. Throttling faults are retried by the driver.
     */
    async injectFault(op: string, opts: { times?: number; error?: FaultKind; message?: string } = {}): Promise<void> {
        const times = opts.times ?? 1;
        if (!Number.isInteger(times) || times < 1) {
            throw new ValidationError([{ property: "times", reason: `must be a positive integer, got ${times}` }]);
        }
        await this.mutate(state => {
            state.faults.push({ op, remaining: times, error: opts.error ?? "CloudApi", message: opts.message ?? "" });
        });
    }

    async clearFaults(): Promise<void> {
        await this.mutate(state => {
            state.faults = [];
        });
    }

    /** Describes an object goes through before a transitional status settles (0 = settle at once). */
    async setPolls(polls: number): Promise<void> {
        if (!Number.isInteger(polls) || polls < 0)
            throw new ValidationError([{ property: "polls", reason: `must be an integer ≥ 0, got ${polls}` }]);
        await this.mutate(state => {
            state.config.polls = polls;
        });
    }

    async setVmState(vm: string, vmState: VmState): Promise<void> {
        await this.mutate(state => {
            const rec = state.inventory.vms[vm];
            if (!rec) throw new NotFoundError(`setting VM (${vm}) ${vmState}: no such VM in the inventory`);
            rec.state = vmState;
        });
    }

    async inventory(): Promise<{ nlbs: number; clusters: number; nodeGroups: number; other: number }> {
        return this.mutate(inventoryCounts);
    }

    /**
     * Resizes a node group out of band, as a cluster autoscaler (or someone in the console) would:
     * the size must lie within the group's [min, max], which is all an Auto Scaling group accepts.
     * For tests of autoscaler-aware scaling; the driver never calls it.
     */
    async resizeNodeGroupOutOfBand(clusterName: string, nodeGroupName: string, size: number): Promise<void> {
        await this.mutate(state => {
            const ng = state.clusters.find(c => c.name === clusterName)?.nodeGroups.find(g => g.name === nodeGroupName);
            const what = `resizing NodeGroup (${nodeGroupName}) of Cluster (${clusterName}) out of band`;
            if (!ng) throw new NotFoundError(`${what}: not found`);
            if (!Number.isInteger(size) || size < ng.minNodeSize || size > ng.maxNodeSize) {
                const reason = `must be an integer within [${ng.minNodeSize}, ${ng.maxNodeSize}], got ${size}`;
                throw new ValidationError([{ property: "size", reason }]);
            }
            ng.desiredNodeSize = size;
            settleNodeGroup(state, ng);
        });
    }

    /** Removes an NLB at once, as if someone deleted it in the cloud console. */
    async deleteNlbOutOfBand(name: string): Promise<void> {
        await this.mutate(state => {
            const before = state.nlbs.length;
            state.nlbs = state.nlbs.filter(n => n.name !== name);
            if (state.nlbs.length === before) throw new NotFoundError(`deleting Nlb (${name}) out of band: not found`);
        });
    }

    /** Removes a cluster and its node groups at once, bypassing the cloud's own ordering. */
    async deleteClusterOutOfBand(name: string): Promise<void> {
        await this.mutate(state => {
            const before = state.clusters.length;
            state.clusters = state.clusters.filter(c => c.name !== name);
            if (state.clusters.length === before)
                throw new NotFoundError(`deleting Cluster (${name}) out of band: not found`);
        });
    }

    private load(): StoreState {
        let raw: string;
        try {
            raw = fs.readFileSync(this.statePath, "utf8");
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return seedState(this.region);
            throw new CloudApiError(`reading the local cloud state ${this.statePath}: ${(err as Error).message}`, err);
        }
        let state: StoreState;
        try {
            state = JSON.parse(raw) as StoreState;
        } catch (err) {
            throw new CloudApiError(`reading the local cloud state ${this.statePath}: not valid JSON`, err);
        }
        if (state.format !== 1) {
            throw new CloudApiError(
                `reading the local cloud state ${this.statePath}: unknown format ${String(state.format)}`,
            );
        }
        return state;
    }

    private save(state: StoreState): void {
        state.revision++;
        this.writeAtomic(JSON.stringify(state, null, 2));
    }

    private writeAtomic(text: string): void {
        const tmp = path.join(this.stateDir, `.${STATE_FILE}.${process.pid}.${randomHex(4)}.tmp`);
        const fd = fs.openSync(tmp, "w");
        try {
            fs.writeSync(fd, text);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        fs.renameSync(tmp, this.statePath);
    }
}
