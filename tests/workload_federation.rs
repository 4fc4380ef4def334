//! Workload identity federation: the JWT-bearer grant (RFC 7523 §2.1) with
//! trusted issuers. Three platforms run on loopback (see `platforms.rs`): a
//! Kubernetes cluster's service-account issuer and GitHub Actions, both found
//! through OpenID Connect Discovery, and a SPIRE server whose `jwks_uri` is
//! configured. Their tokens are shaped like the real ones and exchanged at
//! the issuer for RFC 9068 access tokens, or refused with `invalid_grant`.

mod fixtures;
#[path = "workload_federation/platforms.rs"]
mod platforms;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_credentials::audit::{MemoryAuditSink, Outcome};
use client_credentials::issuer::{
    ClaimRule, ExpectedAudience, JWT_BEARER_GRANT_TYPE, SubjectMatch, TrustedIssuer,
};
use client_credentials::resource::{RemoteKeys, RemoteKeysConfig};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Audience, ClientId, FixedClock, GrantRefusal, HttpResponse, Issuer, Reason, RequestParts,
    RevocationStore, ScopeSet, UnixTime,
};
use fixtures::{
    ISSUER, NOW, RESOURCE, RESOURCE2, assert_error, assert_token, basic, es256_keys, form,
    secret_client, verify_with_jwks,
};
use platforms::{
    FETCH_TIMEOUT, LoopbackGet, PlatformKey, PlatformServer, closed_address, github_claims,
    kubernetes_claims, silent_server, spiffe_claims,
};
use serde_json::{Value, json};

/// The token endpoint: the audience Kubernetes and SPIRE tokens are minted for.
const TOKEN_ENDPOINT: &str = "https://as.example.com/token";
/// The audience the GitHub workflow requests: this server's issuer identifier.
const GITHUB_AUDIENCE: &str = ISSUER;

struct Fx {
    issuer: Issuer<MemoryClientStore>,
    audit: Arc<MemoryAuditSink>,
    clock: Arc<FixedClock>,
    server: PlatformServer,
    fetcher: Arc<LoopbackGet>,
    k8s_key: PlatformKey,
    github_key: PlatformKey,
    spire_key: PlatformKey,
}

fn loopback_config() -> RemoteKeysConfig {
    let mut config = RemoteKeysConfig::default();
    config.danger_allow_http_loopback = true;
    config
}

fn scopes(s: &[&str]) -> ScopeSet {
    ScopeSet::from_strs(s.iter().copied()).unwrap()
}

/// The rules of the fixture, in order.
fn rules(server: &PlatformServer) -> Vec<ClaimRule> {
    let k8s = server.issuer("k8s");
    let github = server.issuer("github");
    let spire = server.issuer("spire");
    vec![
        // One service account, one use per token.
        ClaimRule::builder(
            "k8s-payments-api",
            &k8s,
            SubjectMatch::Exact("system:serviceaccount:payments:api".into()),
            ClientId::new("payments-api").unwrap(),
        )
        .allowed_scopes(scopes(&["payments:read", "payments:write"]))
        .default_scopes(scopes(&["payments:read"]))
        .allowed_audience(Audience::new(RESOURCE).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
        .build()
        .unwrap(),
        // Every other service account of the namespace: read only, and the
        // pod may present its projected token again until it is renewed.
        ClaimRule::builder(
            "k8s-payments",
            &k8s,
            SubjectMatch::Pattern("system:serviceaccount:payments:*".into()),
            ClientId::new("payments-workloads").unwrap(),
        )
        .allowed_scopes(scopes(&["payments:read"]))
        .default_scopes(scopes(&["payments:read"]))
        .default_audience(Audience::new(RESOURCE).unwrap())
        .allow_token_reuse()
        .build()
        .unwrap(),
        // Deployments from main of one repository.
        ClaimRule::builder(
            "gh-octo-repo-main",
            &github,
            SubjectMatch::Pattern("repo:octo-org/octo-repo:*".into()),
            ClientId::new("octo-deployer").unwrap(),
        )
        .claim("repository", "octo-org/octo-repo")
        .claim("ref", "refs/heads/main")
        .allowed_scopes(scopes(&["deploy"]))
        .default_scopes(scopes(&["deploy"]))
        .default_audience(Audience::new(RESOURCE2).unwrap())
        .token_lifetime(Duration::from_secs(300))
        .build()
        .unwrap(),
        ClaimRule::builder(
            "spiffe-payments",
            &spire,
            SubjectMatch::Prefix("spiffe://example.org/ns/payments/".into()),
            ClientId::new("billing").unwrap(),
        )
        .allowed_scopes(scopes(&["payments:read"]))
        .default_scopes(scopes(&["payments:read"]))
        .default_audience(Audience::new(RESOURCE).unwrap())
        .allow_token_reuse()
        .build()
        .unwrap(),
    ]
}

impl Fx {
    async fn new() -> Self {
        let server = PlatformServer::start().await;
        let k8s_key = PlatformKey::rsa("k8s-2026-11");
        let github_key = PlatformKey::rsa("gh-1");
        let spire_key = PlatformKey::es256("spire-a");
        server.published.set_keys("k8s", &[&k8s_key]);
        server.published.set_keys("github", &[&github_key]);
        server.published.set_keys("spire", &[&spire_key]);
        let fetcher = Arc::new(LoopbackGet::default());
        let issuers = vec![
            TrustedIssuer::with_openid_discovery(
                server.issuer("k8s"),
                Arc::clone(&fetcher),
                loopback_config(),
            )
            .unwrap(),
            TrustedIssuer::with_openid_discovery(
                server.issuer("github"),
                Arc::clone(&fetcher),
                loopback_config(),
            )
            .unwrap()
            .audience(ExpectedAudience::Issuer)
            .max_assertion_lifetime(Duration::from_secs(600)),
            TrustedIssuer::with_remote_keys(
                RemoteKeys::with_jwks_uri(
                    server.issuer("spire"),
                    format!("{}/jwks", server.issuer("spire")),
                    Arc::clone(&fetcher),
                    loopback_config(),
                )
                .unwrap(),
            )
            .algorithms([client_credentials::Algorithm::ES256]),
        ];
        Self::with(
            server, fetcher, issuers, rules, k8s_key, github_key, spire_key,
        )
    }

    fn with(
        server: PlatformServer,
        fetcher: Arc<LoopbackGet>,
        issuers: Vec<TrustedIssuer>,
        rules: fn(&PlatformServer) -> Vec<ClaimRule>,
        k8s_key: PlatformKey,
        github_key: PlatformKey,
        spire_key: PlatformKey,
    ) -> Self {
        let audit = Arc::new(MemoryAuditSink::new());
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(NOW)));
        let mut builder = Issuer::builder(
            ISSUER,
            es256_keys(),
            MemoryClientStore::from_iter([secret_client("payments-api", "s3cr3t")
                .build()
                .unwrap()]),
        )
        .audit(audit.clone())
        .clock(clock.clone());
        for issuer in issuers {
            builder = builder.trusted_issuer(issuer);
        }
        for rule in rules(&server) {
            builder = builder.claim_rule(rule);
        }
        Self {
            issuer: builder.build().unwrap(),
            audit,
            clock,
            server,
            fetcher,
            k8s_key,
            github_key,
            spire_key,
        }
    }

    fn k8s(&self, namespace: &str, name: &str, jti: &str) -> Value {
        kubernetes_claims(
            &self.server.issuer("k8s"),
            TOKEN_ENDPOINT,
            namespace,
            name,
            NOW,
            jti,
        )
    }

    fn k8s_token(&self, claims: &Value) -> String {
        self.k8s_key.sign(None, claims)
    }

    fn github(&self, git_ref: &str, jti: &str) -> Value {
        github_claims(
            &self.server.issuer("github"),
            GITHUB_AUDIENCE,
            git_ref,
            NOW,
            jti,
        )
    }

    fn github_token(&self, claims: &Value) -> String {
        self.github_key.sign(Some("JWT"), claims)
    }

    fn spiffe_token(&self, spiffe_id: &str) -> String {
        let claims = spiffe_claims(&self.server.issuer("spire"), TOKEN_ENDPOINT, spiffe_id, NOW);
        self.spire_key.sign(Some("JWT"), &claims)
    }

    async fn post(&self, body: &str) -> HttpResponse {
        self.issuer
            .handle_token_request(RequestParts::form_post(body.as_bytes()))
            .await
    }

    async fn exchange(&self, assertion: &str, extra: &[(&str, &str)]) -> HttpResponse {
        let mut pairs = vec![
            ("grant_type", JWT_BEARER_GRANT_TYPE),
            ("assertion", assertion),
        ];
        pairs.extend_from_slice(extra);
        self.post(&form(&pairs)).await
    }

    /// Refused with `invalid_grant` for `refusal`, the assertion in no part
    /// of the answer or the audit event.
    #[track_caller]
    fn assert_refused(&self, response: &HttpResponse, assertion: &str, refusal: GrantRefusal) {
        assert_error(response, 400, "invalid_grant");
        let body = String::from_utf8_lossy(&response.body);
        let signature = assertion.rsplit('.').next().unwrap();
        assert!(!body.contains(signature), "the answer echoes the assertion");
        let last = self.audit.records().pop().expect("an audit event");
        assert_eq!(
            last.outcome,
            Outcome::Refused(Reason::InvalidGrant(refusal))
        );
        assert!(!format!("{last:?}").contains(signature));
    }
}

#[tokio::test]
async fn c141_kubernetes_service_account_token_gets_a_token_for_the_resource() {
    let fx = Fx::new().await;
    let claims = fx.k8s("payments", "api", "5c1e2e8b-7d3f-4f8e-9a1b-2c3d4e5f6a7b");
    let assertion = fx.k8s_token(&claims);
    let issued = assert_token(
        &fx.exchange(
            &assertion,
            &[("resource", RESOURCE), ("scope", "payments:write")],
        )
        .await,
    );
    // RFC 9068, checked by an independent implementation.
    let verified = verify_with_jwks(fx.issuer.jwks_json(), &issued.token, RESOURCE).unwrap();
    assert_eq!(verified["sub"], "system:serviceaccount:payments:api");
    assert_eq!(verified["client_id"], "payments-api");
    assert_eq!(verified["credential_id"], "k8s-payments-api");
    assert_eq!(verified["aud"], RESOURCE);
    assert_eq!(verified["scope"], "payments:write");
    assert_eq!(issued.header["typ"], "at+jwt");
    assert_eq!(issued.body["scope"], "payments:write");
    // The audit event names the platform and the workload.
    let event = fx.audit.records().pop().unwrap();
    assert_eq!(event.outcome, Outcome::Issued);
    assert_eq!(
        event.platform_issuer.as_deref(),
        Some(fx.server.issuer("k8s").as_str())
    );
    assert_eq!(
        event.platform_subject.as_deref(),
        Some("system:serviceaccount:payments:api")
    );
    assert_eq!(event.client_id.as_deref(), Some("payments-api"));
    assert_eq!(event.credential_id.as_deref(), Some("k8s-payments-api"));
    assert_eq!(event.auth_method, None);
    // Discovery, then the JWK Set: once.
    assert_eq!(
        fx.fetcher.fetches(),
        [
            format!(
                "{}/.well-known/openid-configuration",
                fx.server.issuer("k8s")
            ),
            format!("{}/jwks", fx.server.issuer("k8s")),
        ]
    );
}

#[tokio::test]
async fn c141_github_actions_token_from_main_gets_a_token() {
    let fx = Fx::new().await;
    let claims = fx.github("refs/heads/main", "example-id-6e8f");
    let assertion = fx.github_token(&claims);
    let issued = assert_token(&fx.exchange(&assertion, &[]).await);
    assert_eq!(
        issued.claims["sub"],
        "repo:octo-org/octo-repo:ref:refs/heads/main"
    );
    assert_eq!(issued.claims["client_id"], "octo-deployer");
    assert_eq!(issued.claims["aud"], RESOURCE2);
    assert_eq!(issued.claims["scope"], "deploy");
    assert_eq!(issued.body["expires_in"], 300);
    // Another branch of the same repository matches no rule (C145).
    let claims = fx.github("refs/heads/feature", "example-id-7a01");
    let assertion = fx.github_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::NoMatchingRule);
}

#[tokio::test]
async fn c141_spiffe_jwt_svid_gets_a_token_and_may_be_presented_again() {
    let fx = Fx::new().await;
    let assertion = fx.spiffe_token("spiffe://example.org/ns/payments/sa/billing");
    for _ in 0..2 {
        let issued = assert_token(&fx.exchange(&assertion, &[("resource", RESOURCE)]).await);
        assert_eq!(
            issued.claims["sub"],
            "spiffe://example.org/ns/payments/sa/billing"
        );
        assert_eq!(issued.claims["client_id"], "billing");
    }
    // The configured jwks_uri: no discovery, one fetch.
    assert_eq!(
        fx.fetcher.fetches(),
        [format!("{}/jwks", fx.server.issuer("spire"))]
    );
    let other = fx.spiffe_token("spiffe://example.org/ns/payroll/sa/billing");
    let r = fx.exchange(&other, &[]).await;
    fx.assert_refused(&r, &other, GrantRefusal::NoMatchingRule);
}

#[tokio::test]
async fn c141_two_assertions_are_invalid_request_and_none_is_invalid_request() {
    let fx = Fx::new().await;
    let assertion = fx.k8s_token(&fx.k8s("payments", "api", "j-1"));
    let body = form(&[
        ("grant_type", JWT_BEARER_GRANT_TYPE),
        ("assertion", &assertion),
        ("assertion", &assertion),
    ]);
    assert_error(&fx.post(&body).await, 400, "invalid_request");
    let body = form(&[("grant_type", JWT_BEARER_GRANT_TYPE)]);
    assert_error(&fx.post(&body).await, 400, "invalid_request");
    assert!(fx.fetcher.fetches().is_empty());
}

#[tokio::test]
async fn c142_c144_untrusted_issuer_is_invalid_grant_without_any_fetch() {
    let fx = Fx::new().await;
    let mut claims = fx.k8s("payments", "api", "j-1");
    claims["iss"] = json!("https://kubernetes.default.svc.cluster.local");
    let assertion = fx.k8s_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::UntrustedIssuer);
    // The issuer of a trusted path with a trailing slash is another issuer.
    claims["iss"] = json!(format!("{}/", fx.server.issuer("k8s")));
    let assertion = fx.k8s_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::UntrustedIssuer);
    assert!(
        fx.fetcher.fetches().is_empty(),
        "{:?}",
        fx.fetcher.fetches()
    );
    assert_eq!(fx.audit.records().last().unwrap().platform_issuer, None);
}

#[tokio::test]
async fn c142_c143_audience_must_name_this_server() {
    let fx = Fx::new().await;
    for (aud, accepted) in [
        (json!([TOKEN_ENDPOINT]), true),
        (json!(TOKEN_ENDPOINT), true),
        (json!(["https://vault.example.com", TOKEN_ENDPOINT]), true),
        (json!("https://kubernetes.default.svc.cluster.local"), false),
        (json!([ISSUER]), false),
        (json!("https://as.example.com/token/"), false),
        (json!([]), false),
    ] {
        let mut claims = fx.k8s("payments", "worker", &format!("j-{aud}"));
        claims["aud"] = aud.clone();
        let assertion = fx.k8s_token(&claims);
        let r = fx.exchange(&assertion, &[]).await;
        if accepted {
            assert_token(&r);
        } else {
            fx.assert_refused(&r, &assertion, GrantRefusal::AudienceMismatch);
        }
    }
}

#[tokio::test]
async fn c143_expired_not_yet_valid_and_too_long_lived_are_invalid_grant() {
    let fx = Fx::new().await;
    let leeway = 60;
    let cases = [
        ("exp", json!(NOW - leeway - 1), GrantRefusal::Expired),
        ("nbf", json!(NOW + leeway + 60), GrantRefusal::NotYetValid),
        ("iat", json!(NOW + leeway + 60), GrantRefusal::NotYetValid),
        // A year-long token (what `--service-account-extend-token-expiration`
        // gives legacy mounts) is beyond the hour allowed.
        (
            "exp",
            json!(NOW + 365 * 86_400),
            GrantRefusal::LifetimeTooLong,
        ),
    ];
    for (i, (claim, value, refusal)) in cases.into_iter().enumerate() {
        let mut claims = fx.k8s("payments", "worker", &format!("t-{i}"));
        claims[claim] = value;
        let assertion = fx.k8s_token(&claims);
        let r = fx.exchange(&assertion, &[]).await;
        fx.assert_refused(&r, &assertion, refusal);
    }
    // Issued two hours ago for three hours: exp − iat beyond the maximum.
    let mut claims = fx.k8s("payments", "worker", "t-old");
    claims["iat"] = json!(NOW - 7200);
    claims["nbf"] = json!(NOW - 7200);
    claims["exp"] = json!(NOW + 3600);
    let assertion = fx.k8s_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::LifetimeTooLong);
    // Within the leeway is fine.
    let mut claims = fx.k8s("payments", "worker", "t-skew");
    claims["nbf"] = json!(NOW + 30);
    claims["iat"] = json!(NOW + 30);
    assert_token(&fx.exchange(&fx.k8s_token(&claims), &[]).await);
}

#[tokio::test]
async fn c143_each_missing_claim_is_invalid_grant() {
    let fx = Fx::new().await;
    for claim in ["iss", "sub", "aud", "exp"] {
        let mut claims = fx.k8s("payments", "worker", claim);
        claims.as_object_mut().unwrap().remove(claim);
        let assertion = fx.k8s_token(&claims);
        let r = fx.exchange(&assertion, &[]).await;
        fx.assert_refused(&r, &assertion, GrantRefusal::MissingClaim);
    }
    // A one-use rule needs a jti.
    let mut claims = fx.k8s("payments", "api", "x");
    claims.as_object_mut().unwrap().remove("jti");
    let assertion = fx.k8s_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::MissingJti);
}

#[tokio::test]
async fn c143_a_replayed_jti_is_invalid_grant() {
    let fx = Fx::new().await;
    let assertion = fx.k8s_token(&fx.k8s("payments", "api", "only-once"));
    assert_token(&fx.exchange(&assertion, &[]).await);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::Replayed);
    // A new token of the same workload is fine.
    let again = fx.k8s_token(&fx.k8s("payments", "api", "next"));
    assert_token(&fx.exchange(&again, &[]).await);
    // A refused request does not spend the token: asking for a scope the
    // rule does not allow leaves it usable.
    let spare = fx.k8s_token(&fx.k8s("payments", "api", "spare"));
    let r = fx.exchange(&spare, &[("scope", "admin")]).await;
    assert_error(&r, 400, "invalid_scope");
    assert_token(&fx.exchange(&spare, &[]).await);
}

#[tokio::test]
async fn c142_alg_none_and_algorithm_confusion_are_invalid_grant() {
    let fx = Fx::new().await;
    let claims = fx.k8s("payments", "worker", "conf");
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    // alg none, no signature.
    let none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k8s-2026-11"}"#)
    );
    let r = fx.exchange(&none, &[]).await;
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(
        fx.audit.records().pop().unwrap().outcome,
        Outcome::Refused(Reason::InvalidGrant(GrantRefusal::Unsigned))
    );
    // HS256 keyed with the issuer's public key, as a confused verifier would
    // take it: the JWK Set, and the key's modulus.
    let published = fx.k8s_key.jwk.to_string();
    for secret in [
        published.as_bytes(),
        fx.k8s_key.jwk["n"].as_str().unwrap().as_bytes(),
    ] {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(fx.k8s_key.kid.clone());
        let forged = jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap();
        let r = fx.exchange(&forged, &[]).await;
        fx.assert_refused(&r, &forged, GrantRefusal::AlgorithmNotAllowed);
    }
    // ES256 claimed for the RSA key's kid.
    let es = PlatformKey::es256("k8s-2026-11");
    let forged = es.sign(None, &claims);
    let r = fx.exchange(&forged, &[]).await;
    fx.assert_refused(&r, &forged, GrantRefusal::AlgorithmNotAllowed);
    // A signature of another key under the right kid and alg.
    let attacker = PlatformKey::es256("spire-a");
    let claims = spiffe_claims(
        &fx.server.issuer("spire"),
        TOKEN_ENDPOINT,
        "spiffe://example.org/ns/payments/sa/billing",
        NOW,
    );
    let forged = attacker.sign(Some("JWT"), &claims);
    let r = fx.exchange(&forged, &[]).await;
    fx.assert_refused(&r, &forged, GrantRefusal::BadSignature);
    // A key the token names itself is never used.
    let mut header = attacker.header(Some("JWT"));
    header.kid = Some("not-published".into());
    header.jwk = serde_json::from_value(attacker.jwk.clone()).ok();
    let forged = jsonwebtoken::encode(&header, &claims, &attacker.encoding).unwrap();
    let r = fx.exchange(&forged, &[]).await;
    fx.assert_refused(&r, &forged, GrantRefusal::UnknownKey);
}

#[tokio::test]
async fn c143_claims_of_the_wrong_type_are_invalid_grant() {
    let fx = Fx::new().await;
    for (i, (claim, value)) in [
        ("sub", json!(12345)),
        ("exp", json!("1700003600")),
        ("aud", json!({ "aud": TOKEN_ENDPOINT })),
        ("aud", json!([TOKEN_ENDPOINT, 7])),
        ("jti", json!(["a", "b"])),
        ("iat", json!(-5)),
    ]
    .into_iter()
    .enumerate()
    {
        let mut claims = fx.k8s("payments", "worker", &format!("wt-{i}"));
        claims[claim] = value;
        let assertion = fx.k8s_token(&claims);
        let r = fx.exchange(&assertion, &[]).await;
        fx.assert_refused(&r, &assertion, GrantRefusal::MalformedClaims);
    }
    // A rule's claim of another type does not match: `repository` a number.
    let mut claims = fx.github("refs/heads/main", "wt-gh");
    claims["repository"] = json!(123);
    let assertion = fx.github_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::NoMatchingRule);
    // `iss` of the wrong type: read before any key is fetched.
    let mut claims = fx.k8s("payments", "worker", "wt-iss");
    claims["iss"] = json!(["a"]);
    let assertion = fx.k8s_token(&claims);
    let r = fx.exchange(&assertion, &[]).await;
    fx.assert_refused(&r, &assertion, GrantRefusal::MalformedClaims);
}

#[tokio::test]
async fn c144_an_unknown_kid_is_fetched_again_and_accepted_after_the_issuer_rotates() {
    let fx = Fx::new().await;
    assert_token(
        &fx.exchange(&fx.k8s_token(&fx.k8s("payments", "api", "r-1")), &[])
            .await,
    );
    let jwks = format!("{}/jwks", fx.server.issuer("k8s"));
    assert_eq!(fx.fetcher.fetches_of(&jwks), 1);
    // The cluster rotates to a new key, published beside the old one.
    let next = PlatformKey::es256("k8s-2026-12");
    fx.server.published.set_keys("k8s", &[&fx.k8s_key, &next]);
    let assertion = next.sign(None, &fx.k8s("payments", "api", "r-2"));
    let issued = assert_token(&fx.exchange(&assertion, &[]).await);
    assert_eq!(issued.claims["sub"], "system:serviceaccount:payments:api");
    assert_eq!(
        fx.fetcher.fetches_of(&jwks),
        2,
        "one refetch for the new kid"
    );
    // Known keys need no fetch.
    assert_token(
        &fx.exchange(&fx.k8s_token(&fx.k8s("payments", "api", "r-3")), &[])
            .await,
    );
    assert_eq!(fx.fetcher.fetches_of(&jwks), 2);
    // A made-up kid right after: refused, and not fetched for again at once.
    let stranger = PlatformKey::es256("made-up");
    let forged = stranger.sign(None, &fx.k8s("payments", "api", "r-4"));
    let r = fx.exchange(&forged, &[]).await;
    fx.assert_refused(&r, &forged, GrantRefusal::UnknownKey);
    assert_eq!(fx.fetcher.fetches_of(&jwks), 2);
    // Seconds later, a miss may fetch again.
    fx.clock.advance(Duration::from_secs(10));
    let forged = stranger.sign(None, &fx.k8s("payments", "api", "r-5"));
    let r = fx.exchange(&forged, &[]).await;
    fx.assert_refused(&r, &forged, GrantRefusal::UnknownKey);
    assert_eq!(fx.fetcher.fetches_of(&jwks), 3);
}

/// A fixture whose one trusted issuer lives at `base`, found by discovery.
fn unreachable_fixture(server: PlatformServer, base: &str) -> Fx {
    let fetcher = Arc::new(LoopbackGet::default());
    let issuer = TrustedIssuer::with_openid_discovery(
        format!("{base}/k8s"),
        Arc::clone(&fetcher),
        loopback_config(),
    )
    .unwrap();
    fn no_rules(_: &PlatformServer) -> Vec<ClaimRule> {
        Vec::new()
    }
    Fx::with(
        server,
        fetcher,
        vec![issuer],
        no_rules,
        PlatformKey::rsa("k8s-2026-11"),
        PlatformKey::rsa("gh-1"),
        PlatformKey::es256("spire-a"),
    )
}

#[tokio::test]
async fn c144_an_unreachable_issuer_is_a_clean_invalid_grant() {
    for base in [closed_address().await, silent_server().await] {
        let fx = unreachable_fixture(PlatformServer::start().await, &base);
        let claims = kubernetes_claims(
            &format!("{base}/k8s"),
            TOKEN_ENDPOINT,
            "payments",
            "api",
            NOW,
            "u-1",
        );
        let assertion = fx.k8s_key.sign(None, &claims);
        // Bounded by the fetcher's timeout: the test has a deadline well
        // beyond it, so a hang fails instead of stalling the suite.
        let r = tokio::time::timeout(FETCH_TIMEOUT * 5, fx.exchange(&assertion, &[]))
            .await
            .expect("the request ends");
        fx.assert_refused(&r, &assertion, GrantRefusal::IssuerKeysUnavailable);
        assert_eq!(fx.fetcher.fetches().len(), 1);
        // Until the retry interval has passed, later requests are refused at
        // once, without fetching again.
        let r = fx.exchange(&assertion, &[]).await;
        fx.assert_refused(&r, &assertion, GrantRefusal::IssuerKeysUnavailable);
        assert_eq!(fx.fetcher.fetches().len(), 1);
    }
}

#[tokio::test]
async fn c144_plain_http_issuers_are_refused_at_configuration() {
    let fetcher = Arc::new(LoopbackGet::default());
    for issuer in ["http://127.0.0.1:9/k8s", "http://issuer.example.com"] {
        assert!(
            TrustedIssuer::with_openid_discovery(
                issuer,
                Arc::clone(&fetcher),
                RemoteKeysConfig::default()
            )
            .is_err(),
            "{issuer}"
        );
    }
    assert!(
        RemoteKeys::with_jwks_uri(
            "https://issuer.example.com",
            "http://keys.example.com/jwks",
            Arc::clone(&fetcher),
            loopback_config(),
        )
        .is_err()
    );
    // Loopback http passes only behind the explicit switch.
    assert!(
        TrustedIssuer::with_openid_discovery("http://127.0.0.1:9/k8s", fetcher, loopback_config())
            .is_ok()
    );
}

#[tokio::test]
async fn c145_first_matching_rule_wins() {
    let fx = Fx::new().await;
    // `api` matches both Kubernetes rules: the first, exact one decides.
    let api = fx.k8s_token(&fx.k8s("payments", "api", "f-1"));
    let issued = assert_token(&fx.exchange(&api, &[]).await);
    assert_eq!(issued.claims["client_id"], "payments-api");
    // `worker` matches the namespace pattern only.
    let worker = fx.k8s_token(&fx.k8s("payments", "worker", "f-2"));
    let issued = assert_token(&fx.exchange(&worker, &[]).await);
    assert_eq!(issued.claims["client_id"], "payments-workloads");
    // A look-alike namespace matches neither.
    let evil = fx.k8s_token(&fx.k8s("payments-evil", "api", "f-3"));
    let r = fx.exchange(&evil, &[]).await;
    fx.assert_refused(&r, &evil, GrantRefusal::NoMatchingRule);
    // With the broad rule first, it decides for `api` too.
    fn reversed(server: &PlatformServer) -> Vec<ClaimRule> {
        let mut rules = rules(server);
        rules.swap(0, 1);
        rules
    }
    let fx2 = {
        let server = PlatformServer::start().await;
        let fetcher = Arc::new(LoopbackGet::default());
        let k8s_key = PlatformKey::rsa("k8s-2026-11");
        server.published.set_keys("k8s", &[&k8s_key]);
        let issuers = vec![
            TrustedIssuer::with_openid_discovery(
                server.issuer("k8s"),
                Arc::clone(&fetcher),
                loopback_config(),
            )
            .unwrap(),
            TrustedIssuer::with_keys(
                server.issuer("github"),
                client_credentials::VerificationKeys::from_key_set(&es256_keys()),
            )
            .unwrap(),
            TrustedIssuer::with_keys(
                server.issuer("spire"),
                client_credentials::VerificationKeys::from_key_set(&es256_keys()),
            )
            .unwrap(),
        ];
        Fx::with(
            server,
            fetcher,
            issuers,
            reversed,
            k8s_key,
            PlatformKey::rsa("gh-1"),
            PlatformKey::es256("spire-a"),
        )
    };
    let api = fx2.k8s_token(&fx2.k8s("payments", "api", "f-4"));
    let issued = assert_token(&fx2.exchange(&api, &[]).await);
    assert_eq!(issued.claims["client_id"], "payments-workloads");
}

#[tokio::test]
async fn c145_the_rules_scope_and_audience_limits_apply() {
    let fx = Fx::new().await;
    let token = |jti: &str| fx.k8s_token(&fx.k8s("payments", "worker", jti));
    assert_error(
        &fx.exchange(&token("l-1"), &[("scope", "payments:write")])
            .await,
        400,
        "invalid_scope",
    );
    assert_error(
        &fx.exchange(&token("l-2"), &[("resource", RESOURCE2)]).await,
        400,
        "invalid_target",
    );
    let issued = assert_token(&fx.exchange(&token("l-3"), &[("resource", RESOURCE)]).await);
    assert_eq!(issued.claims["scope"], "payments:read");
}

#[tokio::test]
async fn c145_a_revoked_rule_or_logical_client_gets_no_token() {
    let fx = Fx::new().await;
    let store = fx.issuer.revocation_store();
    let workloads = ClientId::new("payments-workloads").unwrap();
    let rule = client_credentials::CredentialId::new("k8s-payments").unwrap();
    store
        .revoke_credential(&workloads, &rule, UnixTime::MAX)
        .await
        .unwrap();
    let worker = fx.k8s_token(&fx.k8s("payments", "worker", "v-1"));
    let r = fx.exchange(&worker, &[]).await;
    fx.assert_refused(&r, &worker, GrantRefusal::Revoked);
    // The other rule, and its client, are untouched.
    assert_token(
        &fx.exchange(&fx.k8s_token(&fx.k8s("payments", "api", "v-2")), &[])
            .await,
    );
    let api = ClientId::new("payments-api").unwrap();
    store.revoke_client(&api, UnixTime::MAX).await.unwrap();
    let again = fx.k8s_token(&fx.k8s("payments", "api", "v-3"));
    let r = fx.exchange(&again, &[]).await;
    fx.assert_refused(&r, &again, GrantRefusal::Revoked);
}

#[tokio::test]
async fn c141_client_authentication_must_name_the_rules_client() {
    let fx = Fx::new().await;
    let api = |jti: &str| fx.k8s_token(&fx.k8s("payments", "api", jti));
    // The registered client of the rule, authenticated: accepted.
    let body = form(&[
        ("grant_type", JWT_BEARER_GRANT_TYPE),
        ("assertion", &api("a-1")),
    ]);
    let r = fx
        .issuer
        .handle_token_request(
            RequestParts::form_post(body.as_bytes())
                .authorization(&basic("payments-api", "s3cr3t")),
        )
        .await;
    let issued = assert_token(&r);
    assert_eq!(issued.claims["client_id"], "payments-api");
    assert_eq!(
        fx.audit.records().pop().unwrap().auth_method,
        Some(client_credentials::AuthMethod::ClientSecretBasic)
    );
    // A wrong secret is invalid_client, whatever the platform token.
    let body = form(&[
        ("grant_type", JWT_BEARER_GRANT_TYPE),
        ("assertion", &api("a-2")),
    ]);
    let r = fx
        .issuer
        .handle_token_request(
            RequestParts::form_post(body.as_bytes()).authorization(&basic("payments-api", "wrong")),
        )
        .await;
    assert_error(&r, 401, "invalid_client");
    // A client_id naming another client than the rule's.
    let assertion = api("a-3");
    let r = fx
        .exchange(&assertion, &[("client_id", "someone-else")])
        .await;
    fx.assert_refused(&r, &assertion, GrantRefusal::ClientMismatch);
    assert_token(
        &fx.exchange(&api("a-4"), &[("client_id", "payments-api")])
            .await,
    );
}

#[tokio::test]
async fn c146_the_metadata_lists_the_grant_only_when_configured() {
    let fx = Fx::new().await;
    let metadata: Value = serde_json::from_str(fx.issuer.metadata_json()).unwrap();
    assert_eq!(
        metadata["grant_types_supported"],
        json!(["client_credentials", JWT_BEARER_GRANT_TYPE])
    );
    let plain = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::default())
        .build()
        .unwrap();
    let metadata: Value = serde_json::from_str(plain.metadata_json()).unwrap();
    assert_eq!(
        metadata["grant_types_supported"],
        json!(["client_credentials"])
    );
}

#[tokio::test]
async fn c49_without_trusted_issuers_the_grant_is_unsupported() {
    let fx = Fx::new().await;
    let assertion = fx.k8s_token(&fx.k8s("payments", "api", "u-1"));
    let plain = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::default())
        .build()
        .unwrap();
    let body = form(&[
        ("grant_type", JWT_BEARER_GRANT_TYPE),
        ("assertion", &assertion),
    ]);
    let r = plain
        .handle_token_request(RequestParts::form_post(body.as_bytes()))
        .await;
    assert_error(&r, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn the_platform_token_appears_in_no_answer_debug_output_or_audit_event() {
    let fx = Fx::new().await;
    let assertion = fx.k8s_token(&fx.k8s("payments", "api", "secret-1"));
    let body = form(&[
        ("grant_type", JWT_BEARER_GRANT_TYPE),
        ("assertion", &assertion),
    ]);
    let parts = RequestParts::form_post(body.as_bytes());
    let request = client_credentials::TokenRequest::parse(&parts, 1 << 16).unwrap();
    let signature = assertion.rsplit('.').next().unwrap();
    let payload = assertion.split('.').nth(1).unwrap();
    for shown in [format!("{request:?}"), format!("{:?}", fx.issuer)] {
        assert!(
            !shown.contains(signature) && !shown.contains(payload),
            "{shown}"
        );
    }
    let ok = fx.exchange(&assertion, &[]).await;
    let replayed = fx.exchange(&assertion, &[]).await;
    for r in [&ok, &replayed] {
        let text = String::from_utf8_lossy(&r.body);
        assert!(!text.contains(signature) && !text.contains(payload));
    }
    for record in fx.audit.records() {
        let shown = format!("{record:?}");
        assert!(
            !shown.contains(signature) && !shown.contains(payload),
            "{shown}"
        );
    }
    // `issue` serves the client-credentials grant only.
    let client = fx
        .issuer
        .authenticate(&request, UnixTime::from_secs(NOW))
        .await;
    assert!(client.is_err(), "no client authentication in the request");
}

#[test]
fn configuration_mistakes_are_refused_at_build() {
    let keys = client_credentials::VerificationKeys::from_key_set(&es256_keys());
    let trusted = || TrustedIssuer::with_keys("https://issuer.example", keys.clone()).unwrap();
    let rule = |issuer: &str, name: &str| {
        ClaimRule::builder(
            name,
            issuer,
            SubjectMatch::Exact("s".into()),
            ClientId::new("c").unwrap(),
        )
        .build()
        .unwrap()
    };
    let build = |issuers: Vec<TrustedIssuer>, rules: Vec<ClaimRule>| {
        let mut b = Issuer::builder(ISSUER, es256_keys(), MemoryClientStore::default());
        for i in issuers {
            b = b.trusted_issuer(i);
        }
        for r in rules {
            b = b.claim_rule(r);
        }
        b.build().map(|_| ())
    };
    assert!(build(vec![trusted()], vec![rule("https://issuer.example", "r1")]).is_ok());
    assert!(build(vec![], vec![rule("https://issuer.example", "r1")]).is_err());
    assert!(build(vec![trusted()], vec![rule("https://other.example", "r1")]).is_err());
    assert!(build(vec![trusted(), trusted()], vec![]).is_err());
    assert!(
        build(
            vec![trusted()],
            vec![
                rule("https://issuer.example", "r1"),
                rule("https://issuer.example", "r1")
            ]
        )
        .is_err()
    );
    assert!(
        build(
            vec![trusted().algorithms([client_credentials::Algorithm::HS256])],
            vec![]
        )
        .is_err()
    );
    assert!(build(vec![trusted().algorithms([])], vec![]).is_err());
    assert!(build(vec![trusted().leeway(Duration::from_secs(3600))], vec![]).is_err());
    let reserved = ClaimRule::builder(
        "r",
        "https://issuer.example",
        SubjectMatch::Exact("s".into()),
        ClientId::new("c").unwrap(),
    )
    .claim("aud", "x")
    .build();
    assert!(reserved.is_err());
    let everything = ClaimRule::builder(
        "r",
        "https://issuer.example",
        SubjectMatch::Pattern("*".into()),
        ClientId::new("c").unwrap(),
    )
    .build();
    assert!(everything.is_err());
}
