//! The caller's side against the axum example's token server over loopback:
//! a hundred tasks asking at once cause one token request, a token is
//! refreshed before it expires, an outage is ridden out with backoff, and the
//! reqwest middleware and the tonic interceptor carry the tokens. Token
//! requests are counted at the server, by a layer in front of its router
//! that can also answer `503` for a while.

mod fixtures;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use client_credentials::client::{
    Credentials, Endpoint, ReqwestHttp, TokenMiddleware, TokenSource, TonicInterceptor,
};
use client_credentials::{
    Algorithm, ClientId, ClientSecret, ClientStore, Clock, FixedClock, Issuer, SigningKey, UnixTime,
};
use client_credentials_examples::axum_server::{config, routes};
use client_credentials_examples::demo;
use fixtures::{bounded, http_client, verify_access_token};

/// What the layer in front of the token server counts and does.
#[derive(Default)]
struct Gate {
    /// `POST /token` requests that reached the server.
    token_requests: AtomicUsize,
    /// How many more token requests get `503` with `Retry-After: 1`.
    outage: AtomicUsize,
}

async fn gate(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    if request.uri().path() == "/token" {
        gate.token_requests.fetch_add(1, Ordering::SeqCst);
        let down = gate
            .outage
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if down {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [("retry-after", "1")],
                r#"{"error":"temporarily_unavailable"}"#,
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Echoes the `Authorization` header; `401` on `/reject`.
async fn echo(headers: HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The axum example's router for `issuer`, behind a counting [`Gate`], plus
/// `/echo` and `/reject` standing in for a protected API.
async fn serve<S: ClientStore + 'static>(
    listener: tokio::net::TcpListener,
    issuer: Arc<Issuer<S>>,
) -> Arc<Gate> {
    let state = Arc::new(Gate::default());
    let app = routes::router(issuer)
        .route("/echo", get(echo))
        .route("/reject", get(|| async { StatusCode::UNAUTHORIZED }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate))
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(axum::serve(listener, app).into_future());
    state
}

/// The demo server (client `demo-client`, a fresh secret), its base URL and gate.
async fn demo_server() -> (demo::Demo, String, Arc<Gate>) {
    let (listener, addr) = fixtures::bind().await;
    let demo = demo::Demo::new(addr).unwrap();
    let gate = serve(listener, demo.issuer.clone()).await;
    (demo, format!("http://{addr}"), gate)
}

fn demo_credentials(demo: &demo::Demo) -> Credentials {
    Credentials::client_secret_basic(
        ClientId::new(demo::CLIENT_ID).unwrap(),
        ClientSecret::new(demo.secret.expose_secret()),
    )
}

fn builder(
    endpoint: Endpoint,
    credentials: Credentials,
) -> client_credentials::client::TokenSourceBuilder {
    TokenSource::builder(endpoint, credentials)
        .http(ReqwestHttp::with_client(http_client()))
        .danger_allow_http_loopback()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_tasks_asking_at_once_cause_one_token_request() {
    bounded(async {
        let (demo, base, gate) = demo_server().await;
        let source = builder(Endpoint::issuer(&base), demo_credentials(&demo))
            .scope("demo:read")
            .build()
            .unwrap();
        let start = Arc::new(tokio::sync::Barrier::new(100));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (source, start) = (source.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    source.token().await.unwrap()
                })
            })
            .collect();
        let mut tokens = Vec::new();
        for task in tasks {
            tokens.push(task.await.unwrap());
        }
        assert_eq!(
            gate.token_requests.load(Ordering::SeqCst),
            1,
            "single flight"
        );
        assert!(tokens.iter().all(|t| t.same_token(&tokens[0])));
        let claims =
            verify_access_token(&base, tokens[0].expose_secret(), &base, &demo.audience).await;
        assert_eq!(claims["scope"], "demo:read");
        assert_eq!(claims["client_id"], demo::CLIENT_ID);
    })
    .await;
}

/// A server from a configuration file whose tokens live 90 s, with a
/// `private_key_jwt` client `agent` holding `key` and a `client_secret_post`
/// client `poster` holding `secret`.
async fn short_lived_server(key: &SigningKey, secret: &ClientSecret) -> (String, Arc<Gate>) {
    let (listener, addr) = fixtures::bind().await;
    let jwks = serde_json::json!({ "keys": [key.public_jwk().unwrap()] }).to_string();
    let hash = client_credentials::SecretHash::fast(secret).unwrap();
    let toml = format!(
        r#"
issuer = "http://{addr}"
listen = "{addr}"
scopes_supported = ["jobs:run"]

[policy]
default_token_lifetime_secs = 90

[[keys]]
algorithm = "ES256"
private_key_file = "signing.pem"

[[clients]]
id = "agent"
jwks = '{jwks}'
allowed_scopes = ["jobs:run"]
default_audience = "https://jobs.example.com"

[[clients]]
id = "poster"
auth_methods = ["client_secret_post"]
allowed_scopes = ["jobs:run"]
default_audience = "https://jobs.example.com"

[[clients.secrets]]
id = "s1"
hash = "{hash}"
"#
    );
    let pem = fixtures::es256_pem();
    let server = config::ServerConfig::from_toml(&toml, |_| Ok(pem.clone().into())).unwrap();
    let gate = serve(listener, Arc::new(server.issuer)).await;
    (format!("http://{addr}"), gate)
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    bounded(async {
        let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
        let secret = ClientSecret::generate();
        let (base, gate) = short_lived_server(&key, &secret).await;
        let clock = Arc::new(FixedClock::new(UnixTime::now()));
        let source = builder(
            Endpoint::issuer(&base),
            Credentials::client_secret_post(
                ClientId::new("poster").unwrap(),
                ClientSecret::new(secret.expose_secret()),
            ),
        )
        .scope("jobs:run")
        .clock(clock.clone())
        .build()
        .unwrap();

        let first = source.token().await.unwrap();
        let lifetime = first.expires_at().duration_since(clock.now());
        assert_eq!(
            lifetime,
            Duration::from_secs(90),
            "the server's short lifetime"
        );
        clock.advance(Duration::from_secs(29));
        assert!(
            source.token().await.unwrap().same_token(&first),
            "61 s left: cached"
        );
        assert_eq!(gate.token_requests.load(Ordering::SeqCst), 1);

        clock.advance(Duration::from_secs(1));
        assert!(
            clock.now() < first.expires_at(),
            "the first token is still valid"
        );
        let second = source.token().await.unwrap();
        assert!(!second.same_token(&first), "refreshed 60 s before expiry");
        assert_eq!(gate.token_requests.load(Ordering::SeqCst), 2);
        let claims = verify_access_token(
            &base,
            second.expose_secret(),
            &base,
            "https://jobs.example.com",
        )
        .await;
        assert_eq!(claims["client_id"], "poster");
    })
    .await;
}

#[tokio::test]
async fn private_key_jwt_assertions_signed_by_the_crate_get_tokens() {
    bounded(async {
        let (key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
        let (base, gate) = short_lived_server(&key, &ClientSecret::generate()).await;
        let client_key =
            SigningKey::from_pkcs8_pem(Algorithm::ES256, pem.expose_secret(), None).unwrap();
        let source = builder(
            Endpoint::issuer(&base),
            Credentials::private_key_jwt(ClientId::new("agent").unwrap(), client_key),
        )
        .scope("jobs:run")
        .build()
        .unwrap();
        let token = source.token().await.unwrap();
        let claims = verify_access_token(
            &base,
            token.expose_secret(),
            &base,
            "https://jobs.example.com",
        )
        .await;
        assert_eq!(claims["client_id"], "agent");
        // A second scope key: a second request, with a fresh assertion (the
        // server accepts each assertion once).
        source
            .token_for(Some("jobs:run"), Some("https://jobs.example.com"))
            .await
            .unwrap();
        assert_eq!(gate.token_requests.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn an_outage_is_ridden_out_with_backoff_then_recovery() {
    bounded(async {
        let (demo, base, gate) = demo_server().await;
        gate.outage.store(2, Ordering::SeqCst);
        let source = builder(Endpoint::issuer(&base), demo_credentials(&demo))
            .build()
            .unwrap();
        let token = source.token().await.unwrap();
        assert_eq!(
            gate.token_requests.load(Ordering::SeqCst),
            3,
            "two 503s with Retry-After, then the token"
        );
        verify_access_token(&base, token.expose_secret(), &base, &demo.audience).await;

        // A refusal is final: a wrong secret is not retried.
        let wrong = builder(
            Endpoint::issuer(&base),
            Credentials::client_secret_basic(
                ClientId::new(demo::CLIENT_ID).unwrap(),
                ClientSecret::new("wrong"),
            ),
        )
        .build()
        .unwrap();
        let error = wrong.token().await.unwrap_err();
        assert!(error.to_string().contains("invalid_client"), "{error}");
        assert_eq!(gate.token_requests.load(Ordering::SeqCst), 4);
    })
    .await;
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_until_it_is_up() {
    bounded(async {
        // A free port, released; the server comes up on it a little later.
        let (listener, addr) = fixtures::bind().await;
        drop(listener);
        let demo = demo::Demo::new(addr).unwrap();
        let issuer = demo.issuer.clone();
        let source = builder(
            Endpoint::token_endpoint(format!("http://{addr}/token")),
            demo_credentials(&demo),
        )
        .retry_policy({
            let mut policy = client_credentials::client::RetryPolicy::default();
            policy.max_attempts = 12;
            policy.initial_backoff = Duration::from_millis(100);
            policy.max_backoff = Duration::from_secs(1);
            policy
        })
        .build()
        .unwrap();
        let started = Arc::new(tokio::sync::Notify::new());
        let up = started.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
            let gate = serve(listener, issuer).await;
            up.notify_one();
            gate
        });
        let token = source.token().await.unwrap();
        started.notified().await;
        verify_access_token(
            &format!("http://{addr}"),
            token.expose_secret(),
            &format!("http://{addr}"),
            &demo.audience,
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_reqwest_middleware_sends_the_token_and_drops_a_refused_one() {
    bounded(async {
        let (demo, base, gate) = demo_server().await;
        let source = builder(Endpoint::issuer(&base), demo_credentials(&demo))
            .build()
            .unwrap();
        let client = reqwest_middleware::ClientBuilder::new(http_client())
            .with(TokenMiddleware::new(source.clone()))
            .build();
        let echoed = client
            .get(format!("{base}/echo"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = source.token().await.unwrap();
        assert_eq!(echoed, format!("Bearer {}", token.expose_secret()));
        assert_eq!(gate.token_requests.load(Ordering::SeqCst), 1);

        let response = client.get(format!("{base}/reject")).send().await.unwrap();
        assert_eq!(response.status(), 401);
        let next = source.token().await.unwrap();
        assert!(!next.same_token(&token), "the refused token was dropped");
        assert_eq!(gate.token_requests.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn the_tonic_interceptor_adds_the_token_it_keeps_fresh() {
    use tonic::service::Interceptor as _;
    bounded(async {
        let (demo, base, _) = demo_server().await;
        let source = builder(Endpoint::issuer(&base), demo_credentials(&demo))
            .build()
            .unwrap();
        let mut interceptor = TonicInterceptor::spawn(source);
        let token = interceptor.ready().await.unwrap();
        let request = interceptor.call(tonic::Request::new(())).unwrap();
        let value = request.metadata().get("authorization").unwrap();
        assert_eq!(
            value.to_str().unwrap(),
            format!("Bearer {}", token.expose_secret())
        );

        // Before any token, the interceptor refuses with UNAVAILABLE.
        let unreachable = builder(
            Endpoint::token_endpoint("http://127.0.0.1:9/token"),
            demo_credentials(&demo),
        )
        .retry_policy({
            let mut policy = client_credentials::client::RetryPolicy::default();
            policy.max_attempts = 1;
            policy
        })
        .build()
        .unwrap();
        let mut refusing = TonicInterceptor::spawn(unreachable);
        assert!(refusing.ready().await.is_err());
        let status = refusing.call(tonic::Request::new(())).unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unavailable);
        assert!(
            status.message().contains("could not be reached"),
            "{}",
            status.message()
        );
    })
    .await;
}
