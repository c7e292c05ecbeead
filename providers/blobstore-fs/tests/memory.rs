//! Memory stays bounded by the chunk size, not the object: a 1 GiB object
//! uploaded chunk by chunk and downloaded through `ReceiveChunk`, while the
//! process's peak resident size (`VmHWM`) is watched. Its own test binary,
//! so no other test's allocations count.

mod support;

use support::{chunk, ctx, World};
use weld_interface_blobstore::{Blobstore, GetObjectRequest, PutChunkRequest, PutObjectRequest};

const GIB: u64 = 1 << 30;
const CHUNK: usize = 1 << 20;
/// Allowed growth of the peak resident size over the whole transfer.
const BOUND: u64 = 64 << 20;

/// Peak resident set size of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gibibyte_object_moves_in_bounded_memory() {
    let Some(before) = peak_rss() else {
        eprintln!("no /proc/self/status here: nothing to measure");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut w = World::new(dir.path(), &[("chunk_size", "1m")]).await;
    // The actor counts bytes without keeping them.
    w.actor.keep_bytes = false;
    let actor = w.actor.clone();
    weld_rpc::provider::Provider::put_link(&*w.provider, &w.link, std::sync::Arc::new(actor))
        .await
        .unwrap();
    let s = &w.store;
    s.create_container(&ctx(), "c").await.unwrap();

    // Upload: 1024 chunks of 1 MiB.
    let piece: Vec<u8> = (0..CHUNK).map(|i| (i % 253) as u8).collect();
    let stream = s
        .put_object(
            &ctx(),
            &PutObjectRequest {
                chunk: chunk("c", "huge", &piece, 0, false),
                content_type: None,
                content_encoding: None,
            },
        )
        .await
        .unwrap()
        .stream_id;
    let chunks = GIB / CHUNK as u64;
    for i in 1..chunks {
        s.put_chunk(
            &ctx(),
            &PutChunkRequest {
                chunk: chunk("c", "huge", &piece, i * CHUNK as u64, i + 1 == chunks),
                stream_id: stream.clone(),
                cancel_and_remove: false,
            },
        )
        .await
        .unwrap();
    }
    let on_disk = std::fs::metadata(w.home().join("c/huge")).unwrap().len();
    assert_eq!(on_disk, GIB);

    // Download: the first MiB in the reply, 1023 more through ReceiveChunk.
    let r = s
        .get_object(
            &ctx(),
            &GetObjectRequest {
                object_id: "huge".into(),
                container_id: "c".into(),
                range_start: None,
                range_end: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(r.content_length, GIB);
    assert_eq!(r.initial_chunk.unwrap().bytes, piece);
    loop {
        {
            let got = w.actor.received.lock().unwrap();
            if got.chunks.last().is_some_and(|c| c.2) {
                assert_eq!(got.total, GIB - CHUNK as u64);
                assert_eq!(got.chunks.len() as u64, chunks - 1);
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let after = peak_rss().unwrap();
    let grew = after.saturating_sub(before);
    eprintln!(
        "peak RSS grew by {} MiB for a 1 GiB object each way",
        grew >> 20
    );
    assert!(
        grew < BOUND,
        "peak RSS grew by {} MiB moving 1 GiB (bound {} MiB)",
        grew >> 20,
        BOUND >> 20
    );
}
