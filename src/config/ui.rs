//! The `ui` section: which language pages fall back to, and where extra catalogs are; and texts
//! given in the config per language (`consent.scope_descriptions`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use super::Settings;
use crate::i18n::{Catalogs, negotiate::parse_tag, pick_text};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// The language of pages when neither the request nor the browser names one there is a
    /// catalog for.
    #[serde(default = "default_locale")]
    pub default_locale: String,
    /// A directory of catalogs, `<dir>/<lang>/*.ftl`: more languages, or messages that replace
    /// the shipped ones.
    #[serde(default)]
    pub locales_dir: Option<PathBuf>,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            default_locale: default_locale(),
            locales_dir: None,
        }
    }
}

fn default_locale() -> String {
    "en".into()
}

impl UiSettings {
    /// The shipped catalogs and those of `locales_dir`, checked.
    pub fn catalogs(&self) -> Result<Catalogs, crate::i18n::CatalogError> {
        Catalogs::load(self.locales_dir.as_deref(), &self.default_locale)
    }
}

/// A text shown to people: one for every language, or one per language tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalizedText {
    All(String),
    PerLanguage(BTreeMap<String, String>),
}

impl LocalizedText {
    /// The text for `lang` (or its language), else the one for `default_lang`, else `None`.
    pub fn get(&self, lang: &str, default_lang: &str) -> Option<&str> {
        match self {
            LocalizedText::All(text) => Some(text),
            LocalizedText::PerLanguage(texts) => {
                pick_text(texts, lang).or_else(|| pick_text(texts, default_lang))
            }
        }
    }
}

impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> Visitor<'de> for TextVisitor {
            type Value = LocalizedText;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text, or a map of language tag to text")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(LocalizedText::All(text.to_owned()))
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut texts = BTreeMap::new();
                while let Some((lang, text)) = map.next_entry::<String, String>()? {
                    let tag = parse_tag(&lang).ok_or_else(|| {
                        de::Error::custom(format!("`{lang}` is not a language tag"))
                    })?;
                    texts.insert(tag.to_string(), text);
                }
                if texts.is_empty() {
                    return Err(de::Error::custom("names no language"));
                }
                Ok(LocalizedText::PerLanguage(texts))
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}

impl Settings {
    /// `ui.default_locale` must have a catalog, and every catalog must load.
    pub(super) fn validate_ui(&self) -> Result<(), (String, String)> {
        let ui = &self.ui;
        let Some(default) = parse_tag(&ui.default_locale) else {
            return Err((
                "ui.default_locale".into(),
                format!("`{}` is not a language tag", ui.default_locale),
            ));
        };
        let catalogs = ui
            .catalogs()
            .map_err(|e| ("ui.locales_dir".to_string(), format!("catalog {e}")))?;
        if !catalogs.languages().contains(&default) {
            let known: Vec<String> = catalogs.languages().iter().map(|l| l.to_string()).collect();
            return Err((
                "ui.default_locale".into(),
                format!(
                    "`{}` has no catalog (there are: {})",
                    ui.default_locale,
                    known.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_language_texts() {
        let all: LocalizedText = serde_json::from_str(r#""Your number""#).unwrap();
        assert_eq!(all.get("de", "en"), Some("Your number"));
        let per: LocalizedText =
            serde_json::from_str(r#"{"en": "Your number", "DE": "Ihre Nummer"}"#).unwrap();
        assert_eq!(per.get("de", "en"), Some("Ihre Nummer"));
        assert_eq!(per.get("de-AT", "en"), Some("Ihre Nummer"));
        assert_eq!(per.get("fr", "en"), Some("Your number"));
        let only_de: LocalizedText = serde_json::from_str(r#"{"de": "Ihre Nummer"}"#).unwrap();
        assert_eq!(only_de.get("fr", "en"), None);
        for bad in [r#"{}"#, r#"{"not a tag": "x"}"#, "3", r#"{"de": 3}"#] {
            assert!(serde_json::from_str::<LocalizedText>(bad).is_err(), "{bad}");
        }
    }
}
