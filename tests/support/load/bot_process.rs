//! The real `hypnic telegram` process: its flags for load (throttle and flood
//! control off), its environment (token, fake API URL, `RUST_LOG=warn`, no
//! proxies), its log in a temporary file, its peak RSS (`VmHWM`), signals,
//! and its exit. The process is killed if the handle is dropped.

use std::process::{ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::process::{Child, Command};

use super::fake_bot_api::TOKEN;
use super::webhook_client::WebhookTarget;

/// Names another `hypnic` binary to run instead of this build's, e.g. an
/// older build to compare with.
pub const BINARY_VAR: &str = "HYPNIC_LOAD_BINARY";

/// The binary under test: this build's, or the one `HYPNIC_LOAD_BINARY` names.
pub fn binary() -> &'static str {
    static BINARY: OnceLock<String> = OnceLock::new();
    BINARY.get_or_init(|| {
        std::env::var(BINARY_VAR)
            .ok()
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_hypnic").into())
    })
}

/// Whether the binary's `hypnic telegram` has `--send-attempts` (the retry
/// budget of a failed send).
pub fn supports_send_attempts() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        std::process::Command::new(binary())
            .args(["telegram", "--help"])
            .env_remove("TELOXIDE_TOKEN")
            .output()
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("--send-attempts"))
    })
}

/// Whether the binary's `hypnic telegram` has `--metrics-listen` (`/healthz`
/// and `/metrics` with long polling).
pub fn supports_metrics_listen() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        std::process::Command::new(binary())
            .args(["telegram", "--help"])
            .env_remove("TELOXIDE_TOKEN")
            .output()
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("--metrics-listen"))
    })
}

/// A port on 127.0.0.1 free a moment ago (bound to `:0`, then released).
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// How to start the bot.
#[derive(Debug, Clone)]
pub struct BotSpec {
    /// The fake API's base URL.
    pub api_url: String,
    /// `None` for long polling.
    pub webhook: Option<WebhookTarget>,
    /// `--send-attempts`, passed only when the binary has the flag.
    pub send_attempts: Option<u32>,
    /// Extra environment variables (`MALLOC_ARENA_MAX`, `TOKIO_WORKER_THREADS`, ...).
    pub env: Vec<(String, String)>,
    /// `--storage`, when not the default (SQLite).
    pub storage: Option<String>,
    /// `XDG_STATE_HOME`: the fake API's state folder, so restarts find the journal.
    pub state_home: std::path::PathBuf,
}

/// A running (or exited) bot process.
pub struct BotProcess {
    child: Child,
    pid: i32,
    log: tempfile::NamedTempFile,
    exit: Option<ExitStatus>,
    /// Where `/healthz` and `/metrics` are served, with long polling.
    metrics: Option<std::net::SocketAddr>,
}

/// How a bot process ended.
#[derive(Debug, Clone, Copy)]
pub struct Exit {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// From the signal to the exit.
    pub took: Duration,
}

impl BotProcess {
    /// Starts `hypnic telegram` for `spec`, its stderr to a temporary file.
    ///
    /// # Errors
    /// The process or its log file cannot be created.
    pub fn spawn(spec: &BotSpec) -> anyhow::Result<BotProcess> {
        let log = tempfile::NamedTempFile::new().context("cannot create the bot's log file")?;
        let stderr = log.reopen().context("cannot open the bot's log file")?;
        let mut command = Command::new(binary());
        command.args(["telegram", "--no-throttle", "--max-messages-per-minute", "0"]);
        // The journal and the chats' state go to a test folder, not the user's.
        command.env("XDG_STATE_HOME", &spec.state_home).env_remove("STATE_DIRECTORY");
        if let Some(attempts) = spec.send_attempts.filter(|_| supports_send_attempts()) {
            command.args(["--send-attempts", &attempts.to_string()]);
        }
        if let Some(storage) = &spec.storage {
            command.args(["--storage", storage]);
        }
        let mut metrics = None;
        if let Some(webhook) = &spec.webhook {
            command.args(["--webhook-url", &webhook.url(), "--listen", &webhook.address.to_string()]);
            command.env("HYPNIC_WEBHOOK_SECRET", &webhook.secret);
        } else if supports_metrics_listen() {
            // Load is measured with the metrics on, as a deployment runs.
            let address = std::net::SocketAddr::from(([127, 0, 0, 1], free_port().context("no free port")?));
            command.args(["--metrics-listen", &address.to_string()]);
            metrics = Some(address);
        }
        command
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", &spec.api_url)
            .env("RUST_LOG", "warn")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true);
        for proxy in
            ["TELOXIDE_PROXY", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        {
            command.env_remove(proxy);
        }
        command.envs(spec.env.iter().map(|(key, value)| (key, value)));
        let child = command.spawn().with_context(|| format!("cannot start {}", binary()))?;
        let pid = child.id().and_then(|id| i32::try_from(id).ok()).context("the bot has no pid")?;
        Ok(BotProcess { child, pid, log, exit: None, metrics })
    }

    /// Where `/healthz` and `/metrics` are served, if they are.
    pub fn metrics_address(&self) -> Option<std::net::SocketAddr> {
        self.metrics
    }

    /// The peak resident set size in KiB (`VmHWM`), while the process runs.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        status_kib(self.pid, "VmHWM:")
    }

    /// The resident set size now, in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> Option<u64> {
        status_kib(self.pid, "VmRSS:")
    }

    /// CPU time (user + system) the process has used so far.
    pub fn cpu_time(&self) -> Option<Duration> {
        cpu_time(self.pid)
    }

    /// The exit status, if the process has ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.exit.is_none() {
            self.exit = self.child.try_wait().ok().flatten();
        }
        self.exit
    }

    /// Sends `signal` (`libc::SIGTERM`, ...).
    ///
    /// # Errors
    /// The process is gone.
    pub fn signal(&self, signal: i32) -> std::io::Result<()> {
        // SAFETY: kill(2) with a pid we started and a valid signal has no memory-safety preconditions.
        let result = unsafe { libc::kill(self.pid, signal) };
        if result == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
    }

    /// Sends `signal` and waits up to `timeout` for the exit.
    pub async fn stop(&mut self, signal: i32, timeout: Duration) -> Option<Exit> {
        let sent = Instant::now();
        if self.exited().is_none() {
            let _ = self.signal(signal);
        }
        let status = match self.exit {
            Some(status) => status,
            None => tokio::time::timeout(timeout, self.child.wait()).await.ok()?.ok()?,
        };
        self.exit = Some(status);
        Some(Exit { code: status.code(), took: sent.elapsed() })
    }

    /// The last `lines` lines of the bot's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// A `... kB` field of `/proc/<pid>/status`.
fn status_kib(pid: i32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system) process `pid` has used, from `/proc/<pid>/stat`.
pub fn cpu_time(pid: i32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).ok().filter(|t| *t > 0)?;
    Some(Duration::from_secs_f64(ticks as f64 / per_second as f64))
}
