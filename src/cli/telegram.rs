//! `hypnic telegram`: runs the Telegram bot until SIGINT or SIGTERM. The token
//! comes from `TELOXIDE_TOKEN` (and `TELOXIDE_API_URL`, `TELOXIDE_PROXY`), the
//! webhook secret from `HYPNIC_WEBHOOK_SECRET`; logs go to stderr as text or,
//! with `--log-format json`, one JSON object per line (`RUST_LOG` overrides the
//! default `info`).

use std::future::Future;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use reqwest::Url;
use teloxide::adaptors::throttle::Limits;
use tracing_subscriber::EnvFilter;

use crate::engine::Engine;
use crate::telegram::config::{
    ChatStorage, DEFAULT_MAX_MESSAGES_PER_MINUTE, default_state_dir, webhook_secret_from_env,
};
use crate::telegram::retry::RetryPolicy;
use crate::telegram::{self, BotConfig, Listen, Transport, WebhookConfig};

/// What is logged without `RUST_LOG`: one line per update, no message text.
const DEFAULT_LOG_FILTER: &str = "info";

/// How long leftover tasks may delay the exit once the bot has stopped.
const EXIT_TIMEOUT: Duration = Duration::from_millis(500);

/// Outgoing messages per second in all chats, by default (teloxide's default).
const DEFAULT_SEND_PER_SECOND: u32 = 30;

/// Outgoing messages per minute in one chat, by default (teloxide's default).
const DEFAULT_SEND_PER_CHAT_PER_MINUTE: u32 = 20;

/// Options of `hypnic telegram`.
#[derive(Debug, Clone, Args)]
pub struct TelegramArgs {
    /// Receive updates by webhook at this public HTTPS URL instead of long
    /// polling; needs --listen and the HYPNIC_WEBHOOK_SECRET environment variable.
    #[arg(long, value_name = "URL", requires = "listen")]
    pub webhook_url: Option<Url>,

    /// Address the webhook server listens on, e.g. 0.0.0.0:8443.
    #[arg(long, value_name = "ADDR", requires = "webhook_url")]
    pub listen: Option<SocketAddr>,

    /// Skip the updates that arrived while the bot was not running.
    #[arg(long)]
    pub drop_pending_updates: bool,

    /// Send without the outgoing rate limiter (benchmarks against a local server).
    #[arg(long)]
    pub no_throttle: bool,

    /// Outgoing messages per second, over all chats.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEND_PER_SECOND)]
    pub send_per_second: u32,

    /// Outgoing messages per minute in one chat.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEND_PER_CHAT_PER_MINUTE)]
    pub send_per_chat_per_minute: u32,

    /// How many times a failed Bot API call is tried in all (network errors and
    /// 5xx with backoff, 429 after its retry_after).
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().max_attempts)]
    pub send_attempts: u32,

    /// Folder for the polling journal, which keeps the updates being answered so
    /// that a bot killed mid-answer answers them after a restart, and for the
    /// SQLite file of what each chat remembers. Default: $STATE_DIRECTORY, else
    /// $XDG_STATE_HOME/hypnic, else ~/.local/state/hypnic.
    #[arg(long, value_name = "DIR", default_value_os_t = default_state_dir())]
    pub state_dir: std::path::PathBuf,

    /// Where what each private chat remembers (ids and a time, never text) is
    /// kept: `sqlite` (a file in the state folder, kept across restarts, for
    /// one bot process at a time), `memory` (lost on restart) or `redis://[:PASSWORD@]HOST:PORT[/DB]` (a
    /// Redis server that several replicas share).
    // Text, parsed by `config`: clap would echo a mistyped URL, password and all.
    #[arg(long, value_name = "STORAGE", default_value = "sqlite")]
    pub storage: String,

    /// With long polling, serve GET /healthz (200 once serving, 503 while
    /// starting or stopping) and GET /metrics (Prometheus) on this address, e.g.
    /// 127.0.0.1:9090. A webhook serves them on its own --listen address.
    #[arg(long, value_name = "ADDR", conflicts_with = "webhook_url")]
    pub metrics_listen: Option<SocketAddr>,

    /// Messages one person may send per minute; past it the bot asks them once
    /// to slow down and ignores the rest of the minute (0: no limit).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_MESSAGES_PER_MINUTE)]
    pub max_messages_per_minute: u32,

    /// How log lines are written to stderr: `text` for people, or `json`, one
    /// JSON object per line for log shippers. Both hold the same fields.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How the bot's log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event (coloured when stderr is a terminal).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, and `fields`
    /// holding the message and the event's fields.
    Json,
}

impl Default for TelegramArgs {
    /// The same defaults as the command line.
    fn default() -> Self {
        TelegramArgs {
            webhook_url: None,
            listen: None,
            drop_pending_updates: false,
            no_throttle: false,
            send_per_second: DEFAULT_SEND_PER_SECOND,
            send_per_chat_per_minute: DEFAULT_SEND_PER_CHAT_PER_MINUTE,
            max_messages_per_minute: DEFAULT_MAX_MESSAGES_PER_MINUTE,
            send_attempts: RetryPolicy::default().max_attempts,
            state_dir: default_state_dir(),
            storage: ChatStorage::Sqlite.to_string(),
            log_format: LogFormat::Text,
            metrics_listen: None,
        }
    }
}

impl TelegramArgs {
    /// The bot's configuration: these options over the environment.
    ///
    /// # Errors
    /// A missing token, a bad API URL, a webhook without a valid secret, or a
    /// `--storage` that is none of `sqlite`, `memory` and a `redis://` URL.
    pub fn config(&self) -> anyhow::Result<BotConfig> {
        let mut config = BotConfig::from_env()?;
        config.transport = match (&self.webhook_url, self.listen) {
            (Some(url), Some(address)) => {
                let mut webhook = WebhookConfig::new(url.clone(), Listen::Addr(address), webhook_secret_from_env()?);
                webhook.drop_pending_updates = self.drop_pending_updates;
                Transport::Webhook(webhook)
            }
            _ => Transport::Polling { drop_pending_updates: self.drop_pending_updates },
        };
        config.throttle = (!self.no_throttle).then(|| Limits {
            messages_per_sec_overall: self.send_per_second.max(1),
            messages_per_min_chat: self.send_per_chat_per_minute.max(1),
            ..Limits::default()
        });
        config.max_messages_per_minute = self.max_messages_per_minute;
        config.retry.max_attempts = self.send_attempts.max(1);
        config.state_dir = self.state_dir.clone();
        config.storage = self.storage.parse().map_err(|reason| anyhow::anyhow!("--storage: {reason}"))?;
        config.metrics_listen = self.metrics_listen.map(Listen::Addr);
        Ok(config)
    }
}

/// Runs the bot until SIGINT or SIGTERM, then exits 0.
///
/// # Errors
/// A bad configuration, or a failure to start (unreachable API, rejected
/// token, webhook address in use); never with the token in the message.
pub fn run(engine: Engine, args: &TelegramArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.log_format);
    let config = args.config()?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let result = runtime.block_on(async {
        let shutdown = shutdown_signal()?;
        telegram::run(config, engine, shutdown).await
    });
    // A blocking task (a DNS lookup, say) must not hold the exit up.
    runtime.shutdown_timeout(EXIT_TIMEOUT);
    result?;
    Ok(ExitCode::SUCCESS)
}

/// Logs to stderr at INFO, or as `RUST_LOG` says, in `format`. The events are
/// the same in both formats, so what is kept out of the text (message text,
/// names, ids, the token) is kept out of the JSON too.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // Fails only if a subscriber is already set, which then keeps logging.
    let _ = match format {
        LogFormat::Text => subscriber.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => subscriber.json().try_init(),
    };
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed now, so a
/// signal during start-up is not lost (nor fatal).
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + use<>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}
