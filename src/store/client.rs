//! Registered clients and their credentials.

use std::sync::Arc;
use std::time::Duration;

use crate::jose::algorithm::Algorithm;
use crate::jose::client_keys::{ClientJwks, ClientKey, JwtSecretCredential};
use crate::vocab::audience::Audience;
use crate::vocab::error::ConfigError;
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::ids::{AuthMethod, ClientId, CredentialId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::secret_hash::SecretHash;
use crate::vocab::time::UnixTime;

/// One secret of a client: its id, its stored hash, and an optional expiry.
///
/// A client may hold several live secrets, so a new one can be rolled out before
/// the old one is withdrawn (rotation without downtime).
#[derive(Clone, Debug)]
pub struct SecretCredential {
    id: CredentialId,
    hash: SecretHash,
    expires_at: Option<UnixTime>,
}

impl SecretCredential {
    /// A secret credential that does not expire.
    pub fn new(id: CredentialId, hash: SecretHash) -> Self {
        Self {
            id,
            hash,
            expires_at: None,
        }
    }

    /// Makes the secret stop working at `at`.
    #[must_use]
    pub fn expires_at(mut self, at: UnixTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The credential id.
    pub fn id(&self) -> &CredentialId {
        &self.id
    }

    /// The stored hash.
    pub fn hash(&self) -> &SecretHash {
        &self.hash
    }

    /// When the secret stops working, if ever.
    pub fn expiry(&self) -> Option<UnixTime> {
        self.expires_at
    }

    /// Whether the secret still works at `now`.
    pub fn is_live(&self, now: UnixTime) -> bool {
        self.expires_at.is_none_or(|exp| now < exp)
    }
}

/// A registered client: who it is, how it proves it, and what it may get.
///
/// Built with [`Client::builder`]; immutable afterwards, and shared as
/// `Arc<Client>` between the store and in-flight requests.
#[derive(Clone, Debug)]
pub struct Client {
    id: ClientId,
    secrets: Vec<SecretCredential>,
    jwks: Option<ClientJwks>,
    jwks_uri: Option<String>,
    jwt_secrets: Vec<ClientKey>,
    assertion_algorithms: Vec<Algorithm>,
    auth_methods: Vec<AuthMethod>,
    allowed_scopes: ScopeSet,
    default_scopes: ScopeSet,
    allowed_audiences: Vec<Audience>,
    /// The default audience, if any, as the one-element list a grant takes
    /// (shared, so granting it allocates nothing).
    default_audience: Arc<[Audience]>,
    token_lifetime: Option<Duration>,
    enabled: bool,
    client_credentials_grant: bool,
    introspection: bool,
    extra_claims: ExtraClaims,
    dpop_bound_access_tokens: bool,
}

impl Client {
    /// Starts a registration for `id`.
    pub fn builder(id: ClientId) -> ClientBuilder {
        ClientBuilder {
            client: Self {
                id,
                secrets: Vec::new(),
                jwks: None,
                jwks_uri: None,
                jwt_secrets: Vec::new(),
                assertion_algorithms: Vec::new(),
                auth_methods: Vec::new(),
                allowed_scopes: ScopeSet::new(),
                default_scopes: ScopeSet::new(),
                allowed_audiences: Vec::new(),
                default_audience: Arc::new([]),
                token_lifetime: None,
                enabled: true,
                client_credentials_grant: true,
                introspection: false,
                extra_claims: ExtraClaims::new(),
                dpop_bound_access_tokens: false,
            },
        }
    }

    /// The client id.
    pub fn id(&self) -> &ClientId {
        &self.id
    }

    /// The client's secrets, live and expired.
    pub fn secrets(&self) -> &[SecretCredential] {
        &self.secrets
    }

    /// The client's registered public keys (`private_key_jwt`), if inline.
    pub fn jwks(&self) -> Option<&ClientJwks> {
        self.jwks.as_ref()
    }

    /// Where the client publishes its public keys (`private_key_jwt`), if it does.
    pub fn jwks_uri(&self) -> Option<&str> {
        self.jwks_uri.as_deref()
    }

    /// The client's `client_secret_jwt` secrets, as HMAC keys.
    pub fn jwt_secret_keys(&self) -> &[ClientKey] {
        &self.jwt_secrets
    }

    /// The algorithms the client pinned for its assertions; empty means any the
    /// server accepts and its keys suit.
    pub fn assertion_algorithms(&self) -> &[Algorithm] {
        &self.assertion_algorithms
    }

    /// Whether an assertion of this client may be signed with `alg`.
    pub fn allows_assertion_algorithm(&self, alg: Algorithm) -> bool {
        self.assertion_algorithms.is_empty() || self.assertion_algorithms.contains(&alg)
    }

    /// The authentication methods this client may use (C14).
    pub fn auth_methods(&self) -> &[AuthMethod] {
        &self.auth_methods
    }

    /// Whether the client may authenticate with `method`.
    pub fn allows_method(&self, method: AuthMethod) -> bool {
        self.auth_methods.contains(&method)
    }

    /// The scopes the client may be granted.
    pub fn allowed_scopes(&self) -> &ScopeSet {
        &self.allowed_scopes
    }

    /// The scopes granted when the request names none (C19).
    pub fn default_scopes(&self) -> &ScopeSet {
        &self.default_scopes
    }

    /// The resources the client may request tokens for.
    pub fn allowed_audiences(&self) -> &[Audience] {
        &self.allowed_audiences
    }

    /// The audience used when the request names no resource (C58).
    pub fn default_audience(&self) -> Option<&Audience> {
        self.default_audience.first()
    }

    /// The default audience as the audience list of a grant: empty or one.
    pub(crate) fn default_audiences(&self) -> &Arc<[Audience]> {
        &self.default_audience
    }

    /// The client's own token lifetime, overriding the policy's default.
    pub fn token_lifetime(&self) -> Option<Duration> {
        self.token_lifetime
    }

    /// Whether every token of this client must be DPoP-bound (C108).
    pub fn requires_dpop(&self) -> bool {
        self.dpop_bound_access_tokens
    }

    /// Whether the client is enabled.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Whether the client may use the client-credentials grant (C18).
    pub fn allows_client_credentials(&self) -> bool {
        self.client_credentials_grant
    }

    /// Whether the client may call the introspection endpoint (RFC 7662 §4);
    /// `false` unless registered with [`ClientBuilder::introspection`].
    pub fn may_introspect(&self) -> bool {
        self.introspection
    }

    /// The claims every token of this client carries beside the registered
    /// ones (RFC 9068 §2.2).
    pub fn extra_claims(&self) -> &ExtraClaims {
        &self.extra_claims
    }
}

/// Builds a [`Client`], checking that its parts agree.
#[derive(Debug)]
pub struct ClientBuilder {
    client: Client,
}

impl ClientBuilder {
    /// Adds a secret. A client with secrets may use `client_secret_basic` and
    /// `client_secret_post` unless [`auth_methods`](Self::auth_methods) says otherwise.
    #[must_use]
    pub fn secret(mut self, secret: SecretCredential) -> Self {
        self.client.secrets.push(secret);
        self
    }

    /// Registers the client's public keys inline (`private_key_jwt`): several,
    /// each with its own `kid`, for rotation.
    #[must_use]
    pub fn jwks(mut self, jwks: ClientJwks) -> Self {
        self.client.jwks = Some(jwks);
        self
    }

    /// Registers where the client publishes its public keys (`private_key_jwt`):
    /// an `https` URL, fetched through the issuer's
    /// [`JwksFetcher`](crate::jose::JwksFetcher). Exclusive with [`jwks`](Self::jwks)
    /// (RFC 7591 §2).
    #[must_use]
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.client.jwks_uri = Some(uri.into());
        self
    }

    /// Adds a `client_secret_jwt` secret (opt-in; see [`JwtSecretCredential`]).
    #[must_use]
    pub fn jwt_secret(mut self, secret: JwtSecretCredential) -> Self {
        self.client.jwt_secrets.push(secret.into_key());
        self
    }

    /// Pins the algorithms the client's assertions may use, whatever else the
    /// server accepts (RFC 7591 `token_endpoint_auth_signing_alg`).
    #[must_use]
    pub fn assertion_algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.client.assertion_algorithms = algs.into_iter().collect();
        self
    }

    /// Sets the authentication methods the client may use.
    #[must_use]
    pub fn auth_methods(mut self, methods: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.client.auth_methods = methods.into_iter().collect();
        self
    }

    /// Sets the scopes the client may be granted.
    #[must_use]
    pub fn allowed_scopes(mut self, scopes: ScopeSet) -> Self {
        self.client.allowed_scopes = scopes;
        self
    }

    /// Sets the scopes granted when a request names none; each must be allowed.
    #[must_use]
    pub fn default_scopes(mut self, scopes: ScopeSet) -> Self {
        self.client.default_scopes = scopes;
        self
    }

    /// Allows tokens for one more resource.
    #[must_use]
    pub fn allowed_audience(mut self, audience: Audience) -> Self {
        self.client.allowed_audiences.push(audience);
        self
    }

    /// Sets the audience used when a request names no resource; it is allowed too.
    #[must_use]
    pub fn default_audience(mut self, audience: Audience) -> Self {
        self.client.default_audience = Arc::new([audience]);
        self
    }

    /// Sets this client's token lifetime (capped by the policy's maximum).
    #[must_use]
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.client.token_lifetime = Some(lifetime);
        self
    }

    /// Enables or disables the client (a disabled client gets `unauthorized_client`).
    #[must_use]
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.client.enabled = enabled;
        self
    }

    /// Requires DPoP-bound tokens (RFC 9449 §5.2, client metadata
    /// `dpop_bound_access_tokens`): a token request of this client without a
    /// valid `DPoP` proof is refused with `invalid_dpop_proof` (C108).
    #[must_use]
    pub fn dpop_bound_access_tokens(mut self, required: bool) -> Self {
        self.client.dpop_bound_access_tokens = required;
        self
    }

    /// Allows or forbids the client-credentials grant for this client.
    #[must_use]
    pub fn client_credentials_grant(mut self, allowed: bool) -> Self {
        self.client.client_credentials_grant = allowed;
        self
    }

    /// Allows or forbids the client to introspect tokens (RFC 7662 §4: the
    /// endpoint's callers should be specifically authorized). Off by default:
    /// mark the resource servers that introspect.
    #[must_use]
    pub fn introspection(mut self, allowed: bool) -> Self {
        self.client.introspection = allowed;
        self
    }

    /// Sets the claims every token of this client carries beside the
    /// registered ones, such as a tenant or an owner. [`ExtraClaims`] refuses
    /// registered claim names when they are inserted.
    #[must_use]
    pub fn extra_claims(mut self, claims: ExtraClaims) -> Self {
        self.client.extra_claims = claims;
        self
    }

    /// Checks the registration and returns the client.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when default scopes are not allowed, two
    /// credentials (secrets, JWT secrets, inline keys) share an id, a method is
    /// allowed without a credential for it, both `jwks` and `jwks_uri` are set,
    /// `jwks_uri` is not an `https` URL, or a public client (method `none`)
    /// also holds credentials.
    ///
    /// Without [`auth_methods`](Self::auth_methods), the methods follow the
    /// credentials: secrets give `client_secret_basic` and `client_secret_post`,
    /// keys `private_key_jwt`, JWT secrets `client_secret_jwt`.
    pub fn build(mut self) -> Result<Client, ConfigError> {
        let c = &mut self.client;
        let has_keys = c.jwks.is_some() || c.jwks_uri.is_some();
        if c.auth_methods.is_empty() {
            if !c.secrets.is_empty() {
                c.auth_methods = vec![AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost];
            }
            if has_keys {
                c.auth_methods.push(AuthMethod::PrivateKeyJwt);
            }
            if !c.jwt_secrets.is_empty() {
                c.auth_methods.push(AuthMethod::ClientSecretJwt);
            }
        }
        if c.jwks.is_some() && c.jwks_uri.is_some() {
            return Err(ConfigError::Invalid(
                "a client registers jwks or jwks_uri, not both",
            ));
        }
        if let Some(uri) = &c.jwks_uri {
            let https = fluent_uri::Uri::parse(uri.as_str()).is_ok_and(|u| {
                u.scheme().as_str() == "https" && u.authority().is_some() && !u.has_fragment()
            });
            if !https {
                return Err(ConfigError::Invalid(
                    "jwks_uri must be an https URL without fragment",
                ));
            }
        }
        if c.auth_methods.contains(&AuthMethod::PrivateKeyJwt) && !has_keys {
            return Err(ConfigError::Invalid(
                "private_key_jwt is allowed but no jwks or jwks_uri is registered",
            ));
        }
        if c.auth_methods.contains(&AuthMethod::ClientSecretJwt) && c.jwt_secrets.is_empty() {
            return Err(ConfigError::Invalid(
                "client_secret_jwt is allowed but no JWT secret is registered",
            ));
        }
        if c.auth_methods.is_empty() {
            c.auth_methods = vec![AuthMethod::None];
        }
        if !c.default_scopes.is_subset(&c.allowed_scopes) {
            return Err(ConfigError::Invalid(
                "default scopes must be allowed scopes",
            ));
        }
        if let Some(default) = c.default_audience.first()
            && !c.allowed_audiences.iter().any(|a| a.matches(default))
        {
            c.allowed_audiences.push(default.clone());
        }
        let secret_methods = [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost];
        if c.secrets.is_empty() && c.auth_methods.iter().any(|m| secret_methods.contains(m)) {
            return Err(ConfigError::Invalid(
                "a secret method is allowed but no secret is registered",
            ));
        }
        let holds_credentials = !c.secrets.is_empty() || has_keys || !c.jwt_secrets.is_empty();
        if c.auth_methods.contains(&AuthMethod::None) && holds_credentials {
            return Err(ConfigError::Invalid(
                "a public client cannot hold secrets or keys",
            ));
        }
        let ids: Vec<&CredentialId> = c
            .secrets
            .iter()
            .map(|s| &s.id)
            .chain(c.jwt_secrets.iter().map(ClientKey::id))
            .chain(
                c.jwks
                    .iter()
                    .flat_map(|j| j.keys().iter().map(ClientKey::id)),
            )
            .collect();
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(ConfigError::Invalid(
                    "two credentials share a credential id",
                ));
            }
        }
        Ok(self.client)
    }
}

#[cfg(test)]
mod tests;
