//! HTTP Basic client credentials (RFC 6749 §2.3.1): base64 of the
//! form-urlencoded id and secret.

use crate::vocab::error::Reason;
use crate::vocab::secret::ClientSecret;
use crate::wire::form::{form_urldecode, is_plain_ascii, split_at_byte};

/// Basic credentials up to this many bytes (an id and a generated secret with
/// room to spare) are decoded on the stack; longer ones on the heap.
const BASIC_STACK_BYTES: usize = 128;

/// Decodes `Basic <base64(urlencode(id):urlencode(secret))>` (RFC 6749 §2.3.1).
///
/// Returns `Ok(None)` for another scheme, which the caller refuses as an
/// unsupported authentication method.
pub(crate) fn decode_basic(header: &str) -> Result<Option<(String, ClientSecret)>, Reason> {
    let header = header.trim();
    let (scheme, credentials) = split_at_byte(header, b' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let unpadded =
        basic_base64_unpadded(credentials.trim()).ok_or(Reason::MalformedAuthorization)?;
    let decoded_len = unpadded.len() * 3 / 4;
    let decode = |out: &mut [u8]| {
        base64_simd::STANDARD_NO_PAD
            .decode(unpadded.as_bytes(), base64_simd::Out::from_slice(out))
            .map(|decoded| decoded.len())
            .map_err(|_| Reason::MalformedAuthorization)
    };
    if decoded_len <= BASIC_STACK_BYTES {
        let mut buffer = Wiped {
            bytes: [0; BASIC_STACK_BYTES],
            used: decoded_len,
        };
        let len = decode(&mut buffer.bytes[..decoded_len])?;
        split_basic(&buffer.bytes[..len]).map(Some)
    } else {
        let mut decoded = zeroize::Zeroizing::new(vec![0; decoded_len]);
        let len = decode(&mut decoded)?;
        split_basic(&decoded[..len]).map(Some)
    }
}

/// Standard base64 with its padding taken off, or `None` for more padding than
/// the length calls for. Padding is optional, and any part of it is accepted:
/// clients differ, and padding adds nothing. `base64-simd` then decodes, and
/// refuses anything but the standard alphabet and a length that is not a
/// base64 length.
fn basic_base64_unpadded(text: &str) -> Option<&str> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    // The canonical padding after 0, 1, 2 or 3 characters of a last quantum.
    let canonical = [0, 0, 2, 1][unpadded.len() % 4];
    (padding <= canonical).then_some(unpadded)
}

/// Decoded credentials on the stack, wiped on drop as far as they were written.
struct Wiped {
    bytes: [u8; BASIC_STACK_BYTES],
    used: usize,
}

impl Drop for Wiped {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes[..self.used]);
    }
}

/// `urlencode(id):urlencode(secret)`, decoded.
fn split_basic(decoded: &[u8]) -> Result<(String, ClientSecret), Reason> {
    let text = std::str::from_utf8(decoded).map_err(|_| Reason::MalformedAuthorization)?;
    let (id, secret) = split_at_byte(text, b':').ok_or(Reason::MalformedAuthorization)?;
    if is_plain_ascii(text) {
        return Ok((id.to_owned(), ClientSecret::new(secret)));
    }
    let id = form_urldecode(id).ok_or(Reason::MalformedAuthorization)?;
    let secret = form_urldecode(secret).ok_or(Reason::MalformedAuthorization)?;
    Ok((id.into_owned(), ClientSecret::new(secret.into_owned())))
}

#[cfg(test)]
mod tests;
