//! Fixtures shared by the resource-server tests (validator, revocation,
//! introspection, resource metadata): an issuer on a fixed clock with a shared
//! revocation store, three clients, and helpers to get, revoke and introspect
//! tokens through the issuer's own endpoints.
#![allow(dead_code, reason = "each test file uses a different part")]

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use client_credentials::audit::MemoryAuditSink;
use client_credentials::jose::PrivateKeyPem;
use client_credentials::store::{MemoryClientStore, MemoryRevocationStore};
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, FixedClock, HttpResponse,
    Issuer, KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
    Validator, VerificationKeys,
};

pub const ISSUER: &str = "https://as.example.com";
pub const MCP: &str = "https://mcp.example.com/mcp";
pub const MCP2: &str = "https://mcp2.example.com/mcp";
/// The fixed clock's start: tokens are issued at this instant.
pub const T0: u64 = 1_700_000_000;
/// The policy's default token lifetime.
pub const LIFETIME: u64 = 600;

pub type TestIssuer = Issuer<MemoryClientStore, Arc<MemoryRevocationStore>>;

/// An issuer and everything a test needs around it.
pub struct Fixture {
    pub issuer: TestIssuer,
    pub revocations: Arc<MemoryRevocationStore>,
    pub clock: Arc<FixedClock>,
    pub audit: Arc<MemoryAuditSink>,
    /// The PKCS#8 PEM of the issuer's ES256 key, to craft tokens with it.
    pub pem: PrivateKeyPem,
    pub kid: String,
    /// `(client, credential, secret)` for c1/s1, c1/s2, c2/s1 and rs1/s1.
    secrets: Vec<(&'static str, &'static str, ClientSecret)>,
}

fn client(id: &str, secrets: &[(&'static str, &ClientSecret)], scopes: &[&str]) -> Client {
    let mut b = Client::builder(ClientId::new(id).unwrap());
    for (cred, secret) in secrets {
        b = b.secret(SecretCredential::new(
            CredentialId::new(*cred).unwrap(),
            SecretHash::fast(secret).unwrap(),
        ));
    }
    if !scopes.is_empty() {
        b = b
            .allowed_scopes(ScopeSet::from_strs(scopes.iter().copied()).unwrap())
            .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
            .default_audience(Audience::new(MCP).unwrap())
            .allowed_audience(Audience::new(MCP2).unwrap());
    }
    b.build().unwrap()
}

impl Fixture {
    /// An ES256 issuer at `https://as.example.com`.
    pub fn new() -> Self {
        let (key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
        Self::with_keys(ISSUER, KeySet::new(key), pem)
    }

    /// An issuer with these keys; `pem` is the active key's, for crafting.
    pub fn with_keys(issuer: &str, keys: KeySet, pem: PrivateKeyPem) -> Self {
        let kid = keys.active().kid().to_owned();
        let secrets = vec![
            ("c1", "s1", ClientSecret::generate()),
            ("c1", "s2", ClientSecret::generate()),
            ("c2", "s1", ClientSecret::generate()),
            ("rs1", "s1", ClientSecret::generate()),
        ];
        let scopes = ["mcp:read", "mcp:write", "mcp:admin"];
        let store = MemoryClientStore::from_iter([
            client(
                "c1",
                &[("s1", &secrets[0].2), ("s2", &secrets[1].2)],
                &scopes,
            ),
            client("c2", &[("s1", &secrets[2].2)], &scopes),
            client("rs1", &[("s1", &secrets[3].2)], &[]),
        ]);
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(T0)));
        let audit = Arc::new(MemoryAuditSink::new());
        let revocations = Arc::new(MemoryRevocationStore::default());
        let issuer = Issuer::builder(issuer, keys, store)
            .clock(clock.clone())
            .audit(audit.clone())
            .revocation_store(Arc::clone(&revocations))
            .build()
            .unwrap();
        Self {
            issuer,
            revocations,
            clock,
            audit,
            pem,
            kid,
            secrets,
        }
    }

    pub fn now(&self) -> UnixTime {
        use client_credentials::Clock as _;
        self.clock.now()
    }

    pub fn secret(&self, client: &str, credential: &str) -> &str {
        self.secrets
            .iter()
            .find(|(c, s, _)| *c == client && *s == credential)
            .map(|(_, _, secret)| secret.expose_secret())
            .expect("a fixture credential")
    }

    /// `Authorization: Basic` for a fixture credential.
    pub fn basic(&self, client: &str, credential: &str) -> String {
        let secret = self.secret(client, credential);
        format!("Basic {}", STANDARD.encode(format!("{client}:{secret}")))
    }

    /// `POST /token` with Basic credentials and `body` after the grant type.
    pub async fn token_response(&self, client: &str, credential: &str, body: &str) -> HttpResponse {
        let body = format!("grant_type=client_credentials{body}");
        let auth = self.basic(client, credential);
        let parts = RequestParts::form_post(body.as_bytes()).authorization(&auth);
        self.issuer.handle_token_request(parts).await
    }

    /// A token for `client` with `credential`; `body` adds parameters.
    pub async fn token(&self, client: &str, credential: &str, body: &str) -> String {
        let r = self.token_response(client, credential, body).await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// `POST /revoke` of `token`, authenticated as `client`/`credential`.
    pub async fn revoke(&self, client: &str, credential: &str, body: &str) -> HttpResponse {
        let auth = self.basic(client, credential);
        let parts = RequestParts::form_post(body.as_bytes()).authorization(&auth);
        self.issuer.handle_revocation_request(parts).await
    }

    /// `POST /introspect`, authenticated as `client`/`credential`.
    pub async fn introspect(&self, client: &str, credential: &str, body: &str) -> HttpResponse {
        let auth = self.basic(client, credential);
        let parts = RequestParts::form_post(body.as_bytes()).authorization(&auth);
        self.issuer.handle_introspection_request(parts).await
    }

    /// Whether introspection by rs1 calls `token` active.
    pub async fn is_active(&self, token: &str) -> bool {
        let r = self
            .introspect("rs1", "s1", &format!("token={token}"))
            .await;
        assert_eq!(r.status, 200);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        v["active"].as_bool().unwrap()
    }

    /// A validator for `MCP` with the issuer's keys and its revocation store.
    pub fn validator(&self) -> Validator<Arc<MemoryRevocationStore>> {
        Validator::builder(
            ISSUER,
            Audience::new(MCP).unwrap(),
            VerificationKeys::from_key_set(self.issuer.keys()),
        )
        .revocation_store(Arc::clone(&self.revocations))
        .build()
        .unwrap()
    }

    /// A validator for `MCP` that knows only the published JWKS and no revocation.
    pub fn jwks_validator(&self) -> Validator {
        Validator::builder(
            self.issuer.issuer_id(),
            Audience::new(MCP).unwrap(),
            VerificationKeys::from_jwks_json(self.issuer.jwks_json()).unwrap(),
        )
        .build()
        .unwrap()
    }

    /// The claims a token should carry, for crafting variants of it.
    pub fn claims(&self) -> serde_json::Value {
        serde_json::json!({
            "iss": ISSUER, "sub": "c1", "aud": MCP, "client_id": "c1",
            "iat": T0, "exp": T0 + LIFETIME, "jti": "crafted-1", "scope": "mcp:read",
            "credential_id": "s1"
        })
    }

    /// A token with `header` and `claims`, signed with the issuer's ES256 key
    /// by an independent JOSE library.
    pub fn craft(&self, header: &jsonwebtoken::Header, claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(header, claims, &es256_encoding_key(&self.pem)).unwrap()
    }

    /// The issuer's usual header: ES256, `at+jwt`, its `kid`.
    pub fn header(&self) -> jsonwebtoken::Header {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        h.typ = Some("at+jwt".into());
        h.kid = Some(self.kid.clone());
        h
    }
}

/// An ES256 signing key for the independent JOSE library, from a PKCS#8 PEM
/// (its DER between the armour lines).
pub fn es256_encoding_key(pem: &PrivateKeyPem) -> jsonwebtoken::EncodingKey {
    let base64: String = pem
        .expose_secret()
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    jsonwebtoken::EncodingKey::from_ec_der(&STANDARD.decode(base64).unwrap())
}

/// The decoded JSON of a token's header or payload (`part` 0 or 1).
pub fn decode_part(token: &str, part: usize) -> serde_json::Value {
    let b64 = token.split('.').nth(part).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).unwrap()).unwrap()
}

/// The JSON body of a response.
pub fn json(r: &HttpResponse) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap()
}
