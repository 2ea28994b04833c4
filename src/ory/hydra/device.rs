//! Hydra's device flow on the admin API (v25.4+): accepting a user code, and reading a client for
//! the page the device flow ends on.

use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::{ErrorBody, HydraClient, HydraError, OAuth2Client, RedirectTo};
use crate::ory::http::{Call, ErrorKind, Request, encode_path};

/// `acceptDeviceUserCodeRequest`.
#[derive(Serialize)]
struct AcceptUserCode<'a> {
    user_code: &'a str,
}

/// Hydra's answer to a user code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceAccept {
    /// The code belongs to a device request: the browser goes on to `redirect_to`.
    Accepted { redirect_to: String },
    /// No usable device request has this code: never issued, expired, or already used. Hydra does
    /// not tell these apart.
    UnknownCode,
}

/// The hint Hydra adds to its 400 `invalid_request` for a code it cannot use.
const UNKNOWN_CODE_HINT: &str = "The 'user_code' session could not be found";

impl HydraClient {
    /// `PUT /admin/oauth2/auth/requests/device/accept?device_challenge=D` with `{"user_code": U}`.
    /// Repeatable: Hydra only reads the user code's session here (it is marked used when the
    /// device verifier comes back at the end of the flow), so a repeat gets the same answer.
    pub async fn accept_device_request(
        &self,
        challenge: &str,
        user_code: &str,
    ) -> Result<DeviceAccept, HydraError> {
        let call = Call::new("hydra", "accept_device_request");
        let body = serde_json::to_vec(&AcceptUserCode { user_code })
            .map_err(|e| call.error(ErrorKind::Encode(e.to_string())))?;
        let request = self
            .flow_request(Method::PUT, "device", Some("accept"), challenge)
            .json(body)
            .repeatable();
        let response = self.upstream.send(call, request).await?;
        if response.status() == StatusCode::BAD_REQUEST {
            let body: ErrorBody = self.upstream.read_json(call, response).unwrap_or_default();
            if body.error == "invalid_request" && body.error_description.contains(UNKNOWN_CODE_HINT)
            {
                return Ok(DeviceAccept::UnknownCode);
            }
            return Err(HydraError::Refused {
                operation: call.operation,
                status: 400,
                error: format!("{} {}", body.error, body.error_description)
                    .trim()
                    .to_string(),
            });
        }
        let answer: RedirectTo = self.answer(call, "device", response)?;
        Ok(DeviceAccept::Accepted {
            redirect_to: answer.redirect_to,
        })
    }

    /// `GET /admin/clients/{id}`; `None` when Hydra knows no such client.
    pub async fn get_client(&self, client_id: &str) -> Result<Option<OAuth2Client>, HydraError> {
        let call = Call::new("hydra", "get_client");
        let Some(path) = encode_path(&["admin", "clients", client_id]) else {
            return Ok(None);
        };
        let request = Request::new(Method::GET, &self.admin, self.admin.target(&path));
        let response = self.upstream.send(call, request).await?;
        match response.status() {
            StatusCode::OK => Ok(Some(self.upstream.read_json(call, response)?)),
            StatusCode::NOT_FOUND => Ok(None),
            status => Err(call.error(ErrorKind::Status(status)).into()),
        }
    }
}
