//! Where a link's S3 settings come from, in upstream's order:
//!
//! 1. the JSON of `config_b64` or `config_json` (link values, else the
//!    provider config): `access_key_id`, `secret_access_key`,
//!    `session_token`, `region`, `max_attempts`,
//!    `sts_config {role, region, session, external_id}`, `endpoint`,
//!    `aliases`, and ours: `force_path_style`;
//! 2. `env`: an env file (`KEY=VALUE` lines). Upstream loaded it into the
//!    process environment, where it leaked into every other link (and, in
//!    a host, into everything else); here its variables are this link's
//!    only, read as if set in the environment (a variable really set in
//!    the environment wins, as with upstream's dotenv);
//! 3. the environment then overrides: `AWS_ENDPOINT`, and `AWS_ROLE_ARN`
//!    (with `AWS_ROLE_REGION`, `AWS_ROLE_SESSION_NAME`,
//!    `AWS_ROLE_EXTERNAL_ID`) for the role to assume;
//! 4. otherwise the AWS default chain: `AWS_ACCESS_KEY_ID`,
//!    `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
//!    `~/.aws`, instance roles; the region falls back to `us-east-1`.
//!
//! Bucket aliases: `aliases` in the JSON and `alias_{name}=bucket` link
//! values (or provider config), the link's winning.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use weld_rpc::provider::lifecycle::{LinkSettings, ProviderError, Setting, SettingOrigin};

/// Link values (and provider config keys) this provider reads, besides
/// `alias_*`.
pub const SETTING_KEYS: &[&str] = &[
    "config_b64",
    "config_json",
    "env",
    "chunk_size",
    "part_size",
];
/// Prefix of a bucket alias link value (`alias_photos=my-photos-bucket`).
pub const ALIAS_PREFIX: &str = "alias_";
/// Download chunk size when none is given: under the lattice's 900 KiB
/// inline limit, so a chunk is one NATS message.
pub const DEFAULT_CHUNK_SIZE: u64 = 512 * 1024;
/// Smallest and largest download chunk size.
pub const CHUNK_SIZE_RANGE: (u64, u64) = (4 * 1024, 16 * 1024 * 1024);
/// Multipart upload part size when none is given.
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;
/// S3's limits on a part (but the last): 5 MiB to 5 GiB. The provider
/// holds one part per upload in memory, so the top is kept lower.
pub const PART_SIZE_RANGE: (u64, u64) = (5 * 1024 * 1024, 512 * 1024 * 1024);

/// Upstream's JSON settings.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct JsonConfig {
    /// Static credentials (with `secret_access_key`).
    pub access_key_id: Option<String>,
    /// Static credentials (with `access_key_id`).
    pub secret_access_key: Option<String>,
    /// Optional session token of static credentials.
    pub session_token: Option<String>,
    /// The region (and the location of buckets this link creates).
    pub region: Option<String>,
    /// Attempts per request, retries included.
    pub max_attempts: Option<u32>,
    /// A role to assume through STS.
    pub sts_config: Option<StsConfig>,
    /// The S3 endpoint URL, for S3-compatible servers.
    pub endpoint: Option<String>,
    /// Bucket aliases: container name -> bucket.
    #[serde(default)]
    pub aliases: HashMap<String, String>,
    /// Address buckets as `{endpoint}/{bucket}` rather than
    /// `{bucket}.{endpoint}`. Default: on with a custom `endpoint` (what
    /// S3-compatible servers on an address serve), off on AWS.
    pub force_path_style: Option<bool>,
    /// Fields upstream ignored: ignored here too, with a warning.
    #[serde(flatten)]
    pub unknown: HashMap<String, serde_json::Value>,
}

/// The role to assume.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
pub struct StsConfig {
    /// The role's ARN.
    pub role: String,
    /// The STS region, if not the link's.
    pub region: Option<String>,
    /// The session name.
    pub session: Option<String>,
    /// The external id the role's trust policy asks for.
    pub external_id: Option<String>,
}

/// Static credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Everything one link's client and calls are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// Static credentials, or `None` for the AWS default chain.
    pub credentials: Option<StaticCredentials>,
    /// The region, or `None` for the default chain's (else `us-east-1`).
    pub region: Option<String>,
    /// Attempts per request.
    pub max_attempts: Option<u32>,
    /// The role to assume.
    pub sts: Option<StsConfig>,
    /// The endpoint URL (`None`: AWS's).
    pub endpoint: Option<String>,
    /// Path-style bucket addressing.
    pub force_path_style: bool,
    /// Container name -> bucket.
    pub aliases: HashMap<String, String>,
    /// Bytes per download chunk.
    pub chunk_size: usize,
    /// Bytes per multipart upload part.
    pub part_size: usize,
}

impl S3Settings {
    /// The bucket a container name means, as upstream: an `alias_` prefix
    /// is dropped, then the aliases are looked up.
    pub fn bucket<'a>(&'a self, container: &'a str) -> &'a str {
        let name = container.strip_prefix(ALIAS_PREFIX).unwrap_or(container);
        self.aliases.get(name).map(String::as_str).unwrap_or(name)
    }
}

/// Splits `alias_*` keys off a settings map.
fn split_aliases(
    map: &HashMap<String, String>,
) -> (HashMap<String, String>, Vec<(String, String)>) {
    let mut rest = HashMap::new();
    let mut aliases = Vec::new();
    for (k, v) in map {
        match k
            .get(..ALIAS_PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(ALIAS_PREFIX))
        {
            Some(_) => aliases.push((k[ALIAS_PREFIX.len()..].to_string(), v.trim().to_string())),
            None => {
                rest.insert(k.clone(), v.clone());
            }
        }
    }
    (rest, aliases)
}

/// Parses an env file: `KEY=VALUE` lines, `#` comments, an optional
/// `export `, values optionally in single or double quotes.
pub fn parse_env_file(text: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("line {}: not KEY=VALUE", i + 1));
        };
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("line {}: `{k}` is not a variable name", i + 1));
        }
        let v = v.trim();
        let v = ['"', '\'']
            .iter()
            .find_map(|q| v.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(v);
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

/// Resolves a link's settings. `values` are the link's, `config` the
/// provider's, `env` reads the process environment, `data_dir` anchors a
/// relative env file.
pub fn resolve(
    provider: &str,
    values: &HashMap<String, String>,
    config: &HashMap<String, String>,
    env: &dyn Fn(&str) -> Option<String>,
    data_dir: &Path,
) -> Result<S3Settings, ProviderError> {
    let (link_rest, link_aliases) = split_aliases(values);
    let (config_rest, config_aliases) = split_aliases(config);
    let s = LinkSettings::new(provider, &link_rest, &config_rest, SETTING_KEYS)?;

    // 1. JSON: the link's, else the config's; base64 before plain.
    let json_setting = [SettingOrigin::Link, SettingOrigin::Config]
        .into_iter()
        .find_map(|o| s.at(o, "config_b64").or_else(|| s.at(o, "config_json")));
    let json: JsonConfig = match &json_setting {
        Some(v) => v.json().map_err(|r| s.invalid(v, r))?,
        None => JsonConfig::default(),
    };
    if let Some(v) = &json_setting {
        let mut unknown: Vec<&String> = json.unknown.keys().collect();
        unknown.sort();
        if !unknown.is_empty() {
            tracing::warn!(provider, key = %v.key, "fields not used by this provider: {unknown:?}");
        }
    }

    // 2. The env file, under the real environment.
    let file = match s.get("env") {
        Some(v) if v.value.is_empty() => HashMap::new(),
        Some(v) => {
            let path = data_dir.join(&v.value);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| s.invalid(&v, format!("cannot read {}: {e}", path.display())))?;
            parse_env_file(&text).map_err(|r| s.invalid(&v, format!("{}: {r}", path.display())))?
        }
        None => HashMap::new(),
    };
    let var = |k: &str| {
        env(k)
            .or_else(|| file.get(k).cloned())
            .filter(|v| !v.trim().is_empty())
    };

    // 3. The environment's overrides.
    let endpoint = var("AWS_ENDPOINT").or(json.endpoint.clone());
    if let Some(e) = &endpoint {
        let ok = ["http://", "https://"]
            .iter()
            .any(|p| e.len() > p.len() && e[..p.len()].eq_ignore_ascii_case(p));
        if !ok {
            let shown = json_setting
                .clone()
                .unwrap_or_else(|| Setting::default_for("AWS_ENDPOINT", e.clone()));
            return Err(s.invalid(
                &shown,
                format!("endpoint `{e}` is not an http:// or https:// URL"),
            ));
        }
    }
    let sts = match var("AWS_ROLE_ARN") {
        Some(role) => Some(StsConfig {
            role,
            region: var("AWS_ROLE_REGION"),
            session: var("AWS_ROLE_SESSION_NAME"),
            external_id: var("AWS_ROLE_EXTERNAL_ID"),
        }),
        None => json.sts_config.clone(),
    };

    // Credentials: the JSON's; else the env file's (the real environment
    // is the default chain's to read).
    let credentials = match (&json.access_key_id, &json.secret_access_key) {
        (Some(id), Some(secret)) => Some(StaticCredentials {
            access_key_id: id.clone(),
            secret_access_key: secret.clone(),
            session_token: json.session_token.clone(),
        }),
        (None, None) => match (
            file.get("AWS_ACCESS_KEY_ID"),
            file.get("AWS_SECRET_ACCESS_KEY"),
        ) {
            (Some(id), Some(secret)) if env("AWS_ACCESS_KEY_ID").is_none() => {
                Some(StaticCredentials {
                    access_key_id: id.clone(),
                    secret_access_key: secret.clone(),
                    session_token: file.get("AWS_SESSION_TOKEN").cloned(),
                })
            }
            _ => None,
        },
        _ => {
            let v = json_setting.clone().expect("a key came from the JSON");
            return Err(s.invalid(&v, "`access_key_id` and `secret_access_key` go together"));
        }
    };
    let region = json
        .region
        .clone()
        .or_else(|| file.get("AWS_REGION").cloned())
        .or_else(|| file.get("AWS_DEFAULT_REGION").cloned());

    let mut aliases = json.aliases.clone();
    aliases.extend(config_aliases);
    aliases.extend(link_aliases);

    let size = |key: &str, default: u64, (min, max): (u64, u64)| match s.get(key) {
        Some(v) => s.size(&v, min..=max).map(|n| n as usize),
        None => Ok(default as usize),
    };
    Ok(S3Settings {
        credentials,
        region,
        max_attempts: json.max_attempts.filter(|n| *n > 0),
        sts,
        force_path_style: json.force_path_style.unwrap_or(endpoint.is_some()),
        endpoint,
        aliases,
        chunk_size: size("chunk_size", DEFAULT_CHUNK_SIZE, CHUNK_SIZE_RANGE)?,
        part_size: size("part_size", DEFAULT_PART_SIZE, PART_SIZE_RANGE)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn at(values: &[(&str, &str)], config: &[(&str, &str)]) -> Result<S3Settings, ProviderError> {
        resolve(
            "s3",
            &map(values),
            &map(config),
            &no_env,
            Path::new("/nonexistent"),
        )
    }

    #[test]
    fn json_from_the_link_over_the_config() {
        let json = r#"{"endpoint":"http://127.0.0.1:5000","access_key_id":"AK","secret_access_key":"SK","region":"eu-west-3","max_attempts":2,"aliases":{"pics":"bucket-a"}}"#;
        let s = at(&[("config_json", json)], &[("config_json", "{}")]).unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert!(s.force_path_style);
        assert_eq!(s.region.as_deref(), Some("eu-west-3"));
        assert_eq!(s.max_attempts, Some(2));
        let c = s.credentials.clone().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AK", "SK")
        );
        assert_eq!(s.bucket("pics"), "bucket-a");
        assert_eq!(s.bucket("alias_pics"), "bucket-a");
        assert_eq!(s.bucket("alias_other"), "other");
        assert_eq!(s.bucket("plain"), "plain");

        // The config's when the link has none; base64 as well.
        let b64 = "eyJyZWdpb24iOiJhcC1zb3V0aC0xIn0="; // {"region":"ap-south-1"}
        let s = at(&[], &[("config_b64", b64)]).unwrap();
        assert_eq!(s.region.as_deref(), Some("ap-south-1"));
        assert_eq!(s.endpoint, None);
        assert!(!s.force_path_style);
        assert_eq!(s.credentials, None);
        assert_eq!(s.chunk_size, DEFAULT_CHUNK_SIZE as usize);
        assert_eq!(s.part_size, DEFAULT_PART_SIZE as usize);
    }

    #[test]
    fn alias_link_values_win_over_json_aliases() {
        let s = at(
            &[
                ("config_json", r#"{"aliases":{"a":"json-a","b":"json-b"}}"#),
                ("alias_a", "link-a"),
            ],
            &[("ALIAS_c", "config-c")],
        )
        .unwrap();
        assert_eq!(s.bucket("a"), "link-a");
        assert_eq!(s.bucket("b"), "json-b");
        assert_eq!(s.bucket("c"), "config-c");
    }

    #[test]
    fn the_environment_overrides_endpoint_and_role() {
        let env = |k: &str| match k {
            "AWS_ENDPOINT" => Some("http://env:9000".to_string()),
            "AWS_ROLE_ARN" => Some("arn:aws:iam::1:role/r".to_string()),
            "AWS_ROLE_SESSION_NAME" => Some("sess".to_string()),
            _ => None,
        };
        let json = r#"{"endpoint":"http://json:1","sts_config":{"role":"json-role"}}"#;
        let s = resolve(
            "s3",
            &map(&[("config_json", json)]),
            &map(&[]),
            &env,
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://env:9000"));
        let sts = s.sts.unwrap();
        assert_eq!(sts.role, "arn:aws:iam::1:role/r");
        assert_eq!(sts.session.as_deref(), Some("sess"));
    }

    #[test]
    fn env_file_is_the_links_own() {
        let dir = std::env::temp_dir().join(format!("weld-s3-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("s3.env"),
            "# credentials\nexport AWS_ACCESS_KEY_ID=fileak\nAWS_SECRET_ACCESS_KEY=\"filesk\"\nAWS_REGION='eu-north-1'\nAWS_ENDPOINT=http://file:1\n",
        )
        .unwrap();
        let s = resolve("s3", &map(&[("env", "s3.env")]), &map(&[]), &no_env, &dir).unwrap();
        let c = s.credentials.clone().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("fileak", "filesk")
        );
        assert_eq!(s.region.as_deref(), Some("eu-north-1"));
        assert_eq!(s.endpoint.as_deref(), Some("http://file:1"));
        // A variable really set wins over the file.
        let env = |k: &str| (k == "AWS_ENDPOINT").then(|| "http://real:2".to_string());
        let s = resolve("s3", &map(&[("env", "s3.env")]), &map(&[]), &env, &dir).unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://real:2"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_settings_are_refused_with_their_key() {
        for (k, v, why) in [
            ("config_json", "{nope", "not valid JSON"),
            ("config_b64", "!!!", "not base64"),
            ("config_json", r#"{"access_key_id":"x"}"#, "go together"),
            (
                "config_json",
                r#"{"endpoint":"127.0.0.1:5000"}"#,
                "not an http",
            ),
            (
                "config_json",
                r#"{"max_attempts":"many"}"#,
                "not valid JSON",
            ),
            ("env", "missing.env", "cannot read"),
            ("chunk_size", "1", "must be between"),
            ("part_size", "1m", "must be between"),
            ("chunk_sise", "1m", "did you mean `chunk_size`"),
        ] {
            let e = at(&[(k, v)], &[]).unwrap_err().to_string();
            assert!(e.contains(why), "{k}={v}: {e}");
        }
        assert!(parse_env_file("JUST TEXT").is_err());
    }

    #[test]
    fn unknown_json_fields_are_ignored_as_upstream() {
        let s = at(&[("config_json", r#"{"region":"x","colour":"blue"}"#)], &[]).unwrap();
        assert_eq!(s.region.as_deref(), Some("x"));
    }
}
