//! The consent's plan: whether the identity behind the subject must be looked up first, and then
//! the one answer the handler carries out, with everything it needs.

use serde::Serialize;

use super::{
    AutoAccept, ConsentFacts, ConsentPolicy, Lookup, Step, confirms, grant_scopes, lookup_plan,
    needs_identity, step,
};
use crate::claims::{TokenClaims, build_claims};
use crate::identity::Identity;
use crate::subject::SubjectSource;

/// `acceptOAuth2ConsentRequest`, fields every supported Hydra version knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcceptConsent {
    pub grant_scope: Vec<String>,
    pub grant_access_token_audience: Vec<String>,
    pub remember: bool,
    pub remember_for: u64,
    /// The claims released into the tokens.
    pub session: TokenClaims,
}

/// What the person answered on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
    Deny,
    Allow {
        /// The scopes ticked; `openid` has no box and is granted whenever it was requested.
        chosen: Vec<&'a str>,
        /// "Remember this decision".
        remember: bool,
    },
}

/// What is known of the consent request: Hydra's request, and the person's answer once the page
/// was shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Consent<'a> {
    pub request: ConsentFacts<'a>,
    /// `None` while Hydra's request is new (`GET /consent`).
    pub answer: Option<&'a Answer<'a>>,
}

/// Where to look for the identity behind the consent's subject, and which identity counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    ways: Vec<Lookup>,
    source: SubjectSource,
    subject: String,
}

/// What the search for the identity behind the subject found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// An active identity the subject rule maps to exactly the subject.
    Confirmed(Box<Identity>),
    /// No identity answers to the subject (deleted, or an external_id lookup Kratos cannot do).
    Nothing,
    /// An identity was found, but it is inactive or the subject rule maps it to another subject.
    Mismatch,
}

impl Search {
    /// The lookups to make, in order, until one finds the identity.
    pub fn ways(&self) -> &[Lookup] {
        &self.ways
    }

    /// What is found once Kratos answered one more way with `answer`, given what was found before.
    pub fn judge(&self, before: Found, answer: Option<Identity>) -> Found {
        match (before, answer) {
            (Found::Confirmed(identity), _) => Found::Confirmed(identity),
            (_, Some(identity)) if confirms(&identity, self.source, &self.subject) => {
                Found::Confirmed(Box::new(identity))
            }
            (_, Some(_)) | (Found::Mismatch, None) => Found::Mismatch,
            (Found::Nothing, None) => Found::Nothing,
        }
    }
}

/// The first step: the plan, when it can be made from the request alone, or the search for the
/// identity whose result [`plan`] needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    Planned(ConsentPlan),
    LookUp(Search),
}

/// What the consent handler does, with everything it needs to do it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsentPlan {
    /// Accept the consent at Hydra with this body.
    Accept {
        body: Box<AcceptConsent>,
        granted: Granted,
    },
    /// Show the consent page.
    Page(ConsentPage),
    /// Reject the consent request at Hydra; the application gets the error.
    Reject(ConsentRefusal),
}

/// Why a consent was granted: the `outcome` of the log and of `bridge_consents_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted {
    Automatically(AutoAccept),
    /// The person chose on the page.
    Chosen,
}

impl Granted {
    pub fn as_str(self) -> &'static str {
        match self {
            Granted::Automatically(reason) => reason.as_str(),
            Granted::Chosen => "granted",
        }
    }
}

/// What the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPage {
    /// The client's name, else its id.
    pub client_name: String,
    /// The client's logo: an https URL only, the one image from elsewhere the page may show.
    pub logo: Option<String>,
    /// The client's privacy policy and terms of service, when they are web links.
    pub policy: Option<String>,
    pub terms: Option<String>,
    /// How the person recognises the account: the email trait, else the external_id, else the id.
    pub account: String,
    /// The requested scopes, in order.
    pub scopes: Vec<ScopeChoice>,
    /// Whether "remember this decision" starts ticked.
    pub remember: bool,
}

/// One requested scope on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeChoice {
    pub name: String,
    /// `openid` is what signing in means: granted whenever requested, no checkbox.
    pub fixed: bool,
}

/// Why a consent request is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentRefusal {
    /// The page would be needed, and `prompt=none` allows none.
    ConsentRequired,
    /// The identity behind the subject could not be confirmed: claims are never built for someone
    /// else.
    Unconfirmed { found_one: bool },
    /// The person said no.
    Denied,
}

impl ConsentRefusal {
    /// The OAuth2 error code the application gets.
    pub fn error(self) -> &'static str {
        match self {
            ConsentRefusal::ConsentRequired => "consent_required",
            ConsentRefusal::Unconfirmed { .. } | ConsentRefusal::Denied => "access_denied",
        }
    }

    /// The `error_description` the application gets.
    pub fn description(self) -> &'static str {
        match self {
            ConsentRefusal::ConsentRequired => {
                "The person's consent is needed, and prompt=none allows no page to ask for it."
            }
            ConsentRefusal::Unconfirmed { .. } => {
                "The account behind this request could not be confirmed."
            }
            ConsentRefusal::Denied => "The resource owner denied the request",
        }
    }

    /// The `outcome` of the log and of `bridge_consents_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentRefusal::ConsentRequired => "consent_required",
            ConsentRefusal::Unconfirmed { .. } => "rejected",
            ConsentRefusal::Denied => "denied",
        }
    }
}

/// What the consent comes to before the identity is looked at.
enum Intent<'a> {
    /// The person chose these scopes on the page.
    Chosen {
        chosen: &'a [&'a str],
        remember: bool,
    },
    /// Granted without asking.
    Automatic(AutoAccept),
    /// The page asks.
    Ask,
}

fn intent<'a>(consent: &Consent<'a>, policy: &ConsentPolicy) -> Result<Intent<'a>, ConsentRefusal> {
    match consent.answer {
        Some(Answer::Deny) => Err(ConsentRefusal::Denied),
        Some(Answer::Allow { chosen, remember }) => Ok(Intent::Chosen {
            chosen,
            remember: *remember,
        }),
        None => match step(&consent.request, &policy.trusted_clients) {
            Step::Grant(reason) => Ok(Intent::Automatic(reason)),
            Step::Ask => Ok(Intent::Ask),
            Step::ConsentRequired => Err(ConsentRefusal::ConsentRequired),
        },
    }
}

/// The first step. A denial, `consent_required`, and an automatic grant that releases no claims
/// for a login whose `context` names the identity (Hydra binds that context to this subject) are
/// planned at once; everything else needs the identity: the page shows the account, and claims
/// are read from it.
pub fn start(consent: &Consent<'_>, policy: &ConsentPolicy) -> Start {
    let request = &consent.request;
    let planned = match intent(consent, policy) {
        Err(refusal) => Some(ConsentPlan::Reject(refusal)),
        Ok(Intent::Automatic(reason))
            if !needs_identity(
                Some(reason),
                request.context,
                request.requested_scope,
                request.client.id,
                &policy.claims,
            ) =>
        {
            Some(granted_automatically(request, policy, reason, None))
        }
        Ok(Intent::Automatic(_) | Intent::Chosen { .. } | Intent::Ask) => None,
    };
    match planned {
        Some(plan) => Start::Planned(plan),
        None => Start::LookUp(Search {
            ways: lookup_plan(request.context, request.subject, policy.subject_source),
            source: policy.subject_source,
            subject: request.subject.to_owned(),
        }),
    }
}

/// The plan, with what the search for the identity found.
pub fn plan(consent: &Consent<'_>, policy: &ConsentPolicy, found: Found) -> ConsentPlan {
    let request = &consent.request;
    let intent = match intent(consent, policy) {
        Ok(intent) => intent,
        Err(refusal) => return ConsentPlan::Reject(refusal),
    };
    let identity = match found {
        Found::Confirmed(identity) => identity,
        Found::Nothing => {
            return ConsentPlan::Reject(ConsentRefusal::Unconfirmed { found_one: false });
        }
        Found::Mismatch => {
            return ConsentPlan::Reject(ConsentRefusal::Unconfirmed { found_one: true });
        }
    };
    match intent {
        Intent::Chosen { chosen, remember } => {
            // openid has no checkbox: it is what signing in means.
            let chosen: Vec<&str> = chosen.iter().copied().chain(["openid"]).collect();
            let granted = grant_scopes(&chosen, request.requested_scope);
            accept(
                request,
                policy,
                Some(&identity),
                granted,
                remember,
                Granted::Chosen,
            )
        }
        Intent::Automatic(reason) => {
            granted_automatically(request, policy, reason, Some(&identity))
        }
        Intent::Ask => ConsentPlan::Page(page(request, policy, &identity)),
    }
}

/// Everything requested, without memory: Hydra never seeds a future skip from a skipped consent,
/// and trusted clients need none.
fn granted_automatically(
    request: &ConsentFacts<'_>,
    policy: &ConsentPolicy,
    reason: AutoAccept,
    identity: Option<&Identity>,
) -> ConsentPlan {
    let granted = request.requested_scope.to_vec();
    accept(
        request,
        policy,
        identity,
        granted,
        false,
        Granted::Automatically(reason),
    )
}

/// The accept of `granted`, with the claims `identity` releases for them (none without one).
fn accept(
    request: &ConsentFacts<'_>,
    policy: &ConsentPolicy,
    identity: Option<&Identity>,
    granted: Vec<String>,
    remember: bool,
    why: Granted,
) -> ConsentPlan {
    let claims = identity
        .map(|identity| build_claims(identity, &granted, request.client.id, &policy.claims))
        .unwrap_or_default();
    ConsentPlan::Accept {
        body: Box::new(AcceptConsent {
            grant_scope: granted,
            grant_access_token_audience: request.requested_audience.to_vec(),
            remember,
            remember_for: if remember { policy.remember_for } else { 0 },
            session: claims,
        }),
        granted: why,
    }
}

fn page(request: &ConsentFacts<'_>, policy: &ConsentPolicy, identity: &Identity) -> ConsentPage {
    let client = &request.client;
    // A name of blanks shows the id, as on the device and apps pages.
    let client_name = match client.name.trim() {
        "" => client.id,
        name => name,
    };
    let logo = super::https_logo(client.logo_uri);
    ConsentPage {
        client_name: client_name.to_owned(),
        logo,
        policy: super::web_link(client.policy_uri),
        terms: super::web_link(client.tos_uri),
        account: account_label(identity).to_owned(),
        scopes: request
            .requested_scope
            .iter()
            .map(|scope| ScopeChoice {
                name: scope.clone(),
                fixed: scope == "openid",
            })
            .collect(),
        remember: policy.remember_by_default,
    }
}

/// How the person recognises the account: the email trait, else the external_id, else the id.
fn account_label(identity: &Identity) -> &str {
    identity
        .traits
        .get("email")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .or(identity.external_id.as_deref().filter(|s| !s.is_empty()))
        .unwrap_or(&identity.id)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
