//! DPoP at the token endpoint, black-box (RFC 9449 §4–§6, §8): proofs
//! checked, tokens bound, refusals coded (C30, C97, C100, C102–C111).

mod dpop_support;

use client_credentials::jose::{DpopConfig, DpopProof};
use client_credentials::store::MemoryClientStore;
use client_credentials::{Algorithm, Issuer, KeySet, RequestParts, SigningKey, UnixTime};
use dpop_support::*;
use serde_json::{Value, json};

async fn refused(issuer: &TestIssuer, proof: &str, error: &str) {
    let r = token_request(issuer, "c1", Some(proof)).await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["error"], error);
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn c102_one_well_formed_dpop_header_with_every_required_claim() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let a = key.proof(&token_claims("a"));
    let b = key.proof(&token_claims("b"));
    let basic = "Basic YzE6czNjcjN0LXMzY3IzdC1zM2NyM3QtczNjcjN0LXMzY3IzdA==";
    let twice = issuer
        .handle_token_request(
            RequestParts::form_post(b"grant_type=client_credentials")
                .authorization(basic)
                .dpop(&a)
                .dpop(&b),
        )
        .await;
    assert_eq!(twice.status, 400);
    assert_eq!(body(&twice)["error"], "invalid_dpop_proof");
    for claim in ["jti", "htm", "htu", "iat"] {
        let proof = key.proof(&with(token_claims("c"), claim, Value::Null));
        refused(&issuer, &proof, "invalid_dpop_proof").await;
    }
    refused(&issuer, "not-a-jwt", "invalid_dpop_proof").await;
    refused(&issuer, &format!("{a}.x"), "invalid_dpop_proof").await;
    // The well-formed one is accepted.
    assert_eq!(token_request(&issuer, "c1", Some(&a)).await.status, 200);
}

#[tokio::test]
async fn c103_typ_alg_and_jwk_are_checked() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let claims = token_claims("j");
    let mut header = key.header();
    header["typ"] = json!("JWT");
    refused(&issuer, &key.sign(&header, &claims), "invalid_dpop_proof").await;
    for alg in ["HS256", "none", "ES384"] {
        let mut header = key.header();
        header["alg"] = json!(alg);
        refused(&issuer, &key.sign(&header, &claims), "invalid_dpop_proof").await;
    }
    let mut header = key.header();
    header["jwk"]["d"] = json!("AAAA");
    refused(&issuer, &key.sign(&header, &claims), "invalid_dpop_proof").await;
    let mut header = key.header();
    header.as_object_mut().unwrap().remove("jwk");
    refused(&issuer, &key.sign(&header, &claims), "invalid_dpop_proof").await;
    // Signed by another key than the one in `jwk`.
    let mut header = key.header();
    header["jwk"] = ProofKey::new().jwk;
    refused(&issuer, &key.sign(&header, &claims), "invalid_dpop_proof").await;
}

#[tokio::test]
async fn c104_htm_and_htu_must_match_the_request() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let proof = key.proof(&with(token_claims("1"), "htm", json!("GET")));
    refused(&issuer, &proof, "invalid_dpop_proof").await;
    let proof = key.proof(&with(
        token_claims("2"),
        "htu",
        json!("https://as.example.com/other"),
    ));
    refused(&issuer, &proof, "invalid_dpop_proof").await;
    // Normalised before comparison; query and fragment ignored (§4.3).
    for (jti, htu) in [
        ("3", "https://AS.example.com:443/token"),
        ("4", "HTTPS://as.example.com/./token?x=1#f"),
        ("5", "https://as.example.com/%74oken"),
    ] {
        let proof = key.proof(&with(token_claims(jti), "htu", json!(htu)));
        let r = token_request(&issuer, "c1", Some(&proof)).await;
        assert_eq!(r.status, 200, "{htu}");
    }
}

#[tokio::test]
async fn c105_proofs_are_time_limited_and_used_once() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let old = key.proof(&with(token_claims("old"), "iat", json!(NOW - 600)));
    refused(&issuer, &old, "invalid_dpop_proof").await;
    let ahead = key.proof(&with(token_claims("ahead"), "iat", json!(NOW + 600)));
    refused(&issuer, &ahead, "invalid_dpop_proof").await;
    let proof = key.proof(&token_claims("once"));
    assert_eq!(token_request(&issuer, "c1", Some(&proof)).await.status, 200);
    refused(&issuer, &proof, "invalid_dpop_proof").await;
    // The same `jti` under another key is another proof.
    let other = ProofKey::new().proof(&token_claims("once"));
    assert_eq!(token_request(&issuer, "c1", Some(&other)).await.status, 200);
}

#[tokio::test]
async fn c106_server_nonces_are_required_when_configured() {
    let (issuer, _) = issuer(true);
    let key = ProofKey::new();
    let r = token_request(&issuer, "c1", Some(&key.proof(&token_claims("n1")))).await;
    assert_eq!(r.status, 400);
    assert_eq!(body(&r)["error"], "use_dpop_nonce");
    let nonces: Vec<_> = r
        .headers
        .iter()
        .filter(|(name, _)| *name == "dpop-nonce")
        .collect();
    assert_eq!(nonces.len(), 1);
    let nonce = nonces[0].1.to_string();
    assert!(!nonce.is_empty());
    assert!(
        nonce
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
    );
    let retry = key.proof(&with(token_claims("n2"), "nonce", json!(nonce)));
    let ok = token_request(&issuer, "c1", Some(&retry)).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("dpop-nonce"), Some(nonce.as_str()));
    let wrong = key.proof(&with(token_claims("n3"), "nonce", json!("not-the-nonce")));
    let r = token_request(&issuer, "c1", Some(&wrong)).await;
    assert_eq!(r.status, 400);
    assert_eq!(body(&r)["error"], "use_dpop_nonce");
    assert_eq!(r.header("dpop-nonce"), Some(nonce.as_str()));
}

#[tokio::test]
async fn c107_a_valid_proof_gives_a_dpop_token_bound_to_its_key() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let r = token_request(&issuer, "c1", Some(&key.proof(&token_claims("b")))).await;
    assert_eq!(r.status, 200);
    let token = body(&r);
    assert_eq!(token["token_type"], "DPoP");
    let claims = jwt_claims(token["access_token"].as_str().unwrap());
    let jkt = claims["cnf"]["jkt"].as_str().unwrap();
    assert_eq!(jkt, key.thumbprint());
    assert_eq!(jkt.len(), 43);
    assert!(!jkt.contains('='));
}

#[tokio::test]
async fn c108_a_dpop_only_client_must_send_a_proof() {
    let (issuer, _) = issuer(false);
    let r = token_request(&issuer, "dpop-only", None).await;
    assert_eq!(r.status, 400);
    assert_eq!(body(&r)["error"], "invalid_dpop_proof");
    let key = ProofKey::new();
    let r = token_request(&issuer, "dpop-only", Some(&key.proof(&token_claims("x")))).await;
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["token_type"], "DPoP");
}

#[tokio::test]
async fn c109_without_a_proof_a_bearer_token() {
    let (issuer, _) = issuer(false);
    let r = token_request(&issuer, "c1", None).await;
    assert_eq!(r.status, 200);
    let token = body(&r);
    assert_eq!(token["token_type"], "Bearer");
    let claims = jwt_claims(token["access_token"].as_str().unwrap());
    assert!(claims.get("cnf").is_none());
    assert!(r.header("dpop-nonce").is_none());
}

#[tokio::test]
async fn c110_no_dpop_metadata_when_dpop_is_off() {
    let store = MemoryClientStore::new();
    let plain = Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        store,
    )
    .build()
    .unwrap();
    let v: Value = serde_json::from_str(plain.metadata_json()).unwrap();
    assert!(v.get("dpop_signing_alg_values_supported").is_none());
}

#[tokio::test]
async fn c110_dpop_metadata_lists_asymmetric_algorithms_only() {
    let (issuer, _) = issuer(false);
    let v: Value = serde_json::from_str(issuer.metadata_json()).unwrap();
    assert_eq!(
        v["dpop_signing_alg_values_supported"],
        json!(["ES256", "ES384", "EdDSA", "RS256", "PS256"])
    );
    // A configuration with a symmetric algorithm is refused.
    let mut dpop = DpopConfig::default();
    dpop.algorithms = vec![Algorithm::HS256];
    let built = Issuer::builder(
        ISSUER,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::new(),
    )
    .dpop(dpop)
    .build();
    assert!(built.is_err());
    // A proof in an algorithm not listed is refused.
    let mut dpop = DpopConfig::default();
    dpop.algorithms = vec![Algorithm::EdDSA];
    let (issuer, _) = issuer_with(dpop);
    let key = ProofKey::new();
    refused(
        &issuer,
        &key.proof(&token_claims("es")),
        "invalid_dpop_proof",
    )
    .await;
}

#[tokio::test]
async fn c111_no_ath_at_the_token_endpoint_and_content_digest_ignored() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let proof = key.proof(&with(
        token_claims("cd"),
        "content_digest",
        json!("sha-256=:AAAA:"),
    ));
    assert_eq!(token_request(&issuer, "c1", Some(&proof)).await.status, 200);
    let proof = key.proof(&with(token_claims("ath"), "ath", json!("whatever")));
    assert_eq!(token_request(&issuer, "c1", Some(&proof)).await.status, 200);
}

#[tokio::test]
async fn c30_a_bad_dpop_proof_is_invalid_dpop_proof() {
    let (issuer, _) = issuer(false);
    let r = token_request(&issuer, "c1", Some("e30.e30.AAAA")).await;
    assert_eq!(r.status, 400);
    assert_eq!(body(&r)["error"], "invalid_dpop_proof");
    assert!(body(&r)["error_description"].is_string());
}

#[tokio::test]
async fn c97_introspection_reports_cnf_and_dpop_token_type() {
    let (issuer, _) = issuer(false);
    let key = ProofKey::new();
    let r = token_request(&issuer, "c1", Some(&key.proof(&token_claims("i")))).await;
    let token = body(&r)["access_token"].as_str().unwrap().to_owned();
    let basic = "Basic YzE6czNjcjN0LXMzY3IzdC1zM2NyM3QtczNjcjN0LXMzY3IzdA==";
    let form = format!("token={token}");
    let r = issuer
        .handle_introspection_request(RequestParts::form_post(form.as_bytes()).authorization(basic))
        .await;
    assert_eq!(r.status, 200);
    let v = body(&r);
    assert_eq!(v["active"], true);
    assert_eq!(v["cnf"], json!({"jkt": key.thumbprint()}));
    assert_eq!(v["token_type"], "DPoP");
}

#[tokio::test]
async fn c100_a_proof_signed_by_the_crate_binds_a_token() {
    let (issuer, _) = issuer(false);
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        let (client_key, _) = SigningKey::generate(alg).unwrap();
        let proof = DpopProof::new("POST", TOKEN_ENDPOINT, UnixTime::from_secs(NOW))
            .sign(&client_key)
            .unwrap();
        let r = token_request(&issuer, "c1", Some(&proof)).await;
        assert_eq!(r.status, 200, "{alg}");
        assert_eq!(body(&r)["token_type"], "DPoP");
    }
    let hs = SigningKey::hs256(&[1; 32], None).unwrap();
    assert!(
        DpopProof::new("POST", TOKEN_ENDPOINT, UnixTime::from_secs(NOW))
            .sign(&hs)
            .is_err()
    );
}

#[test]
fn the_proof_never_shows_in_debug_output() {
    let key = ProofKey::new();
    let proof = key.proof(&token_claims("dbg"));
    let parts = RequestParts::form_post(b"grant_type=client_credentials")
        .authorization("Basic YzE6czNjcjN0")
        .dpop(&proof);
    assert!(!format!("{parts:?}").contains(&proof[..20]));
    let request = client_credentials::TokenRequest::parse(&parts, 1024).unwrap();
    assert_eq!(request.dpop_proof(), Some(proof.as_str()));
    assert!(!format!("{request:?}").contains(&proof[..20]));
}
