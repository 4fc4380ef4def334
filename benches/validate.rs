//! `cargo bench --bench validate`: the resource server's [`Validator`] per
//! algorithm, end to end (signature, `typ`, `iss`, `aud`, times, a lookup in a
//! `MemoryRevocationStore` holding a thousand revoked `jti`s), next to raw
//! `ring` verify of the same token with the key parsed once.
//!
//! [`Validator`]: client_credentials::Validator

use std::hint::black_box;
use std::sync::Arc;

use client_credentials::{Algorithm, UnixTime};
use criterion::{Criterion, criterion_group, criterion_main};

mod common;
#[path = "support/validate_ratios.rs"]
#[allow(dead_code)]
mod validate_ratios;

use validate_ratios::{Jtis, Minter, ready, signing_parts, store_with};

const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::ES256,
    Algorithm::EdDSA,
    Algorithm::RS256,
    Algorithm::PS256,
];

fn validate(c: &mut Criterion) {
    let now = UnixTime::now();
    let revoked = Arc::new(store_with(&Jtis::random(1_000), now));
    let fixtures: Vec<_> = ALGORITHMS
        .iter()
        .map(|&alg| {
            let minter = Minter::new(alg);
            let token = minter.token();
            let validator = minter.validator(Arc::clone(&revoked));
            (alg, minter, token, validator)
        })
        .collect();

    let mut group = c.benchmark_group("validate");
    for (alg, _, token, validator) in &fixtures {
        group.bench_function(alg.to_string(), |b| {
            b.iter(|| ready(validator.validate(black_box(token), now)).unwrap());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("raw_verify");
    for (alg, minter, token, _) in &fixtures {
        let (input, signature) = signing_parts(token);
        group.bench_function(alg.to_string(), |b| {
            b.iter(|| minter.raw.verify(black_box(input), &signature).unwrap());
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::quick_criterion();
    targets = validate
}
criterion_main!(benches);
