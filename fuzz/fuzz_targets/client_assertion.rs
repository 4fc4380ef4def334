//! Fuzzes a JWT client assertion: `ClientAssertion::parse`, then a token
//! request to an `Issuer` (see `client_credentials::fuzzing::client_assertion`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::client_assertion(data);
});
