//! The source's DPoP against a scripted [`TokenHttp`]: a proof on each token
//! request, one retry with a demanded nonce, `token_type` checked, and proofs
//! for the calls made with a bound token.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::htu;
use crate::client::{
    Credentials, Endpoint, RetryPolicy, TokenHttp, TokenHttpRequest, TokenHttpResponse,
    TokenSource, TokenSourceError,
};
use crate::jose::algorithm::Algorithm;
use crate::jose::dpop_proof::{DpopConfig, ProofRequest, access_token_hash};
use crate::jose::keys::SigningKey;
use crate::vocab::clock::FixedClock;
use crate::vocab::error::StoreError;
use crate::vocab::ids::ClientId;
use crate::vocab::secret::ClientSecret;
use crate::vocab::time::UnixTime;

const T0: UnixTime = UnixTime::from_secs(1_800_000_000);
const ENDPOINT: &str = "https://auth.example.com/token";
const DPOP_TOKEN: &str = r#"{"access_token":"bound-token","token_type":"DPoP","expires_in":300}"#;

/// Scripted answers; the `DPoP` header of every request.
#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<TokenHttpResponse>>,
    proofs: Mutex<Vec<Option<String>>>,
}

impl Script {
    fn answer(&self, response: TokenHttpResponse) {
        self.answers.lock().unwrap().push_back(response);
    }

    fn proofs(&self) -> Vec<Option<String>> {
        self.proofs.lock().unwrap().clone()
    }
}

impl TokenHttp for Script {
    async fn get(&self, _url: &str) -> Result<TokenHttpResponse, StoreError> {
        Err(StoreError::msg("no discovery in these tests"))
    }

    async fn post_form(&self, request: &TokenHttpRequest) -> Result<TokenHttpResponse, StoreError> {
        let proof = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("dpop"))
            .map(|(_, value)| value.clone());
        self.proofs.lock().unwrap().push(proof);
        Ok(self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("an answer was scripted"))
    }
}

fn source(script: &Arc<Script>, key: Option<SigningKey>) -> TokenSource {
    let builder = TokenSource::builder(
        Endpoint::token_endpoint(ENDPOINT),
        Credentials::client_secret_basic(
            ClientId::new("agent").unwrap(),
            ClientSecret::new("the-client-secret"),
        ),
    )
    .http(script.clone())
    .clock(Arc::new(FixedClock::new(T0)))
    .retry_policy(RetryPolicy {
        max_attempts: 1,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        max_retry_after: Duration::from_secs(1),
    });
    match key {
        Some(key) => builder.dpop_key(key),
        None => builder.dpop(),
    }
    .build()
    .unwrap()
}

fn claims(proof: &str) -> Value {
    let payload = proof.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn header(proof: &str) -> Value {
    let header = proof.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

fn verifies(proof: &str, method: &str, url: &str, token: Option<&str>, body: Option<&[u8]>) {
    let config = if body.is_some() {
        DpopConfig::mcp()
    } else {
        DpopConfig::default()
    };
    let request = ProofRequest {
        method,
        htu: url,
        access_token: token,
        body,
    };
    config.verify(proof, &request, T0).unwrap();
}

#[tokio::test]
async fn each_token_request_carries_a_proof_of_the_source_key() {
    let script = Arc::new(Script::default());
    let (key, _) = SigningKey::generate(Algorithm::ES256).unwrap();
    let kid = key.kid().to_owned();
    let source = source(&script, Some(key));
    assert!(source.is_dpop());
    script.answer(TokenHttpResponse::new(200, None, DPOP_TOKEN.into()));

    let token = source.token().await.unwrap();
    assert!(token.is_dpop_bound());
    assert_eq!(token.authorization(), "DPoP bound-token");
    let proofs = script.proofs();
    let proof = proofs[0]
        .as_deref()
        .expect("the token request carries a proof");
    verifies(proof, "POST", ENDPOINT, None, None);
    let claims = claims(proof);
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], ENDPOINT);
    assert_eq!(claims["iat"], T0.as_secs());
    assert!(claims.get("ath").is_none() && claims.get("nonce").is_none());
    let header = header(proof);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert!(header["jwk"].get("d").is_none(), "no private member");
    // The generated keys' kid is their thumbprint: the proof is of this key.
    let config = DpopConfig::default();
    let request = ProofRequest {
        method: "POST",
        htu: ENDPOINT,
        access_token: None,
        body: None,
    };
    assert_eq!(
        config.verify(proof, &request, T0).unwrap().thumbprint(),
        kid
    );
}

#[tokio::test]
async fn use_dpop_nonce_is_answered_by_one_retry_and_the_nonce_kept() {
    let script = Arc::new(Script::default());
    let source = source(&script, None);
    let demand = || {
        TokenHttpResponse::new(
            400,
            None,
            br#"{"error":"use_dpop_nonce","error_description":"a nonce is required"}"#.to_vec(),
        )
    };
    script.answer(demand().with_dpop_nonce("n-1"));
    script.answer(TokenHttpResponse::new(200, None, DPOP_TOKEN.into()).with_dpop_nonce("n-2"));
    source.token().await.unwrap();
    let proofs = script.proofs();
    assert_eq!(proofs.len(), 2, "one retry");
    assert!(claims(proofs[0].as_deref().unwrap()).get("nonce").is_none());
    assert_eq!(claims(proofs[1].as_deref().unwrap())["nonce"], "n-1");
    assert_ne!(
        claims(proofs[0].as_deref().unwrap())["jti"],
        claims(proofs[1].as_deref().unwrap())["jti"],
        "a fresh proof"
    );

    // The next request starts with the latest nonce.
    script.answer(TokenHttpResponse::new(200, None, DPOP_TOKEN.into()));
    source.token_for(Some("other"), None).await.unwrap();
    assert_eq!(
        claims(script.proofs()[2].as_deref().unwrap())["nonce"],
        "n-2"
    );

    // A second demand in a row is not retried again.
    let script = Arc::new(Script::default());
    let source = self::source(&script, None);
    script.answer(demand().with_dpop_nonce("n-1"));
    script.answer(demand().with_dpop_nonce("n-2"));
    let error = source.token().await.unwrap_err();
    assert!(
        matches!(&error, TokenSourceError::Refused { error, .. } if error == "use_dpop_nonce"),
        "{error:?}"
    );
    assert_eq!(script.proofs().len(), 2);
}

#[tokio::test]
async fn a_bearer_answer_to_a_dpop_request_is_refused() {
    let script = Arc::new(Script::default());
    let source = source(&script, None);
    script.answer(TokenHttpResponse::new(
        200,
        None,
        br#"{"access_token":"plain","token_type":"Bearer","expires_in":300}"#.to_vec(),
    ));
    let error = source.token().await.unwrap_err();
    assert!(
        matches!(&error, TokenSourceError::InvalidResponse(why) if why.contains("not DPoP")),
        "{error:?}"
    );
    assert!(!error.to_string().contains("plain"));
}

#[tokio::test]
async fn a_bound_token_signs_proofs_for_api_calls() {
    let script = Arc::new(Script::default());
    let source = source(&script, None);
    script.answer(TokenHttpResponse::new(200, None, DPOP_TOKEN.into()));
    let token = source.token().await.unwrap();
    let api = "https://mcp.example.com/mcp";
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

    let proof = token
        .dpop_proof("POST", &format!("{api}?session=1#top"), Some(body))
        .unwrap()
        .unwrap();
    verifies(&proof, "POST", api, Some("bound-token"), Some(body));
    let claims = claims(&proof);
    assert_eq!(claims["htu"], api, "no query or fragment");
    assert_eq!(claims["ath"], access_token_hash("bound-token"));
    assert!(claims.get("nonce").is_none());

    let plain = token.dpop_proof("GET", api, None).unwrap().unwrap();
    assert!(self::claims(&plain).get("content_digest").is_none());

    token.remember_dpop_nonce(api, "rs-nonce");
    let proof = token.dpop_proof("GET", api, None).unwrap().unwrap();
    assert_eq!(self::claims(&proof)["nonce"], "rs-nonce");
    // Another endpoint has no nonce yet.
    let proof = token
        .dpop_proof("GET", "https://other.example.com/api", None)
        .unwrap()
        .unwrap();
    assert!(self::claims(&proof).get("nonce").is_none());
}

#[tokio::test]
async fn bearer_tokens_sign_no_proof() {
    let script = Arc::new(Script::default());
    let source = TokenSource::builder(
        Endpoint::token_endpoint(ENDPOINT),
        Credentials::client_secret_basic(
            ClientId::new("agent").unwrap(),
            ClientSecret::new("the-client-secret"),
        ),
    )
    .http(script.clone())
    .build()
    .unwrap();
    assert!(!source.is_dpop());
    script.answer(TokenHttpResponse::new(
        200,
        None,
        br#"{"access_token":"plain","token_type":"Bearer","expires_in":300}"#.to_vec(),
    ));
    let token = source.token().await.unwrap();
    assert!(!token.is_dpop_bound());
    assert_eq!(script.proofs(), vec![None]);
    assert_eq!(
        token
            .dpop_proof("GET", "https://api.example.com/", None)
            .unwrap(),
        None
    );
}

#[test]
fn a_symmetric_proof_key_is_refused() {
    let key = SigningKey::hs256(&[7; 32], Some("k1".to_owned())).unwrap();
    let built = TokenSource::builder(
        Endpoint::token_endpoint(ENDPOINT),
        Credentials::client_secret_post(ClientId::new("agent").unwrap(), ClientSecret::new("s")),
    )
    .dpop_key(key)
    .build();
    assert!(built.is_err());
}

#[tokio::test]
async fn debug_shows_neither_the_key_nor_the_token_nor_the_secret() {
    let script = Arc::new(Script::default());
    let (key, pem) = SigningKey::generate(Algorithm::ES256).unwrap();
    let source = source(&script, Some(key));
    script.answer(TokenHttpResponse::new(200, None, DPOP_TOKEN.into()));
    let token = source.token().await.unwrap();
    let pem_body: String = pem
        .expose_secret()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    for shown in [format!("{source:?}"), format!("{token:?}")] {
        assert!(!shown.contains("bound-token"), "{shown}");
        assert!(!shown.contains(&pem_body), "{shown}");
        assert!(!shown.contains("the-client-secret"), "{shown}");
    }
    assert!(format!("{token:?}").contains("dpop_bound: true"));
}

#[test]
fn htu_drops_query_and_fragment() {
    assert_eq!(htu("https://a.example/p?q=1#f"), "https://a.example/p");
    assert_eq!(htu("https://a.example/p#f?x"), "https://a.example/p");
    assert_eq!(htu("https://a.example/p"), "https://a.example/p");
}
