//! The `keygen` example's work: a client secret and its hash, a PKCS#8 signing
//! key, or the public JWK Set of a client's key, for a token server's
//! configuration.

use std::io::{Read, Write};

use client_credentials::{Algorithm, ClientSecret, SecretHash, SigningKey};

use crate::AnyError;

/// `keygen ARGS`, with its input and outputs passed in so tests can drive it.
pub fn run(
    args: &[&str],
    input: &mut impl Read,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), AnyError> {
    match args {
        ["secret"] => {
            let secret = ClientSecret::generate();
            writeln!(
                out,
                "secret = {}   # give this to the client, once; store only the hash",
                secret.expose_secret()
            )?;
            writeln!(out, "hash   = \"{}\"", SecretHash::fast(&secret)?)?;
        }
        ["secret", "--pbkdf2"] => {
            let mut text = zeroize::Zeroizing::new(String::new());
            input.read_to_string(&mut text)?;
            let secret = ClientSecret::new(text.trim_end_matches(['\r', '\n']));
            writeln!(out, "hash = \"{}\"", SecretHash::pbkdf2_default(&secret))?;
        }
        ["key", alg] => {
            let alg: Algorithm = alg
                .parse()
                .map_err(|_| format!("unknown algorithm {alg:?}"))?;
            let (key, pem) = SigningKey::generate(alg)?;
            writeln!(err, "kid: {}", key.kid())?;
            out.write_all(pem.expose_secret().as_bytes())?;
        }
        ["jwks", alg, path] => {
            let alg: Algorithm = alg
                .parse()
                .map_err(|_| format!("unknown algorithm {alg:?}"))?;
            let pem = zeroize::Zeroizing::new(std::fs::read_to_string(path)?);
            let key = SigningKey::from_pkcs8_pem(alg, &pem, None)?;
            let jwk = key.public_jwk().ok_or("HS256 keys have no public half")?;
            let set = serde_json::json!({ "keys": [jwk] });
            println!("{set}");
        }
        _ => {
            return Err(
                "usage: keygen secret [--pbkdf2] | keygen key ALG | keygen jwks ALG FILE".into(),
            );
        }
    }
    Ok(())
}
