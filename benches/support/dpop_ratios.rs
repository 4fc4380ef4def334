//! The DPoP lines of `cargo bench --bench ratios`, ES256 throughout:
//!
//! ```text
//! dpop issue ES256 <ops/s> raw_verify+sign <ops/s> ratio=0.95
//! dpop validate ES256 <ops/s> raw_verify*2 <ops/s> ratio=0.92
//! ```
//!
//! - `dpop issue`: a whole token request with a fresh DPoP proof (client
//!   secret, proof checks, `jti` recorded in a [`MemoryReplayGuard`], a token
//!   bound with `cnf.jkt`) against raw `ring` verifying the proof's signature
//!   and signing the token's signing input: the two signatures the request
//!   cannot do without.
//! - `dpop validate`: [`Validator::authorize`] of a DPoP request under the MCP
//!   profile (token, proof with `ath` and `content_digest`, `jti` recorded)
//!   against raw `ring` verifying the token's and the proof's signatures.
//!
//! Proofs are signed before the measurement, one per call, so the replay
//! guards see each once.

use std::cell::Cell;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use client_credentials::jose::{DpopConfig, DpopProof};
use client_credentials::resource::ResourceRequest;
use client_credentials::store::{MemoryClientStore, MemoryReplayGuard};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
    RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime, Validator,
    VerificationKeys,
};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair};

use crate::common::measure::{ROUNDS, cpu_time, interleaved, ops_per_sec, scaled};
use crate::common::{AUDIENCE, BODY, ISSUER, pem_body, ready};

const TOKEN_ENDPOINT: &str = "https://as.example.com/token";
const RPC: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#;

/// A guard with room for every proof of the run, all of one client.
fn roomy_guard() -> MemoryReplayGuard {
    MemoryReplayGuard::with_capacity(1 << 20).per_client_share(1 << 20)
}

struct Setup {
    issuer: Issuer<MemoryClientStore>,
    authorization: String,
    /// The issuer's key, raw.
    raw_signer: EcdsaKeyPair,
    /// The client's DPoP key, and its public key for raw `ring`.
    client_key: SigningKey,
    client_public: signature::UnparsedPublicKey<Vec<u8>>,
    jwks: String,
}

fn setup() -> Setup {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/es256.pkcs8.pem"
    ))
    .unwrap();
    let raw_signer = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &pem_body(&pem),
        &SystemRandom::new(),
    )
    .unwrap();
    let key = SigningKey::from_pkcs8_pem(Algorithm::ES256, &pem, None).unwrap();
    let keys = KeySet::new(key);
    let jwks = keys.jwks_json();
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("bench-client").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(AUDIENCE).unwrap())
        .build()
        .unwrap();
    let mut dpop = DpopConfig::default();
    dpop.max_age = Duration::from_secs(600);
    let issuer = Issuer::builder(ISSUER, keys, MemoryClientStore::from_iter([client]))
        .replay_guard(roomy_guard())
        .dpop(dpop)
        .build()
        .unwrap();
    let authorization = format!(
        "Basic {}",
        STANDARD.encode(format!("bench-client:{}", secret.expose_secret()))
    );
    let (client_key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let jwk = serde_json::to_value(client_key.public_jwk().unwrap()).unwrap();
    let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    let point = [&[4u8][..], &coordinate("x"), &coordinate("y")].concat();
    Setup {
        issuer,
        authorization,
        raw_signer,
        client_public: signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            point,
        ),
        client_key,
        jwks,
    }
}

/// `header.payload` and the decoded signature of a compact JWS.
fn parts(jws: &str) -> (Vec<u8>, Vec<u8>) {
    let dot = jws.rfind('.').unwrap();
    (
        jws.as_bytes()[..dot].to_vec(),
        URL_SAFE_NO_PAD.decode(&jws[dot + 1..]).unwrap(),
    )
}

/// One proof per call the measurement will make, signed now.
fn proofs(count: usize, sign: impl Fn(usize) -> String) -> Vec<String> {
    (0..count).map(sign).collect()
}

fn issue_ratio(s: &Setup) {
    let iterations = scaled(300);
    let now = UnixTime::now();
    let proofs = proofs(iterations * ROUNDS + 1, |_| {
        DpopProof::new("POST", TOKEN_ENDPOINT, now)
            .sign(&s.client_key)
            .unwrap()
    });
    let next = Cell::new(0);
    let issue = |_| {
        let proof = &proofs[next.get()];
        next.set(next.get() + 1);
        let parts = RequestParts::form_post(BODY)
            .authorization(&s.authorization)
            .dpop(proof);
        let response = ready(s.issuer.handle_token_request(parts));
        assert_eq!(response.status, 200);
        response.body.len()
    };
    let first = issue(0);
    assert!(first > 0);
    let token_input = {
        let fresh = DpopProof::new("POST", TOKEN_ENDPOINT, now)
            .sign(&s.client_key)
            .unwrap();
        let request = RequestParts::form_post(BODY)
            .authorization(&s.authorization)
            .dpop(&fresh);
        let response = ready(s.issuer.handle_token_request(request));
        let v: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(v["token_type"], "DPoP");
        parts(v["access_token"].as_str().unwrap()).0
    };
    let (proof_input, proof_sig) = parts(&proofs[0]);
    let rng = SystemRandom::new();
    let raw = |_| {
        let verified = s.client_public.verify(&proof_input, &proof_sig).is_ok();
        let signature = s.raw_signer.sign(&rng, &token_input).unwrap();
        signature.as_ref().len() + usize::from(verified)
    };
    let paired = interleaved(|| cpu_time(iterations, raw), || cpu_time(iterations, issue));
    let (raw, path) = paired.medians;
    println!(
        "dpop issue ES256 {:.0} raw_verify+sign {:.0} ratio={:.2}",
        ops_per_sec(iterations, path),
        ops_per_sec(iterations, raw),
        paired.ratio,
    );
}

fn validate_ratio(s: &Setup) {
    let iterations = scaled(300);
    let now = UnixTime::now();
    let bound = ready(
        s.issuer.handle_token_request(
            RequestParts::form_post(BODY)
                .authorization(&s.authorization)
                .dpop(
                    &DpopProof::new("POST", TOKEN_ENDPOINT, now)
                        .sign(&s.client_key)
                        .unwrap(),
                ),
        ),
    );
    let v: serde_json::Value = serde_json::from_slice(&bound.body).unwrap();
    let token = v["access_token"].as_str().unwrap().to_owned();
    let validator = Validator::builder(
        ISSUER,
        Audience::new(AUDIENCE).unwrap(),
        VerificationKeys::from_jwks_json(&s.jwks).unwrap(),
    )
    .dpop(DpopConfig::mcp())
    .require_dpop()
    .dpop_endpoint(AUDIENCE)
    .dpop_replay_guard(roomy_guard())
    .build()
    .unwrap();
    let proofs = proofs(iterations * ROUNDS + 1, |_| {
        DpopProof::new("POST", AUDIENCE, now)
            .access_token(&token)
            .body(RPC)
            .sign(&s.client_key)
            .unwrap()
    });
    let authorization = format!("DPoP {token}");
    let next = Cell::new(0);
    let validate = |_| {
        let request = ResourceRequest::new("POST", AUDIENCE)
            .authorization(&authorization)
            .dpop(&proofs[next.get()])
            .body(RPC);
        next.set(next.get() + 1);
        let verified = ready(validator.authorize(&request, now));
        usize::from(verified.is_ok())
    };
    assert_eq!(validate(0), 1);
    let issuer_public = {
        let point = s.raw_signer_public();
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
    };
    let (token_input, token_sig) = parts(&token);
    let (proof_input, proof_sig) = parts(&proofs[0]);
    assert!(issuer_public.verify(&token_input, &token_sig).is_ok());
    let raw = |_| {
        usize::from(issuer_public.verify(&token_input, &token_sig).is_ok())
            + usize::from(s.client_public.verify(&proof_input, &proof_sig).is_ok())
    };
    let paired = interleaved(
        || cpu_time(iterations, raw),
        || cpu_time(iterations, validate),
    );
    let (raw, path) = paired.medians;
    println!(
        "dpop validate ES256 {:.0} raw_verify*2 {:.0} ratio={:.2}",
        ops_per_sec(iterations, path),
        ops_per_sec(iterations, raw),
        paired.ratio,
    );
}

impl Setup {
    fn raw_signer_public(&self) -> Vec<u8> {
        use ring::signature::KeyPair as _;
        self.raw_signer.public_key().as_ref().to_vec()
    }
}

/// Runs the lines `wanted` selects.
pub(crate) fn run(wanted: &dyn Fn(&str) -> bool) {
    let issue = wanted("dpop issue ES256");
    let validate = wanted("dpop validate ES256");
    if !issue && !validate {
        return;
    }
    let s = setup();
    if issue {
        issue_ratio(&s);
    }
    if validate {
        validate_ratio(&s);
    }
}
