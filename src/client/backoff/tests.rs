use std::time::Duration;

use super::{RetryPolicy, is_retryable, parse_retry_after};

#[test]
fn backoff_doubles_within_jitter_and_stops_at_the_ceiling() {
    let policy = RetryPolicy::default();
    for _ in 0..100 {
        let first = policy.backoff(1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
        let third = policy.backoff(3);
        assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(800));
        let late = policy.backoff(40);
        assert!(late >= Duration::from_secs(5) && late <= Duration::from_secs(10));
    }
}

#[test]
fn jitter_spreads_the_retries() {
    let policy = RetryPolicy::default();
    let waits: std::collections::HashSet<Duration> = (0..20).map(|_| policy.backoff(2)).collect();
    assert!(waits.len() > 1, "every wait was the same: {waits:?}");
}

#[test]
fn retry_after_is_honoured_up_to_the_limit() {
    let policy = RetryPolicy::default();
    let wait = policy.wait(1, Some(Duration::from_secs(3))).unwrap();
    assert_eq!(
        wait,
        Duration::from_secs(3),
        "longer than the backoff: the server's"
    );
    assert!(policy.wait(1, Some(Duration::ZERO)).unwrap() >= Duration::from_millis(100));
    assert_eq!(policy.wait(1, Some(Duration::from_secs(61))), None);
    assert_eq!(parse_retry_after(Some(" 7 ")), Some(Duration::from_secs(7)));
    assert_eq!(
        parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
        None
    );
    assert_eq!(parse_retry_after(None), None);
}

#[test]
fn only_overload_and_outage_statuses_are_retried() {
    for status in [429, 500, 502, 503, 504] {
        assert!(is_retryable(status), "{status}");
    }
    for status in [200, 400, 401, 403, 404, 501] {
        assert!(!is_retryable(status), "{status}");
    }
}
