//! Tests of the consent decisions.

use super::*;
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;

fn request(skip: bool, skip_consent: bool, client_id: &str) -> ConsentFacts<'_> {
    ConsentFacts {
        skip,
        client: Client {
            id: client_id,
            skip_consent,
            ..Client::default()
        },
        prompt_none: false,
        subject: "CUST-1",
        context: &Value::Null,
        requested_scope: &[],
        requested_audience: &[],
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
fn under_prompt_none_the_page_is_consent_required() {
    let trusted = vec!["trusted-app".to_string()];
    let none = |skip, skip_consent, client_id| ConsentFacts {
        prompt_none: true,
        ..request(skip, skip_consent, client_id)
    };
    assert_eq!(
        step(&none(false, false, "x"), &trusted),
        Step::ConsentRequired
    );
    // What is granted without asking is still granted.
    assert_eq!(
        step(&none(true, false, "x"), &trusted),
        Step::Grant(AutoAccept::Skip)
    );
    assert_eq!(
        step(&none(false, true, "x"), &trusted),
        Step::Grant(AutoAccept::SkipConsentClient)
    );
    assert_eq!(
        step(&none(false, false, "trusted-app"), &trusted),
        Step::Grant(AutoAccept::TrustedClient)
    );
    assert_eq!(step(&request(false, false, "x"), &trusted), Step::Ask);
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

#[test]
fn only_web_urls_with_a_host_become_links() {
    for uri in ["https://app.test/privacy", "http://app.test/terms?v=2"] {
        assert_eq!(web_link(uri).as_deref(), Some(uri));
    }
    for uri in [
        "",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "/privacy",
        "file:///etc/passwd",
        "https:",
    ] {
        assert_eq!(web_link(uri), None, "{uri}");
    }
    assert_eq!(https_logo("http://app.test/logo.png"), None);
}

#[test]
fn a_logo_host_cannot_carry_policy_syntax() {
    for uri in [
        "https://cdn.evil.example;sandbox/l.png",
        "https://cdn.evil.example;script-src%20*/l.png",
        "https://a,b.example/l.png",
        "https://a'b.example/l.png",
    ] {
        assert_eq!(https_logo(uri), None, "{uri}");
    }
    for uri in [
        "https://cdn.example.com/l.png",
        "https://xn--bcher-kva.example/l.png",
        "https://BÜCHER.example/l.png",
        "https://192.0.2.7:8443/l.png",
        "https://[2001:db8::1]/l.png",
    ] {
        assert_eq!(https_logo(uri).as_deref(), Some(uri), "{uri}");
    }
}
