//! # Why RFC 9068 JWT access tokens
//!
//! An access token has two readers: the client, which treats it as an opaque
//! string, and the resource server, which must decide whether to honour it.
//! RFC 9068 gives the resource server everything it needs inside the token, in a
//! profile every JWT library understands:
//!
//! - header `typ: at+jwt`, so a token can never be mistaken for an ID token or a
//!   client assertion (and an assertion can never be replayed as a token);
//! - `iss`, `aud`, `exp`, `iat`, `jti`, `sub`, `client_id` and `scope`, so the
//!   resource server checks issuer, audience, lifetime and permissions locally,
//!   with one signature verification and no call back to the issuer.
//!
//! Self-contained tokens are what let issuers scale horizontally (see
//! [`scaling`](super::scaling)) and resource servers stay fast. The price is that
//! a signature stays valid until `exp`: revocation is only seen by resource
//! servers that consult a shared revocation store or introspect, which is why the
//! default lifetime is short (10 minutes).
//!
//! For the client-credentials grant there is no user, so `sub` is the client id.
//! Clients cannot choose their own ids here (ids are registered by the operator),
//! so a client cannot pose as a user by picking an id that looks like one
//! (RFC 9068 §5). The extra `credential_id` claim records which of the client's
//! secrets or keys obtained the token, so one leaked credential can be revoked
//! with every token it produced while the client lives on.
//!
//! Tokens carry exactly one audience by default: the resource named by the RFC
//! 8707 `resource` parameter, or the client's default audience, in its
//! *registered* spelling, because resource servers compare `aud` with their own
//! identifier byte for byte.
