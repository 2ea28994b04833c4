"""What the compose and Kubernetes checks share: the settings validate.sh passes, the ok/FAIL lines,
and running the bridge's --check-config on a config with exactly the BRIDGE__* variables given."""

import os
import subprocess

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


def load(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}
