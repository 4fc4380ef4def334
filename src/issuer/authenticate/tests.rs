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
