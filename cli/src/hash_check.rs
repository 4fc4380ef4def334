//! `hash-check`: does a secret match a stored hash?

use std::process::ExitCode;

use client_credentials::SecretHash;

use crate::Failure;

/// Check a secret (read from standard input) against a stored hash: prints
/// `match` and exits 0, or prints `no match` and exits 1. The comparison is
/// in constant time; the secret is never printed.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The stored hash, as `$sha256$…$…` or `$pbkdf2-sha256$…`.
    hash: String,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let hash: SecretHash = args.hash.parse().map_err(|e| {
        format!("{e}; pass the hash exactly as stored, quoted for the shell ('$sha256$…')")
    })?;
    let secret = crate::read_secret_from_stdin()?;
    if hash.verify(secret.expose_secret().as_bytes()) {
        println!("match");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("no match");
        Ok(ExitCode::from(1))
    }
}
