//! The device flow of Hydra v25.4+: the admin user-code accept, the admin client lookup, and the
//! public `/oauth2/device/verify` that turns an accepted code into a login request. Answers as
//! Hydra's `consent/handler.go` (`acceptUserCodeRequest`) does; older versions have no such route.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::common::interrupt;
use super::{
    FakeHydra, FlowState, HydraVersion, LoginSpec, Shared, error, make_challenge, not_found_body,
    record, versioned_client, wire,
};

/// Hydra's default user-code alphabet (`entropy_preset: high`).
pub const HIGH_ALPHABET: &str = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";

const INVALID_REQUEST: &str = "The request is missing a required parameter, includes an invalid \
    parameter value, includes a parameter more than once, or is otherwise malformed.";

/// What the device asked for at `/oauth2/device/auth`.
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    pub client_id: String,
    pub client_name: String,
    pub requested_scope: Vec<String>,
    /// The user code Hydra issued; `None` makes one from Hydra's default alphabet.
    pub user_code: Option<String>,
}

impl Default for DeviceSpec {
    fn default() -> Self {
        Self {
            client_id: "tv-app".into(),
            client_name: "Living Room TV".into(),
            requested_scope: vec!["openid".into(), "offline_access".into()],
            user_code: None,
        }
    }
}

#[derive(Debug, Clone)]
struct UserCode {
    spec: DeviceSpec,
    /// Past `ttl.device_user_code`, or already used by a completed browser flow.
    spent: bool,
}

#[derive(Default)]
pub(super) struct Devices {
    /// Device challenges (the browser's visit to `/oauth2/device/verify`).
    challenges: HashMap<String, FlowState>,
    codes: HashMap<String, UserCode>,
    /// device_verifier -> the user code it was issued for.
    verifiers: HashMap<String, String>,
    clients: HashMap<String, String>,
    accepted: Vec<(String, Value)>,
    login_url: Option<String>,
    counter: u64,
}

/// The routes besides `PUT /admin/oauth2/auth/requests/device/accept` (`accept_device`).
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/clients/{id}", web::get().to(get_client))
        .route("/oauth2/device/verify", web::get().to(public_verify));
}

/// A user code as Hydra makes them: 8 characters of its default alphabet.
fn make_user_code(n: u64) -> String {
    let alphabet: Vec<char> = HIGH_ALPHABET.chars().collect();
    let mut x = n.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
    (0..8)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize]
        })
        .collect()
}

impl FakeHydra {
    /// The device's side: `POST /oauth2/device/auth`. Returns the user code.
    pub fn add_device_request(&self, spec: DeviceSpec) -> String {
        let mut state = self.lock();
        state.device.counter += 1;
        let code = spec
            .user_code
            .clone()
            .unwrap_or_else(|| make_user_code(state.device.counter));
        state
            .device
            .clients
            .insert(spec.client_id.clone(), spec.client_name.clone());
        state
            .device
            .codes
            .insert(code.clone(), UserCode { spec, spent: false });
        code
    }

    /// The browser's side: a visit to `/oauth2/device/verify` that Hydra sends on to
    /// `urls.device.verification?device_challenge=D`. Returns the challenge.
    pub fn add_device_challenge(&self) -> String {
        let mut state = self.lock();
        state.counter += 1;
        let challenge = make_challenge(HydraVersion::Lenient, state.counter + 3_000_000);
        state
            .device
            .challenges
            .insert(challenge.clone(), FlowState::Pending);
        challenge
    }

    /// Both sides at once: (device challenge, user code).
    pub fn start_device(&self, spec: DeviceSpec) -> (String, String) {
        let code = self.add_device_request(spec);
        (self.add_device_challenge(), code)
    }

    /// The device challenge outlived `ttl.login_consent_request`.
    pub fn expire_device_challenge(&self, challenge: &str) {
        if let Some(flow) = self.lock().device.challenges.get_mut(challenge) {
            *flow = FlowState::Expired;
        }
    }

    /// The user code outlived `ttl.device_user_code`, or its flow completed.
    pub fn spend_user_code(&self, code: &str) {
        if let Some(entry) = self.lock().device.codes.get_mut(code) {
            entry.spent = true;
        }
    }

    /// A client for `GET /admin/clients/{id}`.
    pub fn add_client(&self, id: &str, name: &str) {
        self.lock().device.clients.insert(id.into(), name.into());
    }

    /// Where `/oauth2/device/verify` sends the browser for the login (Hydra's `urls.login`).
    pub fn set_login_url(&self, url: &str) {
        self.lock().device.login_url = Some(url.into());
    }

    /// The accepted user codes: (device challenge, body).
    pub fn accepted_devices(&self) -> Vec<(String, Value)> {
        self.lock().device.accepted.clone()
    }
}

/// Only `device_challenge` is read (no `challenge` alias here).
fn device_challenge(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "device_challenge")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

pub(super) async fn accept_device(
    req: HttpRequest,
    body: web::Bytes,
    data: web::Data<Shared>,
) -> HttpResponse {
    let challenge = device_challenge(&req);
    record(&data, &req, challenge.clone());
    if data.version != HydraVersion::Lenient {
        // Before v25.4 there is no device flow: the router's 404 page.
        return wire::route_not_found();
    }
    if let Some(r) = interrupt(&data, &req).await {
        return r;
    }
    let Some(challenge) = challenge else {
        return error(
            400,
            "invalid_request",
            &format!(
                "{INVALID_REQUEST} Query parameter 'device_challenge' is not defined but should have been."
            ),
        );
    };
    // Go's json.Decoder: unknown fields pass, a wrong type or no JSON does not.
    let user_code = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => match map.get("user_code") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return error(
                    400,
                    "invalid_request",
                    &format!(
                        "{INVALID_REQUEST} Unable to decode request body: json: cannot unmarshal \
                         number into Go struct field AcceptDeviceUserCodeRequest.user_code of type string"
                    ),
                );
            }
        },
        _ => {
            return error(
                400,
                "invalid_request",
                &format!("{INVALID_REQUEST} Unable to decode request body: EOF"),
            );
        }
    };
    if user_code.is_empty() {
        return error(
            400,
            "invalid_request",
            &format!("{INVALID_REQUEST} Field 'user_code' must not be empty."),
        );
    }
    let mut state = data.lock();
    match state.device.challenges.get(&challenge) {
        None => return not_found_body(),
        Some(FlowState::Expired) => {
            return error(
                401,
                "request_unauthorized",
                "The request could not be authorized. The device request has expired, please try again.",
            );
        }
        Some(_) => {}
    }
    let Some(entry) = state
        .device
        .codes
        .get(&user_code)
        .filter(|e| !e.spent)
        .cloned()
    else {
        return error(
            400,
            "invalid_request",
            &format!(
                "{INVALID_REQUEST} The 'user_code' session could not be found or has expired or is otherwise malformed."
            ),
        );
    };
    state
        .device
        .accepted
        .push((challenge.clone(), json!({ "user_code": user_code })));
    state.device.counter += 1;
    let verifier = format!("dv{}x{}", state.device.counter, challenge.len());
    state.device.verifiers.insert(verifier.clone(), user_code);
    if let Some(hostile) = state.hostile_redirect.clone() {
        return wire::ok(200, &json!({ "redirect_to": hostile }));
    }
    let public = state.public_url.clone();
    let client_id =
        url::form_urlencoded::byte_serialize(entry.spec.client_id.as_bytes()).collect::<String>();
    wire::ok(
        200,
        &json!({
            "redirect_to": format!(
                "{public}/oauth2/device/verify?client_id={client_id}&device_verifier={verifier}"
            )
        }),
    )
}

async fn get_client(
    req: HttpRequest,
    path: web::Path<String>,
    data: web::Data<Shared>,
) -> HttpResponse {
    record(&data, &req, None);
    if let Some(r) = interrupt(&data, &req).await {
        return r;
    }
    let id = path.into_inner();
    let Some(name) = data.lock().device.clients.get(&id).cloned() else {
        return error(404, "Unable to locate the resource", "");
    };
    // A device client: no redirect or response types, and no logout URIs (left out when empty).
    let mut client = super::login::client_json(&id, &name, "", false);
    client["grant_types"] = json!([
        "urn:ietf:params:oauth:grant-type:device_code",
        "refresh_token"
    ]);
    client["redirect_uris"] = json!([]);
    client["response_types"] = json!([]);
    client["scope"] = json!("openid offline_access");
    if let Some(fields) = client.as_object_mut() {
        fields.remove("post_logout_redirect_uris");
    }
    wire::ok(200, &versioned_client(data.version, client))
}

/// Hydra's public endpoint after an accepted code: a login request for the device's client, and
/// the browser to `urls.login`.
async fn public_verify(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let verifier = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "device_verifier")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let (spec, login_url) = {
        let mut state = data.lock();
        let code = state.device.verifiers.get(&verifier).cloned();
        let Some(entry) = code.and_then(|c| state.device.codes.get_mut(&c)) else {
            return HttpResponse::BadRequest()
                .content_type("text/html")
                .body("<title>Error</title><p>The device verifier is invalid.</p>");
        };
        entry.spent = true;
        (entry.spec.clone(), state.device.login_url.clone())
    };
    let Some(login_url) = login_url else {
        return HttpResponse::Ok()
            .content_type("text/html")
            .body("<title>Device verified</title><p>Device verified.</p>");
    };
    let spec = LoginSpec {
        client_id: spec.client_id,
        client_name: spec.client_name,
        requested_scope: spec.requested_scope,
        null_oidc_context: true,
        ..LoginSpec::default()
    };
    let challenge = data.lock().add_login(data.version, spec);
    let encoded: String = url::form_urlencoded::byte_serialize(challenge.as_bytes()).collect();
    HttpResponse::Found()
        .insert_header(("Location", format!("{login_url}?login_challenge={encoded}")))
        .finish()
}
