//! Where the [`Issuer`](crate::Issuer) gets "now" from: injected, so tests can fix it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::UnixTime;

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> UnixTime;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }
}

/// A clock that says what it is told, for tests and reproducible token vectors.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicU64);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: UnixTime) -> Self {
        Self(AtomicU64::new(at.as_secs()))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: UnixTime) {
        self.0.store(at.as_secs(), Ordering::Relaxed);
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), Ordering::Relaxed);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.0.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests;
