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
#[inline]
pub(crate) fn trim_wsp_start(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| !is_wsp(b)) {
        Some(start) => &bytes[start..],
        None => &[],
    }
}

/// Strips trailing SP and HTAB.
#[inline]
pub(crate) fn trim_wsp_end(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|&b| !is_wsp(b)) {
        Some(last) => &bytes[..=last],
        None => &[],
    }
}

/// SP or HTAB. Most bytes a trim looks at are above SP, which one
/// comparison tells.
#[inline]
fn is_wsp(byte: u8) -> bool {
    byte <= b' ' && (byte == b' ' || byte == b'\t')
}

/// Whether `byte` is a control character as Chromium counts them when it
/// refuses a cookie line: 0x00-0x1F and 0x7F, HTAB included.
///
/// The crate's one definition of the bytes a browser refuses in a cookie:
/// the `Set-Cookie` reader (names, values, attributes), the policy's check
/// of configured names and the whole-line scan below all use it. Only SP
/// and HTAB around a name, a value or an attribute are trimmed first, so a
/// tab there is no control character to the browser.
pub(crate) const fn is_ctl(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7f
}

/// Each byte of a word repeated: `LO * b` is eight copies of `b`.
const LO: u64 = 0x0101_0101_0101_0101;
/// The high bit of each byte of a word.
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each zero byte of `x`: the lowest set bit marks the
/// first zero byte exactly; only bits above it can be false positives (a
/// borrow out of a zero byte), so the answer to "is there one" is exact.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// Whether any byte of `bytes` is a control character ([`is_ctl`]).
///
/// Every `Set-Cookie` name goes through here: eight bytes at a time, with
/// the bit tricks that tell whether a word holds a byte below 0x20 or a
/// 0x7F (exact for the question "is there one", which is all it asks).
/// Inlined: it runs on every `Set-Cookie` name, most of which take one
/// word.
#[inline]
pub(crate) fn has_ctl(bytes: &[u8]) -> bool {
    let word_has_ctl = |x: u64| {
        // A byte below 0x20 borrows into its high bit, unless that bit was
        // set (0x80 and above are no control characters); a 0x7F becomes
        // zero under the XOR and is found the same way.
        let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
        below_space | zero_bytes(x ^ (LO * 0x7f)) != 0
    };
    let len = bytes.len();
    if len < 8 {
        // Most names are this short: one word that covers every byte, some
        // twice (the question is only whether there is one).
        return word_has_ctl(short_word(bytes));
    }
    let mut words = bytes.chunks_exact(8);
    if words.any(|word| word_has_ctl(word_at(word, 0))) {
        return true;
    }
    // The last word overlaps the one before: no byte is read alone.
    !words.remainder().is_empty() && word_has_ctl(word_at(bytes, len - 8))
}

/// Eight bytes of `bytes` from `at`, as a little-endian word; `at + 8`
/// must not pass the end.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// Four bytes of `bytes` from `at`, as the low half of a word.
#[inline]
fn half_word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(word))
}

/// A word that holds every byte of `bytes` (shorter than eight) at least
/// once and no other byte but copies of them or `a`: for the questions
/// "is there such a byte" asked eight bytes at a time, without copying a
/// short slice through `memcpy`. From four bytes on, two overlapping half
/// words; below, each byte put in place.
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    if len >= 4 {
        return half_word_at(bytes, 0) | half_word_at(bytes, len - 4) << 32;
    }
    let mut word = [b'a'; 8];
    for (to, &from) in word.iter_mut().zip(bytes) {
        *to = from;
    }
    u64::from_le_bytes(word)
}

/// Each ASCII capital letter of `x` made lowercase, the other bytes kept:
/// a word at a time. A byte's low seven bits are compared with `A` and
/// `Z` by adding to them (no carry leaves a byte), and bytes of 0x80 and
/// above are left alone.
#[inline]
fn to_lower_word(x: u64) -> u64 {
    let low7 = x & !HI;
    let at_least_a = low7.wrapping_add(LO * (0x80 - u64::from(b'A')));
    let above_z = low7.wrapping_add(LO * (0x80 - u64::from(b'Z') - 1));
    let upper = at_least_a & !above_z & !x & HI;
    x | upper >> 2
}

/// Copies `from` into `to` (of the same length) with ASCII capitals made
/// lowercase: `to_ascii_lowercase` a word at a time, the last word
/// overlapping the one before (it writes the same bytes twice).
#[inline]
pub(crate) fn copy_lowercase(from: &[u8], to: &mut [u8]) {
    let len = from.len();
    debug_assert_eq!(len, to.len());
    if len < 8 {
        for (to, from) in to.iter_mut().zip(from) {
            *to = from.to_ascii_lowercase();
        }
        return;
    }
    let mut at = 0;
    while at + 8 < len {
        to[at..at + 8].copy_from_slice(&to_lower_word(word_at(from, at)).to_le_bytes());
        at += 8;
    }
    to[len - 8..].copy_from_slice(&to_lower_word(word_at(from, len - 8)).to_le_bytes());
}

/// Whether `a` and `b` are equal ignoring ASCII case: `eq_ignore_ascii_case`
/// eight bytes at a time. Category and attribute names are compared on
/// every request; the standard comparison folds one byte at a time.
#[inline]
pub(crate) fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len < 8 {
        // The same positions of both are read, so covering bytes twice
        // compares them twice.
        return to_lower_word(short_word(a)) == to_lower_word(short_word(b));
    }
    let mut at = 0;
    while at + 8 < len {
        if to_lower_word(word_at(a, at)) != to_lower_word(word_at(b, at)) {
            return false;
        }
        at += 8;
    }
    to_lower_word(word_at(a, len - 8)) == to_lower_word(word_at(b, len - 8))
}

/// Whether any byte of `bytes` is a control character ([`is_ctl`]) other
/// than HTAB.
///
/// This runs on every kept `Set-Cookie` line, so it looks at sixteen bytes
/// at a time with no early exit inside a block, which the compiler turns
/// into a few vector instructions; a short tail is covered by one more,
/// overlapping block.
#[inline]
pub(crate) fn has_ctl_except_tab(bytes: &[u8]) -> bool {
    const BLOCK: usize = 16;
    fn block_has_ctl(block: &[u8]) -> bool {
        block
            .iter()
            .fold(false, |found, &b| found | (is_ctl(b) & (b != b'\t')))
    }
    if bytes.len() < BLOCK {
        return bytes.iter().any(|&b| is_ctl(b) && b != b'\t');
    }
    let mut blocks = bytes.chunks_exact(BLOCK);
    if blocks.any(block_has_ctl) {
        return true;
    }
    block_has_ctl(&bytes[bytes.len() - BLOCK..])
}

/// The index of the first `needle` in `haystack`.
///
/// For the short spans of a header line (an attribute, a cookie name) this
/// beats `memchr`, whose set-up costs more than the search: it reads eight
/// bytes at a time and finds the first match with the zero-byte trick.
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    find_either(haystack, needle, needle)
}

/// The index of the first `a` or `b` in `haystack`, eight bytes at a time
/// (see [`find_byte`]).
pub(crate) fn find_either(haystack: &[u8], a: u8, b: u8) -> Option<usize> {
    let (pattern_a, pattern_b) = (LO * u64::from(a), LO * u64::from(b));
    let mut words = haystack.chunks_exact(8);
    let mut offset = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        let found = zero_bytes(x ^ pattern_a) | zero_bytes(x ^ pattern_b);
        if found != 0 {
            return Some(offset + found.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&x| x == a || x == b)
        .map(|i| offset + i)
}

/// Case-insensitive (ASCII) prefix test.
pub(crate) fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && eq_ignore_case(&bytes[..prefix.len()], prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls `check` with `fill` repeated 0 to 19 times and one byte of
    /// every value at every place in it, with that place.
    fn each_byte_at_each_place(fill: u8, mut check: impl FnMut(Vec<u8>, usize)) {
        for len in 0..20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut bytes = vec![fill; len];
                    bytes[at] = byte;
                    check(bytes, at);
                }
            }
        }
    }

    #[test]
    fn has_ctl_finds_exactly_the_control_characters() {
        each_byte_at_each_place(b'x', |mut bytes, at| {
            // Neighbours that sit next to the ranges' edges.
            if at > 0 {
                bytes[at - 1] = 0x80;
            }
            if at + 1 < bytes.len() {
                bytes[at + 1] = 0x20;
            }
            let expected = bytes.iter().any(|&b| is_ctl(b));
            assert_eq!(has_ctl(&bytes), expected, "{bytes:?}");
        });
        assert!(!has_ctl(b""));
        assert!(!has_ctl("\u{00a0}name\u{3000}\u{feff}".as_bytes()));
    }

    #[test]
    fn compares_ignoring_ascii_case_exactly_like_the_standard_library() {
        // Every byte value against its neighbours and its other case, at
        // every place of names from 0 to 19 bytes.
        each_byte_at_each_place(b'k', |a, at| {
            let byte = a[at];
            for other in [
                byte,
                byte ^ 0x20,
                byte.wrapping_add(1),
                byte.wrapping_sub(1),
                byte ^ 0x80,
            ] {
                let mut b = a.clone();
                b[at] = other;
                assert_eq!(
                    eq_ignore_case(&a, &b),
                    a.eq_ignore_ascii_case(&b),
                    "{a:?} {b:?}"
                );
            }
        });
        assert!(eq_ignore_case(b"Statistics", b"sTATISTICS"));
        assert!(!eq_ignore_case(b"statistics", b"statistic"));
        assert!(!eq_ignore_case(b"@[`{", b"`{@["));
        assert!(eq_ignore_case(b"", b""));
    }

    #[test]
    fn copies_in_lowercase_like_the_standard_library() {
        let all: Vec<u8> = (0..=255u8).collect();
        for len in 0..40 {
            for start in (0..256 - len).step_by(7) {
                let from = &all[start..start + len];
                let mut to = vec![0u8; len];
                copy_lowercase(from, &mut to);
                assert_eq!(to, from.to_ascii_lowercase(), "{from:?}");
            }
        }
    }

    #[test]
    fn trims_only_space_and_tab() {
        assert_eq!(trim_wsp(b" \t a b \t "), b"a b");
        assert_eq!(trim_wsp(b"\xc2\xa0a"), b"\xc2\xa0a");
        assert_eq!(trim_wsp(b" \t "), b"");
        assert_eq!(trim_wsp(b""), b"");
    }

    #[test]
    fn finds_bytes_at_every_offset() {
        for len in 0..50 {
            let mut bytes = vec![b'a'; len];
            assert_eq!(find_byte(&bytes, b';'), None);
            assert_eq!(find_either(&bytes, b';', b'='), None);
            for at in (0..len).rev() {
                bytes[at] = b';';
                assert_eq!(find_byte(&bytes, b';'), Some(at), "{len} {at}");
                assert_eq!(find_either(&bytes, b'=', b';'), Some(at), "{len} {at}");
                // Bytes one above and below the needle are no match.
                let mut near = vec![b';' + 1; len];
                near[at] = b';' - 1;
                assert_eq!(find_byte(&near, b';'), None);
            }
            // Every byte value after a run of others.
            for needle in 0..=255u8 {
                let mut hay = vec![needle.wrapping_add(1); len];
                if let Some(last) = hay.last_mut() {
                    *last = needle;
                }
                let expected = len.checked_sub(1);
                assert_eq!(find_byte(&hay, needle), expected, "{needle} {len}");
            }
        }
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
