//! A fake Telegram Bot API on 127.0.0.1:0, for the integration tests and the
//! load harness alike. It is built on hyper 1 directly (HTTP/1.1 keep-alive,
//! one task per connection) to keep up with thousands of replies a second.
//!
//! It serves `getUpdates` from an [`UpdateQueue`], answers `sendMessage` with a
//! full `Message` (the text echoed as sent), and answers the other methods the
//! bot calls (`getMe`, `setMyCommands`, `setWebhook`, `deleteWebhook`,
//! `getWebhookInfo`, `answerCallbackQuery`) with valid bodies. A call can fail:
//! the next calls of a method ([`FakeBotApi::fail_next`]), or any share of
//! them (a [`FaultSource`]).
//!
//! A recording fake ([`FakeBotApi::start`], for tests) keeps every call with
//! its JSON body, to wait for and look at. A counting fake
//! ([`FakeBotApi::start_counting`], for load) keeps only counts per method and
//! tells a [`ReplySink`] about each message sent: it parses no more than it must.

mod updates;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::value::RawValue;
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
const METHODS: [&str; 9] = [
    "getMe",
    "getUpdates",
    "sendMessage",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "answerCallbackQuery",
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
}

/// The connection is dropped without a response (the fault, or a broken request).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

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
        me["supports_inline_queries"] = json!(false);
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
        let accept = tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Ok(FakeBotApi { shared, address, accept, stop })
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

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stopped: watch::Receiver<bool>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, say: let connections close, then go on.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(shared.clone(), request));
            let connection = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

type Reply = Response<Full<Bytes>>;

/// Counts (and records) a call of `/bot<token>/<method>`, then answers it.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Reply, Dropped> {
    let path = request.uri().path();
    let (token, method) = path.strip_prefix("/bot").and_then(|rest| rest.rsplit_once('/')).unwrap_or_default();
    let token_ok = token == TOKEN || token.replace("%3A", ":") == TOKEN;
    let method = lower_first(method);
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let content_type = content_type.to_string();
    let body = request.into_body().collect().await.map_err(|_| Dropped)?.to_bytes();
    let slot = slot(&method);
    shared.received[slot].fetch_add(1, Ordering::Relaxed);
    let recorded = shared.calls.as_ref().map(|calls| {
        let call =
            Call { method: method.clone(), body: parse_body(&content_type, &body), at: Instant::now(), status: 0 };
        let mut calls = lock(calls);
        calls.push(call);
        calls.len() - 1
    });
    let reply = if token_ok {
        answer(&shared, &method, &content_type, &body).await
    } else {
        Ok(error(StatusCode::UNAUTHORIZED, "Unauthorized", None))
    };
    let status = reply.as_ref().map_or(0, |reply| reply.status().as_u16());
    if status == 200 {
        shared.answered[slot].fetch_add(1, Ordering::Relaxed);
    }
    if let (Some(calls), Some(index)) = (&shared.calls, recorded) {
        lock(calls)[index].status = status;
    }
    reply
}

/// Fails the call if a script or the fault source says so, else processes it.
async fn answer(shared: &Shared, method: &str, content_type: &str, body: &[u8]) -> Result<Reply, Dropped> {
    let scripted = lock(&shared.scripted).get_mut(method).and_then(VecDeque::pop_front);
    match scripted.or_else(|| shared.faults.as_ref().and_then(|faults| faults.next(method))) {
        None => {}
        Some(Failure::ServerError) => {
            return Ok(error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error", None));
        }
        Some(Failure::TooManyRequests { retry_after }) => {
            let description = format!("Too Many Requests: retry after {retry_after}");
            return Ok(error(StatusCode::TOO_MANY_REQUESTS, &description, Some(retry_after)));
        }
        Some(Failure::BadRequest(description)) => return Ok(error(StatusCode::BAD_REQUEST, description, None)),
        Some(Failure::Dropped) => return Err(Dropped),
        Some(Failure::Stalled(wait)) => tokio::time::sleep(wait).await,
    }
    let ok = |result: Value| json_reply(StatusCode::OK, json!({"ok": true, "result": result}).to_string());
    Ok(match method {
        "getMe" => json_reply(StatusCode::OK, shared.get_me.clone()),
        "getUpdates" => {
            // teloxide always sends a JSON body; a missing or odd one means defaults.
            let fetch: Fetch = serde_json::from_slice(body).unwrap_or_default();
            json_reply(StatusCode::OK, shared.updates.fetch(fetch).await)
        }
        "sendMessage" => send_message(shared, body)
            .unwrap_or_else(|| error(StatusCode::BAD_REQUEST, "Bad Request: chat_id or text is missing", None)),
        "setWebhook" => {
            let url = parse_body(content_type, body)["url"].as_str().unwrap_or_default().to_string();
            *lock(&shared.webhook_url) = url;
            ok(json!(true))
        }
        "deleteWebhook" => {
            lock(&shared.webhook_url).clear();
            ok(json!(true))
        }
        "getWebhookInfo" => {
            let url = lock(&shared.webhook_url).clone();
            ok(json!({"url": url, "has_custom_certificate": false, "pending_update_count": 0}))
        }
        _ => ok(json!(true)),
    })
}

#[derive(Deserialize)]
struct SendMessage<'a> {
    chat_id: i64,
    #[serde(borrow)]
    text: &'a RawValue,
    reply_parameters: Option<ReplyParameters>,
}

#[derive(Deserialize)]
struct ReplyParameters {
    message_id: i64,
}

/// Processes a `sendMessage`: reports it, and answers the `Message` sent, with
/// the text echoed as the bot sent it (copied, never unescaped and escaped again).
fn send_message(shared: &Shared, body: &[u8]) -> Option<Reply> {
    let request: SendMessage<'_> = serde_json::from_slice(body).ok()?;
    let sent = SentMessage {
        chat_id: request.chat_id,
        reply_to: request.reply_parameters.map(|reply| reply.message_id),
        at: Instant::now(),
    };
    // Poisoned only if a sink panicked; the slot itself is still valid.
    let sink = shared.sink.read().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(sink) = sink {
        sink.sent(&sent);
    }
    let message_id = shared.next_message_id.fetch_add(1, Ordering::Relaxed);
    let reply = format!(
        r#"{{"ok":true,"result":{{"message_id":{message_id},"date":{},"chat":{},"from":{},"text":{}}}}}"#,
        unix_now(),
        chat(sent.chat_id),
        shared.bot_user,
        request.text.get()
    );
    Some(json_reply(StatusCode::OK, reply))
}

/// A Bot API error answer.
fn error(status: StatusCode, description: &str, retry_after: Option<u32>) -> Reply {
    let mut body = json!({"ok": false, "error_code": status.as_u16(), "description": description});
    if let Some(seconds) = retry_after {
        body["parameters"] = json!({"retry_after": seconds});
    }
    json_reply(status, body.to_string())
}

fn json_reply(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A JSON body as is; a multipart form (teloxide sends `setWebhook` so) as an
/// object of its fields, each parsed as JSON when it is JSON.
fn parse_body(content_type: &str, body: &[u8]) -> Value {
    let text = String::from_utf8_lossy(body);
    if body.is_empty() {
        return Value::Null;
    }
    let Some(boundary) = content_type.split("boundary=").nth(1).map(|b| b.trim_matches('"')) else {
        return serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()));
    };
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else { continue };
        let Some(name) = head.split("name=\"").nth(1).and_then(|rest| rest.split('"').next()) else { continue };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let parsed = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
        fields.insert(name.to_string(), parsed);
    }
    Value::Object(fields)
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}
