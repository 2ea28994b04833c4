//! Hydra's device answers as the bridge's client reads them: only Hydra's "no such user code" is a
//! wrong code; its other refusals are errors, never a wrong code the person could retry.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use kratos_hydra_bridge::config::{HydraSettings, UpstreamSettings};
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::upstream::Upstream;
use kratos_hydra_bridge::upstream::hydra::device::DeviceAccept;
use kratos_hydra_bridge::upstream::hydra::{HydraClient, HydraError};
use support::*;

fn client(hydra: &FakeHydra) -> HydraClient {
    let upstream = Upstream::new(&UpstreamSettings::default(), None, Arc::new(Metrics::new()));
    HydraClient::new(
        upstream,
        &HydraSettings {
            admin_url: hydra.url.parse().unwrap(),
            admin_token: None,
            admin_headers: BTreeMap::new(),
        },
    )
}

#[tokio::test]
async fn each_answer_of_the_accept() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    let client = client(&hydra);
    let (challenge, code) = hydra.start_device(DeviceSpec::default());

    let answer = client
        .accept_device_request(&challenge, "aaaaaaaa")
        .await
        .unwrap();
    assert_eq!(answer, DeviceAccept::UnknownCode);

    // The same code twice (the browser went back) is accepted twice, as at Hydra.
    for _ in 0..2 {
        let answer = client.accept_device_request(&challenge, &code).await;
        assert!(
            matches!(&answer, Ok(DeviceAccept::Accepted { redirect_to }) if redirect_to.contains("device_verifier=")),
            "{answer:?}"
        );
    }

    // An empty code or no challenge: Hydra's other 400s, refused requests of ours.
    for (challenge, code) in [(challenge.as_str(), ""), ("", code.as_str())] {
        let answer = client.accept_device_request(challenge, code).await;
        assert!(
            matches!(answer, Err(HydraError::Refused { status: 400, .. })),
            "{answer:?}"
        );
    }

    let unknown = client
        .accept_device_request("ZGV2aWNlLXVua25vd24", &code)
        .await;
    assert!(
        matches!(unknown, Err(HydraError::NotFound("device"))),
        "{unknown:?}"
    );
    hydra.expire_device_challenge(&challenge);
    let expired = client.accept_device_request(&challenge, &code).await;
    assert!(
        matches!(expired, Err(HydraError::Expired("device"))),
        "{expired:?}"
    );
}

#[tokio::test]
async fn clients_by_id() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    hydra.add_client("tv/app", "Slash TV");
    let client = client(&hydra);
    let found = client.get_client("tv/app").await.unwrap().expect("known");
    assert_eq!(found.client_name, "Slash TV");
    assert!(client.get_client("nobody").await.unwrap().is_none());
    assert!(client.get_client("..").await.unwrap().is_none());
    hydra.set_fault(Some(Fault::Status(500)));
    assert!(client.get_client("tv/app").await.is_err());
}
