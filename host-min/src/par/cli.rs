//! The `par` subcommands of `host-min`.
//!
//! - `host-min par create --arch ARCH --binary BIN --capid CONTRACT --name NAME
//!   --vendor VENDOR [--revision N] [--version V] [--issuer FILE]
//!   [--subject FILE] [--key-dir DIR] [--destination PATH] [--compress]`
//! - `host-min par insert ARCHIVE --arch ARCH --binary BIN [keys as above]`
//! - `host-min par inspect ARCHIVE [-o text|json]`
//!
//! Archives are signed with the same keys as `host-min claims sign`: the
//! issuer from `--issuer FILE`, `$HOST_MIN_ISSUER_SEED` or the key
//! directory's `account.nk`; the provider's service key from `--subject
//! FILE`, `$HOST_MIN_PROVIDER_SEED` or the key directory's
//! `NAME_service.nk` (created on first use, so a provider keeps its identity
//! `V...` across builds, as with `wash par`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};

use super::{ProviderArchive, ProviderClaims};
use crate::claims::cli::{file_safe, given_seed, stored_key, DEFAULT_KEY_DIR, ISSUER_SEED_ENV};
use crate::claims::jwt::unix_seconds;
use crate::claims::keys::{KeyPair, KeyType};
use crate::claims::{format_duration, format_time};

/// Environment variable that may hold the provider's service seed (SV...).
pub const PROVIDER_SEED_ENV: &str = "HOST_MIN_PROVIDER_SEED";

/// `host-min par ...`
#[derive(Debug, Args)]
pub struct ParArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ParCommand,
}

/// The `par` subcommands.
#[derive(Debug, Subcommand)]
pub enum ParCommand {
    /// Build a signed provider archive from a native binary.
    Create(Box<CreateArgs>),
    /// Add (or replace) the binary of one target in an archive and re-sign it.
    Insert(InsertArgs),
    /// Show an archive's claims and targets and whether they verify.
    Inspect(InspectArgs),
}

/// The signing keys, as for `host-min claims sign`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// A file holding the account seed (SA...) that signs the archive
    /// (else $HOST_MIN_ISSUER_SEED, else the key directory's account.nk).
    #[arg(long, visible_alias = "issuer-seed", value_name = "FILE")]
    pub issuer: Option<String>,
    /// A file holding the provider's service seed (SV...), its identity
    /// (else $HOST_MIN_PROVIDER_SEED, else the key directory's NAME_service.nk).
    #[arg(long, visible_alias = "subject-seed", value_name = "FILE")]
    pub subject: Option<String>,
    /// Where keys not given as seeds are read from or created.
    #[arg(long, value_name = "DIR")]
    pub key_dir: Option<PathBuf>,
}

/// `host-min par create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Target of the binary, ARCH-OS (e.g. x86_64-linux, aarch64-macos).
    #[arg(short, long)]
    pub arch: String,
    /// The provider's native executable for that target.
    #[arg(short, long, value_name = "FILE")]
    pub binary: PathBuf,
    /// The capability contract id it implements (e.g. wasmcloud:keyvalue).
    #[arg(short, long, value_name = "CONTRACT")]
    pub capid: String,
    /// Provider name.
    #[arg(short, long)]
    pub name: String,
    /// Vendor.
    #[arg(short, long)]
    pub vendor: String,
    /// Revision number.
    #[arg(short, long)]
    pub revision: Option<i32>,
    /// Human-friendly version.
    #[arg(long)]
    pub version: Option<String>,
    /// A JSON file holding the JSON schema of the provider's link values.
    #[arg(short = 'j', long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Output file (default: NAME in lower case + `.par`, `.par.gz` when compressed).
    #[arg(short, long, value_name = "PATH")]
    pub destination: Option<PathBuf>,
    /// Gzip the archive.
    #[arg(long)]
    pub compress: bool,
    /// The claims expire this many days after signing.
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<u64>,
    /// Signing keys.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// `host-min par insert`
#[derive(Debug, Args)]
pub struct InsertArgs {
    /// The archive to change (rewritten in place, compressed as it was).
    pub archive: PathBuf,
    /// Target of the binary, ARCH-OS.
    #[arg(short, long)]
    pub arch: String,
    /// The provider's native executable for that target.
    #[arg(short, long, value_name = "FILE")]
    pub binary: PathBuf,
    /// Signing keys: the service key must be the archive's own.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// Output format of `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// A table for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// `host-min par inspect`
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The archive (.par or .par.gz).
    pub archive: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "text")]
    pub output: Output,
}

impl ParArgs {
    /// Runs the command. `inspect` exits 1 when the archive does not verify.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            ParCommand::Create(a) => a.run(),
            ParCommand::Insert(a) => a.run(),
            ParCommand::Inspect(a) => a.run(),
        }
    }
}

impl KeyArgs {
    /// The issuer (account) and the subject (service key of provider `name`).
    fn load(&self, name: &str) -> anyhow::Result<(KeyPair, KeyPair)> {
        let key_dir = self
            .key_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_DIR));
        let issuer = match given_seed(
            self.issuer.as_deref(),
            "--issuer",
            ISSUER_SEED_ENV,
            KeyType::Account,
        )? {
            Some(kp) => kp,
            None => stored_key(&key_dir.join("account.nk"), KeyType::Account)?,
        };
        let subject = match given_seed(
            self.subject.as_deref(),
            "--subject",
            PROVIDER_SEED_ENV,
            KeyType::Service,
        )? {
            Some(kp) => kp,
            None => stored_key(
                &key_dir.join(format!("{}_service.nk", file_safe(name))),
                KeyType::Service,
            )?,
        };
        Ok((issuer, subject))
    }
}

fn read_binary(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// `My Provider` -> `my_provider.par` / `my_provider.par.gz`.
fn default_destination(name: &str, compress: bool) -> PathBuf {
    let stem: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '/' {
                '_'
            } else {
                c
            }
        })
        .collect();
    PathBuf::from(format!("{stem}.par{}", if compress { ".gz" } else { "" }))
}

impl CreateArgs {
    /// Builds, signs and writes the archive.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        if !self.capid.contains(':') {
            bail!(
                "--capid `{}` is not a contract id (expected e.g. wasmcloud:keyvalue)",
                self.capid
            );
        }
        let binary = read_binary(&self.binary)?;
        let schema = match &self.schema {
            None => None,
            Some(p) => {
                let text =
                    std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                Some(
                    serde_json::from_slice::<serde_json::Value>(&text)
                        .with_context(|| format!("{}: not JSON", p.display()))?,
                )
            }
        };
        let (issuer, subject) = self.keys.load(&self.name)?;
        let mut par = ProviderArchive::new(
            self.name.clone(),
            self.capid.clone(),
            self.vendor.clone(),
            self.revision,
            self.version.clone(),
        );
        par.set_config_schema(schema);
        par.set_expires_in(
            self.expires_in_days
                .map(|d| std::time::Duration::from_secs(d.saturating_mul(86_400))),
        );
        par.add_binary(&self.arch, binary)
            .with_context(|| format!("{}", self.binary.display()))?;
        let bytes = par
            .write(&issuer, &subject, self.compress)
            .context("cannot sign the archive")?;
        let out = self
            .destination
            .clone()
            .unwrap_or_else(|| default_destination(&self.name, self.compress));
        std::fs::write(&out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
        println!(
            "Wrote {} ({} for {}, service key {}, signed by {})",
            out.display(),
            self.name,
            self.arch,
            subject.public_key(),
            issuer.public_key()
        );
        Ok(ExitCode::SUCCESS)
    }
}

impl InsertArgs {
    /// Adds the binary and re-signs the archive in place.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let shown = self.archive.display();
        let bytes = std::fs::read(&self.archive).with_context(|| format!("cannot read {shown}"))?;
        let compress = super::is_gzip(&bytes);
        let mut par = ProviderArchive::load(&bytes).with_context(|| format!("{shown}"))?;
        let current = par
            .claims()
            .map(|c| c.subject.clone())
            .context("a loaded archive has claims")?;
        let (issuer, subject) = self.keys.load(par.name())?;
        if subject.public_key() != current {
            bail!(
                "{shown}: the archive belongs to provider {current}, the service key given is {} \
                 (pass the archive's key with --subject FILE or --key-dir)",
                subject.public_key()
            );
        }
        par.add_binary(&self.arch, read_binary(&self.binary)?)
            .with_context(|| format!("{}", self.binary.display()))?;
        let out = par
            .write(&issuer, &subject, compress)
            .context("cannot sign the archive")?;
        // Replace atomically: a host loading the archive meanwhile sees the old or the new one.
        let tmp = self
            .archive
            .with_extension(format!("tmp-{}", std::process::id()));
        std::fs::write(&tmp, &out).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.archive).with_context(|| format!("cannot replace {shown}"))?;
        println!(
            "Added {} to {shown}; targets: {}",
            self.arch,
            par.targets().join(", ")
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// The JSON `inspect -o json` prints (keys as `wash par inspect`, plus the hashes).
fn inspect_json(c: &ProviderClaims, targets: &[String]) -> serde_json::Value {
    serde_json::json!({
        "name": c.name(),
        "capability_contract_id": c.contract_id(),
        "vendor": c.vendor(),
        "version": c.ver(),
        "revision": c.rev(),
        "issuer": c.issuer,
        "service": c.subject,
        "targets": targets,
        "target_hashes": c.target_hashes(),
        "issued_at": c.issued_at,
        "expires": c.expires,
        "not_before": c.not_before,
        "config_schema": c.config_schema(),
    })
}

impl InspectArgs {
    /// Prints the archive's claims; exit 1 (with `FILE: reason`) when it
    /// does not verify.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let shown = self.archive.display();
        let bytes = std::fs::read(&self.archive).with_context(|| format!("cannot read {shown}"))?;
        let par = match ProviderArchive::load(&bytes) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("host-min: {shown}: {e}");
                return Ok(ExitCode::from(1));
            }
        };
        let c = par.claims().context("a loaded archive has claims")?;
        let targets = par.targets();
        if self.output == Output::Json {
            println!(
                "{}",
                serde_json::to_string_pretty(&inspect_json(c, &targets))?
            );
            return Ok(ExitCode::SUCCESS);
        }
        let now_s = unix_seconds(SystemTime::now());
        let when = |t: Option<u64>, none: &str| match t {
            None => none.to_string(),
            Some(t) if t > now_s => {
                format!("{} (in {})", format_time(t), format_duration(t - now_s))
            }
            Some(t) => format!("{} ({} ago)", format_time(t), format_duration(now_s - t)),
        };
        let mut out = String::new();
        let mut row = |k: &str, v: &str| out.push_str(&format!("  {k:<14}{v}\n"));
        row("Account", &c.issuer);
        row("Service", &c.subject);
        row("Contract", c.contract_id());
        row("Vendor", c.vendor());
        row("Version", c.ver().unwrap_or("-"));
        row(
            "Revision",
            &c.rev().map_or_else(|| "-".to_string(), |r| r.to_string()),
        );
        row("Issued", &when(Some(c.issued_at), "-"));
        row("Expires", &when(c.expires, "never"));
        row("Can be used", &when(c.not_before, "immediately"));
        for (i, t) in targets.iter().enumerate() {
            let hash = c.target_hashes().get(t).map_or("", String::as_str);
            row(
                if i == 0 { "Targets" } else { "" },
                &format!("{t:<16} {hash}"),
            );
        }
        row(
            "Config schema",
            if c.config_schema().is_some() {
                "yes"
            } else {
                "none"
            },
        );
        row("Status", "valid");
        println!("{} - provider archive", c.name());
        print!("{out}");
        Ok(ExitCode::SUCCESS)
    }
}
