use super::*;

#[test]
fn c121_bearer_token_reads_the_header_only() {
    assert_eq!(
        bearer_token(Some("Bearer abc.def.ghi")),
        Some("abc.def.ghi")
    );
    assert_eq!(bearer_token(Some("bearer  abc ")), Some("abc"));
    assert_eq!(bearer_token(Some("BEARER\tabc")), Some("abc"));
    assert_eq!(bearer_token(Some("Bearer")), Some(""));
    assert_eq!(bearer_token(Some("Bearer ")), Some(""));
    assert_eq!(bearer_token(Some("Basic YTpi")), None);
    assert_eq!(bearer_token(Some("Bearerabc")), None);
    assert_eq!(bearer_token(Some("")), None);
    assert_eq!(bearer_token(None), None);
}

#[test]
fn c64_c118_a_missing_token_gets_no_error_code() {
    let c = BearerChallenge::missing_token()
        .scope("mcp:read")
        .resource_metadata("https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
    assert_eq!(c.status(), 401);
    assert_eq!(c.error(), None);
    assert_eq!(
        c.header_value(),
        r#"Bearer scope="mcp:read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#
    );
    let r = c.to_http();
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    assert_eq!(r.header("www-authenticate"), Some(&*c.header_value()));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(BearerChallenge::missing_token().header_value(), "Bearer");
}

#[test]
fn c64_an_invalid_token_gets_invalid_token() {
    let c = BearerChallenge::invalid_token(ValidationError::Expired).realm("mcp");
    assert_eq!(c.status(), 401);
    assert_eq!(
        c.header_value(),
        r#"Bearer realm="mcp", error="invalid_token", error_description="the token has expired""#
    );
    let r = c.to_http();
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(body["error_description"], "the token has expired");
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[test]
fn c122_a_lacking_scope_gets_403_naming_it() {
    let e = InsufficientScope::new("mcp:write");
    let c = BearerChallenge::insufficient_scope(&e).resource_metadata("https://r/.well-known/x");
    assert_eq!(
        (c.status(), c.error()),
        (403, Some(BearerError::InsufficientScope))
    );
    let h = c.header_value();
    assert!(
        h.starts_with(r#"Bearer error="insufficient_scope", "#),
        "{h}"
    );
    assert!(h.contains(r#"scope="mcp:write""#), "{h}");
    assert!(
        h.contains(r#"resource_metadata="https://r/.well-known/x""#),
        "{h}"
    );
    assert_eq!(c.to_http().status, 403);
    let c = BearerChallenge::invalid_request();
    assert_eq!(
        (c.status(), c.error().map(BearerError::as_str)),
        (400, Some("invalid_request"))
    );
}

/// Reads the parameters back as RFC 9110 §11.2 says a recipient would.
fn parse_params(header: &str) -> Vec<(String, String)> {
    let mut rest = header.strip_prefix("Bearer").unwrap().trim_start();
    let mut params = Vec::new();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").unwrap();
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().unwrap() {
                (_, '\\') => value.push(chars.next().unwrap().1),
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        params.push((name.to_owned(), value));
        rest = after[end + 1..].trim_start_matches(", ");
    }
    params
}

#[test]
fn quoted_strings_escape_and_stay_valid_header_values() {
    let hostile = "a\"b\\c\r\nInjected: yes\u{7f}é\t";
    let c = BearerChallenge::missing_token()
        .realm(hostile)
        .scope("x\"y");
    let h = c.header_value();
    assert!(
        h.bytes().all(|b| b == b' ' || (0x21..=0x7e).contains(&b)),
        "only visible ASCII and spaces: {h:?}"
    );
    let params = parse_params(&h);
    assert_eq!(
        params,
        [
            (
                "realm".to_owned(),
                "a\"b\\c%0D%0AInjected: yes%7F%C3%A9%09".to_owned()
            ),
            ("scope".to_owned(), "x\"y".to_owned()),
        ]
    );
}
