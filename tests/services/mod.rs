//! The real services some tests talk to, found through `REDIS_URL` and
//! `DATABASE_URL`. Without them a test returns early after one line on
//! stderr saying how to run it; under CI (`CI=true`) a missing service fails
//! the test instead.
#![allow(dead_code)]

use std::io::Write as _;
use std::sync::Once;

/// The Redis to test against, or `None` (after saying so) outside CI.
pub fn redis_url() -> Option<String> {
    service_url("REDIS_URL", "redis://127.0.0.1:6379")
}

/// The PostgreSQL to test against, or `None` (after saying so) outside CI.
pub fn database_url() -> Option<String> {
    service_url("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
}

fn service_url(variable: &str, example: &str) -> Option<String> {
    if let Ok(url) = std::env::var(variable) {
        return Some(url);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{variable} is not set: under CI the service-backed tests must run"
    );
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        // Written past the test harness's capture, so it shows once per binary.
        let _ = writeln!(
            std::io::stderr(),
            "{variable} is not set: the tests of {} that need it did not run; \
             run them with {variable}={example} cargo test --workspace --all-features",
            env!("CARGO_CRATE_NAME"),
        );
    });
    None
}

/// A namespace no other test run uses.
pub fn unique_namespace(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("cc-test:{test}:{}:{nanos}", std::process::id())
}

/// Deletes the keys a test wrote under `namespace`.
#[cfg(feature = "redis")]
pub async fn forget_namespace(url: &str, namespace: &str) {
    let client = redis::Client::open(url).expect("a valid Redis URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is reachable");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("*{namespace}:*"))
        .query_async(&mut connection)
        .await
        .expect("KEYS answers");
    for key in keys {
        let _: () = redis::cmd("DEL")
            .arg(key)
            .query_async(&mut connection)
            .await
            .expect("DEL answers");
    }
}
