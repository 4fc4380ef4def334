//! Token requests: from the HTTP parts any framework has to a checked
//! [`TokenRequest`] (RFC 6749 §3.2, §4.4.2, Appendix B; RFC 8707 §2).

use std::borrow::Cow;
use std::fmt;

use percent_encoding::percent_decode_str;

use crate::audience::Audience;
use crate::client_auth::ClientAuth;
use crate::error::Reason;
use crate::scope::ScopeSet;
use crate::secret::ClientSecret;

/// The default limit on a token request body: far above any real request (an
/// RSA-4096 client assertion is under 2 KiB), far below anything that hurts.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024;

/// The parts of an HTTP request that the token endpoint reads. Every framework has
/// them; adapters fill them in and hand them to [`TokenRequest::parse`] or
/// [`Issuer::handle_token_request`](crate::Issuer::handle_token_request).
///
/// Its `Debug` never shows the `Authorization` header or the body.
#[derive(Clone, Copy)]
pub struct RequestParts<'a> {
    method: &'a str,
    content_type: Option<&'a str>,
    authorization: Option<&'a str>,
    /// How many `Authorization` header lines the request carried.
    authorization_lines: u8,
    /// One of them was not UTF-8, so cannot be a Basic credential.
    authorization_not_utf8: bool,
    query: Option<&'a str>,
    body: &'a [u8],
}

impl<'a> RequestParts<'a> {
    /// A request with this method and body, and no headers yet.
    pub fn new(method: &'a str, body: &'a [u8]) -> Self {
        Self {
            method,
            content_type: None,
            authorization: None,
            authorization_lines: 0,
            authorization_not_utf8: false,
            query: None,
            body,
        }
    }

    /// A `POST` of a form body, the usual token request.
    pub fn form_post(body: &'a [u8]) -> Self {
        Self::new("POST", body).content_type("application/x-www-form-urlencoded")
    }

    /// Sets the `Content-Type` header value.
    #[must_use]
    pub fn content_type(mut self, value: &'a str) -> Self {
        self.content_type = Some(value);
        self
    }

    /// Adds an `Authorization` header value. Call it once per header line the
    /// request carried: two lines are two credentials, which
    /// [`TokenRequest::parse`] refuses with `invalid_request` (C7).
    #[must_use]
    pub fn authorization(mut self, value: &'a str) -> Self {
        self.authorization = Some(value);
        self.authorization_lines = self.authorization_lines.saturating_add(1);
        self
    }

    /// Adds an `Authorization` header value as raw bytes, the form most
    /// frameworks hold it in. A value that is not UTF-8 cannot be a Basic
    /// credential and is refused as malformed rather than ignored: ignoring it
    /// would let a request carry a second credential unseen.
    #[must_use]
    pub fn authorization_bytes(mut self, value: &'a [u8]) -> Self {
        match std::str::from_utf8(value) {
            Ok(text) => self.authorization(text),
            Err(_) => {
                self.authorization_not_utf8 = true;
                self.authorization_lines = self.authorization_lines.saturating_add(1);
                self
            }
        }
    }

    /// Sets the request URI's query string (without `?`), which must never carry
    /// credentials (C11).
    #[must_use]
    pub fn query(mut self, value: &'a str) -> Self {
        self.query = Some(value);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The `Authorization` header value, for parsers inside the crate only.
    pub(crate) fn authorization_header(&self) -> Option<&'a str> {
        self.authorization
    }

    /// Whether an `Authorization` header is present.
    pub fn has_authorization(&self) -> bool {
        self.authorization_lines > 0
    }
}

impl fmt::Debug for RequestParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestParts")
            .field("method", &self.method)
            .field("content_type", &self.content_type)
            .field(
                "authorization",
                &self.has_authorization().then_some("[redacted]"),
            )
            .field("authorization_lines", &self.authorization_lines)
            .field("query", &self.query.map(|_| "[redacted]"))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A syntactically valid client-credentials token request: the requested scope
/// and resources, and the one client authentication it carries.
#[derive(Debug)]
pub struct TokenRequest {
    scope: Option<ScopeSet>,
    resources: Vec<Audience>,
    auth: ClientAuth,
}

impl TokenRequest {
    /// Parses and checks a token request.
    ///
    /// Checks, in order: `POST` only (C1); the body size limit; a form body in
    /// UTF-8 (C2); no credentials in the URI (C11); no repeated parameter but
    /// `resource` (C3, C70); empty parameters count as omitted (C4); unknown ones
    /// are ignored (C5); `grant_type` present and `client_credentials` (C17); at
    /// most one `Authorization` header, in UTF-8; one client authentication
    /// method (C7) with Basic credentials form-urldecoded (C9); `scope` syntax
    /// (C32); `resource` syntax (C65, C66).
    ///
    /// # Errors
    /// The [`Reason`] for the first check that fails.
    pub fn parse(parts: &RequestParts<'_>, max_body_bytes: usize) -> Result<Self, Reason> {
        let form = FormParams::parse(form_post_pairs(parts, max_body_bytes)?)?;
        match form.grant_type.as_deref() {
            None => return Err(Reason::MissingGrantType),
            Some("client_credentials") => {}
            Some(_) => return Err(Reason::UnsupportedGrantType),
        }
        let auth = form.auth.into_client_auth(parts)?;
        let scope = match form.scope {
            None => None,
            Some(s) => Some(ScopeSet::parse(&s).ok_or(Reason::MalformedScope)?),
        };
        let resources = form
            .resources
            .iter()
            .map(|r| Audience::parse_request(r).ok_or(Reason::MalformedResource))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            scope,
            resources,
            auth,
        })
    }

    /// The requested scope; `None` when the request names none.
    pub fn scope(&self) -> Option<&ScopeSet> {
        self.scope.as_ref()
    }

    /// The requested resources (RFC 8707), in request order.
    pub fn resources(&self) -> &[Audience] {
        &self.resources
    }

    /// The client authentication presented.
    pub fn auth(&self) -> &ClientAuth {
        &self.auth
    }
}

/// One decoded name/value pair of a form body, borrowed where nothing was escaped.
pub(crate) type FormPair<'b> = (Cow<'b, str>, Cow<'b, str>);

/// The checks every form-posting endpoint of the issuer shares — `POST` only
/// (C1, C94), the body size limit, a form body (C2), no credentials in the URI
/// (C11) — then the body's name/value pairs.
pub(crate) fn form_post_pairs<'b>(
    parts: &RequestParts<'b>,
    max_body_bytes: usize,
) -> Result<FormPairs<'b>, Reason> {
    if parts.method != "POST" {
        return Err(Reason::MethodNotAllowed);
    }
    if parts.body.len() > max_body_bytes {
        return Err(Reason::BodyTooLarge);
    }
    if !is_form_content_type(parts.content_type) {
        return Err(Reason::UnsupportedContentType);
    }
    if parts.query.is_some_and(query_has_credentials) {
        return Err(Reason::CredentialsInUri);
    }
    FormPairs::new(parts.body).ok_or(Reason::MalformedBody)
}

/// `application/x-www-form-urlencoded`, any case, with an optional UTF-8 charset.
fn is_form_content_type(value: Option<&str>) -> bool {
    const FORM: &str = "application/x-www-form-urlencoded";
    let Some(value) = value else { return false };
    // What nearly every client sends, settled by one comparison.
    if value == FORM {
        return true;
    }
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(FORM) {
        return false;
    }
    parts.all(|param| {
        let (name, val) = param.split_once('=').unwrap_or((param, ""));
        let val = val.trim().trim_matches('"');
        !name.trim().eq_ignore_ascii_case("charset")
            || val.eq_ignore_ascii_case("utf-8")
            || val.eq_ignore_ascii_case("utf8")
    })
}

fn query_has_credentials(query: &str) -> bool {
    // A query that does not decode cannot be cleared of credentials.
    FormPairs::new(query.as_bytes()).is_none_or(|mut pairs| {
        pairs.any(|pair| match pair {
            Ok((name, _)) => matches!(&*name, "client_secret" | "client_assertion"),
            Err(_) => true,
        })
    })
}

/// The name/value pairs of a form body, decoded one at a time as they are
/// read, borrowing every name and value that holds no escape.
///
/// It reads bodies as the WHATWG URL standard's `application/x-www-form-urlencoded`
/// parser does: pairs split on `&` (empty ones skipped), the name ends at the
/// first `=`; escapes are decoded by `percent-encoding`. `serde_urlencoded`
/// reads them alike (the tests check it) but costs about 2,000 more
/// instructions per token request, 6% of a whole HS256 issuance.
pub(crate) struct FormPairs<'b> {
    rest: &'b str,
}

impl<'b> FormPairs<'b> {
    /// The pairs of `body`; `None` when it is not UTF-8.
    pub(crate) fn new(body: &'b [u8]) -> Option<Self> {
        Some(Self {
            rest: std::str::from_utf8(body).ok()?,
        })
    }
}

impl<'b> Iterator for FormPairs<'b> {
    /// A pair, or [`Reason::MalformedBody`] for one that is not UTF-8 once
    /// decoded.
    type Item = Result<FormPair<'b>, Reason>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (pair, next) = split_at_byte(self.rest, b'&').unwrap_or((self.rest, ""));
            self.rest = next;
            if pair.is_empty() {
                continue;
            }
            let (name, value) = split_at_byte(pair, b'=').unwrap_or((pair, ""));
            // Most pairs are plain ASCII: one scan clears both halves.
            if is_plain_ascii(pair) {
                return Some(Ok((Cow::Borrowed(name), Cow::Borrowed(value))));
            }
            return Some(match (form_value(name), form_value(value)) {
                (Some(name), Some(value)) => Ok((name, value)),
                _ => Err(Reason::MalformedBody),
            });
        }
    }
}

/// ASCII without `+` or `%`: form-urldecoding leaves it as it is, and it cannot
/// hold U+FFFD. `is_ascii` and `memchr2` scan a word or a vector at a time,
/// several times faster than a loop over bytes even on short values.
fn is_plain_ascii(s: &str) -> bool {
    s.is_ascii() && memchr::memchr2(b'+', b'%', s.as_bytes()).is_none()
}

/// `s.split_once(byte)` for an ASCII `byte`, found by `memchr`.
fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let at = memchr::memchr(byte, s.as_bytes())?;
    // An ASCII byte is always a character boundary.
    Some((&s[..at], &s[at + 1..]))
}

/// One decoded form name or value. U+FFFD is refused, escaped or not: decoders
/// that replace invalid UTF-8 with it would read such a value differently (C2).
fn form_value(raw: &str) -> Option<Cow<'_, str>> {
    let value = form_urldecode(raw)?;
    (value.is_ascii() || !value.contains('\u{FFFD}')).then_some(value)
}

/// The client-authentication parameters of a form body (RFC 6749 §2.3.1,
/// RFC 7521 §4.2), read alike by every endpoint that authenticates clients.
#[derive(Default)]
pub(crate) struct AuthParams {
    client_id: Option<String>,
    client_secret: Option<ClientSecret>,
    client_assertion_type: Option<String>,
    client_assertion: Option<AssertionText>,
}

/// The raw `client_assertion` until it is parsed: zeroized if parsing stops early.
struct AssertionText(String);

impl Drop for AssertionText {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl AuthParams {
    /// Records `name=value` if `name` is a client-authentication parameter;
    /// otherwise hands `value` back.
    ///
    /// # Errors
    /// [`Reason::RepeatedParameter`] for a repeated one (C3).
    pub(crate) fn take<'v>(
        &mut self,
        name: &str,
        value: Cow<'v, str>,
    ) -> Result<Option<Cow<'v, str>>, Reason> {
        match name {
            "client_id" => set_once(&mut self.client_id, "client_id", value.into_owned())?,
            "client_secret" => {
                if self.client_secret.is_some() {
                    return Err(Reason::RepeatedParameter("client_secret"));
                }
                self.client_secret = Some(ClientSecret::new(value.into_owned()));
            }
            "client_assertion_type" => set_once(
                &mut self.client_assertion_type,
                "client_assertion_type",
                value.into_owned(),
            )?,
            "client_assertion" => {
                if self.client_assertion.is_some() {
                    return Err(Reason::RepeatedParameter("client_assertion"));
                }
                self.client_assertion = Some(AssertionText(value.into_owned()));
            }
            _ => return Ok(Some(value)),
        }
        Ok(None)
    }

    /// The one client authentication the request carries, with its
    /// `Authorization` header: at most one line, in UTF-8 (C7).
    pub(crate) fn into_client_auth(self, parts: &RequestParts<'_>) -> Result<ClientAuth, Reason> {
        if parts.authorization_lines > 1 {
            return Err(Reason::RepeatedAuthorization);
        }
        if parts.authorization_not_utf8 {
            return Err(Reason::MalformedAuthorization);
        }
        ClientAuth::from_parts(
            parts.authorization_header(),
            self.client_id,
            self.client_secret,
            self.client_assertion_type,
            self.client_assertion.map(|mut a| std::mem::take(&mut a.0)),
        )
    }
}

/// The recognised parameters of a token request body, borrowed from it where
/// nothing was escaped.
#[derive(Default)]
struct FormParams<'b> {
    grant_type: Option<Cow<'b, str>>,
    scope: Option<Cow<'b, str>>,
    resources: Vec<Cow<'b, str>>,
    auth: AuthParams,
}

impl<'b> FormParams<'b> {
    fn parse(pairs: FormPairs<'b>) -> Result<Self, Reason> {
        let mut form = Self::default();
        for pair in pairs {
            let (name, value) = pair?;
            if value.is_empty() {
                continue; // C4: sent without a value means omitted.
            }
            let name: &str = &name;
            let Some(value) = form.auth.take(name, value)? else {
                continue;
            };
            match name {
                "grant_type" => set_once(&mut form.grant_type, "grant_type", value)?,
                "scope" => set_once(&mut form.scope, "scope", value)?,
                "resource" => form.resources.push(value),
                _ => {} // C5: unknown parameters are ignored.
            }
        }
        Ok(form)
    }
}

/// Fills `slot` with `value`, refusing a parameter sent twice (C3).
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    name: &'static str,
    value: T,
) -> Result<(), Reason> {
    if slot.is_some() {
        return Err(Reason::RepeatedParameter(name));
    }
    *slot = Some(value);
    Ok(())
}

/// Basic credentials up to this many bytes (an id and a generated secret with
/// room to spare) are decoded on the stack; longer ones on the heap.
const BASIC_STACK_BYTES: usize = 128;

/// Decodes `Basic <base64(urlencode(id):urlencode(secret))>` (RFC 6749 §2.3.1).
///
/// Returns `Ok(None)` for another scheme, which the caller refuses as an
/// unsupported authentication method.
pub(crate) fn decode_basic(header: &str) -> Result<Option<(String, ClientSecret)>, Reason> {
    let header = header.trim();
    let (scheme, credentials) = split_at_byte(header, b' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let unpadded =
        basic_base64_unpadded(credentials.trim()).ok_or(Reason::MalformedAuthorization)?;
    let decoded_len = unpadded.len() * 3 / 4;
    let decode = |out: &mut [u8]| {
        base64_simd::STANDARD_NO_PAD
            .decode(unpadded.as_bytes(), base64_simd::Out::from_slice(out))
            .map(|decoded| decoded.len())
            .map_err(|_| Reason::MalformedAuthorization)
    };
    if decoded_len <= BASIC_STACK_BYTES {
        let mut buffer = Wiped {
            bytes: [0; BASIC_STACK_BYTES],
            used: decoded_len,
        };
        let len = decode(&mut buffer.bytes[..decoded_len])?;
        split_basic(&buffer.bytes[..len]).map(Some)
    } else {
        let mut decoded = zeroize::Zeroizing::new(vec![0; decoded_len]);
        let len = decode(&mut decoded)?;
        split_basic(&decoded[..len]).map(Some)
    }
}

/// Standard base64 with its padding taken off, or `None` for more padding than
/// the length calls for. Padding is optional, and any part of it is accepted:
/// clients differ, and padding adds nothing. `base64-simd` then decodes, and
/// refuses anything but the standard alphabet and a length that is not a
/// base64 length.
fn basic_base64_unpadded(text: &str) -> Option<&str> {
    let unpadded = text.trim_end_matches('=');
    let padding = text.len() - unpadded.len();
    // The canonical padding after 0, 1, 2 or 3 characters of a last quantum.
    let canonical = [0, 0, 2, 1][unpadded.len() % 4];
    (padding <= canonical).then_some(unpadded)
}

/// Decoded credentials on the stack, wiped on drop as far as they were written.
struct Wiped {
    bytes: [u8; BASIC_STACK_BYTES],
    used: usize,
}

impl Drop for Wiped {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes[..self.used]);
    }
}

/// `urlencode(id):urlencode(secret)`, decoded.
fn split_basic(decoded: &[u8]) -> Result<(String, ClientSecret), Reason> {
    let text = std::str::from_utf8(decoded).map_err(|_| Reason::MalformedAuthorization)?;
    let (id, secret) = split_at_byte(text, b':').ok_or(Reason::MalformedAuthorization)?;
    if is_plain_ascii(text) {
        return Ok((id.to_owned(), ClientSecret::new(secret)));
    }
    let id = form_urldecode(id).ok_or(Reason::MalformedAuthorization)?;
    let secret = form_urldecode(secret).ok_or(Reason::MalformedAuthorization)?;
    Ok((id.into_owned(), ClientSecret::new(secret.into_owned())))
}

/// The `application/x-www-form-urlencoded` decoding of one value: `+` is a space,
/// `%XX` an octet; the result must be UTF-8. Borrowed when nothing is escaped.
fn form_urldecode(s: &str) -> Option<Cow<'_, str>> {
    if memchr::memchr2(b'+', b'%', s.as_bytes()).is_none() {
        return Some(Cow::Borrowed(s));
    }
    let mut bytes = Vec::with_capacity(s.len());
    if memchr::memchr(b'+', s.as_bytes()).is_some() {
        for (i, part) in s.split('+').enumerate() {
            if i > 0 {
                bytes.push(b' ');
            }
            bytes.extend(percent_decode_str(part));
        }
    } else {
        bytes.extend(percent_decode_str(s));
    }
    // The value may be a secret: leave no stray copy of it behind.
    String::from_utf8(bytes)
        .map_err(|e| zeroize::Zeroize::zeroize(&mut e.into_bytes()))
        .ok()
        .map(Cow::Owned)
}

#[cfg(test)]
mod tests;
