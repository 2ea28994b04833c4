//! `GET /registration?login_challenge=C[&identity_schema=S]`: Hydra's `prompt=registration` target.
//! Sends the browser to Kratos's registration flow, which returns to `/login` for the same challenge.

use actix_web::{HttpResponse, web};
use time::OffsetDateTime;

use crate::error::{AppError, Failure};
use crate::pages::Page;
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, IdentitySchema, LoginFlow};
use crate::routes::login::{kratos_login_url, reject};
use crate::routes::state::AppState;
use domain::login::demands::parse_auth_params;
use domain::login::plan::{RegistrationPlan, registration};

pub async fn register(
    mut page: Page,
    challenge: Challenge<LoginFlow>,
    IdentitySchema(schema): IdentitySchema,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = send_to_kratos(&mut page, challenge.as_str(), schema, &state).await;
    answer.map_err(|e| page.fail(e))
}

async fn send_to_kratos(
    page: &mut Page,
    challenge: &str,
    schema: Option<String>,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    // An unknown, expired or handled request gets its page now, not after the user filled a form.
    let login_request = state.hydra.get_login_request(challenge).await?;
    page.prefer(&login_request.oidc_context.ui_locales);
    let params = parse_auth_params(
        &login_request.request_url,
        &login_request.oidc_context.acr_values,
    );
    let trip = match registration(&params, OffsetDateTime::now_utc()) {
        RegistrationPlan::Kratos(trip) => trip,
        // `prompt=none` beside `registration`: Hydra may not have refused it itself.
        RegistrationPlan::Reject(refusal) => return reject(state, challenge, refusal).await,
    };
    let url = kratos_login_url(state, challenge, &trip, schema.as_deref())?;
    crate::telemetry::note("outcome", "registration");
    tracing::debug!(
        identity_schema = schema.as_deref().unwrap_or(""),
        "sending browser to Kratos registration"
    );
    Ok(Redirect::from_config(url).response())
}
