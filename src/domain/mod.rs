//! The decisions, free of I/O: what the subject is, what a login needs, what a consent grants, which
//! claims are released, and how browser input is read.

pub mod claims;
pub mod consent;
pub mod device_code;
pub mod login;
pub mod params;
pub mod subject;
