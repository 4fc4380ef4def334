//! One JWT client cannot fill the replay guard for the others: past its share
//! it alone is refused, with `invalid_client`, while other clients go on.

mod fixtures;

use std::sync::Arc;

use client_credentials::store::{MemoryClientStore, MemoryReplayGuard};
use client_credentials::{
    Algorithm, FixedClock, Issuer, KeySet, RequestParts, SigningKey, UnixTime,
};
use fixtures::jwt_clients::{es256_assertion_body as request_body, es256_jwt_client as jwt_client};
use fixtures::{ISSUER, NOW};

#[tokio::test]
async fn a_client_over_its_replay_share_is_refused_alone_with_invalid_client() {
    let issuer = Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([jwt_client("greedy"), jwt_client("calm")]),
    )
    .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
    .replay_guard(MemoryReplayGuard::with_capacity(4096).per_client_share(256))
    .build()
    .unwrap();

    let mut refused = 0;
    for i in 0..400 {
        let body = request_body("greedy", &format!("greedy-{i}"));
        let response = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        match response.status {
            200 => {}
            401 => {
                let body = String::from_utf8(response.body).unwrap();
                assert!(body.contains("\"invalid_client\""), "{body}");
                refused += 1;
            }
            other => panic!("a full share is not a server error: {other}"),
        }
    }
    assert!(refused >= 400 - 256, "at most its share of 256 got through");

    for i in 0..32 {
        let body = request_body("calm", &format!("calm-{i}"));
        let response = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        assert_eq!(response.status, 200, "another client is not affected");
    }
}
