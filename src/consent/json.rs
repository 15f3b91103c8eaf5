//! A validating JSON scanner that never allocates and never recurses.
//!
//! Consent values are small JSON documents written by banners, but they come
//! from the visitor's browser, so they are hostile input: the scanner keeps
//! its nesting on a 64-bit stack (at most [`MAX_DEPTH`] levels), walks every
//! byte once, and hands back borrowed, still-escaped strings.

use crate::policy::CategoryName;

/// The deepest nesting a consent value may have; deeper is malformed.
pub(crate) const MAX_DEPTH: u32 = 32;

/// A JSON string as written, without its quotes and with escapes intact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawStr<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl CategoryName for RawStr<'_> {
    #[inline]
    fn matches(&self, declared: &[u8]) -> bool {
        self.eq_ignore_ascii_case(declared)
    }
}

impl RawStr<'_> {
    /// Compares the decoded string with `target`, ASCII case-insensitively.
    pub(crate) fn eq_ignore_ascii_case(&self, target: &[u8]) -> bool {
        if !self.escaped {
            return self.raw.eq_ignore_ascii_case(target);
        }
        let mut rest = target;
        let mut decoded = Unescape { rest: self.raw };
        while let Some(ch) = decoded.next_char() {
            let Ok(ch) = ch else { return false };
            let mut buf = [0u8; 4];
            let bytes = ch.encode_utf8(&mut buf).as_bytes();
            match rest.split_at_checked(bytes.len()) {
                Some((head, tail)) if head.eq_ignore_ascii_case(bytes) => rest = tail,
                _ => return false,
            }
        }
        rest.is_empty()
    }
}

/// A JSON value as far as a consent reader cares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    True,
    False,
    Str(RawStr<'a>),
    /// A number, `null`, an object or an array (validated, then skipped).
    Other,
}

/// Calls `member` for each member of the top-level object `input`, in order.
/// `None` if `input` is not exactly one valid JSON object.
pub(crate) fn object_members<'a>(
    input: &'a [u8],
    mut member: impl FnMut(RawStr<'a>, Value<'a>),
) -> Option<()> {
    object_members_raw(input, |key, value, _raw| member(key, value))
}

/// Calls `item` for each item of the top-level array `input`, in order.
/// `None` if `input` is not exactly one valid JSON array.
pub(crate) fn array_items<'a>(input: &'a [u8], mut item: impl FnMut(Value<'a>)) -> Option<()> {
    let mut s = Scanner {
        bytes: input,
        pos: 0,
    };
    s.skip_ws();
    s.eat(b'[')?;
    s.skip_ws();
    if s.peek() == Some(b']') {
        s.pos += 1;
    } else {
        loop {
            item(s.value(1)?);
            s.skip_ws();
            match s.bump()? {
                b',' => continue,
                b']' => break,
                _ => return None,
            }
        }
    }
    s.end()
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.bump()? == expected).then_some(())
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Only whitespace may follow the top-level value.
    fn end(mut self) -> Option<()> {
        self.skip_ws();
        (self.pos == self.bytes.len()).then_some(())
    }

    /// `"key"` followed by `:`, with whitespace around.
    fn key(&mut self) -> Option<RawStr<'a>> {
        self.skip_ws();
        let key = self.string()?;
        self.skip_ws();
        self.eat(b':')?;
        Some(key)
    }

    /// A value nested in `enclosing` containers.
    fn value(&mut self, enclosing: u32) -> Option<Value<'a>> {
        self.skip_ws();
        match self.peek()? {
            b'{' | b'[' => {
                self.skip_container(enclosing)?;
                Some(Value::Other)
            }
            b'"' => Some(Value::Str(self.string()?)),
            b't' => self.literal(b"true").map(|()| Value::True),
            b'f' => self.literal(b"false").map(|()| Value::False),
            _ => self.scalar().map(|()| Value::Other),
        }
    }

    /// Skips an object or array, iteratively: bit `i` of `objects` says
    /// whether the container opened at relative level `i` is an object.
    fn skip_container(&mut self, enclosing: u32) -> Option<()> {
        let mut objects: u64 = 0;
        let mut open: u32 = 0;
        loop {
            // At the start of a value.
            self.skip_ws();
            match self.peek()? {
                open_byte @ (b'{' | b'[') => {
                    if enclosing + open + 1 > MAX_DEPTH {
                        return None;
                    }
                    self.pos += 1;
                    let is_object = open_byte == b'{';
                    if is_object {
                        objects |= 1 << open;
                    } else {
                        objects &= !(1 << open);
                    }
                    open += 1;
                    self.skip_ws();
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        open -= 1;
                    } else {
                        if is_object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                _ => self.scalar()?,
            }
            // After a value: close containers, or move to the next value.
            loop {
                if open == 0 {
                    return Some(());
                }
                self.skip_ws();
                let in_object = objects & (1 << (open - 1)) != 0;
                match self.bump()? {
                    b',' => {
                        if in_object {
                            self.key()?;
                        }
                        break;
                    }
                    b'}' if in_object => open -= 1,
                    b']' if !in_object => open -= 1,
                    _ => return None,
                }
            }
        }
    }

    /// A number or a literal.
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(word.len())?;
        (self.bytes.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    /// A string, from its opening quote. Escapes are validated, not decoded.
    fn string(&mut self) -> Option<RawStr<'a>> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.bump()? {
                b'"' => {
                    return Some(RawStr {
                        raw: &self.bytes[start..self.pos - 1],
                        escaped,
                    })
                }
                b'\\' => {
                    escaped = true;
                    match self.bump()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            for _ in 0..4 {
                                if !self.bump()?.is_ascii_hexdigit() {
                                    return None;
                                }
                            }
                        }
                        _ => return None,
                    }
                }
                // JSON forbids raw control characters in strings.
                0x00..=0x1f => return None,
                _ => {}
            }
        }
    }
}

/// Decodes a validated, escaped JSON string one `char` at a time.
struct Unescape<'a> {
    rest: &'a [u8],
}

impl Unescape<'_> {
    /// The next character; `Err` for a lone surrogate or invalid UTF-8,
    /// which can equal no category name.
    fn next_char(&mut self) -> Option<Result<char, ()>> {
        let (&first, tail) = self.rest.split_first()?;
        if first != b'\\' {
            // Copy one UTF-8 sequence through.
            let width = match first {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            let width = width.min(self.rest.len());
            let (seq, rest) = self.rest.split_at(width);
            self.rest = rest;
            return Some(
                std::str::from_utf8(seq)
                    .ok()
                    .and_then(|s| s.chars().next())
                    .ok_or(()),
            );
        }
        let (&kind, tail) = tail.split_first()?;
        self.rest = tail;
        let ch = match kind {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xd800..0xdc00).contains(&high) {
                    match self.rest {
                        [b'\\', b'u', ..] => {
                            self.rest = &self.rest[2..];
                            let low = self.hex4()?;
                            if !(0xdc00..0xe000).contains(&low) {
                                return Some(Err(()));
                            }
                            let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
                            return Some(char::from_u32(code).ok_or(()));
                        }
                        _ => return Some(Err(())),
                    }
                }
                return Some(char::from_u32(high).ok_or(()));
            }
            other => char::from(other),
        };
        Some(Ok(ch))
    }

    fn hex4(&mut self) -> Option<u32> {
        let (digits, rest) = self.rest.split_at_checked(4)?;
        self.rest = rest;
        let digits = std::str::from_utf8(digits).ok()?;
        u32::from_str_radix(digits, 16).ok()
    }
}

impl RawStr<'_> {
    /// Decodes the string into `out` and returns its decoded length in
    /// bytes, which may exceed `out.len()`: then only the first
    /// `out.len()` bytes were written, and the caller knows the string is
    /// too long for it. `None` for a lone surrogate or invalid UTF-8, which
    /// no banner writes.
    pub(crate) fn unescape_into(&self, out: &mut [u8]) -> Option<usize> {
        if !self.escaped {
            std::str::from_utf8(self.raw).ok()?;
            let fits = self.raw.len().min(out.len());
            out[..fits].copy_from_slice(&self.raw[..fits]);
            return Some(self.raw.len());
        }
        let mut len = 0;
        let mut decoded = Unescape { rest: self.raw };
        while let Some(ch) = decoded.next_char() {
            let mut buf = [0u8; 4];
            let bytes = ch.ok()?.encode_utf8(&mut buf).as_bytes();
            for &byte in bytes {
                if let Some(slot) = out.get_mut(len) {
                    *slot = byte;
                }
                len += 1;
            }
        }
        Some(len)
    }
}

/// Like [`object_members`], but also hands over each value as written
/// (`raw`, without surrounding whitespace), so a reader can walk a nested
/// array or read a number.
pub(crate) fn object_members_raw<'a>(
    input: &'a [u8],
    mut member: impl FnMut(RawStr<'a>, Value<'a>, &'a [u8]),
) -> Option<()> {
    let mut s = Scanner {
        bytes: input,
        pos: 0,
    };
    s.skip_ws();
    s.eat(b'{')?;
    s.skip_ws();
    if s.peek() == Some(b'}') {
        s.pos += 1;
    } else {
        loop {
            let key = s.key()?;
            s.skip_ws();
            let start = s.pos;
            let value = s.value(1)?;
            member(key, value, &input[start..s.pos]);
            s.skip_ws();
            match s.bump()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    s.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(input: &str) -> Option<Vec<(String, &'static str)>> {
        let mut out = Vec::new();
        object_members(input.as_bytes(), |key, value| {
            let kind = match value {
                Value::True => "true",
                Value::False => "false",
                Value::Str(_) => "str",
                Value::Other => "other",
            };
            out.push((String::from_utf8_lossy(key.raw).into_owned(), kind));
        })?;
        Some(out)
    }

    #[test]
    fn walks_members_in_order() {
        let got =
            members(r#" {"a":true, "b" : false,"c":1.5e-3,"d":{"x":[1,{"y":null}]},"e":"s"} "#);
        assert_eq!(
            got.unwrap(),
            [
                ("a".into(), "true"),
                ("b".into(), "false"),
                ("c".into(), "other"),
                ("d".into(), "other"),
                ("e".into(), "str")
            ]
        );
        assert_eq!(members("{}").unwrap(), []);
    }

    #[test]
    fn rejects_invalid_json() {
        for bad in [
            "",
            "{",
            "}",
            "{,}",
            r#"{"a":}"#,
            r#"{"a":true,}"#,
            r#"{"a" true}"#,
            r#"{a:true}"#,
            r#"{'a':true}"#,
            r#"{"a":tru}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":true} x"#,
            r#"{"a":true}{}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1}"#,
            r#"{"a":{"b"}}"#,
            r#"["a"]"#,
            r#"{"a":nul}"#,
        ] {
            assert!(members(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn depth_is_bounded() {
        let nested = |depth: usize| {
            format!(
                r#"{{"a":{}1{}}}"#,
                "[".repeat(depth - 1),
                "]".repeat(depth - 1)
            )
        };
        assert!(members(&nested(32)).is_some());
        assert!(members(&nested(33)).is_none());
        // A million brackets neither recurse nor take long.
        assert!(members(&nested(1_000_000)).is_none());
    }

    #[test]
    fn arrays() {
        let mut strings = Vec::new();
        array_items(br#"["a", 1, {"b":[]}, "c", null]"#, |v| {
            if let Value::Str(s) = v {
                strings.push(String::from_utf8_lossy(s.raw).into_owned());
            }
        })
        .unwrap();
        assert_eq!(strings, ["a", "c"]);
        assert!(array_items(b"[]", |_| ()).is_some());
        assert!(array_items(b"[1 2]", |_| ()).is_none());
    }

    #[test]
    fn escaped_strings_compare_decoded() {
        let raw = |s: &'static str| RawStr {
            raw: s.as_bytes(),
            escaped: s.contains('\\'),
        };
        assert!(raw(r"st\u0061tistics").eq_ignore_ascii_case(b"statistics"));
        assert!(raw(r"St\u0041TISTICS").eq_ignore_ascii_case(b"statistics"));
        assert!(raw(r"caf\u00e9").eq_ignore_ascii_case("caf\u{e9}".as_bytes()));
        assert!(raw(r"\ud83c\udf6a").eq_ignore_ascii_case("\u{1f36a}".as_bytes()));
        assert!(!raw(r"\ud83c").eq_ignore_ascii_case(b"\xed\xa0\xbc"));
        assert!(!raw(r"stat\n").eq_ignore_ascii_case(b"stat"));
        assert!(raw(r"a\/b").eq_ignore_ascii_case(b"a/b"));
    }

    #[test]
    fn unescapes_into_a_buffer() {
        let decode = |s: &'static str, cap: usize| {
            let raw = RawStr {
                raw: s.as_bytes(),
                escaped: s.contains('\\'),
            };
            let mut buf = vec![0u8; cap];
            raw.unescape_into(&mut buf).map(|len| {
                buf.truncate(len.min(cap));
                (len, buf)
            })
        };
        assert_eq!(decode("plain", 8).unwrap(), (5, b"plain".to_vec()));
        assert_eq!(decode(r"a\u0062\/c\n", 8).unwrap(), (5, b"ab/c\n".to_vec()));
        assert_eq!(
            decode(r"caf\u00e9 \ud83c\udf6a", 16).unwrap(),
            (10, "caf\u{e9} \u{1f36a}".as_bytes().to_vec())
        );
        // Too long: the full length, and as much as fits.
        assert_eq!(decode("abcdef", 4).unwrap(), (6, b"abcd".to_vec()));
        assert_eq!(decode(r"ab\u0063def", 4).unwrap(), (6, b"abcd".to_vec()));
        assert!(decode(r"\ud83c", 8).is_none());
        assert!(decode(r"\udf6a", 8).is_none());
        let bad = RawStr {
            raw: b"\xff",
            escaped: false,
        };
        assert!(bad.unescape_into(&mut [0u8; 4]).is_none());
    }

    #[test]
    fn members_with_their_raw_values() {
        let mut got = Vec::new();
        object_members_raw(
            br#"{ "a" : [1, "x"] , "b":12,"c": {"d":null}}"#,
            |key, _, raw| {
                got.push((key.raw.to_vec(), raw.to_vec()));
            },
        )
        .unwrap();
        assert_eq!(
            got,
            [
                (b"a".to_vec(), br#"[1, "x"]"#.to_vec()),
                (b"b".to_vec(), b"12".to_vec()),
                (b"c".to_vec(), br#"{"d":null}"#.to_vec()),
            ]
        );
        assert!(object_members_raw(b"{}", |_, _, _| ()).is_some());
        assert!(object_members_raw(br#"{"a":[1}"#, |_, _, _| ()).is_none());
        assert!(object_members_raw(br#"{"a":1"#, |_, _, _| ()).is_none());
    }
}
