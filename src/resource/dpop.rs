//! DPoP at the resource server (RFC 9449 §7): a [`Validator`] configured
//! with [`ValidatorBuilder::dpop`](crate::resource::ValidatorBuilder::dpop)
//! checks `Authorization: DPoP` tokens with their proofs, and
//! [`Validator::authorize`] checks a whole request, Bearer or DPoP, for a
//! tower layer or any handler.

use crate::jose::algorithm::Algorithm;
use crate::jose::dpop_proof::ProofRequest;
use crate::resource::challenge::BearerChallenge;
use crate::resource::request::ResourceRequest;
use crate::resource::validator::{InsufficientScope, Validator, VerifiedToken};
use crate::store::replay::ReplayCheck;
use crate::store::revocation::RevocationStore;
use crate::vocab::error::{DpopError, ValidationError};
use crate::vocab::time::UnixTime;
use crate::vocab::url::htu_normal_form;

/// The scheme and token of an `Authorization` header.
enum Credentials<'a> {
    Bearer(&'a str),
    Dpop(&'a str),
    None,
}

fn credentials(authorization: Option<&str>) -> Credentials<'_> {
    let Some(value) = authorization else {
        return Credentials::None;
    };
    let value = value.trim_matches([' ', '\t']);
    let (scheme, token) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    let token = token.trim_matches([' ', '\t']);
    if scheme.eq_ignore_ascii_case("bearer") {
        Credentials::Bearer(token)
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Credentials::Dpop(token)
    } else {
        Credentials::None
    }
}

impl<R: RevocationStore> Validator<R> {
    /// Checks a DPoP-bound `token` (from `Authorization: DPoP <token>`) with
    /// the request's `DPoP` proof (RFC 9449 §7.1, C112): every check of
    /// [`validate`](Self::validate), then one `DPoP` header; the proof per
    /// RFC 9449 §4.3 with `htm` the request's method and `htu` its URI (or
    /// the configured [endpoint](crate::resource::ValidatorBuilder::dpop_endpoint)),
    /// `ath` the hash of `token`, `content_digest` the body's digest when
    /// the settings ask for it (MCP DPoP profile); the token's `cnf.jkt` the
    /// thumbprint of the proof's key; and the proof's `jti` unused, when a
    /// [replay guard](crate::resource::ValidatorBuilder::dpop_replay_guard)
    /// is set.
    ///
    /// # Errors
    /// The [`ValidationError`] of the first check that fails; DPoP refusals
    /// are [`ValidationError::Dpop`]. Without DPoP settings, every token is
    /// refused with [`DpopError::TokenNotBound`].
    pub async fn validate_dpop(
        &self,
        token: &str,
        request: &ResourceRequest<'_>,
        now: UnixTime,
    ) -> Result<VerifiedToken, ValidationError> {
        let dpop_error = ValidationError::Dpop;
        let Some(dpop) = &self.dpop else {
            return Err(dpop_error(DpopError::TokenNotBound));
        };
        let proof = match request.dpop_header() {
            (_, 0) => return Err(dpop_error(DpopError::Missing)),
            (Some(proof), 1) => proof,
            _ => return Err(dpop_error(DpopError::Repeated)),
        };
        let verified = self.validate_token(token, now).await?;
        let jkt = verified
            .dpop_thumbprint()
            .ok_or(dpop_error(DpopError::TokenNotBound))?;
        let request_htu;
        let htu = match &dpop.endpoint {
            Some(endpoint) => endpoint.as_str(),
            None => {
                request_htu =
                    htu_normal_form(request.uri()).ok_or(dpop_error(DpopError::WrongUri))?;
                request_htu.as_str()
            }
        };
        let target = ProofRequest {
            method: request.method(),
            htu,
            access_token: Some(token),
            body: request.body_bytes(),
        };
        let proof = dpop
            .config
            .verify(proof, &target, now)
            .map_err(dpop_error)?;
        if proof.thumbprint() != jkt {
            return Err(dpop_error(DpopError::KeyMismatch));
        }
        if let Some(guard) = &self.replay {
            match guard
                .first_use_boxed(
                    verified.client_id(),
                    proof.replay_key(),
                    proof.replay_until(),
                    now,
                )
                .await
            {
                Ok(ReplayCheck::FirstUse) => {}
                Ok(_) => return Err(dpop_error(DpopError::Replayed)),
                Err(_) => return Err(dpop_error(DpopError::ReplayUnavailable)),
            }
        }
        Ok(verified)
    }

    /// Checks a whole request, as a tower layer or a handler holds it:
    /// `Authorization: Bearer` through [`validate`](Self::validate) (refused
    /// when [DPoP is required](crate::resource::ValidatorBuilder::require_dpop)),
    /// `Authorization: DPoP` through [`validate_dpop`](Self::validate_dpop).
    ///
    /// # Errors
    /// The challenge to answer with, in the `DPoP` scheme with `algs` when
    /// DPoP is required or was used (RFC 9449 §7.1), else `Bearer`: 401
    /// without an error code when there is no token, `invalid_token` or
    /// `invalid_dpop_proof` when it was refused, 400 `invalid_request` for
    /// two `Authorization` headers. Add its `resource_metadata` (and the
    /// `scope` needed, for a missing token) before rendering it;
    /// [`BearerChallenge::validation_error`] tells why, for logs.
    pub async fn authorize(
        &self,
        request: &ResourceRequest<'_>,
        now: UnixTime,
    ) -> Result<VerifiedToken, BearerChallenge> {
        let Ok(authorization) = request.authorization_header() else {
            return Err(self.scheme(BearerChallenge::invalid_request(), false));
        };
        match credentials(authorization) {
            Credentials::Dpop(token) if self.dpop.is_some() => self
                .validate_dpop(token, request, now)
                .await
                .map_err(|e| self.scheme(BearerChallenge::invalid_token(e), true)),
            Credentials::Bearer(token) => {
                if self.dpop.as_ref().is_some_and(|d| d.required) {
                    let refused = ValidationError::Dpop(DpopError::BearerNotAccepted);
                    return Err(self.scheme(BearerChallenge::invalid_token(refused), true));
                }
                self.validate(token, now).await.map_err(|e| {
                    let bound = matches!(e, ValidationError::Dpop(_));
                    self.scheme(BearerChallenge::invalid_token(e), bound)
                })
            }
            _ => Err(self.scheme(BearerChallenge::missing_token(), false)),
        }
    }

    /// The challenge for a valid token that lacks a scope (403
    /// `insufficient_scope`), in the scheme the token was presented with.
    pub fn insufficient_scope(
        &self,
        token: &VerifiedToken,
        error: &InsufficientScope,
    ) -> BearerChallenge {
        self.scheme(
            BearerChallenge::insufficient_scope(error),
            token.dpop_thumbprint().is_some(),
        )
    }

    /// The DPoP proof algorithms accepted, when DPoP is configured: for
    /// [`ResourceMetadataBuilder::dpop_signing_algs`](crate::resource::ResourceMetadataBuilder::dpop_signing_algs).
    pub fn dpop_algorithms(&self) -> Option<&[Algorithm]> {
        self.dpop.as_ref().map(|d| &d.config.algorithms[..])
    }

    /// Whether only DPoP-bound tokens are accepted.
    pub fn requires_dpop(&self) -> bool {
        self.dpop.as_ref().is_some_and(|d| d.required)
    }

    /// `challenge` in the `DPoP` scheme when DPoP is required, or `dpop` and
    /// DPoP is configured.
    fn scheme(&self, challenge: BearerChallenge, dpop: bool) -> BearerChallenge {
        match &self.dpop {
            Some(d) if d.required || dpop => challenge.dpop(&d.config.algorithms),
            _ => challenge,
        }
    }
}
