//! The `Set-Cookie` name scanner, the deletion check and the cookie-date
//! parser, on one line of arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tower_cookie_consent::__private::fuzz_set_cookie(data);
});
