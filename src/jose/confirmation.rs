//! The `cnf` claim (RFC 7800 §3.1) of a sender-constrained token.

use serde::{Deserialize, Serialize};

use crate::wire::json;

/// The confirmation members of a token's `cnf` claim: which key the token is
/// bound to. Members of other methods are ignored.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The RFC 7638 SHA-256 thumbprint of the DPoP key, base64url (RFC 9449
    /// §6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

impl Confirmation {
    /// A confirmation of the DPoP key with thumbprint `jkt`.
    pub fn dpop(jkt: impl Into<String>) -> Self {
        Self {
            jkt: Some(jkt.into()),
        }
    }

    /// Writes `{"jkt":"…"}` as `serde_json` writes it. A thumbprint is
    /// base64url: nothing in it needs escaping.
    pub(crate) fn write_jkt(out: &mut Vec<u8>, jkt: &str) {
        out.extend_from_slice(b"{\"jkt\":");
        json::push_unescaped_str(out, jkt);
        out.push(b'}');
    }
}
