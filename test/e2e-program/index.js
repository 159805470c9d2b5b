// Generic end-to-end program: declares whatever spec.json (next to this file) describes, so the
// tests change a stack by rewriting spec.json between `pulumi` runs, on any driver.
//
// spec.json:
// {
//   "connection": { "driver": "local", ... },        // default for every resource without one
//   "resources": [
//     { "kind": "Nlb" | "NlbVmGroup" | "Cluster" | "NodeGroup", "name": "web",
//       "args": { ... },                             // values may be {"$ref": "<name>.<output path>"}
//       "opts": { "dependsOn": ["k8s"], "ignoreChanges": [...], "deleteBeforeReplace": true },
//       "get": "<id>" | {"$ref": ...} }              // optional: Kind.get(name, id, args) instead of new
//   ],
//   "exports": { "webId": {"$ref": "web.nlbId"} }     // stack outputs
// }
"use strict";
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const spider = require("pulumi-spider");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const created = new Map();

function lookup(ref) {
    const [name, ...parts] = ref.split(".");
    const res = created.get(name);
    if (!res) throw new Error(`spec.json: "$ref": "${ref}" names no resource declared before it`);
    if (parts.length === 0) throw new Error(`spec.json: "$ref": "${ref}" needs an output, e.g. "${name}.id"`);
    const [first, ...rest] = parts;
    let out = res[first];
    if (out === undefined) throw new Error(`spec.json: "$ref": "${ref}": ${name} has no output "${first}"`);
    if (rest.length > 0) out = out.apply(v => rest.reduce((o, k) => (o == null ? o : o[k]), v));
    return out;
}

function resolve(v) {
    if (Array.isArray(v)) return v.map(resolve);
    if (v !== null && typeof v === "object") {
        if (typeof v.$ref === "string" && Object.keys(v).length === 1) return lookup(v.$ref);
        const out = {};
        for (const [k, x] of Object.entries(v)) out[k] = resolve(x);
        return out;
    }
    return v;
}

for (const r of spec.resources || []) {
    const cls = spider[r.kind];
    if (!cls) throw new Error(`spec.json: unknown kind "${r.kind}" (known: Nlb, NlbVmGroup, Cluster, NodeGroup)`);
    const args = resolve(r.args || {});
    if (args.connection === undefined && spec.connection !== undefined) args.connection = spec.connection;
    const o = r.opts || {};
    const opts = {};
    if (o.dependsOn) opts.dependsOn = o.dependsOn.map(n => created.get(n));
    if (o.ignoreChanges) opts.ignoreChanges = o.ignoreChanges;
    if (o.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = o.deleteBeforeReplace;
    if (o.retainOnDelete !== undefined) opts.retainOnDelete = o.retainOnDelete;
    const res = r.get !== undefined ? cls.get(r.name, resolve(r.get), args, opts) : new cls(r.name, args, opts);
    created.set(r.name, res);
}

const outputs = {};
for (const [k, v] of Object.entries(spec.exports || {})) outputs[k] = resolve(v);
module.exports = outputs;
