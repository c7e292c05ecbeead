//! The `wasmcloud:blobstore` provider on S3 (protocol "2", CBOR): AWS, or
//! any S3-compatible server at an `endpoint`. Containers are buckets,
//! objects are keys.
//!
//! Settings and their precedence: [`settings`]. The HTTP client is rustls
//! (on ring) with the system's roots, pooled and shared by every link.
//!
//! # What differs from upstream (blobstore-s3 0.5.1)
//! - Uploads of any size: a `PutObject` that is not the last chunk starts
//!   an S3 multipart upload; chunks are gathered into parts of
//!   `part_size` bytes (default 8 MiB), so memory is one part per upload
//!   whatever the object's size. `cancelAndRemove` aborts it, as do
//!   `delete_link` and shutdown for the uploads they orphan. Upstream
//!   refused anything but a single chunk ("multipart upload not
//!   implemented") and returned NotImplemented for `PutChunk`.
//! - `contentType` and `contentEncoding` are stored (upstream dropped
//!   them) and come back from `GetObjectInfo` and `GetObject`.
//! - `GetObject` sends the first `chunk_size` bytes (default 512 KiB) of
//!   the range in `initialChunk` and the rest through the actor's
//!   `ChunkReceiver.ReceiveChunk`, one chunk at a time, each only after
//!   the previous was answered, read from S3 as it goes: memory is one
//!   chunk. `isLast` is right (upstream's maths was not), `cancelDownload`
//!   stops it (upstream ignored it), and an empty object is one empty last
//!   chunk (upstream looped on 0-byte replies, PR#271).
//! - `ListObjects` honours `startWith` (inclusive), `endWith` (inclusive),
//!   `endBefore` and `maxItems` (any number; S3 pages at 1000), and its
//!   continuation is the last id returned, as with blobstore-fs, so an
//!   actor pages the same way on both. Upstream ignored `endWith` and
//!   `endBefore`, and took `startWith` as exclusive.
//! - `RemoveObjects` reports an object that does not exist as
//!   `object {container}/{id} not found`, as blobstore-fs does (S3 alone
//!   would say it was removed), so an actor behaves the same on both.
//! - `RemoveContainers` empties a bucket, then removes it (as blobstore-fs
//!   removes a folder with its files); S3 alone refuses a bucket that is
//!   not empty.
//! - The `env` file is the link's own, not loaded into the process.

pub mod settings;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CompletedMultipartUpload, CompletedPart, CreateBucketConfiguration,
    Delete, ObjectIdentifier,
};
use futures_util::StreamExt as _;
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

pub use settings::{S3Settings, SETTING_KEYS};

/// The contract id this provider answers to.
pub const CONTRACT_ID: &str = "wasmcloud:blobstore";
/// `maxItems` of a `ListObjects` page when the request gives none.
pub const DEFAULT_PAGE: usize = 1000;
/// Region when neither the settings nor the default chain name one.
pub const FALLBACK_REGION: &str = "us-east-1";
/// HEAD requests in flight at once while `RemoveObjects` checks ids.
const CHECKS_IN_FLIGHT: usize = 16;

/// What one link holds.
struct Linked {
    s3: aws_sdk_s3::Client,
    settings: S3Settings,
    /// The region buckets are created in.
    region: String,
    actor: ChunkReceiverSender<ActorLink>,
}

/// A multipart upload between its `PutObject` and its last `PutChunk`.
struct Upload {
    actor_id: String,
    container: String,
    object: String,
    bucket: String,
    upload_id: String,
    linked: Arc<Linked>,
    parts: Vec<CompletedPart>,
    /// Bytes not yet sent as a part (less than a part, but between calls).
    pending: Vec<u8>,
    /// Bytes received so far: the offset the next chunk must have.
    received: u64,
}

/// The S3 blobstore provider.
pub struct S3BlobstoreProvider {
    ctx: ProviderContext,
    http: aws_sdk_s3::config::SharedHttpClient,
    links: PerLink<Linked>,
    uploads: Mutex<HashMap<String, Upload>>,
}

impl std::fmt::Debug for S3BlobstoreProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3BlobstoreProvider")
            .field("name", &self.ctx.name)
            .finish()
    }
}

impl S3BlobstoreProvider {
    /// A provider for `ctx`; connects to nothing until a link arrives.
    pub fn new(ctx: ProviderContext) -> Self {
        use aws_smithy_http_client::tls;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        S3BlobstoreProvider {
            ctx,
            http,
            links: PerLink::new(),
            uploads: Mutex::new(HashMap::new()),
        }
    }

    /// Registry factory. Invalid provider-wide settings fail here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        provider.settings(&HashMap::new())?;
        Ok(Arc::new(provider))
    }

    /// The settings a link with `values` gets (see [`settings`]).
    pub fn settings(&self, values: &HashMap<String, String>) -> Result<S3Settings, ProviderError> {
        settings::resolve(
            &self.ctx.name,
            values,
            &self.ctx.config,
            &|k| std::env::var(k).ok(),
            &self.ctx.data_dir,
        )
    }

    /// An S3 client for `s`, and the region it resolved to.
    async fn client(&self, s: &S3Settings) -> (aws_sdk_s3::Client, String) {
        use aws_sdk_s3::config::{Credentials, Region, SharedCredentialsProvider};

        // The loader's own default chains (region, credentials) use its
        // HTTP client, for instance metadata; chains built apart from it
        // would have none.
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(self.http.clone());
        if let Some(r) = &s.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(c) = &s.credentials {
            loader = loader.credentials_provider(Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.clone(),
                c.session_token.clone(),
                None,
                "weld-link",
            ));
        }
        if let Some(e) = &s.endpoint {
            loader = loader.endpoint_url(e.clone());
        }
        if let Some(n) = s.max_attempts {
            loader = loader
                .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(n));
        }
        let mut sdk = loader.load().await;
        if let Some(sts) = &s.sts {
            let mut role =
                aws_config::sts::AssumeRoleProvider::builder(sts.role.clone()).configure(&sdk);
            if let Some(r) = &sts.region {
                role = role.region(Region::new(r.clone()));
            }
            if let Some(n) = &sts.session {
                role = role.session_name(n.clone());
            }
            if let Some(x) = &sts.external_id {
                role = role.external_id(x.clone());
            }
            let role = role.build().await;
            sdk = sdk
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(role))
                .build();
        }
        if sdk.region().is_none() {
            sdk = sdk
                .into_builder()
                .region(Region::from_static(FALLBACK_REGION))
                .build();
        }
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| FALLBACK_REGION.to_string());
        let mut conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(s.force_path_style);
        if s.endpoint.is_some() {
            // S3-compatible servers vary in their support of the newer
            // default checksums (and of the aws-chunked bodies they bring);
            // send them only where an operation requires them.
            use aws_sdk_s3::config::{RequestChecksumCalculation, ResponseChecksumValidation};
            conf = conf
                .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        }
        (aws_sdk_s3::Client::from_conf(conf.build()), region)
    }

    fn take_uploads(&self, which: impl Fn(&Upload) -> bool) -> Vec<Upload> {
        let mut uploads = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
        let ids: Vec<String> = uploads
            .iter()
            .filter(|(_, u)| which(u))
            .map(|(id, _)| id.clone())
            .collect();
        ids.iter().filter_map(|id| uploads.remove(id)).collect()
    }

    fn put_upload(&self, id: String, upload: Upload) -> Option<Upload> {
        self.uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, upload)
    }
}

#[async_trait]
impl Provider for S3BlobstoreProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(&self, link: &LinkDefinition, actor: ActorLink) -> Result<(), ProviderError> {
        let settings = self.settings(&link.values)?;
        let (s3, region) = self.client(&settings).await;
        self.links.insert(
            link,
            Arc::new(Linked {
                s3,
                settings,
                region,
                actor: ChunkReceiverSender::via(actor),
            }),
        );
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        self.links.remove(link);
        // The actor's uploads in progress go with its link.
        for u in self.take_uploads(|u| u.actor_id == link.actor_id) {
            u.abort().await;
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
        for u in self.take_uploads(|_| true) {
            u.abort().await;
        }
        self.links.drain();
    }
}

/// One actor call: the provider with the caller's link.
struct Call<'a> {
    provider: &'a S3BlobstoreProvider,
    linked: Arc<Linked>,
    actor_id: &'a str,
}

/// The HTTP status of a failed call, if S3 answered.
fn status<E>(e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// The error an actor gets for a failed S3 call: S3's code and message
/// when it answered, the whole chain of causes when it did not.
fn s3_error<E>(what: &str, e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> RpcError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e.as_service_error() {
        Some(se) if se.code().is_some() => RpcError::Other(format!(
            "{what}: {}: {}",
            se.code().unwrap_or_default(),
            se.message().unwrap_or_default()
        )),
        _ => RpcError::Other(format!("{what}: {}", DisplayErrorContext(&e))),
    }
}

/// [`s3_error`], but a bucket that does not exist is upstream's
/// not-found error for `container`.
fn in_bucket<E>(
    container: &str,
    what: &str,
    e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> RpcError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if e.code() == Some("NoSuchBucket") {
        container_missing(container)
    } else {
        s3_error(what, e)
    }
}

fn container_missing(id: &str) -> RpcError {
    RpcError::Other(format!("container {id} not found"))
}

fn object_missing(container: &str, object: &str) -> RpcError {
    RpcError::Other(format!("object {container}/{object} not found"))
}

fn timestamp(t: Option<&aws_sdk_s3::primitives::DateTime>) -> Option<Timestamp> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
        .map(Timestamp::from)
}

/// The stream id of an upload, as blobstore-fs (and upstream's fs) forms it.
fn stream_id(actor: &str, container: &str, object: &str) -> String {
    format!("{actor}+{container}+{object}")
}

impl Linked {
    fn bucket<'a>(&'a self, container: &'a str) -> &'a str {
        self.settings.bucket(container)
    }

    async fn bucket_exists(&self, container: &str) -> RpcResult<bool> {
        match self
            .s3
            .head_bucket()
            .bucket(self.bucket(container))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if status(&e) == Some(404) => Ok(false),
            Err(e) => Err(s3_error(&format!("container {container}"), e)),
        }
    }

    /// The object's metadata; `None` when S3 says it is not there.
    async fn head(&self, container: &str, object: &str) -> RpcResult<Option<ObjectMetadata>> {
        let head = self
            .s3
            .head_object()
            .bucket(self.bucket(container))
            .key(object)
            .send()
            .await;
        match head {
            Ok(h) => Ok(Some(ObjectMetadata {
                object_id: object.to_string(),
                container_id: container.to_string(),
                content_length: h.content_length().unwrap_or(0).max(0) as u64,
                last_modified: timestamp(h.last_modified()),
                content_type: h.content_type().map(str::to_string),
                content_encoding: h.content_encoding().map(str::to_string),
            })),
            Err(e) if status(&e) == Some(404) => Ok(None),
            Err(e) => Err(s3_error(&format!("object {container}/{object}"), e)),
        }
    }

    /// The object's metadata, or upstream's not-found error.
    async fn object_metadata(&self, container: &str, object: &str) -> RpcResult<ObjectMetadata> {
        self.head(container, object)
            .await?
            .ok_or_else(|| object_missing(container, object))
    }

    /// Every key of `bucket`, a page of S3's at a time, to `each`.
    async fn for_each_page(
        &self,
        container: &str,
        mut each: impl FnMut(Vec<String>) -> futures_util::future::BoxFuture<'static, RpcResult<()>>,
    ) -> RpcResult<()> {
        let bucket = self.bucket(container).to_string();
        let mut token = None;
        loop {
            let page = self
                .s3
                .list_objects_v2()
                .bucket(&bucket)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| in_bucket(container, &format!("container {container}"), e))?;
            let keys: Vec<String> = page
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string))
                .collect();
            if !keys.is_empty() {
                each(keys).await?;
            }
            match page.next_continuation_token() {
                Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                _ => return Ok(()),
            }
        }
    }

    /// Deletes `keys` of `bucket` (at most 1000); returns the failures.
    async fn delete_keys(&self, container: &str, keys: Vec<String>) -> RpcResult<Vec<ItemResult>> {
        let objects = keys
            .iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RpcError::Other(format!("delete request: {e}")))?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| RpcError::Other(format!("delete request: {e}")))?;
        let out = self
            .s3
            .delete_objects()
            .bucket(self.bucket(container))
            .delete(delete)
            .send()
            .await
            .map_err(|e| s3_error(&format!("container {container}"), e))?;
        Ok(out
            .errors()
            .iter()
            .map(|e| ItemResult {
                key: e.key().unwrap_or_default().to_string(),
                success: false,
                error: Some(format!(
                    "{}: {}",
                    e.code().unwrap_or_default(),
                    e.message().unwrap_or_default()
                )),
            })
            .collect())
    }
}

impl Upload {
    /// Sends whole parts of what is pending; with `last`, the rest too
    /// (and one empty part for an empty object).
    async fn flush(&mut self, last: bool) -> RpcResult<()> {
        let part_size = self.linked.settings.part_size;
        while self.pending.len() >= part_size
            || (last && (!self.pending.is_empty() || self.parts.is_empty()))
        {
            let n = self.pending.len().min(part_size);
            let rest = self.pending.split_off(n);
            let body = std::mem::replace(&mut self.pending, rest);
            let number = self.parts.len() as i32 + 1;
            let done = self
                .linked
                .s3
                .upload_part()
                .bucket(&self.bucket)
                .key(&self.object)
                .upload_id(&self.upload_id)
                .part_number(number)
                .body(ByteStream::from(body))
                .send()
                .await
                .map_err(|e| s3_error(&format!("object {}/{}", self.container, self.object), e))?;
            self.parts.push(
                CompletedPart::builder()
                    .set_e_tag(done.e_tag().map(str::to_string))
                    .part_number(number)
                    .build(),
            );
        }
        Ok(())
    }

    /// Completes the upload: the object appears whole.
    async fn complete(mut self) -> RpcResult<()> {
        if let Err(e) = self.flush(true).await {
            self.abort().await;
            return Err(e);
        }
        let parts = std::mem::take(&mut self.parts);
        let count = parts.len();
        let done = self
            .linked
            .s3
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.object)
            .upload_id(&self.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await;
        match done {
            Ok(_) => Ok(()),
            // Some S3-compatible servers (moto among them) answer 200 with
            // a body the SDK does not parse (another XML root). A real
            // failure in a 200 (S3 does that here) has an error code;
            // without one, the object says whether the upload completed.
            Err(e)
                if status(&e) == Some(200) && e.code().is_none() && self.completed(count).await =>
            {
                Ok(())
            }
            Err(e) => {
                let err = s3_error(&format!("object {}/{}", self.container, self.object), e);
                self.abort().await;
                Err(err)
            }
        }
    }

    /// Whether the object is now the result of a `parts`-part upload
    /// (its ETag ends `-{parts}`).
    async fn completed(&self, parts: usize) -> bool {
        let head = self
            .linked
            .s3
            .head_object()
            .bucket(&self.bucket)
            .key(&self.object)
            .send()
            .await;
        let suffix = format!("-{parts}\"");
        head.ok()
            .and_then(|h| h.e_tag().map(|t| t.ends_with(&suffix)))
            .unwrap_or(false)
    }

    /// Abandons the upload: S3 drops its parts, the old object (if any)
    /// stays.
    async fn abort(self) {
        let r = self
            .linked
            .s3
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.object)
            .upload_id(&self.upload_id)
            .send()
            .await;
        if let Err(e) = r {
            tracing::warn!(bucket = %self.bucket, key = %self.object, error = %DisplayErrorContext(&e), "cannot abort a multipart upload");
        }
    }
}

/// Reads an S3 body in pieces of a chosen size.
struct BodyReader {
    body: ByteStream,
    /// Bytes read from the body but not yet handed out.
    held: bytes::Bytes,
}

impl BodyReader {
    /// Up to `n` bytes; fewer only at the end of the body.
    async fn read(&mut self, n: usize) -> RpcResult<Vec<u8>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.held.is_empty() {
                match self.body.next().await {
                    Some(Ok(b)) => self.held = b,
                    Some(Err(e)) => {
                        return Err(RpcError::Other(format!("reading from S3: {e}")));
                    }
                    None => break,
                }
            }
            let take = (n - out.len()).min(self.held.len());
            out.extend_from_slice(&self.held.split_to(take));
        }
        Ok(out)
    }
}

#[async_trait]
impl Blobstore for Call<'_> {
    async fn container_exists(&self, _ctx: &Context, arg: &str) -> RpcResult<bool> {
        self.linked.bucket_exists(arg).await
    }

    async fn create_container(&self, _ctx: &Context, arg: &str) -> RpcResult<()> {
        let mut req = self
            .linked
            .s3
            .create_bucket()
            .bucket(self.linked.bucket(arg));
        // us-east-1 is S3's default location and may not be named.
        if self.linked.region != FALLBACK_REGION {
            req = req.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(
                        self.linked.region.as_str(),
                    ))
                    .build(),
            );
        }
        match req.send().await {
            Ok(_) => Ok(()),
            // Creating what exists is done, as on a file system.
            Err(e) if e.code() == Some("BucketAlreadyOwnedByYou") => Ok(()),
            Err(e) => Err(s3_error(&format!("container {arg}"), e)),
        }
    }

    async fn get_container_info(&self, ctx: &Context, arg: &str) -> RpcResult<ContainerMetadata> {
        if !self.linked.bucket_exists(arg).await? {
            return Err(container_missing(arg));
        }
        // HeadBucket says nothing of the creation date; the listing does.
        let bucket = self.linked.bucket(arg);
        let created_at = self
            .list_containers(ctx)
            .await?
            .into_iter()
            .find(|c| c.container_id == bucket)
            .and_then(|c| c.created_at);
        Ok(ContainerMetadata {
            container_id: arg.to_string(),
            created_at,
        })
    }

    async fn list_containers(&self, _ctx: &Context) -> RpcResult<ContainersInfo> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .linked
                .s3
                .list_buckets()
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| s3_error("list containers", e))?;
            out.extend(page.buckets().iter().filter_map(|b| {
                Some(ContainerMetadata {
                    container_id: b.name()?.to_string(),
                    created_at: timestamp(b.creation_date()),
                })
            }));
            match page.continuation_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.container_id.cmp(&b.container_id));
        Ok(out)
    }

    async fn remove_containers(&self, _ctx: &Context, arg: &Vec<String>) -> RpcResult<MultiResult> {
        let mut failed = Vec::new();
        for id in arg {
            let emptied = {
                let linked = self.linked.clone();
                let container = id.clone();
                self.linked
                    .for_each_page(id, move |keys| {
                        let (linked, container) = (linked.clone(), container.clone());
                        Box::pin(async move {
                            match linked.delete_keys(&container, keys).await?.first() {
                                None => Ok(()),
                                Some(f) => Err(RpcError::Other(format!(
                                    "cannot remove {}: {}",
                                    f.key,
                                    f.error.clone().unwrap_or_default()
                                ))),
                            }
                        })
                    })
                    .await
            };
            let result = match emptied {
                Ok(()) => self
                    .linked
                    .s3
                    .delete_bucket()
                    .bucket(self.linked.bucket(id))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        if status(&e) == Some(404) {
                            container_missing(id)
                        } else {
                            s3_error(&format!("container {id}"), e)
                        }
                    }),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                failed.push(ItemResult {
                    key: id.clone(),
                    success: false,
                    error: Some(e.to_string()),
                });
            }
        }
        Ok(failed)
    }

    async fn object_exists(&self, _ctx: &Context, arg: &ContainerObject) -> RpcResult<bool> {
        let found = self.linked.head(&arg.container_id, &arg.object_id).await?;
        Ok(found.is_some())
    }

    async fn get_object_info(
        &self,
        _ctx: &Context,
        arg: &ContainerObject,
    ) -> RpcResult<ObjectMetadata> {
        self.linked
            .object_metadata(&arg.container_id, &arg.object_id)
            .await
    }

    async fn list_objects(
        &self,
        _ctx: &Context,
        arg: &ListObjectsRequest,
    ) -> RpcResult<ListObjectsResponse> {
        let container = &arg.container_id;
        let bucket = self.linked.bucket(container);
        let max = arg
            .max_items
            .map(|n| n.max(1) as usize)
            .unwrap_or(DEFAULT_PAGE);
        let fail = |e| s3_error(&format!("container {container}"), e);
        let missing = |e: &SdkError<_, _>| status(e) == Some(404);
        let mut objects: Vec<ObjectMetadata> = Vec::new();
        let mut after = arg.continuation.clone().filter(|c| !c.is_empty());
        // `startWith` is inclusive and S3's `start-after` is not: the key
        // equal to it, if any, sorts first among the keys it prefixes.
        if let (None, Some(first)) = (&after, arg.start_with.as_deref().filter(|s| !s.is_empty())) {
            let probe = self
                .linked
                .s3
                .list_objects_v2()
                .bucket(bucket)
                .prefix(first)
                .max_keys(1)
                .send()
                .await;
            let probe = match probe {
                Ok(p) => p,
                Err(e) if missing(&e) => return Err(container_missing(container)),
                Err(e) => return Err(fail(e)),
            };
            if let Some(o) = probe.contents().first().filter(|o| o.key() == Some(first)) {
                objects.push(listed(container, o));
            }
            after = Some(first.to_string());
        }
        let beyond = |id: &str| {
            arg.end_with.as_deref().is_some_and(|e| id > e)
                || arg.end_before.as_deref().is_some_and(|e| id >= e)
        };
        let mut more = false;
        'pages: loop {
            let want = (max + 1 - objects.len().min(max)).min(1000) as i32;
            let page = self
                .linked
                .s3
                .list_objects_v2()
                .bucket(bucket)
                .set_start_after(after.clone())
                .max_keys(want)
                .send()
                .await;
            let page = match page {
                Ok(p) => p,
                Err(e) if missing(&e) => return Err(container_missing(container)),
                Err(e) => return Err(fail(e)),
            };
            for o in page.contents() {
                let Some(key) = o.key() else { continue };
                if objects.first().is_some_and(|f| f.object_id == key) {
                    continue;
                }
                if beyond(key) {
                    break 'pages;
                }
                if objects.len() == max {
                    more = true;
                    break 'pages;
                }
                objects.push(listed(container, o));
                after = Some(key.to_string());
            }
            if page.is_truncated() != Some(true) || page.contents().is_empty() {
                break;
            }
        }
        let continuation = more
            .then(|| objects.last().map(|o| o.object_id.clone()))
            .flatten();
        Ok(ListObjectsResponse {
            objects,
            is_last: !more,
            continuation,
        })
    }

    async fn remove_objects(
        &self,
        _ctx: &Context,
        arg: &RemoveObjectsRequest,
    ) -> RpcResult<MultiResult> {
        let container = &arg.container_id;
        // S3 reports a missing key as deleted; blobstore-fs (and so an
        // actor written against it) reports it missing.
        let checks = futures_util::stream::iter(arg.objects.iter().cloned().map(|id| {
            let (linked, container) = (self.linked.clone(), container.clone());
            async move {
                let found = linked.object_metadata(&container, &id).await;
                (id, found)
            }
        }))
        .buffered(CHECKS_IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
        let mut failed = Vec::new();
        let mut present = Vec::new();
        for (id, check) in checks {
            match check {
                Ok(_) => present.push(id),
                Err(e) => failed.push(ItemResult {
                    key: id,
                    success: false,
                    error: Some(e.to_string()),
                }),
            }
        }
        for batch in present.chunks(1000) {
            failed.extend(self.linked.delete_keys(container, batch.to_vec()).await?);
        }
        Ok(failed)
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
        let what = || format!("object {}/{}", chunk.container_id, chunk.object_id);
        let bucket = self.linked.bucket(&chunk.container_id).to_string();
        if chunk.is_last {
            self.linked
                .s3
                .put_object()
                .bucket(&bucket)
                .key(&chunk.object_id)
                .set_content_type(arg.content_type.clone())
                .set_content_encoding(arg.content_encoding.clone())
                .body(ByteStream::from(chunk.bytes.clone()))
                .send()
                .await
                .map_err(|e| in_bucket(&chunk.container_id, &what(), e))?;
            return Ok(PutObjectResponse { stream_id: None });
        }
        let started = self
            .linked
            .s3
            .create_multipart_upload()
            .bucket(&bucket)
            .key(&chunk.object_id)
            .set_content_type(arg.content_type.clone())
            .set_content_encoding(arg.content_encoding.clone())
            .send()
            .await
            .map_err(|e| in_bucket(&chunk.container_id, &what(), e))?;
        let Some(upload_id) = started.upload_id() else {
            return Err(RpcError::Other(format!("{}: S3 gave no upload id", what())));
        };
        let mut upload = Upload {
            actor_id: self.actor_id.to_string(),
            container: chunk.container_id.clone(),
            object: chunk.object_id.clone(),
            bucket,
            upload_id: upload_id.to_string(),
            linked: self.linked.clone(),
            parts: Vec::new(),
            pending: chunk.bytes.clone(),
            received: chunk.bytes.len() as u64,
        };
        if let Err(e) = upload.flush(false).await {
            upload.abort().await;
            return Err(e);
        }
        let id = stream_id(self.actor_id, &chunk.container_id, &chunk.object_id);
        // A new upload of the same object replaces one left unfinished.
        if let Some(old) = self.provider.put_upload(id.clone(), upload) {
            old.abort().await;
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
        let taken = self.provider.take_uploads(|u| {
            u.actor_id == self.actor_id && stream_id(&u.actor_id, &u.container, &u.object) == id
        });
        let Some(mut upload) = taken.into_iter().next() else {
            return Err(RpcError::InvalidParameter(format!(
                "no upload in progress for stream {id}"
            )));
        };
        if arg.cancel_and_remove {
            upload.abort().await;
            return Ok(());
        }
        let refused = if upload.container != chunk.container_id || upload.object != chunk.object_id
        {
            Some(format!(
                "stream {id} uploads {}/{}, not {}/{}",
                upload.container, upload.object, chunk.container_id, chunk.object_id
            ))
        } else if chunk.offset != upload.received {
            Some(format!(
                "Chunk offset {} not the same as the expected offset: {}",
                chunk.offset, upload.received
            ))
        } else {
            None
        };
        if let Some(text) = refused {
            self.provider.put_upload(id, upload);
            return Err(RpcError::InvalidParameter(text));
        }
        upload.pending.extend_from_slice(&chunk.bytes);
        upload.received += chunk.bytes.len() as u64;
        if chunk.is_last {
            return upload.complete().await;
        }
        if let Err(e) = upload.flush(false).await {
            upload.abort().await;
            return Err(e);
        }
        self.provider.put_upload(id, upload);
        Ok(())
    }

    async fn get_object(
        &self,
        _ctx: &Context,
        arg: &GetObjectRequest,
    ) -> RpcResult<GetObjectResponse> {
        let (container, object) = (&arg.container_id, &arg.object_id);
        let start = arg.range_start.unwrap_or(0);
        if arg.range_end.is_some_and(|e| e < start) {
            return Err(out_of_range(arg, None));
        }
        let range = match (arg.range_start, arg.range_end) {
            (None, None) => None,
            (_, Some(end)) => Some(format!("bytes={start}-{end}")),
            (Some(_), None) => Some(format!("bytes={start}-")),
        };
        let got = self
            .linked
            .s3
            .get_object()
            .bucket(self.linked.bucket(container))
            .key(object)
            .set_range(range)
            .send()
            .await;
        let got = match got {
            Ok(g) => g,
            Err(e) if status(&e) == Some(404) => return Err(object_missing(container, object)),
            Err(e) if status(&e) == Some(416) => {
                // S3 refuses any range of an empty object; a read of it
                // from the start is an empty answer, as on a file system.
                let meta = self.linked.object_metadata(container, object).await?;
                if meta.content_length == 0 && start == 0 {
                    return Ok(response(
                        arg,
                        Vec::new(),
                        0,
                        true,
                        meta.content_type,
                        meta.content_encoding,
                    ));
                }
                return Err(out_of_range(arg, Some(meta.content_length)));
            }
            Err(e) => return Err(s3_error(&format!("object {container}/{object}"), e)),
        };
        let total = got.content_length().unwrap_or(0).max(0) as u64;
        let (content_type, content_encoding) = (
            got.content_type().map(str::to_string),
            got.content_encoding().map(str::to_string),
        );
        let chunk_size = self.linked.settings.chunk_size;
        let mut reader = BodyReader {
            body: got.body,
            held: bytes::Bytes::new(),
        };
        let first = reader.read(chunk_size).await?;
        let sent = first.len() as u64;
        let is_last = sent >= total || first.len() < chunk_size;
        if !is_last {
            // The rest after this reply, to the actor's ChunkReceiver: the
            // actor is still waiting for this call and may have one
            // instance only.
            let linked = self.linked.clone();
            let template = Chunk {
                object_id: object.clone(),
                container_id: container.clone(),
                bytes: Vec::new(),
                offset: 0,
                is_last: false,
            };
            let actor_id = self.actor_id.to_string();
            tokio::spawn(async move {
                send_chunks(
                    linked,
                    template,
                    reader,
                    start + sent,
                    start + total,
                    actor_id,
                )
                .await;
            });
        }
        Ok(response(
            arg,
            first,
            total,
            is_last,
            content_type,
            content_encoding,
        ))
    }
}

/// A `GetObject` answer whose first chunk is `bytes`.
fn response(
    arg: &GetObjectRequest,
    bytes: Vec<u8>,
    total: u64,
    is_last: bool,
    content_type: Option<String>,
    content_encoding: Option<String>,
) -> GetObjectResponse {
    GetObjectResponse {
        success: true,
        error: None,
        initial_chunk: Some(Chunk {
            object_id: arg.object_id.clone(),
            container_id: arg.container_id.clone(),
            bytes,
            offset: arg.range_start.unwrap_or(0),
            is_last,
        }),
        content_length: total,
        content_type,
        content_encoding,
    }
}

/// The refusal of a range outside the object (of `size` bytes, if known).
fn out_of_range(arg: &GetObjectRequest, size: Option<u64>) -> RpcError {
    RpcError::InvalidParameter(format!(
        "range {}..={} is outside object {}/{}{}",
        arg.range_start.unwrap_or(0),
        arg.range_end.map(|e| e.to_string()).unwrap_or_default(),
        arg.container_id,
        arg.object_id,
        size.map(|s| format!(" ({s} bytes)")).unwrap_or_default()
    ))
}

/// An object of a listing page.
fn listed(container: &str, o: &aws_sdk_s3::types::Object) -> ObjectMetadata {
    ObjectMetadata {
        object_id: o.key().unwrap_or_default().to_string(),
        container_id: container.to_string(),
        content_length: o.size().unwrap_or(0).max(0) as u64,
        last_modified: timestamp(o.last_modified()),
        content_type: None,
        content_encoding: None,
    }
}

/// Sends bytes `from..end` of the body to the actor, a chunk at a time.
async fn send_chunks(
    linked: Arc<Linked>,
    template: Chunk,
    mut reader: BodyReader,
    from: u64,
    end: u64,
    actor_id: String,
) {
    let ctx = Context::default();
    let step = linked.settings.chunk_size;
    let mut offset = from;
    while offset < end {
        let bytes = match reader.read(step).await {
            Ok(b) if !b.is_empty() => b,
            Ok(_) => {
                tracing::warn!(actor = %actor_id, offset, "download stopped: S3 sent less than it announced");
                return;
            }
            Err(e) => {
                tracing::warn!(actor = %actor_id, error = %e, "download stopped: cannot read");
                return;
            }
        };
        let len = bytes.len() as u64;
        let chunk = Chunk {
            bytes,
            offset,
            is_last: offset + len >= end,
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
