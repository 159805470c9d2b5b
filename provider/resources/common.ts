/**
 * Helpers shared by the four resource providers: connection handling, check-time issue
 * collection, unknown values, output hygiene and the error shapes the Pulumi engine expects.
 */
import * as crypto from "crypto";
import type { Capabilities, Connection, DriverContext, DriverName } from "../interface/driver";
import { CONFIG_KEYS } from "../interface/driver";
import { describeError, FieldIssue, isAlreadyExists, SpiderError } from "../interface/errors";
import { isOwnedBy } from "../interface/owner";
import { capabilitiesOf, DRIVER_NAMES } from "../drivers/registry";

/** The sentinel the engine sends for values not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Props = Record<string, unknown>;

export function isUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(isUnknown);
    if (v !== null && typeof v === "object") return Object.values(v as Props).some(isUnknown);
    return false;
}

/** Stack config the provider received through `configure`; secrets stay in memory only. */
export type ProviderConfig = Record<string, string>;

export function readConfig(config: { get(key: string): string | undefined }): ProviderConfig {
    const out: ProviderConfig = {};
    for (const key of CONFIG_KEYS) {
        const v = config.get(`spider:${key}`);
        if (v !== undefined && v !== "") out[key] = v;
    }
    return out;
}

/** Collects every problem of one check call so all of them are reported at once. */
export class Issues {
    readonly list: FieldIssue[] = [];
    add(property: string, reason: string): void {
        this.list.push({ property, reason });
    }
    addAll(issues: FieldIssue[], prefix = ""): void {
        for (const i of issues) this.add(prefix + i.property, i.reason);
    }
    get ok(): boolean {
        return this.list.length === 0;
    }
}

export function isRecord(v: unknown): v is Props {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Refuses property names the resource does not know, so `listner` is an error, not a no-op. */
export function checkKnownKeys(obj: unknown, allowed: readonly string[], path: string, issues: Issues): void {
    if (!isRecord(obj)) return;
    for (const key of Object.keys(obj)) {
        if (key === "__provider") continue;
        if (!allowed.includes(key)) {
            const near = allowed.find(a => editDistance(a, key) <= 2);
            issues.add(
                path ? `${path}.${key}` : key,
                `unknown property${near ? `; did you mean "${near}"?` : ""} (allowed: ${allowed.join(", ")})`,
            );
        }
    }
}

function editDistance(a: string, b: string): number {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return dp[a.length][b.length];
}

/** Validators return the normalized value, or undefined after recording an issue. Unknowns pass. */
export function checkInt(
    v: unknown,
    path: string,
    issues: Issues,
    range: { min: number; max: number },
    required = true,
): number | undefined {
    if (v === undefined || v === null) {
        if (required) issues.add(path, "is required");
        return undefined;
    }
    if (v === UNKNOWN) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) {
        issues.add(path, `must be an integer, got ${JSON.stringify(v)}`);
        return undefined;
    }
    if (v < range.min || v > range.max) {
        issues.add(path, `must be between ${range.min} and ${range.max}, got ${v}`);
        return undefined;
    }
    return v;
}

export function checkEnum<T extends string>(
    v: unknown,
    path: string,
    issues: Issues,
    allowed: readonly T[],
    all: readonly string[],
    required = true,
): T | undefined {
    if (v === undefined || v === null) {
        if (required) issues.add(path, `is required (allowed: ${allowed.join(", ")})`);
        return undefined;
    }
    if (v === UNKNOWN) return undefined;
    const s = typeof v === "string" ? v.toUpperCase() : v;
    if (typeof s !== "string" || !all.includes(s)) {
        issues.add(path, `must be one of ${all.join(", ")}, got ${JSON.stringify(v)}`);
        return undefined;
    }
    if (!allowed.includes(s as T)) {
        issues.add(path, `${s} is not supported by this driver (supported: ${allowed.join(", ")})`);
        return undefined;
    }
    return s as T;
}

export function checkString(v: unknown, path: string, issues: Issues, required = true): string | undefined {
    if (v === undefined || v === null || v === "") {
        if (required) issues.add(path, "is required");
        return undefined;
    }
    if (v === UNKNOWN) return undefined;
    if (typeof v !== "string") {
        issues.add(path, `must be a string, got ${JSON.stringify(v)}`);
        return undefined;
    }
    return v;
}

/**
 * The creating resource's URN, which the SDK passes as an input (dynamic providers are not told
 * it): drivers record it on what they create, so `pulumi-spider recover` adopts only objects this
 * very resource made. Not a field of any table: it never causes a diff.
 */
export function checkPulumiUrn(news: Props, issues: Issues): { pulumiUrn?: string } {
    if (news.pulumiUrn === undefined || news.pulumiUrn === UNKNOWN) return {};
    const urn = checkString(news.pulumiUrn, "pulumiUrn", issues);
    if (urn !== undefined && !urn.startsWith("urn:pulumi:")) {
        issues.add("pulumiUrn", `must be a Pulumi URN, got "${urn}"`);
    }
    return urn ? { pulumiUrn: urn } : {};
}

export function checkStringList(v: unknown, path: string, issues: Issues, required = true): string[] | undefined {
    if (v === undefined || v === null) {
        if (required) issues.add(path, "is required");
        return undefined;
    }
    if (v === UNKNOWN) return undefined;
    if (!Array.isArray(v)) {
        issues.add(path, "must be a list of strings");
        return undefined;
    }
    const out: string[] = [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
        if (item === UNKNOWN) return;
        if (typeof item !== "string" || item === "") {
            issues.add(`${path}[${i}]`, `must be a non-empty string, got ${JSON.stringify(item)}`);
            return;
        }
        if (seen.has(item)) issues.add(`${path}[${i}]`, `"${item}" is listed twice`);
        seen.add(item);
        out.push(item);
    });
    return out;
}

export function checkTags(v: unknown, path: string, issues: Issues): Record<string, string> | undefined {
    if (v === undefined || v === null) return {};
    if (v === UNKNOWN) return undefined;
    if (!isRecord(v)) {
        issues.add(path, "must be a map of string to string");
        return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
        if (val === UNKNOWN) continue;
        if (typeof val !== "string") issues.add(`${path}.${k}`, "must be a string");
        else out[k] = val;
    }
    return out;
}

export function checkName(
    v: unknown,
    path: string,
    issues: Issues,
    rule: { maxLength: number; pattern: RegExp; description: string },
): string | undefined {
    const s = checkString(v, path, issues, false);
    if (s === undefined) return undefined;
    if (s.length > rule.maxLength || !rule.pattern.test(s)) {
        issues.add(path, `"${s}" is not a valid name: ${rule.description}`);
        return undefined;
    }
    return s;
}

/** Connection as stored in state; credentials are refused because state is not secret storage. */
export function checkConnection(v: unknown, issues: Issues): Connection | undefined {
    const path = "connection";
    if (!isRecord(v)) {
        if (v !== UNKNOWN)
            issues.add(
                path,
                `is required: { driver: ${DRIVER_NAMES.map(d => `"${d}"`).join(" | ")}, region?, zone?, project?, endpoint?, localStateDir? }`,
            );
        return undefined;
    }
    checkKnownKeys(v, ["driver", "region", "zone", "project", "endpoint", "localStateDir"], path, issues);
    const driver = checkEnum<DriverName>(
        typeof v.driver === "string" ? v.driver.toLowerCase() : v.driver,
        `${path}.driver`,
        issues,
        DRIVER_NAMES.map(d => d.toUpperCase()) as DriverName[],
        DRIVER_NAMES.map(d => d.toUpperCase()),
    );
    const conn: Connection = { driver: (driver ? driver.toLowerCase() : "local") as DriverName };
    for (const key of ["region", "zone", "project", "endpoint", "localStateDir"] as const) {
        const s = checkString(v[key], `${path}.${key}`, issues, false);
        if (s !== undefined) conn[key] = s;
    }
    return driver ? conn : undefined;
}

export function driverCaps(conn: Connection): Capabilities {
    return capabilitiesOf(conn.driver);
}

/** Auto-name: the Pulumi name, trimmed to fit, plus a random suffix (names must be unique in the cloud). */
export function autoName(base: string, maxLength: number, lowercase: boolean): string {
    const suffix = crypto.randomBytes(2).toString("hex");
    let b = base
        .replace(/[^a-zA-Z0-9-]/g, "-")
        .replace(/^-+/, "")
        .replace(/-+$/, "");
    if (lowercase) b = b.toLowerCase();
    if (!/^[a-zA-Z]/.test(b)) b = `r${b}`;
    b = b.slice(0, maxLength - suffix.length - 1).replace(/-+$/, "");
    return `${b}-${suffix}`;
}

/** JSON-safe copy: drops undefined, turns Dates into ISO strings (the engine mangles both). */
export function clean<T>(v: T): T {
    return JSON.parse(JSON.stringify(v, (_k, val: unknown) => (val instanceof Date ? val.toISOString() : val))) as T;
}

export function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(canonical);
    if (isRecord(v)) {
        const out: Props = {};
        for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = canonical(v[k]);
        return out;
    }
    return v;
}

export function getPath(obj: unknown, path: string): unknown {
    let cur: unknown = obj;
    for (const part of path.split(".")) {
        if (!isRecord(cur)) return undefined;
        cur = cur[part];
    }
    return cur;
}

/**
 * Adoption refuses what would make the next preview replace the adopted object: each field the
 * table would replace becomes "field: existing X, declared Y".
 */
export function adoptionConflicts(replaces: readonly string[], live: Props, declared: Props): string[] {
    return replaces.map(
        f => `${f}: existing ${JSON.stringify(getPath(live, f))}, declared ${JSON.stringify(getPath(declared, f))}`,
    );
}

/**
 * What a failed create left in the cloud under the resource's name, to keep in state so nothing
 * is orphaned. AlreadyExists means the name belongs to someone else: recording that object would
 * let `destroy` delete it, so nothing is looked up.
 */
export async function leftBehind<T>(err: unknown, find: () => Promise<T>): Promise<T | undefined> {
    if (isAlreadyExists(err)) return undefined;
    return find().catch(() => undefined);
}

/**
 * The error of a create the cloud refused because the name is taken. When the object there names
 * this very URN as its owner, an earlier run of this resource created it and was killed before
 * Pulumi recorded it: the error says how to bring it into the stack instead of leaving the user to
 * delete it (or worse, to pick another name and orphan it).
 */
export async function createError(
    kind: string,
    name: string,
    urn: string | undefined,
    err: unknown,
    find: () => Promise<{ owner?: string }>,
): Promise<Error> {
    const e = opError("creating", kind, name, err);
    if (!urn || !isAlreadyExists(err)) return e;
    const existing = await find().catch(() => undefined);
    if (!isOwnedBy(existing?.owner, urn)) return e;
    const hint = new Error(
        `${e.message}. That object was created by this very resource (${urn}) in an earlier run ` +
            "that was interrupted before Pulumi recorded it: run `npx pulumi-spider recover` in this program's directory " +
            "(after `pulumi cancel` if the stack is locked), then `pulumi up`",
    );
    (hint as { cause?: unknown }).cause = err;
    return hint;
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

/**
 * VM references match when equal or when the cloud's canonical form ends with the declared
 * one (`us-central1-a/vm-1` is what a user declared as `vm-1`).
 */
export function sameVm(declared: string, live: string): boolean {
    return declared === live || live.endsWith(`/${declared}`);
}

/** The error text users see: `creating Nlb (web-1a2b): cause`. */
export function opError(op: string, kind: string, name: string, err: unknown): Error {
    const prefix = `${op} ${kind} (${name}): `;
    const text = describeError(err);
    const e = new Error(text.startsWith(prefix) ? text : prefix + text);
    (e as { cause?: unknown }).cause = err;
    if (err instanceof SpiderError) (e as { code?: string }).code = err.code;
    return e;
}

/**
 * Thrown when the cloud object exists but the operation failed part-way: the engine keeps the
 * resource in state with these properties, so a later `up`/`destroy` can finish or remove it.
 * `properties` must carry `__provider`, or the later delete cannot load the provider.
 */
export class PartialFailure extends Error {
    readonly id: string;
    readonly properties: Props;
    readonly reasons: string[];
    constructor(message: string, id: string, properties: Props, reasons: string[]) {
        super(message);
        this.id = id;
        this.properties = properties;
        // The engine shows only the reasons of an initialization failure, so the cause leads them.
        this.reasons = [message, ...reasons];
    }
}

/** Where progress lines go: the provider host's stderr, which `pulumi up` shows. */
export function progressLog(kind: string, name: string): (line: string) => void {
    return (line: string) => {
        process.stderr.write(`${kind} (${name}): ${line}\n`);
    };
}

/**
 * `SPIDER_POLL_MIN_MS`/`SPIDER_POLL_MAX_MS` (read from the provider host's environment, which
 * the `pulumi` CLI passes on) shorten waits against emulators; clouds use the drivers' defaults.
 */
export function driverContext(
    kind: string,
    name: string,
    config: ProviderConfig,
    timeouts?: DriverContext["timeouts"],
): DriverContext {
    const ctx: DriverContext = { log: progressLog(kind, name), config, timeouts };
    const min = Number(process.env.SPIDER_POLL_MIN_MS);
    const max = Number(process.env.SPIDER_POLL_MAX_MS);
    if (min > 0 && max >= min) ctx.poll = { minDelayMs: min, maxDelayMs: max };
    return ctx;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface CheckResult {
    inputs?: Props;
    failures?: CheckFailure[];
}

export interface DiffResult {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export interface CreateResult {
    id: string;
    outs: Props;
}

export interface ReadResult {
    id?: string;
    props?: Props;
}

export interface UpdateResult {
    outs: Props;
}

/** What each resource kind implements; the thin serialized provider in sdk/ forwards to it. */
export interface ResourceImpl {
    check(olds: Props, news: Props, config: ProviderConfig): Promise<CheckResult>;
    diff(id: string, olds: Props, news: Props, config: ProviderConfig): Promise<DiffResult>;
    create(inputs: Props, config: ProviderConfig): Promise<CreateResult>;
    read(id: string, props: Props, config: ProviderConfig): Promise<ReadResult>;
    update(id: string, olds: Props, news: Props, config: ProviderConfig): Promise<UpdateResult>;
    delete(id: string, props: Props, config: ProviderConfig): Promise<void>;
}

/** Timeouts users may set per resource (the Node dynamic-provider host ignores customTimeouts). */
export interface Timeouts {
    create?: number;
    update?: number;
    delete?: number;
}

export function checkTimeouts(v: unknown, issues: Issues): Timeouts | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isRecord(v)) {
        issues.add("timeouts", "must be an object { create?, update?, delete? } in minutes");
        return undefined;
    }
    checkKnownKeys(v, ["create", "update", "delete"], "timeouts", issues);
    const out: Timeouts = {};
    for (const k of ["create", "update", "delete"] as const) {
        const n = checkInt(v[k], `timeouts.${k}`, issues, { min: 1, max: 24 * 60 }, false);
        if (n !== undefined) out[k] = n;
    }
    return out;
}

export function toDriverTimeouts(t: unknown): DriverContext["timeouts"] {
    if (!isRecord(t)) return undefined;
    const out: NonNullable<DriverContext["timeouts"]> = {};
    for (const k of ["create", "update", "delete"] as const) {
        if (typeof t[k] === "number") out[k] = (t[k] as number) * 60_000;
    }
    return out;
}
