//! A fake Telegram Bot API on 127.0.0.1:0, for the integration tests and the
//! load harness alike. It is built on hyper 1 directly (HTTP/1.1 keep-alive,
//! one task per connection) to keep up with thousands of replies a second.
//!
//! It serves `getUpdates` from an [`UpdateQueue`], answers `sendMessage` and
//! `editMessageText` with a full `Message` (the text echoed as sent, an edit
//! keeping the id it was given), and answers the other methods the
//! bot calls (`getMe`, `setMyCommands`, `setWebhook`, `deleteWebhook`,
//! `getWebhookInfo`, `answerCallbackQuery`, `answerInlineQuery`) with valid bodies. A call can fail:
//! the next calls of a method ([`FakeBotApi::fail_next`]), or any share of
//! them (a [`FaultSource`]).
//!
//! A recording fake ([`FakeBotApi::start`], for tests) keeps every call with
//! its JSON body, to wait for and look at. A counting fake
//! ([`FakeBotApi::start_counting`], for load) keeps only counts per method and
//! tells a [`ReplySink`] about each message sent: it parses no more than it must.

mod server;
mod updates;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use updates::{Fetch, UpdateQueue};

/// The bot's user id.
pub const BOT_ID: i64 = 7_000_000_001;
/// The bot's username.
pub const BOT_USERNAME: &str = "hypnic_test_bot";
/// A token shaped like a real one (id, colon, 35 characters), so that
/// teloxide's own URL redaction recognises it too.
pub const TOKEN: &str = "7000000001:AAHfakeTokenForHypnicTests-01234567";

/// The methods counted one by one; any other counts as `other`.
const METHODS: [&str; 11] = [
    "getMe",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "answerCallbackQuery",
    "answerInlineQuery",
    "other",
];

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The Bot API method (`sendMessage`).
    pub method: String,
    /// The JSON body (`Null` if empty, a string if not JSON); a multipart
    /// form as an object of its fields.
    pub body: Value,
    /// When the call arrived.
    pub at: Instant,
    /// The HTTP status answered; 0 until answered, and for a dropped connection.
    pub status: u16,
}

impl Call {
    /// Whether the call succeeded.
    pub fn ok(&self) -> bool {
        self.status == 200
    }

    /// The `text` field of the body.
    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or_default()
    }

    /// The `chat_id` field of the body.
    pub fn chat_id(&self) -> i64 {
        self.body["chat_id"].as_i64().unwrap_or_default()
    }
}

/// How a call fails.
#[derive(Debug, Clone)]
pub enum Failure {
    /// 500 Internal Server Error; not processed.
    ServerError,
    /// 429 with `retry_after` seconds; not processed.
    TooManyRequests {
        /// Seconds to wait.
        retry_after: u32,
    },
    /// 400 with this description (`Bad Request: ...`); not processed.
    BadRequest(&'static str),
    /// The connection is closed without a response; not processed.
    Dropped,
    /// Processed and answered normally after this wait.
    Stalled(Duration),
}

/// Decides which calls fail, beyond those of [`FakeBotApi::fail_next`].
pub trait FaultSource: Send + Sync {
    /// How the next call of `method` fails, if it does.
    fn next(&self, method: &str) -> Option<Failure>;
}

/// A `sendMessage` the fake API processed.
#[derive(Debug, Clone, Copy)]
pub struct SentMessage {
    /// The chat it went to.
    pub chat_id: i64,
    /// `reply_parameters.message_id`, if set.
    pub reply_to: Option<i64>,
    /// When it was processed.
    pub at: Instant,
}

/// Told about every processed `sendMessage`, on the connection's task: keep it short.
pub trait ReplySink: Send + Sync {
    /// One message was sent.
    fn sent(&self, message: &SentMessage);
}

struct Shared {
    updates: Arc<UpdateQueue>,
    /// Every call, when recording.
    calls: Option<Mutex<Vec<Call>>>,
    scripted: Mutex<HashMap<String, VecDeque<Failure>>>,
    faults: Option<Arc<dyn FaultSource>>,
    sink: RwLock<Option<Arc<dyn ReplySink>>>,
    /// Calls received, per method (in the order of `METHODS`).
    received: [AtomicU64; METHODS.len()],
    /// Calls answered 200, per method.
    answered: [AtomicU64; METHODS.len()],
    next_message_id: AtomicI64,
    webhook_url: Mutex<String>,
    get_me: Bytes,
    bot_user: String,
}

/// Nothing panics while holding these locks; if something did, the data is still valid.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running server; dropping it stops it (and closes its connections).
pub struct FakeBotApi {
    shared: Arc<Shared>,
    address: SocketAddr,
    accept: JoinHandle<()>,
    stop: watch::Sender<bool>,
    state_home: tempfile::TempDir,
}

impl FakeBotApi {
    /// Starts a fake that records every call.
    ///
    /// # Panics
    /// If 127.0.0.1:0 cannot be bound.
    pub async fn start() -> FakeBotApi {
        FakeBotApi::serve(true, None).await.expect("bind 127.0.0.1:0")
    }

    /// Starts a fake that counts calls without recording them, failing them
    /// as `faults` says.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start_counting(faults: Option<Arc<dyn FaultSource>>) -> std::io::Result<FakeBotApi> {
        FakeBotApi::serve(false, faults).await
    }

    async fn serve(record: bool, faults: Option<Arc<dyn FaultSource>>) -> std::io::Result<FakeBotApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let mut me = bot_user();
        let bot_user = me.to_string();
        me["can_join_groups"] = json!(true);
        me["can_read_all_group_messages"] = json!(false);
        me["supports_inline_queries"] = json!(true);
        me["has_main_web_app"] = json!(false);
        let shared = Arc::new(Shared {
            updates: Arc::new(UpdateQueue::new()),
            calls: record.then(Mutex::default),
            scripted: Mutex::default(),
            faults,
            sink: RwLock::new(None),
            received: Default::default(),
            answered: Default::default(),
            next_message_id: AtomicI64::new(1),
            webhook_url: Mutex::default(),
            get_me: Bytes::from(json!({"ok": true, "result": me}).to_string()),
            bot_user,
        });
        let (stop, stopped) = watch::channel(false);
        let accept = tokio::spawn(server::accept_loop(listener, shared.clone(), stopped));
        let state_home = tempfile::Builder::new().prefix("hypnic-test-state-").tempdir()?;
        Ok(FakeBotApi { shared, address, accept, stop, state_home })
    }

    /// The state folder (`XDG_STATE_HOME`) for the bots of this fake API: the
    /// journal and the chats' state. One per fake API and removed with it, so
    /// a bot never meets what a bot of another test left (a journal that has
    /// seen update 50 would skip this test's first 50 updates); a restarted
    /// bot finds what it left itself.
    pub fn state_home(&self) -> &std::path::Path {
        self.state_home.path()
    }

    /// The base URL to give the bot as `TELOXIDE_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Queues an update (`{"message": ...}`, ...) and returns its `update_id`.
    pub fn push(&self, update: Value) -> i64 {
        self.shared.updates.push(&update.to_string())
    }

    /// The update queue `getUpdates` serves.
    pub fn updates(&self) -> &Arc<UpdateQueue> {
        &self.shared.updates
    }

    /// Makes the next `times` calls of `method` fail with `failure`.
    pub fn fail_next(&self, method: &str, times: usize, failure: Failure) {
        let mut scripted = lock(&self.shared.scripted);
        scripted.entry(method.to_string()).or_default().extend(std::iter::repeat_n(failure, times));
    }

    /// Where `sendMessage` calls are reported from now on.
    pub fn set_sink(&self, sink: Arc<dyn ReplySink>) {
        // Poisoned only if a sink panicked; the slot itself is still valid.
        *self.shared.sink.write().unwrap_or_else(PoisonError::into_inner) = Some(sink);
    }

    /// Every call so far (none unless recording).
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.as_ref().map(|calls| lock(calls).clone()).unwrap_or_default()
    }

    /// Every call of `method` so far.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|call| call.method == method).collect()
    }

    /// Polls the recorded calls until `check` returns `Some`, or panics after
    /// `timeout` naming `what` and listing the calls.
    pub async fn wait_for<T>(&self, what: &str, timeout: Duration, check: impl Fn(&[Call]) -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let calls = self.calls();
            if let Some(found) = check(&calls) {
                return found;
            }
            if Instant::now() > deadline {
                let summary: Vec<String> = calls
                    .iter()
                    .filter(|call| call.method != "getUpdates")
                    .map(|call| format!("{} {} {}", call.status, call.method, call.body))
                    .collect();
                panic!("timed out after {timeout:?} waiting for {what}; calls:\n{}", summary.join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Calls of `method` received so far (answered or not yet, failed or not).
    pub fn received(&self, method: &str) -> u64 {
        self.shared.received[slot(method)].load(Ordering::Relaxed)
    }

    /// Calls of `method` answered with 200 so far.
    pub fn answered(&self, method: &str) -> u64 {
        self.shared.answered[slot(method)].load(Ordering::Relaxed)
    }

    /// Calls answered with 200 so far, per method (methods never answered left out).
    pub fn answered_by_method(&self) -> Vec<(&'static str, u64)> {
        METHODS.into_iter().map(|method| (method, self.answered(method))).filter(|(_, n)| *n > 0).collect()
    }
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.accept.abort();
        let _ = self.stop.send(true);
    }
}

/// The bot's `User` object.
pub fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Hypnic", "username": BOT_USERNAME})
}

/// A chat object: positive ids are private chats, negative ones supergroups.
pub fn chat(id: i64) -> Value {
    if id > 0 {
        json!({"id": id, "type": "private", "first_name": "Tester"})
    } else {
        json!({"id": id, "type": "supergroup", "title": "Sleepers"})
    }
}

/// Seconds since the epoch, for `date` fields.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// The place of `method` in `METHODS` (method names are case-insensitive:
/// teloxide sends `SendMessage`, the docs say `sendMessage`).
fn slot(method: &str) -> usize {
    METHODS.iter().position(|known| known.eq_ignore_ascii_case(method)).unwrap_or(METHODS.len() - 1)
}
