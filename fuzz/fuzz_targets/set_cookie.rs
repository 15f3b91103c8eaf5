//! The `Set-Cookie` name scanner, the deletion check and the cookie-date
//! parser, on one line of arbitrary bytes.
#![no_main]

#[path = "../../tests/common/oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracles::fuzz_set_cookie(data);
});
