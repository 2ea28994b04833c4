#!/bin/sh
# One-shot setup for the local stack: the demo OAuth2 client in Hydra and the demo customer in
# Kratos, both through the admin REST APIs. Safe to run again: 409 means it is already there.
set -eu

HYDRA_ADMIN_URL=${HYDRA_ADMIN_URL:-http://hydra:4445}
KRATOS_ADMIN_URL=${KRATOS_ADMIN_URL:-http://kratos:4434}
: "${DEMO_CLIENT_SECRET:?DEMO_CLIENT_SECRET must be set}"
: "${DEMO_USER_PASSWORD:?DEMO_USER_PASSWORD must be set}"

wait_ready() {
    name=$1
    url=$2
    tries=0
    until curl -fs -o /dev/null --max-time 5 "$url"; do
        tries=$((tries + 1))
        if [ "$tries" -ge 60 ]; then
            echo "setup: $name is not ready at $url after 2 minutes" >&2
            exit 1
        fi
        sleep 2
    done
    echo "setup: $name is ready"
}

# POST a JSON body; 201 = created, 409 = already there, anything else fails the job.
create() {
    what=$1
    url=$2
    body=$3
    answer=$(curl -sS --max-time 10 -w '\n%{http_code}' -X POST \
        -H 'Content-Type: application/json' -H 'Accept: application/json' \
        --data "$body" "$url")
    status=$(printf '%s\n' "$answer" | tail -n 1)
    case "$status" in
        200 | 201) echo "setup: $what created" ;;
        409) echo "setup: $what already exists" ;;
        *)
            echo "setup: creating $what failed with HTTP $status:" >&2
            printf '%s\n' "$answer" | sed '$d' >&2
            exit 1
            ;;
    esac
}

wait_ready "Hydra admin" "$HYDRA_ADMIN_URL/health/ready"
wait_ready "Kratos admin" "$KRATOS_ADMIN_URL/health/ready"

create "OAuth2 client demo-client" "$HYDRA_ADMIN_URL/admin/clients" "$(cat <<JSON
{
  "client_id": "demo-client",
  "client_name": "Demo client",
  "client_secret": "$DEMO_CLIENT_SECRET",
  "redirect_uris": ["http://127.0.0.1:5555/callback"],
  "post_logout_redirect_uris": ["http://127.0.0.1:5555/"],
  "grant_types": ["authorization_code", "refresh_token"],
  "response_types": ["code"],
  "scope": "openid offline_access email profile customer",
  "token_endpoint_auth_method": "client_secret_basic"
}
JSON
)"

# A public client for device sign-in (RFC 8628): a TV or CLI shows a code, the person enters it at
# the bridge's /device page. Try it with:
#   docker-compose exec hydra hydra perform device-code --client-id demo-device \
#     --endpoint http://127.0.0.1:4444 --scope openid,offline_access,email
create "OAuth2 client demo-device" "$HYDRA_ADMIN_URL/admin/clients" "$(cat <<JSON
{
  "client_id": "demo-device",
  "client_name": "Demo TV",
  "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
  "response_types": ["code"],
  "scope": "openid offline_access email profile",
  "token_endpoint_auth_method": "none"
}
JSON
)"

# external_id becomes the OIDC subject (oauth2_provider.use_external_id); customer_id is the
# admin-set number released by the `customer` scope. The address is imported as verified so the
# id_token carries email_verified: true without a trip through the mail catcher.
create "identity ada@example.com (external_id CUST-000123)" "$KRATOS_ADMIN_URL/admin/identities" "$(cat <<JSON
{
  "schema_id": "customer",
  "external_id": "CUST-000123",
  "state": "active",
  "traits": {
    "email": "ada@example.com",
    "name": { "first": "Ada", "last": "Lovelace" }
  },
  "metadata_public": { "customer_id": "C-0042" },
  "verifiable_addresses": [
    { "value": "ada@example.com", "via": "email", "verified": true, "status": "completed" }
  ],
  "credentials": {
    "password": { "config": { "password": "$DEMO_USER_PASSWORD" } }
  }
}
JSON
)"

echo "setup: done. Open http://127.0.0.1:5555/ and sign in as ada@example.com."
