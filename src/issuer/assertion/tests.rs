use super::*;

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

fn compact(header: &str, claims: &str) -> String {
    format!("{}.{}.{}", b64(header), b64(claims), b64("sig"))
}

#[test]
fn c50_typ_values() {
    for ok in [
        None,
        Some("JWT"),
        Some("jwt"),
        Some("application/jwt"),
        Some("client-authentication+jwt"),
        Some("Application/Client-Authentication+JWT"),
    ] {
        assert!(is_acceptable_type(ok), "{ok:?}");
    }
    for bad in [
        "at+jwt",
        "application/at+jwt",
        "dpop+jwt",
        "",
        "application/",
        "client-authentication",
        "JWS",
    ] {
        assert!(!is_acceptable_type(Some(bad)), "{bad:?}");
    }
}

#[test]
fn c41_c137_audience_rules() {
    let strict = AssertionSettings::default();
    let legacy = AssertionSettings {
        token_endpoint_audience: Some("https://as.example.com/token".into()),
        ..AssertionSettings::default()
    };
    let one = |s: &str| vec![s.to_owned()];
    let many = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let issuer = "https://as.example.com";
    for (aud, strict_ok, legacy_ok) in [
        (one("https://as.example.com"), true, true),
        (one("https://as.example.com/"), true, true),
        (one("https://as.example.com//"), false, false),
        (one("https://AS.example.com"), false, false),
        (one("https://as.example.com/token"), false, true),
        (one("https://evil.example"), false, false),
        (many(&["https://as.example.com"]), true, true),
        (
            many(&["https://as.example.com", "https://other"]),
            false,
            true,
        ),
        (many(&["https://other", "https://evil"]), false, false),
        (many(&[]), false, false),
    ] {
        assert_eq!(
            audience_names_us(Some(aud.as_slice()), issuer, &strict),
            strict_ok
        );
        assert_eq!(
            audience_names_us(Some(aud.as_slice()), issuer, &legacy),
            legacy_ok
        );
    }
    assert!(!audience_names_us(None, issuer, &legacy));
    // An issuer configured with a trailing slash accepts the bare form too.
    assert!(same_issuer(
        "https://as.example.com",
        "https://as.example.com/"
    ));
}

#[test]
fn c37_c47_only_one_compact_jws_parses() {
    let good = compact(r#"{"alg":"ES256"}"#, r#"{"sub":"cj"}"#);
    assert!(ClientAssertion::parse(good.clone()).is_ok());
    for bad in [
        format!("{good} {good}"),
        format!("{good},{good}"),
        format!("{good}.{good}"),
        good.replacen('.', "", 1),
        format!("{good}="),
        format!("{}.{}.", b64("not json"), b64("{}")),
        format!("{}.{}.", b64(r#"{"alg":"ES256"}"#), b64("[1]")),
        format!("{}.{}.", b64(r#"{"typ":"JWT"}"#), b64("{}")),
        format!("{}.{}.", b64(r#"{"alg":"ES256","alg":"none"}"#), b64("{}")),
        format!("{}.{}.", b64(r#"{"alg":"ES256"}"#), b64(r#"{"iss":1}"#)),
        format!(
            "{}.{}.",
            b64(r#"{"alg":"ES256"}"#),
            b64(r#"{"exp":"soon"}"#)
        ),
        format!("{}.{}.", b64(r#"{"alg":"ES256"}"#), b64(r#"{"aud":[1]}"#)),
        String::new(),
        "..".into(),
    ] {
        assert_eq!(
            ClientAssertion::parse(bad.clone()).unwrap_err(),
            Reason::MalformedAssertion,
            "{bad}"
        );
    }
}

#[test]
fn numeric_dates_round_down_and_clamp() {
    let a = ClientAssertion::parse(compact(
        r#"{"alg":"ES256"}"#,
        r#"{"exp":1700000000.9,"nbf":-5,"iat":1e30}"#,
    ))
    .unwrap();
    assert_eq!(a.claims.exp.unwrap().as_secs(), 1_700_000_000);
    assert_eq!(a.claims.nbf.unwrap().as_secs(), 0);
    assert_eq!(a.claims.iat.unwrap().as_secs(), u64::MAX);
}

#[test]
fn unverified_accessors_and_method() {
    let a = ClientAssertion::parse(compact(
        r#"{"alg":"HS256","kid":"k1"}"#,
        r#"{"iss":"cj","sub":"cj"}"#,
    ))
    .unwrap();
    assert_eq!(a.algorithm(), Some(Algorithm::HS256));
    assert_eq!(a.key_id(), Some("k1"));
    assert_eq!(a.unverified_subject(), Some("cj"));
    assert_eq!(a.method(), AuthMethod::ClientSecretJwt);
    let none =
        ClientAssertion::parse(format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64("{}"))).unwrap();
    assert_eq!(none.algorithm(), None);
    assert_eq!(none.method(), AuthMethod::PrivateKeyJwt);
}

#[test]
fn debug_never_shows_the_assertion() {
    let text = compact(r#"{"alg":"ES256"}"#, r#"{"sub":"secret-subject"}"#);
    let a = ClientAssertion::parse(text.clone()).unwrap();
    let debug = format!("{a:?}");
    assert!(!debug.contains(&text[..20]));
    assert!(!debug.contains("secret-subject"));
    assert!(debug.contains("redacted"));
}

#[test]
fn replay_keys_are_unambiguous_and_fixed_size() {
    let a = replay_key("a", "bc");
    let b = replay_key("ab", "c");
    assert_ne!(a, b);
    assert_eq!(a.len(), 43);
    assert_eq!(a, replay_key("a", "bc"));
    assert!(!a.contains("bc"));
}

#[test]
fn a_crit_header_is_refused_even_when_null() {
    use crate::jose::client_keys::JwtSecretCredential;
    use crate::vocab::ids::ClientId;
    use crate::vocab::secret::ClientSecret;

    let client = Client::builder(ClientId::new("cj").unwrap())
        .jwt_secret(
            JwtSecretCredential::new(CredentialId::new("j1").unwrap(), &ClientSecret::generate())
                .unwrap(),
        )
        .auth_methods([AuthMethod::ClientSecretJwt])
        .build()
        .unwrap();
    let claims = r#"{"iss":"cj","sub":"cj","aud":"https://as.example.com","exp":1000,"jti":"j"}"#;
    for crit in [r#"["exp"]"#, "null", "[]"] {
        let header = format!(r#"{{"alg":"HS256","crit":{crit}}}"#);
        let assertion = ClientAssertion::parse(compact(&header, claims)).unwrap();
        let verdict = verify_assertion(
            &assertion,
            &client,
            client.jwt_secret_keys(),
            "https://as.example.com",
            UnixTime::from_secs(900),
            &AssertionSettings::default(),
        );
        assert_eq!(
            verdict.unwrap_err(),
            Reason::AssertionCriticalHeader,
            "{crit}: RFC 7515 §4.1.11"
        );
    }
}

/// What an assertion is decoded into is wiped on drop, like its text.
#[test]
fn the_decoded_parts_are_zeroized_on_drop() {
    fn wiped<T: zeroize::ZeroizeOnDrop>(_: &T) {}
    let a = ClientAssertion::parse(compact(
        r#"{"alg":"ES256","kid":"k"}"#,
        r#"{"iss":"c","sub":"c","jti":"j"}"#,
    ))
    .unwrap();
    wiped(&a.compact);
    wiped(&*a.header);
    wiped(&*a.claims);
    wiped(&a.signature);
    assert_eq!(&a.signature[..], b"sig");
    assert_eq!(a.unverified_subject(), Some("c"));
}
