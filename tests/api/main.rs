//! The integration tests: the bridge on a loopback port in front of fake Hydra and Kratos servers
//! (`support`), one module per area. One binary, so the support code is compiled once.

mod fakes;
mod support;

mod accessibility;
mod apps;
mod brand;
mod browser;
mod browser_language;
mod cli;
mod compat;
mod consent;
mod device;
mod device_hydra;
mod device_logs;
mod error_page;
mod faults;
mod health;
mod keyboard;
mod language;
mod load;
mod login;
mod login_demands;
mod logout;
mod metrics;
mod pages;
mod redirects;
mod registration;
mod security;
mod stale_connections;
mod tracing;
mod upstream;
mod upstream_framing;
mod upstream_misbehaving;
mod upstream_runtimes;
