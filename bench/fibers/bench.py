#!/usr/bin/env python3
"""Runs the fibers benchmark (see run.sh) and prints a RESULTS.md entry.

Every program prints JSON lines; the last line with the expected fields is the result. Time
questions (spawn, switch) run RUNS times per runtime, rounds interleaved across runtimes, and
report the median. Memory questions (deep, sleepers) run MEM_RUNS times: the program prints a
"ready" line once all its fibers/async functions are suspended, the harness waits SETTLE
seconds and reads VmRSS from /proc/PID/status and the line count of /proc/PID/maps, then lets
the program finish and checks its "done" line. Each process's user+system CPU time and peak
RSS come from wait4(). Raw data: bench/out/fibers.json.
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import json_lines, median, sig  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
OUT = os.path.join(BENCH, "out")

env = os.environ
CPU = env.get("CPU", "0")
RUNS = int(env.get("RUNS", "5"))
MEM_RUNS = int(env.get("MEM_RUNS", "3"))
N_SPAWN = int(env.get("N_SPAWN", "200000"))
N_SWITCH = int(env.get("N_SWITCH", "200000"))
N_DEEP = int(env.get("N_DEEP", "10000"))
DEPTH = int(env.get("DEPTH", "20"))
N_SLEEP = int(env.get("N_SLEEP", "100000"))
SLEEP_MS = int(env.get("SLEEP_MS", "5000"))
SETTLE = float(env.get("SETTLE", "0.5"))
DEEP_HOLD_MS = 3000  # deep.* hold their fibers this long after "ready"


def log(*args):
    print("fibers:", *args, file=sys.stderr, flush=True)


# name -> command prefix; a program path and its arguments follow.
runtimes = {}
if env.get("URINGY_BIN"):
    runtimes["uringy"] = [env["URINGY_BIN"]]
runtimes["node"] = [env["NODE"]]
runtimes["bun"] = [env["BUN"]]
runtimes["deno"] = [env["DENO"], "run"]


def program(name, question):
    return os.path.join(HERE, question + (".ts" if name == "uringy" else ".mjs"))


def wait_rusage(proc):
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "maxrss_kib": ru.ru_maxrss, "status": proc.returncode}


def run_timed(name, question, n):
    """One run of a time question; returns its JSON result plus rusage, or None."""
    cmd = ["taskset", "-c", CPU] + runtimes[name] + [program(name, question), str(n)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        ru = wait_rusage(proc)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    results = [r for r in json_lines(stdout) if r.get("q") == question]
    if ru["status"] != 0 or not results:
        log(f"{name} {question}: exit {ru['status']}, no result; stderr: {stderr.strip()[:800]}")
        return None
    return {**results[-1], **ru}


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "VmSize", "Threads"):
                fields[key] = int(value.split()[0])
    with open(f"/proc/{pid}/maps") as f:
        fields["maps"] = sum(1 for _ in f)
    return fields


def run_memory(name, question, args, timeout):
    """One run of a memory question: read /proc at "ready" + SETTLE; returns a dict or None."""
    cmd = ["taskset", "-c", CPU] + runtimes[name] + [program(name, question)] + [str(a) for a in args]
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
    fd = proc.stdout.fileno()
    buf = b""
    ready = None
    deadline = time.monotonic() + timeout
    while ready is None and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break  # exited before "ready"
            buf += chunk
            for res in json_lines(buf.decode(errors="replace")):
                if res.get("phase") == "ready":
                    ready = res
    status = None
    if ready is not None:
        time.sleep(SETTLE)
        try:
            status = proc_status(proc.pid)
        except OSError as e:  # it exited already
            log(f"{name} {question}: cannot read /proc/{proc.pid}: {e}")
    else:
        log(f"{name} {question} {args}: no ready line within {timeout} s")
        proc.kill()
    rest = proc.stdout.read()
    ru = wait_rusage(proc)
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    err.close()
    lines = json_lines((buf + rest).decode(errors="replace"))
    done = next((r for r in lines if r.get("phase") == "done"), None)
    if ru["status"] != 0 or status is None or done is None:
        log(f"{name} {question} {args}: exit {ru['status']}, ready={ready is not None}, "
            f"done={done is not None}; stderr: {stderr.strip()[:800]}")
        if status is None:
            return None
    return {"ready": ready, "done": done, "proc": status, **ru}


# ---- run ----------------------------------------------------------------------------------

raw = {name: {"spawn": [], "switch": [], "deep": [], "deep0": [], "sleepers": []} for name in runtimes}
names = list(runtimes)
for rnd in range(RUNS):
    # Rotate the order each round so slow drift of the machine spreads over all runtimes.
    order = names[rnd % len(names):] + names[:rnd % len(names)]
    log(f"time round {rnd + 1}/{RUNS}: {' '.join(order)}")
    for name in order:
        raw[name]["spawn"].append(run_timed(name, "spawn", N_SPAWN))
        raw[name]["switch"].append(run_timed(name, "switch", N_SWITCH))
for rnd in range(MEM_RUNS):
    order = names[rnd % len(names):] + names[:rnd % len(names)]
    log(f"memory round {rnd + 1}/{MEM_RUNS}: {' '.join(order)}")
    for name in order:
        raw[name]["deep0"].append(run_memory(name, "deep", [0, DEPTH, DEEP_HOLD_MS], 60))
        raw[name]["deep"].append(run_memory(name, "deep", [N_DEEP, DEPTH, DEEP_HOLD_MS], 60))
        raw[name]["sleepers"].append(run_memory(name, "sleepers", [N_SLEEP, SLEEP_MS], SLEEP_MS / 1000 + 60))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "fibers.json"), "w") as f:
    json.dump({"runtimes": runtimes, "raw": raw}, f, indent=1)

# ---- report -------------------------------------------------------------------------------

problems = []


def pick(name, question, key):
    return [r[key] for r in raw[name][question] if r is not None and r.get(key) is not None]


def stat(name, question, key):
    return median(pick(name, question, key))


def spread(name, question, key):
    v = pick(name, question, key)
    return (min(v), max(v)) if v else None


def mem(name, question, path):
    """Median over runs of a nested field of memory results, e.g. ("proc", "VmRSS")."""
    vals = []
    for r in raw[name][question]:
        if r is None:
            continue
        v = r
        for p in path:
            v = v.get(p) if isinstance(v, dict) else None
        if v is not None:
            vals.append(v)
    return median(vals)


rows = []  # (question, measure, target, {runtime: value}, {runtime: cell text}, ratio?)


def row(question, measure, target, values, cells=None, ratio=True):
    rows.append((question, measure, target, values, cells or {k: sig(v) for k, v in values.items()}, ratio))


def timed_row(question, measure, target, key, prog):
    values = {n: stat(n, prog, key) for n in names}
    cells = {}
    for n in names:
        s = spread(n, prog, key)
        cells[n] = "—" if s is None else f"{sig(values[n])} ({sig(s[0])}–{sig(s[1])})"
    row(question, measure, target, values, cells)


timed_row("1", f"spawn + join of an empty fiber; peers `await` an empty async function — "
          f"ns per op, N={N_SPAWN:,}", "≤ 1,000", "ns", "spawn")
row("1", "process CPU time, user+sys, whole program (median) — ms", "",
    {n: (lambda v: v and v * 1000)(stat(n, "spawn", "cpu_s")) for n in names})
timed_row("2", f"`yieldNow()` with one other fiber yielding; peers `await null` in two async "
          f"functions — ns per suspend + resume, N={N_SWITCH:,} each", "≤ 150", "yieldNs", "switch")
timed_row("2", "ping-pong round trip through two capacity-0 Channels (`uringy:sync`); peers the "
          "same channel logic on Promises — ns per round trip", "≤ 150", "pingNs", "switch")
row("2", "process CPU time, user+sys, whole program (median) — ms", "",
    {n: (lambda v: v and v * 1000)(stat(n, "switch", "cpu_s")) for n in names})

per_fiber = {}
for n in names:
    full, base = mem(n, "deep", ("proc", "VmRSS")), mem(n, "deep0", ("proc", "VmRSS"))
    per_fiber[n] = None if full is None or base is None else (full - base) / N_DEEP
row("3", f"RSS per suspended fiber {DEPTH} JS calls deep (VmRSS with {N_DEEP:,} − with 0, ÷ "
    f"{N_DEEP:,}); peers async functions {DEPTH} awaits deep on a long timer — KiB", "≤ 20", per_fiber)
row("3", f"VmRSS with 0 / with {N_DEEP:,} — MiB", "",
    {n: mem(n, "deep", ("proc", "VmRSS")) for n in names},
    {n: f"{sig((mem(n, 'deep0', ('proc', 'VmRSS')) or 0) / 1024)} / {sig((mem(n, 'deep', ('proc', 'VmRSS')) or 0) / 1024)}"
     for n in names}, ratio=False)
row("3", f"time until all {N_DEEP:,} are suspended — ms", "",
    {n: mem(n, "deep", ("ready", "ms")) for n in names})
row("3", f"cancel + join of all {N_DEEP:,} (Uringy only; Promises cannot be cancelled) — ms", "",
    {n: mem(n, "deep", ("done", "cancelMs")) for n in names}, ratio=False)

row("4", f"{N_SLEEP:,} concurrent `sleep({SLEEP_MS})` fibers; peers {N_SLEEP:,} async functions "
    f"awaiting a setTimeout promise — VmRSS when all are asleep, MiB", "≤ 2,048",
    {n: (lambda v: v and v / 1024)(mem(n, "sleepers", ("proc", "VmRSS"))) for n in names})
row("4", "peak RSS of the whole run (wait4 ru_maxrss) — MiB", "",
    {n: (lambda v: v and v / 1024)(mem(n, "sleepers", ("maxrss_kib",))) for n in names})
row("4", "lines in /proc/PID/maps when all are asleep", "< max_map_count",
    {n: mem(n, "sleepers", ("proc", "maps")) for n in names}, ratio=False)
row("4", f"time until all {N_SLEEP:,} are asleep — ms", "",
    {n: mem(n, "sleepers", ("ready", "ms")) for n in names})
row("4", "process CPU time, user+sys, whole run — ms", "",
    {n: (lambda v: v and v * 1000)(mem(n, "sleepers", ("cpu_s",))) for n in names})

# Correctness checks: every run must have finished as intended.
works = {}
for n in names:
    runs = raw[n]["sleepers"]
    ok = [r is not None and r["status"] == 0 and r["done"] is not None and r["done"].get("woke") == N_SLEEP
          and r["ready"]["ms"] + SETTLE * 1000 < SLEEP_MS for r in runs]
    works[n] = f"{sum(ok)}/{len(runs)}"
    if not all(ok):
        problems.append(f"{n}: sleepers did not finish as intended in {len(ok) - sum(ok)} of {len(runs)} runs")
    for r in raw[n]["deep"]:
        if r is None or r["status"] != 0 or r["done"] is None:
            problems.append(f"{n}: a deep run failed or printed no done line")
        elif n == "uringy" and r["done"].get("asleep") != 0:
            problems.append(f"uringy: {r['done'].get('asleep')} deep fibers did not end after cancel()")
    for q in ("spawn", "switch"):
        bad = sum(r is None for r in raw[n][q])
        if bad:
            problems.append(f"{n}: {bad} of {RUNS} {q} runs failed")
row("4", f"runs where all {N_SLEEP:,} woke and the process exited 0", "all",
    {n: None for n in names}, works, ratio=False)

peers = [n for n in names if n != "uringy"]
base = "uringy" if "uringy" in names else None
head = ["#", "measure", "target"] + names + ([f"{p} ÷ uringy" for p in peers] if base else [])
print("| " + " | ".join(head) + " |")
print("| --- | --- | --- | " + " | ".join("---:" for _ in head[3:]) + " |")
for question, measure, target, values, cells, ratio in rows:
    line = [question, measure, target or ""] + [cells.get(n, "—") for n in names]
    if base:
        for p in peers:
            b, v = values.get(base), values.get(p)
            line.append(f"{v / b:.2f}" if ratio and b and v is not None else "")
    print("| " + " | ".join(line) + " |")

print()
mmc = open("/proc/sys/vm/max_map_count").read().strip()
print(f"- vm.max_map_count: {mmc}" + (" (the kernel's default)" if mmc == "65530" else " (not the kernel's default 65530)"))
print(f"- ratios: peer ÷ uringy of the medians (above 1: Uringy is faster or smaller)")
if problems:
    print("- problems: " + "; ".join(problems))
