//! Why a JWT-bearer grant (RFC 7523 §2.1) was refused: every cause is the one
//! `invalid_grant` on the wire (RFC 7523 §3.1), told apart only in audit
//! events and logs.

/// Why the platform token of a JWT-bearer grant was refused (C142).
///
/// Each variant is reported as `400 invalid_grant` with the same
/// `error_description`, so the answer does not tell a caller which check its
/// token failed. Like [`Reason`](crate::Reason), it never holds request data.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum GrantRefusal {
    /// `assertion` is not one compact JWS with base64url JSON parts, or is
    /// larger than any platform token.
    #[error("the assertion is not one well-formed JWT")]
    Malformed,
    /// The assertion's `iss` is no configured trusted issuer; nothing was
    /// fetched for it (C144).
    #[error("the assertion was issued by an issuer that is not trusted")]
    UntrustedIssuer,
    /// The trusted issuer's keys could not be had: its discovery document or
    /// JWK Set could not be fetched, or is not usable.
    #[error("the trusted issuer's keys are unavailable")]
    IssuerKeysUnavailable,
    /// `alg` is `none`.
    #[error("the assertion is unsigned (alg: none)")]
    Unsigned,
    /// `alg` is unknown, not accepted for this issuer, or not the algorithm of
    /// the key its `kid` names (algorithm confusion).
    #[error("the assertion's algorithm is not accepted for its key")]
    AlgorithmNotAllowed,
    /// `typ` names another kind of JWT, such as an access token's `at+jwt`.
    #[error("the assertion's typ names another kind of JWT")]
    TypeRefused,
    /// The header carries `crit`.
    #[error("the assertion carries a crit header")]
    CriticalHeader,
    /// No key of the issuer has the assertion's `kid`, even after a refresh.
    #[error("no key of the trusted issuer has the assertion's kid")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the assertion's signature does not verify")]
    BadSignature,
    /// A claim has the wrong JSON type (a `sub` that is a number, an `exp`
    /// that is text, …).
    #[error("a claim of the assertion has the wrong type")]
    MalformedClaims,
    /// `iss`, `sub`, `aud` or `exp` is missing (RFC 7523 §3, C143).
    #[error("the assertion lacks a required claim")]
    MissingClaim,
    /// `aud` does not contain the audience this issuer's tokens must name.
    #[error("the assertion's aud does not name this authorization server")]
    AudienceMismatch,
    /// `exp` has passed, beyond the leeway.
    #[error("the assertion has expired")]
    Expired,
    /// `nbf` or `iat` lies in the future, beyond the leeway.
    #[error("the assertion is not valid yet")]
    NotYetValid,
    /// The assertion lives longer than the issuer's maximum assertion
    /// lifetime (`exp` too far ahead, or `exp − iat` too long).
    #[error("the assertion lives longer than the maximum assertion lifetime")]
    LifetimeTooLong,
    /// No claim rule of the issuer matches the assertion's claims (C145).
    #[error("no claim rule matches the assertion")]
    NoMatchingRule,
    /// The request authenticated a client other than the one the matching
    /// rule names.
    #[error("the authenticated client is not the client of the matching rule")]
    ClientMismatch,
    /// The rule's logical client, or the rule (its `credential_id`), has
    /// been revoked: it gets no new token.
    #[error("the rule's client or the rule itself has been revoked")]
    Revoked,
    /// The matching rule requires a `jti` and the assertion has none.
    #[error("the assertion has no jti, so it cannot be held to one use")]
    MissingJti,
    /// The assertion was already used (C143).
    #[error("the assertion was already used")]
    Replayed,
    /// The rule's client holds its whole share of the replay guard.
    #[error("the rule's client holds its whole share of the replay guard")]
    ReplayQuotaExceeded,
}
