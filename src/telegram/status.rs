//! The bot's own status over HTTP, for a supervisor and for Prometheus:
//!
//! - `GET /healthz`: 200 `serving` once the bot is dispatching updates; 503
//!   `starting` before that (while `getMe` fails, say) and 503 `stopping` once
//!   it is shutting down;
//! - `GET /metrics`: [`Metrics`] in the OpenMetrics text format.
//!
//! With a webhook these routes are served beside it, on the webhook's listener;
//! with long polling, on their own address (`--metrics-listen`), if one is given.
//! Either way the server starts before the bot connects, so that `/healthz`
//! answers while it starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::config::Listen;
use super::metrics::{CONTENT_TYPE, Metrics};

/// Where the bot is in its life, as `/healthz` tells it. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Health(Arc<AtomicU8>);

const STARTING: u8 = 0;
const SERVING: u8 = 1;
const STOPPING: u8 = 2;

impl Health {
    /// A bot that is starting.
    pub fn starting() -> Health {
        Health::default()
    }

    /// The bot dispatches updates.
    pub fn serve(&self) {
        // Never back from stopping to serving.
        let _ = self.0.compare_exchange(STARTING, SERVING, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The bot is shutting down (or never started).
    pub fn stop(&self) {
        self.0.store(STOPPING, Ordering::Release);
    }

    /// Whether the bot dispatches updates.
    pub fn is_serving(&self) -> bool {
        self.0.load(Ordering::Acquire) == SERVING
    }

    /// The word `/healthz` answers with.
    fn word(&self) -> &'static str {
        match self.0.load(Ordering::Acquire) {
            STARTING => "starting",
            SERVING => "serving",
            _ => "stopping",
        }
    }
}

#[derive(Clone)]
struct Status {
    metrics: Arc<Metrics>,
    health: Health,
}

/// `GET /healthz` and `GET /metrics`, to serve alone or merged into the webhook's router.
pub fn routes(metrics: Arc<Metrics>, health: Health) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(Status { metrics, health })
}

async fn healthz(State(status): State<Status>) -> (StatusCode, &'static str) {
    let code = if status.health.is_serving() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, status.health.word())
}

async fn metrics_text(State(status): State<Status>) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], status.metrics.encode()).into_response()
}

/// Binds `listen`: an address, or a socket bound already.
///
/// # Errors
/// The address cannot be bound, or the socket cannot be used.
pub async fn bind(listen: &Listen) -> anyhow::Result<TcpListener> {
    match listen {
        Listen::Addr(address) => {
            TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))
        }
        Listen::Bound(socket) => {
            let socket = socket.try_clone().context("cannot use the bound socket")?;
            socket.set_nonblocking(true).context("cannot use the bound socket")?;
            TcpListener::from_std(socket).context("cannot use the bound socket")
        }
    }
}

/// A running HTTP server; dropping it stops it.
pub struct Server(JoinHandle<()>);

impl Server {
    /// Serves `app` on `tcp` until `stopped` resolves (then finishes the
    /// requests it has) or the server is dropped.
    pub fn spawn(
        tcp: TcpListener,
        app: Router,
        stopped: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Server {
        Server(tokio::spawn(async move {
            if let Err(error) = axum::serve(tcp, app).with_graceful_shutdown(stopped).await {
                tracing::error!(%error, "an HTTP server of the bot failed");
            }
        }))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves [`routes`] alone on `listen` (long polling's `--metrics-listen`).
///
/// # Errors
/// The address cannot be bound.
pub async fn serve(listen: &Listen, metrics: Arc<Metrics>, health: Health) -> anyhow::Result<Server> {
    let tcp = bind(listen).await?;
    let address = tcp.local_addr().context("the metrics socket has no address")?;
    tracing::info!(%address, "serving /healthz and /metrics");
    Ok(Server::spawn(tcp, routes(metrics, health), std::future::pending()))
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    async fn get(app: &Router, path: &str) -> (StatusCode, String) {
        let request = Request::get(path).body(Body::empty()).expect("a valid request");
        let response = app.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 20).await.expect("a body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn healthz_is_503_until_serving_and_again_once_stopping() {
        let health = Health::starting();
        let app = routes(Arc::new(Metrics::new()), health.clone());
        assert_eq!(get(&app, "/healthz").await, (StatusCode::SERVICE_UNAVAILABLE, "starting".into()));
        health.serve();
        assert_eq!(get(&app, "/healthz").await, (StatusCode::OK, "serving".into()));
        health.stop();
        health.serve();
        assert_eq!(get(&app, "/healthz").await, (StatusCode::SERVICE_UNAVAILABLE, "stopping".into()));
        let (status, text) = get(&app, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(text.contains("# TYPE hypnic_engine_seconds histogram") && text.ends_with("# EOF\n"), "{text}");
    }
}
