//! Tests of what the consent handler is told to do.

use super::*;
use crate::claims::ClaimsSettings;
use crate::consent::Client;
use proptest::prelude::*;
use serde_json::{Value, json};

const ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";

fn policy() -> ConsentPolicy {
    ConsentPolicy {
        subject_source: SubjectSource::ExternalIdOrId,
        trusted_clients: vec!["trusted-app".into()],
        claims: ClaimsSettings::default(),
        remember_for: 3600,
        remember_by_default: true,
    }
}

fn scopes(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

/// The customer `CUST-1` with an email address.
fn customer() -> Identity {
    serde_json::from_value(json!({
        "id": ID,
        "external_id": "CUST-1",
        "state": "active",
        "traits": { "email": "ada@example.com" },
        "verifiable_addresses": [{ "value": "ada@example.com", "verified": true, "via": "email" }]
    }))
    .unwrap()
}

fn confirmed() -> Found {
    Found::Confirmed(Box::new(customer()))
}

/// Hydra's request of `client` for `requested`, for the customer's subject, with the login's context.
fn request<'a>(client: &'a str, requested: &'a [String], context: &'a Value) -> ConsentFacts<'a> {
    ConsentFacts {
        skip: false,
        client: Client {
            id: client,
            ..Client::default()
        },
        prompt_none: false,
        subject: "CUST-1",
        context,
        requested_scope: requested,
        requested_audience: &[],
    }
}

fn shown(request: ConsentFacts<'_>) -> Consent<'_> {
    Consent {
        request,
        answer: None,
    }
}

#[test]
fn the_page_needs_the_identity_and_shows_the_account() {
    let requested = scopes(&["openid", "email"]);
    let context = json!({ "identity_id": ID });
    let consent = shown(ConsentFacts {
        client: Client {
            id: "app",
            logo_uri: "http://app.test/logo.png",
            policy_uri: "https://app.test/privacy",
            tos_uri: "javascript:alert(1)",
            ..Client::default()
        },
        ..request("app", &requested, &context)
    });
    let Start::LookUp(search) = start(&consent, &policy()) else {
        panic!("no lookup")
    };
    assert_eq!(search.ways(), &[Lookup::ById(ID.into())]);
    let ConsentPlan::Page(page) = plan(&consent, &policy(), confirmed()) else {
        panic!("no page")
    };
    assert_eq!(
        page.client_name, "app",
        "the id stands in for a missing name"
    );
    assert_eq!(page.logo, None, "an http logo is not shown");
    assert_eq!(page.policy.as_deref(), Some("https://app.test/privacy"));
    let blank = shown(ConsentFacts {
        client: Client {
            id: "app",
            name: "  ",
            ..Client::default()
        },
        ..request("app", &requested, &context)
    });
    let ConsentPlan::Page(blank) = plan(&blank, &policy(), confirmed()) else {
        panic!("no page")
    };
    assert_eq!(blank.client_name, "app", "a blank name shows the id");
    assert_eq!(page.terms, None, "a script URL is no link");
    assert_eq!(page.account, "ada@example.com");
    assert_eq!(
        page.scopes,
        vec![
            ScopeChoice {
                name: "openid".into(),
                fixed: true
            },
            ScopeChoice {
                name: "email".into(),
                fixed: false
            },
        ]
    );
    assert!(page.remember);
}

#[test]
fn under_prompt_none_the_page_is_consent_required_without_a_lookup() {
    let requested = scopes(&["openid"]);
    let consent = shown(ConsentFacts {
        prompt_none: true,
        ..request("app", &requested, &Value::Null)
    });
    let required = ConsentPlan::Reject(ConsentRefusal::ConsentRequired);
    assert_eq!(start(&consent, &policy()), Start::Planned(required.clone()));
    assert_eq!(plan(&consent, &policy(), confirmed()), required);
    assert_eq!(ConsentRefusal::ConsentRequired.error(), "consent_required");
}

#[test]
fn a_claimless_automatic_grant_with_context_needs_no_identity() {
    let requested = scopes(&["openid", "offline_access"]);
    let context = json!({ "identity_id": ID });
    let audience = scopes(&["api"]);
    let consent = shown(ConsentFacts {
        requested_audience: &audience,
        ..request("trusted-app", &requested, &context)
    });
    let Start::Planned(ConsentPlan::Accept { body, granted }) = start(&consent, &policy()) else {
        panic!("not granted at once")
    };
    assert_eq!(granted, Granted::Automatically(AutoAccept::TrustedClient));
    assert_eq!(granted.as_str(), "trusted");
    assert_eq!(body.grant_scope, requested);
    assert_eq!(body.grant_access_token_audience, vec!["api"]);
    // Hydra never seeds a future skip from it.
    assert!(!body.remember);
    assert_eq!(body.remember_for, 0);
    assert_eq!(body.session, TokenClaims::default());
}

#[test]
fn an_automatic_grant_releasing_claims_reads_the_identity() {
    let requested = scopes(&["openid", "email"]);
    let context = json!({ "identity_id": ID });
    let consent = shown(ConsentFacts {
        skip: true,
        ..request("app", &requested, &context)
    });
    assert!(matches!(start(&consent, &policy()), Start::LookUp(_)));
    let ConsentPlan::Accept { body, granted } = plan(&consent, &policy(), confirmed()) else {
        panic!("not granted")
    };
    assert_eq!(granted.as_str(), "skipped");
    assert_eq!(body.session.id_token["email"], "ada@example.com");
}

#[test]
fn an_identity_that_is_not_confirmed_gets_no_claims() {
    let requested = scopes(&["openid", "email"]);
    let consent = shown(request("trusted-app", &requested, &Value::Null));
    for (found, found_one) in [(Found::Nothing, false), (Found::Mismatch, true)] {
        let plan = plan(&consent, &policy(), found);
        assert_eq!(
            plan,
            ConsentPlan::Reject(ConsentRefusal::Unconfirmed { found_one })
        );
    }
    let refusal = ConsentRefusal::Unconfirmed { found_one: true };
    assert_eq!(
        (refusal.error(), refusal.as_str()),
        ("access_denied", "rejected")
    );
}

#[test]
fn the_answer_grants_what_was_chosen_of_what_was_requested() {
    let requested = scopes(&["openid", "profile", "email"]);
    // Forged: a scope that was not requested; openid has no box.
    let answer = Answer::Allow {
        chosen: vec!["email", "admin"],
        remember: true,
    };
    let consent = Consent {
        request: request("app", &requested, &Value::Null),
        answer: Some(&answer),
    };
    assert!(matches!(start(&consent, &policy()), Start::LookUp(_)));
    let ConsentPlan::Accept { body, granted } = plan(&consent, &policy(), confirmed()) else {
        panic!("not granted")
    };
    assert_eq!(granted.as_str(), "granted");
    assert_eq!(body.grant_scope, vec!["openid", "email"]);
    assert!(body.remember);
    assert_eq!(body.remember_for, 3600);
    assert_eq!(body.session.id_token["email"], "ada@example.com");
}

#[test]
fn a_denial_needs_nothing_looked_up() {
    let requested = scopes(&["openid"]);
    let consent = Consent {
        request: request("app", &requested, &Value::Null),
        answer: Some(&Answer::Deny),
    };
    let denied = ConsentPlan::Reject(ConsentRefusal::Denied);
    assert_eq!(start(&consent, &policy()), Start::Planned(denied.clone()));
    assert_eq!(plan(&consent, &policy(), Found::Nothing), denied);
    assert_eq!(ConsentRefusal::Denied.as_str(), "denied");
}

#[test]
fn the_first_way_that_finds_the_identity_wins() {
    let search = Search {
        ways: vec![Lookup::ById(ID.into()), Lookup::ByExternalId(ID.into())],
        source: SubjectSource::ExternalIdOrId,
        subject: "CUST-1".into(),
    };
    let other: Identity =
        serde_json::from_value(json!({ "id": ID, "external_id": "CUST-2" })).unwrap();
    assert_eq!(search.judge(Found::Nothing, None), Found::Nothing);
    assert_eq!(
        search.judge(Found::Nothing, Some(other.clone())),
        Found::Mismatch
    );
    assert_eq!(search.judge(Found::Mismatch, None), Found::Mismatch);
    assert_eq!(search.judge(Found::Mismatch, Some(customer())), confirmed());
    assert_eq!(search.judge(confirmed(), Some(other)), confirmed());
}

fn scope() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("openid".to_string()),
        Just("email".to_string()),
        Just("profile".to_string()),
        "[a-z]{1,6}",
    ]
}

fn found() -> impl Strategy<Value = Found> {
    prop_oneof![
        Just(Found::Nothing),
        Just(Found::Mismatch),
        Just(Found::Confirmed(Box::new(customer()))),
    ]
}

fn answer() -> impl Strategy<Value = Option<(bool, Vec<String>, bool)>> {
    proptest::option::of((
        any::<bool>(),
        proptest::collection::vec(scope(), 0..6),
        any::<bool>(),
    ))
}

proptest! {
    /// Whatever Hydra asks, the form says or the lookup finds: the consent grant is always a
    /// subset of the requested scopes, for the requested audience; claims are released only for
    /// a confirmed identity, and the page is never shown under `prompt=none`. Where the first step
    /// plans without the identity, the identity would have changed nothing.
    #[test]
    fn the_grant_is_a_subset_of_the_requested_scopes(
        (skip, skip_consent, trusted, prompt_none) in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        requested in proptest::collection::vec(scope(), 0..6),
        with_context in any::<bool>(),
        answer in answer(),
        found in found(),
    ) {
        let context = if with_context { json!({ "identity_id": ID }) } else { Value::Null };
        let audience = vec!["api".to_string()];
        let answer = answer.as_ref().map(|(allow, chosen, remember)| match allow {
            true => Answer::Allow { chosen: chosen.iter().map(String::as_str).collect(), remember: *remember },
            false => Answer::Deny,
        });
        let consent = Consent {
            request: ConsentFacts {
                skip,
                client: Client { id: if trusted { "trusted-app" } else { "app" }, skip_consent, ..Client::default() },
                prompt_none,
                requested_audience: &audience,
                ..request("app", &requested, &context)
            },
            answer: answer.as_ref(),
        };
        let policy = policy();
        let confirmed = matches!(found, Found::Confirmed(_));
        let planned = plan(&consent, &policy, found);
        match &planned {
            ConsentPlan::Accept { body, .. } => {
                prop_assert!(body.grant_scope.iter().all(|s| requested.contains(s)), "{:?} of {:?}", body.grant_scope, requested);
                prop_assert_eq!(&body.grant_access_token_audience, &audience);
                prop_assert!(confirmed, "accepted without a confirmed identity");
            }
            ConsentPlan::Page(_) => prop_assert!(!prompt_none && answer.is_none() && confirmed),
            ConsentPlan::Reject(_) => {}
        }
        match start(&consent, &policy) {
            Start::Planned(early) => {
                if let ConsentPlan::Accept { body, .. } = &early {
                    prop_assert!(body.grant_scope.iter().all(|s| requested.contains(s)));
                    prop_assert_eq!(&body.session, &TokenClaims::default(), "claims without the identity");
                }
                prop_assert_eq!(early, plan(&consent, &policy, Found::Confirmed(Box::new(customer()))));
            }
            Start::LookUp(_) => {
                let unfound = plan(&consent, &policy, Found::Nothing);
                prop_assert!(matches!(unfound, ConsentPlan::Reject(_)), "{:?}", unfound);
            }
        }
    }
}
