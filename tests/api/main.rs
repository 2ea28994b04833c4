//! The integration tests: the bridge on a loopback port in front of fake Hydra and Kratos servers,
//! one folder per feature. One binary, so the support code is compiled once.
//!
//! - `support`: the test bed, the bridge started in front of the fakes (`TestApp`).
//! - `fakes`: the fake Hydra and Kratos and the raw servers, and their checks against the answers
//!   recorded from the real servers.
//! - `login`, `consent`, `logout`, `device`: the flows; `apps`: the connected-apps page; `pages`:
//!   what every page shares; `operations`: running the service (health, metrics, the binary, load,
//!   upstream connections, traces).
//!
//! A test in one of them reads:
//!
//! ```ignore
//! #[tokio::test]
//! async fn always_reauthenticate_refreshes_non_skipped_logins() {
//!     let app = TestApp::builder()
//!         .env("BRIDGE__LOGIN__REAUTHENTICATE", "always")
//!         .spawn()
//!         .await;
//!     let token = app.signed_in(5);
//!     let challenge = app.hydra.add_login(LoginSpec::default());
//!     let response = app.login(&challenge, Some(&token)).await;
//!     assert_eq!(query_param(&location(&response), "refresh").as_deref(), Some("true"));
//!     assert!(app.hydra.accepted_logins().is_empty());
//! }
//! ```

mod fakes;
mod support;

mod apps;
mod consent;
mod device;
mod login;
mod logout;
mod operations;
mod pages;
