//! The workload-identity-federation line of `cargo bench --bench ratios`: a
//! JWT-bearer token request (RFC 7523 §2.1) with a Kubernetes-shaped platform
//! token, its issuer's keys cached in a `RemoteKeys`, against what it cannot
//! avoid: one raw `ring` verification of the platform token and one raw
//! `ring` signature of the access token.
//!
//! ```text
//! wif ES256 <ops/s> raw_verify+sign <ops/s> ratio=0.93
//! wif RS256 <ops/s> raw_verify+sign <ops/s> ratio=0.92
//! ```
//!
//! The algorithm named is the platform token's; the issuer signs with ES256.
//! The rule accepts the token more than once (as a Kubernetes pod presents
//! its projected token), so the same request can be repeated; a one-use rule
//! adds one replay-guard insertion, as a JWT client assertion does.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::issuer::{ClaimRule, JWT_BEARER_GRANT_TYPE, SubjectMatch, TrustedIssuer};
use client_credentials::resource::{HttpGet, HttpGetResponse, RemoteKeys, RemoteKeysConfig};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, ClientId, Issuer, KeySet, RequestParts, ScopeSet, SigningKey, StoreError,
    UnixTime,
};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};

use crate::common::measure::{cpu_time, interleaved, ops_per_sec, scaled};
use crate::common::{AUDIENCE, ISSUER, RawSigner, pem_body, ready};

const PLATFORM: &str = "https://kubernetes.default.svc.cluster.local";
const JWKS_URI: &str = "https://kubernetes.default.svc.cluster.local/openid/v1/jwks";
const KID: &str = "k8s-sa-key-1";

/// The platform's JWK Set, served from memory.
struct Platform {
    jwks: String,
}

impl HttpGet for Platform {
    async fn get(&self, _url: &str) -> Result<HttpGetResponse, StoreError> {
        Ok(HttpGetResponse {
            status: 200,
            cache_control: Some("max-age=3600".into()),
            body: self.jwks.clone().into_bytes(),
        })
    }
}

/// Signs a platform token's signing input.
type Signer = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// The platform's key: its published JWK Set, a signer for its tokens and
/// the raw verifier of the baseline.
struct PlatformKey {
    jwks: String,
    sign: Signer,
    raw: signature::UnparsedPublicKey<Vec<u8>>,
}

fn platform_key(alg: Algorithm) -> PlatformKey {
    let rng = SystemRandom::new();
    let (key, sign, raw): (SigningKey, Signer, _) = match alg {
        Algorithm::ES256 => {
            let (_, pem) = SigningKey::generate(alg).unwrap();
            let key =
                SigningKey::from_pkcs8_pem(alg, pem.expose_secret(), Some(KID.into())).unwrap();
            let pair = EcdsaKeyPair::from_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &pem_body(pem.expose_secret()),
                &rng,
            )
            .unwrap();
            let public = pair.public_key().as_ref().to_vec();
            let sign = Box::new(move |msg: &[u8]| {
                pair.sign(&SystemRandom::new(), msg)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            });
            let raw =
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, public);
            (key, sign as Signer, raw)
        }
        Algorithm::RS256 => {
            let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");
            let pem = std::fs::read_to_string(format!("{vectors}rs256.pkcs8.pem")).unwrap();
            let key = SigningKey::from_pkcs8_pem(alg, &pem, Some(KID.into())).unwrap();
            let pair = RsaKeyPair::from_pkcs8(&pem_body(&pem)).unwrap();
            let public = pair.public().as_ref().to_vec();
            let sign = Box::new(move |msg: &[u8]| {
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    msg,
                    &mut sig,
                )
                .unwrap();
                sig
            });
            let raw =
                signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public);
            (key, sign as Signer, raw)
        }
        other => panic!("no platform key for {other}"),
    };
    PlatformKey {
        jwks: KeySet::new(key).jwks_json(),
        sign,
        raw,
    }
}

/// A projected service-account token of `payments:api`, signed by `key`.
fn platform_token(alg: Algorithm, key: &PlatformKey, now: UnixTime) -> String {
    let now = now.as_secs();
    let header = serde_json::json!({ "alg": alg.as_str(), "kid": KID });
    let claims = serde_json::json!({
        "aud": [format!("{ISSUER}/token")],
        "exp": now + 3000,
        "iat": now,
        "iss": PLATFORM,
        "jti": "5c1e2e8b-7d3f-4f8e-9a1b-2c3d4e5f6a7b",
        "kubernetes.io": {
            "namespace": "payments",
            "node": { "name": "ip-10-0-12-34.ec2.internal", "uid": "5b7d1f8e-2f4a-4c55-9a57-0e6a4f1b9c21" },
            "pod": { "name": "api-7d4b9c6f5-xk2p9", "uid": "e3b1c9a0-7f7e-4d6c-8f57-3c2a9b1d4e55" },
            "serviceaccount": { "name": "api", "uid": "0f4e8a2c-1b3d-4e5f-a6b7-c8d9e0f1a2b3" },
            "warnafter": now + 2400
        },
        "nbf": now,
        "sub": "system:serviceaccount:payments:api"
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = (key.sign)(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn wif_ratio(alg: Algorithm) {
    let platform = platform_key(alg);
    let now = UnixTime::now();
    let remote = RemoteKeys::with_jwks_uri(
        PLATFORM,
        JWKS_URI,
        Platform {
            jwks: platform.jwks.clone(),
        },
        RemoteKeysConfig::default(),
    )
    .unwrap();
    // Keys cached: fetched once before measuring.
    ready(remote.refresh(now)).unwrap();
    let rule = ClaimRule::builder(
        "k8s-payments",
        PLATFORM,
        SubjectMatch::Pattern("system:serviceaccount:payments:*".into()),
        ClientId::new("payments").unwrap(),
    )
    .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
    .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
    .allowed_audience(Audience::new(AUDIENCE).unwrap())
    .allow_token_reuse()
    .build()
    .unwrap();
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");
    let pem = std::fs::read_to_string(format!("{vectors}es256.pkcs8.pem")).unwrap();
    let signing = SigningKey::from_pkcs8_pem(Algorithm::ES256, &pem, None).unwrap();
    let raw_signer = RawSigner::Ecdsa(
        EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &pem_body(&pem),
            &SystemRandom::new(),
        )
        .unwrap(),
    );
    let issuer = Issuer::builder(ISSUER, KeySet::new(signing), MemoryClientStore::default())
        .trusted_issuer(TrustedIssuer::with_remote_keys(remote))
        .claim_rule(rule)
        .build()
        .unwrap();

    let assertion = platform_token(alg, &platform, now);
    let body = format!(
        "grant_type={}&assertion={assertion}&resource={}",
        JWT_BEARER_GRANT_TYPE.replace(':', "%3A"),
        AUDIENCE.replace(':', "%3A").replace('/', "%2F"),
    );
    let exchange = || {
        let response = ready(issuer.handle_token_request(RequestParts::form_post(body.as_bytes())));
        assert_eq!(
            response.status,
            200,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        response.body.len()
    };
    // The baseline's inputs: the platform token's signing input and
    // signature, and the signing input of a token the issuer mints.
    let dot = assertion.rfind('.').unwrap();
    let (platform_input, platform_sig) = (
        &assertion.as_bytes()[..dot],
        URL_SAFE_NO_PAD.decode(&assertion[dot + 1..]).unwrap(),
    );
    assert!(platform.raw.verify(platform_input, &platform_sig).is_ok());
    let minted: serde_json::Value = {
        let response = ready(issuer.handle_token_request(RequestParts::form_post(body.as_bytes())));
        serde_json::from_slice(&response.body).unwrap()
    };
    let token = minted["access_token"].as_str().unwrap();
    let token_input = token.as_bytes()[..token.rfind('.').unwrap()].to_vec();
    let rng = SystemRandom::new();

    let iterations = scaled(400);
    let paired = interleaved(
        || {
            cpu_time(iterations, |_| {
                usize::from(platform.raw.verify(platform_input, &platform_sig).is_ok())
                    + raw_signer.sign(&rng, &token_input)
            })
        },
        || cpu_time(iterations, |_| exchange()),
    );
    let (raw, path) = paired.medians;
    println!(
        "wif {alg} {:.0} raw_verify+sign {:.0} ratio={:.2}",
        ops_per_sec(iterations, path),
        ops_per_sec(iterations, raw),
        paired.ratio
    );
}

pub(crate) fn run(wanted: &dyn Fn(&str) -> bool) {
    for alg in [Algorithm::ES256, Algorithm::RS256] {
        if wanted(&format!("wif {alg}")) {
            wif_ratio(alg);
        }
    }
}
