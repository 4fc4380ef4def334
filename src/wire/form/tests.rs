use super::*;

/// The form decoding as `serde_urlencoded` does it, with replaced invalid UTF-8
/// refused: what the one-pass decoder must agree with.
fn reference_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    std::str::from_utf8(body).ok()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let lossy = pairs
        .iter()
        .any(|(k, v)| k.contains('\u{FFFD}') || v.contains('\u{FFFD}'));
    (!lossy).then_some(pairs)
}

fn owned_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    FormPairs::new(body)?
        .map(|pair| pair.map(|(k, v)| (k.into_owned(), v.into_owned())))
        .collect::<Result<_, _>>()
        .ok()
}

#[test]
fn form_decoding_agrees_with_serde_urlencoded() {
    let samples: [&[u8]; 14] = [
        b"",
        b"&&a=1&&b=&=c&d",
        b"a=1=2&b==",
        b"scope=mcp%3Aread+mcp%3awrite&x=%",
        b"x=%2&y=%zz&z=%%41&w=%+A&v=a+%2B+b",
        b"x=%C3%A9&y=\xC3\xA9",
        b"x=%FF",
        b"x=%C3",
        b"x=%EF%BF%BD",
        b"x=\xEF\xBF\xBD",
        b"\xFF=1",
        b"%41%42=%43",
        b"+=+",
        b"a=b;c=d",
    ];
    for body in samples {
        assert_eq!(owned_pairs(body), reference_pairs(body), "{body:?}");
    }
}

proptest::proptest! {
    #[test]
    fn form_decoding_agrees_with_serde_urlencoded_on_any_body(
        body in proptest::collection::vec(
            proptest::sample::select(b"ab=&+%2fFzC3\xC3\xA9\xFF\xEF\xBF\xBD".to_vec()),
            0..40,
        )
    ) {
        proptest::prop_assert_eq!(owned_pairs(&body), reference_pairs(&body));
    }
}
