//! Ory's APIs: Hydra's admin API ([`hydra`]), Kratos's public and admin APIs ([`kratos`]) and their
//! wire types, on one shared HTTP client ([`http`]).

pub mod http;
pub mod hydra;
pub mod kratos;
