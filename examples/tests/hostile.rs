//! The `hostile` table (shared with the in-process test, in the main crate's
//! `tests/hostile/table.rs`) through each example's HTTP stack (axum, hyper,
//! actix-web), over raw loopback TCP so that every byte is the row's: every row
//! gets the RFC 6749 error it names, with its status. On top of it, requests
//! only HTTP can carry (framing, header syntax, sizes past the frameworks'
//! limits), each answered with the crate's error or the framework's 4xx it
//! names. None gets a 5xx, and every server still answers afterwards.

mod fixtures;
#[path = "../../tests/hostile/table.rs"]
mod table;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use fixtures::Stack;
use serde_json::Value;
use table::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The bound on one exchange: connect, write, read to the end.
const EXCHANGE: Duration = Duration::from_secs(5);
/// The most bytes read back from one exchange.
const MAX_ANSWER: usize = 64 * 1024;

/// An answer as read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn error(&self) -> Value {
        serde_json::from_slice::<Value>(&self.body).unwrap_or_default()["error"].clone()
    }
}

/// Writes `request` to `addr`, optionally closes the writing half, and reads
/// the answer until the server closes the connection (every request asks it
/// to), within [`EXCHANGE`]. `None` when the server closed without answering.
async fn exchange(addr: SocketAddr, request: &[u8], half_close: bool) -> Option<Answer> {
    let read = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // The server may answer (and close) before reading it all.
        let _ = stream.write_all(request).await;
        if half_close {
            let _ = stream.shutdown().await;
        }
        let mut bytes = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    bytes.extend_from_slice(&buf[..n]);
                    if bytes.len() > MAX_ANSWER || complete(&bytes) {
                        break;
                    }
                }
            }
        }
        bytes
    };
    let bytes = tokio::time::timeout(EXCHANGE, read)
        .await
        .expect("the exchange ended within its bound");
    parse(&bytes)
}

/// Whether `bytes` hold a whole response with a `Content-Length` body.
fn complete(bytes: &[u8]) -> bool {
    parse(bytes).is_some_and(|a| {
        a.header("content-length")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| a.body.len() >= n)
    })
}

fn parse(bytes: &[u8]) -> Option<Answer> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = bytes[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Some(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = bytes.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&bytes[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        let start = line_end + 2;
        if size == 0 || bytes.len() < start + size {
            break;
        }
        out.extend_from_slice(&bytes[start..start + size]);
        bytes = &bytes[(start + size + 2).min(bytes.len())..];
    }
    out
}

/// The bytes of `row` as an HTTP/1.1 request.
fn request(row: &Row) -> Vec<u8> {
    let mut target = row.endpoint.path().to_owned();
    if let Some(query) = &row.query {
        target.push('?');
        target.push_str(query);
    }
    let mut out = format!(
        "{} {target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n",
        row.method
    )
    .into_bytes();
    if let Some(content_type) = &row.content_type {
        out.extend_from_slice(format!("content-type: {content_type}\r\n").as_bytes());
    }
    for value in &row.authorization {
        out.extend_from_slice(b"authorization: ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", row.body.len()).as_bytes());
    out.extend_from_slice(&row.body);
    out
}

/// What a request only HTTP can carry must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// The crate's error: status and `error` code.
    Crate(u16, &'static str),
    /// The framework's own answer, before the request reaches the crate.
    Framework(u16),
}

/// A request only HTTP can carry: its raw bytes, and the answer each stack
/// must give ([`Stack::Axum`], [`Stack::Hyper`], [`Stack::Actix`]).
struct Raw {
    name: &'static str,
    bytes: Vec<u8>,
    half_close: bool,
    expect: [Expect; 3],
}

fn raw(name: &'static str, bytes: impl Into<Vec<u8>>, expect: Expect) -> Raw {
    Raw {
        name,
        bytes: bytes.into(),
        half_close: false,
        expect: [expect; 3],
    }
}

/// `POST /token` with Basic for the table's secret client, `headers` and `body`
/// as given (no `Content-Length` unless `headers` has one).
fn token_request(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "POST /token HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\nauthorization: {}\r\n{headers}\r\n",
        table::basic(table::APP, table::APP_SECRET)
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

const FORM_TYPE: &str = "content-type: application/x-www-form-urlencoded\r\n";

fn raw_rows() -> Vec<Raw> {
    use Expect::{Crate, Framework};
    let form = |extra: &str| format!("{FORM_TYPE}{extra}");
    vec![
        raw(
            "chunked body with an unsupported grant type",
            token_request(
                &form("transfer-encoding: chunked\r\n"),
                b"13\r\ngrant_type=password\r\n0\r\n\r\n",
            ),
            Crate(400, "unsupported_grant_type"),
        ),
        raw(
            "Content-Length shorter than the body",
            token_request(
                &form("content-length: 14\r\n"),
                b"grant_type=client_credentials",
            ),
            Crate(400, "unsupported_grant_type"),
        ),
        raw(
            "no Content-Length and no body",
            token_request(FORM_TYPE, b""),
            Crate(400, "invalid_request"),
        ),
        Raw {
            half_close: true,
            ..raw(
                "Content-Length longer than the body, then EOF",
                token_request(
                    &form("content-length: 100\r\n"),
                    b"grant_type=client_credentials",
                ),
                Crate(413, "invalid_request"),
            )
        },
        Raw {
            half_close: true,
            ..raw(
                "chunked body cut off, then EOF",
                token_request(
                    &form("transfer-encoding: chunked\r\n"),
                    b"1d\r\ngrant_type=client_cre",
                ),
                Crate(413, "invalid_request"),
            )
        },
        raw(
            "chunk size not hexadecimal",
            token_request(
                &form("transfer-encoding: chunked\r\n"),
                b"zz\r\ngrant_type=client_credentials\r\n0\r\n\r\n",
            ),
            Crate(413, "invalid_request"),
        ),
        raw(
            "chunk size overflowing 64 bits",
            token_request(
                &form("transfer-encoding: chunked\r\n"),
                b"fffffffffffffffffffff\r\nx\r\n0\r\n\r\n",
            ),
            Crate(413, "invalid_request"),
        ),
        raw(
            "chunked body past the limit",
            {
                let chunk = "a".repeat(table::MAX_BODY);
                token_request(
                    &form("transfer-encoding: chunked\r\n"),
                    format!(
                        "{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
                        chunk.len(),
                        chunk.len()
                    )
                    .as_bytes(),
                )
            },
            Crate(413, "invalid_request"),
        ),
        raw(
            "Content-Length past the limit",
            token_request(
                &form(&format!("content-length: {}\r\n", 4 * table::MAX_BODY)),
                "a".repeat(4 * table::MAX_BODY).as_bytes(),
            ),
            Crate(413, "invalid_request"),
        ),
        raw(
            "Content-Length of 10^20",
            token_request(&form("content-length: 100000000000000000000\r\n"), b""),
            Framework(400),
        ),
        raw(
            "Content-Length not a number",
            token_request(
                &form("content-length: ten\r\n"),
                b"grant_type=client_credentials",
            ),
            Framework(400),
        ),
        raw(
            "Content-Length negative",
            token_request(
                &form("content-length: -1\r\n"),
                b"grant_type=client_credentials",
            ),
            Framework(400),
        ),
        raw(
            "two different Content-Lengths",
            token_request(
                &form("content-length: 29\r\ncontent-length: 5\r\n"),
                b"grant_type=client_credentials",
            ),
            Framework(400),
        ),
        Raw {
            // RFC 9112 §6.1: chunked overrides Content-Length (hyper), or the
            // message is refused (actix-web); either is allowed.
            expect: [
                Crate(400, "unsupported_grant_type"),
                Crate(400, "unsupported_grant_type"),
                Framework(400),
            ],
            ..raw(
                "Content-Length and chunked together",
                token_request(
                    &form("content-length: 5\r\ntransfer-encoding: chunked\r\n"),
                    b"13\r\ngrant_type=password\r\n0\r\n\r\n",
                ),
                Framework(400),
            )
        },
        raw(
            "unknown transfer coding",
            token_request(&form("transfer-encoding: gzip\r\n"), b"xxxx"),
            Framework(400),
        ),
        raw(
            "space before the colon of a header",
            token_request(&form("x-forged : 1\r\n"), b""),
            Framework(400),
        ),
        raw(
            "header line without a colon",
            token_request(&form("not a header\r\n"), b""),
            Framework(400),
        ),
        raw(
            "obsolete line folding",
            token_request(&form("x-folded: a\r\n b\r\n"), b""),
            Framework(400),
        ),
        raw(
            "NUL in a header value",
            token_request(&form("x-nul: a\0b\r\n"), b""),
            Framework(400),
        ),
        raw(
            "garbage request line",
            b"GARBAGE\r\n\r\n".to_vec(),
            Framework(400),
        ),
        raw(
            "request line with a space in the target",
            b"POST /to ken HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".to_vec(),
            Framework(400),
        ),
        raw(
            "header of 64 KiB, and an unsupported grant type",
            token_request(
                &form(&format!(
                    "x-big: {}\r\ncontent-length: 19\r\n",
                    "a".repeat(64 * 1024)
                )),
                b"grant_type=password",
            ),
            Crate(400, "unsupported_grant_type"),
        ),
        raw(
            "header of 1 MiB",
            token_request(
                &form(&format!("x-big: {}\r\n", "a".repeat(1024 * 1024))),
                b"",
            ),
            Framework(431),
        ),
        raw(
            "200 headers",
            token_request(&form(&"x-h: 1\r\n".repeat(200)), b""),
            Framework(431),
        ),
        raw(
            "Authorization of 64 KiB",
            format!(
                "POST /token HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{FORM_TYPE}authorization: Basic {}\r\ncontent-length: 29\r\n\r\ngrant_type=client_credentials",
                "QUFB".repeat(16 * 1024)
            ),
            Crate(401, "invalid_client"),
        ),
        raw(
            "two Authorization headers, one folded into a list",
            format!(
                "POST /token HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{FORM_TYPE}authorization: {0}, {0}\r\ncontent-length: 29\r\n\r\ngrant_type=client_credentials",
                table::basic(table::APP, table::APP_SECRET)
            ),
            Crate(401, "invalid_client"),
        ),
        raw(
            // Each adapter reads the first Content-Type line.
            "Content-Type twice, JSON first",
            token_request(
                &format!("content-type: application/json\r\n{FORM_TYPE}content-length: 29\r\n"),
                b"grant_type=client_credentials",
            ),
            Crate(400, "invalid_request"),
        ),
    ]
}

/// Sends every table row and every raw row to `stack` serving the table's
/// issuer; the rows whose answer differs from the expected one.
async fn run(stack: Stack) -> Vec<String> {
    let server = fixtures::start(stack, Arc::new(table::issuer())).await;
    let mut wrong = Vec::new();
    for row in table::rows() {
        let label = format!("{stack:?} {} {}", row.endpoint.path(), row.name);
        match exchange(server.addr, &request(&row), false).await {
            None => wrong.push(format!("{label}: closed without an answer")),
            Some(a) if a.status != row.status || a.error() != row.error => wrong.push(format!(
                "{label}: expected {} {}, got {} {}",
                row.status,
                row.error,
                a.status,
                String::from_utf8_lossy(&a.body)
            )),
            Some(a) => check_error_headers(&label, &a, &mut wrong),
        }
    }
    let index = Stack::ALL.iter().position(|s| *s == stack).unwrap();
    for row in raw_rows() {
        let label = format!("{stack:?} raw {}", row.name);
        let expect = row.expect[index];
        let answer = exchange(server.addr, &row.bytes, row.half_close).await;
        let got = answer.as_ref().map(|a| match a.error() {
            Value::String(error) if a.header("cache-control") == Some("no-store") => {
                (a.status, Some(error))
            }
            _ => (a.status, None),
        });
        let matches = match (expect, &got) {
            (Expect::Crate(status, error), Some((s, Some(e)))) => *s == status && e == error,
            (Expect::Framework(status), Some((s, None))) => *s == status,
            _ => false,
        };
        if !matches {
            wrong.push(format!("{label}: expected {expect:?}, got {got:?}"));
        }
    }
    // Still serving.
    let ok = Row {
        name: "a good request".into(),
        endpoint: table::Endpoint::Token,
        method: "POST",
        content_type: Some(table::FORM.into()),
        authorization: vec![table::basic(table::APP, table::APP_SECRET).into_bytes()],
        query: None,
        body: b"grant_type=client_credentials".to_vec(),
        status: 200,
        error: "",
    };
    let answer = exchange(server.addr, &request(&ok), false).await;
    if answer.as_ref().map(|a| a.status) != Some(200) {
        wrong.push(format!(
            "{stack:?}: a good request after the table got {answer:?}"
        ));
    }
    server.stop().await;
    wrong
}

/// The headers every crate error carries (C25, C28, C139, C1).
fn check_error_headers(label: &str, a: &Answer, wrong: &mut Vec<String>) {
    let mut fail = |what: &str| wrong.push(format!("{label}: {what}"));
    if a.header("content-type") != Some("application/json") {
        fail("Content-Type");
    }
    if a.header("cache-control") != Some("no-store") || a.header("pragma") != Some("no-cache") {
        fail("Cache-Control and Pragma");
    }
    if (a.status == 401)
        != a.header("www-authenticate")
            .is_some_and(|c| c.starts_with("Basic "))
    {
        fail("a Basic challenge exactly on 401");
    }
    if (a.status == 405) != (a.header("allow") == Some("POST")) {
        fail("Allow: POST exactly on 405");
    }
}

async fn check(stack: Stack) {
    let wrong = tokio::time::timeout(Duration::from_secs(120), run(stack))
        .await
        .expect("the table ran within its bound");
    assert!(
        wrong.is_empty(),
        "{} rows:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_row_gets_its_documented_error_over_axum() {
    check(Stack::Axum).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_row_gets_its_documented_error_over_hyper() {
    check(Stack::Hyper).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_row_gets_its_documented_error_over_actix() {
    check(Stack::Actix).await;
}

/// Each hostile JWK Set of the table registered through the axum example's
/// configuration file (a client's `jwks`, as a JSON string): the file is
/// refused with the crate's own error for the rows registration refuses, and
/// loads for the rows whose hostile member is inert.
#[test]
fn every_hostile_jwk_set_in_the_config_file_gets_the_crates_answer() {
    use client_credentials::ClientJwks;
    use client_credentials_examples::axum_server::config::ServerConfig;

    let pem = fixtures::es256_pem();
    let mut wrong = Vec::new();
    for row in table::jwk_rows() {
        let jwks = toml::Value::String(row.jwks.clone()).to_string();
        let file = format!(
            "issuer = \"http://127.0.0.1:8443\"\nlisten = \"127.0.0.1:8443\"\n\
             auth_methods = [\"private_key_jwt\"]\n\n\
             [[keys]]\nalgorithm = \"ES256\"\nprivate_key_file = \"signing.pem\"\n\n\
             [[clients]]\nid = \"suspect\"\nallowed_scopes = [\"mcp:read\"]\n\
             default_audience = \"https://mcp.example.com/mcp\"\njwks = {jwks}\n"
        );
        let dir = fixtures::temp_files(&[("server.toml", &file), ("signing.pem", &pem)]);
        let loaded = std::panic::catch_unwind(|| {
            ServerConfig::load(&dir.path().join("server.toml")).map(|_| ())
        });
        let in_process = ClientJwks::from_json(&row.jwks)
            .err()
            .map(|e| e.to_string());
        match (row.expect, loaded, in_process) {
            (_, Err(_), _) => wrong.push(format!("{}: panicked", row.name)),
            (table::JwkExpect::Inert, Ok(Ok(())), None) => {}
            (table::JwkExpect::Refused(_), Ok(Err(e)), Some(error))
                if e.to_string()
                    .ends_with(&format!(": client \"suspect\": {error}")) => {}
            (expect, Ok(got), _) => wrong.push(format!(
                "{}: expected {expect:?}, got {:?}",
                row.name,
                got.map_err(|e| e.to_string())
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
