#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a cluster:
#   - docker-compose.yml parses with docker-compose 1.29,
#   - the bridge accepts the config it gets in docker-compose.yml and in deploy/kubernetes
#     (the mounted file plus exactly the BRIDGE__* variables set there),
#   - Hydra, Kratos and the bridge agree on each other's URLs in the local stack,
#   - the Kubernetes manifests are valid for a current Kubernetes version,
#   - what the Dockerfile's build stage copies is enough to compile the bridge.
# Installs what it needs when missing (Debian's docker-compose; kubernetes-validate and PyYAML in a
# virtualenv under target/, which git ignores). Runs from anywhere, needs no input.
# The YAML checks (the configs, the URLs, the manifests' references) are in deploy/validate/.
#
# Environment: BRIDGE_BIN (default target/debug/kratos-hydra-bridge), K8S_VERSION (default
# 1.35.0), DEPLOY_VENV (default target/deploy-validate-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

BRIDGE_BIN=${BRIDGE_BIN:-target/debug/kratos-hydra-bridge}
K8S_VERSION=${K8S_VERSION:-1.35.0}
VENV=${DEPLOY_VENV:-target/deploy-validate-venv}
COMPOSE_FILE=docker-compose.yml
K8S_DIR=deploy/kubernetes

passed=0
failed=0
ok() {
    echo "ok:   $*"
    passed=$((passed + 1))
}
bad() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "validate: need root to run: $*" >&2
        return 1
    fi
}

apt_updated=
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$apt_updated" ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    as_root apt-get install -y -qq "$@" >/dev/null
}

# --- tools -----------------------------------------------------------------------------------
if ! command -v docker-compose >/dev/null 2>&1; then
    echo "validate: installing docker-compose (Debian package)"
    apt_install docker-compose
fi

if ! "$VENV/bin/python" -c 'import yaml, kubernetes_validate' >/dev/null 2>&1; then
    echo "validate: preparing $VENV (kubernetes-validate, PyYAML)"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        apt_install python3-venv
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --disable-pip-version-check 'kubernetes-validate>=1.35' 'PyYAML>=6'
fi
PY="$VENV/bin/python"

if [ ! -x "$BRIDGE_BIN" ]; then
    if command -v cargo >/dev/null 2>&1 && [ "$BRIDGE_BIN" = target/debug/kratos-hydra-bridge ]; then
        echo "validate: building $BRIDGE_BIN"
        cargo build --quiet --locked --bin kratos-hydra-bridge
    else
        echo "validate: $BRIDGE_BIN not found; build it (cargo build) or set BRIDGE_BIN" >&2
        exit 1
    fi
fi

# --- (a) docker-compose.yml parses ---------------------------------------------------------------
if out=$(docker-compose -f "$COMPOSE_FILE" config -q 2>&1); then
    ok "docker-compose config -q ($(docker-compose version --short 2>/dev/null || echo docker-compose))"
else
    bad "docker-compose config -q: $out"
fi

# --- (b) the bridge accepts the config it is given, and the rest ------------------------------------
# The Python checks in deploy/validate/ do the YAML work; they print one ok/FAIL line per check.
set +e
BRIDGE_BIN="$BRIDGE_BIN" COMPOSE_FILE="$COMPOSE_FILE" K8S_DIR="$K8S_DIR" WORK="$work" \
    "$PY" -B deploy/validate/checks.py >"$work/helper.out" 2>&1 </dev/null
helper_status=$?
set -e
cat "$work/helper.out"
helper_ok=$(grep -c '^ok:' "$work/helper.out" || true)
helper_bad=$(grep -c '^FAIL:' "$work/helper.out" || true)
passed=$((passed + helper_ok))
failed=$((failed + helper_bad))
if [ "$helper_status" -ne 0 ] && [ "$helper_bad" -eq 0 ]; then
    bad "the Python checks stopped with exit status $helper_status"
fi

# --- (c) Kubernetes manifests against the API schemas -------------------------------------------------
manifests=()
for f in "$K8S_DIR"/*.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] || manifests+=("$f")
done
if out=$("$VENV/bin/kubernetes-validate" --strict --quiet --no-warn -k "$K8S_VERSION" "${manifests[@]}" 2>&1); then
    ok "kubernetes-validate --strict -k $K8S_VERSION: ${#manifests[@]} files"
else
    bad "kubernetes-validate --strict -k $K8S_VERSION:"
    printf '%s\n' "$out" | sed 's/^/      /'
fi

# kustomize renders the set (only where kubectl is installed; the check above covers the files).
if command -v kubectl >/dev/null 2>&1; then
    if out=$(kubectl kustomize "$K8S_DIR" 2>&1 >/dev/null); then
        ok "kubectl kustomize $K8S_DIR renders"
    else
        bad "kubectl kustomize $K8S_DIR: $out"
    fi
else
    echo "skip: kubectl kustomize (kubectl not installed)"
fi

# --- (d) the image's build stage has every file the build reads ------------------------------------
# The files the build stage copies (COPY lines before the second FROM), checked with cargo in a
# folder that holds only those: a file compiled in (a template, a catalog) that the Dockerfile
# leaves out fails here instead of in `docker compose up --build`.
context="$work/docker-context"
checked_in="$PWD/target"
mkdir -p "$context"
copied=$(awk '/^FROM /{stage++} stage==1 && /^COPY / && !/--from/ {for (i = 2; i < NF; i++) print $i}' Dockerfile)
for path in $copied; do
    mkdir -p "$context/$(dirname "$path")"
    cp -R "$path" "$context/$path"
done
if out=$(cd "$context" && CARGO_TARGET_DIR="$checked_in" cargo check --quiet --locked --offline \
    --bin kratos-hydra-bridge 2>&1); then
    ok "Dockerfile build stage: what it copies ($(echo $copied)) compiles"
else
    bad "Dockerfile build stage: what it copies does not compile:"
    printf '%s\n' "$out" | tail -20 | sed 's/^/      /'
fi

echo "validate: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
