//! Device sign-in's plan (RFC 8628): what the code form shows, when a typed code goes to Hydra, how
//! many wrong codes a browser may enter, and what the success page names. Hydra has no GET for a
//! device request, so a code is the first thing asked upstream; its moments are the form opened
//! ([`open`]), a code entered ([`enter`]), a code the service's limit holds back ([`held_back`]),
//! and a code Hydra does not know ([`refused`]).

use crate::device_code::{Alphabet, CodeError, MAX_TYPED_CHARS, normalise};

/// The user-code alphabet and the wrong-code limit, built once at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePolicy {
    pub alphabet: Alphabet,
    /// Wrong codes one browser may enter for one device request (1 to 100).
    pub max_attempts: u32,
}

/// What to do with a code for a request that already saw some wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// The code may be tried.
    Try,
    /// The limit is reached: the person must start again on the device.
    Exhausted,
}

/// The rule: `max` wrong codes, then no more tries.
pub fn turn(wrong: u32, max: u32) -> Turn {
    if wrong >= max {
        Turn::Exhausted
    } else {
        Turn::Try
    }
}

/// The count after one more wrong code.
pub fn after_wrong(wrong: u32) -> u32 {
    wrong.saturating_add(1)
}

/// What the device page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevicePage {
    /// The code form, with `code` in the field and `problem` under it.
    Form {
        code: String,
        problem: Option<Problem>,
    },
    /// No more tries: only a new code from the device helps now.
    Exhausted,
}

/// What went wrong with the code entered last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The form came without a code.
    Missing,
    /// The code was wrong; `left` more may be tried.
    Wrong { left: u32 },
    /// Too many wrong codes reached the service lately (from this client, or from everyone): Hydra
    /// was not asked; another code may be tried after this many seconds.
    Busy { retry_after_secs: u64 },
}

/// What became of the code entered, for the count the browser keeps and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entered {
    /// No code was entered, or an empty one.
    Nothing,
    /// The browser had used up its wrong codes: Hydra was not asked.
    TooMany,
    /// The service's own limit held the code back: Hydra was not asked.
    Limited,
    /// A wrong code: the browser's count is now this.
    Wrong(u32),
}

/// The answer to the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub page: DevicePage,
    pub entered: Entered,
}

/// What an entered code leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodePlan {
    /// Answered without asking Hydra.
    Reply(Reply),
    /// Hand this code to Hydra; if it knows none such, [`refused`] says what follows.
    Submit { code: String },
}

/// The form opened (`GET /device`), with the browser's `wrong` codes so far. A link from the
/// device may carry its code; one that cannot be a code is left out. The person still confirms
/// it, so a link someone else sent cannot sign them in unawares (RFC 8628 5.4).
pub fn open(user_code: Option<&str>, wrong: u32, policy: &DevicePolicy) -> Reply {
    let page = match turn(wrong, policy.max_attempts) {
        Turn::Exhausted => DevicePage::Exhausted,
        Turn::Try => DevicePage::Form {
            code: user_code
                .and_then(|typed| normalise(typed, &policy.alphabet).ok())
                .unwrap_or_default(),
            problem: None,
        },
    };
    Reply {
        page,
        entered: Entered::Nothing,
    }
}

/// A code entered (`POST /device`): to Hydra when it can be one of Hydra's codes; a code that
/// cannot be is wrong without asking.
pub fn enter(typed: &str, wrong: u32, policy: &DevicePolicy) -> CodePlan {
    if turn(wrong, policy.max_attempts) == Turn::Exhausted {
        return CodePlan::Reply(Reply {
            page: DevicePage::Exhausted,
            entered: Entered::TooMany,
        });
    }
    match normalise(typed, &policy.alphabet) {
        Ok(code) => CodePlan::Submit { code },
        Err(CodeError::Empty) => CodePlan::Reply(Reply {
            page: DevicePage::Form {
                code: String::new(),
                problem: Some(Problem::Missing),
            },
            entered: Entered::Nothing,
        }),
        Err(CodeError::TooLong | CodeError::NotInAlphabet) => {
            CodePlan::Reply(refused(typed, wrong, policy))
        }
    }
}

/// A wrong code: counted, then the form again or, at the limit, the page that sends the person
/// back to the device, with what was typed in the field.
pub fn refused(typed: &str, wrong: u32, policy: &DevicePolicy) -> Reply {
    let wrong = after_wrong(wrong);
    let page = match turn(wrong, policy.max_attempts) {
        Turn::Exhausted => DevicePage::Exhausted,
        Turn::Try => DevicePage::Form {
            code: kept(typed),
            problem: Some(Problem::Wrong {
                left: policy.max_attempts - wrong,
            }),
        },
    };
    Reply {
        page,
        entered: Entered::Wrong(wrong),
    }
}

/// A code the service's limit on wrong codes held back ([`crate::device_limit`]): the form again,
/// with what was typed for when the wait is over. The browser's count stays as it was: nothing was
/// learnt about the code.
pub fn held_back(typed: &str, retry_after_secs: u64) -> Reply {
    Reply {
        page: DevicePage::Form {
            code: kept(typed),
            problem: Some(Problem::Busy { retry_after_secs }),
        },
        entered: Entered::Limited,
    }
}

/// What goes back into the field: what was typed, so that a slip can be fixed, unless it is long
/// junk.
fn kept(typed: &str) -> String {
    if typed.chars().count() <= MAX_TYPED_CHARS {
        typed.to_owned()
    } else {
        String::new()
    }
}

/// The longest client name the success page shows.
const MAX_NAME_CHARS: usize = 100;
/// The longest client id looked up (Hydra's are UUIDs unless set by hand).
const MAX_CLIENT_ID_BYTES: usize = 255;

/// Client ids worth asking Hydra about for the success page: short and printable (U+FFFD stands
/// for bytes that were not UTF-8).
pub fn worth_looking_up(client_id: &str) -> bool {
    !client_id.is_empty()
        && client_id.len() <= MAX_CLIENT_ID_BYTES
        && !client_id.chars().any(|c| c.is_control() || c == '\u{FFFD}')
}

/// The client's name as the success page shows it: trimmed, cut at 100 characters; `None` for
/// none.
pub fn shown_name(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut bounded: String = name.chars().take(MAX_NAME_CHARS).collect();
    if name.chars().nth(MAX_NAME_CHARS).is_some() {
        bounded.push('…');
    }
    Some(bounded)
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
