//! One deadline for a whole answer to a browser, however many upstream calls it takes: past
//! `serve.request_timeout_ms` the work is dropped and the browser gets the 504 page.

use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};
use tokio::time::Instant;

use super::state::AppState;
use crate::error::AppError;
use crate::pages::Page;

/// The middleware (`actix_web::middleware::from_fn(deadline::within)`), on the routes that call
/// upstream on the browser's behalf. Reading the request body counts towards the deadline too. The
/// 504 page is an answer, not an error, so that the middleware around it (security headers, request
/// metrics) treats it as any other.
pub async fn within<B: MessageBody>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let Some(limit) = request
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.serve.request_timeout)
    else {
        return next.call(request).await.map(|r| r.map_into_left_body());
    };
    let http = request.request().clone();
    let deadline = Instant::now() + limit;
    request.extensions_mut().insert(Deadline(deadline));
    match tokio::time::timeout_at(deadline, next.call(request)).await {
        Ok(answer) => answer.map(|r| r.map_into_left_body()),
        // Built from the error, as a handler's error answer is, so that middleware on the way out
        // sees which error it was; on the request's page, as the handler would have.
        Err(_) => {
            let failure = Page::of(&http).fail(AppError::Deadline);
            Ok(ServiceResponse::from_err(failure, http).map_into_right_body())
        }
    }
}

/// When the answer is due, for a handler that must finish what it started before then.
#[derive(Debug, Clone, Copy)]
struct Deadline(Instant);

/// The time left before the answer is due; `None` outside the middleware.
pub fn remaining(req: &HttpRequest) -> Option<Duration> {
    let Deadline(at) = *req.extensions().get::<Deadline>()?;
    Some(at.saturating_duration_since(Instant::now()))
}
