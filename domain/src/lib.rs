//! The decisions of kratos-hydra-bridge, free of I/O and of HTTP: what the subject is, what a login
//! needs and what the handler does next, what a consent grants and for whom, when a logout asks
//! first, which claims are released, and how browser input is read. The service turns Hydra's and
//! Kratos's answers into the facts these functions read, and carries out what they return.

pub mod apps;
pub mod claims;
pub mod client_ip;
pub mod colour;
pub mod consent;
pub mod device;
pub mod device_code;
pub mod device_limit;
pub mod identity;
pub mod login;
pub mod logout;
pub mod params;
pub mod subject;
