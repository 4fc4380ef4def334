//! `GET /metrics`: the crate's counters and histograms in the Prometheus text
//! format, through `metrics-exporter-prometheus`.
//!
//! The issuer counts with `MetricsAudit` (tokens issued, revoked, refusals
//! by reason), a `MeteredStore` times store calls, and a `Validator` counts
//! its outcomes; this module installs the process's Prometheus recorder that
//! collects them all and serves what it holds.

use std::sync::OnceLock;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use client_credentials::store::STORE_DURATION;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Store call durations, in seconds: from a cache hit to a slow database.
const STORE_BUCKETS: &[f64] = &[
    0.000_1, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// The process's Prometheus recorder, installed on the first call (a
/// process has one global recorder); a handle to render what it holds.
///
/// # Panics
/// If another `metrics` recorder was installed first.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(STORE_DURATION.into()), STORE_BUCKETS)
                .expect("the buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

/// `router` with `GET /metrics` serving `handle`'s metrics.
///
/// The counters tell how many requests were refused and why: serve them
/// where only the monitoring can reach (an internal port or network) in a
/// deployment, not on the public listener as this example does.
pub fn with_metrics(router: Router, handle: PrometheusHandle) -> Router {
    router.route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move {
                (
                    [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                    handle.render(),
                )
            }
        }),
    )
}
