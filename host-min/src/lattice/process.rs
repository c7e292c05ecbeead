//! Providers as supervised child processes (`shared/spec/lattice.md`
//! section 4).
//!
//! A [`ProviderProcess`] owns one provider executable for one
//! (provider key, link name):
//! 1. it spawns the executable with a cleared environment (only the
//!    configured variables, `PATH`, `HOME` and `OTEL_*` pass, as upstream
//!    passes only the OTEL ones) and writes one line to its stdin: base64 of
//!    the JSON [`HostData`], whose `link_definitions` are refilled from the
//!    host's current links at every (re)start; stdin is then closed;
//! 2. every line the child writes on stdout or stderr goes to `tracing`
//!    (target `provider`, fields `provider` = the configured name and
//!    `stream`); the pipes are drained continuously, so a chatty child never
//!    blocks, and a line that is not UTF-8 is logged lossily;
//! 3. upstream has no readiness acknowledgement, so the supervisor polls
//!    `….health` every [`READY_POLL`] until the first answer (at most
//!    [`READY_WINDOW`]); on that first answer it publishes every current link
//!    on `….linkdefs.put` again, so a link put while the provider was not
//!    yet subscribed (or lost in a crash) is surely applied;
//! 4. health is then asked after `health_first` and every `health_every`;
//!    [`ProcessEvent::HealthPassed`] / [`ProcessEvent::HealthFailed`] are
//!    emitted for the first result and for every change; no answer counts as
//!    failed;
//! 5. an exit nobody asked for emits [`ProcessEvent::Exited`] and the
//!    provider is started again after an exponential back-off (upstream does
//!    not restart providers; we do); the back-off starts again from its
//!    minimum after a run that answered a health check;
//! 6. [`ProviderProcess::stop`] sends the JSON shutdown request
//!    (`{"host_id": ...}`), waits up to `shutdown_grace` for the exit, then
//!    kills the child with SIGKILL and reaps it; nothing restarts after.
//!
//! No orphans: the child is spawned with `kill_on_drop`, dropping a
//! [`ProviderProcess`] kills and reaps it, and on Linux the child also gets
//! the parent-death signal SIGKILL (`PR_SET_PDEATHSIG`), so even a host
//! killed with `kill -9` leaves no provider behind. (The parent-death signal
//! fires when the *thread* that spawned the child ends; the supervisor
//! spawns from runtime worker threads, which live as long as the runtime.)

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use weld_rpc::core::{HealthCheckRequest, HealthCheckResponse, HostData, LinkDefinition};

use super::subjects;

/// How often the supervisor asks a freshly started provider for its health
/// until it first answers.
pub const READY_POLL: Duration = Duration::from_millis(100);

/// How long the supervisor polls a freshly started provider at
/// [`READY_POLL`]; after that only the regular checks ask.
pub const READY_WINDOW: Duration = Duration::from_secs(5);

/// Upstream's timeout of the shutdown request.
pub const SHUTDOWN_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Longest health-check timeout (upstream's request timeout).
const HEALTH_TIMEOUT_MAX: Duration = Duration::from_secs(2);

/// Longest line logged as one; a longer one is logged in pieces of this size.
const MAX_LINE: usize = 16 * 1024;

/// How to run one provider executable.
#[derive(Debug, Clone)]
pub struct ProcessConfig {
    /// Name used in logs and errors (e.g. the provider's image reference).
    pub name: String,
    /// The provider executable.
    pub executable: PathBuf,
    /// Command-line arguments.
    pub args: Vec<String>,
    /// Environment of the child. The environment is cleared: only these,
    /// `PATH`, `HOME` and the host's `OTEL_*` variables are passed.
    pub env: Vec<(String, String)>,
    /// Start-up data. `link_definitions` is replaced by the current links at
    /// every (re)start; `provider_key`, `link_name` and `lattice_rpc_prefix`
    /// also name the subjects the supervisor uses.
    pub host_data: HostData,
    /// Delay of the first regular health check (upstream: 5 s).
    pub health_first: Duration,
    /// Interval of later health checks (upstream: 30 s).
    pub health_every: Duration,
    /// How long to wait for the exit after the shutdown request before
    /// SIGKILL.
    pub shutdown_grace: Duration,
    /// Minimum and maximum delay before a restart; the delay doubles after
    /// each run that never answered a health check.
    pub restart_backoff: (Duration, Duration),
}

impl ProcessConfig {
    /// A configuration with upstream's timings (health after 5 s then every
    /// 30 s, 2 s grace) and a restart back-off from 1 s to 60 s.
    pub fn new(
        name: impl Into<String>,
        executable: impl Into<PathBuf>,
        host_data: HostData,
    ) -> Self {
        ProcessConfig {
            name: name.into(),
            executable: executable.into(),
            args: Vec::new(),
            env: Vec::new(),
            host_data,
            health_first: Duration::from_secs(5),
            health_every: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(2),
            restart_backoff: (Duration::from_secs(1), Duration::from_secs(60)),
        }
    }
}

/// What happened to a supervised provider, reported through the `on_event`
/// callback of [`ProviderProcess::spawn`] (from the supervisor's tasks; the
/// callback must not block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessEvent {
    /// A process was spawned; `restarts` counts the earlier runs.
    Started {
        /// Its process id.
        pid: u32,
        /// How many times the provider was restarted before this run.
        restarts: u32,
    },
    /// The provider answered a health check healthy (first result, or a
    /// change from failed).
    HealthPassed,
    /// The provider answered unhealthy or did not answer (first result, or a
    /// change from passed).
    HealthFailed {
        /// The provider's message, or why there was no answer.
        message: String,
    },
    /// The current links were published again on `….linkdefs.put`, after
    /// the provider first answered a health check.
    LinksRestored {
        /// How many links were published.
        count: usize,
    },
    /// The process ended.
    Exited {
        /// Exit code, when it exited by itself.
        code: Option<i32>,
        /// The signal that ended it, if one did.
        signal: Option<i32>,
    },
    /// Spawning a restart failed (e.g. the executable is gone).
    SpawnFailed {
        /// The error.
        message: String,
    },
    /// The provider will be started again after this delay.
    Restarting {
        /// The back-off delay.
        after: Duration,
    },
    /// Supervision ended (stop or drop); nothing restarts.
    Stopped,
}

/// Why a provider process could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The host data could not be encoded.
    #[error("provider `{name}`: encoding host data: {source}")]
    HostData {
        /// The provider's name.
        name: String,
        /// The encoder's error.
        #[source]
        source: weld_rpc::RpcError,
    },
    /// The host data lacks a field the supervisor needs.
    #[error("provider `{name}`: host data has no {field}")]
    MissingField {
        /// The provider's name.
        name: String,
        /// The empty field.
        field: &'static str,
    },
    /// The executable could not be spawned.
    #[error("provider `{name}`: cannot start {}: {source}", .executable.display())]
    Spawn {
        /// The provider's name.
        name: String,
        /// The executable.
        executable: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// The current links of a provider (this provider key and link name).
pub type LinksFn = Arc<dyn Fn() -> Vec<LinkDefinition> + Send + Sync>;

/// Receives [`ProcessEvent`]s.
pub type EventFn = Arc<dyn Fn(ProcessEvent) + Send + Sync>;

/// What the handle asks of the supervisor task.
enum Control {
    /// Shut down gracefully, then acknowledge.
    Stop(oneshot::Sender<()>),
    /// Kill at once (the handle was dropped).
    Kill,
}

/// State shared between the handle and the supervisor's tasks.
struct Shared {
    cfg: ProcessConfig,
    lattice: String,
    nats: async_nats::Client,
    links: LinksFn,
    on_event: EventFn,
    /// Pid of the running child; 0 when none runs.
    pid: AtomicU32,
    healthy: AtomicBool,
    /// Last health result reported (None before the first of a run).
    last_health: Mutex<Option<bool>>,
}

impl Shared {
    fn emit(&self, event: ProcessEvent) {
        tracing::debug!(provider = %self.cfg.name, ?event, "provider process event");
        (self.on_event)(event);
    }

    fn key(&self) -> &str {
        &self.cfg.host_data.provider_key
    }

    fn link_name(&self) -> &str {
        &self.cfg.host_data.link_name
    }

    /// Records a health result; emits an event on the first one and on
    /// changes.
    fn record_health(&self, result: Result<(), String>) {
        let ok = result.is_ok();
        self.healthy.store(ok, Ordering::Relaxed);
        let changed = {
            let mut last = self.last_health.lock().unwrap_or_else(|p| p.into_inner());
            let changed = *last != Some(ok);
            *last = Some(ok);
            changed
        };
        if !changed {
            return;
        }
        match result {
            Ok(()) => self.emit(ProcessEvent::HealthPassed),
            Err(message) => {
                tracing::warn!(provider = %self.cfg.name, %message, "provider health check failed");
                self.emit(ProcessEvent::HealthFailed { message })
            }
        }
    }

    /// One health request; `Ok` when the provider answered healthy.
    /// `Err(None)` when nobody answered, `Err(Some(msg))` when it answered
    /// unhealthy or with something undecodable.
    async fn ask_health(&self, timeout: Duration) -> Result<(), Option<String>> {
        let subject = subjects::provider_health(&self.lattice, self.key(), self.link_name());
        let body = weld_rpc::common::serialize(&HealthCheckRequest {})
            .map_err(|e| Some(format!("encoding health request: {e}")))?;
        let request = async_nats::Request::new()
            .payload(body.into())
            .timeout(Some(timeout));
        let reply = self
            .nats
            .send_request(subject, request)
            .await
            .map_err(|_| None)?;
        match weld_rpc::common::deserialize::<HealthCheckResponse>(&reply.payload) {
            Ok(r) if r.healthy => Ok(()),
            Ok(r) => Err(Some(
                r.message
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "provider reports unhealthy".into()),
            )),
            Err(e) => Err(Some(format!("undecodable health reply: {e}"))),
        }
    }

    /// Publishes every current link on `….linkdefs.put`.
    async fn restore_links(&self) {
        let subject = subjects::linkdefs_put(&self.lattice, self.key(), self.link_name());
        let links = (self.links)();
        let mut count = 0;
        for ld in &links {
            match weld_rpc::common::serialize(ld) {
                Ok(buf) => {
                    if let Err(e) = self.nats.publish(subject.clone(), buf.into()).await {
                        tracing::warn!(provider = %self.cfg.name, error = %e, "re-publishing a link failed");
                    } else {
                        count += 1;
                    }
                }
                Err(e) => {
                    tracing::warn!(provider = %self.cfg.name, error = %e, "encoding a link failed")
                }
            }
        }
        let _ = self.nats.flush().await;
        self.emit(ProcessEvent::LinksRestored { count });
    }
}

/// A supervised provider process (see the module documentation). Dropping
/// it kills the child; [`ProviderProcess::stop`] shuts it down gracefully.
pub struct ProviderProcess {
    shared: Arc<Shared>,
    commands: mpsc::UnboundedSender<Control>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for ProviderProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderProcess")
            .field("name", &self.shared.cfg.name)
            .field("pid", &self.pid())
            .field("healthy", &self.healthy())
            .finish()
    }
}

impl ProviderProcess {
    /// Spawns the provider and starts supervising it. `links` gives the
    /// current links of this provider (called at every start and restart);
    /// `on_event` receives every [`ProcessEvent`], the first being
    /// [`ProcessEvent::Started`] (emitted before this returns). Fails when
    /// the host data lacks `provider_key` or `link_name`, cannot be encoded,
    /// or the first spawn fails; later failures are events and restarts.
    ///
    /// Call it from an async task (not from `spawn_blocking`): on Linux the
    /// child is killed when the thread that spawned it ends, and blocking
    /// threads end when idle.
    pub async fn spawn(
        cfg: ProcessConfig,
        nats: async_nats::Client,
        links: LinksFn,
        on_event: EventFn,
    ) -> Result<ProviderProcess, ProcessError> {
        for (field, value) in [
            ("provider_key", &cfg.host_data.provider_key),
            ("link_name", &cfg.host_data.link_name),
        ] {
            if value.trim().is_empty() {
                return Err(ProcessError::MissingField {
                    name: cfg.name.clone(),
                    field,
                });
            }
        }
        let lattice = if cfg.host_data.lattice_rpc_prefix.is_empty() {
            super::DEFAULT_LATTICE.to_string()
        } else {
            cfg.host_data.lattice_rpc_prefix.clone()
        };
        let shared = Arc::new(Shared {
            cfg,
            lattice,
            nats,
            links,
            on_event,
            pid: AtomicU32::new(0),
            healthy: AtomicBool::new(false),
            last_health: Mutex::new(None),
        });
        let child = start(&shared, 0)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(supervise(shared.clone(), child, rx));
        Ok(ProviderProcess {
            shared,
            commands: tx,
            task: Some(task),
        })
    }

    /// Pid of the running child, if one runs.
    pub fn pid(&self) -> Option<u32> {
        match self.shared.pid.load(Ordering::Relaxed) {
            0 => None,
            pid => Some(pid),
        }
    }

    /// Whether the last health check of the current run passed.
    pub fn healthy(&self) -> bool {
        self.shared.healthy.load(Ordering::Relaxed)
    }

    /// The configured name.
    pub fn name(&self) -> &str {
        &self.shared.cfg.name
    }

    /// Shuts the provider down: publishes the shutdown request, waits up to
    /// the grace period for the exit, then SIGKILLs and reaps the child.
    /// Nothing restarts afterwards. Returns once the child is reaped.
    pub async fn stop(mut self) {
        let (ack, done) = oneshot::channel();
        if self.commands.send(Control::Stop(ack)).is_ok() {
            let _ = done.await;
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ProviderProcess {
    fn drop(&mut self) {
        if self.task.is_some() {
            // The supervisor kills and reaps the child; should its runtime
            // be gone, `kill_on_drop` kills the child as the task is dropped.
            let _ = self.commands.send(Control::Kill);
        }
    }
}

/// Spawns one run of the provider.
fn start(shared: &Arc<Shared>, restarts: u32) -> Result<Child, ProcessError> {
    let cfg = &shared.cfg;
    let mut host_data = cfg.host_data.clone();
    host_data.link_definitions = (shared.links)();
    let line = weld_rpc::provider::encode_host_data(&host_data).map_err(|source| {
        ProcessError::HostData {
            name: cfg.name.clone(),
            source,
        }
    })?;

    let mut cmd = Command::new(&cfg.executable);
    cmd.args(&cfg.args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in std::env::vars_os() {
        let passes =
            key == "PATH" || key == "HOME" || key.to_str().is_some_and(|k| k.starts_with("OTEL_"));
        if passes {
            cmd.env(key, value);
        }
    }
    cmd.envs(cfg.env.iter().map(|(k, v)| (k, v)));
    #[cfg(target_os = "linux")]
    set_parent_death_signal(&mut cmd);

    let mut child = cmd.spawn().map_err(|source| ProcessError::Spawn {
        name: cfg.name.clone(),
        executable: cfg.executable.clone(),
        source,
    })?;
    let pid = child.id().unwrap_or(0);
    shared.pid.store(pid, Ordering::Relaxed);
    tracing::info!(provider = %cfg.name, pid, restarts, "provider process started");

    if let Some(mut stdin) = child.stdin.take() {
        let name = cfg.name.clone();
        tokio::spawn(async move {
            // A child that exits at once closes the pipe: not an error here,
            // its exit is reported.
            if let Err(e) = stdin.write_all(line.as_bytes()).await {
                tracing::debug!(provider = %name, error = %e, "writing host data");
            }
            let _ = stdin.shutdown().await;
        });
    }
    if let Some(out) = child.stdout.take() {
        tokio::spawn(forward_lines(cfg.name.clone(), "stdout", out));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(forward_lines(cfg.name.clone(), "stderr", err));
    }
    shared.emit(ProcessEvent::Started { pid, restarts });
    Ok(child)
}

/// Makes the kernel SIGKILL the child when its parent thread ends, so a
/// host killed with SIGKILL leaves no provider behind.
#[cfg(target_os = "linux")]
fn set_parent_death_signal(cmd: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and calls only
    // async-signal-safe functions (prctl, getppid, _exit).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl: then nobody would
            // signal us.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

/// Logs every line of `stream` until it closes. Reads whatever comes so the
/// child never blocks on a full pipe; a line longer than [`MAX_LINE`] is
/// logged in pieces, bytes that are not UTF-8 are replaced.
async fn forward_lines(name: String, stream: &'static str, pipe: impl AsyncRead + Unpin) {
    let mut reader = BufReader::new(pipe);
    let mut line: Vec<u8> = Vec::new();
    loop {
        let buf = match reader.fill_buf().await {
            Ok(buf) => buf,
            Err(e) => {
                tracing::debug!(target: "provider", provider = %name, stream, error = %e, "reading provider output");
                break;
            }
        };
        if buf.is_empty() {
            break;
        }
        let room = MAX_LINE - line.len();
        let take = buf.len().min(room);
        let (used, complete) = match buf[..take].iter().position(|b| *b == b'\n') {
            Some(i) => {
                line.extend_from_slice(&buf[..i]);
                (i + 1, true)
            }
            None => {
                line.extend_from_slice(&buf[..take]);
                (take, line.len() >= MAX_LINE)
            }
        };
        reader.consume(used);
        if complete {
            log_line(&name, stream, &line);
            line.clear();
        }
    }
    if !line.is_empty() {
        log_line(&name, stream, &line);
    }
}

fn log_line(name: &str, stream: &'static str, line: &[u8]) {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches('\r');
    tracing::info!(target: "provider", provider = %name, stream, "{text}");
}

/// How one run ended.
enum RunEnd {
    /// The child exited by itself.
    Exited { answered: bool },
    /// Supervision is over (the child was stopped or killed).
    Over,
}

/// The supervisor: runs the child, restarts it after crashes, obeys
/// commands.
async fn supervise(
    shared: Arc<Shared>,
    first: Child,
    mut commands: mpsc::UnboundedReceiver<Control>,
) {
    let (min, max) = shared.cfg.restart_backoff;
    let max = max.max(min);
    let mut backoff = min;
    let mut restarts = 0u32;
    let mut child = Some(first);
    loop {
        if let Some(c) = child.take() {
            match run(&shared, c, &mut commands).await {
                RunEnd::Over => break,
                RunEnd::Exited { answered } => {
                    if answered {
                        backoff = min;
                    }
                }
            }
        }
        // Back-off, then a restart; a command ends supervision meanwhile.
        let after = backoff;
        backoff = (backoff * 2).min(max);
        shared.emit(ProcessEvent::Restarting { after });
        tokio::select! {
            _ = tokio::time::sleep(after) => {}
            cmd = commands.recv() => {
                if let Some(Control::Stop(ack)) = cmd {
                    let _ = ack.send(());
                }
                break;
            }
        }
        restarts += 1;
        match start(&shared, restarts) {
            Ok(c) => child = Some(c),
            Err(e) => {
                tracing::warn!(provider = %shared.cfg.name, error = %e, "restarting provider failed");
                shared.emit(ProcessEvent::SpawnFailed {
                    message: e.to_string(),
                });
            }
        }
    }
    shared.pid.store(0, Ordering::Relaxed);
    shared.healthy.store(false, Ordering::Relaxed);
    shared.emit(ProcessEvent::Stopped);
}

/// One run of the child: health checks until it exits or a command comes.
async fn run(
    shared: &Arc<Shared>,
    mut child: Child,
    commands: &mut mpsc::UnboundedReceiver<Control>,
) -> RunEnd {
    *shared.last_health.lock().unwrap_or_else(|p| p.into_inner()) = None;
    shared.healthy.store(false, Ordering::Relaxed);
    let answered = Arc::new(AtomicBool::new(false));
    let health = tokio::spawn(watch_health(shared.clone(), answered.clone()));
    let end = tokio::select! {
        status = child.wait() => {
            let (code, signal) = match &status {
                Ok(s) => exit_parts(s),
                Err(_) => (None, None),
            };
            tracing::warn!(provider = %shared.cfg.name, ?code, ?signal, "provider process exited");
            shared.pid.store(0, Ordering::Relaxed);
            shared.emit(ProcessEvent::Exited { code, signal });
            RunEnd::Exited { answered: answered.load(Ordering::Relaxed) }
        }
        cmd = commands.recv() => {
            health.abort();
            match cmd {
                Some(Control::Stop(ack)) => {
                    shutdown(shared, &mut child).await;
                    let _ = ack.send(());
                }
                // Kill, or the handle is gone.
                _ => {
                    let _ = child.start_kill();
                    report_exit(shared, child.wait().await);
                }
            }
            RunEnd::Over
        }
    };
    health.abort();
    shared.healthy.store(false, Ordering::Relaxed);
    end
}

fn exit_parts(status: &std::process::ExitStatus) -> (Option<i32>, Option<i32>) {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        (status.code(), status.signal())
    }
    #[cfg(not(unix))]
    {
        (status.code(), None)
    }
}

fn report_exit(shared: &Shared, status: std::io::Result<std::process::ExitStatus>) {
    shared.pid.store(0, Ordering::Relaxed);
    let (code, signal) = match &status {
        Ok(s) => exit_parts(s),
        Err(_) => (None, None),
    };
    shared.emit(ProcessEvent::Exited { code, signal });
}

/// The graceful stop: shutdown request, grace period, SIGKILL, reap.
async fn shutdown(shared: &Arc<Shared>, child: &mut Child) {
    let grace = shared.cfg.shutdown_grace;
    let deadline = Instant::now() + grace;
    let subject = subjects::provider_shutdown(&shared.lattice, shared.key(), shared.link_name());
    let body = serde_json::json!({ "host_id": shared.cfg.host_data.host_id }).to_string();
    let request = async_nats::Request::new()
        .payload(body.into())
        .timeout(Some(
            SHUTDOWN_REQUEST_TIMEOUT.min(grace.max(Duration::from_millis(1))),
        ));
    let asked = async {
        // No answer is fine: the grace period and SIGKILL follow.
        if let Err(e) = shared.nats.send_request(subject, request).await {
            tracing::debug!(provider = %shared.cfg.name, error = %e, "shutdown request");
        }
        std::future::pending::<()>().await
    };
    let status = tokio::select! {
        status = child.wait() => Some(status),
        _ = asked => None,
        _ = tokio::time::sleep_until(deadline) => None,
    };
    let status = match status {
        Some(s) => s,
        None => {
            tracing::warn!(provider = %shared.cfg.name, "provider did not exit within the grace period; killing it");
            let _ = child.start_kill();
            child.wait().await
        }
    };
    report_exit(shared, status);
}

/// Readiness polling, link restoration, then the regular health checks.
async fn watch_health(shared: Arc<Shared>, answered: Arc<AtomicBool>) {
    let started = Instant::now();
    let cfg = &shared.cfg;
    let timeout = cfg
        .health_every
        .min(HEALTH_TIMEOUT_MAX)
        .max(Duration::from_millis(100));
    // Readiness: the first answer tells the provider is subscribed.
    let mut got_answer = false;
    while started.elapsed() < READY_WINDOW {
        match shared
            .ask_health(READY_POLL.max(Duration::from_millis(250)))
            .await
        {
            Err(None) => tokio::time::sleep(READY_POLL).await,
            result => {
                got_answer = true;
                shared.record_health(result.map_err(|e| e.unwrap_or_default()));
                break;
            }
        }
    }
    let mut links_sent = false;
    let mut next = started + cfg.health_first;
    loop {
        if got_answer && !links_sent {
            answered.store(true, Ordering::Relaxed);
            shared.restore_links().await;
            links_sent = true;
        }
        tokio::time::sleep_until(next).await;
        let result = shared.ask_health(timeout).await;
        got_answer |= !matches!(result, Err(None));
        shared.record_health(result.map_err(|e| {
            e.unwrap_or_else(|| {
                format!(
                    "no answer to the health check within {} ms",
                    timeout.as_millis()
                )
            })
        }));
        next = Instant::now() + cfg.health_every;
    }
}
