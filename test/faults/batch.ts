/**
 * Packs rows of invalid inputs into as few resources as possible: Pulumi stops a preview at the
 * first resource whose check fails, but one resource's check reports all its invalid fields at
 * once. Rows of one kind whose changes (leaf paths against the rows' common base) do not overlap
 * are merged, and a merge is kept only if the same check function, run in-process, still fails
 * on every merged row's property.
 */
import { checkCluster } from "../../provider/resources/cluster";
import type { Props } from "../../provider/resources/common";
import { checkNlb } from "../../provider/resources/nlb";
import { checkNlbVmGroup } from "../../provider/resources/nlbVmGroup";
import { checkNodeGroup } from "../../provider/resources/nodeGroup";

export type Kind = "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup";
export type Checker = (olds: Props, news: Props) => { failures?: Array<{ property: string; reason: string }> };

export const CHECKERS: Array<[Checker, Kind]> = [
    [checkNlb, "Nlb"],
    [checkNlbVmGroup, "NlbVmGroup"],
    [checkCluster, "Cluster"],
    [checkNodeGroup, "NodeGroup"],
];

export interface Row {
    title: string;
    kind: Kind;
    check: Checker;
    inputs: Props;
    property: string;
}

export function failuresOf(check: Checker, inputs: Props): string[] {
    return (check({}, inputs).failures ?? []).map(f => f.property);
}

/** The value most rows of a kind have for each key: the rows' common base. */
function modalBase(rows: Row[]): Props {
    const keys = new Set(rows.flatMap(r => Object.keys(r.inputs)));
    const base: Props = {};
    for (const k of keys) {
        const counts = new Map<string, number>();
        for (const r of rows) {
            const v = k in r.inputs ? JSON.stringify(r.inputs[k]) : "<absent>";
            counts.set(v, (counts.get(v) ?? 0) + 1);
        }
        const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
        if (best !== "<absent>") base[k] = JSON.parse(best);
    }
    return base;
}

interface Change {
    path: string[];
    /** undefined = delete. */
    value?: unknown;
    remove: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

/** Leaf-level differences turning `base` into `target` (a missing key is one deletion). */
function diffLeaves(base: unknown, target: unknown, path: string[] = []): Change[] {
    // Lists of other lengths change as a whole: deleting an element would leave a hole (null in JSON).
    const resized = Array.isArray(base) && Array.isArray(target) && base.length !== target.length;
    if (isObj(base) && isObj(target) && Array.isArray(base) === Array.isArray(target) && !resized) {
        const out: Change[] = [];
        for (const k of new Set([...Object.keys(base), ...Object.keys(target)])) {
            if (!(k in target)) out.push({ path: [...path, k], remove: true });
            else if (!(k in base)) out.push({ path: [...path, k], value: target[k], remove: false });
            else out.push(...diffLeaves(base[k], target[k], [...path, k]));
        }
        return out;
    }
    return JSON.stringify(base) === JSON.stringify(target) ? [] : [{ path, value: target, remove: false }];
}

function applyChange(obj: Props, c: Change): void {
    let cur: Record<string, unknown> = obj;
    for (const seg of c.path.slice(0, -1)) {
        if (!isObj(cur[seg])) cur[seg] = {};
        cur = cur[seg] as Record<string, unknown>;
    }
    const last = c.path[c.path.length - 1];
    if (c.remove) delete cur[last];
    else cur[last] = JSON.parse(JSON.stringify(c.value));
}

const overlaps = (a: string[], b: string[]): boolean =>
    a.slice(0, Math.min(a.length, b.length)).every((seg, i) => seg === b[i]);

export interface Batch {
    kind: Kind;
    rows: Row[];
    inputs: Props;
    /** Leaf paths the merged rows changed. */
    touched: string[][];
}

/**
 * Greedily merges rows of one kind whose changes (leaf paths against the rows' common base)
 * do not overlap, keeping a merge only if the merged inputs still fail on every merged row's
 * property; anything else gets a preview of its own with the row's exact inputs.
 */
export function batchRows(rows: Row[]): Batch[] {
    const batches: Batch[] = [];
    for (const kind of ["Nlb", "NlbVmGroup", "Cluster", "NodeGroup"] as Kind[]) {
        const ofKind = rows.filter(r => r.kind === kind);
        if (ofKind.length === 0) continue;
        const base = modalBase(ofKind);
        const mine: Batch[] = [];
        for (const row of ofKind) {
            const changes = diffLeaves(base, row.inputs);
            let placed = false;
            for (const b of mine) {
                if (changes.some(c => b.touched.some(t => overlaps(c.path, t)))) continue;
                const merged = JSON.parse(JSON.stringify(b.inputs)) as Props;
                changes.forEach(c => applyChange(merged, c));
                const got = failuresOf(row.check, merged);
                if (![...b.rows, row].every(r => got.includes(r.property))) continue;
                b.rows.push(row);
                b.inputs = merged;
                b.touched.push(...changes.map(c => c.path));
                placed = true;
                break;
            }
            if (!placed) {
                // A batch starts from the base plus this row's changes, so later rows can join it.
                const start = JSON.parse(JSON.stringify(base)) as Props;
                changes.forEach(c => applyChange(start, c));
                const ok = failuresOf(row.check, start).includes(row.property);
                mine.push({
                    kind,
                    rows: [row],
                    inputs: ok ? start : row.inputs,
                    touched: ok ? changes.map(c => c.path) : [[]],
                });
            }
        }
        batches.push(...mine);
    }
    return batches;
}
