//! Runs the `config_file` fuzz target's body over its checked-in seed corpus
//! (`fuzz/corpus-seed/config_file/*`), so the target and its invariants are
//! exercised on stable Rust in every test run. Fuzzing itself needs nightly and
//! `cargo fuzz`: see `fuzz/README.md`.

use std::path::Path;

use client_credentials::fuzzing::Outcome;
use client_credentials_examples::fuzzing;

#[test]
fn config_file_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus-seed/config_file");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    seeds.sort();
    assert!(
        seeds.len() >= 5,
        "the config_file seed corpus is nearly empty"
    );
    let (mut accepted, mut refused) = (0, 0);
    for seed in &seeds {
        match fuzzing::config_file(&std::fs::read(seed).unwrap()) {
            Outcome::Accepted => accepted += 1,
            Outcome::Refused => refused += 1,
        }
    }
    assert!(accepted >= 3, "{accepted} seeds accepted");
    assert!(refused >= 3, "{refused} seeds refused");
}

/// Inputs that are not in the corpus: empty, not UTF-8, not TOML.
#[test]
fn config_file_degenerate_inputs() {
    for data in [&b""[..], b"\xff\xfe", b"[[", b"keys = 1"] {
        assert_eq!(fuzzing::config_file(data), Outcome::Refused);
    }
}
