#!/usr/bin/env bash
# Question: how long does each runtime take, from exec to exit, to run a
# one-line TypeScript program? That is the floor every script, CLI tool and
# test run pays.
#
# Run by hand: bash bench/startup.sh   (knobs: URINGY, RUNS, WARMUP, CPU)
# Prints a markdown block ready to paste into bench/RESULTS.md; the raw
# hyperfine data is kept in bench/out/startup.json.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
uringy="${URINGY:-$(dirname "$here")/target/release/uringy}"
runs="${RUNS:-100}"
warmup="${WARMUP:-10}"
cpu="${CPU:-0}"
prog="$here/startup/hello.ts"
out="$here/out"
json="$out/startup.json"
meta="$out/startup-meta.tsv"
mkdir -p "$out"

# peers.sh returns at once when everything is installed already.
bash "$here/peers.sh" >/dev/null
# shellcheck source=/dev/null
source "$here/.peers/env.sh"

hf_args=()
: >"$meta"
# add NAME VERSION BINARY ARGS...: a fast exit can also mean a failure, so a
# runtime is only timed after it printed the expected line once.
add() {
    local name="$1" version="$2" bin="$3" cmd
    shift 3
    if [[ "$("$bin" "$@" 2>&1)" != "hello" ]]; then
        echo "startup.sh: $name did not print 'hello'; skipping it" >&2
        return
    fi
    # -N splits the command line itself; %q keeps odd paths in one word.
    printf -v cmd '%q ' "$bin" "$@"
    hf_args+=(--command-name "$name" "$cmd")
    printf '%s\t%s\t%s\n' "$name" "$version" "$bin" >>"$meta"
}

if [[ -x "$uringy" ]]; then
    add uringy "$("$uringy" --version 2>/dev/null | head -n1 || echo '?')" "$uringy" "$prog"
else
    echo "startup.sh: no uringy binary at $uringy (cargo build --release); measuring the peers only" >&2
fi
add node "$("$NODE" --version)" "$NODE" "$prog"   # Node >= 23.6 strips types without a flag
add bun "$("$BUN" --version)" "$BUN" "$prog"
add deno "$("$DENO" --version | head -n1 | cut -d' ' -f2)" "$DENO" run "$prog"

load_before="$(cut -d' ' -f1 /proc/loadavg)"
# Pin hyperfine itself: the runtimes inherit the affinity, so no taskset exec
# is added to the measured time, and every runtime gets the same single core
# (multi-threaded start-up cannot hide work on a second core).
# -N: no shell in between, so nothing needs subtracting.
taskset -c "$cpu" hyperfine -N --warmup "$warmup" --runs "$runs" \
    --export-json "$json" "${hf_args[@]}" >&2

# The block below is a RESULTS.md entry: what ran, where, and how busy the
# machine was (a build on the other core skews these numbers upward). The
# command carries any knob that was set, so the entry can be rerun as is.
cmdline="bash bench/startup.sh"
for knob in CPU WARMUP RUNS URINGY; do
    if [[ -n "${!knob:-}" ]]; then cmdline="$knob=${!knob} $cmdline"; fi
done
uringy_rev="not measured (missing, or did not print hello)"
if grep -q '^uringy' "$meta"; then
    uringy_rev="$uringy, repo at $(git -C "$here" describe --always --dirty 2>/dev/null || echo 'no commit yet')"
fi
cat <<INFO
## $(date +%F) — startup

- machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), Linux $(uname -r)
- command: \`$cmdline\` — $(hyperfine --version), -N, $warmup warm-up + $runs timed runs each, \`taskset -c $cpu\`
- 1-min load average before the run: $load_before
- uringy build: $uringy_rev

INFO
python3 - "$json" "$meta" <<'EOF'
import json, os, sys

results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
meta = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
ms = lambda s: s * 1000
# Ratios are to Uringy when it was measured, else to the fastest runtime.
base = "uringy" if "uringy" in results else min(results, key=lambda n: results[n]["median"])
base_median = results[base]["median"]

print(f"| runtime | version | median ms | mean ± σ ms | min ms | median ÷ {base} | binary size |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for name, version, binary in meta:
    r = results[name]
    size = os.path.getsize(binary)
    print(f"| {name} | {version} | {ms(r['median']):.2f} | {ms(r['mean']):.2f} ± {ms(r['stddev']):.2f} "
          f"| {ms(r['min']):.2f} | {r['median'] / base_median:.2f} | {size} B ({size / 2**20:.1f} MiB) |")
EOF
