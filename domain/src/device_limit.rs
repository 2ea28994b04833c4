//! The service's own limit on wrong device codes (RFC 8628 5.1: rate-limit code entry according to
//! the code's entropy). The count the browser keeps in its cookie is only for the "tries left" text;
//! this one is kept by the service, so a client that drops cookies or starts new requests is still
//! counted.
//!
//! Two budgets, counted in windows of one minute: codes one client may try, and codes everyone
//! together may try. A code is taken from both before it goes to Hydra (so that codes sent at once
//! cannot all slip through before any is counted), and given back when Hydra accepts it: only wrong
//! codes use the budgets up.

use std::net::IpAddr;

use crate::device_code::EntropyPreset;

/// The length of a window.
pub const WINDOW_SECS: u64 = 60;

/// How many user codes are assumed to be waiting at once when the default budget is sized: a
/// guess hits one of them with probability pending / codes.
pub const PENDING_CODES: u128 = 1_000;

/// Minutes in a year (365.25 days): a guess must be expected to take longer than this.
pub const MINUTES_PER_YEAR: u128 = 525_960;

/// The wrong codes one client may try per window, unless configured; never more than the global
/// budget.
pub const DEFAULT_PER_CLIENT: u32 = 30;

/// A default global budget below this many codes a minute is too small to be usable (one mistyped
/// code would keep everyone waiting), so the operator must choose one.
pub const MIN_USABLE_PER_MINUTE: u32 = 60;

/// The two budgets, in codes per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    pub per_client: u32,
    pub global: u32,
}

/// The codes counted in the current window of one budget. Windows are numbered from the clock the
/// caller passes (seconds / [`WINDOW_SECS`]); a count from an earlier window is spent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    window: u64,
    used: u32,
}

/// What a taken code remembers, to be given back if Hydra accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    window: u64,
}

fn window_of(now_secs: u64) -> u64 {
    now_secs / WINDOW_SECS
}

/// Seconds until the window of `now_secs` ends: 1 to [`WINDOW_SECS`].
fn until_next_window(now_secs: u64) -> u64 {
    WINDOW_SECS - now_secs % WINDOW_SECS
}

impl Count {
    /// Codes used in the window of `now_secs`.
    pub fn used(self, now_secs: u64) -> u32 {
        if self.window == window_of(now_secs) {
            self.used
        } else {
            0
        }
    }

    fn has_room(self, now_secs: u64, budget: u32) -> bool {
        self.used(now_secs) < budget
    }

    fn plus_one(self, now_secs: u64) -> Count {
        Count {
            window: window_of(now_secs),
            used: self.used(now_secs).saturating_add(1),
        }
    }

    /// The count with a code taken at `ticket` given back. A code from an earlier window changes
    /// nothing: that window is over.
    pub fn give_back(self, ticket: Ticket) -> Count {
        if self.window == ticket.window {
            Count {
                window: self.window,
                used: self.used.saturating_sub(1),
            }
        } else {
            self
        }
    }
}

/// What the rule says about one more code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The code may go to Hydra; both counts now hold it.
    Allowed {
        client: Count,
        global: Count,
        ticket: Ticket,
    },
    /// A budget is used up: Hydra is not asked. Another code may be tried after this many seconds.
    Refused { retry_after_secs: u64 },
}

/// The rule for a code about to go to Hydra, with the client's and everyone's count: allowed when
/// both have room, and then counted in both.
pub fn admit(client: Count, global: Count, now_secs: u64, budgets: Budgets) -> Admission {
    if client.has_room(now_secs, budgets.per_client) && global.has_room(now_secs, budgets.global) {
        Admission::Allowed {
            client: client.plus_one(now_secs),
            global: global.plus_one(now_secs),
            ticket: Ticket {
                window: window_of(now_secs),
            },
        }
    } else {
        Admission::Refused {
            retry_after_secs: until_next_window(now_secs),
        }
    }
}

/// The key a client is counted under: its IPv4 address, or its IPv6 /64 (one subscriber's
/// network, in which each device may pick any address).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

/// Hydra's code length for a preset, when `user_code.length` is not set.
pub fn preset_length(preset: EntropyPreset) -> u32 {
    match preset {
        EntropyPreset::High | EntropyPreset::Medium => 8,
        EntropyPreset::Low => 9,
    }
}

/// How many codes of `length` characters of an alphabet of `alphabet_len` there are (saturating).
pub fn code_space(alphabet_len: u32, length: u32) -> u128 {
    u128::from(alphabet_len).saturating_pow(length)
}

/// The most wrong codes a minute, for everyone, that keep the expected time to guess any one of
/// [`PENDING_CODES`] waiting codes above a year: space / pending / minutes in a year, rounded down
/// to two significant digits, and at least 1.
pub fn sized_global_budget(alphabet_len: u32, length: u32) -> u32 {
    let per_minute = code_space(alphabet_len, length) / PENDING_CODES / MINUTES_PER_YEAR;
    let per_minute = u32::try_from(per_minute).unwrap_or(u32::MAX);
    two_significant_digits(per_minute).max(1)
}

fn two_significant_digits(n: u32) -> u32 {
    let mut scale = 1;
    while n / scale >= 100 {
        scale *= 10;
    }
    n / scale * scale
}

/// The expected minutes until one of `pending` waiting codes is guessed at `per_minute` guesses a
/// minute: space / pending / rate.
pub fn expected_minutes_to_guess(space: u128, pending: u128, per_minute: u32) -> u128 {
    space / pending.max(1) / u128::from(per_minute.max(1))
}

#[cfg(test)]
#[path = "device_limit_tests.rs"]
mod tests;
