//! The sections of the settings file, each with its defaults.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

pub use domain::claims::{ClaimMapping, ClaimTarget, ClaimsSettings};
pub use domain::login::Reauthenticate;
use domain::subject::SubjectSource;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSettings {
    /// How long a `/health/ready` result is reused; 0 checks on every call (still one at a time).
    #[serde(default = "default_ready_cache")]
    pub ready_cache_ms: u64,
}

impl Default for HealthSettings {
    fn default() -> Self {
        Self {
            ready_cache_ms: default_ready_cache(),
        }
    }
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
    /// Readable descriptions for scopes, added to or replacing the built-in ones; each a text for
    /// every language or a map of language tag to text.
    #[serde(default)]
    pub scope_descriptions: BTreeMap<String, super::LocalizedText>,
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
fn default_ready_cache() -> u64 {
    1_000
}
fn default_log_level() -> String {
    "info".into()
}
