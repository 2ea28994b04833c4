//! Tests of reading the demands from `request_url` and a request object.

use super::*;
use proptest::prelude::*;

/// A compact JWS as applications send it (the signature is not checked, so any will do).
fn object(claims: &serde_json::Value, alg: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(serde_json::json!({ "alg": alg }).to_string());
    let payload = b64.encode(claims.to_string());
    let signature = if alg == "none" { "" } else { "c2lnbmF0dXJl" };
    format!("{header}.{payload}.{signature}")
}

fn url_with(query: &str) -> String {
    format!("https://hydra.test/oauth2/auth?client_id=a&response_type=code&{query}")
}

#[test]
fn parses_request_url() {
    let p = parse_auth_params(
        "https://hydra/oauth2/auth?client_id=a&prompt=consent%20login&max_age=60&acr_values=aal2",
        &[],
    );
    assert!(p.prompt_login);
    assert_eq!(p.max_age, Some(60));
    assert_eq!(p.acr_values, vec!["aal2".to_string()]);
    let p = parse_auth_params(
        "https://hydra/oauth2/auth?prompt=consent&max_age=x",
        &["aal1".into()],
    );
    assert_eq!(
        p,
        AuthParams {
            prompt_login: false,
            prompt_registration: false,
            prompt_none: false,
            prompt_conflict: false,
            max_age: None,
            acr_values: vec!["aal1".into()]
        }
    );
    assert_eq!(parse_auth_params("not a url", &[]), AuthParams::default());
}

#[test]
fn a_request_object_demands_as_the_query_does() {
    for alg in ["RS256", "none"] {
        let jwt = object(&serde_json::json!({ "prompt": "login", "iss": "a" }), alg);
        assert!(parse_auth_params(&url_with(&format!("request={jwt}")), &[]).prompt_login);
        let jwt = object(&serde_json::json!({ "max_age": 0 }), alg);
        let p = parse_auth_params(&url_with(&format!("request={jwt}")), &[]);
        assert_eq!((p.max_age, p.prompt_login), (Some(0), false));
    }
    let jwt = object(&serde_json::json!({ "max_age": "300" }), "RS256");
    let p = parse_auth_params(&url_with(&format!("request={jwt}")), &[]);
    assert_eq!(p.max_age, Some(300));
    let jwt = object(&serde_json::json!({ "acr_values": "aal2" }), "RS256");
    let p = parse_auth_params(&url_with(&format!("request={jwt}")), &[]);
    assert_eq!(p.acr_values, vec!["aal2".to_string()]);
    // Hydra's own reading wins.
    let p = parse_auth_params(&url_with(&format!("request={jwt}")), &["aal1".into()]);
    assert_eq!(p.acr_values, vec!["aal1".to_string()]);
}

#[test]
fn an_essential_acr_claim_demands_its_level() {
    let claims = |c: &serde_json::Value| {
        let q: String = url::form_urlencoded::byte_serialize(c.to_string().as_bytes()).collect();
        url_with(&format!("claims={q}"))
    };
    let essential =
        serde_json::json!({ "id_token": { "acr": { "essential": true, "values": ["aal2"] } } });
    assert_eq!(
        parse_auth_params(&claims(&essential), &[]).acr_values,
        vec!["aal2".to_string()]
    );
    let single =
        serde_json::json!({ "id_token": { "acr": { "essential": true, "value": "aal2" } } });
    assert_eq!(
        parse_auth_params(&claims(&single), &[]).acr_values,
        vec!["aal2".to_string()]
    );
    // Stricter than acr_values=aal1, so it counts.
    let both = format!("{}&acr_values=aal1", claims(&essential));
    assert_eq!(
        parse_auth_params(&both, &[]).acr_values,
        vec!["aal2".to_string()]
    );
    // A voluntary claim asks for nothing.
    let voluntary = serde_json::json!({ "id_token": { "acr": { "values": ["aal2"] } } });
    assert!(
        parse_auth_params(&claims(&voluntary), &[])
            .acr_values
            .is_empty()
    );
    // Inside a request object too.
    let jwt = object(&serde_json::json!({ "claims": essential }), "none");
    assert_eq!(
        parse_auth_params(&url_with(&format!("request={jwt}")), &[]).acr_values,
        vec!["aal2".to_string()]
    );
    // Unreadable claims: the demand is unknown, so a fresh login.
    assert!(parse_auth_params(&url_with("claims=%7Bnot-json"), &[]).prompt_login);
}

#[test]
fn prompt_none_alone_or_in_conflict() {
    let p = parse_auth_params(&url_with("prompt=none"), &[]);
    assert!(p.prompt_none && !p.prompt_conflict && !p.prompt_login);
    for query in [
        "prompt=none+login",
        "prompt=consent%20none",
        "prompt=none+select_account",
        "prompt=none+registration",
        "prompt=create+none",
        "prompt=none&prompt=login",
    ] {
        let p = parse_auth_params(&url_with(query), &[]);
        assert!(p.prompt_none && p.prompt_conflict, "{query}");
    }
    // Repeated or padded, `none` is still alone.
    let p = parse_auth_params(&url_with("prompt=none+none&prompt=%20none"), &[]);
    assert!(p.prompt_none && !p.prompt_conflict);
    // The object's prompt wins, either way.
    let jwt = object(&serde_json::json!({ "prompt": "none" }), "RS256");
    let p = parse_auth_params(&url_with(&format!("prompt=login&request={jwt}")), &[]);
    assert!(p.prompt_none && !p.prompt_conflict && !p.prompt_login);
    let jwt = object(&serde_json::json!({ "prompt": "consent" }), "none");
    let p = parse_auth_params(&url_with(&format!("prompt=none&request={jwt}")), &[]);
    assert!(!p.prompt_none && !p.prompt_conflict);
    // An unreadable object beside a query's `none`: a fresh login is demanded, and cannot be had.
    let p = parse_auth_params(&url_with("prompt=none&request=garbage"), &[]);
    assert!(p.prompt_none && p.prompt_login && !p.prompt_conflict);
}

#[test]
fn the_object_takes_precedence_over_the_query() {
    let jwt = object(
        &serde_json::json!({ "prompt": "consent", "max_age": 3600 }),
        "RS256",
    );
    let p = parse_auth_params(
        &url_with(&format!("prompt=login&max_age=0&request={jwt}")),
        &[],
    );
    assert_eq!((p.prompt_login, p.max_age), (false, Some(3600)));
    // What the object leaves out still comes from the query.
    let jwt = object(&serde_json::json!({ "nonce": "n" }), "RS256");
    let p = parse_auth_params(
        &url_with(&format!("prompt=login&max_age=0&request={jwt}")),
        &[],
    );
    assert_eq!((p.prompt_login, p.max_age), (true, Some(0)));
}

#[test]
fn an_unreadable_demand_asks_for_a_fresh_login() {
    let jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn";
    let two = object(&serde_json::json!({}), "RS256");
    for query in [
        "request_uri=https%3A%2F%2Fapp.test%2Fr%2F1".to_string(),
        "request=not-a-jwt".to_string(),
        "request=a.%%%.b".to_string(),
        format!("request={jwe}"),
        format!("request={two}&request={two}"),
        format!(
            "request={}",
            object(&serde_json::json!({ "prompt": 7 }), "RS256")
        ),
        format!(
            "request={}",
            object(&serde_json::json!({ "max_age": -1 }), "RS256")
        ),
        format!(
            "request={}",
            object(&serde_json::json!({ "max_age": "soon" }), "RS256")
        ),
        format!("request={}", object(&serde_json::json!([1]), "RS256")),
    ] {
        assert!(
            parse_auth_params(&url_with(&query), &[]).prompt_login,
            "{query}"
        );
    }
    // Empty values are no object and no claims request at all.
    assert!(!parse_auth_params(&url_with("request=&request_uri=&claims="), &[]).prompt_login);
}

proptest! {
    /// Any request_url, valid or not, parses without panicking; a max_age, prompt or acr_values
    /// it carries is read back exactly.
    #[test]
    fn request_url_parsing_never_panics(url in "\\PC{0,200}", acr in proptest::collection::vec("\\PC{0,12}", 0..3),
                                        age in proptest::option::of(any::<u64>()), login in any::<bool>()) {
        let _ = parse_auth_params(&url, &acr);
        let prompt = if login { "login+consent" } else { "consent" };
        let max_age = age.map(|a| a.to_string()).unwrap_or_else(|| "x".into());
        let with = format!("https://hydra.test/oauth2/auth?prompt={prompt}&max_age={max_age}&acr_values=aal1+aal2");
        let p = parse_auth_params(&with, &[]);
        prop_assert_eq!(p.max_age, age);
        prop_assert_eq!(p.prompt_login, login);
        prop_assert_eq!(p.acr_values, vec!["aal1".to_string(), "aal2".to_string()]);
    }

    /// `none` is read whenever it is among the prompt values, and is a conflict exactly when
    /// another value is among them too.
    #[test]
    fn prompt_none_is_read_with_its_conflicts(values in proptest::collection::vec(
        prop_oneof![Just("none"), Just("login"), Just("consent"), Just("select_account"),
                    Just("registration"), Just("create"), Just(""), Just("x")], 0..4)) {
        let query = format!("prompt={}", values.join("+"));
        let p = parse_auth_params(&url_with(&query), &[]);
        let none = values.contains(&"none");
        prop_assert_eq!(p.prompt_none, none);
        prop_assert_eq!(p.prompt_conflict, none && values.iter().any(|v| !v.is_empty() && *v != "none"));
    }

    /// Whatever a request object says about prompt and max_age wins over the query; whatever
    /// `request` holds that is no readable object asks for a fresh login.
    #[test]
    fn request_objects_are_read_or_distrusted(login in any::<bool>(), age in proptest::option::of(any::<u64>()),
                                              query_login in any::<bool>(), garbage in "[A-Za-z0-9._~-]{1,80}") {
        let mut claims = serde_json::json!({ "prompt": if login { "login" } else { "consent" } });
        if let Some(a) = age { claims["max_age"] = a.into(); }
        let query = if query_login { "prompt=login&max_age=0&" } else { "" };
        let p = parse_auth_params(&url_with(&format!("{query}request={}", object(&claims, "RS256"))), &[]);
        prop_assert_eq!(p.prompt_login, login);
        prop_assert_eq!(p.max_age, age.or(query_login.then_some(0)));
        let p = parse_auth_params(&url_with(&format!("request={garbage}")), &[]);
        let readable = decode_request_object(&garbage).is_some();
        prop_assert!(p.prompt_login || readable);
    }
}
