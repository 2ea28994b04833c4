//! Hydra's admin API: the login, consent and logout requests and their answers, and readiness.

pub mod device;
pub mod sessions;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::http::{Base, Call, ErrorKind, Request, Response, SetupError, Upstream, UpstreamError};
use crate::config::HydraSettings;
pub use domain::consent::plan::AcceptConsent;
use domain::identity::null_as_default;
pub use domain::login::AcceptLogin;

/// How Hydra answered about a flow, beyond plain success.
#[derive(Debug, thiserror::Error)]
pub enum HydraError {
    /// 404: unknown, garbled or foreign challenge.
    #[error("Hydra does not know this {0} request")]
    NotFound(&'static str),
    /// 401 `request_unauthorized`: the request is older than Hydra's `ttl.login_consent_request`.
    #[error("the {0} request has expired")]
    Expired(&'static str),
    /// 410: already handled; the browser goes back to where Hydra says.
    #[error("the {flow} request was already handled")]
    AlreadyHandled {
        flow: &'static str,
        redirect_to: String,
    },
    /// Another 4xx: Hydra refused what we sent. A bug here or a version mismatch, never the user's fault.
    #[error("Hydra refused the {operation} call with status {status}: {error}")]
    Refused {
        operation: &'static str,
        status: u16,
        error: String,
    },
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OAuth2Client {
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub logo_uri: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_uri: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub policy_uri: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tos_uri: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub skip_consent: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub skip_logout_consent: bool,
    /// `public` (also when empty) or `pairwise`: then Hydra obfuscates the subject per client.
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject_type: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OidcContext {
    #[serde(default, deserialize_with = "null_as_default")]
    pub acr_values: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub login_hint: String,
    /// The OIDC `ui_locales` of the authorization request, most preferred first; absent when it
    /// had none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ui_locales: Vec<String>,
    /// The claims of the `id_token_hint` the application sent (Hydra verified its signature);
    /// `null` when it sent none.
    #[serde(default)]
    pub id_token_hint_claims: serde_json::Value,
}

/// `oAuth2LoginRequest`, the fields the login flow reads.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginRequest {
    pub challenge: String,
    pub skip: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub client: OAuth2Client,
    pub request_url: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub oidc_context: OidcContext,
    #[serde(default, deserialize_with = "null_as_default")]
    pub requested_scope: Vec<String>,
}

/// `oAuth2ConsentRequest`, the fields the consent flow reads.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsentRequest {
    pub challenge: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub skip: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub client: OAuth2Client,
    #[serde(default, deserialize_with = "null_as_default")]
    pub requested_scope: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub requested_access_token_audience: Vec<String>,
    /// The authorization request as the application sent it, where `prompt` is read.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_url: String,
    /// What the login accept put in `context`; absent, `null` or any JSON.
    #[serde(default)]
    pub context: serde_json::Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub oidc_context: OidcContext,
}

/// `oAuth2LogoutRequest`, the fields the logout flow reads.
#[derive(Debug, Clone, Deserialize)]
pub struct LogoutRequest {
    /// Every Hydra version sends it; a body without it is not a logout request.
    pub challenge: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject: String,
    /// True only when the relying party sent a valid `id_token_hint`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub rp_initiated: bool,
    /// `null` for a logout the OpenID provider itself started.
    #[serde(default)]
    pub client: Option<OAuth2Client>,
}

/// `rejectOAuth2Request`.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub error: String,
    pub error_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
}

#[derive(Debug, Deserialize)]
struct RedirectTo {
    redirect_to: String,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

pub struct HydraClient {
    upstream: Upstream,
    /// The admin API, its requests carrying the admin headers.
    admin: Base,
}

const FLOW_PATH: &str = "/admin/oauth2/auth/requests";

impl HydraClient {
    pub fn new(upstream: Upstream, settings: &HydraSettings) -> Result<Self, SetupError> {
        let headers = super::http::admin_headers(
            "hydra",
            settings.admin_token.as_ref(),
            &settings.admin_headers,
        )?;
        Ok(Self {
            admin: upstream.base(&settings.admin_url, headers),
            upstream,
        })
    }

    /// `{admin}/admin/oauth2/auth/requests/{flow}[/{action}]?{flow}_challenge=C`, challenge
    /// form-encoded.
    fn flow_request(
        &self,
        method: Method,
        flow: &str,
        action: Option<&str>,
        challenge: &str,
    ) -> Request<'_> {
        let mut target = self.admin.target(FLOW_PATH);
        target.push('/');
        target.push_str(flow);
        if let Some(action) = action {
            target.push('/');
            target.push_str(action);
        }
        target.push('?');
        target.push_str(flow);
        target.push_str("_challenge=");
        target.extend(url::form_urlencoded::byte_serialize(challenge.as_bytes()));
        Request::new(method, &self.admin, target)
    }

    async fn get_flow<T: DeserializeOwned>(
        &self,
        flow: &'static str,
        operation: &'static str,
        challenge: &str,
    ) -> Result<T, HydraError> {
        let call = Call::new("hydra", operation);
        let request = self.flow_request(Method::GET, flow, None, challenge);
        let response = self.upstream.send(call, request).await?;
        self.answer(call, flow, response)
    }

    /// Accepts and rejects of login and consent requests are sent again where a lost connection
    /// allows it: Hydra (v2.2 on) keeps the flow in the challenge itself and stores nothing when it
    /// handles one, so a repeat gets the same kind of answer (its `HandleLoginRequest`,
    /// `HandleLoginError`, `HandleConsentRequest` and `HandleConsentError` all accept the state a
    /// repeat finds; `TestAcceptLoginRequestDouble`). The browser still goes only once.
    async fn put_flow<B: Serialize>(
        &self,
        flow: &'static str,
        action: &'static str,
        operation: &'static str,
        challenge: &str,
        body: &B,
    ) -> Result<String, HydraError> {
        let call = Call::new("hydra", operation);
        let body =
            serde_json::to_vec(body).map_err(|e| call.error(ErrorKind::Encode(e.to_string())))?;
        let request = self
            .flow_request(Method::PUT, flow, Some(action), challenge)
            .json(body)
            .repeatable();
        let response = self.upstream.send(call, request).await?;
        let answer: RedirectTo = self.answer(call, flow, response)?;
        Ok(answer.redirect_to)
    }

    /// Maps Hydra's statuses for flow endpoints (404 unknown, 401 expired, 410 handled) and decodes 200.
    fn answer<T: DeserializeOwned>(
        &self,
        call: Call,
        flow: &'static str,
        response: Response,
    ) -> Result<T, HydraError> {
        let status = response.status();
        match status {
            StatusCode::OK => Ok(self.upstream.read_json(call, response)?),
            StatusCode::NOT_FOUND => Err(HydraError::NotFound(flow)),
            // Hydra's expiry is 401 `request_unauthorized`; any other 401 (a wrong API key) is ours to fix.
            StatusCode::UNAUTHORIZED => {
                let body: ErrorBody = self.upstream.read_json(call, response).unwrap_or_default();
                if body.error == "request_unauthorized" {
                    Err(HydraError::Expired(flow))
                } else {
                    Err(HydraError::Refused {
                        operation: call.operation,
                        status: 401,
                        error: body.error,
                    })
                }
            }
            StatusCode::GONE => {
                let answer: RedirectTo = self.upstream.read_json(call, response)?;
                Err(HydraError::AlreadyHandled {
                    flow,
                    redirect_to: answer.redirect_to,
                })
            }
            s if s.is_client_error() => {
                let body: ErrorBody = self.upstream.read_json(call, response).unwrap_or_default();
                Err(HydraError::Refused {
                    operation: call.operation,
                    status: s.as_u16(),
                    error: format!("{} {}", body.error, body.error_description)
                        .trim()
                        .to_string(),
                })
            }
            s => Err(call.error(ErrorKind::Status(s)).into()),
        }
    }

    pub async fn get_login_request(&self, challenge: &str) -> Result<LoginRequest, HydraError> {
        self.get_flow("login", "get_login_request", challenge).await
    }

    /// Accepts the login; returns where Hydra wants the browser next.
    pub async fn accept_login_request(
        &self,
        challenge: &str,
        body: &AcceptLogin,
    ) -> Result<String, HydraError> {
        self.put_flow("login", "accept", "accept_login_request", challenge, body)
            .await
    }

    /// Rejects the login (the application gets the error); returns where Hydra wants the browser.
    pub async fn reject_login_request(
        &self,
        challenge: &str,
        body: &Reject,
    ) -> Result<String, HydraError> {
        self.put_flow("login", "reject", "reject_login_request", challenge, body)
            .await
    }

    pub async fn get_consent_request(&self, challenge: &str) -> Result<ConsentRequest, HydraError> {
        self.get_flow("consent", "get_consent_request", challenge)
            .await
    }

    pub async fn accept_consent_request(
        &self,
        challenge: &str,
        body: &AcceptConsent,
    ) -> Result<String, HydraError> {
        self.put_flow(
            "consent",
            "accept",
            "accept_consent_request",
            challenge,
            body,
        )
        .await
    }

    pub async fn reject_consent_request(
        &self,
        challenge: &str,
        body: &Reject,
    ) -> Result<String, HydraError> {
        self.put_flow(
            "consent",
            "reject",
            "reject_consent_request",
            challenge,
            body,
        )
        .await
    }

    pub async fn get_logout_request(&self, challenge: &str) -> Result<LogoutRequest, HydraError> {
        self.get_flow("logout", "get_logout_request", challenge)
            .await
    }

    /// Accepts the logout (no body); returns Hydra's `redirect_to` that completes it. Repeatable:
    /// Hydra marks the stored request accepted and answers with its stored verifier, the same each
    /// time.
    pub async fn accept_logout_request(&self, challenge: &str) -> Result<String, HydraError> {
        let call = Call::new("hydra", "accept_logout_request");
        let request = self
            .flow_request(Method::PUT, "logout", Some("accept"), challenge)
            .repeatable();
        let response = self.upstream.send(call, request).await?;
        let answer: RedirectTo = self.answer(call, "logout", response)?;
        Ok(answer.redirect_to)
    }

    /// Rejects the logout: the user stays signed in. Hydra answers 204 and no redirect. Not
    /// repeatable: Hydra answers a reject by the rows it changed, and a database that counts only
    /// changed rows (MySQL) makes a second one a 404.
    pub async fn reject_logout_request(&self, challenge: &str) -> Result<(), HydraError> {
        let call = Call::new("hydra", "reject_logout_request");
        let request = self.flow_request(Method::PUT, "logout", Some("reject"), challenge);
        let response = self.upstream.send(call, request).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(());
        }
        self.answer::<serde_json::Value>(call, "logout", response)
            .map(|_| ())
    }

    pub async fn ready(&self) -> Result<(), UpstreamError> {
        self.upstream
            .check_ready(
                Call::new("hydra", "health_ready"),
                &self.admin,
                "/health/ready",
            )
            .await
    }
}
