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
    /// `prompt=none` (OIDC Core 3.1.2.1): the person may see no page, Kratos's included; what
    /// cannot be done without them is an error for the application.
    pub prompt_none: bool,
    /// `none` together with another prompt value, which OIDC forbids: the request is invalid.
    pub prompt_conflict: bool,
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
            // An empty value demands nothing, as for `request`.
            "claims" if !value.is_empty() => match serde_json::from_str(&value)
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
    // Several `prompt` parameters count together: which one Hydra read is not known, and a
    // `none` in any of them beside another value is the conflict either way.
    let prompts: Vec<&str> = raw
        .prompt
        .iter()
        .flat_map(|value| value.split(' '))
        .filter(|p| !p.is_empty())
        .collect();
    params.prompt_login |= prompts
        .iter()
        .any(|p| *p == "login" || *p == "select_account");
    params.prompt_registration = prompts
        .iter()
        .any(|p| *p == "registration" || *p == "create");
    params.prompt_none = prompts.contains(&"none");
    params.prompt_conflict = params.prompt_none && prompts.iter().any(|p| *p != "none");
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
#[path = "demands_tests.rs"]
mod tests;
