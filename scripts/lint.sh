#!/usr/bin/env bash
# Format check (Prettier) and lint (ESLint: line length, function length, complexity, no `any`, no
# `as unknown as`, no one-letter names outside lambdas and loop indices) of the TypeScript sources.
# Exits non-zero on any violation. `bash scripts/lint.sh --fix` rewrites the formatting instead.
# Extra path arguments limit the ESLint run (e.g. `bash scripts/lint.sh provider/drivers/aws`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FORMATTED=("provider/**/*.ts" "sdk/**/*.ts" "test/**/*.ts" "bench/**/*.ts" "examples/**/*.ts")
if [ "${1:-}" = "--fix" ]; then
    shift
    npx --no-install prettier --log-level warn --write "${FORMATTED[@]}"
else
    npx --no-install prettier --log-level warn --check "${FORMATTED[@]}"
fi
LINTED=("$@")
[ ${#LINTED[@]} -gt 0 ] || LINTED=(provider sdk)
npx --no-install eslint --max-warnings 0 "${LINTED[@]}"
echo "lint: formatting and lint rules hold" >&2
