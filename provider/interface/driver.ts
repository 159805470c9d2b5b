/**
 * The cloud-neutral driver interface, a TypeScript rendering of CB-Spider's NLBHandler and
 * ClusterHandler. Every mutating call returns only when the cloud has finished applying it
 * (drivers wait with `waitUntil`), so resources never poll on their own.
 *
 * Conventions:
 * - Objects the driver manages (NLB, cluster, node group) are named by an `Iid`: `nameId` is the
 *   name the user chose, `systemId` the cloud's id. A driver accepts an Iid with either set
 *   (systemId wins when both are).
 * - References to things the driver does not manage (VPC, subnets, VMs, images, key pairs) are
 *   plain strings in the cloud's own terms (`vm-1`, `i-0abc…`, `us-central1-a/vm-1`).
 * - Failures are the typed errors of ./errors; never bare strings.
 */

import { NotSupportedError } from "./errors";

export interface Iid {
    nameId: string;
    systemId: string;
}

export type DriverName = "local" | "aws" | "gcp";

/**
 * The Pulumi URN of the resource that created a cloud object. Drivers record it on what they
 * create (tags, labels or descriptions) and report it back, so crash recovery adopts an object
 * only when it was made by the very resource whose create was interrupted.
 */
export type OwnerUrn = string;

/** Where to connect. Stored in state, so it never holds credentials. */
export interface Connection {
    driver: DriverName;
    region?: string;
    zone?: string;
    project?: string;
    /** Override of the cloud API endpoint (emulators: moto, the GCP fake). */
    endpoint?: string;
    /** Local driver only: folder holding the embedded cloud's state. */
    localStateDir?: string;
}

/** Per-call context: a progress sink and the stack config received by `configure`. */
export interface DriverContext {
    log?: (line: string) => void;
    /** Stack configuration (may include secrets such as credentials); never stored. */
    config?: Record<string, string>;
    /** Overrides of the driver's default wait timeouts (ms), mainly for tests. */
    timeouts?: Partial<Record<"create" | "update" | "delete", number>>;
    /** Overrides of the driver's poll delays (ms); emulators in tests poll faster than clouds. */
    poll?: { minDelayMs: number; maxDelayMs: number };
}

/**
 * Stack config keys (namespace `spider`) the provider passes to drivers in `DriverContext.config`,
 * for users who keep credentials in (secret) stack config instead of the clouds' default chains.
 */
export const CONFIG_KEYS = [
    "awsAccessKeyId",
    "awsSecretAccessKey",
    "awsSessionToken",
    "awsProfile",
    "awsClusterRoleArn",
    "awsNodeRoleArn",
    "gcpCredentialsJson",
] as const;

// ---------------------------------------------------------------------------------------------
// NLB

export type NlbType = "PUBLIC" | "INTERNAL";
export type NlbScope = "REGION" | "GLOBAL";
export type TrafficProtocol = "TCP" | "UDP";
export type HealthProtocol = "TCP" | "HTTP" | "HTTPS";

export const NLB_TYPES: readonly NlbType[] = ["PUBLIC", "INTERNAL"];
export const NLB_SCOPES: readonly NlbScope[] = ["REGION", "GLOBAL"];
export const TRAFFIC_PROTOCOLS: readonly TrafficProtocol[] = ["TCP", "UDP"];
export const HEALTH_PROTOCOLS: readonly HealthProtocol[] = ["TCP", "HTTP", "HTTPS"];

export interface ListenerReq {
    protocol: TrafficProtocol;
    port: number;
}

export interface ListenerInfo extends ListenerReq {
    /** Frontend IP; "" when the cloud gives only a DNS name. */
    ip: string;
    dnsName: string;
    /** Cloud id of the listener / forwarding rule. */
    cspId: string;
}

export interface VmGroupReq {
    protocol: TrafficProtocol;
    port: number;
}

export interface VmGroupInfo extends VmGroupReq {
    /** Every VM currently attached, in the driver's canonical form. */
    vms: string[];
    /** Cloud id of the target group / backend service. */
    cspId: string;
}

export interface HealthCheckerReq {
    protocol: HealthProtocol;
    /** Port probed; omitted = the VM group port. */
    port?: number;
    /** Seconds between probes; omitted = driver default. */
    interval?: number;
    /** Seconds before a probe counts as failed; omitted = driver default. */
    timeout?: number;
    /** Consecutive results to change state; omitted = driver default. */
    threshold?: number;
    /** Consecutive failed probes that mark a VM unhealthy; omitted = `threshold`. */
    unhealthyThreshold?: number;
    /** HTTP/HTTPS only: path probed; omitted = "/". */
    path?: string;
}

export interface HealthCheckerInfo {
    protocol: HealthProtocol;
    port: number;
    interval: number;
    timeout: number;
    threshold: number;
    unhealthyThreshold: number;
    /** "" for TCP. */
    path: string;
    cspId: string;
}

export const SESSION_AFFINITIES = ["NONE", "CLIENT_IP"] as const;
export type SessionAffinity = (typeof SESSION_AFFINITIES)[number];

/** How the NLB spreads and hands over connections (AWS: LB and target-group attributes). */
export interface NlbTraffic {
    /** Spread each zone's connections over the VMs of every zone. */
    crossZone: boolean;
    /** Seconds a removed VM keeps its open connections. */
    connectionDraining: number;
    sessionAffinity: SessionAffinity;
    /** VMs see the client's address as the source. */
    preserveClientIp: boolean;
    /** Prefix each connection with a PROXY protocol v2 header. */
    proxyProtocol: boolean;
}

export interface NlbReq {
    /** nameId is the cloud name; systemId is ignored. */
    iid: Iid;
    vpc: string;
    type: NlbType;
    scope: NlbScope;
    listener: ListenerReq;
    vmGroup: VmGroupReq & { vms: string[] };
    healthChecker: HealthCheckerReq;
    /** Explicit subnets (AWS: one per AZ); omitted = driver picks. */
    subnets?: string[];
    /** Omitted = the cloud's defaults (`Capabilities.nlb.traffic.defaults`). */
    traffic?: NlbTraffic;
    /** Omitted or [] = none (on AWS an NLB created without security groups can never get any). */
    securityGroups?: string[];
    tags: Record<string, string>;
    owner?: OwnerUrn;
}

export interface NlbInfo {
    iid: Iid;
    vpc: string;
    type: NlbType;
    scope: NlbScope;
    listener: ListenerInfo;
    vmGroup: VmGroupInfo;
    healthChecker: HealthCheckerInfo;
    /** ISO-8601. */
    createdTime: string;
    tags: Record<string, string>;
    /** The subnets it is placed in (the driver's choice when the request named none); [] where none apply. */
    subnets: string[];
    traffic: NlbTraffic;
    securityGroups: string[];
    /** Cloud-specific extras worth showing (ARNs, self links); string values only. */
    keyValues: Record<string, string>;
    /** Who created it, when recorded (objects made before owners were recorded have none). */
    owner?: OwnerUrn;
}

export interface HealthInfo {
    all: string[];
    healthy: string[];
    unhealthy: string[];
}

export interface NlbHandler {
    createNlb(req: NlbReq): Promise<NlbInfo>;
    listNlb(): Promise<NlbInfo[]>;
    getNlb(iid: Iid): Promise<NlbInfo>;
    /** Resolves when the NLB and every part the driver created for it are gone. */
    deleteNlb(iid: Iid): Promise<void>;
    changeListener(iid: Iid, listener: ListenerReq): Promise<ListenerInfo>;
    changeVmGroupInfo(iid: Iid, vmGroup: VmGroupReq): Promise<VmGroupInfo>;
    /** Attaches these VMs (already attached ones are left alone) in one cloud call where possible. */
    addVms(iid: Iid, vms: string[]): Promise<VmGroupInfo>;
    /** Detaches these VMs (not attached ones are ignored). */
    removeVms(iid: Iid, vms: string[]): Promise<VmGroupInfo>;
    getVmGroupHealthInfo(iid: Iid): Promise<HealthInfo>;
    changeHealthCheckerInfo(iid: Iid, healthChecker: HealthCheckerReq): Promise<HealthCheckerInfo>;
    /** Replaces the NLB's user tags with exactly these. */
    changeTags(iid: Iid, tags: Record<string, string>): Promise<Record<string, string>>;
    /**
     * Moves the NLB to exactly these subnets without replacing it (zones added, removed, or a
     * zone's subnet swapped); checks the whole move before the first write. Returns the subnets.
     */
    changeSubnets(iid: Iid, subnets: string[]): Promise<string[]>;
    /** Applies these traffic settings, changing only the ones that differ, in as few calls as the cloud allows. */
    changeTrafficSettings(iid: Iid, traffic: NlbTraffic): Promise<NlbTraffic>;
    /** Replaces a non-empty set of security groups with another non-empty one. */
    changeSecurityGroups(iid: Iid, securityGroups: string[]): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// Cluster

export type ClusterStatus = "Creating" | "Active" | "Inactive" | "Updating" | "Deleting";
export type NodeGroupStatus = "Creating" | "Active" | "Inactive" | "Updating" | "Deleting";

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
export const TAINT_EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** A Kubernetes node taint (unique by key and effect). */
export interface Taint {
    key: string;
    /** Absent or "" = no value. */
    value?: string;
    effect: TaintEffect;
}

export type CapacityType = "ON_DEMAND" | "SPOT";
export const CAPACITY_TYPES: readonly CapacityType[] = ["ON_DEMAND", "SPOT"];

/** Control-plane log types. */
export type LogType = "api" | "audit" | "authenticator" | "controllerManager" | "scheduler";
export const LOG_TYPES: readonly LogType[] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Nodes that may be down at once during a node update: a count, or a percentage such as "33%". */
export type MaxUnavailable = number | string;

/** Node group settings a request may leave out (the defaults in brackets), and every read reports. */
export interface NodeGroupOptions {
    /** Every VM spec (instance type) the group may use, `vmSpec` first; several diversify spot capacity. [[vmSpec]] */
    vmSpecs: string[];
    /** ["ON_DEMAND"] */
    capacityType: CapacityType;
    /** Subnets of the nodes. [the cluster's] */
    subnets: string[];
    /** Kubernetes node labels. [none] */
    labels: Record<string, string>;
    /** [none] */
    taints: Taint[];
    /** During node updates. [1] */
    maxUnavailable: MaxUnavailable;
}

/** A request with every option it left out filled with its default (subnets: [] = the cluster's). */
export function nodeGroupOptions(req: Partial<NodeGroupOptions> & { vmSpec: string }): NodeGroupOptions {
    return {
        vmSpecs: req.vmSpecs?.length ? [...req.vmSpecs] : [req.vmSpec],
        capacityType: req.capacityType ?? "ON_DEMAND",
        subnets: [...(req.subnets ?? [])],
        labels: { ...(req.labels ?? {}) },
        taints: (req.taints ?? []).map(taint => ({ ...taint })),
        maxUnavailable: req.maxUnavailable ?? 1,
    };
}

export const DEFAULT_ENDPOINT_ACCESS: EndpointAccess = { public: true, private: false, publicCidrs: ["0.0.0.0/0"] };

export interface NodeGroupReq extends Partial<NodeGroupOptions> {
    /** nameId is the node group's cloud name. */
    iid: Iid;
    /** Image reference; "" = the driver's default for the cluster version. */
    image: string;
    /** The (first) VM spec. */
    vmSpec: string;
    /** "" = driver default. */
    rootDiskType: string;
    /** GB; 0 = driver default. */
    rootDiskSize: number;
    /** "" = none. */
    keyPair: string;
    onAutoScaling: boolean;
    desiredNodeSize: number;
    minNodeSize: number;
    maxNodeSize: number;
    owner?: OwnerUrn;
}

/** What the cloud reports: the request's fields as they are now ("" / 0 resolved to the driver's choice). */
export interface NodeGroupInfo extends Omit<NodeGroupReq, "owner" | keyof NodeGroupOptions>, NodeGroupOptions {
    status: NodeGroupStatus;
    /** Node (VM) ids. */
    nodes: string[];
    /** Kubernetes version of the nodes. */
    version: string;
    owner?: OwnerUrn;
}

export interface ClusterNetwork {
    vpc: string;
    subnets: string[];
    securityGroups: string[];
}

/** Who reaches the Kubernetes API server: publicly (from `publicCidrs`), from inside the VPC, or both. */
export interface EndpointAccess {
    public: boolean;
    private: boolean;
    /** IPv4 CIDR blocks allowed to the public endpoint; [] while public access is off. */
    publicCidrs: string[];
}

export interface ClusterReq {
    iid: Iid;
    /** "MAJOR.MINOR" Kubernetes version. */
    version: string;
    network: ClusterNetwork;
    /** Default: public from any address, no private access. */
    endpointAccess?: EndpointAccess;
    /** Control-plane log types turned on. Default: none. */
    logging?: LogType[];
    nodeGroups: NodeGroupReq[];
    tags: Record<string, string>;
    owner?: OwnerUrn;
}

export interface ClusterInfo {
    iid: Iid;
    version: string;
    network: ClusterNetwork;
    endpointAccess: EndpointAccess;
    logging: LogType[];
    nodeGroups: NodeGroupInfo[];
    endpoint: string;
    /** A kubeconfig document; secret. */
    kubeconfig: string;
    status: ClusterStatus;
    createdTime: string;
    tags: Record<string, string>;
    keyValues: Record<string, string>;
    owner?: OwnerUrn;
}

export interface ScalingReq {
    desiredNodeSize: number;
    minNodeSize: number;
    maxNodeSize: number;
}

export interface ClusterHandler {
    /** Creates the cluster and its node groups; resolves when all are Active. */
    createCluster(req: ClusterReq): Promise<ClusterInfo>;
    listCluster(): Promise<ClusterInfo[]>;
    getCluster(iid: Iid): Promise<ClusterInfo>;
    /** Deletes node groups first, then the cluster; resolves when all are gone. */
    deleteCluster(iid: Iid): Promise<void>;
    addNodeGroup(clusterIid: Iid, req: NodeGroupReq): Promise<NodeGroupInfo>;
    getNodeGroup(clusterIid: Iid, nodeGroupIid: Iid): Promise<NodeGroupInfo>;
    setNodeGroupAutoScaling(clusterIid: Iid, nodeGroupIid: Iid, on: boolean): Promise<NodeGroupInfo>;
    changeNodeGroupScaling(clusterIid: Iid, nodeGroupIid: Iid, scaling: ScalingReq): Promise<NodeGroupInfo>;
    removeNodeGroup(clusterIid: Iid, nodeGroupIid: Iid): Promise<void>;
    /** Upgrades the control plane (one minor step at a time if the cloud needs it), then every node group. */
    upgradeCluster(clusterIid: Iid, version: string): Promise<ClusterInfo>;
    changeClusterTags(clusterIid: Iid, tags: Record<string, string>): Promise<Record<string, string>>;
    /**
     * Changes the control plane's subnets and/or security groups in place, one cloud update per
     * kind, each waited on; the cloud's placement rules are checked before the first write.
     */
    changeClusterNetwork(clusterIid: Iid, change: ClusterNetworkChange): Promise<ClusterNetwork>;
    /**
     * Sets the node group's labels, taints and/or update config to exactly these (the difference
     * from what it has computed by the driver) in one cloud update, waited on.
     */
    changeNodeGroupConfig(clusterIid: Iid, nodeGroupIid: Iid, change: NodeGroupConfigChange): Promise<NodeGroupInfo>;
    /**
     * Changes who reaches the control plane (endpoint access) and what it logs, in place: one cloud
     * update per kind, in sequence, each waited on.
     */
    changeClusterAccess(clusterIid: Iid, change: ClusterAccessChange): Promise<ClusterInfo>;
    /**
     * Changes the node group's machines (VM spec, image, root disk) in place where the cloud can
     * (`capabilities.cluster.inPlace.machines`): the nodes are recreated, the node group is kept.
     */
    changeNodeGroupMachines(clusterIid: Iid, nodeGroupIid: Iid, change: NodeMachineChange): Promise<NodeGroupInfo>;
}

/** The machine settings of a node group to set (absent = unchanged); "" / 0 = the driver's default. */
export interface NodeMachineChange {
    vmSpec?: string;
    image?: string;
    rootDiskType?: string;
    rootDiskSize?: number;
}

export interface NodeGroupConfigChange {
    labels?: Record<string, string>;
    taints?: Taint[];
    maxUnavailable?: MaxUnavailable;
}

export interface ClusterAccessChange {
    endpointAccess?: EndpointAccess;
    logging?: LogType[];
}

export interface ClusterNetworkChange {
    subnets?: string[];
    securityGroups?: string[];
}

// ---------------------------------------------------------------------------------------------
// Capabilities: static facts used by check/diff without any cloud call.

export interface Range {
    min: number;
    max: number;
}

export interface NameRule {
    maxLength: number;
    pattern: RegExp;
    /** Human wording of the rule, used in check failures. */
    description: string;
}

/** Which traffic settings a driver accepts, its cloud's defaults, and why a value is refused. */
export interface TrafficCapabilities {
    defaults: NlbTraffic;
    connectionDraining: Range;
    sessionAffinities: readonly SessionAffinity[];
    /** The values accepted per boolean setting (a cloud that always does one thing accepts only that). */
    crossZone: readonly boolean[];
    preserveClientIp: readonly boolean[];
    proxyProtocol: readonly boolean[];
    /** VM-group protocols on which client IP preservation cannot be turned off (ELBv2: UDP). */
    clientIpAlwaysPreservedFor: readonly TrafficProtocol[];
    /** Why a boolean value is refused, keyed by setting. */
    reasons: Readonly<Partial<Record<"crossZone" | "preserveClientIp" | "proxyProtocol" | "securityGroups", string>>>;
}

export interface NlbCapabilities {
    supported: boolean;
    /** Why not, when unsupported. */
    reason?: string;
    types: readonly NlbType[];
    scopes: readonly NlbScope[];
    listenerProtocols: readonly TrafficProtocol[];
    vmGroupProtocols: readonly TrafficProtocol[];
    healthProtocols: readonly HealthProtocol[];
    /** Listener protocol → VM group protocols it can forward to. */
    compatibleProtocols: Record<TrafficProtocol, readonly TrafficProtocol[]>;
    healthInterval: Range;
    healthTimeout: Range;
    healthThreshold: Range;
    /** GCP: timeout must be ≤ interval. */
    timeoutAtMostInterval: boolean;
    /** Values used when the user omits them. */
    defaults: { interval: number; timeout: number; threshold: number };
    traffic: TrafficCapabilities;
    /** Whether the NLB can carry security groups (AWS); elsewhere only [] is accepted. */
    securityGroups: boolean;
    name: NameRule;
    /**
     * What an in-place call does behind the resource when that is more than changing a setting
     * (a part recreated or swapped), keyed by the field table's call name; shown in the README's
     * field tables next to "in place".
     */
    inPlaceNotes?: Readonly<Record<string, string>>;
    /** Which changes the driver applies in place; a false entry makes the field "replace". */
    inPlace: {
        listenerPort: boolean;
        listenerProtocol: boolean;
        vmGroup: boolean;
        vms: boolean;
        healthChecker: boolean;
        tags: boolean;
        subnets: boolean;
        traffic: boolean;
        securityGroups: boolean;
    };
    /** Whether the VM list may be empty at create time. */
    allowsEmptyVmGroup: boolean;
    /**
     * A VM can serve only one load balancer at a time (GCE: one load-balanced instance group
     * per instance), so a replacement must delete the old NLB before creating the new one.
     */
    exclusiveVmMembership: boolean;
}

export interface ClusterCapabilities {
    supported: boolean;
    reason?: string;
    name: NameRule;
    nodeGroupName: NameRule;
    /** Versions the driver can create or upgrade to ("1.29", …), oldest first. */
    versions: readonly string[];
    /** Largest node group max size. */
    maxNodeSize: number;
    inPlace: {
        version: boolean;
        scaling: boolean;
        autoScaling: boolean;
        nodeGroups: boolean;
        tags: boolean;
        /** Control-plane subnets and security groups. */
        network: boolean;
        /** Node group labels, taints and update config (maxUnavailable). */
        labels: boolean;
        taints: boolean;
        updateConfig: boolean;
        endpointAccess: boolean;
        logging: boolean;
        /** A node group's VM spec, image and root disk (its nodes are recreated, the group kept). */
        machines: boolean;
    };
    /** What an in-place call does behind the resource, keyed by call name (as `NlbCapabilities.inPlaceNotes`). */
    inPlaceNotes?: Readonly<Record<string, string>>;
    /** Capacity types node groups may use. */
    capacityTypes: readonly CapacityType[];
    /** Control-plane log types offered. */
    logTypes: readonly LogType[];
    /** The cloud's counts: taints per node group, VM specs per node group, public endpoint CIDR blocks. */
    limits: { taints: number; vmSpecs: number; publicCidrs: number };
    /** Whether a cluster may be created without node groups. */
    allowsNoNodeGroups: boolean;
    /** Whether the control plane can be reached from the VPC; else `endpointAccess.private` must be false. */
    privateEndpoint: boolean;
    /** Whether `maxUnavailable` may be a percentage; else only a count. */
    maxUnavailablePercent: boolean;
    /** Why a setting above is not offered, for preview errors. */
    reasons?: Readonly<Partial<Record<"privateEndpoint" | "maxUnavailablePercent", string>>>;
}

export interface Capabilities {
    driver: DriverName;
    nlb: NlbCapabilities;
    cluster: ClusterCapabilities;
}

/** What every driver module (provider/drivers/<name>/index.ts) exports. */
export interface Driver {
    nlb: NlbHandler;
    cluster: ClusterHandler;
}

/**
 * A handler's operations as a driver writes them: free functions that take the driver's context
 * (its session or clients) first, then the handler method's own arguments.
 */
export type OperationsOf<Handler, Context> = {
    [Method in keyof Handler]: Handler[Method] extends (...args: infer Args) => infer Result
        ? (context: Context, ...args: Args) => Result
        : never;
};

/** The NlbHandler over a driver's NLB operations (e.g. `import * as nlb from "./nlb"`), bound to one context. */
export function bindNlbHandler<Context>(context: Context, ops: OperationsOf<NlbHandler, Context>): NlbHandler {
    return {
        createNlb: req => ops.createNlb(context, req),
        listNlb: () => ops.listNlb(context),
        getNlb: iid => ops.getNlb(context, iid),
        deleteNlb: iid => ops.deleteNlb(context, iid),
        changeListener: (iid, listener) => ops.changeListener(context, iid, listener),
        changeVmGroupInfo: (iid, vmGroup) => ops.changeVmGroupInfo(context, iid, vmGroup),
        addVms: (iid, vms) => ops.addVms(context, iid, vms),
        removeVms: (iid, vms) => ops.removeVms(context, iid, vms),
        getVmGroupHealthInfo: iid => ops.getVmGroupHealthInfo(context, iid),
        changeHealthCheckerInfo: (iid, healthChecker) => ops.changeHealthCheckerInfo(context, iid, healthChecker),
        changeTags: (iid, tags) => ops.changeTags(context, iid, tags),
        changeSubnets: (iid, subnets) => ops.changeSubnets(context, iid, subnets),
        changeTrafficSettings: (iid, traffic) => ops.changeTrafficSettings(context, iid, traffic),
        changeSecurityGroups: (iid, groups) => ops.changeSecurityGroups(context, iid, groups),
    };
}

/** The ClusterHandler over a driver's cluster operations, bound to one context. */
export function bindClusterHandler<Context>(
    context: Context,
    ops: OperationsOf<ClusterHandler, Context>,
): ClusterHandler {
    return {
        createCluster: req => ops.createCluster(context, req),
        listCluster: () => ops.listCluster(context),
        getCluster: iid => ops.getCluster(context, iid),
        deleteCluster: iid => ops.deleteCluster(context, iid),
        addNodeGroup: (cluster, req) => ops.addNodeGroup(context, cluster, req),
        getNodeGroup: (cluster, nodeGroup) => ops.getNodeGroup(context, cluster, nodeGroup),
        setNodeGroupAutoScaling: (cluster, nodeGroup, on) =>
            ops.setNodeGroupAutoScaling(context, cluster, nodeGroup, on),
        changeNodeGroupScaling: (cluster, nodeGroup, scaling) =>
            ops.changeNodeGroupScaling(context, cluster, nodeGroup, scaling),
        removeNodeGroup: (cluster, nodeGroup) => ops.removeNodeGroup(context, cluster, nodeGroup),
        upgradeCluster: (cluster, version) => ops.upgradeCluster(context, cluster, version),
        changeClusterTags: (cluster, tags) => ops.changeClusterTags(context, cluster, tags),
        changeClusterNetwork: (cluster, change) => ops.changeClusterNetwork(context, cluster, change),
        changeNodeGroupConfig: (cluster, nodeGroup, change) =>
            ops.changeNodeGroupConfig(context, cluster, nodeGroup, change),
        changeClusterAccess: (cluster, change) => ops.changeClusterAccess(context, cluster, change),
        changeNodeGroupMachines: (cluster, nodeGroup, change) =>
            ops.changeNodeGroupMachines(context, cluster, nodeGroup, change),
    };
}

/**
 * `changeNodeGroupMachines` for a driver without `inPlace.machines` (the field table replaces the
 * node group instead, so resources never call it): refused, naming what was asked.
 */
export function refuseMachineChange<Context>(driver: DriverName) {
    return (_context: Context, clusterIid: Iid, nodeGroupIid: Iid): Promise<NodeGroupInfo> =>
        Promise.reject(
            new NotSupportedError(
                `changing the machines of NodeGroup ${nodeGroupIid.nameId || nodeGroupIid.systemId} ` +
                    `of Cluster ${clusterIid.nameId || clusterIid.systemId}: the ${driver} driver ` +
                    "changes a node group's VM spec, image or root disk only by replacing the node group",
            ),
        );
}
