//! The `hostile` table (in `tests/hostile/table.rs`, shared with the examples'
//! HTTP tests) through the `Issuer` in process: every malformed or hostile
//! request gets the RFC 6749 error its row names, with the status and headers
//! an error must have, and none panics or gets a 5xx.

mod fixtures;
#[path = "hostile/table.rs"]
mod table;

use std::sync::Arc;

use client_credentials::jose::{JwkSet, JwksFetcher};
use client_credentials::{ClientJwks, HttpResponse, RequestParts, StoreError};
use fixtures::assert_error;
use table::{Endpoint, JwkExpect, Row};

/// Sends `row` to its endpoint of `issuer`, on its own task so that a panic
/// is caught and reported as the row's.
async fn send(
    issuer: &Arc<client_credentials::Issuer<client_credentials::store::MemoryClientStore>>,
    row: &Row,
) -> Result<HttpResponse, String> {
    let issuer = issuer.clone();
    let row = row.clone();
    tokio::spawn(async move {
        let mut parts = RequestParts::new(row.method, &row.body);
        if let Some(content_type) = &row.content_type {
            parts = parts.content_type(content_type);
        }
        for value in &row.authorization {
            parts = parts.authorization_bytes(value);
        }
        if let Some(query) = &row.query {
            parts = parts.query(query);
        }
        match row.endpoint {
            Endpoint::Token => issuer.handle_token_request(parts).await,
            Endpoint::Revoke => issuer.handle_revocation_request(parts).await,
            Endpoint::Introspect => issuer.handle_introspection_request(parts).await,
        }
    })
    .await
    .map_err(|e| format!("panicked: {e}"))
}

#[test]
fn the_table_has_at_least_150_rows_with_distinct_names() {
    let rows = table::rows();
    assert!(rows.len() >= 150, "{} rows", rows.len());
    let mut names: Vec<_> = rows.iter().map(|r| (r.endpoint.path(), &r.name)).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), rows.len(), "row names are distinct");
    for row in &rows {
        assert!(
            (400..500).contains(&row.status),
            "{}: names a 4xx",
            row.name
        );
        assert!(!row.error.is_empty(), "{}: names its error", row.name);
    }
}

#[tokio::test]
async fn every_hostile_row_gets_its_documented_error_in_process() {
    let issuer = Arc::new(table::issuer());
    let rows = table::rows();
    let mut wrong = Vec::new();
    let mut answers = Vec::new();
    for row in &rows {
        match send(&issuer, row).await {
            Err(panic) => wrong.push(format!("{} {}: {panic}", row.endpoint.path(), row.name)),
            Ok(response) => {
                let body: serde_json::Value =
                    serde_json::from_slice(&response.body).unwrap_or_default();
                if response.status != row.status || body["error"] != row.error {
                    wrong.push(format!(
                        "{} {}: expected {} {}, got {} {body}",
                        row.endpoint.path(),
                        row.name,
                        row.status,
                        row.error,
                        response.status
                    ));
                }
                answers.push((row, response));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
    // And each is a well-formed error response (headers, body members, C25–C34).
    for (row, response) in &answers {
        eprintln!("{} {}", row.endpoint.path(), row.name);
        assert_error(response, row.status, row.error);
    }
}

/// Registration of every hostile JWK Set: refused with the error its row names,
/// or registered with the hostile member inert (no forged assertion verifies).
#[tokio::test]
async fn every_hostile_jwk_set_is_refused_at_registration_or_inert() {
    let rows = table::jwk_rows();
    let mut wrong = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        let outcome = std::panic::catch_unwind(|| ClientJwks::from_json(&row.jwks));
        match (row.expect, outcome) {
            (_, Err(_)) => wrong.push(format!("{}: panicked", row.name)),
            (JwkExpect::Refused(variant), Ok(Err(e))) if format!("{e:?}").starts_with(variant) => {}
            (JwkExpect::Inert, Ok(Ok(jwks))) => {
                let client = table::jwt_client("suspect", Some(jwks), None);
                let issuer = Arc::new(table::issuer_with(vec![client], |b| b));
                let body = table::assertion_request(&table::forged_assertion("suspect", "k", n));
                let response = issuer
                    .handle_token_request(RequestParts::form_post(body.as_bytes()))
                    .await;
                assert_error(&response, 401, "invalid_client");
            }
            (expect, Ok(got)) => wrong.push(format!(
                "{}: expected {expect:?}, got {:?}",
                row.name,
                got.map(|_| "registered")
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

/// A client's published JWK Set (`jwks_uri`) holding each hostile key: the
/// fetched set is read leniently, the hostile key skipped or inert, and an
/// assertion naming it is `401 invalid_client`, never a 5xx or a panic.
#[tokio::test]
async fn every_hostile_jwk_set_served_from_a_jwks_uri_fails_closed() {
    const URI: &str = "https://suspect.example.com/jwks.json";
    struct Served(JwkSet);
    impl JwksFetcher for Served {
        async fn fetch(&self, uri: &str) -> Result<JwkSet, StoreError> {
            assert_eq!(uri, URI);
            Ok(self.0.clone())
        }
    }
    let mut served = 0;
    for (n, row) in table::jwk_rows().iter().enumerate() {
        // Only what parses as a JWK Set can come back from a fetch.
        let Ok(set) = serde_json::from_str::<JwkSet>(&row.jwks) else {
            continue;
        };
        served += 1;
        let client = table::jwt_client("suspect", None, Some(URI));
        let issuer = Arc::new(table::issuer_with(vec![client], |b| {
            b.jwks_fetcher(Arc::new(Served(set)))
        }));
        let body = table::assertion_request(&table::forged_assertion("suspect", "k", 1_000 + n));
        let issuer2 = issuer.clone();
        let response = tokio::spawn(async move {
            issuer2
                .handle_token_request(RequestParts::form_post(body.as_bytes()))
                .await
        })
        .await
        .unwrap_or_else(|e| panic!("{}: panicked: {e}", row.name));
        assert_eq!(response.status, 401, "{}", row.name);
        assert_error(&response, 401, "invalid_client");
    }
    assert!(served >= 30, "{served} sets served");
}
