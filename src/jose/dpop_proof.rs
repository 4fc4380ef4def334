//! DPoP proofs (RFC 9449 §4): checking a proof JWT against the request it
//! came with, for the token endpoint and resource servers alike.
//!
//! A proof is verified with the key in its own `jwk` header, which the rules
//! of the `jwk` module vet like any other public key; what the proof proves
//! is possession of that key, whose RFC 7638 thumbprint a bound token names
//! in `cnf.jkt`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::Jwk;
use ring::digest;
use serde::Deserialize;
use subtle::ConstantTimeEq as _;

use crate::jose::algorithm::Algorithm;
use crate::jose::dpop_nonce::DpopNonces;
use crate::jose::jwk::{PublicKey, read_jwk, refuse_private_members};
use crate::jose::jws::{
    self, CompactJws, MAX_ASSERTION_HEADER_B64, MAX_SIGNATURE_B64, decode_buffer_len,
};
use crate::jose::numeric_date;
use crate::vocab::error::{ConfigError, DpopError};
use crate::vocab::time::{MAX_LEEWAY, UnixTime, ceil_secs};
use crate::vocab::url::htu_normal_form;

/// The longest proof read: a proof with an RSA-8192 `jwk` is under 4 KiB.
pub const MAX_DPOP_PROOF_BYTES: usize = 8 * 1024;

/// The algorithms a DPoP proof may use: every asymmetric algorithm this
/// crate verifies (RFC 9449 §4.3 item 5; never `none` nor HS256, C103).
pub const DPOP_ALGORITHMS: [Algorithm; 5] = [
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
    Algorithm::RS256,
    Algorithm::PS256,
];

/// How DPoP proofs are judged, at the token endpoint or a resource server.
///
/// Start from [`Default`] (or [`DpopConfig::mcp`]) and change fields:
///
/// ```
/// use std::time::Duration;
/// use client_credentials::jose::{DpopConfig, DpopNonces};
///
/// let mut dpop = DpopConfig::default();
/// dpop.max_age = Duration::from_secs(30);
/// dpop.nonces = Some(DpopNonces::new(&[7; 32], Duration::from_secs(300))?);
/// # Ok::<(), client_credentials::ConfigError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct DpopConfig {
    /// The accepted proof algorithms, advertised as
    /// `dpop_signing_alg_values_supported` (C110) and in the `algs` of a
    /// `DPoP` challenge; asymmetric only. By default [`DPOP_ALGORITHMS`].
    pub algorithms: Vec<Algorithm>,
    /// How old a proof's `iat` may be (C105). By default 60 seconds.
    pub max_age: Duration,
    /// How far ahead of the clock a proof's `iat` may be. By default 60
    /// seconds; at most [`MAX_LEEWAY`].
    pub leeway: Duration,
    /// Server nonces (RFC 9449 §8, C106): when set, every proof must carry
    /// a current one. By default none.
    pub nonces: Option<DpopNonces>,
    /// Whether a proof must carry `content_digest`, the RFC 9530 SHA-256
    /// digest of the request body, as the MCP DPoP profile requires of
    /// proofs sent to MCP servers. Resource servers only; by default off.
    pub content_digest: bool,
}

impl Default for DpopConfig {
    fn default() -> Self {
        Self {
            algorithms: DPOP_ALGORITHMS.to_vec(),
            max_age: Duration::from_secs(60),
            leeway: Duration::from_secs(60),
            nonces: None,
            content_digest: false,
        }
    }
}

impl DpopConfig {
    /// The MCP DPoP profile for an MCP server: `content_digest` required and
    /// checked, `iat` within five minutes either way of the clock.
    pub fn mcp() -> Self {
        Self {
            max_age: Duration::from_secs(300),
            leeway: Duration::from_secs(300),
            content_digest: true,
            ..Self::default()
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] when no algorithm is accepted, a symmetric
    /// one is, `max_age` is zero, or `leeway` exceeds [`MAX_LEEWAY`].
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.algorithms.is_empty() {
            return Err(ConfigError::Invalid("DPoP needs at least one algorithm"));
        }
        if self.algorithms.iter().any(|alg| alg.is_symmetric()) {
            return Err(ConfigError::Invalid(
                "DPoP proofs are signed with asymmetric algorithms only",
            ));
        }
        if self.max_age.is_zero() {
            return Err(ConfigError::Invalid("the DPoP max_age must not be zero"));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::Invalid(
                "the DPoP leeway may not exceed MAX_LEEWAY",
            ));
        }
        Ok(())
    }

    /// The accepted algorithms in the order metadata lists them.
    pub(crate) fn algorithm_names(&self) -> Vec<&'static str> {
        Algorithm::ALL
            .into_iter()
            .filter(|alg| self.algorithms.contains(alg))
            .map(Algorithm::as_str)
            .collect()
    }

    /// Verifies `proof` for a request described by `request` at `now`: every
    /// check of RFC 9449 §4.3 that needs no state. Recording the `jti`
    /// (item 12) is the caller's, through a
    /// [`ReplayGuard`](crate::ReplayGuard) with
    /// [`VerifiedDpopProof::replay_key`].
    ///
    /// # Errors
    /// The [`DpopError`] of the first check that fails.
    pub(crate) fn verify(
        &self,
        proof: &str,
        request: &ProofRequest<'_>,
        now: UnixTime,
    ) -> Result<VerifiedDpopProof, DpopError> {
        if proof.len() > MAX_DPOP_PROOF_BYTES {
            return Err(DpopError::Malformed);
        }
        let jws = CompactJws::split(proof, MAX_ASSERTION_HEADER_B64)
            .filter(|jws| !jws.signature_b64.is_empty())
            .ok_or(DpopError::Malformed)?;

        // The header (C103), then the signature with the proof's own key. A
        // client sends the same header with every proof: the last one read on
        // this thread is kept, checked, with its key and thumbprint.
        let mut signature = [0u8; decode_buffer_len(MAX_SIGNATURE_B64)];
        let signature =
            jws::decode_into(jws.signature_b64, &mut signature).ok_or(DpopError::Malformed)?;
        let thumbprint = LAST_HEADER.with_borrow_mut(|last| {
            let cached = last
                .as_ref()
                .is_some_and(|h| h.header_b64 == jws.header_b64);
            if !cached {
                *last = Some(self.check_header(jws.header_b64)?);
            }
            let header = last.as_ref().ok_or(DpopError::Malformed)?;
            if !self.algorithms.contains(&header.alg) {
                return Err(DpopError::UnsupportedAlgorithm);
            }
            if !header
                .key
                .verify(header.alg, jws.signing_input.as_bytes(), signature)
            {
                return Err(DpopError::InvalidSignature);
            }
            Ok(header.thumbprint.clone())
        })?;

        // The claims (C102, C104, C105, C106).
        let payload = URL_SAFE_NO_PAD
            .decode(jws.payload_b64)
            .map_err(|_| DpopError::Malformed)?;
        let claims: ProofClaims<'_> = jws::json_object(&payload).ok_or(DpopError::Malformed)?;
        let jti = present(claims.jti, "jti")?;
        let htm = present(claims.htm, "htm")?;
        let htu = present(claims.htu, "htu")?;
        let iat = claims.iat.ok_or(DpopError::MissingClaim("iat"))?;
        if htm != request.method {
            return Err(DpopError::WrongMethod);
        }
        // A normal form is its own normal form: most clients send it as is.
        if htu != request.htu && htu_normal_form(&htu).is_none_or(|htu| htu != request.htu) {
            return Err(DpopError::WrongUri);
        }
        let max_age = ceil_secs(self.max_age);
        let leeway = ceil_secs(self.leeway);
        if iat.as_secs().saturating_add(max_age) < now.as_secs() {
            return Err(DpopError::Stale);
        }
        if iat.as_secs() > now.as_secs().saturating_add(leeway) {
            return Err(DpopError::IssuedInFuture);
        }
        if let Some(nonces) = &self.nonces {
            match claims.nonce.as_deref() {
                None | Some("") => return Err(DpopError::NonceRequired),
                Some(nonce) if !nonces.accepts(nonce, now) => return Err(DpopError::WrongNonce),
                Some(_) => {}
            }
        }

        // Resource servers: the token hash (C112) and the body digest.
        if let Some(token) = request.access_token {
            let expected = access_token_hash(token);
            let given = claims.ath.as_deref().unwrap_or("");
            if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
                return Err(DpopError::WrongAth);
            }
        }
        if self.content_digest {
            let body = request.body.unwrap_or_default();
            if !claims
                .content_digest
                .as_deref()
                .is_some_and(|digest| content_digest_matches(digest, body))
            {
                return Err(DpopError::WrongContentDigest);
            }
        }

        Ok(VerifiedDpopProof {
            replay_key: replay_key(&thumbprint, &jti),
            thumbprint,
            jti: jti.into_owned(),
            issued_at: iat,
            replay_until: UnixTime::from_secs(
                iat.as_secs().saturating_add(max_age).saturating_add(1),
            ),
        })
    }
}

impl DpopConfig {
    /// Reads and checks a proof's JOSE header: no `crit`, `typ` `dpop+jwt`,
    /// `alg` an accepted asymmetric algorithm, `jwk` a usable public key for
    /// it without private members (RFC 9449 §4.3 items 4–7).
    fn check_header(&self, header_b64: &str) -> Result<CheckedHeader, DpopError> {
        let header_json = URL_SAFE_NO_PAD
            .decode(header_b64)
            .map_err(|_| DpopError::Malformed)?;
        let header: ProofHeader<'_> = jws::json_object(&header_json).ok_or(DpopError::Malformed)?;
        if header.crit.is_some() {
            return Err(DpopError::CriticalHeader);
        }
        if !header
            .typ
            .as_deref()
            .is_some_and(|typ| jws::is_media_type(typ, "dpop+jwt"))
        {
            return Err(DpopError::WrongType);
        }
        let alg: Algorithm = header
            .alg
            .as_deref()
            .and_then(|alg| alg.parse().ok())
            .filter(|alg: &Algorithm| !alg.is_symmetric() && self.algorithms.contains(alg))
            .ok_or(DpopError::UnsupportedAlgorithm)?;
        let jwk_json = header.jwk.ok_or(DpopError::InvalidKey)?;
        refuse_private_members(&jwk_json).map_err(|_| DpopError::PrivateKey)?;
        let jwk: Jwk = serde_json::from_value(jwk_json).map_err(|_| DpopError::InvalidKey)?;
        let public = read_jwk(&jwk).map_err(|_| DpopError::InvalidKey)?;
        if !public.key.suits(alg) || public.declared.is_some_and(|declared| declared != alg) {
            return Err(DpopError::InvalidKey);
        }
        Ok(CheckedHeader {
            header_b64: header_b64.to_owned(),
            alg,
            thumbprint: public.key.thumbprint(),
            key: public.key,
        })
    }
}

/// A proof header that passed [`DpopConfig::check_header`]: everything
/// about it that does not depend on the configuration but its `alg`.
struct CheckedHeader {
    header_b64: String,
    alg: Algorithm,
    key: PublicKey,
    thumbprint: String,
}

thread_local! {
    /// The last proof header checked on this thread.
    static LAST_HEADER: RefCell<Option<CheckedHeader>> = const { RefCell::new(None) };
}

/// What a proof is checked against: the request's method and URI, and at a
/// resource server the access token and the body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProofRequest<'a> {
    /// The HTTP method, compared with `htm` exactly.
    pub(crate) method: &'a str,
    /// The request URI in [`htu_normal_form`].
    pub(crate) htu: &'a str,
    /// The access token presented with the proof (`ath`), if any.
    pub(crate) access_token: Option<&'a str>,
    /// The request body, for `content_digest`.
    pub(crate) body: Option<&'a [u8]>,
}

/// A DPoP proof that passed every stateless check of RFC 9449 §4.3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedDpopProof {
    thumbprint: String,
    jti: String,
    issued_at: UnixTime,
    replay_until: UnixTime,
    replay_key: String,
}

impl VerifiedDpopProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url: the
    /// `cnf.jkt` of a token bound to it (RFC 9449 §6.1).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The proof's `jti`.
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The proof's `iat`.
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }

    /// Until when the `jti` must be remembered: after it, the proof is too
    /// old to be accepted anyway.
    pub fn replay_until(&self) -> UnixTime {
        self.replay_until
    }

    /// The key under which a [`ReplayGuard`](crate::ReplayGuard) records the
    /// proof: a hash of the key's thumbprint and the `jti`, kept apart from
    /// the keys of client assertions (43 characters).
    pub fn replay_key(&self) -> &str {
        &self.replay_key
    }
}

/// `ath`: base64url of the SHA-256 of the access token's ASCII (RFC 9449 §4.2).
pub fn access_token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

/// The RFC 9530 `Content-Digest` form of `body`'s SHA-256: `sha-256=:…:`,
/// standard base64 with padding.
pub fn content_digest(body: &[u8]) -> String {
    format!(
        "sha-256=:{}:",
        STANDARD.encode(digest::digest(&digest::SHA256, body))
    )
}

/// Whether an RFC 9530 digest dictionary holds a `sha-256` member equal to
/// `body`'s digest. Other algorithms are ignored; without `sha-256`, no.
fn content_digest_matches(dictionary: &str, body: &[u8]) -> bool {
    // RFC 8941 §3.3.5: parsers SHOULD NOT fail when `=` padding is missing.
    const BYTE_SEQUENCE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let expected = digest::digest(&digest::SHA256, body);
    dictionary.split(',').any(|member| {
        let Some((name, value)) = member.trim_matches([' ', '\t']).split_once('=') else {
            return false;
        };
        let Some(value) = value.strip_prefix(':').and_then(|v| v.strip_suffix(':')) else {
            return false;
        };
        name.eq_ignore_ascii_case("sha-256")
            && BYTE_SEQUENCE
                .decode(value)
                .is_ok_and(|given| bool::from(given.ct_eq(expected.as_ref())))
    })
}

fn replay_key(thumbprint: &str, jti: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"dpop-proof\0");
    ctx.update(&(thumbprint.len() as u64).to_be_bytes());
    ctx.update(thumbprint.as_bytes());
    ctx.update(jti.as_bytes());
    URL_SAFE_NO_PAD.encode(ctx.finish())
}

/// A claim that must be present and not empty.
fn present<'a>(value: Option<Cow<'a, str>>, name: &'static str) -> Result<Cow<'a, str>, DpopError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or(DpopError::MissingClaim(name))
}

/// The JOSE header of a proof. Duplicate members are refused by serde.
#[derive(Deserialize)]
struct ProofHeader<'a> {
    #[serde(borrow, default)]
    alg: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    typ: Option<Cow<'a, str>>,
    #[serde(default)]
    jwk: Option<serde_json::Value>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

/// The claims of a proof (RFC 9449 §4.2), every one optional so a missing one
/// is named. Others are ignored.
#[derive(Deserialize)]
struct ProofClaims<'a> {
    #[serde(borrow, default)]
    jti: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    htm: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    htu: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "numeric_date::option_clamped")]
    iat: Option<UnixTime>,
    #[serde(borrow, default)]
    nonce: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ath: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    content_digest: Option<Cow<'a, str>>,
}

#[cfg(test)]
mod tests;
