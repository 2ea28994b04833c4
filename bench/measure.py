"""One measured run: wrk's load and output, the app's and the stub's CPU and memory from /proc, the soak."""

import os
import re
import subprocess
import time

from processes import App, children, cpu_ticks, status_kib
from settings import (CLK_TCK, CONNECTIONS, COOKIE, DURATION, LOAD_CPU, MIB, PATHS, SOAK, SOAK_INTERVAL,
                      WARMUP, log)


def busy_cores(seconds=2.0):
    """How many cores' worth of CPU the machine spent over a short interval (from /proc/stat)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - v[4], sum(v)  # busy (not idle, not iowait), total
    b0, t0 = sample()
    time.sleep(seconds)
    b1, t1 = sample()
    return (b1 - b0) / max(t1 - t0, 1) * (os.cpu_count() or 1)


# ---------------------------------------------------------------- wrk

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def parse_wrk(out):
    def one(pattern, cast=float, default=None):
        m = re.search(pattern, out, re.M)
        if not m:
            if default is not None:
                return default
            raise SystemExit("cannot read wrk's output:\n" + out)
        return cast(m.group(1))

    lat = {}
    for m in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.M):
        lat[m.group(1)] = float(m.group(2)) * UNITS[m.group(3)]
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(x) for x in sock.groups()) if sock else 0
    non3xx = one(r"Non-2xx or 3xx responses: (\d+)", int, 0)
    return {
        "requests": one(r"^\s+(\d+) requests in", int),
        "rps": one(r"^Requests/sec:\s+([\d.]+)"),
        "p50": lat.get("50"),
        "p99": lat.get("99"),
        "errors": socket_errors + non3xx,
        "non3xx": non3xx,
        "socket_errors": socket_errors,
    }


def wrk_cmd(port, path, duration, script=None):
    cmd = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency",
           "--timeout", "5s", "-H", COOKIE]
    if script:
        cmd += ["-s", script]
    return cmd + [f"http://127.0.0.1:{port}{path}"]


def wrk(port, path, duration, script=None):
    cmd = wrk_cmd(port, path, duration, script)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout)


# ---------------------------------------------------------------- measurements


def steal_ticks():
    """CPU time the hypervisor gave to other guests (all cores), from /proc/stat: on a VM, runs that lost
    time this way are slower and have longer tails through no fault of the apps."""
    try:
        with open("/proc/stat") as f:
            return int(f.readline().split()[8])
    except (OSError, IndexError, ValueError):
        return 0


def measure(app, path, stub_, rnd, exact):
    app.start()
    idle_rss = status_kib(app.pid, "VmRSS")
    one = None
    if exact:
        # One request by hand, alone: exactly which upstream calls it makes.
        stub_.mark()
        app.check(path)
        _, one, _ = stub_.calls_since_mark()
    else:
        app.check(path)
    if WARMUP > 0:
        wrk(app.port, path.url, WARMUP)
    stub_.mark()
    app_cpu0, stub_cpu0, steal0 = cpu_ticks(app.pid), cpu_ticks(stub_.pid), steal_ticks()
    r = wrk(app.port, path.url, DURATION)
    app_cpu1, stub_cpu1, steal1 = cpu_ticks(app.pid), cpu_ticks(stub_.pid), steal_ticks()
    hwm = status_kib(app.pid, "VmHWM")
    rss_end = status_kib(app.pid, "VmRSS")
    calls, _, conns = stub_.calls_since_mark()
    app.stop()
    n = max(r["requests"], 1)
    r.update({
        "app": app.kind, "path": path.name, "round": rnd, "one": one, "conns_per_k": conns * 1000 / n,
        "idle_rss": idle_rss, "hwm": hwm, "rss_end": rss_end,
        "cpu_us": (app_cpu1 - app_cpu0) / CLK_TCK * 1e6 / n,
        "stub_cpu_us": (stub_cpu1 - stub_cpu0) / CLK_TCK * 1e6 / n,
        "calls": calls / n,
        # Share of the machine's CPU time stolen by the host during the run.
        "steal_pct": (steal1 - steal0) / CLK_TCK / (DURATION * (os.cpu_count() or 1)) * 100,
    })
    log(f"  round {rnd} {app.kind:9} {path.name:15} {r['rps']:10.0f} req/s  p50 {r['p50']:7.2f} ms  "
        f"p99 {r['p99']:7.2f} ms  err {r['errors']}  idle {idle_rss / MIB:5.1f} MiB  peak {hwm / MIB:5.1f} MiB  "
        f"cpu {r['cpu_us']:6.1f} us/req  upstream {r['calls']:.2f}/req  stub cpu {r['stub_cpu_us']:5.1f} us/req  "
        f"steal {r['steal_pct']:.1f}%")
    return r


def measure_stub(stub_, what, port, path):
    wrk(port, path, max(WARMUP, 1))
    stub_.mark()
    cpu0 = cpu_ticks(stub_.pid)
    r = wrk(port, path, DURATION)
    cpu1 = cpu_ticks(stub_.pid)
    stub_.calls_since_mark()
    r.update({"what": what, "stub_cpu_us": (cpu1 - cpu0) / CLK_TCK * 1e6 / max(r["requests"], 1)})
    log(f"  stub alone {what:28} {r['rps']:10.0f} req/s  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  "
        f"err {r['errors']}  nginx cpu {r['stub_cpu_us']:5.1f} us/req")
    return r


SOAK_LUA = """-- All four bridge paths in turn, each request carrying the same Cookie header.
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def soak(tmp, stub_):
    script = os.path.join(tmp, "soak.lua")
    with open(script, "w") as f:
        f.write(SOAK_LUA % ", ".join(f'"{p.url}"' for p in PATHS))
    app = App("bridge", tmp)
    app.start()
    idle = status_kib(app.pid, "VmRSS")
    stub_.mark()
    cpu0 = cpu_ticks(app.pid)
    proc = subprocess.Popen(wrk_cmd(app.port, "/", SOAK, script), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    children.append(proc)
    t0 = time.time()
    samples = []
    while len(samples) < SOAK // SOAK_INTERVAL:
        next_at = t0 + SOAK_INTERVAL * (len(samples) + 1)
        time.sleep(max(0.0, next_at - time.time()))
        if proc.poll() is not None:
            break
        samples.append((round(time.time() - t0), status_kib(app.pid, "VmRSS")))
    out, err = proc.communicate(timeout=SOAK + 60)
    children.remove(proc)
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed in the soak:\n{out}\n{err}")
    r = parse_wrk(out)
    cpu1 = cpu_ticks(app.pid)
    hwm = status_kib(app.pid, "VmHWM")
    calls, _, _ = stub_.calls_since_mark()
    app.stop()
    n = max(r["requests"], 1)
    r.update({"idle_rss": idle, "samples": samples, "hwm": hwm, "calls": calls / n,
              "cpu_us": (cpu1 - cpu0) / CLK_TCK * 1e6 / n})
    log(f"  soak {SOAK}s: {r['rps']:.0f} req/s, err {r['errors']}, RSS "
        + " ".join(f"{t}s:{kib / MIB:.1f}" for t, kib in samples) + f" MiB, peak {hwm / MIB:.1f} MiB")
    return r

