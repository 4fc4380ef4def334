//! The [`AuthThrottle`] contract: failures counted per key, reservations
//! atomic, a success forgets its pair.

use std::net::IpAddr;
use std::time::Duration;

use crate::store::throttle::{AuthThrottle, ThrottleKey};
use crate::testing::run_prefix;
use crate::vocab::time::UnixTime;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(1_700_000_000 + secs)
}

/// Checks an [`AuthThrottle`] configured to make a (client id, source) pair
/// wait after `max_failures` failures: a fresh key may try; after
/// `max_failures` failures it must wait, for a positive time, while another
/// client id and another source of the same id may still try; reservations
/// count attempts in flight, so `max_failures` reservations not yet settled
/// hold off the next one; a successful settlement forgets the pair's failures.
///
/// # Panics
/// With the clause broken.
pub async fn check_throttle<T: AuthThrottle>(throttle: &T, max_failures: u32) {
    let prefix = run_prefix();
    let id = format!("{prefix}-client");
    let other_id = format!("{prefix}-other");
    let source = |last: u8| Some(IpAddr::from([192, 0, 2, last]));
    let key = ThrottleKey::new(&id, source(1));

    assert_eq!(throttle.check(key, at(0)), Ok(()), "a fresh key may try");
    for _ in 0..max_failures {
        throttle.record_failure(key, at(0));
    }
    let wait = throttle.check(key, at(0));
    assert!(
        matches!(wait, Err(d) if d > Duration::ZERO),
        "after max_failures failures the pair waits a positive time: {wait:?}"
    );
    assert!(
        throttle.reserve(key, at(0)).is_err(),
        "a waiting pair gets no reservation"
    );
    assert_eq!(
        throttle.check(ThrottleKey::new(&other_id, source(1)), at(0)),
        Ok(()),
        "another client id from the same source may try"
    );
    let elsewhere = ThrottleKey::new(&id, source(2));
    assert_eq!(
        throttle.check(elsewhere, at(0)),
        Ok(()),
        "another source of the same client id may try"
    );

    // Reservations count attempts in flight.
    let fresh_id = format!("{prefix}-reserved");
    let fresh = ThrottleKey::new(&fresh_id, source(3));
    for i in 0..max_failures {
        assert_eq!(
            throttle.reserve(fresh, at(0)),
            Ok(()),
            "reservation {i} of {max_failures}"
        );
    }
    assert!(
        throttle.reserve(fresh, at(0)).is_err(),
        "max_failures unsettled reservations hold off the next one"
    );
    for _ in 0..max_failures {
        throttle.settle(fresh, false, at(0));
    }
    assert_eq!(
        throttle.reserve(fresh, at(0)),
        Ok(()),
        "settled successes free the pair"
    );
    throttle.settle(fresh, false, at(0));

    // A success forgets the pair's failures.
    let forgiven_id = format!("{prefix}-forgiven");
    let forgiven = ThrottleKey::new(&forgiven_id, source(4));
    for _ in 0..max_failures.saturating_sub(1) {
        throttle.record_failure(forgiven, at(0));
    }
    throttle.record_success(forgiven, at(0));
    for _ in 0..max_failures.saturating_sub(1) {
        throttle.record_failure(forgiven, at(0));
    }
    assert_eq!(
        throttle.check(forgiven, at(0)),
        Ok(()),
        "a success starts the pair's count afresh"
    );
}
