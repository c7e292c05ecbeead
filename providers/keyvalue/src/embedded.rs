//! The embedded keyvalue store: one redb file, Redis semantics, durable
//! acknowledgements.
//!
//! # Layout
//! | table | key | value |
//! |---|---|---|
//! | `kv_meta` | key | (kind, aux): string -> expiry (ms since epoch, 0 = none), list -> length, set -> cardinality |
//! | `kv_strings` | key | string value |
//! | `kv_lists` | (key, index) | item; indices are always `0..length`, no gaps |
//! | `kv_sets` | (key, member) | () |
//! | `kv_expiry` | (expiry ms, key) | () — index used to reclaim expired keys |
//!
//! # Durability and concurrency
//! Reads run directly on an MVCC read transaction and never wait for writers.
//! Writes go to one writer thread that applies every queued operation in a
//! single transaction and commits it with [`redb::Durability::Immediate`]
//! (fsync) *before* any of them is answered: an acknowledged write survives a
//! crash or `kill -9`, and concurrent writers share one fsync (group commit)
//! instead of queueing for one each. Because a single thread applies writes
//! in order, read-modify-write operations such as `Increment` never lose
//! updates.
//!
//! Expired strings are invisible from the moment they expire; their space is
//! reclaimed when the key is next written or by the writer thread's periodic
//! sweep of `kv_expiry`.

use crate::{resolve_range, store_setting, KvError, KvStore, CONTRACT_ID};
use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot, Mutex as AsyncMutex};
use weld_rpc::provider::lifecycle::{
    ActorLink, ActorOrigin, LinkDefinition, Message, Provider, ProviderContext, ProviderError,
    RpcResult, Setting,
};
use weld_rpc::provider::PerLink;

const META: TableDefinition<&str, (u8, u64)> = TableDefinition::new("kv_meta");
const STRINGS: TableDefinition<&str, &str> = TableDefinition::new("kv_strings");
const LISTS: TableDefinition<(&str, u64), &str> = TableDefinition::new("kv_lists");
const SETS: TableDefinition<(&str, &str), ()> = TableDefinition::new("kv_sets");
const EXPIRY: TableDefinition<(u64, &str), ()> = TableDefinition::new("kv_expiry");

const KIND_STRING: u8 = 1;
const KIND_LIST: u8 = 2;
const KIND_SET: u8 = 3;

/// Most operations applied in one transaction; bounds the latency a single
/// commit adds to the first operation of a batch.
const MAX_BATCH: usize = 1024;
/// Queue depth in front of the writer; senders wait (back-pressure) beyond it.
const QUEUE_DEPTH: usize = 8192;
/// How often an idle writer looks for expired keys to reclaim.
const SWEEP_INTERVAL: Duration = Duration::from_secs(1);
/// Most expired keys reclaimed per transaction.
const SWEEP_LIMIT: usize = 256;

macro_rules! storage_error {
    ($($t:ty),*) => {$(
        impl From<$t> for KvError {
            fn from(e: $t) -> Self {
                KvError::Storage(e.into())
            }
        }
    )*};
}
storage_error!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// What a key holds, read from `kv_meta`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    Str { expires_at: u64 },
    List { len: u64 },
    Set { card: u64 },
}

impl Entry {
    fn from_raw(key: &str, (kind, aux): (u8, u64)) -> Result<Entry, KvError> {
        match kind {
            KIND_STRING => Ok(Entry::Str { expires_at: aux }),
            KIND_LIST => Ok(Entry::List { len: aux }),
            KIND_SET => Ok(Entry::Set { card: aux }),
            other => Err(KvError::Corrupt(format!(
                "key {key:?} has unknown kind {other}"
            ))),
        }
    }

    fn raw(self) -> (u8, u64) {
        match self {
            Entry::Str { expires_at } => (KIND_STRING, expires_at),
            Entry::List { len } => (KIND_LIST, len),
            Entry::Set { card } => (KIND_SET, card),
        }
    }

    fn expired(self, now: u64) -> bool {
        matches!(self, Entry::Str { expires_at } if expires_at != 0 && expires_at <= now)
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Reads the live entry of `key` from any table implementation (read or write
/// transaction); expired strings count as absent.
fn lookup<T>(meta: &T, key: &str, now: u64) -> Result<Option<Entry>, KvError>
where
    T: ReadableTable<&'static str, (u8, u64)>,
{
    match meta.get(key)? {
        None => Ok(None),
        Some(raw) => {
            let entry = Entry::from_raw(key, raw.value())?;
            Ok(if entry.expired(now) {
                None
            } else {
                Some(entry)
            })
        }
    }
}

/// Members of set `key`, in byte order.
fn members<T>(sets: &T, key: &str) -> Result<Vec<String>, KvError>
where
    T: ReadableTable<(&'static str, &'static str), ()>,
{
    let mut out = Vec::new();
    for item in sets.range((key, "")..)? {
        let (k, _) = item?;
        let (name, member) = k.value();
        if name != key {
            break;
        }
        out.push(member.to_string());
    }
    Ok(out)
}

/// Redis' integer syntax for `INCRBY`: optional `-`, digits, no `+`, no
/// spaces, no leading zeros (except "0").
fn parse_redis_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
        || s == "-0"
    {
        return None;
    }
    s.parse().ok()
}

/// The tables of one write transaction.
struct Tables<'t> {
    meta: redb::Table<'t, &'static str, (u8, u64)>,
    strings: redb::Table<'t, &'static str, &'static str>,
    lists: redb::Table<'t, (&'static str, u64), &'static str>,
    sets: redb::Table<'t, (&'static str, &'static str), ()>,
    expiry: redb::Table<'t, (u64, &'static str), ()>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t redb::WriteTransaction) -> Result<Self, KvError> {
        Ok(Tables {
            meta: txn.open_table(META)?,
            strings: txn.open_table(STRINGS)?,
            lists: txn.open_table(LISTS)?,
            sets: txn.open_table(SETS)?,
            expiry: txn.open_table(EXPIRY)?,
        })
    }

    /// Like [`lookup`], but physically removes a key found expired.
    fn live(&mut self, key: &str, now: u64) -> Result<Option<Entry>, KvError> {
        let raw = match self.meta.get(key)? {
            None => return Ok(None),
            Some(raw) => raw.value(),
        };
        let entry = Entry::from_raw(key, raw)?;
        if entry.expired(now) {
            self.remove(key, entry)?;
            return Ok(None);
        }
        Ok(Some(entry))
    }

    /// Removes `key` and everything it holds.
    fn remove(&mut self, key: &str, entry: Entry) -> Result<(), KvError> {
        match entry {
            Entry::Str { expires_at } => {
                self.strings.remove(key)?;
                if expires_at != 0 {
                    self.expiry.remove((expires_at, key))?;
                }
            }
            Entry::List { len } => {
                for i in 0..len {
                    self.lists.remove((key, i))?;
                }
            }
            Entry::Set { .. } => {
                for m in members(&self.sets, key)? {
                    self.sets.remove((key, m.as_str()))?;
                }
            }
        }
        self.meta.remove(key)?;
        Ok(())
    }

    fn put_meta(&mut self, key: &str, entry: Entry) -> Result<(), KvError> {
        self.meta.insert(key, entry.raw())?;
        Ok(())
    }

    fn apply(&mut self, op: &WriteOp, now: u64) -> Result<WriteOut, KvError> {
        match op {
            WriteOp::Increment { key, delta } => {
                let (current, expires_at) = match self.live(key, now)? {
                    None => (0i64, 0),
                    Some(Entry::Str { expires_at }) => {
                        let text = self
                            .strings
                            .get(key.as_str())?
                            .map(|v| v.value().to_string());
                        let n = text
                            .as_deref()
                            .and_then(parse_redis_int)
                            .ok_or(KvError::NotAnInteger)?;
                        (n, expires_at)
                    }
                    Some(_) => return Err(KvError::WrongType),
                };
                let next = current
                    .checked_add(*delta as i64)
                    .ok_or(KvError::Overflow)?;
                // The reply is an i32: refuse (and store nothing) rather than
                // store a value the caller can never read back.
                let reply = i32::try_from(next).map_err(|_| KvError::Overflow)?;
                self.strings
                    .insert(key.as_str(), next.to_string().as_str())?;
                self.put_meta(key, Entry::Str { expires_at })?;
                Ok(WriteOut::I32(reply))
            }
            WriteOp::Del { key } => match self.live(key, now)? {
                Some(entry) => {
                    self.remove(key, entry)?;
                    Ok(WriteOut::Bool(true))
                }
                None => Ok(WriteOut::Bool(false)),
            },
            WriteOp::Set {
                key,
                value,
                expires,
            } => {
                if let Some(entry) = self.live(key, now)? {
                    self.remove(key, entry)?;
                }
                let expires_at = if *expires == 0 {
                    0
                } else {
                    now + u64::from(*expires) * 1000
                };
                self.strings.insert(key.as_str(), value.as_str())?;
                self.put_meta(key, Entry::Str { expires_at })?;
                if expires_at != 0 {
                    self.expiry.insert((expires_at, key.as_str()), ())?;
                }
                Ok(WriteOut::Unit)
            }
            WriteOp::ListAdd { list, value } => {
                let len = match self.live(list, now)? {
                    None => 0,
                    Some(Entry::List { len }) => len,
                    Some(_) => return Err(KvError::WrongType),
                };
                self.lists.insert((list.as_str(), len), value.as_str())?;
                self.put_meta(list, Entry::List { len: len + 1 })?;
                Ok(WriteOut::U32(u32::try_from(len + 1).unwrap_or(u32::MAX)))
            }
            WriteOp::ListDel { list, value } => {
                let len = match self.live(list, now)? {
                    None => return Ok(WriteOut::Bool(false)),
                    Some(Entry::List { len }) => len,
                    Some(_) => return Err(KvError::WrongType),
                };
                // LREM list 1 value: the first occurrence from the head.
                let mut found = None;
                for item in self.lists.range((list.as_str(), 0)..(list.as_str(), len))? {
                    let (k, v) = item?;
                    if v.value() == value {
                        found = Some(k.value().1);
                        break;
                    }
                }
                let Some(at) = found else {
                    return Ok(WriteOut::Bool(false));
                };
                // Shift the tail down one place so indices stay 0..len.
                let mut tail = Vec::new();
                for item in self
                    .lists
                    .range((list.as_str(), at + 1)..(list.as_str(), len))?
                {
                    tail.push(item?.1.value().to_string());
                }
                for (i, v) in tail.iter().enumerate() {
                    self.lists
                        .insert((list.as_str(), at + i as u64), v.as_str())?;
                }
                self.lists.remove((list.as_str(), len - 1))?;
                if len == 1 {
                    self.meta.remove(list.as_str())?;
                } else {
                    self.put_meta(list, Entry::List { len: len - 1 })?;
                }
                Ok(WriteOut::Bool(true))
            }
            WriteOp::SetAdd { set, value } => {
                let card = match self.live(set, now)? {
                    None => 0,
                    Some(Entry::Set { card }) => card,
                    Some(_) => return Err(KvError::WrongType),
                };
                if self.sets.get((set.as_str(), value.as_str()))?.is_some() {
                    return Ok(WriteOut::U32(0));
                }
                self.sets.insert((set.as_str(), value.as_str()), ())?;
                self.put_meta(set, Entry::Set { card: card + 1 })?;
                Ok(WriteOut::U32(1))
            }
            WriteOp::SetDel { set, value } => {
                let card = match self.live(set, now)? {
                    None => return Ok(WriteOut::U32(0)),
                    Some(Entry::Set { card }) => card,
                    Some(_) => return Err(KvError::WrongType),
                };
                if self.sets.remove((set.as_str(), value.as_str()))?.is_none() {
                    return Ok(WriteOut::U32(0));
                }
                if card <= 1 {
                    self.meta.remove(set.as_str())?;
                } else {
                    self.put_meta(set, Entry::Set { card: card - 1 })?;
                }
                Ok(WriteOut::U32(1))
            }
        }
    }

    /// Reclaims up to `limit` keys whose expiry has passed.
    fn sweep(&mut self, now: u64, limit: usize) -> Result<usize, KvError> {
        let mut due = Vec::new();
        for item in self.expiry.range(..=(now, "\u{10ffff}"))? {
            let (k, _) = item?;
            let (at, key) = k.value();
            if at > now || due.len() >= limit {
                break;
            }
            due.push((at, key.to_string()));
        }
        for (at, key) in &due {
            self.expiry.remove((*at, key.as_str()))?;
            // Only remove the key if this index entry is still its expiry (a
            // later Set may have replaced it).
            let current = self.meta.get(key.as_str())?.map(|r| r.value());
            if current == Some((KIND_STRING, *at)) {
                self.strings.remove(key.as_str())?;
                self.meta.remove(key.as_str())?;
            }
        }
        Ok(due.len())
    }
}

/// A mutation, queued for the writer thread.
#[derive(Debug)]
enum WriteOp {
    Increment {
        key: String,
        delta: i32,
    },
    Del {
        key: String,
    },
    Set {
        key: String,
        value: String,
        expires: u32,
    },
    ListAdd {
        list: String,
        value: String,
    },
    ListDel {
        list: String,
        value: String,
    },
    SetAdd {
        set: String,
        value: String,
    },
    SetDel {
        set: String,
        value: String,
    },
}

/// A mutation's result.
#[derive(Debug)]
enum WriteOut {
    I32(i32),
    Bool(bool),
    U32(u32),
    Unit,
}

struct Job {
    op: WriteOp,
    reply: oneshot::Sender<Result<WriteOut, KvError>>,
}

/// A durable key-value store in one redb file. Cheap to share behind an
/// `Arc`; all methods take `&self`.
pub struct EmbeddedStore {
    db: Arc<Database>,
    path: PathBuf,
    queue: Option<mpsc::Sender<Job>>,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("path", &self.path)
            .finish()
    }
}

impl EmbeddedStore {
    /// Opens (or creates) the store at `path`, creating parent directories.
    /// This does blocking file I/O; call it from a blocking context (or
    /// `spawn_blocking`) inside async code. A file can be open once per
    /// process: a second open of the same path fails until the first store
    /// is closed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, KvError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| KvError::Storage(redb::StorageError::from(e).into()))?;
        }
        let db = Database::create(&path)?;
        // Create every table up front so read transactions can always open
        // them (redb refuses to open a missing table for reading).
        let txn = db.begin_write()?;
        drop(Tables::open(&txn)?);
        txn.commit()?;

        let db = Arc::new(db);
        let (queue, jobs) = mpsc::channel(QUEUE_DEPTH);
        let writer_db = Arc::clone(&db);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| KvError::Storage(redb::StorageError::from(e).into()))?;
        let writer = std::thread::Builder::new()
            .name(format!("kv-writer:{}", path.display()))
            .spawn(move || writer_loop(&writer_db, jobs, rt))
            .map_err(|e| KvError::Storage(redb::StorageError::from(e).into()))?;
        Ok(EmbeddedStore {
            db,
            path,
            queue: Some(queue),
            writer: Some(writer),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finishes queued writes, stops the writer and closes the file, so the
    /// same path can be opened again.
    pub async fn close(mut self) {
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        }
    }

    async fn write(&self, op: WriteOp) -> Result<WriteOut, KvError> {
        let queue = self.queue.as_ref().ok_or(KvError::Closed)?;
        let (reply, answer) = oneshot::channel();
        queue
            .send(Job { op, reply })
            .await
            .map_err(|_| KvError::Closed)?;
        answer.await.map_err(|_| KvError::Closed)?
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&redb::ReadTransaction, u64) -> Result<T, KvError>,
    ) -> Result<T, KvError> {
        // Reads are short B-tree lookups on redb's page cache; running them
        // inline avoids a thread hop per call.
        let txn = self.db.begin_read()?;
        f(&txn, now_ms())
    }

    fn read_set_kind(
        meta: &redb::ReadOnlyTable<&'static str, (u8, u64)>,
        key: &str,
        now: u64,
    ) -> Result<bool, KvError> {
        match lookup(meta, key, now)? {
            None => Ok(false),
            Some(Entry::Set { .. }) => Ok(true),
            Some(_) => Err(KvError::WrongType),
        }
    }
}

impl Drop for EmbeddedStore {
    fn drop(&mut self) {
        // Closing the queue lets the writer drain what is queued and exit on
        // its own; `close` is the way to wait for that.
        self.queue.take();
    }
}

/// The writer thread: batches queued operations into one durable commit.
fn writer_loop(db: &Database, mut jobs: mpsc::Receiver<Job>, rt: tokio::runtime::Runtime) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut last_sweep = std::time::Instant::now();
    loop {
        if batch.is_empty() {
            // Block for the first job, waking up now and then to sweep.
            let first = match jobs.try_recv() {
                Ok(job) => Some(job),
                Err(mpsc::error::TryRecvError::Disconnected) => return,
                Err(mpsc::error::TryRecvError::Empty) => {
                    match recv_timeout(&rt, &mut jobs, SWEEP_INTERVAL) {
                        Recv::Job(job) => Some(job),
                        Recv::Closed => return,
                        Recv::Timeout => None,
                    }
                }
            };
            match first {
                Some(job) => batch.push(job),
                None => {
                    if let Err(e) = sweep_if_due(db) {
                        tracing::warn!(error = %e, "expired-key sweep failed");
                    }
                    last_sweep = std::time::Instant::now();
                    continue;
                }
            }
        }
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let sweep = last_sweep.elapsed() >= SWEEP_INTERVAL;
        if sweep {
            last_sweep = std::time::Instant::now();
        }
        run_batch(db, &mut batch, sweep);
    }
}

enum Recv {
    Job(Job),
    Closed,
    Timeout,
}

/// Waits up to `timeout` for a job. The writer thread owns a tiny
/// current-thread runtime just for this timer, so an idle writer sleeps
/// instead of polling.
fn recv_timeout(
    rt: &tokio::runtime::Runtime,
    jobs: &mut mpsc::Receiver<Job>,
    timeout: Duration,
) -> Recv {
    match rt.block_on(async { tokio::time::timeout(timeout, jobs.recv()).await }) {
        Ok(Some(job)) => Recv::Job(job),
        Ok(None) => Recv::Closed,
        Err(_) => Recv::Timeout,
    }
}

/// Applies `batch` in one transaction, commits, then answers every job.
fn run_batch(db: &Database, batch: &mut Vec<Job>, sweep: bool) {
    let now = now_ms();
    let outcome = (|| -> Result<Vec<Result<WriteOut, KvError>>, KvError> {
        let txn = db.begin_write()?;
        let mut results = Vec::with_capacity(batch.len());
        {
            let mut tables = Tables::open(&txn)?;
            if sweep {
                tables.sweep(now, SWEEP_LIMIT)?;
            }
            for job in batch.iter() {
                match tables.apply(&job.op, now) {
                    // A storage failure leaves the transaction in an unknown
                    // state: abandon the whole batch (nothing is committed).
                    Err(e @ KvError::Storage(_)) => return Err(e),
                    other => results.push(other),
                }
            }
        }
        txn.commit()?;
        Ok(results)
    })();
    match outcome {
        Ok(results) => {
            for (job, result) in batch.drain(..).zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, ops = batch.len(), "keyvalue batch not committed");
            let text = e.to_string();
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(KvError::CommitFailed(text.clone())));
            }
        }
    }
}

/// Runs a sweep transaction only when some key is due, so an idle store does
/// not fsync every second.
fn sweep_if_due(db: &Database) -> Result<(), KvError> {
    let now = now_ms();
    let due = {
        let txn = db.begin_read()?;
        let expiry = txn.open_table(EXPIRY)?;
        let first = expiry.first()?;
        matches!(first, Some((k, _)) if k.value().0 <= now)
    };
    if due {
        let txn = db.begin_write()?;
        Tables::open(&txn)?.sweep(now, SWEEP_LIMIT)?;
        txn.commit()?;
    }
    Ok(())
}

fn unexpected(out: WriteOut) -> KvError {
    KvError::Corrupt(format!("writer answered with {out:?}"))
}

#[async_trait]
impl KvStore for EmbeddedStore {
    async fn increment(&self, key: &str, delta: i32) -> Result<i32, KvError> {
        match self
            .write(WriteOp::Increment {
                key: key.into(),
                delta,
            })
            .await?
        {
            WriteOut::I32(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    async fn contains(&self, key: &str) -> Result<bool, KvError> {
        self.read(|txn, now| Ok(lookup(&txn.open_table(META)?, key, now)?.is_some()))
    }

    async fn del(&self, key: &str) -> Result<bool, KvError> {
        match self.write(WriteOp::Del { key: key.into() }).await? {
            WriteOut::Bool(b) => Ok(b),
            other => Err(unexpected(other)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.read(|txn, now| match lookup(&txn.open_table(META)?, key, now)? {
            None => Ok(None),
            Some(Entry::Str { .. }) => {
                let strings = txn.open_table(STRINGS)?;
                let value = strings.get(key)?.map(|v| v.value().to_string());
                Ok(Some(value.ok_or_else(|| {
                    KvError::Corrupt(format!("key {key:?} has no string value"))
                })?))
            }
            Some(_) => Err(KvError::WrongType),
        })
    }

    async fn list_add(&self, list: &str, value: &str) -> Result<u32, KvError> {
        match self
            .write(WriteOp::ListAdd {
                list: list.into(),
                value: value.into(),
            })
            .await?
        {
            WriteOut::U32(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    async fn list_clear(&self, list: &str) -> Result<bool, KvError> {
        self.del(list).await
    }

    async fn list_del(&self, list: &str, value: &str) -> Result<bool, KvError> {
        match self
            .write(WriteOp::ListDel {
                list: list.into(),
                value: value.into(),
            })
            .await?
        {
            WriteOut::Bool(b) => Ok(b),
            other => Err(unexpected(other)),
        }
    }

    async fn list_range(&self, list: &str, start: i32, stop: i32) -> Result<Vec<String>, KvError> {
        self.read(|txn, now| {
            let len = match lookup(&txn.open_table(META)?, list, now)? {
                None => return Ok(Vec::new()),
                Some(Entry::List { len }) => len,
                Some(_) => return Err(KvError::WrongType),
            };
            let Some((first, last)) = resolve_range(len, start, stop) else {
                return Ok(Vec::new());
            };
            let lists = txn.open_table(LISTS)?;
            let mut out = Vec::with_capacity((last - first + 1) as usize);
            for item in lists.range((list, first)..=(list, last))? {
                out.push(item?.1.value().to_string());
            }
            Ok(out)
        })
    }

    async fn set(&self, key: &str, value: &str, expires: u32) -> Result<(), KvError> {
        match self
            .write(WriteOp::Set {
                key: key.into(),
                value: value.into(),
                expires,
            })
            .await?
        {
            WriteOut::Unit => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    async fn set_add(&self, set: &str, value: &str) -> Result<u32, KvError> {
        match self
            .write(WriteOp::SetAdd {
                set: set.into(),
                value: value.into(),
            })
            .await?
        {
            WriteOut::U32(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    async fn set_del(&self, set: &str, value: &str) -> Result<u32, KvError> {
        match self
            .write(WriteOp::SetDel {
                set: set.into(),
                value: value.into(),
            })
            .await?
        {
            WriteOut::U32(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    async fn set_intersection(&self, sets: &[String]) -> Result<Vec<String>, KvError> {
        if sets.is_empty() {
            return Err(KvError::InvalidArgument(
                "wrong number of arguments for 'sinter' command".into(),
            ));
        }
        self.read(|txn, now| {
            let meta = txn.open_table(META)?;
            // Type-check every key first, as Redis does, then intersect.
            let mut all_exist = true;
            for key in sets {
                all_exist &= Self::read_set_kind(&meta, key, now)?;
            }
            if !all_exist {
                return Ok(Vec::new());
            }
            let table = txn.open_table(SETS)?;
            let mut acc: BTreeSet<String> = members(&table, &sets[0])?.into_iter().collect();
            for key in &sets[1..] {
                let other: BTreeSet<String> = members(&table, key)?.into_iter().collect();
                acc.retain(|m| other.contains(m));
                if acc.is_empty() {
                    break;
                }
            }
            Ok(acc.into_iter().collect())
        })
    }

    async fn set_query(&self, set: &str) -> Result<Vec<String>, KvError> {
        self.read(|txn, now| {
            if !Self::read_set_kind(&txn.open_table(META)?, set, now)? {
                return Ok(Vec::new());
            }
            members(&txn.open_table(SETS)?, set)
        })
    }

    async fn set_union(&self, sets: &[String]) -> Result<Vec<String>, KvError> {
        if sets.is_empty() {
            return Err(KvError::InvalidArgument(
                "wrong number of arguments for 'sunion' command".into(),
            ));
        }
        self.read(|txn, now| {
            let meta = txn.open_table(META)?;
            let mut present = Vec::new();
            for key in sets {
                if Self::read_set_kind(&meta, key, now)? {
                    present.push(key);
                }
            }
            let table = txn.open_table(SETS)?;
            let mut acc = BTreeSet::new();
            for key in present {
                acc.extend(members(&table, key)?);
            }
            Ok(acc.into_iter().collect())
        })
    }

    async fn set_clear(&self, set: &str) -> Result<bool, KvError> {
        self.del(set).await
    }
}

// ---------------------------------------------------------------------------
// The provider: which file each link uses.
// ---------------------------------------------------------------------------

/// One file's entry: the open store (once opened) and the number of links
/// holding it.
#[derive(Default)]
struct OpenFile {
    store: Option<Arc<EmbeddedStore>>,
    links: usize,
}

/// Files open in this process, shared by every link (of any provider
/// instance) that names them: redb allows one open per file and process.
///
/// The map itself is behind a plain mutex held only to find or add an
/// entry (never across an await); each file has its own async lock, held
/// while it opens or closes. A slow open (redb recovering a large file, or
/// waiting for a store still closing) thus delays only links to that file,
/// never links to other files, health checks or shutdown.
static OPEN_FILES: LazyLock<std::sync::Mutex<HashMap<PathBuf, Arc<AsyncMutex<OpenFile>>>>> =
    LazyLock::new(Default::default);

/// The lock of `path`'s entry, created when absent.
fn file_entry(path: &Path) -> Arc<AsyncMutex<OpenFile>> {
    let mut files = OPEN_FILES.lock().unwrap_or_else(|p| p.into_inner());
    Arc::clone(files.entry(path.to_path_buf()).or_default())
}

/// Opens `path` for one more link, or shares the store already open.
async fn acquire(path: &Path) -> Result<Arc<EmbeddedStore>, KvError> {
    let entry = file_entry(path);
    let mut file = entry.lock().await;
    if let Some(store) = file.store.clone() {
        file.links += 1;
        return Ok(store);
    }
    let mut attempt = 0;
    let store = loop {
        let p = path.to_path_buf();
        let result = tokio::task::spawn_blocking(move || EmbeddedStore::open(p))
            .await
            .map_err(|e| KvError::CommitFailed(format!("open task failed: {e}")))?;
        match result {
            // A store released while a call was still running closes a
            // moment later; wait for it rather than fail the link.
            Err(KvError::Storage(redb::Error::DatabaseAlreadyOpen)) if attempt < 40 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => break Arc::new(other?),
        }
    };
    file.store = Some(Arc::clone(&store));
    file.links = 1;
    Ok(store)
}

/// Gives back one link's hold on `path`; the last one closes the file.
async fn release(path: &Path) {
    let entry = file_entry(path);
    let mut file = entry.lock().await;
    if file.store.is_none() {
        return;
    }
    file.links -= 1;
    if file.links > 0 {
        return;
    }
    let store = file.store.take().expect("checked above");
    // Closing happens under this file's lock, so a new open of the same
    // file waits for it; other files are not held up.
    match Arc::try_unwrap(store) {
        Ok(store) => store.close().await,
        // A call is still using it: it closes when that call finishes.
        Err(store) => drop(store),
    }
}

/// Link / config keys naming the store file.
const PATH_KEY: &str = "path";
/// Link / config key naming a directory; the file is `keyvalue.redb` in it.
const DIR_KEY: &str = "data_dir";
/// File name used inside a `data_dir`.
const FILE_NAME: &str = "keyvalue.redb";
/// The keys this provider reads (any case).
pub const SETTING_KEYS: &[&str] = &[PATH_KEY, DIR_KEY];

/// The embedded `wasmcloud:keyvalue` provider.
///
/// Which file a link uses, first match wins:
/// 1. link value `path` (a file) or `data_dir` (a directory holding
///    `keyvalue.redb`);
/// 2. the same keys in the provider's manifest config;
/// 3. `<host data dir>/keyvalue/<link name>.redb`.
///
/// Relative paths are relative to the host's data directory, and every
/// store file must lie inside it: an absolute path elsewhere, a `..` that
/// climbs out, or a symbolic link pointing out is refused (a link value must
/// not let whoever puts links read or clobber arbitrary files). Keys are
/// read case-insensitively. Links naming the same file share it (and its
/// keys).
pub struct EmbeddedKvProvider {
    ctx: ProviderContext,
    links: PerLink<EmbeddedStore>,
    /// File of each link, to release it on delete.
    files: std::sync::Mutex<HashMap<(String, String), PathBuf>>,
}

impl EmbeddedKvProvider {
    /// A provider for `ctx`; opens nothing until a link arrives.
    pub fn new(ctx: ProviderContext) -> Self {
        EmbeddedKvProvider {
            ctx,
            links: PerLink::new(),
            files: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Registry factory. Bad `path` / `data_dir` config fails here.
    pub fn build(ctx: ProviderContext) -> Result<Arc<dyn Provider>, ProviderError> {
        let provider = Self::new(ctx);
        let none = HashMap::new();
        let s = provider.ctx.link_settings(&none, SETTING_KEYS)?;
        store_setting(&s, SETTING_KEYS)?;
        Ok(Arc::new(provider))
    }

    /// The file `link` uses (see the type's documentation), absolute, with
    /// the setting it comes from (for errors).
    pub fn store_path(&self, link: &LinkDefinition) -> Result<(PathBuf, Setting), ProviderError> {
        let s = self.ctx.link_settings(&link.values, SETTING_KEYS)?;
        let (setting, relative) = match store_setting(&s, SETTING_KEYS)? {
            Some(file) if file.key.eq_ignore_ascii_case(PATH_KEY) => {
                let p = PathBuf::from(&file.value);
                (file, p)
            }
            Some(dir) => {
                let p = Path::new(&dir.value).join(FILE_NAME);
                (dir, p)
            }
            None => {
                let name = if link.link_name.is_empty() {
                    "default"
                } else {
                    &link.link_name
                };
                let rel = Path::new("keyvalue").join(format!("{name}.redb"));
                let setting = Setting::default_for(
                    PATH_KEY,
                    self.ctx.data_dir.join(&rel).display().to_string(),
                );
                if name.contains(['/', '\\']) || name == ".." || name == "." {
                    return Err(s.invalid(
                        &setting,
                        format!("link name `{name}` cannot be used as a file name; give `path`"),
                    ));
                }
                (setting, rel)
            }
        };
        let resolve = |p: &Path| {
            std::path::absolute(p).map(|a| lexical(&a)).map_err(|e| {
                ProviderError::unusable(
                    s.provider(),
                    &setting,
                    format!("cannot resolve {}", p.display()),
                    e,
                )
            })
        };
        let data_dir = resolve(&self.ctx.data_dir)?;
        let full = resolve(&data_dir.join(relative))?;
        if !full.starts_with(&data_dir) || !real(&full).starts_with(real(&data_dir)) {
            return Err(s.invalid(
                &setting,
                format!(
                    "{} is outside the host's data directory {} (store files must be inside it)",
                    full.display(),
                    data_dir.display()
                ),
            ));
        }
        // Name the usual mistakes plainly instead of redb's or the OS's words.
        if setting.key.eq_ignore_ascii_case(DIR_KEY) {
            let dir = full.parent().unwrap_or(&full);
            if dir.exists() && !dir.is_dir() {
                return Err(s.invalid(&setting, format!("{} is not a directory", dir.display())));
            }
        } else if full.is_dir() {
            return Err(s.invalid(
                &setting,
                format!(
                    "{} is a directory; give a file, or use `{DIR_KEY}`",
                    full.display()
                ),
            ));
        }
        Ok((full, setting))
    }

    fn link_key(link: &LinkDefinition) -> (String, String) {
        (link.actor_id.clone(), link.link_name.clone())
    }
}

#[async_trait]
impl Provider for EmbeddedKvProvider {
    fn contract_id(&self) -> &str {
        CONTRACT_ID
    }

    async fn put_link(
        &self,
        link: &LinkDefinition,
        _actor: ActorLink,
    ) -> Result<(), ProviderError> {
        let (path, setting) = self.store_path(link)?;
        let store = acquire(&path).await.map_err(|e| {
            ProviderError::unusable(
                &self.ctx.name,
                &setting,
                format!("cannot open the store {}", path.display()),
                e,
            )
        })?;
        tracing::info!(actor = %link.actor_id, path = %path.display(), "keyvalue link uses file");
        self.links.insert(link, store);
        let old = self
            .files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(Self::link_key(link), path);
        // A replaced link gives back its previous file (after the new one is
        // held, so re-putting the same file never closes it in between).
        if let Some(old) = old {
            release(&old).await;
        }
        Ok(())
    }

    async fn delete_link(&self, link: &LinkDefinition) {
        self.links.remove(link);
        let path = self
            .files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&Self::link_key(link));
        if let Some(path) = path {
            release(&path).await;
        }
    }

    async fn handle(&self, origin: &ActorOrigin, msg: Message<'_>) -> RpcResult<Vec<u8>> {
        crate::handle(&self.links, origin, msg).await
    }

    async fn shutdown(&self) {
        self.links.drain();
        let paths: Vec<PathBuf> = self
            .files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, p)| p)
            .collect();
        for path in paths {
            release(&path).await;
        }
    }
}

/// `path` (absolute) with `.` dropped and `..` applied, without touching the
/// file system.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` with symbolic links resolved as far as it exists: the deepest
/// existing ancestor canonicalized, the rest appended (a store file and its
/// directories may not exist yet).
fn real(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(canonical, |acc: PathBuf, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_redis_int;

    #[test]
    fn integer_syntax_follows_redis() {
        assert_eq!(parse_redis_int("0"), Some(0));
        assert_eq!(parse_redis_int("-12"), Some(-12));
        assert_eq!(parse_redis_int("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "-",
            "+1",
            " 1",
            "1 ",
            "01",
            "-0",
            "1.5",
            "abc",
            "9223372036854775808",
        ] {
            assert_eq!(parse_redis_int(bad), None, "{bad:?}");
        }
    }
}
