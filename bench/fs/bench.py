#!/usr/bin/env python3
"""Runs the fs benchmark (see run.sh) and prints a RESULTS.md entry.

Every (variant, case) is its own process, pinned to CPU, that times its loop with
performance.now() and prints one JSON line (uringy.ts, common.mjs). RUNS rounds; in each, the
variants run in an order rotated by one, each through every case. Before every process the
harness calls sync() so no earlier write is flushed while it runs; before a write case it readies
the write directory (fixtures.prepare_write): every target file there at full size
(WRITE_MODE=overwrite, the default) or none (WRITE_MODE=fresh). After a
read it compares the program's check with the fixtures' contents, after a write it checks every
written file's size and first and last byte. A process that fails, prints no result or fails a
check is reported, not measured; one that times out is not run again for that case.
Raw data: bench/out/fs.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
OUT = os.path.join(BENCH, "out")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import fixtures  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import json_lines, median, sig  # noqa: E402

env = os.environ
FS_DIR = env["FS_DIR"]
CPU = env.get("CPU", "0")
RUNS = int(env.get("RUNS", "5"))
N_SMALL = int(env.get("N_SMALL", "10000"))
N_MEDIUM = int(env.get("N_MEDIUM", "100"))
READDIR_REPS = int(env.get("READDIR_REPS", "10"))
SKIP_BIG = env.get("SKIP_BIG", "") not in ("", "0")
TIMEOUT = float(env.get("TIMEOUT", "120"))
ONLY_VARIANTS = [v for v in env.get("VARIANTS", "").split(",") if v]
ONLY_CASES = [c for c in env.get("CASES", "").split(",") if c]
WRITE_MODE = env.get("WRITE_MODE", "overwrite")
if WRITE_MODE not in ("overwrite", "fresh"):
    sys.exit(f"fs: WRITE_MODE must be overwrite or fresh, not {WRITE_MODE!r}")


def log(*args):
    print("fs:", *args, file=sys.stderr, flush=True)


# variant -> (column title, command prefix); the case's arguments follow.
deno_run = [env["DENO"], "run", "--allow-read", "--allow-write"]
all_variants = {}
if env.get("URINGY_BIN"):
    all_variants["uringy"] = ("uringy", [env["URINGY_BIN"], os.path.join(HERE, "uringy.ts")])
all_variants.update({
    "node-sync": ("node fs sync", [env["NODE"], os.path.join(HERE, "node.mjs"), "sync"]),
    "node-promises": ("node fs.promises", [env["NODE"], os.path.join(HERE, "node.mjs"), "promises"]),
    "node-all": ("node fs.promises, Promise.all", [env["NODE"], os.path.join(HERE, "node.mjs"), "all"]),
    "bun-native": ("bun Bun.file / Bun.write", [env["BUN"], os.path.join(HERE, "bun.mjs"), "native"]),
    "bun-sync": ("bun node:fs sync", [env["BUN"], os.path.join(HERE, "bun.mjs"), "sync"]),
    "deno-sync": ("deno sync", deno_run + [os.path.join(HERE, "deno.mjs"), "sync"]),
    "deno-async": ("deno async", deno_run + [os.path.join(HERE, "deno.mjs"), "async"]),
})
variants = {k: v for k, v in all_variants.items() if not ONLY_VARIANTS or k in ONLY_VARIANTS}
names = list(variants)
# The batch variant runs calls concurrently; Uringy's program is sequential, so the target
# ("at least as fast as the fastest peer") is judged against the sequential variants only.
BATCH = {"node-all"}

KIB, MIB, GIB = fixtures.KIB, fixtures.MIB, fixtures.GIB
# case -> (op, shape, N, size, unit, what one op is)
all_cases = {
    "read-small": ("read", "small", N_SMALL, KIB, "µs", "file"),
    "read-medium": ("read", "medium", N_MEDIUM, MIB, "µs", "file"),
    "read-big": ("read", "big", 1, GIB, "ms", "file"),
    "write-small": ("write", "small", N_SMALL, KIB, "µs", "file"),
    "write-medium": ("write", "medium", N_MEDIUM, MIB, "µs", "file"),
    "write-big": ("write", "big", 1, GIB, "ms", "file"),
    "stat": ("stat", "small", N_SMALL, KIB, "µs", "file"),
    "readdir": ("readdir", "small", N_SMALL, KIB, "ms", "call"),
}
cases = {k: v for k, v in all_cases.items()
         if (not ONLY_CASES or k in ONLY_CASES) and not (SKIP_BIG and k.endswith("-big"))}


def run_case(variant, case, tag):
    """One process; returns {"result": …, rusage…} or {"error": …} or {"skipped": …}."""
    op, shape, n, size, _, _ = cases[case]
    t0 = time.monotonic()
    if op == "write":
        made = fixtures.prepare_write(FS_DIR, shape, n, WRITE_MODE == "fresh")
        if made:
            log(f"{variant} {case}: {made} write targets made again (after a failed run)")
    os.sync()
    sync_s = time.monotonic() - t0
    x = tag if op == "write" else READDIR_REPS if op == "readdir" else 0
    cmd = ["taskset", "-c", CPU] + variants[variant][1] + [op, FS_DIR, shape, str(n), str(size), str(x)]
    timed_out = False
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        deadline = time.monotonic() + TIMEOUT
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline and not timed_out:
                timed_out = True
                proc.kill()  # the process this harness started, by its pid
                deadline = float("inf")
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    info = {"status": proc.returncode, "cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime,
            "sys_s": ru.ru_stime, "maxrss_kib": ru.ru_maxrss, "sync_s": sync_s, "tag": tag}
    results = [r for r in json_lines(stdout) if r.get("op") == op]
    res = results[-1] if results else None
    if timed_out:
        return {**info, "error": f"timed out after {TIMEOUT:.0f} s", "timeout": True}
    if proc.returncode != 0 or res is None:
        tail = stderr.strip().splitlines()[-6:]
        return {**info, "error": f"exit {proc.returncode}, no result: " + " / ".join(tail)[:600]}
    if "skipped" in res:
        return {**info, "skipped": res["skipped"]}
    bad = None
    if op == "read" and res.get("check") != fixtures.expected_check(n):
        bad = f"check {res.get('check')}, expected {fixtures.expected_check(n)}"
    elif op == "write":
        bad = fixtures.check_written(FS_DIR, shape, n, tag)
    if bad:
        return {**info, "error": "wrong result: " + bad, "result": res}
    return {**info, "result": res}


# ---- fixtures -------------------------------------------------------------------------------

counts = {"small": N_SMALL, "medium": N_MEDIUM}
if not SKIP_BIG:
    counts["big"] = 1


def first_touch_ms():
    """Milliseconds to fault in 1 GiB of fresh anonymous memory, a byte per 4 KiB page: what a
    program pays to first use a new 1 GiB buffer. On a VM whose free memory goes back to the
    host (virtio-balloon free page reporting) this is slow and varies; it is in the entry so
    a wide spread on the 1 GiB rows can be told from the runtimes."""
    import mmap
    t = time.perf_counter()
    m = mmap.mmap(-1, GIB)
    for off in range(0, GIB, 4096):
        m[off] = 1
    ms = (time.perf_counter() - t) * 1000
    m.close()
    return ms


touch_before = first_touch_ms()
t0 = time.monotonic()
written = fixtures.create(FS_DIR, counts)
if WRITE_MODE == "overwrite":
    for case, (op, shape, n, *_rest) in cases.items():
        if op == "write":
            written += fixtures.prepare_write(FS_DIR, shape, n, False) * fixtures.SIZES[shape]
os.sync()
log(f"fixtures: {written / MIB:,.0f} MiB in {FS_DIR}, {time.monotonic() - t0:.1f} s (written, read back once, synced)")

# ---- run ------------------------------------------------------------------------------------

raw = {v: {c: [] for c in cases} for v in names}
given_up = set()  # (variant, case) that timed out: not run again
started = time.monotonic()
for rnd in range(RUNS):
    order = names[rnd % len(names):] + names[:rnd % len(names)]
    log(f"round {rnd + 1}/{RUNS}: {' '.join(order)} ({time.monotonic() - started:.0f} s so far)")
    for vi, variant in enumerate(order):
        for case in cases:
            if (variant, case) in given_up:
                raw[variant][case].append({"error": "not run: timed out in an earlier round"})
                continue
            # The byte written by this write run: differs from the previous run's, never 0.
            tag = (rnd * 16 + names.index(variant)) % 255 + 1
            r = run_case(variant, case, tag)
            raw[variant][case].append(r)
            if "error" in r:
                log(f"{variant} {case}: {r['error']}")
                if r.get("timeout"):
                    given_up.add((variant, case))
log(f"done in {time.monotonic() - started:.0f} s")
touch_after = first_touch_ms()

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "fs.json"), "w") as f:
    json.dump({"variants": variants, "cases": cases, "write_mode": WRITE_MODE,
               "first_touch_ms": [touch_before, touch_after], "raw": raw}, f, indent=1)

# ---- report ---------------------------------------------------------------------------------


def per_op(variant, case):
    """The per-op times of the good runs, in the case's unit."""
    unit = cases[case][4]
    scale = 1 if unit == "µs" else 1e-3
    return [r["result"]["usPerOp"] * scale for r in raw[variant][case] if "result" in r and "error" not in r]


def cell(variant, case):
    v = per_op(variant, case)
    runs = raw[variant][case]
    if not v:
        if runs and all("skipped" in r for r in runs):
            return "n/a"
        return "**failed**" if any("error" in r for r in runs) else "—"
    text = f"{sig(median(v))} ({sig(min(v))}–{sig(max(v))})"
    failed = sum("error" in r for r in runs)
    return text + (f" **{failed} failed**" if failed else "")


def describe(case):
    op, shape, n, size, unit, what = cases[case]
    amount = {KIB: "1 KiB", MIB: "1 MiB", GIB: "1 GiB"}[size]
    if op == "read":
        return f"readFile, {amount} × {n:,} — {unit} per file"
    if op == "write":
        how = "fresh file" if WRITE_MODE == "fresh" else "overwriting a file of that size"
        return f"writeFile ({how}), {amount} × {n:,} — {unit} per file"
    if op == "stat":
        return f"stat, {n:,} files — {unit} per file"
    return f"readDir of a {n:,}-entry directory, × {READDIR_REPS} — {unit} per call"


peers = [v for v in names if v != "uringy"]
sequential = [v for v in peers if v not in BATCH]
have_uringy = "uringy" in names
head = ["measure"] + [variants[v][0] for v in names] + ["fastest sequential peer"]
if have_uringy:
    head += ["fastest ÷ uringy", "uringy at least as fast?"]
print("| " + " | ".join(head) + " |")
print("| --- | " + " | ".join("---:" for _ in head[1:]) + " |")
medians = {v: {c: median(per_op(v, c)) for c in cases} for v in names}
misses = []
for case in cases:
    line = [describe(case)] + [cell(v, case) for v in names]
    fast = [(medians[v][case], v) for v in sequential if medians[v][case] is not None]
    best = min(fast) if fast else None
    line.append(f"{variants[best[1]][0]}: {sig(best[0])}" if best else "—")
    if have_uringy:
        u = medians["uringy"][case]
        if best and u:
            ratio = best[0] / u
            ok = ratio >= 1
            line += [f"{ratio:.2f}", "yes" if ok else "**no**"]
            if not ok:
                misses.append(f"{case} ({variants[best[1]][0]} {ratio:.2f}×)")
        else:
            line += ["", "**no result**" if best else ""]
            if best:
                misses.append(f"{case} (uringy failed)")
    print("| " + " | ".join(line) + " |")

if have_uringy:
    print()
    print("peer ÷ uringy (medians; above 1: Uringy is faster):")
    print()
    print("| measure | " + " | ".join(variants[v][0] for v in peers) + " |")
    print("| --- | " + " | ".join("---:" for _ in peers) + " |")
    for case in cases:
        u = medians["uringy"][case]
        vals = [f"{medians[v][case] / u:.2f}" if u and medians[v][case] is not None else "—" for v in peers]
        print(f"| {describe(case).split(' — ')[0]} | " + " | ".join(vals) + " |")

problems = []
for v in names:
    for c in cases:
        errs = [r["error"] for r in raw[v][c] if "error" in r]
        if errs:
            problems.append(f"{v} {c}: {len(errs)} of {len(raw[v][c])} runs failed — first: {errs[0]}")
print()
print("- cells: median (min–max) over the good runs of the time per operation inside the program; "
      "`n/a`: the API has no such call; `failed`: see problems")
if have_uringy:
    print("- target: uringy at least as fast as the fastest sequential peer variant on each row"
          + (f"; **missed on: {', '.join(misses)}**" if misses else "; met on every row"))
print(f"- writes: {'into fresh files (the write directory is emptied before each program)' if WRITE_MODE == 'fresh' else 'overwriting files of the same size, there before each program'}; "
      "Node, Deno and Uringy open with O_TRUNC, Bun (Bun.write and node:fs) opens without it, writes, then ftruncate()s to the length, "
      "so an overwrite rewrites the cached pages in place")
print(f"- 1 GiB of fresh anonymous memory took {touch_before:,.0f} ms to fault in before the run, {touch_after:,.0f} ms after "
      "(a program pays this for each new big buffer; on a VM it can be slow and vary)")
if problems:
    print("- problems: " + "; ".join(problems))
