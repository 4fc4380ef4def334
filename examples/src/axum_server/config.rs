//! The `--config` file: TOML with the issuer, its keys and its clients. Secrets
//! appear only as hashes; keys are read from PKCS#8 PEM files beside the config;
//! JWT clients (`private_key_jwt`) register their public keys inline, as a TOML
//! table or a JSON string. Trusted issuers and claim rules open the JWT-bearer
//! grant to workloads that hold a platform token (Kubernetes, SPIFFE, GitHub
//! Actions) instead of a secret.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use client_credentials::audit::{MetricsAudit, NoAudit};
use client_credentials::issuer::{
    AssertionSettings, ClaimRule, ExpectedAudience, IssuerBuilder, Policy, ScopePolicy,
    SubjectMatch, TrustedIssuer,
};
use client_credentials::jose::{DpopConfig, DpopNonces};
use client_credentials::resource::{RemoteKeys, RemoteKeysConfig, ReqwestGet};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, AuthMethod, Client, ClientId, ClientJwks, ClientStore, CredentialId,
    Issuer, KeySet, ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime, VerificationKeys,
};
use serde::Deserialize;

use crate::AnyError;
use crate::axum_server::fleet::FleetSettings;
use crate::slow_hash::TokioBlocking;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    issuer: String,
    listen: SocketAddr,
    token_endpoint: Option<String>,
    /// Advertises this authorization endpoint, which refuses every request:
    /// MCP clients' discovery requires one. Unset: none.
    authorization_endpoint: Option<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
    #[serde(default)]
    policy: PolicyFile,
    #[serde(default)]
    auth_methods: Vec<String>,
    #[serde(default)]
    assertions: AssertionFile,
    keys: Vec<KeyFile>,
    #[serde(default)]
    clients: Vec<ClientFile>,
    #[serde(default)]
    trusted_issuers: Vec<TrustedIssuerFile>,
    #[serde(default)]
    claim_rules: Vec<ClaimRuleFile>,
    /// DPoP (RFC 9449), on when the table is present.
    dpop: Option<DpopFile>,
    fleet: Option<FleetFile>,
}

/// `[fleet]`: the shared stores of replicas run side by side.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    redis_url: Option<String>,
    database_url: Option<String>,
    namespace: Option<String>,
    schema: Option<String>,
}

/// A platform whose tokens the JWT-bearer grant accepts. Its keys: `jwks`
/// (fixed), `jwks_uri`, or `discovery = "openid"` / `"oauth"`.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct TrustedIssuerFile {
    issuer: String,
    jwks: Option<JwksFile>,
    jwks_uri: Option<String>,
    discovery: Option<String>,
    /// `"token_endpoint"` (the default), `"issuer"`, or any other value.
    audience: Option<String>,
    #[serde(default)]
    algorithms: Vec<String>,
    max_assertion_lifetime_secs: Option<u64>,
    leeway_secs: Option<u64>,
    /// Fetch over `http` from loopback addresses: local demos only.
    #[serde(default)]
    allow_http_loopback: bool,
}

/// Which platform tokens get a token, as which client.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ClaimRuleFile {
    name: String,
    issuer: String,
    subject_exact: Option<String>,
    subject_prefix: Option<String>,
    subject_pattern: Option<String>,
    /// Top-level string claims that must have exactly these values.
    #[serde(default)]
    claims: std::collections::BTreeMap<String, String>,
    client_id: String,
    #[serde(default)]
    allowed_scopes: Vec<String>,
    #[serde(default)]
    default_scopes: Vec<String>,
    #[serde(default)]
    allowed_audiences: Vec<String>,
    default_audience: Option<String>,
    token_lifetime_secs: Option<u64>,
    #[serde(default)]
    allow_token_reuse: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DpopFile {
    /// A file holding the nonce secret (at least 32 bytes, the same on every
    /// replica); without it, no nonces.
    nonce_secret_file: Option<String>,
    nonce_window_secs: Option<u64>,
    max_age_secs: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    scope_policy: Option<String>,
    default_token_lifetime_secs: Option<u64>,
    max_token_lifetime_secs: Option<u64>,
    max_resources_per_token: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AssertionFile {
    max_lifetime_secs: Option<u64>,
    leeway_secs: Option<u64>,
    #[serde(default)]
    algorithms: Vec<String>,
    #[serde(default)]
    accept_token_endpoint_audience: bool,
}

/// A client's public keys: a TOML table `{ keys = [...] }` or a JWKS JSON string.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum JwksFile {
    Json(String),
    Table(serde_json::Value),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    algorithm: String,
    private_key_file: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFile {
    id: String,
    #[serde(default)]
    secrets: Vec<SecretFile>,
    jwks: Option<JwksFile>,
    #[serde(default)]
    assertion_algorithms: Vec<String>,
    #[serde(default)]
    auth_methods: Vec<String>,
    #[serde(default)]
    allowed_scopes: Vec<String>,
    #[serde(default)]
    default_scopes: Vec<String>,
    #[serde(default)]
    allowed_audiences: Vec<String>,
    default_audience: Option<String>,
    token_lifetime_secs: Option<u64>,
    #[serde(default = "yes")]
    enabled: bool,
    /// Whether the client may introspect tokens (a resource server that
    /// introspects); off unless set.
    #[serde(default)]
    introspection: bool,
    #[serde(default)]
    dpop_bound_access_tokens: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    id: String,
    hash: String,
    expires_at: Option<u64>,
}

/// A ready issuer and the address to listen on; and, with a `[fleet]` table
/// (or the server's flags), the shared stores to run it on.
pub struct ServerConfig {
    /// The issuer on in-memory stores, with the file's clients.
    pub issuer: Issuer<MemoryClientStore>,
    pub listen: SocketAddr,
    /// The `[fleet]` table, if the file has one.
    pub fleet: Option<FleetSettings>,
    /// What the issuer was built from, to build it again on shared stores.
    blueprint: Blueprint,
}

/// What an issuer is built from, whatever its stores.
struct Blueprint {
    file: File,
    pems: Vec<zeroize::Zeroizing<String>>,
    clients: Vec<Client>,
    /// The `[dpop]` table, its nonce secret read.
    dpop: Option<DpopConfig>,
}

impl ServerConfig {
    pub fn load(path: &Path) -> Result<Self, AnyError> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::from_toml(&text, |name| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(zeroize::Zeroizing::new)
                .map_err(|e| format!("{}: {e}", path.display()).into())
        })
        .map_err(|e| format!("{}: {e}", path.display()).into())
    }

    /// The configuration in `text`, whose `private_key_file`s `read_key` reads
    /// (as named in the file).
    ///
    /// # Errors
    /// Malformed TOML, an unknown field, a value the crate refuses, or a key
    /// `read_key` cannot read.
    pub fn from_toml(
        text: &str,
        read_key: impl Fn(&str) -> Result<zeroize::Zeroizing<String>, AnyError>,
    ) -> Result<Self, AnyError> {
        let mut file: File = toml::from_str(text)?;
        let pems = file
            .keys
            .iter()
            .map(|k| read_key(&k.private_key_file))
            .collect::<Result<Vec<_>, _>>()?;
        let clients = std::mem::take(&mut file.clients)
            .into_iter()
            .map(|c| {
                let id = c.id.clone();
                build_client(c).map_err(|e| format!("client {id:?}: {e}"))
            })
            .collect::<Result<Vec<Client>, _>>()?;
        let fleet = file.fleet.take().map(|f| FleetSettings {
            redis_url: f.redis_url,
            database_url: f.database_url,
            namespace: f.namespace,
            schema: f.schema,
        });
        let dpop = file
            .dpop
            .as_ref()
            .map(|d| load_dpop(&read_key, d))
            .transpose()?;
        let blueprint = Blueprint {
            file,
            pems,
            clients,
            dpop,
        };
        let store = MemoryClientStore::from_iter(blueprint.clients.iter().cloned());
        Ok(Self {
            issuer: blueprint.builder(store)?.build()?,
            listen: blueprint.file.listen,
            fleet,
            blueprint,
        })
    }

    /// The issuer identifier the file names.
    pub fn issuer_id(&self) -> &str {
        &self.blueprint.file.issuer
    }

    /// The clients the file registers.
    pub fn clients(&self) -> &[Client] {
        &self.blueprint.clients
    }

    /// A builder for the file's issuer over `store`, every setting applied.
    pub fn builder<S: ClientStore>(&self, store: S) -> Result<IssuerBuilder<S>, AnyError> {
        self.blueprint.builder(store)
    }
}

impl Blueprint {
    fn builder<S: ClientStore>(&self, store: S) -> Result<IssuerBuilder<S>, AnyError> {
        let file = &self.file;
        let mut keys = file
            .keys
            .iter()
            .zip(&self.pems)
            .map(|(k, pem)| load_key(k, pem));
        let mut key_set = KeySet::new(
            keys.next()
                .ok_or("at least one [[keys]] entry is required")??,
        );
        for key in keys {
            key_set = key_set.with_previous(key?)?;
        }
        let mut builder = Issuer::builder(&file.issuer, key_set, store)
            .policy(build_policy(&file.policy)?)
            .scopes_supported(ScopeSet::from_strs(file.scopes_supported.iter().cloned())?)
            .dangerous_allow_http_loopback()
            .slow_hash_runner(TokioBlocking)
            .audit(Arc::new(MetricsAudit::new(NoAudit)));
        if let Some(url) = &file.token_endpoint {
            builder = builder.token_endpoint(url);
        }
        if let Some(url) = &file.authorization_endpoint {
            builder = builder.authorization_endpoint(url);
        }
        if !file.auth_methods.is_empty() {
            builder = builder.auth_methods(parse_all::<AuthMethod>(&file.auth_methods)?);
        }
        let a = &file.assertions;
        let mut settings = AssertionSettings::default();
        if let Some(s) = a.max_lifetime_secs {
            settings.max_lifetime = Duration::from_secs(s);
        }
        if let Some(s) = a.leeway_secs {
            settings.leeway = Duration::from_secs(s);
        }
        if !a.algorithms.is_empty() {
            settings.algorithms = parse_all::<Algorithm>(&a.algorithms)?;
        }
        builder = builder.assertion_settings(settings);
        if a.accept_token_endpoint_audience {
            builder = builder.accept_token_endpoint_as_assertion_audience();
        }
        if let Some(dpop) = &self.dpop {
            builder = builder.dpop(dpop.clone());
        }
        if !file.trusted_issuers.is_empty() {
            let fetcher = std::sync::Arc::new(ReqwestGet::new()?);
            for t in &file.trusted_issuers {
                let name = t.issuer.clone();
                let trusted = build_trusted_issuer(t.clone(), &fetcher)
                    .map_err(|e| format!("trusted issuer {name:?}: {e}"))?;
                builder = builder.trusted_issuer(trusted);
            }
        }
        for r in &file.claim_rules {
            let name = r.name.clone();
            let rule =
                build_claim_rule(r.clone()).map_err(|e| format!("claim rule {name:?}: {e}"))?;
            builder = builder.claim_rule(rule);
        }
        Ok(builder)
    }
}

fn parse_all<T>(values: &[String]) -> Result<Vec<T>, AnyError>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    values
        .iter()
        .map(|v| v.parse::<T>().map_err(Into::into))
        .collect()
}

fn load_key(k: &KeyFile, pem: &str) -> Result<SigningKey, AnyError> {
    let alg: Algorithm = k
        .algorithm
        .parse()
        .map_err(|_| format!("unknown algorithm {:?}", k.algorithm))?;
    Ok(SigningKey::from_pkcs8_pem(alg, pem, k.kid.clone())?)
}

fn load_dpop(
    read_key: impl Fn(&str) -> Result<zeroize::Zeroizing<String>, AnyError>,
    d: &DpopFile,
) -> Result<DpopConfig, AnyError> {
    let mut dpop = DpopConfig::default();
    if let Some(s) = d.max_age_secs {
        dpop.max_age = Duration::from_secs(s);
    }
    if let Some(name) = &d.nonce_secret_file {
        let secret = read_key(name)?;
        let window = Duration::from_secs(d.nonce_window_secs.unwrap_or(300));
        dpop.nonces = Some(DpopNonces::new(secret.trim().as_bytes(), window)?);
    }
    Ok(dpop)
}

fn build_policy(p: &PolicyFile) -> Result<Policy, AnyError> {
    let mut policy = Policy::default();
    match p.scope_policy.as_deref() {
        None | Some("refuse") => policy.scope_policy = ScopePolicy::Refuse,
        Some("downscope") => policy.scope_policy = ScopePolicy::Downscope,
        Some(other) => {
            return Err(format!("scope_policy must be refuse or downscope, not {other:?}").into());
        }
    }
    if let Some(s) = p.default_token_lifetime_secs {
        policy.default_token_lifetime = Duration::from_secs(s);
    }
    if let Some(s) = p.max_token_lifetime_secs {
        policy.max_token_lifetime = Duration::from_secs(s);
    }
    if let Some(n) = p.max_resources_per_token {
        policy.max_resources_per_token = n;
    }
    Ok(policy)
}

fn build_client(c: ClientFile) -> Result<Client, AnyError> {
    let mut b = Client::builder(ClientId::new(c.id)?)
        .allowed_scopes(ScopeSet::from_strs(c.allowed_scopes)?)
        .default_scopes(ScopeSet::from_strs(c.default_scopes)?)
        .enabled(c.enabled)
        .introspection(c.introspection)
        .dpop_bound_access_tokens(c.dpop_bound_access_tokens);
    for s in c.secrets {
        let mut cred =
            SecretCredential::new(CredentialId::new(s.id)?, s.hash.parse::<SecretHash>()?);
        if let Some(at) = s.expires_at {
            cred = cred.expires_at(UnixTime::from_secs(at));
        }
        b = b.secret(cred);
    }
    if let Some(jwks) = c.jwks {
        // Through JSON text either way, so private members (`d`, ...) are refused.
        let json = match jwks {
            JwksFile::Json(text) => text,
            JwksFile::Table(value) => value.to_string(),
        };
        b = b.jwks(ClientJwks::from_json(&json)?);
    }
    if !c.assertion_algorithms.is_empty() {
        b = b.assertion_algorithms(parse_all::<Algorithm>(&c.assertion_algorithms)?);
    }
    if !c.auth_methods.is_empty() {
        b = b.auth_methods(parse_all::<AuthMethod>(&c.auth_methods)?);
    }
    for a in c.allowed_audiences {
        b = b.allowed_audience(Audience::new(a)?);
    }
    if let Some(a) = c.default_audience {
        b = b.default_audience(Audience::new(a)?);
    }
    if let Some(s) = c.token_lifetime_secs {
        b = b.token_lifetime(Duration::from_secs(s));
    }
    Ok(b.build()?)
}

fn build_trusted_issuer(
    t: TrustedIssuerFile,
    fetcher: &std::sync::Arc<ReqwestGet>,
) -> Result<TrustedIssuer, AnyError> {
    let mut config = RemoteKeysConfig::default();
    config.danger_allow_http_loopback = t.allow_http_loopback;
    let fetcher = std::sync::Arc::clone(fetcher);
    let mut trusted = match (t.jwks, t.jwks_uri, t.discovery.as_deref()) {
        (Some(jwks), None, None) => {
            let json = match jwks {
                JwksFile::Json(text) => text,
                JwksFile::Table(value) => value.to_string(),
            };
            TrustedIssuer::with_keys(t.issuer, VerificationKeys::from_jwks_json(&json)?)?
        }
        (None, Some(uri), None) => TrustedIssuer::with_remote_keys(RemoteKeys::with_jwks_uri(
            t.issuer, uri, fetcher, config,
        )?),
        (None, None, Some("openid")) => {
            TrustedIssuer::with_openid_discovery(t.issuer, fetcher, config)?
        }
        (None, None, Some("oauth")) => {
            TrustedIssuer::with_remote_keys(RemoteKeys::new(t.issuer, fetcher, config)?)
        }
        _ => {
            return Err(
                "give exactly one of jwks, jwks_uri, or discovery = \"openid\" or \"oauth\"".into(),
            );
        }
    };
    trusted = trusted.audience(match t.audience.as_deref() {
        None | Some("token_endpoint") => ExpectedAudience::TokenEndpoint,
        Some("issuer") => ExpectedAudience::Issuer,
        Some(value) => ExpectedAudience::Value(value.to_owned()),
    });
    if !t.algorithms.is_empty() {
        trusted = trusted.algorithms(parse_all::<Algorithm>(&t.algorithms)?);
    }
    if let Some(s) = t.max_assertion_lifetime_secs {
        trusted = trusted.max_assertion_lifetime(Duration::from_secs(s));
    }
    if let Some(s) = t.leeway_secs {
        trusted = trusted.leeway(Duration::from_secs(s));
    }
    Ok(trusted)
}

fn build_claim_rule(r: ClaimRuleFile) -> Result<ClaimRule, AnyError> {
    let subject = match (r.subject_exact, r.subject_prefix, r.subject_pattern) {
        (Some(v), None, None) => SubjectMatch::Exact(v),
        (None, Some(v), None) => SubjectMatch::Prefix(v),
        (None, None, Some(v)) => SubjectMatch::Pattern(v),
        _ => {
            return Err(
                "give exactly one of subject_exact, subject_prefix, subject_pattern".into(),
            );
        }
    };
    let mut b = ClaimRule::builder(r.name, r.issuer, subject, ClientId::new(r.client_id)?)
        .allowed_scopes(ScopeSet::from_strs(r.allowed_scopes)?)
        .default_scopes(ScopeSet::from_strs(r.default_scopes)?);
    for (name, value) in r.claims {
        b = b.claim(name, value);
    }
    for a in r.allowed_audiences {
        b = b.allowed_audience(Audience::new(a)?);
    }
    if let Some(a) = r.default_audience {
        b = b.default_audience(Audience::new(a)?);
    }
    if let Some(s) = r.token_lifetime_secs {
        b = b.token_lifetime(Duration::from_secs(s));
    }
    if r.allow_token_reuse {
        b = b.allow_token_reuse();
    }
    Ok(b.build()?)
}
