//! The `device` section: how Hydra makes user codes, how many wrong ones a browser may enter, and
//! how many wrong ones the service takes from one client and from everyone.

use std::num::{NonZeroU32, NonZeroUsize};

use serde::Deserialize;

use domain::device_code::{Alphabet, EntropyPreset};
use domain::device_limit::{self, Budgets};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSettings {
    /// Hydra's `oauth2.device_authorization.user_code.entropy_preset`.
    #[serde(default)]
    pub user_code_entropy_preset: EntropyPreset,
    /// Hydra's `oauth2.device_authorization.user_code.character_set`; overrides the preset.
    #[serde(default)]
    pub user_code_character_set: Option<CharacterSet>,
    /// Wrong codes one browser may enter for one device request before it must start again.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: MaxAttempts,
    /// Hydra's `oauth2.device_authorization.user_code.length`; unset is the preset's (8, or 9 for
    /// `low`). Only sizes the default budget.
    #[serde(default)]
    pub user_code_length: Option<CodeLength>,
    /// Wrong codes everyone together may enter a minute; unset is sized from the codes
    /// (docs/device.md, "Wrong device codes"). Required for codes too short for a usable default (`low`).
    #[serde(default)]
    pub wrong_codes_per_minute: Option<NonZeroU32>,
    /// Wrong codes one client address (an IPv6 /64) may enter a minute; unset is 30, or the global
    /// budget when that is smaller.
    #[serde(default)]
    pub wrong_codes_per_ip_per_minute: Option<NonZeroU32>,
    /// Client addresses whose counts are kept; past this the least recently seen is forgotten.
    #[serde(
        default = "default_tracked_clients",
        deserialize_with = "super::units::nonzero_usize"
    )]
    pub tracked_clients: NonZeroUsize,
}

impl Default for DeviceSettings {
    fn default() -> Self {
        Self {
            user_code_entropy_preset: EntropyPreset::default(),
            user_code_character_set: None,
            max_attempts: default_max_attempts(),
            user_code_length: None,
            wrong_codes_per_minute: None,
            wrong_codes_per_ip_per_minute: None,
            tracked_clients: default_tracked_clients(),
        }
    }
}

impl DeviceSettings {
    /// The alphabet Hydra draws user codes from, as configured here.
    pub fn alphabet(&self) -> Alphabet {
        match &self.user_code_character_set {
            Some(set) => Alphabet::from_chars(&set.0),
            None => Alphabet::preset(self.user_code_entropy_preset),
        }
    }

    /// How many characters Hydra's user codes have.
    pub fn code_length(&self) -> u32 {
        self.user_code_length.map_or_else(
            || device_limit::preset_length(self.user_code_entropy_preset),
            |l| u32::from(l.0),
        )
    }

    /// The global budget these codes allow by default (a guess more than a year away).
    pub fn sized_global_budget(&self) -> u32 {
        let alphabet_len = u32::try_from(self.alphabet().chars().len()).unwrap_or(u32::MAX);
        device_limit::sized_global_budget(alphabet_len, self.code_length())
    }

    /// The wrong-code budgets in force: as configured, else sized from the codes.
    pub fn budgets(&self) -> Budgets {
        let global = self
            .wrong_codes_per_minute
            .map_or_else(|| self.sized_global_budget(), NonZeroU32::get);
        let per_client = self.wrong_codes_per_ip_per_minute.map_or_else(
            || device_limit::DEFAULT_PER_CLIENT.min(global),
            NonZeroU32::get,
        );
        Budgets { per_client, global }
    }

    /// The expected minutes until one of the assumed waiting codes is guessed at the global budget.
    pub fn minutes_to_guess(&self) -> u128 {
        let alphabet_len = u32::try_from(self.alphabet().chars().len()).unwrap_or(u32::MAX);
        let space = device_limit::code_space(alphabet_len, self.code_length());
        device_limit::expected_minutes_to_guess(
            space,
            device_limit::PENDING_CODES,
            self.budgets().global,
        )
    }

    /// Why these settings cannot be used, with the key: codes so short that the default budget
    /// that keeps a guess a year away is too small to use need a budget chosen by the operator.
    pub(super) fn validate(&self) -> Result<(), (&'static str, String)> {
        let sized = self.sized_global_budget();
        if self.wrong_codes_per_minute.is_none() && sized < device_limit::MIN_USABLE_PER_MINUTE {
            return Err((
                "device.wrong_codes_per_minute",
                format!(
                    "must be set for these user codes ({} characters of {}, such as the `low` \
                     preset): keeping a guess more than a year away allows only {sized} wrong \
                     code(s) a minute for everyone; choose a budget (docs/device.md, \"Wrong \
                     device codes\")",
                    self.code_length(),
                    self.alphabet().chars().len(),
                ),
            ));
        }
        Ok(())
    }
}

/// A user-code length: 1 to 64 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u8")]
pub struct CodeLength(u8);

impl TryFrom<u8> for CodeLength {
    type Error = String;

    fn try_from(n: u8) -> Result<Self, Self::Error> {
        if (1..=64).contains(&n) {
            Ok(Self(n))
        } else {
            Err(format!("must be between 1 and 64, not {n}"))
        }
    }
}

/// A user-code character set: printable characters only, so that every code can be typed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CharacterSet(String);

impl TryFrom<String> for CharacterSet {
    type Error = String;

    fn try_from(set: String) -> Result<Self, Self::Error> {
        let count = set.chars().count();
        if !(2..=256).contains(&count) {
            return Err("must have 2 to 256 characters".into());
        }
        if set.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters".into());
        }
        Ok(Self(set))
    }
}

/// 1 to 100 wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u32")]
pub struct MaxAttempts(u32);

impl MaxAttempts {
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for MaxAttempts {
    type Error = String;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        if (1..=100).contains(&n) {
            Ok(Self(n))
        } else {
            Err(format!("must be between 1 and 100, not {n}"))
        }
    }
}

fn default_max_attempts() -> MaxAttempts {
    MaxAttempts(5)
}

fn default_tracked_clients() -> NonZeroUsize {
    NonZeroUsize::new(10_000).unwrap_or(NonZeroUsize::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: serde_json::Value) -> DeviceSettings {
        serde_json::from_value(yaml).unwrap()
    }

    #[test]
    fn budgets_are_sized_from_the_codes_unless_set() {
        let high = settings(serde_json::json!({}));
        assert_eq!(
            high.budgets(),
            Budgets {
                per_client: 30,
                global: 74_000
            }
        );
        assert!(high.validate().is_ok());
        let medium = settings(serde_json::json!({"user_code_entropy_preset": "medium"}));
        assert_eq!(medium.budgets().global, 390);
        // Longer codes than the preset's allow more.
        let longer = settings(serde_json::json!({
            "user_code_entropy_preset": "medium", "user_code_length": 10,
        }));
        assert_eq!(longer.budgets().global, 260_000);
        let set = settings(serde_json::json!({
            "wrong_codes_per_minute": 20, "wrong_codes_per_ip_per_minute": 5,
        }));
        assert_eq!(
            set.budgets(),
            Budgets {
                per_client: 5,
                global: 20
            }
        );
    }

    #[test]
    fn codes_too_short_for_a_usable_default_need_a_budget() {
        let low = settings(serde_json::json!({"user_code_entropy_preset": "low"}));
        let (key, reason) = low.validate().unwrap_err();
        assert_eq!(key, "device.wrong_codes_per_minute");
        assert!(reason.contains("only 1 wrong code"), "{reason}");
        let chosen = settings(serde_json::json!({
            "user_code_entropy_preset": "low", "wrong_codes_per_minute": 10,
        }));
        assert!(chosen.validate().is_ok());
        assert_eq!(
            chosen.budgets(),
            Budgets {
                per_client: 10,
                global: 10
            }
        );
        // 10^9 / 1,000 / 10 a minute: 100,000 minutes.
        assert_eq!(chosen.minutes_to_guess(), 100_000);
        // A short configured set is judged the same way.
        let tiny = settings(serde_json::json!({"user_code_character_set": "ABCD"}));
        assert!(tiny.validate().is_err());
    }
}
