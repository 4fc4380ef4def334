//! An MCP server protected by the token server's tokens.

pub mod routes;
pub mod settings;
pub mod tools;
