//! Revocation, black-box: the RFC 7009 endpoint (C88–C92) and revocation of
//! whole clients and credentials through the `RevocationStore`, each seen at
//! once by the validator and by introspection.

mod fixtures;

use std::time::Duration;

use client_credentials::audit::Outcome;
use client_credentials::store::{MemoryRevocationStore, RevocationConfig};
use client_credentials::{
    ClientId, CredentialId, Reason, RequestParts, RevocationStore, UnixTime, ValidationError,
};
use fixtures::{DEFAULT_LIFETIME, NOW, ResourceFixture, json};

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(NOW + secs)
}

fn c1() -> ClientId {
    ClientId::new("c1").unwrap()
}

#[tokio::test]
async fn c88_c92_the_owner_revokes_and_the_token_dies_at_once() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    assert!(f.validator().validate(&token, at(1)).await.is_ok());
    assert!(f.is_active(&token).await);

    let r = f.revoke("c1", "s1", &format!("token={token}")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));

    assert_eq!(
        f.validator().validate(&token, at(1)).await.err(),
        Some(ValidationError::Revoked)
    );
    assert!(!f.is_active(&token).await);
    // The client's other tokens, even from the same credential, live on.
    let other = f.token("c1", "s1", "").await;
    assert!(f.validator().validate(&other, at(1)).await.is_ok());
}

#[tokio::test]
async fn c88_revocation_needs_client_authentication() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let body = format!("token={token}");
    let anonymous = f
        .issuer
        .handle_revocation_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(json(&anonymous)["error"], "invalid_client");
    let wrong = f
        .issuer
        .handle_revocation_request(
            RequestParts::form_post(body.as_bytes()).authorization("Basic YzE6d3Jvbmc="),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic")
    );
    // Body credentials work as at the token endpoint.
    let post = format!(
        "token={token}&client_id=c1&client_secret={}",
        f.secret("c1", "s1")
    );
    let r = f
        .issuer
        .handle_revocation_request(RequestParts::form_post(post.as_bytes()))
        .await;
    assert_eq!(r.status, 200);
    assert!(!f.is_active(&token).await);
}

#[tokio::test]
async fn c89_another_client_may_not_revoke_a_token() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let r = f.revoke("c2", "s1", &format!("token={token}")).await;
    assert_eq!(r.status, 400);
    assert_eq!(json(&r)["error"], "unauthorized_client");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(f.is_active(&token).await);
    assert!(f.validator().validate(&token, at(1)).await.is_ok());
    let refusal = f.audit.records().pop().unwrap();
    assert_eq!(refusal.outcome, Outcome::Refused(Reason::TokenNotOwned));
    assert_eq!(refusal.client_id.as_deref(), Some("c2"));
}

#[tokio::test]
async fn c90_invalid_tokens_get_200_and_change_nothing() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let foreign = ResourceFixture::new().token("c1", "s1", "").await;
    for bad in ["garbage", "a.b.c", &foreign] {
        let r = f.revoke("c1", "s1", &format!("token={bad}")).await;
        assert_eq!(r.status, 200, "{bad}");
        assert!(r.body.is_empty());
    }
    assert_eq!(f.revocations.revoked_tokens(), 0);
    // Revoking twice is 200 too.
    for _ in 0..2 {
        assert_eq!(
            f.revoke("c1", "s1", &format!("token={token}")).await.status,
            200
        );
    }
    // So is revoking an expired token.
    let old = f.token("c1", "s1", "").await;
    f.clock.advance(Duration::from_secs(DEFAULT_LIFETIME * 10));
    assert_eq!(
        f.revoke("c1", "s1", &format!("token={old}")).await.status,
        200
    );
}

#[tokio::test]
async fn c91_the_hint_is_only_a_hint() {
    let f = ResourceFixture::new();
    for hint in ["foo", "refresh_token", "access_token"] {
        let token = f.token("c1", "s1", "").await;
        let r = f
            .revoke("c1", "s1", &format!("token={token}&token_type_hint={hint}"))
            .await;
        assert_eq!(r.status, 200, "{hint}");
        assert!(!f.is_active(&token).await, "{hint}");
    }
}

#[tokio::test]
async fn c88_c94_malformed_revocation_requests() {
    let f = ResourceFixture::new();
    let r = f.revoke("c1", "s1", "").await;
    assert_eq!(r.status, 400);
    assert_eq!(json(&r)["error"], "invalid_request");
    let r = f.revoke("c1", "s1", "token=a&token=b").await;
    assert_eq!(json(&r)["error"], "invalid_request");
    let r = f
        .issuer
        .handle_revocation_request(RequestParts::new("GET", b""))
        .await;
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
}

#[tokio::test]
async fn revocation_is_throttled_like_the_token_endpoint() {
    let f = ResourceFixture::new();
    let bad = RequestParts::form_post(b"token=x").authorization("Basic YzE6d3Jvbmc=");
    for _ in 0..10 {
        assert_eq!(f.issuer.handle_revocation_request(bad).await.status, 401);
    }
    assert_eq!(f.issuer.handle_revocation_request(bad).await.status, 429);
    // The count is per client id and shared with the token endpoint...
    let wrong_token_request = RequestParts::form_post(b"grant_type=client_credentials")
        .authorization("Basic YzE6d3Jvbmc=");
    let r = f.issuer.handle_token_request(wrong_token_request).await;
    assert_eq!(r.status, 429);
    // ...but c1's generated secret is checked whatever the count: the right
    // one is never refused because someone else failed.
    assert_eq!(f.token_response("c1", "s1", "").await.status, 200);
    assert_eq!(f.token_response("c2", "s1", "").await.status, 200);
}

#[tokio::test]
async fn revocations_are_audited_without_the_token() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    f.revoke("c1", "s1", &format!("token={token}")).await;
    let records = f.audit.records();
    let revoked = records.last().unwrap();
    assert_eq!(revoked.outcome, Outcome::Revoked);
    assert_eq!(revoked.client_id.as_deref(), Some("c1"));
    assert_eq!(revoked.credential_id.as_deref(), Some("s1"));
    assert_eq!(revoked.jti, records[0].jti);
    let dump = format!("{records:?}");
    assert!(!dump.contains(&token));
    assert!(!dump.contains(f.secret("c1", "s1")));
}

#[tokio::test]
async fn revoking_a_client_kills_all_its_tokens_and_spares_other_clients() {
    let f = ResourceFixture::new();
    let s1 = f.token("c1", "s1", "").await;
    let s2 = f.token("c1", "s2", "").await;
    let other = f.token("c2", "s1", "").await;
    f.revocations.revoke_client(&c1(), f.now()).await.unwrap();
    for token in [&s1, &s2] {
        assert_eq!(
            f.validator().validate(token, at(1)).await.err(),
            Some(ValidationError::Revoked)
        );
        assert!(!f.is_active(token).await);
    }
    assert!(f.validator().validate(&other, at(1)).await.is_ok());
    assert!(f.is_active(&other).await);

    // No token issued in the same second: it would be born revoked.
    let r = f.token_response("c1", "s1", "").await;
    assert_eq!(r.status, 401);
    assert_eq!(json(&r)["error"], "invalid_client");
    assert_eq!(
        f.audit.records().last().unwrap().outcome,
        Outcome::Refused(Reason::CredentialRevoked)
    );
    // From the next second on, the client starts afresh.
    f.clock.advance(Duration::from_secs(1));
    let fresh = f.token("c1", "s1", "").await;
    assert!(f.validator().validate(&fresh, at(2)).await.is_ok());
    assert!(f.is_active(&fresh).await);
    assert_eq!(
        f.validator().validate(&s1, at(2)).await.err(),
        Some(ValidationError::Revoked)
    );
}

#[tokio::test]
async fn revoking_a_client_for_good_refuses_new_tokens_forever() {
    let f = ResourceFixture::new();
    f.revocations
        .revoke_client(&c1(), UnixTime::MAX)
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(f.token_response("c1", "s1", "").await.status, 401);
        assert_eq!(f.token_response("c1", "s2", "").await.status, 401);
        f.clock.advance(Duration::from_secs(86_400));
    }
    assert_eq!(f.token_response("c2", "s1", "").await.status, 200);
}

#[tokio::test]
async fn revoking_a_credential_spares_the_clients_other_credentials() {
    let f = ResourceFixture::new();
    let leaked = f.token("c1", "s1", "").await;
    let fine = f.token("c1", "s2", "").await;
    f.revocations
        .revoke_credential(&c1(), &CredentialId::new("s1").unwrap(), UnixTime::MAX)
        .await
        .unwrap();
    assert_eq!(
        f.validator().validate(&leaked, at(1)).await.err(),
        Some(ValidationError::Revoked)
    );
    assert!(!f.is_active(&leaked).await);
    assert!(f.validator().validate(&fine, at(1)).await.is_ok());
    assert!(f.is_active(&fine).await);

    // The leaked secret gets nothing more, anywhere; the other one does.
    let r = f.token_response("c1", "s1", "").await;
    assert_eq!(
        (r.status, json(&r)["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(
        f.revoke("c1", "s1", &format!("token={fine}")).await.status,
        401
    );
    assert_eq!(
        f.introspect("c1", "s1", &format!("token={fine}"))
            .await
            .status,
        401
    );
    let fresh = f.token("c1", "s2", "").await;
    assert!(f.validator().validate(&fresh, at(1)).await.is_ok());
}

#[tokio::test]
async fn c92_a_validator_without_the_store_trusts_signatures_until_expiry() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    f.revoke("c1", "s1", &format!("token={token}")).await;
    // Documented limit: a resource server that checks signatures only (here, one
    // that has the JWKS and no revocation store) accepts the token until `exp`.
    let signature_only = f.jwks_validator();
    assert!(signature_only.validate(&token, at(1)).await.is_ok());
    assert_eq!(
        signature_only
            .validate(&token, at(DEFAULT_LIFETIME + 60))
            .await
            .err(),
        Some(ValidationError::Expired)
    );
}

#[tokio::test]
async fn a_client_past_its_revocation_share_loses_its_own_tokens_and_nobody_else_loses_room() {
    let mut config = RevocationConfig::default();
    config.max_revoked_tokens = 8;
    config.max_revoked_tokens_per_client = 3;
    let f = ResourceFixture::with_revocations(MemoryRevocationStore::new(config));
    let kept = f.token("c1", "s1", "").await;
    let others = f.token("c2", "s1", "").await;
    // c1 revokes four of its tokens: the fourth is past its share of three.
    for _ in 0..4 {
        let token = f.token("c1", "s1", "").await;
        let r = f.revoke("c1", "s1", &format!("token={token}")).await;
        assert_eq!(r.status, 200);
    }
    assert_eq!(f.revocations.revoked_tokens(), 3);
    // Past its share, all of c1's tokens so far are revoked, not just that one.
    assert_eq!(
        f.validator().validate(&kept, at(0)).await.err(),
        Some(ValidationError::Revoked)
    );
    // c2 keeps its tokens, and its own revocations still have room.
    assert!(f.validator().validate(&others, at(0)).await.is_ok());
    let revoked = f.token("c2", "s1", "").await;
    let r = f.revoke("c2", "s1", &format!("token={revoked}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        f.validator().validate(&revoked, at(0)).await.err(),
        Some(ValidationError::Revoked)
    );
    assert!(f.validator().validate(&others, at(0)).await.is_ok());
}
