//! Extra claims: the client's own and a claims hook's are minted after the
//! registered claims, never replace one, reach the audit trail, the
//! introspection answer and, typed, the resource server.

mod fixtures;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::audit::{MemoryAuditSink, Outcome};
use client_credentials::issuer::{ClaimsHook, ClaimsRequest};
use client_credentials::store::MemoryClientStore;
use client_credentials::{
    Algorithm, Audience, Client, ClientId, ClientSecret, ConfigError, CredentialId, ExtraClaims,
    FixedClock, Issuer, KeySet, Reason, RequestParts, ScopeSet, SecretCredential, SecretHash,
    SigningKey, UnixTime, Validator, VerificationKeys,
};
use fixtures::{ISSUER, NOW, RESOURCE, decode_part, json};

/// Adds `azp` and the agent run id the request passed; or, when asked to
/// misbehave, tries to set `sub`.
#[derive(Debug)]
struct AgentRun {
    set_sub: bool,
}

impl ClaimsHook for AgentRun {
    fn add_claims(
        &self,
        request: &ClaimsRequest<'_>,
        claims: &mut ExtraClaims,
    ) -> Result<(), ConfigError> {
        claims.insert("azp", request.client().id().as_str())?;
        if let Some(run) = request.parameter("agent_run_id") {
            claims.insert("agent_run_id", run)?;
        }
        if request.parameter("unknown").is_some() {
            claims.insert("leak", "the hook saw a parameter it may not")?;
        }
        if self.set_sub {
            claims.insert("sub", "someone-else")?;
        }
        claims.insert("owner", "hook-owner")
    }
}

struct Setup {
    issuer: Issuer<MemoryClientStore>,
    audit: Arc<MemoryAuditSink>,
    secret: ClientSecret,
    jwks: String,
}

fn setup(hook: Option<AgentRun>) -> Setup {
    let secret = ClientSecret::generate();
    let static_claims = ExtraClaims::new()
        .with("tenant", "acme")
        .unwrap()
        .with("owner", "client-owner")
        .unwrap()
        .with("limits", &serde_json::json!({"rpm": 60}))
        .unwrap();
    let client = Client::builder(ClientId::new("agent-7").unwrap())
        .secret(SecretCredential::new(
            CredentialId::new("s1").unwrap(),
            SecretHash::fast(&secret).unwrap(),
        ))
        .allowed_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_scopes(ScopeSet::from_strs(["mcp:read"]).unwrap())
        .default_audience(Audience::new(RESOURCE).unwrap())
        .extra_claims(static_claims)
        .introspection(true)
        .build()
        .unwrap();
    let audit = Arc::new(MemoryAuditSink::new());
    let keys = KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
    let jwks = keys.jwks_json();
    let mut builder = Issuer::builder(ISSUER, keys, MemoryClientStore::from_iter([client]))
        .clock(Arc::new(FixedClock::new(UnixTime::from_secs(NOW))))
        .audit(audit.clone())
        .extra_request_parameters(["agent_run_id"]);
    if let Some(hook) = hook {
        builder = builder.claims_hook(Arc::new(hook));
    }
    Setup {
        issuer: builder.build().unwrap(),
        audit,
        secret,
        jwks,
    }
}

impl Setup {
    async fn post(&self, endpoint: &str, body: &str) -> client_credentials::HttpResponse {
        let basic = format!(
            "Basic {}",
            STANDARD.encode(format!("agent-7:{}", self.secret.expose_secret()))
        );
        let parts = RequestParts::form_post(body.as_bytes()).authorization(&basic);
        match endpoint {
            "token" => self.issuer.handle_token_request(parts).await,
            _ => self.issuer.handle_introspection_request(parts).await,
        }
    }

    async fn token(&self, body: &str) -> String {
        let r = self
            .post("token", &format!("grant_type=client_credentials{body}"))
            .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        json(&r)["access_token"].as_str().unwrap().to_owned()
    }
}

fn payload_text(token: &str) -> String {
    let part = token.split('.').nth(1).unwrap();
    String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn client_claims_follow_the_registered_ones_and_reach_the_audit_trail() {
    let s = setup(None);
    let token = s.token("").await;
    let payload = payload_text(&token);
    assert!(
        payload.ends_with(r#","tenant":"acme","owner":"client-owner","limits":{"rpm":60}}"#),
        "{payload}"
    );
    let claims = decode_part(&token, 1);
    assert_eq!(claims["sub"], "agent-7");
    assert_eq!(claims["tenant"], "acme");

    let issued = s.audit.records().pop().unwrap();
    assert_eq!(issued.outcome, Outcome::Issued);
    let audited = issued.extra_claims.unwrap();
    assert_eq!(
        audited.get::<String>("tenant").unwrap().as_deref(),
        Some("acme")
    );
    assert_eq!(audited.len(), 3);
}

#[tokio::test]
async fn the_hook_adds_claims_from_the_client_and_allowed_parameters() {
    let s = setup(Some(AgentRun { set_sub: false }));
    let token = s.token("&agent_run_id=run-42&unknown=1").await;
    let claims = decode_part(&token, 1);
    assert_eq!(claims["azp"], "agent-7");
    assert_eq!(claims["agent_run_id"], "run-42");
    // The hook's value wins over the client's for the same name.
    assert_eq!(claims["owner"], "hook-owner");
    assert_eq!(claims["tenant"], "acme");
    // Parameters the deployment did not allow never reach the hook.
    assert!(claims.get("leak").is_none());
    assert!(claims.get("unknown").is_none());

    // Without the parameter, no run id.
    let claims = decode_part(&s.token("").await, 1);
    assert!(claims.get("agent_run_id").is_none());

    // An allowed parameter may appear once.
    let r = s
        .post(
            "token",
            "grant_type=client_credentials&agent_run_id=a&agent_run_id=b",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(json(&r)["error"], "invalid_request");
}

#[tokio::test]
async fn a_hook_that_sets_a_registered_claim_refuses_the_request() {
    let s = setup(Some(AgentRun { set_sub: true }));
    let r = s.post("token", "grant_type=client_credentials").await;
    assert_eq!(r.status, 500);
    assert_eq!(json(&r)["error"], "server_error");
    assert!(json(&r).get("access_token").is_none());
    let refused = s.audit.records().pop().unwrap();
    assert_eq!(
        refused.outcome,
        Outcome::Refused(Reason::ExtraClaimsRefused)
    );
    assert_eq!(refused.client_id.as_deref(), Some("agent-7"));
}

#[test]
fn registered_claims_and_request_parameters_are_refused_at_build() {
    for name in [
        "iss",
        "sub",
        "aud",
        "exp",
        "jti",
        "client_id",
        "scope",
        "cnf",
        "acr",
    ] {
        match ExtraClaims::new().with(name, "x") {
            Err(ConfigError::ReservedClaim(n)) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    let keys = || KeySet::new(SigningKey::generate(Algorithm::ES256).unwrap().0);
    for parameter in [
        "client_secret",
        "scope",
        "grant_type",
        "client_assertion",
        "",
    ] {
        let built = Issuer::builder(ISSUER, keys(), MemoryClientStore::new())
            .extra_request_parameters([parameter])
            .build();
        assert!(built.is_err(), "{parameter:?}");
    }
}

#[tokio::test]
async fn the_validator_exposes_extra_claims_typed_and_introspection_shows_them() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Limits {
        rpm: u32,
    }
    let s = setup(Some(AgentRun { set_sub: false }));
    let token = s.token("&agent_run_id=run-42").await;
    let keys = || VerificationKeys::from_jwks_json(&s.jwks).unwrap();
    let now = UnixTime::from_secs(NOW);

    let reading = Validator::builder(ISSUER, Audience::new(RESOURCE).unwrap(), keys())
        .read_extra_claims()
        .build()
        .unwrap();
    let verified = reading.validate(&token, now).await.unwrap();
    assert_eq!(
        verified.extra_claim::<String>("tenant").unwrap().as_deref(),
        Some("acme")
    );
    assert_eq!(
        verified.extra_claim::<Limits>("limits").unwrap(),
        Some(Limits { rpm: 60 })
    );
    assert_eq!(
        verified
            .extra_claim::<String>("agent_run_id")
            .unwrap()
            .as_deref(),
        Some("run-42")
    );
    assert_eq!(verified.extra_claim::<String>("absent").unwrap(), None);
    assert!(verified.extra_claim::<u64>("tenant").is_err());
    // Registered claims are the claims', never extra.
    assert!(verified.extra_claims().json("sub").is_none());

    // A validator that does not read them costs nothing and shows none.
    let plain = Validator::builder(ISSUER, Audience::new(RESOURCE).unwrap(), keys())
        .build()
        .unwrap();
    assert!(
        plain
            .validate(&token, now)
            .await
            .unwrap()
            .extra_claims()
            .is_empty()
    );

    let r = s.post("introspect", &format!("token={token}")).await;
    let body = json(&r);
    assert_eq!(body["active"], true);
    assert_eq!(body["tenant"], "acme");
    assert_eq!(body["limits"]["rpm"], 60);
    assert_eq!(body["agent_run_id"], "run-42");
    assert_eq!(body["sub"], "agent-7");
}
