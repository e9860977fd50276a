//! A fast fake Telegram Bot API on 127.0.0.1:0, built on hyper 1 directly
//! (HTTP/1.1 keep-alive, one task per connection). It serves `getUpdates` from
//! an [`UpdateQueue`], answers `sendMessage` with a full `Message` and hands
//! each one to a [`ReplySink`], and answers the other methods the bot calls
//! (`getMe`, `setMyCommands`, `getWebhookInfo`, `deleteWebhook`, `setWebhook`,
//! `answerCallbackQuery`) with valid bodies. Fixed bodies are built once; the
//! only JSON parsing is of request bodies. [`Faults`] decide which calls fail.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
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
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::faults::{Fault, Faults};
use super::plan::{BOT_USERNAME, unix_now};
use super::updates::{Fetch, UpdateQueue};

/// The token the bot is given (any `id:secret` string works).
pub const TOKEN: &str = "7000000002:AAHloadTestTokenForHypnic-0123456789";

/// The bot's user id.
pub const BOT_ID: i64 = 7_000_000_002;

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

/// The methods the fake API knows, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `getMe`.
    GetMe,
    /// `getUpdates`.
    GetUpdates,
    /// `sendMessage`.
    SendMessage,
    /// `setWebhook`.
    SetWebhook,
    /// `deleteWebhook`.
    DeleteWebhook,
    /// `getWebhookInfo`.
    GetWebhookInfo,
    /// `setMyCommands`.
    SetMyCommands,
    /// `answerCallbackQuery`.
    AnswerCallbackQuery,
    /// Anything else (answered `true`).
    Other,
}

impl Method {
    const ALL: [Method; 9] = [
        Method::GetMe,
        Method::GetUpdates,
        Method::SendMessage,
        Method::SetWebhook,
        Method::DeleteWebhook,
        Method::GetWebhookInfo,
        Method::SetMyCommands,
        Method::AnswerCallbackQuery,
        Method::Other,
    ];

    /// The Bot API name.
    pub fn name(self) -> &'static str {
        match self {
            Method::GetMe => "getMe",
            Method::GetUpdates => "getUpdates",
            Method::SendMessage => "sendMessage",
            Method::SetWebhook => "setWebhook",
            Method::DeleteWebhook => "deleteWebhook",
            Method::GetWebhookInfo => "getWebhookInfo",
            Method::SetMyCommands => "setMyCommands",
            Method::AnswerCallbackQuery => "answerCallbackQuery",
            Method::Other => "other",
        }
    }

    /// The position in `Method::ALL`, for counters.
    fn index(self) -> usize {
        Method::ALL.iter().position(|m| *m == self).unwrap_or(Method::ALL.len() - 1)
    }

    /// Method names are case-insensitive (teloxide sends `SendMessage`).
    fn parse(name: &str) -> Method {
        Method::ALL.into_iter().find(|method| method.name().eq_ignore_ascii_case(name)).unwrap_or(Method::Other)
    }
}

struct Shared {
    updates: Arc<UpdateQueue>,
    faults: Arc<Faults>,
    sink: RwLock<Option<Arc<dyn ReplySink>>>,
    /// Calls received, per method (in the order of `Method::ALL`).
    received: [AtomicU64; 9],
    /// Calls answered 200, per method.
    answered: [AtomicU64; 9],
    next_message_id: AtomicI64,
    get_me: Bytes,
    message_from: String,
}

/// The running server; dropping it stops it (and closes its connections).
pub struct FakeApi {
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

impl FakeApi {
    /// Starts the server on 127.0.0.1:0, serving `updates` and failing calls as `faults` say.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start(updates: Arc<UpdateQueue>, faults: Arc<Faults>) -> std::io::Result<FakeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let bot = format!(r#"{{"id":{BOT_ID},"is_bot":true,"first_name":"Hypnic","username":"{BOT_USERNAME}""#);
        let get_me = format!(
            r#"{{"ok":true,"result":{bot},"can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,"has_main_web_app":false}}}}"#
        );
        let shared = Arc::new(Shared {
            updates,
            faults,
            sink: RwLock::new(None),
            received: Default::default(),
            answered: Default::default(),
            next_message_id: AtomicI64::new(1),
            get_me: Bytes::from(get_me),
            message_from: format!("{bot}}}"),
        });
        let (stop, stopped) = watch::channel(false);
        let accept = tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Ok(FakeApi { shared, address, accept, stop })
    }

    /// The base URL to give the bot as `TELOXIDE_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Where `sendMessage` calls are reported from now on.
    pub fn set_sink(&self, sink: Arc<dyn ReplySink>) {
        // Poisoned only if a sink panicked; the slot itself is still valid.
        *self.shared.sink.write().unwrap_or_else(PoisonError::into_inner) = Some(sink);
    }

    /// Calls of `method` answered with 200 so far.
    pub fn answered(&self, method: Method) -> u64 {
        self.shared.answered[method.index()].load(Ordering::Relaxed)
    }

    /// Calls of `method` received so far (answered or not yet, failed or not).
    pub fn received(&self, method: Method) -> u64 {
        self.shared.received[method.index()].load(Ordering::Relaxed)
    }

    /// Calls answered with 200 so far, per method name (methods never called left out).
    pub fn answered_by_method(&self) -> Vec<(&'static str, u64)> {
        Method::ALL.iter().map(|m| (m.name(), self.answered(*m))).filter(|(_, n)| *n > 0).collect()
    }

    /// The update queue `getUpdates` serves.
    pub fn updates(&self) -> &Arc<UpdateQueue> {
        &self.shared.updates
    }

    /// The fault injector.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.shared.faults
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.accept.abort();
        let _ = self.stop.send(true);
    }
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

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Reply, Dropped> {
    let method = route(request.uri().path());
    let body = request.into_body().collect().await.map_err(|_| Dropped)?.to_bytes();
    let Some(method) = method else {
        return Ok(json(StatusCode::UNAUTHORIZED, r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#));
    };
    shared.received[method.index()].fetch_add(1, Ordering::Relaxed);
    match shared.faults.next(method.name()) {
        None => {}
        Some(Fault::Dropped) => return Err(Dropped),
        Some(Fault::ServerError) => {
            return Ok(json(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#,
            ));
        }
        Some(Fault::TooManyRequests) => {
            let seconds = shared.faults.plan().map_or(1, |plan| plan.retry_after);
            let body = format!(
                r#"{{"ok":false,"error_code":429,"description":"Too Many Requests: retry after {seconds}","parameters":{{"retry_after":{seconds}}}}}"#
            );
            return Ok(json(StatusCode::TOO_MANY_REQUESTS, body));
        }
        Some(Fault::Stalled) => {
            let stall = shared.faults.plan().map_or(Duration::ZERO, |plan| plan.stall);
            tokio::time::sleep(stall).await;
        }
    }
    let reply = match method {
        Method::GetMe => json(StatusCode::OK, shared.get_me.clone()),
        Method::GetUpdates => {
            // teloxide always sends a JSON body; a missing or odd one means defaults.
            let fetch: Fetch = serde_json::from_slice(&body).unwrap_or_default();
            json(StatusCode::OK, shared.updates.fetch(fetch).await)
        }
        Method::SendMessage => match send_message(&shared, &body) {
            Some(reply) => reply,
            None => json(
                StatusCode::BAD_REQUEST,
                r#"{"ok":false,"error_code":400,"description":"Bad Request: chat_id or text is missing"}"#,
            ),
        },
        Method::GetWebhookInfo => json(
            StatusCode::OK,
            r#"{"ok":true,"result":{"url":"","has_custom_certificate":false,"pending_update_count":0}}"#,
        ),
        Method::SetWebhook
        | Method::DeleteWebhook
        | Method::SetMyCommands
        | Method::AnswerCallbackQuery
        | Method::Other => json(StatusCode::OK, r#"{"ok":true,"result":true}"#),
    };
    if reply.status() == StatusCode::OK {
        shared.answered[method.index()].fetch_add(1, Ordering::Relaxed);
    }
    Ok(reply)
}

/// The method of `/bot<TOKEN>/<method>`, or `None` for another token or path.
fn route(path: &str) -> Option<Method> {
    let rest = path.strip_prefix("/bot")?;
    let (token, method) = rest.rsplit_once('/')?;
    let token_ok = token == TOKEN || token.replace("%3A", ":") == TOKEN;
    token_ok.then(|| Method::parse(method))
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

/// Processes a `sendMessage`: reports it, and answers the `Message` sent,
/// with the text echoed as the bot sent it.
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
    let chat = if sent.chat_id > 0 {
        format!(r#"{{"id":{},"type":"private","first_name":"User"}}"#, sent.chat_id)
    } else {
        format!(r#"{{"id":{},"type":"supergroup","title":"Load"}}"#, sent.chat_id)
    };
    let text = request.text.get();
    let mut out = String::with_capacity(160 + chat.len() + shared.message_from.len() + text.len());
    out.push_str(r#"{"ok":true,"result":{"message_id":"#);
    out.push_str(&message_id.to_string());
    out.push_str(r#","date":"#);
    out.push_str(&unix_now().to_string());
    out.push_str(r#","chat":"#);
    out.push_str(&chat);
    out.push_str(r#","from":"#);
    out.push_str(&shared.message_from);
    out.push_str(r#","text":"#);
    out.push_str(text);
    out.push_str("}}");
    Some(json(StatusCode::OK, out))
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
