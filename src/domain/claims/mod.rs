//! Claims for the tokens Hydra issues, built from the Kratos identity and the granted scopes only.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::config::{ClaimTarget, ClaimsSettings};
use crate::ory::kratos::Identity;

/// Claims Hydra sets itself, or that would confuse a relying party; never configurable.
const RESERVED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "s_hash",
    "sid",
    "client_id",
    "scp",
    "scope",
    "ext",
    "rat",
    "ext_claims",
];

pub fn is_reserved(claim: &str) -> bool {
    RESERVED.contains(&claim)
}

pub fn is_valid_claim_name(claim: &str) -> bool {
    !claim.is_empty()
        && claim.len() <= 128
        && claim
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/'))
}

/// Where a configured claim's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum ClaimSource {
    Id,
    ExternalId,
    SchemaId,
    /// `traits.a.b`: a path into the identity's traits.
    Traits(Vec<String>),
    /// `metadata_public.a.b`: admin-set, not user-editable.
    MetadataPublic(Vec<String>),
    /// `verifiable_addresses.<via>` (the value) or `verifiable_addresses.<via>.verified`.
    VerifiableAddress {
        via: String,
        verified: bool,
    },
}

impl TryFrom<String> for ClaimSource {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let mut parts = value.split('.');
        let head = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.map(str::to_owned).collect();
        if rest.iter().any(String::is_empty) {
            return Err(format!("`{value}` has an empty path segment"));
        }
        match (head, rest.as_slice()) {
            ("id", []) => Ok(Self::Id),
            ("external_id", []) => Ok(Self::ExternalId),
            ("schema_id", []) => Ok(Self::SchemaId),
            ("traits", [_, ..]) => Ok(Self::Traits(rest)),
            ("metadata_public", [_, ..]) => Ok(Self::MetadataPublic(rest)),
            ("verifiable_addresses", [via]) => Ok(Self::VerifiableAddress {
                via: via.clone(),
                verified: false,
            }),
            ("verifiable_addresses", [via, flag]) if flag == "verified" => {
                Ok(Self::VerifiableAddress {
                    via: via.clone(),
                    verified: true,
                })
            }
            _ => Err(format!(
                "`{value}` is not a claim source: use id, external_id, schema_id, traits.<path>, \
                 metadata_public.<path> or verifiable_addresses.<via>[.verified]"
            )),
        }
    }
}

/// `session.id_token` and `session.access_token` of a consent accept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenClaims {
    pub id_token: Map<String, Value>,
    pub access_token: Map<String, Value>,
}

fn path<'a>(root: &'a Value, segments: &[impl AsRef<str>]) -> Option<&'a Value> {
    segments
        .iter()
        .try_fold(root, |value, segment| match value {
            Value::Object(map) => map.get(segment.as_ref()),
            Value::Array(items) => segment
                .as_ref()
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i)),
            _ => None,
        })
}

/// A trait value that is present and not null or an empty string.
fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null() && v.as_str() != Some(""))
}

fn first_trait<'a>(identity: &'a Identity, candidates: &[&[&str]]) -> Option<&'a Value> {
    candidates
        .iter()
        .find_map(|p| present(path(&identity.traits, p)))
}

fn address<'a>(
    identity: &'a Identity,
    via: &str,
    value: Option<&str>,
) -> Option<&'a crate::ory::kratos::VerifiableAddress> {
    identity
        .verifiable_addresses
        .iter()
        .find(|a| a.via == via && value.is_none_or(|v| a.value.eq_ignore_ascii_case(v)))
}

pub fn source_value(identity: &Identity, source: &ClaimSource) -> Option<Value> {
    match source {
        ClaimSource::Id => Some(Value::String(identity.id.clone())),
        ClaimSource::ExternalId => identity
            .external_id
            .as_ref()
            .filter(|e| !e.is_empty())
            .map(|e| Value::String(e.clone())),
        ClaimSource::SchemaId => Some(Value::String(identity.schema_id.clone()))
            .filter(|_| !identity.schema_id.is_empty()),
        ClaimSource::Traits(p) => present(path(&identity.traits, p)).cloned(),
        ClaimSource::MetadataPublic(p) => present(path(&identity.metadata_public, p)).cloned(),
        ClaimSource::VerifiableAddress { via, verified } => address(identity, via, None).map(|a| {
            if *verified {
                Value::Bool(a.verified)
            } else {
                Value::String(a.value.clone())
            }
        }),
    }
}

/// The scopes whose standard claims the bridge knows.
pub const STANDARD_SCOPES: &[&str] = &["email", "profile", "phone", "address"];

/// Which standard scope releases a standard claim.
pub fn standard_scope_of(claim: &str) -> Option<&'static str> {
    Some(match claim {
        "email" | "email_verified" => "email",
        "phone_number" | "phone_number_verified" => "phone",
        "address" => "address",
        "name" | "given_name" | "family_name" | "middle_name" | "nickname"
        | "preferred_username" | "profile" | "picture" | "website" | "gender" | "birthdate"
        | "zoneinfo" | "locale" | "updated_at" => "profile",
        _ => return None,
    })
}

/// OIDC standard claims (Core §5.4) from conventional trait names.
fn standard_claims(identity: &Identity, granted: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    let has = |scope: &str| granted.iter().any(|g| g == scope);
    if has("email") {
        let email = first_trait(identity, &[&["email"], &["emails", "0"]])
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| address(identity, "email", None).map(|a| a.value.clone()));
        if let Some(email) = email {
            let verified = address(identity, "email", Some(&email)).is_some_and(|a| a.verified);
            claims.insert("email".into(), Value::String(email));
            claims.insert("email_verified".into(), Value::Bool(verified));
        }
    }
    if has("phone") {
        let phone = first_trait(identity, &[&["phone_number"], &["phone"]])
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| address(identity, "sms", None).map(|a| a.value.clone()));
        if let Some(phone) = phone {
            let verified = address(identity, "sms", Some(&phone)).is_some_and(|a| a.verified);
            claims.insert("phone_number".into(), Value::String(phone));
            claims.insert("phone_number_verified".into(), Value::Bool(verified));
        }
    }
    if has("address") {
        match first_trait(identity, &[&["address"]]) {
            Some(Value::String(formatted)) => {
                claims.insert(
                    "address".into(),
                    serde_json::json!({ "formatted": formatted }),
                );
            }
            Some(value @ Value::Object(_)) => {
                claims.insert("address".into(), value.clone());
            }
            _ => {}
        }
    }
    if has("profile") {
        let given = first_trait(
            identity,
            &[&["name", "first"], &["given_name"], &["first_name"]],
        );
        let family = first_trait(
            identity,
            &[&["name", "last"], &["family_name"], &["last_name"]],
        );
        let name = match path(&identity.traits, &["name"]) {
            Some(Value::String(n)) if !n.is_empty() => Some(n.clone()),
            _ => match (
                given.and_then(Value::as_str),
                family.and_then(Value::as_str),
            ) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
                (None, None) => None,
            },
        };
        if let Some(name) = name {
            claims.insert("name".into(), Value::String(name));
        }
        for (claim, value) in [("given_name", given), ("family_name", family)] {
            if let Some(v) = value.filter(|v| v.is_string()) {
                claims.insert(claim.into(), v.clone());
            }
        }
        let simple: &[(&str, &[&[&str]])] = &[
            (
                "preferred_username",
                &[&["preferred_username"], &["username"]],
            ),
            ("middle_name", &[&["name", "middle"], &["middle_name"]]),
            ("nickname", &[&["nickname"]]),
            ("picture", &[&["picture"], &["avatar"]]),
            ("website", &[&["website"]]),
            ("profile", &[&["profile"]]),
            ("gender", &[&["gender"]]),
            ("birthdate", &[&["birthdate"]]),
            ("zoneinfo", &[&["zoneinfo"]]),
            ("locale", &[&["locale"]]),
        ];
        for (claim, candidates) in simple {
            if let Some(v) = first_trait(identity, candidates).filter(|v| v.is_string()) {
                claims.insert((*claim).into(), v.clone());
            }
        }
        if let Some(updated) = identity.updated_at {
            claims.insert("updated_at".into(), Value::from(updated.unix_timestamp()));
        }
    }
    claims
}

/// Whether any claim could be released for `granted` to `client_id`, i.e. whether the identity must be
/// read at all. Conservative: a mapping limited to some schemas counts, as the schema is not known yet.
pub fn claims_need_identity(
    granted: &[String],
    client_id: &str,
    settings: &ClaimsSettings,
) -> bool {
    let standard = settings.standard
        && granted
            .iter()
            .any(|scope| STANDARD_SCOPES.contains(&scope.as_str()));
    standard
        || settings.mappings.iter().any(|m| {
            granted.contains(&m.scope)
                && (m.clients.is_empty() || m.clients.iter().any(|c| c == client_id))
        })
}

/// All claims released for `granted` scopes to `client_id`. Pure: only claims whose gating scope is
/// granted ever appear, and never a reserved one.
pub fn build_claims(
    identity: &Identity,
    granted: &[String],
    client_id: &str,
    settings: &ClaimsSettings,
) -> TokenClaims {
    let mut out = TokenClaims::default();
    if settings.standard {
        out.id_token = standard_claims(identity, granted);
    }
    for mapping in &settings.mappings {
        let applies = granted.contains(&mapping.scope)
            && !is_reserved(&mapping.claim)
            && (mapping.schemas.is_empty() || mapping.schemas.contains(&identity.schema_id))
            && (mapping.clients.is_empty() || mapping.clients.iter().any(|c| c == client_id));
        if !applies {
            continue;
        }
        let Some(value) = source_value(identity, &mapping.source) else {
            continue;
        };
        if matches!(mapping.token, ClaimTarget::IdToken | ClaimTarget::Both) {
            out.id_token.insert(mapping.claim.clone(), value.clone());
        }
        if matches!(mapping.token, ClaimTarget::AccessToken | ClaimTarget::Both) {
            out.access_token.insert(mapping.claim.clone(), value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClaimMapping;
    use proptest::prelude::*;
    use serde_json::json;

    fn identity(traits: Value) -> Identity {
        serde_json::from_value(json!({
            "id": "9f425a8d-7efc-4768-8f23-7647a74fdf13",
            "external_id": "CUST-1",
            "schema_id": "customer",
            "traits": traits,
            "metadata_public": { "customer_id": "C-0042", "tier": { "level": 3 } },
            "updated_at": "2026-11-01T10:00:00Z",
            "verifiable_addresses": [
                { "value": "ada@example.com", "verified": true, "via": "email", "status": "completed" },
                { "value": "+441234", "verified": false, "via": "sms", "status": "pending" }
            ]
        }))
        .unwrap()
    }

    fn scopes(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    fn mapping(claim: &str, source: &str, scope: &str) -> ClaimMapping {
        ClaimMapping {
            claim: claim.into(),
            source: ClaimSource::try_from(source.to_string()).unwrap(),
            scope: scope.into(),
            schemas: vec![],
            clients: vec![],
            token: ClaimTarget::IdToken,
        }
    }

    #[test]
    fn sources_parse() {
        assert_eq!(ClaimSource::try_from("id".to_string()), Ok(ClaimSource::Id));
        assert_eq!(
            ClaimSource::try_from("metadata_public.customer_id".to_string()),
            Ok(ClaimSource::MetadataPublic(vec!["customer_id".into()]))
        );
        assert_eq!(
            ClaimSource::try_from("verifiable_addresses.email.verified".to_string()),
            Ok(ClaimSource::VerifiableAddress {
                via: "email".into(),
                verified: true
            })
        );
        for bad in [
            "",
            "traits",
            "traits.",
            "metadata_admin.x",
            "password",
            "traits..a",
            "id.x",
        ] {
            assert!(ClaimSource::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_scope_gives_email_and_verification() {
        let id = identity(json!({ "email": "Ada@Example.com" }));
        let c = build_claims(
            &id,
            &scopes(&["openid", "email"]),
            "app",
            &ClaimsSettings::default(),
        );
        assert_eq!(c.id_token.get("email"), Some(&json!("Ada@Example.com")));
        assert_eq!(c.id_token.get("email_verified"), Some(&json!(true)));
        assert!(c.id_token.get("name").is_none());
    }

    #[test]
    fn email_unverified_when_no_matching_address() {
        let id = identity(json!({ "email": "other@example.com" }));
        let c = build_claims(&id, &scopes(&["email"]), "app", &ClaimsSettings::default());
        assert_eq!(c.id_token.get("email_verified"), Some(&json!(false)));
    }

    #[test]
    fn profile_from_structured_name() {
        let id = identity(
            json!({ "name": { "first": "Ada", "last": "Lovelace" }, "username": "ada", "locale": "en-GB" }),
        );
        let c = build_claims(
            &id,
            &scopes(&["profile"]),
            "app",
            &ClaimsSettings::default(),
        );
        assert_eq!(c.id_token.get("name"), Some(&json!("Ada Lovelace")));
        assert_eq!(c.id_token.get("given_name"), Some(&json!("Ada")));
        assert_eq!(c.id_token.get("family_name"), Some(&json!("Lovelace")));
        assert_eq!(c.id_token.get("preferred_username"), Some(&json!("ada")));
        assert_eq!(c.id_token.get("locale"), Some(&json!("en-GB")));
        assert_eq!(c.id_token.get("updated_at"), Some(&json!(1_793_527_200)));
        assert!(c.id_token.get("email").is_none());
    }

    #[test]
    fn phone_and_address() {
        let id = identity(json!({ "phone": "+441234", "address": "1 Main St" }));
        let c = build_claims(
            &id,
            &scopes(&["phone", "address"]),
            "app",
            &ClaimsSettings::default(),
        );
        assert_eq!(c.id_token.get("phone_number"), Some(&json!("+441234")));
        assert_eq!(c.id_token.get("phone_number_verified"), Some(&json!(false)));
        assert_eq!(
            c.id_token.get("address"),
            Some(&json!({ "formatted": "1 Main St" }))
        );
    }

    #[test]
    fn mappings_gated_by_scope_schema_and_client() {
        let id = identity(json!({}));
        let mut m = mapping("customer_id", "metadata_public.customer_id", "customer");
        m.schemas = vec!["customer".into()];
        m.clients = vec!["shop".into()];
        m.token = ClaimTarget::Both;
        let settings = ClaimsSettings {
            standard: true,
            mappings: vec![m],
        };
        let c = build_claims(&id, &scopes(&["openid", "customer"]), "shop", &settings);
        assert_eq!(c.id_token.get("customer_id"), Some(&json!("C-0042")));
        assert_eq!(c.access_token.get("customer_id"), Some(&json!("C-0042")));
        assert!(
            build_claims(&id, &scopes(&["openid"]), "shop", &settings)
                .id_token
                .is_empty()
        );
        assert!(
            build_claims(&id, &scopes(&["customer"]), "other", &settings)
                .id_token
                .is_empty()
        );
        let mut employee = id.clone();
        employee.schema_id = "employee".into();
        assert!(
            build_claims(&employee, &scopes(&["customer"]), "shop", &settings)
                .id_token
                .is_empty()
        );
    }

    #[test]
    fn other_sources() {
        let id = identity(json!({}));
        let settings = ClaimsSettings {
            standard: false,
            mappings: vec![
                mapping("uid", "id", "openid"),
                mapping("cust", "external_id", "openid"),
                mapping("kind", "schema_id", "openid"),
                mapping("tier", "metadata_public.tier.level", "openid"),
                mapping("mail", "verifiable_addresses.email", "openid"),
                mapping("mail_ok", "verifiable_addresses.email.verified", "openid"),
                mapping("missing", "traits.nope", "openid"),
            ],
        };
        let c = build_claims(&id, &scopes(&["openid"]), "app", &settings);
        assert_eq!(c.id_token.get("uid"), Some(&json!(id.id)));
        assert_eq!(c.id_token.get("cust"), Some(&json!("CUST-1")));
        assert_eq!(c.id_token.get("kind"), Some(&json!("customer")));
        assert_eq!(c.id_token.get("tier"), Some(&json!(3)));
        assert_eq!(c.id_token.get("mail"), Some(&json!("ada@example.com")));
        assert_eq!(c.id_token.get("mail_ok"), Some(&json!(true)));
        assert!(!c.id_token.contains_key("missing"));
    }

    fn arb_scopes() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(
            prop_oneof![
                Just("openid"),
                Just("email"),
                Just("profile"),
                Just("phone"),
                Just("address"),
                Just("customer"),
                Just("offline_access"),
                Just("x")
            ]
            .prop_map(String::from),
            0..6,
        )
    }

    fn arb_traits() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            "[a-z@. +]{0,12}".prop_map(Value::String),
            any::<i32>().prop_map(Value::from),
        ];
        let keys = prop_oneof![
            Just("email"),
            Just("name"),
            Just("first"),
            Just("last"),
            Just("username"),
            Just("phone"),
            Just("address"),
            Just("picture"),
            Just("locale"),
            Just("customer_id"),
            Just("given_name")
        ];
        leaf.prop_recursive(3, 24, 5, move |inner| {
            proptest::collection::btree_map(keys.clone().prop_map(String::from), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
        })
    }

    proptest! {
        /// When the identity is not needed, it really releases nothing: skipping the lookup never
        /// loses a claim.
        #[test]
        fn no_lookup_means_no_claims(traits in arb_traits(), granted in arb_scopes(),
                                     client in prop_oneof![Just("shop"), Just("other")], standard in any::<bool>()) {
            let id = identity(traits);
            let mut m = mapping("customer_id", "traits.customer_id", "customer");
            m.clients = vec!["shop".into()];
            let settings = ClaimsSettings { standard, mappings: vec![m, mapping("tier", "metadata_public.tier.level", "profile")] };
            if !claims_need_identity(&granted, client, &settings) {
                let c = build_claims(&id, &granted, client, &settings);
                prop_assert!(c.id_token.is_empty() && c.access_token.is_empty());
            }
        }

        /// Only claims of granted scopes ever appear; never a reserved claim; configured claims only
        /// for their scope, schema and client.
        #[test]
        fn only_granted_scopes_release_claims(traits in arb_traits(), granted in arb_scopes(),
                                              client in prop_oneof![Just("shop"), Just("other")]) {
            let id = identity(traits);
            let mut m = mapping("customer_id", "traits.customer_id", "customer");
            m.clients = vec!["shop".into()];
            m.token = ClaimTarget::Both;
            let settings = ClaimsSettings { standard: true, mappings: vec![m, mapping("tier", "metadata_public.tier.level", "profile")] };
            let c = build_claims(&id, &granted, client, &settings);
            for (name, _) in c.id_token.iter().chain(c.access_token.iter()) {
                prop_assert!(!is_reserved(name));
                let scope = match name.as_str() {
                    "customer_id" => { prop_assert_eq!(client, "shop"); "customer" }
                    "tier" => "profile",
                    other => standard_scope_of(other).expect("a standard claim"),
                };
                prop_assert!(granted.iter().any(|g| g == scope), "{} without {}", name, scope);
            }
        }
    }
}
