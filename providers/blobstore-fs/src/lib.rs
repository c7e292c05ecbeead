//! The `wasmcloud:blobstore` provider on a local file system (protocol "2",
//! CBOR): containers are folders, objects are files.
//!
//! # Settings
//! Read case-insensitively from the link's values, falling back to the
//! provider's config:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `ROOT` | the folder every linked actor's containers live under (relative: to the provider's data directory) | `{data dir}/blobstore-fs` |
//! | `chunk_size` | bytes per chunk of a download (`k`/`m` suffixes, 4k..16m) | `512k` |
//!
//! Layout, as upstream: `{ROOT}/{actor id}/{container}/{object}`, so actors
//! never see each other's containers. An object id may contain `/`
//! (sub-folders inside its container).
//!
//! # No way out of the root
//! A container id is one path component; an object id is one or more
//! components separated by `/`. Empty components, `.`, `..`, backslashes,
//! NUL and absolute paths are refused before anything is touched, with
//! upstream's text `Invalid path [p], is not contained by root path [r]`,
//! and no component under the root may be a symbolic link (one planted
//! there by anything else is refused, not followed). This holds for every
//! operation, `RemoveContainers` included (upstream skipped the check
//! there and could delete outside its root).
//!
//! # Transfers
//! - Upload: `PutObject` with the first chunk; when it is not the last, the
//!   reply's stream id (`{actor}+{container}+{object}`, as upstream) goes
//!   with each `PutChunk`, whose offset must be the bytes received so far
//!   (upstream's text otherwise). Chunks are appended to a file outside
//!   the actor's folders, which replaces the object only when the last
//!   chunk arrived: a reader never sees half an object, and a cancelled
//!   (`cancelAndRemove`) or abandoned upload leaves the old object intact.
//!   Empty objects are allowed (upstream refused them).
//! - Download: `GetObject` answers the requested byte range (`rangeEnd`
//!   inclusive) with its first `chunk_size` bytes in `initialChunk`; the
//!   rest goes to the actor's `ChunkReceiver.ReceiveChunk`, one chunk at a
//!   time, each sent only once the previous one was answered, so memory is
//!   one chunk whatever the object's size. `cancelDownload` in a reply
//!   stops it. `contentLength` is the length of the range. A range that
//!   starts past the end is an error (upstream panicked).
//! - `ListContainers` lists the actor's folders (upstream walked every
//!   sub-folder recursively); `ListObjects` pages in id order with
//!   `startWith`, `endWith` (inclusive), `endBefore`, `maxItems` (default
//!   1000) and a continuation token.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;
use weld_interface_blobstore::{
    Blobstore, BlobstoreReceiver, Chunk, ChunkReceiver as _, ChunkReceiverSender,
    ContainerMetadata, ContainerObject, ContainersInfo, GetObjectRequest, GetObjectResponse,
    ItemResult, ListObjectsRequest, ListObjectsResponse, MultiResult, ObjectMetadata,
    PutChunkRequest, PutObjectRequest, PutObjectResponse, RemoveObjectsRequest,
};
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, Message, PerLink, Provider, ProviderContext,
    ProviderError, RpcError, RpcResult,
};
use weld_rpc::{Context, Timestamp};

/// The contract id this provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:blobstore";
/// Link value naming the root folder.
pub const ROOT_KEY: &str = "ROOT";
/// Link value setting the download chunk size.
pub const CHUNK_SIZE_KEY: &str = "chunk_size";
/// Every setting this provider reads.
pub const SETTING_KEYS: &[&str] = &[ROOT_KEY, CHUNK_SIZE_KEY];
/// Download chunk size when none is given: under the lattice's 900 KiB
/// inline limit, so a chunk is one NATS message.
pub const DEFAULT_CHUNK_SIZE: usize = 512 * 1024;
/// Smallest and largest chunk size accepted.
pub const CHUNK_SIZE_RANGE: (usize, usize) = (4 * 1024, 16 * 1024 * 1024);
/// `maxItems` of a `ListObjects` page when the request gives none.
pub const DEFAULT_PAGE: usize = 1000;
/// Folder (directly under the root) holding uploads in progress; it cannot
/// clash with an actor's folder, whose name is its `M...` key.
const UPLOADS_DIR: &str = ".weld-uploads";

/// What one link holds.
struct Linked {
    /// `{ROOT}/{actor id}`.
    home: PathBuf,
    /// `{ROOT}`, for error texts and the uploads folder.
    root: PathBuf,
    chunk_size: usize,
    actor: ChunkReceiverSender<ActorLink>,
}

/// An upload between its `PutObject` and its last `PutChunk`.
struct Upload {
    actor_id: String,
    container: String,
    object: String,
    /// The object's final path.
    target: PathBuf,
    /// Where chunks are appended until the last one.
    partial: PathBuf,
    file: std::fs::File,
    /// Bytes received so far: the offset the next chunk must have.
    received: u64,
}

/// The file-system blobstore provider.
pub struct FsBlobstoreProvider {
    ctx: ProviderContext,
    links: PerLink<Linked>,
    uploads: Arc<Mutex<HashMap<String, Upload>>>,
}

impl std::fmt::Debug for FsBlobstoreProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FsBlobstoreProvider")
            .field("name", &self.ctx.name)
            .finish()
    }
}

impl FsBlobstoreProvider {
    /// A provider for `ctx`; touches nothing until a link arrives.
    pub fn new(ctx: ProviderContext) -> Self {
        FsBlobstoreProvider {
            ctx,
            links: PerLink::new(),
            uploads: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Registry factory. Invalid provider-wide settings fail here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        provider.settings(&HashMap::new())?;
        Ok(Arc::new(provider))
    }

    /// The root folder and chunk size a link with `values` gets.
    pub fn settings(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<(PathBuf, usize), ProviderError> {
        let s = self.ctx.link_settings(values, SETTING_KEYS)?;
        let root = match s.get(ROOT_KEY) {
            Some(r) if r.value.is_empty() => return Err(s.invalid(&r, "empty value")),
            // A relative root is the provider's data directory's (a
            // host's data directory in process): not the working
            // directory, which depends on where the host was started.
            Some(r) => self.ctx.data_dir.join(&r.value),
            None => self.ctx.data_dir.join("blobstore-fs"),
        };
        let chunk = match s.get(CHUNK_SIZE_KEY) {
            Some(c) => {
                let (min, max) = CHUNK_SIZE_RANGE;
                s.size(&c, min as u64..=max as u64)? as usize
            }
            None => DEFAULT_CHUNK_SIZE,
        };
        Ok((root, chunk))
    }
}

#[async_trait]
impl Provider for FsBlobstoreProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(&self, link: &LinkDefinition, actor: ActorLink) -> Result<(), ProviderError> {
        let (root, chunk_size) = self.settings(&link.values)?;
        let home = root.join(&link.actor_id);
        let created = {
            let home = home.clone();
            tokio::task::spawn_blocking(move || std::fs::create_dir_all(&home)).await
        };
        if let Err(e) = created.unwrap_or_else(|e| Err(std::io::Error::other(e))) {
            return Err(ProviderError::Resource {
                provider: self.ctx.name.clone(),
                what: format!("cannot create {}", home.display()),
                source: Box::new(e),
            });
        }
        let linked = Arc::new(Linked {
            home,
            root,
            chunk_size,
            actor: ChunkReceiverSender::via(actor),
        });
        self.links.insert(link, linked);
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        self.links.remove(link);
        // The actor's uploads in progress go with its link.
        let dropped: Vec<Upload> = {
            let mut uploads = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
            let ids: Vec<String> = uploads
                .iter()
                .filter(|(_, u)| u.actor_id == link.actor_id)
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter().filter_map(|id| uploads.remove(id)).collect()
        };
        for u in dropped {
            let _ = std::fs::remove_file(&u.partial);
        }
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        let linked = self.links.get(origin)?;
        let call = Call {
            provider: self,
            linked,
            actor_id: &origin.actor_id,
        };
        BlobstoreReceiver::dispatch(&call, &origin.context(), msg).await
    }

    async fn shutdown(&self) {
        let uploads: Vec<Upload> = {
            let mut map = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
            map.drain().map(|(_, u)| u).collect()
        };
        for u in uploads {
            let _ = std::fs::remove_file(&u.partial);
        }
        self.links.drain();
    }
}

/// One actor call: the provider with the caller's link.
struct Call<'a> {
    provider: &'a FsBlobstoreProvider,
    linked: Arc<Linked>,
    actor_id: &'a str,
}

/// Runs file-system work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> RpcResult<T> + Send + 'static,
) -> RpcResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| RpcError::Other(format!("blobstore task failed: {e}")))?
}

/// The error an actor gets for an I/O failure on `what`.
fn io_error(what: &Path, e: std::io::Error) -> RpcError {
    RpcError::Other(format!("{}: {e}", what.display()))
}

/// Upstream's refusal of a path outside the root.
fn outside(root: &Path, p: &str) -> RpcError {
    RpcError::InvalidParameter(format!(
        "Invalid path [{p}], is not contained by root path [{}]",
        root.display()
    ))
}

impl Linked {
    /// The folder of container `id`: one plain path component.
    fn container(&self, id: &str) -> RpcResult<PathBuf> {
        if !is_component(id) {
            return Err(outside(&self.root, id));
        }
        let path = self.home.join(id);
        self.no_links(&path, id)?;
        Ok(path)
    }

    /// The file of `object` in `container`.
    fn object(&self, container: &str, object: &str) -> RpcResult<PathBuf> {
        let shown = format!("{container}/{object}");
        if !is_component(container) || object.is_empty() || !object.split('/').all(is_component) {
            return Err(outside(&self.root, &shown));
        }
        let path = self.home.join(container).join(object);
        self.no_links(&path, &shown)?;
        Ok(path)
    }

    /// Refuses `path` if its actor folder or anything below it that exists
    /// is a symbolic link: following one could leave the root.
    fn no_links(&self, path: &Path, shown: &str) -> RpcResult<()> {
        let Ok(rest) = path.strip_prefix(&self.root) else {
            return Err(outside(&self.root, shown));
        };
        let mut at = self.root.clone();
        for part in rest.components() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => return Err(outside(&self.root, shown)),
                Ok(_) => {}
                // Nothing further down exists either.
                Err(_) => break,
            }
        }
        Ok(())
    }
}

/// A single, plain path component: not empty, `.` or `..`, and without
/// separators or NUL.
fn is_component(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0'])
}

fn timestamp(t: std::io::Result<SystemTime>) -> Option<Timestamp> {
    t.ok().map(Timestamp::from)
}

fn container_metadata(id: &str, path: &Path) -> RpcResult<ContainerMetadata> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RpcError::Other(format!("container {id} not found")),
        _ => io_error(path, e),
    })?;
    if !meta.is_dir() {
        return Err(RpcError::Other(format!("container {id} not found")));
    }
    Ok(ContainerMetadata {
        container_id: id.to_string(),
        created_at: timestamp(meta.created().or_else(|_| meta.modified())),
    })
}

fn object_metadata(container: &str, object: &str, path: &Path) -> RpcResult<ObjectMetadata> {
    let missing = || RpcError::Other(format!("object {container}/{object} not found"));
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => missing(),
        _ => io_error(path, e),
    })?;
    if !meta.is_file() {
        return Err(missing());
    }
    Ok(ObjectMetadata {
        object_id: object.to_string(),
        container_id: container.to_string(),
        content_length: meta.len(),
        last_modified: timestamp(meta.modified()),
        content_type: None,
        content_encoding: None,
    })
}

/// Every object id under `dir` (files, recursively, `/`-separated), sorted.
fn object_ids(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                // Not UTF-8: no object id can name it.
                continue;
            };
            let kind = entry.file_type()?;
            let id = format!("{prefix}{name}");
            if kind.is_dir() {
                stack.push((entry.path(), format!("{id}/")));
            } else if kind.is_file() {
                ids.push(id);
            }
        }
    }
    ids.sort();
    Ok(ids)
}

/// One page of `ids` (sorted) as `req` asks.
fn page(ids: Vec<String>, req: &ListObjectsRequest) -> (Vec<String>, bool, Option<String>) {
    let max = req
        .max_items
        .map(|n| n.max(1) as usize)
        .unwrap_or(DEFAULT_PAGE);
    let after = req.continuation.as_deref().filter(|c| !c.is_empty());
    let mut out = Vec::new();
    let mut more = false;
    for id in ids {
        if after.is_some_and(|a| id.as_str() <= a)
            || req.start_with.as_deref().is_some_and(|s| id.as_str() < s)
        {
            continue;
        }
        if req.end_with.as_deref().is_some_and(|e| id.as_str() > e)
            || req.end_before.as_deref().is_some_and(|e| id.as_str() >= e)
        {
            break;
        }
        if out.len() == max {
            more = true;
            break;
        }
        out.push(id);
    }
    let continuation = more.then(|| out.last().cloned()).flatten();
    (out, !more, continuation)
}

/// Removes each of `ids` (at the path `locate` gives, which refuses ids
/// outside the root) with `remove` (the error text, if it failed); returns
/// only the failures, as the contract asks.
async fn remove_each(
    ids: &[String],
    locate: impl Fn(&str) -> RpcResult<PathBuf>,
    remove: impl Fn(&str, &Path) -> Option<String> + Send + 'static,
) -> RpcResult<MultiResult> {
    let failure = |key: &str, e: String| ItemResult {
        key: key.to_string(),
        success: false,
        error: Some(e),
    };
    let mut failed = Vec::new();
    let mut paths = Vec::new();
    for id in ids {
        match locate(id) {
            Ok(p) => paths.push((id.clone(), p)),
            Err(e) => failed.push(failure(id, e.to_string())),
        }
    }
    let removed = blocking(move || {
        Ok(paths
            .into_iter()
            .filter_map(|(id, p)| remove(&id, &p).map(|e| failure(&id, e)))
            .collect::<Vec<_>>())
    })
    .await?;
    failed.extend(removed);
    Ok(failed)
}

/// Reads `len` bytes at `offset` of `path` off the async threads.
///
/// The buffer is allocated here, on the caller's (async) thread, and
/// only filled on the blocking pool: the chunk is freed on an async
/// thread after it went out, and a buffer born on one of the many
/// short-lived blocking threads would be freed across threads, which
/// leaves the allocator holding memory per blocking thread (with
/// mimalloc, the host's peak grew by the whole 100 MiB object).
async fn read_range(path: PathBuf, offset: u64, len: usize) -> RpcResult<Vec<u8>> {
    let mut buf = vec![0; len];
    blocking(move || {
        let mut file = std::fs::File::open(&path).map_err(|e| io_error(&path, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| io_error(&path, e))?;
        file.read_exact(&mut buf).map_err(|e| io_error(&path, e))?;
        Ok(buf)
    })
    .await
}

/// The stream id of an upload, as upstream forms it.
fn stream_id(actor: &str, container: &str, object: &str) -> String {
    format!("{actor}+{container}+{object}")
}

/// Moves a finished upload into place (creating its folders).
fn finish(upload: Upload) -> RpcResult<()> {
    upload
        .file
        .sync_all()
        .map_err(|e| io_error(&upload.partial, e))?;
    if let Some(parent) = upload.target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    }
    std::fs::rename(&upload.partial, &upload.target).map_err(|e| {
        let _ = std::fs::remove_file(&upload.partial);
        io_error(&upload.target, e)
    })
}

#[async_trait]
impl Blobstore for Call<'_> {
    async fn container_exists(&self, _ctx: &Context, arg: &str) -> RpcResult<bool> {
        let path = self.linked.container(arg)?;
        blocking(move || Ok(path.is_dir())).await
    }

    async fn create_container(&self, _ctx: &Context, arg: &str) -> RpcResult<()> {
        let path = self.linked.container(arg)?;
        blocking(move || std::fs::create_dir_all(&path).map_err(|e| io_error(&path, e))).await
    }

    async fn get_container_info(&self, _ctx: &Context, arg: &str) -> RpcResult<ContainerMetadata> {
        let path = self.linked.container(arg)?;
        let id = arg.to_string();
        blocking(move || container_metadata(&id, &path)).await
    }

    async fn list_containers(&self, _ctx: &Context) -> RpcResult<ContainersInfo> {
        let home = self.linked.home.clone();
        blocking(move || {
            let mut out = Vec::new();
            for entry in std::fs::read_dir(&home).map_err(|e| io_error(&home, e))? {
                let entry = entry.map_err(|e| io_error(&home, e))?;
                let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
                if let (true, Some(name)) = (is_dir, entry.file_name().to_str()) {
                    out.push(container_metadata(name, &entry.path())?);
                }
            }
            out.sort_by(|a, b| a.container_id.cmp(&b.container_id));
            Ok(out)
        })
        .await
    }

    async fn remove_containers(&self, _ctx: &Context, arg: &Vec<String>) -> RpcResult<MultiResult> {
        remove_each(
            arg,
            |id| self.linked.container(id),
            |id, p| match std::fs::symlink_metadata(p) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(p).err().map(|e| e.to_string()),
                _ => Some(format!("container {id} not found")),
            },
        )
        .await
    }

    async fn object_exists(&self, _ctx: &Context, arg: &ContainerObject) -> RpcResult<bool> {
        let path = self.linked.object(&arg.container_id, &arg.object_id)?;
        blocking(move || Ok(path.is_file())).await
    }

    async fn get_object_info(
        &self,
        _ctx: &Context,
        arg: &ContainerObject,
    ) -> RpcResult<ObjectMetadata> {
        let path = self.linked.object(&arg.container_id, &arg.object_id)?;
        let (c, o) = (arg.container_id.clone(), arg.object_id.clone());
        blocking(move || object_metadata(&c, &o, &path)).await
    }

    async fn list_objects(
        &self,
        _ctx: &Context,
        arg: &ListObjectsRequest,
    ) -> RpcResult<ListObjectsResponse> {
        let dir = self.linked.container(&arg.container_id)?;
        let req = arg.clone();
        blocking(move || {
            container_metadata(&req.container_id, &dir)?;
            let ids = object_ids(&dir).map_err(|e| io_error(&dir, e))?;
            let (ids, is_last, continuation) = page(ids, &req);
            let objects = ids
                .iter()
                .map(|id| object_metadata(&req.container_id, id, &dir.join(id)))
                .collect::<RpcResult<Vec<_>>>()?;
            Ok(ListObjectsResponse {
                objects,
                is_last,
                continuation,
            })
        })
        .await
    }

    async fn remove_objects(
        &self,
        _ctx: &Context,
        arg: &RemoveObjectsRequest,
    ) -> RpcResult<MultiResult> {
        let container = arg.container_id.clone();
        remove_each(
            &arg.objects,
            |id| self.linked.object(&arg.container_id, id),
            move |id, p| match std::fs::remove_file(p) {
                Ok(()) => None,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Some(format!("object {container}/{id} not found"))
                }
                Err(e) => Some(e.to_string()),
            },
        )
        .await
    }

    async fn put_object(
        &self,
        _ctx: &Context,
        arg: &PutObjectRequest,
    ) -> RpcResult<PutObjectResponse> {
        let chunk = &arg.chunk;
        if chunk.offset != 0 {
            return Err(RpcError::InvalidParameter(format!(
                "Chunk offset {} not the same as the expected offset: 0",
                chunk.offset
            )));
        }
        let target = self.linked.object(&chunk.container_id, &chunk.object_id)?;
        let container = self.linked.container(&chunk.container_id)?;
        let uploads_dir = self.linked.root.join(UPLOADS_DIR);
        let partial = uploads_dir.join(uuid::Uuid::new_v4().simple().to_string());
        let id = stream_id(self.actor_id, &chunk.container_id, &chunk.object_id);
        let bytes = chunk.bytes.clone();
        let is_last = chunk.is_last;
        let upload = {
            let (partial, target) = (partial.clone(), target.clone());
            blocking(move || {
                if !container.is_dir() {
                    return Err(RpcError::Other(format!(
                        "container {} not found",
                        container.file_name().and_then(|n| n.to_str()).unwrap_or("")
                    )));
                }
                std::fs::create_dir_all(&uploads_dir).map_err(|e| io_error(&uploads_dir, e))?;
                let mut file =
                    std::fs::File::create(&partial).map_err(|e| io_error(&partial, e))?;
                file.write_all(&bytes).map_err(|e| io_error(&partial, e))?;
                Ok((file, target, partial, bytes.len() as u64))
            })
            .await?
        };
        let (file, target, partial, received) = upload;
        let upload = Upload {
            actor_id: self.actor_id.to_string(),
            container: chunk.container_id.clone(),
            object: chunk.object_id.clone(),
            target,
            partial,
            file,
            received,
        };
        if is_last {
            blocking(move || finish(upload)).await?;
            return Ok(PutObjectResponse { stream_id: None });
        }
        // A new upload of the same object replaces one left unfinished.
        let replaced = self
            .provider
            .uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), upload);
        if let Some(old) = replaced {
            let _ = std::fs::remove_file(&old.partial);
        }
        Ok(PutObjectResponse {
            stream_id: Some(id),
        })
    }

    async fn put_chunk(&self, _ctx: &Context, arg: &PutChunkRequest) -> RpcResult<()> {
        let chunk = &arg.chunk;
        let id = arg
            .stream_id
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| stream_id(self.actor_id, &chunk.container_id, &chunk.object_id));
        // Taken out while it is written: a second chunk of the same stream
        // sent concurrently finds no upload instead of interleaving.
        let upload = self
            .provider
            .uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let Some(mut upload) = upload.filter(|u| u.actor_id == self.actor_id) else {
            return Err(RpcError::InvalidParameter(format!(
                "no upload in progress for stream {id}"
            )));
        };
        if arg.cancel_and_remove {
            let _ = std::fs::remove_file(&upload.partial);
            return Ok(());
        }
        if upload.container != chunk.container_id || upload.object != chunk.object_id {
            let text = format!(
                "stream {id} uploads {}/{}, not {}/{}",
                upload.container, upload.object, chunk.container_id, chunk.object_id
            );
            self.provider
                .uploads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, upload);
            return Err(RpcError::InvalidParameter(text));
        }
        if chunk.offset != upload.received {
            let text = format!(
                "Chunk offset {} not the same as the expected offset: {}",
                chunk.offset, upload.received
            );
            self.provider
                .uploads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, upload);
            return Err(RpcError::InvalidParameter(text));
        }
        let bytes = chunk.bytes.clone();
        let is_last = chunk.is_last;
        let uploads = self.provider.uploads.clone();
        blocking(move || {
            if let Err(e) = upload.file.write_all(&bytes) {
                let _ = std::fs::remove_file(&upload.partial);
                return Err(io_error(&upload.partial, e));
            }
            upload.received += bytes.len() as u64;
            if is_last {
                finish(upload)
            } else {
                uploads
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id, upload);
                Ok(())
            }
        })
        .await
    }

    async fn get_object(
        &self,
        _ctx: &Context,
        arg: &GetObjectRequest,
    ) -> RpcResult<GetObjectResponse> {
        let path = self.linked.object(&arg.container_id, &arg.object_id)?;
        let (c, o) = (arg.container_id.clone(), arg.object_id.clone());
        let meta = {
            let path = path.clone();
            blocking(move || object_metadata(&c, &o, &path)).await?
        };
        let size = meta.content_length;
        let start = arg.range_start.unwrap_or(0);
        let end = arg
            .range_end
            .unwrap_or(u64::MAX)
            .min(size.saturating_sub(1));
        if size == 0 && start == 0 {
            return Ok(GetObjectResponse {
                success: true,
                error: None,
                initial_chunk: Some(Chunk {
                    object_id: arg.object_id.clone(),
                    container_id: arg.container_id.clone(),
                    bytes: Vec::new(),
                    offset: 0,
                    is_last: true,
                }),
                content_length: 0,
                content_type: None,
                content_encoding: None,
            });
        }
        if start >= size || start > end {
            return Err(RpcError::InvalidParameter(format!(
                "range {start}..={} is outside object {}/{} ({size} bytes)",
                arg.range_end.map(|e| e.to_string()).unwrap_or_default(),
                arg.container_id,
                arg.object_id
            )));
        }
        let total = end - start + 1;
        let step = self.linked.chunk_size as u64;
        let first = total.min(step);
        let bytes = read_range(path.clone(), start, first as usize).await?;
        let chunk = |bytes: Vec<u8>, offset: u64, is_last: bool| Chunk {
            object_id: arg.object_id.clone(),
            container_id: arg.container_id.clone(),
            bytes,
            offset,
            is_last,
        };
        if first < total {
            // The rest after this reply, to the actor's ChunkReceiver: the
            // actor is still waiting for this call and may have one
            // instance only.
            let linked = self.linked.clone();
            let template = chunk(Vec::new(), 0, false);
            let actor_id = self.actor_id.to_string();
            tokio::spawn(async move {
                send_chunks(linked, template, path, start + first, end, actor_id).await;
            });
        }
        Ok(GetObjectResponse {
            success: true,
            error: None,
            initial_chunk: Some(chunk(bytes, start, first == total)),
            content_length: total,
            content_type: None,
            content_encoding: None,
        })
    }
}

/// Sends bytes `from..=end` of `path` to the actor, a chunk at a time.
async fn send_chunks(
    linked: Arc<Linked>,
    template: Chunk,
    path: PathBuf,
    from: u64,
    end: u64,
    actor_id: String,
) {
    let ctx = Context::default();
    let step = linked.chunk_size as u64;
    let mut offset = from;
    while offset <= end {
        let len = (end - offset + 1).min(step);
        let read = read_range(path.clone(), offset, len as usize).await;
        let bytes = match read {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(actor = %actor_id, error = %e, "download stopped: cannot read");
                return;
            }
        };
        let is_last = offset + len > end;
        let chunk = Chunk {
            bytes,
            offset,
            is_last,
            ..template.clone()
        };
        match linked.actor.receive_chunk(&ctx, &chunk).await {
            Ok(r) if r.cancel_download => {
                tracing::debug!(actor = %actor_id, offset, "download cancelled by the actor");
                return;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(actor = %actor_id, offset, error = %e, "download stopped: the actor refused a chunk");
                return;
            }
        }
        offset += len;
    }
}
