//! `bridge_device_codes_total{outcome}`: what became of the user codes people entered.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

use crate::metrics::{Metrics, OutcomeLabels};

/// What became of one entered code. A fixed set, so the label stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    /// Hydra accepted the code.
    Accepted,
    /// Hydra knows no such code (wrong, expired or used), or it cannot be one of Hydra's codes.
    WrongCode,
    /// The device request itself expired.
    Expired,
    /// This browser already used up its wrong codes for the request; Hydra was not asked.
    TooMany,
    /// Too many wrong codes reached the service lately, from this client or from everyone; Hydra
    /// was not asked.
    Limited,
    /// Anything else: an unknown request, Hydra refusing or failing.
    Other,
}

impl CodeOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeOutcome::Accepted => "accepted",
            CodeOutcome::WrongCode => "wrong_code",
            CodeOutcome::Expired => "expired",
            CodeOutcome::TooMany => "too_many",
            CodeOutcome::Limited => "limited",
            CodeOutcome::Other => "other",
        }
    }
}

pub struct DeviceMetrics {
    codes: Family<OutcomeLabels, Counter>,
}

impl DeviceMetrics {
    /// Registers the family in the service's registry.
    pub fn register(metrics: &mut Metrics) -> Self {
        let codes = Family::<OutcomeLabels, Counter>::default();
        metrics.registry_mut().register(
            "device_codes",
            "User codes entered on the device page: accepted, wrong_code, expired, too_many, limited, other",
            codes.clone(),
        );
        Self { codes }
    }

    pub fn code(&self, outcome: CodeOutcome) {
        self.codes
            .get_or_create(&OutcomeLabels {
                outcome: outcome.as_str(),
            })
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_outcome() {
        let mut metrics = Metrics::new();
        let device = DeviceMetrics::register(&mut metrics);
        device.code(CodeOutcome::WrongCode);
        device.code(CodeOutcome::WrongCode);
        device.code(CodeOutcome::Accepted);
        let text = metrics.render();
        assert!(
            text.contains("bridge_device_codes_total{outcome=\"wrong_code\"} 2"),
            "{text}"
        );
        assert!(text.contains("bridge_device_codes_total{outcome=\"accepted\"} 1"));
    }
}
