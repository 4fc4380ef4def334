//! Interop with a real third-party client: the `oauth2` crate, over real HTTP
//! against the axum example server on 127.0.0.1, its tokens checked by
//! jsonwebtoken, an independent JWT implementation.

mod fixtures;

use std::num::NonZeroU32;
use std::sync::Mutex;

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{AuthType, RequestTokenError, Scope, TokenResponse, TokenUrl};
use serde_json::Value;

use client_credentials_examples::axum_server::config;
use client_credentials_examples::demo;
use fixtures::{bounded, http_client, verify_access_token};

/// The demo server of the axum example on a free loopback port, and its base URL.
async fn demo_server() -> (demo::Demo, String) {
    let (listener, addr) = fixtures::bind().await;
    let demo = demo::Demo::new(addr).unwrap();
    fixtures::serve_axum(listener, demo.issuer.clone());
    (demo, format!("http://{addr}"))
}

/// The oauth2 crate's HTTP client: an async closure over reqwest that records
/// every status it sees.
struct Transport {
    client: reqwest::Client,
    statuses: Mutex<Vec<u16>>,
}

impl Transport {
    fn new() -> Self {
        Self {
            client: http_client(),
            statuses: Mutex::new(Vec::new()),
        }
    }

    async fn send(
        &self,
        request: oauth2::HttpRequest,
    ) -> Result<oauth2::HttpResponse, reqwest::Error> {
        let (head, body) = request.into_parts();
        let response = self
            .client
            .request(head.method, head.uri.to_string())
            .headers(head.headers)
            .body(body)
            .send()
            .await?;
        self.statuses
            .lock()
            .unwrap()
            .push(response.status().as_u16());
        let status = response.status();
        let headers = response.headers().clone();
        let mut out = oauth2::HttpResponse::new(response.bytes().await?.to_vec());
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }

    fn last_status(&self) -> Option<u16> {
        self.statuses.lock().unwrap().last().copied()
    }

    /// The oauth2 crate's client-credentials request, sent through `self`.
    async fn request_token(
        &self,
        (id, secret): (&str, &str),
        token_url: &str,
        auth: AuthType,
        scopes: &[&str],
    ) -> Result<BasicTokenResponse, RequestTokenError<reqwest::Error, BasicErrorResponse>> {
        let client = BasicClient::new(oauth2::ClientId::new(id.to_owned()))
            .set_client_secret(oauth2::ClientSecret::new(secret.to_owned()))
            .set_token_uri(TokenUrl::new(token_url.to_owned()).unwrap())
            .set_auth_type(auth);
        client
            .exchange_client_credentials()
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&|request| self.send(request))
            .await
    }
}

#[tokio::test]
async fn c8_c10_oauth2_basic_and_post_tokens_verify_independently() {
    bounded(async {
        let (demo, base) = demo_server().await;
        let transport = Transport::new();
        let credentials = (demo::CLIENT_ID, demo.secret.expose_secret());
        let token_url = format!("{base}/token");
        for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
            let scopes = ["demo:write", "demo:read"];
            let token = transport
                .request_token(credentials, &token_url, auth.clone(), &scopes)
                .await
                .unwrap_or_else(|e| panic!("{auth:?}: {e:?}"));
            assert_eq!(token.token_type(), &oauth2::basic::BasicTokenType::Bearer);
            assert!(token.refresh_token().is_none(), "C23");
            assert!(token.expires_in().is_some_and(|d| d.as_secs() > 0), "C24");
            let granted: Vec<&str> = token.scopes().unwrap().iter().map(|s| s.as_str()).collect();
            assert_eq!(granted.len(), 2, "{granted:?}");
            assert!(granted.contains(&"demo:read") && granted.contains(&"demo:write"));

            let jwt = token.access_token().secret();
            let claims = verify_access_token(&base, jwt, &base, &demo.audience).await;
            assert_eq!(claims["iss"], base.as_str());
            assert_eq!(claims["aud"], demo.audience.as_str());
            assert_eq!(claims["client_id"], demo::CLIENT_ID);
            assert_eq!(claims["sub"], demo::CLIENT_ID);
            let scope: Vec<&str> = claims["scope"].as_str().unwrap().split(' ').collect();
            assert_eq!(scope.len(), 2);
            assert!(scope.contains(&"demo:read") && scope.contains(&"demo:write"));
        }
        assert_eq!(transport.statuses.lock().unwrap().as_slice(), [200, 200]);
    })
    .await;
}

#[tokio::test]
async fn c28_c139_wrong_secret_is_invalid_client_401_through_oauth2() {
    bounded(async {
        let (_demo, base) = demo_server().await;
        let transport = Transport::new();
        let credentials = (demo::CLIENT_ID, "not-the-secret");
        for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
            let error = transport
                .request_token(credentials, &format!("{base}/token"), auth, &[])
                .await
                .unwrap_err();
            let RequestTokenError::ServerResponse(response) = error else {
                panic!("expected an RFC 6749 §5.2 error response, got {error:?}");
            };
            assert_eq!(response.error(), &BasicErrorResponseType::InvalidClient);
            assert_eq!(transport.last_status(), Some(401));
        }
    })
    .await;
}

#[tokio::test]
async fn c74_c75_c80_c81_metadata_over_http_configures_the_client() {
    bounded(async {
        let (demo, base) = demo_server().await;
        let http = http_client();
        let response = http
            .get(format!("{base}/.well-known/oauth-authorization-server"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "C74, C75");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "C75"
        );
        let metadata: Value = response.json().await.unwrap();
        assert!(metadata.is_object(), "C75");
        assert_eq!(metadata["issuer"], base.as_str(), "C77: byte-identical");
        assert_eq!(metadata["jwks_uri"], format!("{base}/jwks.json").as_str());
        let grants = metadata["grant_types_supported"].as_array().unwrap();
        assert!(grants.contains(&"client_credentials".into()), "C80");
        assert!(
            !grants.contains(&"implicit".into()) && !grants.contains(&"password".into()),
            "C80"
        );
        let methods = &metadata["token_endpoint_auth_methods_supported"];
        assert_eq!(
            methods,
            &serde_json::json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt"
            ]),
            "C81: exactly what the endpoint accepts"
        );
        assert!(
            metadata["token_endpoint_auth_signing_alg_values_supported"]
                .as_array()
                .is_some_and(|algs| !algs.is_empty() && !algs.contains(&"none".into())),
            "C83"
        );
        for (name, value) in metadata.as_object().unwrap() {
            if name != "response_types_supported" {
                assert_ne!(value, &serde_json::json!([]), "C76: {name}");
            }
        }
        // C134: REQUIRED, and empty: no response type is served; the demo's
        // authorization endpoint (C78) refuses every request.
        assert_eq!(metadata["response_types_supported"], serde_json::json!([]));
        let authorize = response_to(&metadata["authorization_endpoint"]).await;
        assert_eq!(authorize.0, 400, "C78");
        assert!(authorize.1.contains("unsupported_response_type"), "C78");

        // A client configured from the metadata alone gets a token (C101), with
        // each advertised method (C81).
        let token_endpoint = metadata["token_endpoint"].as_str().unwrap();
        assert_eq!(token_endpoint, format!("{base}/token"));
        let transport = Transport::new();
        let credentials = (demo::CLIENT_ID, demo.secret.expose_secret());
        for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
            let token = transport
                .request_token(credentials, token_endpoint, auth, &[])
                .await
                .unwrap();
            let claims = verify_access_token(
                &base,
                token.access_token().secret(),
                metadata["issuer"].as_str().unwrap(),
                &demo.audience,
            )
            .await;
            assert_eq!(claims["scope"], "demo:read", "C19: the default scope");
        }

        // An unlisted method is refused as invalid_client (C81).
        let assertion = http
            .post(token_endpoint)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", demo::CLIENT_ID),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", "e30.e30.sig"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(assertion.status(), 401);
        let body: Value = assertion.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    })
    .await;
}

#[tokio::test]
async fn c9_oauth2_urlencoded_basic_credentials_against_a_config_file_server() {
    bounded(async {
        // An id and a human-chosen secret full of characters that Basic
        // credentials must form-urlencode (RFC 6749 §2.3.1); oauth2 does.
        let id = "svc:a b";
        let secret = "p@ss/w+rd%:&=é";
        let hash = client_credentials::SecretHash::pbkdf2(
            &client_credentials::ClientSecret::new(secret),
            NonZeroU32::new(1_000).unwrap(),
        );
        let (listener, addr) = fixtures::bind().await;
        let base = format!("http://{addr}");
        let toml = format!(
            r#"
issuer = "{base}"
listen = "{addr}"

[[keys]]
algorithm = "ES256"
private_key_file = "es256.pem"

[[clients]]
id = "{id}"
allowed_scopes = ["reports:read"]
default_scopes = ["reports:read"]
default_audience = "https://reports.example.com"

[[clients.secrets]]
id = "s1"
hash = "{hash}"
"#
        );
        let dir = fixtures::temp_files(&[
            ("server.toml", &toml),
            ("es256.pem", &fixtures::es256_pem()),
        ]);
        let server = config::ServerConfig::load(&dir.path().join("server.toml")).unwrap();
        assert_eq!(server.listen, addr);
        fixtures::serve_axum(listener, std::sync::Arc::new(server.issuer));

        let transport = Transport::new();
        for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
            let token = transport
                .request_token((id, secret), &format!("{base}/token"), auth.clone(), &[])
                .await
                .unwrap_or_else(|e| panic!("{auth:?}: {e:?}"));
            let claims = verify_access_token(
                &base,
                token.access_token().secret(),
                &base,
                "https://reports.example.com",
            )
            .await;
            assert_eq!(claims["client_id"], id);
            assert_eq!(claims["credential_id"], "s1");
        }
    })
    .await;
}

/// `GET` of the URL in `url` with an authorization request's parameters:
/// status and body, redirections not followed.
async fn response_to(url: &Value) -> (u16, String) {
    let url = format!(
        "{}?response_type=code&client_id=demo&redirect_uri=https%3A%2F%2Fclient.example%2Fcb",
        url.as_str()
            .expect("an authorization endpoint is advertised")
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}
