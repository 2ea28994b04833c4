//! What every page shares: the error page and what it and the 404 and 405 pages log, languages,
//! brand, accessibility, security, redirects.
//!
//! Accessibility and keyboard use are checked in Chromium (`browser`), as is a page's language;
//! redirects go only where Hydra, Kratos or the config say.

mod accessibility;
mod brand;
mod brand_config;
mod browser;
mod browser_language;
mod error;
mod keyboard;
mod language;
mod logs;
mod redirects;
mod security;

use crate::support::*;
use serde_json::json;

/// Acme Shop's consent request for the person (whom Kratos knows, with an `external_id`), as the
/// bridge's login leaves it, asking for `scopes`.
fn acme_consent(app: &TestApp, scopes: &[&str]) -> ConsentSpec {
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    ConsentSpec {
        subject: IDENTITY_ID.into(),
        client_name: "Acme Shop".into(),
        requested_scope: scopes.iter().map(|s| s.to_string()).collect(),
        context: Some(json!({ "identity_id": IDENTITY_ID })),
        ..ConsentSpec::default()
    }
}

/// Acme Shop's logout request for the person, which asks them to confirm.
fn acme_logout() -> LogoutSpec {
    LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::of_client("Acme Shop", false)
    }
}
