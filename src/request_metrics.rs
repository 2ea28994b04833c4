//! Counts every request in `bridge_http_requests_total` and `bridge_http_request_duration_seconds`.
//! Each label comes from a fixed set, whatever the request carries: a made-up method or path must
//! never add a series (the registry keeps every series it has seen, for the life of the process).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::metrics::{Metrics, RequestLabels};

/// The `method` label: the methods the bridge routes, and `other` for every other one.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        _ => "other",
    }
}

/// The `route` label: the pattern of the route that matched (the bridge's own, fixed list), or
/// `unmatched`.
fn route_label(request: &ServiceRequest) -> String {
    request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into())
}

/// The middleware (`actix_web::middleware::from_fn(request_metrics::record)`). Counts into the app's
/// `web::Data<Metrics>`; without one (`metrics.enabled` is false: nobody could read what it counted)
/// it records nothing.
pub async fn record<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let Some(metrics) = metrics else {
        return next.call(request).await;
    };
    let started = Instant::now();
    let route = route_label(&request);
    let method = method_label(request.method());
    let outcome = next.call(request).await;
    let status = match &outcome {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    let labels = RequestLabels {
        route,
        method,
        status: status.as_u16(),
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .request_seconds
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn routed_methods_keep_their_name() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::HEAD), "other");
        assert_eq!(method_label(&Method::DELETE), "other");
    }

    proptest! {
        /// Only `GET` and `POST`, as written, keep their name; any other method a client can send
        /// is `other`.
        #[test]
        fn any_method_maps_to_a_fixed_set(name in prop_oneof![
            Just("GET".to_string()),
            Just("POST".to_string()),
            Just("get".to_string()),
            Just("Post".to_string()),
            Just("HEAD".to_string()),
            Just("PUT".to_string()),
            "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}",
        ]) {
            // The HTTP layer refuses a few token characters itself; those never get this far.
            let Ok(method) = Method::from_bytes(name.as_bytes()) else { return Ok(()) };
            let expected = match name.as_str() {
                "GET" => "GET",
                "POST" => "POST",
                _ => "other",
            };
            prop_assert_eq!(method_label(&method), expected);
        }
    }
}
