#!/usr/bin/env bash
# Installs what the project needs and builds it. Safe to run any number of times.
# Prints nothing to stdout except from the commands it runs; exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required but not on PATH" >&2; exit 1; }; }
need node
need npm
# Node.js >= 22 (package.json "engines"). scripts/test.sh and scripts/demo.sh put one first on PATH
# (scripts/ensure-node.sh: the machine's node if new enough, else Node 24 fetched into the cache).
node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 22) { console.error(`setup: Node.js >= 22 required, found ${process.versions.node} at ${process.execPath}. Install Node.js >= 22 (https://nodejs.org), or let scripts/ensure-node.sh fetch Node 24 (scripts/test.sh and scripts/demo.sh do so themselves): export PATH="$(bash scripts/ensure-node.sh | tail -n1):$PATH"`); process.exit(1); }'

# npm ci only when the lock file changed since the last install: keeps reruns fast.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: installing npm dependencies" >&2
    npm ci --no-audit --no-fund >&2
fi

echo "setup: building (tsc)" >&2
npx --no-install tsc -p tsconfig.json >&2

# Install the built package into node_modules the way `npm install pulumi-spider` would, so the
# programs in examples/ and the end-to-end tests use it exactly as users do: Pulumi records each
# provider in state as a require of the installed module, which the provider host resolves.
PKG=node_modules/pulumi-spider
rm -rf "$PKG.tmp"
mkdir -p "$PKG.tmp"
cp -R package.json README.md dist "$PKG.tmp"/ 2>/dev/null || cp -R package.json dist "$PKG.tmp"/
rm -rf "$PKG"
mv "$PKG.tmp" "$PKG"
# The `pulumi-spider` command (package.json "bin"), as npm would link it for an installed package.
chmod +x "$PKG/dist/provider/cli/main.js"
mkdir -p node_modules/.bin
ln -sfn ../pulumi-spider/dist/provider/cli/main.js node_modules/.bin/pulumi-spider
