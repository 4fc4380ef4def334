//! The issuer side of the RFC 9068 JWT access-token profile,
//! C51–C61. Tokens are decoded with `base64` + `serde_json` and verified with an
//! independent implementation (`jsonwebtoken`) against the published JWKS.

mod fixtures;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::store::MemoryClientStore;
use client_credentials::{Algorithm, Issuer, KeySet, SigningKey, SystemClock, UnixTime};
use fixtures::*;
use serde_json::Value;

fn key(alg: Algorithm) -> SigningKey {
    let pem = match alg {
        Algorithm::ES256 => ES256_PEM,
        Algorithm::EdDSA => EDDSA_PEM,
        Algorithm::RS256 | Algorithm::PS256 => RSA_PEM,
        Algorithm::HS256 => {
            let secret = URL_SAFE_NO_PAD.decode(HS256_SECRET_B64U.trim()).unwrap();
            return SigningKey::hs256(&secret, Some("hs-1".into())).unwrap();
        }
        other => panic!("no test key for {other:?}"),
    };
    SigningKey::from_pkcs8_pem(alg, pem, None).unwrap()
}

const ALGORITHMS: [Algorithm; 5] = [
    Algorithm::ES256,
    Algorithm::EdDSA,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::HS256,
];

/// The public JWK with this `kid` in the issuer's JWKS.
fn jwk<'a>(jwks: &'a Value, kid: &str) -> Option<&'a Value> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
}

#[tokio::test]
async fn c51_c52_every_algorithm_signs_at_jwt_tokens_that_verify() {
    for alg in ALGORITHMS {
        let fx = Fixture::with_keys(KeySet::new(key(alg)), |b| b);
        let issued = assert_token(&fx.post_c1_basic(GRANT).await);
        assert_eq!(issued.header["typ"], "at+jwt", "C51 ({alg:?})");
        assert_eq!(issued.header["alg"], alg.as_str(), "C52");
        assert_ne!(issued.header["alg"], "none");
        assert_eq!(issued.header["kid"], fx.issuer.keys().active().kid());
        if alg == Algorithm::HS256 {
            // A shared secret is never published; the resource server holds it.
            let jwks: Value = serde_json::from_str(fx.issuer.jwks_json()).unwrap();
            assert!(jwk(&jwks, "hs-1").is_none());
            let secret = URL_SAFE_NO_PAD.decode(HS256_SECRET_B64U.trim()).unwrap();
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
            validation.validate_exp = false;
            validation.set_audience(&[RESOURCE]);
            validation.set_issuer(&[ISSUER]);
            jsonwebtoken::decode::<Value>(
                &issued.token,
                &jsonwebtoken::DecodingKey::from_secret(&secret),
                &validation,
            )
            .expect("the HS256 token verifies");
        } else {
            let claims = verify_with_jwks(fx.issuer.jwks_json(), &issued.token, RESOURCE)
                .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            assert_eq!(claims, issued.claims);
        }
    }
}

#[test]
fn c52_none_is_not_an_algorithm() {
    for name in ["none", "None", "NONE", ""] {
        assert!(name.parse::<Algorithm>().is_err(), "{name:?}");
    }
    for alg in ALGORITHMS {
        assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), alg);
    }
}

#[tokio::test]
async fn c52_rs256_tokens_verify_against_the_jwks() {
    let fx = Fixture::with_keys(KeySet::new(key(Algorithm::RS256)), |b| b);
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.header["alg"], "RS256");
    let jwks: Value = serde_json::from_str(fx.issuer.jwks_json()).unwrap();
    let kid = issued.header["kid"].as_str().unwrap();
    let jwk = jwk(&jwks, kid).expect("C52: the header kid matches a JWKS key");
    assert_eq!(jwk["kty"], "RSA");
    verify_with_jwks(fx.issuer.jwks_json(), &issued.token, RESOURCE).unwrap();
}

#[tokio::test]
async fn c53_jwks_holds_public_parameters_only_and_iss_matches_metadata() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256] {
        let fx = Fixture::with_keys(KeySet::new(key(alg)), |b| b);
        let issued = assert_token(&fx.post_c1_basic(GRANT).await);
        let jwks: Value = serde_json::from_str(fx.issuer.jwks_json()).unwrap();
        let kid = issued.header["kid"].as_str().unwrap();
        let jwk = jwk(&jwks, kid).expect("the token's key is published");
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            assert!(jwk.get(private).is_none(), "{alg:?} JWK has {private}");
        }
        assert_eq!(jwk["use"], "sig");
        let metadata: Value = serde_json::from_str(fx.issuer.metadata_json()).unwrap();
        assert_eq!(issued.claims["iss"], metadata["issuer"]);
        assert_eq!(metadata["jwks_uri"], fx.issuer.jwks_uri());
        let response = fx.issuer.jwks_response();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.body, fx.issuer.jwks_json().as_bytes());
    }
}

#[tokio::test]
async fn c53_previous_keys_stay_published_while_the_active_key_signs() {
    let keys = KeySet::new(key(Algorithm::ES256))
        .with_previous(key(Algorithm::EdDSA))
        .unwrap();
    let fx = Fixture::with_keys(keys, |b| b);
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.header["alg"], "ES256");
    let jwks: Value = serde_json::from_str(fx.issuer.jwks_json()).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert!(jwk(&jwks, key(Algorithm::EdDSA).kid()).is_some());
}

#[tokio::test]
async fn c54_every_token_has_the_seven_required_claims() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    let c = &issued.claims;
    for claim in ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"] {
        assert!(c.get(claim).is_some(), "missing {claim}");
    }
    assert_eq!(c["iss"], ISSUER);
    assert_eq!(c["iat"], NOW, "iat is the clock's now");
    let iat = c["iat"].as_u64().unwrap();
    let exp = c["exp"].as_u64().unwrap();
    assert!(exp > iat);
    assert_eq!(exp - iat, issued.body["expires_in"].as_u64().unwrap());
    assert_eq!(c["jti"], "jti-0001");
}

#[tokio::test]
async fn c54_c124_iat_follows_the_clock_and_exp_minus_iat_is_expires_in() {
    let fx = Fixture::new();
    fx.advance(12_345);
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.claims["iat"], NOW + 12_345);
    assert_eq!(issued.claims["exp"], NOW + 12_345 + DEFAULT_LIFETIME);
    let expires_in = issued.body["expires_in"].as_u64().unwrap();
    assert!(expires_in <= 3600, "C124: short-lived by default");
}

#[tokio::test]
async fn c54_iat_is_not_in_the_future_with_the_system_clock() {
    let issuer = Issuer::builder(
        ISSUER,
        es256_keys(),
        [secret_client(C1, C1_SECRET).build().unwrap()]
            .into_iter()
            .collect::<MemoryClientStore>(),
    )
    .clock(Arc::new(SystemClock))
    .build()
    .unwrap();
    let before = UnixTime::now().as_secs();
    let auth = basic(C1, C1_SECRET);
    let r = issuer
        .handle_token_request(
            client_credentials::RequestParts::form_post(GRANT.as_bytes()).authorization(&auth),
        )
        .await;
    let after = UnixTime::now().as_secs();
    let issued = assert_token(&r);
    let iat = issued.claims["iat"].as_u64().unwrap();
    assert!(
        before <= iat && iat <= after,
        "{before} <= {iat} <= {after}"
    );
    let exp = issued.claims["exp"].as_u64().unwrap();
    assert_eq!(exp - iat, issued.body["expires_in"].as_u64().unwrap());
}

#[tokio::test]
async fn c55_sub_and_client_id_name_the_client() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.claims["sub"], C1);
    assert_eq!(issued.claims["client_id"], C1);
    let issued = assert_token(&fx.post(C1_POST).await);
    assert_eq!(issued.claims["sub"], C1);
}

#[tokio::test]
async fn c56_scope_claim_is_one_space_delimited_string_equal_to_the_response() {
    let fx = Fixture::new();
    let body = "grant_type=client_credentials&scope=mcp:read+mcp:write";
    let issued = assert_token(&fx.post_c1_basic(body).await);
    assert_eq!(issued.claims["scope"], "mcp:read mcp:write");
    assert!(issued.claims["scope"].is_string());
    assert_eq!(issued.claims["scope"], issued.body["scope"]);
}

#[tokio::test]
async fn c57_aud_is_the_requested_resource() {
    let fx = Fixture::new();
    let body = form(&[("grant_type", "client_credentials"), ("resource", RESOURCE)]);
    let issued = assert_token(&fx.post_c1_basic(&body).await);
    assert_eq!(issued.claims["aud"], RESOURCE);
    verify_with_jwks(fx.issuer.jwks_json(), &issued.token, RESOURCE).unwrap();
}

#[tokio::test]
async fn c58_without_resource_the_default_audience_is_used() {
    let fx = Fixture::new();
    let issued = assert_token(&fx.post_c1_basic(GRANT).await);
    assert_eq!(issued.claims["aud"], RESOURCE);
}

#[tokio::test]
async fn c58_without_resource_or_default_audience_no_token_is_issued() {
    let fx = Fixture::new();
    let header = basic(NO_AUDIENCE, OTHER_SECRET);
    assert_error(&fx.post_auth(&header, GRANT).await, 400, "invalid_target");
    // Naming an allowed resource works for the same client.
    let body = form(&[("grant_type", "client_credentials"), ("resource", RESOURCE)]);
    let issued = assert_token(&fx.post_auth(&header, &body).await);
    assert_eq!(issued.claims["aud"], RESOURCE);
}

#[tokio::test]
async fn c59_several_resources_are_refused_by_default() {
    let fx = Fixture::new();
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("resource", RESOURCE),
        ("resource", RESOURCE2),
        ("scope", "mcp:read"),
    ]);
    let header = basic(MULTI, OTHER_SECRET);
    assert_error(&fx.post_auth(&header, &body).await, 400, "invalid_target");
}

#[tokio::test]
async fn c60_distinct_resources_get_distinct_audiences() {
    let fx = Fixture::new();
    let header = basic(MULTI, OTHER_SECRET);
    let mut auds = Vec::new();
    for resource in [RESOURCE, RESOURCE2] {
        let body = form(&[("grant_type", "client_credentials"), ("resource", resource)]);
        let issued = assert_token(&fx.post_auth(&header, &body).await);
        assert_eq!(issued.claims["aud"], resource);
        assert_ne!(issued.claims["aud"], ISSUER);
        assert_ne!(issued.claims["aud"], issued.claims["client_id"]);
        auds.push(issued.claims["aud"].clone());
    }
    assert_ne!(auds[0], auds[1]);
}

#[tokio::test]
async fn c61_request_parameters_cannot_choose_claims() {
    let fx = Fixture::new();
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("sub", "alice"),
        ("iss", "https://evil.example"),
        ("aud", "https://evil.example"),
        ("exp", "99999999999"),
        ("jti", "chosen"),
        ("credential_id", "chosen"),
        ("username", "alice"),
    ]);
    let issued = assert_token(&fx.post_c1_basic(&body).await);
    let c = &issued.claims;
    assert_eq!(c["sub"], C1);
    assert_eq!(c["iss"], ISSUER);
    assert_eq!(c["aud"], RESOURCE);
    assert_eq!(c["exp"], NOW + DEFAULT_LIFETIME);
    assert_ne!(c["jti"], "chosen");
    assert_eq!(c["credential_id"], "s1");
}

/// The marker a resource server can test: a client-credentials token has
/// `sub == client_id` and names the client credential that obtained it.
#[tokio::test]
async fn c61_client_credentials_tokens_carry_a_testable_marker() {
    let fx = Fixture::new();
    for header in [basic(C1, C1_SECRET), basic(SVC, SVC_SECRET)] {
        let issued = assert_token(&fx.post_auth(&header, GRANT).await);
        assert_eq!(issued.claims["sub"], issued.claims["client_id"]);
        assert_eq!(issued.claims["credential_id"], "s1");
    }
    // A client cannot pass itself off as another through the body.
    let body = "grant_type=client_credentials&client_id=c-fast";
    assert_error(&fx.post_c1_basic(body).await, 401, "invalid_client");
}
