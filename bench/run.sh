#!/usr/bin/env bash
# The performance benchmark: kratos-hydra-bridge (release build) against Ory's reference login/consent
# app, both in front of an nginx stub of Hydra's admin API and Kratos. Writes bench/RESULTS.md.
# See bench/README.md. Settings (environment): BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_ROUNDS=3
# BENCH_CONNECTIONS=32 BENCH_SOAK=60 BENCH_APP_CPU=0 BENCH_LOAD_CPU=1 BENCH_PORT_BASE=18400
# BENCH_BUILD=1 BENCH_KEEP_TMP=0 BENCH_RESULTS=bench/RESULTS.md
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench_dir")
reference_version=25.4.0

say() { printf '%s\n' "$*" >&2; }

# --- tools from Debian, installed when missing
missing=()
nginx_bin=$(command -v nginx || true)
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
[ -z "$nginx_bin" ] && missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        as_root=()
    elif sudo -n true 2>/dev/null; then
        as_root=(sudo -n)
    else
        say "missing: ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run as root"
        exit 1
    fi
    say "installing ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
fi

# --- the reference app, from npm, into bench/reference (git-ignored)
reference_pkg="$bench_dir/reference/node_modules/hydra-login-consent-logout/package.json"
if ! grep -q "\"version\": \"$reference_version\"" "$reference_pkg" 2>/dev/null; then
    say "installing hydra-login-consent-logout@$reference_version into bench/reference"
    mkdir -p "$bench_dir/reference"
    npm install --prefix "$bench_dir/reference" --no-audit --no-fund --save-exact \
        "hydra-login-consent-logout@$reference_version" >&2
fi

# --- the bridge, release build
target_dir=${CARGO_TARGET_DIR:-$root/target}
if [ "${BENCH_BUILD:-1}" != 0 ]; then
    say "cargo build --release"
    (cd "$root" && cargo build --release --quiet)
fi
bridge_bin="$target_dir/release/kratos-hydra-bridge"
# The floor (bench/floor): the same crates making the same upstream calls and nothing else.
floor_bin="$target_dir/bench-floor/release/bench-floor"
if [ "${BENCH_BUILD:-1}" != 0 ]; then
    say "cargo build --release (bench/floor)"
    (cd "$bench_dir/floor" && CARGO_TARGET_DIR="$target_dir/bench-floor" cargo build --release --locked --quiet)
fi
[ -x "$floor_bin" ] || floor_bin=""
[ -x "$bridge_bin" ] || { say "$bridge_bin missing: run cargo build --release"; exit 1; }

if [ "$(nproc)" -lt 2 ]; then
    say "note: fewer than 2 cores; the app and the load share one (set BENCH_APP_CPU / BENCH_LOAD_CPU)"
fi

cmd="bench/run.sh"
[ $# -gt 0 ] && cmd+=" $*"
export BENCH_BRIDGE_BIN="$bridge_bin" BENCH_FLOOR_BIN="$floor_bin" BENCH_NGINX="$nginx_bin" BENCH_COMMAND="$cmd"
exec python3 -B "$bench_dir/bench.py" "$@"
