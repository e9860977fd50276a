//! How the bot is set up: the token and Bot API URL (the same environment
//! variables teloxide's `Bot::from_env` reads), the transport, the rate limits
//! and the retry policy. Secrets print as `[redacted]` in `Debug` output.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::Url;
use teloxide::adaptors::throttle::Limits;

use super::redact::{REDACTED, Redactor};
use super::retry::RetryPolicy;

/// The bot token, as for teloxide's `Bot::from_env`.
pub const TOKEN_VAR: &str = "TELOXIDE_TOKEN";
/// The Bot API server, as for `Bot::from_env` (default: api.telegram.org).
pub const API_URL_VAR: &str = "TELOXIDE_API_URL";
/// A proxy for every Bot API call, as for `Bot::from_env`.
pub const PROXY_VAR: &str = "TELOXIDE_PROXY";
/// The secret Telegram must send with every webhook request.
pub const WEBHOOK_SECRET_VAR: &str = "HYPNIC_WEBHOOK_SECRET";

/// Default limit on incoming messages per person and minute.
pub const DEFAULT_MAX_MESSAGES_PER_MINUTE: u32 = 20;

/// A string that must not be logged: `Debug` and `Display` show `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The secret itself, to hand to the code that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Everything [`super::run`] needs besides the engine.
#[derive(Debug)]
pub struct BotConfig {
    /// The bot token from @BotFather.
    pub token: Secret,
    /// The Bot API server; `None` for Telegram's.
    pub api_url: Option<Url>,
    /// A proxy URL for Bot API calls (may hold a password).
    pub proxy: Option<Secret>,
    /// How updates arrive.
    pub transport: Transport,
    /// Outgoing rate limits (teloxide's `Throttle`); `None` sends unthrottled.
    pub throttle: Option<Limits>,
    /// Incoming messages a person may send per minute; `0` for no limit.
    pub max_messages_per_minute: u32,
    /// Retries of failed Bot API calls.
    pub retry: RetryPolicy,
    /// After a shutdown signal, how long replies in flight may take to finish.
    pub shutdown_grace: Duration,
    /// Where long polling keeps its journal of unanswered updates, and the
    /// chats' state file (see [`default_state_dir`]).
    pub state_dir: PathBuf,
    /// Where what each private chat remembers is kept.
    pub storage: ChatStorage,
    /// With long polling, where `/healthz` and `/metrics` are served; `None`
    /// serves them nowhere. A webhook serves them on its own listener.
    pub metrics_listen: Option<Listen>,
}

/// How updates arrive.
#[derive(Debug)]
pub enum Transport {
    /// Long polling with `getUpdates`.
    Polling {
        /// Skip the updates that arrived while the bot was down.
        drop_pending_updates: bool,
    },
    /// Telegram posts updates to our HTTPS endpoint.
    Webhook(WebhookConfig),
}

/// The webhook endpoint.
#[derive(Debug)]
pub struct WebhookConfig {
    /// The public URL given to Telegram; its path is the one served locally.
    pub url: Url,
    /// Where the local server listens.
    pub listen: Listen,
    /// The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: Secret,
    /// Skip the updates that arrived while the bot was down.
    pub drop_pending_updates: bool,
    /// Larger request bodies get 413.
    pub max_body_bytes: usize,
    /// A body not received within this time gets 408.
    pub body_timeout: Duration,
}

/// Where an HTTP server of the bot (the webhook's, or the status server's) listens.
#[derive(Debug)]
pub enum Listen {
    /// Bind this address.
    Addr(SocketAddr),
    /// Use a socket bound already (tests bind `127.0.0.1:0` and read the port).
    Bound(std::net::TcpListener),
}

impl WebhookConfig {
    /// A webhook at `url`, served on `listen`, with 1 MiB bodies and a 10 s body timeout.
    pub fn new(url: Url, listen: Listen, secret: Secret) -> WebhookConfig {
        WebhookConfig {
            url,
            listen,
            secret,
            drop_pending_updates: false,
            max_body_bytes: 1 << 20,
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// Where what each private chat remembers (ids and a time, never text) is
/// kept: `sqlite`, `memory` or a `redis://` URL on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ChatStorage {
    /// An SQLite file in the state folder: survives restarts.
    #[default]
    Sqlite,
    /// This process's memory: lost on restart.
    Memory,
    /// A Redis server, which several replicas of the bot can share.
    Redis(RedisUrl),
}

impl ChatStorage {
    /// The secret a storage's address may hold (a Redis password), for the
    /// redactor.
    pub fn secret(&self) -> Option<&str> {
        match self {
            ChatStorage::Redis(url) => url.password(),
            ChatStorage::Sqlite | ChatStorage::Memory => None,
        }
    }
}

impl std::str::FromStr for ChatStorage {
    type Err = String;

    /// `sqlite`, `memory` or `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "sqlite" => Ok(ChatStorage::Sqlite),
            "memory" => Ok(ChatStorage::Memory),
            url if url.starts_with("redis://") => RedisUrl::parse(url).map(ChatStorage::Redis),
            // The value may be a mistyped URL with a password: never echo it.
            _ => Err("expected `sqlite`, `memory` or a `redis://HOST:PORT` URL".into()),
        }
    }
}

impl fmt::Display for ChatStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatStorage::Sqlite => f.write_str("sqlite"),
            ChatStorage::Memory => f.write_str("memory"),
            ChatStorage::Redis(url) => url.fmt(f),
        }
    }
}

/// A `redis://` URL. It may hold a password, so `Debug` and `Display` show
/// it as `[redacted]`; [`RedisUrl::expose`] gives the whole URL to the client.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl {
    url: Url,
}

impl RedisUrl {
    /// Parses a `redis://` URL with a host.
    ///
    /// # Errors
    /// Not a `redis://` URL, or no host; the message never quotes the URL.
    pub fn parse(text: &str) -> Result<RedisUrl, String> {
        let url = Url::parse(text).map_err(|error| format!("not a valid redis:// URL ({error})"))?;
        if url.scheme() != "redis" || url.host_str().is_none_or(str::is_empty) {
            return Err("expected a redis://HOST:PORT URL".into());
        }
        Ok(RedisUrl { url })
    }

    /// The whole URL, password included, for the Redis client only.
    pub fn expose(&self) -> &str {
        self.url.as_str()
    }

    /// The password, if the URL has one.
    pub fn password(&self) -> Option<&str> {
        self.url.password().filter(|password| !password.is_empty())
    }
}

impl fmt::Display for RedisUrl {
    /// The server and database, with any user name and password shown as
    /// `[redacted]` and the query left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.url;
        f.write_str("redis://")?;
        if self.password().is_some() || !url.username().is_empty() {
            write!(f, "{REDACTED}@")?;
        }
        f.write_str(url.host_str().unwrap_or_default())?;
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        f.write_str(url.path())
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({self})")
    }
}

/// The default state folder: `$STATE_DIRECTORY` (set by systemd's
/// `StateDirectory=`), else `$XDG_STATE_HOME/hypnic`, else
/// `~/.local/state/hypnic`, else `hypnic-state` in the working folder. Never
/// the system temp folder, which reboots and `PrivateTmp` wipe.
pub fn default_state_dir() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(dirs) = var("STATE_DIRECTORY") {
        // systemd lists one folder per `StateDirectory=` entry, separated by colons.
        let first = dirs.to_string_lossy().split(':').next().unwrap_or_default().to_string();
        return PathBuf::from(first);
    }
    if let Some(state) = var("XDG_STATE_HOME") {
        return PathBuf::from(state).join("hypnic");
    }
    match var("HOME") {
        Some(home) => PathBuf::from(home).join(".local/state/hypnic"),
        None => PathBuf::from("hypnic-state"),
    }
}

impl BotConfig {
    /// Long polling with teloxide's default outgoing limits, 20 messages per
    /// person and minute, the default retries and a 4 s shutdown grace.
    pub fn new(token: Secret) -> BotConfig {
        BotConfig {
            token,
            api_url: None,
            proxy: None,
            transport: Transport::Polling { drop_pending_updates: false },
            throttle: Some(Limits::default()),
            max_messages_per_minute: DEFAULT_MAX_MESSAGES_PER_MINUTE,
            retry: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(4),
            state_dir: default_state_dir(),
            storage: ChatStorage::Sqlite,
            metrics_listen: None,
        }
    }

    /// The defaults of [`BotConfig::new`] with the token, API URL and proxy read
    /// from `TELOXIDE_TOKEN`, `TELOXIDE_API_URL` and `TELOXIDE_PROXY`.
    ///
    /// # Errors
    /// The token is missing or empty, or the API URL does not parse.
    pub fn from_env() -> anyhow::Result<BotConfig> {
        let token = std::env::var(TOKEN_VAR).ok().filter(|token| !token.trim().is_empty());
        let Some(token) = token else { bail!("{TOKEN_VAR} is not set: give the bot token from @BotFather") };
        let mut config = BotConfig::new(Secret::new(token.trim()));
        if let Some(url) = non_empty_var(API_URL_VAR) {
            // The URL is not secret, but keep the message short and certain.
            config.api_url = Some(Url::parse(&url).with_context(|| format!("{API_URL_VAR} is not a URL"))?);
        }
        config.proxy = non_empty_var(PROXY_VAR).map(Secret::new);
        Ok(config)
    }

    /// The SQLite file of what chats remember: beside the journal, named by
    /// the same hash.
    pub fn chats_path(&self) -> PathBuf {
        self.journal_path().with_extension("chats.sqlite")
    }

    /// The polling journal's file: in [`BotConfig::state_dir`], named by a hash
    /// of the bot's id (the token's public half) and the API URL, so one bot
    /// finds its own journal after a restart, whatever Rust built it, and two
    /// bots (or tests) never share one. The token's secret half plays no part.
    pub fn journal_path(&self) -> PathBuf {
        let token = self.token.expose();
        let bot_id = token.split_once(':').map_or(token, |(id, _)| id);
        let api_url = self.api_url.as_ref().map_or("", Url::as_str);
        let name = format!("hypnic-{:016x}.journal", fnv1a([bot_id, "\n", api_url]));
        self.state_dir.join(name)
    }

    /// A redactor for every secret in this configuration.
    pub fn redactor(&self) -> Redactor {
        let mut secrets = vec![self.token.expose()];
        if let Transport::Webhook(webhook) = &self.transport {
            secrets.push(webhook.secret.expose());
        }
        if let Some(proxy) = &self.proxy {
            secrets.push(proxy.expose());
        }
        secrets.extend(self.storage.secret());
        Redactor::new(secrets)
    }
}

/// The webhook secret from `HYPNIC_WEBHOOK_SECRET`.
///
/// # Errors
/// It is missing, or not what Telegram accepts.
pub fn webhook_secret_from_env() -> anyhow::Result<Secret> {
    let Some(secret) = non_empty_var(WEBHOOK_SECRET_VAR) else {
        bail!("a webhook needs a secret: set {WEBHOOK_SECRET_VAR} (1-256 characters of A-Z, a-z, 0-9, _ and -)")
    };
    webhook_secret(&secret)
}

/// Checks a webhook secret: Telegram accepts 1 to 256 characters of `A-Z`,
/// `a-z`, `0-9`, `_` and `-`.
///
/// # Errors
/// Any other secret, described without being shown.
pub fn webhook_secret(secret: &str) -> anyhow::Result<Secret> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !(1..=256).contains(&secret.len()) || !secret.chars().all(allowed) {
        bail!("{WEBHOOK_SECRET_VAR} must be 1-256 characters of A-Z, a-z, 0-9, _ and -");
    }
    Ok(Secret::new(secret))
}

/// The 64-bit FNV-1a hash of the parts in order: small, and fixed forever
/// (unlike std's `DefaultHasher`, which may change between Rust versions).
fn fnv1a<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    parts
        .into_iter()
        .flat_map(str::bytes)
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|value| value.trim().to_string()).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ";

    #[test]
    fn debug_output_hides_the_token_and_the_webhook_secret() {
        let mut config = BotConfig::new(Secret::new(TOKEN));
        let url = Url::parse("https://bot.example.org/hook").expect("valid URL");
        let listen = Listen::Addr(SocketAddr::from(([127, 0, 0, 1], 8443)));
        config.transport = Transport::Webhook(WebhookConfig::new(url, listen, Secret::new("s3cret-value")));
        let debug = format!("{config:?}");
        assert!(!debug.contains("AAHdq") && !debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("[redacted]"));
        assert!(
            config
                .redactor()
                .text("s3cret-value and AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ")
                .matches("[redacted]")
                .count()
                == 2
        );
    }

    #[test]
    fn the_journal_is_named_by_a_stable_hash_of_the_bot_id_and_the_api_url() {
        assert_eq!(fnv1a([""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(["a"]), 0xaf63_dc4c_8601_ec8c, "the published FNV-1a 64 value");
        let mut config = BotConfig::new(Secret::new(TOKEN));
        config.state_dir = PathBuf::from("/state");
        assert_eq!(config.journal_path(), PathBuf::from("/state/hypnic-63512c17cacff902.journal"));
        let mut other_secret = BotConfig::new(Secret::new("123456789:AAHsomethingElseEntirely000000000"));
        other_secret.state_dir = config.state_dir.clone();
        assert_eq!(other_secret.journal_path(), config.journal_path(), "the same bot, a new token");
        config.api_url = Some(Url::parse("http://127.0.0.1:8081/").expect("valid URL"));
        assert_ne!(config.journal_path(), other_secret.journal_path(), "another Bot API server");
        assert!(!config.journal_path().to_string_lossy().contains("AAH"));
    }

    #[test]
    fn a_storage_is_sqlite_memory_or_a_redis_url_whose_password_never_shows() {
        assert_eq!("sqlite".parse::<ChatStorage>(), Ok(ChatStorage::Sqlite));
        assert_eq!("memory".parse::<ChatStorage>(), Ok(ChatStorage::Memory));
        let storage: ChatStorage = "redis://:pa55-word@10.0.0.5:6380/3".parse().expect("a Redis URL");
        assert_eq!(storage.to_string(), "redis://[redacted]@10.0.0.5:6380/3");
        assert_eq!(storage.secret(), Some("pa55-word"));
        let ChatStorage::Redis(url) = &storage else { panic!("a Redis storage") };
        assert_eq!(url.expose(), "redis://:pa55-word@10.0.0.5:6380/3");
        assert_eq!(
            "redis://localhost:6379".parse::<ChatStorage>().expect("a URL").to_string(),
            "redis://localhost:6379"
        );
        for bad in ["postgres://u:pa55-word@host/db", "redis://", "redis:/:pa55-word@", "file"] {
            let error = bad.parse::<ChatStorage>().expect_err(bad);
            assert!(!error.contains("pa55-word"), "{error}");
        }
        let mut config = BotConfig::new(Secret::new(TOKEN));
        config.storage = storage;
        assert!(!format!("{config:?}").contains("pa55-word"));
        assert_eq!(config.redactor().text("auth pa55-word failed"), "auth [redacted] failed");
    }

    #[test]
    fn webhook_secrets_are_checked() {
        assert!(webhook_secret("abc_DEF-123").is_ok());
        assert!(webhook_secret("").is_err());
        assert!(webhook_secret("no spaces").is_err());
        assert!(webhook_secret(&"a".repeat(257)).is_err());
        let error = webhook_secret("bad secret!").map(|_| ()).unwrap_err().to_string();
        assert!(!error.contains("bad secret"), "{error}");
    }
}
