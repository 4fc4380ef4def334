//! The MCP server itself, on the official Rust SDK (`rmcp`): two tools, each
//! needing its own scope, and the client-credentials extension declared among
//! the server's capabilities.

use std::sync::{Arc, Mutex};

use client_credentials::VerifiedToken;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ExtensionCapabilities, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde::Deserialize;

/// The scopes, each implying the next: `mcp:admin` ⊇ `mcp:write` ⊇ `mcp:read`.
pub const READ: &str = "mcp:read";
pub const WRITE: &str = "mcp:write";
pub const ADMIN: &str = "mcp:admin";

/// The scope each tool needs. Every request needs [`READ`]; the bearer layer
/// reads the tool a `tools/call` names and requires its scope too, so a
/// refusal is an HTTP 403 `insufficient_scope` before the SDK sees the call.
pub const TOOL_SCOPES: &[(&str, &str)] = &[("echo", READ), ("write_note", WRITE)];

/// The MCP OAuth client-credentials extension's identifier, declared in the
/// server's `capabilities.extensions`.
pub const CLIENT_CREDENTIALS_EXTENSION: &str = "io.modelcontextprotocol/oauth-client-credentials";

/// Notes kept by `write_note`: a bounded demo store.
const MAX_NOTES: usize = 100;
const MAX_NOTE_CHARS: usize = 1_000;

/// The tools' argument.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Text {
    /// The text.
    pub text: String,
}

/// One MCP session's handler; the notes are shared by all sessions.
#[derive(Debug, Clone)]
pub struct Tools {
    notes: Arc<Mutex<Vec<String>>>,
    tool_router: ToolRouter<Self>,
}

impl Tools {
    /// A handler over the shared `notes`.
    pub fn new(notes: Arc<Mutex<Vec<String>>>) -> Self {
        Self {
            notes,
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl Tools {
    /// Returns its text.
    #[tool(description = "Returns its text (needs mcp:read).")]
    fn echo(&self, Parameters(Text { text }): Parameters<Text>) -> String {
        text
    }

    /// Keeps a note, signed with the caller's client id.
    #[tool(description = "Keeps a note (needs mcp:write).")]
    fn write_note(
        &self,
        Parameters(Text { text }): Parameters<Text>,
        Extension(http): Extension<axum::http::request::Parts>,
    ) -> String {
        // The bearer layer put the verified token in the request.
        let client = http
            .extensions
            .get::<VerifiedToken>()
            .map_or("?", |t| t.client_id())
            .to_owned();
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        if notes.len() >= MAX_NOTES {
            notes.remove(0);
        }
        notes.push(text.chars().take(MAX_NOTE_CHARS).collect());
        format!("note saved by {client} ({} kept)", notes.len())
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        let mut extensions = ExtensionCapabilities::new();
        extensions.insert(CLIENT_CREDENTIALS_EXTENSION.to_owned(), Default::default());
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_extensions_with(extensions)
                .enable_tools()
                .build(),
        )
        .with_instructions(
            "A client-credentials example MCP server: echo (mcp:read), write_note (mcp:write).",
        )
    }
}

/// The scope a JSON-RPC message needs beyond [`READ`]: that of the tool a
/// `tools/call` names. Anything else (another method, a body that is not a
/// single JSON-RPC request) needs [`READ`] only; the SDK answers it.
pub fn tool_scope(body: &[u8]) -> Option<&'static str> {
    #[derive(Deserialize)]
    struct Call<'a> {
        #[serde(borrow)]
        method: &'a str,
        #[serde(default)]
        params: Option<Params<'a>>,
    }
    #[derive(Deserialize)]
    struct Params<'a> {
        #[serde(borrow)]
        name: Option<std::borrow::Cow<'a, str>>,
    }
    let call: Call<'_> = serde_json::from_slice(body).ok()?;
    if call.method != "tools/call" {
        return None;
    }
    let name = call.params?.name?;
    TOOL_SCOPES
        .iter()
        .find(|(tool, _)| *tool == name)
        .map(|(_, scope)| *scope)
}
