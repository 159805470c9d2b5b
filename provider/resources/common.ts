/**
 * Helpers shared by the four resource providers: unknown values, output hygiene, naming and the
 * error shapes the Pulumi engine expects.
 */
import * as crypto from "crypto";
import type { DriverContext } from "../interface/driver";
import { CONFIG_KEYS } from "../interface/driver";
import { describeError, isAlreadyExists, SpiderError } from "../interface/errors";
import { isOwnedBy } from "../interface/owner";
import { isRecord, Props, UNKNOWN } from "../interface/schema";

export { isRecord, UNKNOWN };
export type { Props };

export function isUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(isUnknown);
    if (isRecord(value)) return Object.values(value).some(isUnknown);
    return false;
}

/** The user's tags: the driver's own `spider:` bookkeeping tags stay out of the outputs. */
export function userTags(tags: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(tags).filter(([key]) => !key.startsWith("spider:")));
}

/** Stack config the provider received through `configure`; secrets stay in memory only. */
export type ProviderConfig = Record<string, string>;

export function readConfig(config: { get(key: string): string | undefined }): ProviderConfig {
    const out: ProviderConfig = {};
    for (const key of CONFIG_KEYS) {
        const value = config.get(`spider:${key}`);
        if (value !== undefined && value !== "") out[key] = value;
    }
    return out;
}

/** Auto-name: the Pulumi name, trimmed to fit, plus a random suffix (names must be unique in the cloud). */
export function autoName(base: string, maxLength: number, lowercase: boolean): string {
    const suffix = crypto.randomBytes(2).toString("hex");
    let stem = base
        .replace(/[^a-zA-Z0-9-]/g, "-")
        .replace(/^-+/, "")
        .replace(/-+$/, "");
    if (lowercase) stem = stem.toLowerCase();
    if (!/^[a-zA-Z]/.test(stem)) stem = `r${stem}`;
    stem = stem.slice(0, maxLength - suffix.length - 1).replace(/-+$/, "");
    return `${stem}-${suffix}`;
}

/** JSON-safe copy: drops undefined, turns Dates into ISO strings (the engine mangles both). */
export function clean<T>(value: T): T {
    const text = JSON.stringify(value, (_key, field: unknown) => (field instanceof Date ? field.toISOString() : field));
    return JSON.parse(text) as T;
}

export function deepEqual(left: unknown, right: unknown): boolean {
    return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

function canonical(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(canonical);
    if (isRecord(value)) {
        const out: Props = {};
        for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = canonical(value[key]);
        return out;
    }
    return value;
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
    const failure = opError("creating", kind, name, err);
    if (!urn || !isAlreadyExists(err)) return failure;
    const existing = await find().catch(() => undefined);
    if (!isOwnedBy(existing?.owner, urn)) return failure;
    const hint = new Error(
        `${failure.message}. That object was created by this very resource (${urn}) in an earlier run ` +
            "that was interrupted before Pulumi recorded it: run `npx pulumi-spider recover` in this program's " +
            "directory (after `pulumi cancel` if the stack is locked), then `pulumi up`",
    );
    (hint as { cause?: unknown }).cause = err;
    return hint;
}

export function sameSet(left: readonly string[], right: readonly string[]): boolean {
    return left.length === right.length && [...left].sort().join("\n") === [...right].sort().join("\n");
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
    const failure = new Error(text.startsWith(prefix) ? text : prefix + text);
    (failure as { cause?: unknown }).cause = err;
    if (err instanceof SpiderError) (failure as { code?: string }).code = err.code;
    return failure;
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

export function toDriverTimeouts(timeouts: unknown): DriverContext["timeouts"] {
    if (!isRecord(timeouts)) return undefined;
    const out: NonNullable<DriverContext["timeouts"]> = {};
    for (const phase of ["create", "update", "delete"] as const) {
        const minutes = timeouts[phase];
        if (typeof minutes === "number") out[phase] = minutes * 60_000;
    }
    return out;
}
