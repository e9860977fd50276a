//! The server side of the fake: accepts connections, counts (and records) each
//! call, fails it as scripted or as the fault source says, and answers it.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
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

use super::{Call, Failure, Fetch, SentMessage, Shared, TOKEN, chat, lock, slot, unix_now};

/// The connection is dropped without a response (the fault, or a broken request).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// Serves connections until `stopped` changes, one task per connection.
pub(super) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stopped: watch::Receiver<bool>) {
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
        "editMessageText" => edit_message_text(shared, body).unwrap_or_else(|| {
            error(StatusCode::BAD_REQUEST, "Bad Request: chat_id, message_id or text is missing", None)
        }),
        "setWebhook" => {
            let url = parse_body(content_type, body)["url"].as_str().unwrap_or_default().to_string();
            *lock(&shared.webhook_url) = url;
            ok(json!(true))
        }
        "deleteWebhook" => {
            lock(&shared.webhook_url).clear();
            ok(json!(true))
        }
        "answerInlineQuery" => match inline_results_problem(&parse_body(content_type, body)) {
            None => ok(json!(true)),
            Some(problem) => error(StatusCode::BAD_REQUEST, problem, None),
        },
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

#[derive(Deserialize)]
struct EditMessageText<'a> {
    chat_id: i64,
    message_id: i64,
    #[serde(borrow)]
    text: &'a RawValue,
}

/// Processes an `editMessageText` of a message in a chat: answers the edited
/// `Message`, its text echoed as the bot sent it.
fn edit_message_text(shared: &Shared, body: &[u8]) -> Option<Reply> {
    let request: EditMessageText<'_> = serde_json::from_slice(body).ok()?;
    let now = unix_now();
    let reply = format!(
        r#"{{"ok":true,"result":{{"message_id":{},"date":{now},"edit_date":{now},"chat":{},"from":{},"text":{}}}}}"#,
        request.message_id,
        chat(request.chat_id),
        shared.bot_user,
        request.text.get()
    );
    Some(json_reply(StatusCode::OK, reply))
}

/// What Telegram would refuse in an `answerInlineQuery`: more than 50
/// results, an id missing, repeated or over 64 bytes, an article without a
/// title, or a message text empty or over 4096 UTF-16 units.
fn inline_results_problem(body: &Value) -> Option<&'static str> {
    let Some(results) = body["results"].as_array() else { return Some("Bad Request: results are missing") };
    if body["inline_query_id"].as_str().is_none_or(str::is_empty) {
        return Some("Bad Request: inline_query_id is missing");
    }
    if results.len() > 50 {
        return Some("Bad Request: too many results");
    }
    let mut ids = std::collections::HashSet::new();
    for result in results {
        let id = result["id"].as_str().unwrap_or_default();
        if id.is_empty() || id.len() > 64 || !ids.insert(id) {
            return Some("Bad Request: RESULT_ID_INVALID");
        }
        if result["type"] == "article" && result["title"].as_str().is_none_or(str::is_empty) {
            return Some("Bad Request: RESULT_TITLE_EMPTY");
        }
        let text = result["input_message_content"]["message_text"].as_str().unwrap_or_default();
        if text.is_empty() || text.encode_utf16().count() > 4096 {
            return Some("Bad Request: MESSAGE_TOO_LONG");
        }
    }
    None
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
