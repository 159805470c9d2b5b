/**
 * The few `pulumi` CLI calls `pulumi-spider recover` makes, run in the program's directory with
 * the user's environment (backend, passphrase, cloud credentials), so it sees exactly the stack
 * the program uses.
 */
import { execFile } from "child_process";

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class PulumiCli {
    constructor(
        readonly cwd: string,
        readonly stack: string | undefined,
    ) {}

    /** Runs `pulumi ARGS --non-interactive` (plus `--stack` where given); never rejects. */
    run(args: string[], withStack = true): Promise<CliResult> {
        const full = [...args, "--non-interactive", ...(withStack && this.stack ? ["--stack", this.stack] : [])];
        return new Promise(resolve => {
            const options = { cwd: this.cwd, maxBuffer: 512 * 1024 * 1024, encoding: "utf8" as const };
            execFile("pulumi", full, options, (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 127) : 0;
                const why = err && typeof err.code !== "number" ? `${err.message}\n` : "";
                resolve({ code, stdout, stderr: why + stderr });
            });
        });
    }

    /** Like `run`, but a failure is an error naming the command and its output. */
    async ok(args: string[], withStack = true): Promise<string> {
        const res = await this.run(args, withStack);
        if (res.code !== 0) {
            const hint = res.code === 127 ? " (is the Pulumi CLI on PATH?)" : "";
            throw new Error(`pulumi ${args.join(" ")} failed${hint}: ${(res.stderr || res.stdout).trim()}`);
        }
        return res.stdout;
    }

    async json<T>(args: string[], withStack = true): Promise<T> {
        const out = await this.ok(args, withStack);
        try {
            return JSON.parse(out) as T;
        } catch {
            throw new Error(`pulumi ${args.join(" ")} printed no JSON: ${out.slice(0, 200)}`);
        }
    }
}
