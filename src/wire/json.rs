//! JSON values appended to a reused buffer on the hot path. `serde_json` writes
//! each value (its escaping, its integers); the object around them is written
//! by the caller, member by member, without building values or a serializer
//! for the whole.

/// Appends `value` as a JSON string.
///
/// Token claims are URLs, ids, scopes and base64url: almost never anything to
/// escape. One branch-free scan finds that out and the bytes are copied as
/// they are; anything else goes through `serde_json`'s escaping.
pub(crate) fn push_str(out: &mut Vec<u8>, value: &str) {
    if needs_no_escape(value.as_bytes()) {
        push_unescaped_str(out, value);
    } else {
        serde_json::to_writer(out, value).expect("writing to a Vec cannot fail");
    }
}

/// Appends `value`, which by its type holds nothing JSON escapes, as a JSON
/// string: a URI (RFC 3986 §2 admits no control, `"` or `\`) or scope tokens
/// (`NQCHAR` excludes them too). Skips even the check of [`push_str`].
pub(crate) fn push_unescaped_str(out: &mut Vec<u8>, value: &str) {
    debug_assert!(
        needs_no_escape(value.as_bytes()),
        "{value:?} needs escaping"
    );
    out.reserve(value.len() + 2);
    out.push(b'"');
    out.extend_from_slice(value.as_bytes());
    out.push(b'"');
}

/// Whether a JSON string of `bytes` is the bytes themselves between quotes:
/// no control character, `"` or `\` (RFC 8259 §7). UTF-8 above U+007F is
/// written as it is, as `serde_json` writes it.
///
/// Eight bytes at a time: claim values are a few dozen bytes, too short for
/// a vectorised loop to start and too long for a byte at a time.
fn needs_no_escape(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    let mut found = 0;
    for chunk in &mut chunks {
        found |= escape_bits(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
    }
    let tail_plain = chunks.remainder().iter().fold(true, |plain, &b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    found == 0 && tail_plain
}

/// Non-zero when any of the eight bytes in `x` is below 0x20, `"` or `\`.
fn escape_bits(x: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    // `v - ONES * n` borrows into a byte's high bit when that byte is below
    // `n`; `& !v` drops bytes that had it set already (0x80 and above). A
    // borrow can only mark bytes above a true hit, so "any" is exact.
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & (ONES << 7);
    below(x, 0x20)
        | below(x ^ (ONES * u64::from(b'"')), 1)
        | below(x ^ (ONES * u64::from(b'\\')), 1)
}

/// Appends `value` as a JSON integer.
pub(crate) fn push_u64(out: &mut Vec<u8>, value: u64) {
    serde_json::to_writer(out, &value).expect("writing to a Vec cannot fail");
}

#[cfg(test)]
mod tests;
