//! Resource indicators (RFC 8707; MCP "Resource Parameter
//! Implementation"), C65–C73.

mod fixtures;

use fixtures::*;

/// A `client_credentials` request body naming these resources.
fn with_resources(resources: &[&str]) -> String {
    let mut pairs = vec![("grant_type", "client_credentials")];
    pairs.extend(resources.iter().map(|r| ("resource", *r)));
    form(&pairs)
}

#[tokio::test]
async fn c65_resource_must_be_an_absolute_uri() {
    let fx = Fixture::new();
    for bad in [
        "mcp.example.com",
        "/mcp",
        "mcp",
        "//mcp.example.com/mcp",
        "https//x",
    ] {
        let r = fx.post_c1_basic(&with_resources(&[bad])).await;
        assert_error(&r, 400, "invalid_target");
    }
}

#[tokio::test]
async fn c66_resource_must_have_no_fragment() {
    let fx = Fixture::new();
    for bad in [
        "https://mcp.example.com/mcp#frag",
        "https://mcp.example.com/mcp#",
    ] {
        let r = fx.post_c1_basic(&with_resources(&[bad])).await;
        assert_error(&r, 400, "invalid_target");
    }
    // Percent-encoded in the body, as a client sends it.
    let r = fx
        .post_c1_basic(
            "grant_type=client_credentials&resource=https%3A%2F%2Fmcp.example.com%2Fmcp%23frag",
        )
        .await;
    assert_error(&r, 400, "invalid_target");
}

#[tokio::test]
async fn c67_query_is_accepted_only_when_registered_exactly() {
    let fx = Fixture::new();
    let header = basic(MULTI, OTHER_SECRET);
    let issued = assert_token(
        &fx.post_auth(&header, &with_resources(&[RESOURCE_TENANT_A]))
            .await,
    );
    assert_eq!(issued.claims["aud"], RESOURCE_TENANT_A);
    for other in [
        "https://mcp.example.com/mcp?tenant=b",
        "https://mcp.example.com/mcp?tenant=a&x=1",
        "https://mcp2.example.com/mcp?tenant=a",
    ] {
        let r = fx.post_auth(&header, &with_resources(&[other])).await;
        assert_error(&r, 400, "invalid_target");
    }
    // c1 has no resource with a query registered.
    let r = fx
        .post_c1_basic(&with_resources(&[RESOURCE_TENANT_A]))
        .await;
    assert_error(&r, 400, "invalid_target");
}

#[tokio::test]
async fn c68_unknown_resource_is_invalid_target() {
    let fx = Fixture::new();
    for unknown in [
        "https://unknown.example/mcp",
        "https://mcp.example.com/other",
        "https://mcp.example.com/MCP",
        "http://mcp.example.com/mcp",
        "https://mcp.example.com:8443/mcp",
        "urn:example:mcp",
        RESOURCE2,
    ] {
        let r = fx.post_c1_basic(&with_resources(&[unknown])).await;
        assert_error(&r, 400, "invalid_target");
    }
}

#[tokio::test]
async fn c69_the_audience_mapping_is_deterministic() {
    let fx = Fixture::new();
    let spellings = [
        RESOURCE,
        "HTTPS://MCP.EXAMPLE.COM/mcp",
        "https://mcp.example.com:443/mcp",
        "https://Mcp.Example.Com/mcp",
    ];
    for _ in 0..2 {
        for spelling in spellings {
            let issued = assert_token(&fx.post_c1_basic(&with_resources(&[spelling])).await);
            assert_eq!(issued.claims["aud"], RESOURCE, "{spelling}");
        }
    }
}

#[tokio::test]
async fn c70_several_resources_are_invalid_target_not_invalid_request() {
    let fx = Fixture::new();
    let header = basic(MULTI, OTHER_SECRET);
    let r = fx
        .post_auth(&header, &with_resources(&[RESOURCE, RESOURCE2]))
        .await;
    assert_error(&r, 400, "invalid_target");
}

#[tokio::test]
async fn c70_several_resources_give_an_audience_array_where_the_policy_allows() {
    let fx = Fixture::with(|b| b.policy(policy_with_max_resources(2)));
    let header = basic(MULTI, OTHER_SECRET);
    let issued = assert_token(
        &fx.post_auth(&header, &with_resources(&[RESOURCE, RESOURCE2]))
            .await,
    );
    assert_eq!(
        issued.claims["aud"],
        serde_json::json!([RESOURCE, RESOURCE2])
    );
    verify_with_jwks(fx.issuer.jwks_json(), &issued.token, RESOURCE2).unwrap();
    // Every named resource must be allowed.
    let r = fx
        .post_auth(
            &header,
            &with_resources(&[RESOURCE, "https://unknown.example/mcp"]),
        )
        .await;
    assert_error(&r, 400, "invalid_target");
    // Three is over the limit.
    let r = fx
        .post_auth(
            &header,
            &with_resources(&[RESOURCE, RESOURCE2, RESOURCE_TENANT_A]),
        )
        .await;
    assert_error(&r, 400, "invalid_target");
}

#[tokio::test]
async fn c71_downscope_per_request_and_report_it() {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", "mcp:read other:x"),
        ("resource", RESOURCE),
    ]);
    let fx = Fixture::with(|b| b.policy(downscope_policy()));
    let issued = assert_token(&fx.post_c1_basic(&body).await);
    assert_eq!(issued.body["scope"], "mcp:read");
    assert_eq!(issued.claims["aud"], RESOURCE);
    // The default refuses instead (C21).
    let fx = Fixture::new();
    assert_error(&fx.post_c1_basic(&body).await, 400, "invalid_scope");
}

#[tokio::test]
async fn c72_the_extension_example_request_is_accepted() {
    let fx = Fixture::new();
    // Verbatim from the MCP client-credentials extension (§2.5).
    let body = "grant_type=client_credentials&client_id=s6BhdRkqt3&client_secret=7Fjfp0ZBr1KtDRbnfVdmIw&resource=https%3A%2F%2Fmcp.example.com&scope=mcp%3Aread";
    let issued = assert_token(&fx.post(body).await);
    assert_eq!(issued.claims["aud"], "https://mcp.example.com");
    assert_eq!(issued.claims["scope"], "mcp:read");
    assert_eq!(issued.claims["client_id"], EXT);
}

#[tokio::test]
async fn c73_uppercase_scheme_and_host_match_the_registered_resource() {
    let fx = Fixture::new();
    let issued = assert_token(
        &fx.post_c1_basic(&with_resources(&["HTTPS://MCP.EXAMPLE.COM/mcp"]))
            .await,
    );
    assert_eq!(issued.claims["aud"], RESOURCE, "C135: the registered form");
}

#[tokio::test]
async fn c73_trailing_slash_rule() {
    let fx = Fixture::new();
    // An empty path and `/` are the same resource (RFC 3986 §6.2.3)…
    let ext = basic(EXT, EXT_SECRET);
    for spelling in ["https://mcp.example.com/", "https://mcp.example.com"] {
        let issued = assert_token(&fx.post_auth(&ext, &with_resources(&[spelling])).await);
        assert_eq!(issued.claims["aud"], EXT_RESOURCE, "{spelling}");
    }
    // …but a slash after a non-empty path makes another resource.
    let r = fx
        .post_c1_basic(&with_resources(&["https://mcp.example.com/mcp/"]))
        .await;
    assert_error(&r, 400, "invalid_target");
}
