//! `cargo bench --bench ratios`: the crate's hot paths against raw `ring` on the
//! same keys, interleaved in one run so machine noise hits both alike.
//!
//! Each figure is the median over rounds of per-thread CPU time, printed as
//! `issue ES256 <ops/s> raw_sign <ops/s> ratio=0.93`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::{
    Algorithm, Audience, AuditEvent, AuditSink, Client, ClientId, ClientSecret, CredentialId,
    Issuer, KeySet, MemoryClientStore, RequestParts, ScopeSet, SecretCredential, SecretHash,
    SigningKey,
};
use cpu_time::ThreadTime;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

#[path = "support/validate_ratios.rs"]
mod validate_ratios;

const ROUNDS: usize = 9;

/// Polls a future that never waits (the in-memory stores answer at once).
fn ready<F: Future>(f: F) -> F::Output {
    match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("in-memory stores never wait"),
    }
}

/// An audit sink that does the least a real one does: touch shared state.
#[derive(Debug, Default)]
struct CountingAudit(AtomicU64);

impl AuditSink for CountingAudit {
    fn record(&self, event: &AuditEvent<'_>) {
        black_box(event);
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The raw `ring` signer for the same key, parsed once.
enum RawSigner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair, &'static dyn signature::RsaEncoding),
    Hmac(ring::hmac::Key),
}

impl RawSigner {
    fn sign(&self, rng: &SystemRandom, msg: &[u8]) -> usize {
        match self {
            Self::Ecdsa(k) => k.sign(rng, msg).unwrap().as_ref().len(),
            Self::Ed25519(k) => k.sign(msg).as_ref().len(),
            Self::Rsa(k, enc) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(*enc, rng, msg, &mut sig).unwrap();
                sig.len()
            }
            Self::Hmac(k) => ring::hmac::sign(k, msg).as_ref().len(),
        }
    }
}

struct Fixture {
    alg: Algorithm,
    issuer: Issuer<MemoryClientStore>,
    authorization: String,
    raw: RawSigner,
    iterations: usize,
}

const BODY: &[u8] = b"grant_type=client_credentials&scope=mcp%3Aread";

fn fixture(alg: Algorithm) -> Fixture {
    let rng = SystemRandom::new();
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");
    let rsa_pem = std::fs::read_to_string(format!("{vectors}rs256.pkcs8.pem")).unwrap();
    let (key, raw, iterations) = match alg {
        Algorithm::ES256 | Algorithm::EdDSA => {
            let (key, pem) = SigningKey::generate(alg).unwrap();
            let der = pem_body(pem.expose_secret());
            let raw = if alg == Algorithm::ES256 {
                let k = EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &der,
                    &rng,
                );
                RawSigner::Ecdsa(k.unwrap())
            } else {
                RawSigner::Ed25519(Ed25519KeyPair::from_pkcs8(&der).unwrap())
            };
            (key, raw, 2_000)
        }
        Algorithm::RS256 | Algorithm::PS256 => {
            let key = SigningKey::from_pkcs8_pem(alg, &rsa_pem, None).unwrap();
            let enc: &'static dyn signature::RsaEncoding = if alg == Algorithm::RS256 {
                &signature::RSA_PKCS1_SHA256
            } else {
                &signature::RSA_PSS_SHA256
            };
            let raw = RsaKeyPair::from_pkcs8(&pem_body(&rsa_pem)).unwrap();
            (key, RawSigner::Rsa(raw, enc), 150)
        }
        _ => {
            let secret = [7u8; 32];
            let key = SigningKey::hs256(&secret, None).unwrap();
            let raw = RawSigner::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret));
            (key, raw, 100_000)
        }
    };
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("bench-client").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read", "mcp:write"]).unwrap())
        .default_audience(Audience::new("https://mcp.example.com/mcp").unwrap())
        .build()
        .unwrap();
    let issuer = Issuer::builder(
        "https://as.example.com",
        KeySet::new(key),
        MemoryClientStore::from_iter([client]),
    )
    .audit(Arc::new(CountingAudit::default()))
    .build()
    .unwrap();
    let authorization = format!(
        "Basic {}",
        STANDARD.encode(format!("bench-client:{}", secret.expose_secret()))
    );
    // RATIOS_SCALE=0.01 makes a quick (noisier) run, e.g. under a profiler.
    let scale: f64 = std::env::var("RATIOS_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    Fixture {
        alg,
        issuer,
        authorization,
        raw,
        iterations: ((iterations as f64 * scale) as usize).max(1),
    }
}

fn pem_body(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

impl Fixture {
    fn issue_once(&self) -> usize {
        let parts = RequestParts::form_post(BODY).authorization(&self.authorization);
        let response = ready(self.issuer.handle_token_request(parts));
        assert_eq!(response.status, 200);
        response.body.len()
    }
}

/// CPU time of `iterations` calls of `f` on this thread.
fn cpu_time(iterations: usize, mut f: impl FnMut() -> usize) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iterations {
        black_box(f());
    }
    start.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ops_per_sec(iterations: usize, d: Duration) -> f64 {
    iterations as f64 / d.as_secs_f64()
}

/// A signing input of the size the issuer signs, so raw and crate sign alike.
fn sample_signing_input(f: &Fixture) -> Vec<u8> {
    let parts = RequestParts::form_post(BODY).authorization(&f.authorization);
    let body = ready(f.issuer.handle_token_request(parts)).body;
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let token = v["access_token"].as_str().unwrap();
    token.as_bytes()[..token.rfind('.').unwrap()].to_vec()
}

fn issue_ratio(f: &Fixture) {
    let rng = SystemRandom::new();
    let input = sample_signing_input(f);
    let (mut raw, mut issue) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        raw.push(cpu_time(f.iterations, || f.raw.sign(&rng, &input)));
        issue.push(cpu_time(f.iterations, || f.issue_once()));
    }
    let raw = ops_per_sec(f.iterations, median(raw));
    let issue = ops_per_sec(f.iterations, median(issue));
    println!(
        "issue {} {issue:.0} raw_sign {raw:.0} ratio={:.2}",
        f.alg,
        issue / raw
    );
}

/// What `threads` threads issuing for `window` achieved: operations per second
/// of wall-clock time, and CPU time per operation summed over the threads.
///
/// Contention between the threads (shared cache lines, locks) raises the CPU
/// time per operation; other processes on a shared machine lower the wall-clock
/// throughput but not the CPU time per operation. Printing both tells them apart.
fn throughput(op: impl Fn() -> usize + Sync, threads: usize, window: Duration) -> (f64, Duration) {
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
    if wanted("threads") {
        let f = fixture(Algorithm::ES256);
        let window = Duration::from_secs(2);
        let issue = || f.issue_once();
        let (one, cpu_one) = throughput(issue, 1, window);
        let (two, cpu_two) = throughput(issue, 2, window);
        // The same for raw signing, which shares nothing between threads: its
        // scaling is what the machine allows.
        let rng = SystemRandom::new();
        let input = sample_signing_input(&f);
        let raw = || f.raw.sign(&rng, &input);
        let (raw_one, raw_cpu_one) = throughput(raw, 1, window);
        let (raw_two, raw_cpu_two) = throughput(raw, 2, window);
        // `cpu_scaling`: what two threads reach when two cores are free, from the
        // CPU time per operation (2× if the threads never slow each other down).
        let cpu_scaling =
            |one: Duration, two: Duration| 2.0 * one.as_secs_f64() / two.as_secs_f64();
        println!(
            "threads ES256 one={one:.0} two={two:.0} scaling={:.2}x \
             cpu_per_op one={:.1}us two={:.1}us cpu_scaling={:.2}x \
             raw_sign_scaling={:.2}x raw_sign_cpu_scaling={:.2}x",
            two / one,
            cpu_one.as_secs_f64() * 1e6,
            cpu_two.as_secs_f64() * 1e6,
            cpu_scaling(cpu_one, cpu_two),
            raw_two / raw_one,
            cpu_scaling(raw_cpu_one, raw_cpu_two),
        );
    }
    validate_ratios::run(&wanted);
}
