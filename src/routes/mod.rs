//! The HTTP handlers: each reads its input, asks `domain` what to do, and does it through `ory`.

pub mod apps;
pub mod brand;
pub mod consent;
pub mod deadline;
pub mod device;
pub mod error_page;
pub mod extract;
pub mod forms;
pub mod health;
pub mod login;
pub mod logout;
pub mod params;
pub mod readiness;
pub mod registration;
pub mod state;
