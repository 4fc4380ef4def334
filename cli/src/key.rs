//! `key`: a new signing key as PKCS#8 PEM.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use client_credentials::{Algorithm, SigningKey};

use crate::Failure;

/// Generate a signing key and print it as PKCS#8 PEM (its `kid` goes to
/// standard error).
///
/// For the token server's `[[keys]]`, or for a client that authenticates
/// with `private_key_jwt` (then publish its public half with `jwks`).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The algorithm: ES256, ES384, EdDSA or RS256 (RSA keys are not
    /// generated: make them with `openssl genpkey`).
    #[arg(long, default_value = "ES256")]
    alg: String,
    /// Write the key to this file (created with mode 0600, never
    /// overwritten) instead of standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

pub(crate) fn parse_algorithm(alg: &str) -> Result<Algorithm, Failure> {
    alg.parse().map_err(|_| {
        format!("unknown algorithm {alg:?}: use ES256, ES384, EdDSA, RS256 or HS256").into()
    })
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let alg = parse_algorithm(&args.alg)?;
    let (key, pem) = SigningKey::generate(alg)
        .map_err(|e| format!("{e} (an RSA key: `openssl genpkey -algorithm RSA -out key.pem`)"))?;
    match args.out {
        Some(path) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(|e| {
                format!("cannot create {}: {e} (an existing key is never overwritten; pick another path)", path.display())
            })?;
            file.write_all(pem.expose_secret().as_bytes())?;
            eprintln!("kid: {} (written to {})", key.kid(), path.display());
        }
        None => {
            eprintln!("kid: {}", key.kid());
            std::io::stdout().write_all(pem.expose_secret().as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
