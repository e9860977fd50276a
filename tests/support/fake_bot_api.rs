//! A fake Telegram Bot API server on 127.0.0.1:0: it serves queued updates to
//! `getUpdates` (long-polling briefly), answers every method the bot calls with
//! valid Bot API JSON and realistic `Message` objects, records every call, and
//! can be told to fail the next calls of a method.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The bot's user id.
pub const BOT_ID: i64 = 7_000_000_001;
/// The bot's username.
pub const BOT_USERNAME: &str = "hypnic_test_bot";
/// A token shaped like a real one (id, colon, 35 characters), so that
/// teloxide's own URL redaction recognises it too.
pub const TOKEN: &str = "7000000001:AAHfakeTokenForHypnicTests-01234567";

/// How long `getUpdates` waits for an update before answering `[]`.
const LONG_POLL_WAIT: Duration = Duration::from_millis(200);

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The Bot API method (`sendMessage`).
    pub method: String,
    /// The JSON body (`Null` if empty, a string if not JSON).
    pub body: Value,
    /// When the call arrived.
    pub at: Instant,
    /// The HTTP status answered.
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

/// How a call should fail.
#[derive(Debug, Clone)]
pub enum Failure {
    /// 500 Internal Server Error.
    ServerError,
    /// 429 with `retry_after` seconds.
    TooManyRequests {
        /// Seconds to wait.
        retry_after: u32,
    },
    /// 400 with this description (`Bad Request: ...`).
    BadRequest(&'static str),
}

#[derive(Default)]
struct Inner {
    pending: Vec<Value>,
    next_update_id: i64,
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    next_message_id: i64,
    webhook_url: String,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    arrived: Arc<Notify>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The running fake server.
pub struct FakeBotApi {
    shared: Shared,
    address: std::net::SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

static NEXT_INCOMING_MESSAGE_ID: AtomicI64 = AtomicI64::new(1000);

impl FakeBotApi {
    /// Starts the server on 127.0.0.1:0.
    pub async fn start() -> FakeBotApi {
        let inner = Inner { next_update_id: 1, next_message_id: 1, ..Inner::default() };
        let shared = Shared { inner: Arc::new(Mutex::new(inner)), arrived: Arc::new(Notify::new()) };
        let app = Router::new().route("/{token}/{method}", post(handle)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("bound address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake Bot API server");
        });
        FakeBotApi { shared, address, server }
    }

    /// The base URL to give the bot as `TELOXIDE_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Queues an update (`{"message": ...}`, ...) and returns its `update_id`.
    pub fn push(&self, mut update: Value) -> i64 {
        let id = {
            let mut inner = self.shared.lock();
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            update["update_id"] = json!(id);
            inner.pending.push(update);
            id
        };
        self.shared.arrived.notify_waiters();
        id
    }

    /// Makes the next `times` calls of `method` fail with `failure`.
    pub fn fail_next(&self, method: &str, times: usize, failure: Failure) {
        let mut inner = self.shared.lock();
        let queue = inner.failures.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(failure, times));
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
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
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A fresh id for an incoming message.
pub fn next_message_id() -> i64 {
    NEXT_INCOMING_MESSAGE_ID.fetch_add(1, Ordering::Relaxed)
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

async fn handle(
    State(shared): State<Shared>,
    Path((token, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Method names are case-insensitive; teloxide sends `GetMe`, the docs say `getMe`.
    let method = lower_first(&method);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let body = parse_body(content_type, &body);
    let (status, reply) = if token != format!("bot{TOKEN}") {
        (StatusCode::UNAUTHORIZED, json!({"ok": false, "error_code": 401, "description": "Unauthorized"}))
    } else if let Some(failure) = next_failure(&shared, &method) {
        failure_response(&failure)
    } else {
        (StatusCode::OK, json!({"ok": true, "result": result(&shared, &method, &body).await}))
    };
    shared.lock().calls.push(Call { method, body, at: Instant::now(), status: status.as_u16() });
    (status, axum::Json(reply)).into_response()
}

fn next_failure(shared: &Shared, method: &str) -> Option<Failure> {
    shared.lock().failures.get_mut(method).and_then(VecDeque::pop_front)
}

fn failure_response(failure: &Failure) -> (StatusCode, Value) {
    match failure {
        Failure::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}),
        ),
        Failure::TooManyRequests { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429, "description": format!("Too Many Requests: retry after {retry_after}"),
                   "parameters": {"retry_after": retry_after}}),
        ),
        Failure::BadRequest(description) => {
            (StatusCode::BAD_REQUEST, json!({"ok": false, "error_code": 400, "description": description}))
        }
    }
}

async fn result(shared: &Shared, method: &str, body: &Value) -> Value {
    match method {
        "getMe" => {
            let mut me = bot_user();
            me["can_join_groups"] = json!(true);
            me["can_read_all_group_messages"] = json!(false);
            me["supports_inline_queries"] = json!(false);
            me["has_main_web_app"] = json!(false);
            me
        }
        "getUpdates" => get_updates(shared, body).await,
        "sendMessage" => {
            let chat_id = body["chat_id"].as_i64().unwrap_or_default();
            let mut inner = shared.lock();
            let message_id = inner.next_message_id;
            inner.next_message_id += 1;
            json!({"message_id": message_id, "date": unix_now(), "chat": chat(chat_id), "from": bot_user(),
                   "text": body["text"].as_str().unwrap_or_default()})
        }
        "setWebhook" => {
            shared.lock().webhook_url = body["url"].as_str().unwrap_or_default().to_string();
            json!(true)
        }
        "deleteWebhook" => {
            shared.lock().webhook_url.clear();
            json!(true)
        }
        "getWebhookInfo" => {
            json!({"url": shared.lock().webhook_url, "has_custom_certificate": false, "pending_update_count": 0})
        }
        _ => json!(true),
    }
}

/// `getUpdates`: forgets updates below `offset` (all but the last `-offset`
/// for a negative one), returns what is left, waiting briefly if nothing is.
async fn get_updates(shared: &Shared, body: &Value) -> Value {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let limit = body["limit"].as_u64().unwrap_or(100) as usize;
    let wait = body["timeout"].as_u64().map_or(Duration::ZERO, |secs| Duration::from_secs(secs).min(LONG_POLL_WAIT));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Registered before looking, so a push in between is not missed.
        let arrived = shared.arrived.notified();
        {
            let mut inner = shared.lock();
            if offset > 0 {
                inner.pending.retain(|update| update["update_id"].as_i64().unwrap_or_default() >= offset);
            } else if offset < 0 {
                let keep = offset.unsigned_abs() as usize;
                let len = inner.pending.len();
                inner.pending.drain(..len.saturating_sub(keep));
            }
            if !inner.pending.is_empty() || tokio::time::Instant::now() >= deadline {
                return Value::Array(inner.pending.iter().take(limit).cloned().collect());
            }
        }
        let _ = tokio::time::timeout_at(deadline, arrived).await;
    }
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

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
