//! JOSE: algorithms, signing and verification keys, JSON Web Keys and their
//! thumbprints, compact JWS, and the access-token claims.
//!
//! Every rule about key material (sizes, curves, private members, algorithm
//! and key agreement) lives here, for client keys and issuer keys alike. This
//! wing imports only the shared vocabulary and the wire's JSON writer.
//!
//! - `algorithm`: [`Algorithm`], the JWS algorithms.
//! - `jwk`: the one JWK reader, strict for registered keys and lenient for
//!   published sets, with every key rule; the RFC 7638 thumbprint.
//! - `keys`: [`SigningKey`] and [`KeySet`], the issuer's keys.
//! - `client_keys`: [`ClientKey`], [`ClientJwks`], [`JwtSecretCredential`].
//! - `decoy`: decoy signature checks, so that an assertion refused before
//!   its signature is checked costs what a bad signature costs.
//! - `verification_keys`: [`VerificationKeys`], a resource server's keys.
//! - `jwks_cache`: [`JwksCache`], fetched client key sets.
//! - `http_get`, `remote_keys`: the one HTTP operation the crate asks of the
//!   application, and the key sets of remote issuers kept fresh through it,
//!   published as `resource::HttpGet` and `resource::RemoteKeys` and shared by
//!   the issuer's trusted platform issuers.
//! - `jws`: the compact-JWS splitter and JOSE header shared by access tokens
//!   and client assertions.
//! - `numeric_date`, `aud`: the readers of `exp`/`nbf`/`iat` and `aud`.
//! - `claims`: [`AccessTokenClaims`] and the minting and receiving shapes
//!   derived from the same list of claims.
//! - `token_verifier`: syntax, header, signature, claims and `iss` of a token.
//! - `dpop_proof`: [`DpopConfig`] and the checks of a DPoP proof (RFC 9449
//!   §4.3), giving a [`VerifiedDpopProof`].
//! - `dpop_nonce`: [`DpopNonces`], stateless server nonces.
//! - `dpop_sign`: [`DpopProof`], signing a proof with a [`SigningKey`].
//! - `confirmation`: [`Confirmation`], the `cnf` claim of a bound token.

pub(crate) mod algorithm;
pub(crate) mod aud;
pub(crate) mod claims;
pub(crate) mod client_keys;
pub(crate) mod confirmation;
pub(crate) mod decoy;
pub(crate) mod dpop_nonce;
pub(crate) mod dpop_proof;
pub(crate) mod dpop_sign;
pub(crate) mod http_get;
pub(crate) mod jwk;
pub(crate) mod jwks_cache;
pub(crate) mod jws;
pub(crate) mod keys;
pub(crate) mod numeric_date;
pub(crate) mod remote_keys;
#[cfg(feature = "reqwest")]
pub(crate) mod reqwest_io;
pub(crate) mod token_verifier;
pub(crate) mod verification_keys;

pub use self::algorithm::Algorithm;
pub use self::claims::AccessTokenClaims;
pub use self::client_keys::{ClientJwks, ClientKey, JwtSecretCredential, MAX_CLIENT_KEYS};
pub use self::confirmation::Confirmation;
pub use self::dpop_nonce::DpopNonces;
pub use self::dpop_proof::{
    DPOP_ALGORITHMS, DpopConfig, MAX_DPOP_PROOF_BYTES, VerifiedDpopProof, access_token_hash,
    content_digest,
};
pub use self::dpop_sign::DpopProof;
pub use self::jwks_cache::{JwksCache, JwksCacheConfig, JwksFetcher};
pub use self::keys::{KeySet, PrivateKeyPem, SigningKey};
pub use self::verification_keys::VerificationKeys;
/// JSON Web Key types (RFC 7517) of `jsonwebtoken` 11, the version this crate
/// takes and returns.
#[doc(no_inline)]
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
