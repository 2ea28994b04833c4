"""The upstream stub: an nginx config answering as Hydra's admin API and Kratos's public and admin APIs
do, with fixed JSON from `return 200 '...'`, chosen by the challenge in the query where needed.

The JSON follows the shapes of the fakes in tests/api/fakes/fake_hydra/ and tests/api/fakes/fake_kratos/
(Hydra v25.4 / Kratos v25.4 answers)."""

import datetime
import json

IDENTITY_ID = "9f425a8d-7efc-4768-8f23-7647a74fdf13"
EXTERNAL_ID = "CUST-00042"
SESSION_ID = "5e1d6b0c-2a3b-4c4d-8e5f-6a7b8c9d0e1f"
HYDRA_PUBLIC = "https://hydra.example"
APP_CALLBACK = "https://app.example/callback"
UNTRUSTED_CLIENT = "demo-client"
TRUSTED_CLIENT = "trusted-app"
SCOPES = ["openid", "profile", "email"]


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def auth_url(client_id):
    return (
        f"{HYDRA_PUBLIC}/oauth2/auth?client_id={client_id}&response_type=code"
        f"&scope={'+'.join(SCOPES)}&state=abcdefghijkl&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback"
    )


def client(client_id, name):
    return {
        "client_id": client_id,
        "client_name": name,
        "logo_uri": "",
        "redirect_uris": [APP_CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "openid profile email offline_access",
        "audience": [],
        "skip_consent": False,
        "skip_logout_consent": None,
        "token_endpoint_auth_method": "client_secret_basic",
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:00Z",
        "metadata": {},
    }


def login_request(challenge, skip):
    return {
        "challenge": challenge,
        "skip": skip,
        # Hydra sends the remembered subject on skip, an empty one otherwise.
        "subject": IDENTITY_ID if skip else "",
        "client": client(UNTRUSTED_CLIENT, "Demo App"),
        "request_url": auth_url(UNTRUSTED_CLIENT),
        "requested_scope": SCOPES,
        "requested_access_token_audience": [],
        "oidc_context": {"acr_values": [], "ui_locales": [], "id_token_hint_claims": {}},
        "session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b",
    }


def consent_request(challenge, skip, client_id, name):
    return {
        "challenge": challenge,
        "consent_request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "skip": skip,
        "subject": IDENTITY_ID,
        "client": client(client_id, name),
        "request_url": auth_url(client_id),
        "requested_scope": SCOPES,
        "requested_access_token_audience": ["https://api.example"],
        "oidc_context": {"acr_values": [], "ui_locales": []},
        "login_challenge": "8f7e6d5c4b3a29180f1e2d3c4b5a6978",
        "login_session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b",
        "acr": "aal1",
        "amr": ["password"],
        # What the bridge's login accept put there; Hydra hands it on to the consent request.
        "context": {"identity_id": IDENTITY_ID, "subject_source": "id"},
    }


def identity(now):
    return {
        "id": IDENTITY_ID,
        "external_id": EXTERNAL_ID,
        "schema_id": "customer",
        "schema_url": "http://127.0.0.1:4433/schemas/Y3VzdG9tZXI",
        "state": "active",
        "state_changed_at": "2026-01-01T00:00:00Z",
        "traits": {"email": "ada@example.com", "name": {"first": "Ada", "last": "Lovelace"}},
        "verifiable_addresses": [
            {
                "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                "value": "ada@example.com",
                "verified": True,
                "via": "email",
                "status": "completed",
                "verified_at": "2026-01-01T00:05:00Z",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:05:00Z",
            }
        ],
        "recovery_addresses": [
            {
                "id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
                "value": "ada@example.com",
                "via": "email",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            }
        ],
        "metadata_public": None,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": ts(now - datetime.timedelta(days=1)),
        "organization_id": None,
    }


def session(now):
    authenticated = now - datetime.timedelta(seconds=60)
    return {
        "id": SESSION_ID,
        "active": True,
        "expires_at": ts(now + datetime.timedelta(days=1)),
        "authenticated_at": ts(authenticated),
        "authenticator_assurance_level": "aal1",
        "authentication_methods": [
            {"method": "password", "aal": "aal1", "completed_at": ts(authenticated)}
        ],
        "issued_at": ts(authenticated),
        "identity": identity(now),
        "devices": [
            {
                "id": "d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a",
                "ip_address": "127.0.0.1",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) bench",
                "location": "",
            }
        ],
    }


def literal(obj):
    """A JSON document as an nginx single-quoted string."""
    text = json.dumps(obj, separators=(",", ":"))
    for bad in ("'", "$", "\\"):
        assert bad not in text, f"{bad!r} cannot go into an nginx literal"
    return "'" + text + "'"


NOT_FOUND = {"error": {"code": 404, "status": "Not Found", "message": "The requested resource could not be found"}}
OK = {"status": "ok"}


def nginx_conf(tmp, ports, now=None):
    """`ports`: dict with hydra_admin, kratos_public, kratos_admin."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    login_accept = {"redirect_to": auth_url(UNTRUSTED_CLIENT) + "&login_verifier=6c0b4a3f2e1d0c9b8a7f6e5d4c3b2a19"}
    consent_accept = {"redirect_to": auth_url(UNTRUSTED_CLIENT) + "&consent_verifier=9a8b7c6d5e4f30211f2e3d4c5b6a7980"}
    health = f"""
        location = /health/ready {{ return 200 {literal(OK)}; }}
        location = /health/alive {{ return 200 {literal(OK)}; }}
        location / {{ return 404 {literal(NOT_FOUND)}; }}"""
    return f"""# Generated by bench/stub.py: the upstream stub for bench/run.sh.
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    default_type application/json;
    server_tokens off;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    log_format bench '$server_port $request_method $uri $status $connection';
    access_log {tmp}/access.log bench buffer=256k flush=1s;

    # Hydra admin API
    server {{
        listen 127.0.0.1:{ports['hydra_admin']};
        location = /admin/oauth2/auth/requests/login {{
            if ($arg_login_challenge = skip) {{ return 200 {literal(login_request('skip', True))}; }}
            return 200 {literal(login_request('full', False))};
        }}
        location = /admin/oauth2/auth/requests/login/accept {{ return 200 {literal(login_accept)}; }}
        location = /admin/oauth2/auth/requests/consent {{
            if ($arg_consent_challenge = skip) {{ return 200 {literal(consent_request('skip', True, UNTRUSTED_CLIENT, 'Demo App'))}; }}
            return 200 {literal(consent_request('trusted', False, TRUSTED_CLIENT, 'Trusted App'))};
        }}
        location = /admin/oauth2/auth/requests/consent/accept {{ return 200 {literal(consent_accept)}; }}{health}
    }}

    # Kratos public API
    server {{
        listen 127.0.0.1:{ports['kratos_public']};
        location = /sessions/whoami {{
            add_header X-Kratos-Authenticated-Identity-Id {IDENTITY_ID};
            return 200 {literal(session(now))};
        }}{health}
    }}

    # Kratos admin API
    server {{
        listen 127.0.0.1:{ports['kratos_admin']};
        location /admin/identities/by/ {{ return 404 {literal(NOT_FOUND)}; }}
        location = /admin/identities/{IDENTITY_ID} {{ return 200 {literal(identity(now))}; }}{health}
        # Kratos serves its admin API's health under /admin, as the bridge asks for it.
        location = /admin/health/ready {{ return 200 {literal(OK)}; }}
    }}{otlp_sink(tmp, ports)}
}}
"""


def otlp_sink(tmp, ports):
    """A collector that takes every OTLP/HTTP export and keeps nothing (the traced bridge's), when
    `ports` has `otlp_sink`. Its own log: exports are no upstream calls."""
    if "otlp_sink" not in ports:
        return ""
    return f"""

    # OTLP/HTTP sink for the traced bridge
    server {{
        listen 127.0.0.1:{ports['otlp_sink']};
        access_log {tmp}/otlp.log bench;
        client_max_body_size 64m;
        location = /v1/traces {{ default_type application/x-protobuf; return 200 ""; }}
        location / {{ return 404; }}
    }}"""
