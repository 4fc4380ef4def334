use std::sync::Arc;

use super::*;
use crate::store::client::SecretCredential;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::secret::ClientSecret;

fn secret_client(id: &str, secrets: &[(&str, &str, Option<u64>)]) -> Arc<Client> {
    let mut b = Client::builder(ClientId::new(id).unwrap());
    for (cred, plain, expiry) in secrets {
        let hash = SecretHash::pbkdf2(
            &ClientSecret::new(*plain),
            std::num::NonZeroU32::new(1_000).unwrap(),
        );
        let mut c = SecretCredential::new(CredentialId::new(*cred).unwrap(), hash);
        if let Some(at) = expiry {
            c = c.expires_at(UnixTime::from_secs(*at));
        }
        b = b.secret(c);
    }
    Arc::new(b.build().unwrap())
}

fn basic(id: &str, secret: &str) -> ClientAuth {
    ClientAuth::SecretBasic {
        client_id: id.into(),
        secret: ClientSecret::new(secret),
    }
}

const NOW: UnixTime = UnixTime::from_secs(1_000);

#[test]
fn right_secret_authenticates_and_names_the_credential() {
    let c = secret_client("c1", &[("s1", "s3cr3t", None)]);
    let a = check_secret(&basic("c1", "s3cr3t"), Some(c.clone()), NOW).unwrap();
    assert_eq!(a.client().id().as_str(), "c1");
    assert_eq!(a.credential_id().as_str(), "s1");
    assert_eq!(a.method(), AuthMethod::ClientSecretBasic);
}

#[test]
fn wrong_secret_and_unknown_client_are_refused() {
    let c = secret_client("c1", &[("s1", "s3cr3t", None)]);
    assert_eq!(
        check_secret(&basic("c1", "nope"), Some(c.clone()), NOW).unwrap_err(),
        Reason::WrongSecret
    );
    assert_eq!(
        check_secret(&basic("zz", "nope"), None, NOW).unwrap_err(),
        Reason::UnknownClient
    );
}

#[test]
fn rotation_two_live_secrets_and_expiry() {
    let c = secret_client(
        "c1",
        &[
            ("old", "old-secret", Some(2_000)),
            ("new", "new-secret", None),
        ],
    );
    assert_eq!(
        check_secret(&basic("c1", "old-secret"), Some(c.clone()), NOW)
            .unwrap()
            .credential_id()
            .as_str(),
        "old"
    );
    assert_eq!(
        check_secret(&basic("c1", "new-secret"), Some(c.clone()), NOW)
            .unwrap()
            .credential_id()
            .as_str(),
        "new"
    );
    let later = UnixTime::from_secs(2_000);
    assert_eq!(
        check_secret(&basic("c1", "old-secret"), Some(c.clone()), later).unwrap_err(),
        Reason::WrongSecret
    );
    assert!(check_secret(&basic("c1", "new-secret"), Some(c.clone()), later).is_ok());
}

#[test]
fn c14_method_must_be_registered() {
    let hash = SecretHash::pbkdf2(
        &ClientSecret::new("pw"),
        std::num::NonZeroU32::new(1_000).unwrap(),
    );
    let c = Arc::new(
        Client::builder(ClientId::new("c1").unwrap())
            .secret(SecretCredential::new(
                CredentialId::new("s1").unwrap(),
                hash,
            ))
            .auth_methods([AuthMethod::ClientSecretPost])
            .build()
            .unwrap(),
    );
    assert_eq!(
        check_secret(&basic("c1", "pw"), Some(c.clone()), NOW).unwrap_err(),
        Reason::AuthMethodNotAllowed
    );
    let post = ClientAuth::SecretPost {
        client_id: "c1".into(),
        secret: ClientSecret::new("pw"),
    };
    assert!(check_secret(&post, Some(c.clone()), NOW).is_ok());
}

#[test]
fn c12_c13_client_id_alone_is_not_authentication() {
    let c = secret_client("c1", &[("s1", "s3cr3t", None)]);
    let only = ClientAuth::ClientIdOnly {
        client_id: "c1".into(),
    };
    assert_eq!(
        check_secret(&only, Some(c.clone()), NOW).unwrap_err(),
        Reason::NoClientAuthentication
    );
    let public = Arc::new(
        Client::builder(ClientId::new("pub1").unwrap())
            .build()
            .unwrap(),
    );
    let only = ClientAuth::ClientIdOnly {
        client_id: "pub1".into(),
    };
    assert_eq!(
        check_secret(&only, Some(public.clone()), NOW).unwrap_err(),
        Reason::PublicClient
    );
    assert_eq!(
        check_secret(&ClientAuth::Absent, None, NOW).unwrap_err(),
        Reason::NoClientAuthentication
    );
}

#[test]
fn debug_of_auth_and_proof_holds_no_secret() {
    let c = secret_client("c1", &[("s1", "hunter2-secret", None)]);
    let auth = basic("c1", "hunter2-secret");
    let proof = check_secret(&auth, Some(c.clone()), NOW).unwrap();
    let text = format!("{auth:?} {proof:?} {proof:#?}");
    assert!(!text.contains("hunter2"), "{text}");
}

mod decoy_verification {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::issuer::assertion::ClientAssertion;
    use crate::jose::client_keys::ClientJwks;
    use crate::jose::decoy::decoy_verifications;
    use crate::jose::keys::{Algorithm, KeySet, SigningKey};
    use crate::store::client_store::MemoryClientStore;

    const ISSUER: &str = "https://as.example.com";

    fn es256_jwks() -> ClientJwks {
        let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
        ClientJwks::from_json(&KeySet::new(key).jwks_json()).unwrap()
    }

    /// An issuer with `jwt` (an ES256 key), `pinned` (an ES256 key, EdDSA
    /// assertions only) and `secret` (a secret, no JWT method).
    fn issuer() -> (Issuer<MemoryClientStore>, String) {
        let jwks = es256_jwks();
        let kid = jwks.keys()[0].id().as_str().to_owned();
        let jwt = Client::builder(ClientId::new("jwt").unwrap())
            .auth_methods([AuthMethod::PrivateKeyJwt])
            .jwks(jwks.clone())
            .build()
            .unwrap();
        let pinned = Client::builder(ClientId::new("pinned").unwrap())
            .auth_methods([AuthMethod::PrivateKeyJwt])
            .assertion_algorithms([Algorithm::EdDSA])
            .jwks(jwks)
            .build()
            .unwrap();
        let secret = secret_client("secret", &[("s1", "s3cr3t", None)]);
        let store = MemoryClientStore::from_iter([jwt, pinned, (*secret).clone()]);
        let (signing, _) = SigningKey::generate(Algorithm::ES256).unwrap();
        let issuer = Issuer::builder(ISSUER, KeySet::new(signing), store)
            .build()
            .unwrap();
        (issuer, kid)
    }

    /// A well-formed ES256 assertion from `sub`, signed with nothing.
    fn forged(sub: &str, kid: &str) -> ClientAuth {
        forged_with(sub, serde_json::json!({"alg": "ES256", "kid": kid}))
    }

    /// An assertion from `sub` with this header, signed with nothing.
    fn forged_with(sub: &str, header: serde_json::Value) -> ClientAuth {
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let header = header.to_string();
        let claims = serde_json::json!({
            "iss": sub, "sub": sub, "aud": ISSUER, "exp": NOW.as_secs() + 60, "jti": "j1",
        })
        .to_string();
        let compact = format!(
            "{}.{}.{}",
            b64(&header),
            b64(&claims),
            URL_SAFE_NO_PAD.encode([0x5a; 64])
        );
        ClientAuth::JwtAssertion {
            client_id: None,
            assertion: ClientAssertion::parse(compact).unwrap(),
        }
    }

    /// The reason `auth` was refused for, and how many decoy checks it cost.
    async fn refuse(issuer: &Issuer<MemoryClientStore>, auth: &ClientAuth) -> (Reason, usize) {
        let before = decoy_verifications();
        let error = issuer
            .authenticate_client(auth, None, None, NOW)
            .await
            .unwrap_err();
        (error.reason(), decoy_verifications() - before)
    }

    #[tokio::test]
    async fn refusals_before_any_key_is_tried_cost_one_decoy_check() {
        let (issuer, kid) = issuer();
        for (sub, kid, reason) in [
            ("nobody", kid.as_str(), Reason::UnknownClient),
            ("not a\nclient id", kid.as_str(), Reason::UnknownClient),
            ("secret", kid.as_str(), Reason::AuthMethodNotAllowed),
            ("pinned", kid.as_str(), Reason::AssertionAlgorithmNotAllowed),
            ("jwt", "other-kid", Reason::AssertionUnknownKey),
        ] {
            let auth = forged(sub, kid);
            assert_eq!(refuse(&issuer, &auth).await, (reason, 1), "{sub:?}, {kid}");
        }
    }

    #[tokio::test]
    async fn a_bad_signature_costs_the_real_check_and_no_decoy() {
        let (issuer, kid) = issuer();
        assert_eq!(
            refuse(&issuer, &forged("jwt", &kid)).await,
            (Reason::AssertionBadSignature, 0)
        );
    }
    /// Refusals that do not depend on the client cost no signature check,
    /// whoever the `sub` names: a decoy there would make unknown ids the slow
    /// ones.
    #[tokio::test]
    async fn refusals_that_do_not_depend_on_the_client_cost_no_decoy_check() {
        let (issuer, kid) = issuer();
        for sub in ["nobody", "jwt", "secret"] {
            for header in [
                serde_json::json!({"alg": "ES256", "kid": kid, "typ": "at+jwt"}),
                serde_json::json!({"alg": "ES256", "kid": kid, "crit": ["exp"]}),
                serde_json::json!({"alg": "none", "kid": kid}),
                serde_json::json!({"alg": "HS512", "kid": kid}),
            ] {
                let (_, decoys) = refuse(&issuer, &forged_with(sub, header.clone())).await;
                assert_eq!(decoys, 0, "{sub}: {header}");
            }
        }
    }
}

mod reservation {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::issuer::slow_hash::{SlowHashRunner, SlowHashWork};
    use crate::jose::keys::{Algorithm, KeySet, SigningKey};
    use crate::store::client_store::MemoryClientStore;
    use crate::store::throttle::AuthThrottle;

    /// Never runs the work and never resolves.
    struct Stuck;

    impl SlowHashRunner for Stuck {
        fn run(&self, _: SlowHashWork) -> Pin<Box<dyn Future<Output = ()> + Send>> {
            Box::pin(std::future::pending())
        }
    }

    /// Counts reservations and how they were settled.
    #[derive(Debug, Default)]
    struct Counting {
        reserved: AtomicUsize,
        failed: AtomicUsize,
        succeeded: AtomicUsize,
    }

    impl AuthThrottle for Counting {
        fn check(&self, _: ThrottleKey<'_>, _: UnixTime) -> Result<(), Duration> {
            Ok(())
        }
        fn reserve(&self, _: ThrottleKey<'_>, _: UnixTime) -> Result<(), Duration> {
            self.reserved.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        fn settle(&self, _: ThrottleKey<'_>, failed: bool, _: UnixTime) {
            let n = if failed {
                &self.failed
            } else {
                &self.succeeded
            };
            n.fetch_add(1, Ordering::SeqCst);
        }
        fn record_failure(&self, _: ThrottleKey<'_>, _: UnixTime) {}
        fn record_success(&self, _: ThrottleKey<'_>, _: UnixTime) {}
    }

    fn issuer(
        throttle: Arc<Counting>,
        configure: impl FnOnce(
            crate::issuer::IssuerBuilder<MemoryClientStore>,
        ) -> crate::issuer::IssuerBuilder<MemoryClientStore>,
    ) -> Issuer<MemoryClientStore> {
        let client = secret_client("c1", &[("s1", "s3cr3t", None)]);
        let store = MemoryClientStore::from_iter([(*client).clone()]);
        let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
        let builder =
            Issuer::builder("https://as.example.com", KeySet::new(key), store).throttle(throttle);
        configure(builder).build().unwrap()
    }

    #[tokio::test]
    async fn a_request_dropped_while_its_check_runs_elsewhere_settles_as_a_failure() {
        let throttle = Arc::new(Counting::default());
        let issuer = issuer(throttle.clone(), |b| b.slow_hash_runner(Stuck));
        let auth = basic("c1", "s3cr3t");
        let attempt = issuer.authenticate_client(&auth, None, None, NOW);
        let dropped = tokio::time::timeout(Duration::from_millis(20), attempt).await;
        assert!(dropped.is_err(), "the stuck runner never answers");
        assert_eq!(throttle.reserved.load(Ordering::SeqCst), 1);
        assert_eq!(throttle.failed.load(Ordering::SeqCst), 1);
        assert_eq!(throttle.succeeded.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_finished_check_settles_once_with_its_outcome() {
        let throttle = Arc::new(Counting::default());
        let issuer = issuer(throttle.clone(), |b| b);
        issuer
            .authenticate_client(&basic("c1", "s3cr3t"), None, None, NOW)
            .await
            .unwrap();
        issuer
            .authenticate_client(&basic("c1", "wrong"), None, None, NOW)
            .await
            .unwrap_err();
        assert_eq!(throttle.reserved.load(Ordering::SeqCst), 2);
        assert_eq!(throttle.succeeded.load(Ordering::SeqCst), 1);
        assert_eq!(throttle.failed.load(Ordering::SeqCst), 1);
    }
}
