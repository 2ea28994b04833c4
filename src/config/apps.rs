//! `apps`: the connected-apps page, where a signed-in person sees the applications holding their
//! consent and withdraws it.

use std::num::NonZeroUsize;

use serde::Deserialize;

use super::units;

/// The bridge's own routes, which the page's path may not take over.
const TAKEN: &[&str] = &[
    "/login",
    "/consent",
    "/logout",
    "/registration",
    "/device",
    "/error",
    "/health",
    "/assets",
    "/metrics",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppsSettings {
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Where the page is, below `serve.base_url`; its forms post to `{path}` too.
    #[serde(default = "default_path")]
    pub path: String,
    /// The most applications the page lists; it says how many more there are.
    #[serde(
        default = "default_max_entries",
        deserialize_with = "units::nonzero_usize"
    )]
    pub max_entries: NonZeroUsize,
}

impl Default for AppsSettings {
    fn default() -> Self {
        Self {
            enabled: default_enabled(),
            path: default_path(),
            max_entries: default_max_entries(),
        }
    }
}

impl AppsSettings {
    /// Why `path` cannot be the page's path, if it cannot.
    pub(super) fn check_path(&self) -> Result<(), String> {
        let path = &self.path;
        let segments_ok = path.strip_prefix('/').is_some_and(|rest| {
            rest.split('/').all(|s| {
                !s.is_empty()
                    && s != "."
                    && s != ".."
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            })
        });
        if !segments_ok {
            return Err(format!(
                "`{path}` must be a path such as /apps or /account/apps (segments of A-Z a-z 0-9 - _ .)"
            ));
        }
        let taken = TAKEN
            .iter()
            .find(|t| path == *t || path.starts_with(&format!("{t}/")));
        match taken {
            Some(t) => Err(format!("`{path}` is taken by the bridge's own {t}")),
            None => Ok(()),
        }
    }
}

fn default_enabled() -> bool {
    true
}
fn default_path() -> String {
    "/apps".into()
}
fn default_max_entries() -> NonZeroUsize {
    NonZeroUsize::new(100).unwrap_or(NonZeroUsize::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigError, Settings};

    fn load(extra: &str, env: Vec<(String, String)>) -> Result<Settings, ConfigError> {
        let yaml = format!(
            "serve:\n  base_url: http://127.0.0.1:3000\nhydra:\n  admin_url: http://127.0.0.1:4445\n\
             kratos:\n  public_url: http://127.0.0.1:4433\n  admin_url: http://127.0.0.1:4434\n  \
             browser_url: http://127.0.0.1:4433\n{extra}"
        );
        let mut file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
        std::io::Write::write_all(&mut file, yaml.as_bytes()).unwrap();
        Settings::load(file.path(), env)
    }

    #[test]
    fn the_apps_page_is_on_by_default_and_its_keys_are_checked() {
        let s = load("", vec![]).unwrap();
        assert!(s.apps.enabled);
        assert_eq!(s.apps.path, "/apps");
        assert_eq!(s.apps.max_entries.get(), 100);
        for (yaml, key) in [
            ("apps:\n  path: /login\n", "key `apps.path`"),
            ("apps:\n  path: apps\n", "key `apps.path`"),
            ("apps:\n  max_entries: 0\n", "key `apps.max_entries`"),
            ("apps:\n  unknown: 1\n", "apps"),
        ] {
            let e = load(yaml, vec![]).unwrap_err().to_string();
            assert!(e.contains(key), "{yaml}: {e}");
        }
        let env = vec![("BRIDGE__APPS__ENABLED".into(), "false".into())];
        assert!(!load("", env).unwrap().apps.enabled);
    }

    #[test]
    fn the_path_is_a_plain_path_of_its_own() {
        let check = |path: &str| {
            AppsSettings {
                path: path.into(),
                ..AppsSettings::default()
            }
            .check_path()
        };
        for good in ["/apps", "/account/apps", "/my-apps_2", "/logins"] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "apps",
            "/",
            "/apps/",
            "//apps",
            "/a b",
            "/apps?x=1",
            "/apps#x",
            "/a/../b",
            "/login",
            "/consent/apps",
            "/assets",
            "/health/apps",
            "/äpps",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
