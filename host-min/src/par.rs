//! Provider archives (`.par`, `.par.gz`): a capability provider's native
//! binaries for several targets, with signed claims naming it.
//!
//! # Format
//!
//! A tar file, gzip-compressed when it starts with `1f 8b` (then named
//! `.par.gz`), holding:
//!
//! - `claims.jwt`: a wascap token (header `{"typ":"jwt","alg":"Ed25519"}`)
//!   issued by an account key (`A...`) for the provider's service key
//!   (`V...`, its identity on the lattice), whose `wascap` part names the
//!   provider (`name`, `capid`, `vendor`, `rev`, `ver`, `config_schema`) and
//!   lists `target_hashes`: for each target, the uppercase hex SHA-256 of
//!   its binary;
//! - one `{arch}-{os}.bin` per target (`x86_64-linux`, `aarch64-macos`, ...).
//!
//! This is the layout of upstream's `provider-archive` crate and
//! `wash par`, so archives move both ways.
//!
//! # Trust
//!
//! [`ProviderArchive::load`] accepts an archive only when its claims verify
//! (signature by the issuer, an account issuer and a service subject, `exp`
//! / `nbf`) and every binary in it hashes to what the claims say, with no
//! binary missing or unlisted. Entries other than `claims.jwt` and `*.bin`
//! (newer upstream archives add `world.wasm`) are skipped, never used.
//!
//! # Starting a provider from an archive
//!
//! ```no_run
//! # fn main() -> Result<(), host_min::par::ParError> {
//! use host_min::par::ProviderArchive;
//! let par = ProviderArchive::load_file("httpserver.par.gz")?;
//! let exe = par.extract_current("/var/cache/host-min/providers")?;
//! let claims = par.claims().expect("a loaded archive has verified claims");
//! println!("{} ({}) implements {}: {}", claims.name(), claims.subject, claims.contract_id(), exe.display());
//! # Ok(()) }
//! ```

pub mod cli;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use data_encoding::HEXUPPER;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::claims::jwt::{self, RegisteredClaims, WASCAP_REVISION};
use crate::claims::{ClaimsError, KeyError, KeyPair, KeyType};

/// The name of the claims entry.
pub const CLAIMS_ENTRY: &str = "claims.jwt";
/// The suffix of a binary entry (`x86_64-linux.bin`).
pub const BINARY_SUFFIX: &str = ".bin";
/// The first two bytes of a gzip stream.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Largest `claims.jwt` accepted: the claims are a few hundred bytes plus
/// an optional config schema; anything near this is not a real token.
pub const MAX_CLAIMS_SIZE: u64 = 1 << 20;
/// Largest binary accepted for one target.
pub const MAX_BINARY_SIZE: u64 = 1 << 30;
/// Most bytes read from an archive (after decompression), so a gzip bomb
/// or an endless stream ends in an error instead of filling memory.
pub const MAX_ARCHIVE_SIZE: u64 = 4 << 30;

/// Why an archive could not be read, written, trusted or extracted.
#[derive(Debug, thiserror::Error)]
pub enum ParError {
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The input is empty.
    #[error("not a provider archive: the input is empty")]
    Empty,
    /// The tar (or gzip) stream is malformed or truncated.
    #[error("not a valid provider archive (tar{}): {source}", if *.gzip { " in gzip" } else { "" })]
    Malformed {
        /// Whether the input was gzip-compressed.
        gzip: bool,
        /// The reader's complaint.
        #[source]
        source: std::io::Error,
    },
    /// The decompressed archive is larger than [`MAX_ARCHIVE_SIZE`].
    #[error("the archive is larger than {max} bytes (decompressed); refusing it")]
    ArchiveTooLarge {
        /// The limit.
        max: u64,
    },
    /// An entry is larger than allowed.
    #[error("entry `{entry}` is {size} bytes, more than the {max} allowed")]
    EntryTooLarge {
        /// The entry's name.
        entry: String,
        /// Its size from the tar header.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The same entry appears twice.
    #[error("entry `{0}` appears more than once")]
    DuplicateEntry(String),
    /// No `claims.jwt`.
    #[error("no `claims.jwt` in the archive: it is not a signed provider archive")]
    MissingClaims,
    /// `claims.jwt` is not text.
    #[error("`claims.jwt` is not UTF-8 text")]
    ClaimsNotText,
    /// The claims do not verify (signature, key roles, expiry, format).
    #[error("claims: {0}")]
    Claims(#[from] ClaimsError),
    /// The archive holds no binary.
    #[error("the archive holds no provider binary (`{{arch}}-{{os}}.bin`)")]
    NoBinaries,
    /// A binary does not hash to what the claims say.
    #[error("binary for {target} was altered: the claims say it hashes to {claimed}, it hashes to {actual}")]
    HashMismatch {
        /// The target.
        target: String,
        /// Hash in the claims.
        claimed: String,
        /// Hash of the binary found.
        actual: String,
    },
    /// A binary the claims do not list (added after signing).
    #[error("binary for {0} is not covered by the claims (added after signing?)")]
    UnsignedBinary(String),
    /// A target the claims list has no binary in the archive.
    #[error("the claims list target {0}, but the archive holds no binary for it")]
    MissingBinary(String),
    /// No binary for the requested target.
    #[error("no binary for {target} in the archive (it has: {})", .available.join(", "))]
    NoBinaryForTarget {
        /// The target asked for.
        target: String,
        /// The targets present.
        available: Vec<String>,
    },
    /// A target name that is not `{arch}-{os}`.
    #[error("invalid target `{0}`: expected ARCH-OS such as x86_64-linux (letters, digits, `_`, one or more `-`)")]
    InvalidTarget(String),
    /// The archive has not been signed yet (built with
    /// [`ProviderArchive::new`] and not written).
    #[error("the archive is not signed yet")]
    Unsigned,
    /// Invalid archive contents or signing options.
    #[error("{0}")]
    Options(String),
    /// A key problem (wrong role, public key where a seed is needed...).
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The `wascap` part of a provider's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// `name`: a descriptive name (upstream writes `null` when unnamed).
    #[serde(default)]
    pub name: Option<String>,
    /// `capid`: the capability contract id the provider implements.
    #[serde(rename = "capid")]
    pub contract_id: String,
    /// `vendor`: who made it.
    pub vendor: String,
    /// `rev`: a monotonically increasing revision.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rev: Option<i32>,
    /// `ver`: a human-friendly version.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ver: Option<String>,
    /// `target_hashes`: target -> uppercase hex SHA-256 of its binary.
    pub target_hashes: BTreeMap<String, String>,
    /// `config_schema`: a JSON schema of the provider's link values.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_schema: Option<serde_json::Value>,
}

/// The claims of a provider archive (`claims.jwt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderClaims {
    /// `exp`: seconds since the epoch after which the claims are void.
    #[serde(rename = "exp", skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<u64>,
    /// `jti`: a unique token id.
    #[serde(rename = "jti")]
    pub id: String,
    /// `iat`: seconds since the epoch when signed.
    #[serde(rename = "iat")]
    pub issued_at: u64,
    /// `iss`: the signing account's public key (`A...`).
    #[serde(rename = "iss")]
    pub issuer: String,
    /// `sub`: the provider's service key (`V...`), its identity.
    #[serde(rename = "sub")]
    pub subject: String,
    /// `nbf`: seconds since the epoch before which the claims are not valid.
    #[serde(rename = "nbf", skip_serializing_if = "Option::is_none", default)]
    pub not_before: Option<u64>,
    /// `wascap`: the provider metadata.
    pub wascap: ProviderMetadata,
    /// `wascap_revision`: format revision (3).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub wascap_revision: Option<u32>,
}

impl ProviderClaims {
    /// The provider's name (`name`, or the subject when unnamed).
    pub fn name(&self) -> &str {
        self.wascap.name.as_deref().unwrap_or(&self.subject)
    }

    /// The contract id it implements (`capid`).
    pub fn contract_id(&self) -> &str {
        &self.wascap.contract_id
    }

    /// The vendor.
    pub fn vendor(&self) -> &str {
        &self.wascap.vendor
    }

    /// The revision (`rev`), if any.
    pub fn rev(&self) -> Option<i32> {
        self.wascap.rev
    }

    /// The version string (`ver`), if any.
    pub fn ver(&self) -> Option<&str> {
        self.wascap.ver.as_deref()
    }

    /// The signing account (`iss`, `A...`).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The provider's public key (`sub`, `V...`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Target -> uppercase hex SHA-256 of its binary.
    pub fn target_hashes(&self) -> &BTreeMap<String, String> {
        &self.wascap.target_hashes
    }

    /// The link values' JSON schema, if the provider ships one.
    pub fn config_schema(&self) -> Option<&serde_json::Value> {
        self.wascap.config_schema.as_ref()
    }
}

impl RegisteredClaims for ProviderClaims {
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn subject(&self) -> &str {
        &self.subject
    }
    fn expires(&self) -> Option<u64> {
        self.expires
    }
    fn not_before(&self) -> Option<u64> {
        self.not_before
    }
}

/// A provider archive: binaries per target plus, once loaded or written,
/// its verified claims.
#[derive(Debug, Clone)]
pub struct ProviderArchive {
    name: String,
    contract_id: String,
    vendor: String,
    rev: Option<i32>,
    ver: Option<String>,
    config_schema: Option<serde_json::Value>,
    binaries: BTreeMap<String, Vec<u8>>,
    expires_in: Option<Duration>,
    not_before: Option<Duration>,
    claims: Option<ProviderClaims>,
    jwt: Option<String>,
}

impl ProviderArchive {
    /// A new, empty, unsigned archive. Add binaries with
    /// [`add_binary`](Self::add_binary), then sign with [`write`](Self::write).
    pub fn new(
        name: impl Into<String>,
        contract_id: impl Into<String>,
        vendor: impl Into<String>,
        rev: Option<i32>,
        ver: Option<String>,
    ) -> ProviderArchive {
        ProviderArchive {
            name: name.into(),
            contract_id: contract_id.into(),
            vendor: vendor.into(),
            rev,
            ver,
            config_schema: None,
            binaries: BTreeMap::new(),
            expires_in: None,
            not_before: None,
            claims: None,
            jwt: None,
        }
    }

    /// Sets the JSON schema of the provider's link values (`config_schema`).
    pub fn set_config_schema(&mut self, schema: Option<serde_json::Value>) {
        self.config_schema = schema;
    }

    /// Makes the next [`write`](Self::write) sign claims that expire
    /// `expires_in` after signing (`None`: never).
    pub fn set_expires_in(&mut self, expires_in: Option<Duration>) {
        self.expires_in = expires_in;
    }

    /// Makes the next [`write`](Self::write) sign claims valid only from
    /// `not_before` after signing (`None`: immediately).
    pub fn set_not_before(&mut self, not_before: Option<Duration>) {
        self.not_before = not_before;
    }

    /// Adds (or replaces) the binary for `target` (`{arch}-{os}`). The
    /// claims are re-made on the next [`write`](Self::write).
    pub fn add_binary(&mut self, target: &str, bytes: Vec<u8>) -> Result<(), ParError> {
        validate_target(target)?;
        if bytes.len() as u64 > MAX_BINARY_SIZE {
            return Err(ParError::EntryTooLarge {
                entry: format!("{target}{BINARY_SUFFIX}"),
                size: bytes.len() as u64,
                max: MAX_BINARY_SIZE,
            });
        }
        self.binaries.insert(target.to_string(), bytes);
        Ok(())
    }

    /// Reads and verifies an archive (plain tar or gzip-compressed tar) at
    /// the current time. See the module docs for what is checked.
    pub fn load(bytes: &[u8]) -> Result<ProviderArchive, ParError> {
        Self::load_at(bytes, SystemTime::now())
    }

    /// Reads and verifies the archive in file `path`.
    pub fn load_file(path: impl AsRef<Path>) -> Result<ProviderArchive, ParError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ParError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::load(&bytes)
    }

    /// [`load`](Self::load) with an explicit time for `exp` / `nbf`.
    pub fn load_at(bytes: &[u8], now: SystemTime) -> Result<ProviderArchive, ParError> {
        let (jwt, binaries) = read_entries(bytes)?;
        let jwt = jwt.ok_or(ParError::MissingClaims)?;
        // Signature first: a hash mismatch only means something for a genuine token.
        let claims: ProviderClaims = jwt::verify_signed(&jwt, KeyType::Service, now)?;
        if binaries.is_empty() {
            return Err(ParError::NoBinaries);
        }
        for (target, bin) in &binaries {
            let claimed = claims
                .wascap
                .target_hashes
                .get(target)
                .ok_or_else(|| ParError::UnsignedBinary(target.clone()))?;
            let actual = hash_bytes(bin);
            if !claimed.eq_ignore_ascii_case(&actual) {
                return Err(ParError::HashMismatch {
                    target: target.clone(),
                    claimed: claimed.clone(),
                    actual,
                });
            }
        }
        if let Some(missing) = claims
            .wascap
            .target_hashes
            .keys()
            .find(|t| !binaries.contains_key(*t))
        {
            return Err(ParError::MissingBinary(missing.clone()));
        }
        Ok(ProviderArchive {
            name: claims.name().to_string(),
            contract_id: claims.wascap.contract_id.clone(),
            vendor: claims.wascap.vendor.clone(),
            rev: claims.wascap.rev,
            ver: claims.wascap.ver.clone(),
            config_schema: claims.wascap.config_schema.clone(),
            binaries,
            expires_in: None,
            not_before: None,
            claims: Some(claims),
            jwt: Some(jwt),
        })
    }

    /// The verified claims: `Some` for every loaded archive, and for a new
    /// one once written.
    pub fn claims(&self) -> Option<&ProviderClaims> {
        self.claims.as_ref()
    }

    /// The raw `claims.jwt` token, when signed.
    pub fn jwt(&self) -> Option<&str> {
        self.jwt.as_deref()
    }

    /// The provider name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The contract id the provider implements.
    pub fn contract_id(&self) -> &str {
        &self.contract_id
    }

    /// The vendor.
    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    /// The targets with a binary, sorted.
    pub fn targets(&self) -> Vec<String> {
        self.binaries.keys().cloned().collect()
    }

    /// The binary for `target`, if the archive has one.
    pub fn binary_for(&self, target: &str) -> Option<&[u8]> {
        self.binaries.get(target).map(Vec::as_slice)
    }

    /// The target of the machine this code runs on, as archives name it:
    /// `{arch}-{os}` from Rust's `std::env::consts` (`x86_64-linux`,
    /// `aarch64-macos`, `x86_64-windows`...), as `wash par` does.
    pub fn current_target() -> String {
        format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
    }

    /// Writes the binary for [`current_target`](Self::current_target) as an
    /// executable file under `dir` and returns its path.
    ///
    /// The file is `dir/{service key}/rev{rev}-{sha256}` (`.exe` on
    /// Windows), so archives never collide and a new revision or build gets
    /// a new file. It is written to a temporary file, made executable
    /// (0755) and renamed into place, so a concurrent start never runs a
    /// half-written binary; an existing file with the right hash is reused.
    /// Needs a signed archive (loaded, or written).
    ///
    /// A process that forks while another of its threads writes the file
    /// may briefly hold it open, so the first spawn of a freshly extracted
    /// binary can fail with `ETXTBSY` ("text file busy"); retry it.
    pub fn extract_current(&self, dir: impl AsRef<Path>) -> Result<PathBuf, ParError> {
        let claims = self.claims.as_ref().ok_or(ParError::Unsigned)?;
        let target = Self::current_target();
        let bin = self
            .binary_for(&target)
            .ok_or_else(|| ParError::NoBinaryForTarget {
                target: target.clone(),
                available: self.targets(),
            })?;
        let hash = hash_bytes(bin);
        // The subject was checked to be a service key, so it is a safe file name.
        let sub_dir = dir.as_ref().join(&claims.subject);
        let file_name = format!(
            "rev{}-{hash}{}",
            claims.wascap.rev.unwrap_or(0),
            std::env::consts::EXE_SUFFIX
        );
        let path = sub_dir.join(file_name);
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ParError::Io { path, source }
        };
        if let Ok(existing) = std::fs::read(&path) {
            if hash_bytes(&existing) == hash {
                set_executable(&path).map_err(io_err(&path))?;
                return Ok(path);
            }
        }
        std::fs::create_dir_all(&sub_dir).map_err(io_err(&sub_dir))?;
        let tmp = sub_dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bin)?;
            f.sync_all()?;
            drop(f);
            set_executable(&tmp)?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(source) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(ParError::Io { path, source });
        }
        Ok(path)
    }

    /// Signs claims for the binaries now in the archive with `issuer` (an
    /// account seed) as the provider `subject` (a service seed), and returns
    /// the archive as bytes: a tar, gzip-compressed when `compress`. The
    /// archive then holds these claims ([`claims`](Self::claims)).
    pub fn write(
        &mut self,
        issuer: &KeyPair,
        subject: &KeyPair,
        compress: bool,
    ) -> Result<Vec<u8>, ParError> {
        self.write_at(issuer, subject, compress, SystemTime::now())
    }

    /// [`write`](Self::write) with an explicit signing time (`iat`, and the
    /// base of `exp` / `nbf`).
    pub fn write_at(
        &mut self,
        issuer: &KeyPair,
        subject: &KeyPair,
        compress: bool,
        now: SystemTime,
    ) -> Result<Vec<u8>, ParError> {
        issuer.expect_type(KeyType::Account)?;
        if !issuer.has_seed() {
            return Err(KeyError::NoSeed(issuer.public_key()).into());
        }
        subject.expect_type(KeyType::Service)?;
        if self.name.trim().is_empty() {
            return Err(ParError::Options(
                "the provider name must not be empty".into(),
            ));
        }
        if self.contract_id.is_empty() || self.contract_id.chars().any(char::is_whitespace) {
            return Err(ParError::Options(format!(
                "`{}` is not a contract id (e.g. wasmcloud:keyvalue)",
                self.contract_id
            )));
        }
        if self.binaries.is_empty() {
            return Err(ParError::NoBinaries);
        }
        let now_s = jwt::unix_seconds(now);
        let claims = ProviderClaims {
            expires: self.expires_in.map(|d| now_s.saturating_add(d.as_secs())),
            id: uuid::Uuid::new_v4().simple().to_string(),
            issued_at: now_s,
            issuer: issuer.public_key(),
            subject: subject.public_key(),
            not_before: self.not_before.map(|d| now_s.saturating_add(d.as_secs())),
            wascap: ProviderMetadata {
                name: Some(self.name.clone()),
                contract_id: self.contract_id.clone(),
                vendor: self.vendor.clone(),
                rev: self.rev,
                ver: self.ver.clone(),
                target_hashes: self
                    .binaries
                    .iter()
                    .map(|(t, b)| (t.clone(), hash_bytes(b)))
                    .collect(),
                config_schema: self.config_schema.clone(),
            },
            wascap_revision: Some(WASCAP_REVISION),
        };
        let token = jwt::encode_claims(&claims, issuer)?;
        let tar = build_tar(&token, &self.binaries, now_s).map_err(|source| ParError::Io {
            path: PathBuf::from("<archive in memory>"),
            source,
        })?;
        let bytes = if compress {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&tar)
                .and_then(|()| gz.finish())
                .map_err(|source| ParError::Io {
                    path: PathBuf::from("<archive in memory>"),
                    source,
                })?
        } else {
            tar
        };
        self.claims = Some(claims);
        self.jwt = Some(token);
        Ok(bytes)
    }
}

/// Uppercase hex SHA-256 of `bytes`, as `target_hashes` holds it.
pub fn hash_bytes(bytes: &[u8]) -> String {
    HEXUPPER.encode(&Sha256::digest(bytes))
}

/// True when `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

fn validate_target(target: &str) -> Result<(), ParError> {
    let ok = target.contains('-')
        && target.split('-').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(ParError::InvalidTarget(target.to_string()))
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

fn build_tar(
    token: &str,
    binaries: &BTreeMap<String, Vec<u8>>,
    mtime: u64,
) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut append = |name: &str, data: &[u8], mode: u32| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, name, data)
    };
    append(CLAIMS_ENTRY, token.as_bytes(), 0o644)?;
    for (target, bin) in binaries {
        append(&format!("{target}{BINARY_SUFFIX}"), bin, 0o755)?;
    }
    builder.into_inner()
}

/// Counts what passes through, and stops with an error past a limit.
struct Limited<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // Only an error if there is more to read.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.exceeded = true;
            return Err(std::io::Error::other("archive size limit exceeded"));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

type Entries = (Option<String>, BTreeMap<String, Vec<u8>>);

/// The claims token and the binaries by target, read from a tar or tar.gz.
fn read_entries(bytes: &[u8]) -> Result<Entries, ParError> {
    if bytes.is_empty() {
        return Err(ParError::Empty);
    }
    let gzip = is_gzip(bytes);
    let inner: Box<dyn Read + '_> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut limited = Limited {
        inner,
        left: MAX_ARCHIVE_SIZE,
        exceeded: false,
    };
    let result = read_tar(&mut limited, gzip);
    if limited.exceeded {
        return Err(ParError::ArchiveTooLarge {
            max: MAX_ARCHIVE_SIZE,
        });
    }
    result
}

fn read_tar<R: Read>(reader: R, gzip: bool) -> Result<Entries, ParError> {
    let malformed = |source| ParError::Malformed { gzip, source };
    let mut archive = tar::Archive::new(reader);
    let mut jwt = None;
    let mut binaries = BTreeMap::new();
    for entry in archive.entries().map_err(malformed)? {
        let entry = entry.map_err(malformed)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(malformed)?;
        // Upstream names entries by file stem; a leading `./` is harmless.
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let size = entry.header().size().map_err(malformed)?;
        if name == CLAIMS_ENTRY {
            if jwt.is_some() {
                return Err(ParError::DuplicateEntry(name));
            }
            let data = read_entry(entry, &name, size, MAX_CLAIMS_SIZE, gzip)?;
            jwt = Some(String::from_utf8(data).map_err(|_| ParError::ClaimsNotText)?);
        } else if let Some(target) = name.strip_suffix(BINARY_SUFFIX) {
            validate_target(target)?;
            if binaries.contains_key(target) {
                return Err(ParError::DuplicateEntry(name));
            }
            let data = read_entry(entry, &name, size, MAX_BINARY_SIZE, gzip)?;
            binaries.insert(target.to_string(), data);
        }
    }
    Ok((jwt, binaries))
}

fn read_entry<R: Read>(
    entry: R,
    name: &str,
    size: u64,
    max: u64,
    gzip: bool,
) -> Result<Vec<u8>, ParError> {
    if size > max {
        return Err(ParError::EntryTooLarge {
            entry: name.to_string(),
            size,
            max,
        });
    }
    // The header's size is untrusted until the data is there: grow as read.
    let mut data = Vec::new();
    entry
        .take(max)
        .read_to_end(&mut data)
        .map_err(|source| ParError::Malformed { gzip, source })?;
    if (data.len() as u64) < size {
        return Err(ParError::Malformed {
            gzip,
            source: std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("entry `{name}` is truncated"),
            ),
        });
    }
    Ok(data)
}
