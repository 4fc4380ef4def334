use super::*;

fn aud(s: &str) -> Audience {
    Audience::new(s).unwrap()
}

#[test]
fn c65_c66_not_absolute_or_with_fragment_is_refused() {
    for bad in [
        "mcp.example.com",
        "/mcp",
        "https://mcp.example.com/mcp#frag",
        "",
        "https://exa mple.com",
        "https://ex\u{e4}mple.com",
    ] {
        assert!(Audience::new(bad).is_err(), "{bad:?} must be refused");
    }
    assert!(Audience::new("urn:example:resource").is_ok());
}

#[test]
fn c73_scheme_and_host_case_and_trailing_slash() {
    let registered = aud("https://mcp.example.com/mcp");
    assert!(aud("HTTPS://MCP.EXAMPLE.COM/mcp").matches(&registered));
    assert!(aud("https://mcp.example.com:443/mcp").matches(&registered));
    assert!(!aud("https://mcp.example.com/MCP").matches(&registered));
    assert!(aud("https://mcp.example.com/").matches(&aud("https://mcp.example.com")));
    assert!(!aud("https://mcp.example.com/mcp/").matches(&registered));
}

#[test]
fn c67_query_must_match_exactly() {
    let registered = aud("https://mcp.example.com/mcp?tenant=a");
    assert!(aud("https://mcp.example.com/mcp?tenant=a").matches(&registered));
    assert!(!aud("https://mcp.example.com/mcp?tenant=b").matches(&registered));
    assert!(!aud("https://mcp.example.com/mcp").matches(&registered));
    assert!(aud("https://h?x=1").matches(&aud("https://h/?x=1")));
}
