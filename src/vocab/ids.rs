//! Identifiers of the OAuth vocabulary: client ids, credential ids, and the
//! client authentication methods.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use crate::vocab::error::ConfigError;

/// A client identifier: non-empty printable ASCII (`client-id = *VSCHAR`, RFC 6749
/// Appendix A.1; empty ids are refused because an id must identify).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Validates a client id.
    ///
    /// # Errors
    /// [`ConfigError::InvalidClientId`] for an empty id or one with a byte outside
    /// `%x20-7E` (C31).
    pub fn new(id: impl Into<String>) -> Result<Self, ConfigError> {
        let id = id.into();
        if is_vschar_string(&id) {
            Ok(Self(id))
        } else {
            Err(ConfigError::InvalidClientId(id))
        }
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for ClientId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of one credential of a client (a secret, a key): recorded in every token
/// it authenticates, so that one leaked credential can be revoked with its tokens.
///
/// Cloning one (for each client that authenticates with it) copies nothing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialId(Arc<str>);

impl CredentialId {
    /// Validates a credential id: non-empty printable ASCII.
    ///
    /// # Errors
    /// [`ConfigError::InvalidCredentialId`] otherwise.
    pub fn new(id: impl Into<String>) -> Result<Self, ConfigError> {
        let id = id.into();
        if is_vschar_string(&id) {
            Ok(Self(id.into()))
        } else {
            Err(ConfigError::InvalidCredentialId(id))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CredentialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn is_vschar_string(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x20..=0x7E).contains(&b))
}

/// How a client authenticates at the token endpoint (the RFC 8414
/// `token_endpoint_auth_methods_supported` vocabulary).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1).
    ClientSecretPost,
    /// A JWT assertion signed with the client's private key (RFC 7523 §2.2,
    /// OIDC Core §9): the method the MCP client-credentials extension recommends.
    PrivateKeyJwt,
    /// A JWT assertion with an HS256 MAC keyed by the client's secret (RFC 7523
    /// §2.2, OIDC Core §9); see [`JwtSecretCredential`](crate::JwtSecretCredential) for its trade-off.
    ClientSecretJwt,
    /// No authentication: a public client, which may never use this grant (C13).
    None,
}

impl AuthMethod {
    /// Whether the method authenticates with a JWT assertion.
    pub const fn is_jwt(self) -> bool {
        matches!(self, Self::PrivateKeyJwt | Self::ClientSecretJwt)
    }

    /// The registered metadata value, e.g. `"client_secret_basic"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::None => "none",
        }
    }
}

impl std::str::FromStr for AuthMethod {
    type Err = ConfigError;

    /// Parses a registered metadata value such as `client_secret_post`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "client_secret_basic" => Ok(Self::ClientSecretBasic),
            "client_secret_post" => Ok(Self::ClientSecretPost),
            "private_key_jwt" => Ok(Self::PrivateKeyJwt),
            "client_secret_jwt" => Ok(Self::ClientSecretJwt),
            "none" => Ok(Self::None),
            _ => Err(ConfigError::Invalid("unknown client authentication method")),
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
