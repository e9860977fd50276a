//! The webhook server: a small axum router of our own rather than teloxide's,
//! which compares the secret in non-constant time, logs the raw body of a bad
//! request (a privacy leak) and answers 200 to malformed JSON. Ours, on
//! `POST <path of the webhook URL>`:
//!
//! - 401 without the right `X-Telegram-Bot-Api-Secret-Token` (constant-time
//!   compare), before anything of the body is read;
//! - 413 for a body over the limit (1 MiB), declared or streamed, 408 for a
//!   request slower than the timeout (10 s): tower-http's `RequestBodyLimitLayer`
//!   (which, unlike axum's `DefaultBodyLimit`, answers a declared length at
//!   once) and `TimeoutLayer`;
//! - 400 for a body that is not an update, logged without its content;
//! - 503 while starting or stopping, or when the dispatcher is too far behind;
//! - 200 once the update is queued for the dispatcher.
//!
//! At most [`MAX_REQUESTS`] requests with the secret are read at once (tower's
//! concurrency limit); more wait their turn within the timeout. The same
//! listener serves `GET /healthz` and `GET /metrics` ([`super::status`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, anyhow};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt;
use futures::stream;
use subtle::ConstantTimeEq;
use teloxide::Bot;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::requests::Request as _;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::Update;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::config::{Secret, WebhookConfig};
use super::listen::{ALLOWED_UPDATES, Listener};
use super::redact::Redactor;
use super::retry::{RetryPolicy, with_retry};
use super::status::{Server, bind};

/// The header Telegram puts the secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Updates waiting for the dispatcher; a full queue makes Telegram retry later.
pub const QUEUE: usize = 256;

/// Requests with the secret read at once. Telegram itself opens at most 100
/// connections; the rest is room for slow clients, each of which holds little
/// memory, while every body stays under the body limit.
pub const MAX_REQUESTS: usize = 4096;

/// How long a request may wait for room in a full queue before getting 503.
const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long to wait for `deleteWebhook` when stopping.
const DELETE_WEBHOOK_TIMEOUT: Duration = Duration::from_millis(500);

#[derive(Clone)]
struct Hook {
    secret: Arc<Secret>,
    updates: mpsc::Sender<Update>,
    stopped: StopFlag,
    /// Raised once the bot is ready for updates; before that they get 503.
    open: Arc<AtomicBool>,
}

/// The router for `config`, sending parsed updates to `updates`. Once
/// `stopped` is raised, requests get 503.
pub fn router(config: &WebhookConfig, updates: mpsc::Sender<Update>, stopped: StopFlag) -> Router {
    let hook =
        Hook { secret: Arc::new(config.secret.clone()), updates, stopped, open: Arc::new(AtomicBool::new(true)) };
    hook_router(config, hook)
}

fn hook_router(config: &WebhookConfig, hook: Hook) -> Router {
    let layers = ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(hook.clone(), admit))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.body_timeout))
        .layer(GlobalConcurrencyLimitLayer::new(MAX_REQUESTS))
        // The limit above is the one that applies.
        .layer(DefaultBodyLimit::disable());
    let path = match config.url.path() {
        "" => "/",
        path => path,
    };
    Router::new().route(path, post(receive.layer(layers))).with_state(hook)
}

/// The webhook server, started before the bot connects so that the routes
/// beside the webhook (`/healthz`, `/metrics`) answer while it starts. Its
/// webhook path answers 503 until [`listener`] opens it. Dropping it stops
/// the server.
pub struct Endpoint {
    updates: mpsc::Receiver<Update>,
    open: Arc<AtomicBool>,
    stop: StopToken,
    server: Server,
}

/// Binds the webhook's address and serves the webhook path, closed for now,
/// with `beside` (other routes) on the same listener.
///
/// # Errors
/// The address cannot be bound.
pub async fn serve(config: &WebhookConfig, beside: Router) -> anyhow::Result<Endpoint> {
    let tcp = bind(&config.listen).await?;
    let address = tcp.local_addr().context("the webhook socket has no address")?;
    let (sender, updates) = mpsc::channel(QUEUE);
    let (stop, stopped) = mk_stop_token();
    let open = Arc::new(AtomicBool::new(false));
    let hook =
        Hook { secret: Arc::new(config.secret.clone()), updates: sender, stopped: stopped.clone(), open: open.clone() };
    let app = hook_router(config, hook).merge(beside);
    let server = Server::spawn(tcp, app, stopped);
    // Not the path: a webhook URL's path is often meant to be hard to guess.
    tracing::info!(%address, "webhook server listening");
    Ok(Endpoint { updates, open, stop, server })
}

/// Opens the webhook path of `endpoint` and tells Telegram to post updates to
/// the webhook URL (with the secret). The listener's updates end once it is
/// stopped and the server has finished the requests it had; then it deletes
/// the webhook. Dropping the listener stops the server.
///
/// # Errors
/// `setWebhook` fails (the server is stopped).
pub async fn listener(
    bot: &Bot,
    endpoint: Endpoint,
    config: &WebhookConfig,
    policy: &RetryPolicy,
    redactor: &Redactor,
) -> anyhow::Result<Listener> {
    let Endpoint { updates, open, stop, server } = endpoint;
    open.store(true, Ordering::Release);
    let request = bot
        .set_webhook(config.url.clone())
        .secret_token(config.secret.expose().to_string())
        .drop_pending_updates(config.drop_pending_updates)
        .allowed_updates(ALLOWED_UPDATES);
    let on_retry = |error: &teloxide::RequestError, attempt, _| {
        tracing::warn!(attempt, error = %redactor.error(error), "setWebhook failed; retrying");
    };
    if let Err(error) = with_retry(policy, || request.send_ref(), on_retry).await {
        return Err(anyhow!("setWebhook failed: {}", redactor.error(&error)));
    }
    let (bot, redactor) = (bot.clone(), redactor.clone());
    let deleted = async move {
        match tokio::time::timeout(DELETE_WEBHOOK_TIMEOUT, bot.delete_webhook().send()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(error = %redactor.error(&error), "deleteWebhook failed"),
            Err(_) => tracing::warn!("deleteWebhook timed out"),
        }
        drop(server);
        None
    };
    let updates = ReceiverStream::new(updates).chain(stream::once(deleted).filter_map(std::future::ready));
    Ok(Listener::new(Box::pin(updates), stop, None))
}

/// Lets through only requests with the secret, and none once stopping.
async fn admit(State(hook): State<Hook>, request: Request, next: Next) -> Response {
    if !secret_matches(&hook.secret, request.headers()) {
        tracing::debug!("webhook request without the right secret");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if hook.stopped.is_stopped() || !hook.open.load(Ordering::Acquire) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    next.run(request).await
}

async fn receive(State(hook): State<Hook>, body: Bytes) -> StatusCode {
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(error) => {
            // serde's message can quote the body: log only where it broke.
            tracing::warn!(
                bytes = body.len(),
                line = error.line(),
                column = error.column(),
                "webhook body is not an update"
            );
            return StatusCode::BAD_REQUEST;
        }
    };
    match hook.updates.send_timeout(update, ENQUEUE_TIMEOUT).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Whether the request carries the secret, compared in constant time.
fn secret_matches(secret: &Secret, headers: &HeaderMap) -> bool {
    let Some(given) = headers.get(SECRET_HEADER) else { return false };
    bool::from(given.as_bytes().ct_eq(secret.expose().as_bytes()))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    use super::*;
    use crate::telegram::config::Listen;

    const SECRET: &str = "the-right-secret";

    struct Fixture {
        app: Router,
        updates: mpsc::Receiver<Update>,
        stop: StopToken,
    }

    fn fixture() -> Fixture {
        let url = reqwest::Url::parse("https://bot.example.org/telegram/hook").expect("valid URL");
        let listen = Listen::Addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        let mut config = WebhookConfig::new(url, listen, Secret::new(SECRET));
        config.max_body_bytes = 1024;
        config.body_timeout = Duration::from_millis(200);
        let (sender, updates) = mpsc::channel(4);
        let (stop, stopped) = mk_stop_token();
        Fixture { app: router(&config, sender, stopped), updates, stop }
    }

    fn post(secret: Option<&str>, body: Body) -> Request<Body> {
        let mut request = Request::post("/telegram/hook").header(header::CONTENT_TYPE, "application/json");
        if let Some(secret) = secret {
            request = request.header(SECRET_HEADER, secret);
        }
        request.body(body).expect("a valid request")
    }

    fn update_json() -> String {
        serde_json::json!({"update_id": 10, "message": {"message_id": 1, "date": 1_700_000_000,
            "chat": {"id": 7, "type": "private", "first_name": "A"},
            "from": {"id": 7, "is_bot": false, "first_name": "A"}, "text": "hello"}})
        .to_string()
    }

    async fn status(app: &Router, request: Request<Body>) -> StatusCode {
        app.clone().oneshot(request).await.map(|response| response.status()).unwrap_or(StatusCode::IM_A_TEAPOT)
    }

    #[tokio::test]
    async fn a_missing_or_wrong_secret_is_401_and_nothing_is_queued() {
        let mut fixture = fixture();
        assert_eq!(status(&fixture.app, post(None, Body::from(update_json()))).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            status(&fixture.app, post(Some("wrong"), Body::from(update_json()))).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(&fixture.app, post(Some("the-right-secreT"), Body::from(update_json()))).await,
            StatusCode::UNAUTHORIZED
        );
        assert!(fixture.updates.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_valid_update_with_the_secret_is_queued() {
        let mut fixture = fixture();
        assert_eq!(status(&fixture.app, post(Some(SECRET), Body::from(update_json()))).await, StatusCode::OK);
        let update = fixture.updates.try_recv().ok().map(|update| update.id.0);
        assert_eq!(update, Some(10));
    }

    #[tokio::test]
    async fn malformed_json_is_400() {
        let fixture = fixture();
        assert_eq!(status(&fixture.app, post(Some(SECRET), Body::from("{not json"))).await, StatusCode::BAD_REQUEST);
        assert_eq!(status(&fixture.app, post(Some(SECRET), Body::from("{\"ok\":1}"))).await, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_declared_or_streamed() {
        let fixture = fixture();
        let big = "x".repeat(2000);
        assert_eq!(
            status(&fixture.app, post(Some(SECRET), Body::from(big.clone()))).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        // The same, streamed in chunks with no Content-Length.
        let chunks = tokio_stream::iter((0..2).map(move |_| Ok::<_, std::io::Error>(Bytes::from(big.clone()))));
        let streamed = post(Some(SECRET), Body::from_stream(chunks));
        assert_eq!(status(&fixture.app, streamed).await, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_body_that_never_ends_is_408() {
        let fixture = fixture();
        let never = Body::from_stream(tokio_stream::pending::<Result<Bytes, std::io::Error>>());
        assert_eq!(status(&fixture.app, post(Some(SECRET), never)).await, StatusCode::REQUEST_TIMEOUT);
    }

    #[tokio::test]
    async fn without_the_secret_the_body_is_never_read() {
        let fixture = fixture();
        let never = Body::from_stream(tokio_stream::pending::<Result<Bytes, std::io::Error>>());
        let answered = tokio::time::timeout(Duration::from_millis(100), status(&fixture.app, post(None, never))).await;
        assert_eq!(answered.ok(), Some(StatusCode::UNAUTHORIZED), "401 at once, not 408 after the body timeout");
        let big = Body::from("x".repeat(2000));
        assert_eq!(status(&fixture.app, post(Some("wrong"), big)).await, StatusCode::UNAUTHORIZED, "not 413");
    }

    #[tokio::test]
    async fn after_stop_requests_are_503_and_other_methods_405() {
        let fixture = fixture();
        fixture.stop.stop();
        assert_eq!(
            status(&fixture.app, post(Some(SECRET), Body::from(update_json()))).await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let get = Request::get("/telegram/hook").body(Body::empty()).expect("a valid request");
        assert_eq!(status(&fixture.app, get).await, StatusCode::METHOD_NOT_ALLOWED);
    }
}
