//! The IAB Transparency and Consent Framework v2 TC string, as stored in the
//! de-facto first-party cookie `euconsent-v2` (CMPs choose the name).
//!
//! A TC string is base64url without padding (`A-Z a-z 0-9 - _`), in
//! `.`-separated segments; the core segment comes first and is the only one
//! that decides. Its fields, in bits from the start (InteractiveAdvertising
//! Bureau/iabtcf-es @839b955, `modules/core/src/encoder/BitLength.ts` and
//! `encoder/sequence/FieldSequence.ts`; the IAB's "Consent string and vendor
//! list formats v2"):
//!
//! | offset | field | bits |
//! |---|---|---|
//! | 0 | Version (2) | 6 |
//! | 6 | Created, LastUpdated, CmpId, CmpVersion, ConsentScreen, ConsentLanguage, VendorListVersion, TcfPolicyVersion, IsServiceSpecific, UseNonStandardTexts | 134 |
//! | 140 | SpecialFeatureOptIns (bit i-1 = special feature i) | 12 |
//! | 152 | PurposesConsent (bit i-1 = purpose i) | 24 |
//! | 176 | PurposesLITransparency, PurposeOneTreatment, PublisherCC | 37 |
//! | 213 | vendor consents, vendor legitimate interests: MaxVendorId 16, IsRangeEncoding 1, then a bit field of MaxVendorId bits or NumEntries 12 × (IsARange 1, StartOrOnlyVendorId 16, [EndVendorId 16]) | var |
//! | … | publisher restrictions: NumPubRestrictions 12 × (PurposeId 6, RestrictionType 2, NumEntries 12 × range entries) | var |
//!
//! The vendor sections are not decoded, only walked: a core segment that ends
//! before the sections it declares is a cut string. The later segments start
//! with a 3-bit SegmentType (1 disclosed vendors, 2 allowed vendors, 3
//! publisher purposes: `modules/core/src/model/SegmentIDs.ts`) and are
//! walked the same way. Bits after the last field are padding.

use super::{prepare, Outcome};

/// Reads a TC string: reports `purpose:1` … `purpose:24` and
/// `special_feature:1` … `special_feature:12` from the core segment.
///
/// Malformed unless every segment is non-empty base64url, the core segment
/// is version 2 and holds every field it declares, and each later segment
/// is of a known type and holds its fields.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    let mut segments = value.split(|&b| b == b'.');
    let core = segments.next().unwrap_or_default();
    let Some((special_features, purposes)) = walk_core(core) else {
        return Outcome::Malformed;
    };
    for segment in segments {
        if walk_segment(segment).is_none() {
            return Outcome::Malformed;
        }
    }
    for feature in 1..=12 {
        let granted = special_features >> (12 - feature) & 1 == 1;
        emit_numbered(b"special_feature:", feature, granted, emit);
    }
    for purpose in 1..=24 {
        let granted = purposes >> (24 - purpose) & 1 == 1;
        emit_numbered(b"purpose:", purpose, granted, emit);
    }
    Outcome::Choices { revision: None }
}

/// The SpecialFeatureOptIns and PurposesConsent fields of a whole core
/// segment.
fn walk_core(segment: &[u8]) -> Option<(u64, u64)> {
    let mut bits = Bits::new(segment)?;
    if bits.take(6)? != 2 {
        return None;
    }
    bits.skip(140 - 6)?;
    let special_features = bits.take(12)?;
    let purposes = bits.take(24)?;
    bits.skip(24 + 1 + 12)?;
    skip_vendor_vector(&mut bits)?; // consents
    skip_vendor_vector(&mut bits)?; // legitimate interests
    for _ in 0..bits.take(12)? {
        bits.skip(6 + 2)?; // PurposeId, RestrictionType
        skip_ranges(&mut bits)?;
    }
    Some((special_features, purposes))
}

/// A segment after the core one.
fn walk_segment(segment: &[u8]) -> Option<()> {
    let mut bits = Bits::new(segment)?;
    match bits.take(3)? {
        // Disclosed vendors, allowed vendors.
        1 | 2 => skip_vendor_vector(&mut bits),
        // Publisher purposes: consents 24, legitimate interests 24,
        // NumCustomPurposes 6, then two bits per custom purpose.
        3 => {
            bits.skip(24 + 24)?;
            let custom = bits.take(6)?;
            bits.skip(2 * custom)
        }
        _ => None,
    }
}

/// MaxVendorId, IsRangeEncoding, then a bit field or ranges.
fn skip_vendor_vector(bits: &mut Bits<'_>) -> Option<()> {
    let max_vendor_id = bits.take(16)?;
    if bits.take(1)? == 1 {
        skip_ranges(bits)
    } else {
        bits.skip(max_vendor_id)
    }
}

/// NumEntries, then each entry: IsARange, a vendor id, and a second one for
/// a range. Every entry takes at least 17 bits, so the loop ends within the
/// segment's length.
fn skip_ranges(bits: &mut Bits<'_>) -> Option<()> {
    for _ in 0..bits.take(12)? {
        let is_range = bits.take(1)? == 1;
        bits.skip(if is_range { 32 } else { 16 })?;
    }
    Some(())
}

/// A base64url segment read as bits, most significant first.
struct Bits<'a> {
    chars: &'a [u8],
    pos: u64,
}

impl<'a> Bits<'a> {
    /// `None` unless `chars` is non-empty base64url.
    fn new(chars: &'a [u8]) -> Option<Self> {
        if chars.is_empty() || !chars.iter().all(|&c| sextet(c).is_some()) {
            return None;
        }
        Some(Self { chars, pos: 0 })
    }

    fn len(&self) -> u64 {
        self.chars.len() as u64 * 6
    }

    fn skip(&mut self, count: u64) -> Option<()> {
        let end = self.pos.checked_add(count)?;
        if end > self.len() {
            return None;
        }
        self.pos = end;
        Some(())
    }

    /// The next `width` bits (at most 36) as a number.
    fn take(&mut self, width: u32) -> Option<u64> {
        let start = self.pos;
        self.skip(u64::from(width))?;
        let mut value = 0;
        for at in start..self.pos {
            let index = usize::try_from(at / 6).ok()?;
            let sextet = sextet(*self.chars.get(index)?)?;
            let bit = (sextet >> (5 - at % 6)) & 1;
            value = value << 1 | u64::from(bit);
        }
        Some(value)
    }
}

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Reports `prefix` followed by `number` (1 to 99) in decimal.
fn emit_numbered(prefix: &[u8], number: u8, granted: bool, emit: &mut impl FnMut(&[u8], bool)) {
    let mut buf = [0u8; 24];
    let mut len = prefix.len();
    buf[..len].copy_from_slice(prefix);
    if number >= 10 {
        buf[len] = b'0' + number / 10;
        len += 1;
    }
    buf[len] = b'0' + number % 10;
    len += 1;
    emit(&buf[..len], granted);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{collect, never_panics, reader_test_helpers};
    use super::*;

    reader_test_helpers!(read);

    const CHOICES: Outcome = Outcome::Choices { revision: None };

    /// Which purposes and special features a read granted.
    fn granted(value: &str) -> (Vec<u8>, Vec<u8>) {
        let (outcome, got) = run(value);
        assert_eq!(outcome, CHOICES, "{value}");
        assert_eq!(got.len(), 36);
        let numbers = |prefix: &str| {
            got.iter()
                .filter(|(name, on)| *on && name.starts_with(prefix))
                .map(|(name, _)| name[prefix.len()..].parse().unwrap())
                .collect()
        };
        (numbers("purpose:"), numbers("special_feature:"))
    }

    /// Captured, verbatim (a 2022 `euconsent-v2`): purposes 1 to 10, special
    /// features 1 and 2, a 1123-bit vendor field and nine publisher
    /// restrictions; the second segment is publisher purposes.
    const CAPTURED_2022: &str = "CPZ1YkAPZ1YkAAHABBENCRCsAP_AAAAAAAAAIxtf_X__b3_j-_5___t0eY1f9_7__-0zjhfdt-8N3f_X_L8X_2M7vF36pq4KuR4Eu3LBIQdlHOHcTUmw6okVrzPsbk2cr7NKJ7PEmnMbe2dYGH9_n93T-ZKY7_____77__-_______f__-_f___5_3__-_f_V_997bn9_____9_P___9v__9_________4AAACSUAGAAIIxhoAMAAQRjFQAYAAgjGUgAwABBGMdABgACCMZCADAAEEYwkAGAAIIxiIAMAAQRjGQAYAAgjGAA.f_gAAAAAAAAA";
    /// Captured, verbatim (2024, policy version 5): purposes 1 to 11.
    const CAPTURED_2024: &str = "CQE688AQE688AAcABBENBGFsAP_gAEPgAChQKaNV_G__bWlr8X73aftkeY1P9_h77sQxBhfJE-4FzLvW_JwXx2ExNA36tqIKmRIAu3bBIQNlGJDUTVCgaogVryDMak2coTNKJ6BkiFMRO2dYCF5vm4tj-QKY5vr991dx2B-t7dr83dzyz4VHn3a5_2a0WJCdA5-tDfv9bROb-9IOd_x8v4v8_F_rE2_eT1l_tevp7D9-cts7_XW-9_fff_9Ln_-uB_-_wU1AJMNCogDLIkJCDQMIIEAKgrCAigQAAAAkDRAQAmDAp2BgEusJEAIAUAAwQAgABRkACAAASABCIAIACgQAAQCBQABgAQDAQAMDAAGACwEAgABAdAxTAggUCwASMyIhTAhCASCAlsqEEgCBBXCEIs8CiAREwUAAAJABWAAICwWBxJICViQQJcQbQAAEACAQQAVCKTswBBAGbLUXiybRlaYFo-YLntMAyQAA.f_wACHwAAAAA";
    /// Nothing granted (cmpId 6, policy 5, publisher country DE).
    const REFUSED: &str = "CQX48QAQX48QAAGABBENB3FgAAAAAAAAAAYgAAAAAAAA.YAAAAAAAAAAA";
    /// Captured inside a Cookiebot value (`iab2`): everything refused.
    const COOKIEBOT_IAB2: &str = "CP5jqEAP5jqEACGABBENAmEgAAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAAA";
    const SAMPLES: [&str; 4] = [CAPTURED_2022, CAPTURED_2024, REFUSED, COOKIEBOT_IAB2];

    #[test]
    fn real_values() {
        assert_eq!(granted(CAPTURED_2022), ((1..=10).collect(), vec![1, 2]));
        assert_eq!(granted(CAPTURED_2024), ((1..=11).collect(), vec![1, 2]));
        assert_eq!(granted(REFUSED), (vec![], vec![]));
        assert_eq!(granted(COOKIEBOT_IAB2), (vec![], vec![]));
        // The core segment alone reads the same.
        for value in SAMPLES {
            let core = value.split('.').next().unwrap();
            assert_eq!(run(core), run(value));
        }
        // Names and order.
        let (_, got) = run(CAPTURED_2022);
        assert_eq!(got[0], ("special_feature:1".to_owned(), true));
        assert_eq!(got[11], ("special_feature:12".to_owned(), false));
        assert_eq!(got[12], ("purpose:1".to_owned(), true));
        assert_eq!(got[21], ("purpose:10".to_owned(), true));
        assert_eq!(got[22], ("purpose:11".to_owned(), false));
        assert_eq!(got[35], ("purpose:24".to_owned(), false));
    }

    /// Builds TC strings bit by bit.
    #[derive(Default)]
    struct Writer(Vec<bool>);

    impl Writer {
        fn int(mut self, value: u64, width: u32) -> Self {
            for i in (0..width).rev() {
                self.0.push(value >> i & 1 == 1);
            }
            self
        }

        fn flags(mut self, on: &[u32], width: u32) -> Self {
            for i in 1..=width {
                self.0.push(on.contains(&i));
            }
            self
        }

        fn len(&self) -> usize {
            self.0.len()
        }

        /// Base64url, the last sextet padded with zero bits.
        fn encode(&self) -> String {
            const ALPHABET: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            self.0
                .chunks(6)
                .map(|chunk| {
                    let mut sextet = 0;
                    for i in 0..6 {
                        sextet = sextet << 1 | usize::from(chunk.get(i) == Some(&true));
                    }
                    char::from(ALPHABET[sextet])
                })
                .collect()
        }

        /// The core fields up to PublisherCC: version 2, CmpId 10, policy 5,
        /// service-specific, language EN, country FR.
        fn core(purposes: &[u32], special_features: &[u32]) -> Self {
            let lang = |a: u8, b: u8| u64::from(a - b'A') << 6 | u64::from(b - b'A');
            Self::default()
                .int(2, 6)
                .int(17_600_000_000, 36)
                .int(17_600_000_000, 36)
                .int(10, 12)
                .int(1, 12)
                .int(1, 6)
                .int(lang(b'E', b'N'), 12)
                .int(150, 12)
                .int(5, 6)
                .int(1, 1)
                .int(0, 1)
                .flags(special_features, 12)
                .flags(purposes, 24)
                .flags(&[2, 7], 24)
                .int(0, 1)
                .int(lang(b'F', b'R'), 12)
        }

        /// A vendor vector as a bit field of `max` vendors.
        fn vendor_field(self, max: u64, on: &[u32]) -> Self {
            self.int(max, 16)
                .int(0, 1)
                .flags(on, u32::try_from(max).unwrap())
        }

        /// A vendor vector as ranges `(start, Some(end))` or single ids.
        fn vendor_ranges(self, max: u64, ranges: &[(u64, Option<u64>)]) -> Self {
            self.int(max, 16).int(1, 1).ranges(ranges)
        }

        fn ranges(self, ranges: &[(u64, Option<u64>)]) -> Self {
            let mut w = self.int(ranges.len() as u64, 12);
            for &(start, end) in ranges {
                w = match end {
                    Some(end) => w.int(1, 1).int(start, 16).int(end, 16),
                    None => w.int(0, 1).int(start, 16),
                };
            }
            w
        }
    }

    /// A whole core segment: vendor consents as a field, legitimate
    /// interests as ranges, one publisher restriction.
    fn full_core(purposes: &[u32], special_features: &[u32]) -> Writer {
        Writer::core(purposes, special_features)
            .vendor_field(40, &[1, 8, 40])
            .vendor_ranges(755, &[(1, Some(10)), (755, None)])
            .int(1, 12)
            .int(2, 6)
            .int(1, 2)
            .ranges(&[(32, None), (100, Some(120))])
    }

    #[test]
    fn constructed_core_segments() {
        let core = full_core(&[1, 3, 4, 24], &[2, 12]).encode();
        assert_eq!(granted(&core), (vec![1, 3, 4, 24], vec![2, 12]));
        // An empty vendor section (MaxVendorId 0) and no restrictions.
        let minimal = Writer::core(&[1], &[])
            .vendor_field(0, &[])
            .vendor_field(0, &[])
            .int(0, 12);
        assert_eq!(granted(&minimal.encode()), (vec![1], vec![]));
    }

    #[test]
    fn encoder_default_output_reads() {
        // Core, disclosed vendors, and the empty publisher segment.
        let core = full_core(&[1, 2, 7], &[]).encode();
        let disclosed = Writer::default()
            .int(1, 3)
            .vendor_field(12, &[4, 12])
            .encode();
        let value = format!("{core}.{disclosed}.YAAAAAAAAAAA");
        assert_eq!(granted(&value), (vec![1, 2, 7], vec![]));
        // Allowed vendors as ranges; publisher purposes with custom ones.
        let allowed = Writer::default()
            .int(2, 3)
            .vendor_ranges(9, &[(3, Some(9))])
            .encode();
        let publisher = Writer::default()
            .int(3, 3)
            .flags(&[1], 24)
            .flags(&[], 24)
            .int(3, 6)
            .flags(&[1, 2], 6)
            .encode();
        assert_eq!(outcome(&format!("{core}.{allowed}.{publisher}")), CHOICES);
    }

    #[test]
    fn version_must_be_two() {
        for version in [0, 1, 3, 63] {
            let mut w = full_core(&[1], &[]);
            let bits = Writer::default().int(version, 6).0;
            w.0[..6].copy_from_slice(&bits);
            assert_eq!(outcome(&w.encode()), Outcome::Malformed, "{version}");
        }
        // A v1 consent string (`BO…`).
        assert_eq!(
            outcome("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA"),
            Outcome::Malformed
        );
    }

    #[test]
    fn every_cut_of_a_core_segment_is_malformed() {
        // Cut the string at every character short of its declared end:
        // through the purposes, each vendor section and the restrictions.
        // (A cut keeps the bits it keeps, so the walk reads the same values
        // and runs out of bits.)
        let w = full_core(&[1, 2], &[1]);
        let encoded = w.encode();
        assert_eq!(granted(&encoded), (vec![1, 2], vec![1]));
        for end in 1..encoded.len() {
            assert!(end * 6 < w.len());
            assert_eq!(outcome(&encoded[..end]), Outcome::Malformed, "cut at {end}");
        }
    }

    #[test]
    fn truncated_strings_are_malformed() {
        for value in SAMPLES {
            let core = value.split('.').next().unwrap();
            // Dropping even one character of the core segment cuts a field:
            // the captured strings end with at most 13 bits of padding.
            for end in 1..core.len() - 3 {
                assert_eq!(
                    outcome(&value[..end]),
                    Outcome::Malformed,
                    "{}",
                    &value[..end]
                );
            }
            // A trailing `.`, or a later segment cut short.
            assert_eq!(outcome(&format!("{core}.")), Outcome::Malformed);
            let dot = value.find('.').unwrap();
            assert_eq!(outcome(&value[..dot + 1]), Outcome::Malformed);
            assert_eq!(outcome(&value[..dot + 2]), Outcome::Malformed);
            assert_eq!(outcome(&value[..dot + 9]), Outcome::Malformed);
        }
        // Cut below the purpose fields.
        assert_eq!(outcome(&REFUSED[..29]), Outcome::Malformed);
        assert_eq!(outcome("C"), Outcome::Malformed);
    }

    #[test]
    fn range_entries_must_fit() {
        let core = Writer::core(&[1], &[]).vendor_field(0, &[]);
        // NumEntries says 3, only 2 follow.
        let short = core
            .int(10, 16)
            .int(1, 1)
            .int(3, 12)
            .int(0, 1)
            .int(5, 16)
            .int(0, 1)
            .int(6, 16);
        assert_eq!(outcome(&short.encode()), Outcome::Malformed);
        let whole = short.int(0, 1).int(7, 16).int(0, 12);
        assert_eq!(outcome(&whole.encode()), CHOICES);
        // A bit field longer than the segment.
        let long_field = Writer::core(&[1], &[]).int(65_535, 16).int(0, 1).int(0, 64);
        assert_eq!(outcome(&long_field.encode()), Outcome::Malformed);
    }

    #[test]
    fn later_segments_must_be_known_and_whole() {
        let core = full_core(&[1], &[]).encode();
        for bad_type in [0, 4, 5, 6, 7] {
            let segment = Writer::default()
                .int(bad_type, 3)
                .int(0, 36)
                .int(0, 33)
                .encode();
            assert_eq!(
                outcome(&format!("{core}.{segment}")),
                Outcome::Malformed,
                "{bad_type}"
            );
        }
        // Publisher purposes announcing 40 custom purposes, with room for 2.
        let publisher = Writer::default()
            .int(3, 3)
            .int(0, 48)
            .int(40, 6)
            .int(0, 4)
            .encode();
        assert_eq!(outcome(&format!("{core}.{publisher}")), Outcome::Malformed);
        assert_eq!(
            outcome(&format!("{core}..YAAAAAAAAAAA")),
            Outcome::Malformed
        );
        assert_eq!(outcome(&format!(".{core}")), Outcome::Malformed);
    }

    #[test]
    fn bytes_outside_base64url_are_malformed() {
        for bad in ["+", "/", "=", "%", " ", "\u{e9}"] {
            let value = REFUSED.replacen('Q', bad, 1);
            assert_eq!(outcome(&value), Outcome::Malformed, "{bad}");
        }
        assert_eq!(outcome(&format!("{REFUSED}=")), Outcome::Malformed);
        let got = collect(|emit| read(b"CQX48QAQX48Q\xff", &mut |n: &[u8], g| emit(n, g)));
        assert_eq!(got.0, Outcome::Malformed);
        // Percent-encoded (or encoded twice): not a TC string any more.
        assert_eq!(outcome(&REFUSED.replace('.', "%2E")), Outcome::Malformed);
        assert_eq!(outcome(&REFUSED.replace('.', "%252E")), Outcome::Malformed);
        // Quotes and spaces around are unwrapped.
        assert_eq!(outcome(&format!(" \"{REFUSED}\" ")), CHOICES);
        assert_eq!(outcome(""), Outcome::NotSet);
    }

    #[test]
    fn oversized_is_malformed() {
        // A bit field that makes the core exactly 4096 characters.
        let head = Writer::core(&[1], &[]);
        let fixed = head.len() + 17 + 17 + 12;
        let field = 4096 * 6 - fixed;
        let w = head
            .vendor_field(field as u64, &[])
            .vendor_field(0, &[])
            .int(0, 12);
        let value = w.encode();
        assert_eq!(value.len(), 4096);
        assert_eq!(outcome(&value), CHOICES);
        assert_eq!(outcome(&format!("{value}A")), Outcome::Malformed);
    }

    #[test]
    fn never_panics_on_mutations() {
        never_panics(&mut read_only, &SAMPLES);
    }
}
