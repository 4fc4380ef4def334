//! Hostile load over loopback HTTP against the axum example: an attacker who
//! knows only a client id sends 5 requests a second for 30 s (wrong secrets,
//! and bare `client_id`s with no secret, at the token, revocation and
//! introspection endpoints) while the real client asks for a token once a
//! second. The real client gets every token.
//!
//! Bounded: 150 attacker requests and 30 client requests, each under the
//! fixtures' time bound, the whole run under [`RUN_BOUND`]; 127.0.0.1 and
//! 127.0.0.2 only.

mod fixtures;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet, ScopeSet,
    SecretCredential, SecretHash, SigningKey,
};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior, interval};

const CLIENT: &str = "tenant-a";
/// How long the attack lasts.
const ATTACK: Duration = Duration::from_secs(30);
/// The attacker's pace: 5 requests a second.
const ATTACKER_EVERY: Duration = Duration::from_millis(200);
/// The real client's pace: a token a second.
const CLIENT_EVERY: Duration = Duration::from_secs(1);
/// The bound on one whole run: the attack plus the slowest answer.
const RUN_BOUND: Duration = Duration::from_secs(30 + 20 + 10);
/// PBKDF2 iterations low enough for a quick test; the throttle does not care.
const TEST_ITERATIONS: NonZeroU32 = NonZeroU32::new(1_000).unwrap();

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
/// Another loopback address (all of 127.0.0.0/8 is loopback on Linux): the
/// attacker's source when it must differ from the real client's.
const OTHER_LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// The axum example serving one client holding `hash`, on an ephemeral port of
/// 127.0.0.1; its base URL.
async fn serve(hash: SecretHash) -> String {
    let (listener, addr): (_, SocketAddr) = fixtures::bind().await;
    let base = format!("http://{addr}");
    let client = Client::builder(ClientId::new(CLIENT).unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            hash,
        ))
        .allowed_scopes(ScopeSet::from_strs(["read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["read"]).unwrap())
        .default_audience(client_credentials::Audience::new(format!("{base}/api")).unwrap())
        .build()
        .unwrap();
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let issuer = Issuer::builder(
        &base,
        KeySet::new(key),
        MemoryClientStore::from_iter([client]),
    )
    .dangerous_allow_http_loopback()
    .build()
    .unwrap();
    fixtures::serve_axum(listener, Arc::new(issuer));
    base
}

/// An HTTP client whose connections leave from `source`.
fn http_from(source: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(source)
        .connect_timeout(fixtures::TIMEOUT)
        .timeout(fixtures::TIMEOUT)
        .build()
        .unwrap()
}

/// The attacker's `n`th request: it knows the client id, not the secret.
fn attack(http: &reqwest::Client, base: &str, n: usize) -> reqwest::RequestBuilder {
    let wrong = format!("guess-{n}");
    let grant = ("grant_type", "client_credentials");
    match n % 5 {
        0 => http
            .post(format!("{base}/token"))
            .basic_auth(CLIENT, Some(&wrong))
            .form(&[grant]),
        1 => http.post(format!("{base}/token")).form(&[
            grant,
            ("client_id", CLIENT),
            ("client_secret", wrong.as_str()),
        ]),
        2 => http
            .post(format!("{base}/token"))
            .form(&[grant, ("client_id", CLIENT)]),
        3 => http
            .post(format!("{base}/revoke"))
            .basic_auth(CLIENT, Some(&wrong))
            .form(&[("token", "x")]),
        _ => http
            .post(format!("{base}/introspect"))
            .form(&[("token", "x"), ("client_id", CLIENT)]),
    }
}

/// Runs `send(n)` every `every` for [`ATTACK`], each request on its own task so
/// a slow answer does not slow the pace; the statuses in order.
async fn paced<F>(every: Duration, send: F) -> Vec<(u16, serde_json::Value)>
where
    F: Fn(usize) -> reqwest::RequestBuilder,
{
    let count = (ATTACK.as_millis() / every.as_millis()) as usize;
    let mut ticks = interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut tasks: Vec<JoinHandle<(u16, serde_json::Value)>> = Vec::with_capacity(count);
    for n in 0..count {
        ticks.tick().await;
        let request = send(n);
        tasks.push(tokio::spawn(async move {
            let response = request.send().await.expect("loopback answers");
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or_default())
        }));
    }
    let mut out = Vec::with_capacity(count);
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// The attack and the real client side by side; the attacker's and the real
/// client's answers.
async fn run(
    base: &str,
    attacker: reqwest::Client,
    client: reqwest::Client,
    secret: &str,
) -> (Vec<(u16, serde_json::Value)>, Vec<(u16, serde_json::Value)>) {
    let started = Instant::now();
    let attacks = paced(ATTACKER_EVERY, |n| attack(&attacker, base, n));
    let tokens = paced(CLIENT_EVERY, |_| {
        client
            .post(format!("{base}/token"))
            .basic_auth(CLIENT, Some(secret))
            .form(&[("grant_type", "client_credentials")])
    });
    let out = tokio::time::timeout(RUN_BOUND, async { tokio::join!(attacks, tokens) })
        .await
        .expect("the run finished within its bound");
    assert!(
        started.elapsed() >= ATTACK - CLIENT_EVERY,
        "the attack lasted"
    );
    out
}

fn assert_every_token(tokens: &[(u16, serde_json::Value)]) {
    let granted = tokens
        .iter()
        .filter(|(status, body)| *status == 200 && body["access_token"].is_string())
        .count();
    assert_eq!(
        (granted, tokens.len()),
        (30, 30),
        "the real client got every token: {tokens:?}"
    );
}

/// The attacker never got past authentication, and was never answered with
/// a server error.
fn assert_attacker_refused(answers: &[(u16, serde_json::Value)]) {
    assert_eq!(answers.len(), 150);
    for (status, body) in answers {
        assert!(
            matches!(status, 401 | 429) && body["error"] == "invalid_client",
            "{status} {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attacker_knowing_a_client_id_does_not_lock_out_its_generated_secret() {
    let secret = ClientSecret::generate();
    let base = serve(SecretHash::fast(&secret).unwrap()).await;
    // The attacker shares the real client's address: a generated secret is
    // checked whatever the failures, so not even the same source is held back.
    let (attacker, tokens) = run(
        &base,
        http_from(LOCALHOST),
        http_from(LOCALHOST),
        secret.expose_secret(),
    )
    .await;
    assert_every_token(&tokens);
    assert_attacker_refused(&attacker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attacker_elsewhere_does_not_lock_out_a_human_chosen_secret() {
    let secret = ClientSecret::new("correct horse battery staple");
    let base = serve(SecretHash::pbkdf2(&secret, TEST_ITERATIONS)).await;
    let (attacker, tokens) = run(
        &base,
        http_from(OTHER_LOOPBACK),
        http_from(LOCALHOST),
        secret.expose_secret(),
    )
    .await;
    assert_every_token(&tokens);
    assert_attacker_refused(&attacker);
    // A human-chosen secret keeps its lockout: the attacker's own guesses are
    // cut off (90 wrong secrets sent, 10 a minute allowed).
    let locked = attacker.iter().filter(|(status, _)| *status == 429).count();
    assert!(locked >= 60, "the attacker was locked out: {locked} of 150");
}
