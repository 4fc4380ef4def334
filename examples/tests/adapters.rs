//! The axum, hyper and actix-web examples, each started on 127.0.0.1:0 with the
//! demo issuer: each must serve tokens, the JWKS and the metadata, and pass
//! every header through so the crate can refuse what it must.

mod fixtures;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use client_credentials_examples::actix_server::app as actix_app;
use client_credentials_examples::demo;
use client_credentials_examples::hyper_server::service as hyper_service;
use fixtures::{bounded, http_client, token_basic, verify_access_token};

/// What every adapter must do, checked over HTTP against `base`.
async fn check_adapter(name: &str, base: &str, demo: &demo::Demo) {
    let secret = demo.secret.expose_secret();
    let (status, body) = token_basic(base, demo::CLIENT_ID, secret, "demo:write").await;
    assert_eq!(status, 200, "{name}: {body}");
    let token = body["access_token"].as_str().unwrap();
    let claims = verify_access_token(base, token, base, &demo.audience).await;
    assert_eq!(claims["scope"], "demo:write", "{name}");

    let http = http_client();
    let post = http
        .post(format!("{base}/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200, "{name}: client_secret_post");
    assert_eq!(post.headers()["cache-control"], "no-store", "{name}: C25");
    assert_eq!(post.headers()["pragma"], "no-cache", "{name}: C138");

    let metadata = http
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200, "{name}: C74");
    assert_eq!(
        metadata.headers()[CONTENT_TYPE],
        "application/json",
        "{name}: C75"
    );
    let metadata: Value = metadata.json().await.unwrap();
    assert_eq!(metadata["issuer"], base, "{name}: C77");

    // Two Authorization lines are two credentials (C7): the adapter must pass both.
    let basic = format!("Basic {}", base64_pair(demo::CLIENT_ID, secret));
    let twice = http
        .post(format!("{base}/token"))
        .header(AUTHORIZATION, &basic)
        .header(AUTHORIZATION, &basic)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 400, "{name}: C7");
    let error: Value = twice.json().await.unwrap();
    assert_eq!(error["error"], "invalid_request", "{name}: C7");

    // The DPoP header reaches the crate: a proof binds the token (C107), and
    // two lines are refused (C102).
    let (dpop_key, _) =
        client_credentials::SigningKey::generate(client_credentials::Algorithm::ES256).unwrap();
    let proof = |now| {
        client_credentials::jose::DpopProof::new("POST", &format!("{base}/token"), now)
            .sign(&dpop_key)
            .unwrap()
    };
    let now = client_credentials::UnixTime::now();
    let bound = http
        .post(format!("{base}/token"))
        .header(AUTHORIZATION, &basic)
        .header("DPoP", proof(now))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(bound.status(), 200, "{name}: C107");
    let bound: Value = bound.json().await.unwrap();
    assert_eq!(bound["token_type"], "DPoP", "{name}: C107");
    let twice = http
        .post(format!("{base}/token"))
        .header(AUTHORIZATION, &basic)
        .header("DPoP", proof(now))
        .header("DPoP", proof(now))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 400, "{name}: C102");
    let error: Value = twice.json().await.unwrap();
    assert_eq!(error["error"], "invalid_dpop_proof", "{name}: C102");

    // Credentials in the query are refused (C11): the adapter must pass the query.
    let query = http
        .post(format!(
            "{base}/token?client_id={}&client_secret=x",
            demo::CLIENT_ID
        ))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 400, "{name}: C11");

    // A body past the limit gets the crate's own JSON error, not the framework's (C30).
    let oversized = http
        .post(format!("{base}/token"))
        .basic_auth(demo::CLIENT_ID, Some(secret))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&pad={}",
            "a".repeat(2 * client_credentials::issuer::DEFAULT_MAX_BODY_BYTES)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status(), 413, "{name}: C30");
    assert_eq!(
        oversized.headers()["cache-control"],
        "no-store",
        "{name}: C25"
    );
    let error: Value = oversized.json().await.unwrap();
    assert_eq!(error["error"], "invalid_request", "{name}: C30");

    // The method reaches the crate, which answers 405 (C1).
    let get = http.get(format!("{base}/token")).send().await.unwrap();
    assert_eq!(get.status(), 405, "{name}: C1");
    assert_eq!(get.headers()["allow"], "POST", "{name}: C1");
}

fn base64_pair(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

#[tokio::test]
async fn axum_example_serves_the_token_endpoint() {
    bounded(async {
        let (listener, addr) = fixtures::bind().await;
        let demo = demo::Demo::new(addr).unwrap();
        fixtures::serve_axum(listener, demo.issuer.clone());
        check_adapter("axum", &format!("http://{addr}"), &demo).await;
    })
    .await;
}

#[tokio::test]
async fn hyper_example_serves_the_token_endpoint() {
    bounded(async {
        let (listener, addr) = fixtures::bind().await;
        let demo = demo::Demo::new(addr).unwrap();
        tokio::spawn(hyper_service::serve(listener, demo.issuer.clone()));
        let base = format!("http://{addr}");
        check_adapter("hyper", &base, &demo).await;
        let missing = http_client()
            .get(format!("{base}/nothing"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn actix_example_serves_the_token_endpoint() {
    bounded(async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let demo = demo::Demo::new(addr).unwrap();
        let issuer = demo.issuer.clone();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new().configure(actix_app::configure(issuer.clone()))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        check_adapter("actix-web", &format!("http://{addr}"), &demo).await;
        handle.stop(false).await;
    })
    .await;
}

#[tokio::test]
async fn every_example_serves_revocation_and_introspection() {
    bounded(async {
        for stack in fixtures::Stack::ALL {
            // The demo issuer's URLs do not matter here: the adapters route by path.
            let demo = demo::Demo::new("127.0.0.1:8080".parse().unwrap()).unwrap();
            let server = fixtures::start(stack, demo.issuer.clone()).await;
            let base = &server.base;
            let secret = demo.secret.expose_secret();
            let (status, body) = token_basic(base, demo::CLIENT_ID, secret, "demo:read").await;
            assert_eq!(status, 200, "{stack:?}: {body}");
            let token = body["access_token"].as_str().unwrap();
            let introspect = || async {
                let response = http_client()
                    .post(format!("{base}/introspect"))
                    .basic_auth("mcp-server", Some(demo.mcp_server_secret.expose_secret()))
                    .form(&[("token", token)])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "{stack:?}");
                response.json::<Value>().await.unwrap()["active"].clone()
            };
            assert_eq!(introspect().await, true, "{stack:?}: C95");
            let revoke = http_client()
                .post(format!("{base}/revoke"))
                .basic_auth(demo::CLIENT_ID, Some(secret))
                .form(&[("token", token)])
                .send()
                .await
                .unwrap();
            assert_eq!(revoke.status(), 200, "{stack:?}: C88");
            assert_eq!(introspect().await, false, "{stack:?}: C92");
            server.stop().await;
        }
    })
    .await;
}

/// Each adapter hands the issuer the caller's address: another caller's
/// failures lock out only that caller's (client id, address) pair, even for a
/// human-chosen secret, at every endpoint.
#[tokio::test]
async fn every_example_passes_the_callers_address_to_the_throttle() {
    use std::net::{IpAddr, Ipv4Addr};

    use client_credentials::store::MemoryClientStore;
    use client_credentials::{
        Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet,
        ScopeSet, SecretCredential, SecretHash, SigningKey,
    };

    let from = |ip: [u8; 4]| {
        reqwest::Client::builder()
            .no_proxy()
            .local_address(IpAddr::V4(Ipv4Addr::from(ip)))
            .timeout(fixtures::TIMEOUT)
            .build()
            .unwrap()
    };
    let (attacker, owner) = (from([127, 0, 0, 2]), from([127, 0, 0, 1]));
    bounded(async {
        for stack in fixtures::Stack::ALL {
            let secret = ClientSecret::new("a phrase a person chose");
            let hash = SecretHash::pbkdf2(&secret, std::num::NonZeroU32::new(1_000).unwrap());
            let client = Client::builder(ClientId::new("human").unwrap())
                .secret(SecretCredential::new(
                    CredentialId::new("s1").unwrap(),
                    hash,
                ))
                .allowed_scopes(ScopeSet::from_strs(["read"]).unwrap())
                .default_scopes(ScopeSet::from_strs(["read"]).unwrap())
                .default_audience(Audience::new("https://api.example.com").unwrap())
                // Served at all three endpoints, introspection included.
                .introspection(true)
                .build()
                .unwrap();
            let issuer = Issuer::builder(
                "https://as.example.com",
                KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
                MemoryClientStore::from_iter([client]),
            )
            .build()
            .unwrap();
            let server = fixtures::start(stack, std::sync::Arc::new(issuer)).await;
            let base = &server.base;
            let send = |http: &reqwest::Client, path: &str, secret: &str| {
                let body: &[(&str, &str)] = match path {
                    "/token" => &[("grant_type", "client_credentials")],
                    _ => &[("token", "x")],
                };
                http.post(format!("{base}{path}"))
                    .basic_auth("human", Some(secret))
                    .form(body)
                    .send()
            };
            // Ten wrong guesses from 127.0.0.2, spread over the three endpoints,
            // lock that address out of this client id.
            for n in 0..10 {
                let path = ["/token", "/revoke", "/introspect"][n % 3];
                let status = send(&attacker, path, "wrong").await.unwrap().status();
                assert_eq!(status, 401, "{stack:?} {path} guess {n}");
            }
            for path in ["/token", "/revoke", "/introspect"] {
                let locked = send(&attacker, path, secret.expose_secret()).await.unwrap();
                assert_eq!(locked.status(), 429, "{stack:?} {path}: the guesser waits");
                // The owner, from 127.0.0.1, is not held back.
                let owner = send(&owner, path, secret.expose_secret()).await.unwrap();
                assert_eq!(owner.status(), 200, "{stack:?} {path}: the owner is served");
            }
            server.stop().await;
        }
    })
    .await;
}
