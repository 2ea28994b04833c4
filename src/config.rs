//! Settings: one YAML file, overridden by `BRIDGE__SECTION__KEY` environment variables.
//!
//! Every key has a default except the upstream URLs and `serve.base_url`, which the operator must give.
//! Unknown keys are refused so that a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::subject::SubjectSource;

/// Prefix of environment overrides: `BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID=true`.
pub const ENV_PREFIX: &str = "BRIDGE";
const ENV_SEPARATOR: &str = "__";
/// Keys whose environment override is a comma-separated list.
const ENV_LIST_KEYS: &[&str] = &[
    "consent.trusted_clients",
    "kratos.identity_schemas",
    "secrets.signing_keys",
];
/// The shortest signing key accepted: HS256 wants at least 256 bits.
pub const MIN_SIGNING_KEY_BYTES: usize = 32;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub serve: ServeSettings,
    pub hydra: HydraSettings,
    pub kratos: KratosSettings,
    #[serde(default)]
    pub oauth2_provider: OAuth2ProviderSettings,
    #[serde(default)]
    pub login: LoginSettings,
    #[serde(default)]
    pub consent: ConsentSettings,
    #[serde(default)]
    pub claims: ClaimsSettings,
    #[serde(default)]
    pub logout: LogoutSettings,
    #[serde(default)]
    pub error: ErrorPageSettings,
    #[serde(default)]
    pub upstream: UpstreamSettings,
    #[serde(default)]
    pub secrets: SecretsSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// `host:port` of a separate listener for `/metrics`; unset serves it on the main port.
    #[serde(default)]
    pub address: Option<String>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            address: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSettings {
    #[serde(default = "default_host")]
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// How browsers reach the bridge; the base of every URL it hands to Kratos.
    pub base_url: Url,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[serde(default = "default_shutdown_timeout")]
    pub shutdown_timeout_secs: u64,
    /// Worker threads; 0 means one per CPU core.
    #[serde(default)]
    pub workers: usize,
    /// The longest a browser waits for an answer, however many upstream calls it takes (504 after).
    #[serde(default = "default_total_timeout")]
    pub request_timeout_ms: u64,
    /// Seconds a page's form (consent, logout confirmation) stays valid.
    #[serde(default = "default_form_ttl")]
    pub form_ttl_secs: u64,
    /// Largest form body accepted (forms carry the challenge).
    #[serde(default = "default_max_form")]
    pub max_form_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HydraSettings {
    pub admin_url: Url,
    /// Sent as `Authorization: Bearer …` on every admin call (Ory Network API key).
    #[serde(default)]
    pub admin_token: Option<SecretString>,
    /// Extra headers on every admin call.
    #[serde(default)]
    pub admin_headers: BTreeMap<String, SecretString>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KratosSettings {
    /// Server-to-server public API: whoami.
    pub public_url: Url,
    /// Admin API: identity lookups, session revocation.
    pub admin_url: Url,
    /// Base of browser redirects to self-service flows.
    pub browser_url: Url,
    #[serde(default)]
    pub admin_token: Option<SecretString>,
    #[serde(default)]
    pub admin_headers: BTreeMap<String, SecretString>,
    /// Name of Kratos's session cookie (`session.cookie.name` in Kratos).
    #[serde(default = "default_session_cookie")]
    pub session_cookie_name: String,
    /// When non-empty, the only `identity_schema` values passed on to Kratos.
    #[serde(default)]
    pub identity_schemas: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2ProviderSettings {
    /// Shorthand for `subject_source: external_id_or_id`.
    #[serde(default)]
    pub use_external_id: bool,
    #[serde(default)]
    pub subject_source: Option<SubjectSource>,
}

impl OAuth2ProviderSettings {
    /// The effective rule: `subject_source` when set, else what `use_external_id` means.
    pub fn subject_source(&self) -> SubjectSource {
        match (self.subject_source, self.use_external_id) {
            (Some(source), _) => source,
            (None, true) => SubjectSource::ExternalIdOrId,
            (None, false) => SubjectSource::Id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Reauthenticate {
    /// Accept an existing Kratos session unless the request demands more (prompt=login, max_age, acr_values).
    #[default]
    WhenRequired,
    /// Accept a non-skipped login only right after a fresh Kratos login, as Kratos's own integration does.
    Always,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSettings {
    #[serde(default = "default_true")]
    pub remember: bool,
    /// Seconds Hydra remembers the login; unset means "until the Kratos session expires".
    #[serde(default)]
    pub remember_for: Option<u64>,
    #[serde(default)]
    pub reauthenticate: Reauthenticate,
    /// Seconds a re-authentication round trip through Kratos may take.
    #[serde(default = "default_reauth_ttl")]
    pub reauth_ttl_secs: u64,
    /// How far Kratos's clock may run behind the bridge's when judging whether a login is fresh.
    #[serde(default = "default_clock_skew")]
    pub clock_skew_secs: u64,
    /// Longest challenge accepted (Hydra v2.2+ challenges are 1 kB and more).
    #[serde(default = "default_challenge_max")]
    pub challenge_max_bytes: usize,
}

impl Default for LoginSettings {
    fn default() -> Self {
        Self {
            remember: true,
            remember_for: None,
            reauthenticate: Reauthenticate::default(),
            reauth_ttl_secs: default_reauth_ttl(),
            clock_skew_secs: default_clock_skew(),
            challenge_max_bytes: default_challenge_max(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSettings {
    /// Client ids whose consent is granted without asking.
    #[serde(default)]
    pub trusted_clients: Vec<String>,
    /// Seconds Hydra remembers a consent the user chose to remember; 0 = until revoked.
    #[serde(default = "default_consent_remember_for")]
    pub remember_for: u64,
    /// Whether "remember this decision" starts ticked on the consent page.
    #[serde(default)]
    pub remember_by_default: bool,
    /// Readable descriptions for scopes, added to or replacing the built-in ones.
    #[serde(default)]
    pub scope_descriptions: BTreeMap<String, String>,
}

impl Default for ConsentSettings {
    fn default() -> Self {
        Self {
            trusted_clients: Vec::new(),
            remember_for: default_consent_remember_for(),
            remember_by_default: false,
            scope_descriptions: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogoutSettings {
    /// Ask "Log out of <client>?" unless the client skips it or the logout is RP-initiated.
    #[serde(default = "default_true")]
    pub confirm: bool,
    /// Where "No, stay signed in" goes; unset shows a page linking to the home URL.
    #[serde(default)]
    pub cancel_url: Option<Url>,
}

impl Default for LogoutSettings {
    fn default() -> Self {
        Self {
            confirm: true,
            cancel_url: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorPageSettings {
    /// Show Hydra's `error_debug` on the error page (never in production).
    #[serde(default)]
    pub show_debug: bool,
    /// The "back" link of error pages; unset means `serve.base_url`.
    #[serde(default)]
    pub home_url: Option<Url>,
}

impl Settings {
    /// Where pages link a user who has nowhere else to go.
    pub fn home_url(&self) -> &Url {
        self.error.home_url.as_ref().unwrap_or(&self.serve.base_url)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsSettings {
    /// The OIDC standard claims for the `email`, `profile`, `phone` and `address` scopes, from traits.
    #[serde(default = "default_true")]
    pub standard: bool,
    #[serde(default)]
    pub mappings: Vec<ClaimMapping>,
}

impl Default for ClaimsSettings {
    fn default() -> Self {
        Self {
            standard: true,
            mappings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClaimTarget {
    #[default]
    IdToken,
    AccessToken,
    Both,
}

/// One configured claim: where its value comes from, which scope releases it, and for whom.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimMapping {
    pub claim: String,
    pub source: crate::claims::ClaimSource,
    /// The claim is released only when this scope is granted.
    pub scope: String,
    /// Only for identities of these schemas (empty: all).
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Only for these OAuth2 clients (empty: all).
    #[serde(default)]
    pub clients: Vec<String>,
    #[serde(default)]
    pub token: ClaimTarget,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamSettings {
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_ms: u64,
    /// Whole-call limit for one upstream request, body included.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// Largest upstream response body read.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
}

impl Default for UpstreamSettings {
    fn default() -> Self {
        Self {
            connect_timeout_ms: default_connect_timeout(),
            request_timeout_ms: default_request_timeout(),
            max_body_bytes: default_max_body(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSettings {
    /// HMAC keys for the bridge's signed tokens: sign with the first, verify with all.
    /// Empty: a random key is generated at start (tokens then do not survive a restart or cross replicas).
    #[serde(default)]
    pub signing_keys: Vec<SecretString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Json,
    Pretty,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    #[serde(default)]
    pub format: LogFormat,
    /// A tracing filter; `RUST_LOG` wins when set.
    #[serde(default = "default_log_level")]
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::default(),
            level: default_log_level(),
        }
    }
}

fn default_host() -> String {
    "127.0.0.1".into()
}
fn default_port() -> u16 {
    3000
}
fn default_shutdown_timeout() -> u64 {
    30
}
fn default_session_cookie() -> String {
    "ory_kratos_session".into()
}
fn default_true() -> bool {
    true
}
fn default_reauth_ttl() -> u64 {
    30 * 60
}
fn default_clock_skew() -> u64 {
    5
}
fn default_challenge_max() -> usize {
    64 * 1024
}
fn default_consent_remember_for() -> u64 {
    30 * 24 * 3600
}
fn default_total_timeout() -> u64 {
    15_000
}
fn default_form_ttl() -> u64 {
    3600
}
fn default_max_form() -> usize {
    256 * 1024
}
fn default_connect_timeout() -> u64 {
    2_000
}
fn default_request_timeout() -> u64 {
    10_000
}
fn default_max_body() -> usize {
    1024 * 1024
}
fn default_log_level() -> String {
    "info".into()
}

/// Why the settings could not be loaded; always names the file, and the key where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {file}: cannot be read: {reason}")]
    Unreadable { file: PathBuf, reason: String },
    #[error("config file {file}: {reason}")]
    Syntax { file: PathBuf, reason: String },
    #[error("config file {file}: key `{key}`: {reason}")]
    Key {
        file: PathBuf,
        key: String,
        reason: String,
    },
}

impl Settings {
    /// Loads `path`, applies `BRIDGE__*` overrides from `env`, and validates.
    pub fn load(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let file = path.to_path_buf();
        if let Err(e) = std::fs::metadata(path).and_then(|m| {
            if m.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a regular file"))
            }
        }) {
            return Err(ConfigError::Unreadable {
                file,
                reason: e.to_string(),
            });
        }
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}{ENV_SEPARATOR}")))
            .collect();
        let env_names: Vec<String> = env.keys().cloned().collect();
        let mut environment = config::Environment::with_prefix(ENV_PREFIX)
            .prefix_separator(ENV_SEPARATOR)
            .separator(ENV_SEPARATOR)
            .try_parsing(true)
            .list_separator(",")
            .source(Some(env));
        for key in ENV_LIST_KEYS {
            environment = environment.with_list_parse_key(key);
        }
        let raw = config::Config::builder()
            .add_source(config::File::from(path).format(config::FileFormat::Yaml))
            .add_source(environment)
            .build()
            .map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                reason: e.to_string(),
            })?;
        let settings: Settings = serde_path_to_error::deserialize(raw).map_err(|e| {
            let key = e.path().to_string();
            let mut reason = strip_config_origin(&e.inner().to_string());
            if let Some(var) = env_var_for(&env_names, &key) {
                reason.push_str(&format!(" (set by environment variable {var})"));
            }
            ConfigError::Key {
                file: file.clone(),
                key,
                reason,
            }
        })?;
        settings
            .validate()
            .map_err(|(key, reason)| ConfigError::Key { file, key, reason })?;
        Ok(settings)
    }

    /// Checks that types alone cannot express. Returns the offending key and why.
    fn validate(&self) -> Result<(), (String, String)> {
        self.validate_basics()
            .map_err(|(k, r)| (k.to_string(), r))?;
        self.validate_claims()
    }

    fn validate_claims(&self) -> Result<(), (String, String)> {
        for (i, mapping) in self.claims.mappings.iter().enumerate() {
            let key = format!("claims.mappings[{i}]");
            if !crate::claims::is_valid_claim_name(&mapping.claim) {
                return Err((
                    format!("{key}.claim"),
                    format!("`{}` is not a claim name", mapping.claim),
                ));
            }
            if crate::claims::is_reserved(&mapping.claim) {
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
        if self.serve.form_ttl_secs == 0 {
            return Err((
                "serve.form_ttl_secs".into(),
                "must be greater than 0".into(),
            ));
        }
        if self.serve.max_form_bytes < self.login.challenge_max_bytes {
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
            if !crate::challenge::is_valid_identity_schema(schema) {
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
        if self.login.clock_skew_secs > 300 {
            return Err((
                "login.clock_skew_secs",
                "must be at most 300; fix the clocks instead".into(),
            ));
        }
        if self.login.reauth_ttl_secs == 0 {
            return Err(("login.reauth_ttl_secs", "must be greater than 0".into()));
        }
        if self.serve.request_timeout_ms == 0 {
            return Err(("serve.request_timeout_ms", "must be greater than 0".into()));
        }
        if self.upstream.connect_timeout_ms == 0 || self.upstream.request_timeout_ms == 0 {
            return Err((
                "upstream.request_timeout_ms",
                "timeouts must be greater than 0".into(),
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
        for (key, headers) in [
            ("hydra.admin_headers", &self.hydra.admin_headers),
            ("kratos.admin_headers", &self.kratos.admin_headers),
        ] {
            for (name, value) in headers {
                let valid_name = hyper::header::HeaderName::from_bytes(name.as_bytes()).is_ok();
                let valid_value =
                    hyper::header::HeaderValue::from_str(value.expose_secret()).is_ok();
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
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err((
                "log.level",
                format!("`{}` is not a valid log filter", self.log.level),
            ));
        }
        Ok(())
    }

    pub fn address(&self) -> String {
        format!("{}:{}", self.serve.host, self.serve.port)
    }
}

/// The `BRIDGE__*` variable that set `key` (or a key below it), if one did.
fn env_var_for<'a>(names: &'a [String], key: &str) -> Option<&'a str> {
    let wanted = format!(
        "{ENV_PREFIX}{ENV_SEPARATOR}{}",
        key.to_uppercase().replace('.', ENV_SEPARATOR)
    );
    names
        .iter()
        .find(|n| {
            n.to_uppercase() == wanted
                || n.to_uppercase()
                    .starts_with(&format!("{wanted}{ENV_SEPARATOR}"))
        })
        .map(String::as_str)
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

/// The `config` crate appends "for key `x` in file"; the path is printed by us already.
fn strip_config_origin(msg: &str) -> String {
    msg.split(" for key `").next().unwrap_or(msg).to_string()
}

/// Joins a path onto a configured base URL, keeping any path prefix the base has
/// (`https://example.com/auth` + `/login` = `https://example.com/auth/login`).
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

pub fn join_url(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!(
        "{}/{}",
        base.path().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    url.set_path(&joined);
    url
}

/// A printable view of the settings with every secret masked.
pub struct Redacted<'a>(pub &'a Settings);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(
            f,
            "serve={}:{} base_url={} hydra.admin_url={} kratos.public_url={} kratos.admin_url={} \
             kratos.browser_url={} subject_source={:?} reauthenticate={:?} signing_keys={}",
            s.serve.host,
            s.serve.port,
            s.serve.base_url,
            s.hydra.admin_url,
            s.kratos.public_url,
            s.kratos.admin_url,
            s.kratos.browser_url,
            s.oauth2_provider.subject_source(),
            s.login.reauthenticate,
            s.secrets.signing_keys.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_url_keeps_prefix() {
        let base = Url::parse("https://example.com/auth/").unwrap();
        assert_eq!(
            join_url(&base, "/login").as_str(),
            "https://example.com/auth/login"
        );
        let base = Url::parse("http://127.0.0.1:3000").unwrap();
        assert_eq!(
            join_url(&base, "login").as_str(),
            "http://127.0.0.1:3000/login"
        );
    }

    use proptest::prelude::*;

    const GOOD: &str = "serve:\n  base_url: http://127.0.0.1:3000\nhydra:\n  admin_url: http://127.0.0.1:4445\n\
kratos:\n  public_url: http://127.0.0.1:4433\n  admin_url: http://127.0.0.1:4434\n  browser_url: http://127.0.0.1:4433\n";

    fn load_str(yaml: &str, env: Vec<(String, String)>) -> Result<Settings, ConfigError> {
        let dir = std::env::temp_dir().join(format!("khb-config-prop-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{:x}.yaml", Sha256Lite::of(yaml)));
        std::fs::write(&path, yaml).unwrap();
        let result = Settings::load(&path, env);
        let _ = std::fs::remove_file(&path);
        result
    }

    /// A file name per content, so parallel cases never share a file.
    struct Sha256Lite;
    impl Sha256Lite {
        fn of(s: &str) -> u64 {
            s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            })
        }
    }

    #[test]
    fn the_good_config_loads() {
        let s = load_str(GOOD, vec![]).unwrap();
        assert_eq!(s.oauth2_provider.subject_source(), SubjectSource::Id);
        let s = load_str(
            GOOD,
            vec![(
                "BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID".into(),
                "true".into(),
            )],
        )
        .unwrap();
        assert_eq!(
            s.oauth2_provider.subject_source(),
            SubjectSource::ExternalIdOrId
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// No file content makes loading panic; a refusal always names the file.
        #[test]
        fn arbitrary_yaml_never_panics(extra in "\\PC{0,120}") {
            let yaml = format!("{GOOD}{extra}");
            if let Err(e) = load_str(&yaml, vec![]) {
                prop_assert!(e.to_string().contains("config file"));
            }
        }

        /// Any value for any known key, from the environment, is either accepted or refused with the
        /// key and the variable named.
        #[test]
        fn arbitrary_env_values_are_accepted_or_named(
            key in prop_oneof![
                Just("SERVE__PORT"), Just("SERVE__BASE_URL"), Just("HYDRA__ADMIN_URL"),
                Just("OAUTH2_PROVIDER__USE_EXTERNAL_ID"), Just("OAUTH2_PROVIDER__SUBJECT_SOURCE"),
                Just("LOGIN__REMEMBER_FOR"), Just("LOGIN__REAUTHENTICATE"), Just("UPSTREAM__REQUEST_TIMEOUT_MS"),
                Just("CONSENT__TRUSTED_CLIENTS"), Just("LOG__LEVEL"), Just("METRICS__ADDRESS")
            ],
            value in "[ -~]{0,40}",
        ) {
            let var = format!("BRIDGE__{key}");
            match load_str(GOOD, vec![(var.clone(), value)]) {
                Ok(_) => {}
                Err(e) => {
                    let text = e.to_string();
                    let dotted = key.to_lowercase().replace("__", ".");
                    prop_assert!(text.contains(&dotted) || text.contains(&var), "{}", text);
                }
            }
        }
    }

    #[test]
    fn strip_origin() {
        assert_eq!(
            strip_config_origin(
                "invalid type: string \"x\", expected a boolean for key `a.b` in f"
            ),
            "invalid type: string \"x\", expected a boolean"
        );
    }
}
