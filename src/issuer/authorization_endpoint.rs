//! The authorization endpoint of a server that serves no response type
//! (RFC 6749 §3.1, §4.1.2.1): advertised only for clients whose discovery
//! insists on one, it refuses every request where it stands.

use crate::issuer::endpoint::Issuer;
use crate::wire::response::HttpResponse;

/// The whole body of every answer.
const REFUSAL: &[u8] = br#"{"error":"unsupported_response_type","error_description":"this authorization server issues tokens by the client_credentials grant at its token endpoint only: it supports no response type"}"#;

impl<S, R, G> Issuer<S, R, G> {
    /// The authorization endpoint, when one is advertised (see
    /// [`IssuerBuilder::authorization_endpoint`](crate::issuer::IssuerBuilder::authorization_endpoint)):
    /// every request, whatever its method or parameters, gets `400` with
    /// `{"error":"unsupported_response_type", …}`, `Cache-Control: no-store`,
    /// and never a redirection.
    ///
    /// RFC 6749 §4.1.2.1: when the redirection URI cannot be trusted, the
    /// server informs the resource owner of the error and MUST NOT redirect
    /// the user agent. No client of this server has a registered redirection
    /// URI, so none is ever trusted, and the error is answered where it was
    /// asked: `unsupported_response_type`, as the server supports none
    /// (its metadata says `"response_types_supported":[]`). The request is not
    /// read at all, so nothing it carries can change the answer or be echoed.
    pub fn handle_authorization_request(&self) -> HttpResponse {
        HttpResponse::no_store_json(400, REFUSAL.to_vec())
    }
}
