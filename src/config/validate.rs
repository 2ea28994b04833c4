//! Checks of the loaded settings that types alone cannot express (ranges, and keys that depend on
//! each other); each refusal names its key. Zero durations and sizes are refused by their types
//! (`units`).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{MIN_SIGNING_KEY_BYTES, Settings};
use domain::subject::SubjectSource;

impl Settings {
    /// A token from a mounted secret usually ends in a newline, which no HTTP header can carry:
    /// whitespace around an admin token is never part of it, so it is dropped.
    pub(super) fn trim_admin_tokens(&mut self) {
        for token in [&mut self.hydra.admin_token, &mut self.kratos.admin_token]
            .into_iter()
            .flatten()
        {
            let trimmed = token.expose_secret().trim().to_owned();
            *token = SecretString::from(trimmed);
        }
    }

    /// Checks that types alone cannot express. Returns the offending key and why.
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        self.validate_basics()
            .map_err(|(k, r)| (k.to_string(), r))?;
        self.validate_claims()?;
        self.apps
            .check_path()
            .map_err(|reason| ("apps.path".to_string(), reason))?;
        self.device
            .validate()
            .map_err(|(k, r)| (k.to_string(), r))?;
        self.validate_ui()
    }

    fn validate_claims(&self) -> Result<(), (String, String)> {
        for (i, mapping) in self.claims.mappings.iter().enumerate() {
            let key = format!("claims.mappings[{i}]");
            if !domain::claims::is_valid_claim_name(&mapping.claim) {
                return Err((
                    format!("{key}.claim"),
                    format!("`{}` is not a claim name", mapping.claim),
                ));
            }
            if domain::claims::is_reserved(&mapping.claim) {
                return Err((
                    format!("{key}.claim"),
                    format!(
                        "`{}` is a reserved claim that Hydra sets itself",
                        mapping.claim
                    ),
                ));
            }
            if mapping.scope.is_empty() || mapping.scope.contains(' ') {
                return Err((format!("{key}.scope"), "must be one scope name".into()));
            }
        }
        if self.serve.max_form_bytes.get() < self.login.challenge_max_bytes {
            return Err((
                "serve.max_form_bytes".into(),
                "must be at least login.challenge_max_bytes (the form carries the challenge)"
                    .into(),
            ));
        }
        Ok(())
    }

    fn validate_basics(&self) -> Result<(), (&'static str, String)> {
        for (key, url) in [
            ("logout.cancel_url", self.logout.cancel_url.as_ref()),
            ("error.home_url", self.error.home_url.as_ref()),
        ] {
            if let Some(url) = url
                && !matches!(url.scheme(), "http" | "https")
            {
                return Err((key, format!("`{url}` must be an http or https URL")));
            }
        }
        for (key, url) in [
            ("serve.base_url", &self.serve.base_url),
            ("hydra.admin_url", &self.hydra.admin_url),
            ("kratos.public_url", &self.kratos.public_url),
            ("kratos.admin_url", &self.kratos.admin_url),
            ("kratos.browser_url", &self.kratos.browser_url),
        ] {
            check_base_url(url).map_err(|reason| (key, reason))?;
        }
        if self.oauth2_provider.use_external_id
            && self.oauth2_provider.subject_source == Some(SubjectSource::Id)
        {
            return Err((
                "oauth2_provider.subject_source",
                "is `id` while oauth2_provider.use_external_id is true; set only one of them"
                    .into(),
            ));
        }
        let cookie = &self.kratos.session_cookie_name;
        if cookie.is_empty() || !cookie.bytes().all(is_cookie_name_byte) {
            return Err((
                "kratos.session_cookie_name",
                "must be a non-empty cookie name (letters, digits, `-`, `_`, `.`)".into(),
            ));
        }
        for schema in &self.kratos.identity_schemas {
            if !domain::params::is_valid_identity_schema(schema) {
                return Err((
                    "kratos.identity_schemas",
                    format!("`{schema}` is not a schema id (up to 64 of A-Z a-z 0-9 . _ -)"),
                ));
            }
        }
        if self.login.challenge_max_bytes < 64 {
            return Err((
                "login.challenge_max_bytes",
                "must be at least 64 (Hydra v2.2+ challenges are 1 kB and more)".into(),
            ));
        }
        if self.login.clock_skew > Duration::from_secs(300) {
            return Err((
                "login.clock_skew_secs",
                "must be at most 300; fix the clocks instead".into(),
            ));
        }
        if self.upstream.max_body_bytes < 1024 {
            return Err(("upstream.max_body_bytes", "must be at least 1024".into()));
        }
        for key in &self.secrets.signing_keys {
            if key.expose_secret().len() < MIN_SIGNING_KEY_BYTES {
                return Err((
                    "secrets.signing_keys",
                    format!("every key must be at least {MIN_SIGNING_KEY_BYTES} bytes long"),
                ));
            }
        }
        // A token that cannot be sent is refused here: requests never go out without it.
        for (key, token) in [
            ("hydra.admin_token", &self.hydra.admin_token),
            ("kratos.admin_token", &self.kratos.admin_token),
        ] {
            let Some(token) = token.as_ref().map(ExposeSecret::expose_secret) else {
                continue;
            };
            if token.is_empty() {
                return Err((key, "is empty; leave it out when no token is needed".into()));
            }
            if reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
                return Err((
                    key,
                    "holds a character no HTTP header can carry (a line break or other control \
                     character inside the token)"
                        .into(),
                ));
            }
        }
        for (key, headers) in [
            ("hydra.admin_headers", &self.hydra.admin_headers),
            ("kratos.admin_headers", &self.kratos.admin_headers),
        ] {
            for (name, value) in headers {
                let valid_name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok();
                let valid_value =
                    reqwest::header::HeaderValue::from_str(value.expose_secret()).is_ok();
                if !valid_name || !valid_value {
                    return Err((key, format!("header `{name}` is not a valid HTTP header")));
                }
                // The client sets these itself; a second copy would confuse the framing of pooled
                // connections or be refused by the server.
                if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                    return Err((
                        key,
                        format!(
                            "header `{name}` is set by the bridge itself and cannot be configured"
                        ),
                    ));
                }
            }
        }
        if let Some(address) = &self.metrics.address
            && address.parse::<std::net::SocketAddr>().is_err()
            && address
                .rsplit_once(':')
                .is_none_or(|(_, port)| port.parse::<u16>().is_err())
        {
            return Err(("metrics.address", format!("`{address}` is not host:port")));
        }
        if self.health.ready_cache > Duration::from_secs(60) {
            return Err((
                "health.ready_cache_ms",
                "must be at most 60000: a readiness older than a minute tells nothing".into(),
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err((
                "log.level",
                format!("`{}` is not a valid log filter", self.log.level),
            ));
        }
        Ok(())
    }
}

fn is_cookie_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

fn check_base_url(url: &Url) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{url}` must be an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{url}` must not carry a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; use the *_token or *_headers keys".into());
    }
    Ok(())
}

/// Headers of the connection and message framing, which the upstream client writes itself.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "proxy-connection",
];
