//! Shared fixtures for the black-box tests: the registrations the rule tests
//! assume (issuer `https://as.example.com`, client `c1`/`s3cr3t`, resource
//! `https://mcp.example.com/mcp`, client `svc:a b`/`p@ss/w+rd%`), a fixed clock, a
//! counting `jti` source, and checks every response must pass.
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use client_credentials::audit::MemoryAuditSink;
use client_credentials::issuer::{IssuerBuilder, JtiSource, Policy, ScopePolicy};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, AuthMethod, Client, ClientId, ClientSecret, CredentialId, FixedClock,
    HttpResponse, Issuer, KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey,
    UnixTime,
};
use serde_json::Value;

pub const ISSUER: &str = "https://as.example.com";
pub const RESOURCE: &str = "https://mcp.example.com/mcp";
pub const RESOURCE2: &str = "https://mcp2.example.com/mcp";
/// A resource registered with a query component (C67).
pub const RESOURCE_TENANT_A: &str = "https://mcp.example.com/mcp?tenant=a";
/// `iat` of every token minted by a fresh fixture.
pub const NOW: u64 = 1_700_000_000;
/// The policy's default token lifetime.
pub const DEFAULT_LIFETIME: u64 = 600;

pub const C1: &str = "c1";
pub const C1_SECRET: &str = "s3cr3t";
/// Form body of a `client_secret_post` request by `c1` (C10).
pub const C1_POST: &str = "grant_type=client_credentials&client_id=c1&client_secret=s3cr3t";
pub const GRANT: &str = "grant_type=client_credentials";

/// C9: an id and a secret that change under form-urlencoding.
pub const SVC: &str = "svc:a b";
pub const SVC_SECRET: &str = "p@ss/w+rd%";

/// C72, C130: the client of the MCP client-credentials extension's example.
pub const EXT: &str = "s6BhdRkqt3";
pub const EXT_SECRET: &str = "7Fjfp0ZBr1KtDRbnfVdmIw";
pub const EXT_RESOURCE: &str = "https://mcp.example.com";

/// A client with `mcp:read mcp:write` allowed and no default scope (C19).
pub const NO_DEFAULT_SCOPE: &str = "c-no-default-scope";
/// A client with no default audience (C58).
pub const NO_AUDIENCE: &str = "c-no-audience";
/// A client allowed two resources and a resource with a query (C60, C67, C70).
pub const MULTI: &str = "c-multi";
/// A client registered for `client_secret_basic` only (C14).
pub const BASIC_ONLY: &str = "c-basic-only";
/// A client registered for `client_secret_post` only (C14).
pub const POST_ONLY: &str = "c-post-only";
/// A public client: no secret, method `none` (C13).
pub const PUBLIC: &str = "pub1";
/// A client registered without the client-credentials grant (C18).
pub const NO_GRANT: &str = "c2";
/// A disabled client (C18).
pub const DISABLED: &str = "c-disabled";
/// A client with a generated secret, stored with the fast hash.
pub const FAST: &str = "c-fast";
/// The secret every other secret client shares (each under its own id).
pub const OTHER_SECRET: &str = "other-s3cr3t";

/// PBKDF2 iterations for the short test secrets: small, so tests stay quick.
const TEST_ITERATIONS: NonZeroU32 = NonZeroU32::new(10).unwrap();

/// An issuer over the fixture clients, with its clock and audit trail.
pub struct Fixture {
    pub issuer: Issuer<MemoryClientStore>,
    pub clock: Arc<FixedClock>,
    pub audit: Arc<MemoryAuditSink>,
    /// The generated secret of [`FAST`].
    pub fast_secret: ClientSecret,
}

impl Fixture {
    /// The default configuration: ES256 key from `tests/vectors`, default policy,
    /// default throttle, clock at [`NOW`], counting `jti`s.
    pub fn new() -> Self {
        Self::with(|b| b)
    }

    /// The default configuration, changed by `configure`.
    pub fn with(
        configure: impl FnOnce(IssuerBuilder<MemoryClientStore>) -> IssuerBuilder<MemoryClientStore>,
    ) -> Self {
        Self::with_keys(es256_keys(), configure)
    }

    /// Like [`Fixture::with`], with these signing keys.
    pub fn with_keys(
        keys: KeySet,
        configure: impl FnOnce(IssuerBuilder<MemoryClientStore>) -> IssuerBuilder<MemoryClientStore>,
    ) -> Self {
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(NOW)));
        let audit = Arc::new(MemoryAuditSink::new());
        let fast_secret = ClientSecret::generate();
        let store = fixture_store(&fast_secret);
        let builder = Issuer::builder(ISSUER, keys, store)
            .clock(clock.clone())
            .audit(audit.clone())
            .jti_source(Arc::new(CountingJti::default()));
        let issuer = configure(builder)
            .build()
            .expect("the fixture issuer builds");
        Self {
            issuer,
            clock,
            audit,
            fast_secret,
        }
    }

    /// Sends a request.
    pub async fn send(&self, parts: RequestParts<'_>) -> HttpResponse {
        self.issuer.handle_token_request(parts).await
    }

    /// POSTs a form body with no `Authorization` header.
    pub async fn post(&self, body: &str) -> HttpResponse {
        self.send(RequestParts::form_post(body.as_bytes())).await
    }

    /// POSTs a form body with this `Authorization` header.
    pub async fn post_auth(&self, authorization: &str, body: &str) -> HttpResponse {
        self.send(RequestParts::form_post(body.as_bytes()).authorization(authorization))
            .await
    }

    /// POSTs `body` as `c1` with `client_secret_basic`.
    pub async fn post_c1_basic(&self, body: &str) -> HttpResponse {
        self.post_auth(&basic(C1, C1_SECRET), body).await
    }

    /// Moves the clock forward.
    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

/// The fixture's ES256 signing key (a public test vector).
pub fn es256_keys() -> KeySet {
    KeySet::new(es256_key())
}

pub fn es256_key() -> SigningKey {
    SigningKey::from_pkcs8_pem(
        Algorithm::ES256,
        include_str!("../vectors/es256.pkcs8.pem"),
        None,
    )
    .expect("the ES256 test vector loads")
}

fn scopes(s: &str) -> ScopeSet {
    ScopeSet::parse(s).expect("fixture scopes are valid")
}

fn audience(s: &str) -> Audience {
    Audience::new(s).expect("fixture audiences are valid")
}

/// A secret chosen by a person, stored as the crate asks for short secrets.
pub fn pbkdf2(secret: &str) -> SecretHash {
    SecretHash::pbkdf2(&ClientSecret::new(secret), TEST_ITERATIONS)
}

fn credential(id: &str, hash: SecretHash) -> SecretCredential {
    SecretCredential::new(CredentialId::new(id).unwrap(), hash)
}

/// A secret client with `mcp:read mcp:write` allowed, `mcp:read` by default, and
/// [`RESOURCE`] as its default audience.
pub fn secret_client(id: &str, secret: &str) -> client_credentials::store::ClientBuilder {
    Client::builder(ClientId::new(id).unwrap())
        .secret(credential("s1", pbkdf2(secret)))
        .allowed_scopes(scopes("mcp:read mcp:write"))
        .default_scopes(scopes("mcp:read"))
        .default_audience(audience(RESOURCE))
}

fn fixture_store(fast_secret: &ClientSecret) -> MemoryClientStore {
    let clients = [
        secret_client(C1, C1_SECRET),
        secret_client(SVC, SVC_SECRET),
        Client::builder(ClientId::new(EXT).unwrap())
            .secret(credential("ext-1", pbkdf2(EXT_SECRET)))
            .allowed_scopes(scopes("mcp:read"))
            .default_scopes(scopes("mcp:read"))
            .default_audience(audience(EXT_RESOURCE)),
        Client::builder(ClientId::new(NO_DEFAULT_SCOPE).unwrap())
            .secret(credential("s1", pbkdf2(OTHER_SECRET)))
            .allowed_scopes(scopes("mcp:read mcp:write"))
            .default_audience(audience(RESOURCE)),
        Client::builder(ClientId::new(NO_AUDIENCE).unwrap())
            .secret(credential("s1", pbkdf2(OTHER_SECRET)))
            .allowed_scopes(scopes("mcp:read"))
            .default_scopes(scopes("mcp:read"))
            .allowed_audience(audience(RESOURCE)),
        secret_client(MULTI, OTHER_SECRET)
            .allowed_audience(audience(RESOURCE2))
            .allowed_audience(audience(RESOURCE_TENANT_A)),
        secret_client(BASIC_ONLY, OTHER_SECRET).auth_methods([AuthMethod::ClientSecretBasic]),
        secret_client(POST_ONLY, OTHER_SECRET).auth_methods([AuthMethod::ClientSecretPost]),
        Client::builder(ClientId::new(PUBLIC).unwrap())
            .allowed_scopes(scopes("mcp:read"))
            .default_scopes(scopes("mcp:read"))
            .default_audience(audience(RESOURCE)),
        secret_client(NO_GRANT, OTHER_SECRET).client_credentials_grant(false),
        secret_client(DISABLED, OTHER_SECRET).enabled(false),
        Client::builder(ClientId::new(FAST).unwrap())
            .secret(credential(
                "gen-1",
                SecretHash::fast(fast_secret).expect("a generated secret is long enough"),
            ))
            .allowed_scopes(scopes("mcp:read mcp:write"))
            .default_scopes(scopes("mcp:read"))
            .default_audience(audience(RESOURCE)),
    ];
    clients
        .into_iter()
        .map(|c| c.build().expect("fixture clients are valid"))
        .collect()
}

/// The default policy, with up to `n` resources per token.
pub fn policy_with_max_resources(n: usize) -> Policy {
    let mut policy = Policy::default();
    policy.max_resources_per_token = n;
    policy
}

/// The default policy, downscoping instead of refusing (C21).
pub fn downscope_policy() -> Policy {
    let mut policy = Policy::default();
    policy.scope_policy = ScopePolicy::Downscope;
    policy
}

/// `jti-0001`, `jti-0002`, …: reproducible token ids.
#[derive(Debug, Default)]
pub struct CountingJti(AtomicU64);

impl JtiSource for CountingJti {
    fn next_jti(&self) -> String {
        format!("jti-{:04}", self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// The `application/x-www-form-urlencoded` byte serializer (WHATWG URL §5.2),
/// written out here so the tests do not share an encoder with the crate.
pub fn form_urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `Authorization: Basic` as RFC 6749 §2.3.1 says: id and secret form-urlencoded
/// first, then base64 (C9).
pub fn basic(id: &str, secret: &str) -> String {
    basic_raw(&form_urlencode(id), &form_urlencode(secret))
}

/// `Authorization: Basic` of `user:pass` exactly as given, without form-urlencoding.
pub fn basic_raw(user: &str, pass: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")))
}

/// A form body from name/value pairs, each form-urlencoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_urlencode(k), form_urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The JSON body of a response.
pub fn json(response: &HttpResponse) -> Value {
    serde_json::from_slice(&response.body).expect("the body is JSON")
}

/// RFC 6749 Appendix A: `NQSCHAR = %x20-21 / %x23-5B / %x5D-7E`.
pub fn is_nqschar(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x20 | 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// Checks everything an RFC 6749 §5.2 error response must be, and returns its
/// JSON body:
/// - the status and `error` code;
/// - `Content-Type: application/json`, `Cache-Control: no-store`,
///   `Pragma: no-cache` (C25, C27, C138);
/// - `WWW-Authenticate: Basic …` on 401 and on no other status (C28, C139);
/// - `Retry-After` exactly on 429, `Allow: POST` exactly on 405;
/// - `error` and `error_description` made of `NQSCHAR` only (C33), no `error_uri`
///   (C34), and nothing else in the body.
#[track_caller]
pub fn assert_error(response: &HttpResponse, status: u16, error: &str) -> Value {
    let body = String::from_utf8_lossy(&response.body);
    assert_eq!(response.status, status, "status; body {body}");
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "Content-Type"
    );
    assert_eq!(
        response.header("cache-control"),
        Some("no-store"),
        "Cache-Control"
    );
    assert_eq!(response.header("pragma"), Some("no-cache"), "Pragma");
    match response.header("www-authenticate") {
        Some(challenge) => {
            assert_eq!(status, 401, "WWW-Authenticate on a {status}");
            assert!(
                challenge.starts_with("Basic "),
                "the challenge matches the Basic scheme: {challenge}"
            );
            assert!(challenge.contains("realm="), "{challenge}");
        }
        None => assert_ne!(status, 401, "a 401 without WWW-Authenticate"),
    }
    assert_eq!(
        response.header("retry-after").is_some(),
        status == 429,
        "Retry-After exactly on 429"
    );
    assert_eq!(
        response.header("allow"),
        (status == 405).then_some("POST"),
        "Allow: POST exactly on 405"
    );
    let v = json(response);
    let object = v.as_object().expect("the body is a JSON object");
    assert_eq!(v["error"], error, "error code; body {body}");
    assert!(is_nqschar(error));
    if let Some(description) = object.get("error_description") {
        let description = description.as_str().expect("error_description is a string");
        assert!(!description.is_empty());
        assert!(is_nqschar(description), "C33: {description:?}");
    }
    assert!(object.get("error_uri").is_none(), "C34: no error_uri");
    for key in object.keys() {
        assert!(
            matches!(key.as_str(), "error" | "error_description"),
            "unexpected member {key}"
        );
    }
    v
}

/// A checked 200 token response: its JSON body and the token's decoded header and
/// claims.
#[derive(Debug)]
pub struct Issued {
    pub body: Value,
    pub token: String,
    pub header: Value,
    pub claims: Value,
}

/// Checks a 200 token response (C23, C24, C25, C35) and decodes the token.
#[track_caller]
pub fn assert_token(response: &HttpResponse) -> Issued {
    let body_text = String::from_utf8_lossy(&response.body);
    assert_eq!(response.status, 200, "body {body_text}");
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("pragma"), Some("no-cache"));
    assert!(response.header("www-authenticate").is_none());
    let body = json(response);
    let token = body["access_token"]
        .as_str()
        .expect("access_token is a string")
        .to_owned();
    assert!(!token.is_empty());
    assert!(
        token.bytes().all(|b| (0x20..=0x7E).contains(&b)),
        "C35: access-token = 1*VSCHAR"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["expires_in"].is_u64(),
        "C24, C35: expires_in a JSON integer"
    );
    assert!(body.get("refresh_token").is_none(), "C23: no refresh token");
    let (header, claims) = decode_jwt(&token);
    Issued {
        body,
        token,
        header,
        claims,
    }
}

/// Decodes a compact JWS without verifying it.
pub fn decode_jwt(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS has three parts");
    let decode = |part: &str| -> Value {
        let bytes = URL_SAFE_NO_PAD
            .decode(part)
            .expect("base64url without padding");
        serde_json::from_slice(&bytes).expect("a JSON object")
    };
    (decode(parts[0]), decode(parts[1]))
}

/// Verifies `token` with an independent implementation (`jsonwebtoken`) against
/// the issuer's published JWKS, checking the signature, `iss` and `aud`; `exp` is
/// checked by the caller against the fixed clock.
pub fn verify_with_jwks(jwks_json: &str, token: &str, audience: &str) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_str(jwks_json).expect("the JWKS parses");
    let kid = header.kid.as_deref().ok_or("the token names no key")?;
    let jwk = jwks.find(kid).ok_or("the token's kid is not in the JWKS")?;
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.validate_exp = false;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp", "iat", "jti"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}
