#!/usr/bin/env bash
# Where the bridge's CPU goes on one path (default "login skip"): a release build with symbols (into
# target/bench-profile, the normal release binary is left alone), the nginx stub and wrk as in
# bench/run.sh, and perf with DWARF call graphs. Prints a table of CPU per request by activity.
#   bench/profile.sh ["login skip" | "consent skip" | "login full" | "consent trusted"]
# Settings: BENCH_PERF_SECONDS=5, and bench/run.sh's (BENCH_CONNECTIONS, BENCH_APP_CPU, ...).
# Run bench/run.sh once first: it installs nginx, wrk and the reference app.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench_dir")

if ! command -v perf >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
    else
        echo "perf missing: apt-get install linux-perf" >&2
        exit 1
    fi
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
target_dir="$root/target/bench-profile"
echo "cargo build --release with symbols into target/bench-profile" >&2
(cd "$root" && CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
    CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet)

export BENCH_BRIDGE_BIN="$target_dir/release/kratos-hydra-bridge" BENCH_NGINX="$nginx_bin"
exec python3 -B "$bench_dir/profile.py" "$@"
