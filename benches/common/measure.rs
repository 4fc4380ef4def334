//! Per-thread CPU time of repeated calls, the measure of the ratios bench: a
//! shared, noisy machine shows in wall-clock time, much less in CPU time.

use std::hint::black_box;
use std::time::Duration;

use cpu_time::ThreadTime;

/// `iterations` scaled by `RATIOS_SCALE` (e.g. 0.01 for a quick, noisier run
/// under a profiler), at least one.
pub fn scaled(iterations: usize) -> usize {
    let scale: f64 = std::env::var("RATIOS_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    ((iterations as f64 * scale) as usize).max(1)
}

/// CPU time of `iterations` calls of `f` (given the call's index) on this thread.
pub fn cpu_time(iterations: usize, mut f: impl FnMut(usize) -> usize) -> Duration {
    let start = ThreadTime::now();
    for i in 0..iterations {
        black_box(f(i));
    }
    start.elapsed()
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn ops_per_sec(iterations: usize, d: Duration) -> f64 {
    iterations as f64 / d.as_secs_f64()
}
