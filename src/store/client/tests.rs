use super::*;
use crate::store::client_store::MemoryClientStore;
use crate::vocab::secret::ClientSecret;

fn hash() -> SecretHash {
    SecretHash::fast(&ClientSecret::generate()).unwrap()
}

#[test]
fn c31_client_ids_are_vschar() {
    assert!(ClientId::new("c1").is_ok());
    assert!(ClientId::new("svc:a b").is_ok());
    for bad in ["", "naïve", "c\n1", "tab\t"] {
        assert!(ClientId::new(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn secret_clients_default_to_basic_and_post() {
    let c = Client::builder(ClientId::new("c1").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            hash(),
        ))
        .build()
        .unwrap();
    assert!(c.allows_method(AuthMethod::ClientSecretBasic));
    assert!(c.allows_method(AuthMethod::ClientSecretPost));
    assert!(!c.allows_method(AuthMethod::None));
}

#[test]
fn inconsistent_registrations_are_refused() {
    let id = || ClientId::new("c1").unwrap();
    let cred = |n: &str| SecretCredential::new(CredentialId::new(n).unwrap(), hash());
    assert!(
        Client::builder(id())
            .allowed_scopes(ScopeSet::from_strs(["a"]).unwrap())
            .default_scopes(ScopeSet::from_strs(["b"]).unwrap())
            .build()
            .is_err()
    );
    assert!(
        Client::builder(id())
            .secret(cred("s"))
            .secret(cred("s"))
            .build()
            .is_err()
    );
    assert!(
        Client::builder(id())
            .auth_methods([AuthMethod::ClientSecretBasic])
            .build()
            .is_err()
    );
    assert!(
        Client::builder(id())
            .secret(cred("s"))
            .auth_methods([AuthMethod::None])
            .build()
            .is_err()
    );
}

#[test]
fn default_audience_is_allowed() {
    let aud = Audience::new("https://api.example.com").unwrap();
    let c = Client::builder(ClientId::new("c1").unwrap())
        .default_audience(aud.clone())
        .build()
        .unwrap();
    assert!(c.allowed_audiences().iter().any(|a| a.matches(&aud)));
}

#[test]
fn c131_memory_store_holds_no_plaintext() {
    let secret = ClientSecret::new("s3cr3t-but-long-enough-for-the-fast-hash!");
    let store = MemoryClientStore::new();
    store.insert(
        Client::builder(ClientId::new("c1").unwrap())
            .secret(SecretCredential::new(
                CredentialId::new("s1").unwrap(),
                SecretHash::fast(&secret).unwrap(),
            ))
            .build()
            .unwrap(),
    );
    let dump = format!("{store:?} {:?}", store.get("c1").unwrap());
    assert!(!dump.contains("s3cr3t"), "{dump}");
    assert!(
        store.get("c1").unwrap().secrets()[0]
            .hash()
            .verify(secret.expose_secret().as_bytes())
    );
    assert!(store.get("C1").is_none(), "ids match exactly");
    assert!(store.remove(&ClientId::new("c1").unwrap()));
    assert!(store.get("c1").is_none());
}
