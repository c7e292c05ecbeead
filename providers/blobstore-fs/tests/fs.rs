//! blobstore-fs against a real file system (a temporary folder), every call
//! encoded and decoded by the generated blobstore code.

mod support;

use std::path::Path;

use support::{chunk, co, ctx, get, put, World, ACTOR};
use weld_interface_blobstore::{
    Blobstore, ListObjectsRequest, PutChunkRequest, PutObjectRequest, RemoveObjectsRequest,
};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn list(container: &str) -> ListObjectsRequest {
    ListObjectsRequest {
        container_id: container.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn containers_are_folders_of_the_actor() {
    let dir = tmp();
    let w = World::new(dir.path(), &[]).await;
    let s = &w.store;
    assert!(!s.container_exists(&ctx(), "photos").await.unwrap());
    s.create_container(&ctx(), "photos").await.unwrap();
    s.create_container(&ctx(), "photos").await.unwrap(); // idempotent
    s.create_container(&ctx(), "docs").await.unwrap();
    assert!(w.home().join("photos").is_dir());
    assert!(s.container_exists(&ctx(), "photos").await.unwrap());
    let info = s.get_container_info(&ctx(), "photos").await.unwrap();
    assert_eq!(info.container_id, "photos");
    assert!(info.created_at.is_some());
    // Folders inside a container are not containers (upstream walked them).
    std::fs::create_dir_all(w.home().join("photos/2026/12")).unwrap();
    let names: Vec<String> = s
        .list_containers(&ctx())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.container_id)
        .collect();
    assert_eq!(names, ["docs", "photos"]);
    let e = s.get_container_info(&ctx(), "nope").await.unwrap_err();
    assert!(e.to_string().contains("container nope not found"), "{e}");

    let failed = s
        .remove_containers(&ctx(), &vec!["photos".into(), "missing".into()])
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].key, "missing");
    assert!(!failed[0].success);
    assert!(!w.home().join("photos").exists());
    assert!(w.home().join("docs").is_dir());

    // Another actor on the same root sees none of it.
    let other = World::with_actor(dir.path(), &[], "MOTHERACTOR").await;
    assert!(other
        .store
        .list_containers(&ctx())
        .await
        .unwrap()
        .is_empty());
    assert!(!other.store.container_exists(&ctx(), "docs").await.unwrap());
}

#[tokio::test]
async fn objects_round_trip_with_ranges_and_pages() {
    let dir = tmp();
    let w = World::new(dir.path(), &[]).await;
    let s = &w.store;
    s.create_container(&ctx(), "c").await.unwrap();
    let r = s
        .put_object(&ctx(), &put("c", "hello.txt", b"hello world"))
        .await
        .unwrap();
    assert_eq!(r.stream_id, None);
    assert_eq!(
        std::fs::read(w.home().join("c/hello.txt")).unwrap(),
        b"hello world"
    );
    assert!(s
        .object_exists(&ctx(), &co("c", "hello.txt"))
        .await
        .unwrap());
    assert!(!s.object_exists(&ctx(), &co("c", "other")).await.unwrap());
    let info = s
        .get_object_info(&ctx(), &co("c", "hello.txt"))
        .await
        .unwrap();
    assert_eq!((info.content_length, info.container_id.as_str()), (11, "c"));
    assert!(info.last_modified.is_some());

    let whole = s
        .get_object(&ctx(), &get("c", "hello.txt", None))
        .await
        .unwrap();
    assert!(whole.success);
    assert_eq!(whole.content_length, 11);
    let first = whole.initial_chunk.unwrap();
    assert_eq!(
        (first.bytes.as_slice(), first.offset, first.is_last),
        (&b"hello world"[..], 0, true)
    );
    // rangeEnd is inclusive; an end past the object is clamped.
    let part = s
        .get_object(&ctx(), &get("c", "hello.txt", Some((6, 9))))
        .await
        .unwrap();
    assert_eq!(part.initial_chunk.unwrap().bytes, b"worl");
    assert_eq!(part.content_length, 4);
    let tail = s
        .get_object(&ctx(), &get("c", "hello.txt", Some((6, 999))))
        .await
        .unwrap();
    assert_eq!(tail.initial_chunk.unwrap().bytes, b"world");
    // Past the end: an error, not a panic (upstream panicked).
    let e = s
        .get_object(&ctx(), &get("c", "hello.txt", Some((11, 20))))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("outside object c/hello.txt (11 bytes)"),
        "{e}"
    );

    // Empty objects are objects (upstream refused them).
    s.put_object(&ctx(), &put("c", "empty", b"")).await.unwrap();
    let empty = s
        .get_object(&ctx(), &get("c", "empty", None))
        .await
        .unwrap();
    assert_eq!(empty.content_length, 0);
    assert!(empty.initial_chunk.unwrap().is_last);

    // Object ids with '/' live in sub-folders and list with their full id.
    s.put_object(&ctx(), &put("c", "a/b/deep.txt", b"deep"))
        .await
        .unwrap();
    assert!(w.home().join("c/a/b/deep.txt").is_file());
    for id in ["k1", "k2", "k3", "k4"] {
        s.put_object(&ctx(), &put("c", id, id.as_bytes()))
            .await
            .unwrap();
    }
    let ids = |r: &weld_interface_blobstore::ListObjectsResponse| -> Vec<String> {
        r.objects.iter().map(|o| o.object_id.clone()).collect()
    };
    let all = s.list_objects(&ctx(), &list("c")).await.unwrap();
    assert_eq!(
        ids(&all),
        ["a/b/deep.txt", "empty", "hello.txt", "k1", "k2", "k3", "k4"]
    );
    assert!(all.is_last);
    assert_eq!(all.objects[2].content_length, 11);

    // Pages of two, following the continuation.
    let mut seen = Vec::new();
    let mut req = ListObjectsRequest {
        max_items: Some(2),
        ..list("c")
    };
    loop {
        let page = s.list_objects(&ctx(), &req).await.unwrap();
        assert!(page.objects.len() <= 2);
        seen.extend(ids(&page));
        if page.is_last {
            break;
        }
        req.continuation = page.continuation;
        assert!(req.continuation.is_some());
    }
    assert_eq!(seen, ids(&all));
    let window = s
        .list_objects(
            &ctx(),
            &ListObjectsRequest {
                start_with: Some("hello.txt".into()),
                end_before: Some("k3".into()),
                ..list("c")
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&window), ["hello.txt", "k1", "k2"]);
    let to = s
        .list_objects(
            &ctx(),
            &ListObjectsRequest {
                start_with: Some("k2".into()),
                end_with: Some("k3".into()),
                ..list("c")
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&to), ["k2", "k3"]);
    let e = s.list_objects(&ctx(), &list("nope")).await.unwrap_err();
    assert!(e.to_string().contains("container nope not found"), "{e}");

    let failed = s
        .remove_objects(
            &ctx(),
            &RemoveObjectsRequest {
                container_id: "c".into(),
                objects: vec!["k1".into(), "gone".into(), "a/b/deep.txt".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].key, "gone");
    assert!(!w.home().join("c/k1").exists());
    assert!(!w.home().join("c/a/b/deep.txt").exists());
}

/// Every operation refuses ids that would leave the actor's folder, with
/// upstream's text, and touches nothing outside.
#[tokio::test]
async fn no_way_out_of_the_root() {
    let dir = tmp();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    // A victim beside the root, and one beside the actor's folder.
    let victim = dir.path().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("secret"), b"keep me").unwrap();
    let w = World::new(&root, &[]).await;
    let s = &w.store;
    std::fs::create_dir_all(root.join("MNEIGHBOUR/stuff")).unwrap();
    s.create_container(&ctx(), "c").await.unwrap();

    let refused = |e: weld_rpc::RpcError| {
        let t = e.to_string();
        assert!(
            t.contains("Invalid path [") && t.contains("is not contained by root path ["),
            "{t}"
        );
    };
    for bad in [
        "..",
        ".",
        "",
        "a/b",
        "/etc",
        "..\\x",
        "x\0y",
        "../MNEIGHBOUR",
    ] {
        refused(s.container_exists(&ctx(), bad).await.unwrap_err());
        refused(s.create_container(&ctx(), bad).await.unwrap_err());
        refused(s.get_container_info(&ctx(), bad).await.unwrap_err());
        refused(s.list_objects(&ctx(), &list(bad)).await.unwrap_err());
        let failed = s
            .remove_containers(&ctx(), &vec![bad.to_string()])
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert!(failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("Invalid path ["));
    }
    for bad in [
        "../x",
        "/etc/passwd",
        "a/../../x",
        "a//b",
        "./x",
        "..",
        "",
        "a\\b",
        "x/..",
    ] {
        refused(s.object_exists(&ctx(), &co("c", bad)).await.unwrap_err());
        refused(s.get_object_info(&ctx(), &co("c", bad)).await.unwrap_err());
        refused(
            s.get_object(&ctx(), &get("c", bad, None))
                .await
                .unwrap_err(),
        );
        refused(
            s.put_object(&ctx(), &put("c", bad, b"x"))
                .await
                .unwrap_err(),
        );
        let failed = s
            .remove_objects(
                &ctx(),
                &RemoveObjectsRequest {
                    container_id: "c".into(),
                    objects: vec![bad.into()],
                },
            )
            .await
            .unwrap();
        assert!(failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("Invalid path ["));
    }

    // Symbolic links planted under the root are refused, not followed.
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(&victim, w.home().join("link")).unwrap();
        symlink(victim.join("secret"), w.home().join("c/secret")).unwrap();
        symlink(&victim, w.home().join("c/sub")).unwrap();
        refused(s.list_objects(&ctx(), &list("link")).await.unwrap_err());
        refused(
            s.get_object(&ctx(), &get("link", "secret", None))
                .await
                .unwrap_err(),
        );
        refused(
            s.get_object(&ctx(), &get("c", "secret", None))
                .await
                .unwrap_err(),
        );
        refused(
            s.put_object(&ctx(), &put("c", "secret", b"overwritten"))
                .await
                .unwrap_err(),
        );
        refused(
            s.put_object(&ctx(), &put("c", "sub/new", b"planted"))
                .await
                .unwrap_err(),
        );
        let failed = s
            .remove_containers(&ctx(), &vec!["link".into()])
            .await
            .unwrap();
        assert!(failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("Invalid path ["));
        let failed = s
            .remove_objects(
                &ctx(),
                &RemoveObjectsRequest {
                    container_id: "c".into(),
                    objects: vec!["secret".into(), "sub/secret".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(failed.len(), 2);
        assert!(!victim.join("new").exists());
    }
    assert_eq!(std::fs::read(victim.join("secret")).unwrap(), b"keep me");
    assert!(root.join("MNEIGHBOUR/stuff").is_dir());
    assert!(w.home().join("c").is_dir());
}

#[tokio::test]
async fn chunked_uploads_replace_the_object_only_when_complete() {
    let dir = tmp();
    let w = World::new(dir.path(), &[]).await;
    let s = &w.store;
    s.create_container(&ctx(), "c").await.unwrap();
    s.put_object(&ctx(), &put("c", "o", b"old")).await.unwrap();

    let first = PutObjectRequest {
        chunk: chunk("c", "o", b"abc", 0, false),
        content_type: None,
        content_encoding: None,
    };
    let stream = s.put_object(&ctx(), &first).await.unwrap().stream_id;
    assert_eq!(stream.as_deref(), Some(format!("{ACTOR}+c+o").as_str()));
    let next = |bytes: &[u8], offset: u64, is_last: bool| PutChunkRequest {
        chunk: chunk("c", "o", bytes, offset, is_last),
        stream_id: stream.clone(),
        cancel_and_remove: false,
    };
    // A chunk at the wrong offset is refused with upstream's text, and the
    // upload goes on.
    let e = s
        .put_chunk(&ctx(), &next(b"zzz", 5, false))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Chunk offset 5 not the same as the expected offset: 3"),
        "{e}"
    );
    s.put_chunk(&ctx(), &next(b"def", 3, false)).await.unwrap();
    // Readers still see the old object.
    assert_eq!(std::fs::read(w.home().join("c/o")).unwrap(), b"old");
    let listed = s.list_objects(&ctx(), &list("c")).await.unwrap();
    assert_eq!(listed.objects.len(), 1);
    s.put_chunk(&ctx(), &next(b"g", 6, true)).await.unwrap();
    assert_eq!(std::fs::read(w.home().join("c/o")).unwrap(), b"abcdefg");
    // The stream is over.
    let e = s.put_chunk(&ctx(), &next(b"h", 7, true)).await.unwrap_err();
    assert!(e.to_string().contains("no upload in progress"), "{e}");

    // Cancelled: the object stays as it was and nothing is left behind.
    let stream = s.put_object(&ctx(), &first).await.unwrap().stream_id;
    s.put_chunk(
        &ctx(),
        &PutChunkRequest {
            chunk: chunk("c", "o", b"", 3, false),
            stream_id: stream,
            cancel_and_remove: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(w.home().join("c/o")).unwrap(), b"abcdefg");
    assert_eq!(leftover_uploads(dir.path()), 0);

    // An upload into a missing container fails up front.
    let e = s
        .put_object(&ctx(), &put("nope", "o", b"x"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("container nope not found"), "{e}");

    // An upload abandoned when the link goes is removed with it.
    s.put_object(&ctx(), &first).await.unwrap();
    assert_eq!(leftover_uploads(dir.path()), 1);
    weld_rpc::provider::Provider::delete_link(&*w.provider, &w.link).await;
    assert_eq!(leftover_uploads(dir.path()), 0);
}

fn leftover_uploads(root: &Path) -> usize {
    std::fs::read_dir(root.join(".weld-uploads"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn downloads_stream_the_rest_to_the_actor_chunk_by_chunk() {
    let dir = tmp();
    let w = World::new(dir.path(), &[("chunk_size", "4k")]).await;
    let s = &w.store;
    s.create_container(&ctx(), "c").await.unwrap();
    let data: Vec<u8> = (0..10_003u32).map(|i| (i % 251) as u8).collect();
    s.put_object(&ctx(), &put("c", "big", &data)).await.unwrap();

    let r = s.get_object(&ctx(), &get("c", "big", None)).await.unwrap();
    assert_eq!(r.content_length, 10_003);
    let first = r.initial_chunk.unwrap();
    assert_eq!(
        (first.bytes.len(), first.offset, first.is_last),
        (4096, 0, false)
    );
    w.actor.wait_chunks(2).await;
    let got = std::mem::take(&mut *w.actor.received.lock().unwrap());
    assert_eq!(got.chunks, [(4096, 4096, false), (8192, 1811, true)]);
    let mut all = first.bytes;
    all.extend(got.bytes);
    assert_eq!(all, data);

    // A range streams only the range, offsets absolute.
    let r = s
        .get_object(&ctx(), &get("c", "big", Some((100, 8291))))
        .await
        .unwrap();
    assert_eq!(r.content_length, 8192);
    let first = r.initial_chunk.unwrap();
    assert_eq!((first.offset, first.bytes.len()), (100, 4096));
    w.actor.wait_chunks(1).await;
    let got = std::mem::take(&mut *w.actor.received.lock().unwrap());
    assert_eq!(got.chunks, [(4196, 4096, true)]);
    assert_eq!(got.bytes, data[4196..8292]);

    // The actor can stop a download.
    let mut cancelling = World::new(dir.path(), &[("chunk_size", "4k")]).await;
    cancelling.actor.cancel_after = Some(1);
    let linked = cancelling.actor.clone();
    weld_rpc::provider::Provider::put_link(
        &*cancelling.provider,
        &cancelling.link,
        std::sync::Arc::new(linked),
    )
    .await
    .unwrap();
    let big: Vec<u8> = vec![7; 40_000];
    cancelling
        .store
        .put_object(&ctx(), &put("c", "bigger", &big))
        .await
        .unwrap();
    cancelling
        .store
        .get_object(&ctx(), &get("c", "bigger", None))
        .await
        .unwrap();
    cancelling.actor.wait_chunks(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(cancelling.actor.received.lock().unwrap().chunks.len(), 1);
}

#[tokio::test]
async fn settings_are_checked() {
    let dir = tmp();
    let ctx = weld_rpc::provider::ProviderContext {
        provider_id: "V".into(),
        name: "blobstore-fs".into(),
        link_name: "default".into(),
        config: Default::default(),
        data_dir: dir.path().join("data"),
        lattice: None,
    };
    let p = weld_provider_blobstore_fs::FsBlobstoreProvider::new(ctx);
    let values = |pairs: &[(&str, &str)]| -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // Any case of ROOT works (upstream read `ROOT` only, and its own
    // tests' `root` was silently ignored).
    let (root, chunk) = p.settings(&values(&[("root", "/srv/blobs")])).unwrap();
    assert_eq!((root.to_str().unwrap(), chunk), ("/srv/blobs", 512 * 1024));
    let (root, _) = p.settings(&values(&[("Root", "blobs")])).unwrap();
    assert_eq!(root, dir.path().join("data/blobs"));
    let (root, _) = p.settings(&values(&[])).unwrap();
    assert_eq!(root, dir.path().join("data/blobstore-fs"));
    assert_eq!(
        p.settings(&values(&[("chunk_size", "1m")])).unwrap().1,
        1 << 20
    );
    for (k, v, why) in [
        ("ROOT", "", "empty value"),
        ("chunk_size", "lots", "unknown size suffix"),
        ("chunk_size", "1", "must be between"),
        ("chunk_size", "1g", "must be between"),
        ("rooot", "/x", "did you mean `ROOT`"),
    ] {
        let e = p.settings(&values(&[(k, v)])).unwrap_err();
        assert!(e.to_string().contains(why), "{k}={v}: {e}");
    }
}
