//! Token requests: from the HTTP parts any framework has to a checked
//! [`TokenRequest`] (RFC 6749 §3.2, §4.4.2, Appendix B; RFC 8707 §2).

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use zeroize::Zeroizing;

use crate::issuer::client_auth::{AuthParams, ClientAuth};
use crate::vocab::audience::Audience;
use crate::vocab::error::Reason;
use crate::vocab::scope::ScopeSet;
use crate::wire::form::{FormPairs, set_once, wipe};
use crate::wire::request::{RequestParts, form_post_pairs};

/// The `grant_type` of the JWT-bearer authorization grant (RFC 7523 §2.1),
/// through which workloads of trusted issuers present their platform token.
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The grant a token request asks for.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// `client_credentials` (RFC 6749 §4.4).
    ClientCredentials,
    /// [`JWT_BEARER_GRANT_TYPE`] (RFC 7523 §2.1): a JWT from a trusted
    /// issuer, in the `assertion` parameter, is the grant. Served only by an
    /// issuer with trusted issuers (C49, C141).
    JwtBearer,
}

/// A syntactically valid token request: the grant, the requested scope and
/// resources, and the one client authentication it carries.
///
/// Its `Debug` never shows the `DPoP` proof or the grant's assertion.
pub struct TokenRequest {
    grant_type: GrantType,
    scope: Option<ScopeSet>,
    resources: Vec<Audience>,
    auth: ClientAuth,
    source: Option<IpAddr>,
    /// The allowed extra parameters the request carried (see
    /// [`parse_allowing`](Self::parse_allowing)).
    extra: Vec<(Box<str>, Box<str>)>,
    assertion: Option<GrantAssertion>,
    dpop: Option<String>,
}

/// The `assertion` of a JWT-bearer grant, unparsed: zeroized on drop, never
/// shown by `Debug`.
pub(crate) struct GrantAssertion(Zeroizing<String>);

impl GrantAssertion {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GrantAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
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
    /// (C32); `resource` syntax (C65, C66); at most one `DPoP` header (C102),
    /// kept for [`Issuer::verify_dpop`](crate::Issuer::verify_dpop).
    ///
    /// The JWT-bearer grant ([`JWT_BEARER_GRANT_TYPE`]) parses too, with its
    /// `assertion` read once (C141) and checked by the issuer, which answers
    /// `unsupported_grant_type` unless trusted issuers are configured (C49).
    ///
    /// # Errors
    /// The [`Reason`] for the first check that fails.
    pub fn parse(parts: &RequestParts<'_>, max_body_bytes: usize) -> Result<Self, Reason> {
        Self::parse_allowing(parts, max_body_bytes, &[])
    }

    /// [`parse`](Self::parse), keeping the parameters named in `extra` (the
    /// deployment's allowed extra parameters, for a
    /// [`ClaimsHook`](crate::issuer::ClaimsHook)) instead of ignoring them;
    /// each may appear once.
    ///
    /// # Errors
    /// As [`parse`](Self::parse), and [`Reason::RepeatedParameter`] for a
    /// repeated extra parameter.
    pub fn parse_allowing(
        parts: &RequestParts<'_>,
        max_body_bytes: usize,
        extra: &[Box<str>],
    ) -> Result<Self, Reason> {
        let mut form = FormParams::parse(form_post_pairs(parts, max_body_bytes)?, extra)?;
        let dpop = parts.dpop_header().map_err(Reason::Dpop)?;
        let grant_type = match form.grant_type.as_deref() {
            None => return Err(Reason::MissingGrantType),
            Some("client_credentials") => GrantType::ClientCredentials,
            Some(JWT_BEARER_GRANT_TYPE) => GrantType::JwtBearer,
            Some(_) => return Err(Reason::UnsupportedGrantType),
        };
        if grant_type != GrantType::JwtBearer {
            form.assertion = None; // Not a parameter of this grant (C5).
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
            grant_type,
            scope,
            resources,
            auth,
            source: parts.source_addr(),
            extra: form.extra,
            assertion: form.assertion.map(GrantAssertion),
            dpop: dpop.map(str::to_owned),
        })
    }

    /// The grant asked for.
    pub fn grant_type(&self) -> GrantType {
        self.grant_type
    }

    /// The `assertion` of a JWT-bearer grant, if the request sent one.
    pub(crate) fn assertion(&self) -> Option<&GrantAssertion> {
        self.assertion.as_ref()
    }

    /// The value of an allowed extra parameter the request carried.
    pub fn extra_parameter(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| &**v)
    }

    /// The requested scope; `None` when the request names none.
    pub fn scope(&self) -> Option<&ScopeSet> {
        self.scope.as_ref()
    }

    /// The requested resources (RFC 8707), in request order.
    pub fn resources(&self) -> &[Audience] {
        &self.resources
    }

    /// The caller's address, from [`RequestParts::source`].
    pub fn source(&self) -> Option<IpAddr> {
        self.source
    }

    /// The `DPoP` proof header (RFC 9449 §4.1), if the request carried one.
    pub fn dpop_proof(&self) -> Option<&str> {
        self.dpop.as_deref()
    }

    /// The client authentication presented.
    pub fn auth(&self) -> &ClientAuth {
        &self.auth
    }
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("scope", &self.scope)
            .field("resources", &self.resources)
            .field("auth", &self.auth)
            .field("source", &self.source)
            .field("extra", &self.extra)
            .field("assertion", &self.assertion)
            .field("dpop", &self.dpop.as_ref().map(|_| "[redacted]"))
            .finish()
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
    extra: Vec<(Box<str>, Box<str>)>,
    /// Zeroized on drop: a platform token is a credential.
    assertion: Option<Zeroizing<String>>,
}

impl<'b> FormParams<'b> {
    fn parse(pairs: FormPairs<'b>, allowed: &[Box<str>]) -> Result<Self, Reason> {
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
                "assertion" => {
                    if form.assertion.is_some() {
                        wipe(value);
                        return Err(Reason::RepeatedParameter("assertion"));
                    }
                    form.assertion = Some(Zeroizing::new(value.into_owned()));
                }
                _ if allowed.iter().any(|a| **a == *name) => {
                    if form.extra.iter().any(|(n, _)| **n == *name) {
                        return Err(Reason::RepeatedParameter("allowed extra"));
                    }
                    form.extra.push((name.into(), value.into()));
                }
                _ => {} // C5: unknown parameters are ignored.
            }
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests;
