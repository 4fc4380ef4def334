//! The [`ReplayGuard`] contract: one first use per key, atomically, kept
//! until `until`.

use futures_util::future::join_all;

use crate::store::replay::{ReplayCheck, ReplayGuard};
use crate::testing::run_prefix;
use crate::vocab::time::UnixTime;

const T0: u64 = 1_700_000_000;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(T0 + secs)
}

/// Checks a [`ReplayGuard`]: a key's first use is [`ReplayCheck::FirstUse`]
/// and every later use before `until` is [`ReplayCheck::Replayed`], up to the
/// last second before `until`; of many concurrent first uses of one key
/// exactly one wins; keys are stored verbatim (keys differing in one
/// character, or only in case, are different keys), and another client's key
/// is another key.
///
/// # Panics
/// With the clause broken.
pub async fn check_replay_guard<G: ReplayGuard>(guard: &G) {
    let prefix = run_prefix();
    let key = |s: &str| format!("{prefix}{s:->43}");
    let client = format!("{prefix}-client");
    let use_at = |k: String, now: u64| {
        let client = client.clone();
        async move {
            guard
                .first_use(&client, &k, at(300), at(now))
                .await
                .expect("first_use answers without error")
        }
    };

    assert_eq!(
        use_at(key("a"), 0).await,
        ReplayCheck::FirstUse,
        "a new key is a first use"
    );
    for now in [0, 1, 299] {
        assert_eq!(
            use_at(key("a"), now).await,
            ReplayCheck::Replayed,
            "a used key is a replay until `until` ({now})"
        );
    }
    for other in [key("b"), key("A"), key("a").replacen('-', "_", 1)] {
        assert_eq!(
            use_at(other.clone(), 0).await,
            ReplayCheck::FirstUse,
            "keys are compared verbatim: {other} is new"
        );
    }

    // Many concurrent first uses of one key: exactly one wins.
    let contested = key("contested");
    let attempts = (0..32).map(|_| use_at(contested.clone(), 0));
    let results = join_all(attempts).await;
    let winners = results
        .iter()
        .filter(|r| **r == ReplayCheck::FirstUse)
        .count();
    assert_eq!(
        winners, 1,
        "one first use of many concurrent ones: {results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| matches!(r, ReplayCheck::FirstUse | ReplayCheck::Replayed)),
        "the others are replays: {results:?}"
    );
}
