//! App manifests: which actors, providers and links a host runs.
//!
//! A manifest is a TOML file; relative paths are relative to the manifest.
//!
//! ```toml
//! [host]                       # every key optional
//! lattice = "default"
//! admin = "127.0.0.1:8081"
//! dashboard = "127.0.0.1:4000" # the web dashboard (off unless set)
//! data_dir = "data"
//! call_deadline_ms = 10000
//! max_memory_mb = 64
//! max_instances = 64          # concurrent calls per actor
//! pool_instances = 1024        # pooling allocator slots, all actors
//! allow_unsigned = false       # true runs actors without signed claims (dev only)
//! registry_insecure = ["127.0.0.1:5000"]  # OCI registries on plain HTTP
//! allow_latest = false         # OCI references may name `latest`
//!
//! [[actors]]
//! name = "kvcounter"
//! path = "build/kvcounter.wasm"
//!
//! [[providers]]
//! name = "http"
//! kind = "httpserver"          # a kind known to the provider registry
//! link_name = "default"        # optional
//! config = { }                 # optional string settings
//!
//! [[links]]
//! actor = "kvcounter"
//! provider = "http"
//! values = { port = "8080" }
//! ```
//!
//! Every error names the file and the line (and column) it comes from.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// A manifest error, located in its file.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Syntax or shape error, or a semantic one, at a place in the file.
    #[error("{}:{line}:{column}: {message}", path.display())]
    At {
        /// The manifest path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    host: RawHost,
    #[serde(default)]
    actors: Vec<RawActor>,
    #[serde(default)]
    providers: Vec<RawProvider>,
    #[serde(default)]
    links: Vec<RawLink>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost {
    lattice: Option<String>,
    admin: Option<Spanned<String>>,
    dashboard: Option<Spanned<String>>,
    data_dir: Option<String>,
    call_deadline_ms: Option<u64>,
    max_memory_mb: Option<u64>,
    max_instances: Option<u64>,
    pool_instances: Option<u32>,
    allow_unsigned: Option<bool>,
    #[serde(default)]
    registry_insecure: Vec<String>,
    allow_latest: Option<bool>,
    nats: Option<String>,
    nats_creds: Option<String>,
    nats_seed: Option<String>,
    cluster_seed: Option<String>,
    #[serde(default)]
    cluster_issuers: Vec<String>,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    friendly_name: Option<String>,
    js_domain: Option<String>,
    rpc_timeout_ms: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActor {
    name: Spanned<String>,
    path: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    name: Spanned<String>,
    kind: Option<Spanned<String>>,
    link_name: Option<String>,
    process: Option<bool>,
    path: Option<Spanned<String>>,
    image: Option<Spanned<String>>,
    contract: Option<String>,
    config: Option<Spanned<HashMap<String, Spanned<toml::Value>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    actor: Spanned<String>,
    provider: Spanned<String>,
    contract_id: Option<String>,
    link_name: Option<String>,
    values: Option<Spanned<HashMap<String, Spanned<toml::Value>>>>,
}

/// Host settings from `[host]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSettings {
    /// Lattice name (error texts, future NATS prefix).
    pub lattice: Option<String>,
    /// Admin endpoint address.
    pub admin: Option<std::net::SocketAddr>,
    /// Web dashboard address (no dashboard when unset).
    pub dashboard: Option<std::net::SocketAddr>,
    /// Data directory (resolved against the manifest's directory).
    pub data_dir: Option<PathBuf>,
    /// Per-call deadline in milliseconds.
    pub call_deadline_ms: Option<u64>,
    /// Memory limit per instance in MiB.
    pub max_memory_mb: Option<u64>,
    /// Instances per actor.
    pub max_instances: Option<usize>,
    /// Instance slots of the pooling allocator (all actors together).
    pub pool_instances: Option<u32>,
    /// Run actors without signed claims (development only; default off).
    pub allow_unsigned: Option<bool>,
    /// OCI registries (`host[:port]`) spoken to over plain HTTP.
    pub registry_insecure: Vec<String>,
    /// Whether OCI references may name `latest`.
    pub allow_latest: Option<bool>,
    /// NATS URL: join the lattice there (`host-min up --nats`).
    pub nats: Option<String>,
    /// NATS credentials file (resolved against the manifest's directory).
    pub nats_creds: Option<PathBuf>,
    /// NATS nkey user seed.
    pub nats_seed: Option<String>,
    /// Cluster seed the host signs invocations with.
    pub cluster_seed: Option<String>,
    /// Further cluster issuers whose invocations are accepted.
    pub cluster_issuers: Vec<String>,
    /// Host labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Friendly name.
    pub friendly_name: Option<String>,
    /// JetStream domain.
    pub js_domain: Option<String>,
    /// Timeout of calls across the lattice, in ms (> 0).
    pub rpc_timeout_ms: Option<u64>,
}

/// An actor entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorSpec {
    /// Name, unique in the manifest.
    pub name: String,
    /// Path of the .wasm file (resolved against the manifest's directory);
    /// empty when the actor is given by `image`.
    pub path: PathBuf,
    /// An OCI reference to pull the actor from, instead of `path`.
    pub image: Option<String>,
    /// Extra call aliases.
    pub aliases: Vec<String>,
    /// Where the entry is (line) for later errors.
    pub line: usize,
}

/// A provider entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSpec {
    /// Name, unique in the manifest.
    pub name: String,
    /// Kind, looked up in the provider registry (empty for a provider
    /// given by `path`).
    pub kind: String,
    /// Run it as its own process (host-min's `weld-provider-{kind}`), not
    /// in the host; needs a lattice.
    pub process: bool,
    /// A provider archive (`.par`, `.par.gz`) or executable to run as a
    /// process (resolved against the manifest's directory).
    pub path: Option<PathBuf>,
    /// A provider archive in an OCI registry, run as a process.
    pub image: Option<String>,
    /// The contract id of an executable given by `path`.
    pub contract: Option<String>,
    /// Link name it serves.
    pub link_name: String,
    /// Settings.
    pub config: HashMap<String, String>,
    /// Where each setting's value is, (line, column), by key as written.
    pub config_at: HashMap<String, (usize, usize)>,
    /// Line of the entry.
    pub line: usize,
}

/// A link entry (names refer to the manifest's actors and providers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpec {
    /// Actor name.
    pub actor: String,
    /// Provider name.
    pub provider: String,
    /// Contract id, when given (otherwise the provider's).
    pub contract_id: Option<String>,
    /// Link name, when given (otherwise the provider's).
    pub link_name: Option<String>,
    /// Link values.
    pub values: HashMap<String, String>,
    /// Where each value is, (line, column), by key as written.
    pub values_at: HashMap<String, (usize, usize)>,
    /// Line of the entry.
    pub line: usize,
}

/// A parsed and checked manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The file it was read from.
    pub path: PathBuf,
    /// `[host]` settings.
    pub host: HostSettings,
    /// Actors in file order.
    pub actors: Vec<ActorSpec>,
    /// Providers in file order.
    pub providers: Vec<ProviderSpec>,
    /// Links in file order.
    pub links: Vec<LinkSpec>,
}

struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ManifestError {
        let (line, column) = self.line_col(span.start);
        ManifestError::At {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl Manifest {
    /// Reads and checks a manifest file.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses manifest `text` read from `path` (used to resolve relative paths).
    pub fn parse(path: &Path, text: &str) -> Result<Manifest, ManifestError> {
        let loc = Locator { path, text };
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            loc.err(span, e.message().to_string())
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |p: &str| resolve_path(&base, Path::new(p));

        let address = |key: &str, a: &Option<Spanned<String>>| match a {
            Some(a) => a
                .get_ref()
                .parse::<std::net::SocketAddr>()
                .map(Some)
                .map_err(|e| {
                    loc.err(
                        a.span(),
                        format!("{key}: `{}` is not IP:PORT ({e})", a.get_ref()),
                    )
                }),
            None => Ok(None),
        };
        let admin = address("admin", &raw.host.admin)?;
        let dashboard = address("dashboard", &raw.host.dashboard)?;
        let host = HostSettings {
            lattice: raw.host.lattice.clone(),
            admin,
            dashboard,
            data_dir: raw.host.data_dir.as_deref().map(resolve),
            call_deadline_ms: raw.host.call_deadline_ms,
            max_memory_mb: raw.host.max_memory_mb,
            max_instances: raw.host.max_instances.map(|n| n as usize),
            pool_instances: raw.host.pool_instances,
            allow_unsigned: raw.host.allow_unsigned,
            registry_insecure: raw.host.registry_insecure.clone(),
            allow_latest: raw.host.allow_latest,
            nats: raw.host.nats.clone(),
            nats_creds: raw.host.nats_creds.as_deref().map(resolve),
            nats_seed: raw.host.nats_seed.clone(),
            cluster_seed: raw.host.cluster_seed.clone(),
            cluster_issuers: raw.host.cluster_issuers.clone(),
            labels: raw.host.labels.clone(),
            friendly_name: raw.host.friendly_name.clone(),
            js_domain: raw.host.js_domain.clone(),
            rpc_timeout_ms: match &raw.host.rpc_timeout_ms {
                Some(t) if *t.get_ref() == 0 => {
                    return Err(loc.err(t.span(), "rpc_timeout_ms must be more than 0"))
                }
                t => t.as_ref().map(|t| *t.get_ref()),
            },
        };

        let mut names = HashSet::new();
        let mut actors = Vec::new();
        for a in &raw.actors {
            let name = a.name.get_ref();
            if name.is_empty() {
                return Err(loc.err(a.name.span(), "actor name is empty"));
            }
            if !names.insert(name.clone()) {
                return Err(loc.err(a.name.span(), format!("duplicate name `{name}`")));
            }
            let (path, image) = match (&a.path, &a.image) {
                (Some(p), None) if p.get_ref().is_empty() => {
                    return Err(loc.err(p.span(), "actor path is empty"))
                }
                (Some(p), None) => (resolve(p.get_ref()), None),
                (None, Some(i)) => {
                    crate::oci::parse_reference(i.get_ref())
                        .map_err(|e| loc.err(i.span(), e.to_string()))?;
                    (PathBuf::new(), Some(i.get_ref().clone()))
                }
                (Some(_), Some(i)) => {
                    return Err(loc.err(
                        i.span(),
                        format!("actor `{name}`: give `path` or `image`, not both"),
                    ))
                }
                (None, None) => {
                    return Err(loc.err(
                        a.name.span(),
                        format!("actor `{name}` needs a `path` (a .wasm file) or an `image` (an OCI reference)"),
                    ))
                }
            };
            actors.push(ActorSpec {
                name: name.clone(),
                path,
                image,
                aliases: a.aliases.clone(),
                line: loc.line_col(a.name.span().start).0,
            });
        }
        let mut providers = Vec::new();
        for p in &raw.providers {
            let name = p.name.get_ref();
            if name.is_empty() {
                return Err(loc.err(p.name.span(), "provider name is empty"));
            }
            if !names.insert(name.clone()) {
                return Err(loc.err(p.name.span(), format!("duplicate name `{name}`")));
            }
            let (config, config_at) = string_map(&loc, &p.config, "config")?;
            let path = p.path.as_ref().map(|s| resolve(s.get_ref()));
            let given = [p.kind.is_some(), p.path.is_some(), p.image.is_some()]
                .iter()
                .filter(|g| **g)
                .count();
            if given != 1 {
                return Err(loc.err(
                    p.name.span(),
                    format!("provider `{name}` needs one of `kind`, `path` (an archive or executable) or `image` (an OCI reference)"),
                ));
            }
            if let Some(i) = &p.image {
                crate::oci::parse_reference(i.get_ref())
                    .map_err(|e| loc.err(i.span(), e.to_string()))?;
            }
            if let (Some(path_s), Some(path)) = (&p.path, &path) {
                let archive = path.to_string_lossy().ends_with(".par")
                    || path.to_string_lossy().ends_with(".par.gz");
                if !archive && p.contract.is_none() {
                    return Err(loc.err(
                        path_s.span(),
                        format!(
                            "provider `{name}`: an executable needs `contract` (an archive names its own)"
                        ),
                    ));
                }
            }
            providers.push(ProviderSpec {
                name: name.clone(),
                kind: p
                    .kind
                    .as_ref()
                    .map(|k| k.get_ref().clone())
                    .unwrap_or_default(),
                process: p.process.unwrap_or(false) || path.is_some() || p.image.is_some(),
                path,
                image: p.image.as_ref().map(|i| i.get_ref().clone()),
                contract: p.contract.clone(),
                link_name: p.link_name.clone().unwrap_or_else(|| "default".into()),
                config,
                config_at,
                line: loc.line_col(p.name.span().start).0,
            });
        }
        let mut links = Vec::new();
        for l in &raw.links {
            if !actors.iter().any(|a| a.name == *l.actor.get_ref()) {
                return Err(loc.err(
                    l.actor.span(),
                    format!("link names unknown actor `{}`", l.actor.get_ref()),
                ));
            }
            let Some(provider) = providers.iter().find(|p| p.name == *l.provider.get_ref()) else {
                return Err(loc.err(
                    l.provider.span(),
                    format!("link names unknown provider `{}`", l.provider.get_ref()),
                ));
            };
            if let Some(n) = &l.link_name {
                if *n != provider.link_name {
                    return Err(loc.err(
                        l.provider.span(),
                        format!(
                            "provider `{}` serves link name `{}`, not `{n}`",
                            provider.name, provider.link_name
                        ),
                    ));
                }
            }
            let (values, values_at) = string_map(&loc, &l.values, "values")?;
            links.push(LinkSpec {
                actor: l.actor.get_ref().clone(),
                provider: l.provider.get_ref().clone(),
                contract_id: l.contract_id.clone(),
                link_name: l.link_name.clone(),
                values,
                values_at,
                line: loc.line_col(l.actor.span().start).0,
            });
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            host,
            actors,
            providers,
            links,
        })
    }

    /// An error located at `line` of this manifest (for failures found when
    /// the manifest is applied, e.g. an actor file that does not load).
    pub fn error_at(&self, line: usize, message: impl Into<String>) -> ManifestError {
        ManifestError::At {
            path: self.path.clone(),
            line,
            column: 1,
            message: message.into(),
        }
    }

    /// An error at `(line, column)` of this manifest.
    pub fn error_at_pos(
        &self,
        (line, column): (usize, usize),
        message: impl Into<String>,
    ) -> ManifestError {
        ManifestError::At {
            path: self.path.clone(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Where each entry of a string map is, by key as written.
type Positions = HashMap<String, (usize, usize)>;

/// Link values and provider settings are strings upstream; numbers and
/// booleans are accepted and turned into their text.
fn string_map(
    loc: &Locator<'_>,
    map: &Option<Spanned<HashMap<String, Spanned<toml::Value>>>>,
    what: &str,
) -> Result<(HashMap<String, String>, Positions), ManifestError> {
    let mut out = HashMap::new();
    let mut at = HashMap::new();
    let Some(map) = map else {
        return Ok((out, at));
    };
    for (k, v) in map.get_ref() {
        at.insert(k.clone(), loc.line_col(v.span().start));
        let s = match v.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(loc.err(
                    v.span(),
                    format!("{what}.{k}: expected a string, number or boolean"),
                ))
            }
        };
        out.insert(k.clone(), s);
    }
    Ok((out, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::parse(Path::new("/apps/demo/app.toml"), text)
    }

    const GOOD: &str = r#"
[host]
admin = "127.0.0.1:9000"
data_dir = "data"

[[actors]]
name = "kvcounter"
path = "kvcounter.wasm"

[[providers]]
name = "http"
kind = "httpserver"

[[providers]]
name = "kv"
kind = "keyvalue-redis"
link_name = "cache"
config = { retries = 3 }

[[links]]
actor = "kvcounter"
provider = "http"
values = { port = 8080, address = "127.0.0.1:8080" }

[[links]]
actor = "kvcounter"
provider = "kv"
link_name = "cache"
values = { URL = "redis://127.0.0.1:6379/" }
"#;

    #[test]
    fn actors_and_providers_come_from_images() {
        let m = parse(
            r#"
[host]
registry_insecure = ["127.0.0.1:5000"]
allow_latest = true

[[actors]]
name = "kvcounter"
image = "127.0.0.1:5000/weld/kvcounter:0.1.0"

[[providers]]
name = "kv"
image = "127.0.0.1:5000/weld/keyvalue:0.1.0"
"#,
        )
        .unwrap();
        assert_eq!(
            m.actors[0].image.as_deref(),
            Some("127.0.0.1:5000/weld/kvcounter:0.1.0")
        );
        assert!(m.providers[0].process, "an image runs as a process");
        assert_eq!(
            m.providers[0].image.as_deref(),
            Some("127.0.0.1:5000/weld/keyvalue:0.1.0")
        );
        assert_eq!(m.host.registry_insecure, vec!["127.0.0.1:5000".to_string()]);
        assert_eq!(m.host.allow_latest, Some(true));
        for (text, want) in [
            (
                "[[actors]]\nname = \"a\"\npath = \"a.wasm\"\nimage = \"r.io/a:1\"\n",
                "not both",
            ),
            ("[[actors]]\nname = \"a\"\n", "needs a `path`"),
            (
                "[[actors]]\nname = \"a\"\nimage = \"Not A Ref\"\n",
                "not an OCI reference",
            ),
            (
                "[[providers]]\nname = \"p\"\nkind = \"keyvalue\"\nimage = \"r.io/p:1\"\n",
                "needs one of",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
            assert!(e.contains("app.toml:"), "{e}");
        }
    }

    #[test]
    fn the_dashboard_address_is_checked() {
        let m = parse("[host]\ndashboard = \"127.0.0.1:4000\"\n").unwrap();
        assert_eq!(m.host.dashboard, Some("127.0.0.1:4000".parse().unwrap()));
        let e = err_text("[host]\ndashboard = \"4000\"\n");
        assert!(e.starts_with("/apps/demo/app.toml:2:13: dashboard:"), "{e}");
    }

    #[test]
    fn the_rpc_timeout_is_more_than_zero() {
        let m = parse("[host]\nrpc_timeout_ms = 5000\n").unwrap();
        assert_eq!(m.host.rpc_timeout_ms, Some(5000));
        assert_eq!(parse("").unwrap().host.rpc_timeout_ms, None);
        let e = err_text("[host]\nrpc_timeout_ms = 0\n");
        assert_eq!(
            e,
            "/apps/demo/app.toml:2:18: rpc_timeout_ms must be more than 0"
        );
    }

    #[test]
    fn parses_and_resolves_paths() {
        let m = parse(GOOD).unwrap();
        assert_eq!(m.actors[0].path, PathBuf::from("/apps/demo/kvcounter.wasm"));
        assert_eq!(m.actors[0].line, 7);
        assert_eq!(m.host.data_dir, Some(PathBuf::from("/apps/demo/data")));
        assert_eq!(m.host.admin, Some("127.0.0.1:9000".parse().unwrap()));
        assert_eq!(m.host.dashboard, None);
        assert_eq!(m.providers[0].link_name, "default");
        assert_eq!(m.providers[1].config["retries"], "3");
        assert_eq!(m.links[0].values["port"], "8080");
        assert_eq!(m.links[1].link_name.as_deref(), Some("cache"));
        // Positions of values, for errors found when the manifest is applied.
        assert_eq!(m.links[0].values_at["address"], (23, 35));
        assert_eq!(m.links[1].values_at["URL"], (29, 18));
        assert_eq!(m.providers[1].config_at["retries"], (18, 22));
    }

    fn err_text(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = err_text("[[actors]]\nname = \"a\"\npath = \n");
        assert!(e.starts_with("/apps/demo/app.toml:3:"), "{e}");
        let e = err_text("[[actors]]\nname = \"a\"\npath = \"a.wasm\"\ncolour = 1\n");
        assert!(
            e.starts_with("/apps/demo/app.toml:4:1:") && e.contains("colour"),
            "{e}"
        );
        let e = err_text("[[actors]]\nname = \"a\"\npath = \"a.wasm\"\n[[links]]\nactor = \"b\"\nprovider = \"p\"\n");
        assert_eq!(e, "/apps/demo/app.toml:5:9: link names unknown actor `b`");
        let e = err_text("[[actors]]\nname = \"a\"\npath = \"a.wasm\"\n[[providers]]\nname = \"a\"\nkind = \"k\"\n");
        assert_eq!(e, "/apps/demo/app.toml:5:8: duplicate name `a`");
        let e = err_text("[host]\nadmin = \"localhost\"\n");
        assert!(e.starts_with("/apps/demo/app.toml:2:9: admin:"), "{e}");
        let e = err_text(
            "[[actors]]\nname = \"a\"\npath = \"a.wasm\"\n[[providers]]\nname = \"p\"\nkind = \"k\"\n[[links]]\nactor = \"a\"\nprovider = \"p\"\nvalues = { x = [1] }\n",
        );
        assert!(
            e.starts_with("/apps/demo/app.toml:10:") && e.contains("values.x"),
            "{e}"
        );
        let e = err_text("\u{0}\u{1}garbage");
        assert!(e.starts_with("/apps/demo/app.toml:1:"), "{e}");
    }
}

/// `p` (relative to `base` unless absolute) as a clean path: no `.` or `..`
/// left in it, and relative to the current directory when it lies under it.
/// Manifest paths are written relative to the manifest, so joining gives
/// `examples/kvcounter/../../.data/kvcounter`; every log line and message
/// then shows `.data/kvcounter` instead.
///
/// The longest part of the path that exists is canonicalized (so `..` after
/// a symlink means what the file system says, not what the text says); only
/// the part that does not exist yet is cleaned as text, which is then exact.
pub fn resolve_path(base: &Path, p: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let cwd = std::env::current_dir().ok();
    let absolute = match &cwd {
        Some(cwd) if joined.is_relative() => cwd.join(&joined),
        _ => joined.clone(),
    };
    let Some((existing, rest)) = absolute
        .ancestors()
        .find_map(|a| Some((a.canonicalize().ok()?, absolute.strip_prefix(a).ok()?)))
    else {
        return joined;
    };
    let mut out = existing;
    for c in rest.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    if let Some(cwd) = cwd.and_then(|c| c.canonicalize().ok()) {
        if let Ok(rel) = out.strip_prefix(&cwd) {
            return if rel.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                rel.to_path_buf()
            };
        }
    }
    out
}

#[cfg(test)]
mod path_tests {
    use super::resolve_path;
    use std::path::{Path, PathBuf};

    #[test]
    fn dot_dot_into_a_path_that_does_not_exist_yet_is_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("examples/app")).unwrap();
        let got = resolve_path(&base.join("examples/app"), Path::new("../../.data/app"));
        assert_eq!(got, base.join(".data/app"));
        let got = resolve_path(&base, Path::new("./a/./b/../c"));
        assert_eq!(got, base.join("a/c"));
    }

    #[test]
    fn dot_dot_after_a_symlink_follows_the_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("real/inner")).unwrap();
        std::os::unix::fs::symlink(base.join("real/inner"), base.join("link")).unwrap();
        // link/.. is real/, not base/ as text would say.
        let got = resolve_path(&base, Path::new("link/../data"));
        assert_eq!(got, base.join("real/data"));
    }

    #[test]
    fn paths_under_the_current_directory_are_shown_relative() {
        let cwd = std::env::current_dir().unwrap();
        let got = resolve_path(&cwd.join("src"), Path::new("../target/x/../y"));
        assert_eq!(got, PathBuf::from("target/y"));
        assert_eq!(resolve_path(&cwd, Path::new(".")), PathBuf::from("."));
    }
}
