//! RFC 9068 minting on the hot path: the header is pre-encoded per key, the claims
//! are serialised once into a reused buffer, and the token is signed once.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;

use ring::rand::SecureRandom as _;

use crate::jose::claims::MintClaims;
use crate::jose::keys::SigningKey;
use crate::vocab::error::{Reason, TokenError};
use crate::vocab::random::system_random;
use crate::wire::response::AccessTokenSlot;

/// Where token ids (`jti`, RFC 7519 §4.1.7) come from: injected, so tests and
/// golden vectors can fix them.
pub trait JtiSource: Send + Sync + fmt::Debug {
    /// A fresh `jti`, unique across every token this issuer and its replicas mint:
    /// revocation by `jti` relies on it.
    fn next_jti(&self) -> String;
}

/// Bytes of randomness in a [`RandomJti`]: 128 bits, so collisions never happen
/// in practice, even across replicas without coordination.
const RANDOM_JTI_BYTES: usize = 16;

/// The default [`JtiSource`]: 128 random bits from the operating system's CSPRNG,
/// as 22 base64url characters.
///
/// Randomness is fetched in batches per thread, so minting makes one `getrandom`
/// call per 256 tokens (4 KiB) instead of one per token: on a virtual
/// machine that call costs more than an HMAC signature. A `jti` is public (it is
/// in the token), so holding the next few in memory reveals nothing secret.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomJti;

/// How many `jti`s one refill of the per-thread random buffer yields.
const JTIS_PER_REFILL: usize = 256;

/// Random bytes waiting to become `jti`s, and how many are still unused.
struct JtiPool {
    bytes: [u8; RANDOM_JTI_BYTES * JTIS_PER_REFILL],
    left: usize,
}

thread_local! {
    static JTI_POOL: RefCell<JtiPool> = const {
        RefCell::new(JtiPool { bytes: [0; RANDOM_JTI_BYTES * JTIS_PER_REFILL], left: 0 })
    };
}

/// Characters of a [`RandomJti`]: 16 bytes in unpadded base64url.
pub(crate) const RANDOM_JTI_LEN: usize = 22;

impl RandomJti {
    /// Writes a fresh `jti` into `out` and returns it: the issuer's default
    /// path, which needs no allocation.
    ///
    /// # Panics
    /// Only if the operating system's random number generator fails.
    pub(crate) fn write(out: &mut [u8; RANDOM_JTI_LEN]) -> &str {
        JTI_POOL.with_borrow_mut(move |pool| {
            if pool.left == 0 {
                system_random()
                    .fill(&mut pool.bytes)
                    .expect("the operating system's CSPRNG failed");
                pool.left = JTIS_PER_REFILL;
            }
            pool.left -= 1;
            let start = pool.left * RANDOM_JTI_BYTES;
            let chunk = &mut pool.bytes[start..start + RANDOM_JTI_BYTES];
            let jti = base64_simd::URL_SAFE_NO_PAD
                .encode_as_str(chunk, base64_simd::Out::from_slice(out));
            // Used bytes are wiped so no two tokens can ever share them.
            chunk.fill(0);
            &*jti
        })
    }
}

impl JtiSource for RandomJti {
    /// # Panics
    /// Only if the operating system's random number generator fails.
    fn next_jti(&self) -> String {
        Self::write(&mut [0; RANDOM_JTI_LEN]).to_owned()
    }
}

/// Why a token could not be minted. The client only ever sees `server_error`
/// (or `invalid_target` for a missing audience).
#[derive(Debug, thiserror::Error)]
pub(crate) enum MintError {
    /// RFC 9068 §2.2 requires `aud`; a token without one must never leave (C58).
    #[error("a token needs at least one audience")]
    NoAudience,
    /// The signer failed.
    #[error("signing failed")]
    Signature,
}

impl From<ring::error::Unspecified> for MintError {
    fn from(_: ring::error::Unspecified) -> Self {
        Self::Signature
    }
}

impl From<MintError> for TokenError {
    fn from(error: MintError) -> Self {
        match error {
            MintError::NoAudience => Self::new(Reason::NoAudience),
            MintError::Signature => Self::new(Reason::SigningFailed),
        }
    }
}

/// A claims buffer larger than this is dropped after use rather than kept per thread.
const MAX_RETAINED_PAYLOAD: usize = 16 * 1024;

thread_local! {
    /// Reused per thread, so serialising the claims does not allocate.
    static PAYLOAD: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Mints a compact JWS access token: `header.payload.signature`, each part
/// base64url without padding (RFC 7515 §7.1).
#[cfg(test)]
pub(crate) fn mint(key: &SigningKey, claims: &MintClaims<'_>) -> Result<String, MintError> {
    let mut token = Vec::new();
    mint_into(key, claims, AccessTokenSlot::bare(&mut token))?;
    Ok(String::from_utf8(token).expect("a token is ASCII"))
}

/// Mints a token into `slot` (typically in a response body being written) and
/// returns where the token sits. The slot grows once; nothing else is
/// allocated. On error, the slot may hold part of a token.
#[cfg(test)]
pub(crate) fn mint_into(
    key: &SigningKey,
    claims: &MintClaims<'_>,
    slot: AccessTokenSlot<'_>,
) -> Result<Range<usize>, MintError> {
    mint_with_extra_into(key, claims, "", slot)
}

/// Mints a token with extra claims into `slot` (typically in a response
/// body being written) and returns where the token sits: `extra` holds
/// members written as `,"name":value`, appended after the registered claims
/// (empty for none). The slot grows once; nothing else is allocated. On
/// error, the slot may hold part of a token.
pub(crate) fn mint_with_extra_into(
    key: &SigningKey,
    claims: &MintClaims<'_>,
    extra: &str,
    slot: AccessTokenSlot<'_>,
) -> Result<Range<usize>, MintError> {
    if claims.aud.is_empty() {
        return Err(MintError::NoAudience);
    }
    PAYLOAD.with_borrow_mut(|payload| {
        payload.clear();
        claims.write_json(payload);
        if !extra.is_empty() {
            // `write_json` closed the object: reopen it for the extra members.
            payload.pop();
            payload.extend_from_slice(extra.as_bytes());
            payload.push(b'}');
        }
        let token = sign_into(key, payload, slot);
        if payload.capacity() > MAX_RETAINED_PAYLOAD {
            *payload = Vec::new();
        }
        token
    })
}

/// Opens `slot` for the whole token, appends `header.payload`, signs those
/// bytes where they lie, and appends `.signature`.
fn sign_into(
    key: &SigningKey,
    payload_json: &[u8],
    slot: AccessTokenSlot<'_>,
) -> Result<Range<usize>, MintError> {
    let header = key.header_prefix();
    let out = slot.open(
        header.len() + base64url_len(payload_json.len()) + 1 + base64url_len(key.signature_len()),
    );
    let start = out.len();
    out.extend_from_slice(header.as_bytes());
    encode_into(payload_json, out);
    let signature = key.sign(&out[start..])?;
    out.push(b'.');
    encode_into(signature.as_ref(), out);
    Ok(start..out.len())
}

/// Appends `bytes` in base64url without padding, encoded in place.
///
/// `base64-simd` encodes a token's claims several times faster than a scalar
/// encoder (it picks SSE or AVX2 at run time): with HS256 that is a tenth of
/// the whole issuance.
fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    base64_simd::URL_SAFE_NO_PAD.encode_append(bytes, out);
}

/// Length of unpadded base64 for `n` bytes.
const fn base64url_len(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

#[cfg(test)]
mod tests;
