/**
 * One source for what users read: the JSDoc of every Args property in sdk/ states how a change
 * applies, and that clause must be exactly what the field tables (provider/resources/fields.ts)
 * say when evaluated with each driver's capabilities. Defaults and allowed values that the
 * capabilities define (health check defaults and ranges, protocols, versions, name lengths) are
 * checked against them too. The sdk sources are read with the TypeScript compiler API.
 *
 * The clause has one pattern: `A change <effect>.` when every driver that supports the resource
 * agrees, else `A change <effect> on <drivers>; <effect> on <drivers>.`, followed by each
 * driver's note on what an in-place call does behind the resource (`gcp: <note>.`).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { capabilitiesOf, DRIVER_NAMES } from "../../provider/drivers/registry";
import type { Capabilities, DriverName } from "../../provider/interface/driver";
import {
    clusterFields,
    clusterNodeGroupFields,
    describeTable,
    FieldRule,
    nlbFields,
    nlbVmGroupFields,
    nodeGroupFields,
} from "../../provider/resources/fields";

const SDK = path.join(__dirname, "../../sdk");

type Kind = "nlb" | "cluster";
type Table = ReadonlyArray<FieldRule<string>>;

/** A field table as one resource (or the node groups inside a Cluster) uses it. */
interface Usage {
    name: string;
    table: Table;
    kind: Kind;
    /** Cluster.nodeGroups[]: what the table calls "replace" or "recreate" rebuilds that node group alone. */
    nodeGroupsInCluster?: boolean;
}

const ROOTS: Array<{ iface: string; usage: Usage }> = [
    { iface: "NlbArgs", usage: { name: "Nlb", table: nlbFields, kind: "nlb" } },
    { iface: "NlbVmGroupArgs", usage: { name: "NlbVmGroup", table: nlbVmGroupFields, kind: "nlb" } },
    { iface: "ClusterArgs", usage: { name: "Cluster", table: clusterFields, kind: "cluster" } },
    { iface: "NodeGroupArgs", usage: { name: "NodeGroup", table: nodeGroupFields, kind: "cluster" } },
];

/** Paths whose items are described by a table of their own. */
const NESTED: Record<string, Usage> = {
    "Cluster:nodeGroups": {
        name: "Cluster.nodeGroups[]",
        table: clusterNodeGroupFields,
        kind: "cluster",
        nodeGroupsInCluster: true,
    },
};

/** Keys that match items of a nested table rather than being a row of it. */
const KEYS: Record<string, string> = {
    "Cluster.nodeGroups[]:name": "A change removes this node group and adds one under the new name.",
};

const FIELD_BY_FIELD = "A change applies field by field, as each field says.";
const RECREATE = "recreates this node group alone (new one first)";
const CALL_PHRASES: Record<string, string> = {
    vms: "applies in place (addVms/removeVms: the difference only)",
    nodeGroups: "applies in place, node group by node group, as the fields of each say",
    recreate: RECREATE,
};
/** Words that state how a change applies: only the clause may use them. */
const CHANGE_WORDS = /\bin[ -]place\b|\breplac\w*|\brecreat\w*/i;

function sorted(drivers: readonly DriverName[]): DriverName[] {
    return [...drivers].sort();
}

function supported(kind: Kind): DriverName[] {
    return sorted(DRIVER_NAMES).filter(d => capabilitiesOf(d)[kind].supported);
}

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[], last = "and"): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${last} ${items[items.length - 1]}`;
}

/** Values per driver: one value when all agree, else `value on drivers; value on drivers`. */
function perDriver(values: ReadonlyArray<[DriverName, string]>): string {
    const groups = new Map<string, string[]>();
    for (const [driver, value] of values) groups.set(value, [...(groups.get(value) ?? []), driver]);
    if (groups.size === 1) return [...groups.keys()][0];
    return [...groups].map(([value, drivers]) => `${value} on ${listOf(drivers)}`).join("; ");
}

/** The clause the field table implies for `path`, from describeTable with each driver's capabilities. */
function clauseFor(usage: Usage, fieldPath: string): string {
    const effects: Array<[DriverName, string]> = [];
    const notes: Array<[DriverName, string]> = [];
    for (const driver of supported(usage.kind)) {
        const row = describeTable(usage.table, capabilitiesOf(driver)).find(r => r.path === fieldPath);
        assert.ok(row, `${usage.name}: no row ${fieldPath}`);
        const inPlace = /^in place via (\S+)(?: \((.*)\))?$/s.exec(row.effect);
        if (row.effect === "replace")
            effects.push([driver, usage.nodeGroupsInCluster ? RECREATE : "replaces the resource"]);
        else if (row.effect === "in place (state only, no cloud call)")
            effects.push([driver, "is recorded in state only (no cloud call)"]);
        else if (inPlace) {
            effects.push([driver, CALL_PHRASES[inPlace[1]] ?? `applies in place (${inPlace[1]})`]);
            if (inPlace[2]) notes.push([driver, inPlace[2]]);
        } else assert.fail(`${usage.name}.${fieldPath}: effect "${row.effect}" has no wording here`);
    }
    const noteGroups = new Map<string, string[]>();
    for (const [driver, note] of notes) noteGroups.set(note, [...(noteGroups.get(note) ?? []), driver]);
    const noteText = [...noteGroups].map(([note, drivers]) => ` ${listOf(drivers)}: ${note}.`).join("");
    return `A change ${perDriver(effects)}.${noteText}`;
}

// ---------------------------------------------------------------------------------------------
// The sdk sources

interface Prop {
    owner: string;
    name: string;
    optional: boolean;
    doc: string;
    /** sdk interfaces named in the type (`pulumi.Input<ListenerArgs>` → ListenerArgs). */
    refs: string[];
    /** String literals of the type (`"TCP" | "UDP"`). */
    literals: string[];
}

interface Iface {
    name: string;
    doc: string;
    bases: string[];
    props: Prop[];
}

function docOf(node: ts.Node): string {
    return ts
        .getJSDocCommentsAndTags(node)
        .filter(ts.isJSDoc)
        .map(d => ts.getTextOfJSDocComment(d.comment) ?? "")
        .join(" ")
        .replace(/\s+/g, " ")
        .trim();
}

function typeParts(type: ts.TypeNode | undefined): { refs: string[]; literals: string[] } {
    const refs: string[] = [];
    const literals: string[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) refs.push(node.typeName.text);
        if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) literals.push(node.literal.text);
        ts.forEachChild(node, visit);
    };
    if (type) visit(type);
    return { refs, literals };
}

function readSdk(): { ifaces: Map<string, Iface>; allDocs: Array<{ where: string; doc: string }> } {
    const ifaces = new Map<string, Iface>();
    const allDocs: Array<{ where: string; doc: string }> = [];
    for (const file of fs.readdirSync(SDK).filter(f => f.endsWith(".ts"))) {
        const text = fs.readFileSync(path.join(SDK, file), "utf8");
        const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
        const visit = (node: ts.Node): void => {
            const doc = docOf(node);
            if (doc)
                allDocs.push({
                    where: `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`,
                    doc,
                });
            if (ts.isInterfaceDeclaration(node)) {
                const bases = (node.heritageClauses ?? []).flatMap(h => h.types.map(t => t.expression.getText(source)));
                const props = node.members.filter(ts.isPropertySignature).map(m => ({
                    owner: node.name.text,
                    name: m.name.getText(source),
                    optional: m.questionToken !== undefined,
                    doc: docOf(m),
                    ...typeParts(m.type),
                }));
                ifaces.set(node.name.text, { name: node.name.text, doc: docOf(node), bases, props });
            }
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return { ifaces, allDocs };
}

/** Own properties first; a base's property of the same name is overridden. */
function propsOf(ifaces: Map<string, Iface>, name: string): Prop[] {
    const iface = ifaces.get(name);
    assert.ok(iface, `sdk has no interface ${name}`);
    const inherited = iface.bases.flatMap(b => (ifaces.has(b) ? propsOf(ifaces, b) : []));
    const own = new Set(iface.props.map(p => p.name));
    return [...iface.props, ...inherited.filter(p => !own.has(p.name))];
}

// ---------------------------------------------------------------------------------------------
// What each property's doc must say

interface Expectation {
    prop: Prop;
    /** Clause → where it comes from (`Nlb listener.protocol`). */
    clauses: Map<string, string[]>;
}

/** Walks the Args interfaces from the resources' roots, recording the clause each property needs. */
function expectations(ifaces: Map<string, Iface>): {
    byProp: Map<string, Expectation>;
    problems: string[];
    reached: Set<string>;
} {
    const byProp = new Map<string, Expectation>();
    const problems: string[] = [];
    const reached = new Set<string>();
    const record = (prop: Prop, clause: string, where: string) => {
        const key = `${prop.owner}.${prop.name}`;
        const entry = byProp.get(key) ?? { prop, clauses: new Map() };
        entry.clauses.set(clause, [...(entry.clauses.get(clause) ?? []), where]);
        byProp.set(key, entry);
    };
    const reach = (name: string): void => {
        reached.add(name);
        for (const base of ifaces.get(name)?.bases ?? []) reach(base);
    };
    const walk = (name: string, usage: Usage, prefix: string, visited: Set<string>, whole?: string) => {
        reach(name);
        for (const prop of propsOf(ifaces, name)) {
            const fieldPath = prefix + prop.name;
            const child = prop.refs.find(r => ifaces.has(r));
            const isRow = usage.table.some(r => r.path === fieldPath);
            const hasRows = usage.table.some(r => r.path.startsWith(`${fieldPath}.`));
            const key = KEYS[`${usage.name}:${fieldPath}`];
            let clause: string;
            if (whole) clause = whole;
            else if (isRow) clause = clauseFor(usage, fieldPath);
            else if (key) clause = key;
            else if (child && hasRows) clause = FIELD_BY_FIELD;
            else {
                problems.push(`${prop.owner}.${prop.name}: ${usage.name} has no field-table row ${fieldPath}`);
                continue;
            }
            if (!whole) visited.add(fieldPath);
            record(prop, clause, `${usage.name} ${fieldPath}`);
            const nested = NESTED[`${usage.name}:${fieldPath}`];
            if (child && nested) walk(child, nested, "", tableVisits(nested));
            else if (child) walk(child, usage, `${fieldPath}.`, visited, isRow ? clause : whole);
        }
    };
    const visits = new Map<Usage, Set<string>>();
    const tableVisits = (usage: Usage) => visits.get(usage) ?? visits.set(usage, new Set()).get(usage)!;
    for (const root of ROOTS) walk(root.iface, root.usage, "", tableVisits(root.usage));
    for (const [usage, visited] of visits)
        for (const rule of usage.table)
            if (!visited.has(rule.path)) problems.push(`${usage.name}.${rule.path} is documented on no Args property`);
    return { byProp, problems, reached };
}

// ---------------------------------------------------------------------------------------------
// Defaults and allowed values the capabilities define

function quoted(values: readonly string[]): string {
    return listOf(
        values.map(v => `"${v}"`),
        "or",
    );
}

function forDrivers(kind: Kind, render: (caps: Capabilities) => string): string {
    return perDriver(supported(kind).map(d => [d, render(capabilitiesOf(d))]));
}

const range = (r: { min: number; max: number }) => `${r.min}–${r.max}`;

/** A boolean traffic setting: its default and the values each driver accepts. */
function trafficChoice(setting: "crossZone" | "preserveClientIp" | "proxyProtocol") {
    return {
        default: () => forDrivers("nlb", c => String(c.nlb.traffic.defaults[setting])),
        allowed: () => forDrivers("nlb", c => c.nlb.traffic[setting].map(String).join(" or ")),
    };
}
const versions = (v: readonly string[]) => `"${v[0]}" to "${v[v.length - 1]}"`;
const maxChars = (n: number) => `at most ${n} characters`;

/** `Iface.prop` → the `Default: …` / `Allowed: …` sentences the capabilities imply, and literals the type must allow. */
const FROM_CAPABILITIES: Record<string, { default?: () => string; allowed?: () => string; literals?: () => string[] }> =
    {
        "ConnectionArgs.driver": { allowed: () => quoted(sorted(DRIVER_NAMES)), literals: () => [...DRIVER_NAMES] },
        "NlbArgs.nlbName": { allowed: () => forDrivers("nlb", c => maxChars(c.nlb.name.maxLength)) },
        "NlbArgs.type": {
            allowed: () => forDrivers("nlb", c => quoted(c.nlb.types)),
            literals: () => supported("nlb").flatMap(d => capabilitiesOf(d).nlb.types),
        },
        "NlbArgs.scope": {
            allowed: () => forDrivers("nlb", c => quoted(c.nlb.scopes)),
            literals: () => supported("nlb").flatMap(d => capabilitiesOf(d).nlb.scopes),
        },
        "ListenerArgs.protocol": {
            allowed: () => forDrivers("nlb", c => quoted(c.nlb.listenerProtocols)),
            literals: () => supported("nlb").flatMap(d => capabilitiesOf(d).nlb.listenerProtocols),
        },
        "VmGroupArgs.protocol": {
            allowed: () => forDrivers("nlb", c => quoted(c.nlb.vmGroupProtocols)),
            literals: () => supported("nlb").flatMap(d => capabilitiesOf(d).nlb.vmGroupProtocols),
        },
        "HealthCheckerArgs.protocol": {
            allowed: () => forDrivers("nlb", c => quoted(c.nlb.healthProtocols)),
            literals: () => supported("nlb").flatMap(d => capabilitiesOf(d).nlb.healthProtocols),
        },
        "HealthCheckerArgs.interval": {
            default: () => forDrivers("nlb", c => String(c.nlb.defaults.interval)),
            allowed: () => forDrivers("nlb", c => range(c.nlb.healthInterval)),
        },
        "HealthCheckerArgs.timeout": {
            default: () => forDrivers("nlb", c => String(c.nlb.defaults.timeout)),
            allowed: () => forDrivers("nlb", c => range(c.nlb.healthTimeout)),
        },
        "HealthCheckerArgs.threshold": {
            default: () => forDrivers("nlb", c => String(c.nlb.defaults.threshold)),
            allowed: () => forDrivers("nlb", c => range(c.nlb.healthThreshold)),
        },
        "HealthCheckerArgs.unhealthyThreshold": { allowed: () => forDrivers("nlb", c => range(c.nlb.healthThreshold)) },
        "NlbArgs.crossZone": trafficChoice("crossZone"),
        "NlbArgs.preserveClientIp": trafficChoice("preserveClientIp"),
        "NlbArgs.proxyProtocol": trafficChoice("proxyProtocol"),
        "NlbArgs.connectionDraining": {
            default: () => forDrivers("nlb", c => String(c.nlb.traffic.defaults.connectionDraining)),
            allowed: () => forDrivers("nlb", c => range(c.nlb.traffic.connectionDraining)),
        },
        "NlbArgs.sessionAffinity": {
            default: () => forDrivers("nlb", c => `"${c.nlb.traffic.defaults.sessionAffinity}"`),
            allowed: () => forDrivers("nlb", c => quoted(c.nlb.traffic.sessionAffinities)),
            literals: () => supported("nlb").flatMap(d => capabilitiesOf(d).nlb.traffic.sessionAffinities),
        },
        "ClusterArgs.clusterName": { allowed: () => forDrivers("cluster", c => maxChars(c.cluster.name.maxLength)) },
        "ClusterArgs.version": { allowed: () => forDrivers("cluster", c => versions(c.cluster.versions)) },
        // Recreating a node group inside a cluster appends a 5-character suffix to its cloud name (nodeGroupCommon.ts).
        "ClusterNodeGroupArgs.name": {
            allowed: () => forDrivers("cluster", c => maxChars(c.cluster.nodeGroupName.maxLength - 5)),
        },
        "NodeGroupArgs.nodeGroupName": {
            allowed: () => forDrivers("cluster", c => maxChars(c.cluster.nodeGroupName.maxLength)),
        },
        "NodeGroupSizeArgs.minNodeSize": { allowed: () => forDrivers("cluster", c => `0–${c.cluster.maxNodeSize}`) },
        "NodeGroupSizeArgs.maxNodeSize": { allowed: () => forDrivers("cluster", c => `1–${c.cluster.maxNodeSize}`) },
    };

function count(text: string, part: string): number {
    return text.split(part).length - 1;
}

/** What is wrong with one property's doc, given the clause it needs; [] when nothing. */
function docProblems(key: string, prop: Prop, clause: string): string[] {
    const problems: string[] = [];
    const doc = prop.doc;
    if (!doc.includes(clause)) problems.push(`needs the clause: ${clause}`);
    if (count(doc, "A change ") !== 1) problems.push(`has ${count(doc, "A change ")} clauses ("A change …"), wants 1`);
    const rest = doc.split(clause).join(" ");
    const word = CHANGE_WORDS.exec(rest);
    if (word) problems.push(`says "${word[0]}" outside its clause: let the clause alone say how a change applies`);
    const defaults = count(doc, "Default: ");
    if (prop.optional && defaults !== 1)
        problems.push(`is optional: needs one "Default: …." sentence, has ${defaults}`);
    if (!prop.optional && defaults !== 0) problems.push(`is required: must not state a default`);
    const caps = FROM_CAPABILITIES[key];
    if (caps?.default && !doc.includes(`Default: ${caps.default()}.`))
        problems.push(`needs (from the capabilities): Default: ${caps.default()}.`);
    if (caps?.allowed && !doc.includes(`Allowed: ${caps.allowed()}.`))
        problems.push(`needs (from the capabilities): Allowed: ${caps.allowed()}.`);
    const missing = (caps?.literals?.() ?? []).filter(v => !prop.literals.includes(v));
    if (missing.length) problems.push(`its type does not allow ${quoted(missing)}, which a driver supports`);
    return problems;
}

describe("sdk docs say what the field tables and capabilities do", () => {
    const { ifaces, allDocs } = readSdk();
    const { byProp, problems, reached } = expectations(ifaces);

    it("every field-table row is documented on the Args property users write", () => {
        assert.deepStrictEqual(problems, []);
    });

    it("every Args interface in sdk/ is reached from a resource's Args", () => {
        const unreached = [...ifaces.keys()].filter(n => n.endsWith("Args") && !reached.has(n));
        assert.deepStrictEqual(unreached, []);
    });

    for (const [key, { prop, clauses }] of byProp) {
        it(key, () => {
            if (clauses.size > 1) {
                const ways = [...clauses].map(([c, where]) => `${where.join(", ")}: ${c}`).join("\n  ");
                assert.fail(`${key} is used where a change applies differently; split it:\n  ${ways}`);
            }
            const [clause] = [...clauses.keys()];
            assert.deepStrictEqual(docProblems(key, prop, clause), [], `${key}: "${prop.doc}"`);
        });
    }

    it("no other doc comment in sdk/ states how a change applies", () => {
        const propDocs = new Set([...byProp.values()].map(e => e.prop.doc));
        const offending = allDocs
            .filter(d => !propDocs.has(d.doc) && CHANGE_WORDS.test(d.doc))
            .map(d => `${d.where}: ${d.doc}`);
        assert.deepStrictEqual(offending, []);
    });
});
