/**
 * Packaging: pulumi-spider installed into a user's own project, the way users get it.
 *
 * A user whose program already depends on the newest `@pulumi/pulumi` runs `npm install
 * pulumi-spider`. They must end up with ONE copy of `@pulumi/pulumi` (two copies mean two
 * runtimes, two resource monitors and `instanceof` checks that fail across them), and the
 * README's "Using it" example must deploy there with the real Pulumi CLI.
 *
 * The package is `npm pack`ed from the repository (dist/ is built by scripts/setup.sh, which the
 * test command runs first), installed into a fresh project in a temp dir OUTSIDE the repository
 * (so nothing can resolve from the repository's node_modules), and the README example, extracted
 * from README.md at test time with only its connection pointed at a temp folder, is type-checked
 * and deployed: `up`, `preview --expect-no-changes`, `destroy`, and the local cloud is left empty.
 *
 * Nothing here skips: a failed pack, install or CLI lookup fails the tests with the command's
 * output. Temp dirs are removed when every test passed and kept (path printed) otherwise.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalCloud } from "../../provider/drivers/local/store";
import { killTree } from "../faults/cli";
import { Deployment, REPO, findPulumi, spiderResources, tail } from "../support/pulumi";

const SPIDER_TYPES = ["Nlb", "NlbVmGroup", "Cluster", "NodeGroup"].map(k => `pulumi-nodejs:dynamic/spider:${k}`);

// ---------------------------------------------------------------------------------------------
// Running commands (npm, node, npx, pulumi) with a timeout, output capture and the output's tail
// in every failure message.

interface Ran {
    command: string;
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    ms: number;
}

const timings: string[] = [];

function run(
    cmd: string,
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
    const command = `${cmd} ${args.join(" ")}`;
    const t0 = Date.now();
    return new Promise(resolve => {
        const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", d => {
            stdout += String(d);
        });
        child.stderr.on("data", d => {
            stderr += String(d);
        });
        const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
        let timedOut = false;
        // Pulumi starts its language host and providers in process groups of their own: kill the tree.
        const timer = setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) killTree(child.pid);
        }, timeoutMs);
        const finish = (code: number | null, signal: NodeJS.Signals | null, extra = "") => {
            clearTimeout(timer);
            if (timedOut) extra += `\n[one-copy.test] killed after the ${timeoutMs} ms timeout`;
            const ms = Date.now() - t0;
            const shown = command.replace(/\s+/g, " ");
            timings.push(
                `${(ms / 1000).toFixed(1).padStart(6)}s  ${shown.length > 110 ? shown.slice(0, 107) + "..." : shown}`,
            );
            resolve({ command, code, signal, stdout, stderr: stderr + extra, ms });
        };
        child.once("error", e => finish(null, null, `\n[one-copy.test] could not run ${cmd}: ${e.message}`));
        child.once("close", (code, signal) => finish(code, signal));
    });
}

async function must(
    cmd: string,
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) {
        throw new Error(
            `\`${r.command}\` (in ${opts.cwd}) failed with ${r.code ?? r.signal ?? "no exit code"} after ${r.ms} ms:\n` +
                tail(`${r.stdout}\n${r.stderr}`, 60),
        );
    }
    return r;
}

/**
 * The environment of every child: the node running mocha first on PATH (so npm, the language host
 * and the provider host use it), nothing of the developer's Pulumi/cloud/npm-script settings.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}, firstOnPath: string[] = []): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        // npm_* are set by `npx`/`npm run` for the repository (npm_config_local_prefix=/work/main, …).
        if (/^(PULUMI_|AWS_|GOOGLE_|CLOUDSDK_|TS_NODE_|npm_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$)/.test(k)) continue;
        env[k] = v;
    }
    env.PATH = [...firstOnPath, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter);
    return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------
// The README example

/** The ts block of README.md's "## Using it" section, with its connection pointed at `cloudDir`. */
function readmeExample(cloudDir: string): string {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const m = /^## Using it\s*\n+```ts\n([\s\S]*?)\n```/m.exec(readme);
    assert.ok(m, 'README.md has no ```ts block right after "## Using it"');
    const code = m[1];
    // Only the object literal of the `const conn = …` line changes (any annotation or `as const`
    // the README puts around it stays, so the README's typing is what gets checked).
    const conn = /^(const conn\b[^=\n]*=\s*)\{\s*driver:\s*"local"\s*\}/m;
    assert.ok(
        conn.test(code),
        `README's "Using it" example has no \`const conn = { driver: "local" }\` line to point at a temp folder:\n${code}`,
    );
    return (
        code.replace(
            conn,
            (_all, head: string) => `${head}{ driver: "local", localStateDir: ${JSON.stringify(cloudDir)} }`,
        ) + "\n"
    );
}

// Pulumi's `typescript` template (pulumi new typescript), as users have it.
const TSCONFIG = {
    compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        sourceMap: true,
        experimentalDecorators: true,
        pretty: false,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
    },
    files: ["index.ts"],
};

// ---------------------------------------------------------------------------------------------
// Where @pulumi/pulumi is in the installed tree

interface Occurrence {
    chain: string;
    version?: string;
    path?: string;
}

/** Every `@pulumi/pulumi` node of `npm ls --all --json --long`, with the dependency chain to it. */
function npmLsOccurrences(tree: unknown): Occurrence[] {
    const out: Occurrence[] = [];
    const walk = (node: { dependencies?: Record<string, unknown> }, chain: string[]) => {
        for (const [name, child] of Object.entries(node.dependencies ?? {})) {
            const c = child as { version?: string; path?: string; dependencies?: Record<string, unknown> };
            if (name === "@pulumi/pulumi")
                out.push({ chain: [...chain, name].join(" > "), version: c.version, path: c.path });
            walk(c, [...chain, name]);
        }
    };
    walk(tree as { dependencies?: Record<string, unknown> }, []);
    return out;
}

/** Every installed copy of `@pulumi/pulumi` on disk under `dir`/node_modules, however deep. */
function copiesOnDisk(dir: string): string[] {
    const found: string[] = [];
    const visitNodeModules = (nm: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(nm, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            if (!e.isDirectory() || e.name.startsWith(".")) continue;
            const pkgs = e.name.startsWith("@")
                ? fs
                      .readdirSync(path.join(nm, e.name), { withFileTypes: true })
                      .filter(s => s.isDirectory())
                      .map(s => path.join(nm, e.name, s.name))
                : [path.join(nm, e.name)];
            for (const pkg of pkgs) {
                if (
                    path.relative(nm, pkg) === path.join("@pulumi", "pulumi") &&
                    fs.existsSync(path.join(pkg, "package.json"))
                )
                    found.push(pkg);
                visitNodeModules(path.join(pkg, "node_modules"));
            }
        }
    };
    visitNodeModules(path.join(dir, "node_modules"));
    return found;
}

// ---------------------------------------------------------------------------------------------

describe("packaging: installed into a user's project", function () {
    this.timeout(600_000);

    // Made in before(), so a run whose --grep selects none of these tests leaves no temp dir.
    let tmp = "";
    let packDir = "";
    let project = "";
    let cloudDir = "";
    let backendDir = "";
    let pulumiHome = "";
    let failed = false;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "spider-packaging-"));
        packDir = path.join(tmp, "pack");
        project = path.join(tmp, "user-program");
        cloudDir = path.join(tmp, "cloud");
        backendDir = path.join(tmp, "state");
        pulumiHome = path.join(tmp, "pulumi-home");
    });

    let packed: Promise<{ tarball: string; files: string[] }> | undefined;
    let installed: Promise<{ latest: string }> | undefined;

    /** `npm pack` of the repository as it would be published. */
    function pack(): Promise<{ tarball: string; files: string[] }> {
        packed ??= (async () => {
            for (const f of ["dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/resources/index.js"]) {
                if (!fs.existsSync(path.join(REPO, f))) {
                    throw new Error(
                        `${path.join(REPO, f)} is missing: dist/ is built by \`bash scripts/setup.sh\`, which must run before this test`,
                    );
                }
            }
            fs.mkdirSync(packDir, { recursive: true });
            const r = await must("npm", ["pack", "--pack-destination", packDir, "--json"], {
                cwd: REPO,
                env: childEnv(),
                timeoutMs: 120_000,
            });
            let info: Array<{ filename: string; files: Array<{ path: string }> }>;
            try {
                info = JSON.parse(r.stdout);
            } catch (err) {
                throw new Error(
                    `\`npm pack --json\` printed no JSON (${(err as Error).message}):\n${tail(r.stdout + "\n" + r.stderr, 40)}`,
                );
            }
            const tarball = path.join(packDir, path.basename(info[0].filename));
            assert.ok(
                fs.existsSync(tarball),
                `npm pack reported ${info[0].filename} but ${tarball} does not exist:\n${tail(r.stdout, 20)}`,
            );
            // What is really in the tarball (not only what npm says it put there).
            const t = await must("tar", ["-tzf", tarball], { cwd: packDir, env: childEnv(), timeoutMs: 60_000 });
            const files = t.stdout
                .split("\n")
                .filter(Boolean)
                .map(f => f.replace(/^package\//, ""));
            return { tarball, files };
        })();
        return packed;
    }

    /**
     * A user's project with the newest `@pulumi/pulumi` already installed, then `npm install` of the
     * tarball into it. Memoized: every test that needs it fails with the same install error.
     */
    function install(): Promise<{ latest: string }> {
        installed ??= (async () => {
            const { tarball } = await pack();
            const rel = path.relative(REPO, tmp);
            assert.ok(
                rel.startsWith("..") || path.isAbsolute(rel),
                `the user's project (${tmp}) must be outside the repository ${REPO}`,
            );
            for (let d = tmp; ; d = path.dirname(d)) {
                for (const name of ["@pulumi/pulumi", "pulumi-spider"]) {
                    const p = path.join(d, "node_modules", name);
                    assert.ok(
                        !fs.existsSync(p),
                        `${p} exists above the user's project: it could be resolved instead of the installed copy`,
                    );
                }
                if (path.dirname(d) === d) break;
            }
            const env = childEnv();
            const latest = (
                await must("npm", ["view", "@pulumi/pulumi", "version"], { cwd: tmp, env, timeoutMs: 120_000 })
            ).stdout.trim();
            assert.match(
                latest,
                /^\d+\.\d+\.\d+$/,
                `npm view @pulumi/pulumi version printed ${JSON.stringify(latest)}`,
            );

            fs.mkdirSync(project, { recursive: true });
            // As `pulumi new typescript` leaves it, pinned to the newest SDK.
            fs.writeFileSync(
                path.join(project, "package.json"),
                JSON.stringify(
                    {
                        name: "user-program",
                        main: "index.ts",
                        private: true,
                        devDependencies: { "@types/node": "^22", typescript: "~5.9.3" },
                        dependencies: { "@pulumi/pulumi": latest },
                    },
                    null,
                    2,
                ) + "\n",
            );
            await must("npm", ["install", "--no-audit", "--no-fund"], { cwd: project, env });
            await must("npm", ["install", "--no-audit", "--no-fund", tarball], { cwd: project, env });
            return { latest };
        })();
        return installed;
    }

    afterEach(function () {
        if (this.currentTest?.state !== "passed") failed = true;
    });

    after(function () {
        if (!tmp) return;
        process.stderr.write(`    packaging: commands run\n${timings.map(t => `      ${t}`).join("\n")}\n`);
        if (failed || process.env.E2E_KEEP === "1") {
            process.stderr.write(
                `    packaging: kept ${tmp} for debugging (project in user-program/, local cloud in cloud/, Pulumi state in state/)\n`,
            );
        } else {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("packs what users get: dist/provider, dist/sdk and README.md, no tests or node_modules", async () => {
        const { files } = await pack();
        const bad = files.filter(f => /(^|\/)(test|node_modules)(\/|$)/.test(f) || /(^|\/)\.e2e(\/|$)/.test(f));
        assert.deepStrictEqual(
            bad,
            [],
            `the tarball contains files users must not get:\n  ${bad.slice(0, 20).join("\n  ")}`,
        );
        const outside = files.filter(
            f => !/^(dist\/provider\/|dist\/sdk\/|README\.md$|package\.json$|LICENSE)/i.test(f),
        );
        assert.deepStrictEqual(
            outside,
            [],
            `the tarball contains files outside package.json "files":\n  ${outside.slice(0, 20).join("\n  ")}`,
        );
        for (const f of [
            "package.json",
            "README.md",
            "dist/sdk/index.js",
            "dist/sdk/index.d.ts",
            "dist/provider/resources/index.js",
            "dist/provider/cli/main.js",
        ]) {
            assert.ok(files.includes(f), `the tarball lacks ${f}`);
        }
    });

    it("shares the user's newer @pulumi/pulumi instead of nesting a second copy", async () => {
        const { latest } = await install();
        const env = childEnv();
        const top = path.join(project, "node_modules", "@pulumi", "pulumi");
        const topVersion = JSON.parse(fs.readFileSync(path.join(top, "package.json"), "utf8")).version;
        assert.strictEqual(
            topVersion,
            latest,
            `the user's project has @pulumi/pulumi ${topVersion}, not the newest (${latest})`,
        );
        const pkg = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
        assert.strictEqual(
            pkg.dependencies["@pulumi/pulumi"],
            latest,
            "installing pulumi-spider changed the user's @pulumi/pulumi dependency",
        );
        assert.ok(
            pkg.dependencies["pulumi-spider"],
            `npm install did not record pulumi-spider in package.json: ${JSON.stringify(pkg.dependencies)}`,
        );

        // npm's view of the tree: every @pulumi/pulumi node is the same, top-level, package.
        const ls = await must("npm", ["ls", "@pulumi/pulumi", "--all", "--json", "--long"], {
            cwd: project,
            env,
            timeoutMs: 120_000,
        });
        const occ = npmLsOccurrences(JSON.parse(ls.stdout));
        const describeOcc = () => occ.map(o => `${o.chain}@${o.version} at ${o.path}`).join("\n  ");
        assert.ok(
            occ.some(o => o.chain === "pulumi-spider > @pulumi/pulumi"),
            `npm ls shows no @pulumi/pulumi under pulumi-spider:\n  ${describeOcc()}`,
        );
        assert.ok(
            occ.some(o => o.chain === "@pulumi/pulumi"),
            `npm ls shows no top-level @pulumi/pulumi:\n  ${describeOcc()}`,
        );
        assert.deepStrictEqual(
            [...new Set(occ.map(o => o.version))],
            [latest],
            `more than one @pulumi/pulumi version in the tree:\n  ${describeOcc()}`,
        );
        assert.deepStrictEqual(
            [...new Set(occ.map(o => o.path))],
            [top],
            `@pulumi/pulumi is installed in more than one place (not deduped):\n  ${describeOcc()}`,
        );
        const parseable = await must("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], {
            cwd: project,
            env,
            timeoutMs: 120_000,
        });
        assert.deepStrictEqual(
            parseable.stdout.split("\n").filter(Boolean),
            [top],
            `npm ls --parseable lists these copies:\n${parseable.stdout}`,
        );

        // The disk: no nested copy anywhere, whatever npm thinks.
        assert.deepStrictEqual(copiesOnDisk(project), [top], "copies of @pulumi/pulumi on disk");

        // Node's view: the SDK and the provider modules (what the provider host loads) get the user's copy.
        const script = [
            "const path = require('path');",
            "const from = m => path.dirname(require.resolve(m));",
            "console.log(JSON.stringify({",
            "  project: require.resolve('@pulumi/pulumi'),",
            "  sdk: require.resolve('@pulumi/pulumi', { paths: [from('pulumi-spider')] }),",
            "  provider: require.resolve('@pulumi/pulumi', { paths: [from('pulumi-spider/dist/provider/resources')] }),",
            "  spider: require.resolve('pulumi-spider'),",
            "}));",
        ].join("\n");
        const resolved = JSON.parse(
            (await must(process.execPath, ["-e", script], { cwd: project, env, timeoutMs: 60_000 })).stdout.trim(),
        );
        const expected = path.join(top, "index.js");
        assert.strictEqual(
            resolved.spider,
            path.join(project, "node_modules", "pulumi-spider", "dist", "sdk", "index.js"),
            "pulumi-spider resolves from the user's project",
        );
        assert.strictEqual(resolved.project, expected, "the user's program's @pulumi/pulumi");
        assert.strictEqual(resolved.sdk, expected, "@pulumi/pulumi as pulumi-spider's SDK resolves it");
        assert.strictEqual(
            resolved.provider,
            expected,
            "@pulumi/pulumi as pulumi-spider's provider modules resolve it",
        );
    });

    it("type-checks the README example against the installed typings", async () => {
        await install();
        fs.writeFileSync(path.join(project, "index.ts"), readmeExample(cloudDir));
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2) + "\n");
        const r = await run("npx", ["--no-install", "tsc", "--noEmit", "-p", "."], {
            cwd: project,
            env: childEnv(),
            timeoutMs: 180_000,
        });
        assert.strictEqual(
            r.code,
            0,
            `README's "Using it" example does not compile in a TypeScript project (pulumi up type-checks it unless ` +
                `PULUMI_NODEJS_TRANSPILE_ONLY=true):\n${tail(r.stdout + "\n" + r.stderr, 40)}\n--- index.ts ---\n${readmeExample(cloudDir)}`,
        );
    });

    it("runs the README example with pulumi up there", async function () {
        // findPulumi may wait for scripts/ensure-pulumi.sh building the CLI (up to 30 min, synchronously).
        this.timeout(45 * 60_000);
        await install();
        const cli = findPulumi();
        fs.writeFileSync(path.join(project, "index.ts"), readmeExample(cloudDir));
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2) + "\n");
        fs.writeFileSync(
            path.join(project, "Pulumi.yaml"),
            "name: user-program\nruntime: nodejs\ndescription: the README example in a user's project (temporary)\n",
        );
        for (const d of [backendDir, pulumiHome]) fs.mkdirSync(d, { recursive: true });
        const env = childEnv(
            {
                PULUMI_BACKEND_URL: `file://${backendDir}`,
                PULUMI_HOME: pulumiHome,
                PULUMI_CONFIG_PASSPHRASE: "",
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                // Type-checking is the previous test's job; this one is about deploying.
                PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                // The embedded cloud settles within a few polls: poll it quickly.
                SPIDER_POLL_MIN_MS: "10",
                SPIDER_POLL_MAX_MS: "100",
            },
            [cli.binDir],
        );
        const pulumi = (args: string[], timeoutMs = 10 * 60_000) =>
            must(path.join(cli.binDir, "pulumi"), args, { cwd: project, env, timeoutMs });

        await pulumi(["stack", "init", "dev", "--non-interactive"], 120_000);
        await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);

        const exported = JSON.parse((await pulumi(["stack", "export"], 120_000)).stdout) as Deployment;
        const resources = spiderResources(exported);
        const got = [...resources.entries()].map(([name, r]) => `${name}:${r.type}`).sort();
        assert.deepStrictEqual(
            got,
            [`extra:${SPIDER_TYPES[1]}`, `gpu:${SPIDER_TYPES[3]}`, `k8s:${SPIDER_TYPES[2]}`, `web:${SPIDER_TYPES[0]}`],
            "spider resources in the stack after up",
        );
        for (const [name, r] of resources) assert.ok(r.id, `${name} has no id in state`);
        // They live in the temp cloud the substituted connection names, not in the program's folder.
        const inv = await new LocalCloud(cloudDir).inventory();
        assert.deepStrictEqual(
            { nlbs: inv.nlbs, clusters: inv.clusters, nodeGroups: inv.nodeGroups },
            { nlbs: 1, clusters: 1, nodeGroups: 2 },
            `local cloud in ${cloudDir} after up (the Cluster's "default" node group plus NodeGroup "gpu")`,
        );
        assert.ok(
            !fs.existsSync(path.join(project, ".spider-local")),
            "the example used the default local state dir instead of localStateDir",
        );

        await pulumi(["preview", "--expect-no-changes", "--non-interactive"]);
        // The package's `bin` as npm linked it: `npx pulumi-spider recover` finds nothing to do here.
        const recover = await must("npx", ["--no-install", "pulumi-spider", "recover", "--dry-run"], {
            cwd: project,
            env,
            timeoutMs: 120_000,
        });
        assert.match(recover.stdout, /no pending creates of pulumi-spider resources: nothing to recover/);
        await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);

        const after = JSON.parse((await pulumi(["stack", "export"], 120_000)).stdout) as Deployment;
        assert.strictEqual(spiderResources(after).size, 0, "spider resources left in the stack after destroy");
        const left = await new LocalCloud(cloudDir).inventory();
        const nonZero = Object.entries(left).filter(([, n]) => n !== 0);
        assert.deepStrictEqual(
            nonZero,
            [],
            `the local cloud in ${cloudDir} still holds objects after destroy: ${JSON.stringify(left)}`,
        );
    });
});
