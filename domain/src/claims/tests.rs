//! Tests of the claims mapping: sources, standard claims, gating by scope, schema and client.

use super::*;
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
