//! Fixtures shared by the benches: one issuer per algorithm with one
//! `client_secret_basic` client, raw `ring` signers for the same keys, and the
//! criterion settings. Each bench uses its own part of it.
#![allow(dead_code)]

pub mod measure;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, AuditSink, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
    RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey,
};
use criterion::Criterion;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

/// The algorithms benchmarked, in the order they are reported.
pub const ALGORITHMS: [Algorithm; 5] = [
    Algorithm::ES256,
    Algorithm::EdDSA,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::HS256,
];

/// The issuer of every bench, and the default audience of its tokens.
pub const ISSUER: &str = "https://as.example.com";
pub const AUDIENCE: &str = "https://mcp.example.com/mcp";

/// Short criterion runs: the benches are many, and the ratios bench is the
/// one that compares.
pub fn quick_criterion() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// The body of the benchmarked token request.
pub const BODY: &[u8] = b"grant_type=client_credentials&scope=mcp%3Aread";

/// Polls a future that never waits (the in-memory stores answer at once).
pub fn ready<F: Future>(f: F) -> F::Output {
    match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("in-memory stores never wait"),
    }
}

/// The raw `ring` signer for a key, parsed once.
pub enum RawSigner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair, &'static dyn signature::RsaEncoding),
    Hmac(ring::hmac::Key),
}

impl RawSigner {
    /// Signs `msg`; returns the signature length.
    pub fn sign(&self, rng: &SystemRandom, msg: &[u8]) -> usize {
        match self {
            Self::Ecdsa(k) => k.sign(rng, msg).unwrap().as_ref().len(),
            Self::Ed25519(k) => k.sign(msg).as_ref().len(),
            Self::Rsa(k, enc) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(*enc, rng, msg, &mut sig).unwrap();
                sig.len()
            }
            Self::Hmac(k) => ring::hmac::sign(k, msg).as_ref().len(),
        }
    }
}

/// An issuer for one algorithm, a request that it grants, and the raw signer.
pub struct Fixture {
    pub issuer: Issuer<MemoryClientStore>,
    pub authorization: String,
    pub raw: RawSigner,
}

impl Fixture {
    pub fn new(alg: Algorithm) -> Self {
        Self::with_audit(alg, None)
    }

    /// The same, its audit events going to `audit` instead of nowhere.
    pub fn with_audit(alg: Algorithm, audit: Option<Arc<dyn AuditSink>>) -> Self {
        let rng = SystemRandom::new();
        let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");
        let (key, raw) = match alg {
            Algorithm::ES256 => {
                let pem = std::fs::read_to_string(format!("{vectors}es256.pkcs8.pem")).unwrap();
                let der = pem_body(&pem);
                let alg_id = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
                let raw = EcdsaKeyPair::from_pkcs8(alg_id, &der, &rng).unwrap();
                let key = SigningKey::from_pkcs8_pem(alg, &pem, None).unwrap();
                (key, RawSigner::Ecdsa(raw))
            }
            Algorithm::EdDSA => {
                let pem = std::fs::read_to_string(format!("{vectors}eddsa.pkcs8.pem")).unwrap();
                let raw = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pem_body(&pem)).unwrap();
                let key = SigningKey::from_pkcs8_pem(alg, &pem, None).unwrap();
                (key, RawSigner::Ed25519(raw))
            }
            Algorithm::RS256 | Algorithm::PS256 => {
                let pem = std::fs::read_to_string(format!("{vectors}rs256.pkcs8.pem")).unwrap();
                let enc: &'static dyn signature::RsaEncoding = if alg == Algorithm::RS256 {
                    &signature::RSA_PKCS1_SHA256
                } else {
                    &signature::RSA_PSS_SHA256
                };
                let raw = RsaKeyPair::from_pkcs8(&pem_body(&pem)).unwrap();
                let key = SigningKey::from_pkcs8_pem(alg, &pem, None).unwrap();
                (key, RawSigner::Rsa(raw, enc))
            }
            _ => {
                let secret = [7u8; 32];
                let key = SigningKey::hs256(&secret, None).unwrap();
                let raw = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret);
                (key, RawSigner::Hmac(raw))
            }
        };
        let (issuer, authorization) = issuer_with_client(key, audit);
        Self {
            issuer,
            authorization,
            raw,
        }
    }

    /// One token request, end to end; returns the response body length.
    pub fn issue_once(&self) -> usize {
        let parts = RequestParts::form_post(BODY).authorization(&self.authorization);
        let response = ready(self.issuer.handle_token_request(parts));
        assert_eq!(response.status, 200);
        response.body.len()
    }

    /// `header.payload` of a token this issuer mints: what the raw signer signs.
    pub fn signing_input(&self) -> Vec<u8> {
        let parts = RequestParts::form_post(BODY).authorization(&self.authorization);
        let body = ready(self.issuer.handle_token_request(parts)).body;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let token = v["access_token"].as_str().unwrap();
        token.as_bytes()[..token.rfind('.').unwrap()].to_vec()
    }
}

/// An issuer at [`ISSUER`] signing with `key`, holding `bench-client` (one fast
/// secret hash, scopes `mcp:read mcp:write`, default `mcp:read` for
/// [`AUDIENCE`]), and the `Authorization` header that client sends.
pub fn issuer_with_client(
    key: SigningKey,
    audit: Option<Arc<dyn AuditSink>>,
) -> (Issuer<MemoryClientStore>, String) {
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
    let mut builder = Issuer::builder(
        ISSUER,
        KeySet::new(key),
        MemoryClientStore::from_iter([client]),
    );
    if let Some(audit) = audit {
        builder = builder.audit(audit);
    }
    let authorization = format!(
        "Basic {}",
        STANDARD.encode(format!("bench-client:{}", secret.expose_secret()))
    );
    (builder.build().unwrap(), authorization)
}

/// The DER inside a PEM document.
pub fn pem_body(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}
