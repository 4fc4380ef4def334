//! `verify`: decode and verify an access token against the issuer's keys.

use std::process::ExitCode;

use client_credentials::resource::{RemoteKeys, RemoteKeysConfig, ReqwestGet};
use client_credentials::{Audience, UnixTime, Validator};

use crate::Failure;

/// Verify an RFC 9068 access token as a resource server would (signature by
/// the issuer's published keys, `typ`, `iss`, `aud`, expiry) and print its
/// claims as JSON. Exits 1 when the token is refused.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The token, or `-` to read it from standard input.
    token: String,
    /// The issuer identifier the token must name (`iss`).
    #[arg(long)]
    issuer: String,
    /// The audience the token must name (`aud`): the resource server's URL.
    #[arg(long)]
    audience: String,
    /// The JWK Set URL; without it, the `jwks_uri` of the issuer's RFC 8414
    /// metadata.
    #[arg(long)]
    jwks_url: Option<String>,
    /// Accept `http` URLs on `127.0.0.1`, `localhost` or `[::1]` (local tests only).
    #[arg(long)]
    allow_http_loopback: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    let token = if args.token == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        text.trim().to_owned()
    } else {
        args.token.clone()
    };
    let mut config = RemoteKeysConfig::default();
    config.danger_allow_http_loopback = args.allow_http_loopback;
    let fetcher = ReqwestGet::new()?;
    let https_hint = "; use an https URL (or --allow-http-loopback for a local server)";
    let keys = match &args.jwks_url {
        Some(url) => RemoteKeys::with_jwks_uri(&args.issuer, url, fetcher, config),
        None => RemoteKeys::new(&args.issuer, fetcher, config),
    }
    .map_err(|e| format!("{e}{https_hint}"))?;
    let audience = Audience::new(&args.audience)
        .map_err(|e| format!("{e}; pass the resource server's URL as --audience"))?;
    let validator = Validator::builder_remote(audience, keys.clone()).build()?;
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let now = UnixTime::now();
        keys.refresh(now).await.map_err(|e| {
            format!("cannot fetch the issuer's keys: {e}; check --issuer and --jwks-url, and that the server is up")
        })?;
        match validator.validate(&token, now).await {
            Ok(verified) => {
                println!("{}", serde_json::to_string_pretty(verified.claims())?);
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                println!("refused: {error}");
                Ok(ExitCode::from(1))
            }
        }
    })
}
