//! The bodies of the fuzz targets: not part of the crate's API, hidden from its
//! docs, and free to change in any release. They live here so that the cargo-fuzz
//! targets in `fuzz/` and the seed-corpus replay in `tests/fuzz_corpus.rs` (on
//! stable Rust, in every test run) call the very same code.
//!
//! Each body panics when an invariant breaks; it returns what happened to the
//! input so the seed test can check the corpus reaches both outcomes.

use crate::issuer::DEFAULT_MAX_BODY_BYTES;
use crate::{ClientAuth, RequestParts, ScopeSet, TokenError, TokenRequest};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

mod access_token;
mod client_assertion;
#[cfg(feature = "tower")]
mod credentials;
mod dpop_resource;
mod dpop_token_endpoint;
mod extra_claims;
mod jwk_set;
mod platform_token;

pub use self::access_token::{access_token, valid_token};
pub use self::client_assertion::{client_assertion, valid_assertion};
#[cfg(feature = "tower")]
pub use self::credentials::credentials_reader;
pub use self::dpop_resource::{dpop_resource, valid_resource_proof};
pub use self::dpop_token_endpoint::{dpop_token_endpoint, valid_token_endpoint_proof};
pub use self::extra_claims::extra_claims;
pub use self::jwk_set::jwk_set;
pub use self::platform_token::{platform_token, valid_platform_token};

/// How `TokenRequest::parse` took an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed into a request.
    Accepted,
    /// Refused with a well-formed 4xx error.
    Refused,
}

/// `TokenRequest::parse` on arbitrary parts.
///
/// Input layout: one flags byte, then `content-type NUL authorization NUL query
/// NUL body` (missing fields are empty). Flags: bits 0–1 pick the method (`POST`,
/// `GET`, `post`, `PUT`); bit 2 sends the content type, bit 3 the authorization,
/// bit 4 the query. Header fields are read as UTF-8, lossily.
///
/// # Panics
/// When a refusal is not a 4xx with an NQSCHAR description, or an accepted
/// request breaks the grammar it was checked against.
pub fn token_request(data: &[u8]) -> Outcome {
    let (flags, rest) = data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
    let mut fields = rest.splitn(4, |&b| b == 0);
    let content_type = String::from_utf8_lossy(fields.next().unwrap_or_default());
    let authorization = String::from_utf8_lossy(fields.next().unwrap_or_default());
    let query = String::from_utf8_lossy(fields.next().unwrap_or_default());
    let body = fields.next().unwrap_or_default();

    let method = ["POST", "GET", "post", "PUT"][usize::from(flags & 0b11)];
    let mut parts = RequestParts::new(method, body);
    if flags & 0b100 != 0 {
        parts = parts.content_type(&content_type);
    }
    if flags & 0b1000 != 0 {
        parts = parts.authorization(&authorization);
    }
    if flags & 0b1_0000 != 0 {
        parts = parts.query(&query);
    }
    check(&parts)
}

/// `Authorization: Basic` decoding, reached through `TokenRequest::parse`.
///
/// Input layout: one flags byte, then the credentials. With bit 0 set the rest is
/// base64-encoded under `Basic `, so the fuzzer works on the decoded
/// `id:secret` directly; otherwise the rest is the whole header value (UTF-8,
/// lossily).
///
/// # Panics
/// When a refusal is not a well-formed 4xx, or decoded credentials do not
/// survive form-urlencoding and decoding again (RFC 6749 §2.3.1).
pub fn basic_header(data: &[u8]) -> Outcome {
    let (flags, rest) = data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
    let header = if flags & 1 != 0 {
        format!("Basic {}", STANDARD.encode(rest))
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let outcome = check(&with_authorization(&header));
    if outcome == Outcome::Accepted {
        let (id, secret) = basic_credentials(&header).expect("accepted, so decoded");
        let again = format!(
            "Basic {}",
            STANDARD.encode(format!(
                "{}:{}",
                form_urlencode(&id),
                form_urlencode(&secret)
            ))
        );
        assert_eq!(
            basic_credentials(&again),
            Some((id, secret)),
            "credentials do not round-trip"
        );
    }
    outcome
}

fn with_authorization(header: &str) -> RequestParts<'_> {
    RequestParts::form_post(b"grant_type=client_credentials").authorization(header)
}

/// The id and secret `header` decodes to, if it is accepted Basic.
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let request = TokenRequest::parse(&with_authorization(header), DEFAULT_MAX_BODY_BYTES).ok()?;
    match request.auth() {
        ClientAuth::SecretBasic { client_id, secret } => {
            Some((client_id.clone(), secret.expose_secret().to_owned()))
        }
        other => panic!("an Authorization header parsed as {other:?}"),
    }
}

/// Parses `parts` and checks the invariants of either outcome.
fn check(parts: &RequestParts<'_>) -> Outcome {
    match TokenRequest::parse(parts, DEFAULT_MAX_BODY_BYTES) {
        Ok(request) => {
            assert_eq!(parts.method(), "POST");
            if let Some(scope) = request.scope() {
                assert!(!scope.is_empty());
                assert_eq!(ScopeSet::parse(&scope.to_string()).as_ref(), Some(scope));
            }
            if parts.has_authorization() {
                assert!(matches!(request.auth(), ClientAuth::SecretBasic { .. }));
            }
            let _ = format!("{request:?}");
            Outcome::Accepted
        }
        Err(reason) => {
            let response = TokenError::new(reason).to_http();
            assert!(
                (400..500).contains(&response.status),
                "{reason:?} answered {}",
                response.status
            );
            assert!(
                reason.error_description().bytes().all(is_nqschar),
                "{reason:?}: description outside NQSCHAR"
            );
            Outcome::Refused
        }
    }
}

/// The `application/x-www-form-urlencoded` byte serializer.
fn form_urlencode(s: impl AsRef<[u8]>) -> String {
    let s = s.as_ref();
    let mut out = String::with_capacity(s.len());
    for &b in s {
        match b {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Splits off the flags byte (0 for an empty input).
fn split_flags(data: &[u8]) -> (u8, &[u8]) {
    data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r))
}

/// Whether `b` is an NQSCHAR (RFC 6749 Appendix A), the bytes an
/// `error_description` may hold.
fn is_nqschar(b: u8) -> bool {
    matches!(b, 0x20 | 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

/// Runs a future of the crate's in-memory stores, which never waits on
/// anything outside it, to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}

/// `base64url(header).base64url(claims).base64url(HS256 signature)`: the JSON
/// texts are signed exactly as given.
fn hs256_compact(secret: &[u8], header: &[u8], claims: &[u8]) -> String {
    let mut compact = URL_SAFE_NO_PAD.encode(header);
    compact.push('.');
    compact.push_str(&URL_SAFE_NO_PAD.encode(claims));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let signature = ring::hmac::sign(&key, compact.as_bytes());
    compact.push('.');
    compact.push_str(&URL_SAFE_NO_PAD.encode(signature.as_ref()));
    compact
}

/// Applies `edits` to `valid`, four bytes per edit: the kind (low two bits:
/// replace, insert, delete, truncate), a big-endian position (modulo the
/// length) and a byte. A leftover of fewer than four bytes is ignored.
fn mutate(valid: &str, edits: &[u8]) -> String {
    let mut bytes = valid.as_bytes().to_vec();
    for edit in edits.chunks_exact(4) {
        let at = usize::from(u16::from_be_bytes([edit[1], edit[2]]));
        let value = edit[3];
        match (edit[0] & 0b11, bytes.len()) {
            (1, len) => bytes.insert(at % (len + 1), value),
            (_, 0) => {}
            (0, len) => bytes[at % len] = value,
            (2, len) => {
                bytes.remove(at % len);
            }
            (_, len) => bytes.truncate(at % len),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An Ed25519 key pair made from a fixed seed: a public test key, never a
/// secret. Its signatures are deterministic, so a seed file holding a signed
/// input stays valid.
struct FixedEd25519 {
    seed: [u8; 32],
    pair: ring::signature::Ed25519KeyPair,
}

impl FixedEd25519 {
    fn new(seed: [u8; 32]) -> Self {
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
            .expect("any 32 bytes are an Ed25519 seed");
        Self { seed, pair }
    }

    /// The public key, base64url: the JWK's `x`.
    fn x(&self) -> String {
        use ring::signature::KeyPair as _;
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }

    /// The public JWK, `{"kty":"OKP","crv":"Ed25519","x":…}`.
    fn jwk(&self) -> String {
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, self.x())
    }

    /// The RFC 7638 SHA-256 thumbprint, computed here from its definition.
    fn thumbprint(&self) -> String {
        let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, self.x());
        URL_SAFE_NO_PAD.encode(ring::digest::digest(
            &ring::digest::SHA256,
            canonical.as_bytes(),
        ))
    }

    /// The same key as a crate [`SigningKey`](crate::SigningKey) (PKCS#8 v1).
    fn signing_key(&self, kid: &str) -> crate::SigningKey {
        let mut der = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        der.extend_from_slice(&self.seed);
        crate::SigningKey::from_pkcs8_der(crate::Algorithm::EdDSA, &der, Some(kid.to_owned()))
            .expect("a valid Ed25519 key")
    }

    /// `base64url(header).base64url(claims).base64url(EdDSA signature)`: the
    /// JSON texts are signed exactly as given.
    fn compact(&self, header: &[u8], claims: &[u8]) -> String {
        let mut compact = URL_SAFE_NO_PAD.encode(header);
        compact.push('.');
        compact.push_str(&URL_SAFE_NO_PAD.encode(claims));
        let signature = self.pair.sign(compact.as_bytes());
        compact.push('.');
        compact.push_str(&URL_SAFE_NO_PAD.encode(signature.as_ref()));
        compact
    }
}

/// The claims of a compact JWS, as JSON (`Null` when they are not).
fn jws_claims(compact: &str) -> serde_json::Value {
    compact
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}
