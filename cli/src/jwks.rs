//! `jwks`: the public JWK Set of a key.

use std::path::PathBuf;
use std::process::ExitCode;

use client_credentials::SigningKey;

use crate::Failure;

/// Print the public JWK Set of a PKCS#8 PEM key: what a client registers
/// for `private_key_jwt`, or what a token server publishes at its
/// `jwks_uri`. Never a private parameter.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The PKCS#8 PEM file (from `key`).
    file: PathBuf,
    /// The key's algorithm: ES256, ES384, EdDSA or RS256.
    #[arg(long, default_value = "ES256")]
    alg: String,
    /// The `kid` to publish (default: the key's RFC 7638 thumbprint).
    #[arg(long)]
    kid: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let alg = crate::key::parse_algorithm(&args.alg)?;
    let pem = zeroize::Zeroizing::new(
        std::fs::read_to_string(&args.file)
            .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?,
    );
    let key = SigningKey::from_pkcs8_pem(alg, &pem, args.kid).map_err(|e| {
        format!(
            "{}: {e}; is it a PKCS#8 PEM key of algorithm {} (pass --alg)?",
            args.file.display(),
            args.alg
        )
    })?;
    let jwk = key.public_jwk().ok_or(
        "an HS256 key is a shared secret with no public half: there is no JWK Set to publish",
    )?;
    println!("{}", serde_json::json!({ "keys": [jwk] }));
    Ok(ExitCode::SUCCESS)
}
