//! blobstore-s3 against a real S3-compatible server (moto, started by
//! `scripts/setup.sh s3` on 127.0.0.1:5000), every call encoded and decoded
//! by the generated blobstore code; what the provider did is checked with
//! a separate S3 client.

#[path = "../../blobstore-fs/tests/support/actor.rs"]
mod actor;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actor::{chunk, co, ctx, get, put, Actor};
use weld_interface_blobstore::{
    Blobstore, BlobstoreSender, ListObjectsRequest, PutChunkRequest, RemoveObjectsRequest,
};
use weld_provider_blobstore_s3::S3BlobstoreProvider;
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{ActorOrigin, Provider, ProviderClient, ProviderContext};
use weld_rpc::RpcError;
use weld_test_support::{require_service, unique_name};

const S3: &str = "127.0.0.1:5000";
const ACTOR: &str = "MS3ACTOR";

fn endpoint_json(extra: &str) -> String {
    format!(
        r#"{{"endpoint":"http://{S3}","access_key_id":"weld","secret_access_key":"weld-secret","region":"us-east-1"{extra}}}"#
    )
}

struct World {
    provider: Arc<S3BlobstoreProvider>,
    store: BlobstoreSender<ProviderClient>,
    actor: Actor,
    link: LinkDefinition,
}

impl World {
    async fn new(values: &[(&str, &str)]) -> Option<World> {
        if !require_service("S3 (moto)", S3) {
            return None;
        }
        let json = endpoint_json("");
        let mut map: HashMap<String, String> = [("config_json".to_string(), json)].into();
        map.extend(values.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Some(
            Self::with(
                map,
                Actor {
                    received: Arc::default(),
                    keep_bytes: true,
                    cancel_after: None,
                },
            )
            .await,
        )
    }

    async fn with(values: HashMap<String, String>, actor: Actor) -> World {
        let provider = Arc::new(S3BlobstoreProvider::new(ProviderContext {
            provider_id: "VBLOBSTORES3".into(),
            name: "blobstore-s3".into(),
            link_name: "default".into(),
            config: HashMap::new(),
            data_dir: std::env::temp_dir(),
            lattice: None,
        }));
        let link = LinkDefinition {
            actor_id: ACTOR.into(),
            provider_id: "VBLOBSTORES3".into(),
            link_name: "default".into(),
            contract_id: "wasmcloud:blobstore".into(),
            values,
        };
        provider
            .put_link(&link, Arc::new(actor.clone()))
            .await
            .expect("link accepted");
        let store = BlobstoreSender::via(ProviderClient {
            provider: provider.clone(),
            origin: ActorOrigin {
                actor_id: ACTOR.into(),
                link_name: "default".into(),
            },
        });
        World {
            provider,
            store,
            actor,
            link,
        }
    }
}

/// A client of our own, to see what the provider did.
async fn raw() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(format!("http://{S3}"))
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "weld",
            "weld-secret",
            None,
            None,
            "test",
        ))
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

async fn raw_get(bucket: &str, key: &str) -> Option<Vec<u8>> {
    let got = raw()
        .await
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .ok()?;
    Some(got.body.collect().await.unwrap().into_bytes().to_vec())
}

fn bucket() -> String {
    unique_name("weld")
}

/// Bytes that differ at every offset of a MiB-sized object.
fn pattern(n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

#[tokio::test]
async fn containers_are_buckets() {
    let Some(w) = World::new(&[]).await else {
        return;
    };
    let s = &w.store;
    let b = bucket();
    assert!(!s.container_exists(&ctx(), &b).await.unwrap());
    s.create_container(&ctx(), &b).await.unwrap();
    s.create_container(&ctx(), &b).await.unwrap(); // idempotent
    assert!(s.container_exists(&ctx(), &b).await.unwrap());
    raw()
        .await
        .head_bucket()
        .bucket(&b)
        .send()
        .await
        .expect("bucket made");
    let info = s.get_container_info(&ctx(), &b).await.unwrap();
    assert_eq!(info.container_id, b);
    assert!(info.created_at.is_some());
    let listed = s.list_containers(&ctx()).await.unwrap();
    assert!(listed
        .iter()
        .any(|c| c.container_id == b && c.created_at.is_some()));

    // A container with objects goes with them (as a folder on blobstore-fs).
    s.put_object(&ctx(), &put(&b, "a/b.txt", b"x"))
        .await
        .unwrap();
    let missing = bucket();
    let failed = s
        .remove_containers(&ctx(), &vec![b.clone(), missing.clone()])
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].key, missing);
    assert_eq!(
        failed[0].error.as_deref(),
        Some(format!("container {missing} not found").as_str())
    );
    assert!(!s.container_exists(&ctx(), &b).await.unwrap());
    let e = s.get_container_info(&ctx(), &b).await.unwrap_err();
    assert_eq!(e.to_string(), format!("container {b} not found"));
}

#[tokio::test]
async fn objects_round_trip_with_their_metadata() {
    let Some(w) = World::new(&[]).await else {
        return;
    };
    let s = &w.store;
    let b = bucket();
    s.create_container(&ctx(), &b).await.unwrap();
    let mut req = put(&b, "docs/readme.txt", b"hello, s3");
    req.content_type = Some("text/plain".into());
    req.content_encoding = Some("identity".into());
    assert_eq!(s.put_object(&ctx(), &req).await.unwrap().stream_id, None);
    assert_eq!(raw_get(&b, "docs/readme.txt").await.unwrap(), b"hello, s3");

    let info = s
        .get_object_info(&ctx(), &co(&b, "docs/readme.txt"))
        .await
        .unwrap();
    assert_eq!(info.content_length, 9);
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(info.content_encoding.as_deref(), Some("identity"));
    assert!(info.last_modified.is_some());
    assert!(s
        .object_exists(&ctx(), &co(&b, "docs/readme.txt"))
        .await
        .unwrap());
    assert!(!s.object_exists(&ctx(), &co(&b, "nope")).await.unwrap());
    let e = s
        .get_object_info(&ctx(), &co(&b, "nope"))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), format!("object {b}/nope not found"));

    let r = s
        .get_object(&ctx(), &get(&b, "docs/readme.txt", None))
        .await
        .unwrap();
    let c = r.initial_chunk.unwrap();
    assert_eq!(
        (c.bytes.as_slice(), c.offset, c.is_last),
        (&b"hello, s3"[..], 0, true)
    );
    assert_eq!(r.content_length, 9);
    assert_eq!(r.content_type.as_deref(), Some("text/plain"));
    // A range: rangeEnd inclusive; an end past the object is clipped.
    let r = s
        .get_object(&ctx(), &get(&b, "docs/readme.txt", Some((7, 100))))
        .await
        .unwrap();
    let c = r.initial_chunk.unwrap();
    assert_eq!(
        (c.bytes.as_slice(), c.offset, c.is_last),
        (&b"s3"[..], 7, true)
    );
    assert_eq!(r.content_length, 2);
    let e = s
        .get_object(&ctx(), &get(&b, "docs/readme.txt", Some((9, 20))))
        .await
        .unwrap_err();
    assert!(matches!(e, RpcError::InvalidParameter(_)), "{e:?}");
    let e = s
        .get_object(&ctx(), &get(&b, "nope", None))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), format!("object {b}/nope not found"));

    // An empty object: one empty last chunk (upstream looped).
    s.put_object(&ctx(), &put(&b, "empty", b"")).await.unwrap();
    for range in [None, Some((0, 10))] {
        let r = s
            .get_object(&ctx(), &get(&b, "empty", range))
            .await
            .unwrap();
        let c = r.initial_chunk.unwrap();
        assert!(c.bytes.is_empty() && c.is_last, "{range:?}");
        assert_eq!(r.content_length, 0);
    }

    // Removing: a missing id is reported as on blobstore-fs.
    let failed = s
        .remove_objects(
            &ctx(),
            &RemoveObjectsRequest {
                container_id: b.clone(),
                objects: vec!["docs/readme.txt".into(), "ghost".into(), "empty".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].key, "ghost");
    assert_eq!(
        failed[0].error.as_deref(),
        Some(format!("object {b}/ghost not found").as_str())
    );
    assert_eq!(raw_get(&b, "docs/readme.txt").await, None);
    assert_eq!(raw_get(&b, "empty").await, None);

    // Writing into a bucket that does not exist.
    let e = s
        .put_object(&ctx(), &put("weld-no-such-bucket-x", "o", b"1"))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "container weld-no-such-bucket-x not found");
}

/// 12 MiB in 256 KiB chunks (blobby's size) become a 3-part multipart
/// upload of 5 MiB parts; the object appears only when the last chunk
/// arrives.
#[tokio::test]
async fn chunked_uploads_are_multipart() {
    let Some(w) = World::new(&[("part_size", "5m")]).await else {
        return;
    };
    let s = &w.store;
    let b = bucket();
    s.create_container(&ctx(), &b).await.unwrap();
    let body = pattern(12 * 1024 * 1024);
    let step = 256 * 1024;
    let mut first = put(&b, "big.bin", &body[..step]);
    first.chunk.is_last = false;
    first.content_type = Some("application/x-test".into());
    let id = s
        .put_object(&ctx(), &first)
        .await
        .unwrap()
        .stream_id
        .expect("a stream id");
    assert_eq!(id, format!("{ACTOR}+{b}+big.bin"));
    let mut offset = step;
    while offset < body.len() {
        let end = (offset + step).min(body.len());
        if offset == 6 * step {
            // A wrong offset is refused; the upload goes on.
            let bad = PutChunkRequest {
                chunk: chunk(&b, "big.bin", &body[offset..end], offset as u64 + 1, false),
                stream_id: Some(id.clone()),
                cancel_and_remove: false,
            };
            let e = s.put_chunk(&ctx(), &bad).await.unwrap_err();
            assert_eq!(
                e,
                RpcError::InvalidParameter(format!(
                    "Chunk offset {} not the same as the expected offset: {offset}",
                    offset + 1
                ))
            );
        }
        if end == body.len() {
            assert_eq!(
                raw_get(&b, "big.bin").await,
                None,
                "visible before the last chunk"
            );
        }
        s.put_chunk(
            &ctx(),
            &PutChunkRequest {
                chunk: chunk(
                    &b,
                    "big.bin",
                    &body[offset..end],
                    offset as u64,
                    end == body.len(),
                ),
                stream_id: Some(id.clone()),
                cancel_and_remove: false,
            },
        )
        .await
        .unwrap();
        offset = end;
    }
    assert!(
        raw_get(&b, "big.bin").await.unwrap() == body,
        "12 MiB differ"
    );
    let head = raw()
        .await
        .head_object()
        .bucket(&b)
        .key("big.bin")
        .part_number(1)
        .send()
        .await
        .unwrap();
    assert_eq!(head.parts_count(), Some(3), "parts of 5 MiB");
    assert_eq!(head.content_length(), Some(5 * 1024 * 1024));
    let info = s.get_object_info(&ctx(), &co(&b, "big.bin")).await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("application/x-test"));
    // The stream is finished.
    let again = PutChunkRequest {
        chunk: chunk(&b, "big.bin", b"x", body.len() as u64, true),
        stream_id: Some(id.clone()),
        cancel_and_remove: false,
    };
    assert!(s.put_chunk(&ctx(), &again).await.is_err());
}

#[tokio::test]
async fn cancelled_and_orphaned_uploads_are_aborted() {
    let Some(w) = World::new(&[]).await else {
        return;
    };
    let s = &w.store;
    let b = bucket();
    s.create_container(&ctx(), &b).await.unwrap();
    s.put_object(&ctx(), &put(&b, "keep", b"old"))
        .await
        .unwrap();
    let uploads = || async {
        raw()
            .await
            .list_multipart_uploads()
            .bucket(&b)
            .send()
            .await
            .unwrap()
            .uploads()
            .len()
    };
    let start = |object: &'static str| {
        let mut first = put(&b, object, b"new");
        first.chunk.is_last = false;
        first
    };
    let id = s
        .put_object(&ctx(), &start("keep"))
        .await
        .unwrap()
        .stream_id
        .unwrap();
    assert_eq!(uploads().await, 1);
    s.put_chunk(
        &ctx(),
        &PutChunkRequest {
            chunk: chunk(&b, "keep", b"", 3, false),
            stream_id: Some(id),
            cancel_and_remove: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(uploads().await, 0);
    assert_eq!(raw_get(&b, "keep").await.unwrap(), b"old");

    // An upload the link's removal orphans.
    s.put_object(&ctx(), &start("other")).await.unwrap();
    assert_eq!(uploads().await, 1);
    w.provider.delete_link(&w.link).await;
    assert_eq!(uploads().await, 0);
    assert_eq!(raw_get(&b, "other").await, None);
    // And the link is gone.
    let e = s.container_exists(&ctx(), &b).await.unwrap_err();
    assert!(e.to_string().contains("not linked"), "{e}");
}

/// A download larger than a chunk: the first in the reply, the rest to the
/// actor's ChunkReceiver with the right offsets and one `isLast`.
#[tokio::test]
async fn downloads_stream_through_receive_chunk() {
    let Some(w) = World::new(&[("chunk_size", "64k")]).await else {
        return;
    };
    let s = &w.store;
    let b = bucket();
    s.create_container(&ctx(), &b).await.unwrap();
    let body = pattern(1024 * 1024 + 1);
    s.put_object(&ctx(), &put(&b, "o", &body)).await.unwrap();
    let r = s.get_object(&ctx(), &get(&b, "o", None)).await.unwrap();
    let first = r.initial_chunk.unwrap();
    assert_eq!(
        (first.bytes.len(), first.offset, first.is_last),
        (64 * 1024, 0, false)
    );
    assert_eq!(r.content_length, body.len() as u64);
    w.actor.wait_chunks(usize::MAX).await;
    let got = w.actor.received.lock().unwrap();
    assert_eq!(got.chunks.len(), 16, "{:?}", got.chunks);
    for (i, (offset, len, last)) in got.chunks.iter().enumerate() {
        assert_eq!(*offset, (i as u64 + 1) * 64 * 1024);
        assert_eq!(*last, i == 15);
        assert_eq!(*len, if i == 15 { 1 } else { 64 * 1024 });
    }
    let mut all = first.bytes.clone();
    all.extend_from_slice(&got.bytes);
    assert!(all == body);
    drop(got);

    // A range: the offsets are the object's.
    w.actor.received.lock().unwrap().chunks.clear();
    w.actor.received.lock().unwrap().bytes.clear();
    let r = s
        .get_object(&ctx(), &get(&b, "o", Some((100_000, 299_999))))
        .await
        .unwrap();
    let first = r.initial_chunk.unwrap();
    assert_eq!((first.offset, first.bytes.len()), (100_000, 64 * 1024));
    assert_eq!(r.content_length, 200_000);
    w.actor.wait_chunks(usize::MAX).await;
    let got = w.actor.received.lock().unwrap();
    let mut all = first.bytes.clone();
    all.extend_from_slice(&got.bytes);
    assert!(all == body[100_000..300_000]);
    assert_eq!(got.chunks.last().unwrap().0, 100_000 + 3 * 64 * 1024);
}

#[tokio::test]
async fn a_download_stops_when_the_actor_cancels() {
    if !require_service("S3 (moto)", S3) {
        return;
    }
    let values: HashMap<String, String> = [
        ("config_json".to_string(), endpoint_json("")),
        ("chunk_size".to_string(), "16k".to_string()),
    ]
    .into();
    let w = World::with(
        values,
        Actor {
            received: Arc::default(),
            keep_bytes: false,
            cancel_after: Some(2),
        },
    )
    .await;
    let s = &w.store;
    let b = bucket();
    s.create_container(&ctx(), &b).await.unwrap();
    s.put_object(&ctx(), &put(&b, "o", &pattern(1024 * 1024)))
        .await
        .unwrap();
    s.get_object(&ctx(), &get(&b, "o", None)).await.unwrap();
    w.actor.wait_chunks(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(w.actor.received.lock().unwrap().chunks.len(), 2);
}

#[tokio::test]
async fn listing_pages_and_bounds_as_blobstore_fs() {
    let Some(w) = World::new(&[]).await else {
        return;
    };
    let s = &w.store;
    let b = bucket();
    s.create_container(&ctx(), &b).await.unwrap();
    let ids: Vec<String> = (0..25).map(|i| format!("k{i:02}")).collect();
    for id in &ids {
        s.put_object(&ctx(), &put(&b, id, id.as_bytes()))
            .await
            .unwrap();
    }
    let list = |f: &dyn Fn(&mut ListObjectsRequest)| {
        let mut r = ListObjectsRequest {
            container_id: b.clone(),
            ..Default::default()
        };
        f(&mut r);
        r
    };
    let names = |r: &weld_interface_blobstore::ListObjectsResponse| -> Vec<String> {
        r.objects.iter().map(|o| o.object_id.clone()).collect()
    };

    // Pages of 10, continued by the last id.
    let mut seen = Vec::new();
    let mut req = list(&|r| r.max_items = Some(10));
    let mut pages = 0;
    loop {
        let page = s.list_objects(&ctx(), &req).await.unwrap();
        pages += 1;
        seen.extend(names(&page));
        if page.is_last {
            assert_eq!(page.continuation, None);
            break;
        }
        req.continuation = page.continuation;
    }
    assert_eq!((pages, seen.clone()), (3, ids.clone()));
    let all = s.list_objects(&ctx(), &list(&|_| {})).await.unwrap();
    assert!(all.is_last);
    assert_eq!(all.objects[3].content_length, 3);

    // startWith inclusive, endWith inclusive, endBefore exclusive.
    let r = s
        .list_objects(
            &ctx(),
            &list(&|r| {
                r.start_with = Some("k05".into());
                r.end_with = Some("k08".into());
            }),
        )
        .await
        .unwrap();
    assert_eq!(names(&r), ["k05", "k06", "k07", "k08"]);
    assert!(r.is_last);
    let r = s
        .list_objects(
            &ctx(),
            &list(&|r| {
                r.start_with = Some("k045".into());
                r.end_before = Some("k07".into());
            }),
        )
        .await
        .unwrap();
    assert_eq!(names(&r), ["k05", "k06"]);
    let r = s
        .list_objects(
            &ctx(),
            &list(&|r| {
                r.start_with = Some("k20".into());
                r.max_items = Some(2);
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        (names(&r), r.is_last, r.continuation.as_deref()),
        (vec!["k20".to_string(), "k21".into()], false, Some("k21"))
    );

    let e = s
        .list_objects(
            &ctx(),
            &list(&|r| r.container_id = "weld-no-such-bucket-y".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "container weld-no-such-bucket-y not found");
}

#[tokio::test]
async fn aliases_name_buckets() {
    let b = bucket();
    let Some(w) = World::new(&[("alias_files", &b)]).await else {
        return;
    };
    let s = &w.store;
    s.create_container(&ctx(), "files").await.unwrap();
    s.put_object(&ctx(), &put("files", "x.txt", b"aliased"))
        .await
        .unwrap();
    assert_eq!(raw_get(&b, "x.txt").await.unwrap(), b"aliased");
    let r = s
        .get_object(&ctx(), &get("alias_files", "x.txt", None))
        .await
        .unwrap();
    assert_eq!(r.initial_chunk.unwrap().bytes, b"aliased");
    assert!(s.container_exists(&ctx(), &b).await.unwrap());
}

/// A server that is not there costs the call, with a reason, not the
/// provider.
#[tokio::test]
async fn an_unreachable_endpoint_fails_calls_clearly() {
    let values: HashMap<String, String> = [(
        "config_json".to_string(),
        r#"{"endpoint":"http://127.0.0.1:9","access_key_id":"a","secret_access_key":"b","max_attempts":1}"#.to_string(),
    )]
    .into();
    let w = World::with(
        values,
        Actor {
            received: Arc::default(),
            keep_bytes: false,
            cancel_after: None,
        },
    )
    .await;
    let e = w
        .store
        .container_exists(&ctx(), "anything")
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("container anything") && text.to_lowercase().contains("connect"),
        "{text}"
    );
}
