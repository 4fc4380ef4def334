use super::*;
use proptest::prelude::*;

proptest! {
    /// The fast path writes exactly what `serde_json` writes.
    #[test]
    fn push_str_matches_serde_json(value in any::<String>()) {
        let mut out = Vec::new();
        push_str(&mut out, &value);
        prop_assert_eq!(out, serde_json::to_vec(&value).unwrap());
    }

    /// The same, with escapes at every position of the eight-byte chunks.
    #[test]
    fn push_str_matches_serde_json_near_escapes(value in "[a\"\\\\\u{0}-\u{1f}\u{7f}é ]{0,40}") {
        let mut out = Vec::new();
        push_str(&mut out, &value);
        prop_assert_eq!(out, serde_json::to_vec(&value).unwrap());
    }
}

#[test]
fn escapes_what_json_requires() {
    for (value, json) in [
        ("plain", r#""plain""#),
        ("a\"b", r#""a\"b""#),
        ("a\\b", r#""a\\b""#),
        ("a\u{1}b", r#""a\u0001b""#),
        ("tab\t", r#""tab\t""#),
        ("é\u{7f}", "\"é\u{7f}\""),
    ] {
        let mut out = Vec::new();
        push_str(&mut out, value);
        assert_eq!(String::from_utf8(out).unwrap(), json, "{value:?}");
    }
}
