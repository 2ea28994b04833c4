//! What every handler shares: settings, the upstream clients, the signer and the counters.

use std::sync::Arc;

use super::readiness::Readiness;
use crate::config::{Policies, Settings};
use crate::metrics::Metrics;
use crate::ory::hydra::HydraClient;
use crate::ory::kratos::KratosClient;
use crate::routes::device::metrics::DeviceMetrics;
use crate::signed::Signer;

/// Everything a handler needs, shared by all workers.
pub struct AppState {
    pub settings: Settings,
    /// What the flows' plans read of the settings, built once at start.
    pub policies: Policies,
    pub metrics: Arc<Metrics>,
    pub hydra: HydraClient,
    pub kratos: KratosClient,
    pub signer: Signer,
    /// How the bridge's own cookies are set.
    pub cookies: crate::cookies::CookiePolicy,
    pub device: Device,
    /// The last `/health/ready` result, reused for `health.ready_cache_ms`.
    pub readiness: Readiness,
    /// What every page takes from the settings: the message catalogs and the brand's frame.
    pub pages: Arc<crate::pages::Frame>,
    /// The operator's brand: generated stylesheet, logo, CSP.
    pub brand: crate::brand::Brand,
}

/// What the device pages share: their counters, the service's count of wrong codes, and the
/// proxies whose `X-Forwarded-For` names the client.
pub struct Device {
    pub metrics: DeviceMetrics,
    pub wrong_codes: crate::routes::device::limit::WrongCodes,
    pub trusted_proxies: Vec<domain::client_ip::IpNet>,
}
