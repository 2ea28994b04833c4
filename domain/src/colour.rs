//! Colours of the brand: parsing, WCAG contrast, and the custom properties the bridge derives from
//! the configured colours so that text stays readable whatever an operator picks.

use std::fmt;

/// The contrast WCAG 2.x AA asks of normal text.
pub const AA_TEXT: f64 = 4.5;

/// The built-in surfaces (the card) of the light and the dark scheme; keep in step with style.css.
pub const LIGHT_SURFACE: Rgb = Rgb(0xff, 0xff, 0xff);
pub const DARK_SURFACE: Rgb = Rgb(0x1c, 0x21, 0x2b);
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const BLACK: Rgb = Rgb(0, 0, 0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// `#rgb` or `#rrggbb`, either case. Nothing else: the value goes into a stylesheet, so it must
/// never carry anything but a colour.
pub fn parse(text: &str) -> Option<Rgb> {
    let hex = text.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
    let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    match hex.len() {
        3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        6 => Some(Rgb(pair(0)?, pair(2)?, pair(4)?)),
        _ => None,
    }
}

/// WCAG 2.x relative luminance.
pub fn luminance(c: Rgb) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// WCAG 2.x contrast ratio, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Text colour for a fill: white or black, whichever reads better (at least 4.58:1 for any fill).
pub fn text_on(fill: Rgb) -> Rgb {
    if contrast(WHITE, fill) >= contrast(BLACK, fill) {
        WHITE
    } else {
        BLACK
    }
}

/// `colour` as text on `surface`: unchanged when it reaches AA already, else mixed step by step
/// towards black (on a light surface) or white (on a dark one) until it does.
pub fn readable_on(colour: Rgb, surface: Rgb) -> Rgb {
    let target = text_on(surface);
    (0..=20)
        .map(|step| mix(colour, target, f64::from(step) / 20.0))
        .find(|c| contrast(*c, surface) >= AA_TEXT)
        .unwrap_or(target)
}

fn mix(from: Rgb, to: Rgb, share: f64) -> Rgb {
    let channel = |a: u8, b: u8| {
        let v = f64::from(a) + (f64::from(b) - f64::from(a)) * share;
        v.round().clamp(0.0, 255.0) as u8
    };
    Rgb(
        channel(from.0, to.0),
        channel(from.1, to.1),
        channel(from.2, to.2),
    )
}

/// The stylesheet that applies the configured colours as the custom properties of style.css.
/// The primary colour fills buttons in both schemes; as text (links, secondary buttons, focus
/// rings) it is adjusted per scheme to stay readable on the card. The background colour is the
/// light scheme's page background; the dark scheme keeps its own. The dark block comes after the
/// light one, which it overrides.
pub fn stylesheet(primary: Option<Rgb>, background: Option<Rgb>) -> String {
    let mut light = String::new();
    let mut dark = String::new();
    if let Some(p) = primary {
        let on = text_on(p);
        light.push_str(&format!(
            "--primary: {p}; --on-primary: {on}; --primary-text: {}; ",
            readable_on(p, LIGHT_SURFACE)
        ));
        dark.push_str(&format!(
            "--primary: {p}; --on-primary: {on}; --primary-text: {}; ",
            readable_on(p, DARK_SURFACE)
        ));
    }
    let mut css = String::new();
    if !light.is_empty() {
        css.push_str(&format!(":root {{ {}}}\n", light));
    }
    if let Some(b) = background {
        // Not written as `:root` alone: that would outrank the dark scheme of style.css too.
        css.push_str(&format!(
            "@media not all and (prefers-color-scheme: dark) {{ :root {{ --background: {b}; \
             --on-background: {}; }} }}\n",
            text_on(b)
        ));
    }
    if !dark.is_empty() {
        css.push_str(&format!(
            "@media (prefers-color-scheme: dark) {{ :root {{ {}}} }}\n",
            dark
        ));
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_short_and_long_forms_only() {
        assert_eq!(parse("#fff"), Some(Rgb(255, 255, 255)));
        assert_eq!(parse("#3451D1"), Some(Rgb(0x34, 0x51, 0xd1)));
        assert_eq!(parse("#3451d1").unwrap().to_string(), "#3451d1");
        for bad in [
            "",
            "#",
            "fff",
            "#ffff",
            "#12345",
            "#1234567",
            "#ggg",
            "red",
            "#fff;}",
            "#+1+2+3",
            "#ｆｆｆ",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_known_values() {
        assert!((contrast(WHITE, BLACK) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        assert!((contrast(Rgb(0x76, 0x76, 0x76), WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn a_light_primary_gets_dark_text_and_a_darker_link_colour() {
        let yellow = Rgb(0xff, 0xd6, 0x00);
        assert_eq!(text_on(yellow), BLACK);
        let link = readable_on(yellow, LIGHT_SURFACE);
        assert_ne!(link, yellow);
        assert!(contrast(link, LIGHT_SURFACE) >= AA_TEXT);
        // Already readable on the dark card: kept as it is.
        assert_eq!(readable_on(yellow, DARK_SURFACE), yellow);
    }

    #[test]
    fn the_stylesheet_sets_only_what_is_configured() {
        assert_eq!(stylesheet(None, None), "");
        let css = stylesheet(None, Some(Rgb(0x10, 0x20, 0x30)));
        assert_eq!(
            css,
            "@media not all and (prefers-color-scheme: dark) { :root { --background: #102030; \
             --on-background: #ffffff; } }\n"
        );
        let css = stylesheet(Some(Rgb(0x34, 0x51, 0xd1)), None);
        assert!(
            css.starts_with(
                ":root { --primary: #3451d1; --on-primary: #ffffff; --primary-text: #3451d1; }"
            ),
            "{css}"
        );
        assert!(
            css.contains("@media (prefers-color-scheme: dark) { :root { --primary: #3451d1;"),
            "{css}"
        );
    }

    fn any_colour() -> impl Strategy<Value = Rgb> {
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Rgb(r, g, b))
    }

    proptest! {
        #[test]
        fn derived_text_colours_always_reach_aa(c in any_colour()) {
            prop_assert!(contrast(text_on(c), c) >= AA_TEXT);
            for surface in [LIGHT_SURFACE, DARK_SURFACE] {
                let text = readable_on(c, surface);
                prop_assert!(contrast(text, surface) >= AA_TEXT, "{} on {}", text, surface);
                if contrast(c, surface) >= AA_TEXT {
                    prop_assert_eq!(text, c);
                }
            }
        }

        #[test]
        fn printed_colours_parse_back(c in any_colour()) {
            prop_assert_eq!(parse(&c.to_string()), Some(c));
        }

        /// Only `#` and three or six hex digits parse, to the colour they spell.
        #[test]
        fn only_hex_colours_parse(s in prop_oneof![
            "#[0-9a-fA-F]{3}",
            "#[0-9a-fA-F]{6}",
            "#[0-9a-fA-F]{0,8}",
            "#\\PC{0,7}",
            "\\PC{0,8}",
        ]) {
            let hex = s.strip_prefix('#').filter(|h| {
                matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit())
            });
            let parsed = parse(&s);
            prop_assert_eq!(parsed.is_some(), hex.is_some(), "{}", s);
            if let (Some(c), Some(hex)) = (parsed, hex) {
                let long: String = if hex.len() == 3 {
                    hex.chars().flat_map(|d| [d, d]).collect()
                } else {
                    hex.to_owned()
                };
                prop_assert_eq!(c.to_string(), format!("#{}", long.to_ascii_lowercase()));
                prop_assert_eq!(parse(&c.to_string()), Some(c));
            }
        }
    }
}
