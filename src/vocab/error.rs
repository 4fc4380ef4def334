//! The crate's errors: [`TokenError`] for the wire (RFC 6749 §5.2),
//! [`ValidationError`] for a refused bearer token (RFC 6750 §3.1), [`ConfigError`]
//! for setting things up, [`StoreError`] for a user's storage backend.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use crate::vocab::grant_refusal::GrantRefusal;

/// The `error` code of an RFC 6749 §5.2 error response (and its extensions).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request is missing a parameter, repeats one, is malformed, or uses
    /// more than one client authentication method.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The grant is invalid: the platform token of a JWT-bearer grant
    /// (RFC 7523 §3.1) was refused.
    InvalidGrant,
    /// The authenticated client may not use this grant.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The requested scope is invalid, unknown, malformed, or exceeds the client's.
    InvalidScope,
    /// The requested resource is invalid, unknown, or not allowed (RFC 8707 §2).
    InvalidTarget,
    /// Something failed on the server's side (a store, a signer); no detail leaks.
    ServerError,
    /// The DPoP proof is missing, malformed or does not fit the request
    /// (RFC 9449 §5).
    InvalidDpopProof,
    /// The DPoP proof must carry a fresh server nonce, sent in the
    /// `DPoP-Nonce` header of the response (RFC 9449 §8).
    UseDpopNonce,
}

impl ErrorCode {
    /// The wire value, e.g. `"invalid_client"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::ServerError => "server_error",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request was refused: more precise than the [`ErrorCode`], for audit
/// events and logs. It never holds request data, so it can never leak a secret.
///
/// Its `Display` is the precise cause, for logs and audit; it is the one text
/// of each variant. The wire sees only [`Reason::error_description`], which for
/// client-authentication failures is the same text whatever the cause, so an
/// attacker cannot tell an unknown client from a wrong secret.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Reason {
    /// The HTTP method was not `POST` (C1, C94).
    #[error("the HTTP method was not POST")]
    MethodNotAllowed,
    /// The body is not `application/x-www-form-urlencoded` (C2).
    #[error("the body is not application/x-www-form-urlencoded")]
    UnsupportedContentType,
    /// The body is larger than the configured limit.
    #[error("the body is larger than the configured limit")]
    BodyTooLarge,
    /// The body is not valid form encoding of UTF-8 text (C2).
    #[error("the body is not valid form encoding of UTF-8 text")]
    MalformedBody,
    /// The named parameter appears more than once (C3).
    #[error("the {0} parameter appears more than once")]
    RepeatedParameter(&'static str),
    /// `grant_type` is missing (C17).
    #[error("grant_type is missing")]
    MissingGrantType,
    /// Client credentials were sent in the request URI (C11).
    #[error("client credentials were sent in the request URI")]
    CredentialsInUri,
    /// More than one client authentication method was used (C7).
    #[error("more than one client authentication method was used")]
    MultipleAuthMethods,
    /// The `Authorization` header is not a well-formed `Basic` credential: not
    /// base64, no `:`, or not UTF-8 once decoded (`invalid_client`, C28, C31).
    #[error("the Authorization header is not a well-formed Basic credential")]
    MalformedAuthorization,
    /// The `Authorization` header appears more than once: two credentials (C7).
    #[error("the Authorization header appears more than once")]
    RepeatedAuthorization,
    /// `client_secret` without `client_id` in the body.
    #[error("client_secret without client_id in the body")]
    SecretWithoutClientId,
    /// The grant type is neither `client_credentials` nor, when trusted
    /// issuers are configured, the JWT-bearer grant (C17, C49).
    #[error("the grant type is not supported")]
    UnsupportedGrantType,
    /// A JWT-bearer grant request has no `assertion` (RFC 7521 §4.1).
    #[error("the JWT-bearer grant request has no assertion")]
    MissingAssertion,
    /// The JWT-bearer grant was refused, for this cause (C142).
    #[error("the JWT-bearer grant was refused: {0}")]
    InvalidGrant(GrantRefusal),
    /// The client authenticated with a scheme or method this server does not
    /// support (C29).
    #[error("the client authenticated with a scheme or method this server does not support")]
    UnsupportedAuthScheme,
    /// A `client_id` parameter names another client than the credentials (C38).
    #[error("a client_id parameter names another client than the credentials")]
    ClientIdMismatch,
    /// The request carried no client authentication (C12, C29).
    #[error("the request carried no client authentication")]
    NoClientAuthentication,
    /// No client is registered under the presented id (C127).
    #[error("no client is registered under the presented id")]
    UnknownClient,
    /// The presented secret matches none of the client's live secrets.
    #[error("the presented secret matches none of the client's live secrets")]
    WrongSecret,
    /// The client may not use the authentication method it used (C14).
    #[error("the client may not use the authentication method it used")]
    AuthMethodNotAllowed,
    /// The client is a public client and may not use this grant (C13).
    #[error("the client is a public client and may not use this grant")]
    PublicClient,
    /// Too many failed authentications for this client id (C15).
    #[error("too many failed authentications for this client id")]
    Throttled,
    /// The client is disabled (C18).
    #[error("the client is disabled")]
    ClientDisabled,
    /// The client's registration does not allow the client-credentials grant (C18).
    #[error("the client's registration does not allow the client-credentials grant")]
    GrantNotAllowed,
    /// The client, or the credential it used, has been revoked.
    #[error("the client, or the credential it used, has been revoked")]
    CredentialRevoked,
    /// The `scope` parameter is malformed (C32).
    #[error("the scope parameter is malformed")]
    MalformedScope,
    /// A requested scope is not allowed for this client (C21).
    #[error("a requested scope is not allowed for this client")]
    ScopeNotAllowed,
    /// No scope was requested and the client has no default scope (C19).
    #[error("no scope was requested and the client has no default scope")]
    NoScope,
    /// A `resource` parameter is not an absolute URI without fragment (C65, C66).
    #[error("a resource parameter is not an absolute URI without fragment")]
    MalformedResource,
    /// A requested resource is not allowed for this client (C68).
    #[error("a requested resource is not allowed for this client")]
    ResourceNotAllowed,
    /// More resources were requested than the policy allows in one token (C70).
    #[error("more resources were requested than the policy allows in one token")]
    TooManyResources,
    /// No resource was requested and the client has no default audience (C58).
    #[error("no resource was requested and the client has no default audience")]
    NoAudience,
    /// A revocation or introspection request has no `token` parameter (C88, C94).
    #[error("a revocation or introspection request has no token parameter")]
    MissingToken,
    /// A client asked to revoke a token issued to another client (RFC 7009 §2.1, C89).
    #[error("a client asked to revoke a token issued to another client")]
    TokenNotOwned,
    /// The client store or the revocation store failed.
    #[error("the client store or the revocation store failed")]
    StoreUnavailable,
    /// Signing the token failed.
    #[error("signing the token failed")]
    SigningFailed,
    /// `client_assertion` came without `client_assertion_type`, or the reverse
    /// (RFC 7521 §4.2).
    #[error("client_assertion came without client_assertion_type, or the reverse")]
    AssertionIncomplete,
    /// `client_assertion_type` is not the JWT bearer URN (C36).
    #[error("client_assertion_type is not the JWT bearer URN")]
    AssertionTypeUnsupported,
    /// `client_assertion` is not one compact JWS with base64url JSON parts (C37, C47).
    #[error("client_assertion is not one compact JWS with base64url JSON parts")]
    MalformedAssertion,
    /// The assertion is unsigned (`alg: none`, C46).
    #[error("the assertion is unsigned (alg: none)")]
    AssertionUnsigned,
    /// The assertion's `alg` is unknown, not accepted by the server, not pinned by
    /// the client, or does not suit any of its keys (C46, C83).
    #[error(
        "the assertion's alg is unknown, not accepted by the server, not pinned by the client, or does not suit any of its keys"
    )]
    AssertionAlgorithmNotAllowed,
    /// The assertion's `typ` names another kind of JWT, such as `at+jwt` (C50).
    #[error("the assertion's typ names another kind of JWT, such as at+jwt")]
    AssertionTypeHeaderRefused,
    /// The assertion carries a `crit` header this server does not understand.
    #[error("the assertion carries a crit header this server does not understand")]
    AssertionCriticalHeader,
    /// The assertion's `iss` and `sub` are not both the client id (C40).
    #[error("the assertion's iss and sub are not both the client id")]
    AssertionIssuerMismatch,
    /// The assertion's `aud` does not name this authorization server (C41).
    #[error("the assertion's aud does not name this authorization server")]
    AssertionAudienceMismatch,
    /// The assertion has no `exp` (C42).
    #[error("the assertion has no exp")]
    AssertionMissingExpiry,
    /// The assertion's `exp` has passed, beyond the clock-skew leeway (C42).
    #[error("the assertion's exp has passed, beyond the clock-skew leeway")]
    AssertionExpired,
    /// The assertion's `exp` is further ahead than the maximum assertion lifetime (C42).
    #[error("the assertion's exp is further ahead than the maximum assertion lifetime")]
    AssertionLifetimeTooLong,
    /// The assertion's `nbf` or `iat` is in the future, beyond the leeway (C43).
    #[error("the assertion's nbf or iat is in the future, beyond the leeway")]
    AssertionNotYetValid,
    /// The assertion's `iat` is older than the maximum assertion lifetime (C44).
    #[error("the assertion's iat is older than the maximum assertion lifetime")]
    AssertionStale,
    /// The assertion has no `jti`, so it cannot be held to one use (C45).
    #[error("the assertion has no jti, so it cannot be held to one use")]
    AssertionMissingJti,
    /// No registered key of the client has the assertion's `kid` or suits its `alg`.
    #[error("no registered key of the client has the assertion's kid or suits its alg")]
    AssertionUnknownKey,
    /// The assertion's signature does not verify (C46).
    #[error("the assertion's signature does not verify")]
    AssertionBadSignature,
    /// The assertion was already used (C45).
    #[error("the assertion was already used")]
    AssertionReplayed,
    /// The client's `jwks_uri` could not be fetched, or no fetcher is configured.
    #[error("the client's jwks_uri could not be fetched, or no fetcher is configured")]
    ClientJwksUnavailable,
    /// The client holds its whole share of the replay guard: it sent more fresh
    /// assertions than its share in one assertion lifetime.
    #[error("the client holds its whole share of the replay guard")]
    ReplayQuotaExceeded,
    /// The replay guard failed or is full, so no assertion can be accepted.
    #[error("the replay guard failed or is full, so no assertion can be accepted")]
    ReplayGuardUnavailable,
    /// An authenticated client that is not marked for introspection called
    /// the introspection endpoint (RFC 7662 §4).
    #[error("the client is not allowed to introspect tokens")]
    IntrospectionNotAllowed,
    /// The extra claims of a token could not be added: the deployment's
    /// claims hook failed or named a registered claim, or they exceed the
    /// size limit.
    #[error("the extra claims of the token could not be added")]
    ExtraClaimsRefused,
    /// The issuer's slow hash runner (`SlowHashRunner`) resolved without
    /// running the secret check (its thread panicked or was cancelled).
    #[error("the slow hash runner did not run the secret check")]
    SlowHashUnavailable,
    /// The DPoP proof was refused (RFC 9449 §4.3): `invalid_dpop_proof`, or
    /// `use_dpop_nonce` when it lacks a fresh server nonce (C102–C108).
    #[error("{0}")]
    Dpop(DpopError),
}

impl Reason {
    /// The `error_description` sent on the wire: fixed text made only of
    /// `NQSCHAR` characters (C33), never an echo of the request.
    pub const fn error_description(self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "this endpoint accepts POST only",
            Self::UnsupportedContentType => "the body must be application/x-www-form-urlencoded",
            Self::BodyTooLarge => "the request body is too large",
            Self::MalformedBody => "the body is not form-encoded UTF-8",
            Self::RepeatedParameter(_) => "a parameter is repeated",
            Self::MissingGrantType => "grant_type is required",
            Self::CredentialsInUri => "client credentials must not be sent in the request URI",
            Self::MultipleAuthMethods => "more than one client authentication method was used",
            Self::MalformedAuthorization => "the Authorization header is malformed",
            Self::RepeatedAuthorization => "the Authorization header is repeated",
            Self::SecretWithoutClientId => "client_secret requires client_id",
            Self::AssertionIncomplete => {
                "client_assertion and client_assertion_type must be sent together"
            }
            Self::UnsupportedGrantType => "the grant type is not supported",
            Self::MissingAssertion => "assertion is required",
            // One text for every cause, as for client authentication.
            Self::InvalidGrant(_) => "the assertion was not accepted",
            Self::Throttled => "too many failed client authentication attempts",
            Self::ClientDisabled => "the client is disabled",
            Self::GrantNotAllowed => "the client may not use the client_credentials grant",
            Self::MalformedScope => "the scope parameter is malformed",
            Self::ScopeNotAllowed => "the requested scope is not allowed for this client",
            Self::NoScope => "no scope was requested and the client has no default scope",
            Self::MalformedResource => "resource must be an absolute URI without a fragment",
            Self::ResourceNotAllowed => "the requested resource is not allowed for this client",
            Self::TooManyResources => "only one resource may be requested per token",
            Self::NoAudience => "no resource was requested and the client has no default",
            Self::MissingToken => "token is required",
            Self::TokenNotOwned => "the token was not issued to this client",
            Self::IntrospectionNotAllowed => "the client may not introspect tokens",
            Self::StoreUnavailable
            | Self::SigningFailed
            | Self::ExtraClaimsRefused
            | Self::ReplayGuardUnavailable
            | Self::SlowHashUnavailable => "internal error",
            Self::Dpop(error) => error.error_description(),
            // Every other reason is a failed client authentication (the list
            // is in `code`), and they all read alike, so that the answer does
            // not tell an unknown client from a wrong secret.
            _ => "client authentication failed",
        }
    }

    /// The error code this reason is reported under.
    pub const fn code(self) -> ErrorCode {
        match self {
            Self::MethodNotAllowed
            | Self::UnsupportedContentType
            | Self::BodyTooLarge
            | Self::MalformedBody
            | Self::RepeatedParameter(_)
            | Self::MissingGrantType
            | Self::CredentialsInUri
            | Self::MultipleAuthMethods
            | Self::RepeatedAuthorization
            | Self::SecretWithoutClientId
            | Self::AssertionIncomplete
            | Self::MissingAssertion
            | Self::MissingToken => ErrorCode::InvalidRequest,
            Self::InvalidGrant(_) => ErrorCode::InvalidGrant,
            Self::UnsupportedGrantType => ErrorCode::UnsupportedGrantType,
            // A client that sent an Authorization header tried to authenticate
            // with it: a header that does not decode is a failed authentication,
            // 401 with the Basic challenge (RFC 6749 §5.2, C28, C31).
            Self::MalformedAuthorization
            | Self::UnsupportedAuthScheme
            | Self::ClientIdMismatch
            | Self::NoClientAuthentication
            | Self::UnknownClient
            | Self::WrongSecret
            | Self::AuthMethodNotAllowed
            | Self::PublicClient
            | Self::Throttled
            | Self::CredentialRevoked
            | Self::AssertionTypeUnsupported
            | Self::MalformedAssertion
            | Self::AssertionUnsigned
            | Self::AssertionAlgorithmNotAllowed
            | Self::AssertionTypeHeaderRefused
            | Self::AssertionCriticalHeader
            | Self::AssertionIssuerMismatch
            | Self::AssertionAudienceMismatch
            | Self::AssertionMissingExpiry
            | Self::AssertionExpired
            | Self::AssertionLifetimeTooLong
            | Self::AssertionNotYetValid
            | Self::AssertionStale
            | Self::AssertionMissingJti
            | Self::AssertionUnknownKey
            | Self::AssertionBadSignature
            | Self::AssertionReplayed
            | Self::ReplayQuotaExceeded
            | Self::ClientJwksUnavailable => ErrorCode::InvalidClient,
            Self::ClientDisabled
            | Self::GrantNotAllowed
            | Self::TokenNotOwned
            | Self::IntrospectionNotAllowed => ErrorCode::UnauthorizedClient,
            Self::MalformedScope | Self::ScopeNotAllowed | Self::NoScope => ErrorCode::InvalidScope,
            Self::MalformedResource
            | Self::ResourceNotAllowed
            | Self::TooManyResources
            | Self::NoAudience => ErrorCode::InvalidTarget,
            Self::StoreUnavailable
            | Self::SigningFailed
            | Self::ExtraClaimsRefused
            | Self::ReplayGuardUnavailable
            | Self::SlowHashUnavailable => ErrorCode::ServerError,
            Self::Dpop(error) if error.needs_nonce() => ErrorCode::UseDpopNonce,
            Self::Dpop(_) => ErrorCode::InvalidDpopProof,
        }
    }

    /// The HTTP status: 400 by default (RFC 6749 §5.2), 401 for every
    /// `invalid_client` (C28, C139), 405, 413, 429 and 500 where they say
    /// more, and 503 when a store, the replay guard or the slow-hash runner
    /// did not answer: the outage is the server's and passes, so the answer
    /// says when to try again.
    pub const fn status(self) -> u16 {
        match self {
            Self::MethodNotAllowed => 405,
            Self::BodyTooLarge => 413,
            Self::Throttled => 429,
            // Authenticated, but not authorized for the endpoint (RFC 7662 §2.3).
            Self::IntrospectionNotAllowed => 403,
            _ if self.is_outage() => 503,
            _ => match self.code() {
                ErrorCode::InvalidClient => 401,
                ErrorCode::ServerError => 500,
                _ => 400,
            },
        }
    }
}

/// A refused token request, ready to be rendered as an RFC 6749 §5.2 response with
/// [`TokenError::to_http`](crate::TokenError::to_http).
///
/// An outage may carry the [`StoreError`] behind it
/// ([`store_error`](Self::store_error)), for the audit trail and the logs;
/// it never reaches the wire. Two errors are equal when their reason and
/// `Retry-After` are.
#[derive(Clone, Debug)]
pub struct TokenError {
    reason: Reason,
    retry_after_secs: Option<u64>,
    store_error: Option<StoreError>,
}

impl PartialEq for TokenError {
    fn eq(&self, other: &Self) -> bool {
        self.reason == other.reason && self.retry_after_secs == other.retry_after_secs
    }
}

impl Eq for TokenError {}

impl Reason {
    /// Whether this is a store, the replay guard or the slow-hash runner not
    /// answering: a passing outage, answered with 503 and `Retry-After`.
    pub const fn is_outage(self) -> bool {
        matches!(
            self,
            Self::StoreUnavailable | Self::ReplayGuardUnavailable | Self::SlowHashUnavailable
        )
    }
}

/// How long a client is asked to wait after an outage answer: a store's own
/// timeouts are well under a second, and the next try may find it back.
const OUTAGE_RETRY_AFTER_SECS: u64 = 1;

impl TokenError {
    /// An error for `reason`; an outage carries a `Retry-After` of one second.
    pub const fn new(reason: Reason) -> Self {
        Self {
            reason,
            retry_after_secs: if reason.is_outage() {
                Some(OUTAGE_RETRY_AFTER_SECS)
            } else {
                None
            },
            store_error: None,
        }
    }

    /// An outage (`reason`, such as [`Reason::StoreUnavailable`]) caused by
    /// `error`, which the audit event and the logs carry.
    pub fn from_store(reason: Reason, error: StoreError) -> Self {
        Self {
            store_error: Some(error),
            ..Self::new(reason)
        }
    }

    /// The backend failure behind an outage, when one is known: for logs and
    /// the audit trail only (its `Display` comes from the backend).
    pub fn store_error(&self) -> Option<&StoreError> {
        self.store_error.as_ref()
    }

    /// A throttling error that tells the client when to try again.
    pub(crate) const fn throttled(retry_after_secs: u64) -> Self {
        Self {
            reason: Reason::Throttled,
            retry_after_secs: Some(retry_after_secs),
            store_error: None,
        }
    }

    /// The wire error code.
    pub const fn code(&self) -> ErrorCode {
        self.reason.code()
    }

    /// Why the request was refused.
    pub const fn reason(&self) -> Reason {
        self.reason
    }

    /// The HTTP status code.
    pub const fn status(&self) -> u16 {
        self.reason.status()
    }

    /// Seconds after which the client may try again: when throttled, or
    /// after an outage.
    pub const fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after_secs
    }
}

impl From<Reason> for TokenError {
    fn from(reason: Reason) -> Self {
        Self::new(reason)
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.reason.error_description())
    }
}

impl StdError for TokenError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.reason)
    }
}

/// Why a token was refused. Every variant is reported as RFC 6750
/// `invalid_token` with HTTP 401 (RFC 9068 §4, C64); see
/// [`BearerChallenge::invalid_token`](crate::BearerChallenge::invalid_token).
///
/// No variant holds any part of the token, so errors can be logged freely.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ValidationError {
    /// The token is longer than the configured limit.
    #[error("the token is too large")]
    TooLarge,
    /// Not a compact JWS: not exactly three non-empty base64url parts, or not
    /// strict unpadded base64url (RFC 7515 §7.1).
    #[error("the token is not a well-formed compact JWS")]
    Malformed,
    /// The JOSE header is not a JSON object of the expected member types.
    #[error("the token header is malformed")]
    MalformedHeader,
    /// `typ` is missing or not `at+jwt` / `application/at+jwt` (C62).
    #[error("the token is not an at+jwt access token")]
    WrongType,
    /// `alg` is missing, `none`, or not an algorithm this crate verifies (C52, C63).
    #[error("the token signing algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// The header has a `crit` member: no JWS extension is understood here
    /// (RFC 7515 §4.1.11).
    #[error("the token uses critical header parameters that are not understood")]
    CriticalHeader,
    /// `kid` is missing or names no configured key (C63). Keys named by `jwk`,
    /// `jku`, `x5u` or `x5c` headers are never used.
    #[error("the token signing key is unknown")]
    UnknownKey,
    /// `alg` differs from the algorithm of the key `kid` names: an algorithm
    /// confusion attempt, such as HS256 with a public key as the secret.
    #[error("the token algorithm does not match its key")]
    AlgorithmMismatch,
    /// The signature does not verify.
    #[error("the token signature is invalid")]
    InvalidSignature,
    /// The payload is not a JSON object of claims of the expected types.
    #[error("the token claims are malformed")]
    MalformedClaims,
    /// A claim RFC 9068 §2.2 requires is missing or empty (C54): one of `iss`,
    /// `sub`, `aud`, `client_id`, `iat`, `exp`, `jti`.
    #[error("the token lacks the required claim {0}")]
    MissingClaim(&'static str),
    /// `iss` is not exactly the configured issuer (C63).
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// `aud` names none of this resource's identifiers (C63, C119, C120).
    #[error("the token is not intended for this resource")]
    WrongAudience,
    /// `exp` has passed, leeway included (C63).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is still ahead, leeway included.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `iat` is ahead of the clock by more than the leeway.
    #[error("the token was issued in the future")]
    IssuedInFuture,
    /// The token has been revoked (C92).
    #[error("the token has been revoked")]
    Revoked,
    /// The revocation store failed, so the token cannot be shown to be live:
    /// refused (fail closed).
    #[error("the token revocation status could not be checked")]
    RevocationUnavailable,
    /// The issuer's keys could not be fetched and the last set fetched is
    /// older than its maximum age (or none was ever fetched): refused (fail
    /// closed).
    #[error("the issuer's signing keys are unavailable")]
    KeysUnavailable,
    /// The DPoP proof or the token's binding to it was refused (RFC 9449 §7,
    /// C112).
    #[error("{0}")]
    Dpop(DpopError),
}

impl ValidationError {
    /// The error code of the challenge: `invalid_token` (RFC 6750 §3.1), or
    /// `invalid_dpop_proof` for a refused DPoP proof (RFC 9449 §7.1).
    pub const fn error_code(self) -> &'static str {
        match self {
            Self::Dpop(error) if error.is_proof_error() => "invalid_dpop_proof",
            _ => "invalid_token",
        }
    }

    /// The HTTP status: always 401 (RFC 6750 §3.1, C119).
    pub const fn status(self) -> u16 {
        401
    }

    /// The `error_description`: fixed text of `NQSCHAR`s, never an echo of the
    /// token.
    pub const fn error_description(self) -> &'static str {
        match self {
            Self::TooLarge => "the token is too large",
            Self::Malformed => "the token is not a well-formed compact JWS",
            Self::MalformedHeader => "the token header is malformed",
            Self::WrongType => "the token is not an at+jwt access token",
            Self::UnsupportedAlgorithm => "the token signing algorithm is not accepted",
            Self::CriticalHeader => "the token uses critical header parameters",
            Self::UnknownKey => "the token signing key is unknown",
            Self::AlgorithmMismatch => "the token algorithm does not match its key",
            Self::InvalidSignature => "the token signature is invalid",
            Self::MalformedClaims => "the token claims are malformed",
            Self::MissingClaim(_) => "the token lacks a required claim",
            Self::WrongIssuer => "the token was issued by another issuer",
            Self::WrongAudience => "the token is not intended for this resource",
            Self::Expired => "the token has expired",
            Self::NotYetValid => "the token is not valid yet",
            Self::IssuedInFuture => "the token was issued in the future",
            Self::Revoked => "the token has been revoked",
            Self::RevocationUnavailable => "the token revocation status could not be checked",
            Self::KeysUnavailable => "the issuer signing keys are unavailable",
            Self::Dpop(error) => error.error_description(),
        }
    }
}

/// Why a DPoP proof (RFC 9449), or a token's binding to one, was refused.
///
/// No variant holds any part of the proof or the token.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DpopError {
    /// The request carries no `DPoP` header where one is required: the
    /// client is registered with `dpop_bound_access_tokens` (C108), or the
    /// token is DPoP-bound (C112).
    #[error("the request carries no DPoP proof")]
    Missing,
    /// More than one `DPoP` header, or one that is not visible ASCII (C102).
    #[error("the request carries more than one DPoP header")]
    Repeated,
    /// Not one compact JWS of base64url JSON parts, or too large (C102).
    #[error("the DPoP proof is not a well-formed JWT")]
    Malformed,
    /// `typ` is not `dpop+jwt` (C103).
    #[error("the DPoP proof typ is not dpop+jwt")]
    WrongType,
    /// `alg` is missing, `none`, symmetric, or not accepted (C103, C110).
    #[error("the DPoP proof algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// The header has a `crit` member, which no extension here understands.
    #[error("the DPoP proof uses critical header parameters")]
    CriticalHeader,
    /// `jwk` is missing, or is not a usable public key for `alg` (C103).
    #[error("the DPoP proof jwk is missing or unusable")]
    InvalidKey,
    /// `jwk` holds private key members (C103).
    #[error("the DPoP proof jwk holds a private key")]
    PrivateKey,
    /// The signature does not verify with the `jwk` (C103).
    #[error("the DPoP proof signature is invalid")]
    InvalidSignature,
    /// A required claim (`jti`, `htm`, `htu`, `iat`) is missing or empty (C102).
    #[error("the DPoP proof lacks the claim {0}")]
    MissingClaim(&'static str),
    /// `htm` is not the request's method (C104).
    #[error("the DPoP proof htm does not match the request method")]
    WrongMethod,
    /// `htu` is not the request's URI, after normalisation (C104).
    #[error("the DPoP proof htu does not match the request URI")]
    WrongUri,
    /// `iat` is older than the accepted window (C105).
    #[error("the DPoP proof is too old")]
    Stale,
    /// `iat` is ahead of the clock beyond the leeway (C105).
    #[error("the DPoP proof was issued in the future")]
    IssuedInFuture,
    /// The proof's `jti` was seen before (C105).
    #[error("the DPoP proof was already used")]
    Replayed,
    /// The proof lacks the server nonce it must carry (C106).
    #[error("the DPoP proof lacks a server nonce")]
    NonceRequired,
    /// The proof's nonce is not one this server issued recently (C106).
    #[error("the DPoP proof nonce is not current")]
    WrongNonce,
    /// `ath` is missing or is not the hash of the access token (C112).
    #[error("the DPoP proof ath does not match the access token")]
    WrongAth,
    /// `content_digest` is missing or does not match the body (MCP DPoP
    /// profile).
    #[error("the DPoP proof content_digest does not match the body")]
    WrongContentDigest,
    /// The proof's key is not the key the token is bound to (`cnf.jkt`, C112).
    #[error("the DPoP proof key is not the key the token is bound to")]
    KeyMismatch,
    /// A DPoP-bound token was presented as a bearer token (RFC 9449 §7.2, C112).
    #[error("a DPoP-bound token was presented as a bearer token")]
    BoundTokenAsBearer,
    /// A token without `cnf.jkt` was presented with the `DPoP` scheme.
    #[error("the token is not DPoP-bound")]
    TokenNotBound,
    /// This resource accepts DPoP-bound tokens only.
    #[error("this resource requires a DPoP-bound token")]
    BearerNotAccepted,
    /// The replay guard failed, so the proof cannot be shown to be fresh:
    /// refused (fail closed).
    #[error("the DPoP proof replay check could not be made")]
    ReplayUnavailable,
}

impl DpopError {
    /// Whether the client should retry with the nonce of the `DPoP-Nonce`
    /// header (`use_dpop_nonce`, RFC 9449 §8).
    pub const fn needs_nonce(self) -> bool {
        matches!(self, Self::NonceRequired | Self::WrongNonce)
    }

    /// Whether the proof itself was refused (`invalid_dpop_proof`), rather
    /// than the token or its binding (`invalid_token`).
    pub const fn is_proof_error(self) -> bool {
        !matches!(
            self,
            Self::KeyMismatch
                | Self::BoundTokenAsBearer
                | Self::TokenNotBound
                | Self::BearerNotAccepted
        )
    }

    /// The `error_description`: fixed text, never an echo of the proof.
    pub const fn error_description(self) -> &'static str {
        match self {
            Self::Missing => "a DPoP proof is required",
            Self::Repeated => "exactly one DPoP header is required",
            Self::Malformed => "the DPoP proof is not a well-formed JWT",
            Self::WrongType => "the DPoP proof typ must be dpop+jwt",
            Self::UnsupportedAlgorithm => "the DPoP proof algorithm is not accepted",
            Self::CriticalHeader => "the DPoP proof uses critical header parameters",
            Self::InvalidKey => "the DPoP proof jwk is missing or unusable",
            Self::PrivateKey => "the DPoP proof jwk must be a public key",
            Self::InvalidSignature => "the DPoP proof signature is invalid",
            Self::MissingClaim(_) => "the DPoP proof lacks a required claim",
            Self::WrongMethod => "the DPoP proof htm does not match the request",
            Self::WrongUri => "the DPoP proof htu does not match the request",
            Self::Stale => "the DPoP proof is too old",
            Self::IssuedInFuture => "the DPoP proof was issued in the future",
            Self::Replayed => "the DPoP proof was already used",
            Self::NonceRequired => "a DPoP nonce is required",
            Self::WrongNonce => "the DPoP nonce is not current",
            Self::WrongAth => "the DPoP proof ath does not match the access token",
            Self::WrongContentDigest => "the DPoP proof content_digest does not match the body",
            Self::KeyMismatch => "the DPoP proof key does not match the token binding",
            Self::BoundTokenAsBearer => "a DPoP-bound token must be sent with the DPoP scheme",
            Self::TokenNotBound => "the token is not DPoP-bound",
            Self::BearerNotAccepted => "this resource requires a DPoP-bound token",
            Self::ReplayUnavailable => "the DPoP proof replay check could not be made",
        }
    }
}

/// A configuration value was refused while building clients, keys or the issuer.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The issuer identifier must be an `https` URL without query or fragment (C77).
    #[error("invalid issuer identifier {0:?}: an https URL without query or fragment is required")]
    InvalidIssuer(String),
    /// An endpoint URL must be `https` and without fragment (C6).
    #[error("invalid endpoint URL {0:?}: an https URL without fragment is required")]
    InvalidEndpoint(String),
    /// A scope must be a non-empty run of `NQCHAR` (C32).
    #[error("invalid scope {0:?}: scopes are non-empty and hold no space, '\"' or '\\'")]
    InvalidScope(String),
    /// An audience must be an absolute URI without fragment (C65, C66).
    #[error("invalid audience {0:?}: an absolute URI without fragment is required")]
    InvalidAudience(String),
    /// A client id must be non-empty printable ASCII (`VSCHAR`, C31).
    #[error("invalid client id {0:?}: printable ASCII (VSCHAR) is required")]
    InvalidClientId(String),
    /// A credential id must be non-empty printable ASCII.
    #[error("invalid credential id {0:?}: printable ASCII is required")]
    InvalidCredentialId(String),
    /// A stored secret hash could not be read.
    #[error("invalid secret hash: {0}")]
    InvalidSecretHash(&'static str),
    /// A secret is too short to be stored with the fast hash; use PBKDF2.
    #[error(
        "secret too short for the fast hash ({0} bytes; at least 32 required): use SecretHash::pbkdf2"
    )]
    WeakSecret(usize),
    /// A key could not be loaded.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// Two keys share one `kid`.
    #[error("duplicate key id {0:?}")]
    DuplicateKeyId(String),
    /// An extra claim would set a registered claim (RFC 7519 §4.1, RFC 9068
    /// §2.2), which only the issuer writes.
    #[error(
        "the claim {0:?} is registered (RFC 7519, RFC 9068) and cannot be set as an extra claim"
    )]
    ReservedClaim(String),
    /// Something else in the configuration is inconsistent.
    #[error("invalid configuration: {0}")]
    Invalid(&'static str),
}

/// A failure of a user's storage backend, kept opaque: it is logged by the user's
/// code if they wish, and never reaches the wire (the client sees `server_error`).
#[derive(Clone, Debug)]
pub struct StoreError(Arc<dyn StdError + Send + Sync>);

impl StoreError {
    /// Wraps a backend error.
    pub fn new(error: impl StdError + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// A backend error from a message.
    pub fn msg(message: impl Into<String>) -> Self {
        #[derive(Debug)]
        struct Msg(String);
        impl fmt::Display for Msg {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl StdError for Msg {}
        Self::new(Msg(message.into()))
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store error: {}", self.0)
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// The name of an enum variant from its `Debug` form, without its fields
/// (`RepeatedParameter("scope")` is `RepeatedParameter`): a metric label.
#[cfg(feature = "metrics")]
pub(crate) fn variant_name(value: &impl fmt::Debug) -> String {
    let mut name = format!("{value:?}");
    if let Some(open) = name.find('(') {
        name.truncate(open);
    }
    name
}

#[cfg(test)]
mod tests;
