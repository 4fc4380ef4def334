//! `cargo bench --bench layer --features axum`: what `BearerLayer` and the
//! axum `VerifiedToken` extractor add to `Validator::validate` (ES256, a
//! `MemoryRevocationStore` holding a thousand revoked `jti`s): the bare call,
//! and a request through the layer to a handler that extracts the token.
//!
//! Criterion prints both; then one line compares them on per-thread CPU time,
//! interleaved in rounds so that other work on the machine hits both alike:
//! `layer ES256 <ops/s> validate <ops/s> overhead=<percent>`, the median of
//! the rounds' own ratios. The layer's side includes building each request.

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{Request, Response};
use client_credentials::resource::BearerLayer;
use client_credentials::{Algorithm, ResourceMetadata, UnixTime, VerifiedToken};
use criterion::{BatchSize, Criterion};
use tower::{Layer, Service, service_fn};

mod common;
#[path = "support/validate_ratios.rs"]
#[allow(dead_code)]
mod validate_ratios;

use common::measure::{cpu_time, interleaved, ops_per_sec};
use common::{AUDIENCE, ISSUER, ready};
use validate_ratios::{Jtis, Minter, store_with};

fn layer(c: &mut Criterion, overhead_line: bool) {
    let now = UnixTime::now();
    let revoked = Arc::new(store_with(&Jtis::random(1_000), now));
    let minter = Minter::new(Algorithm::ES256);
    let token = minter.token();
    let validator = Arc::new(minter.validator(revoked));
    let metadata = ResourceMetadata::builder(AUDIENCE)
        .authorization_server(ISSUER)
        .build()
        .unwrap();
    let handler = service_fn(|request: Request<Body>| async move {
        let (mut head, _) = request.into_parts();
        let token = VerifiedToken::from_request_parts(&mut head, &()).await;
        black_box(token.is_ok());
        Ok::<_, Infallible>(Response::new(Body::empty()))
    });
    let mut service = BearerLayer::new(Arc::clone(&validator), &metadata)
        .require_scope("mcp:read")
        .layer(handler);
    let authorization = format!("Bearer {token}");
    let request = || {
        Request::builder()
            .method("POST")
            .uri("/mcp")
            .header("authorization", authorization.as_str())
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(ready(service.call(request())).unwrap().status(), 200);

    let mut group = c.benchmark_group("layer");
    group.bench_function("validate", |b| {
        b.iter(|| ready(validator.validate(black_box(&token), now)).unwrap());
    });
    group.bench_function("layer_and_extractor", |b| {
        b.iter_batched(
            request,
            |r| ready(service.call(r)).unwrap(),
            BatchSize::SmallInput,
        );
    });
    group.finish();

    if overhead_line {
        let iterations = 2_000;
        let paired = interleaved(
            || {
                cpu_time(iterations, |_| {
                    usize::from(ready(service.call(request())).is_ok())
                })
            },
            || {
                cpu_time(iterations, |_| {
                    usize::from(ready(validator.validate(&token, now)).is_ok())
                })
            },
        );
        let (layered, bare) = paired.medians;
        println!(
            "layer ES256 {:.0} validate {:.0} overhead={:.1}%",
            ops_per_sec(iterations, layered),
            ops_per_sec(iterations, bare),
            (paired.ratio - 1.0) * 100.0,
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().sample_size(50).configure_from_args();
    // `cargo test --benches` runs each bench once: no overhead line then.
    let overhead_line = !std::env::args().any(|a| a == "--test");
    layer(&mut criterion, overhead_line);
    criterion.final_summary();
}
