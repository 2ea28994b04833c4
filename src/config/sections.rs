//! The sections of the settings file, each with its defaults.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

pub use domain::claims::{ClaimMapping, ClaimTarget, ClaimsSettings};
pub use domain::login::Reauthenticate;
use domain::subject::SubjectSource;

use super::units;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSettings {
    /// How long a `/health/ready` result is reused; 0 checks on every call (still one at a time).
    #[serde(
        rename = "ready_cache_ms",
        default = "default_ready_cache",
        deserialize_with = "units::millis"
    )]
    pub ready_cache: Duration,
}

impl Default for HealthSettings {
    fn default() -> Self {
        Self {
            ready_cache: default_ready_cache(),
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
    /// How long in-flight requests get to finish after SIGTERM/SIGINT.
    #[serde(
        rename = "shutdown_timeout_secs",
        default = "default_shutdown_timeout",
        deserialize_with = "units::secs"
    )]
    pub shutdown_timeout: Duration,
    /// Worker threads; 0 means one per CPU core.
    #[serde(default)]
    pub workers: usize,
    /// The longest a browser waits for an answer, however many upstream calls it takes (504 after).
    #[serde(
        rename = "request_timeout_ms",
        default = "default_total_timeout",
        deserialize_with = "units::positive_millis"
    )]
    pub request_timeout: Duration,
    /// How long a page's form (consent, logout confirmation, device code) stays valid, and the
    /// cookies that go with it.
    #[serde(
        rename = "form_ttl_secs",
        default = "default_form_ttl",
        deserialize_with = "units::positive_secs"
    )]
    pub form_ttl: Duration,
    /// Largest form body, and longest query string, accepted (both carry the challenge).
    #[serde(
        default = "default_max_form",
        deserialize_with = "units::nonzero_usize"
    )]
    pub max_form_bytes: NonZeroUsize,
    /// Proxies (networks or addresses) whose `X-Forwarded-For` is believed: a client is then the
    /// right-most address in it that is not one of them. Empty: the socket's peer, always.
    #[serde(default)]
    pub trusted_proxies: Vec<super::TrustedProxy>,
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
    /// How long a re-authentication round trip through Kratos may take.
    #[serde(
        rename = "reauth_ttl_secs",
        default = "default_reauth_ttl",
        deserialize_with = "units::positive_secs"
    )]
    pub reauth_ttl: Duration,
    /// How far Kratos's clock may run behind the bridge's when judging whether a login is fresh.
    #[serde(
        rename = "clock_skew_secs",
        default = "default_clock_skew",
        deserialize_with = "units::secs"
    )]
    pub clock_skew: Duration,
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
            reauth_ttl: default_reauth_ttl(),
            clock_skew: default_clock_skew(),
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
    #[serde(
        rename = "connect_timeout_ms",
        default = "default_connect_timeout",
        deserialize_with = "units::positive_millis"
    )]
    pub connect_timeout: Duration,
    /// Whole-call limit for one upstream request, body included.
    #[serde(
        rename = "request_timeout_ms",
        default = "default_request_timeout",
        deserialize_with = "units::positive_millis"
    )]
    pub request_timeout: Duration,
    /// Largest upstream response body read.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
}

impl Default for UpstreamSettings {
    fn default() -> Self {
        Self {
            connect_timeout: default_connect_timeout(),
            request_timeout: default_request_timeout(),
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
fn default_shutdown_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_session_cookie() -> String {
    "ory_kratos_session".into()
}
fn default_true() -> bool {
    true
}
fn default_reauth_ttl() -> Duration {
    Duration::from_secs(30 * 60)
}
fn default_clock_skew() -> Duration {
    Duration::from_secs(5)
}
fn default_challenge_max() -> usize {
    64 * 1024
}
fn default_consent_remember_for() -> u64 {
    30 * 24 * 3600
}
fn default_total_timeout() -> Duration {
    Duration::from_secs(15)
}
fn default_form_ttl() -> Duration {
    Duration::from_secs(3600)
}
fn default_max_form() -> NonZeroUsize {
    NonZeroUsize::new(256 * 1024).unwrap_or(NonZeroUsize::MIN)
}
fn default_connect_timeout() -> Duration {
    Duration::from_secs(2)
}
fn default_request_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_max_body() -> usize {
    1024 * 1024
}
fn default_ready_cache() -> Duration {
    Duration::from_secs(1)
}
fn default_log_level() -> String {
    "info".into()
}
