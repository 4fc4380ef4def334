use super::*;

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

fn token(header: &str, claims: &str) -> String {
    format!("{}.{}.{}", b64(header), b64(claims), b64("signature"))
}

#[test]
fn c141_one_compact_jws_with_json_parts_reads() {
    let t = token(
        r#"{"alg":"RS256","kid":"k1"}"#,
        r#"{"iss":"https://i","sub":"s"}"#,
    );
    let read = PlatformToken::read(&t, &[]).unwrap();
    assert_eq!(read.unverified_issuer(), Ok("https://i"));
    for bad in [
        String::new(),
        "a.b".to_owned(),
        format!("{t}.x"),
        format!("{t} {t}"),
        token(r#"{"kid":"k1"}"#, r#"{"iss":"https://i"}"#),
        token(r#"{"alg":"RS256"}"#, r#"["not","an","object"]"#),
        token(r#"{"alg":"RS256"}"#, "not json"),
        format!("{}.{}=.sig", b64(r#"{"alg":"RS256"}"#), b64("{}")),
        "x".repeat(MAX_PLATFORM_TOKEN_BYTES + 1),
    ] {
        assert_eq!(
            PlatformToken::read(&bad, &[]).err(),
            Some(GrantRefusal::Malformed),
            "{bad:.40}"
        );
    }
}

#[test]
fn c143_an_issuer_of_the_wrong_type_is_malformed_claims() {
    let t = token(r#"{"alg":"RS256"}"#, r#"{"iss":42}"#);
    let read = PlatformToken::read(&t, &[]).unwrap();
    assert_eq!(read.unverified_issuer(), Err(GrantRefusal::MalformedClaims));
    let t = token(r#"{"alg":"RS256"}"#, r#"{"sub":"s"}"#);
    let read = PlatformToken::read(&t, &[]).unwrap();
    assert_eq!(read.unverified_issuer(), Err(GrantRefusal::MissingClaim));
}

#[test]
fn numeric_dates_are_whole_non_negative_seconds() {
    let claims: Map<String, Value> =
        serde_json::from_str(r#"{"a":10,"b":10.9,"c":-1,"d":"10","e":null}"#).unwrap();
    assert_eq!(date_claim(&claims, "a"), Ok(Some(10)));
    assert_eq!(date_claim(&claims, "b"), Ok(Some(10)));
    assert_eq!(date_claim(&claims, "c"), Err(GrantRefusal::MalformedClaims));
    assert_eq!(date_claim(&claims, "d"), Err(GrantRefusal::MalformedClaims));
    assert_eq!(date_claim(&claims, "e"), Err(GrantRefusal::MalformedClaims));
    assert_eq!(date_claim(&claims, "missing"), Ok(None));
}

#[test]
fn platform_types_are_accepted_access_tokens_are_not() {
    for typ in [
        None,
        Some("JWT"),
        Some("jwt"),
        Some("JOSE"),
        Some("application/jwt"),
    ] {
        assert!(is_acceptable_type(typ), "{typ:?}");
    }
    for typ in [
        "at+jwt",
        "application/at+jwt",
        "client-authentication+jwt",
        "dpop+jwt",
    ] {
        assert!(!is_acceptable_type(Some(typ)), "{typ}");
    }
}

#[test]
fn only_registered_and_wanted_claims_are_kept() {
    let claims = r#"{"iss":"https://i","sub":"s","repository":"o/r","ref":"refs/heads/main",
        "kubernetes.io":{"namespace":"payments","pod":{"name":"p"}},"n":1,"ref":"refs/heads/dev"}"#;
    let t = token(r#"{"alg":"RS256"}"#, claims);
    let read = PlatformToken::read(&t, &["ref".to_owned()]).unwrap();
    let mut kept: Vec<&str> = read.claims.keys().map(String::as_str).collect();
    kept.sort_unstable();
    assert_eq!(kept, ["iss", "ref", "sub"]);
    // A member given twice reads as its last occurrence.
    assert_eq!(read.claims["ref"], "refs/heads/dev");
    // Escaped names are read too; trailing text is refused.
    let t = token(r#"{"alg":"RS256"}"#, r#"{"\u0069ss":"https://i"}"#);
    assert_eq!(
        PlatformToken::read(&t, &[]).unwrap().unverified_issuer(),
        Ok("https://i")
    );
    let t = token(r#"{"alg":"RS256"}"#, r#"{"iss":"https://i"} x"#);
    assert!(PlatformToken::read(&t, &[]).is_err());
}
