//! The resource-server half of `cargo bench --bench ratios`: the crate's
//! [`Validator`] end to end against raw `ring` verify on the same token, and the
//! [`MemoryRevocationStore`] with a thousand against a million revoked `jti`s.
//!
//! Lines printed (each one also a filter name, e.g. `-- "validate ES256"`):
//!
//! ```text
//! validate ES256 <ops/s> raw_verify <ops/s> ratio=0.96
//! validate-remote ES256 <ops/s> static <ops/s> ratio=1.00
//! revocation lookup n=1000 <ns> n=1000000 <ns> ratio=3.3 bytes_per_entry=35.7
//! revocation lookup-revoked n=1000 <ns> n=1000000 <ns> ratio=7.0
//! revocation validator ES256 empty <ops/s> n=1000000 <ops/s> ratio=1.00
//! ```
//!
//! The `lookup` ratios are memory latency: with a million entries a lookup
//! executes the same instructions as with a thousand, but the table (36 MB)
//! no longer fits in the caches, so each lookup of a `jti` that is not revoked
//! waits for one more cache line (its control bytes), and each revoked one for
//! about one and a half more (its slot too). The `validator` line shows what a
//! resource server feels: nothing, next to a signature check.
//!
//! Figures are medians over rounds of per-thread CPU time, the two sides of a
//! ratio interleaved in every round (in turns, which goes first). The
//! `validate` and `validator` ratios are the median of the rounds' own ratios,
//! each of two runs measured back to back; the `lookup` ratios are of the
//! medians printed.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::resource::{HttpGet, HttpGetResponse, RemoteKeys, RemoteKeysConfig};
use client_credentials::store::{
    MemoryClientStore, MemoryRevocationStore, RevocationConfig, TokenView,
};
use client_credentials::{
    AccessTokenClaims, Algorithm, Audience, ClientId, Issuer, RequestParts, RevocationStore,
    SigningKey, StoreError, UnixTime, Validator, VerificationKeys,
};

use crate::common::measure::{cpu_time, interleaved, ops_per_sec, scaled};
pub(crate) use crate::common::{AUDIENCE, ISSUER, ready};
use crate::common::{issuer_with_client, pem_body};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};

/// Revoked `jti`s in the store of the `validate` lines, so every validation
/// really looks its `jti` up.
const REVOKED_IN_VALIDATE_STORE: usize = 1_000;
const SMALL_STORE: usize = 1_000;
const LARGE_STORE: usize = 1_000_000;

fn nanos_per_op(iterations: usize, d: Duration) -> f64 {
    d.as_nanos() as f64 / iterations as f64
}

/// An issuer minting tokens with `alg`, and the raw `ring` public key of its
/// signing key, parsed once.
pub(crate) struct Minter {
    issuer: Issuer<MemoryClientStore>,
    authorization: String,
    /// The raw verifier of the same key: `ring` parses it once, here.
    pub(crate) raw: signature::UnparsedPublicKey<Vec<u8>>,
}

impl Minter {
    pub(crate) fn new(alg: Algorithm) -> Self {
        let rng = SystemRandom::new();
        let (key, public, ring_alg): (_, Vec<u8>, &'static dyn signature::VerificationAlgorithm) =
            match alg {
                Algorithm::ES256 => {
                    let (key, pem) = SigningKey::generate(alg).unwrap();
                    let der = pem_body(pem.expose_secret());
                    let pair = EcdsaKeyPair::from_pkcs8(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &der,
                        &rng,
                    )
                    .unwrap();
                    let public = pair.public_key().as_ref().to_vec();
                    (key, public, &signature::ECDSA_P256_SHA256_FIXED)
                }
                Algorithm::EdDSA => {
                    let (key, pem) = SigningKey::generate(alg).unwrap();
                    let pair = Ed25519KeyPair::from_pkcs8(&pem_body(pem.expose_secret())).unwrap();
                    (
                        key,
                        pair.public_key().as_ref().to_vec(),
                        &signature::ED25519,
                    )
                }
                Algorithm::RS256 | Algorithm::PS256 => {
                    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");
                    let pem = std::fs::read_to_string(format!("{vectors}rs256.pkcs8.pem")).unwrap();
                    let key = SigningKey::from_pkcs8_pem(alg, &pem, None).unwrap();
                    let pair = RsaKeyPair::from_pkcs8(&pem_body(&pem)).unwrap();
                    let public = pair.public().as_ref().to_vec();
                    let ring_alg: &'static dyn signature::VerificationAlgorithm =
                        if alg == Algorithm::RS256 {
                            &signature::RSA_PKCS1_2048_8192_SHA256
                        } else {
                            &signature::RSA_PSS_2048_8192_SHA256
                        };
                    (key, public, ring_alg)
                }
                other => panic!("no raw verifier for {other}"),
            };
        let (issuer, authorization) = issuer_with_client(key, None);
        Self {
            issuer,
            authorization,
            raw: signature::UnparsedPublicKey::new(ring_alg, public),
        }
    }

    /// A fresh token, as a client would present it.
    pub(crate) fn token(&self) -> String {
        let parts = RequestParts::form_post(b"grant_type=client_credentials")
            .authorization(&self.authorization);
        let response = ready(self.issuer.handle_token_request(parts));
        assert_eq!(response.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A validator of this issuer's tokens, its keys taken from the published
    /// JWK Set as a resource server in another process would.
    pub(crate) fn validator<R: RevocationStore>(&self, store: R) -> Validator<R> {
        let keys = VerificationKeys::from_jwks_json(self.issuer.jwks_json()).unwrap();
        Validator::builder(ISSUER, Audience::new(AUDIENCE).unwrap(), keys)
            .revocation_store(store)
            .build()
            .unwrap()
    }
}

/// A token split for raw verification: signing input and decoded signature.
pub(crate) fn signing_parts(token: &str) -> (&[u8], Vec<u8>) {
    let dot = token.rfind('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(&token[dot + 1..]).unwrap();
    (&token.as_bytes()[..dot], signature)
}

/// `n` random `jti`s shaped like the issuer's (128 bits, 22 base64url
/// characters), in one buffer.
pub(crate) struct Jtis {
    text: String,
}

pub(crate) const JTI_LEN: usize = 22;

impl Jtis {
    pub(crate) fn random(n: usize) -> Self {
        let rng = SystemRandom::new();
        let mut bytes = vec![0u8; 16 * n];
        rng.fill(&mut bytes).unwrap();
        let mut text = String::with_capacity(JTI_LEN * n);
        for chunk in bytes.chunks(16) {
            URL_SAFE_NO_PAD.encode_string(chunk, &mut text);
        }
        Self { text }
    }

    pub(crate) fn len(&self) -> usize {
        self.text.len() / JTI_LEN
    }

    pub(crate) fn get(&self, i: usize) -> &str {
        &self.text[i * JTI_LEN..(i + 1) * JTI_LEN]
    }
}

/// The instant the stores are filled at; every entry stays unexpired past it.
pub(crate) fn bench_now() -> UnixTime {
    UnixTime::now()
}

/// A store holding `n` revoked `jti`s (`n` at most the store's default bound).
pub(crate) fn store_with(jtis: &Jtis, now: UnixTime) -> MemoryRevocationStore {
    let store = MemoryRevocationStore::new(RevocationConfig::default());
    let expires = now.saturating_add(Duration::from_secs(3_600));
    for i in 0..jtis.len() {
        // Spread over clients, so no client's share binds.
        let owner = ClientId::new(format!("c{}", i % 1_000)).unwrap();
        ready(store.revoke_token(&owner, jtis.get(i), expires, now)).unwrap();
    }
    assert_eq!(store.revoked_tokens(), jtis.len());
    store
}

/// The claims of a token as a validator sees them, to look up with other `jti`s.
pub(crate) fn sample_claims(now: UnixTime) -> AccessTokenClaims {
    serde_json::from_value(serde_json::json!({
        "iss": ISSUER, "sub": "bench-client", "aud": AUDIENCE, "client_id": "bench-client",
        "iat": now.as_secs(), "exp": now.as_secs() + 300, "jti": "",
        "scope": "mcp:read", "credential_id": "s1"
    }))
    .unwrap()
}

/// Whether the token of `claims` with this `jti` reads as revoked: the
/// validator's question, its view borrowed from the claims.
pub(crate) fn is_revoked(
    store: &MemoryRevocationStore,
    claims: &mut AccessTokenClaims,
    jti: &str,
) -> bool {
    claims.jti.clear();
    claims.jti.push_str(jti);
    ready(store.is_revoked(&TokenView::of(claims))).unwrap()
}

fn validate_ratio(alg: Algorithm) {
    let minter = Minter::new(alg);
    let token = minter.token();
    let now = bench_now();
    let revoked = Jtis::random(REVOKED_IN_VALIDATE_STORE);
    let validator = minter.validator(Arc::new(store_with(&revoked, now)));
    let verified = ready(validator.validate(&token, now)).unwrap();
    assert_eq!(verified.client_id(), "bench-client");
    let (input, sig) = signing_parts(&token);
    assert!(minter.raw.verify(input, &sig).is_ok());

    let iterations = scaled(match alg {
        Algorithm::RS256 | Algorithm::PS256 => 1_500,
        _ => 500,
    });
    let paired = interleaved(
        || {
            cpu_time(iterations, |_| {
                usize::from(minter.raw.verify(input, &sig).is_ok())
            })
        },
        || {
            cpu_time(iterations, |_| {
                usize::from(ready(validator.validate(&token, now)).is_ok())
            })
        },
    );
    let (raw, validate) = paired.medians;
    let raw = ops_per_sec(iterations, raw);
    let validate = ops_per_sec(iterations, validate);
    println!(
        "validate {alg} {validate:.0} raw_verify {raw:.0} ratio={:.2}",
        paired.ratio
    );
}

/// Serves the issuer's metadata and JWK Set from memory, for a [`RemoteKeys`].
struct Published {
    jwks: String,
}

impl HttpGet for Published {
    async fn get(&self, url: &str) -> Result<HttpGetResponse, StoreError> {
        let body = if url.ends_with("/.well-known/oauth-authorization-server") {
            serde_json::json!({"issuer": ISSUER, "jwks_uri": format!("{ISSUER}/jwks.json")})
                .to_string()
        } else {
            self.jwks.clone()
        };
        Ok(HttpGetResponse {
            status: 200,
            cache_control: Some("max-age=3600".into()),
            body: body.into_bytes(),
        })
    }
}

/// A validator whose keys come from a [`RemoteKeys`] (fetched once, then
/// fresh) against one built with the same keys, on the same token.
fn validate_remote_ratio(alg: Algorithm) {
    let minter = Minter::new(alg);
    let token = minter.token();
    let now = bench_now();
    let revoked = Jtis::random(REVOKED_IN_VALIDATE_STORE);
    let store = Arc::new(store_with(&revoked, now));
    let fixed = minter.validator(Arc::clone(&store));
    let published = Published {
        jwks: minter.issuer.jwks_json().to_owned(),
    };
    let remote = RemoteKeys::new(ISSUER, published, RemoteKeysConfig::default()).unwrap();
    ready(remote.refresh(now)).unwrap();
    let followed = Validator::builder_remote(Audience::new(AUDIENCE).unwrap(), remote)
        .revocation_store(store)
        .build()
        .unwrap();
    assert!(ready(followed.validate(&token, now)).is_ok());

    let iterations = scaled(500);
    let paired = interleaved(
        || {
            cpu_time(iterations, |_| {
                usize::from(ready(fixed.validate(&token, now)).is_ok())
            })
        },
        || {
            cpu_time(iterations, |_| {
                usize::from(ready(followed.validate(&token, now)).is_ok())
            })
        },
    );
    let (fixed, followed) = paired.medians;
    let fixed = ops_per_sec(iterations, fixed);
    let followed = ops_per_sec(iterations, followed);
    println!(
        "validate-remote {alg} {followed:.0} static {fixed:.0} ratio={:.2}",
        paired.ratio
    );
}

/// Resident memory of this process, from `/proc/self/statm` (Linux).
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The memory a store of these revoked `jti`s holds, measured as the resident
/// memory its dropping returns to the system: its table is one allocation too
/// large for the allocator to keep (Linux only).
pub(crate) fn table_bytes(revoked: &Jtis, now: UnixTime) -> Option<usize> {
    let store = store_with(revoked, now);
    let with = resident_bytes()?;
    drop(store);
    let without = resident_bytes()?;
    Some(with.saturating_sub(without))
}

/// Lookup cost per call, `small` against `large`, over `queries` in order.
fn lookup_pair(
    small: &MemoryRevocationStore,
    small_queries: &Jtis,
    large: &MemoryRevocationStore,
    large_queries: &Jtis,
    now: UnixTime,
    expect: bool,
) -> (f64, f64) {
    let iterations = scaled(100_000);
    let claims = std::cell::RefCell::new(sample_claims(now));
    let lookup = |store: &MemoryRevocationStore, queries: &Jtis| {
        let n = queries.len();
        let mut claims = claims.borrow_mut();
        cpu_time(iterations, |i| {
            let revoked = is_revoked(store, &mut claims, queries.get(i % n));
            debug_assert_eq!(revoked, expect);
            usize::from(revoked)
        })
    };
    let paired = interleaved(
        || lookup(small, small_queries),
        || lookup(large, large_queries),
    );
    let (a, b) = paired.medians;
    (nanos_per_op(iterations, a), nanos_per_op(iterations, b))
}

/// The revoked `jti`s of `store`, in another order than they were revoked.
fn revoked_queries(revoked: &Jtis, count: usize) -> Jtis {
    // A stride coprime with the (even) count visits every one in a scattered order.
    let n = revoked.len();
    let mut text = String::with_capacity(JTI_LEN * count);
    for i in 0..count {
        text.push_str(revoked.get((i * 7_919 + 13) % n));
    }
    Jtis { text }
}

fn revocation_ratios(wanted: &dyn Fn(&str) -> bool) {
    let now = bench_now();
    let small_revoked = Jtis::random(SMALL_STORE);
    let small = store_with(&small_revoked, now);
    let large_revoked = Jtis::random(LARGE_STORE);
    let bytes_per_entry = match table_bytes(&large_revoked, now) {
        Some(bytes) => format!("{:.1}", bytes as f64 / LARGE_STORE as f64),
        None => "unknown".to_owned(),
    };
    let large = store_with(&large_revoked, now);

    if wanted("revocation lookup") {
        // Not revoked: what every valid request asks. Fresh jtis each call.
        let fresh = Jtis::random(scaled(200_000));
        let (s, l) = lookup_pair(&small, &fresh, &large, &fresh, now, false);
        println!(
            "revocation lookup n={SMALL_STORE} {s:.1} n={LARGE_STORE} {l:.1} ratio={:.2} bytes_per_entry={bytes_per_entry}",
            l / s
        );
    }
    if wanted("revocation lookup-revoked") {
        let count = scaled(200_000);
        let s_queries = revoked_queries(&small_revoked, count);
        let l_queries = revoked_queries(&large_revoked, count);
        let (s, l) = lookup_pair(&small, &s_queries, &large, &l_queries, now, true);
        println!(
            "revocation lookup-revoked n={SMALL_STORE} {s:.1} n={LARGE_STORE} {l:.1} ratio={:.2}",
            l / s
        );
    }
    if wanted("revocation validator ES256") {
        let minter = Minter::new(Algorithm::ES256);
        let tokens: Vec<String> = (0..scaled(1_000).max(8)).map(|_| minter.token()).collect();
        let large = Arc::new(large);
        let empty = minter.validator(Arc::new(MemoryRevocationStore::default()));
        let full = minter.validator(Arc::clone(&large));
        let iterations = scaled(500);
        let run = |v: &Validator<Arc<MemoryRevocationStore>>| {
            cpu_time(iterations, |i| {
                let token = &tokens[i % tokens.len()];
                usize::from(ready(v.validate(token, now)).is_ok())
            })
        };
        assert!(tokens.iter().all(|t| ready(full.validate(t, now)).is_ok()));
        let paired = interleaved(|| run(&empty), || run(&full));
        let a = ops_per_sec(iterations, paired.medians.0);
        let b = ops_per_sec(iterations, paired.medians.1);
        println!(
            "revocation validator ES256 empty {a:.0} n={LARGE_STORE} {b:.0} ratio={:.2}",
            paired.ratio
        );
    }
}

/// Runs the lines `wanted` selects.
pub(crate) fn run(wanted: &dyn Fn(&str) -> bool) {
    for alg in [
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::PS256,
    ] {
        if wanted(&format!("validate {alg}")) {
            validate_ratio(alg);
        }
    }
    if wanted("validate-remote ES256") {
        validate_remote_ratio(Algorithm::ES256);
    }
    if [
        "revocation lookup",
        "revocation lookup-revoked",
        "revocation validator ES256",
    ]
    .iter()
    .any(|name| wanted(name))
    {
        revocation_ratios(wanted);
    }
}
