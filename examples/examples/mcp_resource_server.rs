//! An MCP server protected by tokens of the `axum_server` example.
//!
//! ```text
//! cargo run -p client-credentials-examples --example mcp_resource_server -- \
//!     --issuer http://127.0.0.1:8080 --jwks http://127.0.0.1:8080/jwks.json \
//!     [--resource http://127.0.0.1:8081/mcp] \
//!     [--introspect http://127.0.0.1:8080/introspect --client-id mcp-server --client-secret …]
//! ```
//!
//! Each flag can also come from the environment: `MCP_ISSUER`, `MCP_JWKS`,
//! `MCP_RESOURCE`, `MCP_INTROSPECT`, `MCP_CLIENT_ID`, `MCP_CLIENT_SECRET`.
//!
//! Serves JSON-RPC at the resource's path (tools `echo`, needing `mcp:read`, and
//! `write_note`, needing `mcp:write`; `mcp:admin` implies both) and its RFC 9728
//! metadata, listening on the resource's host and port. The JWKS is fetched
//! once at start-up. With `--introspect`, every request also asks the token
//! server whether the token is still active, so revocation takes effect at once.

use std::net::SocketAddr;
use std::sync::Arc;

use client_credentials_examples::AnyError;
use client_credentials_examples::mcp_resource_server::routes::{
    self, IntrospectionSettings, McpServer, Settings,
};

const USAGE: &str = "usage: mcp_resource_server --issuer URL --jwks URL [--resource URL] \
                     [--introspect URL --client-id ID --client-secret SECRET]";

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let settings = settings(std::env::args().skip(1).collect())?;
    let listen = listen_address(&settings.resource)?;
    let server = Arc::new(McpServer::connect(settings.clone()).await?);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!(
        "MCP server for {} listening on http://{}",
        settings.resource,
        listener.local_addr()?
    );
    println!("JSON-RPC at POST {}", server.resource_path());
    println!("metadata: {}", server.metadata().metadata_url());
    println!(
        "trusting issuer {} (keys from {})",
        settings.issuer, settings.jwks_uri
    );
    if settings.introspection.is_some() {
        println!("checking every token by introspection");
    }
    axum::serve(listener, routes::router(server))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            println!("shutting down");
        })
        .await?;
    Ok(())
}

/// Flags first, then the environment, then defaults.
fn settings(args: Vec<String>) -> Result<Settings, AnyError> {
    let mut flags = std::collections::HashMap::new();
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let name = flag.strip_prefix("--").ok_or(USAGE)?.to_owned();
        let value = args.next().ok_or(USAGE)?;
        flags.insert(name, value);
    }
    let get = |flag: &str, env: &str| flags.get(flag).cloned().or_else(|| std::env::var(env).ok());
    let introspection = match (
        get("introspect", "MCP_INTROSPECT"),
        get("client-id", "MCP_CLIENT_ID"),
        get("client-secret", "MCP_CLIENT_SECRET"),
    ) {
        (Some(endpoint), Some(client_id), Some(client_secret)) => Some(IntrospectionSettings {
            endpoint,
            client_id,
            client_secret,
        }),
        (None, _, _) => None,
        _ => return Err("--introspect needs --client-id and --client-secret".into()),
    };
    Ok(Settings {
        issuer: get("issuer", "MCP_ISSUER").ok_or(USAGE)?,
        jwks_uri: get("jwks", "MCP_JWKS").ok_or(USAGE)?,
        resource: get("resource", "MCP_RESOURCE")
            .unwrap_or_else(|| "http://127.0.0.1:8081/mcp".into()),
        introspection,
    })
}

/// The `host:port` of the resource identifier, which must be an IP address.
fn listen_address(resource: &str) -> Result<SocketAddr, AnyError> {
    let after_scheme = resource.split_once("://").map_or(resource, |(_, r)| r);
    let authority = after_scheme.split(['/', '?']).next().unwrap_or_default();
    let with_port = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:443")
    };
    with_port
        .parse()
        .map_err(|_| format!("the resource's host must be an IP address, not {authority:?}").into())
}
