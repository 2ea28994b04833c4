use proptest::prelude::*;
use time::macros::datetime;

use super::plan::*;
use super::*;
use crate::identity::{KratosSession, Session, SessionIdentity};

const ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";

fn identity(external_id: Option<&str>) -> SessionIdentity {
    SessionIdentity {
        id: ID.into(),
        external_id: external_id.map(str::to_owned),
    }
}

fn subjects(current: Option<&str>, former: Option<&str>) -> Subjects {
    Subjects {
        current: current.map(str::to_owned),
        former: former.map(str::to_owned),
    }
}

fn client(id: &str, name: &str) -> AppClient {
    AppClient {
        id: id.into(),
        name: name.into(),
        ..AppClient::default()
    }
}

fn grant(id: &str, scopes: &[&str]) -> Grant {
    Grant {
        client: client(id, &id.to_uppercase()),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        given: Some(datetime!(2026-03-01 10:00 UTC)),
        remember: true,
        remember_for: 3600,
    }
}

#[test]
fn the_subjects_are_the_logins_and_the_identitys_other_identifier() {
    use SubjectSource::*;
    let cases = [
        (ExternalIdOrId, Some("C-1"), Some("C-1"), Some(ID)),
        (ExternalIdOrId, None, Some(ID), None),
        (ExternalIdOrId, Some(""), Some(ID), None),
        (ExternalId, Some("C-1"), Some("C-1"), Some(ID)),
        // Strict without an external_id: no sign-in, but the grants from before stay reachable.
        (ExternalId, None, None, Some(ID)),
        (Id, Some("C-1"), Some(ID), Some("C-1")),
        (Id, None, Some(ID), None),
    ];
    for (source, external, current, former) in cases {
        assert_eq!(
            Subjects::of(&identity(external), source),
            subjects(current, former),
            "{source:?} {external:?}"
        );
    }
    // The same subject as the login's, by the same function.
    let login = crate::subject::subject_for(ExternalIdOrId, ID, Some("C-1")).unwrap();
    let s = Subjects::of(&identity(Some("C-1")), ExternalIdOrId);
    assert_eq!(s.current, Some(login.value));
    assert_eq!(
        s.each().collect::<Vec<_>>(),
        [(Held::Current, "C-1"), (Held::Former, ID)]
    );
}

#[test]
fn without_a_session_the_person_signs_in_first() {
    let policy = AppsPolicy {
        subject_source: SubjectSource::ExternalIdOrId,
        max_entries: 10,
    };
    assert_eq!(
        start(&KratosSession::None, &policy),
        Start::SignIn { aal2: false }
    );
    assert_eq!(
        start(&KratosSession::Aal2Required, &policy),
        Start::SignIn { aal2: true }
    );
    let session = KratosSession::Active(Box::new(Session {
        id: "s1".into(),
        active: Some(true),
        authenticated_at: None,
        expires_at: None,
        authenticator_assurance_level: "aal1".into(),
        authentication_methods: vec![],
        identity: identity(Some("C-1")),
    }));
    assert_eq!(
        start(&session, &policy),
        Start::Read {
            identity_id: ID.into(),
            subjects: subjects(Some("C-1"), Some(ID)),
        }
    );
}

#[test]
fn grants_of_one_application_make_one_entry() {
    let mut older = grant("shop", &["openid", "email"]);
    older.given = Some(datetime!(2026-01-01 00:00 UTC));
    older.client.name = "Old Shop".into();
    older.remember = false;
    let mut newer = grant("shop", &["openid", "profile"]);
    newer.client.logo_uri = "https://shop.example/logo.png".into();
    newer.client.policy_uri = "javascript:alert(1)".into();
    newer.client.tos_uri = "https://shop.example/terms".into();
    let other = grant("blog", &["openid"]);
    let entries = merge(&[
        (Held::Current, vec![newer.clone(), other]),
        (Held::Former, vec![older]),
    ]);
    assert_eq!(
        entries
            .iter()
            .map(|e| e.client_id.as_str())
            .collect::<Vec<_>>(),
        ["blog", "shop"],
        "by name"
    );
    let shop = &entries[1];
    assert_eq!(shop.name, "SHOP", "the newest grant's view");
    assert_eq!(shop.scopes, ["openid", "profile", "email"]);
    assert_eq!(shop.logo.as_deref(), Some("https://shop.example/logo.png"));
    assert_eq!(shop.policy, None, "only http and https links");
    assert_eq!(shop.terms.as_deref(), Some("https://shop.example/terms"));
    assert_eq!(shop.given, newer.given);
    assert_eq!(
        shop.remembered,
        Remembered::Until(datetime!(2026-03-01 11:00 UTC))
    );
    assert!(shop.current && shop.former);
    assert!(entries[0].current && !entries[0].former);
}

#[test]
fn how_long_a_consent_is_remembered() {
    let mut g = grant("a", &[]);
    let of = |g: &Grant| merge(&[(Held::Current, vec![g.clone()])])[0].remembered;
    assert_eq!(of(&g), Remembered::Until(datetime!(2026-03-01 11:00 UTC)));
    g.remember_for = 0;
    assert_eq!(of(&g), Remembered::UntilWithdrawn);
    g.remember = false;
    assert_eq!(of(&g), Remembered::Not);
    let mut logo = grant("b", &[]);
    logo.client.logo_uri = "http://plain.example/logo.png".into();
    logo.client.name = "  ".into();
    let entry = &merge(&[(Held::Current, vec![logo])])[0];
    assert_eq!(entry.logo, None, "https only, as on the consent page");
    assert_eq!(entry.name, "b", "the id stands in for a missing name");
    assert!(merge(&[(Held::Current, vec![grant("", &["openid"])])]).is_empty());
}

#[test]
fn the_page_shows_at_most_the_maximum_and_says_how_many_more() {
    let entries = merge(&[(
        Held::Current,
        ["a", "b", "c"].iter().map(|c| grant(c, &[])).collect(),
    )]);
    let policy = |max_entries| AppsPolicy {
        subject_source: SubjectSource::Id,
        max_entries,
    };
    let listing = list(entries.clone(), &policy(2));
    assert_eq!((listing.shown.len(), listing.more), (2, 1));
    let listing = list(entries, &policy(5));
    assert_eq!((listing.shown.len(), listing.more), (3, 0));
}

#[test]
fn a_posted_application_must_be_on_the_persons_list() {
    let both = subjects(Some("C-1"), Some(ID));
    let entries = merge(&[
        (Held::Current, vec![grant("shop", &[]), grant("blog", &[])]),
        (Held::Former, vec![grant("shop", &[])]),
    ]);
    let one = |c: &str| Target::One(c.into());
    assert_eq!(
        withdraw(&one("other"), Step::Confirm, &entries, &both),
        WithdrawPlan::NotOnList
    );
    assert_eq!(
        withdraw(&one("other"), Step::Cancel, &entries, &both),
        WithdrawPlan::Back
    );
    assert_eq!(
        withdraw(&Target::All, Step::Confirm, &[], &both),
        WithdrawPlan::Nothing
    );
    let WithdrawPlan::Confirm {
        entries: asked,
        all,
    } = withdraw(&one("shop"), Step::Ask, &entries, &both)
    else {
        panic!("asks first");
    };
    assert_eq!((asked[0].client_id.as_str(), all), ("shop", false));
    let WithdrawPlan::Revoke { revocations, .. } =
        withdraw(&one("shop"), Step::Confirm, &entries, &both)
    else {
        panic!("revokes");
    };
    let rev = |held, subject: &str, client: Option<&str>| Revocation {
        held,
        subject: subject.into(),
        client: client.map(str::to_owned),
    };
    assert_eq!(
        revocations,
        [
            rev(Held::Current, "C-1", Some("shop")),
            rev(Held::Former, ID, Some("shop"))
        ]
    );
    let WithdrawPlan::Revoke { revocations, .. } =
        withdraw(&one("blog"), Step::Confirm, &entries, &both)
    else {
        panic!("revokes");
    };
    assert_eq!(revocations, [rev(Held::Current, "C-1", Some("blog"))]);
    let WithdrawPlan::Revoke {
        revocations, all, ..
    } = withdraw(&Target::All, Step::Confirm, &entries, &both)
    else {
        panic!("revokes");
    };
    assert!(all);
    assert_eq!(
        revocations,
        [rev(Held::Current, "C-1", None), rev(Held::Former, ID, None)]
    );
}

#[test]
fn a_withdrawal_that_fails_midway_says_which_were_withdrawn() {
    let both = subjects(Some("C-1"), Some(ID));
    let entries = merge(&[
        (Held::Current, vec![grant("shop", &[]), grant("blog", &[])]),
        (Held::Former, vec![grant("shop", &[]), grant("wiki", &[])]),
    ]);
    let WithdrawPlan::Revoke {
        revocations,
        entries,
        ..
    } = withdraw(&Target::All, Step::Confirm, &entries, &both)
    else {
        panic!("revokes");
    };
    let ids = |list: &[Entry]| list.iter().map(|e| e.client_id.clone()).collect::<Vec<_>>();
    let results = vec![
        (revocations[0].clone(), true),
        (revocations[1].clone(), false),
    ];
    let report = report(&entries, &results);
    assert_eq!(ids(&report.withdrawn), ["blog"]);
    assert_eq!(
        ids(&report.kept),
        ["shop", "wiki"],
        "shop kept its former grant"
    );
    assert_eq!(report.outcome(), Outcome::Partly);
    let all_ok: Vec<_> = revocations.iter().map(|r| (r.clone(), true)).collect();
    assert_eq!(
        super::plan::report(&entries, &all_ok).outcome(),
        Outcome::Done
    );
    let none_sent = super::plan::report(&entries, &[]);
    assert_eq!(none_sent.outcome(), Outcome::Failed);
}

fn arb_grant() -> impl Strategy<Value = Grant> {
    (
        prop_oneof![Just(""), Just("a"), Just("b"), Just("c"), Just("d")],
        proptest::collection::vec(prop_oneof![Just("openid"), Just("email"), Just("x")], 0..4),
        any::<bool>(),
        0u64..5000,
        proptest::option::of(0i64..2_000_000_000),
    )
        .prop_map(|(id, scopes, remember, remember_for, given)| Grant {
            client: client(id, ""),
            scopes: scopes.into_iter().map(str::to_owned).collect(),
            given: given.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
            remember,
            remember_for,
        })
}

fn arb_found() -> impl Strategy<Value = Vec<(Held, Vec<Grant>)>> {
    (
        proptest::collection::vec(arb_grant(), 0..6),
        proptest::collection::vec(arb_grant(), 0..6),
    )
        .prop_map(|(current, former)| vec![(Held::Current, current), (Held::Former, former)])
}

proptest! {
    /// One entry per application with a grant, holding exactly its grants' scopes and subjects.
    #[test]
    fn merging_keeps_every_application_once(found in arb_found()) {
        let entries = merge(&found);
        let grants = || found.iter().flat_map(|(h, g)| g.iter().map(move |g| (*h, g)));
        for (i, entry) in entries.iter().enumerate() {
            prop_assert!(!entry.client_id.is_empty());
            prop_assert!(entries[i + 1..].iter().all(|e| e.client_id != entry.client_id));
            let own: Vec<_> = grants().filter(|(_, g)| g.client.id == entry.client_id).collect();
            prop_assert!(!own.is_empty());
            for held in [Held::Current, Held::Former] {
                prop_assert_eq!(entry.held(held), own.iter().any(|(h, _)| *h == held));
            }
            for (_, g) in &own {
                prop_assert!(g.scopes.iter().all(|s| entry.scopes.contains(s)));
            }
            prop_assert!(entry.scopes.iter().all(|s| own.iter().any(|(_, g)| g.scopes.contains(s))));
        }
        for (_, g) in grants().filter(|(_, g)| !g.client.id.is_empty()) {
            prop_assert!(entries.iter().any(|e| e.client_id == g.client.id));
        }
    }

    /// Only an application on the list is ever revoked, only under the person's own subjects, and
    /// every revocation reaches something on the list.
    #[test]
    fn only_the_persons_own_listed_grants_are_revoked(
        found in arb_found(),
        posted in prop_oneof![Just("a"), Just("b"), Just("e"), Just("")],
        all in any::<bool>(),
        current in proptest::option::of(Just("C-1")),
    ) {
        let entries = merge(&found);
        let person = subjects(current, Some(ID));
        let target = if all { Target::All } else { Target::One(posted.into()) };
        match withdraw(&target, Step::Confirm, &entries, &person) {
            WithdrawPlan::Revoke { revocations, entries: chosen, .. } => {
                prop_assert!(!chosen.is_empty());
                for r in &revocations {
                    prop_assert_eq!(person.get(r.held), Some(r.subject.as_str()));
                    prop_assert!(chosen.iter().any(|e| r.covers(e)));
                    if let Some(client) = &r.client {
                        prop_assert!(!all);
                        prop_assert_eq!(client.as_str(), posted);
                    }
                }
                // Every grant of the chosen applications is reached.
                for e in &chosen {
                    for (held, _) in person.each() {
                        if e.held(held) {
                            prop_assert!(revocations.iter().any(|r| r.held == held && r.covers(e)));
                        }
                    }
                }
            }
            WithdrawPlan::NotOnList => {
                prop_assert!(!all && entries.iter().all(|e| e.client_id != posted));
            }
            WithdrawPlan::Nothing => prop_assert!(all && entries.is_empty()),
            other => prop_assert!(false, "{:?}", other),
        }
    }

    /// The report names every application once: withdrawn only when all its revocations went
    /// through.
    #[test]
    fn the_report_accounts_for_every_application(
        found in arb_found(),
        outcomes in proptest::collection::vec(any::<bool>(), 2),
    ) {
        let entries = merge(&found);
        let person = subjects(Some("C-1"), Some(ID));
        if let WithdrawPlan::Revoke { revocations, entries: chosen, .. } =
            withdraw(&Target::All, Step::Confirm, &entries, &person)
        {
            let results: Vec<_> = revocations.into_iter().zip(outcomes.iter().copied()).collect();
            let report = report(&chosen, &results);
            prop_assert_eq!(report.withdrawn.len() + report.kept.len(), chosen.len());
            for e in &report.withdrawn {
                prop_assert!(results.iter().filter(|(r, _)| r.covers(e)).all(|(_, ok)| *ok));
            }
            for e in &report.kept {
                prop_assert!(results.iter().any(|(r, ok)| r.covers(e) && !ok));
            }
            if outcomes.iter().all(|ok| *ok) {
                prop_assert_eq!(report.outcome(), Outcome::Done);
            }
        }
    }
}
