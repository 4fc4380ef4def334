use super::*;

fn audited(id: &str) -> (String, bool) {
    let a = AuditedClientId::new(id);
    (a.text.into_owned(), a.escaped)
}

#[test]
fn a_valid_short_id_is_carried_as_sent() {
    for id in [
        "c1",
        "svc:a b",
        r"back\slash",
        "\"quoted\"",
        &"x".repeat(256),
    ] {
        assert_eq!(audited(id), (id.to_owned(), false), "{id:?}");
    }
}

#[test]
fn control_characters_and_non_ascii_are_escaped_and_marked() {
    assert_eq!(
        audited("c1\nrefused client_id=admin"),
        (r"c1\x0arefused client_id=admin".to_owned(), true)
    );
    assert_eq!(
        audited("a\r\n\t\u{1b}[31m\\"),
        (r"a\x0d\x0a\x09\x1b[31m\\".to_owned(), true)
    );
    assert_eq!(
        audited("é\u{2028}"),
        (r"\xc3\xa9\xe2\x80\xa8".to_owned(), true)
    );
    assert_eq!(audited("\u{7f}"), (r"\x7f".to_owned(), true));
    assert_eq!(audited(""), (String::new(), true));
}

#[test]
fn a_long_id_is_cut_and_marked() {
    let long = "y".repeat(10_000);
    let (text, escaped) = audited(&long);
    assert!(escaped);
    assert_eq!(text, format!("{}...(10000 bytes)", "y".repeat(256)));
}

#[test]
fn every_rendering_is_printable_ascii_and_bounded() {
    let worst = "\u{0}".repeat(100_000);
    for id in [worst.as_str(), "\n", "ok", "\u{10ffff}"] {
        let (text, _) = audited(id);
        assert!(text.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{text:?}");
        assert!(text.len() <= 4 * MAX_AUDITED_CLIENT_ID_BYTES + 32);
    }
}
