#!/usr/bin/env bash
# Question: how fast is a TCP echo server on Uringy (examples/echo.ts), and what does it cost in
# CPU and memory, next to the same server on Node (`net`), Bun (`Bun.listen`), Deno
# (`Deno.listen`) and a native io_uring server in Rust (bench/echo/native)?
#   - round trips per second and the server's CPU time per round trip, for 50 connections ×
#     64 B, 50 × 4 KiB and 1,000 × 64 B messages (one message in flight per connection);
#   - RSS per idle connection, with 10,000 connections open.
# The server runs on CPU 0, the load generator (bench/echo/load, Rust, io_uring, one thread) on
# CPU 1; bench.py drives both and prints the table.
#
# Run by hand: bash bench/echo/run.sh
#   knobs: URINGY, RUNS (rounds, 3), DURATION (measured seconds per scenario, 5), WARMUP (1),
#          IDLE_CONNS (10000), SETTLE (s before reading VmRSS, 1), PORT (9000), SERVER_CPU (0),
#          LOAD_CPU (1), RUNTIMES (e.g. node,native: a subset, for a quick look)
#   REPORT_ONLY=1 python3 bench/echo/bench.py prints the table again from bench/out/echo.json.
# Prints a markdown block ready to paste into bench/RESULTS.md (progress goes to stderr); raw
# data goes to bench/out/echo.json, servers' output to bench/out/echo-<runtime>.log. Takes
# about 6.5 minutes with the defaults.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
repo="$(dirname "$bench")"
uringy="${URINGY:-$repo/target/release/uringy}"
example="$repo/examples/echo.ts"

# The command line as run, with every knob that was set, so the entry can be rerun as is.
cmdline="bash bench/echo/run.sh"
for knob in RUNTIMES LOAD_CPU SERVER_CPU PORT SETTLE IDLE_CONNS WARMUP DURATION RUNS URINGY; do
    if [[ -n "${!knob:-}" ]]; then cmdline="$knob=${!knob} $cmdline"; fi
done

# 10,000 connections are 10,000 descriptors in the server and as many in the load generator.
want_fds=$(( ${IDLE_CONNS:-10000} + 1024 ))
if (( $(ulimit -Hn) < want_fds )); then
    ulimit -Hn "$want_fds" 2>/dev/null || { echo "echo: cannot raise the open-file limit to $want_fds (ulimit -Hn)" >&2; exit 1; }
fi
ulimit -Sn "$(ulimit -Hn)"

# The native server and the load generator: own packages, outside the root workspace, one
# target directory (bench/echo/target, git-ignored) for both.
export CARGO_TARGET_DIR="$here/target"
for pkg in native load; do
    cargo build --release --quiet --manifest-path "$here/$pkg/Cargo.toml"
done
export NATIVE_BIN="$CARGO_TARGET_DIR/release/echo-native" LOAD_BIN="$CARGO_TARGET_DIR/release/echo-load"

# shellcheck source=../lib.sh
source "$bench/lib.sh"

# peers.sh returns at once when everything is installed already.
bash "$bench/peers.sh" >/dev/null
# shellcheck source=/dev/null
source "$bench/.peers/env.sh"
export NODE BUN DENO

uringy_rev="not measured (no binary at $uringy; cargo build --release)"
uringy_version=""
if [[ -n "${RUNTIMES:-}" && ",$RUNTIMES," != *,uringy,* ]]; then
    uringy_rev="not measured (RUNTIMES=$RUNTIMES)"
elif [[ ! -x "$uringy" ]]; then
    echo "echo: no uringy binary at $uringy (cargo build --release); measuring the others only" >&2
elif [[ ! -f "$example" ]]; then
    uringy_rev="not measured (no $example)"
    echo "echo: no $example; measuring the others only" >&2
else
    snapshot_uringy uringy-under-test
fi

load_before="$(cut -d' ' -f1 /proc/loadavg)"
table="$(python3 "$here/bench.py")"
cat <<INFO
## $(date +%F) — echo

- machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), Linux $(uname -r), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM
- command: \`$cmdline\` — server pinned with \`taskset -c ${SERVER_CPU:-0}\`, load generator with \`taskset -c ${LOAD_CPU:-1}\`; per scenario ${WARMUP:-1} s warm-up then ${DURATION:-5} s measured; median of ${RUNS:-3} rounds, order of runtimes rotated; memory read ${SETTLE:-1} s after ${IDLE_CONNS:-10000} connections are set up
- runtimes: ${uringy_version}node $("$NODE" --version), bun $("$BUN" --version), deno $("$DENO" --version | head -n1 | cut -d' ' -f2), native: $(rustc --version | cut -d' ' -f1-2) with io-uring $(sed -n '/name = "io-uring"/{n;s/version = "\(.*\)"/\1/p}' "$here/native/Cargo.lock")
- 1-min load average before the run: $load_before
- uringy build: $uringy_rev

$table
INFO
