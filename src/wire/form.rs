//! `application/x-www-form-urlencoded` bodies (RFC 6749 Appendix B), decoded
//! one pair at a time.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::vocab::error::Reason;

/// One decoded name/value pair of a form body, borrowed where nothing was escaped.
pub(crate) type FormPair<'b> = (Cow<'b, str>, Cow<'b, str>);

/// The name/value pairs of a form body, decoded one at a time as they are
/// read, borrowing every name and value that holds no escape.
///
/// It reads bodies as the WHATWG URL standard's `application/x-www-form-urlencoded`
/// parser does: pairs split on `&` (empty ones skipped), the name ends at the
/// first `=`; escapes are decoded by `percent-encoding`. `serde_urlencoded`
/// reads them alike (the tests check it) but costs about 2,000 more
/// instructions per token request, 6% of a whole HS256 issuance.
pub(crate) struct FormPairs<'b> {
    rest: &'b str,
}

impl<'b> FormPairs<'b> {
    /// The pairs of `body`; `None` when it is not UTF-8.
    pub(crate) fn new(body: &'b [u8]) -> Option<Self> {
        Some(Self {
            rest: std::str::from_utf8(body).ok()?,
        })
    }
}

impl<'b> Iterator for FormPairs<'b> {
    /// A pair, or [`Reason::MalformedBody`] for one that is not UTF-8 once
    /// decoded.
    type Item = Result<FormPair<'b>, Reason>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (pair, next) = split_at_byte(self.rest, b'&').unwrap_or((self.rest, ""));
            self.rest = next;
            if pair.is_empty() {
                continue;
            }
            let (name, value) = split_at_byte(pair, b'=').unwrap_or((pair, ""));
            // Most pairs are plain ASCII: one scan clears both halves.
            if is_plain_ascii(pair) {
                return Some(Ok((Cow::Borrowed(name), Cow::Borrowed(value))));
            }
            return Some(match (form_value(name), form_value(value)) {
                (Some(name), Some(value)) => Ok((name, value)),
                (name, value) => {
                    // The half that decoded may be a secret.
                    name.into_iter().chain(value).for_each(wipe);
                    Err(Reason::MalformedBody)
                }
            });
        }
    }
}

/// ASCII without `+` or `%`: form-urldecoding leaves it as it is, and it cannot
/// hold U+FFFD. `is_ascii` and `memchr2` scan a word or a vector at a time,
/// several times faster than a loop over bytes even on short values.
pub(crate) fn is_plain_ascii(s: &str) -> bool {
    s.is_ascii() && memchr::memchr2(b'+', b'%', s.as_bytes()).is_none()
}

/// `s.split_once(byte)` for an ASCII `byte`, found by `memchr`.
pub(crate) fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = memchr::memchr(byte, s.as_bytes())?;
    // An ASCII byte is always a character boundary.
    Some((&s[..at], &s[at + 1..]))
}

/// One decoded form name or value. U+FFFD is refused, escaped or not: decoders
/// that replace invalid UTF-8 with it would read such a value differently (C2).
fn form_value(raw: &str) -> Option<Cow<'_, str>> {
    let value = form_urldecode(raw)?;
    if value.is_ascii() || !value.contains('\u{FFFD}') {
        Some(value)
    } else {
        wipe(value);
        None
    }
}

/// Drops a decoded value, zeroizing it first if it was decoded into a buffer
/// of its own: a value refused or left unused may be a secret or an
/// assertion. A borrowed value is the caller's body, not this crate's buffer.
pub(crate) fn wipe(value: Cow<'_, str>) {
    if let Cow::Owned(mut owned) = value {
        zeroize::Zeroize::zeroize(&mut owned);
    }
}

/// Fills `slot` with `value`, refusing a parameter sent twice (C3).
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    name: &'static str,
    value: T,
) -> Result<(), Reason> {
    if slot.is_some() {
        return Err(Reason::RepeatedParameter(name));
    }
    *slot = Some(value);
    Ok(())
}

/// The `application/x-www-form-urlencoded` decoding of one value: `+` is a space,
/// `%XX` an octet; the result must be UTF-8. Borrowed when nothing is escaped.
pub(crate) fn form_urldecode(s: &str) -> Option<Cow<'_, str>> {
    if memchr::memchr2(b'+', b'%', s.as_bytes()).is_none() {
        return Some(Cow::Borrowed(s));
    }
    let mut bytes = Vec::with_capacity(s.len());
    if memchr::memchr(b'+', s.as_bytes()).is_some() {
        for (i, part) in s.split('+').enumerate() {
            if i > 0 {
                bytes.push(b' ');
            }
            bytes.extend(percent_decode_str(part));
        }
    } else {
        bytes.extend(percent_decode_str(s));
    }
    // The value may be a secret: leave no stray copy of it behind.
    String::from_utf8(bytes)
        .map_err(|e| zeroize::Zeroize::zeroize(&mut e.into_bytes()))
        .ok()
        .map(Cow::Owned)
}

#[cfg(test)]
mod tests;
