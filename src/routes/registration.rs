//! `GET /registration?login_challenge=C[&identity_schema=S]`: Hydra's `prompt=registration` target.
//! Sends the browser to Kratos's registration flow, which returns to `/login` for the same challenge.

use actix_web::{HttpRequest, HttpResponse, web};
use time::OffsetDateTime;

use crate::domain::login::{SessionState, return_token};
use crate::domain::params::{QueryParams, validate_challenge, validate_identity_schema};
use crate::error::{AppError, within_deadline};
use crate::redirect::Redirect;
use crate::routes::login::{KratosLogin, kratos_login_url};
use crate::routes::state::AppState;

pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    within_deadline(&state.settings, register_within(&req, &state)).await
}

async fn register_within(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, AppError> {
    let settings = &state.settings;
    let query = QueryParams::parse(req.query_string());
    let challenge = validate_challenge(
        "login_challenge",
        query.single("login_challenge")?,
        settings.login.challenge_max_bytes,
    )?;
    let schema = validate_identity_schema(
        query.single("identity_schema")?,
        &settings.kratos.identity_schemas,
    )?;
    // An unknown, expired or handled request gets its page now, not after the user filled a form.
    state.hydra.get_login_request(&challenge).await?;
    // Only a login after this moment counts on return, where every demand of the request is
    // checked again (a registration never reaches aal2, so an aal2 demand then steps up).
    let target = KratosLogin {
        register: true,
        refresh: false,
        aal2: false,
        token: return_token(
            false,
            false,
            None,
            &SessionState::None,
            OffsetDateTime::now_utc(),
        ),
        identity_schema: schema.as_deref(),
    };
    let url = kratos_login_url(state, &challenge, &target)?;
    crate::telemetry::note("outcome", "registration");
    tracing::debug!(
        identity_schema = schema.as_deref().unwrap_or(""),
        "sending browser to Kratos registration"
    );
    Ok(Redirect::from_config(url).response())
}
