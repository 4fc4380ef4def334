//! The PostgreSQL the `client create` test writes to, found through
//! `DATABASE_URL`. Without it the test returns early after one line on
//! stderr; under CI (`CI=true`) a missing database fails the test instead.

use std::io::Write as _;

/// The PostgreSQL to test against, or `None` (after saying so) outside CI.
pub fn database_url() -> Option<String> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return Some(url);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "DATABASE_URL is not set: under CI the PostgreSQL tests must run"
    );
    let _ = writeln!(
        std::io::stderr(),
        "DATABASE_URL is not set: the PostgreSQL test of the CLI did not run; \
         run it with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo test -p client-credentials-cli"
    );
    None
}

/// A schema name no other test run uses.
pub fn unique_schema(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("cc_cli_{test}_{}_{nanos}", std::process::id())
}
