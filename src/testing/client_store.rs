//! The [`ClientStore`] contract: ids found exactly, hashes only.

use std::future::Future;
use std::time::Duration;

use crate::store::client::{Client, SecretCredential};
use crate::store::client_store::ClientStore;
use crate::testing::run_prefix;
use crate::vocab::audience::Audience;
use crate::vocab::extra_claims::ExtraClaims;
use crate::vocab::ids::{AuthMethod, ClientId, CredentialId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::secret::ClientSecret;
use crate::vocab::secret_hash::SecretHash;

/// Checks a [`ClientStore`]: `make` gets the clients to register and returns
/// a store holding them (for a database: insert them, then return the store).
///
/// It checks that every registered client is found with what was registered
/// (its credentials and hashes, scopes, audiences, lifetime, methods, enabled
/// and introspection flags, extra claims), that an unknown id is `None`, and that ids are compared exactly:
/// no case folding, trimming or prefix match.
///
/// # Panics
/// With the clause broken.
pub async fn check_client_store<S, F, Fut>(make: F)
where
    S: ClientStore,
    F: FnOnce(Vec<Client>) -> Fut,
    Fut: Future<Output = S>,
{
    let prefix = run_prefix();
    let secret = ClientSecret::new(format!("{prefix}-generated-secret-of-enough-length"));
    let id = |name: &str| ClientId::new(format!("{prefix}-{name}")).expect("a valid id");
    let full = Client::builder(id("full"))
        .secret(SecretCredential::new(
            CredentialId::new("s1").expect("a valid id"),
            SecretHash::fast(&secret).expect("a long secret"),
        ))
        .allowed_scopes(ScopeSet::from_strs(["a:read", "a:write"]).expect("valid scopes"))
        .default_scopes(ScopeSet::from_strs(["a:read"]).expect("valid scopes"))
        .allowed_audience(Audience::new("https://a.example.com").expect("a valid audience"))
        .default_audience(Audience::new("https://b.example.com").expect("a valid audience"))
        .token_lifetime(Duration::from_secs(123))
        .auth_methods([AuthMethod::ClientSecretPost])
        .introspection(true)
        .extra_claims(
            ExtraClaims::new()
                .with("tenant", "acme")
                .and_then(|c| c.with("limits", &[1, 2]))
                .expect("valid extra claims"),
        )
        .build()
        .expect("the full client builds");
    let disabled = Client::builder(id("Disabled"))
        .secret(SecretCredential::new(
            CredentialId::new("s9").expect("a valid id"),
            SecretHash::fast(&secret).expect("a long secret"),
        ))
        .allowed_scopes(ScopeSet::from_strs(["a:read"]).expect("valid scopes"))
        .enabled(false)
        .build()
        .expect("the disabled client builds");
    let store = make(vec![full.clone(), disabled.clone()]).await;

    let found = store
        .client(full.id())
        .await
        .expect("a registered client is found without error")
        .expect("a registered client is found");
    assert_eq!(found.id(), full.id(), "the client under its own id");
    assert_eq!(
        found.secrets().len(),
        1,
        "every secret credential is returned"
    );
    let credential = &found.secrets()[0];
    assert_eq!(credential.id().as_str(), "s1", "credential ids are kept");
    assert!(
        credential.hash().verify(secret.expose_secret().as_bytes()),
        "the stored hash still checks the secret"
    );
    assert!(
        !credential.hash().verify(b"another secret"),
        "the stored hash refuses another secret"
    );
    assert_eq!(
        found.allowed_scopes(),
        full.allowed_scopes(),
        "allowed scopes"
    );
    assert_eq!(
        found.default_scopes(),
        full.default_scopes(),
        "default scopes"
    );
    assert_eq!(
        found.allowed_audiences(),
        full.allowed_audiences(),
        "audiences"
    );
    assert_eq!(
        found.default_audience(),
        full.default_audience(),
        "default audience"
    );
    assert_eq!(
        found.token_lifetime(),
        full.token_lifetime(),
        "token lifetime"
    );
    assert_eq!(found.auth_methods(), full.auth_methods(), "auth methods");
    assert!(found.is_enabled(), "an enabled client reads as enabled");
    assert!(found.may_introspect(), "the introspection flag is kept");
    assert_eq!(found.extra_claims().len(), 2, "every extra claim is kept");
    for (name, json) in full.extra_claims().iter() {
        assert_eq!(
            found.extra_claims().json(name),
            Some(json),
            "extra claim {name}"
        );
    }

    let off = store
        .client(disabled.id())
        .await
        .expect("a disabled client is found without error")
        .expect("a disabled client is still found");
    assert!(!off.is_enabled(), "a disabled client reads as disabled");
    assert!(
        !off.may_introspect(),
        "a client not marked for introspection reads as not marked"
    );
    assert!(
        off.extra_claims().is_empty(),
        "no extra claims read as none"
    );

    for near in [
        format!("{prefix}-FULL"),
        format!("{prefix}-full "),
        format!(" {prefix}-full"),
        format!("{prefix}-ful"),
        format!("{prefix}-full2"),
        format!("{prefix}-disabled"),
        format!("{prefix}-unknown"),
    ] {
        let near = ClientId::new(near).expect("a valid id");
        let answer = store.client(&near).await.expect("a lookup without error");
        assert!(
            answer.is_none(),
            "ids are compared exactly: {near} must not match"
        );
    }
}
