/** Renders the field tables as Markdown for the README (a test keeps the README in sync). */
import { capabilitiesOf } from "../drivers/registry";
import type { DriverName } from "../interface/driver";
import {
    clusterFields,
    clusterNodeGroupFields,
    describeTable,
    FieldRule,
    nlbFields,
    nlbVmGroupFields,
    nodeGroupFields,
} from "./fields";

const DRIVERS: DriverName[] = ["local", "aws", "gcp"];

const LABELS: Record<string, string> = {
    "in place via vms": "in place: AddVMs/RemoveVMs (delta only)",
    "in place via recreate": "recreates this node group only (new one first)",
    "in place via nodeGroups": "in place: per node group (table below)",
    "in place (state only, no cloud call)": "in place (state only, no cloud call)",
};

function table<C extends string>(title: string, rules: ReadonlyArray<FieldRule<C>>, prefix = ""): string {
    const rows = rules.map((r, i) => {
        const cells = DRIVERS.map(d => {
            let caps;
            try {
                caps = capabilitiesOf(d);
            } catch {
                return "n/a";
            }
            const supported = title.startsWith("Nlb") ? caps.nlb.supported : caps.cluster.supported;
            if (!supported) return "unsupported";
            const effect = describeTable(rules, caps)[i].effect;
            return LABELS[effect] ?? effect.replace("in place via ", "in place: ");
        });
        return `| \`${prefix}${r.path}\` | ${cells.join(" | ")} |`;
    });
    return [
        `**${title}**`,
        "",
        `| field | ${DRIVERS.join(" | ")} |`,
        `|---|${DRIVERS.map(() => "---").join("|")}|`,
        ...rows,
    ].join("\n");
}

export function fieldTablesMarkdown(): string {
    return [
        table("Nlb", nlbFields),
        table("NlbVmGroup", nlbVmGroupFields),
        table("Cluster", clusterFields),
        table(
            "Cluster.nodeGroups[] (matched by name; the cluster is never replaced)",
            clusterNodeGroupFields,
            "nodeGroups[].",
        ),
        table("NodeGroup", nodeGroupFields),
    ].join("\n\n");
}

if (require.main === module) process.stdout.write(fieldTablesMarkdown() + "\n");
