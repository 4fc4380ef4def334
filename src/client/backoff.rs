//! How a [`TokenSource`](crate::client::TokenSource) retries: exponential
//! backoff with jitter, and the server's `Retry-After`.

use std::time::Duration;

use ring::rand::SecureRandom as _;

use crate::vocab::random::system_random;

/// When and how often a failed token request is retried.
///
/// A transport failure, `429`, `500`, `502`, `503` or `504` is retried; any
/// other answer is final. The `n`-th retry waits a random time between half
/// and all of `min(initial_backoff × 2ⁿ⁻¹, max_backoff)` (jitter, so a fleet
/// that failed together does not retry together), or what the server's
/// `Retry-After` asks on a `429` or `503` (delay-seconds, RFC 9110 §10.2.3)
/// when that is longer.
///
/// # Defaults
/// `max_attempts` 4, `initial_backoff` 200 ms, `max_backoff` 10 s,
/// `max_retry_after` 60 s (a longer `Retry-After` ends the attempts at once
/// with [`TokenSourceError::Unavailable`](crate::client::TokenSourceError::Unavailable)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Requests made at most, the first included (at least 1).
    pub max_attempts: u32,
    /// The backoff before the first retry.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` waited for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (1 for the first), jitter
    /// included.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = ceiling / 2;
        half + half.mul_f64(unit_random())
    }

    /// The wait before the next attempt, given the server's `Retry-After`;
    /// `None` when the server asks for longer than `max_retry_after`.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        let backoff = self.backoff(retry);
        match retry_after {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// Whether an answer of `status` is worth another attempt.
pub(crate) fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// A `Retry-After` value in delay-seconds; an HTTP-date (rare on token
/// endpoints) is not read, and the backoff applies.
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A uniform random number in `[0, 1)`.
fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    if system_random().fill(&mut bytes).is_err() {
        return 0.5;
    }
    // 53 random bits: the mantissa of an f64.
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
