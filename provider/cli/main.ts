#!/usr/bin/env node
/**
 * The `pulumi-spider` command (package.json `bin`). One subcommand today:
 *   pulumi-spider recover [--stack NAME] [--dry-run] [--wait-minutes N]
 * run in the program's directory after an interrupted `pulumi up` (see README, "Recovering").
 */
import { recover } from "./recover";

const USAGE = `usage: pulumi-spider recover [--stack NAME] [--dry-run] [--wait-minutes N]

Run in the Pulumi program's directory after an interrupted \`pulumi up\` (and \`pulumi cancel\`).
Adopts every pending create of pulumi-spider resources whose cloud object exists and names this
stack's resource as its owner, drops the pending creates that created nothing, and prints a table.
  --stack NAME        the stack (default: the selected one)
  --dry-run           print the table; change nothing
  --wait-minutes N    how long to wait for objects the cloud is still creating (default 30)`;

interface Parsed {
    stack?: string;
    dryRun: boolean;
    waitMinutes: number;
}

function parse(args: string[]): Parsed | string {
    const parsed: Parsed = { dryRun: false, waitMinutes: 30 };
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--dry-run") parsed.dryRun = true;
        else if (arg === "--stack" || arg === "-s") parsed.stack = args[++i];
        else if (arg.startsWith("--stack=")) parsed.stack = arg.slice("--stack=".length);
        else if (arg === "--wait-minutes") parsed.waitMinutes = Number(args[++i]);
        else return `unknown argument "${arg}"`;
    }
    if (parsed.stack === undefined && args.includes("--stack")) return "--stack needs a stack name";
    if (!Number.isFinite(parsed.waitMinutes) || parsed.waitMinutes < 0) {
        return "--wait-minutes needs a number of minutes ≥ 0";
    }
    return parsed;
}

async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
        process.stdout.write(USAGE + "\n");
        return command === undefined ? 2 : 0;
    }
    if (command !== "recover") {
        process.stderr.write(`pulumi-spider: unknown command "${command}"\n${USAGE}\n`);
        return 2;
    }
    const parsed = parse(rest);
    if (typeof parsed === "string") {
        process.stderr.write(`pulumi-spider recover: ${parsed}\n${USAGE}\n`);
        return 2;
    }
    return recover({ ...parsed, cwd: process.cwd(), out: line => process.stdout.write(line + "\n") });
}

main(process.argv.slice(2)).then(
    code => {
        process.exitCode = code;
    },
    (err: unknown) => {
        process.stderr.write(`pulumi-spider: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    },
);
