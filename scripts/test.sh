#!/usr/bin/env bash
# The whole test suite: installs what it needs (npm packages, the Pulumi CLI, moto), builds,
# then runs every test. The emulators (moto, the GCP fake) are started and stopped by the
# tests themselves on 127.0.0.1. Safe to run twice. Extra arguments go to mocha, e.g.
# `--grep "gcp driver"` (file arguments add to .mocharc's spec rather than replace it).
# Without extra arguments, a smoke subset (unit/resources tests, local driver tests, one local
# end-to-end `pulumi up`) then runs again on the floor Node major, and the closing line
# "N passed, N failed" counts both runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# A supported Node first on PATH for everything started below (npm, tsc, mocha, and the Pulumi
# language host and provider host): the machine's if >= 22, else Node 24 fetched into the cache.
NODE_BIN="$(bash scripts/ensure-node.sh | tail -n1)"
export PATH="$NODE_BIN:$PATH"
echo "test: using node $(node --version) at $(command -v node)" >&2

bash scripts/setup.sh

# Tests run transpile-only (fast), so type errors in tests, benchmarks and examples are caught here.
echo "test: type-checking provider, sdk, tests, benchmarks and examples" >&2
npx --no-install tsc -p tsconfig.test.json

# Formatting and the code rules (line and function length, complexity, no any / `as unknown as`,
# names) over all of provider/ and sdk/: a violation fails the test command, so CI keeps them.
echo "test: format check and lint" >&2
bash scripts/lint.sh

# moto (AWS emulator) for the AWS driver tests.
if ! python3 -c "import moto, flask" >/dev/null 2>&1; then
    echo "test: installing moto[server] with pip" >&2
    python3 -m pip install --quiet 'moto[server]' >&2
fi

# The real Pulumi CLI for the end-to-end tests; built from Go modules where absent.
PULUMI_BIN="$(bash scripts/ensure-pulumi.sh | tail -n1)"
# NODE_BIN again in front, in case PULUMI_BIN is a system dir that also holds an older node.
export PATH="$NODE_BIN:$PULUMI_BIN:$ROOT/node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true

# With arguments (e.g. --grep): just that mocha run, no smoke run.
[ $# -eq 0 ] || exec npx --no-install mocha "$@"

# The smoke run on the floor major: the serialization round trip and the other unit/resources
# tests, the local driver, and step 1 of the local end-to-end scenario (a real `pulumi up` plus a
# no-changes preview, then `destroy` in its cleanup), so the language host and the provider host
# run on it too (the e2e tests start pulumi with the mocha process's own node first on PATH).
readonly FLOOR_MAJOR=22
SMOKE_SPEC=("test/resources/*.test.ts" "test/drivers/local/*.test.ts" "test/e2e/local.e2e.test.ts")
# Everything in those files except the end-to-end tests, plus the one end-to-end step.
SMOKE_GREP='^(?!end to end through the Pulumi CLI)|^end to end through the Pulumi CLI \(local\) one stack: .* 1\. `up` creates'

LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT
# Colour as if mocha wrote to the terminal itself (its stdout goes through tee).
COLOR=(); [ -t 1 ] && COLOR=(--color)

# summary LOG: "passed failed skipped" from the reporter's closing line, or "0 1 0" when the run
# printed none (it crashed before the end): a missing summary counts as a failure.
summary() {
    local line
    line="$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1 || true)"
    if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
        echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[4]:-0}"
    else
        echo "0 1 0"
    fi
}
fmt() { echo "$1 passed, $2 failed$([ "$3" -gt 0 ] && echo ", $3 skipped")"; }

main_rc=0
npx --no-install mocha "${COLOR[@]}" | tee "$LOGS/main.log" || main_rc=$?
read -r main_p main_f main_s < <(summary "$LOGS/main.log")

# A config like .mocharc.json but with the smoke files only (spec arguments would add to its spec).
node -e 'const c = require("./.mocharc.json"); c.spec = process.argv.slice(1); console.log(JSON.stringify(c))' \
    "${SMOKE_SPEC[@]}" >"$LOGS/smoke.mocharc.json"
smoke_rc=0
: >"$LOGS/smoke.log"
if NODE_FLOOR_BIN="$(bash scripts/ensure-node.sh "$FLOOR_MAJOR" | tail -n1)"; then
    smoke_node="$("$NODE_FLOOR_BIN/node" --version)"
    echo "test: smoke run on node $smoke_node at $NODE_FLOOR_BIN/node" >&2
    PATH="$NODE_FLOOR_BIN:$PATH" npx --no-install mocha --config "$LOGS/smoke.mocharc.json" --grep "$SMOKE_GREP" "${COLOR[@]}" \
        | tee "$LOGS/smoke.log" || smoke_rc=$?
else
    smoke_node="$FLOOR_MAJOR (unavailable)"; smoke_rc=1
    echo "test: no Node $FLOOR_MAJOR for the smoke run (see above): counted as a failure" >&2
fi
read -r smoke_p smoke_f smoke_s < <(summary "$LOGS/smoke.log")
if [ "$smoke_rc" -eq 0 ] && ! grep -q '\[e2e local\]' "$LOGS/smoke.log"; then
    echo "test: the smoke run ran no local end-to-end step (SMOKE_GREP matches no test title?): counted as a failure" >&2
    smoke_rc=1; smoke_f=$((smoke_f + 1))
fi

echo
echo "main run (node $(node --version)): $(fmt "$main_p" "$main_f" "$main_s")"
echo "smoke run (node $smoke_node): $(fmt "$smoke_p" "$smoke_f" "$smoke_s")"
echo "$(fmt $((main_p + smoke_p)) $((main_f + smoke_f)) $((main_s + smoke_s)))"
[ "$main_rc" -eq 0 ] && [ "$smoke_rc" -eq 0 ] && [ $((main_f + smoke_f)) -eq 0 ]
