//! The floor of the bridge's stack: actix-web serving, reqwest's pooled client calling the stub,
//! serde_json decoding the fields a flow needs. A request makes the same three upstream calls as the
//! bridge's login and consent skip paths and answers with the same redirect; nothing else happens.
//! Ports come from FLOOR_PORT, HYDRA_ADMIN_URL, KRATOS_PUBLIC_URL and KRATOS_ADMIN_URL.

use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderValue};
use reqwest::{Client, Method};
use serde::Deserialize;
use serde::de::DeserializeOwned;

struct Upstreams {
    client: Client,
    hydra: String,
    kratos_public: String,
    kratos_admin: String,
}

#[derive(Deserialize)]
struct OAuthClient {
    client_id: String,
}

#[derive(Deserialize)]
struct LoginRequest {
    skip: bool,
    subject: String,
    client: OAuthClient,
}

#[derive(Deserialize)]
struct Identity {
    id: String,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    traits: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Session {
    active: bool,
    identity: Identity,
}

#[derive(Deserialize)]
struct Context {
    identity_id: String,
}

#[derive(Deserialize)]
struct ConsentRequest {
    skip: bool,
    requested_scope: Vec<String>,
    client: OAuthClient,
    context: Context,
}

#[derive(Deserialize)]
struct Redirect {
    redirect_to: String,
}

#[derive(Deserialize)]
struct Query {
    login_challenge: Option<String>,
    consent_challenge: Option<String>,
}

type Failed = Box<dyn std::error::Error>;

async fn call<T: DeserializeOwned>(
    up: &Upstreams,
    method: Method,
    url: String,
    cookie: Option<&[u8]>,
    body: Option<Vec<u8>>,
) -> Result<T, Failed> {
    let mut request = up
        .client
        .request(method, url)
        .header(ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, HeaderValue::from_bytes(cookie)?);
    }
    if let Some(body) = body {
        request = request.header(CONTENT_TYPE, "application/json").body(body);
    }
    let bytes = request.send().await?.bytes().await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// PUTs the accept of a login or consent request and answers with the redirect Hydra gave.
async fn accept(
    up: &Upstreams,
    flow: &str,
    challenge: &str,
    body: serde_json::Value,
) -> Result<HttpResponse, Failed> {
    let url = format!(
        "{}/admin/oauth2/auth/requests/{flow}/accept?{flow}_challenge={challenge}",
        up.hydra
    );
    let done: Redirect = call(up, Method::PUT, url, None, Some(serde_json::to_vec(&body)?)).await?;
    Ok(HttpResponse::Found()
        .insert_header(("location", done.redirect_to))
        .finish())
}

async fn login(up: web::Data<Upstreams>, req: HttpRequest, q: web::Query<Query>) -> HttpResponse {
    let challenge = q.login_challenge.clone().unwrap_or_default();
    let flow = async {
        let url = format!(
            "{}/admin/oauth2/auth/requests/login?login_challenge={challenge}",
            up.hydra
        );
        let request: LoginRequest = call(&up, Method::GET, url, None, None).await?;
        let url = format!("{}/sessions/whoami", up.kratos_public);
        let session: Session = call(
            &up,
            Method::GET,
            url,
            req.headers().get("cookie").map(|c| c.as_bytes()),
            None,
        )
        .await?;
        let subject = match session.identity.external_id {
            Some(id) if session.active && !id.is_empty() => id,
            _ => session.identity.id,
        };
        let body = serde_json::json!({
            "subject": if request.skip { request.subject } else { subject },
            "remember": false,
            "context": {"client": request.client.client_id},
        });
        accept(&up, "login", &challenge, body).await
    };
    flow.await
        .unwrap_or_else(|_| HttpResponse::BadGateway().finish())
}

async fn consent(up: web::Data<Upstreams>, q: web::Query<Query>) -> HttpResponse {
    let challenge = q.consent_challenge.clone().unwrap_or_default();
    let flow = async {
        let url = format!(
            "{}/admin/oauth2/auth/requests/consent?consent_challenge={challenge}",
            up.hydra
        );
        let request: ConsentRequest = call(&up, Method::GET, url, None, None).await?;
        let url = format!(
            "{}/admin/identities/{}",
            up.kratos_admin, request.context.identity_id
        );
        let identity: Identity = call(&up, Method::GET, url, None, None).await?;
        let body = serde_json::json!({
            "grant_scope": request.requested_scope,
            "remember": request.skip,
            "session": {"id_token": {"email": identity.traits.get("email"), "client": request.client.client_id}},
        });
        accept(&up, "consent", &challenge, body).await
    };
    flow.await
        .unwrap_or_else(|_| HttpResponse::BadGateway().finish())
}

fn env(name: &str) -> std::io::Result<String> {
    std::env::var(name).map_err(|_| std::io::Error::other(format!("{name} is not set")))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = env("FLOOR_PORT")?.parse().map_err(std::io::Error::other)?;
    let (hydra, kratos_public, kratos_admin) = (
        env("HYDRA_ADMIN_URL")?,
        env("KRATOS_PUBLIC_URL")?,
        env("KRATOS_ADMIN_URL")?,
    );
    // The bridge's pool settings (src/ory/http/mod.rs).
    let client = Client::builder()
        .http1_only()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build()
        .map_err(std::io::Error::other)?;
    HttpServer::new(move || {
        let upstreams = Upstreams {
            client: client.clone(),
            hydra: hydra.clone(),
            kratos_public: kratos_public.clone(),
            kratos_admin: kratos_admin.clone(),
        };
        App::new()
            .app_data(web::Data::new(upstreams))
            .route("/login", web::get().to(login))
            .route("/consent", web::get().to(consent))
            .route("/health/ready", web::get().to(HttpResponse::Ok))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
