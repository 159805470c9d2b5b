#!/usr/bin/env bash
# ensure-pulumi.sh — make a real Pulumi CLI plus a Node.js language host available and
# print the directory holding them as the LAST line of stdout (progress goes to stderr).
# Safe to run repeatedly and concurrently; exits non-zero with a message on failure.
#
# Caller usage:
#   BIN="$(bash scripts/ensure-pulumi.sh | tail -n1)" && export PATH="$BIN:$PATH"
#
# The bin dir holds:
#   pulumi                          CLI built from github.com/pulumi/pulumi/pkg/v3 @ v3.276.0
#   pulumi-language-nodejs          language host built from github.com/pulumi/pulumi/sdk/v3 @ v3.68.0
#                                   (patched, see below)
#   pulumi-resource-pulumi-nodejs   the SDK's dynamic-provider launcher script (a tiny sh script that
#                                   runs `node require.resolve('@pulumi/pulumi/cmd/dynamic-provider')`
#                                   from the program's directory, so it uses the program's own SDK).
# All three sit next to `pulumi`, so the CLI finds them as "bundled" plugins: nothing else needs
# to be on PATH (in particular not node_modules/@pulumi/pulumi), and there is no
# "using pulumi-resource-pulumi-nodejs from $PATH" warning. `node` must be on PATH at run time.
#
# Why these versions (measured 2026-12-02 against https://proxy.golang.org, the only Go source
# reachable; there is no github access):
#   * github.com/pulumi/pulumi/pkg/v3 (the CLI): the proxy now lists up to v3.276.0 and serves
#     v3.276.0 with its whole dependency graph, so the CLI is v3.276.0 (builds in ~9.5 min on 2
#     cores; before this autumn every version >= v3.260.0 was refused with 403).
#   * github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 (the language host's own
#     module since sdk v3.69.0) is still REFUSED (403) at every version, v3.276.0 included.
#   * Up to and including v3.68.0 the language host was the package nodejs/cmd/pulumi-language-nodejs
#     inside github.com/pulumi/pulumi/sdk/v3 (v3.69.0 and later zips no longer contain it). So the
#     host is built from sdk/v3 v3.68.0 with that version's own go.mod (builds in ~1 min).
#   * The v3.68.0 host works with CLI v3.276.0 (the CLI falls back from GetRequiredPackages /
#     Handshake to the old RPCs) and with the @pulumi/pulumi 3.276.0 Node SDK (plain JS and
#     TypeScript programs, dynamic resources: up / preview / refresh / destroy / stack import
#     verified by the test suite).
#     One patch is applied: the v3.68.0 host hands the Node program the address of its own
#     ResourceMonitor proxy, which only knows the 2023 RPCs; newer SDKs call newer ones
#     (RegisterStackTransform, RegisterResourceHook, RegisterPackage, ...) and fail through it
#     (e.g. registerResourceTransform -> "TypeError: Cannot read properties of undefined").
#     The patch passes the engine's real monitor address instead (the synchronous-invoke pipes,
#     which talk to the real monitor, are kept).
#   Caveats of the old host (it predates the RPCs): runtime options from Pulumi.yaml (typescript,
#   nodeargs, tsconfig, packagemanager) are not seen (the CLI sends them in RunRequest.info, which
#   v3.68 predates), so it always runs with its defaults (typescript=true via the SDK's bundled
#   ts-node; measured with CLI v3.276: `typescript: false` and `nodeargs` had no effect); RunPlugin (Node.js policy packs / plugins written in Node) and GeneratePackage /
#   GenerateProject (`pulumi package gen-sdk --language nodejs`, `pulumi convert`) are not
#   implemented by it. None of these is used by pulumi-spider or its tests.
#
# Order of attempts:
#   1. `pulumi` on PATH reporting >= v3.276.0, with pulumi-language-nodejs and
#      pulumi-resource-pulumi-nodejs next to it or on PATH -> print pulumi's directory.
#   2. The cache ${PULUMI_SPIDER_CACHE:-$HOME/.cache/pulumi-spider}/pulumi-v3.276.0/bin -> print it.
#   3. Build into that cache (under flock; staged in a temp dir in the cache root, then renamed
#      into place atomically), then print it.
#
# Knobs (all optional):
#   PULUMI_SPIDER_CACHE       cache root (default $HOME/.cache/pulumi-spider)
#   PULUMI_SPIDER_NO_BUILD=1  never build (fail instead of step 3)
#   GO                        go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

readonly PULUMI_VERSION="3.276.0"       # newest pkg/v3 the module proxy serves (whole graph)
readonly LANGHOST_SDK_VERSION="3.68.0"  # newest sdk/v3 whose zip still contains the nodejs host
readonly PKG_MOD="github.com/pulumi/pulumi/pkg/v3"
readonly SDK_MOD="github.com/pulumi/pulumi/sdk/v3"
readonly VERSION_PKG="github.com/pulumi/pulumi/sdk/v3/go/common/version"
readonly SHIM="pulumi-resource-pulumi-nodejs"
readonly LANGHOST="pulumi-language-nodejs"

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }
die() { printf 'ensure-pulumi: ERROR: %s\n' "$*" >&2; exit 1; }

# version_ge A B: true if dotted version A >= B (pre-release/build suffixes ignored).
version_ge() {
  local a="${1%%[-+]*}" b="${2%%[-+]*}"
  [[ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1)" == "$b" ]]
}

# pulumi_version BINARY: prints e.g. 3.276.0 (no leading v), or fails.
pulumi_version() {
  local out
  [[ -x "$1" ]] || return 1
  out="$(PULUMI_SKIP_UPDATE_CHECK=true timeout 120 "$1" version 2>/dev/null | head -n1)" || return 1
  out="${out//[[:space:]]/}"
  [[ "$out" =~ ^v?([0-9]+\.[0-9]+\.[0-9]+.*)$ ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# langhost_ok BINARY: the language host is an executable that starts
# (`-help` exits 0 or 2 depending on the flag package; 126/127/signals mean broken).
langhost_ok() {
  local rc=0
  [[ -x "$1" ]] || return 1
  timeout 60 "$1" -help >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 0 || $rc -eq 2 ]]
}

# find_next_to_or_path NAME DIR: prints DIR/NAME if executable, else NAME's path on PATH.
find_next_to_or_path() {
  if [[ -x "$2/$1" ]]; then printf '%s\n' "$2/$1"; else command -v "$1" 2>/dev/null; fi
}

# ---------------------------------------------------------------- step 1: PATH
if pulumi_path="$(command -v pulumi 2>/dev/null)"; then
  pulumi_dir="$(cd "$(dirname "$pulumi_path")" && pwd -P)"
  if v="$(pulumi_version "$pulumi_path")" && version_ge "$v" "$PULUMI_VERSION"; then
    lh="$(find_next_to_or_path "$LANGHOST" "$pulumi_dir" || true)"
    shim="$(find_next_to_or_path "$SHIM" "$pulumi_dir" || true)"
    if [[ -n "$lh" ]] && langhost_ok "$lh" && [[ -n "$shim" ]]; then
      log "using pulumi v$v already on PATH: $pulumi_path"
      printf '%s\n' "$pulumi_dir"
      exit 0
    fi
    log "pulumi v$v on PATH lacks $LANGHOST or $SHIM; using the cache instead"
  else
    log "pulumi on PATH ($pulumi_path) reports '${v:-?}', need >= v$PULUMI_VERSION; using the cache instead"
  fi
fi

# --------------------------------------------------------------- step 2: cache
CACHE_ROOT="${PULUMI_SPIDER_CACHE:-${HOME:?HOME is not set}/.cache/pulumi-spider}"
INSTALL_DIR="$CACHE_ROOT/pulumi-v$PULUMI_VERSION"
BIN_DIR="$INSTALL_DIR/bin"

# dir_ok DIR: DIR holds our complete build (pulumi at the exact version, host, shim).
dir_ok() {
  [[ "$(pulumi_version "$1/pulumi" 2>/dev/null)" == "$PULUMI_VERSION" ]] \
    && langhost_ok "$1/$LANGHOST" && [[ -x "$1/$SHIM" ]]
}

if dir_ok "$BIN_DIR"; then
  log "using cached build: $BIN_DIR"
  printf '%s\n' "$BIN_DIR"
  exit 0
fi

[[ "${PULUMI_SPIDER_NO_BUILD:-0}" == "1" ]] && die "no usable pulumi found and PULUMI_SPIDER_NO_BUILD=1"

# --------------------------------------------------------------- step 3: build
mkdir -p "$CACHE_ROOT" || die "cannot create cache dir $CACHE_ROOT"
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"
LOCK_FILE="$CACHE_ROOT/.pulumi-v$PULUMI_VERSION.lock"
exec 9>"$LOCK_FILE" || die "cannot open lock file $LOCK_FILE"
if ! flock -n 9; then
  log "another run is building pulumi v$PULUMI_VERSION; waiting for lock $LOCK_FILE"
  flock 9 || die "could not take lock $LOCK_FILE"
fi
if dir_ok "$BIN_DIR"; then  # another run may have finished while we waited
  log "using cached build (completed by another run): $BIN_DIR"
  printf '%s\n' "$BIN_DIR"
  exit 0
fi

GO="${GO:-$(command -v go 2>/dev/null || true)}"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
[[ -x "$GO" ]] || die "Go toolchain not found (looked for 'go' on PATH and /usr/local/go/bin/go); set GO=/path/to/go"
log "building pulumi v$PULUMI_VERSION + $LANGHOST (sdk v$LANGHOST_SDK_VERSION) from the Go module proxy with $("$GO" version)"

# Staging dir inside the cache root, so the final rename is on the same filesystem (atomic).
WORK="$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")" || die "cannot create work dir under $CACHE_ROOT"
cleanup() { chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'die "interrupted"' INT TERM HUP

# Build outside any module/workspace; never fetch another Go toolchain.
export GOWORK=off GOTOOLCHAIN=local
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED=0

# download MODULE@VERSION -> prints the module's (read-only) directory in the module cache.
download() {
  local json dir
  json="$(cd "$WORK" && "$GO" mod download -json "$1" 2>&1)" || true
  dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)"
  if [[ -z "$dir" || ! -d "$dir" ]] || printf '%s\n' "$json" | grep -q '"Error"'; then
    log "go mod download $1 failed:"
    printf '%s\n' "$json" | sed 's/^/    /' >&2
    printf '%s' "$json" | grep -q '403' && log "the Go module proxy refuses $1 (403 'not available')"
    return 1
  fi
  printf '%s\n' "$dir"
}

# copy_tree SRC DST: copy a module out of the read-only module cache and make it writable.
copy_tree() { cp -r "$1" "$2" && chmod -R u+w "$2"; }

t0=$SECONDS
STAGE="$WORK/stage"
mkdir -p "$STAGE/bin" "$WORK/src"

# --- language host: sdk/v3 v3.68.0 built as-is with its own go.mod, plus the monitor patch.
log "downloading $SDK_MOD@v$LANGHOST_SDK_VERSION (for $LANGHOST)"
LH_SDK_DIR="$(download "$SDK_MOD@v$LANGHOST_SDK_VERSION")" || die "could not download $SDK_MOD@v$LANGHOST_SDK_VERSION"
LH_SRC="$WORK/src/langhost-sdk"
copy_tree "$LH_SDK_DIR" "$LH_SRC" || die "copying $LH_SDK_DIR failed"
LH_MAIN="$LH_SRC/nodejs/cmd/$LANGHOST/main.go"
[[ -f "$LH_MAIN" ]] || die "$SDK_MOD@v$LANGHOST_SDK_VERSION has no nodejs/cmd/$LANGHOST"
# Patch: give node the engine's real monitor, not the host's 2023-era monitor proxy.
sed -i 's|fmt.Sprintf("127.0.0.1:%d", handle.Port), pipes.directory())|req.GetMonitorAddress(), pipes.directory())|' "$LH_MAIN"
grep -q 'req.GetMonitorAddress(), pipes.directory())' "$LH_MAIN" || die "patching $LH_MAIN failed (source not as expected)"
log "building $LANGHOST (about 1 minute)"
(cd "$LH_SRC" && "$GO" build -trimpath -ldflags "-X $VERSION_PKG.Version=v$LANGHOST_SDK_VERSION" \
   -o "$STAGE/bin/$LANGHOST" "./nodejs/cmd/$LANGHOST") || die "go build of $LANGHOST failed (see above)"

# --- CLI: pkg/v3 and sdk/v3 at the CLI version side by side (pkg/go.mod has `replace .../sdk/v3 => ../sdk`).
log "downloading $PKG_MOD@v$PULUMI_VERSION and $SDK_MOD@v$PULUMI_VERSION"
PKG_DIR="$(download "$PKG_MOD@v$PULUMI_VERSION")" || die "could not download $PKG_MOD@v$PULUMI_VERSION"
SDK_DIR="$(download "$SDK_MOD@v$PULUMI_VERSION")" || die "could not download $SDK_MOD@v$PULUMI_VERSION"
copy_tree "$PKG_DIR" "$WORK/src/pkg" || die "copying $PKG_DIR failed"
copy_tree "$SDK_DIR" "$WORK/src/sdk" || die "copying $SDK_DIR failed"
log "building pulumi (about 6 minutes on 2 cores; first run also downloads its dependencies)"
(cd "$WORK/src/pkg" && "$GO" build -trimpath -ldflags "-X $VERSION_PKG.Version=v$PULUMI_VERSION" \
   -o "$STAGE/bin/pulumi" ./cmd/pulumi) || die "go build of ./cmd/pulumi failed (see above)"

# --- dynamic-provider launcher, as shipped in the SDK (same script as in the npm package).
cp "$WORK/src/sdk/nodejs/dist/$SHIM" "$STAGE/bin/$SHIM" || die "SDK v$PULUMI_VERSION has no nodejs/dist/$SHIM"
chmod 0755 "$STAGE/bin/"*

cat >"$STAGE/BUILD-INFO" <<EOF
pulumi v$PULUMI_VERSION ($PKG_MOD)
$LANGHOST v$LANGHOST_SDK_VERSION ($SDK_MOD, nodejs/cmd/$LANGHOST; patched: node gets the engine's monitor address)
$SHIM from $SDK_MOD@v$PULUMI_VERSION nodejs/dist
built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $("$GO" version)
EOF

dir_ok "$STAGE/bin" || die "freshly built binaries do not work: $("$STAGE/bin/pulumi" version 2>&1 | head -n3)"

# Atomic install: rename the staged dir into place (move any broken old install aside first).
if [[ -e "$INSTALL_DIR" ]]; then
  mv "$INSTALL_DIR" "$WORK/old-install" || die "cannot move aside broken $INSTALL_DIR"
fi
mv "$STAGE" "$INSTALL_DIR" || die "cannot move build into $INSTALL_DIR"
dir_ok "$BIN_DIR" || die "installed binaries in $BIN_DIR do not work"

log "installed pulumi v$PULUMI_VERSION + $LANGHOST into $BIN_DIR (took $((SECONDS - t0))s)"
printf '%s\n' "$BIN_DIR"
