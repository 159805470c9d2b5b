/**
 * The fake's state: one project with regions, zones, a network, instances, and the load-balancing
 * resources the gcp driver manages, plus operations, generic reads and deletes. Every mutation is
 * planned (validated) when the request arrives and committed only when its operation finishes, so
 * a client that does not wait for operations sees what it would see on GCE: the resource is not
 * there yet. The per-resource rules live in balancing.ts and frontends.ts.
 */
import { createHash, randomBytes } from "crypto";
import { HttpError, alreadyExists, inUse, invalidField, notFound, required, statusText } from "./errors";

export const API_ROOT = "https://www.googleapis.com/compute/v1";
export const DEFAULT_PROJECT = "spider-test";
export const DEFAULT_REGION = "us-central1";

/** Regions and their zones; europe-west1 exists so "instance outside the region" can be tested. */
export const REGIONS: Readonly<Record<string, readonly string[]>> = {
    "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c"],
    "europe-west1": ["europe-west1-b"],
};

const SUBNET_CIDRS: Readonly<Record<string, string>> = {
    "us-central1": "10.128.0.",
    "europe-west1": "10.132.0.",
};

export type Json = Record<string, unknown>;

export interface SeedInstance {
    zone: string;
    name: string;
    network?: string;
    /** Health reported by getHealth; default true. */
    healthy?: boolean;
    /** Instance status; default RUNNING (anything else reports UNHEALTHY). */
    status?: string;
}

/** vm-1…vm-6 over zones a and b, `dup` in both, `vm-eu` in another region. */
export const SEED_INSTANCES: readonly SeedInstance[] = [
    { zone: "us-central1-a", name: "vm-1" },
    { zone: "us-central1-a", name: "vm-2" },
    { zone: "us-central1-a", name: "vm-3" },
    { zone: "us-central1-b", name: "vm-4" },
    { zone: "us-central1-b", name: "vm-5" },
    { zone: "us-central1-b", name: "vm-6" },
    { zone: "us-central1-a", name: "dup" },
    { zone: "us-central1-b", name: "dup" },
    { zone: "europe-west1-b", name: "vm-eu" },
];

export interface Resource extends Json {
    name: string;
    id: string;
    selfLink: string;
}

interface InstanceRecord {
    json: Resource;
    healthy: boolean;
}

interface GroupRecord {
    json: Resource;
    /** Instance keys (`zones/Z/instances/N`). */
    members: string[];
}

export type Commit = () => void;
export type Plan = () => Commit;

export interface OperationRecord {
    json: Json;
    pollsLeft: number;
    /** Re-validated and applied when the operation finishes; absent for injected failures. */
    plan?: Plan;
    injected?: HttpError;
}

export interface Inventory {
    forwardingRules: number;
    backendServices: number;
    healthChecks: number;
    addresses: number;
    instanceGroups: number;
}

export function newId(): string {
    const n = (BigInt("0x" + randomBytes(8).toString("hex")) % 9000000000000000000n) + 1000000000000000000n;
    return n.toString();
}

/** RFC 3339 in Pacific time, the way Compute reports creation timestamps. */
export function timestamp(): string {
    const d = new Date(Date.now() - 7 * 3600_000);
    return d.toISOString().replace("Z", "-07:00");
}

export function fingerprint(value?: unknown): string {
    const src = value === undefined ? randomBytes(8) : Buffer.from(JSON.stringify(value));
    return createHash("sha256").update(src).digest().subarray(0, 8).toString("base64");
}

export function labelFingerprint(labels: Record<string, string>): string {
    const sorted = Object.keys(labels)
        .sort()
        .map(k => [k, labels[k]]);
    return sorted.length === 0 ? "42WmSpB8rSM=" : fingerprint(sorted);
}

export function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}

export function isObject(v: unknown): v is Json {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * JSON merge patch (RFC 7396), the processing rules Compute's PATCH methods follow: nested objects
 * merge field by field, `null` removes a field (so it reverts to its default), anything else replaces.
 */
export function mergePatch(target: Json, patch: Json): Json {
    const out: Json = { ...target };
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else if (isObject(v)) out[k] = mergePatch(isObject(out[k]) ? out[k] : {}, v);
        else out[k] = clone(v);
    }
    return out;
}

/** A reference as Compute accepts it: full URL (any host), `projects/P/...`, or `regions/R/...`. */
export interface Ref {
    project: string;
    scope: string;
    collection: string;
    name: string;
}

export function parseRef(ref: string, project: string): Ref | undefined {
    const m = /(?:^|\/)(?:projects\/([^/]+)\/)?((?:regions|zones)\/[^/]+|global)\/([A-Za-z]+)\/([^/?#]+)$/.exec(ref);
    if (!m) return undefined;
    return { project: m[1] ?? project, scope: m[2], collection: m[3], name: m[4] };
}

export function regionOfZone(zone: string): string | undefined {
    return Object.keys(REGIONS).find(r => REGIONS[r].includes(zone));
}

export function portsOf(rule: Json): Array<[number, number]> {
    if (Array.isArray(rule.ports)) {
        return (rule.ports as unknown[]).map(p => {
            const n = Number(p);
            return [n, n] as [number, number];
        });
    }
    if (typeof rule.portRange === "string") {
        const [a, b] = rule.portRange.split("-").map(Number);
        return [[a, b ?? a]];
    }
    return [[1, 65535]];
}

export function overlaps(a: Array<[number, number]>, b: Array<[number, number]>): boolean {
    return a.some(([a1, a2]) => b.some(([b1, b2]) => a1 <= b2 && b1 <= a2));
}

export class FakeCompute {
    readonly project: string;
    opPolls: number;
    readonly instances = new Map<string, InstanceRecord>();
    readonly networks = new Map<string, Resource>();
    readonly subnetworks = new Map<string, Resource>();
    readonly healthChecks = new Map<string, Resource>();
    readonly backendServices = new Map<string, Resource>();
    readonly addresses = new Map<string, Resource>();
    readonly forwardingRules = new Map<string, Resource>();
    readonly groups = new Map<string, GroupRecord>();
    readonly operations = new Map<string, OperationRecord>();
    readonly byRequestId = new Map<string, OperationRecord>();
    readonly usedIps = new Set<string>();
    private nextPublicIp = 10;
    private nextPrivateIp = 2;

    constructor(opts: { project?: string; opPolls?: number } = {}) {
        this.project = opts.project ?? DEFAULT_PROJECT;
        this.opPolls = opts.opPolls ?? 1;
        this.seed();
    }

    reset(): void {
        for (const m of [
            this.instances,
            this.networks,
            this.subnetworks,
            this.healthChecks,
            this.backendServices,
            this.addresses,
            this.forwardingRules,
            this.groups,
            this.operations,
            this.byRequestId,
        ])
            m.clear();
        this.usedIps.clear();
        this.nextPublicIp = 10;
        this.nextPrivateIp = 2;
        this.seed();
    }

    private seed(): void {
        const net = this.link("global", "networks", "default");
        this.networks.set("global/default", {
            kind: "compute#network",
            id: newId(),
            creationTimestamp: timestamp(),
            name: "default",
            selfLink: net,
            autoCreateSubnetworks: false,
            subnetworks: [] as string[],
        });
        for (const region of Object.keys(REGIONS)) {
            const link = this.link(`regions/${region}`, "subnetworks", "default");
            this.subnetworks.set(`regions/${region}/default`, {
                kind: "compute#subnetwork",
                id: newId(),
                creationTimestamp: timestamp(),
                name: "default",
                network: net,
                ipCidrRange: `${SUBNET_CIDRS[region]}0/20`,
                gatewayAddress: `${SUBNET_CIDRS[region]}1`,
                region: `${API_ROOT}/projects/${this.project}/regions/${region}`,
                selfLink: link,
            });
            (this.networks.get("global/default")!.subnetworks as string[]).push(link);
        }
        for (const s of SEED_INSTANCES) this.addInstance(s);
    }

    link(scope: string, collection: string, name: string): string {
        return `${API_ROOT}/projects/${this.project}/${scope}/${collection}/${name}`;
    }

    path(scope: string, collection: string, name: string): string {
        return `projects/${this.project}/${scope}/${collection}/${name}`;
    }

    // -------------------------------------------------------------------------------------------
    // Scopes

    checkProject(project: string): void {
        if (project !== this.project) throw notFound(`projects/${project}`);
    }

    checkRegion(region: string): void {
        if (!REGIONS[region]) throw invalidField("region", region, "Unknown region.");
    }

    checkZone(zone: string): void {
        if (!regionOfZone(zone)) throw invalidField("zone", zone, "Unknown zone.");
    }

    // -------------------------------------------------------------------------------------------
    // Control

    addInstance(s: SeedInstance): void {
        this.checkZone(s.zone);
        const region = regionOfZone(s.zone)!;
        const key = `zones/${s.zone}/instances/${s.name}`;
        if (this.instances.has(key)) throw alreadyExists(`projects/${this.project}/${key}`);
        const network = s.network ?? "default";
        const ip = `${SUBNET_CIDRS[region] ?? "10.200.0."}${this.nextPrivateIp++}`;
        this.usedIps.add(ip);
        this.instances.set(key, {
            healthy: s.healthy ?? true,
            json: {
                kind: "compute#instance",
                id: newId(),
                creationTimestamp: timestamp(),
                name: s.name,
                zone: `${API_ROOT}/projects/${this.project}/zones/${s.zone}`,
                machineType: `${API_ROOT}/projects/${this.project}/zones/${s.zone}/machineTypes/e2-small`,
                status: s.status ?? "RUNNING",
                networkInterfaces: [
                    {
                        name: "nic0",
                        network: this.link("global", "networks", network),
                        subnetwork: this.link(`regions/${region}`, "subnetworks", "default"),
                        networkIP: ip,
                    },
                ],
                selfLink: this.link(`zones/${s.zone}`, "instances", s.name),
            },
        });
    }

    setHealth(zone: string, name: string, healthy: boolean): void {
        const inst = this.instances.get(`zones/${zone}/instances/${name}`);
        if (!inst) throw notFound(`projects/${this.project}/zones/${zone}/instances/${name}`);
        inst.healthy = healthy;
    }

    inventory(): Inventory {
        return {
            forwardingRules: this.forwardingRules.size,
            backendServices: this.backendServices.size,
            healthChecks: this.healthChecks.size,
            addresses: this.addresses.size,
            instanceGroups: this.groups.size,
        };
    }

    // -------------------------------------------------------------------------------------------
    // Operations

    /**
     * Validates now (a refusal is a synchronous HTTP error, as on GCE) and applies when the operation
     * finishes, re-validating then so a conflicting change made meanwhile fails the operation instead.
     */
    startOperation(opts: {
        scope: string;
        operationType: string;
        targetLink: string;
        targetId?: string;
        plan: Plan;
        requestId?: string;
    }): Json {
        const dedup = opts.requestId ? this.byRequestId.get(opts.requestId) : undefined;
        if (dedup) return clone(dedup.json);
        opts.plan();
        const rec = this.newOperation(opts.scope, opts.operationType, opts.targetLink, opts.targetId);
        rec.plan = opts.plan;
        if (opts.requestId) this.byRequestId.set(opts.requestId, rec);
        return clone(rec.json);
    }

    /** An operation that is accepted, runs its polls, and ends DONE with `error` (nothing applied). */
    failedOperation(scope: string, operationType: string, targetLink: string, error: HttpError): Json {
        const rec = this.newOperation(scope, operationType, targetLink, undefined);
        rec.injected = error;
        return clone(rec.json);
    }

    private newOperation(scope: string, operationType: string, targetLink: string, targetId?: string): OperationRecord {
        const name = `operation-${Date.now()}-${randomBytes(6).toString("hex")}-${randomBytes(4).toString("hex")}`;
        const scopeField = scope.startsWith("zones/") ? "zone" : scope.startsWith("regions/") ? "region" : undefined;
        const json: Json = {
            kind: "compute#operation",
            id: newId(),
            name,
            operationType,
            targetLink,
            status: "RUNNING",
            user: `spider-fake@${this.project}.iam.gserviceaccount.com`,
            progress: 0,
            insertTime: timestamp(),
            startTime: timestamp(),
            selfLink: this.link(scope, "operations", name),
        };
        if (targetId) json.targetId = targetId;
        if (scopeField) json[scopeField] = `${API_ROOT}/projects/${this.project}/${scope}`;
        const rec: OperationRecord = { json, pollsLeft: this.opPolls };
        this.operations.set(`${scope}/${name}`, rec);
        return rec;
    }

    /** One poll (get or wait): RUNNING for `opPolls` polls, then DONE (applying the change). */
    pollOperation(scope: string, name: string): Json {
        const rec = this.operations.get(`${scope}/${name}`);
        if (!rec) throw notFound(this.path(scope, "operations", name));
        if (rec.json.status !== "DONE") {
            if (rec.pollsLeft > 0) rec.pollsLeft--;
            else this.finish(rec);
        }
        return clone(rec.json);
    }

    private finish(rec: OperationRecord): void {
        let failure = rec.injected;
        if (!failure && rec.plan) {
            try {
                rec.plan()();
            } catch (err) {
                if (!(err instanceof HttpError)) throw err;
                failure = err;
            }
        }
        rec.json.status = "DONE";
        rec.json.progress = 100;
        rec.json.endTime = timestamp();
        if (failure) {
            rec.json.error = { errors: [{ code: failure.operationCode(), message: failure.message }] };
            rec.json.httpErrorStatusCode = failure.status;
            rec.json.httpErrorMessage = statusText(failure.status);
        }
    }

    // -------------------------------------------------------------------------------------------
    // Reads shared by every collection

    collection(name: string): Map<string, Resource> {
        switch (name) {
            case "healthChecks":
                return this.healthChecks;
            case "backendServices":
                return this.backendServices;
            case "addresses":
                return this.addresses;
            case "forwardingRules":
                return this.forwardingRules;
            case "subnetworks":
                return this.subnetworks;
            case "networks":
                return this.networks;
            default:
                throw new HttpError(404, "notFound", `Unknown collection '${name}'`);
        }
    }

    get(scope: string, collection: string, name: string): Json {
        if (collection === "instances") return clone(this.instance(scope, name).json);
        if (collection === "instanceGroups") return clone(this.group(scope, name).json);
        const r = this.collection(collection).get(`${scope}/${name}`);
        if (!r) throw notFound(this.path(scope, collection, name));
        return clone(r);
    }

    list(scope: string, collection: string): Json[] {
        const prefix = `${scope}/`;
        const pick = <T>(m: Map<string, T>, f: (v: T) => Resource): Json[] =>
            [...m.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => clone(f(v)));
        if (collection === "instances") return pick(this.instances, v => v.json);
        if (collection === "instanceGroups") return pick(this.groups, v => v.json);
        return pick(this.collection(collection), v => v);
    }

    /** Scopes an aggregated list covers for a collection. */
    scopesOf(collection: string): string[] {
        const zonal = collection === "instances" || collection === "instanceGroups";
        return zonal
            ? Object.values(REGIONS)
                  .flat()
                  .map(z => `zones/${z}`)
            : Object.keys(REGIONS).map(r => `regions/${r}`);
    }

    instance(scope: string, name: string): InstanceRecord {
        const rec = this.instances.get(`${scope}/instances/${name}`);
        if (!rec) throw notFound(this.path(scope, "instances", name));
        return rec;
    }

    group(scope: string, name: string): GroupRecord {
        const rec = this.groups.get(`${scope}/${name}`);
        if (!rec) throw notFound(this.path(scope, "instanceGroups", name));
        return rec;
    }

    /** Resolves a reference to a stored resource of `collection`, or throws notFound/invalid. */
    deref(
        ref: unknown,
        field: string,
        collection: string,
        defaultScope?: string,
    ): { key: string; res: Resource; ref: Ref } {
        if (typeof ref !== "string" || ref === "") throw required(field);
        const parsed =
            parseRef(ref, this.project) ??
            (defaultScope && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(ref)
                ? { project: this.project, scope: defaultScope, collection, name: ref }
                : undefined);
        if (!parsed || parsed.collection !== collection)
            throw invalidField(field, ref, `Expected a reference to a ${collection} resource.`);
        if (parsed.project !== this.project)
            throw notFound(`projects/${parsed.project}/${parsed.scope}/${collection}/${parsed.name}`);
        const key = `${parsed.scope}/${parsed.name}`;
        if (collection === "instanceGroups") {
            return { key, res: this.group(parsed.scope, parsed.name).json, ref: parsed };
        }
        if (collection === "instances") {
            return {
                key: `${parsed.scope}/instances/${parsed.name}`,
                res: this.instance(parsed.scope, parsed.name).json,
                ref: parsed,
            };
        }
        const res = this.collection(collection).get(key);
        if (!res) throw notFound(this.path(parsed.scope, collection, parsed.name));
        return { key, res, ref: parsed };
    }

    private users(link: string, except?: string): string[] {
        const out: string[] = [];
        for (const bs of this.backendServices.values()) {
            if (bs.selfLink === except) continue;
            const hcs = (bs.healthChecks as string[] | undefined) ?? [];
            const groups = ((bs.backends as Json[] | undefined) ?? []).map(b => String(b.group));
            if (hcs.some(h => sameLink(h, link)) || groups.some(g => sameLink(g, link))) out.push(bs.selfLink);
        }
        for (const fr of this.forwardingRules.values()) {
            if (fr.selfLink === except) continue;
            if (sameLink(String(fr.backendService ?? ""), link)) out.push(fr.selfLink);
        }
        return out;
    }

    private planDelete(scope: string, collection: string, name: string, kind: string): Plan {
        return () => {
            const key = `${scope}/${name}`;
            const map = collection === "instanceGroups" ? undefined : this.collection(collection);
            const exists = map ? map.has(key) : this.groups.has(key);
            if (!exists) throw notFound(this.path(scope, collection, name));
            const link = this.link(scope, collection, name);
            const users =
                collection === "addresses"
                    ? ((this.addresses.get(key)!.users as string[] | undefined) ?? [])
                    : this.users(link);
            if (users.length > 0)
                throw inUse(kind, this.path(scope, collection, name), users[0].replace(`${API_ROOT}/`, ""));
            return () => {
                if (map) {
                    if (collection === "addresses") this.usedIps.delete(String(map.get(key)!.address));
                    map.delete(key);
                } else {
                    this.groups.delete(key);
                }
            };
        };
    }

    delete(scope: string, collection: string, name: string, requestId?: string): Json {
        const kinds: Record<string, string> = {
            healthChecks: "health_check",
            backendServices: "backend_service",
            addresses: "address",
            instanceGroups: "instance_group",
        };
        const kind = kinds[collection];
        if (!kind) throw new HttpError(405, "badRequest", `Deleting ${collection} is not supported by the fake`);
        const key = `${scope}/${name}`;
        const existing =
            collection === "instanceGroups" ? this.groups.get(key)?.json : this.collection(collection).get(key);
        return this.startOperation({
            scope,
            operationType: "delete",
            targetLink: this.link(scope, collection, name),
            targetId: existing?.id,
            plan: this.planDelete(scope, collection, name, kind),
            requestId,
        });
    }

    allocateIp(type: string, region: string): string {
        if (type === "EXTERNAL") {
            for (;;) {
                const n = this.nextPublicIp++;
                const ip = `34.118.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
                if (!this.usedIps.has(ip)) return ip;
            }
        }
        for (let n = 100; n < 4000; n++) {
            const ip = `${SUBNET_CIDRS[region]}${n}`;
            if (!this.usedIps.has(ip)) return ip;
        }
        throw new HttpError(400, "invalid", "The subnetwork has no free addresses.");
    }

    checkName(name: unknown): string {
        if (typeof name !== "string" || name === "") throw required("resource.name");
        if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
            throw invalidField(
                "resource.name",
                name,
                "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
            );
        }
        return name;
    }
}

export function sameLink(a: string, b: string): boolean {
    const tail = (s: string): string => {
        const i = s.indexOf("projects/");
        return i >= 0 ? s.slice(i) : s;
    };
    return a !== "" && b !== "" && tail(a) === tail(b);
}

export function lastSegment(s: string): string {
    return s.slice(s.lastIndexOf("/") + 1);
}

export function dropUndefined<T extends Json>(o: T): T {
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    return o;
}
