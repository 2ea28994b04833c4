//! The `device` section: how Hydra makes user codes, and how many wrong ones a browser may enter.

use serde::Deserialize;

use domain::device_code::{Alphabet, EntropyPreset};

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
}

impl Default for DeviceSettings {
    fn default() -> Self {
        Self {
            user_code_entropy_preset: EntropyPreset::default(),
            user_code_character_set: None,
            max_attempts: default_max_attempts(),
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
