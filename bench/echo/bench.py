#!/usr/bin/env python3
"""Runs the echo benchmark (see run.sh) and prints the table of a RESULTS.md entry.

Each server runs pinned to SERVER_CPU, the load generator (bench/echo/load, `echo-load`) pinned
to LOAD_CPU. Per runtime and round:

- throughput: one server process serves the three scenarios in turn (50 × 64 B, 50 × 4 KiB,
  1,000 × 64 B); for each, echo-load sets the connections up, warms up WARMUP s, then measures
  DURATION s: round trips per second, and the server's utime+stime from /proc/PID/stat at the
  start and the end of that window (read by echo-load itself), per round trip;
- memory: a fresh server process; VmRSS is read SETTLE s after it listens, then IDLE_CONNS
  connections each do one 64-byte round trip and stay open, idle; SETTLE s after the last is
  set up VmRSS is read again. (after − before) ÷ IDLE_CONNS is the cost of an idle connection.

Every server is stopped with SIGTERM and must exit within STOP_TIMEOUT s. RUNS rounds, the
order of runtimes rotated each round; the table gives medians. Raw data: bench/out/echo.json,
servers' output: bench/out/echo-<runtime>.log.
"""
import atexit
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import json_lines, median, sig  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)
OUT = os.path.join(BENCH, "out")

env = os.environ
SERVER_CPU = env.get("SERVER_CPU", "0")
LOAD_CPU = env.get("LOAD_CPU", "1")
PORT = int(env.get("PORT", "9000"))
RUNS = int(env.get("RUNS", "3"))
DURATION = float(env.get("DURATION", "5"))
WARMUP = float(env.get("WARMUP", "1"))
IDLE_CONNS = int(env.get("IDLE_CONNS", "10000"))
SETTLE = float(env.get("SETTLE", "1"))
PAUSE = float(env.get("PAUSE", "1"))  # between two server processes
START_TIMEOUT = float(env.get("START_TIMEOUT", "20"))
STOP_TIMEOUT = float(env.get("STOP_TIMEOUT", "5"))
# REPORT_ONLY=1: print the table again from bench/out/echo.json, run nothing.
REPORT_ONLY = env.get("REPORT_ONLY") == "1"
LOAD_BIN = env.get("LOAD_BIN", "")
SCENARIOS = [(50, 64), (50, 4096), (1000, 64)]  # (connections, message bytes)

# name -> server command; the port is appended.
runtimes = {}
if REPORT_ONLY:
    pass
elif env.get("URINGY_BIN"):
    runtimes["uringy"] = [env["URINGY_BIN"], os.path.join(REPO, "examples", "echo.ts")]
if not REPORT_ONLY:
    runtimes["node"] = [env["NODE"], os.path.join(HERE, "node.mjs")]
    runtimes["bun"] = [env["BUN"], os.path.join(HERE, "bun.mjs")]
    runtimes["deno"] = [env["DENO"], "run", "--allow-net", "--allow-env=VARIANT", os.path.join(HERE, "deno.mjs")]
    runtimes["native"] = [env["NATIVE_BIN"]]
if env.get("RUNTIMES"):  # e.g. RUNTIMES=node,native: a subset, for a quick look
    keep = env["RUNTIMES"].split(",")
    runtimes = {n: c for n, c in runtimes.items() if n in keep}
names = list(runtimes)
HZ = os.sysconf("SC_CLK_TCK")
problems = []
gave_up = set()  # runtimes whose server could not be started: not retried


def log(*args):
    print("echo:", *args, file=sys.stderr, flush=True)


def problem(msg):
    log("PROBLEM:", msg)
    problems.append(msg)


def listening_inodes(port):
    """Inodes of TCP sockets in LISTEN state on `port` (IPv4 and IPv6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    local, state, inode = parts[1], parts[3], parts[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except OSError:
            pass
    return inodes


def established(port):
    """TCP connections in ESTABLISHED state whose local port is `port`: the server's ends."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split(None, 4)
                    if parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        count += 1
        except OSError:
            pass
    return count


def socket_inodes(pid):
    found = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                found.add(link[8:-1])
    except OSError:
        pass
    return found


def machine_busy_s():
    """CPU time of all CPUs not idle (steal included: the host took it), in seconds."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return (user + nice + system + irq + softirq + steal) / HZ


def proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except (OSError, IndexError):
        return None


def vm_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


running = set()  # servers started and not yet stopped; stopped at exit whatever happens


@atexit.register
def stop_all():
    for server in list(running):
        server.stop()


# Ctrl-C raises KeyboardInterrupt; make SIGTERM/SIGHUP unwind the same way, so atexit runs.
for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, lambda signum, frame: sys.exit(128 + signum))


class Server:
    def __init__(self, name):
        self.name = name
        self.log_path = os.path.join(OUT, f"echo-{name}.log")
        self.proc = None

    def start(self):
        """Starts the server pinned; True once it listens on PORT, else records why not."""
        if listening_inodes(PORT):
            problem(f"{self.name}: port {PORT} is taken before the server started (a leftover server?)")
            return False
        logf = open(self.log_path, "ab")
        logf.write(f"\n=== {time.strftime('%F %T')} start\n".encode())
        logf.flush()
        cmd = ["taskset", "-c", SERVER_CPU] + runtimes[self.name] + [str(PORT)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                     env={**os.environ, "NO_COLOR": "1"})
        logf.close()
        running.add(self)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                problem(f"{self.name}: server exited with {self.proc.returncode} before listening; "
                        f"see {os.path.relpath(self.log_path, REPO)}: {self.tail()}")
                return False
            # Ours: the listening socket is one of the server process's fds.
            if listening_inodes(PORT) & socket_inodes(self.proc.pid):
                return True
            time.sleep(0.02)
        problem(f"{self.name}: not listening on {PORT} after {START_TIMEOUT:.0f} s; {self.tail()}")
        self.stop()
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, then waits; returns the exit ("0", "SIGTERM", …) or "hung" (then SIGKILL)."""
        running.discard(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "hung"
        rc = self.proc.returncode
        return signal.Signals(-rc).name if rc < 0 else str(rc)

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 600))
                return f.read().decode(errors="replace").strip().replace("\n", " | ")
        except OSError:
            return ""


def children_s():
    t = os.times()
    return t.children_user + t.children_system


def load_cmd(*args):
    return ["taskset", "-c", LOAD_CPU, LOAD_BIN, "--port", str(PORT)] + [str(a) for a in args]


def run_load(server, conns, size):
    cmd = load_cmd("--conns", conns, "--size", size, "--duration", DURATION, "--warmup", WARMUP,
                   "--server-pid", server.proc.pid)
    # CPU used by anything but this server and this load generator while they run: another
    # process (a build on the other core) or the host (steal) skews the figures.
    t0, busy0, srv0, own0 = time.monotonic(), machine_busy_s(), proc_cpu_s(server.proc.pid), children_s()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = p.communicate(timeout=WARMUP + DURATION + 120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        problem(f"{server.name} {conns}×{size}: the load generator hung")
        return None
    stdout, stderr = stdout.decode(errors="replace"), stderr.decode(errors="replace")
    own_s = children_s() - own0  # the load generator is the only child reaped meanwhile
    srv1 = proc_cpu_s(server.proc.pid)
    wall = time.monotonic() - t0
    other_pct = None
    if srv0 is not None and srv1 is not None:
        other_pct = max(0.0, machine_busy_s() - busy0 - (srv1 - srv0) - own_s) / wall * 100
    res = None
    for line in stdout.splitlines():
        if line.startswith("{"):
            res = json.loads(line)
    if res is None:
        problem(f"{server.name} {conns}×{size}: no result from echo-load (exit {p.returncode}): {stderr.strip()[:400]}")
        return None
    res["other_cpu_pct"] = other_pct
    if p.returncode != 0 or res["errors"]:
        problem(f"{server.name} {conns}×{size}: {res['errors']} errors ({res['mismatches']} wrong echoes); "
                f"first: {res['first_error']}")
        res["failed"] = True
    if not server.alive():
        problem(f"{server.name} {conns}×{size}: the server died (exit {server.proc.returncode}); {server.tail()}")
        res["failed"] = True
    return res


def run_memory(server):
    time.sleep(SETTLE)
    before = vm_rss(server.proc.pid)
    load = subprocess.Popen(load_cmd("--idle", "--conns", IDLE_CONNS, "--size", 64, "--timeout", 120),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready = None
    buf = b""
    deadline = time.monotonic() + 150
    fd = load.stdout.fileno()
    while ready is None and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if not r:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        for line in buf.decode(errors="replace").splitlines():
            if line.startswith("{") and line.endswith("}"):
                ready = json.loads(line)
    after = open_conns = None
    if ready is not None and ready["errors"] == 0:
        time.sleep(SETTLE)
        if server.alive():
            after = vm_rss(server.proc.pid)
            open_conns = established(PORT)  # the server has not closed any of them
    try:  # communicate() closes echo-load's stdin: it exits, all connections close
        _, err = load.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        load.kill()
        _, err = load.communicate()
    if ready is None:
        problem(f"{server.name} memory: echo-load never reported ready: {err.decode(errors='replace').strip()[:400]}")
        return None
    if ready["errors"]:
        problem(f"{server.name} memory: {ready['errors']} errors setting up {IDLE_CONNS} connections; "
                f"first: {ready['first_error']}")
        return None
    if after is None:
        problem(f"{server.name} memory: the server died (exit {server.proc.returncode}); {server.tail()}")
        return None
    if open_conns < IDLE_CONNS:
        problem(f"{server.name} memory: only {open_conns} of {IDLE_CONNS} connections were still open "
                f"when VmRSS was read")
    return {"before_kib": before, "after_kib": after, "per_conn_kib": (after - before) / IDLE_CONNS,
            "setup_ms": ready["setup_ms"], "open_conns": open_conns}


# ---- run ----------------------------------------------------------------------------------

if REPORT_ONLY:
    with open(os.path.join(OUT, "echo.json")) as f:
        saved = json.load(f)
    runtimes, raw, problems = saved["runtimes"], saved["raw"], saved["problems"]
    RUNS, IDLE_CONNS = saved.get("runs", RUNS), saved.get("idle_conns", IDLE_CONNS)
    gave_up = set(saved.get("gave_up", []))
    names = list(runtimes)
else:
    os.makedirs(OUT, exist_ok=True)
    for n in names:
        open(os.path.join(OUT, f"echo-{n}.log"), "w").close()
    raw = {n: {"load": {f"{c}x{s}": [] for c, s in SCENARIOS}, "memory": [], "stop": []} for n in names}
    for rnd in range(RUNS):
        order = names[rnd % len(names):] + names[:rnd % len(names)]
        log(f"round {rnd + 1}/{RUNS}: {' '.join(order)}")
        for name in order:
            if name in gave_up:
                continue
            server = Server(name)
            if not server.start():
                gave_up.add(name)
                continue
            for conns, size in SCENARIOS:
                res = run_load(server, conns, size)
                if res is not None:
                    log(f"  {name} {conns}×{size}: {res['rps']:,.0f} round trips/s, server "
                        f"{res['server_us_per_rt']} µs CPU each, server CPU {res['server_cpu_pct']} %, "
                        f"load generator CPU {res['load_cpu_pct']} %, anything else "
                        f"{'?' if res['other_cpu_pct'] is None else round(res['other_cpu_pct'])} %")
                raw[name]["load"][f"{conns}x{size}"].append(res)
                if not server.alive():
                    break
            raw[name]["stop"].append(server.stop())
            time.sleep(PAUSE)

            server = Server(name)
            if not server.start():
                gave_up.add(name)
                continue
            mem = run_memory(server)
            if mem is not None:
                log(f"  {name} memory: {mem['before_kib']:,} → {mem['after_kib']:,} KiB, "
                    f"{mem['per_conn_kib']:.2f} KiB per idle connection")
            raw[name]["memory"].append(mem)
            raw[name]["stop"].append(server.stop())
            time.sleep(PAUSE)

    with open(os.path.join(OUT, "echo.json"), "w") as f:
        json.dump({"runtimes": runtimes, "scenarios": SCENARIOS, "runs": RUNS, "idle_conns": IDLE_CONNS,
                   "raw": raw, "problems": problems, "gave_up": sorted(gave_up)}, f, indent=1)

# ---- report -------------------------------------------------------------------------------


def good(name, key):
    return [r for r in raw[name]["load"][key] if r is not None and not r.get("failed")]


def values(name, key, field):
    return [r[field] for r in good(name, key) if r.get(field) is not None]


rows = []  # (measure, target, {name: value}, {name: cell}, ratio?)


def row(measure, target, vals, cells=None, ratio=True):
    rows.append((measure, target, vals, cells or {n: sig(v) for n, v in vals.items()}, ratio))


def label(conns, size):
    return f"{conns:,} conns × {f'{size} B' if size < 1024 else f'{size // 1024} KiB'}"


for conns, size in SCENARIOS:
    key = f"{conns}x{size}"
    vals, cells = {}, {}
    for n in names:
        v = values(n, key, "rps")
        vals[n] = median(v)
        cells[n] = "—" if not v else f"{sig(vals[n])} ({sig(min(v))}–{sig(max(v))})"
    row(f"{label(conns, size)}: round trips per second, median (min–max)", "", vals, cells)
    row(f"{label(conns, size)}: server CPU time (user+sys) per round trip — µs", "",
        {n: median(values(n, key, "server_us_per_rt")) for n in names})

scenario_list = " / ".join(label(c, s) for c, s in SCENARIOS)


def busy_cells(field, pick):
    cells = {}
    for n in names:
        per = [pick(values(n, f"{c}x{s}", field)) for c, s in SCENARIOS]
        cells[n] = " / ".join("—" if v is None else f"{v:.0f}" for v in per)
    return cells


row(f"server CPU busy in the window, {scenario_list} (median) — %", "",
    {n: None for n in names}, busy_cells("server_cpu_pct", median), ratio=False)
row(f"load generator CPU busy in the window, {scenario_list} (max) — %", "",
    {n: None for n in names}, busy_cells("load_cpu_pct", lambda v: max(v, default=None)), ratio=False)
row(f"CPU used by anything else (other processes, the host's steal) during the load runs, "
    f"{scenario_list} (max) — % of one CPU", "≈ 0",
    {n: None for n in names}, busy_cells("other_cpu_pct", lambda v: max(v, default=None)), ratio=False)

mems = {n: [m for m in raw[n]["memory"] if m is not None] for n in names}
row(f"RSS per idle connection: (VmRSS with {IDLE_CONNS:,} idle − before) ÷ {IDLE_CONNS:,} — KiB",
    "≤ 16", {n: median([m["per_conn_kib"] for m in mems[n]]) for n in names})
row(f"VmRSS before / with {IDLE_CONNS:,} idle connections — MiB", "",
    {n: None for n in names},
    {n: "—" if not mems[n] else
     f"{sig(median([m['before_kib'] for m in mems[n]]) / 1024)} / {sig(median([m['after_kib'] for m in mems[n]]) / 1024)}"
     for n in names}, ratio=False)

cells = {}
for n in names:
    loads = [r for c, s in SCENARIOS for r in raw[n]["load"][f"{c}x{s}"]]
    ok = sum(1 for r in loads if r is not None and not r.get("failed"))
    stops = raw[n]["stop"]
    exits = sorted(set(stops))
    hung = stops.count("hung")
    cells[n] = (f"{ok}/{RUNS * len(SCENARIOS)} ; {len(stops) - hung}/{len(stops)}"
                + (f" ({', '.join(exits)})" if exits else ""))
    if n not in gave_up and ok < RUNS * len(SCENARIOS):
        pass  # each failure is listed in problems already
    if hung:
        problem(f"{n}: {hung} of {len(stops)} servers did not exit within {STOP_TIMEOUT:.0f} s of SIGTERM")
row("load runs without errors ; servers that exited on SIGTERM (exit status)", "all",
    {n: None for n in names}, cells, ratio=False)

busy_machine = [f"{n} {label(c, s)} ({max(values(n, f'{c}x{s}', 'other_cpu_pct')):.0f} %)"
                for n in names for c, s in SCENARIOS
                if max(values(n, f"{c}x{s}", "other_cpu_pct"), default=0) >= 5]
if busy_machine:
    problem("the machine was busy with something else during: " + ", ".join(busy_machine)
            + " — those figures are skewed; rerun on an idle machine")
saturated = [f"{n} {label(c, s)}" for n in names for c, s in SCENARIOS
             if max(values(n, f"{c}x{s}", "load_cpu_pct"), default=0) >= 90]

peers = [n for n in names if n not in ("uringy", "native")]
has_u = "uringy" in names
head = ["measure", "target"] + names
if has_u:
    head += [f"{p} ÷ uringy" for p in peers] + ["uringy ÷ native"]
print("| " + " | ".join(head) + " |")
print("| --- | --- | " + " | ".join("---:" for _ in head[2:]) + " |")
for measure, target, vals, cells, ratio in rows:
    line = [measure, target] + [cells.get(n, "—") for n in names]
    if has_u:
        u = vals.get("uringy")
        for p in peers:
            v = vals.get(p)
            line.append(f"{v / u:.2f}" if ratio and u and v is not None else "")
        nat = vals.get("native")
        line.append(f"{u / nat:.2f}" if ratio and u is not None and nat else "")
    print("| " + " | ".join(line) + " |")

print()
print("- ratios of the medians: for round trips per second, peer ÷ uringy above 1 means the peer "
      "is faster; for µs and KiB, above 1 means Uringy is cheaper; uringy ÷ native is Uringy's "
      "share of the native io_uring server's throughput, or its multiple of its CPU time and RSS")
print(f"- servers pinned with `taskset -c {SERVER_CPU}`, the load generator (`bench/echo/load`, io_uring, one "
      f"thread) with `taskset -c {LOAD_CPU}`; 127.0.0.1:{PORT}; each echo compared byte for byte")
print("- servers: node `socket.pipe(socket)`; bun `Bun.listen` data → write, the unwritten rest "
      "queued for drain; deno a read → write loop per connection with a 16 KiB buffer; native "
      "io_uring, multishot accept, a 4 KiB buffer and one recv or send in flight per connection")
if saturated:
    print(f"- load generator ≥ 90 % busy in: {', '.join(saturated)} — there round trips per second "
          "are a floor (on loopback each side pays for much of the other's TCP receive path, so a "
          "fast server can keep the load generator as busy as itself); compare CPU time per round trip")
if not has_u:
    print("- uringy: not measured (see the uringy build line above)")
if problems:
    print("- problems: " + "; ".join(problems))
