//! Token requests: from the HTTP parts any framework has to a checked
//! [`TokenRequest`] (RFC 6749 §3.2, §4.4.2, Appendix B; RFC 8707 §2).

use std::borrow::Cow;
use std::net::IpAddr;

use crate::issuer::client_auth::{AuthParams, ClientAuth};
use crate::vocab::audience::Audience;
use crate::vocab::error::Reason;
use crate::vocab::scope::ScopeSet;
use crate::wire::form::{FormPairs, set_once};
use crate::wire::request::{RequestParts, form_post_pairs};

/// A syntactically valid client-credentials token request: the requested scope
/// and resources, and the one client authentication it carries.
///
/// Its `Debug` never shows the `DPoP` proof.
pub struct TokenRequest {
    scope: Option<ScopeSet>,
    resources: Vec<Audience>,
    auth: ClientAuth,
    source: Option<IpAddr>,
    dpop: Option<String>,
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
    /// # Errors
    /// The [`Reason`] for the first check that fails.
    pub fn parse(parts: &RequestParts<'_>, max_body_bytes: usize) -> Result<Self, Reason> {
        let form = FormParams::parse(form_post_pairs(parts, max_body_bytes)?)?;
        let dpop = parts.dpop_header().map_err(Reason::Dpop)?;
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
            source: parts.source_addr(),
            dpop: dpop.map(str::to_owned),
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
            .field("scope", &self.scope)
            .field("resources", &self.resources)
            .field("auth", &self.auth)
            .field("source", &self.source)
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

#[cfg(test)]
mod tests;
