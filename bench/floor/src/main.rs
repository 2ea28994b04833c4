//! The floor of the bridge's stack: actix-web serving, hyper-util's pooled client calling the stub,
//! serde_json decoding the fields a flow needs. A request makes the same three upstream calls as the
//! bridge's login and consent skip paths and answers with the same redirect; nothing else happens.
//! Ports come from FLOOR_PORT, HYDRA_ADMIN_URL, KRATOS_PUBLIC_URL and KRATOS_ADMIN_URL.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderValue};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde::de::DeserializeOwned;

struct Upstreams {
    client: Client<HttpConnector, Full<Bytes>>,
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
    method: &str,
    url: String,
    cookie: Option<&[u8]>,
    body: Option<Vec<u8>>,
) -> Result<T, Failed> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header(ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, HeaderValue::from_bytes(cookie)?);
    }
    if body.is_some() {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    let body = Full::new(Bytes::from(body.unwrap_or_default()));
    let answer = up.client.request(request.body(body)?).await?;
    let bytes = answer.into_body().collect().await?.to_bytes();
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
    let done: Redirect = call(up, "PUT", url, None, Some(serde_json::to_vec(&body)?)).await?;
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
        let request: LoginRequest = call(&up, "GET", url, None, None).await?;
        let url = format!("{}/sessions/whoami", up.kratos_public);
        let session: Session = call(
            &up,
            "GET",
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
        let request: ConsentRequest = call(&up, "GET", url, None, None).await?;
        let url = format!(
            "{}/admin/identities/{}",
            up.kratos_admin, request.context.identity_id
        );
        let identity: Identity = call(&up, "GET", url, None, None).await?;
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
    HttpServer::new(move || {
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        let upstreams = Upstreams {
            client: Client::builder(TokioExecutor::new()).build(tcp),
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
