//! Byte helpers shared by the cookie parsers.
//!
//! Everything here works on `&[u8]`: header values are bytes, and a
//! browser treats them as bytes (RFC 6265bis section 5.6), so nothing may
//! assume UTF-8.

/// Strips leading and trailing SP and HTAB, the only whitespace that
/// RFC 6265bis section 5.6 trims. Unicode spaces (NBSP, U+3000, a BOM) are
/// ordinary name bytes to a browser and are kept.
pub(crate) fn trim_wsp(bytes: &[u8]) -> &[u8] {
    trim_wsp_end(trim_wsp_start(bytes))
}

/// Strips leading SP and HTAB.
pub(crate) fn trim_wsp_start(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

/// Strips trailing SP and HTAB.
pub(crate) fn trim_wsp_end(mut bytes: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// Whether `byte` is a control character as Chromium counts them when it
/// refuses a cookie line: 0x00-0x1F and 0x7F, HTAB included.
pub(crate) const fn is_ctl(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7f
}

/// Whether any byte of `bytes` is a control character other than HTAB.
///
/// Runs eight bytes at a time: this is called on every kept `Set-Cookie`
/// line, so it is on the hot path.
pub(crate) fn has_ctl_except_tab(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Bytes below 0x20 (the classic "has less than" trick, exact for
        // bytes under 0x80), or equal to 0x7f (x ^ 0x7f.. has a zero byte).
        let below = x.wrapping_sub(LO * 0x20) & !x & HI;
        let y = x ^ (LO * 0x7f);
        let del = y.wrapping_sub(LO) & !y & HI;
        if below | del != 0 && chunk.iter().any(|&b| is_ctl(b) && b != b'\t') {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| is_ctl(b) && b != b'\t')
}

/// Case-insensitive (ASCII) prefix test.
pub(crate) fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_only_space_and_tab() {
        assert_eq!(trim_wsp(b" \t a b \t "), b"a b");
        assert_eq!(trim_wsp(b"\xc2\xa0a"), b"\xc2\xa0a");
        assert_eq!(trim_wsp(b" \t "), b"");
        assert_eq!(trim_wsp(b""), b"");
    }

    #[test]
    fn finds_control_characters_at_every_offset() {
        for len in 0..40 {
            let clean = vec![b'a'; len];
            assert!(!has_ctl_except_tab(&clean));
            for at in 0..len {
                for ctl in (0u8..0x20).chain([0x7f]) {
                    let mut line = clean.clone();
                    line[at] = ctl;
                    assert_eq!(has_ctl_except_tab(&line), ctl != b'\t', "{ctl:#x} at {at}");
                }
                for ok in [b' ', b'~', 0x80, 0xff, 0x9f] {
                    let mut line = clean.clone();
                    line[at] = ok;
                    assert!(!has_ctl_except_tab(&line));
                }
            }
        }
    }
}
