use std::path::Path;
use std::sync::LazyLock;

use super::catalog::{self, SHIPPED};
use super::*;

fn shipped_messages() -> Vec<(&'static str, &'static str, Messages)> {
    SHIPPED
        .iter()
        .map(|(lang, file, text)| {
            let (_, messages) = catalog::parse(Path::new(file), (*text).to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            (*lang, *file, messages)
        })
        .collect()
}

/// Every shipped catalog has exactly the English messages, each with the same variables.
#[test]
fn shipped_catalogs_match_english() {
    let reference = shipped_reference();
    assert!(reference.len() > 50, "the English catalog loads");
    for (lang, file, messages) in shipped_messages() {
        for (id, variables) in &reference {
            let Some(theirs) = messages.get(id) else {
                panic!("{file}: message `{id}` is missing");
            };
            assert_eq!(theirs, variables, "{file}: variables of `{id}`");
        }
        for id in messages.keys() {
            assert!(reference.contains_key(id), "{file}: extra message `{id}`");
        }
        assert!(catalog::check(Path::new(file), &messages, &reference, true).is_ok());
        assert!(lang.parse::<LanguageIdentifier>().is_ok());
    }
}

/// The ids the code and templates ask for: every quoted string that looks like one.
fn ids_in(text: &str) -> Vec<String> {
    const PREFIXES: &[&str] = &[
        "page-", "consent-", "scope-", "logout-", "device-", "error-", "oauth-", "apps-", "link-",
    ];
    let is_id_char = |c: char| c.is_ascii_lowercase() || c == '-' || c == '_';
    text.match_indices('"')
        .filter_map(|(i, _)| {
            let rest = &text[i + 1..];
            let end = rest.find(|c: char| !is_id_char(c))?;
            let id = &rest[..end];
            (rest[end..].starts_with('"') && PREFIXES.iter().any(|p| id.starts_with(p)))
                .then(|| id.to_owned())
        })
        .collect()
}

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.ends_with("i18n/tests.rs") {
            // Names wrong messages on purpose.
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// A message the code asks for is in the catalogs, and every message is asked for somewhere
/// (scope descriptions are asked for by the scope's name).
#[test]
fn code_and_catalogs_name_the_same_messages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut code = String::new();
    sources(&root.join("src"), &mut code);
    sources(&root.join("templates"), &mut code);
    let reference = shipped_reference();
    let used = ids_in(&code);
    for id in &used {
        if id != "scope-" && !id.ends_with('-') {
            assert!(
                reference.contains_key(id),
                "`{id}` is not in the English catalog"
            );
        }
    }
    for id in reference.keys() {
        assert!(
            id.starts_with("scope-") || used.contains(id),
            "`{id}` is never used"
        );
    }
}

fn shipped_in(lang: &str) -> Localizer<'static> {
    let tag: LanguageIdentifier = lang.parse().unwrap();
    SHIPPED_CATALOGS.choose(&[tag], &[])
}

static SHIPPED_CATALOGS: LazyLock<Catalogs> = LazyLock::new(Catalogs::shipped);

#[test]
fn plurals_and_numbers_come_from_the_catalog() {
    let en = shipped_in("en");
    assert!(
        en.count("device-code-wrong", "tries", 1u32)
            .ends_with(" 1 more try left.")
    );
    assert!(
        en.count("device-code-wrong", "tries", 3u32)
            .ends_with(" 3 more tries left.")
    );
    let de = shipped_in("de");
    assert!(
        de.count("device-code-wrong", "tries", 1u32)
            .ends_with("noch 1 Versuch.")
    );
    assert!(
        de.count("device-code-wrong", "tries", 2u32)
            .ends_with("noch 2 Versuche.")
    );
    let fr = shipped_in("fr");
    assert!(
        fr.count("device-code-wrong", "tries", 1u32)
            .ends_with("1 essai.")
    );
    assert!(
        fr.count("device-code-wrong", "tries", 4u32)
            .ends_with("4 essais.")
    );
    let es = shipped_in("es");
    assert!(
        es.count("device-code-wrong", "tries", 1u32)
            .ends_with("queda 1 intento.")
    );
    assert!(
        es.count("device-code-wrong", "tries", 5u32)
            .ends_with("quedan 5 intentos.")
    );
    assert_eq!(en.count("page-status", "status", 404u16), "Error 404");
}

#[test]
fn no_isolation_marks_and_no_markup_from_values() {
    for lang in ["en", "de", "fr", "es"] {
        let t = shipped_in(lang);
        assert_eq!(t.lang(), lang);
        let text = t.with("consent-title", "client", "<b>App</b>");
        assert!(
            text.contains("<b>App</b>"),
            "plain text; the template escapes it"
        );
        assert!(!text.contains(['\u{2068}', '\u{2069}']), "{text}");
        let marked = t
            .marked(
                "consent-heading",
                "client",
                "<script>&\"",
                "span",
                "client-name",
            )
            .0;
        assert!(
            marked.contains("<span class=\"client-name\">&#60;script&#62;&#38;&#34;</span>"),
            "{marked}"
        );
        assert!(!marked.contains("<script>"));
    }
    let en = shipped_in("en");
    assert_eq!(
        en.marked("consent-account", "account", "a@b", "strong", "")
            .0,
        "Signed in as <strong>a@b</strong>"
    );
}

#[test]
fn per_language_texts_fall_back_by_language() {
    let texts: BTreeMap<String, String> = [
        ("de".into(), "Nummer".into()),
        ("en-GB".into(), "Number".into()),
    ]
    .into();
    assert_eq!(pick_text(&texts, "de"), Some("Nummer"));
    assert_eq!(pick_text(&texts, "de-CH"), Some("Nummer"));
    assert_eq!(pick_text(&texts, "en"), Some("Number"));
    assert_eq!(pick_text(&texts, "fr"), None);
}

fn write(dir: &Path, lang: &str, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join(lang)).unwrap();
    std::fs::write(dir.join(lang).join(name), text).unwrap();
}

#[test]
fn configured_catalogs_override_and_add_languages() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "de",
        "overrides.ftl",
        "consent-allow = Zulassen\n",
    );
    let mut italian = SHIPPED
        .iter()
        .find(|(l, _, _)| *l == "en")
        .unwrap()
        .2
        .to_string();
    italian = italian.replace("consent-allow = Allow", "consent-allow = Consenti");
    write(dir.path(), "it", "main.ftl", &italian);
    let catalogs = Catalogs::load(Some(dir.path()), "it").unwrap();
    assert_eq!(catalogs.default_localizer().lang(), "it");
    assert_eq!(
        catalogs.default_localizer().text("consent-allow"),
        "Consenti"
    );
    let de = catalogs.choose(&["de".parse().unwrap()], &[]);
    assert_eq!(de.text("consent-allow"), "Zulassen");
    assert_eq!(
        de.text("consent-deny"),
        "Ablehnen",
        "the rest stays shipped"
    );
}

#[test]
fn broken_catalogs_are_named() {
    let refused = |lang: &str, text: &str| {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), lang, "main.ftl", text);
        Catalogs::load(Some(dir.path()), "en")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = refused("de", "consent-allow = {\n");
    assert!(
        e.contains("de/main.ftl") && e.contains("syntax error"),
        "{e}"
    );
    let e = refused("it", "consent-allow = Consenti\n");
    assert!(
        e.contains("/it") && e.contains("message `") && e.contains("missing"),
        "{e}"
    );
    let e = refused("fr", "consent-alow = Autoriser\n");
    assert!(
        e.contains("fr/main.ftl") && e.contains("`consent-alow`"),
        "{e}"
    );
    let e = refused("fr", "consent-title = Autoriser { $name }\n");
    assert!(e.contains("`consent-title`") && e.contains("$name"), "{e}");
    let e = refused("fr", "consent-allow = A\nconsent-allow = B\n");
    assert!(e.contains("twice"), "{e}");
    let e = refused("not a language", "consent-allow = A\n");
    assert!(e.contains("not a language tag"), "{e}");
    let missing = Catalogs::load(Some(Path::new("/nonexistent/locales")), "en");
    assert!(
        missing
            .err()
            .unwrap()
            .to_string()
            .contains("/nonexistent/locales")
    );
}
