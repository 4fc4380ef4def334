//! Runs the fuzz targets' bodies over the checked-in seed corpus
//! (`fuzz/corpus-seed/<target>/*`), so the targets and their invariants are
//! exercised on stable Rust in every test run. Fuzzing itself needs nightly and
//! `cargo fuzz`: see `fuzz/README.md`.

use std::path::Path;

use client_credentials::fuzzing::{self, Outcome};

/// Runs `body` over every seed of `target`; returns how many were accepted and
/// how many refused.
fn run(target: &str, body: fn(&[u8]) -> Outcome) -> (usize, usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus-seed")
        .join(target);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "the {target} seed corpus is nearly empty");
    let (mut accepted, mut refused) = (0, 0);
    for seed in &seeds {
        let data = std::fs::read(seed).unwrap();
        match body(&data) {
            Outcome::Accepted => accepted += 1,
            Outcome::Refused => refused += 1,
        }
    }
    (accepted, refused)
}

#[test]
fn token_request_seeds() {
    let (accepted, refused) = run("token_request", fuzzing::token_request);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn basic_header_seeds() {
    let (accepted, refused) = run("basic_header", fuzzing::basic_header);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn client_assertion_seeds() {
    let (accepted, refused) = run("client_assertion", fuzzing::client_assertion);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn access_token_seeds() {
    let (accepted, refused) = run("access_token", fuzzing::access_token);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn jwk_set_seeds() {
    let (accepted, refused) = run("jwk_set", fuzzing::jwk_set);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn dpop_token_endpoint_seeds() {
    let (accepted, refused) = run("dpop_token_endpoint", fuzzing::dpop_token_endpoint);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn dpop_resource_seeds() {
    let (accepted, refused) = run("dpop_resource", fuzzing::dpop_resource);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn extra_claims_seeds() {
    let (accepted, refused) = run("extra_claims", fuzzing::extra_claims);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[cfg(feature = "tower")]
#[test]
fn credentials_seeds() {
    let (accepted, refused) = run("credentials", fuzzing::credentials_reader);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

#[test]
fn platform_token_seeds() {
    let (accepted, refused) = run("platform_token", fuzzing::platform_token);
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

/// The valid inputs the structured modes start from are valid indeed.
#[test]
fn structured_modes_start_from_valid_inputs() {
    assert_eq!(fuzzing::client_assertion(b"\x02"), Outcome::Accepted);
    assert_eq!(fuzzing::access_token(b"\x02"), Outcome::Accepted);
    let mut raw = vec![0];
    raw.extend_from_slice(fuzzing::valid_assertion().as_bytes());
    assert_eq!(fuzzing::client_assertion(&raw), Outcome::Accepted);
    let mut raw = vec![0];
    raw.extend_from_slice(fuzzing::valid_token().as_bytes());
    assert_eq!(fuzzing::access_token(&raw), Outcome::Accepted);
    for (body, valid) in [
        (
            fuzzing::dpop_token_endpoint as fn(&[u8]) -> Outcome,
            fuzzing::valid_token_endpoint_proof(),
        ),
        (fuzzing::platform_token, fuzzing::valid_platform_token()),
    ] {
        assert_eq!(body(b"\x02"), Outcome::Accepted);
        let mut raw = vec![0];
        raw.extend_from_slice(valid.as_bytes());
        assert_eq!(body(&raw), Outcome::Accepted);
    }
    assert_eq!(fuzzing::dpop_resource(b"\x02"), Outcome::Accepted);
}

/// A few inputs that are not in the corpus: the bodies must cope with inputs
/// shorter than their layout.
#[test]
fn degenerate_inputs() {
    for data in [
        &b""[..],
        b"\x00",
        b"\xff",
        b"\x0c\x00\x00\x00",
        b"\x01",
        b"\x02\x03",
        b"\x03",
    ] {
        fuzzing::token_request(data);
        fuzzing::basic_header(data);
        fuzzing::client_assertion(data);
        fuzzing::access_token(data);
        fuzzing::jwk_set(data);
        fuzzing::dpop_token_endpoint(data);
        fuzzing::dpop_resource(data);
        fuzzing::platform_token(data);
        fuzzing::extra_claims(data);
        #[cfg(feature = "tower")]
        fuzzing::credentials_reader(data);
    }
}
