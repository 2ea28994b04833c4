//! kratos-hydra-bridge: the login, consent and logout app for Ory Hydra, backed by Ory Kratos sessions.

pub mod brand;
pub mod config;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod ory;
pub mod otel;
pub mod pages;
pub mod redirect;
pub mod request_metrics;
pub mod routes;
pub mod signed;
pub mod startup;
pub mod telemetry;
