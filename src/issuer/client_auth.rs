//! How a client says who it is ([`ClientAuth`], as read from a request), and
//! the proof that it is ([`AuthenticatedClient`]). The checks between the two
//! are all in `authenticate.rs`.

use std::borrow::Cow;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::issuer::assertion::{ClientAssertion, JWT_BEARER_ASSERTION_TYPE};
use crate::store::client::Client;
use crate::vocab::error::Reason;
use crate::vocab::ids::{AuthMethod, CredentialId};
use crate::vocab::secret::ClientSecret;
use crate::wire::basic::decode_basic;
use crate::wire::form::{set_once, wipe};
use crate::wire::request::RequestParts;

/// The client authentication carried by one token request: exactly one method,
/// or none at all (C7).
///
/// Client ids here are as *presented*, not yet checked against any registration.
/// `Debug` never shows a secret or an assertion.
#[non_exhaustive]
#[derive(Debug)]
pub enum ClientAuth {
    /// `Authorization: Basic` with the form-urldecoded id and secret (C8, C9).
    SecretBasic {
        /// The presented client id.
        client_id: String,
        /// The presented secret.
        secret: ClientSecret,
    },
    /// `client_id` and `client_secret` in the body (C10).
    SecretPost {
        /// The presented client id.
        client_id: String,
        /// The presented secret.
        secret: ClientSecret,
    },
    /// A JWT client assertion (RFC 7523 §2.2): `private_key_jwt`, or
    /// `client_secret_jwt` when signed with HS256.
    JwtAssertion {
        /// The `client_id` parameter, when the request sent one (C38); MCP
        /// clients usually do not, and the assertion's `sub` names the client.
        client_id: Option<String>,
        /// The assertion, parsed but not verified.
        assertion: ClientAssertion,
    },
    /// A `client_id` with no credential: not authentication (C12), unless the
    /// client is public, which this grant refuses anyway (C13).
    ClientIdOnly {
        /// The presented client id.
        client_id: String,
    },
    /// No client authentication at all.
    Absent,
}

impl ClientAuth {
    /// Picks the one authentication method a request uses, refusing mixtures.
    pub(crate) fn from_parts(
        authorization: Option<&str>,
        body_client_id: Option<String>,
        body_secret: Option<ClientSecret>,
        assertion_type: Option<String>,
        assertion: Option<Zeroizing<String>>,
    ) -> Result<Self, Reason> {
        let assertion_present = assertion_type.is_some() || assertion.is_some();
        if let Some(header) = authorization {
            if body_secret.is_some() || assertion_present {
                return Err(Reason::MultipleAuthMethods);
            }
            let Some((client_id, secret)) = decode_basic(header)? else {
                return Err(Reason::UnsupportedAuthScheme);
            };
            // A body client_id may repeat the Basic id, never name another client.
            if body_client_id.is_some_and(|id| id != client_id) {
                return Err(Reason::ClientIdMismatch);
            }
            return Ok(Self::SecretBasic { client_id, secret });
        }
        if assertion_present {
            if body_secret.is_some() {
                return Err(Reason::MultipleAuthMethods);
            }
            let (Some(assertion_type), Some(assertion)) = (assertion_type, assertion) else {
                return Err(Reason::AssertionIncomplete);
            };
            if assertion_type != JWT_BEARER_ASSERTION_TYPE {
                return Err(Reason::AssertionTypeUnsupported);
            }
            return Ok(Self::JwtAssertion {
                client_id: body_client_id,
                assertion: ClientAssertion::parse_zeroizing(assertion)?,
            });
        }
        match (body_client_id, body_secret) {
            (Some(client_id), Some(secret)) => Ok(Self::SecretPost { client_id, secret }),
            (None, Some(_)) => Err(Reason::SecretWithoutClientId),
            (Some(client_id), None) => Ok(Self::ClientIdOnly { client_id }),
            (None, None) => Ok(Self::Absent),
        }
    }

    /// The presented client id, if any. For an assertion without a `client_id`
    /// parameter, its *unverified* `sub`, and only when `iss` equals it (C40):
    /// good enough to find the client whose keys must then verify it.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::SecretBasic { client_id, .. }
            | Self::SecretPost { client_id, .. }
            | Self::ClientIdOnly { client_id } => Some(client_id),
            Self::JwtAssertion {
                client_id: Some(client_id),
                ..
            } => Some(client_id),
            Self::JwtAssertion {
                client_id: None,
                assertion,
            } => assertion
                .unverified_subject()
                .filter(|sub| assertion.unverified_issuer() == Some(*sub)),
            Self::Absent => None,
        }
    }

    /// The authentication method used.
    pub fn method(&self) -> AuthMethod {
        match self {
            Self::SecretBasic { .. } => AuthMethod::ClientSecretBasic,
            Self::SecretPost { .. } => AuthMethod::ClientSecretPost,
            Self::JwtAssertion { assertion, .. } => assertion.method(),
            Self::ClientIdOnly { .. } | Self::Absent => AuthMethod::None,
        }
    }
}

/// Proof that a client authenticated: the only thing a token can be minted for.
///
/// Made only by [`Issuer::authenticate`](crate::Issuer::authenticate), from a
/// client secret or from a JWT assertion (`private_key_jwt`,
/// `client_secret_jwt`), so holding one means the checks ran.
#[derive(Clone, Debug)]
pub struct AuthenticatedClient {
    client: Arc<Client>,
    method: AuthMethod,
    credential_id: CredentialId,
}

impl AuthenticatedClient {
    /// The proof, made by the authentication sequence once every check passed.
    pub(crate) fn new(
        client: Arc<Client>,
        method: AuthMethod,
        credential_id: CredentialId,
    ) -> Self {
        Self {
            client,
            method,
            credential_id,
        }
    }

    /// The registered client.
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// How it authenticated.
    pub fn method(&self) -> AuthMethod {
        self.method
    }

    /// Which of its credentials it used.
    pub fn credential_id(&self) -> &CredentialId {
        &self.credential_id
    }
}

/// The client-authentication parameters of a form body (RFC 6749 §2.3.1,
/// RFC 7521 §4.2), read alike by every endpoint that authenticates clients.
#[derive(Default)]
pub(crate) struct AuthParams {
    client_id: Option<String>,
    client_secret: Option<ClientSecret>,
    client_assertion_type: Option<String>,
    /// The raw `client_assertion` until it is parsed: zeroized if parsing
    /// stops early.
    client_assertion: Option<Zeroizing<String>>,
}

impl AuthParams {
    /// Records `name=value` if `name` is a client-authentication parameter;
    /// otherwise hands `value` back.
    ///
    /// # Errors
    /// [`Reason::RepeatedParameter`] for a repeated one (C3).
    pub(crate) fn take<'v>(
        &mut self,
        name: &str,
        value: Cow<'v, str>,
    ) -> Result<Option<Cow<'v, str>>, Reason> {
        match name {
            "client_id" => set_once(&mut self.client_id, "client_id", value.into_owned())?,
            "client_secret" => {
                if self.client_secret.is_some() {
                    wipe(value);
                    return Err(Reason::RepeatedParameter("client_secret"));
                }
                self.client_secret = Some(ClientSecret::new(value.into_owned()));
            }
            "client_assertion_type" => set_once(
                &mut self.client_assertion_type,
                "client_assertion_type",
                value.into_owned(),
            )?,
            "client_assertion" => {
                if self.client_assertion.is_some() {
                    wipe(value);
                    return Err(Reason::RepeatedParameter("client_assertion"));
                }
                self.client_assertion = Some(Zeroizing::new(value.into_owned()));
            }
            _ => return Ok(Some(value)),
        }
        Ok(None)
    }

    /// The one client authentication the request carries, with its
    /// `Authorization` header: at most one line, in UTF-8 (C7).
    pub(crate) fn into_client_auth(self, parts: &RequestParts<'_>) -> Result<ClientAuth, Reason> {
        if parts.authorization_lines() > 1 {
            return Err(Reason::RepeatedAuthorization);
        }
        if parts.authorization_not_utf8() {
            return Err(Reason::MalformedAuthorization);
        }
        ClientAuth::from_parts(
            parts.authorization_header(),
            self.client_id,
            self.client_secret,
            self.client_assertion_type,
            self.client_assertion,
        )
    }
}
