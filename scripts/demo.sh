#!/usr/bin/env bash
# The demo: a real `pulumi up` of examples/local (an NLB, extra VMs, a Kubernetes cluster and a
# node group on the embedded local cloud), then a listener port change previewed and applied as
# an in-place update that keeps the NLB's id. Installs what it needs; safe to run twice.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# A supported Node first on PATH for everything started below (npm, tsc, and the Pulumi language
# host and provider host): the machine's if >= 22, else Node 24 fetched into the cache.
NODE_BIN="$(bash scripts/ensure-node.sh | tail -n1)"
export PATH="$NODE_BIN:$PATH"
echo "demo: using node $(node --version) at $(command -v node)" >&2

bash scripts/setup.sh
PULUMI_BIN="$(bash scripts/ensure-pulumi.sh | tail -n1)"
# NODE_BIN again in front, in case PULUMI_BIN is a system dir that also holds an older node.
export PATH="$NODE_BIN:$PULUMI_BIN:$PATH"
export PULUMI_BACKEND_URL="file://$ROOT/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_NODEJS_TRANSPILE_ONLY=true
mkdir -p "$ROOT/.pulumi-state"

cd examples/local
pulumi stack select demo --create --non-interactive
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "pulumi up (listener on port 80)"
pulumi config set listenerPort 80
pulumi up --yes --non-interactive --skip-preview
pulumi stack output
before="$(pulumi stack output nlbId)"

step "change the listener port to 8080: preview shows an in-place update, not a replacement"
pulumi config set listenerPort 8080
pulumi preview --diff --non-interactive
pulumi up --yes --non-interactive --skip-preview
after="$(pulumi stack output nlbId)"

step "result"
echo "listener: $(pulumi stack output listener --json | tr -d '\n ')"
if [ "$before" = "$after" ]; then
    echo "nlbId unchanged: $after (updated in place)"
else
    echo "nlbId changed from $before to $after: the NLB was replaced" >&2
    exit 1
fi
echo "Explore: cd examples/local && PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PATH=$NODE_BIN:$PULUMI_BIN:\$PATH pulumi stack"
