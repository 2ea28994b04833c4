//! What the login and consent endpoints do alike: the `GET` of a request, and the start of an
//! accept or reject. Each flow's `FlowSpec` says what differs: the body it shows, the answer it
//! gives.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::common::{Answer, Shared, begin};
use super::wire::{self, GoStruct, REQUEST_DENIED_ERROR};
use super::{Flow, FlowState, State};

pub(super) trait FlowSpec: Clone + 'static {
    /// `login` or `consent`: the path, the challenge parameter, Hydra's messages.
    const NAME: &'static str;
    /// What an accept's body decodes into.
    const ACCEPT: &'static GoStruct;
    /// The authorization request's URL, where every answer leads back.
    fn request_url(&self) -> String;
    /// The pending request, as its `GET` shows it.
    fn show(&self, challenge: &str, data: &Shared) -> HttpResponse;
    /// An accept or reject, once its challenge is read and its body decoded.
    fn answer(answering: Answering, data: &Shared) -> HttpResponse;
    /// Where the fake keeps these requests.
    fn flows(state: &State) -> &HashMap<String, Flow<Self>>;
}

/// An accept or reject as every such endpoint reads it.
pub(super) struct Answering {
    pub(super) answer: Answer,
    pub(super) challenge: String,
    /// The body as Go decodes it into the accept's struct, or `RequestDeniedError` for a reject.
    pub(super) body: Result<Map<String, Value>, String>,
}

/// `GET …/{flow}`: the pending request; else Hydra's 404, 401 (expired) or 410 (handled).
pub(super) async fn get<S: FlowSpec>(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, S::NAME).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let Some(flow) = lookup::<S>(&data, &challenge) else {
        return wire::not_found();
    };
    match flow.state {
        FlowState::Expired => wire::expired(S::NAME),
        FlowState::Handled => wire::ok(410, &json!({ "redirect_to": flow.spec.request_url() })),
        FlowState::Pending => flow.spec.show(&challenge, &data),
    }
}

/// `PUT …/{flow}/accept` and `…/{flow}/reject`.
pub(super) async fn answer<S: FlowSpec>(
    req: HttpRequest,
    body: web::Bytes,
    data: web::Data<Shared>,
) -> HttpResponse {
    let answer = Answer::of(&req);
    let challenge = match begin(&req, &data, S::NAME).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let target = match answer {
        Answer::Accept => S::ACCEPT,
        Answer::Reject => &REQUEST_DENIED_ERROR,
    };
    let answering = Answering {
        answer,
        challenge,
        body: wire::go_decode(&body, target, data.strict()),
    };
    S::answer(answering, &data)
}

/// The request an accept or reject is about, unless it is unknown (404) or expired (401): a
/// handled one still takes answers.
pub(super) fn unexpired<S: FlowSpec>(
    data: &Shared,
    challenge: &str,
) -> Result<S, Box<HttpResponse>> {
    match lookup::<S>(data, challenge) {
        None => Err(Box::new(wire::not_found())),
        Some(flow) if flow.expired() => Err(Box::new(wire::expired(S::NAME))),
        Some(flow) => Ok(flow.spec),
    }
}

fn lookup<S: FlowSpec>(data: &Shared, challenge: &str) -> Option<Flow<S>> {
    S::flows(&data.lock()).get(challenge).cloned()
}
