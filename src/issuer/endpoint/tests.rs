use std::sync::Arc;

use super::*;
use crate::audit::MemoryAuditSink;
use crate::jose::keys::{Algorithm, SigningKey};
use crate::store::client::{Client, SecretCredential};
use crate::store::client_store::MemoryClientStore;
use crate::vocab::error::ConfigError;
use crate::vocab::ids::{ClientId, CredentialId};
use crate::vocab::scope::ScopeSet;
use crate::vocab::secret::ClientSecret;
use crate::vocab::secret_hash::SecretHash;

fn keys() -> KeySet {
    KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0)
}

fn build(issuer: &str) -> Result<Issuer<MemoryClientStore>, ConfigError> {
    Issuer::builder(issuer, keys(), MemoryClientStore::new()).build()
}

#[test]
fn c77_metadata_issuer_is_byte_identical() {
    let i = build("https://as.example.com/tenant1").unwrap();
    let v: serde_json::Value = serde_json::from_str(i.metadata_json()).unwrap();
    assert_eq!(v["issuer"], "https://as.example.com/tenant1");
    assert_eq!(v["token_endpoint"], "https://as.example.com/tenant1/token");
    assert_eq!(
        i.metadata_path(),
        "/.well-known/oauth-authorization-server/tenant1"
    );
}

#[tokio::test]
async fn every_decision_is_audited_without_secrets() {
    let secret = ClientSecret::generate();
    let client = Client::builder(ClientId::new("c1").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .default_audience(crate::Audience::new("https://api.example.com").unwrap())
        .build()
        .unwrap();
    let sink = Arc::new(MemoryAuditSink::new());
    let issuer = Issuer::builder(
        "https://as.example.com",
        keys(),
        MemoryClientStore::from_iter([client]),
    )
    .audit(sink.clone())
    .build()
    .unwrap();
    let ok = format!(
        "grant_type=client_credentials&client_id=c1&client_secret={}",
        secret.expose_secret()
    );
    let bad = "grant_type=client_credentials&client_id=c1&client_secret=wrong-secret-value";
    let r = issuer
        .handle_token_request(RequestParts::form_post(ok.as_bytes()))
        .await;
    assert_eq!(r.status, 200);
    let token: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let r = issuer
        .handle_token_request(RequestParts::form_post(bad.as_bytes()))
        .await;
    assert_eq!(r.status, 401);
    let r = issuer
        .handle_token_request(RequestParts::new("GET", b""))
        .await;
    assert_eq!(r.status, 405);

    let records = sink.records();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].outcome, Outcome::Issued);
    assert_eq!(records[0].credential_id.as_deref(), Some("s1"));
    assert!(records[0].jti.is_some());
    assert_eq!(records[1].outcome, Outcome::Refused(Reason::WrongSecret));
    assert_eq!(
        records[2].outcome,
        Outcome::Refused(Reason::MethodNotAllowed)
    );
    let dump = format!("{records:?}");
    assert!(!dump.contains(secret.expose_secret()));
    assert!(!dump.contains("wrong-secret-value"));
    assert!(!dump.contains(&token));
    assert!(!format!("{issuer:?}").contains(secret.expose_secret()));
}
