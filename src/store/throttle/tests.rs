use super::*;

const T0: u64 = 1_700_000_000;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(T0 + secs)
}

fn fail(t: &dyn AuthThrottle, id: &str, n: u32, now: UnixTime) {
    for _ in 0..n {
        t.record_failure(ThrottleKey::from(id), now);
    }
}

#[test]
fn c15_ten_failures_lock_the_id() {
    let t = MemoryThrottle::default();
    for i in 0..10 {
        assert_eq!(
            t.check(ThrottleKey::from("c1"), at(i)),
            Ok(()),
            "attempt {i}"
        );
        t.record_failure(ThrottleKey::from("c1"), at(i));
    }
    assert_eq!(
        t.check(ThrottleKey::from("c1"), at(9)),
        Err(Duration::from_secs(60))
    );
    assert_eq!(
        t.check(ThrottleKey::from("c1"), at(30)),
        Err(Duration::from_secs(39))
    );
    // Other ids are not affected.
    assert_eq!(t.check(ThrottleKey::from("c2"), at(9)), Ok(()));
}

#[test]
fn c15_lockout_ends() {
    let t = MemoryThrottle::default();
    fail(&t, "c1", 20, at(0));
    assert_eq!(
        t.check(ThrottleKey::from("c1"), at(59)),
        Err(Duration::from_secs(1))
    );
    assert_eq!(t.check(ThrottleKey::from("c1"), at(60)), Ok(()));
    // The id starts afresh: one more failure does not lock it again.
    t.record_failure(ThrottleKey::from("c1"), at(60));
    assert_eq!(t.check(ThrottleKey::from("c1"), at(60)), Ok(()));
}

#[test]
fn failures_during_the_lockout_do_not_extend_it() {
    let t = MemoryThrottle::default();
    fail(&t, "c1", 10, at(0));
    fail(&t, "c1", 10, at(50));
    assert_eq!(
        t.check(ThrottleKey::from("c1"), at(50)),
        Err(Duration::from_secs(10))
    );
    assert_eq!(t.check(ThrottleKey::from("c1"), at(60)), Ok(()));
}

#[test]
fn success_resets() {
    let t = MemoryThrottle::default();
    fail(&t, "c1", 9, at(0));
    t.record_success(ThrottleKey::from("c1"), at(1));
    assert_eq!(t.tracked(), 0);
    fail(&t, "c1", 9, at(2));
    assert_eq!(t.check(ThrottleKey::from("c1"), at(2)), Ok(()));
    t.record_failure(ThrottleKey::from("c1"), at(2));
    assert!(t.check(ThrottleKey::from("c1"), at(2)).is_err());
}

#[test]
fn failures_spread_over_more_than_the_window_do_not_lock() {
    let t = MemoryThrottle::default();
    // One failure every 7 s: never 10 within 60 s of a window's first failure.
    for i in 0..100 {
        assert_eq!(
            t.check(ThrottleKey::from("c1"), at(i * 7)),
            Ok(()),
            "attempt {i}"
        );
        t.record_failure(ThrottleKey::from("c1"), at(i * 7));
    }
    // Nine at once, then one after the window: still open.
    let t = MemoryThrottle::default();
    fail(&t, "c2", 9, at(0));
    fail(&t, "c2", 1, at(60));
    assert_eq!(t.check(ThrottleKey::from("c2"), at(60)), Ok(()));
}

#[test]
fn unknown_ids_are_tracked_too() {
    let t = MemoryThrottle::default();
    fail(&t, "no-such-client", 10, at(0));
    assert_eq!(t.tracked(), 1);
    assert!(t.check(ThrottleKey::from("no-such-client"), at(0)).is_err());
}

#[test]
fn expired_records_are_dropped_when_checked() {
    let t = MemoryThrottle::default();
    fail(&t, "c1", 3, at(0));
    assert_eq!(t.check(ThrottleKey::from("c1"), at(59)), Ok(()));
    assert_eq!(t.tracked(), 1);
    assert_eq!(t.check(ThrottleKey::from("c1"), at(60)), Ok(()));
    assert_eq!(t.tracked(), 0);
}

#[test]
fn sub_second_durations_round_up() {
    let t = MemoryThrottle::new(ThrottleConfig {
        max_failures: 1,
        lockout: Duration::from_millis(1),
        ..ThrottleConfig::default()
    });
    t.record_failure(ThrottleKey::from("c1"), at(0));
    assert_eq!(
        t.check(ThrottleKey::from("c1"), at(0)),
        Err(Duration::from_secs(1))
    );
    assert_eq!(t.check(ThrottleKey::from("c1"), at(1)), Ok(()));
}

#[test]
fn long_ids_are_kept_as_digests_and_stay_distinct() {
    let t = MemoryThrottle::default();
    let a = format!("{}a", "x".repeat(1000));
    let b = format!("{}b", "x".repeat(1000));
    fail(&t, &a, 10, at(0));
    assert!(t.check(ThrottleKey::from(a.as_str()), at(0)).is_err());
    assert_eq!(t.check(ThrottleKey::from(b.as_str()), at(0)), Ok(()));
    assert!(MapKey::new(&a, None).as_bytes().len() <= 1 + MAX_ID_BYTES);
    // A 64-byte id is kept as is, and never equals a digest key.
    let plain = "y".repeat(64);
    assert_eq!(&MapKey::new(&plain, None).as_bytes()[1..], plain.as_bytes());
    t.record_success(ThrottleKey::from(a.as_str()), at(1));
    assert_eq!(t.tracked(), 0);
}

#[test]
fn memory_stays_bounded_under_a_flood_of_ids() {
    let t = MemoryThrottle::new(ThrottleConfig {
        max_tracked: 1_000,
        ..ThrottleConfig::default()
    });
    fail(&t, "victim", 10, at(0));
    for i in 0..10_000 {
        t.record_failure(ThrottleKey::from(&*format!("flood-{i}")), at(1));
        assert!(t.tracked() <= 1_000);
    }
    assert!(t.tracked() >= 900, "{}", t.tracked());
    // The flood pushed out only one-failure entries, not the locked id.
    assert!(t.check(ThrottleKey::from("victim"), at(1)).is_err());
    // Once its entries expired, a full shard makes room by purging them all.
    let before = t.tracked();
    t.record_failure(ThrottleKey::from("late"), at(1_000));
    assert!(t.tracked() < before, "{before} {}", t.tracked());
}

#[test]
fn tiny_bounds_are_honoured() {
    for max in [0, 1, 5, 63, 64, 65] {
        let t = MemoryThrottle::new(ThrottleConfig {
            max_tracked: max,
            ..ThrottleConfig::default()
        });
        for i in 0..200 {
            t.record_failure(ThrottleKey::from(&*i.to_string()), at(0));
        }
        assert!(t.tracked() <= max.max(1), "{max}: {}", t.tracked());
        assert!(t.tracked() >= 1, "{max}");
    }
}

#[test]
fn concurrent_use_is_consistent() {
    let t = MemoryThrottle::default();
    std::thread::scope(|s| {
        for thread in 0..4 {
            let t = &t;
            s.spawn(move || {
                for i in 0..100 {
                    let own = format!("t{thread}-{i}");
                    t.record_failure(ThrottleKey::from(own.as_str()), at(0));
                    if i % 2 == 0 {
                        t.record_success(ThrottleKey::from(own.as_str()), at(0));
                    }
                    if i < 5 {
                        t.record_failure(ThrottleKey::from("shared"), at(0));
                    }
                    let _ = t.check(ThrottleKey::from("shared"), at(0));
                }
            });
        }
    });
    assert_eq!(t.tracked(), 1 + 4 * 50);
    assert_eq!(
        t.check(ThrottleKey::from("shared"), at(0)),
        Err(Duration::from_secs(60))
    );
    assert_eq!(t.check(ThrottleKey::from("t0-1"), at(0)), Ok(()));
}

#[test]
fn table_slots_are_as_small_as_documented() {
    assert!(size_of::<(Box<[u8]>, Entry)>() <= 48);
}

#[test]
fn no_throttle_never_throttles() {
    let t = NoThrottle;
    fail(&t, "c1", 1_000, at(0));
    assert_eq!(t.check(ThrottleKey::from("c1"), at(0)), Ok(()));
}

#[test]
fn throttles_are_usable_as_trait_objects() {
    let all: Vec<Box<dyn AuthThrottle>> =
        vec![Box::new(MemoryThrottle::default()), Box::new(NoThrottle)];
    for t in &all {
        assert_eq!(t.check(ThrottleKey::from("c1"), at(0)), Ok(()));
        assert!(!format!("{t:?}").is_empty());
    }
}
