//! The resource server in front of any `tower` service (feature `axum`):
//! `BearerLayer` (C64, C118, C119, C121, C122), the axum extractors and
//! `IntoResponse`, `EnvToken` for stdio servers, and `issuer::router`, which
//! mounts exactly what the metadata advertises.

mod fixtures;

use std::borrow::Cow;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header::HeaderName};
use axum::routing::{get, post};
use client_credentials::resource::{
    BearerLayer, EnvToken, EnvTokenError, RequireScope, ScopeName, TokenLocation,
};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Clock, Issuer, ResourceMetadata, ScopeSet, ValidationError, VerifiedToken,
};
use fixtures::{ISSUER, RESOURCE, ResourceFixture, es256_keys};
use tower::ServiceExt;

fn metadata() -> ResourceMetadata {
    ResourceMetadata::builder(RESOURCE)
        .authorization_server(ISSUER)
        .scopes_supported(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
        .build()
        .unwrap()
}

const METADATA_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

struct Write;
impl ScopeName for Write {
    const SCOPE: &'static str = "mcp:write";
}

async fn whoami(token: VerifiedToken) -> String {
    format!("hello {}", token.client_id())
}

async fn write(RequireScope(token, ..): RequireScope<Write>) -> String {
    format!("{} wrote", token.client_id())
}

/// `/read` needs `mcp:read`; `/write` needs `mcp:read` and, by its extractor,
/// `mcp:write`; `/tool` needs the scope its JSON body names.
fn app(f: &ResourceFixture) -> Router {
    let validator = Arc::new(f.validator());
    let read = BearerLayer::new(Arc::clone(&validator), &metadata())
        .require_scope("mcp:read")
        .clock(f.clock.clone());
    let by_body = read.clone().scope_for(|_head, body| {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        v["needs"].as_str().map(|s| Cow::Owned(s.to_owned()))
    });
    Router::new()
        .route("/read", get(whoami))
        .route("/write", post(write))
        .route_layer(read)
        .merge(
            Router::new()
                .route("/tool", post(|body: String| async move { body }))
                .route_layer(by_body),
        )
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Option<String>, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, challenge, String::from_utf8(body.to_vec()).unwrap())
}

fn request(method: &str, path: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        b = b.header("authorization", format!("Bearer {token}"));
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn c64_c118_no_token_is_401_with_the_scope_and_resource_metadata() {
    let f = ResourceFixture::new();
    let (status, challenge, _) = send(&app(&f), request("GET", "/read", None, "")).await;
    assert_eq!(status, 401);
    assert_eq!(
        challenge.unwrap(),
        format!(r#"Bearer scope="mcp:read", resource_metadata="{METADATA_URL}""#)
    );
}

#[tokio::test]
async fn c119_a_refused_token_is_401_invalid_token() {
    let f = ResourceFixture::new();
    let (status, challenge, body) =
        send(&app(&f), request("GET", "/read", Some("not.a.token"), "")).await;
    assert_eq!(status, 401);
    let challenge = challenge.unwrap();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token""#),
        "{challenge}"
    );
    assert!(challenge.contains(METADATA_URL));
    assert!(body.contains("invalid_token"));
}

#[tokio::test]
async fn c122_the_verified_token_reaches_the_handler_and_a_missing_scope_is_403() {
    let f = ResourceFixture::new();
    let app = app(&f);
    let read_only = f.token("c1", "s1", "&scope=mcp:read").await;
    let (status, _, body) = send(&app, request("GET", "/read", Some(&read_only), "")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello c1"));
    let (status, challenge, _) = send(&app, request("POST", "/write", Some(&read_only), "")).await;
    assert_eq!(status, 403);
    assert_eq!(
        challenge.unwrap(),
        format!(
            r#"Bearer error="insufficient_scope", error_description="the token lacks the scope this request needs", scope="mcp:write", resource_metadata="{METADATA_URL}""#
        )
    );
    let both = f.token("c1", "s1", "&scope=mcp:read%20mcp:write").await;
    let (status, _, body) = send(&app, request("POST", "/write", Some(&both), "")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "c1 wrote"));
    let write_only = f.token("c1", "s1", "&scope=mcp:write").await;
    let (status, challenge, _) = send(&app, request("GET", "/read", Some(&write_only), "")).await;
    assert_eq!(status, 403, "the layer's own scope is required too");
    assert!(challenge.unwrap().contains(r#"scope="mcp:read""#));
}

#[tokio::test]
async fn c122_a_scope_named_by_the_body_is_required_and_the_body_handed_on() {
    let f = ResourceFixture::new();
    let app = app(&f);
    let read_only = f.token("c1", "s1", "&scope=mcp:read").await;
    let asks_write = r#"{"needs":"mcp:write"}"#;
    let (status, challenge, _) =
        send(&app, request("POST", "/tool", Some(&read_only), asks_write)).await;
    assert_eq!(status, 403);
    assert!(challenge.unwrap().contains(r#"scope="mcp:write""#));
    let asks_read = r#"{"needs":"mcp:read"}"#;
    let (status, _, body) = send(&app, request("POST", "/tool", Some(&read_only), asks_read)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, asks_read));
    let (status, challenge, _) = send(&app, request("POST", "/tool", None, asks_read)).await;
    assert_eq!(status, 401, "no body is read before the token is valid");
    assert!(challenge.unwrap().contains(r#"scope="mcp:read""#));
}

#[tokio::test]
async fn c121_a_token_in_the_query_or_a_second_header_line_is_not_taken() {
    let f = ResourceFixture::new();
    let app = app(&f);
    let token = f.token("c1", "s1", "&scope=mcp:read").await;
    let (status, challenge, _) = send(
        &app,
        request("GET", &format!("/read?access_token={token}"), None, ""),
    )
    .await;
    assert_eq!(status, 401);
    assert!(!challenge.unwrap().contains("error="));
    let twice = Request::builder()
        .uri("/read")
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, challenge, _) = send(&app, twice).await;
    assert_eq!(status, 400);
    assert!(challenge.unwrap().contains(r#"error="invalid_request""#));
}

#[tokio::test]
async fn c121_a_configured_header_carries_the_token_instead() {
    let f = ResourceFixture::new();
    let layer = BearerLayer::new(Arc::new(f.validator()), &metadata())
        .require_scope("mcp:read")
        .token_source(TokenLocation::Header(HeaderName::from_static(
            "x-upstream-token",
        )))
        .clock(f.clock.clone());
    let app = Router::new().route("/read", get(whoami)).route_layer(layer);
    let token = f.token("c1", "s1", "&scope=mcp:read").await;
    let gateway = Request::builder()
        .uri("/read")
        .header("authorization", "Basic Z2F0ZXdheTpzZWNyZXQ=")
        .header("x-upstream-token", token.as_str())
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&app, gateway).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello c1"));
    let (status, _, _) = send(&app, request("GET", "/read", Some(&token), "")).await;
    assert_eq!(
        status, 401,
        "Authorization is not read when another header is configured"
    );
}

#[tokio::test]
async fn without_the_layer_the_extractor_refuses() {
    let app = Router::new().route("/read", get(whoami));
    let (status, challenge, _) = send(&app, request("GET", "/read", None, "")).await;
    assert_eq!(status, 401);
    assert_eq!(challenge.unwrap(), "Bearer");
}

#[tokio::test]
async fn c119_a_token_in_an_environment_variable_is_checked_at_each_use() {
    let f = ResourceFixture::new();
    let validator = f.validator();
    let token = f.token("c1", "s1", "&scope=mcp:read").await;
    let env = EnvToken::read_with("MCP_ACCESS_TOKEN", |_| Some(format!(" {token}\n"))).unwrap();
    assert!(!format!("{env:?}").contains(&token));
    let verified = env.check(&validator, f.now()).await.unwrap();
    assert_eq!(verified.client_id(), "c1");
    let later = f.now().saturating_add(std::time::Duration::from_secs(3600));
    assert_eq!(
        env.check(&validator, later).await.unwrap_err(),
        EnvTokenError::Invalid {
            variable: "MCP_ACCESS_TOKEN".into(),
            error: ValidationError::Expired,
        }
    );
    assert_eq!(
        EnvToken::read_with("MCP_ACCESS_TOKEN", |_| None).unwrap_err(),
        EnvTokenError::Missing("MCP_ACCESS_TOKEN".into())
    );
    let _ = f.clock.now();
}

#[tokio::test]
async fn c78_c85_the_issuer_router_mounts_exactly_the_advertised_endpoints() {
    let full = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .authorization_endpoint("https://as.example.com/authorize")
        .build()
        .unwrap();
    let bare = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::new())
        .without_revocation_endpoint()
        .without_introspection_endpoint()
        .build()
        .unwrap();
    let full = client_credentials::issuer::router(Arc::new(full));
    let bare = client_credentials::issuer::router(Arc::new(bare));
    for app in [&full, &bare] {
        let (status, _, body) = send(
            app,
            request("GET", "/.well-known/oauth-authorization-server", None, ""),
        )
        .await;
        assert_eq!(status, 200);
        assert!(body.contains("\"token_endpoint\""));
        let (status, _, _) = send(app, request("GET", "/jwks.json", None, "")).await;
        assert_eq!(status, 200);
        let (status, _, body) = send(app, request("POST", "/token", None, "")).await;
        assert_eq!(status, 400, "{body}");
    }
    for path in ["/revoke", "/introspect"] {
        let (status, _, _) = send(&full, request("POST", path, None, "")).await;
        assert_ne!(status, 404, "{path} is served when advertised");
        let (status, _, _) = send(&bare, request("POST", path, None, "")).await;
        assert_eq!(status, 404, "{path} is not served when not advertised");
    }
    let (status, _, body) = send(
        &full,
        request(
            "GET",
            "/authorize?response_type=code&client_id=x&redirect_uri=https%3A%2F%2Fevil.example",
            None,
            "",
        ),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("unsupported_response_type"));
    let (status, _, _) = send(&bare, request("GET", "/authorize", None, "")).await;
    assert_eq!(status, 404);
}
