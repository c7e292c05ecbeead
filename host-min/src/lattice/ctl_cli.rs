//! `host-min ctl ...`: the control interface from the command line, with
//! wash 0.x's flags (`shared/spec/lattice.md` section 10).
//!
//! ```text
//! host-min ctl get hosts | inventory HOST | links | claims
//! host-min ctl start actor REF [--host-id H] [--count N] [--constraint K=V]...
//! host-min ctl start provider REF [--host-id H] [--link-name N] [--constraint K=V]...
//! host-min ctl stop actor HOST ACTOR [--count N]
//! host-min ctl stop provider HOST PROVIDER LINK_NAME CONTRACT
//! host-min ctl stop host HOST
//! host-min ctl scale actor HOST ACTOR_ID REF --count N
//! host-min ctl link put ACTOR PROVIDER CONTRACT [KEY=VALUE...] [-l LINK_NAME]
//! host-min ctl link del ACTOR CONTRACT [-l LINK_NAME]
//! host-min ctl link query
//! ```
//! Global flags: `-r/--ctl-host`, `-p/--ctl-port`, `-x/--lattice-prefix`,
//! `-t/--timeout-ms`, `--ctl-credsfile`, `--ctl-seed FILE`, `-o json|table`.
//!
//! Without `--host-id`, `start` holds an auction and sends the command to the
//! first host that bids. The nkey seed is read from a file (or
//! [`CTL_SEED_ENV`]), never taken on the command line, where `ps` and shell
//! history would show it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::client::{connect, CtlClient, CtlError, DEFAULT_AUCTION_TIMEOUT};
use super::ctl::{ClaimsList, Host, HostInventory, KeyValueMap, LinkDefinitionList};

/// Environment variable that may hold the NATS nkey seed of `host-min ctl`.
pub const CTL_SEED_ENV: &str = "HOST_MIN_CTL_SEED";

/// `host-min ctl ...`
#[derive(Debug, Args)]
pub struct CtlArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: CtlCommand,
    /// NATS host of the control interface.
    #[arg(short = 'r', long, global = true, default_value = "127.0.0.1")]
    pub ctl_host: String,
    /// NATS port of the control interface.
    #[arg(short = 'p', long, global = true, default_value_t = 4222)]
    pub ctl_port: u16,
    /// Lattice prefix.
    #[arg(
        short = 'x',
        long,
        visible_alias = "lattice",
        global = true,
        default_value = super::DEFAULT_LATTICE
    )]
    pub lattice_prefix: String,
    /// Request timeout in milliseconds (also how long `get hosts` listens).
    #[arg(short = 't', long, global = true, default_value_t = 2000)]
    pub timeout_ms: u64,
    /// How long an auction gathers bids, in milliseconds.
    #[arg(long, global = true, default_value_t = DEFAULT_AUCTION_TIMEOUT.as_millis() as u64)]
    pub auction_timeout_ms: u64,
    /// NATS credentials file (JWT + seed).
    #[arg(long, global = true, value_name = "FILE")]
    pub ctl_credsfile: Option<PathBuf>,
    /// A file holding the NATS nkey seed (SU...) to authenticate with
    /// (else $HOST_MIN_CTL_SEED).
    #[arg(long, global = true, value_name = "FILE")]
    pub ctl_seed: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value = "table")]
    pub output: Output,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Aligned columns, like wash.
    Table,
    /// The reply objects as JSON.
    Json,
}

/// The `ctl` subcommands.
#[derive(Debug, Subcommand)]
pub enum CtlCommand {
    /// Query hosts, an inventory, links or claims.
    #[command(subcommand)]
    Get(GetCommand),
    /// Start an actor or a provider.
    #[command(subcommand)]
    Start(StartCommand),
    /// Stop an actor, a provider or a host.
    #[command(subcommand)]
    Stop(StopCommand),
    /// Scale an actor.
    #[command(subcommand)]
    Scale(ScaleCommand),
    /// Define, delete or list links.
    #[command(subcommand)]
    Link(LinkCommand),
}

/// `ctl get ...`
#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// Every host that answers.
    Hosts,
    /// What one host runs.
    Inventory {
        /// Host id (N...).
        host_id: String,
    },
    /// Link definitions.
    Links,
    /// Claims of actors and providers.
    Claims,
}

/// `ctl start ...`
#[derive(Debug, Subcommand)]
pub enum StartCommand {
    /// Start an actor.
    Actor {
        /// Actor reference (OCI reference or file).
        actor_ref: String,
        /// Host to start it on (default: the first that bids in an auction).
        #[arg(long)]
        host_id: Option<String>,
        /// Number of instances.
        #[arg(short = 'c', long, default_value_t = 1)]
        count: u16,
        /// Label a host must have to bid, KEY=VALUE (repeatable).
        #[arg(long = "constraint", value_parser = parse_kv)]
        constraints: Vec<(String, String)>,
    },
    /// Start a capability provider.
    Provider {
        /// Provider reference (OCI reference or file).
        provider_ref: String,
        /// Host to start it on (default: the first that bids in an auction).
        #[arg(long)]
        host_id: Option<String>,
        /// Link name.
        #[arg(short = 'l', long, default_value = "default")]
        link_name: String,
        /// Label a host must have to bid, KEY=VALUE (repeatable).
        #[arg(long = "constraint", value_parser = parse_kv)]
        constraints: Vec<(String, String)>,
        /// Configuration handed to the provider (`config_json`).
        #[arg(long)]
        configuration: Option<String>,
    },
}

/// `ctl stop ...`
#[derive(Debug, Subcommand)]
pub enum StopCommand {
    /// Stop instances of an actor.
    Actor {
        /// Host id.
        host_id: String,
        /// Actor id (M...) or reference.
        actor_id: String,
        /// Number of instances to stop (0 = all).
        #[arg(short = 'c', long, default_value_t = 1)]
        count: u16,
    },
    /// Stop a provider.
    Provider {
        /// Host id.
        host_id: String,
        /// Provider id (V...) or reference.
        provider_id: String,
        /// Link name.
        link_name: String,
        /// Contract id.
        contract_id: String,
    },
    /// Stop a host.
    Host {
        /// Host id.
        host_id: String,
        /// Grace period for the host's shutdown, in milliseconds.
        #[arg(long)]
        host_timeout_ms: Option<u64>,
    },
}

/// `ctl scale ...`
#[derive(Debug, Subcommand)]
pub enum ScaleCommand {
    /// Run exactly N instances of an actor on a host.
    Actor {
        /// Host id.
        host_id: String,
        /// Actor id (M...).
        actor_id: String,
        /// Actor reference, to start more instances from.
        actor_ref: String,
        /// Target number of instances.
        #[arg(short = 'c', long)]
        count: u16,
    },
}

/// `ctl link ...`
#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Define (or replace) a link.
    Put {
        /// Actor id (M...).
        actor_id: String,
        /// Provider id (V...).
        provider_id: String,
        /// Contract id.
        contract_id: String,
        /// Link values, KEY=VALUE.
        #[arg(value_parser = parse_kv)]
        values: Vec<(String, String)>,
        /// Link name.
        #[arg(short = 'l', long, default_value = "default")]
        link_name: String,
    },
    /// Delete a link.
    Del {
        /// Actor id (M...).
        actor_id: String,
        /// Contract id.
        contract_id: String,
        /// Link name.
        #[arg(short = 'l', long, default_value = "default")]
        link_name: String,
    },
    /// List links.
    Query,
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

/// Runs `host-min ctl ...`, printing results on stdout. The error is one
/// line, ready to print after `host-min: `.
pub async fn run(args: CtlArgs) -> anyhow::Result<()> {
    let url = format!("nats://{}:{}", args.ctl_host, args.ctl_port);
    let seed = read_seed(args.ctl_seed.as_deref())?;
    let nc = connect(&url, args.ctl_credsfile.as_deref(), seed.as_deref())
        .await
        .map_err(one_line)?;
    let client = CtlClient::new(nc, args.lattice_prefix.clone())
        .with_timeout(Duration::from_millis(args.timeout_ms.max(1)))
        .with_auction_timeout(Duration::from_millis(args.auction_timeout_ms.max(1)));
    let out = Printer {
        output: args.output,
    };
    match args.command {
        CtlCommand::Get(GetCommand::Hosts) => {
            let hosts = client.get_hosts().await.map_err(one_line)?;
            if hosts.is_empty() {
                bail!(
                    "no hosts answered on lattice {} within {} ms",
                    client.lattice(),
                    client.timeout().as_millis()
                );
            }
            out.print(&hosts, || hosts_table(&hosts))
        }
        CtlCommand::Get(GetCommand::Inventory { host_id }) => {
            let inv = client
                .get_host_inventory(&host_id)
                .await
                .map_err(|e| match e {
                    CtlError::NoResponders { .. } => {
                        anyhow!("no host {host_id} on lattice {} ({e})", client.lattice())
                    }
                    e => one_line(e),
                })?;
            out.print(&inv, || inventory_table(&inv))
        }
        CtlCommand::Get(GetCommand::Links) | CtlCommand::Link(LinkCommand::Query) => {
            let links = client.get_links().await.map_err(one_line)?;
            out.print(&links, || links_table(&links))
        }
        CtlCommand::Get(GetCommand::Claims) => {
            let claims = client.get_claims().await.map_err(one_line)?;
            out.print(&claims, || claims_table(&claims))
        }
        CtlCommand::Start(StartCommand::Actor {
            actor_ref,
            host_id,
            count,
            constraints,
        }) => {
            let host_id = match host_id {
                Some(h) => h,
                None => {
                    let bids = client
                        .perform_actor_auction(&actor_ref, constraints.into_iter().collect())
                        .await
                        .map_err(one_line)?;
                    pick_bidder(&client, bids.iter().map(|b| b.host_id.as_str()), &actor_ref)?
                }
            };
            let ack = client
                .start_actor(&host_id, &actor_ref, count, None)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                format!("Actor {actor_ref} starting on host {host_id} ({count} instance(s))\n")
            })
        }
        CtlCommand::Start(StartCommand::Provider {
            provider_ref,
            host_id,
            link_name,
            constraints,
            configuration,
        }) => {
            let host_id = match host_id {
                Some(h) => h,
                None => {
                    let bids = client
                        .perform_provider_auction(
                            &provider_ref,
                            &link_name,
                            constraints.into_iter().collect(),
                        )
                        .await
                        .map_err(one_line)?;
                    pick_bidder(
                        &client,
                        bids.iter().map(|b| b.host_id.as_str()),
                        &provider_ref,
                    )?
                }
            };
            let ack = client
                .start_provider(&host_id, &provider_ref, &link_name, None, configuration)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                format!("Provider {provider_ref} (link {link_name}) starting on host {host_id}\n")
            })
        }
        CtlCommand::Stop(StopCommand::Actor {
            host_id,
            actor_id,
            count,
        }) => {
            let ack = client
                .stop_actor(&host_id, &actor_id, count, None)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                let n = if count == 0 {
                    "all".to_string()
                } else {
                    count.to_string()
                };
                format!("Stopping {n} instance(s) of actor {actor_id} on host {host_id}\n")
            })
        }
        CtlCommand::Stop(StopCommand::Provider {
            host_id,
            provider_id,
            link_name,
            contract_id,
        }) => {
            let ack = client
                .stop_provider(&host_id, &provider_id, &link_name, &contract_id, None)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                format!("Stopping provider {provider_id} (link {link_name}) on host {host_id}\n")
            })
        }
        CtlCommand::Stop(StopCommand::Host {
            host_id,
            host_timeout_ms,
        }) => {
            let ack = client
                .stop_host(&host_id, host_timeout_ms)
                .await
                .map_err(one_line)?;
            out.print(&ack, || format!("Host {host_id} stopping\n"))
        }
        CtlCommand::Scale(ScaleCommand::Actor {
            host_id,
            actor_id,
            actor_ref,
            count,
        }) => {
            let ack = client
                .scale_actor(&host_id, &actor_ref, &actor_id, count, None)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                format!("Scaling actor {actor_id} to {count} instance(s) on host {host_id}\n")
            })
        }
        CtlCommand::Link(LinkCommand::Put {
            actor_id,
            provider_id,
            contract_id,
            values,
            link_name,
        }) => {
            let values: KeyValueMap = values.into_iter().collect();
            let ack = client
                .put_link(&actor_id, &provider_id, &contract_id, &link_name, values)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                format!(
                    "Link {actor_id} -> {provider_id} ({contract_id}, link {link_name}) defined\n"
                )
            })
        }
        CtlCommand::Link(LinkCommand::Del {
            actor_id,
            contract_id,
            link_name,
        }) => {
            let ack = client
                .delete_link(&actor_id, &contract_id, &link_name)
                .await
                .map_err(one_line)?;
            out.print(&ack, || {
                format!("Link of {actor_id} on {contract_id} (link {link_name}) deleted\n")
            })
        }
    }
}

/// The first bidder of an auction; says on stderr which was chosen.
fn pick_bidder<'a>(
    client: &CtlClient,
    mut bidders: impl Iterator<Item = &'a str>,
    what: &str,
) -> anyhow::Result<String> {
    match bidders.next() {
        Some(h) => {
            let others = bidders.count();
            eprintln!(
                "host-min: auction for {what}: host {h} bid first ({} bid(s) in all)",
                others + 1
            );
            Ok(h.to_string())
        }
        None => bail!(
            "no host bid for {what} on lattice {} within {} ms",
            client.lattice(),
            client.auction_timeout().as_millis()
        ),
    }
}

/// A client error as one line (its text already names the cause).
fn one_line(e: CtlError) -> anyhow::Error {
    anyhow!("{e}")
}

/// The nkey seed from `--ctl-seed FILE` or [`CTL_SEED_ENV`].
fn read_seed(file: Option<&str>) -> anyhow::Result<Option<String>> {
    if let Some(f) = file {
        let path = std::path::Path::new(f);
        if !path.exists() && f.starts_with('S') && f.len() == 58 {
            bail!(
                "--ctl-seed takes a file holding the seed, not the seed itself (or set ${CTL_SEED_ENV})"
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the seed file {f}"))?;
        let seed = text.trim();
        if seed.is_empty() {
            bail!("the seed file {f} is empty");
        }
        return Ok(Some(seed.to_string()));
    }
    Ok(std::env::var(CTL_SEED_ENV)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

struct Printer {
    output: Output,
}

impl Printer {
    fn print<T: Serialize>(&self, value: &T, table: impl FnOnce() -> String) -> anyhow::Result<()> {
        use std::io::Write;
        let text = match self.output {
            Output::Json => {
                let mut s = serde_json::to_string_pretty(value)?;
                s.push('\n');
                s
            }
            Output::Table => table(),
        };
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .context("cannot write to stdout")
    }
}

/// Left-aligned columns separated by two spaces, with a header row.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(cell);
            let pad = widths[i].saturating_sub(cell.chars().count());
            l.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn kv_text(map: &KeyValueMap) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn hosts_table(hosts: &[Host]) -> String {
    let rows: Vec<Vec<String>> = hosts
        .iter()
        .map(|h| {
            vec![
                h.id.clone(),
                h.friendly_name.clone(),
                h.uptime_seconds.to_string(),
            ]
        })
        .collect();
    table(&["Host ID", "Friendly name", "Uptime (seconds)"], &rows)
}

fn inventory_table(inv: &HostInventory) -> String {
    let mut out = format!("Host inventory ({})\n", inv.host_id);
    if !inv.friendly_name.is_empty() {
        out.push_str(&format!("Friendly name: {}\n", inv.friendly_name));
    }
    out.push('\n');
    if inv.labels.is_empty() {
        out.push_str("No labels\n");
    } else {
        let rows: Vec<Vec<String>> = inv
            .labels
            .iter()
            .map(|(k, v)| vec![k.clone(), v.clone()])
            .collect();
        out.push_str(&table(&["Label", "Value"], &rows));
    }
    out.push('\n');
    if inv.actors.is_empty() {
        out.push_str("No actors found\n");
    } else {
        let rows: Vec<Vec<String>> = inv
            .actors
            .iter()
            .map(|a| {
                vec![
                    a.id.clone(),
                    a.name.clone().unwrap_or_else(|| "N/A".into()),
                    a.image_ref.clone().unwrap_or_else(|| "N/A".into()),
                    a.instances.len().to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &["Actor ID", "Name", "Image Reference", "Instances"],
            &rows,
        ));
    }
    out.push('\n');
    if inv.providers.is_empty() {
        out.push_str("No providers found\n");
    } else {
        let rows: Vec<Vec<String>> = inv
            .providers
            .iter()
            .map(|p| {
                vec![
                    p.id.clone(),
                    p.name.clone().unwrap_or_else(|| "N/A".into()),
                    p.link_name.clone(),
                    p.contract_id.clone(),
                    p.image_ref.clone().unwrap_or_else(|| "N/A".into()),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "Provider ID",
                "Name",
                "Link Name",
                "Contract ID",
                "Image Reference",
            ],
            &rows,
        ));
    }
    out
}

fn links_table(links: &LinkDefinitionList) -> String {
    if links.links.is_empty() {
        return "No links found\n".to_string();
    }
    let rows: Vec<Vec<String>> = links
        .links
        .iter()
        .map(|l| {
            vec![
                l.actor_id.clone(),
                l.provider_id.clone(),
                l.contract_id.clone(),
                l.link_name.clone(),
                kv_text(&l.values),
            ]
        })
        .collect();
    table(
        &[
            "Actor ID",
            "Provider ID",
            "Contract ID",
            "Link Name",
            "Values",
        ],
        &rows,
    )
}

fn claims_table(claims: &ClaimsList) -> String {
    if claims.claims.is_empty() {
        return "No claims found\n".to_string();
    }
    let get = |c: &std::collections::HashMap<String, String>, k: &str| {
        c.get(k).cloned().unwrap_or_default()
    };
    let mut rows: Vec<Vec<String>> = claims
        .claims
        .iter()
        .map(|c| {
            let caps = match (c.get("caps"), c.get("contract_id")) {
                (Some(caps), _) if !caps.is_empty() => caps.clone(),
                (_, Some(contract)) => contract.clone(),
                _ => String::new(),
            };
            vec![
                get(c, "name"),
                get(c, "sub"),
                get(c, "iss"),
                caps,
                get(c, "version"),
                get(c, "rev"),
            ]
        })
        .collect();
    rows.sort();
    table(
        &[
            "Name",
            "Subject",
            "Issuer",
            "Capabilities",
            "Version",
            "Revision",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_trims_line_ends() {
        let t = table(
            &["A", "Long header"],
            &[
                vec!["wide cell".into(), "x".into()],
                vec!["b".into(), "".into()],
            ],
        );
        assert_eq!(t, "A          Long header\nwide cell  x\nb\n");
    }

    #[test]
    fn kv_pairs_parse() {
        assert_eq!(parse_kv("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_kv("=x").is_err());
        assert!(parse_kv("novalue").is_err());
    }
}
