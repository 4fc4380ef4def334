//! `cargo bench --bench ratios`: the crate's hot paths against raw `ring` on the
//! same keys, interleaved in one run so machine noise hits both alike.
//!
//! Each figure is the median over rounds of per-thread CPU time, the crate's
//! path and raw `ring` measured back to back in every round (in turns, which
//! goes first), printed as `issue ES256 <ops/s> raw_sign <ops/s> ratio=0.93`;
//! the ratio is the median of the rounds' own ratios.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::audit::AuditEvent;
use client_credentials::issuer::{ClaimsHook, ClaimsRequest, DEFAULT_MAX_BODY_BYTES};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, AuditSink, Client, ClientId, ClientSecret, ConfigError, CredentialId,
    ExtraClaims, Issuer, KeySet, RequestParts, ScopeSet, SecretCredential, SecretHash, SigningKey,
    TokenRequest, UnixTime,
};
use cpu_time::ThreadTime;
use ring::rand::SystemRandom;
use subtle::ConstantTimeEq;

mod common;
#[path = "support/dpop_ratios.rs"]
mod dpop_ratios;
#[path = "support/validate_ratios.rs"]
mod validate_ratios;
#[path = "support/wif_ratios.rs"]
mod wif_ratios;

use common::measure::{cpu_time, interleaved, median, median_f64, ops_per_sec, scaled};

/// An audit sink that does the least a real one does: touch shared state.
#[derive(Debug, Default)]
struct CountingAudit(AtomicU64);

impl AuditSink for CountingAudit {
    fn record(&self, event: &AuditEvent<'_>) {
        black_box(event);
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The shared fixture, with an audit sink and the number of calls per round.
struct Fixture {
    alg: Algorithm,
    inner: common::Fixture,
    iterations: usize,
}

fn fixture(alg: Algorithm) -> Fixture {
    // Per round: a few tens of milliseconds, so rounds are many and short.
    let iterations = match alg {
        Algorithm::ES256 | Algorithm::EdDSA => 600,
        Algorithm::RS256 | Algorithm::PS256 => 50,
        _ => 30_000,
    };
    Fixture {
        alg,
        inner: common::Fixture::with_audit(alg, Some(Arc::new(CountingAudit::default()))),
        iterations: scaled(iterations),
    }
}

impl Fixture {
    fn issue_once(&self) -> usize {
        self.inner.issue_once()
    }
}

/// `path` against raw `ring` signing of the same signing input with the same
/// key, printed as `<name> <ops/s> raw_sign <ops/s> ratio=<ratio>`.
fn against_raw_sign(name: &str, f: &Fixture, mut path: impl FnMut(usize) -> usize) {
    let rng = SystemRandom::new();
    let input = f.inner.signing_input();
    let paired = interleaved(
        || cpu_time(f.iterations, |_| f.inner.raw.sign(&rng, &input)),
        || cpu_time(f.iterations, &mut path),
    );
    let (raw, path) = paired.medians;
    println!(
        "{name} {:.0} raw_sign {:.0} ratio={:.2}",
        ops_per_sec(f.iterations, path),
        ops_per_sec(f.iterations, raw),
        paired.ratio,
    );
}

fn issue_ratio(f: &Fixture) {
    against_raw_sign(&format!("issue {}", f.alg), f, |_| f.issue_once());
}

/// Adds `azp`, as a deployment's hook would.
#[derive(Debug)]
struct Azp;

impl ClaimsHook for Azp {
    fn add_claims(
        &self,
        request: &ClaimsRequest<'_>,
        claims: &mut ExtraClaims,
    ) -> Result<(), ConfigError> {
        claims.insert("azp", request.client().id().as_str())
    }
}

/// `issue ES256` for a client with two extra claims of its own (`tenant`,
/// `owner`) and a claims hook that adds a third (`azp`).
fn issue_extra_claims_ratio() {
    let mut f = fixture(Algorithm::ES256);
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/es256.pkcs8.pem"
    ))
    .unwrap();
    let key = SigningKey::from_pkcs8_pem(Algorithm::ES256, &pem, None).unwrap();
    let secret = ClientSecret::generate();
    let claims = ExtraClaims::new()
        .with("tenant", "acme-industries")
        .unwrap()
        .with("owner", "alice@example.com")
        .unwrap();
    let client = Client::builder(ClientId::new("bench-client").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(common::AUDIENCE).unwrap())
        .extra_claims(claims)
        .build()
        .unwrap();
    f.inner.issuer = Issuer::builder(
        common::ISSUER,
        KeySet::new(key),
        MemoryClientStore::from_iter([client]),
    )
    .audit(Arc::new(CountingAudit::default()))
    .claims_hook(Arc::new(Azp))
    .build()
    .unwrap();
    f.inner.authorization = format!(
        "Basic {}",
        STANDARD.encode(format!("bench-client:{}", secret.expose_secret()))
    );
    against_raw_sign("issue ES256 extra_claims", &f, |_| f.issue_once());
}

/// The same issuer's work after authentication: `Issuer::issue` on a request
/// parsed and a client authenticated once (grant policy, `jti`, claims,
/// signature, audit, response JSON). What `issue` spends beyond it is parsing
/// and client authentication.
fn mint_ratio(f: &Fixture) {
    let issuer = &f.inner.issuer;
    let parts = RequestParts::form_post(common::BODY).authorization(&f.inner.authorization);
    let request = TokenRequest::parse(&parts, DEFAULT_MAX_BODY_BYTES).unwrap();
    let now = UnixTime::now();
    let client = common::ready(issuer.authenticate(&request, now)).unwrap();
    against_raw_sign(&format!("mint {}", f.alg), f, |_| {
        let response = issuer.issue(&client, &request, now).unwrap().into_http();
        response.body.len()
    });
}

/// The least any HS256 token request costs with `ring`: the token's HMAC and
/// the salted SHA-256 check of the presented secret (16-byte salt, 43-character
/// generated secret, constant-time compare), nothing else.
fn hs256_floor(f: &Fixture) {
    let input = f.inner.signing_input();
    let common::RawSigner::Hmac(key) = &f.inner.raw else {
        unreachable!("the HS256 fixture signs with HMAC");
    };
    let salted_secret = [b'7'; 16 + 43];
    let stored = ring::digest::digest(&ring::digest::SHA256, &salted_secret);
    against_raw_sign("floor HS256", f, |_| {
        let presented = ring::digest::digest(&ring::digest::SHA256, black_box(&salted_secret));
        let matches = presented.as_ref().ct_eq(stored.as_ref());
        ring::hmac::sign(key, &input).as_ref().len() + usize::from(bool::from(matches))
    });
}

/// What `threads` threads issuing for `window` achieved: operations per second
/// of wall-clock time, and CPU time per operation summed over the threads.
///
/// Contention between the threads (shared cache lines, locks) raises the CPU
/// time per operation; other processes on a shared machine lower the wall-clock
/// throughput but not the CPU time per operation. Printing both tells them apart.
fn throughput(
    op: &(impl Fn() -> usize + Sync),
    threads: usize,
    window: Duration,
) -> (f64, Duration) {
    let total = AtomicU64::new(0);
    let cpu_nanos = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let start = Instant::now();
                let cpu = ThreadTime::now();
                let mut n = 0u64;
                while start.elapsed() < window {
                    black_box(op());
                    n += 1;
                }
                let spent = u64::try_from(cpu.elapsed().as_nanos()).unwrap_or(u64::MAX);
                cpu_nanos.fetch_add(spent, Ordering::Relaxed);
                total.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    let ops = total.load(Ordering::Relaxed);
    let cpu_per_op = Duration::from_nanos(cpu_nanos.load(Ordering::Relaxed) / ops.max(1));
    (ops as f64 / window.as_secs_f64(), cpu_per_op)
}

/// Windows of one thread against two: alternated, so that a slower spell of
/// the shared machine falls on both sides and not on one.
const SCALING_ROUNDS: usize = 9;
const SCALING_WINDOW: Duration = Duration::from_millis(400);

/// Two threads against one, each figure a median over [`SCALING_ROUNDS`]
/// alternated windows.
struct Scaling {
    /// Operations per second of wall-clock time, one thread and two.
    one: f64,
    two: f64,
    /// The median of the rounds' own ratios of two threads' throughput to one's.
    scaling: f64,
    /// CPU time per operation, one thread and two.
    cpu_per_op: (Duration, Duration),
    /// What two threads reach when two cores are free, from the CPU time per
    /// operation (2× if the threads never slow each other down): the median of
    /// the rounds' own figures.
    cpu_scaling: f64,
}

fn scaling(op: impl Fn() -> usize + Sync) -> Scaling {
    let (mut ones, mut twos, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cpu_ones, mut cpu_twos, mut cpu_ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..SCALING_ROUNDS {
        let (one, two) = if round % 2 == 0 {
            let one = throughput(&op, 1, SCALING_WINDOW);
            (one, throughput(&op, 2, SCALING_WINDOW))
        } else {
            let two = throughput(&op, 2, SCALING_WINDOW);
            (throughput(&op, 1, SCALING_WINDOW), two)
        };
        ratios.push(two.0 / one.0);
        cpu_ratios.push(2.0 * one.1.as_secs_f64() / two.1.as_secs_f64());
        ones.push(one.0);
        twos.push(two.0);
        cpu_ones.push(one.1);
        cpu_twos.push(two.1);
    }
    Scaling {
        one: median_f64(ones),
        two: median_f64(twos),
        scaling: median_f64(ratios),
        cpu_per_op: (median(cpu_ones), median(cpu_twos)),
        cpu_scaling: median_f64(cpu_ratios),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else is a filter on the path name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    for alg in [
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::HS256,
    ] {
        if wanted(&format!("issue {alg}")) {
            issue_ratio(&fixture(alg));
        }
    }
    if wanted("issue ES256 extra_claims") {
        issue_extra_claims_ratio();
    }
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS256] {
        if wanted(&format!("mint {alg}")) {
            mint_ratio(&fixture(alg));
        }
    }
    if wanted("floor HS256") {
        hs256_floor(&fixture(Algorithm::HS256));
    }
    if wanted("threads") {
        let f = fixture(Algorithm::ES256);
        let rng = SystemRandom::new();
        let input = f.inner.signing_input();
        let issue = scaling(|| f.issue_once());
        // The same for raw signing, which shares nothing between threads: its
        // scaling is what the machine allows.
        let raw = scaling(|| f.inner.raw.sign(&rng, &input));
        println!(
            "threads ES256 one={:.0} two={:.0} scaling={:.2}x \
             cpu_per_op one={:.1}us two={:.1}us cpu_scaling={:.2}x \
             raw_sign_scaling={:.2}x raw_sign_cpu_scaling={:.2}x",
            issue.one,
            issue.two,
            issue.scaling,
            issue.cpu_per_op.0.as_secs_f64() * 1e6,
            issue.cpu_per_op.1.as_secs_f64() * 1e6,
            issue.cpu_scaling,
            raw.scaling,
            raw.cpu_scaling,
        );
    }
    validate_ratios::run(&wanted);
    wif_ratios::run(&wanted);
    dpop_ratios::run(&wanted);
}
