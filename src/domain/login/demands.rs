//! What the original `/oauth2/auth` request demands of the login. Hydra forwards `prompt` and
//! `max_age` only inside `request_url`: in its query, and in an OIDC request object (`request=`)
//! that the query carries. Hydra verified that object and merged it into the request it works on,
//! but `request_url` keeps it as the application sent it, so the bridge reads it here too.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use super::required_aal;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthParams {
    /// `prompt=login` (or `select_account`, which newer Hydra treats alike), or a request whose
    /// demands cannot be read.
    pub prompt_login: bool,
    /// `prompt=registration` (or OIDC's `create`): Hydra sends these to `urls.registration`, which
    /// defaults to `urls.login`.
    pub prompt_registration: bool,
    pub max_age: Option<u64>,
    pub acr_values: Vec<String>,
}

/// The parameters that shape the login, as strings, before they are interpreted.
#[derive(Debug, Default)]
struct Raw {
    prompt: Vec<String>,
    max_age: Vec<String>,
    acr_values: Vec<String>,
    /// The essential `acr` of the `claims` parameter (OIDC Core 5.5.1.1): any listed value will do.
    acr_claim: Vec<String>,
    /// A request object or reference the bridge cannot read: its demands are unknown.
    unreadable: bool,
}

/// The members of a request object that shape the login; every other member is ignored.
#[derive(Debug, Deserialize)]
struct RequestObject {
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    max_age: Option<MaxAge>,
    #[serde(default)]
    acr_values: Option<String>,
    #[serde(default)]
    claims: Option<serde_json::Value>,
}

/// The values an essential `acr` claim request allows (`value` or `values`); a voluntary one
/// demands nothing. `None` when `claims` is no JSON object.
fn essential_acr(claims: &serde_json::Value) -> Option<Vec<String>> {
    claims.as_object()?;
    let acr = &claims["id_token"]["acr"];
    if acr["essential"] != serde_json::Value::Bool(true) {
        return Some(Vec::new());
    }
    let listed = acr["values"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(Some(&acr["value"]));
    Some(
        listed
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    )
}

/// OIDC defines `max_age` as a number; a string is read too.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum MaxAge {
    Number(u64),
    Text(String),
}

/// base64url, with or without padding (JWTs have none, but nothing is lost by being lenient).
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The claims of a compact JWS (signed, or `alg: none`) without verifying it: Hydra already did.
/// `None` for anything else, an encrypted object (JWE) included.
fn decode_request_object(jwt: &str) -> Option<RequestObject> {
    let mut parts = jwt.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let claims = BASE64URL.decode(payload).ok()?;
    serde_json::from_slice(&claims).ok()
}

/// The query's parameters, with a request object's taking precedence (OIDC Core 6.1: a parameter
/// present in both is taken from the object).
fn raw_params(request_url: &str) -> Raw {
    let mut raw = Raw::default();
    // Only the query matters; Hydra built this URL, so it needs no validating parse of its own.
    let query = request_url
        .split_once('?')
        .map_or("", |(_, rest)| rest.split('#').next().unwrap_or_default());
    let mut objects = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "prompt" => raw.prompt.push(value.into_owned()),
            "max_age" => raw.max_age.push(value.into_owned()),
            "acr_values" => raw.acr_values.push(value.into_owned()),
            "claims" => match serde_json::from_str(&value)
                .ok()
                .as_ref()
                .and_then(essential_acr)
            {
                Some(acr) => raw.acr_claim.extend(acr),
                None => raw.unreadable = true,
            },
            // An empty value is no object, as for Hydra.
            "request" if !value.is_empty() => objects.push(value.into_owned()),
            // The bridge does not fetch objects by reference.
            "request_uri" if !value.is_empty() => raw.unreadable = true,
            _ => {}
        }
    }
    match objects.as_slice() {
        [] => {}
        [jwt] => match decode_request_object(jwt) {
            Some(object) => {
                if let Some(prompt) = object.prompt {
                    raw.prompt = vec![prompt];
                }
                match object.max_age {
                    Some(MaxAge::Number(n)) => raw.max_age = vec![n.to_string()],
                    Some(MaxAge::Text(text)) if text.trim().parse::<u64>().is_ok() => {
                        raw.max_age = vec![text];
                    }
                    Some(MaxAge::Text(_)) => raw.unreadable = true,
                    None => {}
                }
                if let Some(acr_values) = object.acr_values {
                    raw.acr_values = vec![acr_values];
                }
                if let Some(claims) = object.claims {
                    match essential_acr(&claims) {
                        Some(acr) => raw.acr_claim = acr,
                        None => raw.unreadable = true,
                    }
                }
            }
            None => raw.unreadable = true,
        },
        // Which one Hydra used is unknown.
        _ => raw.unreadable = true,
    }
    raw
}

/// The login's demands from Hydra's `request_url` and `oidc_context.acr_values`. A demand that
/// cannot be read (an object by reference, an undecodable or encrypted object) asks for a fresh
/// login: what it would have asked for is unknown, and a fresh login is the most it can ask of
/// the session's age.
pub fn parse_auth_params(request_url: &str, oidc_acr_values: &[String]) -> AuthParams {
    let raw = raw_params(request_url);
    let mut params = AuthParams {
        prompt_login: raw.unreadable,
        acr_values: oidc_acr_values.to_vec(),
        ..AuthParams::default()
    };
    for value in &raw.prompt {
        params.prompt_login |= value
            .split(' ')
            .any(|p| p == "login" || p == "select_account");
        params.prompt_registration |= value
            .split(' ')
            .any(|p| p == "registration" || p == "create");
    }
    for value in &raw.max_age {
        // Several or unparsable values: the strictest parsable one counts.
        if let Ok(n) = value.trim().parse::<u64>() {
            params.max_age = Some(params.max_age.map_or(n, |m| m.min(n)));
        }
    }
    // Hydra's own reading of acr_values (object merged in) wins when it gives one.
    if oidc_acr_values.is_empty() {
        params.acr_values.extend(
            raw.acr_values
                .iter()
                .flat_map(|v| v.split(' '))
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
        );
    }
    // An essential acr claim is a demand of its own: the stricter of the two counts.
    if required_aal(&raw.acr_claim) > required_aal(&params.acr_values) {
        params.acr_values = raw.acr_claim;
    }
    params
}

#[cfg(test)]
mod tests {
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
            let q: String =
                url::form_urlencoded::byte_serialize(c.to_string().as_bytes()).collect();
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
        // Empty values are no object at all.
        assert!(!parse_auth_params(&url_with("request=&request_uri="), &[]).prompt_login);
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
}
