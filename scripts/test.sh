#!/usr/bin/env bash
# The whole test suite: installs what it needs (npm packages, the Pulumi CLI, moto), builds,
# then runs every test. The emulators (moto, the GCP fake) are started and stopped by the
# tests themselves on 127.0.0.1. Safe to run twice. Extra arguments go to mocha, e.g.
# `--grep "gcp driver"` (file arguments add to .mocharc's spec rather than replace it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

# Tests run transpile-only (fast), so type errors in tests, benchmarks and examples are caught here.
echo "test: type-checking provider, sdk, tests, benchmarks and examples" >&2
npx --no-install tsc -p tsconfig.test.json

# moto (AWS emulator) for the AWS driver tests.
if ! python3 -c "import moto, flask" >/dev/null 2>&1; then
    echo "test: installing moto[server] with pip" >&2
    python3 -m pip install --quiet 'moto[server]' >&2
fi

# The real Pulumi CLI for the end-to-end tests; built from Go modules where absent.
PULUMI_BIN="$(bash scripts/ensure-pulumi.sh | tail -n1)"
export PATH="$PULUMI_BIN:$ROOT/node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true

exec npx --no-install mocha "$@"
