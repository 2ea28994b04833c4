//! The consent decisions, free of I/O: when to grant without asking, which scopes may be granted,
//! and how to find and confirm the identity behind a subject.

use serde_json::Value;

use crate::domain::claims::{ClaimsSettings, claims_need_identity};
use crate::domain::identity::Identity;
use crate::domain::subject::{SubjectSource, subject_for};

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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeSet;

    fn request(skip: bool, skip_consent: bool, client_id: &str) -> ConsentFacts<'_> {
        ConsentFacts {
            skip,
            skip_consent,
            client_id,
        }
    }

    #[test]
    fn auto_accept_reasons() {
        let trusted = vec!["trusted-app".to_string()];
        assert_eq!(
            auto_accept(&request(true, false, "x"), &trusted),
            Some(AutoAccept::Skip)
        );
        assert_eq!(
            auto_accept(&request(false, true, "x"), &trusted),
            Some(AutoAccept::SkipConsentClient)
        );
        assert_eq!(
            auto_accept(&request(false, false, "trusted-app"), &trusted),
            Some(AutoAccept::TrustedClient)
        );
        assert_eq!(auto_accept(&request(false, false, "x"), &trusted), None);
        assert_eq!(
            auto_accept(&request(false, false, ""), &["".to_string()]),
            None
        );
    }

    #[test]
    fn grants_only_requested_scopes() {
        let requested: Vec<String> = ["openid", "profile", "email"].map(String::from).to_vec();
        assert_eq!(
            grant_scopes(&["email", "admin", "openid", "email"], &requested),
            vec!["openid", "email"]
        );
        assert!(grant_scopes(&[], &requested).is_empty());
    }

    #[test]
    fn lookup_plans() {
        let id = "9f425a8d-7efc-4768-8f23-7647a74fdf13";
        let ctx = json!({ "identity_id": id });
        assert_eq!(
            lookup_plan(&ctx, "CUST-1", SubjectSource::ExternalIdOrId),
            vec![Lookup::ById(id.into())]
        );
        for empty_ctx in [
            Value::Null,
            json!({}),
            json!({ "identity_id": "" }),
            json!("str"),
            json!([1]),
        ] {
            assert_eq!(
                lookup_plan(&empty_ctx, "CUST-1", SubjectSource::ExternalIdOrId),
                vec![Lookup::ByExternalId("CUST-1".into())]
            );
        }
        assert_eq!(
            lookup_plan(&Value::Null, id, SubjectSource::ExternalIdOrId),
            vec![Lookup::ById(id.into()), Lookup::ByExternalId(id.into())]
        );
        assert_eq!(
            lookup_plan(&Value::Null, id, SubjectSource::Id),
            vec![Lookup::ById(id.into())]
        );
        assert!(lookup_plan(&Value::Null, "CUST-1", SubjectSource::Id).is_empty());
        assert_eq!(
            lookup_plan(&Value::Null, id, SubjectSource::ExternalId),
            vec![Lookup::ByExternalId(id.into())]
        );
    }

    fn identity(state: &str, external_id: Option<&str>) -> Identity {
        serde_json::from_value(json!({
            "id": "9f425a8d-7efc-4768-8f23-7647a74fdf13",
            "external_id": external_id,
            "state": state
        }))
        .unwrap()
    }

    #[test]
    fn confirms_only_an_active_identity_of_the_subject() {
        let source = SubjectSource::ExternalIdOrId;
        assert!(confirms(
            &identity("active", Some("CUST-1")),
            source,
            "CUST-1"
        ));
        assert!(confirms(&identity("", Some("CUST-1")), source, "CUST-1"));
        assert!(!confirms(
            &identity("inactive", Some("CUST-1")),
            source,
            "CUST-1"
        ));
        assert!(!confirms(
            &identity("active", Some("CUST-1")),
            source,
            "CUST-2"
        ));
        assert!(!confirms(
            &identity("active", Some("CUST-1")),
            SubjectSource::Id,
            "CUST-1"
        ));
        assert!(!confirms(
            &identity("active", None),
            SubjectSource::ExternalId,
            ""
        ));
    }

    #[test]
    fn identity_lookups_are_skipped_only_for_claimless_automatic_grants_with_context() {
        let ctx = json!({ "identity_id": "9f425a8d-7efc-4768-8f23-7647a74fdf13" });
        let scopes: Vec<String> = vec!["openid".into()];
        let claims = ClaimsSettings::default();
        let auto = Some(AutoAccept::TrustedClient);
        assert!(!needs_identity(auto, &ctx, &scopes, "app", &claims));
        // The page shows the account.
        assert!(needs_identity(None, &ctx, &scopes, "app", &claims));
        // Nothing names the identity but the subject.
        assert!(needs_identity(auto, &Value::Null, &scopes, "app", &claims));
        // A standard claim is released for `email`.
        let email: Vec<String> = vec!["openid".into(), "email".into()];
        assert!(needs_identity(auto, &ctx, &email, "app", &claims));
    }

    proptest! {
        /// An identity is confirmed exactly when it is active and the subject rule maps it to the
        /// subject.
        #[test]
        fn confirmed_iff_active_and_mapped(state in "(active|inactive|)", external in proptest::option::of("[A-Z0-9-]{0,6}"),
                                           other in "[A-Z0-9-]{0,6}", own in any::<bool>()) {
            let id = identity(&state, external.as_deref());
            for source in [SubjectSource::Id, SubjectSource::ExternalId, SubjectSource::ExternalIdOrId] {
                let mapped = subject_for(source, &id.id, external.as_deref()).ok().map(|m| m.value);
                // Half the cases ask for the identity's own subject.
                let subject = if own { mapped.clone().unwrap_or_default() } else { other.clone() };
                prop_assert_eq!(
                    confirms(&id, source, &subject),
                    state != "inactive" && mapped.as_deref() == Some(subject.as_str())
                );
            }
        }

        /// Whatever a form says, the grant is the requested scopes that were chosen: each once, in the
        /// requested order.
        #[test]
        fn grants_exactly_the_chosen_requested_scopes(
            requested in proptest::collection::vec(scope(), 0..10),
            picks in proptest::collection::vec(any::<bool>(), 10),
            noise in proptest::collection::vec(scope(), 0..5),
            turn in any::<usize>(),
        ) {
            // Some of the requested scopes and some others, in any order.
            let mut chosen: Vec<&str> = requested
                .iter()
                .zip(&picks)
                .filter(|(_, picked)| **picked)
                .map(|(s, _)| s.as_str())
                .chain(noise.iter().map(String::as_str))
                .collect();
            if !chosen.is_empty() {
                let n = turn % chosen.len();
                chosen.rotate_left(n);
            }
            let granted = grant_scopes(&chosen, &requested);
            let both: BTreeSet<&str> = requested.iter().map(String::as_str).filter(|s| chosen.contains(s)).collect();
            let granted_set: BTreeSet<&str> = granted.iter().map(String::as_str).collect();
            prop_assert_eq!(granted_set, both);
            let first_asked = |s: &String| requested.iter().position(|r| r == s);
            for pair in granted.windows(2) {
                // Strictly increasing: once each, in the requested order.
                prop_assert!(first_asked(&pair[0]) < first_asked(&pair[1]), "{:?}", granted);
            }
        }

        /// Where to look follows the login's context, else the subject rule; only a UUID-shaped
        /// subject is looked up as an identity id, and `id` subjects never by external id.
        #[test]
        fn lookup_plan_follows_the_subject_rule(
            ctx in proptest::option::of(prop_oneof![uuid_text(), Just(String::new()), "\\PC{0,40}"]),
            subject in prop_oneof![uuid_text(), Just(String::new()), "\\PC{0,40}", "[0-9a-f-]{36}"],
        ) {
            let context = ctx.as_ref().map(|c| json!({ "identity_id": c })).unwrap_or(Value::Null);
            let shaped = is_uuid(&subject);
            let by_id = Lookup::ById(subject.clone());
            let by_external = Lookup::ByExternalId(subject.clone());
            for source in [SubjectSource::Id, SubjectSource::ExternalId, SubjectSource::ExternalIdOrId] {
                let plan = lookup_plan(&context, &subject, source);
                if let Some(id) = ctx.as_deref().filter(|c| !c.is_empty()) {
                    prop_assert_eq!(plan, vec![Lookup::ById(id.to_owned())]);
                    continue;
                }
                if subject.is_empty() {
                    prop_assert_eq!(plan, vec![]);
                    continue;
                }
                for lookup in &plan {
                    match lookup {
                        Lookup::ById(s) => prop_assert!(s == &subject && shaped, "{:?}", plan),
                        Lookup::ByExternalId(s) => {
                            prop_assert!(s == &subject && source != SubjectSource::Id, "{:?}", plan)
                        }
                    }
                }
                let expected = match source {
                    SubjectSource::Id if shaped => vec![by_id.clone()],
                    SubjectSource::Id => vec![],
                    SubjectSource::ExternalId => vec![by_external.clone()],
                    SubjectSource::ExternalIdOrId if shaped => vec![by_id.clone(), by_external.clone()],
                    SubjectSource::ExternalIdOrId => vec![by_external.clone()],
                };
                prop_assert_eq!(plan, expected);
            }
        }

        /// UUID-shaped means a UUID in its hyphenated form, either case.
        #[test]
        fn is_uuid_means_a_hyphenated_uuid(s in prop_oneof![uuid_text(), "[0-9a-fA-F-]{36}", "\\PC{0,40}"]) {
            prop_assert_eq!(is_uuid(&s), s.len() == 36 && uuid::Uuid::try_parse(&s).is_ok(), "{}", s);
        }
    }

    fn scope() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("openid".to_string()),
            Just("email".to_string()),
            Just("profile".to_string()),
            Just(String::new()),
            "[a-z_]{1,8}",
        ]
    }

    fn uuid_text() -> impl Strategy<Value = String> {
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    }
}
