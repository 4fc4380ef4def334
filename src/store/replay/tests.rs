use super::*;

fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

#[test]
fn c45_first_use_only_once_until_expiry() {
    let g = MemoryReplayGuard::new();
    assert!(g.record("k", t(200), t(100)).unwrap());
    assert!(!g.record("k", t(200), t(150)).unwrap());
    assert!(!g.record("k", t(200), t(199)).unwrap());
    assert!(g.record("other", t(200), t(150)).unwrap());
    // Once `until` has passed the assertion is dead anyway: the slot is reused.
    assert!(g.record("k", t(400), t(200)).unwrap());
    assert!(!g.record("k", t(400), t(201)).unwrap());
}

#[test]
fn full_of_live_entries_fails_closed_then_recovers() {
    let g = MemoryReplayGuard::with_capacity(16); // one entry per shard
    let refused: Vec<String> = (0..200)
        .map(|i| format!("k{i}"))
        .filter(|k| match g.record(k, t(1_000), t(10)) {
            Ok(new) => {
                assert!(new);
                false
            }
            Err(_) => true,
        })
        .collect();
    assert!(!refused.is_empty(), "a full guard refuses new keys");
    assert!(g.len() <= 16);
    // A refused key was not let in: it is refused again, never accepted.
    assert!(g.record(&refused[0], t(1_000), t(11)).is_err());
    // Once the entries expire, room comes back.
    assert!(g.record(&refused[0], t(2_000), t(1_000)).unwrap());
    assert!(!g.record(&refused[0], t(2_000), t(1_001)).unwrap());
}

#[test]
fn expired_entries_are_swept() {
    let g = MemoryReplayGuard::new();
    for i in 0..100 {
        g.record(&format!("k{i}"), t(50), t(10)).unwrap();
    }
    assert_eq!(g.len(), 100);
    // A minute later, the next insert in each shard sweeps it.
    for i in 0..1000 {
        g.record(&format!("n{i}"), t(200), t(100)).unwrap();
    }
    assert_eq!(g.len(), 1000);
}

#[tokio::test]
async fn the_trait_answers_like_record() {
    let g = Arc::new(MemoryReplayGuard::new());
    assert!(g.first_use("k", t(20), t(10)).await.unwrap());
    assert!(!g.first_use("k", t(20), t(10)).await.unwrap());
}
