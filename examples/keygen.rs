//! Generates what a token server's configuration needs.
//!
//! ```text
//! cargo run --example keygen -- secret            # a 256-bit client secret and its fast hash
//! cargo run --example keygen -- secret --pbkdf2   # read a human-chosen secret from stdin, PBKDF2 hash
//! cargo run --example keygen -- key ES256 > es256.pem   # or ES384, EdDSA: a PKCS#8 signing key
//! cargo run --example keygen -- jwks ES256 client.pem    # the public JWK Set of a client's key
//! ```

use std::io::Read;

use client_credentials::{Algorithm, ClientSecret, SecretHash, SigningKey};

type AnyError = Box<dyn std::error::Error>;

fn main() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["secret"] => {
            let secret = ClientSecret::generate();
            println!(
                "secret = {}   # give this to the client, once; store only the hash",
                secret.expose_secret()
            );
            println!("hash   = \"{}\"", SecretHash::fast(&secret)?);
        }
        ["secret", "--pbkdf2"] => {
            let mut input = zeroize::Zeroizing::new(String::new());
            std::io::stdin().read_to_string(&mut input)?;
            let secret = ClientSecret::new(input.trim_end_matches(['\r', '\n']));
            println!("hash = \"{}\"", SecretHash::pbkdf2_default(&secret));
        }
        ["key", alg] => {
            let alg: Algorithm = alg
                .parse()
                .map_err(|_| format!("unknown algorithm {alg:?}"))?;
            let (key, pem) = SigningKey::generate(alg)?;
            eprintln!("kid: {}", key.kid());
            print!("{}", pem.expose_secret());
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
