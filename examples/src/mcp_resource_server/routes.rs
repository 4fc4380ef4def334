//! An MCP server's protection, on axum: the `rmcp` Streamable HTTP service at
//! the resource path behind the crate's `BearerLayer` (every request needs
//! `mcp:read`, a `tools/call` also its tool's scope), its RFC 9728 metadata,
//! and RFC 6750 challenges.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use client_credentials::jose::DpopConfig;
use client_credentials::resource::{
    BearerLayer, RemoteKeys, RemoteKeysConfig, ReqwestGet, ScopeHierarchy, bearer_token,
};
use client_credentials::store::MemoryReplayGuard;
use client_credentials::{
    Audience, BearerChallenge, ResourceMetadata, Scope, ScopeSet, UnixTime, ValidationError,
    Validator,
};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::Value;

use super::tools::{ADMIN, READ, Tools, WRITE, tool_scope};
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

/// The protected MCP server: a validator, its metadata, and the tools' state.
pub struct McpServer {
    validator: Arc<Validator>,
    metadata: ResourceMetadata,
    resource_path: String,
    allowed_host: String,
    introspection: Option<(IntrospectionSettings, reqwest::Client)>,
    notes: Arc<Mutex<Vec<String>>>,
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
        let resource_path =
            client_credentials::resource::resource_metadata_path(&settings.resource)
                .and_then(|p| {
                    p.strip_prefix("/.well-known/oauth-protected-resource")
                        .map(str::to_owned)
                })
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "/".to_owned());
        let allowed_host = settings
            .resource
            .split_once("://")
            .map_or("", |(_, rest)| rest)
            .split(['/', '?'])
            .next()
            .unwrap_or_default()
            .to_owned();
        Ok(Self {
            validator: Arc::new(validator),
            metadata,
            resource_path,
            allowed_host,
            introspection: settings.introspection.map(|s| (s, http)),
            notes: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// The metadata document.
    pub fn metadata(&self) -> &ResourceMetadata {
        &self.metadata
    }

    /// The path MCP is served at (the resource identifier's path).
    pub fn resource_path(&self) -> &str {
        &self.resource_path
    }
}

/// The MCP endpoint (Streamable HTTP: `POST`, `GET` and `DELETE` at the
/// resource path) behind the bearer layer, and `GET` of the RFC 9728 metadata.
pub fn router(server: Arc<McpServer>) -> Router {
    let notes = Arc::clone(&server.notes);
    let config = StreamableHttpServerConfig::default().with_allowed_hosts([
        server.allowed_host.clone(),
        "127.0.0.1".to_owned(),
        "localhost".to_owned(),
    ]);
    let mcp = StreamableHttpService::new(
        move || Ok(Tools::new(Arc::clone(&notes))),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let bearer = BearerLayer::new(Arc::clone(&server.validator), &server.metadata)
        .require_scope(READ)
        .scope_for(|_head, body| tool_scope(body).map(Cow::Borrowed));
    let metadata = server.metadata.clone();
    let mut protected = Router::new().route_service(&server.resource_path, mcp);
    if server.introspection.is_some() {
        // Inside the bearer layer: only valid tokens are introspected.
        protected = protected.route_layer(middleware::from_fn_with_state(
            Arc::clone(&server),
            introspect_first,
        ));
    }
    let metadata_path = metadata.metadata_path().to_owned();
    protected.route_layer(bearer).route(
        &metadata_path,
        get(move || {
            let metadata = metadata.clone();
            async move { metadata.to_http() }
        }),
    )
}

/// With introspection configured, asks the token server whether the token is
/// still active before serving (C92).
async fn introspect_first(
    State(server): State<Arc<McpServer>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some((settings, http)) = &server.introspection {
        let token = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| bearer_token(Some(v)))
            .unwrap_or_default();
        if let Err(e) = introspect(settings, http, token).await {
            return BearerChallenge::invalid_token(e)
                .resource_metadata(server.metadata.metadata_url())
                .into_response();
        }
    }
    next.run(request).await
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
