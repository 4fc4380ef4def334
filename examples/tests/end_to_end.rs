//! The two examples working together over loopback HTTP: the `axum_server`
//! token server and the `mcp_resource_server` MCP server, each on its own
//! 127.0.0.1 port, exactly as their binaries wire them. The MCP server fetches
//! the JWKS over HTTP and checks every token by introspection (C92); a client
//! discovers the authorization server from the MCP server's metadata (C116,
//! C117), gets tokens, calls tools, and meets every challenge (C118–C122).

use std::sync::Arc;
use std::time::Duration;

use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet, ScopeSet,
    SecretCredential, SecretHash, SigningKey,
};
use client_credentials_examples::axum_server::routes as token_routes;
use client_credentials_examples::mcp_resource_server::routes as mcp_routes;
use mcp_routes::{IntrospectionSettings, McpServer, Settings};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// Every network step is bounded; the whole test too.
const STEP: Duration = Duration::from_secs(10);

struct Servers {
    issuer: String,
    resource: String,
    client_secret: String,
    http: reqwest::Client,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn client(id: &str, secret: &ClientSecret) -> client_credentials::store::ClientBuilder {
    Client::builder(ClientId::new(id).unwrap()).secret(SecretCredential::new(
        CredentialId::new(format!("{id}-secret")).unwrap(),
        SecretHash::fast(secret).unwrap(),
    ))
}

/// Starts both servers on fresh loopback ports.
async fn start() -> Servers {
    let token_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mcp_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer_url = format!("http://{}", token_listener.local_addr().unwrap());
    let resource = format!("http://{}/mcp", mcp_listener.local_addr().unwrap());

    let client_secret = ClientSecret::generate();
    let mcp_secret = ClientSecret::generate();
    let scopes = ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap();
    let agent = client("agent", &client_secret)
        .allowed_scopes(scopes.clone())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(&resource).unwrap())
        .allowed_audience(Audience::new("https://elsewhere.example.com/mcp").unwrap())
        .build()
        .unwrap();
    // The resource server introspects, so its client is marked for it.
    let mcp_server = client("mcp-server", &mcp_secret)
        .introspection(true)
        .build()
        .unwrap();
    let issuer = Issuer::builder(
        &issuer_url,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([agent, mcp_server]),
    )
    .scopes_supported(scopes)
    .dangerous_allow_http_loopback()
    .build()
    .unwrap();
    let token_app = token_routes::router(Arc::new(issuer))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let mut tasks = vec![tokio::spawn(async move {
        axum::serve(token_listener, token_app).await.unwrap();
    })];

    let server = McpServer::connect(Settings {
        issuer: issuer_url.clone(),
        jwks_uri: None,
        resource: resource.clone(),
        introspection: Some(IntrospectionSettings {
            endpoint: format!("{issuer_url}/introspect"),
            client_id: "mcp-server".into(),
            client_secret: mcp_secret.expose_secret().into(),
        }),
    })
    .await
    .unwrap();
    let mcp_app = mcp_routes::router(Arc::new(server));
    tasks.push(tokio::spawn(async move {
        axum::serve(mcp_listener, mcp_app).await.unwrap();
    }));
    Servers {
        issuer: issuer_url,
        resource,
        client_secret: client_secret.expose_secret().into(),
        http: reqwest::Client::builder().timeout(STEP).build().unwrap(),
        tasks,
    }
}

impl Servers {
    async fn token(&self, token_endpoint: &str, params: &[(&str, &str)]) -> String {
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend_from_slice(params);
        let r = self
            .http
            .post(token_endpoint)
            .basic_auth("agent", Some(&self.client_secret))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A JSON-RPC call to the MCP server in a session of its own, as MCP's
    /// Streamable HTTP transport has it: `initialize`, `notifications/initialized`,
    /// then `rpc`. The status, challenge and JSON-RPC answer of the first
    /// refused step, or of `rpc`.
    async fn call(&self, url: &str, token: Option<&str>, rpc: Value) -> (u16, String, Value) {
        let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "end-to-end", "version": "0"}}});
        let (status, challenge, body, session) = self.post(url, token, None, initialize).await;
        if status != 200 {
            return (status, challenge, body);
        }
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let (status, challenge, body, _) =
            self.post(url, token, session.as_deref(), initialized).await;
        if status != 202 {
            return (status, challenge, body);
        }
        let (status, challenge, body, _) = self.post(url, token, session.as_deref(), rpc).await;
        (status, challenge, body)
    }

    /// One `POST`: status, challenge, the JSON-RPC message of a JSON or SSE
    /// body, and the session id.
    async fn post(
        &self,
        url: &str,
        token: Option<&str>,
        session: Option<&str>,
        rpc: Value,
    ) -> (u16, String, Value, Option<String>) {
        let mut request = self
            .http
            .post(url)
            .header("accept", "application/json, text/event-stream")
            .json(&rpc);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-11-25");
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let header = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let challenge = header("www-authenticate").unwrap_or_default();
        let session = header("mcp-session-id");
        let text = r.text().await.unwrap_or_default();
        // An SSE body: the message is the data of the event that has an id.
        let body = serde_json::from_str(&text).unwrap_or_else(|_| {
            text.lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
                .find(|message| message.get("id").is_some())
                .unwrap_or(Value::Null)
        });
        (status, challenge, body, session)
    }
}

fn tool_call(name: &str, text: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
           "params": {"name": name, "arguments": {"text": text}}})
}

#[tokio::test]
async fn a_token_from_the_token_server_opens_the_mcp_server_until_revoked() {
    tokio::time::timeout(Duration::from_secs(60), scenario())
        .await
        .expect("the scenario finishes in time");
}

async fn scenario() {
    let s = start().await;
    let http = &s.http;

    // C118: an anonymous call is challenged, and the challenge leads to the
    // metadata, which names the authorization server (C116, C117).
    let (status, challenge, _) = s.call(&s.resource, None, tool_call("echo", "hi")).await;
    assert_eq!(status, 401);
    assert!(!challenge.contains("error="), "{challenge}");
    let metadata_url = challenge
        .split("resource_metadata=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert!(metadata_url.ends_with("/.well-known/oauth-protected-resource/mcp"));
    assert!(challenge.contains(r#"scope="mcp:read""#));
    let metadata: Value = http
        .get(&metadata_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["resource"], s.resource.as_str());
    assert_eq!(metadata["authorization_servers"], json!([s.issuer]));
    let as_metadata: Value = http
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            s.issuer
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(as_metadata["issuer"], s.issuer.as_str());
    let token_endpoint = as_metadata["token_endpoint"].as_str().unwrap();
    let revocation_endpoint = as_metadata["revocation_endpoint"].as_str().unwrap();

    // A read token calls the read tool.
    let read = s
        .token(
            token_endpoint,
            &[("scope", "mcp:read"), ("resource", &s.resource)],
        )
        .await;
    let (status, _, body) = s
        .call(&s.resource, Some(&read), tool_call("echo", "hello"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["content"][0]["text"], "hello");
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let (status, _, body) = s.call(&s.resource, Some(&read), list.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["tools"].as_array().unwrap().len(), 2);

    // C122: but not the write tool.
    let (status, challenge, _) = s
        .call(&s.resource, Some(&read), tool_call("write_note", "x"))
        .await;
    assert_eq!(status, 403);
    assert!(
        challenge.starts_with(r#"Bearer error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(challenge.contains(r#"scope="mcp:write""#), "{challenge}");
    assert!(challenge.contains(&metadata_url), "{challenge}");
    // C123: stepping up is a new token request with the union scope.
    let write = s
        .token(token_endpoint, &[("scope", "mcp:read mcp:write")])
        .await;
    let (status, _, body) = s
        .call(&s.resource, Some(&write), tool_call("write_note", "x"))
        .await;
    assert_eq!(status, 200, "{body}");

    // C121: a token in the query string is not honoured.
    let (status, challenge, _) = s
        .call(
            &format!("{}?access_token={read}", s.resource),
            None,
            list.clone(),
        )
        .await;
    assert_eq!(status, 401);
    assert!(!challenge.contains("error="), "{challenge}");

    // C119, C120: a token for another resource is refused.
    let elsewhere = s
        .token(
            token_endpoint,
            &[("resource", "https://elsewhere.example.com/mcp")],
        )
        .await;
    let (status, challenge, _) = s.call(&s.resource, Some(&elsewhere), list.clone()).await;
    assert_eq!(status, 401);
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token""#),
        "{challenge}"
    );

    // C88, C92: revoked at the token server, refused by the MCP server at once.
    let r = http
        .post(revocation_endpoint)
        .basic_auth("agent", Some(&s.client_secret))
        .form(&[("token", read.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, challenge, _) = s.call(&s.resource, Some(&read), list.clone()).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains("the token has been revoked"),
        "{challenge}"
    );
    // The other tokens still work.
    let (status, _, _) = s.call(&s.resource, Some(&write), list).await;
    assert_eq!(status, 200);
}

/// The axum adapter reads bodies up to the issuer's own limit: one set larger
/// than the default is honoured, at every endpoint, and still enforced.
#[tokio::test]
async fn a_body_limit_larger_than_the_default_is_honoured_by_the_axum_adapter() {
    use client_credentials::issuer::DEFAULT_MAX_BODY_BYTES;

    let limit = 4 * DEFAULT_MAX_BODY_BYTES;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let secret = ClientSecret::generate();
    let agent = client("agent", &secret)
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        // It introspects its own token below.
        .introspection(true)
        .build()
        .unwrap();
    let issuer = Issuer::builder(
        &base,
        KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::from_iter([agent]),
    )
    .max_body_bytes(limit)
    .dangerous_allow_http_loopback()
    .build()
    .unwrap();
    assert_eq!(issuer.max_body_bytes(), limit);
    let app = token_routes::router(Arc::new(issuer))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let http = reqwest::Client::builder().timeout(STEP).build().unwrap();
    let post = |path: &str, body: String| {
        http.post(format!("{base}{path}"))
            .basic_auth("agent", Some(secret.expose_secret()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };

    // Past the default limit, within the configured one: a token.
    let pad = "a".repeat(2 * DEFAULT_MAX_BODY_BYTES);
    let r = post("/token", format!("grant_type=client_credentials&pad={pad}"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap().to_owned();

    // The same at introspection and revocation.
    let r = post("/introspect", format!("token={token}&pad={pad}"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["active"], true);
    let r = post("/revoke", format!("token={token}&pad={pad}"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Past the configured limit: the crate's 413 (C30).
    let over = "a".repeat(limit);
    let r = post(
        "/token",
        format!("grant_type=client_credentials&pad={over}"),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    task.abort();
}
