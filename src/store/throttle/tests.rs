use std::net::IpAddr;
use std::sync::atomic::Ordering;

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

fn from(id: &str, last_octet: u8) -> ThrottleKey<'_> {
    ThrottleKey::new(id, Some(IpAddr::from([192, 0, 2, last_octet])))
}

#[test]
fn each_source_is_counted_apart() {
    let t = MemoryThrottle::default();
    for _ in 0..10 {
        t.record_failure(from("c1", 1), at(0));
    }
    assert_eq!(t.check(from("c1", 1), at(0)), Err(Duration::from_secs(60)));
    // Another caller of the same id is not held back by the first one.
    assert_eq!(t.check(from("c1", 2), at(0)), Ok(()));
    assert_eq!(t.reserve(from("c1", 2), at(0)), Ok(()));
    t.settle(from("c1", 2), false, at(0));
}

#[test]
fn a_pair_waits_longer_each_time_it_locks_again() {
    let t = MemoryThrottle::default();
    let key = from("c1", 1);
    for _ in 0..10 {
        t.record_failure(key, at(0));
    }
    assert_eq!(t.check(key, at(0)), Err(Duration::from_secs(60)));
    for _ in 0..10 {
        t.record_failure(key, at(60));
    }
    assert_eq!(t.check(key, at(60)), Err(Duration::from_secs(120)));
    for _ in 0..10 {
        t.record_failure(key, at(180));
    }
    assert_eq!(t.check(key, at(180)), Err(Duration::from_secs(240)));
    // Capped at `max_lockout`, 15 minutes by default.
    let mut now = 420;
    for _ in 0..10 {
        for _ in 0..10 {
            t.record_failure(key, at(now));
        }
        let Err(wait) = t.check(key, at(now)) else {
            panic!("locked")
        };
        assert!(wait <= Duration::from_secs(900), "{wait:?}");
        now += wait.as_secs();
    }
    assert_eq!(t.check(key, at(now - 1)), Err(Duration::from_secs(1)));
    // A whole window without a lockout starts the backoff afresh.
    let calm = now + 61;
    t.record_failure(key, at(calm));
    for _ in 0..9 {
        t.record_failure(key, at(calm + 1));
    }
    assert_eq!(t.check(key, at(calm + 1)), Err(Duration::from_secs(60)));
}

#[test]
fn every_source_together_meets_a_ceiling_on_the_client_id() {
    let t = MemoryThrottle::default();
    // 100 failures from 100 sources, one each: no pair is near its limit...
    for i in 0..100u8 {
        t.record_failure(from("c1", i), at(0));
    }
    // ...but the client id has met its ceiling, for every caller.
    assert_eq!(
        t.check(from("c1", 200), at(0)),
        Err(Duration::from_secs(60))
    );
    assert!(t.reserve(from("c1", 200), at(0)).is_err());
    assert_eq!(t.check(from("c2", 200), at(0)), Ok(()));
    assert_eq!(t.check(from("c1", 200), at(60)), Ok(()));
}

#[test]
fn reservations_count_attempts_in_flight() {
    let t = MemoryThrottle::default();
    let key = from("c1", 1);
    for i in 0..10 {
        assert_eq!(t.reserve(key, at(0)), Ok(()), "attempt {i}");
    }
    // Ten attempts are in flight and may all fail: the eleventh waits.
    assert_eq!(t.reserve(key, at(0)), Err(Duration::from_secs(1)));
    for _ in 0..10 {
        t.settle(key, true, at(0));
    }
    assert_eq!(t.reserve(key, at(0)), Err(Duration::from_secs(60)));
    // A success settles its reservation and forgets the pair's failures.
    let other = from("c1", 2);
    t.reserve(other, at(0)).unwrap();
    t.settle(other, true, at(0));
    t.reserve(other, at(0)).unwrap();
    t.settle(other, false, at(0));
    for _ in 0..9 {
        t.reserve(other, at(0)).unwrap();
        t.settle(other, true, at(0));
    }
    assert_eq!(t.reserve(other, at(0)), Ok(()), "the count started afresh");
}

#[test]
fn concurrent_reservations_never_pass_the_limit_together() {
    let t = MemoryThrottle::default();
    let granted = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..25 {
                    if t.reserve(from("c1", 1), at(0)).is_ok() {
                        granted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    // 200 concurrent attempts, none settled yet: exactly the limit got through.
    assert_eq!(granted.load(Ordering::Relaxed), 10);
}

#[test]
fn a_refused_reservation_takes_back_the_pairs_count() {
    let t = MemoryThrottle::default();
    for i in 0..100u8 {
        t.record_failure(from("c1", i), at(0));
    }
    // The client id is locked, so the pair's reservation is taken back.
    assert!(t.reserve(from("c1", 250), at(0)).is_err());
    for _ in 0..9 {
        t.record_failure(from("c1", 250), at(61));
    }
    assert_eq!(t.reserve(from("c1", 250), at(61)), Ok(()));
}

#[test]
fn unexpired_locks_are_never_evicted() {
    let t = MemoryThrottle::new(ThrottleConfig {
        max_tracked: 64,
        ..ThrottleConfig::default()
    });
    fail(&t, "victim", 10, at(0));
    assert!(t.check(ThrottleKey::from("victim"), at(0)).is_err());
    // A flood of decoys, each locked too so that none is less telling.
    for i in 0..2_000 {
        let decoy = format!("decoy-{i}");
        fail(&t, &decoy, 10, at(1));
        assert!(t.tracked() <= 64);
    }
    assert!(
        t.check(ThrottleKey::from("victim"), at(1)).is_err(),
        "the lock held"
    );
    // A shard full of locks takes no new key: a reservation waits instead of
    // being let through uncounted.
    let refused = (0..2_000)
        .map(|i| format!("new-{i}"))
        .filter(|id| t.reserve(ThrottleKey::from(id.as_str()), at(2)).is_err())
        .count();
    assert!(refused > 0);
    // Once the locks expire, there is room again.
    assert_eq!(t.reserve(ThrottleKey::from("later"), at(1_000)), Ok(()));
}
