//! Instants as the JWT world sees them: whole seconds since the Unix epoch.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z (a JWT `NumericDate`).
///
/// The crate never reads the clock by itself in its pure steps: every check takes
/// a `UnixTime` argument, and the [`Issuer`](crate::Issuer) asks its
/// [`Clock`](crate::Clock) once per request.
///
/// It converts from [`SystemTime`], and with the `time` feature to and from
/// `time::OffsetDateTime`; from other date-time libraries, go through Unix
/// seconds with [`UnixTime::from_secs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The last representable instant: as a revocation cutoff, "for good".
    pub const MAX: Self = Self(u64::MAX);

    /// The instant `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The current system time (clamped to the epoch if the system clock is before it).
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// `self + d`, saturating at the largest representable instant.
    pub const fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_secs()))
    }

    /// `self - d`, saturating at the epoch.
    pub const fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_secs()))
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    pub const fn duration_since(self, earlier: UnixTime) -> Duration {
        Duration::from_secs(self.0.saturating_sub(earlier.0))
    }
}

impl From<SystemTime> for UnixTime {
    fn from(t: SystemTime) -> Self {
        Self(t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
    }
}

/// Instants before 1970 become the epoch, as for [`SystemTime`].
#[cfg(feature = "time")]
impl From<time::OffsetDateTime> for UnixTime {
    fn from(t: time::OffsetDateTime) -> Self {
        Self(u64::try_from(t.unix_timestamp()).unwrap_or(0))
    }
}

/// Instants past the end of `time`'s range (year 9999) become its last second.
#[cfg(feature = "time")]
impl From<UnixTime> for time::OffsetDateTime {
    fn from(t: UnixTime) -> Self {
        let secs = i64::try_from(t.0).unwrap_or(i64::MAX);
        Self::from_unix_timestamp(secs)
            .unwrap_or_else(|_| time::PrimitiveDateTime::MAX.assume_utc())
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The default clock leeway for `exp`, `nbf` and `iat`: 60 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The largest leeway a [`Validator`](crate::Validator) accepts: 5 minutes ("usually no more than
/// a few minutes", RFC 9068 §4). Revocation stores keep a revoked `jti` at least
/// this long past its expiry.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// Whole seconds in `d`, rounded up: a configured duration never shrinks when
/// it is counted in the whole seconds of a NumericDate.
pub(crate) const fn ceil_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add((d.subsec_nanos() > 0) as u64)
}

#[cfg(test)]
mod tests;
