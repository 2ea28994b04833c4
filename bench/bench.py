#!/usr/bin/env python3
"""The performance benchmark of kratos-hydra-bridge against Ory's reference login/consent app.

Run through bench/run.sh, which installs what is missing and builds the release binary first.
Everything runs on loopback; every load run is bounded in time. See bench/README.md.
This file is the sequence of a run; settings.py, processes.py, measure.py and report.py hold its parts."""

import datetime
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import busy_cores, measure, measure_stub, soak  # noqa: E402
from processes import App, Stub, port_free, stop, stop_all  # noqa: E402
from report import report  # noqa: E402
from settings import (APP_CPU, BRIDGES, CONNECTIONS, DURATION, FLOOR, KEEP_TMP, LOAD_CPU, PATHS,  # noqa: E402
                      PORTS, REFERENCE_APP, ROUNDS, SOAK, WARMUP, log)



def main():
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.time()
    busy_at_start = busy_cores()
    if busy_at_start > 0.2:
        log(f"warning: {busy_at_start:.2f} cores busy before the start: something else is running")
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
        report(started, runs, stubs, soak_r, time.time() - t0, tmp, busy_at_start)
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
