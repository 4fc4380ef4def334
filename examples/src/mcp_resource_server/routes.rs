//! An MCP server's protection, on axum: JSON-RPC `POST` at the resource path
//! with one scope per tool, its RFC 9728 metadata, and RFC 6750 challenges.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use client_credentials::jose::DpopConfig;
use client_credentials::resource::{
    RemoteKeys, RemoteKeysConfig, ReqwestGet, ResourceRequest, ScopeHierarchy,
};
use client_credentials::store::{MemoryReplayGuard, NoRevocation};
use client_credentials::{
    Audience, BearerChallenge, HttpResponse, ResourceMetadata, RevocationStore, Scope, ScopeSet,
    UnixTime, ValidationError, Validator, VerifiedToken,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AnyError;

/// Where the server finds its authorization server, and who it is.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The authorization server's issuer identifier (`iss` of every token).
    pub issuer: String,
    /// The URL of the authorization server's JWK Set; without it, the
    /// `jwks_uri` of the issuer's RFC 8414 metadata.
    pub jwks_uri: Option<String>,
    /// This server's resource identifier: the `aud` its tokens carry.
    pub resource: String,
    /// Optional RFC 7662 introspection, so revoked tokens are refused at once.
    pub introspection: Option<IntrospectionSettings>,
}

/// The introspection endpoint and this server's client credentials there.
#[derive(Clone)]
pub struct IntrospectionSettings {
    pub endpoint: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for IntrospectionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionSettings")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// The scope a tool needs. `mcp:admin` ⊇ `mcp:write` ⊇ `mcp:read` (C122).
const READ: &str = "mcp:read";
const WRITE: &str = "mcp:write";
const ADMIN: &str = "mcp:admin";

/// Notes kept by `write_note`: a bounded demo store.
const MAX_NOTES: usize = 100;
const MAX_NOTE_CHARS: usize = 1_000;

/// The protected MCP server: a validator, its metadata, and its tools' state.
pub struct McpServer<R = NoRevocation> {
    validator: Validator<R>,
    metadata: ResourceMetadata,
    resource_path: String,
    introspection: Option<(IntrospectionSettings, reqwest::Client)>,
    notes: Mutex<Vec<String>>,
}

impl McpServer {
    /// Builds the validator and the metadata from `settings`. The keys come
    /// from the authorization server's JWK Set through a [`RemoteKeys`], which
    /// follows its key rotation: fetched now, then whenever it is due or a token
    /// names a new `kid`.
    pub async fn connect(settings: Settings) -> Result<Self, AnyError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let fetcher = ReqwestGet::new()?;
        let mut config = RemoteKeysConfig::default();
        // The demo runs on loopback `http`; anything else must be `https`.
        config.danger_allow_http_loopback = true;
        let remote = match &settings.jwks_uri {
            Some(jwks_uri) => {
                RemoteKeys::with_jwks_uri(&settings.issuer, jwks_uri, fetcher, config)?
            }
            None => RemoteKeys::new(&settings.issuer, fetcher, config)?,
        };
        // Fail at start-up, not at the first request, when the keys are out of reach.
        remote.refresh(UnixTime::now()).await?;
        let scope = |s: &str| Scope::new(s);
        // DPoP-bound tokens under the MCP DPoP profile, bearer tokens too;
        // each proof is accepted once.
        let validator = Validator::builder_remote(Audience::new(&settings.resource)?, remote)
            .scope_hierarchy(
                ScopeHierarchy::new()
                    .imply(scope(ADMIN)?, [scope(WRITE)?])
                    .imply(scope(WRITE)?, [scope(READ)?]),
            )
            .dpop(DpopConfig::mcp())
            .dpop_endpoint(&settings.resource)
            .dpop_replay_guard(MemoryReplayGuard::new())
            .build()?;
        let metadata = ResourceMetadata::builder(&settings.resource)
            .authorization_server(&settings.issuer)
            .scopes_supported(ScopeSet::from_strs([READ, WRITE, ADMIN])?)
            .resource_name("client-credentials example MCP server")
            .dpop_signing_algs(validator.dpop_algorithms().unwrap_or_default())
            .dangerous_allow_http_loopback()
            .build()?;
        Ok(Self::new(validator, metadata)
            .with_introspection(settings.introspection.map(|s| (s, http))))
    }
}

impl<R> McpServer<R> {
    /// A server protected by `validator`, described by `metadata`.
    pub fn new(validator: Validator<R>, metadata: ResourceMetadata) -> Self {
        let resource_path =
            client_credentials::resource::resource_metadata_path(metadata.resource())
                .and_then(|p| {
                    p.strip_prefix("/.well-known/oauth-protected-resource")
                        .map(str::to_owned)
                })
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "/".to_owned());
        Self {
            validator,
            metadata,
            resource_path,
            introspection: None,
            notes: Mutex::new(Vec::new()),
        }
    }

    fn with_introspection(
        mut self,
        introspection: Option<(IntrospectionSettings, reqwest::Client)>,
    ) -> Self {
        self.introspection = introspection;
        self
    }

    /// The metadata document.
    pub fn metadata(&self) -> &ResourceMetadata {
        &self.metadata
    }

    /// The path JSON-RPC is served at (the resource identifier's path).
    pub fn resource_path(&self) -> &str {
        &self.resource_path
    }
}

/// `POST {resource path}` (JSON-RPC) and `GET` of the RFC 9728 metadata.
pub fn router<R: RevocationStore + 'static>(server: Arc<McpServer<R>>) -> Router {
    let metadata_path = server.metadata.metadata_path().to_owned();
    Router::new()
        .route(&server.resource_path.clone(), post(mcp::<R>))
        .route(
            &metadata_path,
            get(
                |State(s): State<Arc<McpServer<R>>>| async move { into_axum(s.metadata.to_http()) },
            ),
        )
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(server)
}

impl<R: RevocationStore> McpServer<R> {
    /// Authenticates the request: the token from the `Authorization` header
    /// only (C121), `Bearer` or `DPoP` with its proof over this body (RFC
    /// 9449 §7, MCP DPoP profile), validated (C119, C120), and — with
    /// introspection configured — still active at the authorization server
    /// (C92).
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedToken, Response> {
        let refuse = |c: BearerChallenge| {
            into_axum(c.resource_metadata(self.metadata.metadata_url()).to_http())
        };
        let mut request = ResourceRequest::new("POST", self.metadata.resource()).body(body);
        for value in headers.get_all(header::AUTHORIZATION) {
            request = request.authorization(value.to_str().unwrap_or("\u{0}"));
        }
        for value in headers.get_all("dpop") {
            request = request.dpop(value.to_str().unwrap_or("\u{0}"));
        }
        let verified = self
            .validator
            .authorize(&request, UnixTime::now())
            .await
            .map_err(|challenge| match challenge.error() {
                None => refuse(challenge.scope(READ)),
                Some(_) => refuse(challenge),
            })?;
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .map_or("", |(_, token)| token.trim());
        if let Some((settings, http)) = &self.introspection
            && let Err(e) = introspect(settings, http, token).await
        {
            return Err(refuse(BearerChallenge::invalid_token(e)));
        }
        Ok(verified)
    }
}

/// Asks the authorization server whether `token` is still active. Fails
/// closed: an unreachable server means the token cannot be shown to be live.
async fn introspect(
    settings: &IntrospectionSettings,
    http: &reqwest::Client,
    token: &str,
) -> Result<(), ValidationError> {
    let response = http
        .post(&settings.endpoint)
        .basic_auth(&settings.client_id, Some(&settings.client_secret))
        .form(&[("token", token), ("token_type_hint", "access_token")])
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|_| ValidationError::RevocationUnavailable)?;
    let body: Value = response
        .json()
        .await
        .map_err(|_| ValidationError::RevocationUnavailable)?;
    match body["active"].as_bool() {
        Some(true) => Ok(()),
        _ => Err(ValidationError::Revoked),
    }
}

#[derive(Deserialize)]
struct RpcRequest {
    jsonrpc: String,
    #[serde(default)]
    id: Option<Value>,
    method: String,
    #[serde(default)]
    params: Value,
}

async fn mcp<R: RevocationStore>(
    State(server): State<Arc<McpServer<R>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = match server.authenticate(&headers, &body).await {
        Ok(token) => token,
        Err(refusal) => return refusal,
    };
    let request = match serde_json::from_slice::<RpcRequest>(&body) {
        Ok(r) if r.jsonrpc == "2.0" => r,
        _ => return rpc_error(StatusCode::BAD_REQUEST, Value::Null, -32700, "parse error"),
    };
    let tool = request.params["name"].as_str().unwrap_or_default();
    let needed = match (request.method.as_str(), tool) {
        ("tools/call", "write_note") => WRITE,
        _ => READ,
    };
    if let Err(e) = token.require_scope(needed) {
        let challenge = server
            .validator
            .insufficient_scope(&token, &e)
            .resource_metadata(server.metadata.metadata_url());
        return into_axum(challenge.to_http());
    }
    let Some(id) = request.id else {
        return StatusCode::ACCEPTED.into_response(); // a notification
    };
    let result = match request.method.as_str() {
        "initialize" => json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "client-credentials-example", "version": "0.1.0"},
        }),
        "tools/list" => json!({"tools": [
            {
                "name": "echo",
                "description": "Returns its text (needs mcp:read).",
                "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
            },
            {
                "name": "write_note",
                "description": "Keeps a note (needs mcp:write).",
                "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
            },
        ]}),
        "tools/call" => {
            let text = request.params["arguments"]["text"].as_str();
            match (tool, text) {
                ("echo", Some(text)) => text_result(text),
                ("write_note", Some(text)) => {
                    let mut notes = server.notes.lock().unwrap_or_else(|e| e.into_inner());
                    if notes.len() >= MAX_NOTES {
                        notes.remove(0);
                    }
                    notes.push(text.chars().take(MAX_NOTE_CHARS).collect());
                    text_result(&format!(
                        "note saved by {} ({} kept)",
                        token.client_id(),
                        notes.len()
                    ))
                }
                ("echo" | "write_note", None) => {
                    return rpc_error(StatusCode::OK, id, -32602, "arguments.text is required");
                }
                _ => return rpc_error(StatusCode::OK, id, -32602, "unknown tool"),
            }
        }
        _ => return rpc_error(StatusCode::OK, id, -32601, "method not found"),
    };
    axum::Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}

fn text_result(text: &str) -> Value {
    json!({"content": [{"type": "text", "text": text}]})
}

fn rpc_error(status: StatusCode, id: Value, code: i64, message: &str) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    (status, axum::Json(body)).into_response()
}

fn into_axum(r: HttpResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Body::from(r.body)).into_response();
    for (name, value) in r.headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
