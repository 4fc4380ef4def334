use super::*;
use crate::jose::confirmation::Confirmation;

fn audiences(values: &[&str]) -> Vec<Audience> {
    values.iter().map(|v| Audience::new(*v).unwrap()).collect()
}

fn mint_claims<'a>(aud: &'a [Audience]) -> MintClaims<'a> {
    MintClaims {
        iss: "https://as.example.com",
        sub: "c1",
        aud,
        client_id: "c1",
        iat: UnixTime::from_secs(1_700_000_000),
        exp: UnixTime::from_secs(1_700_000_300),
        jti: "j1",
        scope: Some("mcp:read mcp:write"),
        credential_id: Some("sec-1"),
        cnf: None,
    }
}

fn to_json(claims: &MintClaims<'_>) -> String {
    let mut out = Vec::new();
    claims.write_json(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn written_exactly_as_serde_json_writes_access_token_claims() {
    // Ids and `jti`s may hold anything JSON escapes; `iss` (a URI) and
    // `scope` (scope tokens) cannot by their types.
    let odd = "q\"b\\s/\u{1}\u{1f}\u{7f}\u{e9}\n";
    let iss = "https://as.example.com/t?x=1";
    for aud in [
        audiences(&["https://a.example.com/"]),
        audiences(&["https://a.example.com/", "urn:b"]),
    ] {
        for (scope, credential_id, cnf) in [
            (None, None, None),
            (
                Some("a:b! c#"),
                Some(odd),
                Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
            ),
        ] {
            let claims = MintClaims {
                iss,
                sub: odd,
                aud: &aud,
                client_id: odd,
                iat: UnixTime::from_secs(0),
                exp: UnixTime::from_secs(u64::MAX),
                jti: odd,
                scope,
                credential_id,
                cnf,
            };
            let owned = AccessTokenClaims {
                iss: iss.into(),
                sub: odd.into(),
                aud: aud.iter().map(|a| a.as_str().to_owned()).collect(),
                client_id: odd.into(),
                iat: claims.iat,
                exp: claims.exp,
                jti: odd.into(),
                scope: scope.map(str::to_owned),
                credential_id: credential_id.map(str::to_owned),
                cnf: cnf.map(Confirmation::dpop),
            };
            assert_eq!(to_json(&claims), serde_json::to_string(&owned).unwrap());
        }
    }
}

#[test]
fn c54_members_in_fixed_order_with_one_audience_as_a_string() {
    let aud = audiences(&["https://mcp.example.com/mcp"]);
    let json = to_json(&mint_claims(&aud));
    assert_eq!(
        json,
        r#"{"iss":"https://as.example.com","sub":"c1","aud":"https://mcp.example.com/mcp","client_id":"c1","iat":1700000000,"exp":1700000300,"jti":"j1","scope":"mcp:read mcp:write","credential_id":"sec-1"}"#
    );
}

#[test]
fn several_audiences_are_an_array_and_absent_options_are_omitted() {
    let aud = audiences(&["https://a.example.com/", "https://b.example.com/"]);
    let claims = MintClaims {
        scope: None,
        credential_id: None,
        cnf: None,
        ..mint_claims(&aud)
    };
    let json = to_json(&claims);
    assert!(json.contains(r#""aud":["https://a.example.com/","https://b.example.com/"]"#));
    assert!(!json.contains("scope"));
    assert!(!json.contains("credential_id"));
}

#[test]
fn access_token_claims_read_what_mint_claims_write() {
    let aud = audiences(&["https://mcp.example.com/mcp"]);
    let json = to_json(&mint_claims(&aud));
    let claims: AccessTokenClaims = serde_json::from_str(&json).unwrap();
    assert_eq!(claims.aud, ["https://mcp.example.com/mcp"]);
    assert_eq!(claims.iat, UnixTime::from_secs(1_700_000_000));
    assert_eq!(claims.scope.as_deref(), Some("mcp:read mcp:write"));
    assert_eq!(claims.credential_id.as_deref(), Some("sec-1"));
    assert_eq!(serde_json::to_string(&claims).unwrap(), json);
}

#[test]
fn aud_is_read_as_string_or_array() {
    let base = r#""iss":"i","sub":"s","client_id":"c","iat":1,"exp":2,"jti":"j""#;
    let one: AccessTokenClaims =
        serde_json::from_str(&format!(r#"{{{base},"aud":"https://a/"}}"#)).unwrap();
    let two: AccessTokenClaims =
        serde_json::from_str(&format!(r#"{{{base},"aud":["https://a/","https://b/"]}}"#)).unwrap();
    assert_eq!(one.aud, ["https://a/"]);
    assert_eq!(two.aud, ["https://a/", "https://b/"]);
    assert_eq!(one.scope, None);
    assert!(
        serde_json::to_string(&two)
            .unwrap()
            .contains(r#""aud":["https://a/","https://b/"]"#)
    );
}

#[test]
fn c54_required_claims_are_required() {
    let full = r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":1,"exp":2,"jti":"j"}"#;
    assert!(serde_json::from_str::<AccessTokenClaims>(full).is_ok());
    for claim in ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"] {
        let mut value: serde_json::Value = serde_json::from_str(full).unwrap();
        value.as_object_mut().unwrap().remove(claim);
        assert!(
            serde_json::from_value::<AccessTokenClaims>(value).is_err(),
            "{claim} must be required"
        );
    }
}

#[test]
fn malformed_aud_and_dates_are_refused() {
    for bad in [
        r#"{"iss":"i","sub":"s","aud":1,"client_id":"c","iat":1,"exp":2,"jti":"j"}"#,
        r#"{"iss":"i","sub":"s","aud":[1],"client_id":"c","iat":1,"exp":2,"jti":"j"}"#,
        r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":-1,"exp":2,"jti":"j"}"#,
        r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":1,"exp":"2","jti":"j"}"#,
    ] {
        assert!(
            serde_json::from_str::<AccessTokenClaims>(bad).is_err(),
            "{bad}"
        );
    }
}

fn received(json: &str) -> Result<(AccessTokenClaims, CheckedClaims), &'static str> {
    serde_json::from_str::<ReceivedClaims>(json)
        .expect("well-formed claims")
        .into_claims()
}

#[test]
fn received_claims_name_the_first_missing_or_empty_required_claim() {
    let aud = audiences(&["https://mcp.example.com/mcp"]);
    let json = to_json(&mint_claims(&aud));
    let (claims, checked) = received(&json).unwrap();
    assert_eq!(serde_json::to_string(&claims).unwrap(), json);
    assert_eq!(checked.nbf, None);
    let full: serde_json::Value = serde_json::from_str(&json).unwrap();
    for claim in ["iss", "sub", "aud", "client_id", "iat", "exp", "jti"] {
        let mut value = full.clone();
        value.as_object_mut().unwrap().remove(claim);
        assert_eq!(received(&value.to_string()).unwrap_err(), claim);
    }
    for (claim, empty) in [
        ("iss", serde_json::json!("")),
        ("sub", serde_json::json!("")),
        ("aud", serde_json::json!([])),
        ("client_id", serde_json::json!(null)),
        ("jti", serde_json::json!("")),
    ] {
        let mut value = full.clone();
        value[claim] = empty;
        assert_eq!(received(&value.to_string()).unwrap_err(), claim);
    }
}

#[test]
fn received_claims_keep_optional_and_checked_claims() {
    let (claims, checked) = received(
        r#"{"iss":"i","sub":"s","aud":["a","b"],"client_id":"c","iat":1,"exp":2,"jti":"j","scope":null,"nbf":5}"#,
    )
    .unwrap();
    assert_eq!(claims.aud, ["a", "b"]);
    assert_eq!(claims.scope, None);
    assert_eq!(claims.credential_id, None);
    assert_eq!(checked.nbf, Some(UnixTime::from_secs(5)));
    for bad in [
        r#"{"nbf":null}"#,
        r#"{"aud":null}"#,
        r#"{"iat":1.5}"#,
        r#"{"scope":["a"]}"#,
        r#"{"jti":"a","jti":"b"}"#,
    ] {
        assert!(
            serde_json::from_str::<ReceivedClaims>(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn text_claims_read_null_as_absent_like_an_option() {
    let with_null = r#"{"iss":"i","sub":"s","aud":"a","client_id":"c","iat":1,"exp":2,"jti":"j","credential_id":null}"#;
    let claims: AccessTokenClaims = serde_json::from_str(with_null).unwrap();
    assert_eq!(claims.credential_id, None);
    assert!(!serde_json::to_string(&claims).unwrap().contains("null"));
}
