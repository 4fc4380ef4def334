//! No secret, private key, token or `Authorization` header value appears in the
//! `Debug` (`{:?}` and `{:#?}`) or `Display` output of any type that may hold or
//! see one, reached through the public API only.

mod fixtures;

use std::fmt::{Debug, Display};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use client_credentials::audit::AuditEvent;
use client_credentials::issuer::DEFAULT_MAX_BODY_BYTES;
use client_credentials::{
    Algorithm, AuditSink, ClientSecret, KeySet, RequestParts, SecretHash, SigningKey, TokenRequest,
    UnixTime,
};
use fixtures::*;

/// Fails if any rendering of `value` contains one of `forbidden`.
#[track_caller]
fn assert_debug_redacted(value: &impl Debug, forbidden: &[&str]) {
    for rendered in [format!("{value:?}"), format!("{value:#?}")] {
        assert_absent(&rendered, forbidden);
    }
}

#[track_caller]
fn assert_display_redacted(value: &impl Display, forbidden: &[&str]) {
    assert_absent(&value.to_string(), forbidden);
}

#[track_caller]
fn assert_absent(rendered: &str, forbidden: &[&str]) {
    for f in forbidden {
        assert!(!f.is_empty());
        assert!(!rendered.contains(f), "{f:?} leaked into {rendered}");
    }
}

/// The C1 secret, its Authorization header, and the header's base64 part.
fn c1_secrets() -> Vec<String> {
    let header = basic(C1, C1_SECRET);
    let credentials = header.strip_prefix("Basic ").unwrap().to_owned();
    vec![C1_SECRET.to_owned(), header, credentials]
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn client_secret_is_redacted() {
    let secret = ClientSecret::new(C1_SECRET);
    assert_debug_redacted(&secret, &[C1_SECRET]);
    assert!(format!("{secret:?}").contains("redacted"));
    let generated = ClientSecret::generate();
    assert_debug_redacted(&generated, &[generated.expose_secret()]);
}

/// `$scheme$…$salt$digest` → the salt and the digest.
fn hash_material(hash: &SecretHash) -> Vec<String> {
    let text = hash.to_string();
    let fields: Vec<&str> = text.split('$').collect();
    let material: Vec<String> = fields[fields.len() - 2..]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(material.iter().all(|m| m.len() >= 22), "{text}");
    material
}

#[test]
fn secret_hash_debug_shows_neither_salt_nor_digest() {
    let generated = ClientSecret::generate();
    for hash in [
        SecretHash::fast(&generated).unwrap(),
        pbkdf2(C1_SECRET),
        SecretHash::pbkdf2(&ClientSecret::new(C1_SECRET), 1000.try_into().unwrap()),
    ] {
        let mut forbidden = hash_material(&hash);
        forbidden.push(hash.to_string());
        forbidden.push(C1_SECRET.to_owned());
        forbidden.push(generated.expose_secret().to_owned());
        assert_debug_redacted(&hash, &refs(&forbidden));
    }
}

#[test]
fn config_errors_never_hold_the_secret() {
    let short = ClientSecret::new("sh0rt-s3cr3t");
    let error = SecretHash::fast(&short).unwrap_err();
    assert_debug_redacted(&error, &["sh0rt-s3cr3t"]);
    assert_display_redacted(&error, &["sh0rt-s3cr3t"]);
}

/// Every base64 line of a PEM body: any of them in an output would leak the key.
fn pem_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn signing_keys_and_key_sets_are_redacted() {
    let pems = [
        (Algorithm::ES256, ES256_PEM),
        (Algorithm::EdDSA, EDDSA_PEM),
        (Algorithm::RS256, RSA_PEM),
        (Algorithm::PS256, RSA_PKCS1_PEM),
    ];
    for (alg, pem) in pems {
        let key = SigningKey::from_pkcs8_pem(alg, pem, None).unwrap();
        let mut forbidden = pem_lines(pem);
        forbidden.push("PRIVATE".to_owned());
        assert_debug_redacted(&key, &refs(&forbidden));
        assert_debug_redacted(&KeySet::new(key), &refs(&forbidden));
    }

    let secret_b64u = HS256_SECRET_B64U.trim();
    let secret = URL_SAFE_NO_PAD.decode(secret_b64u).unwrap();
    let key = SigningKey::hs256(&secret, None).unwrap();
    let standard = STANDARD.encode(&secret);
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let bytes = format!("{:?}", &secret[..8]);
    let bytes = bytes.trim_matches(['[', ']']);
    let forbidden = [secret_b64u, &standard, &hex, bytes];
    assert_debug_redacted(&key, &forbidden);
    assert!(!key.kid().contains(secret_b64u));
}

#[test]
fn generated_private_keys_are_redacted() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let (key, pem) = SigningKey::generate(alg).unwrap();
        let forbidden = pem_lines(pem.expose_secret());
        assert!(!forbidden.is_empty());
        assert_debug_redacted(&pem, &refs(&forbidden));
        assert_debug_redacted(&key, &refs(&forbidden));
        assert!(format!("{pem:?}").contains("redacted"));
    }
}

#[test]
fn request_parts_hide_authorization_query_and_body() {
    let header = basic(C1, C1_SECRET);
    let body = format!("{C1_POST}&scope=mcp:read");
    let parts = RequestParts::form_post(body.as_bytes())
        .authorization(&header)
        .query("client_secret=q-s3cr3t-in-uri");
    let mut forbidden = c1_secrets();
    forbidden.push("q-s3cr3t-in-uri".into());
    forbidden.push("client_secret".into());
    assert_debug_redacted(&parts, &refs(&forbidden));
}

#[test]
fn client_auth_and_token_request_hide_secrets() {
    let header = basic(C1, C1_SECRET);
    let basic_parts = RequestParts::form_post(GRANT.as_bytes()).authorization(&header);
    let post_parts = RequestParts::form_post(C1_POST.as_bytes());
    // A secret that changes under form-decoding: neither spelling may show.
    let svc_body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", SVC),
        ("client_secret", SVC_SECRET),
    ]);
    let svc_parts = RequestParts::form_post(svc_body.as_bytes());
    let mut forbidden = c1_secrets();
    forbidden.extend([SVC_SECRET.to_owned(), form_urlencode(SVC_SECRET)]);
    for parts in [basic_parts, post_parts, svc_parts] {
        let request = TokenRequest::parse(&parts, DEFAULT_MAX_BODY_BYTES).unwrap();
        assert_debug_redacted(request.auth(), &refs(&forbidden));
        assert_debug_redacted(&request, &refs(&forbidden));
        assert!(request.auth().client_id().is_some());
    }
}

#[tokio::test]
async fn authenticated_client_token_response_and_issuer_are_redacted() {
    let fx = Fixture::new();
    let header = basic(C1, C1_SECRET);
    let parts = RequestParts::form_post(GRANT.as_bytes()).authorization(&header);
    let request = TokenRequest::parse(&parts, DEFAULT_MAX_BODY_BYTES).unwrap();
    let now = UnixTime::from_secs(NOW);
    let client = fx.issuer.authenticate(&request, now).await.unwrap();
    let mut forbidden = c1_secrets();
    forbidden.extend(hash_material(&client.client().secrets()[0].hash().clone()));
    assert_debug_redacted(&client, &refs(&forbidden));
    assert_debug_redacted(client.client(), &refs(&forbidden));

    let response = fx.issuer.issue(&client, &request, now).unwrap();
    let token = response.access_token().to_owned();
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let payload = token.split('.').nth(1).unwrap().to_owned();
    forbidden.extend([token, signature, payload]);
    assert_debug_redacted(&response, &refs(&forbidden));

    let fast_hash = fx.issuer.store().get(FAST).unwrap().secrets()[0]
        .hash()
        .clone();
    forbidden.extend(hash_material(&fast_hash));
    forbidden.push(fx.fast_secret.expose_secret().to_owned());
    forbidden.extend(pem_lines(ES256_PEM));
    assert_debug_redacted(&fx.issuer, &refs(&forbidden));
    assert_debug_redacted(fx.issuer.store(), &refs(&forbidden));
    assert_debug_redacted(&fx.issuer.keys(), &refs(&forbidden));
}

#[tokio::test]
async fn token_errors_and_error_responses_hold_no_secret() {
    let fx = Fixture::new();
    let wrong = basic(C1, "wr0ng-s3cr3t");
    let parts = RequestParts::form_post(GRANT.as_bytes()).authorization(&wrong);
    let request = TokenRequest::parse(&parts, DEFAULT_MAX_BODY_BYTES).unwrap();
    let error = fx
        .issuer
        .authenticate(&request, UnixTime::from_secs(NOW))
        .await
        .unwrap_err();
    let credentials = wrong.strip_prefix("Basic ").unwrap();
    let forbidden = ["wr0ng-s3cr3t", credentials, &wrong];
    assert_debug_redacted(&error, &forbidden);
    assert_display_redacted(&error, &forbidden);
    let http = error.to_http();
    assert_debug_redacted(&http, &forbidden);

    // Secrets in every place a request can carry them, refused at each step.
    let body = "grant_type=client_credentials&client_id=c1&client_secret=b0dy-s3cr3t&scope=admin";
    for r in [
        fx.post_auth(&wrong, GRANT).await,
        fx.post(body).await,
        fx.post_auth(
            &wrong,
            "grant_type=client_credentials&client_secret=b0dy-s3cr3t",
        )
        .await,
        fx.send(
            RequestParts::form_post(GRANT.as_bytes())
                .authorization(&wrong)
                .query("client_secret=b0dy-s3cr3t"),
        )
        .await,
    ] {
        assert!(r.status >= 400);
        assert_debug_redacted(&r, &["wr0ng-s3cr3t", credentials, "b0dy-s3cr3t"]);
    }
}

/// An audit sink that renders every event as soon as it sees it.
#[derive(Debug, Default)]
struct RenderingSink(Mutex<Vec<String>>);

impl AuditSink for RenderingSink {
    fn record(&self, event: &AuditEvent<'_>) {
        let mut seen = self.0.lock().unwrap();
        seen.push(format!("{event:?}"));
        seen.push(format!("{event:#?}"));
    }
}

#[tokio::test]
async fn audit_events_and_records_hold_no_secret_token_or_header() {
    let rendering = Arc::new(RenderingSink::default());
    let fx = Fixture::new();
    let fx_rendering = Fixture::with(|b| b.audit(rendering.clone()));

    let header = basic(C1, C1_SECRET);
    let wrong = basic(C1, "wr0ng-s3cr3t");
    let mut tokens = Vec::new();
    let mut forbidden = c1_secrets();
    forbidden.extend([
        "wr0ng-s3cr3t".to_owned(),
        wrong.clone(),
        wrong.strip_prefix("Basic ").unwrap().to_owned(),
        "b0dy-s3cr3t".to_owned(),
    ]);
    for fx in [&fx, &fx_rendering] {
        // Successes by both methods, and failures at every step.
        tokens.push(assert_token(&fx.post_auth(&header, GRANT).await).token);
        tokens.push(assert_token(&fx.post(C1_POST).await).token);
        fx.post_auth(&wrong, GRANT).await;
        fx.post("grant_type=client_credentials&client_id=c1&client_secret=b0dy-s3cr3t")
            .await;
        fx.post_auth(
            &header,
            "grant_type=client_credentials&client_secret=b0dy-s3cr3t",
        )
        .await;
        fx.post_auth(&header, "grant_type=client_credentials&scope=admin")
            .await;
        fx.post_auth(&header, "grant_type=password").await;
        fx.post_auth(&basic("nobody", "wr0ng-s3cr3t"), GRANT).await;
    }
    for token in &tokens {
        forbidden.push(token.clone());
        forbidden.push(token.rsplit('.').next().unwrap().to_owned());
    }
    let forbidden = refs(&forbidden);

    let records = fx.audit.records();
    assert_eq!(records.len(), 8, "one record per request");
    for record in &records {
        assert_debug_redacted(record, &forbidden);
    }
    assert_debug_redacted(&*fx.audit, &forbidden);
    let rendered = rendering.0.lock().unwrap();
    assert_eq!(rendered.len(), 16, "one event per request, rendered twice");
    for r in rendered.iter() {
        assert_absent(r, &forbidden);
    }
}

#[tokio::test]
async fn http_responses_show_status_headers_and_body_length_only() {
    let fx = Fixture::new();
    let header = basic(C1, C1_SECRET);
    let response = fx
        .issuer
        .handle_token_request(RequestParts::form_post(GRANT.as_bytes()).authorization(&header))
        .await;
    assert_eq!(response.status, 200);
    let body = String::from_utf8(response.body.clone()).unwrap();
    let token = body.split('"').nth(3).unwrap().to_owned();
    // The body in any rendering: as text, and as the decimal bytes a derived
    // `Debug` of a `Vec<u8>` prints.
    let decimal = response.body[..24]
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    assert_debug_redacted(&response, &[&token, &body, &decimal]);
    let rendered = format!("{response:?}");
    assert!(
        rendered.contains("200") && rendered.contains("no-store"),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!("body_len: {}", response.body.len())),
        "{rendered}"
    );
}

#[tokio::test]
async fn every_other_holder_of_a_secret_token_or_key_is_redacted() {
    use client_credentials::issuer::{ClientAssertion, RevokeOrIntrospectRequest};
    use client_credentials::{
        Audience, Client, ClientId, CredentialId, JwtSecretCredential, ScopeSet, Validator,
        VerificationKeys,
    };

    let fx = Fixture::new();
    let header = basic(FAST, fx.fast_secret.expose_secret());
    let r = fx
        .issuer
        .handle_token_request(RequestParts::form_post(GRANT.as_bytes()).authorization(&header))
        .await;
    let body = String::from_utf8(r.body.clone()).unwrap();
    let token = body.split('"').nth(3).unwrap().to_owned();
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let pem = pem_lines(include_str!("vectors/es256.pkcs8.pem"));

    // The issuer's checked configuration holds its signing keys.
    assert_debug_redacted(fx.issuer.config(), &refs(&pem));

    // A revocation or introspection request holds a token and credentials.
    let revoke_body = format!("token={token}");
    let parts = RequestParts::form_post(revoke_body.as_bytes()).authorization(&header);
    let request = RevokeOrIntrospectRequest::parse(&parts, 16 * 1024).unwrap();
    let secret = fx.fast_secret.expose_secret();
    assert_debug_redacted(&request, &[&token, &signature, secret, &header]);

    // A client assertion is a bearer credential until its first use.
    let assertion = ClientAssertion::parse(token.clone()).unwrap();
    assert_debug_redacted(&assertion, &[&token, &signature]);

    // Shared HS256 secrets: a client's `client_secret_jwt` key, and a
    // validator's key.
    let jwt_secret = ClientSecret::generate();
    let credential =
        JwtSecretCredential::new(CredentialId::new("j1").unwrap(), &jwt_secret).unwrap();
    let shared = jwt_secret.expose_secret().to_owned();
    assert_debug_redacted(&credential, &[&shared]);
    let client = Client::builder(ClientId::new("hs").unwrap())
        .jwt_secret(credential)
        .allowed_scopes(ScopeSet::from_strs(["a"]).unwrap())
        .build()
        .unwrap();
    assert_debug_redacted(&client, &[&shared]);
    assert_debug_redacted(&client.jwt_secret_keys()[0], &[&shared]);
    let hs_key = b"a-shared-hs256-secret-of-32-bytes!!";
    let keys = VerificationKeys::from_key_set(fx.issuer.keys())
        .with_hs256(hs_key, Some("hs".into()))
        .unwrap();
    let hs_text = String::from_utf8_lossy(hs_key).into_owned();
    let hs_b64 = URL_SAFE_NO_PAD.encode(hs_key);
    assert_debug_redacted(&keys, &[&hs_text, &hs_b64]);

    // A validator and what it hands back hold the token's claims, never the token.
    let validator = Validator::builder(ISSUER, Audience::new(RESOURCE).unwrap(), keys)
        .build()
        .unwrap();
    assert_debug_redacted(&validator, &[&hs_text, &hs_b64]);
    let verified = validator
        .validate(&token, UnixTime::from_secs(NOW))
        .await
        .unwrap();
    assert_debug_redacted(&verified, &[&token, &signature]);
}
