//! Generates what a token server's configuration needs.
//!
//! ```text
//! cargo run -p client-credentials-examples --example keygen -- secret            # a 256-bit client secret and its fast hash
//! cargo run -p client-credentials-examples --example keygen -- secret --pbkdf2   # read a human-chosen secret from stdin, PBKDF2 hash
//! cargo run -p client-credentials-examples --example keygen -- key ES256 > es256.pem   # or ES384, EdDSA: a PKCS#8 signing key
//! cargo run -p client-credentials-examples --example keygen -- jwks ES256 client.pem    # the public JWK Set of a client's key
//! ```

use client_credentials_examples::{AnyError, keygen};

fn main() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    keygen::run(
        &args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}
