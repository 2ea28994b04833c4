//! The consent decisions, free of I/O: when to grant without asking, which scopes may be granted,
//! and how to find and confirm the identity behind a subject.

use serde_json::Value;

use crate::claims::{ClaimsSettings, claims_need_identity};
use crate::identity::Identity;
use crate::subject::{SubjectSource, subject_for};

/// Why a consent is granted without showing the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoAccept {
    /// Hydra remembered an earlier consent covering these scopes; it still needs an answer.
    Skip,
    /// The client has `skip_consent`; Hydra only forwards the flag, acting on it is the app's job.
    SkipConsentClient,
    /// The client id is in `consent.trusted_clients`.
    TrustedClient,
}

impl AutoAccept {
    pub fn as_str(self) -> &'static str {
        match self {
            AutoAccept::Skip => "skipped",
            AutoAccept::SkipConsentClient => "skip_consent_client",
            AutoAccept::TrustedClient => "trusted",
        }
    }
}

/// What a consent request says that the decision to ask reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentFacts<'a> {
    /// Hydra remembers an earlier consent covering the request.
    pub skip: bool,
    /// The client's `skip_consent`.
    pub skip_consent: bool,
    pub client_id: &'a str,
    /// The authorization request has `prompt=none`.
    pub prompt_none: bool,
}

/// What the consent step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Grant the requested scopes without asking.
    Grant(AutoAccept),
    /// Show the consent page.
    Ask,
    /// Reject the consent request at Hydra; the application gets the error.
    Reject {
        error: &'static str,
        description: &'static str,
    },
}

/// Grant without asking when a reason allows it, else ask; under `prompt=none` (OIDC Core
/// 3.1.2.1) the page may not be shown, so the application gets `consent_required` instead.
pub fn step(request: &ConsentFacts<'_>, trusted_clients: &[String]) -> Step {
    match auto_accept(request, trusted_clients) {
        Some(reason) => Step::Grant(reason),
        None if request.prompt_none => Step::Reject {
            error: "consent_required",
            description: "The person's consent is needed, and prompt=none allows no page \
                          to ask for it.",
        },
        None => Step::Ask,
    }
}

pub fn auto_accept(request: &ConsentFacts<'_>, trusted_clients: &[String]) -> Option<AutoAccept> {
    if request.skip {
        Some(AutoAccept::Skip)
    } else if request.skip_consent {
        Some(AutoAccept::SkipConsentClient)
    } else if !request.client_id.is_empty()
        && trusted_clients.iter().any(|c| c == request.client_id)
    {
        Some(AutoAccept::TrustedClient)
    } else {
        None
    }
}

/// The scopes to grant: those chosen that were also requested, in the requested order, once each.
/// Hydra grants whatever it is sent, so this intersection is the only guard against a forged form.
pub fn grant_scopes(chosen: &[&str], requested: &[String]) -> Vec<String> {
    let mut granted: Vec<String> = Vec::new();
    for scope in requested {
        if chosen.contains(&scope.as_str()) && !granted.contains(scope) {
            granted.push(scope.clone());
        }
    }
    granted
}

/// One way of finding the identity behind a consent request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    ById(String),
    ByExternalId(String),
}

/// The identity id the login step put in `context`, when there is one.
pub fn context_identity_id(context: &Value) -> Option<&str> {
    context
        .get("identity_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
}

pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Where to look for the identity, in order. The login step's `context` is authoritative when present;
/// otherwise the subject is looked up the ways the subject rule could have produced it.
pub fn lookup_plan(context: &Value, subject: &str, source: SubjectSource) -> Vec<Lookup> {
    if let Some(id) = context_identity_id(context) {
        return vec![Lookup::ById(id.to_owned())];
    }
    if subject.is_empty() {
        return vec![];
    }
    let by_id = is_uuid(subject).then(|| Lookup::ById(subject.to_owned()));
    let by_external = Lookup::ByExternalId(subject.to_owned());
    match source {
        SubjectSource::Id => by_id.into_iter().collect(),
        SubjectSource::ExternalId => vec![by_external],
        SubjectSource::ExternalIdOrId => match by_id {
            // A UUID-shaped subject is most likely the fallback: try the id first.
            Some(by_id) => vec![by_id, by_external],
            None => vec![by_external],
        },
    }
}

/// Whether a consent needs the identity looked up. A consent page shows the account, and claims
/// need the identity; only an automatic grant that releases no claims, for a login whose `context`
/// names the identity (Hydra binds that context to this subject), can do without.
pub fn needs_identity(
    auto: Option<AutoAccept>,
    context: &Value,
    requested_scope: &[String],
    client_id: &str,
    claims: &ClaimsSettings,
) -> bool {
    auto.is_none()
        || context_identity_id(context).is_none()
        || claims_need_identity(requested_scope, client_id, claims)
}

/// Whether `identity` is the one behind the consent's `subject`: active, and mapped to exactly that
/// subject by the subject rule. Claims are released only for such an identity.
pub fn confirms(identity: &Identity, source: SubjectSource, subject: &str) -> bool {
    identity.is_active()
        && subject_for(source, &identity.id, identity.external_id.as_deref())
            .is_ok_and(|s| s.value == subject)
}

#[cfg(test)]
#[path = "consent_tests.rs"]
mod tests;
