/**
 * Runs the GCP Compute fake as its own process:
 *   node -r ts-node/register/transpile-only test/support/gcp-fake/main.ts --port 0 [--op-polls N] [--project P] [--exit-with-parent]
 * Binds 127.0.0.1 only and prints one line `gcp-fake listening on 127.0.0.1:<port>` once ready.
 * `--exit-with-parent` makes it exit when its stdin closes, so a crashed test run leaves nothing behind.
 */
import { GcpFakeServer } from "./server";

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
    const port = Number(arg("port") ?? 0);
    const opPolls = arg("op-polls") !== undefined ? Number(arg("op-polls")) : undefined;
    const fake = new GcpFakeServer({ opPolls, project: arg("project") });
    const bound = await fake.listen(port);
    process.stdout.write(`gcp-fake listening on 127.0.0.1:${bound}\n`);
    const stop = (): void => {
        fake.server.closeAllConnections();
        fake.server.close(() => process.exit(0));
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    if (process.argv.includes("--exit-with-parent")) {
        process.stdin.on("end", stop);
        process.stdin.on("error", stop);
        process.stdin.resume();
    }
}

main().catch(err => {
    process.stderr.write(`gcp-fake failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
