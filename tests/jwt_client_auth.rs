//! JWT client authentication (RFC 7523 §2.2), black
//! box, through `Issuer::handle_token_request`. Every assertion is made by an
//! independent JWT implementation (`jsonwebtoken` with its RustCrypto backend), never
//! by this crate.

mod fixtures;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::audit::{MemoryAuditSink, Outcome};
use client_credentials::issuer::{AssertionSettings, IssuerBuilder, JWT_BEARER_ASSERTION_TYPE};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, AuthMethod, Client, ClientId, ClientSecret, CredentialId, FixedClock,
    HttpResponse, Issuer, JwtSecretCredential, Reason, RequestParts, ScopeSet, SigningKey,
    TokenRequest, UnixTime,
};
use jsonwebtoken::EncodingKey;
use serde_json::{Value, json};

use fixtures::jwt_clients::{
    CU_JWKS_URI, JWT_SECRET, Signer, TOKEN_ENDPOINT, assert_invalid_client, claims, client,
    fixture, fixture_with, keys, mcp_body, with,
};
use fixtures::{ES256_PEM, ISSUER, NOW, RESOURCE, RSA_PKCS1_PEM, der};

fn assert_invalid_request(r: &HttpResponse) {
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(r.status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request");
}

// ---------------------------------------------------------------- Q: what MCP sends

#[tokio::test]
async fn c129_c133_mcp_es256_assertion_without_client_id_gets_a_token_for_the_resource() {
    let f = fixture();
    let token = f
        .assert_accepted(&f.keys.cj_es256.sign(&claims("cj")))
        .await;
    assert_eq!(token["aud"], RESOURCE);
    assert_eq!(token["client_id"], "cj");
    assert_eq!(token["sub"], "cj");
    assert_eq!(token["scope"], "mcp:read");
    assert_eq!(token["credential_id"], "cj-1", "the kid that verified it");
    let record = f.last();
    assert_eq!(record.outcome, Outcome::Issued);
    assert_eq!(record.auth_method, Some(AuthMethod::PrivateKeyJwt));
    assert_eq!(record.credential_id.as_deref(), Some("cj-1"));
}

#[tokio::test]
async fn c133_audience_is_the_issuer_with_or_without_one_trailing_slash() {
    let f = fixture();
    for aud in [json!(ISSUER), json!(format!("{ISSUER}/")), json!([ISSUER])] {
        let c = with(claims("cj"), "aud", aud);
        f.assert_accepted(&f.keys.cj_es256.sign(&c)).await;
    }
    let c = with(claims("cj"), "aud", json!(format!("{ISSUER}//")));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionAudienceMismatch)
        .await;
}

#[tokio::test]
async fn c133_thirty_seconds_of_clock_tolerance() {
    let f = fixture();
    let now = NOW as i64;
    for (name, value) in [("exp", now - 29), ("iat", now + 29), ("nbf", now + 29)] {
        let c = with(claims("cj"), name, json!(value));
        f.assert_accepted(&f.keys.cj_es256.sign(&c)).await;
    }
    let c = with(claims("cj"), "exp", json!(now - 30));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionExpired)
        .await;
    let c = with(claims("cj"), "nbf", json!(now + 31));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionNotYetValid)
        .await;
}

#[tokio::test]
async fn c128_c133_every_supported_algorithm_authenticates() {
    let f = fixture();
    let k = &f.keys;
    let ps256 = Signer {
        alg: jsonwebtoken::Algorithm::PS256,
        kid: None,
        key: EncodingKey::from_rsa_der(&der(RSA_PKCS1_PEM)),
    };
    for (signer, client, method) in [
        (&k.cj_es256, "cj", AuthMethod::PrivateKeyJwt),
        (&k.cj_eddsa, "cj", AuthMethod::PrivateKeyJwt),
        (&k.es384, "c384", AuthMethod::PrivateKeyJwt),
        (&k.rsa, "cr", AuthMethod::PrivateKeyJwt),
        (&ps256, "cr", AuthMethod::PrivateKeyJwt),
        (&k.hs256, "cs", AuthMethod::ClientSecretJwt),
    ] {
        let token = f.assert_accepted(&signer.sign(&claims(client))).await;
        assert_eq!(token["client_id"], client);
        assert_eq!(f.last().auth_method, Some(method), "{:?}", signer.alg);
    }
}

#[tokio::test]
async fn rotation_any_registered_key_works_and_is_named_in_the_token() {
    let f = fixture();
    let token = f
        .assert_accepted(&f.keys.cj_eddsa.sign(&claims("cj")))
        .await;
    assert_eq!(token["credential_id"], "cj-2");
    // Without a kid in the header, the key that verifies is found by trying.
    let mut header = f.keys.cj_eddsa.header();
    header.kid = None;
    let token = f
        .assert_accepted(&f.keys.cj_eddsa.sign_with(header, &claims("cj")))
        .await;
    assert_eq!(token["credential_id"], "cj-2");
}

#[tokio::test]
async fn a_key_registered_without_kid_is_named_by_its_thumbprint() {
    let f = fixture();
    let mut header = f.keys.cj_es256.header();
    header.kid = None;
    let token = f
        .assert_accepted(&f.keys.cj_es256.sign_with(header, &claims("cnokid")))
        .await;
    let thumbprint = SigningKey::from_pkcs8_pem(Algorithm::ES256, ES256_PEM, None)
        .unwrap()
        .kid()
        .to_owned();
    assert_eq!(token["credential_id"], thumbprint.as_str());
}

// ---------------------------------------------------------------- F: request shape

#[tokio::test]
async fn c36_assertion_type_must_be_the_jwt_bearer_urn() {
    let f = fixture();
    let assertion = f.keys.cj_es256.sign(&claims("cj"));
    let saml = mcp_body(&assertion).replace("jwt-bearer", "saml2-bearer");
    assert_invalid_client(&f.post(&saml).await);
    assert_eq!(
        f.last().outcome,
        Outcome::Refused(Reason::AssertionTypeUnsupported)
    );
    let no_type = serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("client_assertion", assertion.as_str()),
    ])
    .unwrap();
    assert_invalid_request(&f.post(&no_type).await);
    let no_assertion = serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
    ])
    .unwrap();
    assert_invalid_request(&f.post(&no_assertion).await);
}

#[tokio::test]
async fn c37_exactly_one_jwt() {
    let f = fixture();
    let a = f.keys.cj_es256.sign(&claims("cj"));
    let b = f.keys.cj_es256.sign(&claims("cj"));
    for joined in [format!("{a} {b}"), format!("{a},{b}"), format!("{a}.{b}")] {
        f.assert_refused(&joined, Reason::MalformedAssertion).await;
    }
    let repeated = format!("{}&client_assertion={b}", mcp_body(&a));
    assert_invalid_request(&f.post(&repeated).await);
}

#[tokio::test]
async fn c38_a_client_id_parameter_must_name_the_same_client() {
    let f = fixture();
    let with_id = |assertion: &str, id: &str| format!("{}&client_id={id}", mcp_body(assertion));
    let r = f
        .post(&with_id(&f.keys.cj_es256.sign(&claims("cj")), "cj"))
        .await;
    assert_eq!(r.status, 200);
    let r = f
        .post(&with_id(&f.keys.cj_es256.sign(&claims("cj")), "c1"))
        .await;
    assert_invalid_client(&r);
    assert_eq!(f.last().outcome, Outcome::Refused(Reason::ClientIdMismatch));
}

#[tokio::test]
async fn c7_an_assertion_never_comes_with_another_method() {
    let f = fixture();
    let assertion = f.keys.cj_es256.sign(&claims("cj"));
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("c1:{JWT_SECRET}"))
    );
    let body = mcp_body(&assertion);
    let r = f
        .issuer
        .handle_token_request(RequestParts::form_post(body.as_bytes()).authorization(&basic))
        .await;
    assert_invalid_request(&r);
    let with_secret = format!("{body}&client_id=cj&client_secret=x");
    assert_invalid_request(&f.post(&with_secret).await);
}

#[tokio::test]
async fn c14_each_client_keeps_to_its_registered_methods() {
    let f = fixture();
    // A key client presenting a secret.
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("cj:anything")
    );
    let r = f
        .issuer
        .handle_token_request(
            RequestParts::form_post(b"grant_type=client_credentials").authorization(&basic),
        )
        .await;
    assert_invalid_client(&r);
    // A client_secret_jwt secret is never a client_secret_post secret.
    let post = format!("grant_type=client_credentials&client_id=cs&client_secret={JWT_SECRET}");
    assert_invalid_client(&f.post(&post).await);
    // A secret client presenting an assertion it has no key for.
    f.assert_refused(
        &f.keys.cj_es256.sign(&claims("c1")),
        Reason::AuthMethodNotAllowed,
    )
    .await;
    // A key-only client presenting an HS256 assertion.
    f.assert_refused(
        &f.keys.hs256.sign(&claims("cj")),
        Reason::AuthMethodNotAllowed,
    )
    .await;
}

#[tokio::test]
async fn c127_unknown_client_is_refused() {
    let f = fixture();
    f.assert_refused(
        &f.keys.cj_es256.sign(&claims("nobody")),
        Reason::UnknownClient,
    )
    .await;
}

// ---------------------------------------------------------------- F: claims

#[tokio::test]
async fn c40_iss_and_sub_are_the_client_id() {
    let f = fixture();
    let sign = |c: Value| f.keys.cj_es256.sign(&c);
    for c in [
        with(claims("cj"), "sub", json!("c1")),
        with(claims("cj"), "iss", json!("c1")),
        with(claims("cj"), "iss", json!("cj ")),
        with(claims("cj"), "iss", Value::Null),
        with(claims("cj"), "sub", Value::Null),
    ] {
        f.assert_refused(&sign(c), Reason::AssertionIssuerMismatch)
            .await;
    }
    // A consistent but foreign iss = sub is another client, whose keys fail.
    let c = with(with(claims("cj"), "iss", json!("cr")), "sub", json!("cr"));
    f.assert_refused(&sign(c), Reason::AssertionUnknownKey)
        .await;
}

#[tokio::test]
async fn c41_c137_audience_must_be_this_issuer_in_strict_mode() {
    let f = fixture();
    let sign = |aud: Value| f.keys.cj_es256.sign(&with(claims("cj"), "aud", aud));
    for aud in [
        json!("https://evil.example"),
        json!(TOKEN_ENDPOINT),
        json!([ISSUER, "https://other.example"]),
        json!([]),
        Value::Null,
    ] {
        f.assert_refused(&sign(aud), Reason::AssertionAudienceMismatch)
            .await;
    }
}

#[tokio::test]
async fn c41_c137_token_endpoint_audience_only_behind_the_compatibility_switch() {
    let f = fixture_with(IssuerBuilder::accept_token_endpoint_as_assertion_audience);
    let sign = |aud: Value| f.keys.cj_es256.sign(&with(claims("cj"), "aud", aud));
    for aud in [
        json!(TOKEN_ENDPOINT),
        json!(ISSUER),
        json!([ISSUER, "https://other.example"]),
        json!(["https://other.example", TOKEN_ENDPOINT]),
    ] {
        f.assert_accepted(&sign(aud)).await;
    }
    f.assert_refused(
        &sign(json!("https://evil.example")),
        Reason::AssertionAudienceMismatch,
    )
    .await;
}

#[tokio::test]
async fn c41_c137_by_default_the_token_endpoint_is_refused_as_audience() {
    // Without the switch, whatever the assertion settings, only the issuer
    // identifier is our audience.
    for f in [
        fixture(),
        fixture_with(|b| b.assertion_settings(AssertionSettings::default())),
    ] {
        let sign = |aud: Value| f.keys.cj_es256.sign(&with(claims("cj"), "aud", aud));
        for aud in [
            json!(TOKEN_ENDPOINT),
            json!([TOKEN_ENDPOINT]),
            json!([ISSUER, "https://other.example"]),
            json!(["https://other.example", TOKEN_ENDPOINT]),
        ] {
            f.assert_refused(&sign(aud), Reason::AssertionAudienceMismatch)
                .await;
        }
        f.assert_accepted(&sign(json!(ISSUER))).await;
    }
}

#[tokio::test]
async fn c42_exp_is_required_enforced_and_bounded() {
    let f = fixture();
    let sign = |c: Value| f.keys.cj_es256.sign(&c);
    let now = NOW as i64;
    f.assert_refused(
        &sign(with(claims("cj"), "exp", Value::Null)),
        Reason::AssertionMissingExpiry,
    )
    .await;
    f.assert_refused(
        &sign(with(claims("cj"), "exp", json!(now - 90))),
        Reason::AssertionExpired,
    )
    .await;
    f.assert_refused(
        &sign(with(claims("cj"), "exp", json!(now + 30 * 86_400))),
        Reason::AssertionLifetimeTooLong,
    )
    .await;
    // The documented maximum: 5 minutes (plus the leeway), configurable.
    f.assert_accepted(&sign(with(claims("cj"), "exp", json!(now + 330))))
        .await;
    f.assert_refused(
        &sign(with(claims("cj"), "exp", json!(now + 331))),
        Reason::AssertionLifetimeTooLong,
    )
    .await;
    let mut settings = AssertionSettings::default();
    settings.max_lifetime = Duration::from_secs(3600);
    let long = fixture_with(|b| b.assertion_settings(settings));
    long.assert_accepted(&sign(with(claims("cj"), "exp", json!(now + 3600))))
        .await;
}

#[tokio::test]
async fn c43_nbf_in_the_future_is_refused() {
    let f = fixture();
    let c = with(claims("cj"), "nbf", json!(NOW + 600));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionNotYetValid)
        .await;
}

#[tokio::test]
async fn c44_stale_iat_is_refused() {
    let f = fixture();
    let c = with(claims("cj"), "iat", json!(NOW - 86_400));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionStale)
        .await;
    let c = with(claims("cj"), "iat", json!(NOW + 600));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionNotYetValid)
        .await;
}

#[tokio::test]
async fn c45_one_time_use_and_jti_required() {
    let f = fixture();
    let assertion = f.keys.cj_es256.sign(&claims("cj"));
    f.assert_accepted(&assertion).await;
    f.assert_refused(&assertion, Reason::AssertionReplayed)
        .await;
    // Still refused later in its life, and with a client_id added.
    f.clock.advance(Duration::from_secs(200));
    f.assert_refused(&assertion, Reason::AssertionReplayed)
        .await;
    let r = f
        .post(&format!("{}&client_id=cj", mcp_body(&assertion)))
        .await;
    assert_invalid_client(&r);
    f.clock.set(UnixTime::from_secs(NOW));
    let c = with(claims("cj"), "jti", Value::Null);
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionMissingJti)
        .await;
    let c = with(claims("cj"), "jti", json!(""));
    f.assert_refused(&f.keys.cj_es256.sign(&c), Reason::AssertionMissingJti)
        .await;
    // The same jti from two clients are two assertions.
    let shared = with(claims("cj"), "jti", json!("same"));
    f.assert_accepted(&f.keys.cj_es256.sign(&shared)).await;
    let shared = with(claims("cr"), "jti", json!("same"));
    f.assert_accepted(&f.keys.rsa.sign(&shared)).await;
}

// ---------------------------------------------------------------- F: signature

#[tokio::test]
async fn c46_flipped_signature_byte_is_refused() {
    let f = fixture();
    let assertion = f.keys.cj_es256.sign(&claims("cj"));
    let (input, sig) = assertion.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    bytes[10] ^= 1;
    let tampered = format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes));
    f.assert_refused(&tampered, Reason::AssertionBadSignature)
        .await;
    // So is a payload changed under a valid signature.
    let (header, rest) = assertion.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let other = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&with(claims("cj"), "aud", json!(ISSUER))).unwrap());
    f.assert_refused(
        &format!("{header}.{other}.{sig}"),
        Reason::AssertionBadSignature,
    )
    .await;
}

#[tokio::test]
async fn c46_alg_none_is_refused() {
    let f = fixture();
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("cj")).unwrap());
    for alg in ["none", "None", "NONE"] {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
        f.assert_refused(&format!("{header}.{payload}."), Reason::AssertionUnsigned)
            .await;
        let sig = URL_SAFE_NO_PAD.encode(b"x");
        f.assert_refused(
            &format!("{header}.{payload}.{sig}"),
            Reason::AssertionUnsigned,
        )
        .await;
    }
}

#[tokio::test]
async fn c46_algorithm_confusion_hs256_keyed_with_the_public_key_is_refused() {
    let f = fixture();
    let jwk = &f.keys.cj_es256_jwk;
    let point = match &jwk.algorithm {
        jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(ec) => [
            vec![4u8],
            URL_SAFE_NO_PAD.decode(&ec.x).unwrap(),
            URL_SAFE_NO_PAD.decode(&ec.y).unwrap(),
        ]
        .concat(),
        _ => unreachable!(),
    };
    for public_bytes in [point, serde_json::to_vec(jwk).unwrap()] {
        let forger = Signer {
            alg: jsonwebtoken::Algorithm::HS256,
            kid: Some("cj-1".into()),
            key: EncodingKey::from_secret(&public_bytes),
        };
        // A client holding only public keys: HS256 is not its method at all.
        f.assert_refused(&forger.sign(&claims("cj")), Reason::AuthMethodNotAllowed)
            .await;
        // A client holding both: HS256 is checked against its secrets only.
        let mut header = forger.header();
        header.kid = None;
        f.assert_refused(
            &forger.sign_with(header, &claims("cboth")),
            Reason::AssertionBadSignature,
        )
        .await;
        f.assert_refused(&forger.sign(&claims("cboth")), Reason::AssertionUnknownKey)
            .await;
    }
}

#[tokio::test]
async fn c46_c83_algorithms_outside_the_accepted_or_pinned_lists_are_refused() {
    let f = fixture();
    // cpin pinned ES256: its EdDSA key exists but the algorithm is not allowed.
    f.assert_refused(
        &f.keys.cj_eddsa.sign(&claims("cpin")),
        Reason::AssertionAlgorithmNotAllowed,
    )
    .await;
    f.assert_accepted(&f.keys.cj_es256.sign(&claims("cpin")))
        .await;
    // A server that accepts ES256 only lists and accepts only ES256.
    let mut settings = AssertionSettings::default();
    settings.algorithms = vec![Algorithm::ES256];
    let strict = fixture_with(|b| {
        b.assertion_settings(settings)
            .auth_methods([AuthMethod::PrivateKeyJwt])
    });
    let metadata: Value = serde_json::from_str(strict.issuer.metadata_json()).unwrap();
    assert_eq!(
        metadata["token_endpoint_auth_signing_alg_values_supported"],
        json!(["ES256"])
    );
    strict
        .assert_refused(
            &strict.keys.rsa.sign(&claims("cr")),
            Reason::AssertionAlgorithmNotAllowed,
        )
        .await;
    // HS256 with client_secret_jwt not enabled on the server.
    strict
        .assert_refused(
            &strict.keys.hs256.sign(&claims("cs")),
            Reason::UnsupportedAuthScheme,
        )
        .await;
    // A name no one supports.
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES512"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims("cj")).unwrap());
    f.assert_refused(
        &format!("{header}.{payload}.AAAA"),
        Reason::AssertionAlgorithmNotAllowed,
    )
    .await;
}

#[tokio::test]
async fn keys_named_by_the_assertion_itself_are_never_trusted() {
    let f = fixture();
    // Signed by the attacker's key, which the header carries as `jwk` with
    // the victim's kid, and points at through `jku` and `x5u`.
    let mut header = f.keys.attacker.header();
    header.jwk = Some(f.keys.attacker_jwk.clone());
    header.jku = Some("https://evil.example/jwks.json".into());
    header.x5u = Some("https://evil.example/cert.pem".into());
    f.assert_refused(
        &f.keys.attacker.sign_with(header, &claims("cj")),
        Reason::AssertionBadSignature,
    )
    .await;
}

#[tokio::test]
async fn unknown_kid_is_refused() {
    let f = fixture();
    let mut header = f.keys.cj_es256.header();
    header.kid = Some("cj-9".into());
    f.assert_refused(
        &f.keys.cj_es256.sign_with(header, &claims("cj")),
        Reason::AssertionUnknownKey,
    )
    .await;
}

#[tokio::test]
async fn crit_headers_are_refused() {
    let f = fixture();
    let mut header = f.keys.cj_es256.header();
    header.crit = Some(vec!["exp".into()]);
    f.assert_refused(
        &f.keys.cj_es256.sign_with(header, &claims("cj")),
        Reason::AssertionCriticalHeader,
    )
    .await;
}

#[tokio::test]
async fn c47_malformed_assertions_are_refused() {
    let f = fixture();
    let good = f.keys.cj_es256.sign(&claims("cj"));
    let (header, rest) = good.split_once('.').unwrap();
    for bad in [
        "not-a-jwt".to_owned(),
        format!("{header}.e30"),
        format!("{header}.!!!.{rest}"),
        format!("{header}.{}.sig", URL_SAFE_NO_PAD.encode("not json")),
        format!("{good}=="),
        good.replace('-', "+"),
    ] {
        if bad == good {
            continue;
        }
        let r = f.post(&mcp_body(&bad)).await;
        assert_invalid_client(&r);
        assert!(
            matches!(
                f.last().outcome,
                Outcome::Refused(Reason::MalformedAssertion | Reason::AssertionBadSignature)
            ),
            "{bad}: {:?}",
            f.last()
        );
    }
}

// ---------------------------------------------------------------- F: explicit typing

#[tokio::test]
async fn c50_client_authentication_typ_or_none_accepted_at_jwt_refused() {
    let f = fixture();
    for typ in [
        Some("client-authentication+jwt"),
        Some("application/client-authentication+jwt"),
        Some("Client-Authentication+JWT"),
        Some("JWT"),
        None,
    ] {
        let mut header = f.keys.cj_es256.header();
        header.typ = typ.map(str::to_owned);
        f.assert_accepted(&f.keys.cj_es256.sign_with(header, &claims("cj")))
            .await;
    }
    for typ in ["at+jwt", "application/at+jwt", "dpop+jwt", "secevent+jwt"] {
        let mut header = f.keys.cj_es256.header();
        header.typ = Some(typ.into());
        f.assert_refused(
            &f.keys.cj_es256.sign_with(header, &claims("cj")),
            Reason::AssertionTypeHeaderRefused,
        )
        .await;
    }
}

// ---------------------------------------------------------------- client_secret_jwt

#[tokio::test]
async fn client_secret_jwt_is_keyed_with_the_registered_secret_only() {
    let f = fixture();
    let token = f.assert_accepted(&f.keys.hs256.sign(&claims("cs"))).await;
    assert_eq!(token["credential_id"], "jwt-1");
    assert_eq!(f.last().auth_method, Some(AuthMethod::ClientSecretJwt));
    let wrong = Signer {
        alg: jsonwebtoken::Algorithm::HS256,
        kid: None,
        key: EncodingKey::from_secret(b"another-secret-of-thirty-two-bytes-or-more"),
    };
    f.assert_refused(&wrong.sign(&claims("cs")), Reason::AssertionBadSignature)
        .await;
    // Expired JWT secrets stop working.
    let expiring = Client::builder(ClientId::new("cx").unwrap())
        .jwt_secret(
            JwtSecretCredential::new(
                CredentialId::new("jwt-old").unwrap(),
                &ClientSecret::new(JWT_SECRET),
            )
            .unwrap()
            .expires_at(UnixTime::from_secs(NOW)),
        )
        .default_audience(Audience::new(RESOURCE).unwrap())
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .build()
        .unwrap();
    f.issuer.store().insert(expiring);
    f.assert_refused(
        &f.keys.hs256.sign(&claims("cx")),
        Reason::AssertionUnknownKey,
    )
    .await;
}

// ---------------------------------------------------------------- jwks_uri

#[tokio::test]
async fn jwks_uri_keys_are_fetched_cached_and_refreshed_on_rotation_at_a_bounded_rate() {
    let f = fixture();
    f.fetcher
        .set
        .lock()
        .unwrap()
        .keys
        .push(f.keys.cj_es256_jwk.clone());
    let fetches = || f.fetcher.fetches.load(Ordering::SeqCst);
    let token = f
        .assert_accepted(&f.keys.cj_es256.sign(&claims("cu")))
        .await;
    assert_eq!(token["credential_id"], "cj-1");
    f.assert_accepted(&f.keys.cj_es256.sign(&claims("cu")))
        .await;
    assert_eq!(fetches(), 1, "served from the cache");
    // The client publishes a new key and signs with it at once: the unknown
    // kid triggers one refresh, however recent the last fetch.
    f.fetcher
        .set
        .lock()
        .unwrap()
        .keys
        .push(f.keys.cj_eddsa_jwk.clone());
    f.clock.advance(Duration::from_secs(10));
    let fresh = |at: u64| {
        let c = with(claims("cu"), "iat", json!(at));
        with(c, "exp", json!(NOW + 300))
    };
    let token = f
        .assert_accepted(&f.keys.cj_eddsa.sign(&fresh(NOW + 10)))
        .await;
    assert_eq!(token["credential_id"], "cj-2");
    assert_eq!(fetches(), 2);
    // Assertions naming made-up kids cannot force a fetch per request: within
    // the 5-second kid-miss interval, none at all.
    for i in 0..20 {
        let mut header = f.keys.cj_es256.header();
        header.kid = Some(format!("bogus-{i}"));
        f.assert_refused(
            &f.keys.cj_es256.sign_with(header, &fresh(NOW + 10)),
            Reason::AssertionUnknownKey,
        )
        .await;
    }
    assert_eq!(fetches(), 2);
}

#[tokio::test]
async fn jwks_uri_without_a_fetcher_cannot_authenticate() {
    let keys = keys();
    let store = MemoryClientStore::from_iter([client("cu").jwks_uri(CU_JWKS_URI).build().unwrap()]);
    let audit = Arc::new(MemoryAuditSink::new());
    let issuer = Issuer::builder(
        ISSUER,
        client_credentials::KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        store,
    )
    .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
    .audit(audit.clone())
    .build()
    .unwrap();
    let body = mcp_body(&keys.cj_es256.sign(&claims("cu")));
    let r = issuer
        .handle_token_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_invalid_client(&r);
    assert_eq!(
        audit.records().pop().unwrap().outcome,
        Outcome::Refused(Reason::ClientJwksUnavailable)
    );
}

// ---------------------------------------------------------------- metadata

#[tokio::test]
async fn c16_c81_c82_c83_metadata_lists_jwt_methods_and_their_algorithms() {
    let f = fixture();
    let m: Value = serde_json::from_str(f.issuer.metadata_json()).unwrap();
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "client_secret_jwt"
        ])
    );
    assert_eq!(
        m["token_endpoint_auth_signing_alg_values_supported"],
        json!(["ES256", "ES384", "EdDSA", "RS256", "PS256", "HS256"])
    );
    // The defaults advertise private_key_jwt (C16) and no HS256.
    let default = fixture_with(|b| {
        b.auth_methods([
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt,
        ])
    });
    let m: Value = serde_json::from_str(default.issuer.metadata_json()).unwrap();
    let algs = m["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(!algs.contains(&json!("HS256")) && !algs.contains(&json!("none")));
    // Without a JWT method, no algorithm list.
    let secrets_only = fixture_with(|b| b.auth_methods([AuthMethod::ClientSecretBasic]));
    let m: Value = serde_json::from_str(secrets_only.issuer.metadata_json()).unwrap();
    assert!(
        m.get("token_endpoint_auth_signing_alg_values_supported")
            .is_none()
    );
    // C81: what is not listed is not accepted.
    secrets_only
        .assert_refused(
            &secrets_only.keys.cj_es256.sign(&claims("cj")),
            Reason::UnsupportedAuthScheme,
        )
        .await;
    // A JWT method with no algorithm to advertise is a configuration error.
    let mut none = AssertionSettings::default();
    none.algorithms = vec![Algorithm::HS256];
    let built = Issuer::builder(
        ISSUER,
        client_credentials::KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0),
        MemoryClientStore::new(),
    )
    .auth_methods([AuthMethod::PrivateKeyJwt])
    .assertion_settings(none)
    .build();
    assert!(built.is_err());
}

// ---------------------------------------------------------------- redaction

#[tokio::test]
async fn assertions_never_appear_in_debug_audit_or_errors() {
    let f = fixture();
    let assertion = f.keys.cj_es256.sign(&claims("cj"));
    let body = mcp_body(&assertion);
    let parts = RequestParts::form_post(body.as_bytes());
    let signature = assertion.rsplit('.').next().unwrap();
    let payload = assertion.split('.').nth(1).unwrap();
    let request = TokenRequest::parse(&parts, 16 * 1024).unwrap();
    let texts = [
        format!("{parts:?}"),
        format!("{request:?}"),
        format!("{:?}", request.auth()),
    ];
    f.post(&body).await;
    let replay = f.post(&body).await; // refused: an error response
    let mut all = texts.to_vec();
    all.push(String::from_utf8(replay.body.clone()).unwrap());
    all.push(format!("{replay:?}"));
    for record in f.audit.records() {
        all.push(format!("{record:?}"));
    }
    all.push(format!(
        "{:?} {}",
        Reason::AssertionReplayed,
        client_credentials::TokenError::new(Reason::AssertionReplayed)
    ));
    for text in &all {
        assert!(!text.contains(signature), "{text}");
        assert!(!text.contains(payload), "{text}");
        assert!(!text.contains(&assertion[..30]), "{text}");
    }
    assert!(all[2].contains("redacted"));
}
