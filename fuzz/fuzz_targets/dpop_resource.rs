//! Fuzzes `Validator::authorize` with DPoP: the `Authorization` and `DPoP`
//! headers and the body (see `client_credentials::fuzzing::dpop_resource`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::dpop_resource(data);
});
