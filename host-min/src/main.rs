//! `host-min`: run an app manifest, and talk to a running host.
//!
//! ```text
//! host-min up MANIFEST [--data-dir DIR] [--admin ADDR | --no-admin] [--dashboard ADDR]
//! host-min inventory [--json]
//! host-min link list
//! host-min link put --actor A --provider P [--contract C] [--link-name N] [KEY=VALUE...]
//! host-min link del --actor A (--provider P | --contract C) [--link-name N]
//! host-min claims sign|inspect ...; host-min keys gen ...
//! host-min par create|insert|inspect ...
//! host-min ctl get|start|stop|scale|link ...   (see lattice::ctl_cli)
//! ```
//! This is the only place that prints or exits.

// jemalloc. Not glibc's malloc: a request allocates a few dozen small
// blocks across threads (hyper, msgpack, wasm buffers), and glibc's free
// and consolidation were 7% of a loaded host's time. Not mimalloc either
// (used until 2026-12): it kept memory freed on another thread than the
// one that allocated it, so a 100 MiB streamed transfer (chunks read on
// the blocking pool, sent from async threads) raised the host's peak by
// 20-100 MiB where jemalloc's rises by 3 MiB, at the same throughput
// (README, "Benchmarks").
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use host_min::admin::{self, Client, LinkRequest};
use host_min::host::{Host, HostConfig};
use host_min::manifest::{resolve_path, Manifest};
use host_min::providers::ProviderRegistry;
use host_min::runtime::AllocatorChoice;

#[derive(Parser)]
#[command(
    name = "host-min",
    version,
    about = "Minimal wasmCloud-compatible host: actors, providers, links"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the actors, providers and links of a manifest and serve until Ctrl-C.
    Up {
        /// The app manifest (TOML).
        manifest: PathBuf,
        /// Data directory for providers (default: the manifest's `data_dir`,
        /// else `.host-min-data` beside the manifest).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Admin endpoint address (loopback).
        #[arg(long)]
        admin: Option<SocketAddr>,
        /// Do not start the admin endpoint.
        #[arg(long, conflicts_with = "admin")]
        no_admin: bool,
        /// Serve the web dashboard here (e.g. 127.0.0.1:4000; also
        /// `dashboard` in `[host]`). Off a loopback address it requires a
        /// token: `$HOST_MIN_DASHBOARD_TOKEN`, or one made up and printed.
        #[arg(long)]
        dashboard: Option<SocketAddr>,
        /// Per-call deadline of an actor call, in milliseconds.
        #[arg(long)]
        call_deadline_ms: Option<u64>,
        /// Memory limit of one actor instance, in MiB.
        #[arg(long)]
        max_memory_mb: Option<u64>,
        /// Instance allocator.
        #[arg(long, value_enum, default_value = "auto")]
        allocator: Allocator,
        /// Run actors that carry no signed claims, with every capability
        /// (development only; same as `allow_unsigned = true` in `[host]`).
        #[arg(long)]
        allow_unsigned: bool,
        #[command(flatten)]
        lattice: LatticeArgs,
    },
    /// Show what a running host runs.
    Inventory {
        /// Admin endpoint of the host.
        #[arg(long, default_value = admin::DEFAULT_ADDR)]
        admin: SocketAddr,
        /// Print the raw JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage link definitions on a running host.
    Link {
        #[command(subcommand)]
        command: LinkCommand,
        /// Admin endpoint of the host.
        #[arg(long, global = true, default_value = admin::DEFAULT_ADDR)]
        admin: SocketAddr,
    },
    /// Upload an actor module (.wasm) or a provider archive (.par.gz) to a
    /// running host and start it there.
    Upload {
        /// The file.
        file: std::path::PathBuf,
        /// Link name a provider serves.
        #[arg(long, default_value = "default")]
        link_name: String,
        /// Admin endpoint of the host.
        #[arg(long, default_value = admin::DEFAULT_ADDR)]
        admin: SocketAddr,
    },
    /// Sign actor modules and inspect their claims.
    Claims(host_min::claims::cli::ClaimsArgs),
    /// Generate nkeys (account, module, server, ...).
    Keys(host_min::claims::cli::KeysArgs),
    /// Create and inspect provider archives (.par / .par.gz).
    Par(host_min::par::cli::ParArgs),
    /// Query and command the hosts of a lattice over NATS (like `wash ctl`).
    Ctl(host_min::lattice::ctl_cli::CtlArgs),
    /// Push and pull actors and provider archives to and from OCI registries.
    Reg(host_min::oci::cli::RegArgs),
}

/// Joining a lattice (each also settable in the manifest's `[host]`).
#[derive(clap::Args, Default)]
struct LatticeArgs {
    /// Join the lattice on this NATS server (e.g. nats://127.0.0.1:4222);
    /// without it (and without `nats` in `[host]`) the host runs alone.
    #[arg(long)]
    nats: Option<String>,
    /// Lattice prefix (default: `lattice` in `[host]`, else `default`).
    #[arg(long)]
    lattice: Option<String>,
    /// NATS credentials file (user JWT and seed).
    #[arg(long)]
    nats_creds: Option<PathBuf>,
    /// File holding the NATS nkey user seed (`SU...`); or set
    /// `$WELD_NATS_SEED`. Seeds are never taken on the command line.
    #[arg(long)]
    nats_seed_file: Option<PathBuf>,
    /// File holding the cluster seed (`SC...`) this host signs invocations
    /// with (hosts of a lattice share one); or set `$WELD_CLUSTER_SEED`. A
    /// fresh one is made when none is given.
    #[arg(long)]
    cluster_seed_file: Option<PathBuf>,
    /// Further cluster issuers (`C...`) whose invocations are accepted.
    #[arg(long = "cluster-issuer")]
    cluster_issuers: Vec<String>,
    /// Host label KEY=VALUE (repeatable).
    #[arg(long = "label", value_parser = parse_kv)]
    labels: Vec<(String, String)>,
    /// Friendly name of the host.
    #[arg(long)]
    friendly_name: Option<String>,
    /// JetStream domain.
    #[arg(long)]
    js_domain: Option<String>,
    /// How long a call across the lattice waits for its response, in ms
    /// (default 2000; also `rpc_timeout_ms` in `[host]`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    rpc_timeout_ms: Option<u64>,
}

impl LatticeArgs {
    /// The lattice settings, flags over the manifest's `[host]`; `None`
    /// when no NATS server is named.
    fn config(self, m: &Manifest) -> Result<Option<host_min::lattice::LatticeConfig>, String> {
        let h = &m.host;
        let Some(nats_url) = self.nats.or_else(|| h.nats.clone()) else {
            return Ok(None);
        };
        let seed = |file: Option<PathBuf>, env: &str| -> Result<Option<String>, String> {
            if let Some(path) = file {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                return Ok(Some(text.trim().to_string()));
            }
            Ok(std::env::var(env).ok().filter(|v| !v.trim().is_empty()))
        };
        let nats_seed = seed(self.nats_seed_file, "WELD_NATS_SEED")?;
        let cluster_seed = seed(self.cluster_seed_file, "WELD_CLUSTER_SEED")?;
        let mut labels = h.labels.clone();
        labels.extend(self.labels);
        // Upstream: HOST_<X>=v in the environment becomes label <x>.
        for (k, v) in std::env::vars() {
            if let Some(name) = k.strip_prefix("HOST_") {
                if !name.is_empty() {
                    labels.insert(name.to_lowercase(), v);
                }
            }
        }
        let mut cluster_issuers = h.cluster_issuers.clone();
        cluster_issuers.extend(self.cluster_issuers);
        Ok(Some(host_min::lattice::LatticeConfig {
            nats_url,
            lattice: self
                .lattice
                .or_else(|| h.lattice.clone())
                .unwrap_or_default(),
            creds_file: self.nats_creds.or_else(|| h.nats_creds.clone()),
            nkey_seed: nats_seed.or_else(|| h.nats_seed.clone()),
            cluster_seed: cluster_seed.or_else(|| h.cluster_seed.clone()),
            cluster_issuers,
            labels,
            friendly_name: self.friendly_name.or_else(|| h.friendly_name.clone()),
            js_domain: self.js_domain.or_else(|| h.js_domain.clone()),
            rpc_timeout: self
                .rpc_timeout_ms
                .or(h.rpc_timeout_ms)
                .map(std::time::Duration::from_millis),
        }))
    }
}

#[derive(Subcommand)]
enum LinkCommand {
    /// List link definitions.
    List,
    /// Put (create or replace) a link.
    Put {
        /// Actor name or id.
        #[arg(long)]
        actor: String,
        /// Provider name or id.
        #[arg(long)]
        provider: String,
        /// Contract id (default: the provider's).
        #[arg(long)]
        contract: Option<String>,
        /// Link name (default: the provider's).
        #[arg(long)]
        link_name: Option<String>,
        /// Link values, KEY=VALUE.
        #[arg(value_parser = parse_kv)]
        values: Vec<(String, String)>,
    },
    /// Delete a link.
    Del {
        /// Actor name or id.
        #[arg(long)]
        actor: String,
        /// Provider name or id (gives contract and link name).
        #[arg(long, required_unless_present = "contract")]
        provider: Option<String>,
        /// Contract id.
        #[arg(long)]
        contract: Option<String>,
        /// Link name (default: the provider's, else `default`).
        #[arg(long)]
        link_name: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Allocator {
    Auto,
    Pooling,
    OnDemand,
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // claims / keys: offline, synchronous, their own exit codes.
    let cli = match cli.command {
        Command::Claims(args) => return host_min::claims::cli::finish(args.run()),
        Command::Keys(args) => return host_min::claims::cli::finish(args.run()),
        Command::Par(args) => return host_min::claims::cli::finish(args.run()),
        command => Cli { command },
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,cranelift=warn,wasmtime=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .with_ansi(use_colour(
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("host-min: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("host-min: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Claims(_) | Command::Keys(_) | Command::Par(_) => {
            unreachable!("handled in main")
        }
        Command::Ctl(args) => host_min::lattice::ctl_cli::run(args)
            .await
            .map_err(|e| format!("{e:#}").into()),
        Command::Reg(args) => args.run().await.map_err(|e| e.to_string().into()),
        Command::Up {
            manifest,
            data_dir,
            admin,
            no_admin,
            dashboard,
            call_deadline_ms,
            max_memory_mb,
            allocator,
            allow_unsigned,
            lattice,
        } => {
            let m = Manifest::load(&manifest)?;
            let lattice_config = lattice.config(&m)?;
            let mut cfg = HostConfig::default().with_manifest(&m);
            if let Some(lc) = &lattice_config {
                cfg.lattice = lc.prefix().to_string();
            }
            if m.host.data_dir.is_none() {
                cfg.data_dir = resolve_path(
                    manifest.parent().unwrap_or(Path::new("")),
                    Path::new(".host-min-data"),
                );
            }
            if let Some(d) = data_dir {
                cfg.data_dir = resolve_path(Path::new(""), &d);
            }
            if let Some(ms) = call_deadline_ms {
                cfg.runtime.call_deadline = Duration::from_millis(ms.max(1));
            }
            if let Some(mb) = max_memory_mb {
                cfg.runtime.max_memory_bytes = (mb.max(1) as usize) << 20;
            }
            if allow_unsigned {
                cfg.allow_unsigned = true;
            }
            cfg.runtime.allocator = match allocator {
                Allocator::Auto => AllocatorChoice::Auto,
                Allocator::Pooling => AllocatorChoice::Pooling,
                Allocator::OnDemand => AllocatorChoice::OnDemand,
            };
            std::fs::create_dir_all(&cfg.data_dir)
                .map_err(|e| format!("data dir {}: {e}", cfg.data_dir.display()))?;
            let host = Arc::new(Host::new(cfg, ProviderRegistry::with_builtins())?);
            if let Some(lc) = lattice_config {
                let url = lc.url().to_string();
                let l = host.join_lattice(lc).await?;
                eprintln!(
                    "host-min: host {} ({}) joined lattice `{}` on {url}",
                    l.host_id(),
                    l.friendly_name(),
                    l.prefix()
                );
            }
            if let Err(e) = host.apply(&m).await {
                host.shutdown().await;
                return Err(e.into());
            }
            if !no_admin {
                let addr = admin
                    .or(m.host.admin)
                    .unwrap_or_else(|| admin::DEFAULT_ADDR.parse().expect("valid default"));
                let bound = admin::serve(host.clone(), addr).await?;
                eprintln!(
                    "host-min: admin endpoint on http://{bound} (host-min inventory --admin {bound})"
                );
            }
            if let Some(addr) = dashboard.or(m.host.dashboard) {
                let token = std::env::var(host_min::dashboard::TOKEN_ENV).ok();
                let d = host_min::dashboard::serve(
                    host.clone(),
                    host_min::dashboard::DashboardConfig { addr, token },
                )
                .await?;
                eprintln!("host-min: dashboard on {}", d.url());
            }
            // Where to look, once everything is serving.
            for e in host.router().endpoints() {
                eprintln!("host-min: {} serves {} on {}", e.provider, e.actor, e.url);
            }
            let data_dir = host.data_dir().display().to_string();
            eprintln!("host-min: data kept in {data_dir}");
            let inv = host.router().inventory();
            eprintln!(
                "host-min: {} actor(s), {} provider(s), {} link(s) running; Ctrl-C to stop",
                inv.actors.len(),
                inv.providers.len(),
                inv.links.len()
            );
            tokio::select! {
                _ = wait_for_signal() => {}
                _ = host.stop_requested() => note(format_args!("host-min: stop requested by a control client")),
            }
            // Ctrl-C on `make demo | tee log` ends the reader first: a
            // closed stderr must not turn a clean stop into a panic.
            note(format_args!("host-min: stopping"));
            host.shutdown().await;
            note(format_args!("host-min: stopped; data kept in {data_dir}"));
            Ok(())
        }
        Command::Inventory { admin, json } => {
            let inv = Client::new(admin).inventory().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&inv)?);
            } else {
                print_inventory(&inv);
            }
            Ok(())
        }
        Command::Upload {
            file,
            link_name,
            admin,
        } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let client = Client::new(admin);
            match host_min::oci::ArtifactKind::sniff(&bytes) {
                Some(host_min::oci::ArtifactKind::Actor) => {
                    let id = client.upload_actor(bytes).await?;
                    println!("actor {id} started from {}", file.display());
                }
                Some(host_min::oci::ArtifactKind::Provider) => {
                    let id = client.upload_provider(bytes, &link_name).await?;
                    println!(
                        "provider {id} ({link_name}) started from {}",
                        file.display()
                    );
                }
                None => {
                    return Err(format!(
                        "{} is neither a wasm module nor a provider archive (.par.gz)",
                        file.display()
                    )
                    .into())
                }
            }
            Ok(())
        }
        Command::Link { command, admin } => {
            let client = Client::new(admin);
            match command {
                LinkCommand::List => {
                    for l in client.links().await? {
                        println!("{}", link_line(&serde_json::to_value(&l)?));
                    }
                }
                LinkCommand::Put {
                    actor,
                    provider,
                    contract,
                    link_name,
                    values,
                } => {
                    let req = LinkRequest {
                        actor,
                        provider: Some(provider),
                        contract_id: contract,
                        link_name,
                        values: values.into_iter().collect(),
                    };
                    let l = client.put_link(&req).await?;
                    println!("put {}", link_line(&serde_json::to_value(&l)?));
                }
                LinkCommand::Del {
                    actor,
                    provider,
                    contract,
                    link_name,
                } => {
                    let req = LinkRequest {
                        actor,
                        provider,
                        contract_id: contract,
                        link_name,
                        values: Default::default(),
                    };
                    let l = client.delete_link(&req).await?;
                    println!("deleted {}", link_line(&serde_json::to_value(&l)?));
                }
            }
            Ok(())
        }
    }
}

/// A line on stderr that may fail silently (see its callers).
fn note(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Log colours only for a person at a terminal, and never when `NO_COLOR`
/// is set to something (<https://no-color.org>): a log file or a pipe gets
/// plain text.
fn use_colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn s<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v.get(k).and_then(|x| x.as_str()).unwrap_or("")
}

fn link_line(l: &serde_json::Value) -> String {
    let mut values: Vec<String> = l
        .get("values")
        .and_then(|v| v.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    values.sort();
    format!(
        "{} -> {} {} link={} {}",
        s(l, "actor_id"),
        s(l, "provider_id"),
        s(l, "contract_id"),
        s(l, "link_name"),
        values.join(" ")
    )
    .trim_end()
    .to_string()
}

fn print_inventory(inv: &serde_json::Value) {
    println!(
        "lattice {}  allocator {}",
        s(inv, "lattice"),
        s(inv, "allocator")
    );
    println!("actors:");
    for a in inv
        .get("actors")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let st = a.get("stats").cloned().unwrap_or_default();
        println!(
            "  {:<16} {}  calls={} failures={} instances={}",
            s(a, "name"),
            s(a, "id"),
            st.get("calls").and_then(|v| v.as_u64()).unwrap_or(0),
            st.get("failures").and_then(|v| v.as_u64()).unwrap_or(0),
            st.get("instances_created")
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
        );
    }
    println!("providers:");
    for p in inv
        .get("providers")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        println!(
            "  {:<16} {}  kind={} contract={} link={}",
            s(p, "name"),
            s(p, "id"),
            s(p, "kind"),
            s(p, "contract_id"),
            s(p, "link_name")
        );
    }
    println!("links:");
    for l in inv
        .get("links")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        println!("  {}", link_line(l));
    }
}

#[cfg(test)]
mod tests {
    use super::use_colour;
    use std::ffi::OsStr;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(!use_colour(false, None));
        assert!(!use_colour(true, Some(OsStr::new("1"))));
        // NO_COLOR counts only when it is not empty.
        assert!(use_colour(true, Some(OsStr::new(""))));
        assert!(!use_colour(false, Some(OsStr::new(""))));
    }
}
