#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a cluster:
#   - docker-compose.yml parses with docker-compose 1.29,
#   - the bridge accepts the config it gets in docker-compose.yml and in deploy/kubernetes
#     (the mounted file plus exactly the BRIDGE__* variables set there),
#   - Hydra, Kratos and the bridge agree on each other's URLs in the local stack,
#   - the Kubernetes manifests are valid for a current Kubernetes version.
# Installs what it needs when missing (Debian's docker-compose; kubernetes-validate and PyYAML in a
# virtualenv under target/, which git ignores). Runs from anywhere, needs no input.
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
# One Python helper does the YAML work; it prints one ok/FAIL line per check.
set +e
BRIDGE_BIN="$BRIDGE_BIN" COMPOSE_FILE="$COMPOSE_FILE" K8S_DIR="$K8S_DIR" WORK="$work" \
    "$PY" - >"$work/helper.out" 2>&1 <<'PYTHON'
import base64
import glob
import os
import posixpath
import shlex
import subprocess
import sys
from urllib.parse import urlsplit

import yaml

BIN = os.environ["BRIDGE_BIN"]
COMPOSE_FILE = os.environ["COMPOSE_FILE"]
K8S_DIR = os.environ["K8S_DIR"]
WORK = os.environ["WORK"]
DEFAULT_CONFIG_PATH = "/etc/kratos-hydra-bridge/config.yaml"  # the image's BRIDGE_CONFIG

failures = 0


def ok(msg):
    print(f"ok:   {msg}")


def bad(msg):
    global failures
    failures += 1
    print(f"FAIL: {msg}")


class Problem(Exception):
    pass


def check_config(label, config_file, bridge_env):
    """Runs --check-config with exactly these BRIDGE__* variables and no other BRIDGE* ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE")}
    env.update(bridge_env)
    names = ", ".join(sorted(bridge_env)) or "none"
    try:
        res = subprocess.run(
            [BIN, "--config", config_file, "--check-config"],
            env=env, capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        bad(f"{label}: could not run {BIN}: {err}")
        return
    text = (res.stdout + res.stderr).strip().replace("\n", " | ")
    if res.returncode == 0:
        ok(f"{label}: --check-config accepts {config_file} with BRIDGE__ vars [{names}]")
    else:
        bad(f"{label}: --check-config exit {res.returncode} (BRIDGE__ vars [{names}]): {text}")


def compose_env(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            if sep:
                out[key] = value
            else:
                raise Problem(f"environment entry {item!r} takes its value from the host")
        env = out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def compose_mounts(service):
    """(host source relative to the repo, container target) for every bind mount."""
    mounts = []
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            if vol.get("type", "volume") != "bind":
                continue
            source, target = vol["source"], vol["target"]
        else:
            parts = str(vol).split(":")
            if len(parts) < 2 or not parts[0].startswith((".", "/")):
                continue  # a named volume
            source, target = parts[0], parts[1]
        base = os.path.dirname(os.path.abspath(COMPOSE_FILE))
        mounts.append((os.path.normpath(os.path.join(base, source)), target))
    return mounts


def host_path_for(mounts, container_path):
    best = None
    for source, target in mounts:
        target = target.rstrip("/") or "/"
        if container_path == target:
            return source
        if container_path.startswith(target + "/") and (best is None or len(target) > len(best[1])):
            best = (source, target)
    if best:
        return os.path.join(best[0], posixpath.relpath(container_path, best[1]))
    return None


def config_path_from(env, args):
    args = list(args or [])
    for i, arg in enumerate(args):
        if arg == "--config" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return env.get("BRIDGE_CONFIG") or DEFAULT_CONFIG_PATH


def bridge_vars(env, where):
    out = {k: v for k, v in env.items() if k.startswith("BRIDGE__")}
    for key, value in out.items():
        if "$" in value:
            raise Problem(f"{where}: {key} uses ${{...}} interpolation; this check needs literal values")
    return out


# --- docker-compose.yml ----------------------------------------------------------------------------
compose = {}
bridge_config = None
try:
    with open(COMPOSE_FILE) as f:
        compose = yaml.safe_load(f) or {}
    services = compose.get("services") or {}
    if "bridge" not in services:
        raise Problem("no service named bridge")
    svc = services["bridge"]
    env = compose_env(svc)
    command = svc.get("command")
    if isinstance(command, str):
        command = shlex.split(command)
    container_path = config_path_from(env, command)
    mounts = compose_mounts(svc)
    host_file = host_path_for(mounts, container_path)
    if host_file is None:
        raise Problem(f"nothing is mounted at {container_path}, where the bridge reads its config")
    if not os.path.isfile(host_file):
        raise Problem(f"{container_path} is mounted from {host_file}, which does not exist")
    bridge_config = os.path.relpath(host_file)
    check_config(f"compose bridge ({container_path} <- {bridge_config})", bridge_config,
                 bridge_vars(env, "compose bridge"))
except (Problem, KeyError, OSError, yaml.YAMLError) as err:
    bad(f"compose bridge: {err}")

# Every bind-mounted file or directory must exist: docker-compose config does not look.
missing = []
for name, svc in (compose.get("services") or {}).items():
    for source, target in compose_mounts(svc):
        if not os.path.exists(source):
            missing.append(f"{name}: {os.path.relpath(source)} -> {target}")
if missing:
    bad("compose bind mounts missing on disk: " + "; ".join(missing))
else:
    ok("compose bind mounts all exist")

# --- the local stack agrees with itself ------------------------------------------------------------
def load(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def origin(url):
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}"


def allowed(return_to, allowed_urls):
    """Kratos's rule: same scheme and host, path below the allowed URL's path."""
    r = urlsplit(return_to)
    for a in allowed_urls:
        a = urlsplit(a)
        if (a.scheme, a.netloc) == (r.scheme, r.netloc) and r.path.startswith(a.path or "/"):
            return True
    return False


try:
    if bridge_config is None:
        raise Problem("the bridge's compose config was not found")
    bridge = load(bridge_config)
    hydra = load("deploy/compose/hydra/hydra.yml")
    kratos = load("deploy/compose/kratos/kratos.yml")
    base = bridge["serve"]["base_url"].rstrip("/")
    problems = []
    urls = hydra.get("urls", {})
    for page in ("login", "consent", "logout", "registration", "error"):
        if urls.get(page) != f"{base}/{page}":
            problems.append(f"hydra urls.{page} is {urls.get(page)!r}, expected {base}/{page}")
    # Device URLs come from the hydra service's environment (Hydra v2 refuses them in hydra.yml).
    hydra_env = load("docker-compose.yml")["services"]["hydra"].get("environment", {})
    for key, page in (("VERIFICATION", "device"), ("SUCCESS", "device/success")):
        value = hydra_env.get(f"URLS_DEVICE_{key}")
        if value != f"{base}/{page}":
            problems.append(f"hydra URLS_DEVICE_{key} is {value!r}, expected {base}/{page}")
    issuer = urls.get("self", {}).get("issuer", "").rstrip("/")
    allowed_urls = kratos.get("selfservice", {}).get("allowed_return_urls", [])
    for target in (f"{base}/login?login_challenge=x", f"{issuer}/oauth2/sessions/logout?logout_verifier=x"):
        if not allowed(target, allowed_urls):
            problems.append(f"kratos allowed_return_urls does not cover {target}")
    if "oauth2_provider" in kratos:
        problems.append("kratos sets oauth2_provider: it would accept Hydra logins itself")
    public = kratos.get("serve", {}).get("public", {}).get("base_url", "").rstrip("/")
    if bridge["kratos"]["browser_url"].rstrip("/") != public:
        problems.append(f"bridge kratos.browser_url is not Kratos's public base_url {public}")
    if urlsplit(base).hostname != urlsplit(public).hostname:
        problems.append("the bridge and Kratos's public URL are on different hosts: no session cookie")
    identity = kratos.get("identity", {})
    schemas = {s["id"]: s for s in identity.get("schemas", [])}
    for sid in bridge["kratos"].get("identity_schemas", []):
        if sid not in schemas:
            problems.append(f"bridge lists identity schema {sid!r}, Kratos has none")
        elif sid != identity.get("default_schema_id") and not schemas[sid].get("selfservice_selectable"):
            problems.append(f"Kratos schema {sid!r} is not selfservice_selectable")
        else:
            path = schemas[sid]["url"].removeprefix("file:///etc/config/kratos/")
            if not os.path.isfile(os.path.join("deploy/compose/kratos", path)):
                problems.append(f"Kratos schema file for {sid!r} is missing")
    if problems:
        bad("local stack URLs: " + "; ".join(problems))
    else:
        ok("local stack URLs: Hydra -> bridge pages, Kratos return URLs, schemas, cookie host agree")
except (Problem, KeyError, TypeError, OSError, yaml.YAMLError) as err:
    bad(f"local stack URLs: {err}")

# --- deploy/kubernetes ----------------------------------------------------------------------------
docs = []
for path in sorted(glob.glob(os.path.join(K8S_DIR, "*.yaml"))):
    if os.path.basename(path) == "kustomization.yaml":
        continue
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc:
                docs.append((path, doc))


def find(kind, name):
    for path, doc in docs:
        if doc.get("kind") == kind and doc.get("metadata", {}).get("name") == name:
            return doc
    return None


def secret_value(secret, key):
    if key in (secret.get("stringData") or {}):
        return str(secret["stringData"][key])
    if key in (secret.get("data") or {}):
        return base64.b64decode(secret["data"][key]).decode()
    return None


deployments = [(p, d) for p, d in docs if d.get("kind") == "Deployment"]
if not deployments:
    bad(f"kubernetes: no Deployment in {K8S_DIR}")
for path, dep in deployments:
    name = dep["metadata"]["name"]
    spec = dep["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    for container in spec.get("containers") or []:
        label = f"kubernetes {name}/{container['name']}"
        try:
            literal, from_secret = {}, {}
            for item in container.get("env") or []:
                if "value" in item:
                    literal[item["name"]] = str(item["value"])
                elif "secretKeyRef" in (item.get("valueFrom") or {}):
                    from_secret[item["name"]] = item["valueFrom"]["secretKeyRef"]
            args = (container.get("command") or []) + (container.get("args") or [])
            container_path = config_path_from(literal, args)
            source = None
            for mount in container.get("volumeMounts") or []:
                target = mount["mountPath"].rstrip("/")
                if container_path == target or container_path.startswith(target + "/"):
                    if source is None or len(target) > len(source[0]):
                        source = (target, mount)
            if source is None:
                raise Problem(f"nothing is mounted at {container_path}")
            target, mount = source
            volume = volumes.get(mount["name"]) or {}
            if "configMap" not in volume:
                raise Problem(f"{target} is not a ConfigMap volume")
            inside = mount.get("subPath") or posixpath.relpath(container_path, target)
            key = inside
            for item in volume["configMap"].get("items") or []:
                if item["path"] == inside:
                    key = item["key"]
                    break
            cm_name = volume["configMap"]["name"]
            cm = find("ConfigMap", cm_name)
            if cm is None or key not in (cm.get("data") or {}):
                raise Problem(f"ConfigMap {cm_name} has no key {key!r} in {K8S_DIR}")
            config_file = os.path.join(WORK, f"{name}-{container['name']}-{key}")
            with open(config_file, "w") as f:
                f.write(cm["data"][key])
            check_config(f"{label} (ConfigMap {cm_name}/{key}, literal env)", config_file,
                         bridge_vars(literal, label))
            # The same again with the values the example Secret would supply.
            with_secret, used = dict(literal), []
            for var, ref in from_secret.items():
                secret = find("Secret", ref["name"])
                value = secret_value(secret, ref["key"]) if secret else None
                if value is None:
                    if not ref.get("optional"):
                        raise Problem(f"{var}: Secret {ref['name']} key {ref['key']} is not in {K8S_DIR}")
                    continue
                with_secret[var] = value
                used.append(var)
            if used:
                check_config(f"{label} (ConfigMap {cm_name}/{key}, literal env + example Secret)",
                             config_file, bridge_vars(with_secret, label))
        except (Problem, KeyError, TypeError, OSError) as err:
            bad(f"{label}: {err}")

# kustomization.yaml lists only files that exist and leaves the example Secret out.
kustomization = os.path.join(K8S_DIR, "kustomization.yaml")
if os.path.exists(kustomization):
    listed = (load(kustomization).get("resources") or [])
    gone = [r for r in listed if not os.path.exists(os.path.join(K8S_DIR, r))]
    problems = [f"lists missing {r}" for r in gone]
    problems += [f"includes the example {r}" for r in listed if "example" in r]
    if problems:
        bad("kustomization.yaml: " + "; ".join(problems))
    else:
        ok(f"kustomization.yaml: {len(listed)} resources, all present, example Secret left out")

sys.exit(min(failures, 100))
PYTHON
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

echo "validate: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
