//! The caller's side with DPoP (RFC 9449): a `TokenSource` holding a proof
//! key gets DPoP-bound tokens from the axum example's token server (with
//! server nonces, so its first request is answered `use_dpop_nonce`), and its
//! reqwest middleware calls the MCP example server over Streamable HTTP with
//! a fresh proof per request under the MCP DPoP profile (`content_digest`).
//! A stand-in resource that demands a nonce of its own is answered by one
//! retry; the tonic interceptor, which cannot sign proofs, refuses to send a
//! bound token.

mod fixtures;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::client::{
    Credentials, Endpoint, ReqwestHttp, TokenMiddleware, TokenSource, TonicInterceptor,
};
use client_credentials::jose::DpopProof;
use client_credentials::{Algorithm, ClientId, ClientSecret, SigningKey, UnixTime};
use fixtures::{bounded, dpop_servers, http_client};
use reqwest_middleware::ClientWithMiddleware;
use serde_json::{Value, json};

fn dpop_source(issuer: &str, resource: &str, secret: &ClientSecret) -> TokenSource {
    TokenSource::builder(
        Endpoint::issuer(issuer),
        Credentials::client_secret_basic(
            ClientId::new("agent").unwrap(),
            ClientSecret::new(secret.expose_secret()),
        ),
    )
    .http(ReqwestHttp::with_client(http_client()))
    .danger_allow_http_loopback()
    .scope("mcp:read")
    .resource(resource)
    .dpop()
    .build()
    .unwrap()
}

/// A Streamable HTTP `POST` of `body`, in `session` once there is one.
async fn mcp_post(
    client: &ClientWithMiddleware,
    resource: &str,
    body: &Value,
    session: Option<&str>,
) -> reqwest::Response {
    let mut request = client
        .post(resource)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body.to_string());
    if let Some(session) = session {
        request = request
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-06-18");
    }
    request.send().await.unwrap()
}

/// A JSON-RPC answer, sent as JSON or as server-sent events (the last one).
async fn rpc_result(response: reqwest::Response) -> Value {
    let is_sse = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let text = response.text().await.unwrap();
    if !is_sse {
        return serde_json::from_str(&text).unwrap();
    }
    let last = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .rfind(|data| !data.is_empty())
        .expect("an event with data");
    serde_json::from_str(last).unwrap()
}

fn initialize() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "token-source-dpop", "version": "1.0.0" }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_token_source_calls_the_mcp_server_through_the_middleware() {
    bounded(async {
        let servers = dpop_servers::start(|_| String::new()).await;
        let (issuer, resource, secret) = (&servers.issuer, &servers.resource, &servers.secret);
        // The server demands its nonce of a proof without one.
        let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
        let token_endpoint = format!("{issuer}/token");
        let proof = DpopProof::new("POST", &token_endpoint, UnixTime::now())
            .sign(&key)
            .unwrap();
        let demand = http_client()
            .post(&token_endpoint)
            .basic_auth("agent", Some(secret.expose_secret()))
            .header("dpop", proof)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(demand.status(), 400);
        assert!(demand.headers().contains_key("dpop-nonce"));
        let demand: Value = demand.json().await.unwrap();
        assert_eq!(demand["error"], "use_dpop_nonce");

        // The source answers the demand by itself.
        let source = dpop_source(issuer, resource, secret);
        let token = source.token().await.unwrap();
        assert!(token.is_dpop_bound());
        assert_eq!(token.token_type(), "DPoP");
        assert!(token.authorization().starts_with("DPoP "));
        let debug = format!("{source:?} {token:?}");
        assert!(!debug.contains(token.expose_secret()), "{debug}");
        assert!(!debug.contains(secret.expose_secret()), "{debug}");

        let client = reqwest_middleware::ClientBuilder::new(http_client())
            .with(TokenMiddleware::new(source.clone()).dpop_content_digest(true))
            .build();
        let initialized = mcp_post(&client, resource, &initialize(), None).await;
        assert_eq!(initialized.status(), 200);
        let session = initialized
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .expect("a session")
            .to_owned();
        let answer = rpc_result(initialized).await;
        assert!(answer["result"]["protocolVersion"].is_string(), "{answer}");

        let notified = mcp_post(
            &client,
            resource,
            &json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
            Some(&session),
        )
        .await;
        assert_eq!(notified.status(), 202);

        let call = json!({
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": { "name": "echo", "arguments": { "text": "hello from a TokenSource" } }
        });
        let response = mcp_post(&client, resource, &call, Some(&session)).await;
        assert_eq!(response.status(), 200);
        let answer = rpc_result(response).await;
        assert_eq!(
            answer["result"]["content"][0]["text"], "hello from a TokenSource",
            "{answer}"
        );
        // Every call used the one cached token.
        assert!(source.token().await.unwrap().same_token(&token));

        // Without content_digest the MCP profile refuses the proofs.
        let plain = reqwest_middleware::ClientBuilder::new(http_client())
            .with(TokenMiddleware::new(source.clone()))
            .build();
        let refused = mcp_post(&plain, resource, &initialize(), None).await;
        assert_eq!(refused.status(), 401);
        let challenge = refused
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(challenge.starts_with("DPoP "), "{challenge}");
    })
    .await;
}

/// What the stand-in resource saw: the proofs of each request.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    proofs: std::sync::Mutex<Vec<Value>>,
}

/// A resource that demands its own nonce (RFC 9449 §9) of the first request.
async fn nonce_demanding(
    axum::extract::State(seen): axum::extract::State<Arc<Seen>>,
    headers: HeaderMap,
) -> axum::response::Response {
    let proof = headers
        .get("dpop")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let claims = proof
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        .unwrap_or(Value::Null);
    seen.proofs.lock().unwrap().push(claims);
    if seen.requests.fetch_add(1, Ordering::SeqCst) == 0 {
        return (
            StatusCode::UNAUTHORIZED,
            [
                (
                    "www-authenticate",
                    r#"DPoP error="use_dpop_nonce", error_description="a nonce is required""#,
                ),
                ("dpop-nonce", "resource-nonce-1"),
            ],
        )
            .into_response();
    }
    "ok".into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_demanding_a_nonce_gets_one_retry_with_it() {
    bounded(async {
        let servers = dpop_servers::start(|_| String::new()).await;
        let (issuer, resource, secret) = (&servers.issuer, &servers.resource, &servers.secret);
        let (listener, addr) = fixtures::bind().await;
        let seen = Arc::new(Seen::default());
        let app = axum::Router::new()
            .route("/api", post(nonce_demanding))
            .with_state(seen.clone());
        tokio::spawn(axum::serve(listener, app).into_future());
        let source = dpop_source(issuer, resource, secret);
        let client = reqwest_middleware::ClientBuilder::new(http_client())
            .with(TokenMiddleware::new(source.clone()).dpop_content_digest(true))
            .build();
        let api = format!("http://{addr}/api");

        let response = client
            .post(format!("{api}?page=1"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let proofs = seen.proofs.lock().unwrap().clone();
        assert_eq!(proofs.len(), 2, "one retry");
        assert!(proofs[0].get("nonce").is_none());
        assert_eq!(proofs[1]["nonce"], "resource-nonce-1");
        assert_ne!(proofs[0]["jti"], proofs[1]["jti"]);
        for proof in &proofs {
            assert_eq!(proof["htu"], api);
            assert_eq!(proof["htm"], "POST");
            assert!(proof["ath"].is_string() && proof["content_digest"].is_string());
        }
        // The nonce is kept for the next request to that resource; the token
        // was not dropped.
        let token = source.token().await.unwrap();
        let response = client.post(&api).body("{}").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(seen.proofs.lock().unwrap()[2]["nonce"], "resource-nonce-1");
        assert!(source.token().await.unwrap().same_token(&token));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tonic_interceptor_does_not_send_a_dpop_bound_token_without_its_proof() {
    use tonic::service::Interceptor as _;
    bounded(async {
        let servers = dpop_servers::start(|_| String::new()).await;
        let (issuer, resource, secret) = (&servers.issuer, &servers.resource, &servers.secret);
        let source = dpop_source(issuer, resource, secret);
        let mut interceptor = TonicInterceptor::spawn(source);
        assert!(interceptor.ready().await.unwrap().is_dpop_bound());
        let status = interceptor.call(tonic::Request::new(())).unwrap_err();
        assert_eq!(status.code(), tonic::Code::FailedPrecondition);
        assert!(status.message().contains("DPoP"), "{}", status.message());
    })
    .await;
}
