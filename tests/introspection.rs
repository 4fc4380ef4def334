//! Introspection, black-box: the RFC 7662 endpoint (C93–C96) and its
//! advertisement in the RFC 8414 metadata (C85).

mod fixtures;

use std::time::Duration;

use client_credentials::audit::Outcome;
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Client, ClientId, ClientSecret, CredentialId, Issuer, KeySet, Reason, RequestParts,
    SecretCredential, SecretHash, SigningKey,
};
use fixtures::{DEFAULT_LIFETIME, ISSUER, ResourceFixture, decode_part, json};

#[tokio::test]
async fn c93_introspection_requires_client_authentication() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    let body = format!("token={token}");
    let anonymous = f
        .issuer
        .handle_introspection_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(json(&anonymous)["error"], "invalid_client");
    assert!(!String::from_utf8_lossy(&anonymous.body).contains("active"));
    let wrong = f
        .issuer
        .handle_introspection_request(
            RequestParts::form_post(body.as_bytes()).authorization("Basic cnMxOndyb25n"),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(f.introspect("rs1", "s1", &body).await.status, 200);
}

#[tokio::test]
async fn c94_a_post_form_with_a_token() {
    let f = ResourceFixture::new();
    let r = f
        .issuer
        .handle_introspection_request(RequestParts::new("GET", b"").query("token=abc"))
        .await;
    assert_eq!(r.status, 405);
    let r = f
        .introspect("rs1", "s1", "token_type_hint=access_token")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(json(&r)["error"], "invalid_request");
}

#[tokio::test]
async fn c95_an_active_token_gets_its_claims_and_bearer() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "&scope=mcp:read%20mcp:write").await;
    let r = f.introspect("rs1", "s1", &format!("token={token}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = json(&r);
    assert_eq!(body["active"], true);
    assert_eq!(body["token_type"], "Bearer");
    let claims = decode_part(&token, 1);
    for (name, value) in claims.as_object().unwrap() {
        assert_eq!(&body[name], value, "{name}");
    }
    for name in [
        "scope",
        "client_id",
        "sub",
        "aud",
        "iss",
        "exp",
        "iat",
        "jti",
    ] {
        assert!(body.get(name).is_some(), "{name}");
    }
    assert_eq!(body["scope"], "mcp:read mcp:write");
    assert_eq!(body["iss"], ISSUER);
    assert_eq!(
        body.as_object().unwrap().len(),
        claims.as_object().unwrap().len() + 2
    );
    // The hint changes nothing, whatever it says.
    let hinted = f
        .introspect(
            "rs1",
            "s1",
            &format!("token={token}&token_type_hint=refresh_token"),
        )
        .await;
    assert_eq!(json(&hinted), body);
}

#[tokio::test]
async fn c93_only_clients_marked_for_introspection_may_introspect() {
    let f = ResourceFixture::new();
    let token = f.token("c1", "s1", "").await;
    // Authenticated, but not marked: 403, and nothing about the token,
    // not even for the client it was issued to.
    for (client, credential) in [("c1", "s1"), ("c2", "s1")] {
        for body in [format!("token={token}"), "token=garbage".to_owned()] {
            let r = f.introspect(client, credential, &body).await;
            assert_eq!(r.status, 403, "{client}");
            assert_eq!(r.header("cache-control"), Some("no-store"));
            let body = json(&r);
            assert_eq!(body["error"], "unauthorized_client", "{client}");
            assert!(body.get("active").is_none(), "{client}");
            assert!(!String::from_utf8_lossy(&r.body).contains("c1\""));
        }
    }
    let records = f.audit.records();
    let refusal = records.last().unwrap();
    assert_eq!(
        refusal.outcome,
        Outcome::Refused(Reason::IntrospectionNotAllowed)
    );
    assert_eq!(refusal.client_id.as_deref(), Some("c2"));
    assert_eq!(refusal.credential_id.as_deref(), Some("s1"));
    // Marked: the answer.
    let r = f.introspect("rs1", "s1", &format!("token={token}")).await;
    assert_eq!(json(&r)["active"], true);
    // A new registration may not introspect until marked.
    let plain = Client::builder(ClientId::new("new").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&ClientSecret::generate()).unwrap(),
        ))
        .build()
        .unwrap();
    assert!(!plain.may_introspect());
}

async fn assert_inactive(f: &ResourceFixture, token: &str) {
    let r = f.introspect("rs1", "s1", &format!("token={token}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, br#"{"active":false}"#, "{token}");
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn c96_inactive_tokens_get_exactly_active_false() {
    let f = ResourceFixture::new();
    // Unknown, malformed, foreign.
    for junk in ["garbage", "a.b.c", "%20", "eyJhbGciOiJub25lIn0.e30."] {
        assert_inactive(&f, junk).await;
    }
    let foreign = ResourceFixture::new().token("c1", "s1", "").await;
    assert_inactive(&f, &foreign).await;
    let other_issuer = ResourceFixture::with_keys(
        "https://other-as.example.com",
        KeySet::new(
            SigningKey::from_pkcs8_pem(Algorithm::ES256, f.pem.expose_secret(), None).unwrap(),
        ),
        SigningKey::generate(Algorithm::ES256).unwrap().1,
    )
    .token("c1", "s1", "")
    .await;
    assert_inactive(&f, &other_issuer).await;
    // Not an access token.
    let mut header = f.header();
    header.typ = Some("JWT".into());
    assert_inactive(&f, &f.craft(&header, &f.claims())).await;
    // Revoked.
    let revoked = f.token("c1", "s1", "").await;
    f.revoke("c1", "s1", &format!("token={revoked}")).await;
    assert_inactive(&f, &revoked).await;
    // Expired: the issuer judges by its own clock, without leeway.
    let token = f.token("c1", "s1", "").await;
    f.clock.advance(Duration::from_secs(DEFAULT_LIFETIME - 1));
    assert_eq!(
        json(&f.introspect("rs1", "s1", &format!("token={token}")).await)["active"],
        true
    );
    f.clock.advance(Duration::from_secs(1));
    assert_inactive(&f, &token).await;
}

#[tokio::test]
async fn c85_both_endpoints_are_advertised_with_their_auth_methods() {
    let f = ResourceFixture::new();
    let m: serde_json::Value = serde_json::from_str(f.issuer.metadata_json()).unwrap();
    assert_eq!(m["revocation_endpoint"], "https://as.example.com/revoke");
    assert_eq!(
        m["introspection_endpoint"],
        "https://as.example.com/introspect"
    );
    assert_eq!(
        f.issuer.revocation_endpoint(),
        "https://as.example.com/revoke"
    );
    assert_eq!(
        f.issuer.introspection_endpoint(),
        "https://as.example.com/introspect"
    );
    for member in [
        "token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        assert_eq!(
            m[member],
            serde_json::json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt"
            ]),
            "{member}"
        );
    }
    for member in [
        "revocation_endpoint_auth_signing_alg_values_supported",
        "introspection_endpoint_auth_signing_alg_values_supported",
    ] {
        assert_eq!(
            m[member], m["token_endpoint_auth_signing_alg_values_supported"],
            "{member}"
        );
    }

    let keys = || KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
    let custom = Issuer::builder(
        "https://as.example.com/t1",
        keys(),
        MemoryClientStore::new(),
    )
    .revocation_endpoint("https://as.example.com/oauth/revoke")
    .introspection_endpoint("https://as.example.com/oauth/introspect")
    .build()
    .unwrap();
    let m: serde_json::Value = serde_json::from_str(custom.metadata_json()).unwrap();
    assert_eq!(
        m["revocation_endpoint"],
        "https://as.example.com/oauth/revoke"
    );
    assert_eq!(
        m["introspection_endpoint"],
        "https://as.example.com/oauth/introspect"
    );
    let default = Issuer::builder(
        "https://as.example.com/t1/",
        keys(),
        MemoryClientStore::new(),
    )
    .build()
    .unwrap();
    assert_eq!(
        default.revocation_endpoint(),
        "https://as.example.com/t1/revoke"
    );
    for bad in [
        "http://as.example.com/revoke",
        "https://as.example.com/revoke#x",
    ] {
        let r = Issuer::builder(ISSUER, keys(), MemoryClientStore::new())
            .introspection_endpoint(bad)
            .build();
        assert!(r.is_err(), "{bad}");
        let r = Issuer::builder(ISSUER, keys(), MemoryClientStore::new())
            .revocation_endpoint(bad)
            .build();
        assert!(r.is_err(), "{bad}");
    }
}
