//! The lattice: hosts, providers and control clients joined through NATS,
//! compatible with wasmCloud 0.x (see `shared/spec/lattice.md`).
//!
//! NATS and JetStream are the only distributed engine here: membership is
//! who answers `ping.hosts`, work sharing is NATS queue groups, and shared
//! state (link definitions, claims) is the JetStream KV bucket
//! `LATTICEDATA_{lattice}`. Nothing is home-made.
//!
//! Rooms:
//! - [`subjects`]: every NATS subject and KV key, in one place;
//! - [`ctl`]: the JSON payloads of the control interface;
//! - [`client`]: a control client (used by `host-min ctl` and tests);
//! - [`ctl_cli`]: the `host-min ctl` subcommand;
//! - [`kv`]: the link and claims store on JetStream KV, with its watch;
//! - [`rpc`]: invocations to and from other processes (signed JWTs, chunking);
//! - [`events`]: CloudEvents on `wasmbus.evt.{lattice}`;
//! - [`server`]: the control interface a host answers;
//! - [`process`]: providers as supervised child processes.

pub mod client;
pub mod ctl;
pub mod ctl_cli;
pub mod events;
pub mod kv;
pub mod process;
pub mod rpc;
pub mod server;
pub mod subjects;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Default lattice prefix, as upstream.
pub const DEFAULT_LATTICE: &str = "default";

/// Default NATS URL.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// How a host joins a lattice.
#[derive(Debug, Clone, Default)]
pub struct LatticeConfig {
    /// NATS server URL, e.g. `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// Lattice prefix (`default` when empty).
    pub lattice: String,
    /// NATS credentials file (JWT + seed), if the server wants one.
    pub creds_file: Option<PathBuf>,
    /// NATS nkey seed (`SU...`) of an nkey user, if the server wants one.
    pub nkey_seed: Option<String>,
    /// Cluster seed (`SC...`) this host signs invocations with. Hosts of one
    /// lattice share it; a fresh one is made when none is given.
    pub cluster_seed: Option<String>,
    /// Cluster issuers (`C...`) whose invocations this host accepts, besides
    /// its own cluster key.
    pub cluster_issuers: Vec<String>,
    /// Host labels (besides the `hostcore.*` ones).
    pub labels: BTreeMap<String, String>,
    /// Friendly name (made up when empty).
    pub friendly_name: Option<String>,
    /// JetStream domain, if the lattice uses one.
    pub js_domain: Option<String>,
}

impl LatticeConfig {
    /// The lattice prefix, `default` when none was set.
    pub fn prefix(&self) -> &str {
        if self.lattice.is_empty() {
            DEFAULT_LATTICE
        } else {
            &self.lattice
        }
    }

    /// The NATS URL, [`DEFAULT_NATS_URL`] when none was set.
    pub fn url(&self) -> &str {
        if self.nats_url.is_empty() {
            DEFAULT_NATS_URL
        } else {
            &self.nats_url
        }
    }
}
