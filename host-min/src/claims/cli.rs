//! The `claims` and `keys` subcommands of `host-min`.
//!
//! - `host-min claims sign ACTOR.wasm --name N --caps a,b [--issuer-seed FILE]
//!   [--subject-seed FILE] [--key-dir DIR] [--out FILE] ...`
//! - `host-min claims inspect ACTOR.wasm [--json | --jwt]`
//! - `host-min keys gen TYPE [--json]`
//!
//! Keys not given as seeds are kept in the key directory (default
//! `.host-min/keys`): `account.nk` for the issuer, `NAME_module.nk` for each
//! actor, created on first use and reused afterwards, so an actor keeps its
//! identity (`M...`) across re-signing.
//!
//! Seeds are never taken on the command line (where `ps` and shell history
//! show them): `--issuer-seed` / `--subject-seed` name a file holding the
//! seed, and the environment variables [`ISSUER_SEED_ENV`] /
//! [`SUBJECT_SEED_ENV`] may hold one instead. A seed given in place of a file
//! name is refused, without echoing it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::jwt::unix_seconds;
use super::keys::{KeyPair, KeyType};
use super::{format_duration, format_time, sign_actor, wasm, SignOptions};

/// Default directory for generated keys.
pub const DEFAULT_KEY_DIR: &str = ".host-min/keys";
/// Environment variable that may hold the issuer (account) seed.
pub const ISSUER_SEED_ENV: &str = "HOST_MIN_ISSUER_SEED";
/// Environment variable that may hold the subject (module) seed.
pub const SUBJECT_SEED_ENV: &str = "HOST_MIN_SUBJECT_SEED";

/// `host-min claims ...`
#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ClaimsCommand,
}

/// The `claims` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClaimsCommand {
    /// Sign an actor module: embed claims with its name and capabilities.
    Sign(Box<SignArgs>),
    /// Show the claims of an actor module and whether they verify.
    Inspect(InspectArgs),
}

/// `host-min claims sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The actor module (.wasm).
    pub module: PathBuf,
    /// Actor name.
    #[arg(short, long)]
    pub name: String,
    /// Capability contract ids the actor may use, comma separated
    /// (e.g. wasmcloud:keyvalue,wasmcloud:httpserver,wasmcloud:builtin:logging).
    #[arg(short, long, value_delimiter = ',')]
    pub caps: Vec<String>,
    /// A file holding the account seed (SA...) that signs the claims
    /// (else $HOST_MIN_ISSUER_SEED, else the key directory).
    #[arg(long, value_name = "FILE")]
    pub issuer_seed: Option<String>,
    /// A file holding the module seed (SM...), the actor's identity
    /// (else $HOST_MIN_SUBJECT_SEED, else the key directory).
    #[arg(long, value_name = "FILE")]
    pub subject_seed: Option<String>,
    /// Where keys not given as seeds are read from or created.
    #[arg(long, value_name = "DIR")]
    pub key_dir: Option<PathBuf>,
    /// Output file (default: MODULE with `_s` before `.wasm`).
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// A name other actors may call this one by.
    #[arg(long)]
    pub call_alias: Option<String>,
    /// Tags, comma separated or repeated.
    #[arg(short, long = "tag", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Revision number.
    #[arg(short, long)]
    pub rev: Option<i32>,
    /// Human-friendly version.
    #[arg(short, long)]
    pub ver: Option<String>,
    /// The claims expire this many days after signing.
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<u64>,
    /// The claims become valid this many days after signing.
    #[arg(long, value_name = "DAYS")]
    pub not_before_days: Option<u64>,
}

/// `host-min claims inspect`
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The actor module (.wasm).
    pub module: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long, conflicts_with = "jwt")]
    pub json: bool,
    /// Print only the raw JWT.
    #[arg(long)]
    pub jwt: bool,
}

/// `host-min keys ...`
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a key pair and print its public key and seed.
    Gen(GenArgs),
}

/// `host-min keys gen`
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Key type: account, cluster, module, server, operator, user, service.
    #[arg(default_value = "account")]
    pub key_type: KeyType,
    /// Print JSON (`public_key`, `seed`).
    #[arg(long)]
    pub json: bool,
}

impl ClaimsArgs {
    /// Runs the command. Exit code 0 on success; `inspect` exits 1 when the
    /// claims are missing or do not verify.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            ClaimsCommand::Sign(a) => a.run(),
            ClaimsCommand::Inspect(a) => a.run(),
        }
    }
}

impl KeysArgs {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            KeysCommand::Gen(a) => a.run(),
        }
    }
}

impl SignArgs {
    /// Signs the module and writes the result.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let caps: Vec<String> = self
            .caps
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        validate_caps(&caps)?;
        let module = std::fs::read(&self.module)
            .with_context(|| format!("cannot read {}", self.module.display()))?;
        let key_dir = self
            .key_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_DIR));
        let issuer = match given_seed(
            self.issuer_seed.as_deref(),
            "--issuer-seed",
            ISSUER_SEED_ENV,
            KeyType::Account,
        )? {
            Some(kp) => kp,
            None => stored_key(&key_dir.join("account.nk"), KeyType::Account)?,
        };
        let subject = match given_seed(
            self.subject_seed.as_deref(),
            "--subject-seed",
            SUBJECT_SEED_ENV,
            KeyType::Module,
        )? {
            Some(kp) => kp,
            None => stored_key(
                &key_dir.join(format!("{}_module.nk", file_safe(&self.name))),
                KeyType::Module,
            )?,
        };
        let module_key = subject.public_key();
        let opts = SignOptions {
            caps,
            name: self.name.clone(),
            issuer,
            subject: Some(subject),
            call_alias: self.call_alias.clone(),
            tags: self.tags.clone(),
            rev: self.rev,
            ver: self.ver.clone(),
            expires_in: self.expires_in_days.map(days),
            not_before: self.not_before_days.map(days),
        };
        let signed = sign_actor(&module, opts)
            .with_context(|| format!("cannot sign {}", self.module.display()))?;
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| default_out(&self.module));
        std::fs::write(&out, &signed).with_context(|| format!("cannot write {}", out.display()))?;
        println!(
            "Signed {} as {} ({module_key}); wrote {}",
            self.module.display(),
            self.name,
            out.display()
        );
        Ok(ExitCode::SUCCESS)
    }
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n.saturating_mul(86_400))
}

/// `actor.wasm` -> `actor_s.wasm`, as `wash claims sign` names it.
fn default_out(module: &Path) -> PathBuf {
    let stem = module
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "actor".into());
    module.with_file_name(format!("{stem}_s.wasm"))
}

/// `name` with everything but ASCII letters, digits, `-` and `_` turned
/// into `_`, for key file names.
pub(crate) fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A seed given on the command line, or the path of a file holding one;
/// `env` is the environment variable suggested in place of a bare seed.
fn seed_file(value: &str, kind: KeyType, flag: &str, env: &str) -> anyhow::Result<KeyPair> {
    let path = Path::new(value);
    if !path.is_file() {
        if KeyPair::from_seed(value.trim()).is_ok() {
            // Never echo it: it is already in the shell history, no need to
            // add it to logs.
            bail!(
                "{flag} takes a FILE holding the seed, not the seed itself \
                 (a seed on the command line shows in `ps` and shell history); \
                 put it in a file (mode 0600) or in ${env}"
            );
        }
        bail!("{flag}: no such file {}", path.display());
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{flag}: cannot read {}", path.display()))?;
    parse_seed(&text, kind, &format!("{flag} file {}", path.display()))
}

/// The seed from `flag` (a file), else from environment variable `env`;
/// `None` when neither is given. Shared with `host-min par`, which signs
/// with the same keys.
pub(crate) fn given_seed(
    flag_value: Option<&str>,
    flag: &str,
    env: &str,
    kind: KeyType,
) -> anyhow::Result<Option<KeyPair>> {
    if let Some(v) = flag_value {
        return seed_file(v, kind, flag, env).map(Some);
    }
    match std::env::var(env) {
        Ok(text) if !text.trim().is_empty() => {
            parse_seed(&text, kind, &format!("${env}")).map(Some)
        }
        _ => Ok(None),
    }
}

/// Parses a seed read from `origin`; errors name the origin, never the seed.
fn parse_seed(text: &str, kind: KeyType, origin: &str) -> anyhow::Result<KeyPair> {
    let kp = KeyPair::from_seed(text.trim()).with_context(|| format!("{origin}: invalid seed"))?;
    kp.expect_type(kind)
        .with_context(|| format!("{origin}: wrong key type"))?;
    Ok(kp)
}

/// The key in `path`, created (mode 0600) when absent.
pub(crate) fn stored_key(path: &Path, kind: KeyType) -> anyhow::Result<KeyPair> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let kp = KeyPair::from_seed(text.trim())
                .with_context(|| format!("{}: invalid seed", path.display()))?;
            kp.expect_type(kind)
                .with_context(|| format!("{}: wrong key type", path.display()))?;
            Ok(kp)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let kp = KeyPair::new(kind);
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            writeln!(f, "{}", kp.seed()?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Generated {kind} key {} in {}",
                kp.public_key(),
                path.display()
            );
            Ok(kp)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Friendly names of the well-known contracts, for `inspect`.
fn contract_label(id: &str) -> Option<&'static str> {
    Some(match id {
        "wasmcloud:keyvalue" => "Key-value store",
        "wasmcloud:httpserver" => "HTTP server",
        "wasmcloud:httpclient" => "HTTP client",
        "wasmcloud:messaging" => "Messaging",
        "wasmcloud:blobstore" => "Blob store",
        "wasmcloud:sqldb" => "SQL database",
        "wasmcloud:latticecontroller" => "Lattice controller",
        "wasmcloud:builtin:logging" => "Logging, builtin",
        "wasmcloud:builtin:numbergen" => "Number generator, builtin",
        _ => return None,
    })
}

impl InspectArgs {
    /// Prints the claims; exit code 1 when unsigned or invalid.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let module = std::fs::read(&self.module)
            .with_context(|| format!("cannot read {}", self.module.display()))?;
        let now = SystemTime::now();
        let token = super::extract_claims(&module)
            .with_context(|| format!("cannot read claims of {}", self.module.display()))?;
        let verdict = super::verify(&module, now);
        let actual_hash = wasm::module_hash(&module)?;
        let exit = if verdict.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
        if self.jwt {
            match &token {
                Some(t) => println!("{}", t.jwt),
                None => eprintln!(
                    "{}: {}",
                    self.module.display(),
                    super::ClaimsError::Unsigned
                ),
            }
            return Ok(exit);
        }
        if self.json {
            let v = serde_json::json!({
                "valid": verdict.is_ok(),
                "error": verdict.as_ref().err().map(|e| e.to_string()),
                "module_hash": actual_hash,
                "claims": token.as_ref().map(|t| &t.claims),
                "jwt": token.as_ref().map(|t| &t.jwt),
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
            return Ok(exit);
        }
        let Some(token) = token else {
            println!("{}: not signed (no claims section)", self.module.display());
            println!("  Hash          {actual_hash}");
            return Ok(exit);
        };
        let c = &token.claims;
        let now_s = unix_seconds(now);
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
        row("Module", &c.subject);
        row("Issued", &when(Some(c.issued_at), "-"));
        row("Expires", &when(c.expires, "never"));
        row("Can be used", &when(c.not_before, "immediately"));
        let version = match (&c.wascap.ver, c.wascap.rev) {
            (Some(v), Some(r)) => format!("{v} (rev {r})"),
            (Some(v), None) => v.clone(),
            (None, Some(r)) => format!("rev {r}"),
            (None, None) => "-".into(),
        };
        row("Version", &version);
        row("Call alias", c.wascap.call_alias.as_deref().unwrap_or("-"));
        let caps = c.caps();
        if caps.is_empty() {
            row("Capabilities", "none");
        }
        for (i, cap) in caps.iter().enumerate() {
            let v = match contract_label(cap) {
                Some(l) => format!("{cap}  ({l})"),
                None => cap.clone(),
            };
            row(if i == 0 { "Capabilities" } else { "" }, &v);
        }
        let tags = c.wascap.tags.as_deref().unwrap_or(&[]).join(", ");
        row("Tags", if tags.is_empty() { "-" } else { &tags });
        row("Hash", &c.wascap.module_hash);
        match &verdict {
            Ok(_) => row("Status", "valid"),
            Err(e) => row("Status", &format!("INVALID: {e}")),
        }
        println!("{} - module {}", c.name(), c.subject);
        print!("{out}");
        Ok(exit)
    }
}

impl GenArgs {
    /// Prints a new key pair.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let kp = KeyPair::new(self.key_type);
        let seed = kp.seed()?;
        if self.json {
            let v = serde_json::json!({ "public_key": kp.public_key(), "seed": seed });
            println!("{v}");
        } else {
            println!("Public Key: {}", kp.public_key());
            println!("Seed: {seed}");
            println!();
            println!("Remember that the seed is private, treat it as a secret.");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Refuses capability names that are not contract ids (`keyvalue` instead
/// of `wasmcloud:keyvalue` would sign an actor that can never use it).
pub fn validate_caps(caps: &[String]) -> anyhow::Result<()> {
    for c in caps {
        if !c.contains(':') {
            bail!("capability `{c}` is not a contract id (expected e.g. wasmcloud:keyvalue)");
        }
    }
    Ok(())
}

/// Turns a command's result into the process exit code, printing the error
/// (with its causes) on failure: exit 2 for errors such as unreadable files
/// or bad arguments, as opposed to 1 for "claims invalid".
pub fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("host-min: {e:#}");
            ExitCode::from(2)
        }
    }
}
