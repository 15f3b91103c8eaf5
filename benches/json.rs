//! The crate's own JSON scanner against `serde_json`'s borrowed
//! deserialisation, on consent values as banners write them: time per
//! value (criterion) and heap allocations per value (printed first).
//!
//! ```text
//! cargo bench --bench json
//! ```
//!
//! Both sides answer the same question (which of the policy's categories
//! does this percent-decoded JSON value grant) without a `String` or a
//! `Vec` of their own: the `serde_json` side borrows keys and walks arrays
//! element by element, and allocates only where `serde_json` must (a key
//! with an escape, an error).

#[path = "support/counting.rs"]
mod counting;

use std::borrow::Cow;
use std::fmt;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer as _;
use tower_cookie_consent::{internals, Policy};

use counting::{allocations_in, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CATEGORIES: [&str; 3] = ["functional", "statistics", "marketing"];

/// Real shapes, already percent-decoded: an object of booleans (the
/// default format, Klaro, GOV.UK), an array of names, the categories array
/// nested in orestbida's `cc_cookie`, a key with a JSON escape, and a
/// truncated value.
const VALUES: [(&str, &str); 5] = [
    (
        "object",
        r#"{"functional":true,"statistics":true,"marketing":false}"#,
    ),
    ("array", r#"["functional","statistics"]"#),
    (
        "nested_orestbida",
        r#"{"categories":["necessary","statistics"],"revision":1,"data":null,"consentTimestamp":"2024-11-20T19:02:36.823Z","consentId":"12fd04af-4af6-48a3-8531-b7cf317849d1","services":{"necessary":[],"statistics":[]},"lastConsentTimestamp":"2024-11-20T19:02:36.823Z","expirationTime":1747854156824}"#,
    ),
    (
        "escaped_key",
        r#"{"st\u0061tistics":true,"marketing":false}"#,
    ),
    ("truncated", r#"{"functional":true,"statistics":tr"#),
];

/// A key or string: borrowed when the input holds it verbatim, owned (an
/// allocation) when `serde_json` has to unescape it.
struct Text<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

fn index(name: &str) -> Option<usize> {
    CATEGORIES.iter().position(|c| c.eq_ignore_ascii_case(name))
}

/// An object of `category: bool` members, or an object with a
/// `categories` array, or an array of names: the bit set granted.
struct Grants;

impl<'de> Visitor<'de> for Grants {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a consent object or array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        let mut bits = 0;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            if key == "categories" {
                bits |= map.next_value_seed(Names)?;
            } else if let Some(i) = index(&key) {
                match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::Bool(true) => bits |= 1 << i,
                    _ => bits &= !(1 << i),
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(bits)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<u64, A::Error> {
        Names.visit_seq(seq)
    }
}

/// An array of names, walked element by element (no `Vec`).
struct Names;

impl<'de> DeserializeSeed<'de> for Names {
    type Value = u64;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Names {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of names")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut bits = 0;
        while let Some(Text(name)) = seq.next_element::<Text<'de>>()? {
            if let Some(i) = index(&name) {
                bits |= 1 << i;
            }
        }
        Ok(bits)
    }
}

fn serde_grants(value: &[u8]) -> Option<u64> {
    let mut de = serde_json::Deserializer::from_slice(value);
    let bits = de.deserialize_any(Grants).ok()?;
    de.end().ok()?;
    Some(bits)
}

fn policy() -> Policy {
    let mut builder = Policy::builder();
    for category in CATEGORIES {
        builder = builder.category(category, Vec::<String>::new());
    }
    builder.build().expect("valid policy")
}

fn bench(c: &mut Criterion) {
    let policy = policy();
    println!(
        "{:<18} {:>22} {:>22}",
        "value", "crate allocations", "serde_json allocations"
    );
    for (name, value) in VALUES {
        let ours = allocations_in(|| internals::read_consent_bits(&policy, value.as_bytes()));
        let theirs = allocations_in(|| serde_grants(value.as_bytes()));
        println!("{name:<18} {:>22} {:>22}", ours.0, theirs.0);
    }
    let mut group = c.benchmark_group("json");
    for (name, value) in VALUES {
        group.bench_function(format!("crate/{name}"), |b| {
            b.iter(|| internals::read_consent_bits(&policy, black_box(value.as_bytes())))
        });
        group.bench_function(format!("serde_json/{name}"), |b| {
            b.iter(|| serde_grants(black_box(value.as_bytes())))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
