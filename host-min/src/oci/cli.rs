//! The `reg` subcommands of `host-min`: actors and provider archives to and
//! from OCI registries.
//!
//! - `host-min reg push REF FILE [--kind actor|provider] [auth] [--insecure]`
//! - `host-min reg pull REF [--out FILE] [auth] [--insecure] [--allow-latest]`
//!
//! Both print the manifest digest. Auth: `--user NAME` with the password
//! from `$HOST_MIN_REG_PASSWORD` or `--password-stdin`, or a token from
//! `$HOST_MIN_REG_TOKEN`; secrets are never taken on the command line (they
//! would show in `ps` and shell history). `--insecure` speaks plain HTTP to
//! the reference's registry (a registry on localhost, say).

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{ArtifactKind, Credentials, OciError, RegistryOptions};

/// Environment variable holding the registry password for `--user`.
pub const PASSWORD_ENV: &str = "HOST_MIN_REG_PASSWORD";
/// Environment variable holding a registry token.
pub const TOKEN_ENV: &str = "HOST_MIN_REG_TOKEN";

/// `host-min reg ...`
#[derive(Debug, Args)]
pub struct RegArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RegCommand,
}

/// The `reg` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegCommand {
    /// Push an actor (.wasm) or a provider archive (.par.gz) to a registry.
    Push(PushArgs),
    /// Pull an actor or a provider archive from a registry.
    Pull(PullArgs),
}

/// Registry access, shared by push and pull.
#[derive(Debug, Args)]
pub struct AccessArgs {
    /// Registry user (the password comes from $HOST_MIN_REG_PASSWORD or
    /// --password-stdin).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password from standard input.
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// Speak plain HTTP to the reference's registry (e.g. localhost:5000).
    #[arg(long)]
    pub insecure: bool,
}

/// What an artifact is (`push --kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// A wasm actor module.
    Actor,
    /// A provider archive.
    Provider,
}

/// `host-min reg push`
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Where to push: REGISTRY/REPOSITORY:TAG.
    pub reference: String,
    /// The actor module or provider archive.
    pub file: PathBuf,
    /// What the file is (default: from its contents).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Registry access.
    #[command(flatten)]
    pub access: AccessArgs,
}

/// `host-min reg pull`
#[derive(Debug, Args)]
pub struct PullArgs {
    /// What to pull: REGISTRY/REPOSITORY:TAG or ...@sha256:DIGEST.
    pub reference: String,
    /// Where to write it (default: the repository's last name, with .wasm
    /// or .par.gz, in the current directory).
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Allow the tag `latest` (or no tag).
    #[arg(long)]
    pub allow_latest: bool,
    /// Registry access.
    #[command(flatten)]
    pub access: AccessArgs,
}

/// Why a `reg` command failed.
#[derive(Debug, thiserror::Error)]
pub enum RegError {
    /// The registry side.
    #[error(transparent)]
    Oci(#[from] OciError),
    /// A local file.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// Credentials are missing or unreadable.
    #[error("{0}")]
    Credentials(String),
}

impl AccessArgs {
    fn options(&self, reference: &str) -> Result<RegistryOptions, RegError> {
        let credentials = match &self.user {
            Some(user) => {
                let password = if self.password_stdin {
                    let mut text = String::new();
                    std::io::stdin()
                        .read_to_string(&mut text)
                        .map_err(|e| RegError::Credentials(format!("reading the password: {e}")))?;
                    text.trim_end_matches(['\r', '\n']).to_string()
                } else {
                    std::env::var(PASSWORD_ENV).map_err(|_| {
                        RegError::Credentials(format!(
                            "--user {user} needs a password: set ${PASSWORD_ENV} or pass --password-stdin"
                        ))
                    })?
                };
                Credentials::Basic {
                    username: user.clone(),
                    password,
                }
            }
            None => match std::env::var(TOKEN_ENV) {
                Ok(t) if !t.is_empty() => Credentials::Token(t),
                _ => Credentials::Anonymous,
            },
        };
        let insecure = if self.insecure {
            vec![super::parse_reference(reference)?
                .resolve_registry()
                .to_string()]
        } else {
            Vec::new()
        };
        Ok(RegistryOptions {
            credentials,
            insecure,
            allow_latest: false,
        })
    }
}

impl RegArgs {
    /// Runs the command; prints what it did.
    pub async fn run(self) -> Result<(), RegError> {
        match self.command {
            RegCommand::Push(a) => {
                let opts = a.access.options(&a.reference)?;
                let bytes = std::fs::read(&a.file).map_err(|source| RegError::File {
                    path: a.file.clone(),
                    source,
                })?;
                let kind = match a.kind {
                    Some(KindArg::Actor) => ArtifactKind::Actor,
                    Some(KindArg::Provider) => ArtifactKind::Provider,
                    None => ArtifactKind::sniff(&bytes).ok_or_else(|| OciError::UnknownKind {
                        what: a.file.display().to_string(),
                    })?,
                };
                let pushed = super::push(&a.reference, bytes, kind, &opts).await?;
                println!("pushed {kind} {} to {}", a.file.display(), a.reference);
                println!("digest: {}", pushed.digest);
                Ok(())
            }
            RegCommand::Pull(a) => {
                let mut opts = a.access.options(&a.reference)?;
                opts.allow_latest = a.allow_latest;
                let pulled = super::pull(&a.reference, &opts).await?;
                let out = a.out.unwrap_or_else(|| {
                    let r = super::parse_reference(&a.reference).expect("pulled, so it parses");
                    let name = r.repository().rsplit('/').next().unwrap_or("artifact");
                    PathBuf::from(format!("{name}.{}", pulled.kind.extension()))
                });
                std::fs::write(&out, &pulled.bytes).map_err(|source| RegError::File {
                    path: out.clone(),
                    source,
                })?;
                println!(
                    "pulled {} {} to {} ({} bytes)",
                    pulled.kind,
                    a.reference,
                    out.display(),
                    pulled.bytes.len()
                );
                println!("digest: {}", pulled.digest);
                Ok(())
            }
        }
    }
}
