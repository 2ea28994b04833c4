//! Kratos's public API (whoami, browser logout) and admin API (identity lookups, session
//! revocation), and their readiness.

use actix_web::cookie::Cookie;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use super::http::{
    Base, Call, ErrorKind, Request, SetupError, Upstream, UpstreamError, encode_path,
};
use crate::config::KratosSettings;
pub use domain::identity::{
    AuthenticationMethod, Identity, KratosSession, Session, SessionIdentity, VerifiableAddress,
};

/// What Kratos's browser logout said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserLogout {
    /// The URL the browser must open to end its session (the token matches its cookie).
    Url(String),
    /// 401: the browser has no session any more.
    NoSession,
}

#[derive(Debug, Deserialize)]
struct LogoutFlow {
    logout_url: String,
}

#[derive(Debug, Default, Deserialize)]
struct KratosErrorBody {
    #[serde(default)]
    error: KratosErrorInner,
}

#[derive(Debug, Default, Deserialize)]
struct KratosErrorInner {
    #[serde(default)]
    id: String,
}

pub struct KratosClient {
    upstream: Upstream,
    /// Its requests carry `Accept: application/json`: without it Kratos answers some errors with
    /// redirects.
    public: Base,
    /// Its requests carry the admin headers.
    admin: Base,
    cookie_name: String,
}

impl KratosClient {
    pub fn new(upstream: Upstream, settings: &KratosSettings) -> Result<Self, SetupError> {
        let json = HeaderMap::from_iter([(ACCEPT, HeaderValue::from_static("application/json"))]);
        let admin_headers = super::http::admin_headers(
            "kratos",
            settings.admin_token.as_ref(),
            &settings.admin_headers,
        )?;
        Ok(Self {
            public: upstream.base(&settings.public_url, json),
            admin: upstream.base(&settings.admin_url, admin_headers),
            upstream,
            cookie_name: settings.session_cookie_name.clone(),
        })
    }

    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// `Cookie: <name>=<value>` carrying only the session cookie, marked sensitive so that no debug
    /// output shows it. `None` for a value no header can carry, which is no session either.
    fn cookie_header(&self, value: &str) -> Option<HeaderValue> {
        let cookie = Cookie::new(self.cookie_name.as_str(), value);
        let mut header = HeaderValue::from_str(&cookie.stripped().to_string()).ok()?;
        header.set_sensitive(true);
        Some(header)
    }

    /// `GET {public}/sessions/whoami` with only the session cookie forwarded: no cookie, or 401
    /// (expired, revoked, an inactive identity) is no session; 403 `session_aal2_required` one that
    /// waits for a second factor. `session_cookie` is the cookie's value; without one there is
    /// nothing to ask.
    pub async fn whoami(
        &self,
        session_cookie: Option<&str>,
    ) -> Result<KratosSession, UpstreamError> {
        let Some(value) = session_cookie else {
            return Ok(KratosSession::None);
        };
        let call = Call::new("kratos", "whoami");
        let Some(cookie) = self.cookie_header(value) else {
            return Ok(KratosSession::None);
        };
        let target = self.public.target("/sessions/whoami");
        let request = Request::new(Method::GET, &self.public, target).cookie(cookie);
        let response = self.upstream.send(call, request).await?;
        match response.status() {
            StatusCode::OK => {
                let session: Session = self.upstream.read_json(call, response)?;
                if session.active == Some(false) {
                    return Ok(KratosSession::None);
                }
                Ok(KratosSession::Active(Box::new(session)))
            }
            StatusCode::UNAUTHORIZED => Ok(KratosSession::None),
            StatusCode::FORBIDDEN => {
                let body: KratosErrorBody =
                    self.upstream.read_json(call, response).unwrap_or_default();
                if body.error.id == "session_aal2_required" {
                    Ok(KratosSession::Aal2Required)
                } else {
                    Err(call.error(ErrorKind::Status(StatusCode::FORBIDDEN)))
                }
            }
            status => Err(call.error(ErrorKind::Status(status))),
        }
    }

    /// `GET {public}/self-service/logout/browser?return_to=…` with the browser's session cookie and
    /// `Accept: application/json` (without it Kratos answers errors with redirects).
    pub async fn browser_logout(
        &self,
        session_cookie: Option<&str>,
        return_to: &str,
    ) -> Result<BrowserLogout, UpstreamError> {
        let Some(value) = session_cookie else {
            return Ok(BrowserLogout::NoSession);
        };
        let call = Call::new("kratos", "create_browser_logout_flow");
        let Some(cookie) = self.cookie_header(value) else {
            return Ok(BrowserLogout::NoSession);
        };
        let mut target = self
            .public
            .target("/self-service/logout/browser?return_to=");
        target.extend(url::form_urlencoded::byte_serialize(return_to.as_bytes()));
        let request = Request::new(Method::GET, &self.public, target).cookie(cookie);
        let response = self.upstream.send(call, request).await?;
        match response.status() {
            StatusCode::OK => {
                let flow: LogoutFlow = self.upstream.read_json(call, response)?;
                Ok(BrowserLogout::Url(flow.logout_url))
            }
            StatusCode::UNAUTHORIZED => Ok(BrowserLogout::NoSession),
            status => Err(call.error(ErrorKind::Status(status))),
        }
    }

    /// `DELETE {admin}/admin/sessions/{id}`: revokes one session. 404 means it is gone already.
    pub async fn revoke_session(&self, session_id: &str) -> Result<(), UpstreamError> {
        let call = Call::new("kratos", "disable_session");
        let Some(path) = encode_path(&["admin", "sessions", session_id]) else {
            // No session has such an id: there is nothing to revoke.
            return Ok(());
        };
        let target = self.admin.target(&path);
        let request =
            Request::new(Method::DELETE, &self.admin, target).template("/admin/sessions/{id}");
        let response = self.upstream.send(call, request).await?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::OK | StatusCode::NOT_FOUND => Ok(()),
            status => Err(call.error(ErrorKind::Status(status))),
        }
    }

    /// `GET {admin}/admin/identities/{id}`; `None` when Kratos knows no such identity.
    pub async fn identity_by_id(&self, id: &str) -> Result<Option<Identity>, UpstreamError> {
        self.admin_identity(
            Call::new("kratos", "get_identity"),
            &["admin", "identities", id],
            "/admin/identities/{id}",
        )
        .await
    }

    /// `GET {admin}/admin/identities/by/external/{external_id}` (Kratos v25.4+). Older Kratos has no such
    /// route and answers 404, the same as for an unknown external_id.
    pub async fn identity_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<Identity>, UpstreamError> {
        self.admin_identity(
            Call::new("kratos", "get_identity_by_external_id"),
            &["admin", "identities", "by", "external", external_id],
            "/admin/identities/by/external/{external_id}",
        )
        .await
    }

    async fn admin_identity(
        &self,
        call: Call,
        segments: &[&str],
        template: &'static str,
    ) -> Result<Option<Identity>, UpstreamError> {
        // Each segment is percent-encoded: an external_id may hold any character.
        let Some(path) = encode_path(segments) else {
            return Ok(None);
        };
        let target = self.admin.target(&path);
        let request = Request::new(Method::GET, &self.admin, target).template(template);
        let response = self.upstream.send(call, request).await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.upstream.read_json(call, response)?)),
            // 400 is Kratos's answer to an empty or malformed id: no such identity either.
            StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST => Ok(None),
            status => Err(call.error(ErrorKind::Status(status))),
        }
    }

    pub async fn public_ready(&self) -> Result<(), UpstreamError> {
        self.upstream
            .check_ready(
                Call::new("kratos", "public_health_ready"),
                &self.public,
                "/health/ready",
            )
            .await
    }

    pub async fn admin_ready(&self) -> Result<(), UpstreamError> {
        self.upstream
            .check_ready(
                Call::new("kratos", "admin_health_ready"),
                &self.admin,
                // The admin port answers /health/ready with a redirect to this path.
                "/admin/health/ready",
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_real_session_shape() {
        let json = r#"{"id":"s1","active":true,"expires_at":"2026-11-22T20:55:19.123456Z",
            "authenticated_at":"2026-11-21T20:55:19Z","authenticator_assurance_level":"aal1",
            "authentication_methods":[{"method":"password","aal":"aal1","completed_at":"2026-11-21T20:55:19Z"}],
            "issued_at":"2026-11-21T20:55:19Z","devices":[],
            "identity":{"id":"i1","schema_id":"default","schema_url":"x","state":"active",
              "traits":{"email":"a@b.c"},"metadata_public":null,"verifiable_addresses":[]}}"#;
        let s: Session = serde_json::from_str(json).unwrap();
        assert_eq!(s.identity.external_id, None);
        assert_eq!(s.authentication_methods[0].method, "password");
        assert!(s.authenticated_at.is_some());
    }
}
