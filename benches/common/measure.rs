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

/// Rounds of every paired measurement: enough for a median that one slow
/// round (another tenant of the machine, a page fault) does not move.
pub const ROUNDS: usize = 31;

/// `a` and `b` over [`ROUNDS`] rounds, run in turns (`a` first in even rounds,
/// `b` first in odd ones) so drift in the machine's speed hits both alike.
pub struct Paired {
    /// The median CPU time of `a`, then of `b`.
    pub medians: (Duration, Duration),
    /// The median over rounds of `a`'s time over `b`'s: `b`'s speed relative to
    /// `a`'s, each round's pair measured back to back.
    pub ratio: f64,
}

pub fn interleaved(mut a: impl FnMut() -> Duration, mut b: impl FnMut() -> Duration) -> Paired {
    let (mut xs, mut ys, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (x, y) = if round % 2 == 0 {
            let x = a();
            (x, b())
        } else {
            let y = b();
            (a(), y)
        };
        ratios.push(x.as_secs_f64() / y.as_secs_f64());
        xs.push(x);
        ys.push(y);
    }
    Paired {
        medians: (median(xs), median(ys)),
        ratio: median_f64(ratios),
    }
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn ops_per_sec(iterations: usize, d: Duration) -> f64 {
    iterations as f64 / d.as_secs_f64()
}
