//! `cargo bench --bench issue`: the token endpoint end to end per algorithm (HTTP
//! parts of a `client_secret_basic` request in, response bytes out), and raw
//! `ring` signing of the same signing input with the same key for comparison.

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ring::rand::SystemRandom;

use common::{ALGORITHMS, Fixture};

fn issue(c: &mut Criterion) {
    let fixtures: Vec<_> = ALGORITHMS
        .iter()
        .map(|&alg| (alg, Fixture::new(alg)))
        .collect();
    let mut group = c.benchmark_group("issue");
    for (alg, fixture) in &fixtures {
        group.bench_function(BenchmarkId::from_parameter(alg), |b| {
            b.iter(|| black_box(fixture.issue_once()));
        });
    }
    group.finish();

    let rng = SystemRandom::new();
    let mut group = c.benchmark_group("raw ring sign");
    for (alg, fixture) in &fixtures {
        let input = fixture.signing_input();
        group.bench_function(BenchmarkId::from_parameter(alg), |b| {
            b.iter(|| black_box(fixture.raw.sign(&rng, black_box(&input))));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::quick_criterion();
    targets = issue
}
criterion_main!(benches);
