//! The host on a lattice: joining it, and what the control interface does
//! to the host ([`HostControl`]): start, stop and scale actors from a file
//! path, start and stop providers, put and delete links, stop the host.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use serde_json::json;

use super::{Host, HostError};
use crate::claims::keys::{KeyPair, KeyType};
use crate::lattice::ctl::{
    ActorDescription, ActorInstance, AnnotationMap, HostInventory, ProviderDescription,
    RegistryCredentialMap, ScaleActorCommand, StartActorCommand, StartProviderCommand,
    StopActorCommand, StopHostCommand, StopProviderCommand,
};
use crate::lattice::server::HostControl;
use crate::lattice::{Lattice, LatticeConfig, LatticeError};
use crate::oci::cache::is_reference;
use crate::oci::ArtifactKind;
use crate::types::LinkDefinition;

/// Prefix of a provider reference naming a provider compiled into
/// host-min, run in process: `builtin:keyvalue-redis`.
pub const BUILTIN_REF_PREFIX: &str = "builtin:";

/// Prefix of a provider reference naming a provider compiled into
/// host-min, run as its own process (`weld-provider-KIND` beside the
/// host-min executable): `process:keyvalue-redis`.
pub const PROCESS_REF_PREFIX: &str = "process:";

/// Prefix of a reference to an upload kept in the lattice's upload store
/// ([`crate::lattice::Lattice::uploads`]), by its SHA-256:
/// `upload:sha256:{64 hex}`. Any host of the lattice starts it.
pub const UPLOAD_REF_PREFIX: &str = "upload:sha256:";

/// The hex digest of an upload reference, if `r` is one.
pub fn upload_digest(r: &str) -> Option<&str> {
    let hex = r.strip_prefix(UPLOAD_REF_PREFIX)?;
    (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(hex)
}

/// Checks that `bytes` hold an artifact of kind `want`; `reference` names
/// them in the error (an upload's bytes are sniffed, not trusted).
fn check_kind(bytes: &[u8], want: ArtifactKind, reference: &str) -> Result<(), StartError> {
    match ArtifactKind::sniff(bytes) {
        Some(found) if found == want => Ok(()),
        Some(found) => Err(StartError::WrongArtifact {
            reference: reference.to_string(),
            want,
            found,
        }),
        None => Err(StartError::Oci(crate::oci::OciError::UnknownKind {
            what: reference.to_string(),
        })),
    }
}

/// Why an actor or a provider could not be started from a reference.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// An OCI reference could not be pulled.
    #[error(transparent)]
    Oci(crate::oci::OciError),
    /// An OCI reference holds the other kind of artifact.
    #[error("{reference} holds the wrong kind of artifact: {found}, where {want} was asked for")]
    WrongArtifact {
        /// The reference.
        reference: String,
        /// What was asked for.
        want: ArtifactKind,
        /// What it holds.
        found: ArtifactKind,
    },
    /// The actor's file could not be read.
    #[error("cannot read actor {}: {source}", .path.display())]
    ReadActor {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A provider process needs a lattice; the host has joined none.
    #[error(
        "provider `{name}` runs as a process, which needs a lattice: start the host with --nats"
    )]
    NoLattice {
        /// The provider's name.
        name: String,
    },
    /// host-min has no provider executable of this kind.
    #[error("no provider executable of kind `{kind}`")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
    },
    /// The host's own executable (beside which provider executables live)
    /// could not be located.
    #[error("locating host-min: {0}")]
    LocateHost(#[source] std::io::Error),
    /// The provider executable of a kind is not built.
    #[error("provider executable {} not found (build the provider crates' binaries: `cargo build --workspace --bins`)", .0.display())]
    ExecutableMissing(PathBuf),
    /// A provider archive could not be read or unpacked.
    #[error("{}: {source}", .path.display())]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: crate::par::ParError,
    },
    /// A provider archive carries no claims.
    #[error("{}: archive has no claims", .0.display())]
    ArchiveNoClaims(PathBuf),
    /// A provider's configuration is not a JSON object of strings.
    #[error("provider configuration must be a JSON object of strings: {0}")]
    Config(#[source] serde_json::Error),
    /// The provider process could not be started.
    #[error(transparent)]
    Process(#[from] crate::lattice::process::ProcessError),
    /// An upload could not be shared with, or fetched from, the lattice's
    /// upload store.
    #[error("upload {reference}: {reason}")]
    Upload {
        /// The upload's reference (or `the upload`).
        reference: String,
        /// What went wrong.
        reason: String,
    },
    /// A provider reference of no known form.
    #[error(
        "cannot start provider `{reference}`: give a provider archive (.par, .par.gz), \
         `{PROCESS_REF_PREFIX}KIND` or `{BUILTIN_REF_PREFIX}KIND` (kinds: {kinds})"
    )]
    UnknownReference {
        /// The reference given.
        reference: String,
        /// The kinds this host can start, comma-separated.
        kinds: String,
    },
}

/// How a provider process is found.
#[derive(Debug, Clone)]
pub enum ProcessSource {
    /// host-min's own provider of this kind, as its own executable
    /// (`weld-provider-{kind}` beside `host-min`).
    Builtin(String),
    /// A provider archive (`.par`, `.par.gz`): claims verified, the binary
    /// for this machine extracted and hash-checked.
    Archive(PathBuf),
    /// An executable implementing `contract`.
    Executable {
        /// The program.
        path: PathBuf,
        /// The contract id it implements.
        contract: String,
    },
}

/// True when `path` names a provider archive.
pub fn is_archive(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".par") || name.ends_with(".par.gz")
}

/// Instances and references of what runs here, for the inventory.
#[derive(Debug, Default)]
pub struct Book {
    /// Actor id -> its reference and instances.
    actors: HashMap<String, ActorRecord>,
    /// Provider id -> its reference and instance.
    providers: HashMap<String, ProviderRecord>,
}

#[derive(Debug, Clone, Default)]
struct ActorRecord {
    image_ref: String,
    instances: Vec<(String, AnnotationMap)>,
}

#[derive(Debug, Clone, Default)]
struct ProviderRecord {
    image_ref: String,
    instance_id: String,
    annotations: AnnotationMap,
}

fn new_instance_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A file reference: a path, or `file://` + path.
fn file_ref(r: &str) -> PathBuf {
    PathBuf::from(r.strip_prefix("file://").unwrap_or(r))
}

impl Host {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Joins the lattice of `config`: a fresh server key, the lattice's
    /// links replayed into the router, the control interface answered,
    /// heartbeats published. Actors already running are served on the
    /// lattice from here on.
    pub async fn join_lattice(
        self: &Arc<Self>,
        config: LatticeConfig,
    ) -> Result<Arc<Lattice>, LatticeError> {
        let host_key = KeyPair::new(KeyType::Server);
        let lattice = Lattice::join(config, host_key, &self.router).await?;
        let _ = self.lattice.set(lattice.clone());
        lattice.follow_bucket().await?;
        let control: Arc<dyn HostControl> = self.clone();
        lattice.serve_control(Arc::downgrade(&control)).await?;
        lattice.start_heartbeat(crate::lattice::events::HEARTBEAT_INTERVAL);
        lattice
            .publish_event(
                "host_started",
                json!({
                    "labels": lattice.labels(),
                    "friendly_name": lattice.friendly_name(),
                    "uptime_seconds": 0,
                    "version": env!("CARGO_PKG_VERSION"),
                }),
            )
            .await;
        Ok(lattice)
    }

    /// This host as `ping.hosts` describes it; without a lattice, the
    /// same shape with what a lone host knows (id, platform labels,
    /// uptime, version).
    pub fn describe(&self) -> crate::lattice::ctl::Host {
        if let Some(l) = self.lattice.get() {
            return l.host_description();
        }
        let secs = self.started.elapsed().as_secs();
        crate::lattice::ctl::Host {
            id: self.host_id().to_string(),
            friendly_name: "local".into(),
            labels: Some(crate::lattice::events::hostcore_labels()),
            uptime_seconds: secs,
            uptime_human: Some(crate::lattice::events::uptime_human(secs)),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
            ..Default::default()
        }
    }

    pub(crate) async fn event(&self, kind: &str, data: serde_json::Value) {
        // Nobody listening in process is the usual case, not an error.
        let _ = self.local_events.send(crate::lattice::events::cloud_event(
            kind,
            self.host_id(),
            data.clone(),
        ));
        if let Some(l) = self.lattice.get() {
            l.publish_event(kind, data).await;
        }
    }

    /// `linkdef_set` / `linkdef_deleted` for watchers in this process, when
    /// no lattice carries them (on a lattice, the bucket's watch publishes
    /// them for every host).
    async fn local_link_event(&self, ld: &LinkDefinition, set: bool) {
        if self.lattice.get().is_some() {
            return;
        }
        let kind = if set {
            "linkdef_set"
        } else {
            "linkdef_deleted"
        };
        let _ = self.local_events.send(crate::lattice::events::cloud_event(
            kind,
            "n/a",
            crate::lattice::events::linkdef_data(ld),
        ));
    }

    /// The file an OCI reference stands for, pulled (or from the cache)
    /// and checked to hold `want`.
    pub(crate) async fn artifact(
        &self,
        reference: &str,
        want: ArtifactKind,
    ) -> Result<PathBuf, HostError> {
        let fetched = self
            .artifacts()
            .fetch(reference)
            .await
            .map_err(StartError::Oci)?;
        if fetched.kind != want {
            return Err(StartError::WrongArtifact {
                reference: reference.to_string(),
                want,
                found: fetched.kind,
            }
            .into());
        }
        if fetched.pulled {
            tracing::info!(reference, digest = %fetched.digest, "pulled {want}");
        }
        Ok(fetched.path)
    }

    /// Keeps uploaded bytes under `data_dir/uploads`, named by their
    /// SHA-256 (an upload of the same bytes reuses the file), after
    /// checking that they hold `want`. Also says whether the file is new
    /// (a failed start removes a new one: refused uploads leave nothing).
    fn keep_upload(&self, bytes: &[u8], want: ArtifactKind) -> Result<(PathBuf, bool), HostError> {
        check_kind(bytes, want, "the upload")?;
        let hex = crate::oci::cache::sha256_hex(bytes);
        let path = self
            .data_dir()
            .join("uploads")
            .join(format!("sha256-{hex}.{}", want.extension()));
        let new = !path.is_file();
        if new {
            crate::oci::cache::write_atomic(&path, bytes).map_err(|source| {
                StartError::ReadActor {
                    path: path.clone(),
                    source,
                }
            })?;
        }
        Ok((path, new))
    }

    /// Keeps uploaded bytes in the lattice's upload store, under their
    /// SHA-256, after checking that they hold `want`; returns the
    /// reference (`upload:sha256:...`) any host of the lattice starts
    /// them by. The same bytes uploaded twice are stored once.
    pub async fn share_upload(
        &self,
        bytes: &[u8],
        want: ArtifactKind,
    ) -> Result<String, HostError> {
        let upload_err = |reason: String| StartError::Upload {
            reference: "the upload".into(),
            reason,
        };
        check_kind(bytes, want, "the upload")?;
        let lattice = self.lattice.get().ok_or_else(|| {
            upload_err("sharing an upload needs a lattice: start the host with --nats".into())
        })?;
        let store = lattice
            .uploads()
            .await
            .map_err(|e| upload_err(e.to_string()))?;
        let hex = crate::oci::cache::sha256_hex(bytes);
        let name = format!("sha256-{hex}");
        if store.info(&name).await.is_err() {
            let mut reader = bytes;
            store
                .put(name.as_str(), &mut reader)
                .await
                .map_err(|e| upload_err(format!("storing it: {e}")))?;
        }
        Ok(format!("{UPLOAD_REF_PREFIX}{hex}"))
    }

    /// The file of upload `hex`: kept under `data_dir/uploads` once
    /// fetched from the lattice's upload store, after checking its SHA-256
    /// and its kind (what the object store holds is not trusted).
    async fn uploaded(&self, hex: &str, want: ArtifactKind) -> Result<PathBuf, HostError> {
        use tokio::io::AsyncReadExt;
        let path = self
            .data_dir()
            .join("uploads")
            .join(format!("sha256-{hex}.{}", want.extension()));
        if path.is_file() {
            return Ok(path);
        }
        let reference = format!("{UPLOAD_REF_PREFIX}{hex}");
        let err = |reason: String| StartError::Upload {
            reference: reference.clone(),
            reason,
        };
        let lattice = self
            .lattice
            .get()
            .ok_or_else(|| err("this host is on no lattice to fetch it from".into()))?;
        let store = lattice.uploads().await.map_err(|e| err(e.to_string()))?;
        let object = store
            .get(format!("sha256-{hex}"))
            .await
            .map_err(|e| err(format!("not in the lattice's upload store ({e})")))?;
        let mut bytes = Vec::new();
        object
            .take(crate::admin::MAX_UPLOAD as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| err(format!("reading it: {e}")))?;
        if bytes.len() > crate::admin::MAX_UPLOAD {
            return Err(err(format!("larger than {} bytes", crate::admin::MAX_UPLOAD)).into());
        }
        let got = crate::oci::cache::sha256_hex(&bytes);
        if got != hex {
            return Err(err(format!("the store holds content hashing to sha256:{got}")).into());
        }
        check_kind(&bytes, want, &reference)?;
        crate::oci::cache::write_atomic(&path, &bytes)
            .map_err(|e| err(format!("keeping it: {e}")))?;
        Ok(path)
    }

    /// Starts an uploaded actor module (claims checked as for any file);
    /// returns its id.
    pub async fn upload_actor(&self, wasm: &[u8]) -> Result<String, HostError> {
        let (path, new) = self.keep_upload(wasm, ArtifactKind::Actor)?;
        let started = self
            .add_instances(&path.display().to_string(), 1, &AnnotationMap::new())
            .await;
        if started.is_err() && new {
            let _ = std::fs::remove_file(&path);
        }
        started
    }

    /// Starts an uploaded provider archive as a process serving
    /// `link_name` (its claims and binary checked as for any archive).
    /// Returns its id.
    pub async fn upload_provider(
        &self,
        archive: &[u8],
        link_name: &str,
    ) -> Result<String, HostError> {
        let (path, new) = self.keep_upload(archive, ArtifactKind::Provider)?;
        let cmd = StartProviderCommand {
            provider_ref: path.display().to_string(),
            link_name: link_name.to_string(),
            ..Default::default()
        };
        let started = self.start_provider_ref(&cmd).await;
        if started.is_err() && new {
            let _ = std::fs::remove_file(&path);
        }
        started
    }

    /// Starts an actor from a file or an OCI reference for the control
    /// interface; returns its id. Claims are checked as for any file,
    /// before the actor runs.
    async fn start_actor_file(&self, actor_ref: &str) -> Result<String, HostError> {
        let path = if let Some(hex) = upload_digest(actor_ref) {
            self.uploaded(hex, ArtifactKind::Actor).await?
        } else if is_reference(actor_ref) {
            self.artifact(actor_ref, ArtifactKind::Actor).await?
        } else {
            file_ref(actor_ref)
        };
        let wasm = std::fs::read(&path).map_err(|source| StartError::ReadActor {
            path: path.clone(),
            source,
        })?;
        if let Ok(Some(token)) = crate::claims::extract_claims(&wasm) {
            if self.router.actor(&token.claims.subject).is_some() {
                return Ok(token.claims.subject);
            }
        }
        let stem = match crate::oci::parse_reference(actor_ref) {
            _ if upload_digest(actor_ref).is_some() => "upload".to_string(),
            Ok(r) if is_reference(actor_ref) => r
                .repository()
                .rsplit('/')
                .next()
                .unwrap_or("actor")
                .to_string(),
            _ => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| actor_ref.to_string()),
        };
        let fallback = Self::actor_id(&path.display().to_string());
        let name = if self.router.resolve_actor(&stem).is_some() {
            fallback.clone()
        } else {
            stem
        };
        let actor = self
            .router
            .start_actor(&fallback, &name, &[], &wasm)
            .await?;
        Ok(actor.id().to_string())
    }

    pub(crate) fn actor_of_ref(&self, actor_ref: &str) -> Option<String> {
        self.router.resolve_actor(actor_ref).or_else(|| {
            self.book()
                .actors
                .iter()
                .find(|(_, r)| r.image_ref == actor_ref)
                .map(|(id, _)| id.clone())
        })
    }

    /// Adds `count` instances of the actor at `actor_ref` (starting it if
    /// it does not run yet).
    pub(crate) async fn add_instances(
        &self,
        actor_ref: &str,
        count: usize,
        annotations: &AnnotationMap,
    ) -> Result<String, HostError> {
        let host_id = self.host_id().to_string();
        match self.start_actor_file(actor_ref).await {
            Ok(id) => {
                {
                    let mut book = self.book();
                    let rec = book.actors.entry(id.clone()).or_default();
                    rec.image_ref = actor_ref.to_string();
                    for _ in 0..count {
                        rec.instances.push((new_instance_id(), annotations.clone()));
                    }
                }
                self.instances_started(&id, actor_ref, count, annotations)
                    .await;
                Ok(id)
            }
            Err(e) => {
                tracing::warn!("starting actor {actor_ref}: {e}");
                self.event(
                    "actor_start_failed",
                    json!({"actor_ref": actor_ref, "error": e.to_string()}),
                )
                .await;
                self.event(
                    "actors_start_failed",
                    json!({
                        "public_key": "", "image_ref": actor_ref,
                        "annotations": annotations, "host_id": host_id,
                        "error": e.to_string(),
                    }),
                )
                .await;
                Err(e)
            }
        }
    }

    /// `actors_started` for `count` new instances of actor `id`.
    async fn instances_started(
        &self,
        id: &str,
        image_ref: &str,
        count: usize,
        annotations: &AnnotationMap,
    ) {
        let claims = self
            .router
            .actor_claims(id)
            .map(|c| crate::lattice::events::claims_json(&c));
        self.event(
            "actors_started",
            json!({
                "public_key": id, "image_ref": image_ref,
                "annotations": annotations, "host_id": self.host_id(),
                "claims": claims, "count": count,
            }),
        )
        .await;
    }

    /// Adds `n` instances to actor `id`, which runs `current` here: no
    /// reference needed (an actor a manifest started has none).
    async fn grow(&self, id: &str, current: usize, n: usize, annotations: &AnnotationMap) {
        let image_ref = {
            let mut book = self.book();
            let rec = book.actors.entry(id.to_string()).or_default();
            if rec.instances.is_empty() {
                // Started by a manifest: its one instance, recorded now.
                for _ in 0..current {
                    rec.instances
                        .push((new_instance_id(), AnnotationMap::new()));
                }
            }
            for _ in 0..n {
                rec.instances.push((new_instance_id(), annotations.clone()));
            }
            rec.image_ref.clone()
        };
        self.instances_started(id, &image_ref, n, annotations).await;
    }

    /// Removes `count` instances (0 = all) of actor `id`; stops it when
    /// none remain.
    pub(crate) async fn remove_instances(
        &self,
        id: &str,
        count: usize,
        annotations: &AnnotationMap,
    ) {
        let remaining = {
            let mut book = self.book();
            let rec = book.actors.entry(id.to_string()).or_default();
            if rec.instances.is_empty() {
                // Started by a manifest: one instance.
                rec.instances
                    .push((new_instance_id(), AnnotationMap::new()));
            }
            let n = if count == 0 {
                rec.instances.len()
            } else {
                count.min(rec.instances.len())
            };
            let keep = rec.instances.len() - n;
            rec.instances.truncate(keep);
            let remaining = rec.instances.len();
            if remaining == 0 {
                book.actors.remove(id);
            }
            remaining
        };
        if remaining == 0 {
            if let Err(e) = self.router.stop_actor(id) {
                tracing::warn!("stopping actor {id}: {e}");
            }
        }
        let host_id = self.host_id().to_string();
        self.event(
            "actors_stopped",
            json!({
                "host_id": host_id, "public_key": id, "count": count,
                "remaining": remaining, "annotations": annotations,
            }),
        )
        .await;
    }

    pub(crate) fn instance_count(&self, id: &str) -> usize {
        match self.book().actors.get(id) {
            Some(r) if !r.instances.is_empty() => r.instances.len(),
            _ => usize::from(self.router.actor(id).is_some()),
        }
    }

    /// Starts a provider as a supervised process of this host; the host must
    /// be on a lattice (the process talks to it over NATS).
    pub async fn start_provider_process(
        &self,
        name: &str,
        source: ProcessSource,
        link_name: &str,
        config: HashMap<String, String>,
    ) -> Result<crate::router::ProviderInfo, HostError> {
        let lattice = self
            .lattice
            .get()
            .cloned()
            .ok_or_else(|| StartError::NoLattice {
                name: name.to_string(),
            })?;
        let (executable, contract, provider_key, kind) = match &source {
            ProcessSource::Builtin(kind) => {
                let contract = self
                    .registry
                    .contract(kind)
                    .ok_or_else(|| StartError::UnknownKind { kind: kind.clone() })?;
                let exe = std::env::current_exe()
                    .map_err(StartError::LocateHost)?
                    .with_file_name(format!("weld-provider-{kind}"));
                if !exe.is_file() {
                    return Err(StartError::ExecutableMissing(exe).into());
                }
                (
                    exe,
                    contract.to_string(),
                    Self::provider_id(name),
                    kind.clone(),
                )
            }
            ProcessSource::Archive(path) => {
                let archive = |source| StartError::Archive {
                    path: path.clone(),
                    source,
                };
                let par = crate::par::ProviderArchive::load_file(path).map_err(archive)?;
                let exe = par
                    .extract_current(self.data_dir.join("providers").join("bin"))
                    .map_err(archive)?;
                let claims = par
                    .claims()
                    .ok_or_else(|| StartError::ArchiveNoClaims(path.clone()))?;
                (
                    exe,
                    claims.contract_id().to_string(),
                    claims.subject().to_string(),
                    format!("par:{}", claims.name()),
                )
            }
            ProcessSource::Executable { path, contract } => (
                path.clone(),
                contract.clone(),
                Self::provider_id(name),
                format!("exe:{}", path.display()),
            ),
        };
        let config_json = if config.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&config).map_err(StartError::Config)?)
        };
        let host_data = weld_rpc::core::HostData {
            host_id: lattice.host_id(),
            lattice_rpc_prefix: lattice.prefix().to_string(),
            link_name: link_name.to_string(),
            lattice_rpc_user_seed: lattice.config().nkey_seed.clone().unwrap_or_default(),
            lattice_rpc_url: lattice.config().url().to_string(),
            provider_key: provider_key.clone(),
            invocation_seed: lattice.cluster_seed(),
            instance_id: new_instance_id(),
            cluster_issuers: lattice.cluster_issuers().to_vec(),
            config_json,
            default_rpc_timeout_ms: Some(lattice.config().rpc_timeout().as_millis() as u64),
            log_level: Some("info".into()),
            ..Default::default()
        };
        let mut cfg = crate::lattice::process::ProcessConfig::new(name, executable, host_data);
        let data = self.data_dir.join("providers").join(name);
        cfg.env.push((
            weld_rpc::provider::standalone::DATA_DIR_ENV.to_string(),
            data.display().to_string(),
        ));
        if let Ok(v) = std::env::var("WELD_PROVIDER_HEALTH_SECS") {
            // Tests shorten the health interval (upstream: 30 s).
            if let Ok(n) = v.parse::<u64>() {
                cfg.health_every = std::time::Duration::from_secs(n.max(1));
                cfg.health_first = cfg.health_every.min(cfg.health_first);
            }
        }
        cfg.restart_backoff = (
            std::time::Duration::from_millis(250),
            std::time::Duration::from_secs(30),
        );
        let provider = crate::lattice::process_provider::ProcessProvider::spawn(
            cfg,
            &contract,
            &lattice,
            &self.router,
        )
        .await
        .map_err(StartError::from)?;
        let info = crate::router::ProviderInfo {
            id: provider_key,
            name: name.to_string(),
            kind,
            contract_id: contract,
            link_name: link_name.to_string(),
            process: true,
        };
        self.router
            .add_provider(info.clone(), Arc::new(provider))
            .await?;
        Ok(info)
    }

    pub(crate) async fn start_provider_ref(
        &self,
        cmd: &StartProviderCommand,
    ) -> Result<String, HostError> {
        let link_name = if cmd.link_name.is_empty() {
            "default".to_string()
        } else {
            cmd.link_name.clone()
        };
        let config: HashMap<String, String> = match cmd.configuration.as_deref() {
            None | Some("") => HashMap::new(),
            Some(text) => serde_json::from_str(text).map_err(StartError::Config)?,
        };
        let r = cmd.provider_ref.as_str();
        let info = if let Some(kind) = r.strip_prefix(BUILTIN_REF_PREFIX) {
            let name = format!("{kind}-{link_name}");
            self.start_provider(&name, kind, &link_name, config).await?
        } else if let Some(kind) = r.strip_prefix(PROCESS_REF_PREFIX) {
            let name = format!("{kind}-{link_name}");
            self.start_provider_process(
                &name,
                ProcessSource::Builtin(kind.into()),
                &link_name,
                config,
            )
            .await?
        } else if let Some(hex) = upload_digest(r) {
            let path = self.uploaded(hex, ArtifactKind::Provider).await?;
            let name = format!("upload-{}-{link_name}", &hex[..12]);
            self.start_provider_process(&name, ProcessSource::Archive(path), &link_name, config)
                .await?
        } else if is_reference(r) {
            let path = self.artifact(r, ArtifactKind::Provider).await?;
            let stem = crate::oci::parse_reference(r)
                .ok()
                .and_then(|p| p.repository().rsplit('/').next().map(str::to_string))
                .unwrap_or_else(|| "provider".into());
            let name = format!("{stem}-{link_name}");
            self.start_provider_process(&name, ProcessSource::Archive(path), &link_name, config)
                .await?
        } else if is_archive(&file_ref(r)) {
            let path = file_ref(r);
            let stem = path
                .file_name()
                .map(|n| {
                    n.to_string_lossy()
                        .trim_end_matches(".gz")
                        .trim_end_matches(".par")
                        .to_string()
                })
                .unwrap_or_else(|| "provider".into());
            let name = format!("{stem}-{link_name}");
            self.start_provider_process(&name, ProcessSource::Archive(path), &link_name, config)
                .await?
        } else {
            return Err(StartError::UnknownReference {
                reference: r.to_string(),
                kinds: self.registry.kinds().collect::<Vec<_>>().join(", "),
            }
            .into());
        };
        self.book().providers.insert(
            info.id.clone(),
            ProviderRecord {
                image_ref: cmd.provider_ref.clone(),
                instance_id: new_instance_id(),
                annotations: cmd.annotations.clone().unwrap_or_default(),
            },
        );
        Ok(info.id)
    }
}

#[async_trait::async_trait]
impl HostControl for Host {
    fn put_registries(&self, registries: RegistryCredentialMap) {
        for (registry, c) in registries {
            let credentials = match (c.token, c.username, c.password) {
                (Some(token), _, _) if !token.is_empty() => crate::oci::Credentials::Token(token),
                (_, Some(username), Some(password)) => {
                    crate::oci::Credentials::Basic { username, password }
                }
                _ => crate::oci::Credentials::Anonymous,
            };
            self.artifacts().set_credentials(&registry, credentials);
        }
    }

    fn inventory(&self) -> HostInventory {
        let inv = self.router.inventory();
        let book = self.book();
        let actors = inv
            .actors
            .iter()
            .map(|a| {
                let rec = book.actors.get(&a.id);
                let instances = match rec {
                    Some(r) if !r.instances.is_empty() => r
                        .instances
                        .iter()
                        .map(|(iid, ann)| ActorInstance {
                            annotations: Some(ann.clone()),
                            instance_id: iid.clone(),
                            revision: 0,
                        })
                        .collect(),
                    _ => vec![ActorInstance {
                        annotations: Some(AnnotationMap::new()),
                        instance_id: a.id.clone(),
                        revision: 0,
                    }],
                };
                ActorDescription {
                    id: a.id.clone(),
                    image_ref: rec.map(|r| r.image_ref.clone()),
                    instances,
                    // Upstream reports the name in the actor's claims
                    // (wash shows it); the local name is only a fallback
                    // for an unsigned module.
                    name: Some(
                        self.router
                            .actor_claims(&a.id)
                            .map(|c| c.name().to_string())
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| a.name.clone()),
                    ),
                }
            })
            .collect();
        let providers = inv
            .providers
            .iter()
            .map(|p| {
                let rec = book.providers.get(&p.id);
                ProviderDescription {
                    annotations: Some(rec.map(|r| r.annotations.clone()).unwrap_or_default()),
                    id: p.id.clone(),
                    // One started by a manifest has no reference: say how
                    // it runs, as a reference that would start it again.
                    image_ref: Some(rec.map(|r| r.image_ref.clone()).unwrap_or_else(|| {
                        let prefix = if p.process {
                            PROCESS_REF_PREFIX
                        } else {
                            BUILTIN_REF_PREFIX
                        };
                        format!("{prefix}{}", p.kind)
                    })),
                    contract_id: p.contract_id.clone(),
                    link_name: p.link_name.clone(),
                    name: Some(p.name.clone()),
                    instance_id: rec.map(|r| r.instance_id.clone()),
                    revision: 0,
                }
            })
            .collect();
        let (issuer, friendly_name, labels) = match self.lattice.get() {
            Some(l) => (l.cluster_key(), l.friendly_name().to_string(), l.labels()),
            None => Default::default(),
        };
        HostInventory {
            actors,
            host_id: self.host_id().to_string(),
            issuer,
            friendly_name,
            labels,
            providers,
        }
    }

    fn check_start_actor(&self, cmd: &StartActorCommand) -> Result<(), String> {
        let path = file_ref(&cmd.actor_ref);
        if Path::new(&path).is_file()
            || is_reference(&cmd.actor_ref)
            || upload_digest(&cmd.actor_ref).is_some()
        {
            Ok(())
        } else {
            Err(format!(
                "actor reference `{}` is neither a file on host {} nor an OCI reference (REGISTRY/REPOSITORY:TAG)",
                cmd.actor_ref,
                self.host_id()
            ))
        }
    }

    async fn start_actor(&self, cmd: StartActorCommand) {
        let annotations = cmd.annotations.clone().unwrap_or_default();
        // A failure is logged and published as an event (the ack went out).
        let _ = self
            .add_instances(
                &cmd.actor_ref,
                usize::from(cmd.effective_count()),
                &annotations,
            )
            .await;
    }

    async fn stop_actor(&self, cmd: StopActorCommand) {
        let annotations = cmd.annotations.clone().unwrap_or_default();
        match self.actor_of_ref(&cmd.actor_ref) {
            Some(id) => {
                self.remove_instances(&id, usize::from(cmd.count), &annotations)
                    .await
            }
            None => tracing::warn!("stop actor: `{}` does not run here", cmd.actor_ref),
        }
    }

    async fn scale_actor(&self, cmd: ScaleActorCommand) {
        let annotations = cmd.annotations.clone().unwrap_or_default();
        let id = if cmd.actor_id.is_empty() {
            self.actor_of_ref(&cmd.actor_ref)
        } else {
            self.router.resolve_actor(&cmd.actor_id)
        };
        let current = id.as_deref().map(|i| self.instance_count(i)).unwrap_or(0);
        let want = usize::from(cmd.count);
        if want > current {
            match id {
                Some(id) if current > 0 => {
                    self.grow(&id, current, want - current, &annotations).await
                }
                _ => {
                    let _ = self
                        .add_instances(&cmd.actor_ref, want - current, &annotations)
                        .await;
                }
            }
        } else if want < current {
            if let Some(id) = id {
                let n = current - want;
                // count 0 means "all" to remove_instances.
                self.remove_instances(&id, if want == 0 { 0 } else { n }, &annotations)
                    .await;
            }
        }
    }

    fn check_start_provider(&self, cmd: &StartProviderCommand) -> Result<(), String> {
        let link = if cmd.link_name.is_empty() {
            "default"
        } else {
            &cmd.link_name
        };
        if self.runs_provider(&cmd.provider_ref, link) {
            return Err(format!(
                "provider {} with link name {link} is already running on host {}",
                cmd.provider_ref,
                self.host_id()
            ));
        }
        Ok(())
    }

    async fn start_provider(&self, cmd: StartProviderCommand) {
        if let Err(e) = self.start_provider_ref(&cmd).await {
            tracing::warn!("starting provider {}: {e}", cmd.provider_ref);
            self.event(
                "provider_start_failed",
                json!({"provider_ref": cmd.provider_ref, "link_name": cmd.link_name, "error": e.to_string()}),
            )
            .await;
        }
    }

    async fn stop_provider(&self, cmd: StopProviderCommand) {
        let by_ref = self
            .book()
            .providers
            .iter()
            .find(|(_, r)| r.image_ref == cmd.provider_ref)
            .map(|(id, _)| id.clone());
        let target = by_ref.unwrap_or_else(|| cmd.provider_ref.clone());
        match self.router.stop_provider(&target).await {
            Ok(info) => {
                self.book().providers.remove(&info.id);
            }
            Err(e) => tracing::warn!("stop provider {}: {e}", cmd.provider_ref),
        }
    }

    fn runs_provider(&self, provider_ref: &str, link_name: &str) -> bool {
        let book = self.book();
        self.router.inventory().providers.iter().any(|p| {
            p.link_name == link_name
                && (p.id == provider_ref
                    || book
                        .providers
                        .get(&p.id)
                        .is_some_and(|r| r.image_ref == provider_ref))
        })
    }

    async fn put_link(&self, ld: LinkDefinition) -> Result<(), String> {
        self.router
            .put_link(ld.clone())
            .await
            .map_err(|e| e.to_string())?;
        self.local_link_event(&ld, true).await;
        Ok(())
    }

    async fn delete_link(
        &self,
        actor_id: &str,
        contract_id: &str,
        link_name: &str,
    ) -> Result<(), String> {
        let gone = self
            .router
            .delete_link(actor_id, contract_id, link_name)
            .await
            .map_err(|e| e.to_string())?;
        self.local_link_event(&gone, false).await;
        Ok(())
    }

    fn links(&self) -> Vec<LinkDefinition> {
        self.router.links()
    }

    fn stop_host(&self, _cmd: StopHostCommand) {
        self.stop_requested.notify_one();
    }
}
