//! The axum example as a fleet: two replicas built from one configuration
//! file, each with its own connections to one Redis (`REDIS_URL`) and one
//! PostgreSQL (`DATABASE_URL`), each serving HTTP on its own loopback port,
//! and a resource server's `Validator` on the same Redis. What one replica
//! learns, the other and the validator honour within the bound.

mod fixtures;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use client_credentials::store::RevocationConfig;
use client_credentials::store::redis::{RedisConfig, RedisRevocationConfig, RedisRevocationStore};
use client_credentials::{
    Audience, ClientId, ClientSecret, SecretHash, UnixTime, Validator, VerificationKeys,
};
use client_credentials_examples::axum_server::config::ServerConfig;
use client_credentials_examples::axum_server::fleet::{Fleet, FleetSettings};
use client_credentials_examples::axum_server::routes;
use fixtures::{bind, bounded, http_client, temp_files, token_basic};
use serde_json::Value;

const AUDIENCE: &str = "https://api.example.com";

/// How soon what one replica learns must reach the others.
const BOUND: Duration = Duration::from_secs(2);

/// The shared services, or `None` (with one line saying so) outside CI when
/// they are not configured; under CI their absence fails the test.
fn services() -> Option<(String, String)> {
    match (std::env::var("REDIS_URL"), std::env::var("DATABASE_URL")) {
        (Ok(redis), Ok(database)) => Some((redis, database)),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set REDIS_URL and DATABASE_URL"
            );
            eprintln!(
                "fleet test skipped: set REDIS_URL and DATABASE_URL to run it against real services"
            );
            None
        }
    }
}

fn config_toml(issuer: &str, hash: &str) -> String {
    format!(
        r#"
issuer = "{issuer}"
listen = "127.0.0.1:0"

[[keys]]
algorithm = "ES256"
private_key_file = "signing.pem"
kid = "fleet-1"

[[clients]]
id = "job"
allowed_scopes = ["read"]
default_scopes = ["read"]
default_audience = "{AUDIENCE}"

[[clients.secrets]]
id = "s1"
hash = "{hash}"

[[clients]]
id = "api"
introspection = true

[[clients.secrets]]
id = "s1"
hash = "{hash}"
"#
    )
}

/// Polls `check` until it holds or `limit` passes; how long it took.
async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn serve(fleet: &Fleet) -> String {
    let (listener, addr): (_, SocketAddr) = bind().await;
    let app =
        routes::router(fleet.issuer.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(axum::serve(listener, app).into_future());
    format!("http://{addr}")
}

async fn post_form(url: &str, auth: (&str, &str), form: &[(&str, &str)]) -> (u16, Value) {
    let response = http_client()
        .post(url)
        .basic_auth(auth.0, Some(auth.1))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_clients_revocations_and_the_throttle() {
    let Some((redis_url, database_url)) = services() else {
        return;
    };
    bounded(async {
        let run = format!(
            "{}_{}",
            std::process::id(),
            UnixTime::now().as_secs() % 1_000_000
        );
        let issuer = "https://auth.example.com";
        let secret = ClientSecret::generate();
        let hash = SecretHash::fast(&secret).unwrap().to_string();
        let dir = temp_files(&[
            ("server.toml", &config_toml(issuer, &hash)),
            ("signing.pem", &fixtures::es256_pem()),
        ]);
        let settings = FleetSettings {
            redis_url: Some(redis_url.clone()),
            database_url: Some(database_url),
            namespace: Some(format!("fleet-example-{run}")),
            schema: Some(format!("cc_fleet_example_{run}")),
        };
        // Two replicas from the same file, started at once.
        let config = ServerConfig::load(&dir.path().join("server.toml")).unwrap();
        let (one, two) = tokio::join!(
            Fleet::start(&config, &settings),
            Fleet::start(&config, &settings)
        );
        let (one, two) = (one.unwrap(), two.unwrap());
        let urls = [serve(&one).await, serve(&two).await];
        let job = ("job", secret.expose_secret());

        // A resource server on the same Redis, with the issuer's keys.
        let jwks: String = http_client()
            .get(format!("{}/jwks.json", urls[0]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let revocations = RedisRevocationStore::connect(
            &RedisConfig::new(&redis_url, settings.namespace.clone().unwrap()),
            RedisRevocationConfig::default(),
            RevocationConfig::default(),
        )
        .await
        .unwrap();
        let validator = Validator::builder(
            issuer,
            Audience::new(AUDIENCE).unwrap(),
            VerificationKeys::from_jwks_json(&jwks).unwrap(),
        )
        .revocation_store(revocations)
        .build()
        .unwrap();

        // Both replicas issue for the client the file registered once.
        let (status, body) = token_basic(&urls[0], job.0, job.1, "read").await;
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(token_basic(&urls[1], job.0, job.1, "read").await.0, 200);
        assert!(validator.validate(&token, UnixTime::now()).await.is_ok());

        // Revoked through the second replica: the first one's introspection
        // and the validator refuse it within the bound.
        let (status, _) = post_form(
            &format!("{}/revoke", urls[1]),
            job,
            &[("token", token.as_str())],
        )
        .await;
        assert_eq!(status, 200);
        let introspected = within(BOUND, async || {
            let (_, answer) = post_form(
                &format!("{}/introspect", urls[0]),
                ("api", secret.expose_secret()),
                &[("token", token.as_str())],
            )
            .await;
            answer["active"] == Value::Bool(false)
        })
        .await;
        assert!(introspected.is_some(), "the other replica knows of the revocation");
        let refused = within(BOUND, async || {
            validator.validate(&token, UnixTime::now()).await.is_err()
        })
        .await;
        assert!(refused.is_some(), "the validator refuses the revoked token");
        eprintln!("revocation reached the other replica after {introspected:?}, the validator after {refused:?}");

        // Brute force: five wrong secrets at each replica. Each one alone has
        // seen five, under the limit of ten; the fleet has seen ten, and
        // within three more guesses (eight at most at either replica) the
        // guessing caller is refused with 429.
        for url in urls.iter().chain(urls.iter()).cycle().take(10) {
            assert_eq!(token_basic(url, "job", "wrong", "read").await.0, 401);
        }
        let mut statuses = Vec::new();
        for url in urls.iter().cycle().take(3) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let status = token_basic(url, "job", "wrong", "read").await.0;
            statuses.push(status);
            if status == 429 {
                break;
            }
        }
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
        // The right secret is never locked out.
        assert_eq!(token_basic(&urls[1], job.0, job.1, "read").await.0, 200);

        // Disabled through the management API: no replica issues within the bound.
        assert!(
            one.clients
                .set_enabled(&ClientId::new("job").unwrap(), false)
                .await
                .unwrap()
        );
        let disabled = within(BOUND, async || {
            token_basic(&urls[0], job.0, job.1, "read").await.0 != 200
                && token_basic(&urls[1], job.0, job.1, "read").await.0 != 200
        })
        .await;
        assert!(disabled.is_some(), "a disabled client gets no token anywhere");
        drop((one, two));
        drop_schema(&settings).await;
    })
    .await;
}

async fn drop_schema(settings: &FleetSettings) {
    let url = settings.database_url.as_deref().unwrap();
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let schema = settings.schema.as_deref().unwrap();
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .unwrap();
    drop(client);
    let _ = driver.await;
}
