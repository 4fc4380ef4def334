use super::*;

#[test]
fn every_registered_claim_is_refused_as_an_extra_claim() {
    for name in [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "nbf",
        "jti",
        "client_id",
        "scope",
        "auth_time",
        "acr",
        "amr",
        "cnf",
        "act",
        "active",
        "token_type",
        "credential_id",
    ] {
        let refused = ExtraClaims::new().with(name, "x").unwrap_err();
        assert!(
            matches!(&refused, ConfigError::ReservedClaim(n) if n == name),
            "{name}: {refused}"
        );
        assert!(refused.to_string().contains("registered"), "{refused}");
    }
}

#[test]
fn names_are_printable_ascii_without_quotes() {
    for bad in ["", "a b", "a\"b", "a\\b", "é", "a\nb", &"n".repeat(257)] {
        assert!(ExtraClaims::new().with(bad, &1).is_err(), "{bad:?}");
    }
    assert!(
        ExtraClaims::new()
            .with("https://example.com/tenant", &1)
            .is_ok()
    );
}

#[test]
fn values_are_json_in_insertion_order_and_replaced_by_name() {
    let mut claims = ExtraClaims::new()
        .with("tenant", "acme")
        .unwrap()
        .with("runs", &[1, 2])
        .unwrap();
    claims.insert("tenant", "globex").unwrap();
    assert_eq!(claims.len(), 2);
    assert_eq!(
        claims.rendered_members(),
        r#","tenant":"globex","runs":[1,2]"#
    );
    assert_eq!(claims.to_string(), r#"{"tenant":"globex","runs":[1,2]}"#);
    assert_eq!(claims.get::<Vec<u32>>("runs").unwrap(), Some(vec![1, 2]));
    assert_eq!(claims.get::<String>("absent").unwrap(), None);
    assert_eq!(
        claims.get::<u32>("tenant"),
        Err(ValidationError::MalformedClaims)
    );
    assert_eq!(
        serde_json::to_value(&claims).unwrap(),
        serde_json::json!({"tenant": "globex", "runs": [1, 2]})
    );
    assert_eq!(ExtraClaims::new().to_string(), "{}");
}

#[test]
fn control_characters_in_values_are_escaped() {
    let claims = ExtraClaims::new().with("run", "a\nb\u{1b}").unwrap();
    assert_eq!(claims.json("run"), Some(r#""a\nb\u001b""#));
}

#[test]
fn the_size_is_capped() {
    let big = "x".repeat(MAX_EXTRA_CLAIMS_BYTES);
    assert!(ExtraClaims::new().with("big", &big).is_err());
    let mut claims = ExtraClaims::new().with("a", &"x".repeat(1500)).unwrap();
    let other = ExtraClaims::new().with("b", &"y".repeat(1000)).unwrap();
    assert!(claims.extend_from(&other).is_err());
    assert_eq!(
        claims.len(),
        1,
        "a refused change leaves the claims as they were"
    );
}

#[test]
fn received_claims_keep_the_unregistered_members_only() {
    let payload =
        br#"{"iss":"https://as","sub":"c1","tenant":"acme","cnf":{"jkt":"x"},"n":[1,{"a":null}]}"#;
    let extra = ExtraClaims::from_payload(payload).unwrap();
    assert_eq!(extra.to_string(), r#"{"tenant":"acme","n":[1,{"a":null}]}"#);
    assert!(ExtraClaims::from_payload(br#"{"t":1,"t":2}"#).is_none());
    assert!(ExtraClaims::from_payload(b"[1]").is_none());
    assert!(ExtraClaims::from_payload(br#"{"a":1} x"#).is_none());
}

/// A payload is JSON, so UTF-8, throughout: also in the registered claims the
/// reader skips unread, and in their nested members.
#[test]
fn extra_claims_reader_refuses_a_payload_not_in_utf8_where_it_skips() {
    assert!(ExtraClaims::from_payload(b"{\"sub\":\"a\xf6\",\"t\":1}").is_none());
    assert!(ExtraClaims::from_payload(b"{\"cnf\":{\"jt\":\"x\x8f\"},\"t\":1}").is_none());
    assert!(ExtraClaims::from_payload(b"{\"t\":\"\xff\"}").is_none());
    let extra = ExtraClaims::from_payload("{\"sub\":\"é\",\"t\":\"☃\"}".as_bytes()).unwrap();
    assert_eq!(extra.json("t"), Some("\"☃\""));
}

/// A number is read as the nearest `f64` to its text, so its value does not
/// move when the claims are written and read again.
#[test]
fn received_extra_claims_keep_numbers_exactly() {
    for text in [
        "118446744073709551616",
        "1.1844674407370955e20",
        "0.1",
        "2.2250738585072014e-308",
    ] {
        let payload = format!(r#"{{"n":{text}}}"#);
        let extra = ExtraClaims::from_payload(payload.as_bytes()).unwrap();
        let exact: f64 = text.parse().unwrap();
        assert_eq!(extra.get::<f64>("n").unwrap(), Some(exact), "{text}");
        let again = ExtraClaims::from_payload(extra.to_string().as_bytes()).unwrap();
        assert_eq!(again, extra, "{text}");
    }
}
