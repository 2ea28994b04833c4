//! Identities and sessions as Kratos shows them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{IdentitySpec, StoredSession};

fn ts(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// An identity as Kratos shows it: the admin API adds the credentials (their types and
/// identifiers, no secrets) and `metadata_admin`; whoami shows neither.
pub fn identity_json(identity: &IdentitySpec, admin: bool, public_url: &str) -> Value {
    let email = identity.traits.get("email").and_then(Value::as_str);
    // Kratos keeps a verifiable and a recovery address per email trait marked as one.
    let addresses: Vec<Value> = email.map(|email| json!({
        "id": "0b9f6a3e-1111-4000-8000-000000000001", "value": email.to_lowercase(), "verified": true,
        "via": "email", "status": "completed", "verified_at": "2026-01-01T00:00:00.123456Z",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    })).into_iter().collect();
    let recovery: Vec<Value> = email.map(|email| json!({
        "id": "0b9f6a3e-2222-4000-8000-000000000001", "value": email.to_lowercase(), "via": "email",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    })).into_iter().collect();
    let mut json = json!({
        "id": identity.id,
        "schema_id": identity.schema_id,
        // The schema's id, base64url-encoded.
        "schema_url": format!("{public_url}/schemas/{}", URL_SAFE_NO_PAD.encode(&identity.schema_id)),
        "state": identity.state,
        "state_changed_at": "2026-01-01T00:00:00Z",
        "traits": identity.traits,
        "verifiable_addresses": addresses,
        "recovery_addresses": recovery,
        "metadata_public": identity.metadata_public,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T03:04:05Z",
        "organization_id": null
    });
    if admin {
        let identifiers: Vec<&str> = email.into_iter().collect();
        // The schemas make the email an identifier of the password and of the one-time code.
        json["credentials"] = json!({
            "password": { "type": "password", "identifiers": identifiers, "version": 0,
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z" },
            "code": { "type": "code", "identifiers": identifiers, "version": 1,
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z" }
        });
        json["metadata_admin"] = Value::Null;
    }
    // Kratos omits external_id when it is not set (and v1.3 has none at all).
    if let Some(ext) = &identity.external_id {
        json["external_id"] = json!(ext);
    }
    json
}

pub(super) fn session_json(s: &StoredSession, public_url: &str) -> Value {
    let methods: Vec<Value> = s
        .methods
        .iter()
        .map(|m| json!({ "method": m, "aal": if m == "totp" { "aal2" } else { "aal1" }, "completed_at": ts(s.authenticated_at) }))
        .collect();
    json!({
        "id": s.id,
        "active": s.active,
        "expires_at": ts(s.authenticated_at + time::Duration::seconds(s.lifespan_secs)),
        "authenticated_at": ts(s.authenticated_at),
        "authenticator_assurance_level": format!("aal{}", s.aal),
        "authentication_methods": methods,
        "issued_at": ts(s.authenticated_at),
        "identity": identity_json(&s.identity, false, public_url),
        // The client's address with its port; no User-Agent was sent.
        "devices": [{ "id": "d1e2f3a4-0000-4000-8000-000000000001", "ip_address": "127.0.0.1:40000",
            "user_agent": null, "location": "" }]
    })
}
