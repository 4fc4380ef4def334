//! # Why there are no refresh tokens
//!
//! A refresh token lets a client get new access tokens without presenting its
//! credentials again. That matters when the credentials belong to a person who
//! should not be asked again. In the client-credentials grant the client *is* the
//! resource owner and holds its credentials all the time: when a token expires it
//! simply asks again. A refresh token would be a second long-lived credential to
//! steal, store and revoke, and would buy nothing. RFC 6749 §4.4.3 says a refresh
//! token SHOULD NOT be included; this crate never includes one.
