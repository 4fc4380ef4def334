//! The `client-credentials` binary run as an operator runs it: each command's
//! output, its errors, and what it makes working in the example token server.

mod services;

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;

use client_credentials::store::postgres::{PostgresClientStore, PostgresConfig};
use client_credentials::{ClientId, ClientStore, RequestParts, SecretHash};
use client_credentials_examples::axum_server::{config, routes};

/// Runs the binary with `args` and `stdin`; its exit code, stdout and stderr.
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_client-credentials"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A command that fails before reading its input closes the pipe: that
    // write error is no failure of the test.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The value of `name = …` in the output (quotes and comment removed).
fn value(output: &str, name: &str) -> String {
    let line = output
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in {output}"));
    let value = line.split_once('=').unwrap().1;
    let value = value.split("   #").next().unwrap();
    value.trim().trim_matches('"').to_owned()
}

#[test]
fn every_command_has_help() {
    for command in [
        &["--help"][..],
        &["secret", "--help"],
        &["key", "--help"],
        &["jwks", "--help"],
        &["client", "--help"],
        &["client", "create", "--help"],
        &["hash-check", "--help"],
        &["verify", "--help"],
    ] {
        let (code, out, _) = run(command, "");
        assert_eq!(code, 0, "{command:?}");
        assert!(
            out.contains("Usage: client-credentials"),
            "{command:?}: {out}"
        );
    }
}

#[test]
fn secret_prints_a_secret_whose_hash_checks() {
    let (code, out, _) = run(&["secret"], "");
    assert_eq!(code, 0);
    let secret = value(&out, "secret");
    let hash = value(&out, "hash");
    assert_eq!(secret.len(), 43, "256 bits in base64url");
    assert!(hash.starts_with("$sha256$"), "{hash}");
    assert!(
        hash.parse::<SecretHash>()
            .unwrap()
            .verify(secret.as_bytes())
    );

    let (code, out, _) = run(&["hash-check", &hash], &format!("{secret}\n"));
    assert_eq!((code, out.trim()), (0, "match"));
    let (code, out, _) = run(&["hash-check", &hash], "not-the-secret\n");
    assert_eq!((code, out.trim()), (1, "no match"));
}

#[test]
fn a_human_chosen_secret_gets_a_pbkdf2_hash() {
    let (code, out, _) = run(
        &["secret", "--stdin", "--hash", "pbkdf2"],
        "chosen by a human\n",
    );
    assert_eq!(code, 0);
    assert!(
        !out.contains("chosen by a human"),
        "the secret is not echoed"
    );
    let hash = value(&out, "hash");
    assert!(hash.starts_with("$pbkdf2-sha256$"), "{hash}");
    let (code, _, _) = run(&["hash-check", &hash], "chosen by a human\n");
    assert_eq!(code, 0);

    let (code, _, err) = run(&["secret", "--stdin"], "short\n");
    assert_eq!(code, 2);
    assert!(
        err.contains("--hash pbkdf2"),
        "the error says what to do: {err}"
    );
}

#[test]
fn key_and_jwks_make_a_key_pair_and_publish_its_public_half() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ["ES256", "ES384", "EdDSA"] {
        let path = dir.path().join(format!("{alg}.pem"));
        let path = path.to_str().unwrap();
        let (code, out, err) = run(&["key", "--alg", alg, "--out", path], "");
        assert_eq!(code, 0, "{err}");
        assert!(out.is_empty(), "the key went to the file");
        let kid = err
            .trim()
            .strip_prefix("kid: ")
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner reads the key");
        }
        let (code, out, _) = run(&["jwks", path, "--alg", alg], "");
        assert_eq!(code, 0);
        let jwks: serde_json::Value = serde_json::from_str(&out).unwrap();
        let jwk = &jwks["keys"][0];
        assert_eq!(jwk["kid"], kid);
        assert_eq!(jwk["alg"], alg);
        assert!(jwk.get("d").is_none(), "no private parameter");

        let (code, _, err) = run(&["key", "--alg", alg, "--out", path], "");
        assert_eq!(code, 2, "an existing key is never overwritten");
        assert!(err.contains("pick another path"), "{err}");
    }
    let (code, out, _) = run(&["key"], "");
    assert_eq!(code, 0);
    assert!(out.starts_with("-----BEGIN PRIVATE KEY-----"), "{out}");
}

#[test]
fn errors_say_what_to_do() {
    let cases: [(&[&str], &str); 4] = [
        (&["key", "--alg", "none"], "use ES256, ES384, EdDSA"),
        (&["key", "--alg", "RS256"], "openssl genpkey"),
        (&["hash-check", "plaintext"], "exactly as stored"),
        (
            &["jwks", "/nonexistent/key.pem"],
            "cannot read /nonexistent/key.pem",
        ),
    ];
    for (args, hint) in cases {
        let (code, _, err) = run(args, "x\n");
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.starts_with("error: ") && err.contains(hint),
            "{args:?}: {err}"
        );
    }
    let (code, _, err) = run(
        &[
            "hash-check",
            "$sha256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("pipe it in"), "{err}");
}

/// Serves a token server configured with `toml` (its key `signing.pem` is
/// `pem`) on a loopback port; the base URL. The runtime lives on its own
/// thread for the rest of the test binary.
fn serve_config(toml: impl FnOnce(SocketAddr) -> String, pem: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let server =
        config::ServerConfig::from_toml(&toml(addr), move |_| Ok(pem.clone().into())).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = routes::router(Arc::new(server.issuer))
                .into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

#[test]
fn what_the_tool_makes_works_in_the_token_server_and_verify_checks_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("signing.pem");
    let (code, _, _) = run(&["key", "--out", key_path.to_str().unwrap()], "");
    assert_eq!(code, 0);
    let pem = std::fs::read_to_string(&key_path).unwrap();
    let (_, out, _) = run(&["secret"], "");
    let (secret, hash) = (value(&out, "secret"), value(&out, "hash"));

    let base = serve_config(
        |addr| {
            format!(
                r#"
issuer = "http://{addr}"
listen = "{addr}"
[[keys]]
algorithm = "ES256"
private_key_file = "signing.pem"
[[clients]]
id = "job"
allowed_scopes = ["metrics:read"]
default_scopes = ["metrics:read"]
default_audience = "https://metrics.example.com"
[[clients.secrets]]
id = "s1"
hash = "{hash}"
"#
            )
        },
        pem,
    );
    let body = format!("grant_type=client_credentials&client_id=job&client_secret={secret}");
    let token = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let response = post_form(&format!("{base}/token"), body).await;
        response["access_token"].as_str().unwrap().to_owned()
    });

    let (code, out, err) = run(
        &[
            "verify",
            &token,
            "--issuer",
            &base,
            "--audience",
            "https://metrics.example.com",
            "--allow-http-loopback",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    let claims: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(claims["client_id"], "job");
    assert_eq!(claims["scope"], "metrics:read");

    // From standard input, with the JWKS URL given.
    let jwks_url = format!("{base}/jwks.json");
    let (code, _, _) = run(
        &[
            "verify",
            "-",
            "--issuer",
            &base,
            "--audience",
            "https://metrics.example.com",
            "--jwks-url",
            &jwks_url,
            "--allow-http-loopback",
        ],
        &token,
    );
    assert_eq!(code, 0);

    let (code, out, _) = run(
        &[
            "verify",
            &token,
            "--issuer",
            &base,
            "--audience",
            "https://other.example.com",
            "--allow-http-loopback",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("refused: "), "{out}");

    let (code, _, err) = run(
        &[
            "verify",
            &token,
            "--issuer",
            &base,
            "--audience",
            "https://metrics.example.com",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--allow-http-loopback"), "{err}");
}

/// A form POST with a plain HTTP/1.1 exchange over a loopback socket; the
/// JSON answer.
async fn post_form(url: &str, body: String) -> serde_json::Value {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let json = response.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(json).unwrap_or_else(|_| panic!("{response}"))
}

#[test]
fn client_create_registers_a_client_in_postgres() {
    let Some(url) = services::database_url() else {
        return;
    };
    let schema = services::unique_schema("create");
    let (code, out, err) = run(
        &[
            "client",
            "create",
            "--database-url",
            &url,
            "--schema",
            &schema,
            "--id",
            "reporting-job",
            "--scope",
            "metrics:read",
            "--scope",
            "metrics:write",
            "--default-scope",
            "metrics:read",
            "--default-audience",
            "https://metrics.example.com",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains(&url), "the database URL is not echoed");
    let secret = value(&out, "secret");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = PostgresClientStore::new(PostgresConfig::new(&url).schema(&schema)).unwrap();
        let client = store
            .client(&ClientId::new("reporting-job").unwrap())
            .await
            .unwrap()
            .expect("the client is stored");
        assert!(client.secrets()[0].hash().verify(secret.as_bytes()));
        assert_eq!(
            client.default_audience().unwrap().as_str(),
            "https://metrics.example.com"
        );
        assert!(client.allowed_scopes().iter().any(|s| s == "metrics:write"));
        assert!(!client.may_introspect(), "not unless asked");
        assert!(!client.requires_dpop(), "not unless asked");

        // The stored client gets tokens from an issuer on the same store.
        let issuer = client_credentials::Issuer::builder(
            "https://auth.example.com",
            client_credentials::KeySet::new(
                client_credentials::SigningKey::generate(client_credentials::Algorithm::ES256)
                    .unwrap()
                    .0,
            ),
            store,
        )
        .build()
        .unwrap();
        let body =
            format!("grant_type=client_credentials&client_id=reporting-job&client_secret={secret}");
        let response = issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await;
        assert_eq!(response.status, 200);
    });

    let (code, _, err) = run(
        &[
            "client",
            "create",
            "--database-url",
            &url,
            "--schema",
            &schema,
            "--id",
            "reporting-job",
        ],
        "",
    );
    assert_eq!(code, 2, "the id is taken");
    assert!(err.contains("pick another --id"), "{err}");

    let (client, connection) = runtime
        .block_on(tokio_postgres::connect(&url, tokio_postgres::NoTls))
        .unwrap();
    runtime.spawn(connection);
    runtime
        .block_on(client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .unwrap();
}

#[test]
fn client_create_marks_introspecting_and_dpop_bound_clients() {
    let Some(url) = services::database_url() else {
        return;
    };
    let schema = services::unique_schema("flags");
    let create = |id: &str, flags: &[&str]| {
        let mut args = vec![
            "client",
            "create",
            "--database-url",
            &url,
            "--schema",
            &schema,
            "--id",
            id,
            "--default-audience",
            "https://api.example.com",
            "--scope",
            "api:read",
            "--default-scope",
            "api:read",
        ];
        args.extend_from_slice(flags);
        let (code, out, err) = run(&args, "");
        assert_eq!(code, 0, "{out}{err}");
        value(&out, "secret")
    };
    let gateway_secret = create("gateway", &["--introspection"]);
    let agent_secret = create("agent", &["--dpop-bound"]);
    create("both", &["--introspection", "--dpop-bound"]);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = PostgresClientStore::new(PostgresConfig::new(&url).schema(&schema)).unwrap();
        let stored = |id: &'static str| {
            let store = store.clone();
            async move {
                store
                    .client(&ClientId::new(id).unwrap())
                    .await
                    .unwrap()
                    .expect("the client is stored")
            }
        };
        let gateway = stored("gateway").await;
        assert!(gateway.may_introspect() && !gateway.requires_dpop());
        let agent = stored("agent").await;
        assert!(!agent.may_introspect() && agent.requires_dpop());
        let both = stored("both").await;
        assert!(both.may_introspect() && both.requires_dpop());

        let issuer = client_credentials::Issuer::builder(
            "https://auth.example.com",
            client_credentials::KeySet::new(
                client_credentials::SigningKey::generate(client_credentials::Algorithm::ES256)
                    .unwrap()
                    .0,
            ),
            store,
        )
        .build()
        .unwrap();
        let token_request = |id: &str, secret: &str| {
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}")
        };
        let response = issuer
            .handle_token_request(RequestParts::form_post(
                token_request("gateway", &gateway_secret).as_bytes(),
            ))
            .await;
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(response.status, 200, "{body}");
        let token = body["access_token"].as_str().unwrap();

        // The DPoP-bound client gets no token without a proof.
        let response = issuer
            .handle_token_request(RequestParts::form_post(
                token_request("agent", &agent_secret).as_bytes(),
            ))
            .await;
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(response.status, 400);
        assert_eq!(body["error"], "invalid_dpop_proof", "{body}");

        // The gateway may introspect; the agent may not.
        let introspect =
            |id: &str, secret: &str| format!("token={token}&client_id={id}&client_secret={secret}");
        let response = issuer
            .handle_introspection_request(RequestParts::form_post(
                introspect("gateway", &gateway_secret).as_bytes(),
            ))
            .await;
        assert_eq!(response.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["active"], true);
        let response = issuer
            .handle_introspection_request(RequestParts::form_post(
                introspect("agent", &agent_secret).as_bytes(),
            ))
            .await;
        assert_eq!(response.status, 403);
    });

    let (client, connection) = runtime
        .block_on(tokio_postgres::connect(&url, tokio_postgres::NoTls))
        .unwrap();
    runtime.spawn(connection);
    runtime
        .block_on(client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .unwrap();
}

#[test]
fn client_create_without_a_database_says_what_to_check() {
    let (code, _, err) = run(
        &[
            "client",
            "create",
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
            "--id",
            "job",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("is the database reachable"), "{err}");
}
