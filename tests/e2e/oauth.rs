//! What the OAuth2 client does after the browser comes back: the token exchange, the id_token's
//! signature against Hydra's JWKS, token introspection.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use url::Url;

use crate::browser::{AuthRequest, query};
use crate::stack::Stack;

#[derive(Debug)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
    pub scope: String,
    /// The id_token's claims, after its signature was checked.
    pub id_claims: Value,
}

impl Tokens {
    pub fn scopes(&self) -> Vec<&str> {
        let mut s: Vec<&str> = self.scope.split(' ').filter(|s| !s.is_empty()).collect();
        s.sort_unstable();
        s
    }

    pub fn sub(&self) -> &str {
        self.id_claims["sub"].as_str().expect("sub")
    }
}

/// The callback the browser was sent to: checks state, exchanges the code with the verifier.
pub async fn exchange(stack: &Stack, request: &AuthRequest, callback: &Url) -> Tokens {
    exchange_keeping_answer(stack, request, callback).await.0
}

/// As `exchange`, with the token endpoint's whole answer (the refresh_token, for one).
pub async fn exchange_keeping_answer(
    stack: &Stack,
    request: &AuthRequest,
    callback: &Url,
) -> (Tokens, Value) {
    assert!(
        callback.as_str().starts_with(&stack.callback),
        "not the client's callback: {callback}"
    );
    assert_eq!(
        query(callback, "state").as_deref(),
        Some(request.state.as_str()),
        "state"
    );
    let code = query(callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));
    let body = token_endpoint(
        stack,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &stack.callback),
            ("client_id", &request.client_id),
            ("code_verifier", &request.verifier),
        ],
    )
    .await;
    let tokens = tokens_of(stack, &body, &request.client_id).await;
    assert_eq!(tokens.id_claims["nonce"], request.nonce.as_str(), "nonce");
    (tokens, body)
}

/// The refresh-token grant of a public client: the new tokens and the whole answer.
pub async fn refresh(stack: &Stack, client_id: &str, refresh_token: &str) -> (Tokens, Value) {
    let body = token_endpoint(
        stack,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", client_id),
        ],
    )
    .await;
    (tokens_of(stack, &body, client_id).await, body)
}

/// Hydra's token endpoint; panics unless it answers with success.
async fn token_endpoint(stack: &Stack, form: &[(&str, &str)]) -> Value {
    let r = stack
        .http
        .post(format!("{}/oauth2/token", stack.hydra_public))
        .form(form)
        .send()
        .await
        .expect("token endpoint");
    let status = r.status();
    let body: Value = r.json().await.expect("token answer JSON");
    assert!(status.is_success(), "token endpoint: {status} {body}");
    body
}

async fn tokens_of(stack: &Stack, body: &Value, client_id: &str) -> Tokens {
    let id_token = body["id_token"].as_str().expect("id_token").to_string();
    let id_claims = verify_id_token(stack, &id_token, client_id).await;
    Tokens {
        access_token: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string(),
        scope: body["scope"].as_str().unwrap_or_default().to_string(),
        id_token,
        id_claims,
    }
}

/// Hydra's OIDC userinfo for an access token.
pub async fn userinfo(stack: &Stack, access_token: &str) -> Value {
    let r = stack
        .http
        .get(format!("{}/userinfo", stack.hydra_public))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("userinfo");
    let status = r.status();
    let text = r.text().await.expect("userinfo answer");
    assert!(status.is_success(), "userinfo: {status} {text}");
    serde_json::from_str(&text).expect("userinfo JSON")
}

/// Checks the signature against Hydra's published keys, the issuer and the audience.
pub async fn verify_id_token(stack: &Stack, token: &str, client_id: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).expect("id_token header");
    let keys: JwkSet = stack
        .http
        .get(format!("{}/.well-known/jwks.json", stack.hydra_public))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks JSON");
    let kid = header.kid.as_deref().expect("id_token names its key");
    let jwk = keys.find(kid).expect("the signing key is in the JWKS");
    let key = DecodingKey::from_jwk(jwk).expect("usable key");
    assert_eq!(header.alg, Algorithm::RS256);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[client_id]);
    validation.set_issuer(&[&stack.hydra_public]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("id_token verifies")
        .claims
}

/// Hydra's admin introspection of an access token.
pub async fn introspect(stack: &Stack, access_token: &str) -> Value {
    let r = stack
        .http
        .post(format!("{}/admin/oauth2/introspect", stack.hydra_admin))
        .form(&[("token", access_token)])
        .send()
        .await
        .expect("introspection");
    assert!(r.status().is_success(), "introspection: {}", r.status());
    r.json().await.expect("introspection JSON")
}

/// The hidden and checkbox inputs of the bridge's form on a page, as a browser would submit them
/// (checkboxes that are checked; `untick` leaves those values out).
pub fn form_fields(html: &str, untick: &[&str], tick: &[&str]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            tag.find(&marker).map(|i| {
                let rest = &tag[i + marker.len()..];
                unescape(&rest[..rest.find('"').unwrap_or(rest.len())])
            })
        };
        let (Some(name), value) = (attr("name"), attr("value").unwrap_or_default()) else {
            continue;
        };
        let kind = attr("type").unwrap_or_default();
        let checked = tag.contains(" checked");
        if kind == "checkbox" {
            let on =
                (checked && !untick.contains(&value.as_str())) || tick.contains(&value.as_str());
            if !on {
                continue;
            }
        }
        fields.push((name, value));
    }
    fields
}

/// The form's action, resolved against the page's URL.
pub fn form_action(page: &Url, html: &str) -> String {
    let start = html.find("<form").expect("a form on the page");
    let tag = &html[start..start + html[start..].find('>').expect("form tag")];
    let marker = "action=\"";
    let i = tag.find(marker).expect("form action") + marker.len();
    let action = unescape(&tag[i..i + tag[i..].find('"').expect("action end")]);
    page.join(&action).expect("action URL").to_string()
}

fn unescape(s: &str) -> String {
    s.replace("&#61;", "=")
        .replace("&#x3d;", "=")
        .replace("&#43;", "+")
        .replace("&#x2b;", "+")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
