use super::*;
use crate::vocab::error::Reason;
use crate::wire::request::{DEFAULT_MAX_BODY_BYTES, RequestParts};
use base64::Engine as _;

const FORM: &str = "application/x-www-form-urlencoded";

fn parse(body: &str) -> Result<TokenRequest, Reason> {
    TokenRequest::parse(
        &RequestParts::form_post(body.as_bytes()),
        DEFAULT_MAX_BODY_BYTES,
    )
}

fn basic(user: &str, pass: &str) -> String {
    use base64::engine::general_purpose::STANDARD;
    format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")))
}

#[test]
fn c1_only_post() {
    let parts = RequestParts::new("GET", b"grant_type=client_credentials").content_type(FORM);
    assert_eq!(
        TokenRequest::parse(&parts, 1024).unwrap_err(),
        Reason::MethodNotAllowed
    );
}

#[test]
fn c2_content_type_must_be_form_with_utf8() {
    let body = br#"{"grant_type":"client_credentials"}"#;
    let json = RequestParts::new("POST", body).content_type("application/json");
    assert_eq!(
        TokenRequest::parse(&json, 1024).unwrap_err(),
        Reason::UnsupportedContentType
    );
    let missing = RequestParts::new("POST", b"grant_type=client_credentials");
    assert_eq!(
        TokenRequest::parse(&missing, 1024).unwrap_err(),
        Reason::UnsupportedContentType
    );
    for ok in [
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-Urlencoded",
        "application/x-www-form-urlencoded;charset=\"utf-8\"",
    ] {
        let p = RequestParts::new(
            "POST",
            b"grant_type=client_credentials&client_id=a&client_secret=b",
        )
        .content_type(ok);
        assert!(TokenRequest::parse(&p, 1024).is_ok(), "{ok}");
    }
    let latin1 = RequestParts::new("POST", b"grant_type=client_credentials")
        .content_type("application/x-www-form-urlencoded; charset=iso-8859-1");
    assert_eq!(
        TokenRequest::parse(&latin1, 1024).unwrap_err(),
        Reason::UnsupportedContentType
    );
}

#[test]
fn c2_scope_plus_is_space_and_bad_utf8_is_refused() {
    let r = parse(
        "grant_type=client_credentials&client_id=c1&client_secret=x&scope=mcp%3Aread+mcp%3Awrite",
    )
    .unwrap();
    assert_eq!(r.scope().unwrap().to_string(), "mcp:read mcp:write");
    assert_eq!(
        parse("grant_type=client_credentials&scope=%FF").unwrap_err(),
        Reason::MalformedBody
    );
    let raw = RequestParts::form_post(b"grant_type=client_credentials&scope=\xff");
    assert_eq!(
        TokenRequest::parse(&raw, 1024).unwrap_err(),
        Reason::MalformedBody
    );
}

#[test]
fn c3_repeated_parameters_are_refused_but_resource_repeats() {
    assert_eq!(
        parse("grant_type=client_credentials&grant_type=client_credentials").unwrap_err(),
        Reason::RepeatedParameter("grant_type")
    );
    assert_eq!(
        parse("grant_type=client_credentials&scope=a&scope=b").unwrap_err(),
        Reason::RepeatedParameter("scope")
    );
    assert_eq!(
        parse("grant_type=client_credentials&client_id=a&client_id=a&client_secret=s").unwrap_err(),
        Reason::RepeatedParameter("client_id")
    );
    let r = parse(
        "grant_type=client_credentials&client_id=a&client_secret=s\
         &resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example",
    )
    .unwrap();
    assert_eq!(r.resources().len(), 2);
}

#[test]
fn c4_empty_parameters_count_as_omitted() {
    let r = parse("grant_type=client_credentials&client_id=a&client_secret=s&scope=").unwrap();
    assert!(r.scope().is_none());
    let r =
        parse("grant_type=client_credentials&client_id=a&client_secret=s&scope=&scope=x").unwrap();
    assert_eq!(r.scope().unwrap().to_string(), "x");
    assert_eq!(
        parse("grant_type=&client_id=a").unwrap_err(),
        Reason::MissingGrantType
    );
}

#[test]
fn c5_unknown_parameters_are_ignored() {
    assert!(parse("grant_type=client_credentials&client_id=a&client_secret=s&foo=bar").is_ok());
}

#[test]
fn c17_grant_type_required_and_client_credentials_only() {
    assert_eq!(
        parse("client_id=a&client_secret=s").unwrap_err(),
        Reason::MissingGrantType
    );
    for g in [
        "password",
        "authorization_code",
        "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange",
    ] {
        assert_eq!(
            parse(&format!("grant_type={g}&client_id=a&client_secret=s")).unwrap_err(),
            Reason::UnsupportedGrantType
        );
    }
}

#[test]
fn c7_one_authentication_method_only() {
    let header = basic("c1", "s3cr3t");
    let both = RequestParts::form_post(b"grant_type=client_credentials&client_secret=s3cr3t")
        .authorization(&header);
    assert_eq!(
        TokenRequest::parse(&both, 1024).unwrap_err(),
        Reason::MultipleAuthMethods
    );
    let with_assertion = RequestParts::form_post(
        b"grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c",
    )
    .authorization(&header);
    assert_eq!(
        TokenRequest::parse(&with_assertion, 4096).unwrap_err(),
        Reason::MultipleAuthMethods
    );
    assert_eq!(
        parse("grant_type=client_credentials&client_id=c1&client_secret=s&client_assertion=a.b.c")
            .unwrap_err(),
        Reason::MultipleAuthMethods
    );
}

#[test]
fn basic_with_matching_body_client_id_is_one_method() {
    let header = basic("c1", "s");
    let same = RequestParts::form_post(b"grant_type=client_credentials&client_id=c1")
        .authorization(&header);
    assert!(matches!(
        TokenRequest::parse(&same, 1024).unwrap().auth(),
        ClientAuth::SecretBasic { client_id, .. } if client_id == "c1"
    ));
    let other = RequestParts::form_post(b"grant_type=client_credentials&client_id=c2")
        .authorization(&header);
    assert_eq!(
        TokenRequest::parse(&other, 1024).unwrap_err(),
        Reason::ClientIdMismatch
    );
}

#[test]
fn c9_basic_credentials_are_form_urldecoded() {
    let header = basic("svc%3Aa+b", "p%40ss%2Fw%2Brd%25");
    let p = RequestParts::form_post(b"grant_type=client_credentials").authorization(&header);
    match TokenRequest::parse(&p, 1024).unwrap().auth() {
        ClientAuth::SecretBasic { client_id, secret } => {
            assert_eq!(client_id, "svc:a b");
            assert_eq!(secret.expose_secret(), "p@ss/w+rd%");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Unencoded: the first ':' splits, so the username is just "svc".
    let raw = basic("svc", "a b:p@ss/w+rd%");
    let p = RequestParts::form_post(b"grant_type=client_credentials").authorization(&raw);
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap().auth().client_id(),
        Some("svc")
    );
}

#[test]
fn basic_credentials_of_any_length_decode_alike() {
    // Either side of the stack buffer's size, and well past it.
    for secret_len in [1, 60, 126, 127, 128, 129, 500, 4000] {
        let secret = "s".repeat(secret_len);
        let header = basic("c", &secret);
        let p = RequestParts::form_post(b"grant_type=client_credentials").authorization(&header);
        match TokenRequest::parse(&p, 1024).unwrap().auth() {
            ClientAuth::SecretBasic {
                client_id,
                secret: got,
            } => {
                assert_eq!(
                    (client_id.as_str(), got.expose_secret()),
                    ("c", secret.as_str())
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn malformed_and_foreign_authorization_headers() {
    for bad in [
        "Basic !!!",
        "Basic",
        "Basic Zm9v", /* "foo", no colon */
    ] {
        let p = RequestParts::form_post(b"grant_type=client_credentials").authorization(bad);
        assert_eq!(
            TokenRequest::parse(&p, 1024).unwrap_err(),
            Reason::MalformedAuthorization,
            "{bad}"
        );
    }
    let p = RequestParts::form_post(b"grant_type=client_credentials").authorization("Bearer abc");
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap_err(),
        Reason::UnsupportedAuthScheme
    );
    // Scheme is case-insensitive and padding optional.
    let p = RequestParts::form_post(b"grant_type=client_credentials").authorization("bAsIc YTpi");
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap().auth().client_id(),
        Some("a")
    );
}

#[test]
fn c7_two_authorization_headers_are_two_credentials() {
    let header = basic("c1", "s3cr3t");
    let p = RequestParts::form_post(b"grant_type=client_credentials")
        .authorization(&header)
        .authorization(&header);
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap_err(),
        Reason::RepeatedAuthorization
    );
    let p = RequestParts::form_post(b"grant_type=client_credentials")
        .authorization_bytes(header.as_bytes())
        .authorization_bytes(b"Basic \xff");
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap_err(),
        Reason::RepeatedAuthorization
    );
    assert_eq!(
        Reason::RepeatedAuthorization.code(),
        crate::ErrorCode::InvalidRequest
    );
    assert_eq!(Reason::RepeatedAuthorization.status(), 400);
}

#[test]
fn authorization_bytes_not_utf8_is_malformed_not_ignored() {
    // Ignored, it would let body credentials through beside a second credential.
    let p = RequestParts::form_post(b"grant_type=client_credentials&client_id=a&client_secret=b")
        .authorization_bytes(b"Basic \xff\xfe");
    assert!(p.has_authorization());
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap_err(),
        Reason::MalformedAuthorization
    );
    let header = basic("a", "b");
    let p = RequestParts::form_post(b"grant_type=client_credentials")
        .authorization_bytes(header.as_bytes());
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap().auth().client_id(),
        Some("a")
    );
}

#[test]
fn c11_credentials_in_the_uri_are_refused() {
    let p = RequestParts::form_post(b"grant_type=client_credentials")
        .query("client_id=c1&client_secret=s3cr3t");
    assert_eq!(
        TokenRequest::parse(&p, 1024).unwrap_err(),
        Reason::CredentialsInUri
    );
    let harmless =
        RequestParts::form_post(b"grant_type=client_credentials&client_id=a&client_secret=b")
            .query("trace=1");
    assert!(TokenRequest::parse(&harmless, 1024).is_ok());
}

#[test]
fn c12_client_id_alone_and_no_auth_at_all() {
    let r = parse("grant_type=client_credentials&client_id=c1").unwrap();
    assert!(matches!(r.auth(), ClientAuth::ClientIdOnly { .. }));
    let r = parse("grant_type=client_credentials").unwrap();
    assert!(matches!(r.auth(), ClientAuth::Absent));
    assert_eq!(
        parse("grant_type=client_credentials&client_secret=s").unwrap_err(),
        Reason::SecretWithoutClientId
    );
}

#[test]
fn c32_c65_c66_scope_and_resource_syntax() {
    let base = "grant_type=client_credentials&client_id=a&client_secret=s";
    for s in ["a%22b", "a%5Cb", "caf%C3%A9", "a%09b", "a++b"] {
        assert_eq!(
            parse(&format!("{base}&scope={s}")).unwrap_err(),
            Reason::MalformedScope,
            "{s}"
        );
    }
    for r in [
        "mcp.example.com",
        "%2Fmcp",
        "https%3A%2F%2Fmcp.example.com%2Fmcp%23frag",
    ] {
        assert_eq!(
            parse(&format!("{base}&resource={r}")).unwrap_err(),
            Reason::MalformedResource,
            "{r}"
        );
    }
}

#[test]
fn body_limit() {
    let body = format!("grant_type=client_credentials&pad={}", "x".repeat(100));
    let p = RequestParts::form_post(body.as_bytes());
    assert_eq!(
        TokenRequest::parse(&p, 50).unwrap_err(),
        Reason::BodyTooLarge
    );
}

#[test]
fn debug_of_parts_and_request_hides_credentials() {
    let header = basic("c1", "topsecret");
    let p = RequestParts::form_post(b"grant_type=client_credentials&client_secret_x=topsecret")
        .authorization(&header);
    assert!(!format!("{p:?}").contains("topsecret"));
    assert!(!format!("{p:?}").contains(&header));
    let r = TokenRequest::parse(&p, 1024).unwrap();
    assert!(!format!("{r:?} {r:#?}").contains("topsecret"));
    let r = parse("grant_type=client_credentials&client_id=c1&client_secret=topsecret").unwrap();
    assert!(!format!("{r:?}").contains("topsecret"));
}

#[test]
fn c49_c141_the_jwt_bearer_grant_parses_with_one_assertion() {
    let r = parse("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c&resource=https%3A%2F%2Fmcp.example.com%2Fmcp").unwrap();
    assert_eq!(r.grant_type(), GrantType::JwtBearer);
    assert_eq!(r.assertion().map(GrantAssertion::as_str), Some("a.b.c"));
    assert_eq!(r.resources().len(), 1);
    assert!(matches!(r.auth(), ClientAuth::Absent));
    // The assertion is a credential: never in Debug.
    let shown = format!("{r:?}");
    assert!(!shown.contains("a.b.c"), "{shown}");
    assert!(shown.contains("[redacted]"));
    assert_eq!(
        parse("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c&assertion=d.e.f").unwrap_err(),
        Reason::RepeatedParameter("assertion")
    );
    // Without an assertion it parses; the issuer answers.
    let r = parse("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer").unwrap();
    assert!(r.assertion().is_none());
    // An assertion is no parameter of the client-credentials grant.
    let r =
        parse("grant_type=client_credentials&client_id=a&client_secret=s&assertion=a.b.c").unwrap();
    assert_eq!(r.grant_type(), GrantType::ClientCredentials);
    assert!(r.assertion().is_none());
}
