//! `GET /registration?login_challenge=C[&identity_schema=S]`: Hydra's `prompt=registration` target.
//! Sends the browser to Kratos's registration flow, which returns to `/login` for the same challenge.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::challenge::{QueryParams, validate_challenge, validate_identity_schema};
use crate::config::join_url;
use crate::error::{AppError, within_deadline};
use crate::redirect::Redirect;
use crate::startup::AppState;

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

    let mut return_to = join_url(&settings.serve.base_url, "/login");
    {
        let mut q = return_to.query_pairs_mut();
        q.append_pair("login_challenge", &challenge);
        if let Some(schema) = &schema {
            q.append_pair("identity_schema", schema);
        }
    }
    let mut url = join_url(
        &settings.kratos.browser_url,
        "/self-service/registration/browser",
    );
    {
        let mut q = url.query_pairs_mut();
        if let Some(schema) = &schema {
            q.append_pair("identity_schema", schema);
        }
        q.append_pair("return_to", return_to.as_str());
    }
    tracing::info!(
        identity_schema = schema.as_deref().unwrap_or(""),
        "sending browser to Kratos registration"
    );
    Ok(Redirect::from_config(url).response())
}
