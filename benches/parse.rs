//! `cargo bench --bench parse`: [`TokenRequest::parse`] on the requests a token
//! endpoint sees most.

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::issuer::DEFAULT_MAX_BODY_BYTES;
use client_credentials::{RequestParts, TokenRequest};
mod common;

use criterion::{Criterion, criterion_group, criterion_main};

fn parse(c: &mut Criterion) {
    let authorization = format!(
        "Basic {}",
        STANDARD.encode("bench-client:Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5")
    );
    let basic_body: &[u8] = b"grant_type=client_credentials";
    let scoped_body: &[u8] = b"grant_type=client_credentials&scope=mcp:read mcp:write\
        &resource=https://mcp.example.com/mcp";
    let encoded_body: &[u8] = b"grant_type=client_credentials&scope=mcp%3Aread+mcp%3Awrite\
        &resource=https%3A%2F%2Fmcp.example.com%2Fmcp\
        &client_id=bench-client&client_secret=Zm9vYmFy%2BYmF6%2Fcd%3D%3D";

    let mut group = c.benchmark_group("parse");
    let cases = [
        ("basic header", basic_body, Some(authorization.as_str())),
        (
            "form with scope and resource",
            scoped_body,
            Some(&authorization),
        ),
        ("percent-encoded body", encoded_body, None),
    ];
    for (name, body, authorization) in cases {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut parts = RequestParts::form_post(black_box(body));
                if let Some(value) = authorization {
                    parts = parts.authorization(black_box(value));
                }
                black_box(TokenRequest::parse(&parts, DEFAULT_MAX_BODY_BYTES).unwrap())
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::quick_criterion().sample_size(30);
    targets = parse
}
criterion_main!(benches);
