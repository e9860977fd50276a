//! Telegram's side of the webhook: posts updates to the bot with the secret
//! header over a few persistent HTTP/1.1 connections (Telegram uses up to 40),
//! and posts again after a failure or a non-200 answer, as Telegram does. A
//! user's updates always go through the same connection, one at a time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::ledger::Ledger;

/// The header Telegram sends the webhook secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// How long to wait before posting a failed update again.
const RETRY_WAIT: Duration = Duration::from_millis(50);

/// After this long an update is given up (it will count as lost).
const GIVE_UP: Duration = Duration::from_secs(60);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where the bot's webhook is.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The address the bot listens on.
    pub address: SocketAddr,
    /// The path of the webhook URL.
    pub path: String,
    /// The secret the bot expects.
    pub secret: String,
}

impl WebhookTarget {
    /// The URL given to the bot as `--webhook-url`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.address, self.path)
    }
}

/// One update to post, for ledger slot `slot`.
pub struct Job {
    /// The ledger slot; stamped "available" just before the first POST.
    pub slot: usize,
    /// The update JSON.
    pub body: Bytes,
}

/// Counts of one poster.
#[derive(Debug, Default)]
pub struct PostStats {
    /// Posts that failed or got another status than 200, and were tried again.
    pub retried: AtomicU64,
    /// Updates given up after [`GIVE_UP`].
    pub given_up: AtomicU64,
}

/// Posting workers, one connection each; dropping it stops them.
pub struct Poster {
    senders: Vec<mpsc::UnboundedSender<Job>>,
    workers: Vec<JoinHandle<()>>,
    stats: Arc<PostStats>,
}

impl Poster {
    /// Starts `connections` workers posting to `target` and stamping `ledger`.
    pub fn start(target: Arc<WebhookTarget>, ledger: Arc<Ledger>, connections: usize) -> Poster {
        let stats = Arc::new(PostStats::default());
        let (senders, workers) = (0..connections.max(1))
            .map(|_| {
                let (sender, jobs) = mpsc::unbounded_channel();
                let worker = tokio::spawn(worker(target.clone(), ledger.clone(), jobs, stats.clone()));
                (sender, worker)
            })
            .unzip();
        Poster { senders, workers, stats }
    }

    /// Queues `job` for `user`'s connection.
    pub fn post(&self, user: usize, job: Job) {
        // A worker only ends when the poster is dropped.
        let _ = self.senders[user % self.senders.len()].send(job);
    }

    /// Retries and give-ups so far.
    pub fn stats(&self) -> &PostStats {
        &self.stats
    }
}

impl Drop for Poster {
    fn drop(&mut self) {
        for worker in &self.workers {
            worker.abort();
        }
    }
}

async fn worker(
    target: Arc<WebhookTarget>,
    ledger: Arc<Ledger>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    stats: Arc<PostStats>,
) {
    let mut connection = None;
    while let Some(job) = jobs.recv().await {
        let first = Instant::now();
        ledger.offered(job.slot, first);
        loop {
            if let Ok(StatusCode::OK) = post(&mut connection, &target, job.body.clone()).await {
                break;
            }
            if first.elapsed() > GIVE_UP {
                stats.given_up.fetch_add(1, Ordering::Relaxed);
                break;
            }
            stats.retried.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(RETRY_WAIT).await;
        }
    }
}

/// One POST on the kept connection (a new one if there is none or it closed).
async fn post(
    connection: &mut Option<SendRequest<Full<Bytes>>>,
    target: &WebhookTarget,
    body: Bytes,
) -> Result<StatusCode, BoxError> {
    let mut sender = match connection.take().filter(|sender| !sender.is_closed()) {
        Some(sender) => sender,
        None => connect(target.address).await?,
    };
    sender.ready().await?;
    let request = Request::post(target.path.as_str())
        .header(HOST, target.address.to_string())
        .header(CONTENT_TYPE, "application/json")
        .header(SECRET_HEADER, target.secret.as_str())
        .body(Full::new(body))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    // Read to the end, so the connection can carry the next request.
    response.into_body().collect().await?;
    *connection = Some(sender);
    Ok(status)
}

async fn connect(address: SocketAddr) -> Result<SendRequest<Full<Bytes>>, BoxError> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when the bot closes the connection or the sender is dropped.
        let _ = connection.await;
    });
    Ok(sender)
}
