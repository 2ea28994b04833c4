"""The benchmark's settings (BENCH_* from the environment), ports, the apps and the paths measured."""

import os

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


DURATION = env_int("BENCH_DURATION", 10)
WARMUP = env_int("BENCH_WARMUP", 2)
ROUNDS = env_int("BENCH_ROUNDS", 3)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 32)
SOAK = env_int("BENCH_SOAK", 60)
SOAK_INTERVAL = env_int("BENCH_SOAK_INTERVAL", 5)
APP_CPU = os.environ.get("BENCH_APP_CPU", "0")
LOAD_CPU = os.environ.get("BENCH_LOAD_CPU", "1")
PORT_BASE = env_int("BENCH_PORT_BASE", 18400)
RESULTS = os.environ.get("BENCH_RESULTS", os.path.join(BENCH_DIR, "RESULTS.md"))
KEEP_TMP = os.environ.get("BENCH_KEEP_TMP", "") == "1"
BRIDGE_BIN = os.environ["BENCH_BRIDGE_BIN"]
# bench/floor's build: the same crates doing the same upstream calls and nothing else (optional).
FLOOR_BIN = os.environ.get("BENCH_FLOOR_BIN", "")
NGINX = os.environ.get("BENCH_NGINX", "nginx")
# BENCH_TRACING=1: the bridge also runs with tracing on (`tracing.provider: otel`, every trace kept),
# exporting to an OTLP sink in the stub, in the same rounds as the bridge with tracing off.
TRACING = os.environ.get("BENCH_TRACING", "") == "1"
# Another build of the bridge measured beside this one (e.g. one from before tracing existed), as
# `bridge-baseline`: tracing off against no tracing at all.
BASELINE_BIN = os.environ.get("BENCH_BASELINE_BIN", "")
REFERENCE_APP = os.path.join(
    BENCH_DIR, "reference", "node_modules", "hydra-login-consent-logout", "lib", "app.js"
)
SIGNING_KEY = "bench-signing-key-not-a-secret-0123456789abcdef"

PORTS = {
    "hydra_admin": PORT_BASE + 45,
    "kratos_public": PORT_BASE + 33,
    "kratos_admin": PORT_BASE + 34,
    "bridge": PORT_BASE + 0,
    "reference": PORT_BASE + 1,
    "floor": PORT_BASE + 2,
    "bridge-traced": PORT_BASE + 3,
    "bridge-baseline": PORT_BASE + 4,
    "otlp_sink": PORT_BASE + 18,
}
SERVICE_OF_PORT = {
    str(PORTS["hydra_admin"]): "hydra",
    str(PORTS["kratos_public"]): "kratos-public",
    str(PORTS["kratos_admin"]): "kratos-admin",
}
# A browser that has been through the flow carries its Kratos session and, for the reference app,
# the csurf secret cookie (without it csurf makes a new secret and sets a cookie on every GET).
COOKIE = "Cookie: ory_kratos_session=MTc2NDI4NjUxOXxiZW5jaC1zZXNzaW9uLXRva2VufA==; _csrf=q0eBXz3gRvTmWkP1b2N4c5d6"
MIB = 1024.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Path:
    def __init__(self, name, url, verifier, apps, expected_calls, what):
        self.name = name
        self.url = url
        self.verifier = verifier
        self.apps = apps
        self.expected_calls = expected_calls
        self.what = what


FLOOR = ["floor"] if FLOOR_BIN else []
# The bridge as benchmarked, and its variants (tracing on, another build) when asked for.
BRIDGES = ["bridge"] + (["bridge-traced"] if TRACING else []) + (["bridge-baseline"] if BASELINE_BIN else [])
PATHS = [
    Path("login skip", "/login?login_challenge=skip", "login_verifier", BRIDGES + ["reference"] + FLOOR, 3,
         "Hydra skip=true: GET login request, (bridge: whoami), PUT accept, 303"),
    Path("consent skip", "/consent?consent_challenge=skip", "consent_verifier", BRIDGES + ["reference"] + FLOOR, 3,
         "Hydra skip=true: GET consent request, (bridge: identity for claims), PUT accept, 303"),
    Path("login full", "/login?login_challenge=full", "login_verifier", BRIDGES, 3,
         "skip=false + Kratos session: GET login request, whoami, PUT accept, 303"),
    Path("consent trusted", "/consent?consent_challenge=trusted", "consent_verifier", BRIDGES, 3,
         "skip=false, trusted client: GET consent request, identity, PUT accept with claims, 303"),
]


def log(msg):
    print(msg, flush=True)
