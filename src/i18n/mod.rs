//! Pages in the person's language: the catalogs (`catalog`), the choice of one (`negotiate`), and
//! the [`Localizer`] that pages take their texts from.

pub mod catalog;
pub mod negotiate;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use askama::filters::{Escaper, Html, Safe};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use catalog::CatalogError;
use catalog::{Bundle, Messages, REFERENCE};

/// One language's texts.
struct Catalog {
    tag: String,
    bundle: Bundle,
}

/// One of the [`Catalogs`], as [`Catalogs::pick`] chose it for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(usize);

/// Every catalog the bridge can write pages from, and the one used when nothing else matches.
pub struct Catalogs {
    /// In the order of `langs`.
    catalogs: Vec<Catalog>,
    langs: Vec<LanguageIdentifier>,
    default: usize,
}

fn bundle(lang: &LanguageIdentifier) -> Bundle {
    let mut bundle = Bundle::new_concurrent(vec![lang.clone()]);
    // Unicode isolation marks around placeables would land in the HTML as invisible characters.
    bundle.set_use_isolating(false);
    // NUMBER() for plurals; fails only when a function of that name exists, which it cannot.
    let _ = bundle.add_builtins();
    bundle
}

impl Catalogs {
    /// The shipped catalogs and those of `dir`, checked; `default` must be one of them.
    pub fn load(dir: Option<&Path>, default: &str) -> Result<Self, CatalogError> {
        let sources = catalog::sources(dir)?;
        let reference = shipped_reference();
        let mut catalogs = Vec::new();
        let mut langs = Vec::new();
        for source in sources {
            let mut bundle = bundle(&source.lang);
            let mut seen = Messages::new();
            let shipped = catalog::SHIPPED
                .iter()
                .any(|(lang, _, _)| source.lang == *lang);
            for (file, text) in source.files {
                let (resource, messages) = catalog::parse(&file, text)?;
                catalog::check(&file, &messages, &reference, false)?;
                bundle.add_resource_overriding(resource);
                seen.extend(messages);
            }
            if !shipped {
                let dir_name = dir.map(|d| d.join(source.lang.to_string()));
                catalog::check(
                    dir_name.as_deref().unwrap_or(Path::new("")),
                    &seen,
                    &reference,
                    true,
                )?;
            }
            langs.push(source.lang.clone());
            catalogs.push(Catalog {
                tag: source.lang.to_string(),
                bundle,
            });
        }
        let default = default
            .parse::<LanguageIdentifier>()
            .ok()
            .and_then(|d| langs.iter().position(|l| *l == d))
            .unwrap_or(0);
        Ok(Self {
            catalogs,
            langs,
            default,
        })
    }

    /// Only the shipped catalogs, English by default: for answers made where no settings are at
    /// hand. Shipped catalogs are checked by the unit tests, so nothing here can fail.
    pub fn shipped() -> Self {
        let mut catalogs = Vec::new();
        let mut langs = Vec::new();
        for (lang, _, text) in catalog::SHIPPED {
            let lang: LanguageIdentifier = lang.parse().unwrap_or_default();
            let mut bundle = bundle(&lang);
            let resource =
                FluentResource::try_new((*text).to_string()).unwrap_or_else(|(partial, _)| partial);
            bundle.add_resource_overriding(resource);
            langs.push(lang.clone());
            catalogs.push(Catalog {
                tag: lang.to_string(),
                bundle,
            });
        }
        Self {
            catalogs,
            langs,
            default: 0,
        }
    }

    /// The languages there are catalogs for.
    pub fn languages(&self) -> &[LanguageIdentifier] {
        &self.langs
    }

    /// The catalog chosen from what the request and the browser ask for.
    pub fn pick(
        &self,
        ui_locales: &[LanguageIdentifier],
        accept_language: &[LanguageIdentifier],
    ) -> Lang {
        let default = &self.langs[self.default];
        let chosen = negotiate::choose(ui_locales, accept_language, &self.langs, default);
        Lang(
            self.langs
                .iter()
                .position(|l| l == chosen)
                .unwrap_or(self.default),
        )
    }

    /// The texts of a catalog [`pick`](Self::pick) chose.
    pub fn localizer(&self, lang: Lang) -> Localizer<'_> {
        Localizer {
            catalog: self
                .catalogs
                .get(lang.0)
                .unwrap_or(&self.catalogs[self.default]),
        }
    }

    /// Texts in the language chosen from what the request and the browser ask for (the tests';
    /// pages get theirs through `Page`).
    #[cfg(test)]
    pub fn choose(
        &self,
        ui_locales: &[LanguageIdentifier],
        accept_language: &[LanguageIdentifier],
    ) -> Localizer<'_> {
        self.localizer(self.pick(ui_locales, accept_language))
    }

    /// Texts in the default language.
    #[cfg(test)]
    pub fn default_localizer(&self) -> Localizer<'_> {
        self.choose(&[], &[])
    }
}

/// The shipped English messages and their variables: what every catalog is checked against.
fn shipped_reference() -> Messages {
    catalog::SHIPPED
        .iter()
        .find(|(lang, _, _)| *lang == REFERENCE)
        .and_then(|(_, file, text)| catalog::parse(Path::new(file), (*text).to_string()).ok())
        .map(|(_, messages)| messages)
        .unwrap_or_default()
}

/// A value for a message's variable.
pub enum Arg<'a> {
    Text(&'a str),
    Number(f64),
}

/// A number for a message (templates hand over references, code hands over values).
pub struct Number(f64);

macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number(f64::from(n))
            }
        }
        impl From<&$t> for Number {
            fn from(n: &$t) -> Self {
                Number(f64::from(*n))
            }
        }
    )*};
}
number_from!(u16, u32);

/// The texts of one language, for one page. Templates call it for every text they show and escape
/// what it gives, so a message never carries HTML.
#[derive(Clone, Copy)]
pub struct Localizer<'a> {
    catalog: &'a Catalog,
}

impl<'a> Localizer<'a> {
    /// The chosen catalog's language tag, for `<html lang>`.
    pub fn lang(&self) -> &'a str {
        &self.catalog.tag
    }

    /// A message with the given variables; the message id itself if the catalog lacks it (which
    /// the checks at start and the tests rule out).
    pub fn format(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let bundle = &self.catalog.bundle;
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::error!(id, lang = %self.catalog.tag, "message missing from the catalog");
            return id.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(text) => FluentValue::String(Cow::Borrowed(*text)),
                Arg::Number(n) => FluentValue::from(*n),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::error!(id, lang = %self.catalog.tag, ?errors, "message did not format");
        }
        text.into_owned()
    }

    /// A message without variables.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// A message with one text variable.
    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        self.format(id, &[(name, Arg::Text(value))])
    }

    /// A message with one number variable (for plurals).
    pub fn count(&self, id: &str, name: &str, n: impl Into<Number>) -> String {
        self.format(id, &[(name, Arg::Number(n.into().0))])
    }

    /// A message with one text variable set off in an element of its own (`<strong>name</strong>`).
    /// Every piece is escaped here; only the element itself is markup.
    pub fn marked(
        &self,
        id: &str,
        name: &str,
        value: &str,
        element: &str,
        class: &str,
    ) -> Safe<String> {
        // A character no catalog and no value contains marks where the value goes.
        const MARK: char = '\u{FDD0}';
        let value = value.replace(MARK, "");
        let mark = MARK.to_string();
        let text = self.with(id, name, &mark);
        let class = if class.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape(class))
        };
        let marked = format!("<{element}{class}>{}</{element}>", escape(&value));
        let html: Vec<String> = text.split(MARK).map(escape).collect();
        Safe(html.join(&marked))
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a String cannot fail.
    let _ = Html.write_escaped_str(&mut out, text);
    out
}

/// `consent.scope_descriptions`-style texts given per language: the chosen language's, else one of
/// its language, else `None`.
pub fn pick_text<'t>(texts: &'t BTreeMap<String, String>, lang: &str) -> Option<&'t str> {
    if let Some(text) = texts.get(lang) {
        return Some(text);
    }
    let wanted: LanguageIdentifier = lang.parse().ok()?;
    texts
        .iter()
        .find(|(tag, _)| {
            tag.parse::<LanguageIdentifier>()
                .is_ok_and(|t| t.language == wanted.language)
        })
        .map(|(_, text)| text.as_str())
}

#[cfg(test)]
mod tests;
