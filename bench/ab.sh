#!/usr/bin/env bash
# Question: is one build of Uringy slower than another at fibers and small files? For checking a
# change against its parent on the same machine in the same minutes, where the full harnesses'
# peers and minutes are not needed. Each binary runs bench/fibers/switch.ts, spawn.ts and (given
# FS_DIR with fixtures, as bench/fs/fixtures.py makes them) bench/fs/uringy.ts read/stat of 10,000
# 1 KiB files, RUNS times (5), alternating, pinned to CPU 0; prints the minimum and the median.
#
# Run by hand: bash bench/ab.sh OLD_BINARY NEW_BINARY [MORE…]    knobs: RUNS, FS_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${RUNS:-5}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for ((i = 0; i < runs; i++)); do
    for bin in "$@"; do
        name="$(basename "$bin")"
        {
            taskset -c 0 "$bin" "$here/fibers/switch.ts"
            taskset -c 0 "$bin" "$here/fibers/spawn.ts"
            if [[ -n "${FS_DIR:-}" ]]; then
                taskset -c 0 "$bin" "$here/fs/uringy.ts" read "$FS_DIR" small 10000 1024
                taskset -c 0 "$bin" "$here/fs/uringy.ts" stat "$FS_DIR" small 10000 1024
            fi
        } >> "$out/$name.jsonl"
    done
done
python3 - "$out" "$@" <<'PY'
import json, os, statistics, sys
out, bins = sys.argv[1], sys.argv[2:]
keys = [("yieldNs", "yieldNow ns"), ("pingNs", "channel ping-pong ns"), ("ns", "spawn + join ns"),
        ("read", "readFile 1 KiB µs"), ("stat", "stat µs")]
print("| build | " + " | ".join(label + " (min / median)" for _, label in keys) + " |")
print("| --- |" + " ---: |" * len(keys))
for b in bins:
    vals = {k: [] for k, _ in keys}
    for line in open(os.path.join(out, os.path.basename(b) + ".jsonl")):
        d = json.loads(line)
        if d.get("q") == "switch":
            vals["yieldNs"].append(d["yieldNs"]); vals["pingNs"].append(d["pingNs"])
        elif d.get("q") == "spawn":
            vals["ns"].append(d["ns"])
        elif d.get("op") in ("read", "stat"):
            vals[d["op"]].append(d["usPerOp"])
    cells = [f"{min(v):,.2f} / {statistics.median(v):,.2f}" if v else "—" for v in (vals[k] for k, _ in keys)]
    print(f"| {b} | " + " | ".join(cells) + " |")
PY
