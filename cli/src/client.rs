//! `client create`: register a client in the PostgreSQL store.

use std::process::ExitCode;

use client_credentials::store::postgres::{PostgresClientStore, PostgresConfig};
use client_credentials::{
    Audience, AuthMethod, Client, ClientId, ClientSecret, CredentialId, ScopeSet, SecretCredential,
    SecretHash,
};

use crate::Failure;

/// Manage the clients of a PostgreSQL client store.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Create(Create),
}

/// Register a client in the PostgreSQL store (the schema is created or
/// migrated first), with a new generated secret printed once, or with keys
/// published at a `jwks_uri` for `private_key_jwt`.
#[derive(clap::Args)]
struct Create {
    /// The database, as postgres://user:password@host:port/db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// The schema holding the store's tables.
    #[arg(long, default_value = "client_credentials")]
    schema: String,
    /// The client id.
    #[arg(long)]
    id: String,
    /// A scope the client may ask for (repeat for several).
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// A scope granted when the client names none (repeat for several).
    #[arg(long = "default-scope")]
    default_scopes: Vec<String>,
    /// An audience (resource URL) the client may ask for (repeat for several).
    #[arg(long = "audience")]
    audiences: Vec<String>,
    /// The audience of tokens that name no resource.
    #[arg(long)]
    default_audience: Option<String>,
    /// The id of the generated secret (secrets rotate by id).
    #[arg(long, default_value = "s1")]
    secret_id: String,
    /// Hash the secret with PBKDF2 instead of the fast hash (for a secret
    /// read with --secret-stdin that a human chose).
    #[arg(long)]
    pbkdf2: bool,
    /// Read the secret from standard input instead of generating one.
    #[arg(long)]
    secret_stdin: bool,
    /// Register no secret but keys at this URL (`private_key_jwt`).
    #[arg(long, conflicts_with_all = ["secret_stdin", "pbkdf2"])]
    jwks_uri: Option<String>,
    /// An authentication method the client may use (repeat for several;
    /// default: any it has credentials for).
    #[arg(long = "auth-method")]
    auth_methods: Vec<String>,
    /// Token lifetime in seconds for this client (default: the issuer's).
    #[arg(long)]
    token_lifetime_secs: Option<u64>,
    /// Let the client introspect tokens (RFC 7662); without it, its
    /// introspection requests are refused.
    #[arg(long)]
    introspection: bool,
    /// Issue the client DPoP-bound tokens only (RFC 9449): its token
    /// requests need a DPoP proof.
    #[arg(long)]
    dpop_bound: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, Failure> {
    match args.command {
        Command::Create(create) => run_create(create),
    }
}

fn run_create(args: Create) -> Result<ExitCode, Failure> {
    let id = ClientId::new(&args.id)?;
    let mut builder = Client::builder(id);
    let mut secret = None;
    if let Some(uri) = &args.jwks_uri {
        builder = builder.jwks_uri(uri);
    } else {
        let value = if args.secret_stdin {
            crate::read_secret_from_stdin()?
        } else {
            ClientSecret::generate()
        };
        let hash = if args.pbkdf2 {
            SecretHash::pbkdf2_default(&value)
        } else {
            SecretHash::fast(&value)
                .map_err(|e| format!("{e}; a secret chosen by a human needs --pbkdf2"))?
        };
        builder = builder.secret(SecretCredential::new(
            CredentialId::new(&args.secret_id)?,
            hash,
        ));
        secret = Some(value);
    }
    if !args.scopes.is_empty() {
        builder = builder.allowed_scopes(ScopeSet::from_strs(&args.scopes)?);
    }
    if !args.default_scopes.is_empty() {
        builder = builder.default_scopes(ScopeSet::from_strs(&args.default_scopes)?);
    }
    for audience in &args.audiences {
        builder = builder.allowed_audience(Audience::new(audience)?);
    }
    if let Some(audience) = &args.default_audience {
        builder = builder.default_audience(Audience::new(audience)?);
    }
    if !args.auth_methods.is_empty() {
        let methods = args
            .auth_methods
            .iter()
            .map(|m| {
                m.parse::<AuthMethod>()
                    .map_err(|e| format!("--auth-method {m:?}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        builder = builder.auth_methods(methods);
    }
    if let Some(secs) = args.token_lifetime_secs {
        builder = builder.token_lifetime(std::time::Duration::from_secs(secs));
    }
    builder = builder
        .introspection(args.introspection)
        .dpop_bound_access_tokens(args.dpop_bound);
    let client = builder.build()?;

    let store =
        PostgresClientStore::new(PostgresConfig::new(&args.database_url).schema(&args.schema))
            .map_err(|e| format!("{e}; check --database-url (or DATABASE_URL) and --schema"))?;
    crate::runtime()?.block_on(async {
        store.migrate().await.map_err(|e| {
            format!("{e}; is the database reachable at --database-url, and may this user create the schema?")
        })?;
        store.create_client(&client).await.map_err(|e| {
            format!("{e}; if the id is taken, pick another --id or remove the old client first")
        })
    })?;
    println!("client {} created in schema {}", args.id, args.schema);
    if let Some(secret) = secret
        && !args.secret_stdin
    {
        println!(
            "secret = {}   # give this to the client now: it is not stored and cannot be shown again",
            secret.expose_secret()
        );
    }
    Ok(ExitCode::SUCCESS)
}
