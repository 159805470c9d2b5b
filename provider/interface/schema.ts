/**
 * The building blocks of every input schema (the resources' and the drivers' cloud rules): zod 4
 * schemas whose leaves report today's messages ("must be between 1 and 65535, got 70000", the
 * allowed values, "did you mean"), let values unknown during preview through, and carry their
 * documentation as zod metadata, so docs and tests read them from the same place.
 *
 * Objects are checked field by field rather than by `z.object`, so a cross-field rule still runs
 * on the fields that are valid when a sibling is not (it is given only those, and values unknown
 * during preview as the sentinel): every failure is reported at once.
 */
import { z } from "zod";
import type { ClusterCapabilities, NameRule, NodeGroupConfigChange, Taint, TaintEffect } from "./driver";
import { TAINT_EFFECTS } from "./driver";
import type { FieldIssue } from "./errors";

/** The sentinel the engine sends for values not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export function isRecord(value: unknown): value is Props {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** What users read about a field: its doc, default and allowed values (README and SDK docs). */
export interface FieldMeta {
    description?: string;
    default?: unknown;
    allowed?: readonly string[];
    minimum?: number;
    maximum?: number;
}

type Fail = (reason: string, path?: Array<string | number>) => void;
type LeafCheck<T> = (value: unknown, fail: Fail) => T | undefined;

const isMissing = (value: unknown) => value === undefined || value === null;

/** A leaf: `check` sees every value except the preview sentinel, which passes unchanged. */
export function leaf<T>(check: LeafCheck<T>, meta: FieldMeta = {}): z.ZodType<T> {
    const schema = z.unknown().transform((value, ctx): T => {
        if (value === UNKNOWN) return value as T;
        let failed = false;
        const out = check(value, (message, path) => {
            failed = true;
            ctx.addIssue({ code: "custom", message, path: path ?? [] });
        });
        // An optional field left out is `undefined`; a failed one carries its issues.
        return failed ? z.NEVER : (out as T);
    });
    return schema.meta({ ...meta });
}

/** A field that may be left out: its value is then `undefined` (no default, no "is required"). */
type Omittable = { optional: true };

interface Presence<T> {
    /** Used when the value is absent; absent and no default: "is required" unless `optional`. */
    default?: T;
    optional?: boolean;
    description?: string;
}

function present<T>(value: unknown, opts: Presence<T>, fail: Fail, required = "is required"): unknown {
    if (!isMissing(value)) return value;
    if (opts.default !== undefined) return opts.default;
    if (!opts.optional) fail(required);
    return undefined;
}

/** An integer in range; `emptyMeans` is what absent, "" and 0 stand for ("driver default"). */
export function int(
    range: { min: number; max: number },
    opts: Presence<number> & { emptyMeans?: number } & Omittable,
): z.ZodType<number | undefined>;
export function int(
    range: { min: number; max: number },
    opts?: Presence<number> & { emptyMeans?: number },
): z.ZodType<number>;
export function int(
    range: { min: number; max: number },
    opts: Presence<number> & { emptyMeans?: number } = {},
): z.ZodType<number | undefined> {
    return leaf(
        (raw, fail) => {
            if (opts.emptyMeans !== undefined && (isMissing(raw) || raw === "" || raw === 0)) return opts.emptyMeans;
            const value = present(raw, opts, fail);
            if (value === undefined) return undefined;
            if (typeof value !== "number" || !Number.isInteger(value)) {
                return void fail(`must be an integer, got ${JSON.stringify(value)}`);
            }
            if (value < range.min || value > range.max) {
                return void fail(`must be between ${range.min} and ${range.max}, got ${value}`);
            }
            return value;
        },
        { description: opts.description, default: opts.default, minimum: range.min, maximum: range.max },
    );
}

/**
 * One of `all` (case-insensitive, stored as `all` spells it); a value this driver does not offer is
 * told apart from a value that does not exist.
 */
export function oneOf<T extends string>(
    all: readonly T[],
    opts: Presence<T> & { supported?: readonly T[] } & Omittable,
): z.ZodType<T | undefined>;
export function oneOf<T extends string>(
    all: readonly T[],
    opts?: Presence<T> & { supported?: readonly T[] },
): z.ZodType<T>;
export function oneOf<T extends string>(
    all: readonly T[],
    opts: Presence<T> & { supported?: readonly T[] } = {},
): z.ZodType<T | undefined> {
    const supported = opts.supported ?? all;
    return leaf(
        (raw, fail) => {
            const value = present(raw, opts, fail, `is required (allowed: ${supported.join(", ")})`);
            if (value === undefined) return undefined;
            const upper = typeof value === "string" ? value.toUpperCase() : value;
            const known = all.find(candidate => candidate.toUpperCase() === upper);
            if (known === undefined) return void fail(`must be one of ${all.join(", ")}, got ${JSON.stringify(value)}`);
            if (!supported.includes(known)) {
                return void fail(`${known} is not supported by this driver (supported: ${supported.join(", ")})`);
            }
            return known;
        },
        { description: opts.description, default: opts.default, allowed: supported },
    );
}

export function str(opts: Presence<string> & Omittable): z.ZodType<string | undefined>;
export function str(opts?: Presence<string>): z.ZodType<string>;
export function str(opts: Presence<string> = {}): z.ZodType<string | undefined> {
    return leaf(
        (raw, fail) => {
            const value = present(raw === "" ? undefined : raw, opts, fail);
            if (value === undefined) return undefined;
            if (typeof value !== "string") return void fail(`must be a string, got ${JSON.stringify(value)}`);
            return value;
        },
        { description: opts.description, default: opts.default },
    );
}

export function bool(opts: Presence<boolean> & Omittable): z.ZodType<boolean | undefined>;
export function bool(opts?: Presence<boolean>): z.ZodType<boolean>;
export function bool(opts: Presence<boolean> = {}): z.ZodType<boolean | undefined> {
    return leaf(
        (raw, fail) => {
            const value = present(raw, opts, fail);
            if (value === undefined) return undefined;
            if (typeof value !== "boolean") return void fail(`must be true or false, got ${JSON.stringify(value)}`);
            return value;
        },
        { description: opts.description, default: opts.default },
    );
}

/** A cloud name: a string that fits the driver's naming rule (when the driver is known). */
export function cloudName(
    rule: NameRule | undefined,
    opts: Presence<string> & Omittable,
): z.ZodType<string | undefined>;
export function cloudName(rule: NameRule | undefined, opts?: Presence<string>): z.ZodType<string>;
export function cloudName(rule: NameRule | undefined, opts: Presence<string> = {}): z.ZodType<string | undefined> {
    return leaf(
        (raw, fail) => {
            const value = present(raw === "" ? undefined : raw, opts, fail);
            if (value === undefined) return undefined;
            if (typeof value !== "string") return void fail(`must be a string, got ${JSON.stringify(value)}`);
            if (rule && (value.length > rule.maxLength || !rule.pattern.test(value))) {
                return void fail(`"${value}" is not a valid name: ${rule.description}`);
            }
            return value;
        },
        { description: opts.description ?? rule?.description },
    );
}

/** Distinct non-empty strings; `minItems` with its reason for lists that must not be empty. */
type ListOptions = Presence<string[]> & { minItems?: { count: number; reason: string } };
export function strList(opts: ListOptions & Omittable): z.ZodType<string[] | undefined>;
export function strList(opts?: ListOptions): z.ZodType<string[]>;
export function strList(opts: ListOptions = {}): z.ZodType<string[] | undefined> {
    return leaf(
        (raw, fail) => {
            const value = present(raw, opts, fail);
            if (value === undefined) return undefined;
            if (!Array.isArray(value)) return void fail("must be a list of strings");
            const seen = new Set<string>();
            const out: string[] = [];
            value.forEach((item, index) => {
                if (item === UNKNOWN) return;
                if (typeof item !== "string" || item === "") {
                    return fail(`must be a non-empty string, got ${JSON.stringify(item)}`, [index]);
                }
                if (seen.has(item)) fail(`"${item}" is listed twice`, [index]);
                seen.add(item);
                out.push(item);
            });
            // Counted from what was read (holes in a sparse list are no items); unknown items count.
            const counted = out.length + value.filter(item => item === UNKNOWN).length;
            if (opts.minItems && counted < opts.minItems.count) fail(opts.minItems.reason);
            return out;
        },
        { description: opts.description, default: opts.default },
    );
}

/** A map of string to string; absent is empty. */
export function stringMap(opts: { description?: string } = {}): z.ZodType<Record<string, string>> {
    return leaf(
        (raw, fail) => {
            if (isMissing(raw)) return {};
            if (!isRecord(raw)) return void fail("must be a map of string to string");
            const out: Record<string, string> = {};
            for (const [key, value] of Object.entries(raw)) {
                if (value === UNKNOWN) continue;
                if (typeof value !== "string") fail("must be a string", [key]);
                else out[key] = value;
            }
            return out;
        },
        { description: opts.description, default: {} },
    );
}

// ---------------------------------------------------------------------------------------------
// Kubernetes and network values (the same rules on every driver: Kubernetes' and EKS's)

/** A Kubernetes label or taint key: an optional DNS-subdomain prefix and "/", then a name. */
const K8S_KEY =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const K8S_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const K8S_TEXT = "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
/** Label prefixes Kubernetes and EKS keep for themselves. */
export const RESERVED_LABEL_PREFIXES = ["kubernetes.io/", "k8s.io/", "eks.amazonaws.com/"];

/** Why a Kubernetes key is refused, or undefined: 1–63 characters of Kubernetes key syntax. */
export function k8sKeyProblem(key: string): string | undefined {
    if (key.length < 1 || key.length > 63) return `key "${key}" must be 1–63 characters, got ${key.length}`;
    if (!K8S_KEY.test(key))
        return `key "${key}" is not a Kubernetes key: an optional DNS prefix and "/", then ${K8S_TEXT}`;
    return undefined;
}

/** Why a Kubernetes value is refused, or undefined; `minLength` 0 lets "" through (taints). */
export function k8sValueProblem(value: string, minLength: 0 | 1): string | undefined {
    if (value === "" && minLength === 0) return undefined;
    if (value.length < Math.max(1, minLength) || value.length > 63) {
        return `value "${value}" must be ${minLength}–63 characters, got ${value.length}`;
    }
    if (!K8S_VALUE.test(value)) return `value "${value}" must be ${K8S_TEXT}`;
    return undefined;
}

/** Kubernetes node labels: keys and values 1–63 characters of Kubernetes syntax, no reserved prefix. */
export function labelMap(opts: { description?: string } = {}): z.ZodType<Record<string, string>> {
    const map = stringMap();
    return leaf(
        (raw, fail) => {
            const parsed = map.safeParse(raw);
            if (!parsed.success) return void parsed.error.issues.forEach(i => fail(i.message, pathOf(i.path)));
            for (const [key, value] of Object.entries(parsed.data)) {
                const reserved = RESERVED_LABEL_PREFIXES.find(
                    prefix => key.startsWith(prefix) || key.includes(`.${prefix}`),
                );
                const problem = reserved
                    ? `key "${key}" uses the reserved prefix ${reserved}`
                    : (k8sKeyProblem(key) ?? k8sValueProblem(value, 1));
                if (problem) fail(problem, [key]);
            }
            return parsed.data;
        },
        { description: opts.description, default: {} },
    );
}

/** An IPv4 CIDR block in canonical form (host bits zero): the form EKS takes. */
export function ipv4CidrProblem(text: string): string | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const bits = match ? Number(match[5]) : -1;
    if (!match || octets.some(octet => octet > 255) || bits > 32)
        return `"${text}" is not an IPv4 CIDR block (a.b.c.d/n)`;
    const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
    const hostBits = bits === 0 ? address : address % 2 ** (32 - bits);
    if (hostBits !== 0) return `"${text}" has host bits set; the block is written with its network address`;
    return undefined;
}

/** Distinct IPv4 CIDR blocks, at most `max`. */
export function cidrList(opts: Presence<string[]> & { max: number }): z.ZodType<string[]> {
    const list = strList({ default: opts.default ?? [] });
    return leaf(
        (raw, fail) => {
            const parsed = list.safeParse(raw);
            if (!parsed.success) return void parsed.error.issues.forEach(i => fail(i.message, pathOf(i.path)));
            parsed.data.forEach((cidr, index) => {
                const problem = ipv4CidrProblem(cidr);
                if (problem) fail(problem, [index]);
            });
            if (parsed.data.length > opts.max) fail(`at most ${opts.max} CIDR blocks, got ${parsed.data.length}`);
            return parsed.data;
        },
        { description: opts.description, default: opts.default },
    );
}

/** A count in `range`, or a percentage "N%" with N in 1–100. */
export function countOrPercent(
    range: { min: number; max: number },
    opts: Presence<number | string> & { /** Percentages refused, for this reason. */ countOnly?: string } = {},
): z.ZodType<number | string> {
    return leaf<number | string>(
        (raw, fail) => {
            const value = present(raw, opts, fail);
            if (value === undefined) return undefined;
            if (typeof value === "string" && opts.countOnly !== undefined) {
                return void fail(`must be a count of nodes, not a percentage (${opts.countOnly}), got "${value}"`);
            }
            if (typeof value === "string") {
                const percent = /^(\d+)%$/.exec(value);
                if (percent && Number(percent[1]) >= 1 && Number(percent[1]) <= 100) return `${Number(percent[1])}%`;
                return void fail(`must be a count or a percentage "1%"–"100%", got ${JSON.stringify(value)}`);
            }
            if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max) {
                return void fail(
                    `must be a count ${range.min}–${range.max} or a percentage such as "33%", ` +
                        `got ${JSON.stringify(value)}`,
                );
            }
            return value;
        },
        { description: opts.description, default: opts.default, minimum: range.min, maximum: range.max },
    );
}

export type Shape = Record<string, z.ZodType>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends z.output<S[K]> ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
/** The object's value: fields that may be left out are optional properties. */
export type Infer<S extends Shape> = Flat<
    { [K in Exclude<keyof S, OptionalKeys<S>>]: z.output<S[K]> } & { [K in OptionalKeys<S>]?: z.output<S[K]> }
>;
/** Cross-field rules: the fields that passed their own checks, and the (prepared) raw value. */
export type Refine<S extends Shape> = (
    valid: Partial<Infer<S>>,
    fail: (path: string, reason: string) => void,
    raw: Props,
) => void;

export interface ObjectOptions<S extends Shape> {
    /** How the object is written, for "is required: { … }" (the keys are listed when unset). */
    hint?: string;
    /** Absent means `{}` (every field defaulted), or with "omit" stays absent, instead of "is required". */
    optional?: boolean | "omit";
    /** Keys accepted and ignored (engine bookkeeping such as `__provider`); "all" for stored outputs. */
    ignoredKeys?: readonly string[] | "all";
    /** Defaults that depend on other fields, filled into the raw value before the fields are checked. */
    prepare?: (raw: Props) => Props;
    /** Rules across fields, given the fields that passed their own checks. */
    refine?: Refine<S>;
    description?: string;
}

/**
 * A strict object: unknown keys are refused with a "did you mean" hint, every field is checked
 * (all failures reported), then the cross-field rules run on the valid ones.
 */
export function object<S extends Shape>(
    shape: S,
    opts: ObjectOptions<S> & { optional: "omit" },
): z.ZodType<Infer<S> | undefined>;
export function object<S extends Shape>(shape: S, opts?: ObjectOptions<S>): z.ZodType<Infer<S>>;
export function object<S extends Shape>(shape: S, opts: ObjectOptions<S> = {}): z.ZodType<Infer<S> | undefined> {
    const keys = Object.keys(shape);
    const schema = z.unknown().transform((raw, ctx): Infer<S> | undefined => {
        // The preview sentinel stands for the whole object.
        const sentinel: unknown = raw;
        if (raw === UNKNOWN) return sentinel as Infer<S>;
        if (isMissing(raw) && opts.optional === "omit") return undefined;
        const given = isMissing(raw) && opts.optional ? {} : raw;
        if (!isRecord(given)) {
            const hint = opts.hint ?? `{ ${keys.join(", ")} }`;
            ctx.addIssue({
                code: "custom",
                message: isMissing(raw) ? `is required: ${hint}` : `must be an object ${hint}`,
            });
            return z.NEVER;
        }
        const issues = opts.ignoredKeys === "all" ? [] : unknownKeyIssues(given, keys, opts.ignoredKeys ?? []);
        const value = opts.prepare ? opts.prepare(given) : given;
        const valid: Props = {};
        for (const key of keys) {
            const result = shape[key].safeParse(value[key]);
            if (result.success) valid[key] = result.data;
            else issues.push(...result.error.issues.map(i => ({ message: i.message, path: [key, ...i.path] })));
        }
        opts.refine?.(
            valid as Partial<Infer<S>>,
            (path, message) => issues.push({ message, path: path.split(".") }),
            value,
        );
        for (const issue of issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
        return issues.length > 0 ? z.NEVER : (valid as Infer<S>);
    });
    return schema.meta({ description: opts.description });
}

function unknownKeyIssues(
    raw: Props,
    keys: string[],
    ignored: readonly string[],
): Array<{ message: string; path: PropertyKey[] }> {
    return Object.keys(raw)
        .filter(key => !keys.includes(key) && !ignored.includes(key))
        .map(key => {
            const near = keys.find(candidate => editDistance(candidate, key) <= 2);
            const hint = near ? `; did you mean "${near}"?` : "";
            return { message: `unknown property${hint} (allowed: ${keys.join(", ")})`, path: [key] };
        });
}

/** A list whose items share one schema (`Cluster.nodeGroups`), checked item by item. */
export function listOf<T>(
    item: z.ZodType<T>,
    opts: {
        description?: string;
        /** Said when the value is not a list. */
        notList?: string;
        refine?: (valid: Array<T | undefined>, fail: (path: string, reason: string) => void, raw: unknown[]) => void;
    } = {},
): z.ZodType<T[]> {
    return leaf<T[]>(
        (raw, fail) => {
            if (isMissing(raw)) return [];
            if (!Array.isArray(raw)) return void fail(opts.notList ?? "must be a list");
            const valid: Array<T | undefined> = raw.map((entry, index) => {
                if (entry === UNKNOWN) return entry as T;
                const result = item.safeParse(entry);
                if (!result.success) for (const i of result.error.issues) fail(i.message, [index, ...pathOf(i.path)]);
                return result.success ? result.data : undefined;
            });
            opts.refine?.(valid, (path, reason) => fail(reason, path ? path.split(".") : []), raw);
            return valid.every(entry => entry !== undefined) ? (valid as T[]) : undefined;
        },
        { description: opts.description, default: [] },
    );
}

function pathOf(path: readonly PropertyKey[]): Array<string | number> {
    return path.map(part => (typeof part === "number" ? part : String(part)));
}

/** `listener.port`, `vmGroup.vms[1]`, `nodeGroups[0].name`. */
export function propertyPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((out, part) => {
        if (typeof part === "number" || /^\d+$/.test(String(part))) return `${out}[${String(part)}]`;
        return out ? `${out}.${String(part)}` : String(part);
    }, "");
}

/** Whether a value passed its checks and is known (not the preview sentinel). */
export function known<T>(value: T | undefined): value is T {
    return value !== undefined && value !== UNKNOWN;
}

/** Runs a schema: the value, or every issue with its property path. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown, prefix = ""): { value?: T; issues: FieldIssue[] } {
    const result = schema.safeParse(raw);
    if (result.success) return { value: result.data, issues: [] };
    const issues = result.error.issues.map(i => {
        const path = propertyPath(i.path);
        const joined = path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
        return { property: prefix && path ? joined : prefix || path, reason: i.message };
    });
    return { issues };
}

export function editDistance(left: string, right: string): number {
    const table = Array.from({ length: left.length + 1 }, (_, row) => [row, ...Array<number>(right.length).fill(0)]);
    for (let col = 1; col <= right.length; col++) table[0][col] = col;
    for (let row = 1; row <= left.length; row++) {
        for (let col = 1; col <= right.length; col++) {
            const substitution = table[row - 1][col - 1] + (left[row - 1] === right[col - 1] ? 0 : 1);
            table[row][col] = Math.min(table[row - 1][col] + 1, table[row][col - 1] + 1, substitution);
        }
    }
    return table[left.length][right.length];
}

/** The documentation a schema carries for one property path (`healthChecker.interval`). */
export function metaOf(schema: z.ZodType): FieldMeta | undefined {
    const meta = z.globalRegistry.get(schema);
    return meta ? { ...meta } : undefined;
}

/** Kubernetes node taints: key 1–63, value 0–63 characters, an effect; unique by key and effect. */
export function taintList(opts: { max: number; description?: string }): z.ZodType<Taint[]> {
    const taint = object(
        {
            key: leaf<string>((raw, fail) => {
                if (typeof raw !== "string") return void fail(`must be a string, got ${JSON.stringify(raw)}`);
                const problem = k8sKeyProblem(raw);
                return problem ? void fail(problem) : raw;
            }),
            value: leaf<string | undefined>((raw, fail) => {
                if (isMissing(raw) || raw === "") return undefined;
                if (typeof raw !== "string") return void fail(`must be a string, got ${JSON.stringify(raw)}`);
                const problem = k8sValueProblem(raw, 0);
                return problem ? void fail(problem) : raw;
            }),
            effect: oneOf<TaintEffect>(TAINT_EFFECTS),
        },
        { hint: "{ key, value?, effect: NoSchedule|PreferNoSchedule|NoExecute }" },
    );
    return listOf(taint, {
        description: opts.description,
        notList: "must be a list of taints { key, value?, effect }",
        refine: (valid, fail) => {
            const seen = new Set<string>();
            valid.forEach((entry, index) => {
                if (!known(entry)) return;
                const id = `${entry.key}:${entry.effect}`;
                if (seen.has(id)) fail(`${index}`, `taint ${id} is listed twice (taints are unique by key and effect)`);
                seen.add(id);
            });
            if (valid.length > opts.max) fail("", `at most ${opts.max} taints per node group, got ${valid.length}`);
        },
    });
}

/** Nodes down at once during a node update: a count 1–100 or a share "1%"–"100%" (EKS's range). */
export const MAX_UNAVAILABLE_RANGE = { min: 1, max: 100 };

/**
 * A node-group config change under the blocks `check` uses (Kubernetes labels and taints, the
 * cloud's taint count, maxUnavailable, a count only where the driver says so), for drivers that
 * are called directly; `prefix` names the node group (`nodeGroups[0]`), "" for none.
 */
export function nodeGroupConfigIssues(
    change: NodeGroupConfigChange,
    caps: ClusterCapabilities,
    prefix = "",
): FieldIssue[] {
    const join = (key: string): string => (prefix ? `${prefix}.${key}` : key);
    const countOnly = caps.maxUnavailablePercent ? undefined : (caps.reasons?.maxUnavailablePercent ?? "");
    const maxUnavailable = countOrPercent(MAX_UNAVAILABLE_RANGE, countOnly === undefined ? {} : { countOnly });
    return [
        ...(change.labels === undefined ? [] : parseWith(labelMap(), change.labels, join("labels")).issues),
        ...(change.taints === undefined
            ? []
            : parseWith(taintList({ max: caps.limits.taints }), change.taints, join("taints")).issues),
        ...(change.maxUnavailable === undefined
            ? []
            : parseWith(maxUnavailable, change.maxUnavailable, join("maxUnavailable")).issues),
    ];
}
