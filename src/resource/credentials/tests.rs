use super::*;

fn head(headers: &[(&str, &str)]) -> Parts {
    let mut builder = http::Request::builder().method("POST").uri("/mcp");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap().into_parts().0
}

#[test]
fn c121_bearer_from_authorization_by_default() {
    let h = head(&[("authorization", "Bearer abc.def.ghi")]);
    let c = credentials(&h, &TokenLocation::default()).unwrap().unwrap();
    assert_eq!(c.scheme, Scheme::Bearer);
    assert_eq!(c.token, "abc.def.ghi");
    assert_eq!(c.method, "POST");
    assert_eq!(c.uri, "/mcp");
    let other = head(&[("authorization", "Basic Zm9vOmJhcg==")]);
    assert!(
        credentials(&other, &TokenLocation::default())
            .unwrap()
            .is_none()
    );
    assert!(
        credentials(&head(&[]), &TokenLocation::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn c121_a_configured_header_holds_the_token_alone() {
    let source = TokenLocation::Header(HeaderName::from_static("x-upstream-token"));
    let h = head(&[
        ("authorization", "Basic Zm9vOmJhcg=="),
        ("x-upstream-token", " abc.def.ghi "),
    ]);
    let c = credentials(&h, &source).unwrap().unwrap();
    assert_eq!(c.scheme, Scheme::ConfiguredHeader);
    assert_eq!(c.token, "abc.def.ghi");
    let only_authorization = head(&[("authorization", "Bearer abc.def.ghi")]);
    assert!(credentials(&only_authorization, &source).unwrap().is_none());
}

#[test]
fn an_empty_configured_header_carries_no_token() {
    let source = TokenLocation::Header(HeaderName::from_static("x-upstream-token"));
    for value in ["", " ", " \t "] {
        let h = head(&[("x-upstream-token", value)]);
        assert!(credentials(&h, &source).unwrap().is_none(), "{value:?}");
    }
}

#[test]
fn two_header_lines_are_a_malformed_request() {
    let h = head(&[
        ("authorization", "Bearer a.b.c"),
        ("authorization", "Bearer d.e.f"),
    ]);
    let refusal = credentials(&h, &TokenLocation::default()).unwrap_err();
    assert_eq!(refusal.status(), 400);
}

#[test]
fn debug_never_shows_the_token() {
    let h = head(&[("authorization", "Bearer secret-token-value")]);
    let c = credentials(&h, &TokenLocation::default()).unwrap().unwrap();
    assert!(!format!("{c:?}").contains("secret-token-value"));
}
