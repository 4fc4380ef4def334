//! Property tests for the parsers: `ScopeSet::parse` against a model of
//! `scope-token *( SP scope-token )` (C20, C32), `TokenRequest::parse` on hostile
//! input (never a panic, never a 5xx), Basic credentials round-tripping through
//! form-urlencoding (C9), and `Audience` matching against a model of RFC 3986
//! normalisation (C73, C135).

mod fixtures;

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_credentials::issuer::DEFAULT_MAX_BODY_BYTES;
use client_credentials::{Audience, ClientAuth, RequestParts, ScopeSet, TokenError, TokenRequest};
use fixtures::{basic_raw, form_urlencode, is_nqschar};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// ScopeSet::parse

/// `NQCHAR = %x21 / %x23-5B / %x5D-7E`.
fn is_nqchar(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

/// The model: `scope-token *( SP scope-token )`, `scope-token = 1*NQCHAR`, read
/// as "only NQCHAR and SP, not empty, no SP at either end, no two SP in a row".
/// Returns the distinct tokens, sorted.
fn scope_model(s: &str) -> Option<Vec<String>> {
    let well_formed = !s.is_empty()
        && s.chars().all(|c| c == ' ' || is_nqchar(c))
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ");
    if !well_formed {
        return None;
    }
    let tokens: BTreeSet<String> = s.split(' ').map(str::to_owned).collect();
    Some(tokens.into_iter().collect())
}

/// Strings over an alphabet rich in the characters the grammar cares about.
fn scope_like() -> impl Strategy<Value = String> {
    let alphabet = vec![
        'a', 'b', 'c', 'Z', ':', '!', '#', '[', ']', '~', '/', ' ', ' ', ' ', '"', '\\', '\t',
        '\n', '\u{7f}', '\u{e9}', '\u{0}',
    ];
    prop::collection::vec(prop::sample::select(alphabet), 0..12)
        .prop_map(|chars| chars.into_iter().collect())
}

/// A well-formed scope token.
fn scope_token() -> impl Strategy<Value = String> {
    "[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,8}"
}

proptest! {
    #[test]
    fn scope_parse_accepts_exactly_the_grammar(s in scope_like()) {
        let parsed = ScopeSet::parse(&s);
        let model = scope_model(&s);
        prop_assert_eq!(parsed.is_some(), model.is_some(), "{:?}", s);
        if let (Some(set), Some(tokens)) = (parsed, model) {
            let got: Vec<&str> = set.iter().collect();
            prop_assert_eq!(&got, &tokens);
            prop_assert_eq!(set.len(), tokens.len());
            prop_assert_eq!(set.to_string(), tokens.join(" "));
        }
    }

    #[test]
    fn scope_parse_of_arbitrary_strings_agrees_with_the_model(s in any::<String>()) {
        prop_assert_eq!(ScopeSet::parse(&s).is_some(), scope_model(&s).is_some());
    }

    #[test]
    fn scope_rendering_is_sorted_deduplicated_and_round_trips(
        tokens in prop::collection::vec(scope_token(), 1..8),
        shuffle in any::<prop::sample::Index>(),
    ) {
        let joined = tokens.join(" ");
        let set = ScopeSet::parse(&joined).expect("well-formed scope");
        let mut expected = tokens.clone();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(set.to_string(), expected.join(" "));
        prop_assert_eq!(ScopeSet::parse(&set.to_string()), Some(set.clone()));
        prop_assert_eq!(ScopeSet::from_strs(tokens.clone()).unwrap(), set.clone());
        // Order does not matter (C20): rotate the tokens.
        let mut rotated = tokens.clone();
        rotated.rotate_left(shuffle.index(tokens.len()));
        prop_assert_eq!(ScopeSet::parse(&rotated.join(" ")), Some(set.clone()));
        for t in &tokens {
            prop_assert!(set.contains(t));
        }
    }
}

// ---------------------------------------------------------------------------
// TokenRequest::parse

/// Checks what a parse result may be: a request, or a refusal that renders as a
/// well-formed 4xx.
fn check_parse(parts: &RequestParts<'_>) -> Result<(), TestCaseError> {
    match TokenRequest::parse(parts, DEFAULT_MAX_BODY_BYTES) {
        Ok(request) => {
            if let Some(scope) = request.scope() {
                prop_assert!(!scope.is_empty());
                prop_assert!(scope_model(&scope.to_string()).is_some());
            }
            for r in request.resources() {
                prop_assert!(Audience::new(r.as_str()).is_ok());
            }
            let _ = format!("{request:?}");
        }
        Err(reason) => {
            let response = TokenError::new(reason).to_http();
            prop_assert!(
                matches!(response.status, 400 | 401 | 405 | 413),
                "{:?} → {}",
                reason,
                response.status
            );
            prop_assert!(is_nqschar(reason.error_description()));
        }
    }
    Ok(())
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("POST".to_owned()),
        1 => prop::sample::select(vec!["GET", "post", "PUT", ""]).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => Just(Some("application/x-www-form-urlencoded".to_owned())),
        1 => Just(None),
        2 => prop::sample::select(vec![
            "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded;charset=\"UTF-8\"",
            "application/x-www-form-urlencoded; charset=latin1",
            "application/x-www-form-urlencoded;;;=",
            "application/x-www-form-urlencoded; charset",
            "APPLICATION/X-WWW-FORM-URLENCODED ; CHARSET = UTF-8",
            "application/json",
            ";",
            "",
        ])
        .prop_map(|s| Some(s.to_owned())),
        1 => any::<String>().prop_map(Some),
    ]
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        2 => (any::<Vec<u8>>(), prop::sample::select(vec!["Basic ", "basic ", "Basic  ", "Basic", "Bearer ", ""]))
            .prop_map(|(bytes, scheme)| Some(format!("{scheme}{}", STANDARD.encode(bytes)))),
        2 => ("[\\x20-\\x7E]{0,12}", "[\\x20-\\x7E%+]{0,12}")
            .prop_map(|(id, secret)| Some(basic_raw(&id, &secret))),
        1 => any::<String>().prop_map(Some),
    ]
}

/// Form bodies built from the parameters the parser knows, with values that are
/// sometimes right, so that the deep paths are reached too.
fn form_body() -> impl Strategy<Value = Vec<u8>> {
    let name = prop::sample::select(vec![
        "grant_type",
        "grant_type",
        "scope",
        "resource",
        "client_id",
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "foo",
        "",
    ]);
    let value = prop_oneof![
        3 => prop::sample::select(vec![
            "client_credentials",
            "mcp:read mcp:write",
            "https://mcp.example.com/mcp",
            "HTTPS://MCP.EXAMPLE.COM:443/mcp",
            "/mcp",
            "c1",
            "s3cr3t",
            "",
        ])
        .prop_map(form_urlencode),
        1 => any::<String>().prop_map(|s| form_urlencode(&s)),
        1 => "[%+=&a-z0-9]{0,8}",
    ];
    prop::collection::vec((name, value), 0..8).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    })
}

proptest! {
    #[test]
    fn token_request_parse_never_panics_on_arbitrary_bytes(
        method in method(),
        content_type in content_type(),
        authorization in authorization(),
        query in proptest::option::of(any::<String>()),
        body in any::<Vec<u8>>(),
    ) {
        let mut parts = RequestParts::new(&method, &body);
        if let Some(ct) = &content_type { parts = parts.content_type(ct); }
        if let Some(a) = &authorization { parts = parts.authorization(a); }
        if let Some(q) = &query { parts = parts.query(q); }
        check_parse(&parts)?;
    }

    #[test]
    fn token_request_parse_never_panics_on_form_bodies(
        content_type in content_type(),
        authorization in authorization(),
        query in proptest::option::of("[a-z_]{0,14}=[a-z%0-9]{0,6}"),
        body in form_body(),
    ) {
        let mut parts = RequestParts::new("POST", &body);
        if let Some(ct) = &content_type { parts = parts.content_type(ct); }
        if let Some(a) = &authorization { parts = parts.authorization(a); }
        if let Some(q) = &query { parts = parts.query(q); }
        check_parse(&parts)?;
    }

    #[test]
    fn token_request_parse_respects_the_body_limit(extra in 0usize..64) {
        let body = format!("grant_type=client_credentials&client_id=a&client_secret=b&pad={}", "x".repeat(extra));
        let parts = RequestParts::form_post(body.as_bytes());
        let limit = 70;
        let result = TokenRequest::parse(&parts, limit);
        prop_assert_eq!(result.is_ok(), body.len() <= limit);
    }
}

// ---------------------------------------------------------------------------
// Basic credentials (C9)

/// Percent-encodes every byte but ASCII letters and digits, spaces as `%20`: the
/// other valid spelling of a form-urlencoded value.
fn percent_encode_all(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn parse_basic(header: &str) -> Result<(String, String), String> {
    let parts = RequestParts::form_post(b"grant_type=client_credentials").authorization(header);
    let request =
        TokenRequest::parse(&parts, DEFAULT_MAX_BODY_BYTES).map_err(|r| format!("{r:?}"))?;
    match request.auth() {
        ClientAuth::SecretBasic { client_id, secret } => {
            Ok((client_id.clone(), secret.expose_secret().to_owned()))
        }
        other => Err(format!("not Basic: {other:?}")),
    }
}

proptest! {
    #[test]
    fn basic_credentials_round_trip_through_form_urlencoding(
        id in "[\\x20-\\x7E]{1,24}",
        secret in "[\\x20-\\x7E]{0,24}",
    ) {
        let plus = basic_raw(&form_urlencode(&id), &form_urlencode(&secret));
        prop_assert_eq!(parse_basic(&plus), Ok((id.clone(), secret.clone())));
        let percent = basic_raw(&percent_encode_all(&id), &percent_encode_all(&secret));
        prop_assert_eq!(parse_basic(&percent), Ok((id, secret)));
    }

    #[test]
    fn basic_credentials_round_trip_for_any_unicode(
        id in "\\PC{1,12}",
        secret in "\\PC{0,12}",
    ) {
        let header = basic_raw(&form_urlencode(&id), &form_urlencode(&secret));
        prop_assert_eq!(parse_basic(&header), Ok((id, secret)));
    }
}

// ---------------------------------------------------------------------------
// Audience

/// An abstract resource: what a URI names once normalised.
#[derive(Clone, Debug)]
struct Resource {
    https: bool,
    host: usize,
    port: Option<u16>,
    path: usize,
    query: bool,
}

const HOSTS: [&str; 2] = ["mcp.example.com", "api.example.org"];
/// `""` and `"/"` name the same resource (RFC 3986 §6.2.3); the others differ.
const PATHS: [&str; 6] = ["", "/", "/mcp", "/MCP", "/mcp/", "/a/b"];

impl Resource {
    /// Equal keys, same resource.
    fn key(&self) -> (bool, usize, Option<u16>, &'static str, bool) {
        let path = match PATHS[self.path] {
            "" => "/",
            p => p,
        };
        (self.https, self.host, self.port, path, self.query)
    }
}

/// One way to write a resource: letter case, explicit default port, dot
/// segments, and percent-encoded unreserved characters.
#[derive(Clone, Debug)]
struct Spelling {
    scheme_case: u8,
    host_case: u8,
    default_port: bool,
    dot_segment: bool,
    escape: u8,
}

fn recase(s: &str, how: u8) -> String {
    match how % 3 {
        0 => s.to_owned(),
        1 => s.to_ascii_uppercase(),
        _ => s
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect(),
    }
}

fn spell(r: &Resource, s: &Spelling) -> String {
    let scheme = recase(if r.https { "https" } else { "http" }, s.scheme_case);
    let host = recase(HOSTS[r.host], s.host_case);
    let port = match (r.port, s.default_port) {
        (Some(p), _) => format!(":{p}"),
        (None, true) => (if r.https { ":443" } else { ":80" }).to_owned(),
        (None, false) => String::new(),
    };
    let mut path = PATHS[r.path].to_owned();
    if s.dot_segment && path.len() > 1 {
        path = format!("/x/..{path}");
    }
    if s.escape > 0 && path.len() > 1 {
        // Escape the first letter: `%6D` or `%6d` for `m`.
        let letter = path.as_bytes()[1];
        let escaped = if s.escape == 1 {
            format!("%{letter:02X}")
        } else {
            format!("%{letter:02x}")
        };
        path = format!("/{escaped}{}", &path[2..]);
    }
    let query = if r.query { "?x=1" } else { "" };
    format!("{scheme}://{host}{port}{path}{query}")
}

fn resource() -> impl Strategy<Value = Resource> {
    (
        any::<bool>(),
        0..HOSTS.len(),
        prop::option::weighted(0.2, Just(8443u16)),
        0..PATHS.len(),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(https, host, port, path, query)| Resource {
            https,
            host,
            port,
            path,
            query,
        })
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (0u8..3, 0u8..3, any::<bool>(), any::<bool>(), 0u8..3).prop_map(
        |(scheme_case, host_case, default_port, dot_segment, escape)| Spelling {
            scheme_case,
            host_case,
            default_port,
            dot_segment,
            escape,
        },
    )
}

/// A resource spelled some way: two of these match exactly when the resources
/// are the same. Resources are drawn from a small space so that equal ones
/// come up often.
fn spelled() -> impl Strategy<Value = (Resource, String)> {
    (resource(), spelling()).prop_map(|(r, s)| {
        let uri = spell(&r, &s);
        (r, uri)
    })
}

fn uri_like() -> impl Strategy<Value = String> {
    let alphabet = vec![
        'h', 't', 'p', 's', 'a', ':', '/', '/', '?', '#', '%', '[', ']', '@', '.', '-', '1', '8',
        'A', ' ', '\u{e9}', '\u{0}', '\\', '"',
    ];
    prop::collection::vec(prop::sample::select(alphabet), 0..24)
        .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn audience_new_never_panics(s in any::<String>(), u in uri_like()) {
        for input in [s, format!("https://{u}"), u] {
            if let Ok(a) = Audience::new(input.clone()) {
                prop_assert_eq!(a.as_str(), input.as_str());
                prop_assert!(a.matches(&a));
                prop_assert!(!input.contains('#'));
            }
        }
    }

    #[test]
    fn audience_matching_is_the_model_equivalence(
        (ra, a) in spelled(),
        (rb, b) in spelled(),
        (rc, c) in spelled(),
    ) {
        let a_aud = Audience::new(a.clone()).expect("generated URIs are valid");
        let b_aud = Audience::new(b.clone()).expect("generated URIs are valid");
        let c_aud = Audience::new(c.clone()).expect("generated URIs are valid");
        prop_assert_eq!(a_aud.matches(&b_aud), ra.key() == rb.key(), "{} ~ {}", a, b);
        // Reflexive, symmetric, transitive.
        prop_assert!(a_aud.matches(&a_aud));
        prop_assert_eq!(a_aud.matches(&b_aud), b_aud.matches(&a_aud));
        if a_aud.matches(&b_aud) && b_aud.matches(&c_aud) {
            prop_assert!(a_aud.matches(&c_aud), "{} ~ {} ~ {}", a, b, c);
        }
        let _ = rc;
    }

    #[test]
    fn every_spelling_of_a_resource_matches_its_canonical_form(r in resource(), s in spelling()) {
        let canonical = spell(&r, &Spelling { scheme_case: 0, host_case: 0, default_port: false, dot_segment: false, escape: 0 });
        let spelled = spell(&r, &s);
        prop_assert!(
            Audience::new(canonical.clone()).unwrap().matches(&Audience::new(spelled.clone()).unwrap()),
            "{} vs {}", canonical, spelled
        );
    }
}
