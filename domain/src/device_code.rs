//! The user code a person types for a device: Hydra's alphabet, and what a typed code becomes
//! before it is sent to Hydra.
//!
//! Hydra (v25.4+) draws user codes from `oauth2.device_authorization.user_code`: 8 characters of
//! `abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679` by default (preset `high`), 8 of `A-Z`
//! (`medium`), 9 digits (`low`), or a configured `character_set`. Hydra compares the code exactly,
//! so the bridge may only change what the alphabet leaves no doubt about: spaces and dashes go, and a
//! letter's case is changed only when the alphabet has that letter in the other case alone.

use serde::Deserialize;

/// Hydra's `user_code.entropy_preset` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EntropyPreset {
    #[default]
    High,
    Medium,
    Low,
}

/// Hydra's `randx.AlphaNumNoAmbiguous`: letters and digits without `0Oo1IlB8S5Z2`.
const HIGH: &str = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
const MEDIUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOW: &str = "0123456789";

/// The most characters read from what a person typed, separators included. Hydra's codes are 8 or 9
/// characters; anything this long is not one.
pub const MAX_TYPED_CHARS: usize = 64;

/// The characters a user code is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alphabet {
    /// Sorted, without duplicates.
    chars: Vec<char>,
    /// Some letter is in it in both cases, so case must be typed as shown.
    case_sensitive: bool,
}

/// What the person is told about typing a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypingHint {
    /// Only digits.
    Digits,
    /// Letters in both cases: type them as shown.
    CaseSensitive,
    /// Letters in one case: either case will do.
    AnyCase,
}

/// Why a typed code cannot be one of Hydra's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("no code was entered")]
    Empty,
    #[error("the code is too long")]
    TooLong,
    #[error("the code has a character user codes never have")]
    NotInAlphabet,
}

impl Alphabet {
    pub fn preset(preset: EntropyPreset) -> Self {
        Self::from_chars(match preset {
            EntropyPreset::High => HIGH,
            EntropyPreset::Medium => MEDIUM,
            EntropyPreset::Low => LOW,
        })
    }

    /// A configured `character_set`; Hydra uses it as given.
    pub fn from_chars(set: &str) -> Self {
        let mut chars: Vec<char> = set.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        let case_sensitive = chars
            .iter()
            .any(|&c| other_case(c).is_some_and(|o| chars.binary_search(&o).is_ok()));
        Self {
            chars,
            case_sensitive,
        }
    }

    pub fn contains(&self, c: char) -> bool {
        self.chars.binary_search(&c).is_ok()
    }

    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Whether some letter is in the alphabet in both cases, so that case must be typed as shown.
    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    pub fn digits_only(&self) -> bool {
        self.chars.iter().all(char::is_ascii_digit)
    }

    /// Whether every letter is a capital, so that phone keyboards may start in capitals.
    pub fn capitals_only(&self) -> bool {
        self.chars.iter().any(|c| c.is_uppercase()) && !self.chars.iter().any(|c| c.is_lowercase())
    }

    /// What matters when typing a code of this alphabet, for the line under the input.
    pub fn hint(&self) -> TypingHint {
        if self.digits_only() {
            TypingHint::Digits
        } else if self.case_sensitive() {
            TypingHint::CaseSensitive
        } else {
            TypingHint::AnyCase
        }
    }
}

/// The same letter in the other case, when that is a single character.
fn other_case(c: char) -> Option<char> {
    let mapped: String = if c.is_lowercase() {
        c.to_uppercase().collect()
    } else if c.is_uppercase() {
        c.to_lowercase().collect()
    } else {
        return None;
    };
    let mut chars = mapped.chars();
    match (chars.next(), chars.next()) {
        (Some(o), None) if o != c => Some(o),
        _ => None,
    }
}

/// Full-width forms (typed with East Asian input methods) as the ASCII characters they stand for.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// What people put between groups of a code, or paste along with it.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// The code to send to Hydra for what a person typed, or why it cannot be a user code.
///
/// A character of the alphabet is kept as typed. Otherwise separators are dropped, and a letter
/// outside the alphabet becomes its other case when that one is in the alphabet. Anything else
/// means the code is wrong, and Hydra need not be asked.
pub fn normalise(typed: &str, alphabet: &Alphabet) -> Result<String, CodeError> {
    let mut code = String::new();
    for (i, raw) in typed.chars().enumerate() {
        if i >= MAX_TYPED_CHARS {
            return Err(CodeError::TooLong);
        }
        let c = narrow(raw);
        if alphabet.contains(c) {
            code.push(c);
        } else if is_separator(c) {
            continue;
        } else {
            match other_case(c).filter(|&o| alphabet.contains(o)) {
                Some(o) => code.push(o),
                None => return Err(CodeError::NotInAlphabet),
            }
        }
    }
    if code.is_empty() {
        return Err(CodeError::Empty);
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn high() -> Alphabet {
        Alphabet::preset(EntropyPreset::High)
    }

    #[test]
    fn presets_match_hydra() {
        assert_eq!(high().chars().len(), 50);
        for c in "0Oo1IlB8S5Z2".chars() {
            assert!(!high().contains(c), "{c}");
        }
        assert_eq!(Alphabet::preset(EntropyPreset::Medium).chars().len(), 26);
        assert!(Alphabet::preset(EntropyPreset::Low).digits_only());
        assert!(high().case_sensitive());
        assert!(!Alphabet::preset(EntropyPreset::Medium).case_sensitive());
        assert!(Alphabet::preset(EntropyPreset::Medium).capitals_only());
        assert!(!high().capitals_only());
    }

    #[test]
    fn separators_and_width_go() {
        let medium = Alphabet::preset(EntropyPreset::Medium);
        assert_eq!(normalise(" abcd-efgh ", &medium).as_deref(), Ok("ABCDEFGH"));
        assert_eq!(normalise("ABCD – EFGH", &medium).as_deref(), Ok("ABCDEFGH"));
        assert_eq!(
            normalise("ＡＢＣＤ ｅｆｇｈ", &medium).as_deref(),
            Ok("ABCDEFGH")
        );
        let low = Alphabet::preset(EntropyPreset::Low);
        assert_eq!(normalise("123 456 789", &low).as_deref(), Ok("123456789"));
        assert_eq!(normalise("123-45a", &low), Err(CodeError::NotInAlphabet));
    }

    #[test]
    fn case_changes_only_where_the_alphabet_leaves_no_doubt() {
        let high = high();
        // `a` and `A` are both codes' letters: kept as typed.
        assert_eq!(normalise("aA", &high).as_deref(), Ok("aA"));
        // Only small `b`, `i`, `s`, `z` and capital `L` exist.
        assert_eq!(normalise("BISZl", &high).as_deref(), Ok("biszL"));
        // Never in a code: `0 O o 1 I… 8 5 2` stay wrong rather than guessed.
        for bad in ["o", "O", "0", "1", "8", "5", "2", "é", "<", "%"] {
            assert_eq!(
                normalise(bad, &high),
                Err(CodeError::NotInAlphabet),
                "{bad}"
            );
        }
    }

    #[test]
    fn empty_and_long_input() {
        assert_eq!(normalise("", &high()), Err(CodeError::Empty));
        assert_eq!(normalise(" - \u{200B}", &high()), Err(CodeError::Empty));
        let long = "a".repeat(MAX_TYPED_CHARS + 1);
        assert_eq!(normalise(&long, &high()), Err(CodeError::TooLong));
        assert!(normalise(&"a".repeat(MAX_TYPED_CHARS), &high()).is_ok());
    }

    #[test]
    fn a_configured_set_keeps_its_own_separators() {
        let set = Alphabet::from_chars("AB-");
        assert_eq!(normalise("a-b", &set).as_deref(), Ok("A-B"));
        assert_eq!(normalise("a b", &set).as_deref(), Ok("AB"));
    }

    fn presets() -> impl Strategy<Value = Alphabet> {
        prop_oneof![
            Just(Alphabet::preset(EntropyPreset::High)),
            Just(Alphabet::preset(EntropyPreset::Medium)),
            Just(Alphabet::preset(EntropyPreset::Low)),
        ]
    }

    /// A code Hydra could have made, from `picks` into the alphabet.
    fn code_from(alphabet: &Alphabet, picks: &[usize]) -> String {
        picks
            .iter()
            .map(|i| alphabet.chars()[i % alphabet.chars().len()])
            .collect()
    }

    proptest! {
        /// Whatever spaces and dashes a person adds around and between the characters, the code
        /// that reaches Hydra is the one the device shows.
        #[test]
        fn separators_never_change_a_real_code(
            alphabet in presets(),
            picks in proptest::collection::vec(any::<usize>(), 8..=9),
            gaps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just(" - "), Just("\t")], 10),
        ) {
            let code = code_from(&alphabet, &picks);
            let mut typed = gaps[0].to_string();
            for (i, c) in code.chars().enumerate() {
                typed.push(c);
                typed.push_str(gaps[(i + 1) % gaps.len()]);
            }
            prop_assert_eq!(normalise(&typed, &alphabet), Ok(code));
        }

        /// Without letters in both cases, any case typed reaches Hydra as the code; with them, a
        /// letter that exists in both cases is never changed.
        #[test]
        fn case_folds_exactly_where_allowed(
            alphabet in presets(),
            picks in proptest::collection::vec(any::<usize>(), 8..=9),
            flips in proptest::collection::vec(any::<bool>(), 9),
        ) {
            let code = code_from(&alphabet, &picks);
            let typed: String = code
                .chars()
                .zip(&flips)
                .map(|(c, &flip)| if flip { other_case(c).unwrap_or(c) } else { c })
                .collect();
            let result = normalise(&typed, &alphabet);
            if !alphabet.case_sensitive() {
                prop_assert_eq!(result, Ok(code));
            } else if let Ok(sent) = &result {
                for (t, s) in typed.chars().zip(sent.chars()) {
                    if alphabet.contains(t) {
                        prop_assert_eq!(t, s);
                    }
                }
            }
        }

        /// What reaches Hydra is never empty, only alphabet characters, bounded, and stable. Typing
        /// a code's characters (in the other case or full width too) between separators is always
        /// read; only noise may make it fail.
        #[test]
        fn output_is_in_the_alphabet_and_stable(
            alphabet in presets(),
            keys in proptest::collection::vec(key(), 0..=MAX_TYPED_CHARS),
            noise in proptest::option::weighted(0.3, (any::<usize>(), "\\PC{1,16}")),
        ) {
            let mut typed: Vec<String> = keys.iter().map(|k| k.typed(&alphabet)).collect();
            if let Some((at, text)) = &noise {
                typed.insert(at % (typed.len() + 1), text.clone());
            }
            let typed = typed.concat();
            let result = normalise(&typed, &alphabet);
            if let Ok(code) = &result {
                prop_assert!(!code.is_empty());
                prop_assert!(code.chars().count() <= MAX_TYPED_CHARS);
                prop_assert!(code.chars().all(|c| alphabet.contains(c)));
                prop_assert_eq!(normalise(code, &alphabet), Ok(code.clone()));
            }
            if noise.is_none() {
                let characters = keys.iter().filter(|k| !matches!(k, Key::Separator(_))).count();
                if characters == 0 {
                    prop_assert_eq!(result, Err(CodeError::Empty));
                } else {
                    prop_assert_eq!(result.map(|c| c.chars().count()), Ok(characters), "{:?}", typed);
                }
            }
        }
    }

    /// One key press of someone typing a code.
    #[derive(Debug, Clone)]
    enum Key {
        /// A character of the alphabet (the index wraps), as shown.
        Shown(usize),
        /// The same in the other case.
        OtherCase(usize),
        /// The same in its full-width form.
        FullWidth(usize),
        Separator(char),
    }

    impl Key {
        fn typed(&self, alphabet: &Alphabet) -> String {
            let pick = |i: &usize| alphabet.chars()[i % alphabet.chars().len()];
            let c = match self {
                Key::Shown(i) => pick(i),
                Key::OtherCase(i) => other_case(pick(i)).unwrap_or(pick(i)),
                Key::FullWidth(i) => char::from_u32(pick(i) as u32 + 0xFEE0).unwrap_or(pick(i)),
                Key::Separator(c) => *c,
            };
            c.to_string()
        }
    }

    fn key() -> impl Strategy<Value = Key> {
        prop_oneof![
            6 => any::<usize>().prop_map(Key::Shown),
            2 => any::<usize>().prop_map(Key::OtherCase),
            1 => any::<usize>().prop_map(Key::FullWidth),
            2 => prop_oneof![Just(' '), Just('-'), Just('\t'), Just('\u{2013}'), Just('\u{200B}')]
                .prop_map(Key::Separator),
        ]
    }
}
