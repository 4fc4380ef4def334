//! An MCP server protected by tokens of the `axum_server` example.
//!
//! ```text
//! cargo run -p client-credentials-examples --example mcp_resource_server -- \
//!     --issuer http://127.0.0.1:8080 [--jwks http://127.0.0.1:8080/jwks.json] \
//!     [--resource http://127.0.0.1:8081/mcp] \
//!     [--introspect http://127.0.0.1:8080/introspect --client-id mcp-server \
//!      [--client-secret-file PATH]]
//! ```
//!
//! Each flag can also come from the environment: `MCP_ISSUER`, `MCP_JWKS`,
//! `MCP_RESOURCE`, `MCP_INTROSPECT`, `MCP_CLIENT_ID`, `MCP_CLIENT_SECRET_FILE`.
//! The introspection client secret comes from `MCP_CLIENT_SECRET` or from the
//! secret file, never from the command line, where the process list shows it.
//!
//! An MCP server on the official Rust SDK (`rmcp`, Streamable HTTP transport)
//! at the resource's path, behind the crate's `BearerLayer`: every request
//! needs `mcp:read`, and a `tools/call` also its tool's scope (`echo`:
//! `mcp:read`, `write_note`: `mcp:write`; `mcp:admin` implies both), refused
//! with a 403 `insufficient_scope` challenge before the SDK sees it. It
//! declares the MCP OAuth client-credentials extension in its capabilities,
//! serves its RFC 9728 metadata, and listens on the resource's host and port. The keys come from the
//! issuer's JWK Set, found through its RFC 8414 metadata unless `--jwks` names
//! it, and follow the issuer's key rotation without a restart: the set is
//! fetched at start-up, again when its `Cache-Control: max-age` has passed, and
//! early when a token names a new `kid`. With `--introspect`, every request also asks the token
//! server whether the token is still active, so revocation takes effect at once.

use std::net::SocketAddr;
use std::sync::Arc;

use client_credentials_examples::AnyError;
use client_credentials_examples::mcp_resource_server::routes::{self, McpServer, Settings};

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let settings =
        Settings::from_args_and_env(std::env::args().skip(1), |var| std::env::var(var).ok())?;
    let listen = listen_address(&settings.resource)?;
    let server = Arc::new(McpServer::connect(settings.clone()).await?);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!(
        "MCP server for {} listening on http://{}",
        settings.resource,
        listener.local_addr()?
    );
    println!("MCP (Streamable HTTP) at {}", server.resource_path());
    println!("metadata: {}", server.metadata().metadata_url());
    println!(
        "trusting issuer {} (keys from {})",
        settings.issuer,
        settings
            .jwks_uri
            .as_deref()
            .unwrap_or("the jwks_uri of its metadata")
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
