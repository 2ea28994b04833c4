//! The message catalogs: the shipped ones compiled into the binary, and those of `ui.locales_dir`
//! (`<dir>/<lang>/*.ftl`), which add languages or override single messages. Each is checked
//! against English when it loads: it must parse, have every English message and no other, and use
//! only the variables the English message has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use fluent_syntax::ast;
use unic_langid::LanguageIdentifier;

/// The catalogs compiled into the binary: (language, file name, text).
pub const SHIPPED: &[(&str, &str, &str)] = &[
    (
        "en",
        "locales/en/main.ftl",
        include_str!("../../locales/en/main.ftl"),
    ),
    (
        "de",
        "locales/de/main.ftl",
        include_str!("../../locales/de/main.ftl"),
    ),
    (
        "fr",
        "locales/fr/main.ftl",
        include_str!("../../locales/fr/main.ftl"),
    ),
    (
        "es",
        "locales/es/main.ftl",
        include_str!("../../locales/es/main.ftl"),
    ),
];

/// The catalog every other one is checked against.
pub const REFERENCE: &str = "en";
/// The most catalog files read from `ui.locales_dir`, and the largest one.
const MAX_FILES: usize = 256;
const MAX_FILE_BYTES: u64 = 1024 * 1024;

pub type Bundle = FluentBundle<FluentResource>;

/// Why the catalogs cannot be used; always names the file, and the message where there is one.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{file}: cannot be read: {reason}")]
    Unreadable { file: PathBuf, reason: String },
    #[error("{file}: `{name}` is not a language tag")]
    NotALanguage { file: PathBuf, name: String },
    #[error("{file}: syntax error: {reason}")]
    Syntax { file: PathBuf, reason: String },
    #[error("{file}: message `{id}` is missing (the English catalog has it)")]
    Missing { file: PathBuf, id: String },
    #[error("{file}: message `{id}` is not one the pages use")]
    Unknown { file: PathBuf, id: String },
    #[error("{file}: message `{id}` uses `${variable}`, which the page does not provide")]
    UnknownVariable {
        file: PathBuf,
        id: String,
        variable: String,
    },
    #[error("{file}: message `{id}` is defined twice")]
    Duplicate { file: PathBuf, id: String },
}

/// One file's messages and the variables each uses.
pub type Messages = BTreeMap<String, BTreeSet<String>>;

/// Parses one catalog file, refusing syntax errors and messages defined twice.
pub fn parse(file: &Path, text: String) -> Result<(FluentResource, Messages), CatalogError> {
    let resource =
        FluentResource::try_new(text).map_err(|(partial, errors)| CatalogError::Syntax {
            file: file.to_path_buf(),
            reason: errors
                .iter()
                .take(3)
                .map(|e| {
                    let before = partial.source().get(..e.pos.start).unwrap_or_default();
                    format!("line {}: {e}", before.matches('\n').count() + 1)
                })
                .collect::<Vec<_>>()
                .join("; "),
        })?;
    let mut messages = Messages::new();
    for entry in resource.entries() {
        let ast::Entry::Message(message) = entry else {
            continue;
        };
        let mut variables = BTreeSet::new();
        if let Some(pattern) = &message.value {
            pattern_variables(pattern, &mut variables);
        }
        for attribute in &message.attributes {
            pattern_variables(&attribute.value, &mut variables);
        }
        let id = message.id.name.to_string();
        if messages.insert(id.clone(), variables).is_some() {
            return Err(CatalogError::Duplicate {
                file: file.to_path_buf(),
                id,
            });
        }
    }
    Ok((resource, messages))
}

fn pattern_variables(pattern: &ast::Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, into);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, into);
            for variant in variants {
                pattern_variables(&variant.value, into);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, into),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, into);
            }
            for named in &arguments.named {
                inline_variables(&named.value, into);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, into),
        _ => {}
    }
}

/// Checks one file's messages against the English ones: no message the pages do not use, and no
/// variable they do not provide. `complete` also demands every English message.
pub fn check(
    file: &Path,
    messages: &Messages,
    reference: &Messages,
    complete: bool,
) -> Result<(), CatalogError> {
    for (id, variables) in messages {
        let Some(known) = reference.get(id) else {
            return Err(CatalogError::Unknown {
                file: file.to_path_buf(),
                id: id.clone(),
            });
        };
        if let Some(variable) = variables.difference(known).next() {
            return Err(CatalogError::UnknownVariable {
                file: file.to_path_buf(),
                id: id.clone(),
                variable: variable.clone(),
            });
        }
    }
    if complete && let Some(id) = reference.keys().find(|id| !messages.contains_key(*id)) {
        return Err(CatalogError::Missing {
            file: file.to_path_buf(),
            id: id.clone(),
        });
    }
    Ok(())
}

/// A language's texts: the shipped file, then the configured files in name order.
pub struct Source {
    pub lang: LanguageIdentifier,
    pub files: Vec<(PathBuf, String)>,
}

/// The shipped catalogs, and the files of `dir` merged into them by language.
pub fn sources(dir: Option<&Path>) -> Result<Vec<Source>, CatalogError> {
    let mut by_lang: BTreeMap<String, Source> = BTreeMap::new();
    for (lang, file, text) in SHIPPED {
        by_lang.insert(
            (*lang).to_string(),
            Source {
                lang: lang.parse().unwrap_or_default(),
                files: vec![(PathBuf::from(file), (*text).to_string())],
            },
        );
    }
    if let Some(dir) = dir {
        for (lang, files) in configured_files(dir)? {
            let key = lang.to_string();
            by_lang
                .entry(key)
                .or_insert_with(|| Source {
                    lang,
                    files: Vec::new(),
                })
                .files
                .extend(files);
        }
    }
    Ok(by_lang.into_values().collect())
}

fn unreadable(file: &Path, e: impl std::fmt::Display) -> CatalogError {
    CatalogError::Unreadable {
        file: file.to_path_buf(),
        reason: e.to_string(),
    }
}

/// `<dir>/<lang>/*.ftl`, by language, each language's files in name order.
type LanguageFiles = Vec<(LanguageIdentifier, Vec<(PathBuf, String)>)>;

fn configured_files(dir: &Path) -> Result<LanguageFiles, CatalogError> {
    let mut langs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    langs.sort();
    let mut out = Vec::new();
    let mut count = 0;
    for lang_dir in langs {
        let name = lang_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lang =
            super::negotiate::parse_tag(&name).ok_or_else(|| CatalogError::NotALanguage {
                file: lang_dir.clone(),
                name: name.clone(),
            })?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&lang_dir)
            .map_err(|e| unreadable(&lang_dir, e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            count += 1;
            if count > MAX_FILES {
                return Err(unreadable(
                    &path,
                    format!("more than {MAX_FILES} catalog files"),
                ));
            }
            let size = std::fs::metadata(&path)
                .map_err(|e| unreadable(&path, e))?
                .len();
            if size > MAX_FILE_BYTES {
                return Err(unreadable(&path, "larger than 1 MiB"));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
            files.push((path, text));
        }
        out.push((lang, files));
    }
    Ok(out)
}
