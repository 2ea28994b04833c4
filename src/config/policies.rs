//! The decisions' policies, built from the settings once at start and held in the application
//! state: what a flow's plan reads of the configuration, in the domain's own types.

use std::collections::BTreeMap;

use domain::apps::AppsPolicy;
use domain::consent::ConsentPolicy;
use domain::device::DevicePolicy;
use domain::login::{LoginPolicy, Remember};
use domain::logout::LogoutPolicy;

use super::{LocalizedText, Settings};

/// Every flow's policy.
#[derive(Debug, Clone)]
pub struct Policies {
    pub login: LoginPolicy,
    pub consent: ConsentPolicy,
    pub logout: LogoutPolicy,
    pub device: DevicePolicy,
    pub apps: AppsPolicy,
    /// The consent page's descriptions of scopes.
    pub scope_descriptions: ScopeDescriptions,
}

/// `consent.scope_descriptions`, with the language they fall back to (`ui.default_locale`).
#[derive(Debug, Clone, Default)]
pub struct ScopeDescriptions {
    pub configured: BTreeMap<String, LocalizedText>,
    pub default_lang: String,
}

impl Settings {
    /// The policies these settings give.
    pub fn policies(&self) -> Policies {
        let login = &self.login;
        Policies {
            login: LoginPolicy {
                subject_source: self.oauth2_provider.subject_source(),
                remember: Remember {
                    remember: login.remember,
                    remember_for: login.remember_for,
                },
                reauthenticate: login.reauthenticate,
                clock_skew_ms: i64::try_from(login.clock_skew.as_millis()).unwrap_or(i64::MAX),
            },
            consent: ConsentPolicy {
                subject_source: self.oauth2_provider.subject_source(),
                trusted_clients: self.consent.trusted_clients.clone(),
                claims: self.claims.clone(),
                remember_for: self.consent.remember_for,
                remember_by_default: self.consent.remember_by_default,
            },
            logout: LogoutPolicy {
                subject_source: self.oauth2_provider.subject_source(),
                confirm: self.logout.confirm,
                cancel_url: self.logout.cancel_url.clone(),
            },
            device: DevicePolicy {
                alphabet: self.device.alphabet(),
                max_attempts: self.device.max_attempts.get(),
            },
            apps: AppsPolicy {
                subject_source: self.oauth2_provider.subject_source(),
                max_entries: self.apps.max_entries.get(),
            },
            scope_descriptions: ScopeDescriptions {
                configured: self.consent.scope_descriptions.clone(),
                default_lang: self.ui.default_locale.clone(),
            },
        }
    }
}
