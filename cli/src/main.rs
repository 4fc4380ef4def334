//! `client-credentials`: the operator's tool for the `client-credentials`
//! crate. See `README.md` beside this crate, or `client-credentials --help`.

mod client;
mod hash_check;
mod jwks;
mod key;
mod secret;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// An error for the operator: what went wrong and what to do.
type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Secrets, keys and clients for an OAuth 2.0 client-credentials token server
/// built on the `client-credentials` crate, and checks of its tokens.
#[derive(Parser)]
#[command(name = "client-credentials", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Secret(secret::Args),
    Key(key::Args),
    Jwks(jwks::Args),
    Client(client::Args),
    HashCheck(hash_check::Args),
    Verify(verify::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Secret(args) => secret::run(args),
        Command::Key(args) => key::run(args),
        Command::Jwks(args) => jwks::run(args),
        Command::Client(args) => client::run(args),
        Command::HashCheck(args) => hash_check::run(args),
        Command::Verify(args) => verify::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// Reads a secret from standard input: the first line, without its line end.
fn read_secret_from_stdin() -> Result<client_credentials::ClientSecret, Failure> {
    use std::io::Read as _;
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err("no secret on standard input: pipe it in, e.g. `printf %s \"$SECRET\" | client-credentials …`".into());
    }
    Ok(client_credentials::ClientSecret::new(line))
}

/// A tokio runtime for the commands that talk to a server or a database.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}").into())
}
