#!/usr/bin/env bash
# Question: how fast are whole-file reads and writes, stat and directory listing, next to Node
# (fs sync and fs.promises), Bun (Bun.file/Bun.write and node:fs sync) and Deno (sync and
# async)? Per operation, from a warm page cache: readFile and writeFile of 1 KiB × 10,000,
# 1 MiB × 100 and 1 GiB × 1; stat of 10,000 files; readDir of a 10,000-entry directory.
# Programs: bench/fs/uringy.ts (Uringy) and bench/fs/{node,bun,deno}.mjs over common.mjs
# (peers), the same loops in each; fixtures from bench/fs/fixtures.py; bench.py drives.
#
# Run by hand: bash bench/fs/run.sh
#   knobs: URINGY, CPU (0), RUNS (5), SKIP_BIG=1 (no 1 GiB cases), N_SMALL (10000),
#          N_MEDIUM (100), READDIR_REPS (10), TIMEOUT (s per process, 120), VARIANTS and CASES
#          (comma lists, to run a subset, e.g. VARIANTS=uringy,node-sync CASES=read-small,stat),
#          WRITE_MODE (overwrite: each write replaces files of the same size, there before each
#          program — the default; fresh: the write directory is emptied before each program),
#          FS_TMP (where the fixture directory goes, /tmp)
# Prints a markdown block ready to paste into bench/RESULTS.md (progress goes to stderr);
# raw data goes to bench/out/fs.json. The fixtures need about 2.3 GiB under FS_TMP (25 MiB
# with SKIP_BIG=1) and are removed at the end. Takes about 3 minutes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
repo="$(dirname "$bench")"
uringy="${URINGY:-$repo/target/release/uringy}"
cpu="${CPU:-0}"

# The command line as run, with every knob that was set, so the entry can be rerun as is.
cmdline="bash bench/fs/run.sh"
for knob in FS_TMP WRITE_MODE CASES VARIANTS TIMEOUT READDIR_REPS N_MEDIUM N_SMALL SKIP_BIG RUNS CPU URINGY; do
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
    snapshot_uringy uringy-under-test-fs
else
    echo "fs: no uringy binary at $uringy (cargo build --release); measuring the peers only" >&2
fi

# Node's Promise.all variant has up to N_SMALL files open at once.
want_fds=$(( ${N_SMALL:-10000} + 1024 ))
if (( $(ulimit -Hn) < want_fds )); then ulimit -Hn "$want_fds" 2>/dev/null || true; fi
ulimit -Sn "$(ulimit -Hn)"

# The fixtures: one directory under FS_TMP for this run, removed however the run ends.
FS_DIR="$(mktemp -d "${FS_TMP:-/tmp}/uringy-bench-fs.XXXXXX")"
export FS_DIR
trap 'rm -rf "$FS_DIR"' EXIT

fs_type="$(df -T "$FS_DIR" | awk 'NR == 2 {print $2 " on " $1}')"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
table="$(python3 "$here/bench.py")"
load_after="$(cut -d' ' -f1 /proc/loadavg)"
cat <<INFO
## $(date +%F) — fs

- machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), Linux $(uname -r), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; fixtures in ${FS_TMP:-/tmp} ($fs_type)
- command: \`$cmdline\` — each (runtime variant, case) its own process pinned with \`taskset -c $cpu\`; time per operation of the loop timed inside the program with \`performance.now()\` after a warm-up of a tenth of N (one call for readDir, none for the 1 GiB file); median (min–max) of ${RUNS:-5} runs, order of variants rotated each round
- page cache warm: the read set is written and read back once before the first run; writes: ${WRITE_MODE:-overwrite} (see below), not fsynced; \`sync\` before every program, so no earlier write is flushed during one
- checked: every read returns the file's size and contents (first and last byte of each file), every written file has its size and bytes, stat's sizes add up, readDir lists every entry as a file
- runtimes: ${uringy_version}node $("$NODE" --version), bun $("$BUN" --version), deno $("$DENO" --version | head -n1 | cut -d' ' -f2)
- 1-min load average before / after the run: $load_before / $load_after
- uringy build: $uringy_rev

$table
INFO
