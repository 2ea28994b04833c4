//! kratos-hydra-bridge: the login, consent and logout app for Ory Hydra, backed by Ory Kratos sessions.

pub mod brand;
pub mod challenge;
pub mod claims;
pub mod colour;
pub mod config;
pub mod consent;
pub mod csrf;
pub mod device;
pub mod error;
pub mod error_page;
pub mod health;
pub mod login;
pub mod logout;
pub mod metrics;
pub mod pages;
pub mod redirect;
pub mod registration;
pub mod request_metrics;
pub mod startup;
pub mod subject;
pub mod telemetry;
pub mod tokens;
pub mod upstream;
