//! `secret`: a new client secret and the hash to store for it.

use std::process::ExitCode;

use clap::ValueEnum;
use client_credentials::{ClientSecret, SecretHash};

use crate::Failure;

/// Generate a client secret (256 random bits) and print it with its hash.
///
/// Give the secret to the client once; store only the hash (in the server's
/// configuration file or with `client create`). With `--stdin`, hash a
/// secret chosen by a human instead (use `--hash pbkdf2` for those).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The hash to print: `fast` (salted SHA-256, for generated secrets) or
    /// `pbkdf2` (PBKDF2-HMAC-SHA256, for secrets chosen by a human).
    #[arg(long, value_enum, default_value_t = Hash::Fast)]
    hash: Hash,
    /// Read the secret from standard input instead of generating one.
    #[arg(long)]
    stdin: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Hash {
    Fast,
    Pbkdf2,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let secret = if args.stdin {
        crate::read_secret_from_stdin()?
    } else {
        ClientSecret::generate()
    };
    let hash = match args.hash {
        Hash::Fast => SecretHash::fast(&secret)
            .map_err(|e| format!("{e}; a secret chosen by a human needs `--hash pbkdf2`"))?,
        Hash::Pbkdf2 => SecretHash::pbkdf2_default(&secret),
    };
    if !args.stdin {
        println!(
            "secret = {}   # give this to the client, once; store only the hash",
            secret.expose_secret()
        );
    }
    println!("hash   = \"{hash}\"");
    Ok(ExitCode::SUCCESS)
}
