//! A blobstore-fs provider driven as a host drives it: requests encoded by
//! the generated `BlobstoreSender` (CBOR, protocol "2") into
//! `Provider::handle`, and `ReceiveChunk` callbacks decoded by the generated
//! `ChunkReceiverReceiver` into a recording actor.

#![allow(dead_code, unused_imports)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use weld_interface_blobstore::BlobstoreSender;
use weld_provider_blobstore_fs::FsBlobstoreProvider;
use weld_rpc::core::LinkDefinition;
use weld_rpc::provider::{ActorOrigin, Provider, ProviderClient, ProviderContext};

mod actor;
pub use actor::{chunk, co, ctx, get, put, Actor, Received};

pub const ACTOR: &str = "MBLOBBYACTOR";

/// A provider linked to [`ACTOR`] with `values` (plus `ROOT` = `root`).
pub struct World {
    pub provider: Arc<FsBlobstoreProvider>,
    pub store: BlobstoreSender<ProviderClient>,
    pub actor: Actor,
    pub root: PathBuf,
    pub link: LinkDefinition,
}

impl World {
    pub async fn new(root: &Path, values: &[(&str, &str)]) -> World {
        Self::with_actor(root, values, ACTOR).await
    }

    pub async fn with_actor(root: &Path, values: &[(&str, &str)], actor_id: &str) -> World {
        let provider = Arc::new(FsBlobstoreProvider::new(ProviderContext {
            provider_id: "VBLOBSTOREFS".into(),
            name: "blobstore-fs".into(),
            link_name: "default".into(),
            config: HashMap::new(),
            data_dir: root.join("data"),
            lattice: None,
        }));
        let mut map: HashMap<String, String> = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.insert("ROOT".into(), root.display().to_string());
        let link = LinkDefinition {
            actor_id: actor_id.into(),
            provider_id: "VBLOBSTOREFS".into(),
            link_name: "default".into(),
            contract_id: "wasmcloud:blobstore".into(),
            values: map,
        };
        let actor = Actor {
            received: Arc::default(),
            keep_bytes: true,
            cancel_after: None,
        };
        provider
            .put_link(&link, Arc::new(actor.clone()))
            .await
            .expect("link accepted");
        let store = BlobstoreSender::via(ProviderClient {
            provider: provider.clone(),
            origin: ActorOrigin {
                actor_id: actor_id.into(),
                link_name: "default".into(),
            },
        });
        World {
            provider,
            store,
            actor,
            root: root.to_path_buf(),
            link,
        }
    }

    /// The actor's folder.
    pub fn home(&self) -> PathBuf {
        self.root.join(&self.link.actor_id)
    }
}
