//! The decisions' policies, built from the settings once at start and held in the application
//! state: what a flow's plan reads of the configuration, in the domain's own types.

use domain::login::{LoginPolicy, Remember};

use super::Settings;

/// Every flow's policy.
#[derive(Debug, Clone)]
pub struct Policies {
    pub login: LoginPolicy,
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
                clock_skew_ms: i64::try_from(login.clock_skew_secs)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(1000),
            },
        }
    }
}
