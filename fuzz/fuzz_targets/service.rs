//! The whole layer on arbitrary `Cookie` and `Set-Cookie` header bytes.
//!
//! Built without debug assertions in `http` (see `fuzz/Cargo.toml`), the
//! target also feeds header values that `HeaderValue::from_bytes` refuses
//! (CR, LF, NUL...), as an upstream that skipped validation would.
#![no_main]

#[path = "../../tests/common/oracles.rs"]
mod oracles;

use http::HeaderValue;
use oracles::{fuzz_service, fuzz_service_with};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if cfg!(debug_assertions) {
        // `from_maybe_shared_unchecked` would panic on the first CR.
        fuzz_service(data);
    } else {
        fuzz_service_with(data, Some(unchecked));
    }
});

fn unchecked(bytes: &[u8]) -> HeaderValue {
    // SAFETY: the bytes break only `HeaderValue`'s documented content rule,
    // not memory safety: every reader of a `HeaderValue` (`as_bytes`,
    // `to_str`, which validates again) handles any byte. This is exactly the
    // value a non-validating upstream would hand the layer.
    unsafe { HeaderValue::from_maybe_shared_unchecked(bytes::Bytes::copy_from_slice(bytes)) }
}
