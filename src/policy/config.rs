//! The configuration-file form of a policy (serde).
//!
//! Deserializing goes through [`PolicyConfig`] and then the builder, so a
//! file is validated exactly like code.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{ConsentFormat, CookieEntry, Policy, PolicyBuilder, PolicyError, UnknownCookies};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct PolicyConfig {
    consent_format: ConsentFormat,
    consent_cookie: Option<String>,
    necessary: Vec<EntryConfig>,
    categories: InOrder<Vec<EntryConfig>>,
    exempt_categories: Vec<String>,
    aliases: InOrder<String>,
    revision: Option<u64>,
    cookiebot_unregulated_grants_all: bool,
    unknown_cookies: UnknownCookies,
    purge: Option<bool>,
    strip_request_cookies: Option<bool>,
    purge_limit: Option<usize>,
    gpc: Vec<String>,
    gpc_explicit_choice_wins: Option<bool>,
    known_cookies: InOrder<String>,
}

impl TryFrom<PolicyConfig> for Policy {
    type Error = PolicyError;

    fn try_from(config: PolicyConfig) -> Result<Self, Self::Error> {
        let mut builder = PolicyBuilder::default().consent_format(config.consent_format);
        if let Some(name) = config.consent_cookie {
            builder = builder.consent_cookie(name);
        }
        builder = builder
            .necessary(config.necessary.into_iter().map(|e| e.0))
            .unknown_cookies(config.unknown_cookies)
            .cookiebot_unregulated_grants_all(config.cookiebot_unregulated_grants_all);
        for (name, cookies) in config.categories.0 {
            builder = builder.category(name, cookies.into_iter().map(|e| e.0));
        }
        for category in config.exempt_categories {
            builder = builder.exempt(category);
        }
        for (alias, category) in config.aliases.0 {
            builder = builder.alias(alias, category);
        }
        if let Some(revision) = config.revision {
            builder = builder.revision(revision);
        }
        builder = builder.gpc(config.gpc);
        if let Some(purge) = config.purge {
            builder = builder.purge(purge);
        }
        if let Some(strip) = config.strip_request_cookies {
            builder = builder.strip_request_cookies(strip);
        }
        if let Some(limit) = config.purge_limit {
            builder = builder.purge_limit(limit);
        }
        if let Some(wins) = config.gpc_explicit_choice_wins {
            builder = builder.gpc_explicit_choice_wins(wins);
        }
        builder = builder.known_cookies(config.known_cookies.0);
        builder.build()
    }
}

/// A map in the order the file writes it: categories keep their order for
/// `Consent::categories` and the declaration table, and the first bad
/// alias is the one reported, so a `HashMap` will not do.
#[derive(Debug)]
struct InOrder<V>(Vec<(String, V)>);

impl<V> Default for InOrder<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for InOrder<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrderVisitor<V>(std::marker::PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for InOrderVisitor<V> {
            type Value = InOrder<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InOrder<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, V>()? {
                    entries.push(entry);
                }
                Ok(InOrder(entries))
            }
        }

        deserializer.deserialize_map(InOrderVisitor(std::marker::PhantomData))
    }
}

/// A cookie: `"name"`, `"prefix*"`, or an object with `name` and optional
/// `provider`, `function`, `purpose`, `lifetime`, `path`, `domain`.
#[derive(Debug)]
struct EntryConfig(CookieEntry);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryObject {
    name: String,
    provider: Option<String>,
    function: Option<String>,
    purpose: Option<String>,
    lifetime: Option<String>,
    path: Option<String>,
    domain: Option<String>,
}

impl<'de> Deserialize<'de> for EntryConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameOrObject;

        impl<'de> Visitor<'de> for NameOrObject {
            type Value = EntryConfig;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cookie name, a `prefix*`, or an object with a `name`")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<EntryConfig, E> {
                Ok(EntryConfig(CookieEntry::new(name.to_owned())))
            }

            fn visit_string<E: de::Error>(self, name: String) -> Result<EntryConfig, E> {
                Ok(EntryConfig(CookieEntry::new(name)))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<EntryConfig, A::Error> {
                let object = EntryObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let mut entry = CookieEntry::new(object.name);
                if let Some(provider) = object.provider {
                    entry = entry.with_provider(provider);
                }
                if let Some(function) = object.function {
                    entry = entry.with_function(function);
                }
                if let Some(purpose) = object.purpose {
                    entry = entry.with_purpose(purpose);
                }
                if let Some(lifetime) = object.lifetime {
                    entry = entry.with_lifetime(lifetime);
                }
                if let Some(path) = object.path {
                    entry = entry.with_path(path);
                }
                if let Some(domain) = object.domain {
                    entry = entry.with_domain(domain);
                }
                Ok(EntryConfig(entry))
            }

            // Some formats hand sequences of entries through here.
            fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<EntryConfig, A::Error> {
                Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
            }
        }

        deserializer.deserialize_any(NameOrObject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_keep_file_order() {
        let policy: Policy = serde_json::from_str(
            r#"{"categories": {"zeta": ["z"], "alpha": ["a"], "mid": ["m*"]}}"#,
        )
        .unwrap();
        assert_eq!(
            policy.categories().collect::<Vec<_>>(),
            ["zeta", "alpha", "mid"]
        );
    }

    #[test]
    fn entries_may_be_objects() {
        let policy: Policy = serde_json::from_str(
            r#"{"categories": {"marketing": [{"name": "_hjid", "provider": "Hotjar",
                "purpose": "Unique visitor id", "lifetime": "12 months", "path": "/", "domain": "example.com"}]}}"#,
        )
        .unwrap();
        let entry = &policy.category_cookies("marketing").unwrap()[0];
        assert_eq!(entry.provider(), Some("Hotjar"));
        assert_eq!(entry.purpose(), Some("Unique visitor id"));
        assert_eq!(entry.lifetime(), Some("12 months"));
        assert_eq!(entry.path(), Some("/"));
        assert_eq!(entry.domain(), Some("example.com"));
    }

    #[test]
    fn validation_errors_surface_through_serde() {
        let err =
            serde_json::from_str::<Policy>(r#"{"categories": {"necessary": []}}"#).unwrap_err();
        assert!(err.to_string().contains("necessary"), "{err}");
        let err = serde_json::from_str::<Policy>(r#"{"necesary": []}"#).unwrap_err();
        assert!(err.to_string().contains("necesary"), "{err}");
        let err =
            serde_json::from_str::<Policy>(r#"{"categories": {"m": [{"nme": "x"}]}}"#).unwrap_err();
        assert!(err.to_string().contains("nme"), "{err}");
    }
}
