//! Compact JWS (RFC 7515 §7.1), as access tokens and client assertions both
//! arrive: splitting into three base64url parts within size limits, the JOSE
//! header read once, and JSON objects read the one strict way.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny};

/// Longest base64url header of an access token (768 bytes decoded).
pub(crate) const MAX_HEADER_B64: usize = 1024;
/// Longest base64url header of a client assertion (3 KiB decoded), which may
/// carry members this crate ignores, such as `x5t` or `x5c`.
pub(crate) const MAX_ASSERTION_HEADER_B64: usize = 4096;
/// Longest base64url signature: an RSA-8192 signature, 1024 bytes.
pub(crate) const MAX_SIGNATURE_B64: usize = 1366;

/// A buffer fitting base64's conservative estimate for `n` input characters.
pub(crate) const fn decode_buffer_len(n: usize) -> usize {
    n.div_ceil(4) * 3
}

/// The three parts of a compact JWS, still base64url-encoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CompactJws<'a> {
    /// `header.payload`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    pub(crate) header_b64: &'a str,
    pub(crate) payload_b64: &'a str,
    /// Empty only for an unsecured JWS (`alg` `none`), which callers refuse.
    pub(crate) signature_b64: &'a str,
}

impl<'a> CompactJws<'a> {
    /// Splits `compact` into exactly three parts: a non-empty header of at most
    /// `max_header_b64` characters, a non-empty payload and a signature of at
    /// most [`MAX_SIGNATURE_B64`] characters. Nothing is decoded yet.
    pub(crate) fn split(compact: &'a str, max_header_b64: usize) -> Option<Self> {
        let (header_b64, rest) = compact.split_once('.')?;
        let (payload_b64, signature_b64) = rest.split_once('.')?;
        if header_b64.is_empty()
            || payload_b64.is_empty()
            || signature_b64.contains('.')
            || header_b64.len() > max_header_b64
            || signature_b64.len() > MAX_SIGNATURE_B64
        {
            return None;
        }
        Some(Self {
            signing_input: &compact[..header_b64.len() + 1 + payload_b64.len()],
            header_b64,
            payload_b64,
            signature_b64,
        })
    }
}

/// Decodes one base64url part into `buf` (strict: no padding, no stray
/// bits, nothing but the alphabet), without allocating; `None` when it is not
/// base64url or does not fit.
pub(crate) fn decode_into<'b>(part_b64: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let len = URL_SAFE_NO_PAD.decode_slice(part_b64, buf).ok()?;
    Some(&buf[..len])
}

/// The JOSE header members this crate reads (RFC 7515 §4.1). The rest (`jwk`,
/// `jku`, `x5u`, `x5c`, …) are ignored, never trusted: a key named by a token
/// itself never verifies it. Duplicate members are refused by serde.
#[derive(Debug, Deserialize)]
pub(crate) struct JoseHeader<'a> {
    #[serde(borrow, default)]
    pub(crate) alg: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) typ: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) kid: Option<Cow<'a, str>>,
    /// Whether `crit` is present, whatever its value: this crate understands no
    /// extension, so any `crit` (even `null`, which RFC 7515 §4.1.11 does not
    /// allow, or `[]`, which it forbids) means the header cannot be accepted.
    #[serde(default, deserialize_with = "present")]
    pub(crate) crit: bool,
}

/// `true` for any value, `null` included: serde calls this only for a member
/// that is there.
impl<'a> JoseHeader<'a> {
    /// Reads a decoded header, which must be one JSON object.
    pub(crate) fn read(json: &'a [u8]) -> Option<Self> {
        json_object(json)
    }
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// Whether the `typ` header names the media type `application/{subtype}`,
/// with or without its `application/` prefix (RFC 7515 §4.1.9), in any case:
/// media types are case-insensitive.
pub(crate) fn is_media_type(typ: &str, subtype: &str) -> bool {
    let typ = typ.as_bytes();
    let given = match typ.split_at_checked(12) {
        Some((prefix, rest)) if prefix.eq_ignore_ascii_case(b"application/") => rest,
        _ => typ,
    };
    given.eq_ignore_ascii_case(subtype.as_bytes())
}

/// A JSON object (never an array, which serde would also read into a struct).
/// JSON is UTF-8 (RFC 8259 §8.1): checked once for the whole text, not string
/// by string as `serde_json::from_slice` would.
pub(crate) fn json_object<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.trim_ascii_start().as_bytes().first() != Some(&b'{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests;
