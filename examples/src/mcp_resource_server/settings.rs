//! The MCP server's [`Settings`] from its command line and environment.
//!
//! The introspection client secret never comes from the command line, where
//! every local user can read it in the process list (`ps`, `/proc/*/cmdline`):
//! only from the environment (`MCP_CLIENT_SECRET`) or from a file
//! (`--client-secret-file PATH` or `MCP_CLIENT_SECRET_FILE`).

use std::collections::HashMap;

use zeroize::Zeroizing;

use super::routes::{IntrospectionSettings, Settings};
use crate::AnyError;

/// How the `mcp_resource_server` example is called.
pub const USAGE: &str = "usage: mcp_resource_server --issuer URL [--jwks URL] [--resource URL] \
                         [--introspect URL --client-id ID [--client-secret-file PATH]] \
                         (the secret comes from MCP_CLIENT_SECRET, or from the file named by \
                         --client-secret-file or MCP_CLIENT_SECRET_FILE)";

/// The resource identifier when none is given.
pub const DEFAULT_RESOURCE: &str = "http://127.0.0.1:8081/mcp";

impl Settings {
    /// Flags first (`--name value`), then the environment as `env` reads it,
    /// then defaults.
    ///
    /// # Errors
    /// A malformed command line, a missing required setting, a
    /// `--client-secret` flag (refused: see the module docs), a secret given
    /// both in the environment and as a file, or a secret file that cannot be
    /// read or is empty.
    pub fn from_args_and_env(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, AnyError> {
        let mut flags = HashMap::new();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let name = flag.strip_prefix("--").ok_or(USAGE)?.to_owned();
            if name == "client-secret" {
                // Not even read: the value is already in the process list,
                // but it goes no further.
                return Err(
                    "--client-secret is not accepted: a secret on the command line \
                            is readable in the process list; set MCP_CLIENT_SECRET or use \
                            --client-secret-file"
                        .into(),
                );
            }
            let value = args.next().ok_or(USAGE)?;
            flags.insert(name, value);
        }
        let get = |flag: &str, var: &str| flags.get(flag).cloned().or_else(|| env(var));
        let introspection = match (
            get("introspect", "MCP_INTROSPECT"),
            get("client-id", "MCP_CLIENT_ID"),
        ) {
            (Some(endpoint), Some(client_id)) => {
                let secret = client_secret(
                    env("MCP_CLIENT_SECRET").map(Zeroizing::new),
                    get("client-secret-file", "MCP_CLIENT_SECRET_FILE"),
                )?;
                Some(IntrospectionSettings {
                    endpoint,
                    client_id,
                    client_secret: secret.to_string(),
                })
            }
            (None, _) => None,
            (Some(_), None) => return Err("--introspect needs --client-id".into()),
        };
        Ok(Self {
            issuer: get("issuer", "MCP_ISSUER").ok_or(USAGE)?,
            jwks_uri: get("jwks", "MCP_JWKS"),
            resource: get("resource", "MCP_RESOURCE").unwrap_or_else(|| DEFAULT_RESOURCE.into()),
            introspection,
        })
    }
}

/// The secret from the environment or from the file at `file`: exactly one
/// of them. A file's one trailing line break is not part of the secret.
fn client_secret(
    from_env: Option<Zeroizing<String>>,
    file: Option<String>,
) -> Result<Zeroizing<String>, AnyError> {
    let secret = match (from_env, file) {
        (Some(_), Some(_)) => {
            return Err(
                "the client secret is in MCP_CLIENT_SECRET and in a file: give it one way".into(),
            );
        }
        (Some(secret), None) => secret,
        (None, Some(path)) => {
            let text = Zeroizing::new(
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read the client secret file {path:?}: {e}"))?,
            );
            let line = text
                .strip_suffix('\n')
                .map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
            Zeroizing::new(line.to_owned())
        }
        (None, None) => {
            return Err(
                "--introspect needs the client secret: set MCP_CLIENT_SECRET, or \
                        --client-secret-file PATH"
                    .into(),
            );
        }
    };
    if secret.is_empty() {
        return Err("the client secret is empty".into());
    }
    Ok(secret)
}
