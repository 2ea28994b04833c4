//! The OIDC standard claims (Core 5.4) for the `email`, `profile`, `phone` and `address` scopes,
//! from conventional trait names and the verified addresses.

use serde_json::{Map, Value};

use super::{address, path, present};
use crate::identity::Identity;

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
pub(super) fn standard_claims(identity: &Identity, granted: &[String]) -> Map<String, Value> {
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

fn first_trait<'a>(identity: &'a Identity, candidates: &[&[&str]]) -> Option<&'a Value> {
    candidates
        .iter()
        .find_map(|p| present(path(&identity.traits, p)))
}
