//! Interop with a real DPoP client: openid-client (Node, pinned in
//! `examples/tests/interop/dpop/package-lock.json`) gets DPoP-bound tokens from
//! the axum token server, configured from a TOML file with DPoP nonces, with
//! `client_secret_basic` and with `private_key_jwt`, then calls the MCP
//! server's endpoint with proofs under the MCP DPoP profile; hand-written
//! tampered proofs are refused (C100, C106, C107, C112).
//!
//! Needs `node` and `npm ci` run in that directory (`.ci/run` does both).
//! Without them the test is skipped locally, and fails under `CI=true`.

mod fixtures;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use client_credentials::{Algorithm, KeySet, SigningKey};
use fixtures::dpop_servers;
use serde_json::Value;

fn client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/dpop")
}

/// Whether node and the installed client are there; under CI they must be.
fn client_available() -> bool {
    let installed = client_dir().join("node_modules/openid-client").is_dir();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed && node {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "node and openid-client are required under CI: run `npm ci` in {}",
        client_dir().display()
    );
    eprintln!(
        "skipped: node or openid-client missing (run `npm ci` in {})",
        client_dir().display()
    );
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c100_c107_c112_openid_client_gets_dpop_tokens_and_calls_the_mcp_server() {
    if !client_available() {
        return;
    }
    let (jwt_key, jwt_pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let jwt_kid = jwt_key.kid().to_owned();
    let jwks = KeySet::new(jwt_key).jwks_json();
    let servers = dpop_servers::start(|resource| {
        format!(
            r#"
[[clients]]
id = "jwt-agent"
jwks = '{jwks}'
auth_methods = ["private_key_jwt"]
allowed_scopes = ["mcp:read"]
default_scopes = ["mcp:read"]
allowed_audiences = ["{resource}"]
default_audience = "{resource}"
"#
        )
    })
    .await;
    let (issuer, resource, secret) = (&servers.issuer, &servers.resource, &servers.secret);

    let run = tokio::process::Command::new("node")
        .arg("dpop_client.mjs")
        .current_dir(client_dir())
        .env("ISSUER", issuer)
        .env("RESOURCE", resource)
        .env("SECRET_CLIENT_ID", "agent")
        .env("SECRET_CLIENT_SECRET", secret.expose_secret())
        .env("JWT_CLIENT_ID", "jwt-agent")
        .env("JWT_CLIENT_KEY_PEM", jwt_pem.expose_secret())
        .env("JWT_CLIENT_KID", &jwt_kid)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the node client finishes within a minute")
        .unwrap();
    drop(servers);
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    for method in ["client_secret_basic", "private_key_jwt"] {
        let outcome = &report[method];
        assert!(
            outcome["token_type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("DPoP")),
            "{method}: {outcome}"
        );
        assert_eq!(outcome["initialize_status"], 200, "{method}: {outcome}");
        assert_eq!(outcome["initialized_status"], 202, "{method}: {outcome}");
        assert_eq!(outcome["status"], 200, "{method}: {outcome}");
        assert_eq!(outcome["text"], "hello over DPoP", "{method}: {outcome}");
    }
    let tampered = &report["tampered"];
    assert_eq!(tampered["valid"]["status"], 200, "{tampered}");
    for case in [
        "reused_jti",
        "wrong_htu",
        "wrong_ath",
        "another_key",
        "body_mismatch",
    ] {
        assert_eq!(tampered[case]["status"], 401, "{case}: {tampered}");
        let challenge = tampered[case]["challenge"].as_str().unwrap_or_default();
        assert!(challenge.starts_with("DPoP algs="), "{case}: {challenge}");
    }
    assert!(
        tampered["another_key"]["challenge"]
            .as_str()
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
    assert!(
        tampered["wrong_htu"]["challenge"]
            .as_str()
            .unwrap()
            .contains("error=\"invalid_dpop_proof\"")
    );
}
