//! The `mcp_resource_server` example's settings: its introspection client
//! secret comes from the environment or a file, never from the command line
//! (where the process list shows it to every local user).

use std::collections::HashMap;

use client_credentials_examples::mcp_resource_server::routes::Settings;
use client_credentials_examples::mcp_resource_server::settings::DEFAULT_RESOURCE;

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

fn parse(line: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::from_args_and_env(args(line), |var| env.get(var).cloned()).map_err(|e| e.to_string())
}

const BASE: &str = "--issuer http://127.0.0.1:8080 --jwks http://127.0.0.1:8080/jwks.json \
                    --introspect http://127.0.0.1:8080/introspect --client-id mcp-server";

#[test]
fn a_secret_on_the_command_line_is_refused() {
    let error = parse(&format!("{BASE} --client-secret hunter2"), &[]).unwrap_err();
    assert!(error.contains("--client-secret is not accepted"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    // Even with the secret also in the environment, and anywhere on the line.
    let error = parse(
        &format!("--client-secret hunter2 {BASE}"),
        &[("MCP_CLIENT_SECRET", "s")],
    )
    .unwrap_err();
    assert!(error.contains("--client-secret is not accepted"), "{error}");
}

#[test]
fn the_secret_comes_from_the_environment() {
    let settings = parse(BASE, &[("MCP_CLIENT_SECRET", "from-env")]).unwrap();
    let introspection = settings.introspection.unwrap();
    assert_eq!(introspection.client_id, "mcp-server");
    assert_eq!(introspection.client_secret, "from-env");
    assert_eq!(settings.resource, DEFAULT_RESOURCE);
    assert!(!format!("{introspection:?}").contains("from-env"));
}

#[test]
fn the_secret_comes_from_a_file_named_by_flag_or_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    std::fs::write(&path, "from-file\r\n").unwrap();
    let path = path.to_str().unwrap();

    let by_flag = parse(&format!("{BASE} --client-secret-file {path}"), &[]).unwrap();
    assert_eq!(by_flag.introspection.unwrap().client_secret, "from-file");
    let by_env = parse(BASE, &[("MCP_CLIENT_SECRET_FILE", path)]).unwrap();
    assert_eq!(by_env.introspection.unwrap().client_secret, "from-file");
}

#[test]
fn a_missing_ambiguous_empty_or_unreadable_secret_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let empty = empty.to_str().unwrap();
    let missing = dir.path().join("missing");
    let missing = missing.to_str().unwrap();
    for (line, env) in [
        (BASE.to_owned(), vec![]),
        (
            format!("{BASE} --client-secret-file {empty}"),
            vec![("MCP_CLIENT_SECRET", "s")],
        ),
        (format!("{BASE} --client-secret-file {empty}"), vec![]),
        (format!("{BASE} --client-secret-file {missing}"), vec![]),
    ] {
        assert!(parse(&line, &env).is_err(), "{line} {env:?}");
    }
}

#[test]
fn without_introspection_no_secret_is_needed() {
    let settings = parse(
        "--issuer http://127.0.0.1:8080 --jwks http://127.0.0.1:8080/jwks.json",
        &[],
    )
    .unwrap();
    assert!(settings.introspection.is_none());
}
