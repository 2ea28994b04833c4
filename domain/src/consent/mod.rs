//! The consent decisions, free of I/O: when to grant without asking, which scopes may be granted,
//! and how to find and confirm the identity behind a subject. [`plan::start`] and [`plan::plan`] put
//! them together into the one answer the handler carries out.

pub mod plan;

use serde_json::Value;

use crate::claims::{ClaimsSettings, claims_need_identity};
use crate::identity::Identity;
use crate::subject::{SubjectSource, subject_for};

/// How consents are granted: the subject rule, `consent.*` and the claims mapping, built once at
/// start.
#[derive(Debug, Clone)]
pub struct ConsentPolicy {
    pub subject_source: SubjectSource,
    /// Client ids whose consent is granted without asking.
    pub trusted_clients: Vec<String>,
    pub claims: ClaimsSettings,
    /// Seconds Hydra remembers a consent the person chose to remember; 0 = until revoked.
    pub remember_for: u64,
    /// Whether "remember this decision" starts ticked on the page.
    pub remember_by_default: bool,
}

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

/// The client of a consent request, as the decisions and the page read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Client<'a> {
    pub id: &'a str,
    /// Empty when the client has none.
    pub name: &'a str,
    /// Empty when the client has none.
    pub logo_uri: &'a str,
    /// The client's privacy policy and terms of service; empty when it has none.
    pub policy_uri: &'a str,
    pub tos_uri: &'a str,
    /// The client's `skip_consent`.
    pub skip_consent: bool,
}

/// Hydra's consent request, as the decisions read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsentFacts<'a> {
    /// Hydra remembers an earlier consent covering the request.
    pub skip: bool,
    pub client: Client<'a>,
    /// The authorization request has `prompt=none`.
    pub prompt_none: bool,
    /// The subject the login was accepted with.
    pub subject: &'a str,
    /// What the login's accept put in `context`: absent, `null` or any JSON.
    pub context: &'a Value,
    pub requested_scope: &'a [String],
    pub requested_audience: &'a [String],
}

/// Whether the consent is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Grant the requested scopes without asking.
    Grant(AutoAccept),
    /// Show the consent page.
    Ask,
    /// The page would be needed, and `prompt=none` allows none: `consent_required`.
    ConsentRequired,
}

/// Grant without asking when a reason allows it, else ask; under `prompt=none` (OIDC Core
/// 3.1.2.1) the page may not be shown, so the application gets `consent_required` instead.
pub fn step(request: &ConsentFacts<'_>, trusted_clients: &[String]) -> Step {
    match auto_accept(request, trusted_clients) {
        Some(reason) => Step::Grant(reason),
        None if request.prompt_none => Step::ConsentRequired,
        None => Step::Ask,
    }
}

pub fn auto_accept(request: &ConsentFacts<'_>, trusted_clients: &[String]) -> Option<AutoAccept> {
    let client = request.client.id;
    if request.skip {
        Some(AutoAccept::Skip)
    } else if request.client.skip_consent {
        Some(AutoAccept::SkipConsentClient)
    } else if !client.is_empty() && trusted_clients.iter().any(|c| c == client) {
        Some(AutoAccept::TrustedClient)
    } else {
        None
    }
}

/// An application's logo as a page shows it: an https URL only, whose origin the page's CSP then
/// allows; no other images from elsewhere. The host must be an IP address or a name of letters,
/// digits, dots and hyphens: URL parsing lets `;` and other characters through, which would end
/// the CSP's `img-src` and add directives of the client's choosing.
pub fn https_logo(uri: &str) -> Option<String> {
    url::Url::parse(uri)
        .ok()
        .filter(|u| u.scheme() == "https")
        .filter(|u| match u.host() {
            Some(url::Host::Domain(name)) => {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            }
            Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
            None => false,
        })
        .map(|_| uri.to_owned())
}

/// Links a page may show: only http and https URLs with a host (no `javascript:` or `data:`).
pub fn web_link(uri: &str) -> Option<String> {
    url::Url::parse(uri)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .map(|_| uri.to_owned())
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
mod tests;
