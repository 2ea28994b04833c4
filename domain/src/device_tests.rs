//! Tests of the device flow's plan.

use super::*;
use crate::device_code::EntropyPreset;
use proptest::prelude::*;

fn policy(max_attempts: u32) -> DevicePolicy {
    DevicePolicy {
        alphabet: Alphabet::preset(EntropyPreset::Medium),
        max_attempts,
    }
}

fn form(code: &str, problem: Option<Problem>) -> DevicePage {
    DevicePage::Form {
        code: code.into(),
        problem,
    }
}

#[test]
fn the_form_opens_with_the_devices_code_when_it_can_be_one() {
    let policy = policy(3);
    assert_eq!(
        open(Some("abcd-efgh"), 0, &policy).page,
        form("ABCDEFGH", None)
    );
    assert_eq!(open(Some("1234"), 0, &policy).page, form("", None));
    assert_eq!(open(None, 2, &policy).page, form("", None));
    let spent = open(Some("ABCDEFGH"), 3, &policy);
    assert_eq!(spent.page, DevicePage::Exhausted);
    // Opening the page enters no code.
    assert_eq!(spent.entered, Entered::Nothing);
}

#[test]
fn a_code_held_back_keeps_the_typing_and_the_count() {
    let reply = held_back("abcd efgh", 42);
    assert_eq!(
        reply.page,
        form(
            "abcd efgh",
            Some(Problem::Busy {
                retry_after_secs: 42
            })
        )
    );
    assert_eq!(reply.entered, Entered::Limited);
    assert_eq!(
        held_back(&"x".repeat(MAX_TYPED_CHARS + 1), 1).page,
        form(
            "",
            Some(Problem::Busy {
                retry_after_secs: 1
            })
        )
    );
}

#[test]
fn an_entered_code_goes_to_hydra_only_when_it_can_be_one() {
    let policy = policy(3);
    assert_eq!(
        enter("abcd efgh", 0, &policy),
        CodePlan::Submit {
            code: "ABCDEFGH".into()
        }
    );
    assert_eq!(
        enter("  ", 1, &policy),
        CodePlan::Reply(Reply {
            page: form("", Some(Problem::Missing)),
            entered: Entered::Nothing,
        })
    );
    assert_eq!(
        enter("1234", 1, &policy),
        CodePlan::Reply(Reply {
            page: form("1234", Some(Problem::Wrong { left: 1 })),
            entered: Entered::Wrong(2),
        })
    );
    assert_eq!(
        enter("ABCDEFGH", 3, &policy),
        CodePlan::Reply(Reply {
            page: DevicePage::Exhausted,
            entered: Entered::TooMany,
        })
    );
}

#[test]
fn the_last_wrong_code_ends_the_tries_and_junk_is_not_kept() {
    let policy = policy(3);
    assert_eq!(
        refused("ABCDEFGH", 2, &policy),
        Reply {
            page: DevicePage::Exhausted,
            entered: Entered::Wrong(3),
        }
    );
    let junk = "x".repeat(MAX_TYPED_CHARS + 1);
    assert_eq!(
        refused(&junk, 0, &policy).page,
        form("", Some(Problem::Wrong { left: 2 }))
    );
}

#[test]
fn client_ids_worth_a_lookup() {
    assert!(worth_looking_up("demo-client"));
    assert!(worth_looking_up("3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
    assert!(
        worth_looking_up("../admin"),
        "the client's path keeps it on its level"
    );
    assert!(!worth_looking_up(""));
    assert!(!worth_looking_up("a\nb"));
    assert!(!worth_looking_up("a\u{FFFD}"));
    assert!(!worth_looking_up(&"a".repeat(256)));
}

#[test]
fn names_are_trimmed_and_cut() {
    assert_eq!(shown_name("  Demo  ").as_deref(), Some("Demo"));
    assert_eq!(shown_name(" "), None);
    let long = "é".repeat(150);
    let shown = shown_name(&long).unwrap();
    assert_eq!(shown.chars().count(), 101);
    assert!(shown.ends_with('…'));
    assert_eq!(shown_name(&"a".repeat(100)).unwrap().len(), 100);
}

proptest! {
    /// Exactly `max` wrong codes are allowed, whatever the limit: the try after them is refused,
    /// and counting on never lets a try through again.
    #[test]
    fn exactly_max_wrong_codes(max in 1u32..=100, extra in 0u32..1000) {
        let mut wrong = 0;
        let mut tries = 0;
        while turn(wrong, max) == Turn::Try {
            tries += 1;
            wrong = after_wrong(wrong);
        }
        prop_assert_eq!(tries, max);
        prop_assert_eq!(turn(wrong.saturating_add(extra), max), Turn::Exhausted);
        prop_assert_eq!(turn(u32::MAX, max), Turn::Exhausted);
    }

    /// A browser that enters wrong codes, whatever it types, reaches Hydra with at most `max`
    /// codes and only with codes of the alphabet; each wrong code counts once, and the form
    /// says how many are left.
    #[test]
    fn at_most_max_codes_reach_hydra(max in 1u32..=10, typed in proptest::collection::vec("[A-Za-z0-9 -]{0,12}", 1..30)) {
        let policy = policy(max);
        let mut wrong = 0;
        let mut asked = 0;
        for typed in &typed {
            let reply = match enter(typed, wrong, &policy) {
                CodePlan::Submit { code } => {
                    prop_assert!(code.chars().all(|c| policy.alphabet.contains(c)), "{}", code);
                    asked += 1;
                    // Hydra knows no such code.
                    refused(typed, wrong, &policy)
                }
                CodePlan::Reply(reply) => reply,
            };
            match reply.entered {
                Entered::Wrong(n) => {
                    prop_assert_eq!(n, wrong + 1);
                    wrong = n;
                }
                Entered::TooMany => prop_assert!(wrong >= max),
                Entered::Nothing | Entered::Limited => {}
            }
            if let DevicePage::Form { problem: Some(Problem::Wrong { left }), .. } = reply.page {
                prop_assert_eq!(left, max - wrong);
            }
        }
        prop_assert!(asked <= max);
        prop_assert!(wrong <= max);
    }
}
