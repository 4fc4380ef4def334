//! Fuzzes the tower layer's reading of a request's token (see
//! `client_credentials::fuzzing::credentials_reader`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    client_credentials::fuzzing::credentials_reader(data);
});
