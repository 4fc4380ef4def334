use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::jose::algorithm::Algorithm;
use crate::jose::keys::{KeySet, SigningKey};
use crate::store::revocation::MemoryRevocationStore;
use crate::vocab::ids::ClientId;
use crate::vocab::scope::Scope;

const ISSUER: &str = "https://as.example.com";
const MCP: &str = "https://mcp.example.com/mcp";
const IAT: u64 = 1_700_000_000;

fn key_set() -> KeySet {
    KeySet::new(SigningKey::generate(Algorithm::EdDSA).unwrap().0)
}

fn token(keys: &KeySet, claims: &serde_json::Value) -> String {
    let key = keys.active();
    let header = format!(
        r#"{{"alg":"{}","typ":"at+jwt","kid":"{}"}}"#,
        key.algorithm(),
        key.kid()
    );
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn claims(aud: serde_json::Value, scope: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER, "sub": "c1", "aud": aud, "client_id": "c1",
        "iat": IAT, "exp": IAT + 300, "jti": "j1", "scope": scope, "credential_id": "s1"
    })
}

fn now() -> UnixTime {
    UnixTime::from_secs(IAT + 10)
}

fn mcp() -> Audience {
    Audience::new(MCP).unwrap()
}

fn validator(keys: &KeySet) -> ValidatorBuilder {
    Validator::builder(ISSUER, mcp(), VerificationKeys::from_key_set(keys))
}

#[tokio::test]
async fn c63_aud_must_contain_one_of_our_identifiers_exactly() {
    let keys = key_set();
    let v = validator(&keys)
        .audience(Audience::new("https://alias.example.com/mcp").unwrap())
        .build()
        .unwrap();
    for aud in [
        serde_json::json!(MCP),
        serde_json::json!(["https://other.example.com/", MCP]),
        serde_json::json!("https://alias.example.com/mcp"),
    ] {
        let t = token(&keys, &claims(aud.clone(), "mcp:read"));
        assert!(v.validate(&t, now()).await.is_ok(), "{aud}");
    }
    for aud in [
        serde_json::json!("https://mcp.example.com/mcp/"),
        serde_json::json!("HTTPS://MCP.EXAMPLE.COM/mcp"),
        serde_json::json!("https://mcp.example.com"),
        serde_json::json!(["https://other.example.com/"]),
        serde_json::json!(ISSUER),
    ] {
        let t = token(&keys, &claims(aud.clone(), "mcp:read"));
        assert_eq!(
            v.validate(&t, now()).await.err(),
            Some(ValidationError::WrongAudience),
            "{aud}"
        );
    }
}

#[tokio::test]
async fn c122_scopes_with_and_without_a_hierarchy() {
    let keys = key_set();
    let t = token(&keys, &claims(MCP.into(), "mcp:admin other"));
    let flat = validator(&keys).build().unwrap();
    let verified = flat.validate(&t, now()).await.unwrap();
    assert_eq!(verified.scopes().to_string(), "mcp:admin other");
    assert!(verified.require_scope("mcp:admin").is_ok());
    let refused = verified.require_scope("mcp:write").unwrap_err();
    assert_eq!(refused.required_scope(), "mcp:write");

    let hierarchy = ScopeHierarchy::new()
        .imply(
            Scope::new("mcp:admin").unwrap(),
            [Scope::new("mcp:write").unwrap()],
        )
        .imply(
            Scope::new("mcp:write").unwrap(),
            [Scope::new("mcp:read").unwrap()],
        );
    let v = validator(&keys).scope_hierarchy(hierarchy).build().unwrap();
    let verified = v.validate(&t, now()).await.unwrap();
    assert!(verified.require_scope("mcp:write").is_ok());
    assert!(verified.has_scope("mcp:read"));
    assert!(verified.require_scope("mcp:delete").is_err());
    // The granted set is reported as granted, without implied scopes.
    assert!(!verified.scopes().contains("mcp:read"));

    let no_scope = {
        let mut c = claims(MCP.into(), "x");
        c.as_object_mut().unwrap().remove("scope");
        token(&keys, &c)
    };
    let verified = v.validate(&no_scope, now()).await.unwrap();
    assert!(verified.scopes().is_empty());
    assert!(verified.require_scope("mcp:read").is_err());

    let malformed = token(&keys, &claims(MCP.into(), "a  b"));
    assert_eq!(
        v.validate(&malformed, now()).await.err(),
        Some(ValidationError::MalformedClaims)
    );
}

#[tokio::test]
async fn c92_the_revocation_store_is_consulted() {
    let keys = key_set();
    let store = Arc::new(MemoryRevocationStore::default());
    let v = validator(&keys)
        .revocation_store(Arc::clone(&store))
        .build()
        .unwrap();
    let t = token(&keys, &claims(MCP.into(), "mcp:read"));
    assert!(v.validate(&t, now()).await.is_ok());
    store
        .revoke_client(&ClientId::new("c1").unwrap(), UnixTime::from_secs(IAT))
        .await
        .unwrap();
    assert_eq!(
        v.validate(&t, now()).await.err(),
        Some(ValidationError::Revoked)
    );
}

#[tokio::test]
async fn a_failing_store_fails_closed() {
    #[derive(Debug)]
    struct Broken;
    impl RevocationStore for Broken {
        async fn revoke_token(
            &self,
            _: &ClientId,
            _: &str,
            _: UnixTime,
            _: UnixTime,
        ) -> Result<(), crate::StoreError> {
            Err(crate::StoreError::msg("down"))
        }
        async fn revoke_client(&self, _: &ClientId, _: UnixTime) -> Result<(), crate::StoreError> {
            Err(crate::StoreError::msg("down"))
        }
        async fn revoke_credential(
            &self,
            _: &ClientId,
            _: &crate::CredentialId,
            _: UnixTime,
        ) -> Result<(), crate::StoreError> {
            Err(crate::StoreError::msg("down"))
        }
        async fn is_revoked(&self, _: &TokenView<'_>) -> Result<bool, crate::StoreError> {
            Err(crate::StoreError::msg("down"))
        }
    }
    let keys = key_set();
    let v = validator(&keys).revocation_store(Broken).build().unwrap();
    let t = token(&keys, &claims(MCP.into(), "mcp:read"));
    assert_eq!(
        v.validate(&t, now()).await.err(),
        Some(ValidationError::RevocationUnavailable)
    );
}

#[test]
fn the_builder_refuses_bad_configurations() {
    let keys = key_set();
    assert!(validator(&keys).leeway(MAX_LEEWAY).build().is_ok());
    assert!(matches!(
        validator(&keys)
            .leeway(MAX_LEEWAY + Duration::from_millis(1))
            .build(),
        Err(ConfigError::Invalid(_))
    ));
    assert!(matches!(
        Validator::builder("", mcp(), VerificationKeys::from_key_set(&keys)).build(),
        Err(ConfigError::Invalid(_))
    ));
    let v = validator(&keys)
        .leeway(Duration::from_millis(1500))
        .build()
        .unwrap();
    assert_eq!(v.leeway(), Duration::from_secs(2), "rounded up");
    assert_eq!(v.issuer(), ISSUER);
    assert_eq!(v.audiences().collect::<Vec<_>>(), [MCP]);
    assert!(format!("{v:?}").contains(MCP));
}

#[test]
fn every_error_is_invalid_token_with_a_nqschar_description() {
    let all = [
        ValidationError::TooLarge,
        ValidationError::Malformed,
        ValidationError::MalformedHeader,
        ValidationError::WrongType,
        ValidationError::UnsupportedAlgorithm,
        ValidationError::CriticalHeader,
        ValidationError::UnknownKey,
        ValidationError::AlgorithmMismatch,
        ValidationError::InvalidSignature,
        ValidationError::MalformedClaims,
        ValidationError::MissingClaim("jti"),
        ValidationError::WrongIssuer,
        ValidationError::WrongAudience,
        ValidationError::Expired,
        ValidationError::NotYetValid,
        ValidationError::IssuedInFuture,
        ValidationError::Revoked,
        ValidationError::RevocationUnavailable,
        ValidationError::KeysUnavailable,
    ];
    for e in all {
        assert_eq!((e.error_code(), e.status()), ("invalid_token", 401));
        let d = e.error_description();
        assert!(!d.is_empty() && !e.to_string().is_empty());
        assert!(
            d.bytes()
                .all(|b| matches!(b, 0x20 | 0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "{e:?}: {d:?}"
        );
    }
}
