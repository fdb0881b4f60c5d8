#!/usr/bin/env bash
# Question: what does a fiber cost, next to the equivalent Promise/async code in Node, Bun and
# Deno? (1) spawn + join of an empty fiber, (2) one suspend + resume from JS, (3) RSS per
# fiber suspended 20 JS calls deep, (4) 100,000 concurrent sleeping fibers under the default
# vm.max_map_count. Programs: bench/fibers/<question>.ts (Uringy) and .mjs (peers), the same
# logic in each; every one prints JSON lines that bench.py parses.
#
# Run by hand: bash bench/fibers/run.sh
#   knobs: URINGY, CPU, RUNS (time runs, 5), MEM_RUNS (memory runs, 3), N_SPAWN, N_SWITCH,
#          N_DEEP, DEPTH, N_SLEEP, SLEEP_MS, SETTLE (s between "ready" and reading /proc)
# Prints a markdown block ready to paste into bench/RESULTS.md (progress goes to stderr);
# raw data goes to bench/out/fibers.json. Takes about 2.5 minutes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
repo="$(dirname "$bench")"
uringy="${URINGY:-$repo/target/release/uringy}"
cpu="${CPU:-0}"

# The command line as run, with every knob that was set, so the entry can be rerun as is.
cmdline="bash bench/fibers/run.sh"
for knob in SETTLE SLEEP_MS N_SLEEP DEPTH N_DEEP N_SWITCH N_SPAWN MEM_RUNS RUNS CPU URINGY; do
    if [[ -n "${!knob:-}" ]]; then cmdline="$knob=${!knob} $cmdline"; fi
done

# shellcheck source=../lib.sh
source "$bench/lib.sh"

# peers.sh returns at once when everything is installed already.
bash "$bench/peers.sh" >/dev/null
# shellcheck source=/dev/null
source "$bench/.peers/env.sh"
export NODE BUN DENO CPU="$cpu"

uringy_rev="not measured (no binary at $uringy; cargo build --release)"
uringy_version=""
if [[ -x "$uringy" ]]; then
    snapshot_uringy uringy-under-test
else
    echo "fibers: no uringy binary at $uringy (cargo build --release); measuring the peers only" >&2
fi

load_before="$(cut -d' ' -f1 /proc/loadavg)"
table="$(python3 "$here/bench.py")"
cat <<INFO
## $(date +%F) — fibers

- machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), Linux $(uname -r), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM
- command: \`$cmdline\` — each program pinned with \`taskset -c $cpu\`; times: median (min–max) of ${RUNS:-5} runs of the loop timed inside the program with \`performance.now()\` after a warm-up of a tenth of N; memory: median of ${MEM_RUNS:-3} runs, read ${SETTLE:-0.5} s after the program reports all suspended
- runtimes: ${uringy_version}node $("$NODE" --version), bun $("$BUN" --version), deno $("$DENO" --version | head -n1 | cut -d' ' -f2)
- 1-min load average before the run: $load_before
- uringy build: $uringy_rev

$table
INFO
