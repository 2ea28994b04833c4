//! Which catalog a page is written from, free of I/O: the request's OIDC `ui_locales` first, then
//! the browser's `Accept-Language`, then the configured default. A tag without a catalog of its own
//! falls back to one of its language (`de-AT` to `de`).

use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use unic_langid::LanguageIdentifier;

/// The most of an `Accept-Language` header that is read; browsers send well under 200 bytes.
pub const MAX_HEADER_BYTES: usize = 512;
/// The most languages read from one header or one `ui_locales` list.
pub const MAX_ENTRIES: usize = 16;
/// The longest language tag read (BCP 47 tags in use are far shorter).
pub const MAX_TAG_BYTES: usize = 35;

/// The first available catalog for what the request and the browser ask for, else `default`.
pub fn choose<'a>(
    ui_locales: &[LanguageIdentifier],
    accept_language: &[LanguageIdentifier],
    available: &'a [LanguageIdentifier],
    default: &'a LanguageIdentifier,
) -> &'a LanguageIdentifier {
    [ui_locales, accept_language]
        .into_iter()
        .find_map(|requested| best(requested, available))
        .unwrap_or(default)
}

fn best<'a>(
    requested: &[LanguageIdentifier],
    available: &'a [LanguageIdentifier],
) -> Option<&'a LanguageIdentifier> {
    // Each requested tag in turn, so that the person's order wins over the catalogs' order.
    requested.iter().find_map(|tag| {
        negotiate_languages(
            std::slice::from_ref(tag),
            available,
            None,
            NegotiationStrategy::Filtering,
        )
        .first()
        .copied()
    })
}

/// One language tag, when it is one and not over [`MAX_TAG_BYTES`].
pub fn parse_tag(tag: &str) -> Option<LanguageIdentifier> {
    let tag = tag.trim();
    if tag.is_empty() || tag.len() > MAX_TAG_BYTES || tag == "*" {
        return None;
    }
    tag.parse().ok()
}

/// OIDC `ui_locales` as Hydra passes them on (a list of tags, most preferred first), bounded.
pub fn parse_ui_locales(tags: &[String]) -> Vec<LanguageIdentifier> {
    tags.iter()
        .take(MAX_ENTRIES)
        .filter_map(|t| parse_tag(t))
        .collect()
}

/// An `Accept-Language` header, most preferred first by q-value (ties keep the header's order).
/// Entries with `q=0`, a malformed q-value or a tag that is not one are left out, and so is the
/// wildcard: the configured default stands for "anything". Only the first
/// [`MAX_HEADER_BYTES`] and [`MAX_ENTRIES`] entries are read.
pub fn parse_accept_language(header: &str) -> Vec<LanguageIdentifier> {
    let (text, cut) = if header.len() > MAX_HEADER_BYTES {
        let mut end = MAX_HEADER_BYTES;
        while !header.is_char_boundary(end) {
            end -= 1;
        }
        (&header[..end], true)
    } else {
        (header, false)
    };
    let mut entries: Vec<&str> = text.split(',').collect();
    if cut {
        // The last entry may be cut in the middle of its tag or q-value.
        entries.pop();
    }
    let mut weighted: Vec<(u16, LanguageIdentifier)> = entries
        .into_iter()
        .filter(|e| !e.trim().is_empty())
        .take(MAX_ENTRIES)
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parse_tag(parts.next()?)?;
            let mut q = 1000;
            for param in parts {
                let (name, value) = param.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    q = parse_q(value.trim())?;
                }
            }
            (q > 0).then_some((q, tag))
        })
        .collect();
    weighted.sort_by_key(|(q, _)| std::cmp::Reverse(*q));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// A q-value in thousandths: `0`, `1`, `0.5`, `1.000` (RFC 9110 12.4.2), else `None`.
fn parse_q(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tags(list: &[&str]) -> Vec<LanguageIdentifier> {
        list.iter().map(|t| t.parse().unwrap()).collect()
    }

    fn shipped() -> Vec<LanguageIdentifier> {
        tags(&["en", "de", "fr", "es"])
    }

    fn pick(ui: &[&str], header: &str) -> String {
        let available = shipped();
        let default: LanguageIdentifier = "en".parse().unwrap();
        let ui: Vec<String> = ui.iter().map(|s| s.to_string()).collect();
        choose(
            &parse_ui_locales(&ui),
            &parse_accept_language(header),
            &available,
            &default,
        )
        .to_string()
    }

    #[test]
    fn ui_locales_then_accept_language_then_default() {
        assert_eq!(pick(&["de"], "fr-FR,fr;q=0.9"), "de");
        assert_eq!(pick(&["it", "es"], "fr"), "es");
        assert_eq!(pick(&["it"], "fr-FR,fr;q=0.9"), "fr");
        assert_eq!(pick(&[], "fr-FR,fr;q=0.9"), "fr");
        assert_eq!(pick(&[], ""), "en");
        assert_eq!(pick(&["zz"], "pt-BR, *;q=0.5"), "en");
    }

    #[test]
    fn falls_back_by_language() {
        assert_eq!(pick(&["de-AT"], ""), "de");
        assert_eq!(pick(&[], "es-419"), "es");
        assert_eq!(pick(&[], "EN-gb"), "en");
        assert_eq!(pick(&[], "fr-CA;q=0.8, de-CH;q=0.9"), "de");
    }

    #[test]
    fn a_regional_catalog_wins_for_its_region() {
        let available = tags(&["en", "de", "de-CH"]);
        let default: LanguageIdentifier = "en".parse().unwrap();
        let chosen =
            |header| choose(&[], &parse_accept_language(header), &available, &default).to_string();
        assert_eq!(chosen("de-CH"), "de-CH");
        assert_eq!(chosen("de-DE"), "de");
    }

    #[test]
    fn q_values_order_and_exclude() {
        assert_eq!(
            parse_accept_language("fr;q=0.1, de;q=0.9, es"),
            tags(&["es", "de", "fr"])
        );
        assert_eq!(parse_accept_language("de;q=0, fr"), tags(&["fr"]));
        assert_eq!(
            parse_accept_language("de;q=2, fr;q=0.5x, es;q=1.0, it;q=0.1234"),
            tags(&["es"])
        );
        assert_eq!(parse_accept_language("de; Q=0.5 , fr"), tags(&["fr", "de"]));
        assert_eq!(parse_accept_language("*, de"), tags(&["de"]));
        assert!(parse_accept_language(",,;q=1,not a tag").is_empty());
        assert_eq!(parse_q("0"), Some(0));
        assert_eq!(parse_q("0.05"), Some(50));
        assert_eq!(parse_q("1.000"), Some(1000));
        assert_eq!(parse_q("1.001"), None);
        assert_eq!(parse_q(".5"), None);
    }

    #[test]
    fn long_headers_and_lists_are_bounded() {
        let many = vec!["it"; 40].join(",") + ",de";
        assert!(parse_accept_language(&many).len() <= MAX_ENTRIES);
        assert_eq!(pick(&[], &many), "en", "the 41st entry is never read");
        let padded = format!("{}de", " ".repeat(MAX_HEADER_BYTES));
        assert!(parse_accept_language(&padded).is_empty());
        let cut = format!("{},fr-FR", "x-".repeat(MAX_HEADER_BYTES / 2 - 1));
        assert!(
            parse_accept_language(&cut).is_empty(),
            "a cut entry is dropped"
        );
        let list: Vec<String> = (0..40)
            .map(|_| "it".to_string())
            .chain(["de".into()])
            .collect();
        assert!(parse_ui_locales(&list).len() <= MAX_ENTRIES);
        assert_eq!(parse_tag(&"a".repeat(MAX_TAG_BYTES + 1)), None);
    }

    proptest! {
        /// Whatever the request and the browser send, the choice is an available catalog or the
        /// default, and reading stays within its bounds.
        #[test]
        fn always_an_available_catalog(header in "\\PC{0,700}",
                                       ui in proptest::collection::vec("\\PC{0,12}", 0..30)) {
            let available = shipped();
            let default: LanguageIdentifier = "en".parse().unwrap();
            let accepted = parse_accept_language(&header);
            prop_assert!(accepted.len() <= MAX_ENTRIES);
            let requested = parse_ui_locales(&ui);
            prop_assert!(requested.len() <= MAX_ENTRIES);
            let chosen = choose(&requested, &accepted, &available, &default);
            prop_assert!(available.contains(chosen));
        }

        /// A shipped language the request names is chosen, whatever the browser says.
        #[test]
        fn ui_locales_win(lang in prop::sample::select(vec!["en", "de", "fr", "es"]),
                          region in "[A-Z]{2}", header in "[a-zA-Z,;=.0-9 -]{0,60}") {
            let tag = format!("{lang}-{region}");
            prop_assert_eq!(pick(&[tag.as_str()], &header), lang);
        }

        /// The higher q-value wins, whichever comes first in the header.
        #[test]
        fn higher_q_wins(a in prop::sample::select(vec!["de", "fr", "es"]),
                         qa in 1u16..=999, qb in 1u16..=999, first in any::<bool>()) {
            prop_assume!(qa != qb);
            let b = if a == "de" { "fr" } else { "de" };
            let ea = format!("{a};q=0.{qa:03}");
            let eb = format!("{b};q=0.{qb:03}");
            let header = if first { format!("{ea},{eb}") } else { format!("{eb},{ea}") };
            let want = if qa > qb { a } else { b };
            prop_assert_eq!(pick(&[], &header), want);
        }
    }
}
