//! Redaction of secret-looking values: the one mechanism every listing, log
//! line, error text and `Debug` output of weld goes through before it shows a
//! link value, a setting or a seed.
//!
//! What counts as secret:
//! - the value of a key whose name contains `token`, `password`, `passwd`,
//!   `secret`, `seed`, `credential`, `private` or `apikey`/`api_key`
//!   (case-insensitive, `-`/`_` ignored): the whole value is replaced by
//!   [`REDACTED`];
//! - the user information of a URL anywhere in a text
//!   (`redis://user:pw@host` -> `redis://[REDACTED]@host`), whatever the key;
//! - a `password=...` pair anywhere in a text (libpq connection strings, URL
//!   query parameters);
//! - in upstream's JSON settings (`config_json`), the values of secret keys
//!   (`{"auth_seed": "SU..."}`); `config_b64`, which cannot be shown in
//!   part, is hidden whole.
//!
//! Redaction is for display only: stored values and the wire format are
//! untouched.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// What a secret is replaced by.
pub const REDACTED: &str = "[REDACTED]";

/// Parts of key names that mark their value as secret (compared after
/// lower-casing and dropping `-` and `_`).
const SECRET_KEY_PARTS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "seed",
    "credential",
    "private",
    "apikey",
];

/// True when a value stored under `key` must not be shown.
pub fn is_secret_key(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_KEY_PARTS.iter().any(|p| norm.contains(p))
}

/// `value` as it may be shown when stored under `key`: [`REDACTED`] for a
/// secret key, else the value with URL user information hidden.
pub fn value<'a>(key: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_key(key) || key.eq_ignore_ascii_case("config_b64") {
        Cow::Borrowed(REDACTED)
    } else if key.eq_ignore_ascii_case("config_json") {
        json(value)
    } else {
        text(value)
    }
}

/// JSON text with the values of secret keys hidden (and [`text`] applied
/// to every other string); text that is not JSON is hidden whole, since
/// there is no telling where a secret in it ends.
pub fn json(value: &str) -> Cow<'_, str> {
    fn walk(v: &mut serde_json::Value) -> bool {
        let mut changed = false;
        match v {
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    if is_secret_key(k) && !item.is_null() {
                        *item = serde_json::Value::String(REDACTED.into());
                        changed = true;
                    } else {
                        changed |= walk(item);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    changed |= walk(item);
                }
            }
            serde_json::Value::String(s) => {
                if let Cow::Owned(t) = text(s) {
                    *s = t;
                    changed = true;
                }
            }
            _ => {}
        }
        changed
    }
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(mut v) => {
            if walk(&mut v) {
                Cow::Owned(v.to_string())
            } else {
                Cow::Borrowed(value)
            }
        }
        Err(_) => Cow::Borrowed(REDACTED),
    }
}

/// `s` with the user information of every URL in it (`scheme://user:pw@`)
/// and the value of every `password=` pair replaced by [`REDACTED`]. Text
/// with neither comes back borrowed.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.contains("://") {
        return match password_pairs(s) {
            Some(hidden) => Cow::Owned(hidden),
            None => Cow::Borrowed(s),
        };
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or whitespace (or a
        // quote, when the URL sits in quoted text).
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '`') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(userinfo_end) => {
                out.push_str(REDACTED);
                out.push_str(&authority[userinfo_end..]);
                changed = true;
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    let urls = if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    };
    match password_pairs(&urls) {
        Some(hidden) => Cow::Owned(hidden),
        None => urls,
    }
}

/// `s` with the value of every `password=` pair (any case; `sslpassword=`
/// too) replaced, up to a space, `&`, `;`, `,` or a quote; `None` when
/// there is none.
fn password_pairs(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    if !lower.contains("password=") {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find("password=") {
        let value_start = at + found + "password=".len();
        out.push_str(&s[at..value_start]);
        let rest = &s[value_start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | ';' | ',' | '"' | '\''))
            .unwrap_or(rest.len());
        out.push_str(REDACTED);
        at = value_start + end;
    }
    out.push_str(&s[at..]);
    Some(out)
}

/// A copy of `values` with every secret-looking value redacted ([`value`]).
pub fn map(values: &HashMap<String, String>) -> HashMap<String, String> {
    values
        .iter()
        .map(|(k, v)| (k.clone(), value(k, v).into_owned()))
        .collect()
}

/// Shows a map of settings with secret-looking values redacted; for `Debug`
/// impls and log lines.
pub struct Values<'a>(pub &'a HashMap<String, String>);

impl fmt::Debug for Values<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Sorted: the output of a HashMap should not depend on hash order.
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort();
        f.debug_map()
            .entries(keys.into_iter().map(|k| (k, value(k, &self.0[k]))))
            .finish()
    }
}

/// Shows that a secret is set (and its length class), never the secret.
pub struct Secret<'a>(pub &'a str);

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str(REDACTED)
        }
    }
}

/// An error chain with every message passed through [`text`]: what an error
/// from a client library (which may quote the URL it was given, password
/// and all) becomes before it is stored as the source of one of ours. The
/// chain keeps its shape; only the texts are redacted.
#[derive(Debug)]
pub struct RedactedError {
    message: String,
    source: Option<Box<RedactedError>>,
}

impl RedactedError {
    /// The redacted copy of `error` and its sources.
    pub fn new(error: &(dyn std::error::Error + 'static)) -> Self {
        RedactedError {
            message: text(&error.to_string()).into_owned(),
            source: error.source().map(|s| Box::new(RedactedError::new(s))),
        }
    }
}

impl fmt::Display for RedactedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RedactedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_recognised_in_any_spelling() {
        for k in [
            "password",
            "PASSWORD",
            "db_password",
            "Api-Key",
            "apikey",
            "auth_token",
            "client-secret",
            "user_seed",
            "credentials",
            "private_key",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["URL", "address", "port", "path", "max_content_len"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn passwords_in_connection_strings_and_json_settings_are_hidden() {
        assert_eq!(
            text("host=db user=u password=pw1 port=x"),
            "host=db user=u password=[REDACTED] port=x"
        );
        assert_eq!(
            text("postgres://db/x?sslmode=disable&PASSWORD=pw2&a=b"),
            "postgres://db/x?sslmode=disable&PASSWORD=[REDACTED]&a=b"
        );
        let shown = value(
            "config_json",
            r#"{"auth_seed":"SUAXYZ","cluster_uris":["nats://u:pw3@h:4222"],"pool":{"max_connections":2}}"#,
        );
        assert!(
            !shown.contains("SUAXYZ") && !shown.contains("pw3"),
            "{shown}"
        );
        assert!(shown.contains("max_connections"), "{shown}");
        assert_eq!(value("config_json", "{not json SUAXYZ"), REDACTED);
        assert_eq!(value("CONFIG_B64", "eyJ0b2tlbiI6Inh5eiJ9"), REDACTED);
        assert_eq!(value("config_json", r#"{"a":1}"#), r#"{"a":1}"#);
    }

    #[test]
    fn url_userinfo_is_hidden_anywhere_in_text() {
        assert_eq!(
            text("redis://user:pw@localhost:6379/0"),
            "redis://[REDACTED]@localhost:6379/0"
        );
        assert_eq!(text("redis://:pw@h"), "redis://[REDACTED]@h");
        assert_eq!(
            text("cannot connect to \"nats://a:b@x:4222\" or https://c@d/e?f=g@h"),
            "cannot connect to \"nats://[REDACTED]@x:4222\" or https://[REDACTED]@d/e?f=g@h"
        );
        assert!(matches!(text("redis://localhost:6379"), Cow::Borrowed(_)));
        assert!(matches!(text("no url here"), Cow::Borrowed(_)));
        assert_eq!(text("x://"), "x://");
    }

    #[test]
    fn values_redact_by_key_and_by_url() {
        assert_eq!(value("password", "hunter2"), REDACTED);
        assert_eq!(value("URL", "redis://u:p@h"), "redis://[REDACTED]@h");
        assert_eq!(value("port", "8080"), "8080");
        let m: HashMap<String, String> = [("token", "abc"), ("URL", "redis://u:p@h")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let shown = format!("{:?}", Values(&m));
        assert!(!shown.contains("abc") && !shown.contains("u:p"), "{shown}");
        assert_eq!(map(&m)["token"], REDACTED);
        assert_eq!(format!("{:?}", Secret("SUABC")), REDACTED);
    }

    #[test]
    fn error_chains_are_redacted_link_by_link() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("connecting to redis://a:b@h failed")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = RedactedError::new(&Outer(std::io::Error::other("at nats://c:d@n")));
        assert_eq!(e.to_string(), "connecting to redis://[REDACTED]@h failed");
        let inner = std::error::Error::source(&e).unwrap().to_string();
        assert_eq!(inner, "at nats://[REDACTED]@n");
        assert!(!format!("{e:?}").contains("a:b"));
    }
}
