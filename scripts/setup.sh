#!/usr/bin/env bash
# Installs what the project needs and builds it. Safe to run any number of times.
# Prints nothing to stdout except from the commands it runs; exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required but not on PATH" >&2; exit 1; }; }
need node
need npm
node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 20) { console.error(`setup: Node.js >= 20 required, found ${process.versions.node}`); process.exit(1); }'

# npm ci only when the lock file changed since the last install: keeps reruns fast.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: installing npm dependencies" >&2
    npm ci --no-audit --no-fund >&2
fi

# The serialized providers load the implementation as `pulumi-spider/dist/...`; inside this
# repository that name resolves through a link to the repository itself, so programs in
# examples/ use the same single copy of @pulumi/pulumi as the package.
if [ "$(readlink node_modules/pulumi-spider 2>/dev/null)" != ".." ]; then
    rm -rf node_modules/pulumi-spider
    ln -s .. node_modules/pulumi-spider
fi

echo "setup: building (tsc)" >&2
npx --no-install tsc -p tsconfig.json >&2
