//! The integration tests: the bridge on a loopback port in front of fake Hydra and Kratos servers,
//! one folder per feature. One binary, so the support code is compiled once.
//!
//! - `support`: the test bed, the bridge started in front of the fakes (`TestApp`).
//! - `fakes`: the fake Hydra and Kratos and the raw servers, and their checks against the answers
//!   recorded from the real servers.
//! - `login`, `consent`, `logout`, `device`: the flows; `pages`: what every page shares;
//!   `operations`: running the service (health, metrics, the binary, load, upstream connections).

mod fakes;
mod support;

mod consent;
mod device;
mod login;
mod logout;
mod operations;
mod pages;
