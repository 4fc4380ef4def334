//! What the DPoP tests share: a client key that signs any proof header and
//! claims as given, so that every malformed proof can be written, and an
//! issuer with DPoP enabled.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::jose::{DpopConfig, DpopNonces};
use client_credentials::store::{MemoryClientStore, MemoryReplayGuard};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, FixedClock, HttpResponse,
    Issuer, KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
};
use ring::digest;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://as.example.com";
pub const TOKEN_ENDPOINT: &str = "https://as.example.com/token";
pub const RESOURCE: &str = "https://mcp.example.com/mcp";
pub const NOW: u64 = 1_700_000_000;
pub const SECRET: &str = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";
pub const NONCE_SECRET: &[u8] = b"dpop-nonce-secret-of-32-bytes-or-more!";

/// A client's DPoP key pair, signing with ES256.
pub struct ProofKey {
    pair: EcdsaKeyPair,
    pub jwk: Value,
}

impl ProofKey {
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        Self { pair, jwk }
    }

    /// The RFC 7638 thumbprint, computed here independently of the crate.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.jwk["x"].as_str().unwrap(),
            self.jwk["y"].as_str().unwrap()
        );
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
    }

    /// The header a well-formed proof of this key has.
    pub fn header(&self) -> Value {
        json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk})
    }

    /// Signs `header` and `claims` exactly as given.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let mut jwt = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap());
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap()));
        let signature = self
            .pair
            .sign(&SystemRandom::new(), jwt.as_bytes())
            .unwrap();
        jwt.push('.');
        jwt.push_str(&URL_SAFE_NO_PAD.encode(signature.as_ref()));
        jwt
    }

    /// A well-formed proof with these claims.
    pub fn proof(&self, claims: &Value) -> String {
        self.sign(&self.header(), claims)
    }
}

/// The claims of a well-formed token-endpoint proof at [`NOW`].
pub fn token_claims(jti: &str) -> Value {
    json!({"jti": jti, "htm": "POST", "htu": TOKEN_ENDPOINT, "iat": NOW})
}

/// `claims` with `name` set to `value`, or removed for `Value::Null`.
pub fn with(mut claims: Value, name: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(name);
    } else {
        claims[name] = value;
    }
    claims
}

/// `ath` of a token.
pub fn ath(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

fn client(id: &str) -> client_credentials::store::ClientBuilder {
    Client::builder(ClientId::new(id).unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&ClientSecret::new(SECRET)).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
}

pub type TestIssuer = Issuer<
    MemoryClientStore,
    client_credentials::store::MemoryRevocationStore,
    Arc<MemoryReplayGuard>,
>;

/// An issuer with DPoP enabled (nonces when `nonces`), clients `c1` (DPoP
/// optional, and allowed to introspect) and `dpop-only` (`dpop_bound_access_tokens`), at [`NOW`]; and
/// its keys again, for a resource server.
pub fn issuer(nonces: bool) -> (TestIssuer, KeySet) {
    let mut dpop = DpopConfig::default();
    if nonces {
        dpop.nonces = Some(DpopNonces::new(NONCE_SECRET, Duration::from_secs(300)).unwrap());
    }
    issuer_with(dpop)
}

/// [`issuer`] with these DPoP settings.
pub fn issuer_with(dpop: DpopConfig) -> (TestIssuer, KeySet) {
    let store = MemoryClientStore::from_iter([
        client("c1").introspection(true).build().unwrap(),
        client("dpop-only")
            .dpop_bound_access_tokens(true)
            .build()
            .unwrap(),
    ]);
    let (key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let copy = SigningKey::from_pkcs8_pem(Algorithm::ES256, pem.expose_secret(), None).unwrap();
    let issuer = Issuer::builder(ISSUER, KeySet::new(key), store)
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
        .replay_guard(Arc::new(MemoryReplayGuard::new()))
        .dpop(dpop)
        .build()
        .unwrap();
    (issuer, KeySet::new(copy))
}

/// A client-credentials request of `client` with Basic authentication and,
/// when given, one `DPoP` header.
pub async fn token_request(issuer: &TestIssuer, client: &str, proof: Option<&str>) -> HttpResponse {
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{client}:{SECRET}"))
    );
    let mut parts = RequestParts::form_post(b"grant_type=client_credentials").authorization(&basic);
    if let Some(proof) = proof {
        parts = parts.dpop(proof);
    }
    issuer.handle_token_request(parts).await
}

pub fn body(response: &HttpResponse) -> Value {
    serde_json::from_slice(&response.body).unwrap()
}

/// The claims of a JWT, unverified.
pub fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}
