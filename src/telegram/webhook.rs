//! The webhook server: a small axum router of our own rather than teloxide's,
//! which logs the raw body of a bad request (a privacy leak) and answers 200 to
//! malformed JSON. Ours, on `POST <path of the webhook URL>`:
//!
//! - 401 without the right `X-Telegram-Bot-Api-Secret-Token` (constant-time compare);
//! - 413 for a body over the limit (1 MiB), 408 for a body slower than the timeout (10 s);
//! - 400 for a body that is not an update, logged without its content;
//! - 503 while stopping, or when the dispatcher is too far behind;
//! - 200 once the update is queued for the dispatcher.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, anyhow};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use subtle::ConstantTimeEq;
use teloxide::Bot;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::requests::Request;
use teloxide::stop::StopFlag;
use teloxide::types::{Update, UpdateKind};
use teloxide::update_listeners::UpdateListener;
use tokio::task::JoinHandle;
use tokio_stream::StreamExt;

use super::config::{Listen, Secret, WebhookConfig};
use super::listen::{ALLOWED_UPDATES, Screened, UpdateSender, channel};
use super::redact::Redactor;
use super::retry::{RetryPolicy, with_retry};

/// The header Telegram puts the secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Updates waiting for the dispatcher; a full queue makes Telegram retry later.
pub const QUEUE: usize = 256;

/// How long a request may wait for room in a full queue before getting 503.
const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
struct Hook {
    secret: Arc<Secret>,
    updates: UpdateSender,
    stopped: StopFlag,
    max_body_bytes: usize,
    body_timeout: Duration,
    budget: Arc<BodyBudget>,
}

/// The router for `config`, sending parsed updates to `updates`. Once
/// `stopped` is raised, requests get 503.
pub fn router(config: &WebhookConfig, updates: UpdateSender, stopped: StopFlag) -> Router {
    let hook = Hook {
        secret: Arc::new(config.secret.clone()),
        updates,
        stopped,
        max_body_bytes: config.max_body_bytes,
        body_timeout: config.body_timeout,
        budget: Arc::new(BodyBudget::default()),
    };
    let path = match config.url.path() {
        "" => "/",
        path => path,
    };
    Router::new().route(path, post(receive)).with_state(hook)
}

/// The running webhook server; dropping it stops the server.
pub struct Server(JoinHandle<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Binds the server, starts it, and tells Telegram to post updates to the
/// webhook URL (with the secret). Returns the listener to dispatch from and the
/// server, which stops serving once the listener is stopped (and stops
/// entirely when dropped).
///
/// # Errors
/// The address cannot be bound, or `setWebhook` fails (the server is stopped).
pub async fn start(
    bot: &Bot,
    config: WebhookConfig,
    policy: &RetryPolicy,
    redactor: &Redactor,
) -> anyhow::Result<(Screened<impl UpdateListener<Err = std::convert::Infallible> + Send + use<>>, Server)> {
    let tcp = match config.listen {
        Listen::Addr(address) => {
            tokio::net::TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))?
        }
        Listen::Bound(ref socket) => {
            let socket = socket.try_clone().context("cannot use the webhook socket")?;
            socket.set_nonblocking(true).context("cannot use the webhook socket")?;
            tokio::net::TcpListener::from_std(socket).context("cannot use the webhook socket")?
        }
    };
    let address = tcp.local_addr().context("the webhook socket has no address")?;
    let (updates, listener, stopped) = channel(QUEUE);
    let app = router(&config, updates, stopped.clone());
    let server = Server(tokio::spawn(async move {
        if let Err(error) = axum::serve(tcp, app).with_graceful_shutdown(stopped).await {
            tracing::error!(%error, "the webhook server failed");
        }
    }));
    // Not the path: a webhook URL's path is often meant to be hard to guess.
    tracing::info!(%address, "webhook server listening");

    let request = bot
        .set_webhook(config.url.clone())
        .secret_token(config.secret.expose().to_string())
        .drop_pending_updates(config.drop_pending_updates)
        .allowed_updates(ALLOWED_UPDATES);
    let set = with_retry(
        policy,
        || request.send_ref(),
        |error, attempt, _| {
            tracing::warn!(attempt, error = %redactor.error(error), "setWebhook failed; retrying");
        },
    )
    .await;
    if let Err(error) = set {
        return Err(anyhow!("setWebhook failed: {}", redactor.error(&error)));
    }
    Ok((listener, server))
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: Body) -> StatusCode {
    if !secret_matches(&hook.secret, &headers) {
        tracing::debug!("webhook request without the right secret");
        return StatusCode::UNAUTHORIZED;
    }
    if hook.stopped.is_stopped() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > hook.max_body_bytes as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    let read = read_body(body, hook.max_body_bytes, &hook.budget);
    let (bytes, _reserved) = match tokio::time::timeout(hook.body_timeout, read).await {
        Err(_elapsed) => return StatusCode::REQUEST_TIMEOUT,
        Ok(Err(status)) => return status,
        Ok(Ok(read)) => read,
    };
    let update: Update = match serde_json::from_slice(&bytes) {
        Ok(update) => update,
        Err(error) => {
            // serde's message can quote the body: log only where it broke.
            tracing::warn!(
                bytes = bytes.len(),
                line = error.line(),
                column = error.column(),
                "webhook body is not an update"
            );
            return StatusCode::BAD_REQUEST;
        }
    };
    if matches!(update.kind, UpdateKind::Error(_)) {
        // Valid JSON of a kind teloxide does not know: accept it so Telegram
        // does not send it again, and drop it.
        tracing::warn!(update = update.id.0, "skipped an update of a kind teloxide cannot parse");
        return StatusCode::OK;
    }
    match hook.updates.send_timeout(Ok(update), ENQUEUE_TIMEOUT).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Whether the request carries the secret, compared in constant time.
fn secret_matches(secret: &Secret, headers: &HeaderMap) -> bool {
    let Some(given) = headers.get(SECRET_HEADER) else { return false };
    bool::from(given.as_bytes().ct_eq(secret.expose().as_bytes()))
}

/// Bytes of webhook bodies held in memory at once, over all requests: many
/// large bodies at once (an abuser with the secret) cannot take more.
const BODY_BUDGET_BYTES: usize = 16 << 20;

/// The memory budget shared by all requests' bodies.
#[derive(Debug, Default)]
struct BodyBudget {
    used: AtomicUsize,
}

/// Bytes taken from the [`BodyBudget`], given back when dropped.
struct Reserved<'a> {
    budget: &'a BodyBudget,
    bytes: usize,
}

impl Reserved<'_> {
    /// Takes `bytes` more, if the budget has room.
    fn grow(&mut self, bytes: usize) -> bool {
        let before = self.budget.used.fetch_add(bytes, Ordering::AcqRel);
        if before + bytes > BODY_BUDGET_BYTES {
            self.budget.used.fetch_sub(bytes, Ordering::AcqRel);
            return false;
        }
        self.bytes += bytes;
        true
    }
}

impl Drop for Reserved<'_> {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// The whole body and its share of the budget; 413 past `limit` bytes or when
/// the shared budget is spent, 400 if the connection fails.
async fn read_body(body: Body, limit: usize, budget: &BodyBudget) -> Result<(Vec<u8>, Reserved<'_>), StatusCode> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut reserved = Reserved { budget, bytes: 0 };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if bytes.len() + chunk.len() > limit || !reserved.grow(chunk.len()) {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, reserved))
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;
    use axum::http::Request;
    use teloxide::stop::{StopToken, mk_stop_token};
    use tokio::sync::mpsc;
    use tower::ServiceExt;

    use super::*;

    const SECRET: &str = "the-right-secret";

    struct Fixture {
        app: Router,
        updates: mpsc::Receiver<Result<Update, std::convert::Infallible>>,
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
        let update = fixture.updates.try_recv().ok().and_then(Result::ok).map(|update| update.id.0);
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

    #[test]
    fn the_body_budget_is_shared_and_given_back() {
        let budget = BodyBudget::default();
        let mut first = Reserved { budget: &budget, bytes: 0 };
        assert!(first.grow(BODY_BUDGET_BYTES - 10));
        let mut second = Reserved { budget: &budget, bytes: 0 };
        assert!(!second.grow(11), "past the shared budget");
        assert!(second.grow(10));
        drop(first);
        assert!(second.grow(1 << 20), "given back when a request ends");
    }
}
