"""The processes of a run: starting and stopping them, reading /proc, the nginx stub and the apps."""

import http.client
import os
import signal
import socket
import subprocess
import time

import stub
from settings import (APP_CPU, BASELINE_BIN, BRIDGE_BIN, COOKIE, FLOOR_BIN, LOAD_CPU, NGINX, PORTS,
                      REFERENCE_APP, SERVICE_OF_PORT, SIGNING_KEY)

children = []  # every process this run started, stopped by PID on exit


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

