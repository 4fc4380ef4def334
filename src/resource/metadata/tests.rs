use super::*;

fn document() -> ResourceMetadata {
    ResourceMetadata::builder("https://mcp.example.com/mcp")
        .authorization_server("https://as.example.com")
        .scopes_supported(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
        .build()
        .unwrap()
}

#[test]
fn c116_the_well_known_segment_goes_between_host_and_path() {
    for (resource, url) in [
        (
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
        ),
        (
            "https://mcp.example.com",
            "https://mcp.example.com/.well-known/oauth-protected-resource",
        ),
        (
            "https://mcp.example.com/",
            "https://mcp.example.com/.well-known/oauth-protected-resource",
        ),
        (
            "https://mcp.example.com:8443/a/b?tenant=1",
            "https://mcp.example.com:8443/.well-known/oauth-protected-resource/a/b?tenant=1",
        ),
        (
            "http://127.0.0.1:8081/mcp",
            "http://127.0.0.1:8081/.well-known/oauth-protected-resource/mcp",
        ),
    ] {
        assert_eq!(
            resource_metadata_url(resource).as_deref(),
            Some(url),
            "{resource}"
        );
    }
    assert_eq!(
        resource_metadata_path("https://mcp.example.com/mcp?x=1").as_deref(),
        Some("/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(resource_metadata_url("urn:example:mcp"), None);
    assert_eq!(resource_metadata_url("/mcp"), None);
}

#[test]
fn c116_c117_c121_document_shape() {
    let m = document();
    let v: serde_json::Value = serde_json::from_str(m.to_json()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "resource": "https://mcp.example.com/mcp",
            "authorization_servers": ["https://as.example.com"],
            "scopes_supported": ["mcp:read", "mcp:write"],
            "bearer_methods_supported": ["header"],
        })
    );
    assert_eq!(
        m.metadata_url(),
        "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
    );
    assert_eq!(
        m.metadata_path(),
        "/.well-known/oauth-protected-resource/mcp"
    );
    let r = m.to_http();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body, m.to_json().as_bytes());
}

#[test]
fn optional_members_appear_when_set_and_empty_ones_never() {
    let m = ResourceMetadata::builder("https://mcp.example.com/mcp")
        .authorization_server("https://as.example.com")
        .jwks_uri("https://mcp.example.com/jwks.json")
        .resource_name("Example MCP")
        .build()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(m.to_json()).unwrap();
    assert_eq!(v["jwks_uri"], "https://mcp.example.com/jwks.json");
    assert_eq!(v["resource_name"], "Example MCP");
    assert!(v.get("scopes_supported").is_none());
    for (_, value) in v.as_object().unwrap() {
        assert_ne!(value, &serde_json::json!([]));
    }
}

#[test]
fn urls_are_checked() {
    let base = || ResourceMetadata::builder("https://mcp.example.com/mcp");
    assert!(matches!(base().build(), Err(ConfigError::Invalid(_))));
    for resource in [
        "http://mcp.example.com/mcp",
        "https://mcp.example.com/mcp#x",
        "mcp",
    ] {
        let r = ResourceMetadata::builder(resource)
            .authorization_server("https://as.example.com")
            .build();
        assert!(
            matches!(r, Err(ConfigError::InvalidEndpoint(_))),
            "{resource}"
        );
    }
    for issuer in [
        "http://as.example.com",
        "https://as.example.com?x",
        "https://as.example.com#x",
    ] {
        let r = base().authorization_server(issuer).build();
        assert!(matches!(r, Err(ConfigError::InvalidIssuer(_))), "{issuer}");
    }
    let r = base()
        .authorization_server("https://as.example.com")
        .jwks_uri("http://mcp.example.com/jwks")
        .build();
    assert!(matches!(r, Err(ConfigError::InvalidEndpoint(_))));
    let local = ResourceMetadata::builder("http://127.0.0.1:8081/mcp")
        .authorization_server("http://127.0.0.1:8080")
        .dangerous_allow_http_loopback()
        .build()
        .unwrap();
    assert_eq!(local.resource(), "http://127.0.0.1:8081/mcp");
    assert_eq!(local.authorization_servers(), ["http://127.0.0.1:8080"]);
}
