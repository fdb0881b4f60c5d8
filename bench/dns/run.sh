#!/usr/bin/env bash
# Question: does the DNS codec from crates (hickory-proto, resolv-conf and std::net, through
# ops) cost more per call than the hand-written TypeScript it replaced? Times encoding a
# query, parsing a typical response, parsing an address and parsing resolv.conf, old and new,
# in one Uringy process pinned to one CPU.
#
# Run by hand: bash bench/dns/run.sh   (knobs: URINGY, CPU (0), OLD_REV, ITERATIONS, ROUNDS)
# OLD_REV is the commit whose lib/internal/dns.ts is the old codec (the last one before the
# crates). Prints a markdown table; takes about half a minute.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
repo="$(dirname "$bench")"
uringy="${URINGY:-$repo/target/release/uringy}"
cpu="${CPU:-0}"
old_rev="${OLD_REV:-adb7306}"

if [[ ! -x "$uringy" ]]; then
    echo "dns/run.sh: no $uringy (cargo build --release)" >&2
    exit 1
fi
mkdir -p "$bench/out"
git -C "$repo" show "$old_rev:lib/internal/dns.ts" >"$bench/out/dns_old.ts"

echo "Uringy $("$uringy" --version | head -n1), repo at $(git -C "$repo" describe --always --dirty), old codec from $old_rev;" \
    "CPU $cpu, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# `uringy test` runs the file in a child with the standard library's internal modules in
# reach; its summary line (no tests: the file times at the top level) is dropped.
taskset -c "$cpu" "$uringy" test "$here/codec.ts" | grep '^|'
