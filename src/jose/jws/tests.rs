use super::*;

fn b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

#[test]
fn three_parts_header_and_payload_non_empty() {
    let jws = CompactJws::split("aGVhZA.Ym9keQ.c2ln", MAX_HEADER_B64).unwrap();
    assert_eq!(jws.header_b64, "aGVhZA");
    assert_eq!(jws.payload_b64, "Ym9keQ");
    assert_eq!(jws.signature_b64, "c2ln");
    assert_eq!(jws.signing_input, "aGVhZA.Ym9keQ");
    // An unsecured JWS splits; its `alg` is refused later, by name.
    assert_eq!(
        CompactJws::split("aA.aA.", MAX_HEADER_B64)
            .unwrap()
            .signature_b64,
        ""
    );
    for bad in [
        "", ".", "..", "a.b", "a.b.c.d", "a.b.c.", ".b.c", "a..c", "a",
    ] {
        assert!(CompactJws::split(bad, MAX_HEADER_B64).is_none(), "{bad:?}");
    }
}

#[test]
fn header_and_signature_sizes_are_bounded() {
    let header = "A".repeat(MAX_HEADER_B64);
    let signature = "A".repeat(MAX_SIGNATURE_B64);
    assert!(CompactJws::split(&format!("{header}.p.{signature}"), MAX_HEADER_B64).is_some());
    assert!(CompactJws::split(&format!("{header}A.p.s"), MAX_HEADER_B64).is_none());
    assert!(CompactJws::split(&format!("{header}A.p.s"), MAX_ASSERTION_HEADER_B64).is_some());
    assert!(CompactJws::split(&format!("h.p.{signature}A"), MAX_ASSERTION_HEADER_B64).is_none());
}

#[test]
fn parts_decode_as_strict_base64url_without_allocating() {
    let mut buf = [0u8; decode_buffer_len(MAX_SIGNATURE_B64)];
    assert_eq!(decode_into("c2ln", &mut buf), Some(&b"sig"[..]));
    for bad in ["c2ln=", "c2l+", "c2l/", "c2l", "c 2ln"] {
        assert_eq!(decode_into(bad, &mut buf), None, "{bad:?}");
    }
    let mut small = [0u8; 2];
    assert_eq!(decode_into("c2ln", &mut small), None, "does not fit");
}

#[test]
fn the_header_is_read_once_with_crit_present_whatever_its_value() {
    let header =
        JoseHeader::read(br#"{"alg":"ES256","typ":"at+jwt","kid":"k","jwk":{"kty":"EC"}}"#)
            .unwrap();
    assert_eq!(header.alg.as_deref(), Some("ES256"));
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid.as_deref(), Some("k"));
    assert!(!header.crit);
    for crit in [r#"["exp"]"#, "[]", "null", r#""exp""#, "{}"] {
        let text = format!(r#"{{"alg":"ES256","crit":{crit}}}"#);
        assert!(
            JoseHeader::read(text.as_bytes()).unwrap().crit,
            "{crit}: RFC 7515 §4.1.11"
        );
    }
    assert!(JoseHeader::read(br#"{"alg":null}"#).unwrap().alg.is_none());
}

#[test]
fn a_header_is_one_json_object_without_duplicates() {
    for bad in [
        &br#"["ES256"]"#[..],
        b"not json",
        br#"{"alg":"ES256","alg":"none"}"#,
        br#"{"alg":1}"#,
        b"\xff",
        b"",
    ] {
        assert!(JoseHeader::read(bad).is_none(), "{bad:?}");
    }
    assert!(JoseHeader::read(b" \n{}").is_some());
    let header = b64(r#"{"alg":"EdDSA"}"#);
    let mut buf = [0u8; decode_buffer_len(MAX_HEADER_B64)];
    let json = decode_into(&header, &mut buf).unwrap();
    assert_eq!(
        JoseHeader::read(json).unwrap().alg.as_deref(),
        Some("EdDSA")
    );
}

#[test]
fn json_objects_only() {
    #[derive(Deserialize)]
    struct Any {}
    assert!(json_object::<Any>(b"{}").is_some());
    assert!(json_object::<Any>(b"[]").is_none());
    assert!(json_object::<Any>(b"{} x").is_none());
}

#[test]
fn media_types_with_or_without_application_in_any_case() {
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
    ] {
        assert!(is_media_type(typ, "at+jwt"), "{typ:?}");
    }
    for typ in [
        "",
        "jwt",
        "application/",
        "application/jwt",
        "application/at+jwtx",
        "applicatio\u{e9}/at+jwt",
        "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}at+jwt",
        "text/at+jwt",
    ] {
        assert!(!is_media_type(typ, "at+jwt"), "{typ:?}");
    }
}

proptest::proptest! {
    /// No input panics the splitter, the part decoder or the header reader.
    #[test]
    fn no_compact_input_panics(
        compact in "[A-Za-z0-9_=+/. -]{0,64}",
        json in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
    ) {
        for limit in [4, MAX_HEADER_B64, MAX_ASSERTION_HEADER_B64] {
            if let Some(jws) = CompactJws::split(&compact, limit) {
                proptest::prop_assert!(jws.signing_input.len() < compact.len());
                let mut buf = [0u8; decode_buffer_len(MAX_HEADER_B64)];
                if let Some(header) = decode_into(jws.header_b64, &mut buf) {
                    let _ = JoseHeader::read(header);
                }
            }
        }
        let _ = JoseHeader::read(&json);
    }
}
