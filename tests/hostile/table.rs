//! The `hostile` table: malformed and hostile requests to the token, revocation
//! and introspection endpoints, each with the error it must get. The same rows
//! run through the `Issuer` in process (`tests/hostile.rs`) and through each
//! example's HTTP stack (`examples/tests/hostile.rs`), so this file depends on
//! nothing but the crate, `serde_json`, `base64` and `jsonwebtoken` (the
//! independent JWT implementation that signs the assertions).
//!
//! Every row has exactly one defect, on top of an otherwise acceptable request,
//! so that the error it names is the one the defect deserves.
#![allow(dead_code)] // Each test crate uses its own part of it.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use client_credentials::issuer::IssuerBuilder;
use client_credentials::jose::JwkSet;
use client_credentials::store::{MemoryClientStore, NoThrottle};
use client_credentials::{
    Algorithm, Audience, AuthMethod, Client, ClientId, ClientJwks, ClientSecret, CredentialId,
    FixedClock, Issuer, JwtSecretCredential, KeySet, ScopeSet, SecretCredential, SecretHash,
    SigningKey, UnixTime,
};
use jsonwebtoken::EncodingKey;
use serde_json::{Value, json};

/// The issuer identifier of the table's issuer (HTTP stacks route by path only).
pub const ISSUER: &str = "https://as.example.com";
/// The instant the table's issuer lives at.
pub const NOW: u64 = 1_700_000_000;
/// The resource the clients' tokens are for by default.
pub const RESOURCE: &str = "https://mcp.example.com/mcp";
/// A secret client (`client_secret_basic`, `client_secret_post`).
pub const APP: &str = "app";
/// Its secret, generated-looking: stored under the fast hash.
pub const APP_SECRET: &str = "k3Vd9q0Xw1T7m2ZpL8sYc4RbN6aHjE5uQfGtWzKx";
/// A `private_key_jwt` client, with one ES256 key.
pub const AGENT: &str = "agent";
/// The `kid` of the agent's key.
pub const AGENT_KID: &str = "agent-1";
/// A `client_secret_jwt` client.
pub const HMAC: &str = "hmac";
/// Its shared secret.
pub const HMAC_SECRET: &str = "hmac-secret-for-the-hostile-table-0123456789";
/// The assertion type of RFC 7523.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The form content type.
pub const FORM: &str = "application/x-www-form-urlencoded";
/// The issuer's body limit (the default).
pub const MAX_BODY: usize = 16 * 1024;

const AGENT_PEM: &str = include_str!("../vectors/es256.pkcs8.pem");

/// Which endpoint a row is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Token,
    Revoke,
    Introspect,
}

impl Endpoint {
    /// The path every example serves it at.
    pub fn path(self) -> &'static str {
        match self {
            Self::Token => "/token",
            Self::Revoke => "/revoke",
            Self::Introspect => "/introspect",
        }
    }
}

/// One hostile request and the answer it must get.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub endpoint: Endpoint,
    pub method: &'static str,
    pub content_type: Option<String>,
    /// Each entry is one `Authorization` header line.
    pub authorization: Vec<Vec<u8>>,
    pub query: Option<String>,
    pub body: Vec<u8>,
    /// The status and the RFC 6749 `error` code it must be answered with.
    pub status: u16,
    pub error: &'static str,
}

impl Row {
    fn new(name: impl Into<String>, endpoint: Endpoint, body: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            endpoint,
            method: "POST",
            content_type: Some(FORM.into()),
            authorization: Vec::new(),
            query: None,
            body: body.into(),
            status: 0,
            error: "",
        }
    }

    fn basic(mut self) -> Self {
        self.authorization.push(basic(APP, APP_SECRET).into_bytes());
        self
    }

    fn auth(mut self, value: impl Into<Vec<u8>>) -> Self {
        self.authorization.push(value.into());
        self
    }

    fn content_type(mut self, value: Option<&str>) -> Self {
        self.content_type = value.map(Into::into);
        self
    }

    fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    fn query(mut self, query: &str) -> Self {
        self.query = Some(query.into());
        self
    }

    fn expect(mut self, status: u16, error: &'static str) -> Self {
        self.status = status;
        self.error = error;
        self
    }
}

/// `Basic base64(id:secret)`.
pub fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A form body from pairs, each percent-encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The table's issuer: the three clients above, a fixed clock at [`NOW`], every
/// authentication method enabled, and no brute-force throttle (the table is
/// about parsing; a throttle would turn late rows' `401`s into `429`s).
pub fn issuer() -> Issuer<MemoryClientStore> {
    issuer_with(Vec::new(), |b| b)
}

/// The table's issuer with `extra` clients registered besides its own, and
/// `configure` applied to its builder.
pub fn issuer_with(
    extra: Vec<Client>,
    configure: impl FnOnce(IssuerBuilder<MemoryClientStore>) -> IssuerBuilder<MemoryClientStore>,
) -> Issuer<MemoryClientStore> {
    let scopes = ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap();
    let base = |id: &str| {
        Client::builder(ClientId::new(id).unwrap())
            .allowed_scopes(scopes.clone())
            .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
            .default_audience(Audience::new(RESOURCE).unwrap())
    };
    let agent_key =
        SigningKey::from_pkcs8_pem(Algorithm::ES256, AGENT_PEM, Some(AGENT_KID.into())).unwrap();
    let agent_jwks = ClientJwks::from_jwk_set(&JwkSet {
        keys: vec![agent_key.public_jwk().unwrap()],
    })
    .unwrap();
    let store = MemoryClientStore::from_iter(
        extra.into_iter().chain([
            base(APP)
                .secret(SecretCredential::new(
                    CredentialId::new("s1").unwrap(),
                    SecretHash::fast(&ClientSecret::new(APP_SECRET)).unwrap(),
                ))
                .build()
                .unwrap(),
            base(AGENT).jwks(agent_jwks).build().unwrap(),
            base(HMAC)
                .jwt_secret(
                    JwtSecretCredential::new(
                        CredentialId::new("h1").unwrap(),
                        &ClientSecret::new(HMAC_SECRET),
                    )
                    .unwrap(),
                )
                .build()
                .unwrap(),
        ]),
    );
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let builder = Issuer::builder(ISSUER, KeySet::new(key), store)
        .auth_methods([
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt,
            AuthMethod::ClientSecretJwt,
        ])
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
        .throttle(Arc::new(NoThrottle));
    configure(builder).build().unwrap()
}

/// Signs `header`.`claims` as a compact JWS with `key` under `alg`.
fn jws(header: &Value, claims: &Value, alg: jsonwebtoken::Algorithm, key: &EncodingKey) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The keys the assertion rows sign with.
struct Keys {
    agent: EncodingKey,
    attacker: EncodingKey,
    attacker_jwk: Value,
    agent_jwk: Value,
    hmac: EncodingKey,
}

fn keys() -> Keys {
    let agent =
        SigningKey::from_pkcs8_pem(Algorithm::ES256, AGENT_PEM, Some(AGENT_KID.into())).unwrap();
    let (attacker, attacker_pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    Keys {
        agent: EncodingKey::from_ec_der(&der(AGENT_PEM)),
        attacker: EncodingKey::from_ec_der(&der(attacker_pem.expose_secret())),
        attacker_jwk: serde_json::to_value(attacker.public_jwk().unwrap()).unwrap(),
        agent_jwk: serde_json::to_value(agent.public_jwk().unwrap()).unwrap(),
        hmac: EncodingKey::from_secret(HMAC_SECRET.as_bytes()),
    }
}

/// A `private_key_jwt` client like the table's agent, holding `jwks` or
/// fetching its keys from `jwks_uri`.
pub fn jwt_client(id: &str, jwks: Option<ClientJwks>, jwks_uri: Option<&str>) -> Client {
    let mut builder = Client::builder(ClientId::new(id).unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap());
    if let Some(jwks) = jwks {
        builder = builder.jwks(jwks);
    }
    if let Some(uri) = jwks_uri {
        builder = builder.jwks_uri(uri);
    }
    builder.build().unwrap()
}

/// A client assertion for `client`, naming key `kid`, signed by a key nobody
/// registered; `n` makes the `jti`.
pub fn forged_assertion(client: &str, kid: &str, n: usize) -> String {
    let keys = keys();
    let header = json!({"alg": "ES256", "kid": kid, "typ": "JWT"});
    jws(
        &header,
        &claims(client, n),
        jsonwebtoken::Algorithm::ES256,
        &keys.attacker,
    )
}

/// The form body of a token request authenticated by `assertion` alone.
pub fn assertion_request(assertion: &str) -> String {
    assertion_body(assertion)
}

/// The PKCS#8 DER inside a PEM document (jsonwebtoken reads DER).
fn der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// The claims an acceptable assertion of `client` carries; `n` makes the `jti`.
fn claims(client: &str, n: usize) -> Value {
    json!({
        "iss": client,
        "sub": client,
        "aud": ISSUER,
        "iat": NOW,
        "exp": NOW + 120,
        "jti": format!("hostile-{n}"),
    })
}

/// `claims` with `name` set to `value`, or removed when `value` is null.
fn with(mut claims: Value, name: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(name);
    } else {
        claims[name] = value;
    }
    claims
}

fn agent_header() -> Value {
    json!({"alg": "ES256", "kid": AGENT_KID, "typ": "JWT"})
}

/// A token request authenticated by `assertion` alone.
fn assertion_body(assertion: &str) -> String {
    form(&[
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ])
}

const GRANT: &str = "grant_type=client_credentials";

/// Every row. Token requests authenticate as [`APP`] with Basic unless the row
/// is about authentication.
pub fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    form_syntax(&mut rows);
    encodings(&mut rows);
    grant_types(&mut rows);
    scopes(&mut rows);
    resources(&mut rows);
    repeated(&mut rows);
    content_types_and_methods(&mut rows);
    sizes(&mut rows);
    auth_mixtures(&mut rows);
    assertions(&mut rows);
    revocation_and_introspection(&mut rows);
    rows
}

fn token(name: &str, body: impl Into<Vec<u8>>) -> Row {
    Row::new(name, Endpoint::Token, body).basic()
}

fn form_syntax(rows: &mut Vec<Row>) {
    let bad = |name: &str, body: &str| token(name, body).expect(400, "invalid_request");
    rows.extend([
        bad("empty body", ""),
        bad("grant_type without =", "grant_type"),
        bad("grant_type empty", "grant_type="),
        bad("value without name", "=client_credentials"),
        bad("only separators", "&&&&&&&&"),
        bad("only equals signs", "===="),
        bad(
            "grant_type name with a space",
            "grant_type%20=client_credentials",
        ),
        bad(
            "grant_type name upper case",
            "GRANT_TYPE=client_credentials",
        ),
        bad(
            "grant_type after a NUL in the name",
            "grant_type%00=client_credentials",
        ),
        bad(
            "semicolon separators",
            "foo=bar;grant_type=client_credentials",
        ),
        bad(
            "query-string style leading ?",
            "?grant_type=client_credentials",
        ),
        bad(
            "newline-separated pairs",
            "a=b\ngrant_type=client_credentials",
        ),
    ]);
    let unsupported =
        |name: &str, body: &str| token(name, body).expect(400, "unsupported_grant_type");
    rows.extend([
        unsupported(
            "semicolon inside the value",
            "grant_type=client_credentials;scope=x",
        ),
        unsupported(
            "value with a trailing space",
            "grant_type=client_credentials%20",
        ),
        unsupported(
            "value with a leading space",
            "grant_type=+client_credentials",
        ),
        unsupported("value with a NUL", "grant_type=client_credentials%00"),
        unsupported("value with CRLF", "grant_type=client_credentials%0D%0A"),
        unsupported(
            "value with a zero-width space",
            "grant_type=%E2%80%8Bclient_credentials",
        ),
        unsupported("value with a BOM", "grant_type=%EF%BB%BFclient_credentials"),
        unsupported(
            "fullwidth underscore",
            "grant_type=client%EF%BC%BFcredentials",
        ),
        unsupported("value with = inside", "grant_type=client_credentials=x"),
    ]);
}

fn encodings(rows: &mut Vec<Row>) {
    // A `%` not followed by two hex digits stays a literal `%` (as in the
    // WHATWG form decoder and serde_urlencoded): such a scope is no scope of
    // the client's, and such a name is no parameter the issuer knows.
    let literal = |name: &str, body: &[u8]| token(name, body.to_vec()).expect(400, "invalid_scope");
    rows.extend([
        literal(
            "lone % at the end",
            b"grant_type=client_credentials&scope=%",
        ),
        literal(
            "% and one hex digit",
            b"grant_type=client_credentials&scope=%4",
        ),
        literal(
            "% with non-hex digits",
            b"grant_type=client_credentials&scope=%ZZ",
        ),
        literal("% with a sign", b"grant_type=client_credentials&scope=%+1"),
    ]);
    let bad = |name: &str, body: &[u8]| token(name, body.to_vec()).expect(400, "invalid_request");
    rows.extend([
        bad(
            "bad escape in the grant_type name",
            b"grant%5type=client_credentials",
        ),
        bad(
            "escaped name repeating grant_type",
            b"grant_type=client_credentials&gr%61nt_type=client_credentials",
        ),
        bad(
            "percent-encoded invalid UTF-8 (0xFF)",
            b"grant_type=client_credentials&scope=%FF",
        ),
        bad(
            "percent-encoded truncated sequence",
            b"grant_type=client_credentials&scope=%C3",
        ),
        bad(
            "percent-encoded bad continuation",
            b"grant_type=client_credentials&scope=%C3%28",
        ),
        bad(
            "percent-encoded overlong /",
            b"grant_type=client_credentials&scope=%C0%AF",
        ),
        bad(
            "percent-encoded surrogate",
            b"grant_type=client_credentials&scope=%ED%A0%80",
        ),
        bad(
            "percent-encoded beyond U+10FFFF",
            b"grant_type=client_credentials&scope=%F4%90%80%80",
        ),
        bad(
            "raw 0xFF byte in a value",
            b"grant_type=client_credentials&scope=\xff",
        ),
        bad(
            "raw Latin-1 byte in a value",
            b"grant_type=client_credentials&scope=caf\xe9",
        ),
        bad(
            "raw invalid UTF-8 in a name",
            b"grant_type=client_credentials&\xc3\x28=x",
        ),
        bad(
            "raw overlong NUL",
            b"grant_type=client_credentials&scope=\xc0\x80",
        ),
        bad(
            "invalid UTF-8 in grant_type",
            b"grant_type=client_credentials\xff",
        ),
        bad(
            "invalid UTF-8 in an unknown parameter",
            b"grant_type=client_credentials&x=%FE%FF",
        ),
        bad("UTF-16 body", b"g\0r\0a\0n\0t\0_\0t\0y\0p\0e\0=\0"),
    ]);
}

fn grant_types(rows: &mut Vec<Row>) {
    let unsupported = |name: &str, grant: &str| {
        token(name, form(&[("grant_type", grant)])).expect(400, "unsupported_grant_type")
    };
    rows.extend([
        unsupported("password grant", "password"),
        unsupported("authorization_code grant", "authorization_code"),
        unsupported("refresh_token grant", "refresh_token"),
        unsupported("implicit-looking grant", "token"),
        unsupported(
            "JWT-bearer grant",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ),
        unsupported(
            "token-exchange grant",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        unsupported(
            "device-code grant",
            "urn:ietf:params:oauth:grant-type:device_code",
        ),
        unsupported("upper-case client_credentials", "CLIENT_CREDENTIALS"),
        unsupported("client credentials with a space", "client credentials"),
        unsupported("client-credentials with a hyphen", "client-credentials"),
        unsupported("grant_type of 10,000 characters", &"x".repeat(10_000)),
        unsupported("grant_type with a script", "<script>alert(1)</script>"),
    ]);
    rows.push(
        token(
            "password grant with a username and password",
            "grant_type=password&username=admin&password=admin",
        )
        .expect(400, "unsupported_grant_type"),
    );
}

fn scopes(rows: &mut Vec<Row>) {
    let bad = |name: &str, scope: &str| {
        token(
            name,
            form(&[("grant_type", "client_credentials"), ("scope", scope)]),
        )
        .expect(400, "invalid_scope")
    };
    rows.extend([
        bad("scope the client is not allowed", "mcp:admin"),
        bad("allowed scope plus one not allowed", "mcp:read mcp:admin"),
        bad("two spaces between scopes", "mcp:read  mcp:write"),
        bad("leading space", " mcp:read"),
        bad("trailing space", "mcp:read "),
        bad("tab separator", "mcp:read\tmcp:write"),
        bad("newline separator", "mcp:read\nmcp:write"),
        bad("double quote", "mcp:\"read"),
        bad("backslash", "mcp:\\read"),
        bad("non-ASCII letter", "mcp:réad"),
        bad("NUL in a scope", "mcp:read\0"),
        bad("DEL in a scope", "mcp:read\x7f"),
        bad("scope of 10,000 characters", &"s".repeat(10_000)),
        bad("upper-case variant of an allowed scope", "MCP:READ"),
        bad("only a space", " "),
    ]);
}

fn resources(rows: &mut Vec<Row>) {
    let bad = |name: &str, resource: &str| {
        token(
            name,
            form(&[("grant_type", "client_credentials"), ("resource", resource)]),
        )
        .expect(400, "invalid_target")
    };
    rows.extend([
        bad("relative resource", "/mcp"),
        bad(
            "resource with a fragment",
            "https://mcp.example.com/mcp#frag",
        ),
        bad("resource not allowed", "https://evil.example.com/mcp"),
        bad(
            "resource with an unregistered query",
            "https://mcp.example.com/mcp?tenant=evil",
        ),
        bad(
            "resource with userinfo",
            "https://attacker@mcp.example.com/mcp",
        ),
        bad("javascript: resource", "javascript:alert(1)"),
        bad("urn resource", "urn:example:mcp"),
        bad("resource with a NUL", "https://mcp.example.com/mcp\0"),
        bad("resource with a space", "https://mcp.example.com/m cp"),
        bad(
            "resource of 10,000 characters",
            &format!("https://mcp.example.com/{}", "a".repeat(10_000)),
        ),
        bad(
            "resource with a non-ASCII host",
            "https://mcp.exämple.com/mcp",
        ),
        bad("resource with only a scheme", "https:"),
        bad(
            "resource look-alike host",
            "https://mcp.example.com.evil.com/mcp",
        ),
    ]);
    rows.push(
        token(
            "two resources",
            format!(
                "{GRANT}&resource={}&resource={}",
                encode(RESOURCE),
                encode("https://other.example.com/")
            ),
        )
        .expect(400, "invalid_target"),
    );
}

fn repeated(rows: &mut Vec<Row>) {
    let bad = |name: &str, body: &str| token(name, body).expect(400, "invalid_request");
    rows.extend([
        bad(
            "grant_type twice, same value",
            "grant_type=client_credentials&grant_type=client_credentials",
        ),
        bad(
            "grant_type twice, other value",
            "grant_type=client_credentials&grant_type=password",
        ),
        bad(
            "grant_type twice, one percent-encoded name",
            "grant_type=client_credentials&grant%5Ftype=client_credentials",
        ),
        bad(
            "grant_type twice, one upper case",
            "grant_type=client_credentials&grant_type=CLIENT_CREDENTIALS",
        ),
        bad(
            "scope twice",
            "grant_type=client_credentials&scope=mcp:read&scope=mcp:write",
        ),
        bad(
            "scope twice, same value",
            "grant_type=client_credentials&scope=mcp:read&scope=mcp:read",
        ),
        bad(
            "unknown parameters, then grant_type twice",
            &format!(
                "{}&grant_type=client_credentials&grant_type=client_credentials",
                "x=1&".repeat(100).trim_end_matches('&')
            ),
        ),
    ]);
    let post = |name: &str, body: &str| {
        Row::new(name, Endpoint::Token, body).expect(400, "invalid_request")
    };
    rows.extend([
        post("client_id twice", &format!("{GRANT}&client_id={APP}&client_id={APP}&client_secret={APP_SECRET}")),
        post("client_secret twice", &format!("{GRANT}&client_id={APP}&client_secret={APP_SECRET}&client_secret={APP_SECRET}")),
        post("client_id twice, naming two clients", &format!("{GRANT}&client_id={APP}&client_id={AGENT}&client_secret={APP_SECRET}")),
        post("client_assertion_type twice", &format!("{GRANT}&client_assertion_type={0}&client_assertion_type={0}&client_assertion=a.b.c", encode(JWT_BEARER))),
        post("client_assertion twice", &format!("{GRANT}&client_assertion_type={}&client_assertion=a.b.c&client_assertion=a.b.c", encode(JWT_BEARER))),
    ]);
}

fn content_types_and_methods(rows: &mut Vec<Row>) {
    let bad_type = |name: &str, content_type: Option<&str>| {
        token(name, GRANT)
            .content_type(content_type)
            .expect(400, "invalid_request")
    };
    rows.extend([
        bad_type("no content type", None),
        bad_type("JSON content type", Some("application/json")),
        bad_type("text/plain", Some("text/plain")),
        bad_type(
            "multipart/form-data",
            Some("multipart/form-data; boundary=x"),
        ),
        bad_type(
            "form with a Latin-1 charset",
            Some("application/x-www-form-urlencoded; charset=iso-8859-1"),
        ),
        bad_type(
            "form type with a suffix",
            Some("application/x-www-form-urlencodedx"),
        ),
        bad_type(
            "two types in one header",
            Some("application/x-www-form-urlencoded, application/json"),
        ),
        bad_type("empty content type", Some("")),
        bad_type(
            "form type as a parameter of another",
            Some("text/plain; x=application/x-www-form-urlencoded"),
        ),
    ]);
    rows.push(
        token("JSON body", r#"{"grant_type":"client_credentials"}"#)
            .content_type(Some("application/json"))
            .expect(400, "invalid_request"),
    );
    for method in [
        "GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "post", "BREW",
    ] {
        rows.push(
            token(&format!("method {method}"), GRANT)
                .method(method)
                .expect(405, "invalid_request"),
        );
    }
    rows.push(
        token("GET with the request in the query", "")
            .method("GET")
            .query(GRANT)
            .expect(405, "invalid_request"),
    );
    let query = |name: &str, query: &str| {
        token(name, GRANT)
            .query(query)
            .expect(400, "invalid_request")
    };
    rows.extend([
        query(
            "client_secret in the query",
            &format!("client_secret={APP_SECRET}"),
        ),
        query(
            "client_id and secret in the query",
            &format!("client_id={APP}&client_secret={APP_SECRET}"),
        ),
        query("client_assertion in the query", "client_assertion=a.b.c"),
    ]);
}

fn sizes(rows: &mut Vec<Row>) {
    let too_large = |name: &str, body: Vec<u8>| token(name, body).expect(413, "invalid_request");
    rows.extend([
        too_large(
            "body one byte past the limit",
            format!("{GRANT}&pad={}", "a".repeat(MAX_BODY)).into_bytes(),
        ),
        too_large("body four times the limit", vec![b'a'; 4 * MAX_BODY]),
        too_large(
            "body of separators past the limit",
            vec![b'&'; MAX_BODY + 1],
        ),
    ]);
    let bad = |name: &str, body: String| token(name, body).expect(400, "invalid_request");
    rows.extend([
        bad(
            "2,000 unknown parameters and no grant_type",
            "a=b&".repeat(2_000),
        ),
        bad(
            "a parameter name of 15,000 characters",
            format!("{}=x", "n".repeat(15_000)),
        ),
        bad("5,000 empty pairs", "=&".repeat(5_000)),
    ]);
}

fn auth_mixtures(rows: &mut Vec<Row>) {
    let grant = || Row::new("", Endpoint::Token, GRANT);
    let named = |row: Row, name: &str| Row {
        name: name.into(),
        ..row
    };
    // Refused as a malformed request: two credentials at once (C7).
    rows.extend([
        named(grant().basic().basic(), "two Authorization headers, both valid").expect(400, "invalid_request"),
        named(grant().basic().auth("Bearer abc"), "Basic and Bearer headers").expect(400, "invalid_request"),
        named(grant().basic().auth("Basic !!!"), "valid Basic and a garbage Basic").expect(400, "invalid_request"),
        named(
            Row::new("", Endpoint::Token, format!("{GRANT}&client_id={APP}&client_secret={APP_SECRET}")).basic(),
            "Basic and a body secret",
        )
        .expect(400, "invalid_request"),
        named(
            Row::new("", Endpoint::Token, format!("{GRANT}&client_secret=other")).basic(),
            "Basic and a body secret without client_id",
        )
        .expect(400, "invalid_request"),
        named(
            Row::new("", Endpoint::Token, format!("{GRANT}&client_assertion_type={}&client_assertion=a.b.c", encode(JWT_BEARER))).basic(),
            "Basic and an assertion",
        )
        .expect(400, "invalid_request"),
        named(
            Row::new(
                "",
                Endpoint::Token,
                format!("{GRANT}&client_id={APP}&client_secret={APP_SECRET}&client_assertion_type={}&client_assertion=a.b.c", encode(JWT_BEARER)),
            ),
            "body secret and an assertion",
        )
        .expect(400, "invalid_request"),
    ]);
    // Refused as failed authentication (C12, C28, C29).
    let unauthorized = |name: &str, row: Row| named(row, name).expect(401, "invalid_client");
    let header = |value: Vec<u8>| grant().auth(value);
    let b64 = |raw: &[u8]| format!("Basic {}", STANDARD.encode(raw)).into_bytes();
    rows.extend([
        unauthorized("no authentication at all", grant()),
        unauthorized(
            "bare client_id",
            Row::new("", Endpoint::Token, format!("{GRANT}&client_id={APP}")),
        ),
        unauthorized(
            "bare unknown client_id",
            Row::new("", Endpoint::Token, format!("{GRANT}&client_id=nobody")),
        ),
        unauthorized(
            "client_id with an empty secret",
            Row::new(
                "",
                Endpoint::Token,
                format!("{GRANT}&client_id={APP}&client_secret="),
            ),
        ),
        unauthorized(
            "body secret, wrong",
            Row::new(
                "",
                Endpoint::Token,
                format!("{GRANT}&client_id={APP}&client_secret=wrong"),
            ),
        ),
        unauthorized(
            "body secret of an unknown client",
            Row::new(
                "",
                Endpoint::Token,
                format!("{GRANT}&client_id=nobody&client_secret=x"),
            ),
        ),
        unauthorized(
            "body secret of 10,000 characters",
            Row::new(
                "",
                Endpoint::Token,
                format!(
                    "{GRANT}&client_id={APP}&client_secret={}",
                    "x".repeat(10_000)
                ),
            ),
        ),
        unauthorized(
            "body client_id with control characters",
            Row::new(
                "",
                Endpoint::Token,
                format!("{GRANT}&client_id=app%0D%0Aforged&client_secret=x"),
            ),
        ),
        unauthorized(
            "Basic, wrong secret",
            header(basic(APP, "wrong").into_bytes()),
        ),
        unauthorized(
            "Basic, unknown client",
            header(basic("nobody", "x").into_bytes()),
        ),
        unauthorized(
            "Basic, empty id",
            header(basic("", APP_SECRET).into_bytes()),
        ),
        unauthorized("Basic, empty secret", header(basic(APP, "").into_bytes())),
        unauthorized(
            "Basic, secret with an extra colon",
            header(basic(APP, &format!("{APP_SECRET}:x")).into_bytes()),
        ),
        unauthorized("Basic, bad base64", header(b"Basic !!!!".to_vec())),
        unauthorized("Basic, base64 without a colon", header(b64(b"appsecret"))),
        unauthorized(
            "Basic, nothing after the scheme",
            header(b"Basic ".to_vec()),
        ),
        unauthorized(
            "Basic, no space after the scheme",
            header(b"Basic".to_vec()),
        ),
        unauthorized(
            "Basic, base64 of invalid UTF-8",
            header(b64(b"app:\xff\xfe")),
        ),
        unauthorized(
            "Basic, base64 of control characters",
            header(b64(b"app\r\n:x\0")),
        ),
        unauthorized(
            "Basic, bad percent escape in the id",
            header(b64(b"app%ZZ:x")),
        ),
        unauthorized(
            "Basic, percent-encoded invalid UTF-8",
            header(b64(b"app:%FF")),
        ),
        unauthorized(
            "Basic, 8,000 characters of base64",
            header(format!("Basic {}", "QUFB".repeat(2_000)).into_bytes()),
        ),
        unauthorized(
            "Basic, huge id and secret",
            header(b64(
                format!("{}:{}", "i".repeat(3_000), "s".repeat(3_000)).as_bytes()
            )),
        ),
        unauthorized(
            "Basic, base64 with whitespace inside",
            header(
                format!(
                    "Basic {}",
                    STANDARD
                        .encode(format!("{APP}:{APP_SECRET}"))
                        .replacen('V', " V", 1)
                )
                .into_bytes(),
            ),
        ),
        unauthorized(
            "Basic, two spaces after the scheme and a wrong secret",
            header(format!("Basic  {}", STANDARD.encode("app:wrong")).into_bytes()),
        ),
        unauthorized(
            "Basic, non-ASCII header bytes",
            header(b"Basic \xff\xfe\xfd".to_vec()),
        ),
        unauthorized("Bearer scheme", header(b"Bearer abc.def.ghi".to_vec())),
        unauthorized("Digest scheme", header(b"Digest username=\"app\"".to_vec())),
        unauthorized("Negotiate scheme", header(b"Negotiate YII=".to_vec())),
        unauthorized("empty Authorization header", header(Vec::new())),
        unauthorized("scheme only, unknown", header(b"Foo".to_vec())),
        unauthorized(
            "client_secret_jwt client with Basic",
            header(basic(HMAC, HMAC_SECRET).into_bytes()),
        ),
        unauthorized(
            "private_key_jwt client with a body secret",
            Row::new(
                "",
                Endpoint::Token,
                format!("{GRANT}&client_id={AGENT}&client_secret=x"),
            ),
        ),
    ]);
}

fn assertions(rows: &mut Vec<Row>) {
    let keys = keys();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let refused = |name: &str, assertion: String| {
        Row::new(name, Endpoint::Token, assertion_body(&assertion)).expect(401, "invalid_client")
    };
    let es = jsonwebtoken::Algorithm::ES256;
    let signed = |header: Value, claims: Value| jws(&header, &claims, es, &keys.agent);
    let header_with = |name: &str, value: Value| {
        let mut h = agent_header();
        h[name] = value;
        h
    };
    let unsigned = |header: Value, claims: Value, signature: &str| {
        format!("{}.{}.{signature}", b64(&header), b64(&claims))
    };
    let c = claims(AGENT, 0);

    // Header tricks.
    rows.extend([
        refused(
            "alg none, no signature",
            unsigned(json!({"alg": "none"}), claims(AGENT, next()), ""),
        ),
        refused(
            "alg None, no signature",
            unsigned(json!({"alg": "None"}), claims(AGENT, next()), ""),
        ),
        refused(
            "alg NONE with the kid",
            unsigned(
                json!({"alg": "NONE", "kid": AGENT_KID}),
                claims(AGENT, next()),
                "",
            ),
        ),
        refused("alg none with a copied signature", {
            let good = signed(agent_header(), claims(AGENT, next()));
            let sig = good.rsplit('.').next().unwrap().to_owned();
            unsigned(
                json!({"alg": "none", "kid": AGENT_KID}),
                claims(AGENT, next()),
                &sig,
            )
        }),
        refused(
            "alg missing",
            unsigned(json!({"kid": AGENT_KID}), claims(AGENT, next()), "AAAA"),
        ),
        refused(
            "alg null",
            signed(header_with("alg", Value::Null), claims(AGENT, next())),
        ),
        refused(
            "alg a number",
            signed(header_with("alg", json!(7)), claims(AGENT, next())),
        ),
        refused("alg confusion: HS256 keyed with the public JWK", {
            let key = EncodingKey::from_secret(keys.agent_jwk.to_string().as_bytes());
            jws(
                &json!({"alg": "HS256", "kid": AGENT_KID}),
                &claims(AGENT, next()),
                jsonwebtoken::Algorithm::HS256,
                &key,
            )
        }),
        refused("alg confusion: HS256 keyed with the public x coordinate", {
            let x = URL_SAFE_NO_PAD
                .decode(keys.agent_jwk["x"].as_str().unwrap())
                .unwrap();
            let key = EncodingKey::from_secret(&x);
            jws(
                &json!({"alg": "HS256", "kid": AGENT_KID}),
                &claims(AGENT, next()),
                jsonwebtoken::Algorithm::HS256,
                &key,
            )
        }),
        refused(
            "alg ES384 on an ES256 signature",
            signed(header_with("alg", json!("ES384")), claims(AGENT, next())),
        ),
        refused(
            "alg RS256 on an ES256 signature",
            signed(header_with("alg", json!("RS256")), claims(AGENT, next())),
        ),
        refused(
            "alg EdDSA on an ES256 signature",
            signed(header_with("alg", json!("EdDSA")), claims(AGENT, next())),
        ),
        refused(
            "crit naming exp",
            signed(header_with("crit", json!(["exp"])), claims(AGENT, next())),
        ),
        refused(
            "crit empty",
            signed(header_with("crit", json!([])), claims(AGENT, next())),
        ),
        refused(
            "crit null",
            signed(header_with("crit", Value::Null), claims(AGENT, next())),
        ),
        refused(
            "crit a string",
            signed(header_with("crit", json!("b64")), claims(AGENT, next())),
        ),
        refused("crit b64 with b64 false", {
            let mut h = header_with("crit", json!(["b64"]));
            h["b64"] = json!(false);
            signed(h, claims(AGENT, next()))
        }),
        refused(
            "kid path traversal",
            signed(
                header_with("kid", json!("../../../../etc/passwd")),
                claims(AGENT, next()),
            ),
        ),
        refused(
            "kid SQL injection",
            signed(
                header_with("kid", json!("x' OR '1'='1")),
                claims(AGENT, next()),
            ),
        ),
        refused(
            "kid with a NUL",
            signed(
                header_with("kid", json!("agent-1\u{0}")),
                claims(AGENT, next()),
            ),
        ),
        refused(
            "kid of 10,000 characters",
            signed(
                header_with("kid", json!("k".repeat(10_000))),
                claims(AGENT, next()),
            ),
        ),
        refused(
            "kid a number",
            signed(header_with("kid", json!(1)), claims(AGENT, next())),
        ),
        refused(
            "kid an object",
            signed(
                header_with("kid", json!({"kid": AGENT_KID})),
                claims(AGENT, next()),
            ),
        ),
        refused(
            "kid of the agent, attacker's signature",
            jws(&agent_header(), &claims(AGENT, next()), es, &keys.attacker),
        ),
        refused("jku pointing at the attacker, attacker's signature", {
            let mut h = agent_header();
            h["jku"] = json!("https://attacker.example/jwks.json");
            jws(&h, &claims(AGENT, next()), es, &keys.attacker)
        }),
        refused("x5u pointing at the attacker, attacker's signature", {
            let mut h = agent_header();
            h["x5u"] = json!("https://attacker.example/cert.pem");
            jws(&h, &claims(AGENT, next()), es, &keys.attacker)
        }),
        refused("embedded jwk of the attacker, attacker's signature", {
            let mut h = json!({"alg": "ES256", "typ": "JWT"});
            h["jwk"] = keys.attacker_jwk.clone();
            jws(&h, &claims(AGENT, next()), es, &keys.attacker)
        }),
        refused("embedded jwk with the agent's kid, attacker's signature", {
            let mut h = agent_header();
            h["jwk"] = keys.attacker_jwk.clone();
            jws(&h, &claims(AGENT, next()), es, &keys.attacker)
        }),
        refused("x5c of garbage, attacker's signature", {
            let mut h = json!({"alg": "ES256", "typ": "JWT"});
            h["x5c"] = json!(["MIIBIjANBgkq"]);
            jws(&h, &claims(AGENT, next()), es, &keys.attacker)
        }),
        refused(
            "typ at+jwt",
            signed(header_with("typ", json!("at+jwt")), claims(AGENT, next())),
        ),
        refused(
            "typ JWS",
            signed(header_with("typ", json!("JWS")), claims(AGENT, next())),
        ),
        refused(
            "typ a number",
            signed(header_with("typ", json!(1)), claims(AGENT, next())),
        ),
        refused(
            "typ application/jwt+json",
            signed(
                header_with("typ", json!("application/jwt+json")),
                claims(AGENT, next()),
            ),
        ),
        refused(
            "header is a JSON array",
            unsigned(json!(["ES256"]), claims(AGENT, next()), "AAAA"),
        ),
        refused(
            "header is not JSON",
            format!("{}.{}.AAAA", URL_SAFE_NO_PAD.encode("{alg:ES256"), b64(&c)),
        ),
        refused(
            "header with the alg twice",
            format!(
                "{}.{}.AAAA",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","alg":"ES256","kid":"agent-1"}"#),
                b64(&c)
            ),
        ),
    ]);

    // Claim tricks, each signed by the agent's own key.
    let claim = |name: &str, value: Value, n: usize| {
        signed(agent_header(), with(claims(AGENT, n), name, value))
    };
    rows.extend([
        refused("expired", claim("exp", json!(NOW - 3_600), next())),
        refused(
            "expired just past the leeway",
            claim("exp", json!(NOW - 31), next()),
        ),
        refused("exp missing", claim("exp", Value::Null, next())),
        refused(
            "exp too far ahead",
            claim("exp", json!(NOW + 86_400), next()),
        ),
        refused(
            "exp a string",
            claim("exp", json!((NOW + 60).to_string()), next()),
        ),
        refused("exp negative", claim("exp", json!(-1), next())),
        refused("exp huge", claim("exp", json!(1e300), next())),
        refused("exp u64 max", claim("exp", json!(u64::MAX), next())),
        refused(
            "iat in the future",
            claim("iat", json!(NOW + 3_600), next()),
        ),
        refused("iat an hour old", claim("iat", json!(NOW - 3_600), next())),
        refused("iat a string", claim("iat", json!("now"), next())),
        refused(
            "nbf in the future",
            claim("nbf", json!(NOW + 3_600), next()),
        ),
        refused("jti missing", claim("jti", Value::Null, next())),
        refused("jti empty", claim("jti", json!(""), next())),
        refused("jti a number", claim("jti", json!(42), next())),
        refused(
            "aud another server",
            claim("aud", json!("https://evil.example.com"), next()),
        ),
        refused(
            "aud the token endpoint (not enabled)",
            claim("aud", json!(format!("{ISSUER}/token")), next()),
        ),
        refused("aud an empty array", claim("aud", json!([]), next())),
        refused(
            "aud an array of others",
            claim(
                "aud",
                json!(["https://a.example", "https://b.example"]),
                next(),
            ),
        ),
        refused("aud missing", claim("aud", Value::Null, next())),
        refused("aud a number", claim("aud", json!(1), next())),
        refused(
            "aud the issuer with a different case",
            claim("aud", json!("HTTPS://AS.EXAMPLE.COM"), next()),
        ),
        refused("iss another client", claim("iss", json!(HMAC), next())),
        refused("sub another client", claim("sub", json!(HMAC), next())),
        refused(
            "iss and sub an unknown client",
            signed(
                agent_header(),
                with(
                    with(claims(AGENT, next()), "iss", json!("nobody")),
                    "sub",
                    json!("nobody"),
                ),
            ),
        ),
        refused("sub missing", claim("sub", Value::Null, next())),
        refused(
            "sub with control characters",
            claim("sub", json!("agent\r\nforged"), next()),
        ),
        refused(
            "claims not an object",
            signed(agent_header(), json!([1, 2, 3])),
        ),
        refused("claims not JSON", {
            let input = format!(
                "{}.{}",
                b64(&agent_header()),
                URL_SAFE_NO_PAD.encode("not json")
            );
            let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &keys.agent, es).unwrap();
            format!("{input}.{sig}")
        }),
    ]);

    // Compact-form tricks.
    let good = signed(agent_header(), claims(AGENT, next()));
    let parts: Vec<&str> = good.split('.').collect();
    rows.extend([
        refused("payload swapped after signing", format!("{}.{}.{}", parts[0], b64(&with(claims(AGENT, next()), "sub", json!(AGENT))), parts[2])),
        refused("signature bit flipped", {
            let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
            sig[0] ^= 1;
            format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig))
        }),
        refused("signature truncated", format!("{}.{}.{}", parts[0], parts[1], &parts[2][..20])),
        refused("signature empty", format!("{}.{}.", parts[0], parts[1])),
        refused("two parts", format!("{}.{}", parts[0], parts[1])),
        refused("four parts", format!("{good}.AAAA")),
        refused("five parts (JWE form)", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d".into()),
        refused("one part", parts[0].to_owned()),
        refused("only dots", "..".into()),
        refused("padded base64url", format!("{}=.{}.{}", parts[0], parts[1], parts[2])),
        refused("standard base64 characters", format!("{}.{}.{}+/", parts[0], parts[1], &parts[2][..parts[2].len() - 2])),
        refused("whitespace inside", format!("{} .{}.{}", parts[0], parts[1], parts[2])),
        refused("JSON serialization instead of compact", json!({"payload": parts[1], "signatures": [{"protected": parts[0], "signature": parts[2]}]}).to_string()),
        refused("assertion of 15,000 characters", format!("{}.{}.{}", parts[0], "A".repeat(15_000), parts[2])),
        refused("HS256 client signing with a wrong secret", jws(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &claims(HMAC, next()),
            jsonwebtoken::Algorithm::HS256,
            &EncodingKey::from_secret(b"not the secret"),
        )),
        refused("HS256 client, alg none", unsigned(json!({"alg": "none"}), claims(HMAC, next()), "")),
    ]);
    // A valid HMAC assertion used under another client's name.
    let hmac_good = jws(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &claims(HMAC, next()),
        jsonwebtoken::Algorithm::HS256,
        &keys.hmac,
    );
    rows.push(
        Row::new(
            "client_id naming another client than the assertion",
            Endpoint::Token,
            format!("{}&client_id={AGENT}", assertion_body(&hmac_good)),
        )
        .expect(401, "invalid_client"),
    );
    // The assertion parameters themselves.
    let good = signed(agent_header(), claims(AGENT, next()));
    let body = |pairs: &[(&str, &str)]| {
        let mut all = vec![("grant_type", "client_credentials")];
        all.extend_from_slice(pairs);
        form(&all)
    };
    rows.extend([
        Row::new(
            "wrong client_assertion_type",
            Endpoint::Token,
            body(&[
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
                ),
                ("client_assertion", &good),
            ]),
        )
        .expect(401, "invalid_client"),
        // One of the pair without the other is a malformed request (an empty
        // value counts as omitted, C4).
        Row::new(
            "client_assertion without its type",
            Endpoint::Token,
            body(&[("client_assertion", &good)]),
        )
        .expect(400, "invalid_request"),
        Row::new(
            "client_assertion_type without an assertion",
            Endpoint::Token,
            body(&[("client_assertion_type", JWT_BEARER)]),
        )
        .expect(400, "invalid_request"),
        Row::new(
            "empty client_assertion",
            Endpoint::Token,
            body(&[
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", ""),
            ]),
        )
        .expect(400, "invalid_request"),
    ]);
}

fn revocation_and_introspection(rows: &mut Vec<Row>) {
    for endpoint in [Endpoint::Revoke, Endpoint::Introspect] {
        let at = endpoint.path();
        let row = |name: &str, body: &str| Row::new(format!("{at}: {name}"), endpoint, body);
        rows.extend([
            row("no token", "").basic().expect(400, "invalid_request"),
            row("token empty", "token=")
                .basic()
                .expect(400, "invalid_request"),
            row("token twice", "token=a&token=b")
                .basic()
                .expect(400, "invalid_request"),
            row(
                "token_type_hint twice",
                "token=a&token_type_hint=access_token&token_type_hint=x",
            )
            .basic()
            .expect(400, "invalid_request"),
            row("invalid UTF-8", "token=%FF")
                .basic()
                .expect(400, "invalid_request"),
            row("escaped name repeating token", "token=a&tok%65n=b")
                .basic()
                .expect(400, "invalid_request"),
            row("JSON content type", "token=a")
                .basic()
                .content_type(Some("application/json"))
                .expect(400, "invalid_request"),
            row("no content type", "token=a")
                .basic()
                .content_type(None)
                .expect(400, "invalid_request"),
            row("method GET", "")
                .basic()
                .method("GET")
                .query("token=a")
                .expect(405, "invalid_request"),
            row("method PUT", "token=a")
                .basic()
                .method("PUT")
                .expect(405, "invalid_request"),
            row("secret in the query", "token=a")
                .basic()
                .query(&format!("client_secret={APP_SECRET}"))
                .expect(400, "invalid_request"),
            row("two Authorization headers", "token=a")
                .basic()
                .basic()
                .expect(400, "invalid_request"),
            row(
                "Basic and a body secret",
                &format!("token=a&client_id={APP}&client_secret={APP_SECRET}"),
            )
            .basic()
            .expect(400, "invalid_request"),
            row(
                "body past the limit",
                &format!("token={}", "a".repeat(MAX_BODY)),
            )
            .basic()
            .expect(413, "invalid_request"),
            row("no authentication", "token=a").expect(401, "invalid_client"),
            row("bare client_id", &format!("token=a&client_id={APP}"))
                .expect(401, "invalid_client"),
            row("wrong Basic secret", "token=a")
                .auth(basic(APP, "wrong"))
                .expect(401, "invalid_client"),
            row("bad base64 in Basic", "token=a")
                .auth("Basic ***")
                .expect(401, "invalid_client"),
            row("Bearer scheme", "token=a")
                .auth("Bearer a.b.c")
                .expect(401, "invalid_client"),
            row(
                "alg none assertion",
                &format!(
                    "token=a&{}",
                    &assertion_body(&format!(
                        "{}.{}.",
                        b64(&json!({"alg": "none"})),
                        b64(&claims(AGENT, 900 + at.len()))
                    ))["grant_type=client_credentials&".len()..]
                ),
            )
            .expect(401, "invalid_client"),
        ]);
    }
}

/// A hostile JWK Set offered at registration (a client's `jwks`, with one key
/// whose `kid` is `k`), and what must become of it.
#[derive(Clone, Debug)]
pub struct JwkRow {
    pub name: &'static str,
    pub jwks: String,
    pub expect: JwkExpect,
}

/// What registration does with a hostile JWK Set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwkExpect {
    /// Refused with this `ConfigError` variant.
    Refused(&'static str),
    /// Registered, the hostile member inert: ring checks an EC point when it
    /// verifies, and certificates (`x5c`) are not read. No assertion that the
    /// key did not sign verifies under it.
    Inert,
}

const RSA_PEM: &str = include_str!("../vectors/rs256.pkcs8.pem");
const EDDSA_PEM: &str = include_str!("../vectors/eddsa.pkcs8.pem");

fn public_jwk(alg: Algorithm, pem: &str) -> Value {
    let key = SigningKey::from_pkcs8_pem(alg, pem, Some("k".into())).unwrap();
    serde_json::to_value(key.public_jwk().unwrap()).unwrap()
}

/// Every registration row: each is refused, none panics.
pub fn jwk_rows() -> Vec<JwkRow> {
    let ec = public_jwk(Algorithm::ES256, AGENT_PEM);
    let rsa = public_jwk(Algorithm::RS256, RSA_PEM);
    let okp = public_jwk(Algorithm::EdDSA, EDDSA_PEM);
    let set = |keys: Vec<Value>| json!({ "keys": keys }).to_string();
    let one = |key: Value| set(vec![key]);
    let change = |base: &Value, member: &str, value: Value| {
        let mut key = base.clone();
        if value.is_null() {
            key.as_object_mut().unwrap().remove(member);
        } else {
            key[member] = value;
        }
        one(key)
    };
    let row = |name: &'static str, jwks: String, error: &'static str| JwkRow {
        name,
        jwks,
        expect: match error {
            "" => JwkExpect::Inert,
            variant => JwkExpect::Refused(variant),
        },
    };
    let key = "InvalidKey";
    let inert = "";
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    vec![
        row(
            "EC key with its private d",
            change(&ec, "d", json!(b64(&[7; 32]))),
            key,
        ),
        row(
            "OKP key with its private d",
            change(&okp, "d", json!(b64(&[7; 32]))),
            key,
        ),
        row("RSA key with p", change(&rsa, "p", json!("AQAB")), key),
        row("RSA key with q", change(&rsa, "q", json!("AQAB")), key),
        row("RSA key with dp", change(&rsa, "dp", json!("AQAB")), key),
        row("RSA key with dq", change(&rsa, "dq", json!("AQAB")), key),
        row("RSA key with qi", change(&rsa, "qi", json!("AQAB")), key),
        row("RSA key with oth", change(&rsa, "oth", json!([])), key),
        row(
            "symmetric oct key",
            one(json!({"kty": "oct", "k": b64(&[1; 32]), "kid": "k"})),
            key,
        ),
        row("kty missing", change(&ec, "kty", Value::Null), key),
        row("kty unknown", change(&ec, "kty", json!("XYZ")), key),
        row("kty a number", change(&ec, "kty", json!(1)), key),
        row("EC curve unknown", change(&ec, "crv", json!("P-999")), key),
        row(
            "EC curve of an ECDH key",
            change(&ec, "crv", json!("X25519")),
            key,
        ),
        row("EC x not base64url", change(&ec, "x", json!("!!!")), key),
        row(
            "EC x too short",
            change(&ec, "x", json!(b64(&[1; 16]))),
            key,
        ),
        row("EC x too long", change(&ec, "x", json!(b64(&[1; 64]))), key),
        row("EC y missing", change(&ec, "y", Value::Null), key),
        row(
            "EC point not on the curve",
            change(&ec, "y", json!(b64(&[1; 32]))),
            inert,
        ),
        row(
            "EC x and y zero",
            {
                let mut k = ec.clone();
                k["x"] = json!(b64(&[0; 32]));
                k["y"] = json!(b64(&[0; 32]));
                one(k)
            },
            inert,
        ),
        row("RSA n empty", change(&rsa, "n", json!("")), key),
        row("RSA n one zero byte", change(&rsa, "n", json!("AA")), key),
        row(
            "RSA n three zero bytes",
            change(&rsa, "n", json!("AAAA")),
            key,
        ),
        row(
            "RSA n of 512 bits",
            change(&rsa, "n", json!(b64(&[0xff; 64]))),
            key,
        ),
        row(
            "RSA n of 32,768 bits",
            change(&rsa, "n", json!(b64(&[0xff; 4096]))),
            key,
        ),
        row("RSA n missing", change(&rsa, "n", Value::Null), key),
        row("RSA e empty", change(&rsa, "e", json!("")), key),
        row("RSA e of 1", change(&rsa, "e", json!("AQ")), key),
        row("RSA e zero", change(&rsa, "e", json!("AA")), key),
        row(
            "RSA e of 64 bytes",
            change(&rsa, "e", json!(b64(&[0xff; 64]))),
            key,
        ),
        row(
            "OKP curve of an ECDH key",
            change(&okp, "crv", json!("X25519")),
            key,
        ),
        row(
            "OKP x too short",
            change(&okp, "x", json!(b64(&[1; 31]))),
            key,
        ),
        row("OKP x not base64url", change(&okp, "x", json!("*")), key),
        row("alg none on a key", change(&ec, "alg", json!("none")), key),
        row(
            "alg HS256 on an EC key",
            change(&ec, "alg", json!("HS256")),
            key,
        ),
        row(
            "alg RS256 on an EC key",
            change(&ec, "alg", json!("RS256")),
            key,
        ),
        row(
            "alg ES384 on a P-256 key",
            change(&ec, "alg", json!("ES384")),
            key,
        ),
        row("use enc", change(&ec, "use", json!("enc")), key),
        row(
            "key_ops encrypt only",
            change(&ec, "key_ops", json!(["encrypt"])),
            key,
        ),
        row("kid a number", change(&ec, "kid", json!(7)), key),
        row(
            "x5c of garbage",
            change(&ec, "x5c", json!(["not base64 !"])),
            inert,
        ),
        row("not JSON", "{\"keys\": [".into(), key),
        row(
            "keys not an array",
            json!({"keys": ec.clone()}).to_string(),
            key,
        ),
        row(
            "no keys member",
            json!({"key": [ec.clone()]}).to_string(),
            key,
        ),
        row("a bare JWK, not a set", ec.to_string(), key),
        row(
            "nested 10,000 deep",
            format!("{{\"keys\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000)),
            key,
        ),
        row("empty set", set(vec![]), "Invalid"),
        row(
            "17 keys",
            set((0..17)
                .map(|i| {
                    let mut k = ec.clone();
                    k["kid"] = json!(format!("k{i}"));
                    k
                })
                .collect()),
            "Invalid",
        ),
        row(
            "two keys with one kid",
            set(vec![ec.clone(), okp.clone()]),
            "DuplicateKeyId",
        ),
    ]
}
