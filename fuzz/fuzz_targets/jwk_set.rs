//! Fuzzes `ClientJwks::from_json` and `VerificationKeys::from_jwks_json` (see
//! `client_credentials::fuzzing::jwk_set`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::jwk_set(data);
});
