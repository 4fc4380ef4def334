//! The [`RevocationStore`] contract: what is revoked stays revoked, cutoffs
//! are inclusive and only grow, ids are compared exactly.

use futures_util::future::join_all;

use crate::store::revocation::{RevocationStore, TokenView};
use crate::testing::run_prefix;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::time::UnixTime;

const T0: u64 = 1_700_000_000;

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(T0 + secs)
}

fn token<'a>(jti: &'a str, client: &'a str, credential: &'a str, iat: u64) -> TokenView<'a> {
    TokenView {
        jti: Some(jti),
        client_id: client,
        credential_id: Some(credential),
        issued_at: at(iat),
    }
}

async fn revoked<R: RevocationStore>(store: &R, view: TokenView<'_>) -> bool {
    store
        .is_revoked(&view)
        .await
        .expect("is_revoked answers without error")
}

/// Checks a [`RevocationStore`]: a revoked `jti` reads as revoked and no other
/// does; a client or credential cutoff covers `iat <= cutoff` and nothing
/// after it; a later, earlier cutoff does not shorten an earlier, later one;
/// [`UnixTime::MAX`] revokes every token for good; a credential cutoff leaves
/// the client's other credentials and other clients alone; ids are compared
/// exactly; revocations made concurrently are all kept.
///
/// # Panics
/// With the clause broken.
pub async fn check_revocation_store<R: RevocationStore>(store: &R) {
    let prefix = run_prefix();
    let name = |s: &str| format!("{prefix}-{s}");
    let client = |s: &str| ClientId::new(name(s)).expect("a valid id");
    let c1 = name("c1");

    // One token by its jti, until it expires.
    let jti = name("jti-1");
    store
        .revoke_token(&client("c1"), &jti, at(3_600), at(0))
        .await
        .expect("revoke_token succeeds");
    assert!(
        revoked(store, token(&jti, &c1, "s1", 0)).await,
        "a revoked jti reads as revoked"
    );
    assert!(
        !revoked(store, token(&name("jti-2"), &c1, "s1", 0)).await,
        "another jti of the same client does not"
    );
    assert!(
        !revoked(store, token(&name("JTI-1"), &c1, "s1", 0)).await,
        "jtis are compared exactly"
    );
    // Revoking again, or with an earlier expiry, keeps it revoked.
    store
        .revoke_token(&client("c1"), &jti, at(10), at(0))
        .await
        .expect("revoking again succeeds");
    assert!(
        revoked(store, token(&jti, &c1, "s1", 0)).await,
        "a second revocation never shortens the first"
    );

    // A client cutoff: inclusive, and only growing.
    let c2 = name("c2");
    store
        .revoke_client(&client("c2"), at(100))
        .await
        .expect("revoke_client succeeds");
    for (iat, expected, why) in [
        (99, true, "a token issued before the cutoff is revoked"),
        (
            100,
            true,
            "a token issued in the cutoff's second is revoked (inclusive)",
        ),
        (101, false, "a token issued after the cutoff lives"),
    ] {
        assert_eq!(
            revoked(store, token(&name("any"), &c2, "s1", iat)).await,
            expected,
            "{why}"
        );
    }
    store
        .revoke_client(&client("c2"), at(50))
        .await
        .expect("an earlier cutoff is accepted");
    assert!(
        revoked(store, token(&name("any"), &c2, "s1", 100)).await,
        "cutoffs only grow: an earlier one does not shorten a later one"
    );
    for other in [name("C2"), name("c2 "), name("c"), name("c22")] {
        assert!(
            !revoked(store, token(&name("any"), &other, "s1", 0)).await,
            "client ids are compared exactly: {other} is not revoked"
        );
    }

    // For good.
    let c3 = name("c3");
    store
        .revoke_client(&client("c3"), UnixTime::MAX)
        .await
        .expect("a cutoff of UnixTime::MAX is accepted");
    for iat in [0, T0, u64::MAX - T0] {
        assert!(
            revoked(store, token(&name("any"), &c3, "s1", iat)).await,
            "UnixTime::MAX revokes every token, whenever issued ({iat})"
        );
    }
    let prospective = TokenView::prospective(&c3, Some("s1"), UnixTime::MAX);
    assert!(
        store
            .is_revoked(&prospective)
            .await
            .expect("is_revoked answers"),
        "UnixTime::MAX refuses tokens not minted yet"
    );

    // One credential of a client.
    let c4 = name("c4");
    store
        .revoke_credential(
            &client("c4"),
            &CredentialId::new("leaked").expect("a valid id"),
            at(200),
        )
        .await
        .expect("revoke_credential succeeds");
    assert!(
        revoked(store, token(&name("any"), &c4, "leaked", 200)).await,
        "a credential cutoff is inclusive"
    );
    assert!(
        !revoked(store, token(&name("any"), &c4, "leaked", 201)).await,
        "a token from the credential after its cutoff lives"
    );
    assert!(
        !revoked(store, token(&name("any"), &c4, "kept", 0)).await,
        "the client's other credentials are untouched"
    );
    assert!(
        !revoked(store, token(&name("any"), &c1, "leaked", 0)).await,
        "another client's credential of the same name is untouched"
    );

    // Concurrent revocations are all kept.
    let jtis: Vec<String> = (0..32).map(|i| name(&format!("concurrent-{i}"))).collect();
    let c5 = client("c5");
    let revocations = jtis
        .iter()
        .map(|jti| store.revoke_token(&c5, jti, at(3_600), at(0)));
    for result in join_all(revocations).await {
        result.expect("concurrent revocations succeed");
    }
    for jti in &jtis {
        assert!(
            revoked(store, token(jti, c5.as_str(), "s1", 0)).await,
            "every concurrent revocation is kept"
        );
    }
}
