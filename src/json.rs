//! Compact JSON written straight into a reused buffer on the hot path, byte for
//! byte as `serde_json` writes it, without building values or going through
//! `io::Write`.

/// Appends `value` as a JSON string: quoted, with `"`, `\` and control characters
/// escaped exactly as `serde_json` escapes them, everything else as is.
pub(crate) fn push_str(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    // Most values (ids, scopes, URLs, base64) need no escaping: copy them whole.
    // The check has no early exit, so it compiles to a few vector instructions.
    let plain = bytes.iter().fold(true, |plain, &b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0C => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1F => "",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            push_unicode_escape(out, b);
        } else {
            out.extend_from_slice(escape.as_bytes());
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// `\u00XX` with lowercase hex, as `serde_json` writes other control characters.
fn push_unicode_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u00");
    out.push(HEX[usize::from(b >> 4)]);
    out.push(HEX[usize::from(b & 0x0F)]);
}

/// Appends `value` as a JSON integer.
pub(crate) fn push_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let samples = [
            "",
            "plain",
            "https://as.example.com/p?q=1",
            "quote\" backslash\\ slash/",
            "\u{0}\u{1}\u{7}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f}",
            "caf\u{e9} \u{1F600} \u{2028}",
            "\"\"\\\\",
        ];
        for sample in samples {
            let mut out = b"x".to_vec();
            push_str(&mut out, sample);
            let expected = serde_json::to_string(sample).unwrap();
            assert_eq!(&out[1..], expected.as_bytes(), "{sample:?}");
        }
    }

    #[test]
    fn every_ascii_byte_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..=0x7F {
            let sample = format!("a{}b", char::from(b));
            let mut out = Vec::new();
            push_str(&mut out, &sample);
            assert_eq!(out, serde_json::to_vec(&sample).unwrap(), "byte {b:#x}");
        }
    }

    #[test]
    fn integers() {
        for n in [0, 7, 1_700_000_000, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
