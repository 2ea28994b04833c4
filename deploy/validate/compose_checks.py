"""docker-compose.yml: the bridge accepts the config it is given there, every bind mount exists, and
Hydra, Kratos and the bridge agree on each other's URLs in the local stack."""

import os
import posixpath
import shlex
from urllib.parse import urlsplit

import yaml

from common import COMPOSE_FILE, Problem, bad, bridge_vars, check_config, config_path_from, load, ok


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


def check_compose():
    """The bridge service's config and the bind mounts; gives the bridge's config file, or None."""
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
    return bridge_config


def allowed(return_to, allowed_urls):
    """Kratos's rule: same scheme and host, path below the allowed URL's path."""
    r = urlsplit(return_to)
    for a in allowed_urls:
        a = urlsplit(a)
        if (a.scheme, a.netloc) == (r.scheme, r.netloc) and r.path.startswith(a.path or "/"):
            return True
    return False


def check_local_stack(bridge_config):
    """Hydra sends browsers to the bridge's pages, Kratos lets them come back, the cookie host is shared."""
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
