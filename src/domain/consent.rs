//! The consent decisions, free of I/O: when to grant without asking, which scopes may be granted,
//! how to find the identity behind a subject, and whether a form came from our own page.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::LocalizedText;
use crate::domain::subject::SubjectSource;
use crate::i18n::Localizer;
use crate::ory::hydra::ConsentRequest;

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

pub fn auto_accept(request: &ConsentRequest, trusted_clients: &[String]) -> Option<AutoAccept> {
    if request.skip {
        Some(AutoAccept::Skip)
    } else if request.client.skip_consent {
        Some(AutoAccept::SkipConsentClient)
    } else if !request.client.client_id.is_empty()
        && trusted_clients.contains(&request.client.client_id)
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

/// A readable description for a scope in `t`'s language: configured (for that language, else for
/// `default_lang`), built in, or a generic one.
pub fn scope_description(
    scope: &str,
    configured: &BTreeMap<String, LocalizedText>,
    t: &Localizer,
    default_lang: &str,
) -> String {
    if let Some(text) = configured
        .get(scope)
        .and_then(|c| c.get(t.lang(), default_lang))
    {
        return text.to_owned();
    }
    match scope {
        "openid" | "profile" | "email" | "phone" | "address" | "offline_access" => {
            t.text(&format!("scope-{scope}"))
        }
        other => t.with("scope-other", "scope", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn request(skip: bool, skip_consent: bool, client_id: &str) -> ConsentRequest {
        serde_json::from_value(json!({
            "challenge": "c", "skip": skip, "subject": "s",
            "client": { "client_id": client_id, "skip_consent": skip_consent },
            "requested_scope": ["openid"], "requested_access_token_audience": []
        }))
        .unwrap()
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

    #[test]
    fn scope_descriptions_in_the_pages_language() {
        let catalogs = crate::i18n::Catalogs::load(None, "en").unwrap();
        let de = catalogs.choose(&["de".parse().unwrap()], &[]);
        let en = catalogs.default_localizer();
        let configured: BTreeMap<String, LocalizedText> = [
            ("email".into(), LocalizedText::All("Work address".into())),
            (
                "customer".into(),
                LocalizedText::PerLanguage([("de".into(), "Ihre Kundennummer".into())].into()),
            ),
        ]
        .into();
        let describe = |scope, t| scope_description(scope, &configured, t, "en");
        assert_eq!(describe("email", &de), "Work address");
        assert_eq!(describe("customer", &de), "Ihre Kundennummer");
        assert_eq!(describe("customer", &en), "Access to “customer”");
        assert_eq!(
            describe("profile", &de),
            "Ihr Name und grundlegende Profilangaben"
        );
        assert_eq!(describe("admin", &de), "Zugriff auf „admin“");
        assert_eq!(describe("openid", &en), "Sign you in with your account");
    }

    proptest! {
        /// Whatever a form says, only requested scopes are granted, each at most once.
        #[test]
        fn never_grants_an_unrequested_scope(chosen in proptest::collection::vec("[a-z_]{0,8}", 0..10),
                                             requested in proptest::collection::vec("[a-z_]{0,8}", 0..10)) {
            let chosen_refs: Vec<&str> = chosen.iter().map(String::as_str).collect();
            let granted = grant_scopes(&chosen_refs, &requested);
            for (i, scope) in granted.iter().enumerate() {
                prop_assert!(requested.contains(scope));
                prop_assert!(chosen.contains(scope));
                prop_assert!(!granted[..i].contains(scope));
            }
        }

        #[test]
        fn lookup_plan_never_panics(ctx in proptest::option::of("\\PC{0,40}"), subject in "\\PC{0,40}") {
            let context = ctx.map(|c| json!({ "identity_id": c })).unwrap_or(Value::Null);
            for source in [SubjectSource::Id, SubjectSource::ExternalId, SubjectSource::ExternalIdOrId] {
                let _ = lookup_plan(&context, &subject, source);
            }
        }
    }
}
