"""RESULTS.md: the tables, the targets and what the run ran on."""

import json
import os
import platform
import statistics
import subprocess

from settings import (APP_CPU, BASELINE_BIN, BRIDGES, CONNECTIONS, DURATION, FLOOR, LOAD_CPU, MIB, NGINX,
                      PATHS, REFERENCE_APP, RESULTS, ROOT, ROUNDS, SOAK, TRACING, WARMUP, log)


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


def report(started, runs, stubs, soak_r, elapsed, tmp, busy_at_start):
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
- **Machine:** {mach['nproc']} cores, {mach['cpu']}, {mach['memory']} RAM, Linux {mach['kernel']}; {busy_at_start:.2f} cores busy with other work in the 2 s before the start; CPU stolen by the host (a VM's neighbours) during the measured runs: {max(r['steal_pct'] for r in runs):.1f}% at most, {statistics.median(r['steal_pct'] for r in runs):.1f}% median (per run in "Every run")
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

