//! How a [`TokenSource`](crate::client::TokenSource) proves who it is, and the
//! token request each way makes.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::client::assertion::sign_assertion;
use crate::client::error::TokenSourceError;
use crate::client::form::{Form, encode};
use crate::client::http::TokenHttpRequest;
use crate::client::platform_token::PlatformTokenFile;
use crate::jose::keys::SigningKey;
use crate::vocab::ids::ClientId;
use crate::vocab::secret::ClientSecret;
use crate::vocab::time::UnixTime;

/// The `grant_type` of the JWT-bearer grant (RFC 7523 §2.1).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A client's credentials and the grant they are used with.
///
/// Its `Debug` names the method and the client id, never a secret, key or
/// token.
#[derive(Clone)]
pub struct Credentials(Kind);

#[derive(Clone)]
enum Kind {
    SecretBasic {
        id: ClientId,
        secret: Arc<ClientSecret>,
    },
    SecretPost {
        id: ClientId,
        secret: Arc<ClientSecret>,
    },
    KeyJwt {
        id: ClientId,
        key: Arc<SigningKey>,
        audience: Option<String>,
    },
    JwtBearer {
        platform_token: PlatformTokenFile,
        client: Option<Box<Credentials>>,
    },
}

impl Credentials {
    /// The `client_credentials` grant, the secret in HTTP Basic
    /// (`client_secret_basic`, RFC 6749 §2.3.1: id and secret form-encoded,
    /// then Base64).
    pub fn client_secret_basic(id: ClientId, secret: ClientSecret) -> Self {
        Self(Kind::SecretBasic {
            id,
            secret: Arc::new(secret),
        })
    }

    /// The `client_credentials` grant, the secret in the form body
    /// (`client_secret_post`).
    pub fn client_secret_post(id: ClientId, secret: ClientSecret) -> Self {
        Self(Kind::SecretPost {
            id,
            secret: Arc::new(secret),
        })
    }

    /// The `client_credentials` grant with a JWT client assertion signed by
    /// `key` (RFC 7523 §2.2): `private_key_jwt`, or `client_secret_jwt` for an
    /// HS256 key. Each request gets a fresh assertion, valid for a minute,
    /// whose `aud` is the issuer identifier when the source discovered it,
    /// else the token endpoint; [`assertion_audience`](Self::assertion_audience)
    /// sets another.
    pub fn private_key_jwt(id: ClientId, key: SigningKey) -> Self {
        Self(Kind::KeyJwt {
            id,
            key: Arc::new(key),
            audience: None,
        })
    }

    /// The JWT-bearer grant (RFC 7523 §2.1): the platform's token from
    /// `platform_token` is the `assertion`, read again whenever the file
    /// changes; `client` authenticates the client as well when the server
    /// asks for it (RFC 7523 §3.1 makes it optional).
    pub fn jwt_bearer(platform_token: PlatformTokenFile, client: Option<Credentials>) -> Self {
        Self(Kind::JwtBearer {
            platform_token,
            client: client.map(Box::new),
        })
    }

    /// The `aud` of the client assertions (`private_key_jwt` only; no effect
    /// on the other methods).
    #[must_use]
    pub fn assertion_audience(mut self, audience: impl Into<String>) -> Self {
        match &mut self.0 {
            Kind::KeyJwt { audience: aud, .. } => *aud = Some(audience.into()),
            Kind::JwtBearer {
                client: Some(client),
                ..
            } => **client = (**client).clone().assertion_audience(audience),
            _ => {}
        }
        self
    }

    /// The client id, when the credentials name one.
    pub fn client_id(&self) -> Option<&ClientId> {
        match &self.0 {
            Kind::SecretBasic { id, .. }
            | Kind::SecretPost { id, .. }
            | Kind::KeyJwt { id, .. } => Some(id),
            Kind::JwtBearer { client, .. } => client.as_ref().and_then(|c| c.client_id()),
        }
    }

    /// The token request for `scope` and `resource` at `token_endpoint`.
    /// `issuer` is the discovered issuer identifier, if any.
    pub(crate) fn token_request(
        &self,
        token_endpoint: &str,
        issuer: Option<&str>,
        scope: Option<&str>,
        resource: Option<&str>,
        now: UnixTime,
    ) -> Result<TokenHttpRequest, TokenSourceError> {
        let mut form = Form::default();
        let mut authorization = None;
        match &self.0 {
            Kind::JwtBearer {
                platform_token,
                client,
            } => {
                let assertion = platform_token.read()?;
                form.pair("grant_type", JWT_BEARER_GRANT_TYPE)
                    .pair("assertion", &assertion);
                if let Some(client) = client {
                    authorization = client.authenticate(&mut form, token_endpoint, issuer, now)?;
                }
            }
            _ => {
                form.pair("grant_type", "client_credentials");
                authorization = self.authenticate(&mut form, token_endpoint, issuer, now)?;
            }
        }
        if let Some(scope) = scope {
            form.pair("scope", scope);
        }
        if let Some(resource) = resource {
            form.pair("resource", resource);
        }
        Ok(TokenHttpRequest {
            url: token_endpoint.to_owned(),
            authorization,
            headers: Vec::new(),
            body: form.finish(),
        })
    }

    /// Adds the client authentication to `form`; the `Authorization` header
    /// it needs, if any.
    fn authenticate(
        &self,
        form: &mut Form,
        token_endpoint: &str,
        issuer: Option<&str>,
        now: UnixTime,
    ) -> Result<Option<String>, TokenSourceError> {
        match &self.0 {
            Kind::SecretBasic { id, secret } => {
                let pair = format!(
                    "{}:{}",
                    encode(id.as_str()),
                    encode(secret.expose_secret())
                );
                Ok(Some(format!("Basic {}", STANDARD.encode(pair))))
            }
            Kind::SecretPost { id, secret } => {
                form.pair("client_id", id.as_str())
                    .pair("client_secret", secret.expose_secret());
                Ok(None)
            }
            Kind::KeyJwt { id, key, audience } => {
                let audience = audience.as_deref().or(issuer).unwrap_or(token_endpoint);
                let assertion = sign_assertion(key, id.as_str(), audience, now)?;
                form.pair("client_assertion_type", CLIENT_ASSERTION_TYPE)
                    .pair("client_assertion", &assertion);
                Ok(None)
            }
            Kind::JwtBearer { .. } => Err(TokenSourceError::Credentials(
                "the JWT-bearer grant cannot authenticate a client; pass client credentials to Credentials::jwt_bearer".into(),
            )),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::SecretBasic { id, .. } => f
                .debug_struct("Credentials::ClientSecretBasic")
                .field("client_id", id)
                .field("secret", &"[redacted]")
                .finish(),
            Kind::SecretPost { id, .. } => f
                .debug_struct("Credentials::ClientSecretPost")
                .field("client_id", id)
                .field("secret", &"[redacted]")
                .finish(),
            Kind::KeyJwt { id, key, audience } => f
                .debug_struct("Credentials::PrivateKeyJwt")
                .field("client_id", id)
                .field("key", key)
                .field("audience", audience)
                .finish(),
            Kind::JwtBearer {
                platform_token,
                client,
            } => f
                .debug_struct("Credentials::JwtBearer")
                .field("platform_token", platform_token)
                .field("client", client)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests;
