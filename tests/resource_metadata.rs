//! A protected MCP resource, black-box and framework-free: RFC 9728 metadata
//! (C116–C118) and the MCP authorization rules for
//! resource servers (C119–C122), built from `Validator`,
//! `bearer_token`, `BearerChallenge` and `ResourceMetadata`.

mod fixtures;

use std::sync::Arc;

use client_credentials::resource::{ScopeHierarchy, bearer_token, resource_metadata_url};
use client_credentials::store::MemoryRevocationStore;
use client_credentials::{
    Audience, BearerChallenge, HttpResponse, ResourceMetadata, Scope, ScopeSet, UnixTime,
    Validator, VerificationKeys, VerifiedToken,
};
use fixtures::{DEFAULT_LIFETIME, ISSUER, NOW, RESOURCE, ResourceFixture};

const METADATA_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

fn metadata() -> ResourceMetadata {
    ResourceMetadata::builder(RESOURCE)
        .authorization_server(ISSUER)
        .scopes_supported(ScopeSet::from_strs(["mcp:read", "mcp:write", "mcp:admin"]).unwrap())
        .build()
        .unwrap()
}

/// What an MCP server does per request: read the bearer token from the
/// `Authorization` header only, validate it, check the operation's scope, and
/// answer every refusal with the right challenge.
async fn protect(
    validator: &Validator<Arc<MemoryRevocationStore>>,
    authorization: Option<&str>,
    scope: &str,
    now: UnixTime,
) -> Result<VerifiedToken, HttpResponse> {
    let meta = metadata();
    let refuse = |c: BearerChallenge| c.resource_metadata(meta.metadata_url()).to_http();
    let Some(token) = bearer_token(authorization) else {
        return Err(refuse(BearerChallenge::missing_token().scope(scope)));
    };
    let verified = validator
        .validate(token, now)
        .await
        .map_err(|e| refuse(BearerChallenge::invalid_token(e)))?;
    verified
        .require_scope(scope)
        .map_err(|e| refuse(BearerChallenge::insufficient_scope(&e)))?;
    Ok(verified)
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(NOW + secs)
}

#[test]
fn c116_the_document_lives_under_the_well_known_path() {
    let m = metadata();
    assert_eq!(m.metadata_url(), METADATA_URL);
    assert_eq!(
        resource_metadata_url(RESOURCE).as_deref(),
        Some(METADATA_URL)
    );
    assert_eq!(
        m.metadata_path(),
        "/.well-known/oauth-protected-resource/mcp"
    );
    let r = m.to_http();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        doc["resource"], RESOURCE,
        "identical to the resource identifier"
    );
    for (_, value) in doc.as_object().unwrap() {
        assert_ne!(value, &serde_json::json!([]), "no empty member");
    }
}

#[test]
fn c117_authorization_servers_names_the_issuer_byte_for_byte() {
    let f = ResourceFixture::new();
    let as_metadata: serde_json::Value = serde_json::from_str(f.issuer.metadata_json()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(metadata().to_json()).unwrap();
    assert_eq!(
        doc["authorization_servers"],
        serde_json::json!([as_metadata["issuer"]])
    );
    assert_eq!(
        doc["scopes_supported"],
        serde_json::json!(["mcp:admin", "mcp:read", "mcp:write"])
    );
    assert!(
        ResourceMetadata::builder(RESOURCE).build().is_err(),
        "MCP requires one"
    );
}

#[tokio::test]
async fn c118_c64_no_token_gets_a_challenge_without_error_code() {
    let f = ResourceFixture::new();
    for authorization in [None, Some("Basic YzE6czE="), Some("Digest x")] {
        let r = protect(&f.validator(), authorization, "mcp:read", at(1))
            .await
            .unwrap_err();
        assert_eq!(r.status, 401);
        let challenge = r.header("www-authenticate").unwrap();
        assert_eq!(
            challenge,
            format!(r#"Bearer scope="mcp:read", resource_metadata="{METADATA_URL}""#)
        );
        assert!(!challenge.contains("error"));
    }
}

#[tokio::test]
async fn c119_c64_invalid_or_expired_tokens_get_401_invalid_token() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let bearer = format!("Bearer {token}");
    assert!(
        protect(&f.validator(), Some(&bearer), "mcp:read", at(1))
            .await
            .is_ok()
    );
    for (authorization, now) in [
        (bearer.clone(), at(DEFAULT_LIFETIME + 60)),
        (format!("Bearer {token}x"), at(1)),
        ("Bearer".to_owned(), at(1)),
        ("Bearer not-a-jwt".to_owned(), at(1)),
    ] {
        let r = protect(&f.validator(), Some(&authorization), "mcp:read", now)
            .await
            .unwrap_err();
        assert_eq!(r.status, 401, "{authorization}");
        let challenge = r.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{challenge}"
        );
        assert!(challenge.contains(&format!(r#"resource_metadata="{METADATA_URL}""#)));
        assert!(!challenge.contains(&token));
        assert!(!String::from_utf8_lossy(&r.body).contains(&token));
    }
}

#[tokio::test]
async fn c119_c120_tokens_for_another_resource_are_refused() {
    let f = ResourceFixture::new();
    let upstream = f
        .token("c1", "s1", "&resource=https%3A%2F%2Fmcp2.example.com%2Fmcp")
        .await;
    let r = protect(
        &f.validator(),
        Some(&format!("Bearer {upstream}")),
        "mcp:read",
        at(1),
    )
    .await
    .unwrap_err();
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("the token is not intended for this resource")
    );
}

#[test]
fn c121_only_the_header_method_is_advertised_and_read() {
    let doc: serde_json::Value = serde_json::from_str(metadata().to_json()).unwrap();
    assert_eq!(
        doc["bearer_methods_supported"],
        serde_json::json!(["header"])
    );
    // Query and body tokens are never looked at: `bearer_token` reads the
    // header value alone (the end-to-end test sends `?access_token=` over HTTP).
    assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
    assert_eq!(bearer_token(Some("access_token=abc")), None);
}

#[tokio::test]
async fn c122_a_lacking_scope_gets_403_insufficient_scope() {
    let f = ResourceFixture::new();
    let read = f.token("c1", "s1", "&scope=mcp:read").await;
    let r = protect(
        &f.validator(),
        Some(&format!("Bearer {read}")),
        "mcp:write",
        at(1),
    )
    .await
    .unwrap_err();
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("www-authenticate").unwrap(),
        format!(
            r#"Bearer error="insufficient_scope", error_description="the token lacks the scope this request needs", scope="mcp:write", resource_metadata="{METADATA_URL}""#
        )
    );
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["error"], "insufficient_scope");

    // With a configured hierarchy, mcp:admin covers mcp:write.
    let admin = f.token("c1", "s1", "&scope=mcp:admin").await;
    let hierarchical = Validator::builder(
        ISSUER,
        Audience::new(RESOURCE).unwrap(),
        VerificationKeys::from_key_set(f.issuer.keys()),
    )
    .scope_hierarchy(ScopeHierarchy::new().imply(
        Scope::new("mcp:admin").unwrap(),
        [Scope::new("mcp:write").unwrap()],
    ))
    .revocation_store(Arc::clone(&f.revocations))
    .build()
    .unwrap();
    let bearer = format!("Bearer {admin}");
    assert!(
        protect(&hierarchical, Some(&bearer), "mcp:write", at(1))
            .await
            .is_ok()
    );
    assert_eq!(
        protect(&f.validator(), Some(&bearer), "mcp:write", at(1))
            .await
            .unwrap_err()
            .status,
        403
    );
}
