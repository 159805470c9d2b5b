// Declares whatever the spec file lists, inputs passed through untouched, so the test can feed the
// resources invalid inputs. The spec file is $SPIDER_SPEC (so previews of one stack can run side
// by side, each with its own), else spec.json:
// { resources: [{ kind: "Nlb"|"NlbVmGroup"|"Cluster"|"NodeGroup", name, args }] }.
import * as fs from "fs";
import * as path from "path";
import * as spider from "pulumi-spider";

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, process.env.SPIDER_SPEC || "spec.json"), "utf8"));
const kinds: Record<string, new (name: string, args: any) => unknown> = {
    Nlb: spider.Nlb,
    NlbVmGroup: spider.NlbVmGroup,
    Cluster: spider.Cluster,
    NodeGroup: spider.NodeGroup,
};
for (const r of spec.resources) {
    const Kind = kinds[r.kind];
    if (!Kind) throw new Error(`spec: unknown kind ${r.kind}`);
    new Kind(r.name, r.args);
}
