#!/usr/bin/env python3
"""Where the bridge's CPU goes on one path: perf with DWARF call graphs while wrk loads the bridge in front
of the nginx stub, the same setup as bench.py. Run through bench/profile.sh."""

import collections
import os
import re
import subprocess
import sys
import tempfile
import time

import measure
import processes
import settings

PERF_SECONDS = settings.env_int("BENCH_PERF_SECONDS", 5)

# Each sample goes to the first rule matching any frame of its stack, so the order matters:
# time spent in the kernel under the HTTP client counts as kernel, not as client.
RULES = [
    ("log output: the batch writer thread (write syscalls included)", r"telemetry::Batch::"),
    ("log events: format the JSON line, queue it", r"Event::dispatch"),
    ("tracing spans: create, enter, close", r"new_span|on_request_start|try_close|on_close|clone_span|on_enter|on_exit"),
    ("kernel: loopback delivery to the peer's socket (softirq inside send)", r"^net_rx_action$"),
    ("kernel: send", r"^tcp_sendmsg$"),
    ("kernel: recv", r"^tcp_recvmsg$"),
    ("kernel: epoll", r"epoll"),
    ("kernel: other syscalls", r"entry_SYSCALL_64"),
    ("serde_json: decode upstream answers, encode accept bodies", r"serde_json"),
    ("URL parse/build (url, idna, percent-encoding)", r"url::|idna::|percent_encoding|form_urlencoded"),
    ("upstream client user space: reqwest, hyper, hyper-util, rustls",
     r"reqwest::|ory::http::|hyper_util::|hyper::|rustls::|tokio_rustls::"),
]
# The rest goes to the crate of the innermost frame that names its function's crate (generic frames of
# the server name the bridge's types, so a plain match would not do).
CRATES = {
    "kratos_hydra_bridge": "bridge code (handlers, middleware, upstream wrappers)",
    "actix_http": "server: actix-http/actix-web user space",
    "actix_web": "server: actix-http/actix-web user space",
    "actix_server": "server: actix-http/actix-web user space",
    "actix_service": "server: actix-http/actix-web user space",
    "tracing_actix_web": "server: actix-http/actix-web user space",
    "tokio": "tokio scheduler and timers",
}


def by_crate(stack):
    for frame in stack:
        m = re.match(r"<?(\w+)::", frame)
        if m and m.group(1) in CRATES:
            return CRATES[m.group(1)]
    return "other"
ALLOCATOR = r"^(malloc|_int_malloc|_int_free|cfree|free|realloc|_int_realloc|malloc_consolidate|unlink_chunk)"


def stacks(perf_data):
    out = subprocess.run(["perf", "script", "-i", perf_data, "-F", "tid,ip,sym"], capture_output=True,
                         text=True).stdout
    samples, cur = [], None
    for line in out.splitlines():
        if not line.strip():
            continue
        if not line.startswith("\t"):  # a sample's header ("  tid"); its frames follow, tab-indented
            if cur is not None:
                samples.append(cur)
            cur = []
        elif cur is not None:
            parts = line.strip().split(None, 1)
            cur.append(parts[1] if len(parts) > 1 else parts[0])
    if cur is not None:
        samples.append(cur)
    return samples


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "login skip"
    path = next((p for p in settings.PATHS if p.name == name), None)
    if path is None:
        raise SystemExit(f"unknown path {name!r}; one of: {', '.join(p.name for p in settings.PATHS)}")
    tmp = tempfile.mkdtemp(prefix="khb-profile-")
    try:
        stub_ = processes.Stub(tmp)
        app = processes.App("bridge", tmp)
        app.start()
        app.check(path)
        measure.wrk(app.port, path.url, max(settings.WARMUP, 1))
        duration = PERF_SECONDS + 4
        load = subprocess.Popen(measure.wrk_cmd(app.port, path.url, duration), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        processes.children.append(load)
        time.sleep(1.5)
        cpu0 = processes.cpu_ticks(app.pid)
        t0 = time.time()
        perf_data = os.path.join(tmp, "perf.data")
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "299", "--call-graph", "dwarf,65528",
                        "-p", str(app.pid), "-o", perf_data, "--", "sleep", str(PERF_SECONDS)], check=True, timeout=PERF_SECONDS + 60)
        cpu_us_per_s = (processes.cpu_ticks(app.pid) - cpu0) / settings.CLK_TCK * 1e6 / (time.time() - t0)
        out, _ = load.communicate(timeout=duration + 60)
        processes.children.remove(load)
        r = measure.parse_wrk(out)
        app.stop()
        us_per_req = cpu_us_per_s / r["rps"]  # perf's own overhead makes this a little higher than bench.py's
        samples = stacks(perf_data)
        counts = collections.Counter()
        for s in samples:
            for label, pattern in RULES:
                if any(re.search(pattern, f) for f in s):
                    counts[label] += 1
                    break
            else:
                counts[by_crate(s)] += 1
        alloc = sum(1 for s in samples if s and re.match(ALLOCATOR, s[0]))
        n = max(len(samples), 1)
        print(f"\n{path.name}: {r['rps']:,.0f} req/s under perf, {us_per_req:.1f} µs CPU per request, "
              f"{len(samples)} samples\n")
        print("| where | share | µs/req |\n|---|--:|--:|")
        for label, c in counts.most_common():
            print(f"| {label} | {c * 100 / n:.1f}% | {c / n * us_per_req:.1f} |")
        print(f"\nmalloc/free as the innermost frame (inside the rows above): {alloc * 100 / n:.1f}%")
        print(f"perf data: {perf_data} (perf report -i {perf_data} --children)" if settings.KEEP_TMP else "")
    finally:
        processes.stop_all()
        if not settings.KEEP_TMP:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
