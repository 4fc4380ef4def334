use std::time::Duration;

use super::*;

const T0: u64 = 1_700_000_000;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(T0 + secs)
}

fn client(id: &str) -> ClientId {
    ClientId::new(id).unwrap()
}

/// The client whose tokens most tests revoke.
fn owner() -> ClientId {
    client("owner")
}

fn credential(id: &str) -> CredentialId {
    CredentialId::new(id).unwrap()
}

fn token<'a>(jti: &'a str, client_id: &'a str, credential_id: &'a str, iat: u64) -> TokenView<'a> {
    TokenView {
        jti: Some(jti),
        client_id,
        credential_id: Some(credential_id),
        issued_at: at(iat),
    }
}

fn small(max_tokens: usize, max_clients: usize) -> MemoryRevocationStore {
    MemoryRevocationStore::new(RevocationConfig {
        max_revoked_tokens: max_tokens,
        max_revoked_clients: max_clients,
        ..RevocationConfig::default()
    })
}

#[tokio::test]
async fn c92_a_revoked_jti_reads_revoked_at_once_and_others_do_not() {
    let store = MemoryRevocationStore::default();
    assert!(!store.is_revoked(&token("j1", "c1", "s1", 0)).await.unwrap());
    store
        .revoke_token(&owner(), "j1", at(600), at(10))
        .await
        .unwrap();
    assert!(store.is_revoked(&token("j1", "c1", "s1", 0)).await.unwrap());
    assert!(!store.is_revoked(&token("j2", "c1", "s1", 0)).await.unwrap());
    // Revoking again is harmless.
    store
        .revoke_token(&owner(), "j1", at(600), at(20))
        .await
        .unwrap();
    assert_eq!(store.revoked_tokens(), 1);
}

#[tokio::test]
async fn a_client_cutoff_covers_tokens_issued_at_or_before_it() {
    let store = MemoryRevocationStore::default();
    store.revoke_client(&client("c1"), at(100)).await.unwrap();
    assert!(store.is_revoked(&token("a", "c1", "s1", 99)).await.unwrap());
    assert!(
        store
            .is_revoked(&token("b", "c1", "s2", 100))
            .await
            .unwrap()
    );
    assert!(
        !store
            .is_revoked(&token("c", "c1", "s1", 101))
            .await
            .unwrap()
    );
    assert!(!store.is_revoked(&token("d", "c2", "s1", 50)).await.unwrap());
    // The issuer's question about a token it is about to mint.
    let now = TokenView::prospective("c1", Some("s1"), at(100));
    assert!(store.is_revoked(&now).await.unwrap());
    let later = TokenView::prospective("c1", Some("s1"), at(101));
    assert!(!store.is_revoked(&later).await.unwrap());
}

#[tokio::test]
async fn a_credential_cutoff_spares_the_clients_other_credentials() {
    let store = MemoryRevocationStore::default();
    store
        .revoke_credential(&client("c1"), &credential("s1"), UnixTime::MAX)
        .await
        .unwrap();
    assert!(store.is_revoked(&token("a", "c1", "s1", 0)).await.unwrap());
    assert!(
        store
            .is_revoked(&token("a", "c1", "s1", 1_000_000))
            .await
            .unwrap()
    );
    assert!(!store.is_revoked(&token("b", "c1", "s2", 0)).await.unwrap());
    assert!(!store.is_revoked(&token("c", "c2", "s1", 0)).await.unwrap());
    let no_credential = TokenView {
        credential_id: None,
        ..token("d", "c1", "s1", 0)
    };
    assert!(!store.is_revoked(&no_credential).await.unwrap());
}

#[tokio::test]
async fn cutoffs_only_grow() {
    let store = MemoryRevocationStore::default();
    store.revoke_client(&client("c1"), at(100)).await.unwrap();
    store.revoke_client(&client("c1"), at(50)).await.unwrap();
    assert!(
        store
            .is_revoked(&token("a", "c1", "s1", 100))
            .await
            .unwrap()
    );
    store
        .revoke_credential(&client("c1"), &credential("s1"), at(300))
        .await
        .unwrap();
    store
        .revoke_credential(&client("c1"), &credential("s1"), at(200))
        .await
        .unwrap();
    assert!(
        store
            .is_revoked(&token("a", "c1", "s1", 300))
            .await
            .unwrap()
    );
    assert_eq!(store.revoked_clients(), 2);
    store
        .revoke_token(&owner(), "j", at(1000), at(0))
        .await
        .unwrap();
    store
        .revoke_token(&owner(), "j", at(500), at(0))
        .await
        .unwrap();
    // Kept until the later expiry plus the grace, not the earlier one.
    let key = store.fingerprint("j");
    assert_eq!(store.read().tokens[&key], T0 + 1000 + 300);
}

#[tokio::test]
async fn tokens_long_expired_are_not_recorded() {
    let store = MemoryRevocationStore::default();
    // Expired 301 s ago: beyond the 300 s grace, no validator accepts it.
    store
        .revoke_token(&owner(), "old", at(0), at(301))
        .await
        .unwrap();
    assert_eq!(store.revoked_tokens(), 0);
    // Expired 299 s ago: a validator with the largest leeway still would.
    store
        .revoke_token(&owner(), "recent", at(0), at(299))
        .await
        .unwrap();
    assert!(
        store
            .is_revoked(&token("recent", "c1", "s1", 0))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn expired_entries_are_purged_in_amortised_sweeps() {
    let store = MemoryRevocationStore::default();
    for i in 0..MIN_PURGE_LEN {
        store
            .revoke_token(&owner(), &format!("short-{i}"), at(10), at(0))
            .await
            .unwrap();
    }
    assert_eq!(store.revoked_tokens(), MIN_PURGE_LEN);
    // The table reached the sweep length: the next insert, after the short
    // tokens' grace, sweeps them all.
    store
        .revoke_token(&owner(), "long", at(10_000), at(1_000))
        .await
        .unwrap();
    assert_eq!(store.revoked_tokens(), 1);
    assert!(store.is_revoked(&token("long", "c", "s", 0)).await.unwrap());
    assert!(
        !store
            .is_revoked(&token("short-1", "c", "s", 0))
            .await
            .unwrap()
    );
    // The next sweep waits until the table doubles again.
    assert_eq!(store.read().purge_at_len, MIN_PURGE_LEN);
}

#[tokio::test]
async fn a_full_store_refuses_rather_than_forgets() {
    let store = small(10, 2);
    for i in 0..10 {
        store
            .revoke_token(&owner(), &format!("j{i}"), at(100), at(0))
            .await
            .unwrap();
    }
    assert!(
        store
            .revoke_token(&owner(), "j10", at(100), at(0))
            .await
            .is_err()
    );
    for i in 0..10 {
        let jti = format!("j{i}");
        assert!(store.is_revoked(&token(&jti, "c", "s", 0)).await.unwrap());
    }
    // Once they expired (plus grace), room is made.
    store
        .revoke_token(&owner(), "j10", at(1_000), at(401))
        .await
        .unwrap();
    assert_eq!(store.revoked_tokens(), 1);

    store.revoke_client(&client("c1"), at(1)).await.unwrap();
    store
        .revoke_credential(&client("c2"), &credential("s"), at(1))
        .await
        .unwrap();
    assert!(store.revoke_client(&client("c3"), at(1)).await.is_err());
    assert!(
        store
            .revoke_credential(&client("c1"), &credential("s"), at(1))
            .await
            .is_err()
    );
    // Raising a cutoff that is already held needs no room.
    store.revoke_client(&client("c1"), at(5)).await.unwrap();
    assert!(store.is_revoked(&token("x", "c1", "s", 5)).await.unwrap());
}

/// The bytes std's `HashMap` (hashbrown) allocates for a table of this
/// capacity: a power-of-two number of buckets, of which 7/8 are usable (all but
/// one below 8 buckets), each one slot plus one control byte, and 16 more
/// control bytes for the SIMD group at the end.
fn table_bytes(capacity: usize) -> usize {
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    buckets * (size_of::<(u64, u64)>() + 1) + 16
}

#[tokio::test]
async fn memory_per_revoked_jti_is_as_documented() {
    let store = MemoryRevocationStore::default();
    let mut worst: f64 = 0.0;
    let mut best = f64::MAX;
    for i in 0..40_000 {
        // jtis of any length cost the same: they are stored as fingerprints.
        let jti = format!("{i:0>width$}", width = 22 + i % 200);
        // Spread over clients, so no client's share binds.
        let owner = client(&format!("c{}", i % 1_000));
        store
            .revoke_token(&owner, &jti, at(3_600), at(0))
            .await
            .unwrap();
        let n = i + 1;
        if n >= 1_000 {
            let bytes = table_bytes(store.read().tokens.capacity());
            let per = bytes as f64 / n as f64;
            worst = worst.max(per);
            best = best.min(per);
        }
    }
    assert!(worst <= 39.0, "worst {worst:.1} bytes per jti");
    assert!(best >= 19.0, "best {best:.1} bytes per jti");
    assert!(worst > 35.0, "the table grew at least once: {worst:.1}");
    // The default bound fits the documented 36 MB.
    let full = table_bytes(RevocationConfig::default().max_revoked_tokens);
    assert!(full <= 36_000_000, "{full} bytes at the bound");
}

#[tokio::test]
async fn revoked_jtis_are_found_and_others_are_not() {
    let store = MemoryRevocationStore::default();
    for i in 0..5_000 {
        store
            .revoke_token(&owner(), &format!("revoked-{i}"), at(3_600), at(0))
            .await
            .unwrap();
    }
    for i in 0..5_000 {
        let revoked = format!("revoked-{i}");
        let live = format!("live-{i}");
        assert!(
            store
                .is_revoked(&token(&revoked, "c", "s", 0))
                .await
                .unwrap()
        );
        assert!(!store.is_revoked(&token(&live, "c", "s", 0)).await.unwrap());
    }
}

#[test]
fn fingerprints_are_keyed_per_store() {
    let a = MemoryRevocationStore::default();
    let b = MemoryRevocationStore::default();
    let jti = "the-same-jti";
    assert_ne!(a.fingerprint(jti), b.fingerprint(jti));
}

#[test]
fn a_fingerprint_shared_with_a_revoked_jti_reads_as_revoked() {
    let store = MemoryRevocationStore::default();
    store
        .insert_token("owner", "other", at(100), at(0))
        .unwrap();
    // Pretend "mine" has the fingerprint of a jti revoked until later.
    store
        .write()
        .tokens
        .insert(store.fingerprint("mine"), T0 + 1_000);
    assert!(store.lookup(&token("mine", "c", "s", 0)));
    // Revoking "mine" keeps the later keep-until: the entry covers both.
    store.insert_token("owner", "mine", at(100), at(0)).unwrap();
    assert_eq!(store.read().tokens[&store.fingerprint("mine")], T0 + 1_000);
    assert!(store.lookup(&token("other", "c", "s", 0)));
}

#[test]
fn sweeps_keep_entries_for_good() {
    let store = MemoryRevocationStore::default();
    store.insert_token("owner", "first", at(10), at(0)).unwrap();
    store
        .insert_token("owner", "forever", UnixTime::MAX, at(0))
        .unwrap();
    let mut inner = store.write();
    inner.purge(T0 + 10_000);
    assert_eq!(inner.tokens.len(), 1);
    inner.purge(u64::MAX - 1);
    assert_eq!(inner.tokens.len(), 1);
    drop(inner);
    assert!(store.lookup(&token("forever", "c", "s", 0)));
    assert!(!store.lookup(&token("first", "c", "s", 0)));
}

#[test]
fn a_sweep_drops_exactly_the_entries_past_their_keep_until() {
    let store = MemoryRevocationStore::default();
    store.insert_token("owner", "a", at(100), at(0)).unwrap();
    store.insert_token("owner", "b", at(200), at(0)).unwrap();
    // Kept through expiry plus the 300 s grace, dropped from then on.
    store.write().purge(T0 + 399);
    assert_eq!(store.revoked_tokens(), 2);
    store.write().purge(T0 + 400);
    assert_eq!(store.revoked_tokens(), 1);
    assert!(!store.lookup(&token("a", "c", "s", 0)));
    assert!(store.lookup(&token("b", "c", "s", 0)));
    store.write().purge(T0 + 500);
    assert_eq!(store.revoked_tokens(), 0);
}

#[tokio::test]
async fn an_arc_shares_one_store() {
    let store = Arc::new(MemoryRevocationStore::default());
    let shared = Arc::clone(&store);
    shared
        .revoke_token(&owner(), "j", at(100), at(0))
        .await
        .unwrap();
    shared.revoke_client(&client("c9"), at(100)).await.unwrap();
    shared
        .revoke_credential(&client("c8"), &credential("s"), at(100))
        .await
        .unwrap();
    assert!(store.is_revoked(&token("j", "c", "s", 0)).await.unwrap());
    assert!(store.is_revoked(&token("k", "c9", "s", 0)).await.unwrap());
    assert!(store.is_revoked(&token("k", "c8", "s", 0)).await.unwrap());
}

#[tokio::test]
async fn no_revocation_refuses_to_revoke_and_revokes_nothing() {
    let store = NoRevocation;
    assert!(
        store
            .revoke_token(&owner(), "j", at(100), at(0))
            .await
            .is_err()
    );
    assert!(store.revoke_client(&client("c"), at(0)).await.is_err());
    assert!(
        store
            .revoke_credential(&client("c"), &credential("s"), at(0))
            .await
            .is_err()
    );
    assert!(!store.is_revoked(&token("j", "c", "s", 0)).await.unwrap());
}

#[test]
fn concurrent_revocations_are_all_seen() {
    let store = MemoryRevocationStore::default();
    std::thread::scope(|s| {
        for thread in 0..4 {
            let store = &store;
            s.spawn(move || {
                for i in 0..500 {
                    store
                        .insert_token("owner", &format!("t{thread}-{i}"), at(100), at(0))
                        .unwrap();
                    assert!(store.lookup(&token(&format!("t{thread}-{i}"), "c", "s", 0)));
                }
            });
        }
    });
    assert_eq!(store.revoked_tokens(), 2_000);
}

#[test]
fn debug_shows_counts_only() {
    let store = MemoryRevocationStore::default();
    store
        .insert_token("owner", "secret-looking-jti", at(100), at(0))
        .unwrap();
    let debug = format!("{store:?}");
    assert!(debug.contains("revoked_tokens: 1"), "{debug}");
    assert!(!debug.contains("secret-looking-jti"));
    assert_eq!(store.config().expiry_grace, Duration::from_secs(300));
}

fn small_shares() -> MemoryRevocationStore {
    MemoryRevocationStore::new(RevocationConfig {
        max_revoked_tokens: 100,
        max_revoked_tokens_per_client: 10,
        ..RevocationConfig::default()
    })
}

#[tokio::test]
async fn a_client_past_its_share_is_revoked_by_a_cutoff_and_nobody_else_loses_room() {
    let store = small_shares();
    for i in 0..10 {
        let jti = format!("mine-{i}");
        store
            .revoke_token(&owner(), &jti, at(3_600), at(100))
            .await
            .unwrap();
    }
    assert_eq!(store.revoked_tokens(), 10);
    assert_eq!(store.revoked_clients(), 0);
    // The eleventh costs no slot: the client's tokens so far die by a cutoff.
    store
        .revoke_token(&owner(), "mine-10", at(3_600), at(100))
        .await
        .unwrap();
    assert_eq!(store.revoked_tokens(), 10);
    assert_eq!(store.revoked_clients(), 1);
    for jti in ["mine-10", "never-revoked"] {
        assert!(
            store
                .is_revoked(&token(jti, "owner", "s", 100))
                .await
                .unwrap()
        );
    }
    // Its tokens issued after the cutoff live.
    assert!(
        !store
            .is_revoked(&token("new", "owner", "s", 101))
            .await
            .unwrap()
    );
    // However many more it revokes, the others keep their room.
    for i in 11..1_000 {
        let jti = format!("mine-{i}");
        store
            .revoke_token(&owner(), &jti, at(3_600), at(100))
            .await
            .unwrap();
    }
    assert_eq!(store.revoked_tokens(), 10);
    for i in 0..10 {
        let jti = format!("theirs-{i}");
        store
            .revoke_token(&client("other"), &jti, at(3_600), at(100))
            .await
            .unwrap();
    }
    assert_eq!(
        store.revoked_tokens(),
        20,
        "the other client got slots of its own"
    );
    assert!(
        store
            .is_revoked(&token("theirs-0", "other", "s", 0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .is_revoked(&token("live", "third", "s", 0))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_share_is_counted_again_once_its_revocations_expire() {
    let store = small_shares();
    for i in 0..10 {
        let jti = format!("mine-{i}");
        store
            .revoke_token(&owner(), &jti, at(10), at(0))
            .await
            .unwrap();
    }
    // Long after those tokens and their grace: room again, no cutoff.
    store
        .revoke_token(&owner(), "later", at(5_000), at(1_000))
        .await
        .unwrap();
    assert_eq!(store.revoked_clients(), 0);
    assert!(
        !store
            .is_revoked(&token("live", "owner", "s", 1_000))
            .await
            .unwrap()
    );
    assert!(
        store
            .is_revoked(&token("later", "owner", "s", 1_000))
            .await
            .unwrap()
    );
}
