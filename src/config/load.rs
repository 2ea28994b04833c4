//! Loading: the YAML file, the `BRIDGE__*` environment overrides on top, and errors that name the
//! file, the key and the variable that set it.

use std::path::{Path, PathBuf};

use super::{Settings, traces};

/// Prefix of environment overrides: `BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID=true`.
pub const ENV_PREFIX: &str = "BRIDGE";
const ENV_SEPARATOR: &str = "__";
/// Keys whose environment override is a comma-separated list.
const ENV_LIST_KEYS: &[&str] = &[
    "consent.trusted_clients",
    "kratos.identity_schemas",
    "secrets.signing_keys",
    "serve.trusted_proxies",
];

/// Why the settings could not be loaded; always names the file, and the key where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {file}: cannot be read: {reason}")]
    Unreadable { file: PathBuf, reason: String },
    #[error("config file {file}: {reason}")]
    Syntax { file: PathBuf, reason: String },
    #[error("config file {file}: key `{key}`: {reason}")]
    Key {
        file: PathBuf,
        key: String,
        reason: String,
    },
}

impl Settings {
    /// Loads `path`, applies `BRIDGE__*` overrides from `env`, and validates.
    pub fn load(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let file = path.to_path_buf();
        if let Err(e) = std::fs::metadata(path).and_then(|m| {
            if m.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a regular file"))
            }
        }) {
            return Err(ConfigError::Unreadable {
                file,
                reason: e.to_string(),
            });
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        let otel_env = traces::otel_variables(&env);
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}{ENV_SEPARATOR}")))
            .collect();
        let env_names: Vec<String> = env.keys().cloned().collect();
        let mut environment = config::Environment::with_prefix(ENV_PREFIX)
            .prefix_separator(ENV_SEPARATOR)
            .separator(ENV_SEPARATOR)
            .try_parsing(true)
            .list_separator(",")
            .source(Some(env));
        for key in ENV_LIST_KEYS {
            environment = environment.with_list_parse_key(key);
        }
        let raw = config::Config::builder()
            .add_source(config::File::from(path).format(config::FileFormat::Yaml))
            .add_source(environment)
            .build()
            .map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                reason: e.to_string(),
            })?;
        let mut settings: Settings = serde_path_to_error::deserialize(raw).map_err(|e| {
            let key = e.path().to_string();
            let mut reason = strip_config_origin(&e.inner().to_string());
            if let Some(var) = env_var_for(&env_names, &key) {
                reason.push_str(&format!(" (set by environment variable {var})"));
            }
            ConfigError::Key {
                file: file.clone(),
                key,
                reason,
            }
        })?;
        settings.trim_admin_tokens();
        settings
            .validate()
            .and_then(|()| settings.brand.load(path.parent().unwrap_or(Path::new("."))))
            .and_then(|()| settings.tracing.resolve(&otel_env, &env_names))
            .map_err(|(key, reason)| ConfigError::Key { file, key, reason })?;
        Ok(settings)
    }
}

/// The `BRIDGE__*` variable that set `key` (or a key below it), if one did.
pub(super) fn env_var_for<'a>(names: &'a [String], key: &str) -> Option<&'a str> {
    let wanted = format!(
        "{ENV_PREFIX}{ENV_SEPARATOR}{}",
        key.to_uppercase().replace('.', ENV_SEPARATOR)
    );
    names
        .iter()
        .find(|n| {
            n.to_uppercase() == wanted
                || n.to_uppercase()
                    .starts_with(&format!("{wanted}{ENV_SEPARATOR}"))
        })
        .map(String::as_str)
}

/// The `config` crate appends "for key `x` in file"; the path is printed by us already.
fn strip_config_origin(msg: &str) -> String {
    msg.split(" for key `").next().unwrap_or(msg).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::subject::SubjectSource;
    use std::time::Duration;

    use proptest::prelude::*;

    const GOOD: &str = "serve:\n  base_url: http://127.0.0.1:3000\nhydra:\n  admin_url: http://127.0.0.1:4445\n\
kratos:\n  public_url: http://127.0.0.1:4433\n  admin_url: http://127.0.0.1:4434\n  browser_url: http://127.0.0.1:4433\n";

    fn load_str(yaml: &str, env: Vec<(String, String)>) -> Result<Settings, ConfigError> {
        let mut file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
        std::io::Write::write_all(&mut file, yaml.as_bytes()).unwrap();
        Settings::load(file.path(), env)
    }

    #[test]
    fn the_good_config_loads() {
        let s = load_str(GOOD, vec![]).unwrap();
        assert_eq!(s.oauth2_provider.subject_source(), SubjectSource::Id);
        let s = load_str(
            GOOD,
            vec![(
                "BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID".into(),
                "true".into(),
            )],
        )
        .unwrap();
        assert_eq!(
            s.oauth2_provider.subject_source(),
            SubjectSource::ExternalIdOrId
        );
    }

    #[test]
    fn the_policies_are_built_from_the_settings() {
        let env = [
            ("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true"),
            ("BRIDGE__LOGIN__CLOCK_SKEW_SECS", "7"),
            ("BRIDGE__LOGIN__REAUTHENTICATE", "always"),
            ("BRIDGE__CONSENT__TRUSTED_CLIENTS", "a,b"),
            ("BRIDGE__LOGOUT__CONFIRM", "false"),
            ("BRIDGE__DEVICE__MAX_ATTEMPTS", "3"),
            ("BRIDGE__APPS__MAX_ENTRIES", "7"),
        ];
        let env = env.map(|(k, v)| (k.to_string(), v.to_string())).to_vec();
        let policies = load_str(GOOD, env).unwrap().policies();
        let source = SubjectSource::ExternalIdOrId;
        assert_eq!(policies.login.subject_source, source);
        assert_eq!(policies.login.clock_skew_ms, 7_000);
        assert_eq!(
            policies.login.reauthenticate,
            domain::login::Reauthenticate::Always
        );
        assert_eq!(policies.consent.subject_source, source);
        assert_eq!(policies.consent.trusted_clients, vec!["a", "b"]);
        assert_eq!(policies.logout.subject_source, source);
        assert!(!policies.logout.confirm);
        assert_eq!(policies.device.max_attempts, 3);
        assert_eq!(policies.apps.subject_source, source);
        assert_eq!(policies.apps.max_entries, 7);
        assert_eq!(policies.scope_descriptions.default_lang, "en");
    }

    #[test]
    fn durations_are_read_in_their_keys_unit_and_zero_is_refused_by_name() {
        let env = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let s = load_str(
            GOOD,
            env(&[
                ("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "2500"),
                ("BRIDGE__SERVE__FORM_TTL_SECS", "90"),
                ("BRIDGE__HEALTH__READY_CACHE_MS", "0"),
            ]),
        )
        .unwrap();
        assert_eq!(s.serve.request_timeout, Duration::from_millis(2500));
        assert_eq!(s.serve.form_ttl, Duration::from_secs(90));
        assert_eq!(s.health.ready_cache, Duration::ZERO);
        assert_eq!(s.upstream.connect_timeout, Duration::from_secs(2));
        for (var, key) in [
            (
                "BRIDGE__SERVE__REQUEST_TIMEOUT_MS",
                "serve.request_timeout_ms",
            ),
            ("BRIDGE__SERVE__FORM_TTL_SECS", "serve.form_ttl_secs"),
            ("BRIDGE__SERVE__MAX_FORM_BYTES", "serve.max_form_bytes"),
            ("BRIDGE__LOGIN__REAUTH_TTL_SECS", "login.reauth_ttl_secs"),
            (
                "BRIDGE__UPSTREAM__CONNECT_TIMEOUT_MS",
                "upstream.connect_timeout_ms",
            ),
            (
                "BRIDGE__UPSTREAM__REQUEST_TIMEOUT_MS",
                "upstream.request_timeout_ms",
            ),
        ] {
            let e = load_str(GOOD, env(&[(var, "0")])).unwrap_err().to_string();
            assert!(e.contains(&format!("key `{key}`")), "{e}");
            assert!(e.contains("must be greater than 0"), "{e}");
            assert!(e.contains(var), "{e}");
        }
        let yaml = format!("{GOOD}upstream:\n  request_timeout_ms: -5\n");
        let e = load_str(&yaml, vec![]).unwrap_err().to_string();
        assert!(e.contains("key `upstream.request_timeout_ms`"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// No file content makes loading panic; a refusal always names the file.
        #[test]
        fn arbitrary_yaml_never_panics(extra in "\\PC{0,120}") {
            let yaml = format!("{GOOD}{extra}");
            if let Err(e) = load_str(&yaml, vec![]) {
                prop_assert!(e.to_string().contains("config file"));
            }
        }

        /// Any value for any known key, from the environment, is either accepted or refused with the
        /// key and the variable named.
        #[test]
        fn arbitrary_env_values_are_accepted_or_named(
            key in prop_oneof![
                Just("SERVE__PORT"), Just("SERVE__BASE_URL"), Just("HYDRA__ADMIN_URL"),
                Just("OAUTH2_PROVIDER__USE_EXTERNAL_ID"), Just("OAUTH2_PROVIDER__SUBJECT_SOURCE"),
                Just("LOGIN__REMEMBER_FOR"), Just("LOGIN__REAUTHENTICATE"), Just("UPSTREAM__REQUEST_TIMEOUT_MS"),
                Just("CONSENT__TRUSTED_CLIENTS"), Just("LOG__LEVEL"), Just("METRICS__ADDRESS")
            ],
            value in "[ -~]{0,40}",
        ) {
            let var = format!("BRIDGE__{key}");
            match load_str(GOOD, vec![(var.clone(), value)]) {
                Ok(_) => {}
                Err(e) => {
                    let text = e.to_string();
                    let dotted = key.to_lowercase().replace("__", ".");
                    prop_assert!(text.contains(&dotted) || text.contains(&var), "{}", text);
                }
            }
        }
    }

    #[test]
    fn admin_tokens_lose_surrounding_whitespace_and_are_never_dropped() {
        use secrecy::ExposeSecret;
        let env = |value: &str| vec![("BRIDGE__HYDRA__ADMIN_TOKEN".into(), value.into())];
        let s = load_str(GOOD, env("ory_pat_x\n")).unwrap();
        assert_eq!(
            s.hydra.admin_token.as_ref().map(|t| t.expose_secret()),
            Some("ory_pat_x")
        );
        for bad in ["ory\npat", "\n", "ory\u{7f}pat"] {
            let e = load_str(GOOD, env(bad)).unwrap_err().to_string();
            assert!(e.contains("hydra.admin_token"), "{e}");
            assert!(!e.contains("ory"), "never prints the token: {e}");
        }
    }

    #[test]
    fn strip_origin() {
        assert_eq!(
            strip_config_origin(
                "invalid type: string \"x\", expected a boolean for key `a.b` in f"
            ),
            "invalid type: string \"x\", expected a boolean"
        );
    }
}
