//! Tests of the wrong-code limit's rule.

use std::collections::HashMap;

use super::*;
use proptest::prelude::*;

const BUDGETS: Budgets = Budgets {
    per_client: 3,
    global: 5,
};

/// Takes codes one after the other at `now`, as the store would, and returns what each got.
fn take_many(client: &mut Count, global: &mut Count, now: u64, n: usize) -> Vec<Admission> {
    (0..n)
        .map(|_| {
            let admission = admit(*client, *global, now, BUDGETS);
            if let Admission::Allowed {
                client: c,
                global: g,
                ..
            } = admission
            {
                *client = c;
                *global = g;
            }
            admission
        })
        .collect()
}

fn allowed(admissions: &[Admission]) -> usize {
    admissions
        .iter()
        .filter(|a| matches!(a, Admission::Allowed { .. }))
        .count()
}

#[test]
fn a_client_gets_its_budget_a_window_then_waits_for_the_next() {
    let (mut client, mut global) = (Count::default(), Count::default());
    let now = 600 + 15;
    let answers = take_many(&mut client, &mut global, now, 5);
    assert_eq!(allowed(&answers), 3);
    assert_eq!(
        answers[3],
        Admission::Refused {
            retry_after_secs: 45
        }
    );
    assert_eq!(client.used(now), 3);
    assert_eq!(global.used(now), 3);
    // The next window starts afresh.
    let answers = take_many(&mut client, &mut global, 660, 1);
    assert_eq!(allowed(&answers), 1);
    assert_eq!(client.used(660), 1);
}

#[test]
fn the_global_budget_holds_across_clients() {
    let mut global = Count::default();
    let mut answers = Vec::new();
    for _ in 0..4 {
        // A new client each time: its own count is always fresh.
        let mut client = Count::default();
        answers.extend(take_many(&mut client, &mut global, 59, 2));
    }
    assert_eq!(allowed(&answers), 5);
    assert_eq!(
        answers.last(),
        Some(&Admission::Refused {
            retry_after_secs: 1
        })
    );
}

#[test]
fn a_code_given_back_frees_its_place_only_in_its_own_window() {
    let (mut client, mut global) = (Count::default(), Count::default());
    let Admission::Allowed { ticket, .. } = admit(client, global, 10, BUDGETS) else {
        panic!("the first code is allowed");
    };
    take_many(&mut client, &mut global, 10, 3);
    assert_eq!(client.used(10), 3);
    assert_eq!(client.give_back(ticket).used(10), 2);
    assert_eq!(global.give_back(ticket).used(10), 2);
    // In a later window the old code is no longer counted anyway.
    take_many(&mut client, &mut global, 70, 1);
    assert_eq!(client.give_back(ticket).used(70), 1);
    // Never below zero.
    assert_eq!(Count::default().give_back(ticket).used(10), 0);
}

#[test]
fn client_keys_group_ipv6_by_network() {
    let key = |s: &str| client_key(s.parse().unwrap()).to_string();
    assert_eq!(key("198.51.100.4"), "198.51.100.4");
    assert_eq!(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::");
    assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
    assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    assert_eq!(key("::ffff:198.51.100.4"), "198.51.100.4");
}

#[test]
fn default_budgets_keep_a_guess_more_than_a_year_away() {
    let year = MINUTES_PER_YEAR;
    for (preset, alphabet_len, expected) in [
        (EntropyPreset::High, 50, 74_000),
        (EntropyPreset::Medium, 26, 390),
        (EntropyPreset::Low, 10, 1),
    ] {
        let length = preset_length(preset);
        let budget = sized_global_budget(alphabet_len, length);
        assert_eq!(budget, expected, "{preset:?}");
        let space = code_space(alphabet_len, length);
        assert!(expected_minutes_to_guess(space, PENDING_CODES, budget) >= year);
        // One more code a minute than the unrounded bound would not.
        let bound = u32::try_from(space / PENDING_CODES / year).unwrap();
        assert!(expected_minutes_to_guess(space, PENDING_CODES, bound + 1) < year);
    }
    // Only `low` is too small to be usable by default.
    assert!(sized_global_budget(26, 8) >= MIN_USABLE_PER_MINUTE);
    assert!(sized_global_budget(10, 9) < MIN_USABLE_PER_MINUTE);
    // A huge space saturates instead of overflowing; a tiny one still allows one code.
    assert_eq!(sized_global_budget(256, 64), 4_200_000_000);
    assert_eq!(sized_global_budget(2, 2), 1);
}

proptest! {
    /// However codes from however many clients arrive, and whichever are given back, no window
    /// ever lets more than the budgets through: per client, and for everyone.
    #[test]
    fn no_window_lets_more_than_the_budgets_through(
        events in proptest::collection::vec((0u64..400, 0u8..6, any::<bool>()), 1..300),
        per_client in 1u32..6,
        global_budget in 1u32..12,
    ) {
        let budgets = Budgets { per_client, global: global_budget };
        let mut events = events;
        events.sort_by_key(|e| e.0);
        let mut clients: HashMap<u8, Count> = HashMap::new();
        let mut global = Count::default();
        // Codes that went to Hydra and stayed counted, per (window, client) and per window.
        let mut kept: HashMap<(u64, u8), u32> = HashMap::new();
        let mut kept_global: HashMap<u64, u32> = HashMap::new();
        for (now, who, accepted) in events {
            let client = clients.get(&who).copied().unwrap_or_default();
            match admit(client, global, now, budgets) {
                Admission::Allowed { client, global: g, ticket } => {
                    let (client, g) = if accepted {
                        (client.give_back(ticket), g.give_back(ticket))
                    } else {
                        *kept.entry((now / WINDOW_SECS, who)).or_default() += 1;
                        *kept_global.entry(now / WINDOW_SECS).or_default() += 1;
                        (client, g)
                    };
                    clients.insert(who, client);
                    global = g;
                }
                Admission::Refused { retry_after_secs } => {
                    prop_assert!((1..=WINDOW_SECS).contains(&retry_after_secs));
                    // Refused only when a budget is used up, and free again after the wait.
                    prop_assert!(client.used(now) >= per_client || global.used(now) >= global_budget);
                    let later = now + retry_after_secs;
                    let again = admit(client, global, later, budgets);
                    prop_assert!(matches!(again, Admission::Allowed { .. }), "{:?}", again);
                }
            }
        }
        prop_assert!(kept.values().all(|&n| n <= per_client));
        prop_assert!(kept_global.values().all(|&n| n <= global_budget));
    }
}
