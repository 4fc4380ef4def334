//! `cargo bench --bench revocation`: `MemoryRevocationStore` lookups with a
//! thousand and with a million revoked `jti`s, for `jti`s that are not revoked
//! (what every valid request asks, a new `jti` each time) and for revoked ones;
//! then the ES256 [`Validator`] end to end with an empty store and with the
//! million. Prints the store's memory per revoked `jti` first.
//!
//! [`Validator`]: client_credentials::Validator

use std::hint::black_box;
use std::sync::Arc;

use client_credentials::Algorithm;
use client_credentials::store::MemoryRevocationStore;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

mod common;
#[path = "support/validate_ratios.rs"]
#[allow(dead_code)]
mod validate_ratios;

use validate_ratios::{
    Jtis, Minter, bench_now, is_revoked, ready, sample_claims, store_with, table_bytes,
};

const SIZES: [usize; 2] = [1_000, 1_000_000];

fn revocation(c: &mut Criterion) {
    let now = bench_now();
    let stores: Vec<(usize, Jtis, MemoryRevocationStore)> = SIZES
        .iter()
        .map(|&n| {
            let revoked = Jtis::random(n);
            // Measured as the resident memory dropping the store returns: only a
            // table too large for the allocator to keep shows there.
            if n >= 100_000
                && let Some(bytes) = table_bytes(&revoked, now)
            {
                println!(
                    "revocation store n={n}: {:.1} bytes per revoked jti",
                    bytes as f64 / n as f64
                );
            }
            let store = store_with(&revoked, now);
            (n, revoked, store)
        })
        .collect();
    let fresh = Jtis::random(200_000);
    let mut claims = sample_claims(now);

    let mut group = c.benchmark_group("revocation_lookup");
    for (n, revoked, store) in &stores {
        group.bench_function(BenchmarkId::new("not_revoked", n), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % fresh.len();
                assert!(!is_revoked(store, &mut claims, black_box(fresh.get(i))));
            });
        });
        group.bench_function(BenchmarkId::new("revoked", n), |b| {
            let mut i = 0;
            b.iter(|| {
                // A large odd stride visits the revoked jtis in scattered order.
                i = (i + 7_919) % revoked.len();
                assert!(is_revoked(store, &mut claims, black_box(revoked.get(i))));
            });
        });
    }
    group.finish();

    let minter = Minter::new(Algorithm::ES256);
    let tokens: Vec<String> = (0..1_000).map(|_| minter.token()).collect();
    let (_, _, large) = stores.into_iter().last().unwrap();
    let mut group = c.benchmark_group("revocation_validator_ES256");
    for (name, store) in [
        ("empty", Arc::new(MemoryRevocationStore::default())),
        ("1000000", Arc::new(large)),
    ] {
        let validator = minter.validator(store);
        group.bench_function(name, |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % tokens.len();
                ready(validator.validate(black_box(&tokens[i]), now)).unwrap()
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::quick_criterion();
    targets = revocation
}
criterion_main!(benches);
