//! DPoP at the resource server, black-box (RFC 9449 §7; MCP DPoP profile):
//! a bound token opens the resource only with a proof of its key, for this
//! request (C112).

mod dpop_support;

use std::sync::Arc;

use client_credentials::jose::{DpopConfig, DpopProof};
use client_credentials::resource::{ResourceRequest, ValidatorBuilder};
use client_credentials::store::MemoryReplayGuard;
use client_credentials::{
    Audience, DpopError, ResourceMetadata, UnixTime, ValidationError, Validator, VerificationKeys,
};
use dpop_support::*;
use serde_json::{Value, json};

const BODY: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

/// A DPoP-bound token of `key`, from the fixture issuer, and a validator
/// builder for the MCP resource trusting that issuer.
async fn bound_token(key: &ProofKey) -> (String, ValidatorBuilder) {
    let (issuer, keys) = issuer(false);
    let r = token_request(&issuer, "c1", Some(&key.proof(&token_claims("t")))).await;
    let token = body(&r)["access_token"].as_str().unwrap().to_owned();
    let verification = VerificationKeys::from_jwks_json(&keys.jwks_json()).unwrap();
    let builder = Validator::builder(ISSUER, Audience::new(RESOURCE).unwrap(), verification);
    (token, builder)
}

async fn bearer_token() -> (String, ValidatorBuilder) {
    let (issuer, keys) = issuer(false);
    let r = token_request(&issuer, "c1", None).await;
    let token = body(&r)["access_token"].as_str().unwrap().to_owned();
    let verification = VerificationKeys::from_jwks_json(&keys.jwks_json()).unwrap();
    let builder = Validator::builder(ISSUER, Audience::new(RESOURCE).unwrap(), verification);
    (token, builder)
}

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

/// The claims of a well-formed resource proof for `token` at [`NOW`].
fn resource_claims(jti: &str, token: &str) -> Value {
    json!({"jti": jti, "htm": "POST", "htu": RESOURCE, "iat": NOW, "ath": ath(token)})
}

fn mcp_claims(jti: &str, token: &str, body: &[u8]) -> Value {
    with(
        resource_claims(jti, token),
        "content_digest",
        json!(client_credentials::jose::content_digest(body)),
    )
}

async fn call(validator: &Validator, token: &str, proof: &str) -> Result<(), ValidationError> {
    let authorization = format!("DPoP {token}");
    let request = ResourceRequest::new("POST", RESOURCE)
        .authorization(&authorization)
        .dpop(proof)
        .body(BODY);
    validator
        .validate_dpop(token, &request, now())
        .await
        .map(|_| ())
}

#[tokio::test]
async fn c112_a_bound_token_opens_the_resource_with_a_proof_of_its_key() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder.dpop(DpopConfig::default()).build().unwrap();
    let proof = key.proof(&resource_claims("ok", &token));
    let authorization = format!("DPoP {token}");
    let request = ResourceRequest::new("POST", "https://MCP.example.com:443/mcp?x=1")
        .authorization(&authorization)
        .dpop(&proof);
    let verified = validator.authorize(&request, now()).await.unwrap();
    assert_eq!(verified.dpop_thumbprint(), Some(key.thumbprint().as_str()));
    assert_eq!(verified.client_id(), "c1");
}

#[tokio::test]
async fn c112_a_bound_token_presented_as_bearer_is_refused() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder.dpop(DpopConfig::default()).build().unwrap();
    assert_eq!(
        validator.validate(&token, now()).await.unwrap_err(),
        ValidationError::Dpop(DpopError::BoundTokenAsBearer)
    );
    let authorization = format!("Bearer {token}");
    let request = ResourceRequest::new("POST", RESOURCE).authorization(&authorization);
    let challenge = validator.authorize(&request, now()).await.unwrap_err();
    let response = challenge.to_http();
    assert_eq!(response.status, 401);
    let header = response.header("www-authenticate").unwrap();
    assert!(
        header.starts_with("DPoP algs=\"ES256 ES384 EdDSA RS256 PS256\""),
        "{header}"
    );
    assert!(header.contains("error=\"invalid_token\""), "{header}");
}

#[tokio::test]
async fn c112_a_proof_of_another_key_is_invalid_token_in_the_dpop_scheme() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder.dpop(DpopConfig::default()).build().unwrap();
    let other = ProofKey::new().proof(&resource_claims("other", &token));
    let authorization = format!("DPoP {token}");
    let request = ResourceRequest::new("POST", RESOURCE)
        .authorization(&authorization)
        .dpop(&other);
    let challenge = validator.authorize(&request, now()).await.unwrap_err();
    assert_eq!(
        challenge.validation_error(),
        Some(ValidationError::Dpop(DpopError::KeyMismatch))
    );
    let response = challenge.to_http();
    assert_eq!(response.status, 401);
    let header = response.header("www-authenticate").unwrap();
    assert!(header.starts_with("DPoP "), "{header}");
    assert!(header.contains("error=\"invalid_token\""), "{header}");
}

#[tokio::test]
async fn c112_every_proof_check_applies_at_the_resource() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder.dpop(DpopConfig::default()).build().unwrap();
    let dpop = |e| Err(ValidationError::Dpop(e));
    let missing_ath = key.proof(&with(resource_claims("1", &token), "ath", Value::Null));
    assert_eq!(
        call(&validator, &token, &missing_ath).await,
        dpop(DpopError::WrongAth)
    );
    let wrong_ath = key.proof(&with(resource_claims("2", &token), "ath", json!(ath("x"))));
    assert_eq!(
        call(&validator, &token, &wrong_ath).await,
        dpop(DpopError::WrongAth)
    );
    let wrong_htu = key.proof(&with(
        resource_claims("3", &token),
        "htu",
        json!("https://mcp.example.com/other"),
    ));
    assert_eq!(
        call(&validator, &token, &wrong_htu).await,
        dpop(DpopError::WrongUri)
    );
    let wrong_htm = key.proof(&with(resource_claims("4", &token), "htm", json!("GET")));
    assert_eq!(
        call(&validator, &token, &wrong_htm).await,
        dpop(DpopError::WrongMethod)
    );
    let old = key.proof(&with(resource_claims("5", &token), "iat", json!(NOW - 600)));
    assert_eq!(call(&validator, &token, &old).await, dpop(DpopError::Stale));
    let mut header = key.header();
    header["typ"] = json!("JWT");
    let typ = key.sign(&header, &resource_claims("6", &token));
    assert_eq!(
        call(&validator, &token, &typ).await,
        dpop(DpopError::WrongType)
    );
    // No proof at all, or two.
    let authorization = format!("DPoP {token}");
    let bare = ResourceRequest::new("POST", RESOURCE).authorization(&authorization);
    assert_eq!(
        validator
            .validate_dpop(&token, &bare, now())
            .await
            .unwrap_err(),
        ValidationError::Dpop(DpopError::Missing)
    );
    let ok = key.proof(&resource_claims("7", &token));
    let twice = bare.dpop(&ok).dpop(&ok);
    assert_eq!(
        validator
            .validate_dpop(&token, &twice, now())
            .await
            .unwrap_err(),
        ValidationError::Dpop(DpopError::Repeated)
    );
    // A refused proof is `invalid_dpop_proof` in the challenge.
    let challenge = validator
        .authorize(&bare.dpop(&missing_ath), now())
        .await
        .unwrap_err();
    assert!(
        challenge
            .header_value()
            .contains("error=\"invalid_dpop_proof\"")
    );
}

#[tokio::test]
async fn c112_a_proof_is_used_once_with_a_replay_guard() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder
        .dpop(DpopConfig::default())
        .dpop_replay_guard(Arc::new(MemoryReplayGuard::new()))
        .build()
        .unwrap();
    let proof = key.proof(&resource_claims("once", &token));
    assert_eq!(call(&validator, &token, &proof).await, Ok(()));
    assert_eq!(
        call(&validator, &token, &proof).await,
        Err(ValidationError::Dpop(DpopError::Replayed))
    );
}

#[tokio::test]
async fn c112_the_mcp_profile_binds_the_proof_to_the_body() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder
        .dpop(DpopConfig::mcp())
        .require_dpop()
        .dpop_endpoint(RESOURCE)
        .build()
        .unwrap();
    let proof = key.proof(&mcp_claims("m1", &token, BODY));
    // The endpoint is fixed: the request URI, as a proxy rewrote it, is not read.
    let authorization = format!("DPoP {token}");
    let request = ResourceRequest::new("POST", "/internal/mcp")
        .authorization(&authorization)
        .dpop(&proof)
        .body(BODY);
    assert!(validator.authorize(&request, now()).await.is_ok());
    let other_body = request.body(br#"{"jsonrpc":"2.0","id":2,"method":"tools/call"}"#);
    assert_eq!(
        validator
            .authorize(&other_body, now())
            .await
            .unwrap_err()
            .validation_error(),
        Some(ValidationError::Dpop(DpopError::WrongContentDigest))
    );
    let no_digest = key.proof(&resource_claims("m2", &token));
    assert_eq!(
        call(&validator, &token, &no_digest).await,
        Err(ValidationError::Dpop(DpopError::WrongContentDigest))
    );
    // Five minutes either way.
    let ahead = key.proof(&with(
        mcp_claims("m3", &token, BODY),
        "iat",
        json!(NOW + 300),
    ));
    assert_eq!(call(&validator, &token, &ahead).await, Ok(()));
    let too_far = key.proof(&with(
        mcp_claims("m4", &token, BODY),
        "iat",
        json!(NOW + 301),
    ));
    assert_eq!(
        call(&validator, &token, &too_far).await,
        Err(ValidationError::Dpop(DpopError::IssuedInFuture))
    );
}

#[tokio::test]
async fn c112_a_resource_requiring_dpop_refuses_bearer_tokens_and_says_so() {
    let (token, builder) = bearer_token().await;
    let validator = builder
        .dpop(DpopConfig::mcp())
        .require_dpop()
        .build()
        .unwrap();
    let authorization = format!("Bearer {token}");
    let request = ResourceRequest::new("POST", RESOURCE).authorization(&authorization);
    let challenge = validator.authorize(&request, now()).await.unwrap_err();
    assert_eq!(
        challenge.validation_error(),
        Some(ValidationError::Dpop(DpopError::BearerNotAccepted))
    );
    let none = validator
        .authorize(&ResourceRequest::new("POST", RESOURCE), now())
        .await
        .unwrap_err()
        .scope("mcp:read")
        .to_http();
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        Some(r#"DPoP algs="ES256 ES384 EdDSA RS256 PS256", scope="mcp:read""#)
    );
    let metadata = ResourceMetadata::builder(RESOURCE)
        .authorization_server(ISSUER)
        .dpop_signing_algs(validator.dpop_algorithms().unwrap())
        .dpop_bound_access_tokens_required(validator.requires_dpop())
        .build()
        .unwrap();
    let v: Value = serde_json::from_str(metadata.to_json()).unwrap();
    assert_eq!(v["dpop_bound_access_tokens_required"], true);
    assert_eq!(
        v["dpop_signing_alg_values_supported"],
        json!(["ES256", "ES384", "EdDSA", "RS256", "PS256"])
    );
    // A bearer-only resource's metadata says nothing of DPoP.
    let plain = ResourceMetadata::builder(RESOURCE)
        .authorization_server(ISSUER)
        .build()
        .unwrap();
    assert!(!plain.to_json().contains("dpop"));
}

#[tokio::test]
async fn c112_bearer_tokens_still_work_where_dpop_is_optional() {
    let (token, builder) = bearer_token().await;
    let validator = builder.dpop(DpopConfig::default()).build().unwrap();
    let authorization = format!("Bearer {token}");
    let request = ResourceRequest::new("POST", RESOURCE).authorization(&authorization);
    let verified = validator.authorize(&request, now()).await.unwrap();
    assert_eq!(verified.dpop_thumbprint(), None);
    // A bearer token with the DPoP scheme is not bound.
    let authorization = format!("DPoP {token}");
    let proof = ProofKey::new().proof(&resource_claims("nb", &token));
    let request = ResourceRequest::new("POST", RESOURCE)
        .authorization(&authorization)
        .dpop(&proof);
    assert_eq!(
        validator
            .authorize(&request, now())
            .await
            .unwrap_err()
            .validation_error(),
        Some(ValidationError::Dpop(DpopError::TokenNotBound))
    );
}

#[tokio::test]
async fn c100_a_token_and_proofs_from_the_crate_signer_open_an_mcp_resource() {
    let (issuer, keys) = issuer(false);
    let (client_key, _) =
        client_credentials::SigningKey::generate(client_credentials::Algorithm::EdDSA).unwrap();
    let proof = DpopProof::new("POST", TOKEN_ENDPOINT, now())
        .sign(&client_key)
        .unwrap();
    let r = token_request(&issuer, "c1", Some(&proof)).await;
    let token = body(&r)["access_token"].as_str().unwrap().to_owned();
    let validator = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_jwks_json(&keys.jwks_json()).unwrap(),
    )
    .dpop(DpopConfig::mcp())
    .require_dpop()
    .build()
    .unwrap();
    let proof = DpopProof::new("POST", RESOURCE, now())
        .access_token(&token)
        .body(BODY)
        .sign(&client_key)
        .unwrap();
    let authorization = format!("DPoP {token}");
    let request = ResourceRequest::new("POST", RESOURCE)
        .authorization(&authorization)
        .dpop(&proof)
        .body(BODY);
    let verified = validator.authorize(&request, now()).await.unwrap();
    assert_eq!(verified.dpop_thumbprint(), Some(client_key.kid()));
}

#[test]
fn inconsistent_dpop_settings_are_refused() {
    let keys = || {
        let (key, _) =
            client_credentials::SigningKey::generate(client_credentials::Algorithm::ES256).unwrap();
        VerificationKeys::from_jwks_json(&client_credentials::KeySet::new(key).jwks_json()).unwrap()
    };
    let builder = || Validator::builder(ISSUER, Audience::new(RESOURCE).unwrap(), keys());
    assert!(builder().require_dpop().build().is_err());
    let mut with_nonces = DpopConfig::default();
    with_nonces.nonces = Some(
        client_credentials::jose::DpopNonces::new(NONCE_SECRET, std::time::Duration::from_secs(60))
            .unwrap(),
    );
    assert!(builder().dpop(with_nonces).build().is_err());
    assert!(
        builder()
            .dpop(DpopConfig::default())
            .dpop_endpoint("not a url")
            .build()
            .is_err()
    );
}

#[test]
fn a_resource_request_never_shows_its_headers_body_or_query_in_debug() {
    let request = ResourceRequest::new("POST", "https://mcp.example.com/mcp?secret=q")
        .authorization("DPoP eyJ.token-value.sig")
        .dpop("eyJ.proof-value.sig")
        .body(b"{\"private\":true}");
    let debug = format!("{request:?}");
    for hidden in ["token-value", "proof-value", "private", "secret=q"] {
        assert!(!debug.contains(hidden), "{debug}");
    }
}

#[cfg(feature = "http")]
#[tokio::test]
async fn c112_a_request_read_from_http_parts_carries_every_dpop_line() {
    let key = ProofKey::new();
    let (token, builder) = bound_token(&key).await;
    let validator = builder.dpop(DpopConfig::default()).build().unwrap();
    let proof = key.proof(&resource_claims("http", &token));
    let request = http::Request::builder()
        .method("POST")
        .uri("/mcp")
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", &proof)
        .body(BODY.to_vec())
        .unwrap();
    let (head, body) = request.into_parts();
    let parts = ResourceRequest::from_http(&head.method, RESOURCE, &head.headers, &body);
    assert!(validator.authorize(&parts, now()).await.is_ok());
    let mut twice = head.headers.clone();
    twice.append("dpop", proof.parse().unwrap());
    let parts = ResourceRequest::from_http(&head.method, RESOURCE, &twice, &body);
    assert_eq!(
        validator
            .authorize(&parts, now())
            .await
            .unwrap_err()
            .validation_error(),
        Some(ValidationError::Dpop(DpopError::Repeated))
    );
}

/// The tower layer in front of an MCP endpoint checks a DPoP-bound token with
/// its proof over the request's body, and answers refusals in the `DPoP`
/// scheme: a proof for another body, a replayed proof, and the token sent
/// as `Bearer` are refused before the service runs.
#[cfg(feature = "axum")]
#[tokio::test]
async fn c112_the_tower_layer_checks_dpop_proofs_over_the_body() {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use client_credentials::VerifiedToken;
    use client_credentials::resource::BearerLayer;
    use tower::ServiceExt;

    let (issuer, keys) = issuer(false);
    let (client_key, _) =
        client_credentials::SigningKey::generate(client_credentials::Algorithm::ES256).unwrap();
    let proof = DpopProof::new("POST", TOKEN_ENDPOINT, now())
        .sign(&client_key)
        .unwrap();
    let r = token_request(&issuer, "c1", Some(&proof)).await;
    let token = body(&r)["access_token"].as_str().unwrap().to_owned();
    let validator = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_jwks_json(&keys.jwks_json()).unwrap(),
    )
    .dpop(DpopConfig::mcp())
    .dpop_endpoint(RESOURCE)
    .dpop_replay_guard(MemoryReplayGuard::new())
    .build()
    .unwrap();
    let metadata = ResourceMetadata::builder(RESOURCE)
        .authorization_server(ISSUER)
        .build()
        .unwrap();
    let app = axum::Router::new()
        .route(
            "/mcp",
            axum::routing::post(|token: VerifiedToken, body: String| async move {
                format!("{} {body}", token.client_id())
            }),
        )
        .route_layer(
            BearerLayer::new(Arc::new(validator), &metadata)
                .require_scope("mcp:read")
                .clock(Arc::new(client_credentials::FixedClock::new(now()))),
        );
    let call = |scheme: &str, proof: &str, body: &'static [u8]| {
        Request::post("/mcp")
            .header("authorization", format!("{scheme} {token}"))
            .header("dpop", proof)
            .body(Body::from(body))
            .unwrap()
    };
    let proof_for = |body: &[u8]| {
        DpopProof::new("POST", RESOURCE, now())
            .access_token(&token)
            .body(body)
            .sign(&client_key)
            .unwrap()
    };

    let valid = proof_for(BODY);
    let response = app
        .clone()
        .oneshot(call("DPoP", &valid, BODY))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.headers());
    let text = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert_eq!(text, format!("c1 {}", String::from_utf8_lossy(BODY)));

    let refusals = [
        ("another body", call("DPoP", &proof_for(b"{}"), BODY)),
        ("a replayed proof", call("DPoP", &valid, BODY)),
        (
            "the bound token as Bearer",
            call("Bearer", &proof_for(BODY), BODY),
        ),
    ];
    for (what, request) in refusals {
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 401, "{what}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("DPoP "), "{what}: {challenge}");
        assert!(
            challenge.contains("resource_metadata="),
            "{what}: {challenge}"
        );
    }
}
