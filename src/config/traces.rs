//! `tracing.*`: traces exported over OTLP, with the keys and meaning of Hydra's and Kratos's own
//! `tracing` block (their `otel` provider), so that one block of settings serves all three.
//!
//! The OpenTelemetry SDK variables fill in what these settings leave out, as in Hydra and Kratos
//! (whose exporter options, like ours, win over the environment): `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
//! and `OTEL_EXPORTER_OTLP_ENDPOINT` when `server_url` is unset, `OTEL_SERVICE_NAME` when
//! `service_name` is, `OTEL_TRACES_SAMPLER(_ARG)` when `sampling_ratio` is. `OTEL_SDK_DISABLED=true`
//! and `OTEL_TRACES_EXPORTER=none` turn tracing off.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracingSettings {
    /// `otel` exports traces; unset or empty exports none (and costs nothing).
    #[serde(default)]
    pub provider: Option<String>,
    /// `service.name` of the spans; `kratos-hydra-bridge` by default.
    #[serde(default)]
    pub service_name: Option<String>,
    /// `deployment.environment.name` of the spans, when set.
    #[serde(default)]
    pub deployment_environment: Option<String>,
    #[serde(default)]
    pub providers: TracingProviders,
    /// What the settings and the OpenTelemetry variables make together; set by `Settings::load`,
    /// `None` when tracing is off.
    #[serde(skip)]
    pub export: Option<OtlpExport>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracingProviders {
    #[serde(default)]
    pub otlp: OtlpSettings,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpSettings {
    /// `host:port` of the collector's OTLP/HTTP receiver; spans go to `/v1/traces` there.
    #[serde(default)]
    pub server_url: Option<String>,
    /// `true`: plain HTTP; `false` (the default): HTTPS.
    #[serde(default)]
    pub insecure: bool,
    #[serde(default)]
    pub sampling: OtlpSampling,
    /// The whole `Authorization` header sent to the collector (`Bearer …`). A secret: never logged.
    #[serde(default)]
    pub authorization_header: Option<SecretString>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpSampling {
    /// Share of traces started here that are kept, 0 to 1 (default 1); a trace started upstream
    /// keeps the decision of its `traceparent`.
    #[serde(default)]
    pub sampling_ratio: Option<f64>,
}

/// Where and how spans are exported.
#[derive(Debug, Clone)]
pub struct OtlpExport {
    /// The full URL spans are posted to.
    pub endpoint: Url,
    pub authorization: Option<SecretString>,
    pub service_name: String,
    pub deployment_environment: Option<String>,
    pub sampler: Sampler,
    /// How long one export may take, retries included.
    pub timeout: Duration,
    /// Spans waiting for export at most; past it new spans are dropped (and counted).
    pub max_queue_size: usize,
}

/// The sampler, as `OTEL_TRACES_SAMPLER` names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampler {
    /// Follow the decision of an incoming `traceparent`; decide only for new traces.
    pub parent_based: bool,
    /// Share of new traces kept: 1 always, 0 never.
    pub ratio: f64,
}

pub const DEFAULT_SERVICE_NAME: &str = "kratos-hydra-bridge";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_QUEUE_SIZE: usize = 2048;
const TRACES_PATH: &str = "/v1/traces";

const ENDPOINT_KEY: &str = "tracing.providers.otlp.server_url";
const RATIO_KEY: &str = "tracing.providers.otlp.sampling.sampling_ratio";

/// A refusal: the key, and why.
type Refusal = (String, String);

/// The `OTEL_*` variables among `env`.
pub fn otel_variables(env: &[(String, String)]) -> BTreeMap<String, String> {
    env.iter()
        .filter(|(name, _)| name.starts_with("OTEL_"))
        .cloned()
        .collect()
}

impl TracingSettings {
    /// Checks the settings and fills in [`TracingSettings::export`] from them and from `otel`
    /// (the `OTEL_*` variables). A refusal names the `BRIDGE__*` variable (among `env_names`)
    /// that set the key, or the `OTEL_*` one that was refused.
    pub(super) fn resolve(
        &mut self,
        otel: &BTreeMap<String, String>,
        env_names: &[String],
    ) -> Result<(), Refusal> {
        self.export = self.export_settings(otel).map_err(|(key, mut reason)| {
            if !reason.contains("(environment variable OTEL_")
                && let Some(var) = super::load::env_var_for(env_names, &key)
            {
                reason.push_str(&format!(" (set by environment variable {var})"));
            }
            (key, reason)
        })?;
        Ok(())
    }

    fn export_settings(
        &self,
        otel: &BTreeMap<String, String>,
    ) -> Result<Option<OtlpExport>, Refusal> {
        let vars = Vars(otel);
        let var = |name: &str| vars.get(name);
        match self.provider.as_deref().unwrap_or_default() {
            "" => return Ok(None),
            "otel" => {}
            other => {
                return Err((
                    "tracing.provider".into(),
                    format!("`{other}` is not a provider the bridge has; `otel` exports OTLP"),
                ));
            }
        }
        let otlp = &self.providers.otlp;
        // Checked even when the variables below turn tracing off: the file is wrong either way.
        if let Some(ratio) = otlp.sampling.sampling_ratio
            && !(0.0..=1.0).contains(&ratio)
        {
            return Err((RATIO_KEY.into(), "must be between 0 and 1".into()));
        }
        if let Some(header) = &otlp.authorization_header
            && (header.expose_secret().is_empty()
                || reqwest::header::HeaderValue::from_str(header.expose_secret()).is_err())
        {
            // Never the value itself: it is a credential.
            return Err((
                "tracing.providers.otlp.authorization_header".into(),
                "must be a non-empty value an HTTP header can carry".into(),
            ));
        }
        if self.service_name.as_deref() == Some("") {
            return Err((
                "tracing.service_name".into(),
                "must not be empty; leave it out for the default".into(),
            ));
        }
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        match var("OTEL_TRACES_EXPORTER") {
            None | Some("otlp") => {}
            Some("none") => return Ok(None),
            Some(other) => {
                return Err(variable(
                    "OTEL_TRACES_EXPORTER",
                    other,
                    "the bridge exports `otlp` (or `none`)",
                ));
            }
        }
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ] {
            if let Some(value) = var(name)
                && value != "http/protobuf"
            {
                return Err(variable(
                    name,
                    value,
                    "the bridge sends `http/protobuf` only",
                ));
            }
        }
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
            "OTEL_EXPORTER_OTLP_COMPRESSION",
        ] {
            if let Some(value) = var(name)
                && value != "none"
            {
                return Err(variable(
                    name,
                    value,
                    "the bridge sends uncompressed (`none`)",
                ));
            }
        }
        let endpoint = self.endpoint(vars)?;
        let sampler = match otlp.sampling.sampling_ratio {
            Some(ratio) => Sampler {
                parent_based: true,
                ratio,
            },
            None => sampler_from(var("OTEL_TRACES_SAMPLER"), var("OTEL_TRACES_SAMPLER_ARG"))?,
        };
        let timeout = match [
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
        ]
        .into_iter()
        .find_map(|name| var(name).map(|value| (name, value)))
        {
            None => DEFAULT_TIMEOUT,
            Some((name, value)) => match value.parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => {
                    return Err(variable(
                        name,
                        value,
                        "must be a number of milliseconds above 0",
                    ));
                }
            },
        };
        let max_queue_size = match var("OTEL_BSP_MAX_QUEUE_SIZE") {
            None => DEFAULT_MAX_QUEUE_SIZE,
            Some(value) => match value.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(variable(
                        "OTEL_BSP_MAX_QUEUE_SIZE",
                        value,
                        "must be a number above 0",
                    ));
                }
            },
        };
        let service_name = self
            .service_name
            .clone()
            .or_else(|| var("OTEL_SERVICE_NAME").map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned());
        Ok(Some(OtlpExport {
            endpoint,
            authorization: otlp.authorization_header.clone(),
            service_name,
            deployment_environment: self
                .deployment_environment
                .clone()
                .filter(|e| !e.is_empty()),
            sampler,
            timeout,
            max_queue_size,
        }))
    }

    /// `server_url` (`host:port`, as Hydra and Kratos take it) with `/v1/traces`, else the
    /// variables as the OTLP exporter specification reads them.
    fn endpoint(&self, vars: Vars<'_>) -> Result<Url, Refusal> {
        let var = |name: &str| vars.get(name);
        let otlp = &self.providers.otlp;
        if let Some(server) = otlp.server_url.as_deref().filter(|s| !s.is_empty()) {
            return server_endpoint(server, otlp.insecure)
                .map_err(|reason| (ENDPOINT_KEY.into(), reason));
        }
        if let Some(value) = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            // Used as it is: the specification adds no path to the per-signal endpoint.
            return http_url(value)
                .map_err(|reason| variable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", value, &reason));
        }
        if let Some(value) = var("OTEL_EXPORTER_OTLP_ENDPOINT") {
            let mut url = http_url(value)
                .map_err(|reason| variable("OTEL_EXPORTER_OTLP_ENDPOINT", value, &reason))?;
            let path = format!("{}{TRACES_PATH}", url.path().trim_end_matches('/'));
            url.set_path(&path);
            return Ok(url);
        }
        Err((
            ENDPOINT_KEY.into(),
            "is required when tracing.provider is `otel` (host:port of the collector's OTLP/HTTP \
             receiver), unless OTEL_EXPORTER_OTLP_ENDPOINT is set"
                .into(),
        ))
    }
}

/// The `OTEL_*` variables; an empty one counts as unset, as the specification says.
#[derive(Clone, Copy)]
struct Vars<'a>(&'a BTreeMap<String, String>);

impl<'a> Vars<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A refusal of an `OTEL_*` variable: the nearest settings key, the variable and its value.
fn variable(name: &str, value: &str, reason: &str) -> Refusal {
    let key = match name {
        "OTEL_TRACES_SAMPLER" | "OTEL_TRACES_SAMPLER_ARG" => RATIO_KEY,
        n if n.contains("ENDPOINT") => ENDPOINT_KEY,
        _ => "tracing",
    };
    (
        key.into(),
        format!(
            "{reason} (environment variable {name}=`{}`)",
            redacted(value)
        ),
    )
}

/// A URL as an error may show it: without user, password or query, which may hold credentials.
fn redacted(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut url) if url.has_host() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.to_string()
        }
        _ => value.to_owned(),
    }
}

fn server_endpoint(server: &str, insecure: bool) -> Result<Url, String> {
    if server.contains("://") || server.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "`{server}` must be host:port, as Hydra and Kratos take it (`insecure: true` for \
             plain HTTP); spans go to /v1/traces there"
        ));
    }
    let scheme = if insecure { "http" } else { "https" };
    let url = Url::parse(&format!("{scheme}://{server}{TRACES_PATH}"))
        .map_err(|e| format!("`{server}` is not host:port: {e}"))?;
    if url.host_str().is_none_or(str::is_empty) || url.port_or_known_default().is_none() {
        return Err(format!("`{server}` is not host:port"));
    }
    if server
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse::<u16>().ok())
        .is_none_or(|port| url.port_or_known_default() != Some(port))
    {
        return Err(format!(
            "`{server}` must name the port (host:port, e.g. jaeger:4318)"
        ));
    }
    Ok(url)
}

fn http_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("must be an http or https URL".into());
    }
    // Credentials go in `authorization_header`, never in a URL that logs and errors may show.
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err("must hold no user, password or query (credentials go in a header)".into());
    }
    Ok(url)
}

/// `OTEL_TRACES_SAMPLER` and its argument, as the SDK specification defines them; unset is
/// Hydra's and Kratos's default, every trace kept (parent-based, ratio 1).
fn sampler_from(name: Option<&str>, arg: Option<&str>) -> Result<Sampler, Refusal> {
    let ratio = || match arg {
        None => Ok(1.0),
        Some(value) => value
            .parse::<f64>()
            .ok()
            .filter(|r| (0.0..=1.0).contains(r))
            .ok_or_else(|| {
                variable(
                    "OTEL_TRACES_SAMPLER_ARG",
                    value,
                    "must be a ratio between 0 and 1",
                )
            }),
    };
    let (parent_based, ratio) = match name.unwrap_or("parentbased_always_on") {
        "always_on" => (false, 1.0),
        "always_off" => (false, 0.0),
        "traceidratio" => (false, ratio()?),
        "parentbased_always_on" => (true, 1.0),
        "parentbased_always_off" => (true, 0.0),
        "parentbased_traceidratio" => (true, ratio()?),
        other => {
            return Err(variable(
                "OTEL_TRACES_SAMPLER",
                other,
                "the bridge has always_on, always_off, traceidratio and their parentbased_ forms",
            ));
        }
    };
    Ok(Sampler {
        parent_based,
        ratio,
    })
}

#[cfg(test)]
#[path = "traces_tests.rs"]
mod tests;
