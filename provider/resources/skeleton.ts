/**
 * The resource skeleton every kind fills in: connection choice, the schema run of `check` (with
 * auto-naming and the driver's own rules), the field-table `diff`, read NotFound → gone, delete
 * NotFound → success, create's partial-failure bookkeeping, and `update` driven by the field
 * table through a record of calls.
 */
import type { z } from "zod";
import type { Capabilities, Connection, Driver, Iid, NameRule } from "../interface/driver";
import { FieldIssue, isNotFound } from "../interface/errors";
import { isRecord, parseWith, Props } from "../interface/schema";
import { capabilitiesOf, driverModule, DriverModule, openDriver } from "../drivers/registry";
import type { CheckResult, DiffResult, ProviderConfig, ReadResult } from "./common";
import { adoptionConflicts, autoName, clean, createError, driverContext, isUnknown, leftBehind } from "./common";
import { opError, PartialFailure } from "./common";
import { toDriverTimeouts } from "./common";
import { connectionSchema } from "./schemas";
import { FieldRule, Plan, plan } from "./fields";

/** The connection of new inputs, or of the previous outputs while the new one is unknown. */
export function connectionOf(...candidates: Props[]): Connection | undefined {
    for (const props of candidates) {
        const parsed = parseWith(connectionSchema, props.connection);
        const conn = parsed.value;
        if (conn && !isUnknown(conn)) return conn as Connection;
    }
    return undefined;
}

/** The connection stored with a resource; state written by check always holds a valid one. */
export function storedConnection(props: Props): Connection {
    const conn = connectionOf(props);
    if (!conn) throw new Error(`the stored connection is invalid: ${JSON.stringify(props.connection)}`);
    return conn;
}

export function capsOf(...candidates: Props[]): Capabilities | undefined {
    const conn = connectionOf(...candidates);
    return conn ? capabilitiesOf(conn.driver) : undefined;
}

/** Inputs that passed `check`, typed by their schema (a second run cannot fail but says so if it does). */
export function typedInputs<T>(kind: string, schema: z.ZodType<T>, props: Props): T {
    const parsed = parseWith(schema, props);
    if (parsed.value === undefined) {
        const why = parsed.issues.map(issue => `${issue.property}: ${issue.reason}`).join("; ");
        throw new Error(`${kind}: inputs did not pass their schema: ${why}`);
    }
    return parsed.value;
}

/** How a kind names its cloud object when the program does not. */
export interface Naming {
    key: string;
    fallback: string;
    rule: (caps: Capabilities | undefined) => NameRule | undefined;
    /** At most this many characters, whatever the driver allows. */
    cap: number;
}

/** A generated name is lowercased where the driver's name rule refuses capitals (GCE, GKE). */
function namesAreLowercase(rule: NameRule | undefined): boolean {
    return rule !== undefined && !rule.pattern.test("A") && rule.pattern.test("a");
}

export interface CheckSpec {
    kind: string;
    supported: (caps: Capabilities) => { supported: boolean; reason?: string };
    schema: (caps: Capabilities | undefined, olds: Props) => z.ZodType;
    naming?: Naming;
    /** The driver's own cloud rules, run once every value is known and valid; `conn`: where the resource goes. */
    validate?: (module: DriverModule, inputs: Props, conn: Connection) => FieldIssue[];
}

/** An explicit name, the one generated earlier, or a new one: the Pulumi name plus a suffix. */
function resolveName(naming: Naming, olds: Props, news: Props, caps: Capabilities | undefined): Props {
    const declared = news[naming.key];
    if (declared !== undefined && declared !== null) return { [naming.key]: declared, autoNamed: false };
    const previous = olds[naming.key];
    if (typeof previous === "string" && previous !== "") {
        return { [naming.key]: previous, autoNamed: olds.autoNamed === true };
    }
    const base = typeof news.pulumiName === "string" ? news.pulumiName : naming.fallback;
    const rule = naming.rule(caps);
    const maxLength = Math.min(rule?.maxLength ?? naming.cap, naming.cap);
    return { [naming.key]: autoName(base, maxLength, namesAreLowercase(rule)), autoNamed: true };
}

/** The check function of the resource `spec` describes. */
export function checker(spec: CheckSpec): (olds: Props, news: Props) => CheckResult {
    return (olds, news) => checkResource(spec, olds, news);
}

export function checkResource(spec: CheckSpec, olds: Props, news: Props): CheckResult {
    const conn = connectionOf(news);
    const caps = conn ? capabilitiesOf(conn.driver) : undefined;
    const issues: FieldIssue[] = [];
    const support = caps ? spec.supported(caps) : { supported: true };
    if (caps && !support.supported) {
        const reason = support.reason ?? "not implemented";
        issues.push({
            property: "connection.driver",
            reason: `the ${caps.driver} driver does not support ${spec.kind}: ${reason}`,
        });
    }
    const parsed = parseWith(spec.schema(caps, olds), news);
    issues.push(...parsed.issues);
    if (issues.length > 0 || !isRecord(parsed.value)) return { inputs: news, failures: issues };
    const inputs: Props = { ...parsed.value };
    if (spec.naming) Object.assign(inputs, resolveName(spec.naming, olds, news, caps));
    if (conn && spec.validate && !isUnknown(inputs)) {
        issues.push(...spec.validate(driverModule(conn.driver), inputs, conn));
    }
    return { inputs: issues.length === 0 ? clean(inputs) : news, failures: issues };
}

/** Field-table diff; by default a replacement with a fixed cloud name deletes first. */
export function diffResource<C extends string>(
    table: ReadonlyArray<FieldRule<C>>,
    olds: Props,
    news: Props,
    deleteFirst?: (caps: Capabilities, olds: Props) => boolean,
): DiffResult {
    const conn = connectionOf(news, olds);
    if (!conn) throw new Error("diff: neither the new inputs nor the stored state hold a valid connection");
    const caps = capabilitiesOf(conn.driver);
    const result = plan(table, olds, news, caps);
    const replacing = result.replaces.length > 0;
    return {
        changes: result.changed.length > 0,
        replaces: result.replaces,
        deleteBeforeReplace: replacing && (deleteFirst ? deleteFirst(caps, olds) : news.autoNamed !== true),
    };
}

/** A driver opened for one operation on a stored or checked resource, with its progress log. */
export function driverFor(
    kind: string,
    name: string,
    props: Props,
    config: ProviderConfig,
    withTimeouts = true,
): Driver {
    const timeouts = withTimeouts ? toDriverTimeouts(props.timeouts) : undefined;
    return openDriver(storedConnection(props), driverContext(kind, name, config, timeouts));
}

export function nameIn(props: Props, key: string, fallback: string): string {
    const name = props[key];
    return typeof name === "string" && name !== "" ? name : fallback;
}

/** A stored resource one operation is about: its kind and cloud name, its state and the provider config. */
export interface Stored {
    kind: string;
    name: string;
    props: Props;
    config: ProviderConfig;
}

/** Read: the live outputs, or gone (`{}`) when the cloud no longer has the object. */
export function readOrGone(stored: Stored, read: (driver: Driver) => Promise<ReadResult>): Promise<ReadResult> {
    // A read waits for nothing, so its driver goes without the resource's timeouts.
    return unlessGone({ verb: "reading", gone: {}, withTimeouts: false }, stored, read);
}

/** Delete: an object already gone is deleted. */
export function deleteOrGone(stored: Stored, remove: (driver: Driver) => Promise<void>): Promise<void> {
    return unlessGone({ verb: "deleting", gone: undefined, withTimeouts: true }, stored, remove);
}

/** One operation on a stored object, with a driver opened for it; NotFound means gone, and `gone` is the result. */
async function unlessGone<T>(
    op: { verb: "reading" | "deleting"; gone: T; withTimeouts: boolean },
    stored: Stored,
    run: (driver: Driver) => Promise<T>,
): Promise<T> {
    const driver = driverFor(stored.kind, stored.name, stored.props, stored.config, op.withTimeouts);
    try {
        return await run(driver);
    } catch (err) {
        if (isNotFound(err)) return op.gone;
        throw opError(op.verb, stored.kind, stored.name, err);
    }
}

export interface CreateSpec<Live> {
    kind: string;
    name: string;
    urn: string | undefined;
    provider: unknown;
    create: () => Promise<Live>;
    /** The object under the resource's name, for what a failed create left behind. */
    find: () => Promise<Live & { owner?: string }>;
    /** Outputs of what the failed create left; read after create may still fail with `describe`. */
    outputs: (live: Live) => Props;
    describe: (live: Live) => Promise<{ id: string; outs: Props }>;
    leftBehindReason: string;
    describeFailedReason?: string;
}

/**
 * Create: what a failed create left in the cloud stays in state (neither orphaned nor created
 * twice); a name taken by an earlier, interrupted run of this resource says how to recover it.
 */
export async function createTracked<Live extends { iid: { systemId: string } }>(
    spec: CreateSpec<Live>,
): Promise<{ id: string; outs: Props }> {
    let live: Live;
    try {
        live = await spec.create();
    } catch (err) {
        const failure = opError("creating", spec.kind, spec.name, err);
        const left = await leftBehind(err, spec.find);
        if (left) {
            const props = { ...spec.outputs(left), __provider: spec.provider };
            throw new PartialFailure(failure.message, left.iid.systemId, props, [spec.leftBehindReason]);
        }
        throw await createError(spec.kind, spec.name, spec.urn, err, spec.find);
    }
    try {
        return await spec.describe(live);
    } catch (err) {
        const props = { ...spec.outputs(live), __provider: spec.provider };
        const reason = spec.describeFailedReason ?? "reading after create failed";
        throw new PartialFailure(opError("creating", spec.kind, spec.name, err).message, live.iid.systemId, props, [
            reason,
        ]);
    }
}

export interface AdoptSpec<Live> {
    kind: string;
    /** The id of the existing object. */
    adopt: string;
    fetch: (iid: Iid) => Promise<Live>;
    /** The live object as outputs, in the declared shape. */
    outputs: (live: Live) => Props;
    /** The resource's diff: the fields it would replace from those outputs to the declared inputs refuse adoption. */
    diff: (liveOuts: Props, declared: Props) => DiffResult;
    /** Differences that are no replacement but cannot be applied either (a version downgrade). */
    refusals?: (live: Live) => string[];
    /** The resource's update, which brings the adopted object to the declared inputs. */
    update: (id: string, liveOuts: Props, declared: Props, config: ProviderConfig) => Promise<{ outs: Props }>;
}

/**
 * Adoption of an existing object: refused, naming each field, when the declared inputs would
 * replace it (or cannot be applied); otherwise the object is updated in place to what is declared.
 */
export async function adoptExisting<Live extends { iid: { systemId: string } }>(
    spec: AdoptSpec<Live>,
    declared: Props,
    config: ProviderConfig,
): Promise<{ id: string; outs: Props }> {
    let live: Live;
    try {
        live = await spec.fetch({ nameId: "", systemId: spec.adopt });
    } catch (err) {
        throw opError("adopting", spec.kind, spec.adopt, err);
    }
    const liveOuts = spec.outputs(live);
    const mismatches = [
        ...adoptionConflicts(spec.diff(liveOuts, declared).replaces, liveOuts, declared),
        ...(spec.refusals?.(live) ?? []),
    ];
    if (mismatches.length > 0) {
        const list = mismatches.join("; ");
        throw new Error(
            `adopting ${spec.kind} (${spec.adopt}): these cannot change in place, declare the existing values: ${list}`,
        );
    }
    const id = live.iid.systemId;
    const res = await spec.update(id, { ...liveOuts, adopt: spec.adopt }, declared, config);
    return { id, outs: res.outs };
}

/** One step of an update: its label in the "completed:" list and the call it makes. */
export interface Step {
    label: string;
    run: () => Promise<void>;
}

/** The steps of the table's calls, in call order, each made by its function in `calls`. */
export function stepsOf<C extends string, Ctx>(
    order: readonly C[],
    planned: Plan<string>,
    calls: Record<C, (ctx: Ctx) => Step[]>,
    ctx: Ctx,
): Step[] {
    return order.filter(call => planned.calls.includes(call)).flatMap(call => calls[call](ctx));
}

export function step(label: string, run: () => Promise<unknown>): Step[] {
    return [{ label, run: async () => void (await run()) }];
}

export interface UpdateSpec {
    kind: string;
    name: string;
    id: string;
    olds: Props;
    provider: unknown;
    steps: Step[];
    /** Outputs after every step. */
    outputs: () => Promise<Props>;
    /** What did change when a step failed, so the next run retries only the rest. */
    partialOutputs: () => Promise<Props>;
    /** Whether the failed step is named in the reasons. */
    nameFailedStep?: boolean;
}

export async function runUpdate(spec: UpdateSpec): Promise<{ outs: Props }> {
    const done: string[] = [];
    try {
        for (const current of spec.steps) {
            await current.run();
            done.push(current.label);
        }
        return { outs: await spec.outputs() };
    } catch (err) {
        const failure = opError("updating", spec.kind, spec.name, err);
        const props = await spec.partialOutputs().then(
            outs => ({ ...outs, __provider: spec.provider }),
            () => ({ ...spec.olds, __provider: spec.provider }),
        );
        const reasons = [`completed: ${done.join(", ") || "nothing"}`];
        if (spec.nameFailedStep) reasons.push(`failed: ${spec.steps[done.length]?.label}`);
        throw new PartialFailure(failure.message, spec.id, props, reasons);
    }
}
