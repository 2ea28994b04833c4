//! Settings: one YAML file, overridden by `BRIDGE__SECTION__KEY` environment variables.
//!
//! Every key has a default except the upstream URLs, `kratos.browser_url` and `serve.base_url`, which
//! the operator must give.
//! Unknown keys are refused so that a typo never silently falls back to a default.

use std::fmt;

use serde::Deserialize;
use url::Url;

mod apps;
mod brand;
pub mod device;
mod load;
mod policies;
mod proxies;
mod sections;
mod traces;
mod ui;
mod units;
mod validate;

pub use apps::AppsSettings;
pub use brand::{BrandSettings, LoadedBrand, LogoFile};
pub use load::{ConfigError, ENV_PREFIX};
pub use policies::{Policies, ScopeDescriptions};
pub use proxies::TrustedProxy;
pub use sections::*;
pub use traces::{OtlpExport, Sampler, TracingSettings};
pub use ui::*;

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
    #[serde(default)]
    pub health: HealthSettings,
    #[serde(default)]
    pub device: device::DeviceSettings,
    #[serde(default)]
    pub ui: UiSettings,
    #[serde(default)]
    pub brand: BrandSettings,
    #[serde(default)]
    pub apps: AppsSettings,
    #[serde(default)]
    pub tracing: TracingSettings,
}

impl Settings {
    /// Where pages link a user who has nowhere else to go.
    pub fn home_url(&self) -> &Url {
        self.error.home_url.as_ref().unwrap_or(&self.serve.base_url)
    }

    /// The upstream APIs the bridge calls.
    pub fn upstream_urls(&self) -> [&Url; 3] {
        [
            &self.hydra.admin_url,
            &self.kratos.public_url,
            &self.kratos.admin_url,
        ]
    }

    pub fn address(&self) -> String {
        format!("{}:{}", self.serve.host, self.serve.port)
    }
}

/// Joins a path onto a configured base URL, keeping any path prefix the base has
/// (`https://example.com/auth` + `/login` = `https://example.com/auth/login`).
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
}
