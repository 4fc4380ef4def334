//! The `--config` file: TOML with the issuer, its keys and its clients. Secrets
//! appear only as hashes; keys are read from PKCS#8 PEM files beside the config;
//! JWT clients (`private_key_jwt`) register their public keys inline, as a TOML
//! table or a JSON string.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use client_credentials::issuer::{AssertionSettings, Policy, ScopePolicy};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, AuthMethod, Client, ClientId, ClientJwks, CredentialId, Issuer, KeySet,
    ScopeSet, SecretCredential, SecretHash, SigningKey, UnixTime,
};
use serde::Deserialize;

use crate::AnyError;
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
#[derive(Deserialize)]
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

/// A ready issuer and the address to listen on.
pub struct ServerConfig {
    pub issuer: Issuer<MemoryClientStore>,
    pub listen: SocketAddr,
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
        let file: File = toml::from_str(text)?;

        let mut keys = file.keys.iter().map(|k| load_key(&read_key, k));
        let mut key_set = KeySet::new(
            keys.next()
                .ok_or("at least one [[keys]] entry is required")??,
        );
        for key in keys {
            key_set = key_set.with_previous(key?)?;
        }
        let store = file
            .clients
            .into_iter()
            .map(|c| {
                let id = c.id.clone();
                build_client(c).map_err(|e| format!("client {id:?}: {e}"))
            })
            .collect::<Result<MemoryClientStore, _>>()?;
        let mut builder = Issuer::builder(file.issuer, key_set, store)
            .policy(build_policy(&file.policy)?)
            .scopes_supported(ScopeSet::from_strs(file.scopes_supported)?)
            .dangerous_allow_http_loopback()
            .slow_hash_runner(TokioBlocking);
        if let Some(url) = file.token_endpoint {
            builder = builder.token_endpoint(url);
        }
        if let Some(url) = file.authorization_endpoint {
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
        Ok(Self {
            issuer: builder.build()?,
            listen: file.listen,
        })
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

fn load_key(
    read_key: impl Fn(&str) -> Result<zeroize::Zeroizing<String>, AnyError>,
    k: &KeyFile,
) -> Result<SigningKey, AnyError> {
    let alg: Algorithm = k
        .algorithm
        .parse()
        .map_err(|_| format!("unknown algorithm {:?}", k.algorithm))?;
    let pem = read_key(&k.private_key_file)?;
    Ok(SigningKey::from_pkcs8_pem(alg, &pem, k.kid.clone())?)
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
        .enabled(c.enabled);
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
