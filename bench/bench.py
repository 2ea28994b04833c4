#!/usr/bin/env python3
"""The performance benchmark of kratos-hydra-bridge against Ory's reference login/consent app.

Run through bench/run.sh, which installs what is missing and builds the release binary first.
Everything runs on loopback; every load run is bounded in time. See bench/README.md."""

import datetime
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stub  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


DURATION = env_int("BENCH_DURATION", 10)
WARMUP = env_int("BENCH_WARMUP", 2)
ROUNDS = env_int("BENCH_ROUNDS", 3)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 32)
SOAK = env_int("BENCH_SOAK", 60)
SOAK_INTERVAL = env_int("BENCH_SOAK_INTERVAL", 5)
APP_CPU = os.environ.get("BENCH_APP_CPU", "0")
LOAD_CPU = os.environ.get("BENCH_LOAD_CPU", "1")
PORT_BASE = env_int("BENCH_PORT_BASE", 18400)
RESULTS = os.environ.get("BENCH_RESULTS", os.path.join(BENCH_DIR, "RESULTS.md"))
KEEP_TMP = os.environ.get("BENCH_KEEP_TMP", "") == "1"
BRIDGE_BIN = os.environ["BENCH_BRIDGE_BIN"]
# bench/floor's build: the same crates doing the same upstream calls and nothing else (optional).
FLOOR_BIN = os.environ.get("BENCH_FLOOR_BIN", "")
NGINX = os.environ.get("BENCH_NGINX", "nginx")
# BENCH_TRACING=1: the bridge also runs with tracing on (`tracing.provider: otel`, every trace kept),
# exporting to an OTLP sink in the stub, in the same rounds as the bridge with tracing off.
TRACING = os.environ.get("BENCH_TRACING", "") == "1"
# Another build of the bridge measured beside this one (e.g. one from before tracing existed), as
# `bridge-baseline`: tracing off against no tracing at all.
BASELINE_BIN = os.environ.get("BENCH_BASELINE_BIN", "")
REFERENCE_APP = os.path.join(
    BENCH_DIR, "reference", "node_modules", "hydra-login-consent-logout", "lib", "app.js"
)
SIGNING_KEY = "bench-signing-key-not-a-secret-0123456789abcdef"

PORTS = {
    "hydra_admin": PORT_BASE + 45,
    "kratos_public": PORT_BASE + 33,
    "kratos_admin": PORT_BASE + 34,
    "bridge": PORT_BASE + 0,
    "reference": PORT_BASE + 1,
    "floor": PORT_BASE + 2,
    "bridge-traced": PORT_BASE + 3,
    "bridge-baseline": PORT_BASE + 4,
    "otlp_sink": PORT_BASE + 18,
}
SERVICE_OF_PORT = {
    str(PORTS["hydra_admin"]): "hydra",
    str(PORTS["kratos_public"]): "kratos-public",
    str(PORTS["kratos_admin"]): "kratos-admin",
}
# A browser that has been through the flow carries its Kratos session and, for the reference app,
# the csurf secret cookie (without it csurf makes a new secret and sets a cookie on every GET).
COOKIE = "Cookie: ory_kratos_session=MTc2NDI4NjUxOXxiZW5jaC1zZXNzaW9uLXRva2VufA==; _csrf=q0eBXz3gRvTmWkP1b2N4c5d6"
MIB = 1024.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
BUSY_AT_START = 0.0


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


class Path:
    def __init__(self, name, url, verifier, apps, expected_calls, what):
        self.name = name
        self.url = url
        self.verifier = verifier
        self.apps = apps
        self.expected_calls = expected_calls
        self.what = what


FLOOR = ["floor"] if FLOOR_BIN else []
# The bridge as benchmarked, and its variants (tracing on, another build) when asked for.
BRIDGES = ["bridge"] + (["bridge-traced"] if TRACING else []) + (["bridge-baseline"] if BASELINE_BIN else [])
PATHS = [
    Path("login skip", "/login?login_challenge=skip", "login_verifier", BRIDGES + ["reference"] + FLOOR, 3,
         "Hydra skip=true: GET login request, (bridge: whoami), PUT accept, 303"),
    Path("consent skip", "/consent?consent_challenge=skip", "consent_verifier", BRIDGES + ["reference"] + FLOOR, 3,
         "Hydra skip=true: GET consent request, (bridge: identity for claims), PUT accept, 303"),
    Path("login full", "/login?login_challenge=full", "login_verifier", BRIDGES, 3,
         "skip=false + Kratos session: GET login request, whoami, PUT accept, 303"),
    Path("consent trusted", "/consent?consent_challenge=trusted", "consent_verifier", BRIDGES, 3,
         "skip=false, trusted client: GET consent request, identity, PUT accept with claims, 303"),
]

children = []  # every process this run started, stopped by PID on exit


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- /proc


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


# ---------------------------------------------------------------- processes


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def start(cmd, logfile, env=None):
    out = open(logfile, "ab")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    out.close()
    children.append(proc)
    return proc


def stop(proc, timeout=15):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc in children:
        children.remove(proc)


def stop_all():
    for proc in list(children):
        try:
            stop(proc, timeout=5)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


def get(port, path, headers=None, method="GET", timeout=5):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def wait_until(check, what, proc, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode} while starting")
        try:
            if check():
                return
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise SystemExit(f"{what} not ready after {timeout}s ({last})")


# ---------------------------------------------------------------- the stub


class Stub:
    def __init__(self, tmp):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "nginx.conf")
        self.access_log = os.path.join(tmp, "access.log")
        with open(self.conf, "w") as f:
            f.write(stub.nginx_conf(tmp, PORTS))
        for d in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        open(self.access_log, "w").close()
        self.offset = 0
        test = subprocess.run([NGINX, "-t", "-p", tmp, "-c", self.conf], capture_output=True, text=True)
        if test.returncode != 0:
            raise SystemExit("nginx config invalid:\n" + test.stderr)
        # master_process off: one process answers everything, so its CPU is the stub's CPU.
        self.proc = start(["taskset", "-c", LOAD_CPU, NGINX, "-p", tmp, "-c", self.conf],
                          os.path.join(tmp, "nginx.out"))
        wait_until(lambda: get(PORTS["hydra_admin"], "/health/ready")[0] == 200, "nginx", self.proc)
        self.pid = self.proc.pid

    def mark(self):
        """Waits for nginx's buffered access log to flush, then remembers where it ends."""
        time.sleep(1.5)
        self.offset = os.path.getsize(self.access_log)

    def calls_since_mark(self):
        """The upstream calls logged since mark(), by service, method and path."""
        time.sleep(1.5)
        with open(self.access_log, "rb") as f:
            f.seek(self.offset)
            data = f.read().decode()
        self.offset += len(data.encode())
        counts = {}
        total = 0
        connections = set()
        for line in data.splitlines():
            parts = line.split()
            if len(parts) < 5:
                continue
            port, method, uri, status, connection = parts[:5]
            connections.add(connection)
            if uri.startswith("/admin/identities/") and not uri.startswith("/admin/identities/by/"):
                uri = "/admin/identities/{id}"
            key = f"{SERVICE_OF_PORT.get(port, port)} {method} {uri} {status}"
            counts[key] = counts.get(key, 0) + 1
            total += 1
        return total, counts, len(connections)


# ---------------------------------------------------------------- apps


class App:
    def __init__(self, kind, tmp):
        self.kind = kind
        self.tmp = tmp
        self.port = PORTS[kind]
        self.logfile = os.path.join(tmp, f"{kind}.log")
        if kind.startswith("bridge"):
            self.config = os.path.join(tmp, f"{kind}.yaml")
            with open(self.config, "w") as f:
                f.write(f"""serve:
  host: 127.0.0.1
  port: {self.port}
  base_url: http://127.0.0.1:{self.port}
hydra:
  admin_url: http://127.0.0.1:{PORTS['hydra_admin']}
kratos:
  public_url: http://127.0.0.1:{PORTS['kratos_public']}
  admin_url: http://127.0.0.1:{PORTS['kratos_admin']}
  browser_url: http://127.0.0.1:{PORTS['kratos_public']}
consent:
  trusted_clients: [{stub.TRUSTED_CLIENT}]
secrets:
  signing_keys: ["{SIGNING_KEY}"]
""")
                if kind == "bridge-traced":
                    f.write(f"""tracing:
  provider: otel
  providers:
    otlp:
      server_url: 127.0.0.1:{PORTS['otlp_sink']}
      insecure: true
      sampling:
        sampling_ratio: 1
""")

    def start(self):
        if not port_free(self.port):
            raise SystemExit(f"port {self.port} is taken: set BENCH_PORT_BASE")
        env = dict(os.environ)
        if self.kind.startswith("bridge"):
            env["BRIDGE__SERVE__WORKERS"] = "1"
            binary = BASELINE_BIN if self.kind == "bridge-baseline" else BRIDGE_BIN
            cmd = ["taskset", "-c", APP_CPU, binary, "--config", self.config]
            ready = lambda: get(self.port, "/health/ready")[0] == 200  # noqa: E731
        elif self.kind == "floor":
            env.update({
                "FLOOR_PORT": str(self.port),
                "HYDRA_ADMIN_URL": f"http://127.0.0.1:{PORTS['hydra_admin']}",
                "KRATOS_PUBLIC_URL": f"http://127.0.0.1:{PORTS['kratos_public']}",
                "KRATOS_ADMIN_URL": f"http://127.0.0.1:{PORTS['kratos_admin']}",
            })
            cmd = ["taskset", "-c", APP_CPU, FLOOR_BIN]
            ready = lambda: get(self.port, "/health/ready")[0] == 200  # noqa: E731
        else:
            env.update({
                "HYDRA_ADMIN_URL": f"http://127.0.0.1:{PORTS['hydra_admin']}",
                "PORT": str(self.port),
                "NODE_ENV": "production",
            })
            cmd = ["taskset", "-c", APP_CPU, "node", REFERENCE_APP]
            ready = lambda: get(self.port, "/")[0] > 0  # noqa: E731
        self.proc = start(cmd, self.logfile, env)
        self.pid = self.proc.pid
        wait_until(ready, self.kind, self.proc)
        time.sleep(0.5)

    def stop(self):
        stop(self.proc)
        # Keep the app's log from growing without bound over a long run.
        if os.path.getsize(self.logfile) > 16 << 20:
            with open(self.logfile, "r+b") as f:
                f.truncate(0)

    def check(self, path):
        """One request by hand: it must be the redirect Hydra's accept answered with."""
        status, headers, body = get(self.port, path.url, {"Cookie": COOKIE.split(": ", 1)[1]})
        location = headers.get("Location", headers.get("location", ""))
        if status not in (302, 303) or path.verifier not in location:
            raise SystemExit(
                f"{self.kind} {path.url}: expected a redirect carrying {path.verifier}, got {status} "
                f"Location={location!r}\n{body[:2000].decode(errors='replace')}\n(log: {self.logfile})")
        return status


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


# ---------------------------------------------------------------- report


def exact_calls(runs):
    """The upstream calls of the one request sent by hand (round 1)."""
    for r in runs:
        if r.get("one") is not None:
            return r["one"]
    return {}


def ORDER(key):
    """Upstream calls in the order a flow makes them."""
    for i, part in enumerate(("GET /admin/oauth2/auth/requests/login ", "GET /admin/oauth2/auth/requests/consent ",
                              "/sessions/whoami", "/admin/identities", "/accept")):
        if part in key:
            return i
    return 9


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = status_line("/proc/meminfo", "MemTotal")
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "memory": f"{int(mem.split()[0]) / MIB / MIB:.1f} GiB" if mem else "unknown",
    }


def status_line(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return None


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def git_rev():
    rev = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"],
                           capture_output=True, text=True).stdout.strip()
    return rev + (" (with uncommitted changes in src/)" if dirty else "")


def reference_version():
    import json
    try:
        with open(os.path.join(os.path.dirname(os.path.dirname(REFERENCE_APP)), "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def command_line():
    sets = [f"{k}={os.environ[k]}" for k in sorted(os.environ)
            if k.startswith("BENCH_")
            and k not in ("BENCH_BRIDGE_BIN", "BENCH_FLOOR_BIN", "BENCH_NGINX", "BENCH_COMMAND")]
    return " ".join(sets + [os.environ.get("BENCH_COMMAND", "bench/run.sh")])


def fmt(x, digits=1):
    return "–" if x is None else f"{x:,.{digits}f}"


def variants_table(m, tmp):
    """The bridge beside its variants (tracing on, another build) per path: medians, and the change
    from the bridge as benchmarked (tracing off)."""
    if len(BRIDGES) == 1:
        return ""
    rows = ["| path | app | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | CPU vs bridge | req/s vs bridge |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    for path in PATHS:
        base_cpu, base_rps = m(path.name, "bridge", "cpu_us"), m(path.name, "bridge", "rps")
        for app in BRIDGES:
            cpu, rps = m(path.name, app, "cpu_us"), m(path.name, app, "rps")
            rows.append(f"| {path.name} | {app} | {fmt(rps, 0)} | {fmt(m(path.name, app, 'p50'), 2)} | "
                        f"{fmt(m(path.name, app, 'p99'), 2)} | {fmt(cpu)} | {fmt(m(path.name, app, 'hwm') / MIB)} | "
                        f"{(cpu / base_cpu - 1) * 100:+.1f}% | {(rps / base_rps - 1) * 100:+.1f}% |")
    exports = 0
    try:
        with open(os.path.join(tmp, "otlp.log")) as f:
            exports = sum(1 for _ in f)
    except OSError:
        pass
    what = []
    if TRACING:
        what.append(f"`bridge-traced`: `tracing.provider: otel`, sampling ratio 1, exporting to an OTLP/HTTP "
                    f"sink in the stub (nginx, core {LOAD_CPU}), which took {exports:,} export requests")
    if BASELINE_BIN:
        what.append(f"`bridge-baseline`: {BASELINE_BIN}")
    return "\n".join(["## The bridge and its variants", "", "; ".join(what) + ".", ""] + rows) + "\n"


def floor_table(m):
    """The floor against the stub and the bridge, per skip path; `m(path, app, key)` gives medians."""
    if not FLOOR:
        return "Not measured in this run (`BENCH_FLOOR_BIN` unset; bench/run.sh builds and sets it)."
    rows = ["| path | floor CPU µs/req | stub CPU µs/req | floor / stub | bridge CPU µs/req | bridge / stub | "
            "bridge − floor µs/req |", "|---|--:|--:|--:|--:|--:|--:|"]
    for path in PATHS:
        if "floor" not in path.apps:
            continue
        f_cpu, f_stub = m(path.name, "floor", "cpu_us"), m(path.name, "floor", "stub_cpu_us")
        b_cpu, b_stub = m(path.name, "bridge", "cpu_us"), m(path.name, "bridge", "stub_cpu_us")
        rows.append(f"| {path.name} | {f_cpu:.1f} | {f_stub:.1f} | {f_cpu / f_stub:.2f}× | {b_cpu:.1f} | "
                    f"{b_cpu / b_stub:.2f}× | {b_cpu - f_cpu:.1f} |")
    return "\n".join(rows)


def report(started, runs, stubs, soak_r, elapsed, tmp):
    by = {}
    for r in runs:
        by.setdefault((r["path"], r["app"]), []).append(r)

    def m(path, app, key):
        rs = by.get((path, app))
        return med(rs, key) if rs else None

    lines = []
    lines.append("| path | app | req/s | p50 ms | p99 ms | errors | idle RSS MiB | peak RSS MiB | "
                 "CPU µs/req | upstream calls/req | stub CPU µs/req |")
    lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for path in PATHS:
        for app in path.apps:
            rs = by[(path.name, app)]
            lines.append(
                f"| {path.name} | {app} | {fmt(med(rs, 'rps'), 0)} | {fmt(med(rs, 'p50'), 2)} | "
                f"{fmt(med(rs, 'p99'), 2)} | {sum(r['errors'] for r in rs)} | {fmt(med(rs, 'idle_rss') / MIB)} | "
                f"{fmt(med(rs, 'hwm') / MIB)} | {fmt(med(rs, 'cpu_us'))} | {fmt(med(rs, 'calls'), 2)} | "
                f"{fmt(med(rs, 'stub_cpu_us'))} |")
    for s in stubs:
        lines.append(f"| stub alone: {s['what']} | nginx | {fmt(s['rps'], 0)} | {fmt(s['p50'], 2)} | "
                     f"{fmt(s['p99'], 2)} | {s['errors']} | – | – | {fmt(s['stub_cpu_us'])} | – | – |")
    table = "\n".join(lines)

    # Targets.
    targets = []

    def target(name, measured, limit, ok):
        targets.append((name, measured, limit, "PASS" if ok else "FAIL"))

    for path in PATHS:
        if "reference" not in path.apps:
            continue
        b_rps, r_rps = m(path.name, "bridge", "rps"), m(path.name, "reference", "rps")
        target(f"{path.name}: req/s vs reference", f"{b_rps / r_rps:.1f}× ({b_rps:,.0f} vs {r_rps:,.0f})",
               "≥ 15×", b_rps >= 15 * r_rps)
        b_p99, r_p99 = m(path.name, "bridge", "p99"), m(path.name, "reference", "p99")
        target(f"{path.name}: p99 vs reference", f"1/{r_p99 / b_p99:.1f} ({b_p99:.2f} vs {r_p99:.2f} ms)",
               "≤ 1/10", b_p99 * 10 <= r_p99)
        b_hwm, r_hwm = m(path.name, "bridge", "hwm"), m(path.name, "reference", "hwm")
        target(f"{path.name}: peak RSS vs reference",
               f"1/{r_hwm / b_hwm:.1f} ({b_hwm / MIB:.1f} vs {r_hwm / MIB:.1f} MiB)", "≤ 1/8", b_hwm * 8 <= r_hwm)
    for path in PATHS:
        if "floor" not in path.apps:
            continue
        cpu, floor_cpu = m(path.name, "bridge", "cpu_us"), m(path.name, "floor", "cpu_us")
        if floor_cpu is None:
            target(f"{path.name}: bridge CPU/req vs the floor's", "the floor was not built", "≤ 2×", False)
            continue
        target(f"{path.name}: bridge CPU/req vs the floor's",
               f"{cpu / floor_cpu:.2f}× ({cpu:.1f} vs {floor_cpu:.1f} µs)", "≤ 2×", cpu <= 2 * floor_cpu)
    bridge_runs = [r for r in runs if r["app"] == "bridge"]
    idle = max([r["idle_rss"] for r in bridge_runs] + [soak_r["idle_rss"]])
    target("bridge idle RSS (max of all starts)", f"{idle / MIB:.1f} MiB", "≤ 10 MiB", idle <= 10 * MIB)
    peak = max([r["hwm"] for r in bridge_runs] + [soak_r["hwm"]])
    target("bridge RSS under load (max VmHWM of all runs and the soak)", f"{peak / MIB:.1f} MiB", "≤ 40 MiB",
           peak <= 40 * MIB)
    samples = soak_r["samples"]
    if len(samples) >= 2:
        growth = samples[-1][1] - samples[0][1]
        target(f"bridge RSS growth over the {SOAK} s soak (last − first sample)",
               f"{growth / MIB:+.2f} MiB ({samples[0][1] / MIB:.1f} → {samples[-1][1] / MIB:.1f})",
               "≤ +1 MiB", growth <= 1024)
    else:
        target("bridge RSS growth over the soak", "too short to sample", "≥ 2 samples", False)
    for path in PATHS:
        calls = m(path.name, "bridge", "calls")
        one = sum(exact_calls(by[(path.name, "bridge")]).values())
        target(f"{path.name}: bridge upstream calls/req", f"{one} for one request, {calls:.2f}/req under load",
               f"= {path.expected_calls}", one == path.expected_calls and abs(calls - path.expected_calls) <= 0.05)
    errors = sum(r["errors"] for r in runs) + soak_r["errors"]
    target("errors (non-3xx, socket) in all app runs", str(errors), "0", errors == 0)

    tlines = ["| target | measured | limit | result |", "|---|---|---|---|"]
    tlines += [f"| {a} | {b} | {c} | **{d}** |" for a, b, c, d in targets]
    target_table = "\n".join(tlines)

    # Details.
    mach = machine()
    bd = []
    for path in PATHS:
        for app in path.apps:
            rs = by[(path.name, app)]
            one = exact_calls(rs)
            calls = ", ".join(f"`{k}` ×{v}" for k, v in sorted(one.items(), key=lambda kv: ORDER(kv[0])))
            bd.append(f"| {path.name} | {app} | {sum(one.values())}: {calls} | {med(rs, 'calls'):.2f} | "
                      f"{med(rs, 'conns_per_k'):.1f} |")
    raw = []
    for r in sorted(runs, key=lambda r: (r["round"], [p.name for p in PATHS].index(r["path"]))):
        raw.append(f"| {r['round']} | {r['path']} | {r['app']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                   f"{r['errors']} | {r['idle_rss'] / MIB:.1f} | {r['hwm'] / MIB:.1f} | {r['cpu_us']:.1f} | "
                   f"{r['calls']:.2f} | {r['stub_cpu_us']:.1f} | {r['steal_pct']:.1f} |")
    passed = sum(1 for t in targets if t[3] == "PASS")
    floor = floor_table(m)
    variants = variants_table(m, tmp)
    md = f"""# Benchmark results

Written by `bench/run.sh` (see [README.md](README.md) for what is measured and how). Do not edit by hand.

- **Date:** {started.strftime('%Y-%m-%d %H:%M UTC')} (took {elapsed / 60:.1f} min)
- **Machine:** {mach['nproc']} cores, {mach['cpu']}, {mach['memory']} RAM, Linux {mach['kernel']}; {BUSY_AT_START:.2f} cores busy with other work in the 2 s before the start; CPU stolen by the host (a VM's neighbours) during the measured runs: {max(r['steal_pct'] for r in runs):.1f}% at most, {statistics.median(r['steal_pct'] for r in runs):.1f}% median (per run in "Every run")
- **Command:** `{command_line()}`
- **Bridge:** release build of {git_rev()}, `BRIDGE__SERVE__WORKERS=1`, default logging (json, info) to a file
- **Reference:** hydra-login-consent-logout {reference_version()} from npm, `NODE_ENV=production`, {version(['node', '--version'])}, its default logging (morgan "dev") to a file
- **Stub:** {version([NGINX, '-v'])}, one process (`master_process off`), access log on (buffered)
- **Load:** {version(['wrk', '-v'])}: 1 thread, {CONNECTIONS} connections, {DURATION} s per run after a {WARMUP} s warm-up, {ROUNDS} rounds (bridge and reference alternating, order swapped each round), medians shown
- **Pinning:** the app on core {APP_CPU}; wrk and nginx on core {LOAD_CPU}

## Results (medians of {ROUNDS} rounds)

{table}

*CPU µs/req*: the app's utime+stime over the run / requests. *upstream calls/req*: nginx access-log lines
during the run / requests. *stub CPU µs/req*: nginx's utime+stime over the same run / the app's requests, i.e.
what the stub spent on that request's upstream calls. *errors*: sum over the rounds.

## Targets ({passed} of {len(targets)} pass)

{target_table}

## The floor: the bridge's crates making the same calls and nothing else

[floor/](floor/) is actix-web, reqwest's pooled client and serde_json alone: the same three upstream
calls as the bridge on the skip paths, decoding the fields a flow needs, answering with the same redirect; no
logging, no response headers, no checks, no metrics. Measured in the same rounds, same pinning.

{floor}

{variants}
## Soak: bridge RSS under {SOAK} s of load (all four paths in turn)

{soak_r['rps']:,.0f} req/s, {soak_r['errors']} errors, {soak_r['calls']:.2f} upstream calls/req, {soak_r['cpu_us']:.1f} µs CPU/req, idle RSS {soak_r['idle_rss'] / MIB:.1f} MiB, peak {soak_r['hwm'] / MIB:.1f} MiB.

| t (s) | {' | '.join(str(t) for t, _ in samples)} |
|---|{'--:|' * len(samples)}
| VmRSS MiB | {' | '.join(f'{kib / MIB:.1f}' for _, kib in samples)} |

## Upstream calls

*One request*: the nginx access log of a single request sent by hand before the first measured run (service,
method, path, status). *Under load*: access-log lines during the measured runs / requests (requests still in
flight when wrk stops add a little). *Connections*: distinct upstream connections seen in the access log
during a run, per 1,000 requests (keep-alive reuse: near 0 is a pool, 1,000 × calls is a new connection per call).

| path | app | one request | under load, calls/req | upstream connections per 1,000 req |
|---|---|---|--:|--:|
{chr(10).join(bd)}

## Every run

| round | path | app | req/s | p50 ms | p99 ms | errors | idle RSS MiB | peak RSS MiB | CPU µs/req | upstream calls/req | stub CPU µs/req | host steal % |
|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
{chr(10).join(raw)}
"""
    with open(RESULTS, "w") as f:
        f.write(md)
    log("\n" + table + "\n\n" + target_table + "\n\n" + variants)
    log(f"{passed} of {len(targets)} targets pass; written to {os.path.relpath(RESULTS, ROOT)}")


# ---------------------------------------------------------------- main


def main():
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.time()
    global BUSY_AT_START
    BUSY_AT_START = busy_cores()
    if BUSY_AT_START > 0.2:
        log(f"warning: {BUSY_AT_START:.2f} cores busy before the start: something else is running")
    if not os.path.exists(REFERENCE_APP):
        raise SystemExit(f"{REFERENCE_APP} missing: run bench/run.sh, which installs it")
    for name, port in PORTS.items():
        if not port_free(port):
            raise SystemExit(f"port {port} ({name}) is taken: set BENCH_PORT_BASE")
    tmp = tempfile.mkdtemp(prefix="khb-bench-")
    log(f"scratch dir {tmp}; app on core {APP_CPU}, wrk + nginx on core {LOAD_CPU}; {ROUNDS} rounds of "
        f"{DURATION} s (+{WARMUP} s warm-up), {CONNECTIONS} connections, soak {SOAK} s")
    try:
        stub_ = Stub(tmp)
        log("stub alone (the ceiling):")
        stubs = [
            measure_stub(stub_, "GET login request", PORTS["hydra_admin"],
                         "/admin/oauth2/auth/requests/login?login_challenge=skip"),
            measure_stub(stub_, "GET whoami", PORTS["kratos_public"], "/sessions/whoami"),
        ]
        apps = {kind: App(kind, tmp) for kind in BRIDGES + ["reference"] + FLOOR}
        runs = []
        for rnd in range(1, ROUNDS + 1):
            log(f"round {rnd} of {ROUNDS}:")
            order = BRIDGES + ["reference"] + FLOOR
            if rnd % 2 == 0:
                order.reverse()
            for path in PATHS:
                for kind in (k for k in order if k in path.apps):
                    runs.append(measure(apps[kind], path, stub_, rnd, exact=rnd == 1))
        log("soak:")
        soak_r = soak(tmp, stub_)
        stop(stub_.proc)
        report(started, runs, stubs, soak_r, time.time() - t0, tmp)
    finally:
        stop_all()
        if KEEP_TMP:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except KeyboardInterrupt:
        stop_all()
        sys.exit(130)
