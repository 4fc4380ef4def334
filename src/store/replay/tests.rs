use super::*;

fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

use ReplayCheck::{FirstUse, QuotaExceeded, Replayed};

#[test]
fn c45_first_use_only_once_until_expiry() {
    let g = MemoryReplayGuard::new();
    assert_eq!(g.record("c", "k", t(200), t(100)).unwrap(), FirstUse);
    assert_eq!(g.record("c", "k", t(200), t(150)).unwrap(), Replayed);
    assert_eq!(g.record("c", "k", t(200), t(199)).unwrap(), Replayed);
    assert_eq!(g.record("c", "other", t(200), t(150)).unwrap(), FirstUse);
    // Once `until` has passed the assertion is dead anyway: the slot is reused.
    assert_eq!(g.record("c", "k", t(400), t(200)).unwrap(), FirstUse);
    assert_eq!(g.record("c", "k", t(400), t(201)).unwrap(), Replayed);
}

#[test]
fn full_of_live_entries_fails_closed_then_recovers() {
    // One entry per shard; every key from its own client, so no share binds.
    let g = MemoryReplayGuard::with_capacity(16).per_client_share(1 << 20);
    let refused: Vec<String> = (0..200)
        .map(|i| format!("k{i}"))
        .filter(|k| match g.record(k, k, t(1_000), t(10)) {
            Ok(check) => {
                assert_eq!(check, FirstUse);
                false
            }
            Err(_) => true,
        })
        .collect();
    assert!(!refused.is_empty(), "a full guard refuses new keys");
    assert!(g.len() <= 16);
    // A refused key was not let in: it is refused again, never accepted.
    let k = &refused[0];
    assert!(g.record(k, k, t(1_000), t(11)).is_err());
    // Once the entries expire, room comes back.
    assert_eq!(g.record(k, k, t(2_000), t(1_000)).unwrap(), FirstUse);
    assert_eq!(g.record(k, k, t(2_000), t(1_001)).unwrap(), Replayed);
}

#[test]
fn expired_entries_are_swept() {
    let g = MemoryReplayGuard::new();
    for i in 0..100 {
        g.record("c", &format!("k{i}"), t(50), t(10)).unwrap();
    }
    assert_eq!(g.len(), 100);
    // A minute later, the next insert in each shard sweeps it.
    for i in 0..1000 {
        g.record("c", &format!("n{i}"), t(200), t(100)).unwrap();
    }
    assert_eq!(g.len(), 1000);
}

#[test]
fn a_client_over_its_share_is_the_only_one_refused() {
    // 16 entries a client (one a shard), in a guard of 4,096.
    let g = MemoryReplayGuard::with_capacity(4096).per_client_share(16);
    let mut over = 0;
    for i in 0..1_000 {
        match g
            .record("greedy", &format!("g{i}"), t(1_000), t(10))
            .unwrap()
        {
            FirstUse => {}
            QuotaExceeded => over += 1,
            Replayed => panic!("fresh keys are never replays"),
        }
    }
    assert!(
        over >= 1_000 - 16,
        "the greedy client holds at most its share"
    );
    assert!(g.len() <= 16);
    // Every other client is untouched by it.
    for i in 0..200 {
        let client = format!("other{i}");
        assert_eq!(
            g.record(&client, &format!("o{i}"), t(1_000), t(10))
                .unwrap(),
            FirstUse
        );
    }
    // Its own entries expire, and so does the refusal.
    assert_eq!(
        g.record("greedy", "later", t(3_000), t(1_000)).unwrap(),
        FirstUse
    );
}

#[test]
fn a_refused_key_of_a_client_over_its_share_is_not_recorded() {
    let g = MemoryReplayGuard::with_capacity(4096).per_client_share(16);
    let refused = (0..1_000)
        .map(|i| format!("g{i}"))
        .find(|k| g.record("greedy", k, t(1_000), t(10)).unwrap() == QuotaExceeded)
        .unwrap();
    // Not remembered: once the client is under its share again, the key is new.
    assert_eq!(
        g.record("greedy", &refused, t(3_000), t(1_000)).unwrap(),
        FirstUse
    );
}

#[test]
fn shards_are_chosen_by_a_key_drawn_per_guard() {
    // Keys that crowd one shard of one guard spread over the shards of another:
    // nobody outside the process can aim at a shard.
    let a = MemoryReplayGuard::new();
    let b = MemoryReplayGuard::new();
    let crowd: Vec<String> = (0..10_000)
        .map(|i| format!("k{i}"))
        .filter(|k| a.shard_of(k) == 0)
        .take(64)
        .collect();
    assert_eq!(crowd.len(), 64);
    let shards_in_b: std::collections::HashSet<usize> =
        crowd.iter().map(|k| b.shard_of(k)).collect();
    assert!(shards_in_b.len() > 4, "{shards_in_b:?}");
}

#[tokio::test]
async fn the_trait_answers_like_record() {
    let g = Arc::new(MemoryReplayGuard::new());
    assert_eq!(g.first_use("c", "k", t(20), t(10)).await.unwrap(), FirstUse);
    assert_eq!(g.first_use("c", "k", t(20), t(10)).await.unwrap(), Replayed);
}
