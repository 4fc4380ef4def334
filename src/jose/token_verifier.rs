//! The part of token validation that needs neither the audience nor the clock:
//! compact JWS syntax, the JOSE header, the signature, the claims and `iss`
//! (RFC 7515 §5.2, RFC 9068 §4). The resource server's [`Validator`] and the
//! issuer's revocation and introspection endpoints share it.
//!
//! [`Validator`]: crate::Validator

use std::cell::RefCell;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::jose::algorithm::Algorithm;
use crate::jose::claims::{AccessTokenClaims, ReceivedClaims};
use crate::jose::jws::{
    self, CompactJws, JoseHeader, MAX_HEADER_B64, MAX_SIGNATURE_B64, decode_buffer_len,
};
use crate::jose::verification_keys::{VerificationKey, VerificationKeys};
use crate::vocab::error::ValidationError;
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::time::UnixTime;

/// The default limit on a token's length: far above any token this crate mints
/// (an RS256-4096 token is under 1.5 KiB), far below anything that hurts.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The checks of one issuer's tokens that need neither the audience nor the
/// clock: syntax, header, signature, claims and `iss`. The [`Validator`](crate::Validator) and the
/// issuer's own revocation and introspection endpoints share it.
pub(crate) struct TokenVerifier {
    keys: VerificationKeys,
    issuer: String,
    max_token_bytes: usize,
    /// Whether [`SignedClaims::extra`] is read: a second pass over the
    /// payload, so only for those who asked.
    extra_claims: bool,
}

/// A decoded payload larger than this is dropped after use rather than kept per thread.
const MAX_RETAINED_PAYLOAD: usize = 16 * 1024;

thread_local! {
    /// Reused per thread, so decoding the payload does not allocate.
    static PAYLOAD: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl TokenVerifier {
    /// A verifier of `issuer`'s tokens signed by `keys`, up to `max_token_bytes`.
    pub(crate) fn new(keys: VerificationKeys, issuer: String, max_token_bytes: usize) -> Self {
        Self {
            keys,
            issuer,
            max_token_bytes,
            extra_claims: false,
        }
    }

    /// Makes [`verify`](Self::verify) read the extra claims too.
    #[must_use]
    pub(crate) fn reading_extra_claims(mut self, read: bool) -> Self {
        self.extra_claims = read;
        self
    }

    /// The issuer identifier `iss` must equal.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The keys signatures are checked with.
    pub(crate) fn keys(&self) -> &VerificationKeys {
        &self.keys
    }

    /// Steps 1 to 4 of [`Validator`](crate::Validator) without `aud` and times: is this a token
    /// this issuer signed, and what does it say?
    pub(crate) fn verify(&self, token: &str) -> Result<SignedClaims, ValidationError> {
        self.verify_with(&self.keys, token)
    }

    /// [`verify`](Self::verify) with `keys` in place of the verifier's own:
    /// for a key source that changes over time.
    pub(crate) fn verify_with(
        &self,
        keys: &VerificationKeys,
        token: &str,
    ) -> Result<SignedClaims, ValidationError> {
        if token.len() > self.max_token_bytes {
            return Err(ValidationError::TooLarge);
        }
        let jws = CompactJws::split(token, MAX_HEADER_B64)
            .filter(|jws| !jws.signature_b64.is_empty())
            .ok_or(ValidationError::Malformed)?;

        let key = match keys.find_by_known_header(jws.header_b64) {
            Some(key) => key,
            None => header_key(keys, jws.header_b64)?,
        };

        let mut signature = [0u8; decode_buffer_len(MAX_SIGNATURE_B64)];
        let signature = jws::decode_into(jws.signature_b64, &mut signature)
            .ok_or(ValidationError::Malformed)?;
        if !key.verify(jws.signing_input.as_bytes(), signature) {
            return Err(ValidationError::InvalidSignature);
        }

        let claims = PAYLOAD.with_borrow_mut(|buf| {
            buf.clear();
            let claims = URL_SAFE_NO_PAD
                .decode_vec(jws.payload_b64, buf)
                .map_err(|_| ValidationError::Malformed)
                .and_then(|()| {
                    let claims = jws::json_object::<ReceivedClaims>(buf)
                        .ok_or(ValidationError::MalformedClaims)?;
                    let extra = if self.extra_claims {
                        ExtraClaims::from_payload(buf).ok_or(ValidationError::MalformedClaims)?
                    } else {
                        ExtraClaims::new()
                    };
                    Ok((claims, extra))
                });
            if buf.capacity() > MAX_RETAINED_PAYLOAD {
                *buf = Vec::new();
            }
            claims
        })?;
        let (claims, extra) = claims;
        let mut signed = required_claims(claims)?;
        signed.extra = extra;
        if signed.claims.iss != self.issuer {
            return Err(ValidationError::WrongIssuer);
        }
        Ok(signed)
    }
}

/// Step 2 for a header other than the one this crate's issuer writes: decode
/// it, check `crit` and `typ`, and find the key its `kid` names, whose
/// algorithm must be its `alg`.
fn header_key<'k>(
    keys: &'k VerificationKeys,
    header_b64: &str,
) -> Result<&'k VerificationKey, ValidationError> {
    let mut header_buf = [0u8; decode_buffer_len(MAX_HEADER_B64)];
    let header_json =
        jws::decode_into(header_b64, &mut header_buf).ok_or(ValidationError::Malformed)?;
    let header = JoseHeader::read(header_json).ok_or(ValidationError::MalformedHeader)?;
    if header.crit {
        return Err(ValidationError::CriticalHeader);
    }
    if !header.typ.as_deref().is_some_and(is_access_token_type) {
        return Err(ValidationError::WrongType);
    }
    let alg: Algorithm = header
        .alg
        .as_deref()
        .and_then(|alg| alg.parse().ok())
        .ok_or(ValidationError::UnsupportedAlgorithm)?;
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.find(kid))
        .ok_or(ValidationError::UnknownKey)?;
    if key.algorithm() != alg {
        return Err(ValidationError::AlgorithmMismatch);
    }
    Ok(key)
}

/// `at+jwt` or `application/at+jwt`, in any case: media types are
/// case-insensitive (RFC 9068 §4, C62).
fn is_access_token_type(typ: &str) -> bool {
    jws::is_media_type(typ, "at+jwt")
}

/// The claims, once every required one is there and not empty.
fn required_claims(received: ReceivedClaims) -> Result<SignedClaims, ValidationError> {
    let (claims, checked) = received
        .into_claims()
        .map_err(ValidationError::MissingClaim)?;
    Ok(SignedClaims {
        claims,
        not_before: checked.nbf,
        extra: ExtraClaims::new(),
    })
}

/// The claims of a token whose signature and issuer checked out.
pub(crate) struct SignedClaims {
    pub(crate) claims: AccessTokenClaims,
    /// `nbf`, which tokens of this crate never carry but other issuers' may.
    not_before: Option<UnixTime>,
    /// The claims beside the registered ones, when the verifier reads them.
    pub(crate) extra: ExtraClaims,
}

impl SignedClaims {
    /// `exp`, `nbf` and `iat` against `now`, with `leeway` seconds each way.
    pub(crate) fn check_times(&self, now: UnixTime, leeway: u64) -> Result<(), ValidationError> {
        let now = now.as_secs();
        if now >= self.claims.exp.as_secs().saturating_add(leeway) {
            return Err(ValidationError::Expired);
        }
        let ahead = |t: UnixTime| now.saturating_add(leeway) < t.as_secs();
        if self.not_before.is_some_and(ahead) {
            return Err(ValidationError::NotYetValid);
        }
        if ahead(self.claims.iat) {
            return Err(ValidationError::IssuedInFuture);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
