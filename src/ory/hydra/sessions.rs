//! A subject's consent sessions on Hydra's admin API: read (every page) and revoked, which also
//! revokes the access and refresh tokens they issued.

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ErrorBody, HydraClient, HydraError, OAuth2Client};
use crate::ory::http::{Call, ErrorKind, Request, Response};
use domain::identity::null_as_default;

const SESSIONS: &str = "/admin/oauth2/auth/sessions/consent";
/// Hydra v26.2.0's own default; a page of 500 (its most) would hold about 1.3 MB of JSON, more
/// than `upstream.max_body_bytes` allows by default.
const PAGE_SIZE: &str = "100";
/// More pages than this (20,000 grants of one person) is an answer nobody should get.
const MAX_PAGES: usize = 200;

/// `oAuth2ConsentSession`, the fields the page reads.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsentSession {
    #[serde(default, deserialize_with = "null_as_default")]
    pub grant_scope: Vec<String>,
    /// Hydra's `nullTime`: `null` when unset; a value that is no RFC 3339 time counts as unset.
    #[serde(default, deserialize_with = "lenient_time")]
    pub handled_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub remember: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub remember_for: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub consent_request: SessionRequest,
}

/// The consent request a session came from: where its client is.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionRequest {
    #[serde(default, deserialize_with = "null_as_default")]
    pub client: OAuth2Client,
}

fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok()))
}

/// The `page_token` of the `rel="next"` link of a `Link` header (`<url>; rel="next", …`).
pub fn next_page_token(link: &str) -> Option<String> {
    link.split('<').skip(1).find_map(|part| {
        let (target, params) = part.split_once('>')?;
        let next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        if !next {
            return None;
        }
        let query = target.split_once('?').map_or("", |(_, q)| q);
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "page_token")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    })
}

fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

impl HydraClient {
    /// `GET /admin/oauth2/auth/sessions/consent?subject=S`, following `Link: …; rel="next"` until
    /// the last page: every consent session Hydra keeps for the subject.
    pub async fn list_consent_sessions(
        &self,
        subject: &str,
    ) -> Result<Vec<ConsentSession>, HydraError> {
        let call = Call::new("hydra", "list_consent_sessions");
        let mut sessions = Vec::new();
        let mut token: Option<String> = None;
        // Every page asked for: a Hydra whose links go round in a circle is caught at once.
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let mut pairs = vec![("subject", subject), ("page_size", PAGE_SIZE)];
            if let Some(token) = &token {
                pairs.push(("page_token", token));
            }
            let target = self.admin.target(&format!("{SESSIONS}?{}", query(&pairs)));
            let request = Request::new(Method::GET, &self.admin, target);
            let response = self.upstream.send(call, request).await?;
            let response = self.sessions_answer(call, response)?;
            let next = response.link().and_then(next_page_token);
            let page: Vec<ConsentSession> = self.upstream.read_json(call, response)?;
            sessions.extend(page);
            match next {
                None => return Ok(sessions),
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(call
                        .error(ErrorKind::InvalidBody(
                            "the next page is one already read".into(),
                        ))
                        .into());
                }
                Some(next) => token = Some(next),
            }
        }
        Err(call
            .error(ErrorKind::InvalidBody(format!(
                "more than {MAX_PAGES} pages of consent sessions"
            )))
            .into())
    }

    /// `DELETE /admin/oauth2/auth/sessions/consent?subject=S&client=C`, or with `all=true` instead
    /// of a client: the subject's consent sessions of that client (or of every client) go, and
    /// with them the access and refresh tokens they issued. Hydra answers 204 whether or not there
    /// was any, so a repeat is harmless.
    pub async fn revoke_consent_sessions(
        &self,
        subject: &str,
        client: Option<&str>,
    ) -> Result<(), HydraError> {
        let call = Call::new("hydra", "revoke_consent_sessions");
        let pairs = match client {
            Some(client) => [("subject", subject), ("client", client)],
            None => [("subject", subject), ("all", "true")],
        };
        let target = self.admin.target(&format!("{SESSIONS}?{}", query(&pairs)));
        let request = Request::new(Method::DELETE, &self.admin, target);
        let response = self.upstream.send(call, request).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(());
        }
        self.sessions_answer(call, response).map(|_| ())
    }

    /// A 2xx answer, or Hydra's refusal (4xx, with its error) or failure.
    fn sessions_answer(&self, call: Call, response: Response) -> Result<Response, HydraError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status.is_client_error() {
            let body: ErrorBody = self.upstream.read_json(call, response).unwrap_or_default();
            return Err(HydraError::Refused {
                operation: call.operation,
                status: status.as_u16(),
                error: format!("{} {}", body.error, body.error_description)
                    .trim()
                    .to_string(),
            });
        }
        Err(call.error(ErrorKind::Status(status)).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_read_from_the_link_header() {
        let first = "</admin/oauth2/auth/sessions/consent?page_size=1&page_token=abc&subject=s>; rel=\"first\"";
        let next = "</admin/oauth2/auth/sessions/consent?page_size=1&page_token=eyJ0%3D&subject=s>; rel=\"next\"";
        assert_eq!(next_page_token(first), None);
        assert_eq!(
            next_page_token(&format!("{first},{next}")).as_deref(),
            Some("eyJ0=")
        );
        assert_eq!(
            next_page_token("<https://h/x?page_token=t1>; rel=next").as_deref(),
            Some("t1")
        );
        assert_eq!(
            next_page_token("<https://h/x?page_token=>; rel=\"next\""),
            None
        );
        assert_eq!(next_page_token("garbage"), None);
    }

    #[test]
    fn a_session_as_hydra_v26_lists_it() {
        let json = r#"[{"consent_request_id":"c1","grant_scope":["openid","email"],
            "grant_access_token_audience":[],"session":{"access_token":null,"id_token":null},
            "remember":true,"remember_for":3600,"handled_at":"2026-03-01T10:00:00.123456Z",
            "context":{},"consent_request":{"challenge":"","client":{"client_id":"shop",
            "client_name":"Shop","logo_uri":"","client_uri":"https://shop.example","policy_uri":"",
            "tos_uri":""}}},{"handled_at":null,"consent_request":null,"remember_for":null}]"#;
        let sessions: Vec<ConsentSession> = serde_json::from_str(json).unwrap();
        assert_eq!(sessions[0].consent_request.client.client_id, "shop");
        assert_eq!(sessions[0].grant_scope, ["openid", "email"]);
        assert!(sessions[0].handled_at.is_some());
        assert_eq!(sessions[1].handled_at, None);
        assert_eq!(sessions[1].consent_request.client.client_id, "");
    }
}
