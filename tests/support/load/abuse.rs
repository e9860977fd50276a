//! Requests the bot's webhook must reject with a 4xx, written by hand over raw
//! TCP (one connection each, `Connection: close`) so each can be as broken as
//! needed: a missing or wrong secret (401), malformed JSON (400), a body over
//! 1 MiB, declared or streamed chunked (413), and a body that trickles in one
//! byte at a time (408 once the bot's body timeout passes). Requests are spread
//! evenly over a period, the kinds interleaved; the status line is read while
//! the body is still being written, so an early answer is never missed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::task::JoinSet;

use super::webhook_client::{SECRET_HEADER, WebhookTarget};

/// The bot's body limit: bodies above it get 413.
const BODY_LIMIT: usize = 1 << 20;

/// How long one abusive request may take in all (the bot's body timeout is 10 s).
const REQUEST_WAIT: Duration = Duration::from_secs(40);

/// The kinds of abuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AbuseKind {
    /// No secret header.
    MissingSecret,
    /// A wrong secret (near miss, empty, too long, extended).
    WrongSecret,
    /// The right secret and a body that is not an update.
    MalformedJson,
    /// The right secret and a body over 1 MiB.
    Oversized,
    /// The right secret and a body that arrives one byte at a time.
    SlowBody,
}

impl AbuseKind {
    /// Every kind, in the order requests interleave them.
    pub const ALL: [AbuseKind; 5] = [
        AbuseKind::MissingSecret,
        AbuseKind::WrongSecret,
        AbuseKind::MalformedJson,
        AbuseKind::Oversized,
        AbuseKind::SlowBody,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            AbuseKind::MissingSecret => "missing_secret",
            AbuseKind::WrongSecret => "wrong_secret",
            AbuseKind::MalformedJson => "malformed_json",
            AbuseKind::Oversized => "oversized_body",
            AbuseKind::SlowBody => "slow_body",
        }
    }

    /// The status the bot's webhook documents for this kind.
    pub fn expected(self) -> u16 {
        match self {
            AbuseKind::MissingSecret | AbuseKind::WrongSecret => 401,
            AbuseKind::MalformedJson => 400,
            AbuseKind::Oversized => 413,
            AbuseKind::SlowBody => 408,
        }
    }
}

/// What to send.
#[derive(Debug, Clone, Copy)]
pub struct AbusePlan {
    /// Requests in all, the kinds in equal parts.
    pub requests: usize,
    /// Requests start evenly over this period.
    pub spread: Duration,
    /// A slow body sends one byte this often.
    pub trickle_every: Duration,
}

/// What came back for one kind.
#[derive(Debug, Clone, Default)]
pub struct KindOutcome {
    /// Requests sent.
    pub sent: usize,
    /// Requests per HTTP status answered.
    pub statuses: BTreeMap<u16, usize>,
    /// Requests without a status, per reason.
    pub failures: BTreeMap<String, usize>,
}

/// What came back for every kind.
#[derive(Debug, Clone)]
pub struct AbuseOutcome {
    /// Per kind, in the order of [`AbuseKind::ALL`].
    pub kinds: Vec<(AbuseKind, KindOutcome)>,
    /// When the first request started.
    pub started: Instant,
    /// When the last request ended.
    pub finished: Instant,
}

impl AbuseOutcome {
    /// Requests sent in all.
    pub fn sent(&self) -> usize {
        self.kinds.iter().map(|(_, outcome)| outcome.sent).sum()
    }

    /// Requests answered with a 4xx.
    pub fn rejected(&self) -> usize {
        let statuses = self.kinds.iter().flat_map(|(_, outcome)| &outcome.statuses);
        statuses.filter(|(status, _)| (400..500).contains(*status)).map(|(_, count)| count).sum()
    }

    /// Requests answered with the status documented for their kind.
    pub fn as_documented(&self) -> usize {
        self.kinds.iter().map(|(kind, outcome)| outcome.statuses.get(&kind.expected()).copied().unwrap_or(0)).sum()
    }
}

/// Sends `plan`'s requests to `target`; `sent` counts requests started.
pub async fn run(target: Arc<WebhookTarget>, plan: AbusePlan, sent: Arc<AtomicUsize>) -> AbuseOutcome {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for n in 0..plan.requests {
        let at = started + plan.spread.mul_f64(n as f64 / plan.requests.max(1) as f64);
        tokio::time::sleep_until(at.into()).await;
        let kind = AbuseKind::ALL[n % AbuseKind::ALL.len()];
        let variant = n / AbuseKind::ALL.len();
        let target = target.clone();
        tasks.spawn(async move {
            let result = match tokio::time::timeout(REQUEST_WAIT, request(&target, kind, variant, plan)).await {
                Ok(result) => result,
                Err(_) => Err("no answer in time".to_string()),
            };
            (kind, result)
        });
        sent.fetch_add(1, Ordering::Relaxed);
    }
    let mut kinds: BTreeMap<AbuseKind, KindOutcome> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok((kind, result)) = joined else { continue };
        let outcome = kinds.entry(kind).or_default();
        outcome.sent += 1;
        match result {
            Ok(status) => *outcome.statuses.entry(status).or_default() += 1,
            Err(reason) => *outcome.failures.entry(reason).or_default() += 1,
        }
    }
    AbuseOutcome { kinds: kinds.into_iter().collect(), started, finished: Instant::now() }
}

/// One abusive request; the status it got, or why there was none.
async fn request(target: &WebhookTarget, kind: AbuseKind, variant: usize, plan: AbusePlan) -> Result<u16, String> {
    let stream = TcpStream::connect(target.address).await.map_err(|error| format!("connect: {}", error.kind()))?;
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let write = async move {
        for part in parts(target, kind, variant) {
            match part {
                Part::Bytes(bytes) => writer.write_all(&bytes).await?,
                Part::Trickle(bytes) => {
                    for byte in bytes {
                        writer.write_all(&[byte]).await?;
                        tokio::time::sleep(plan.trickle_every).await;
                    }
                }
            }
        }
        // Keep the connection open: closing our side could end the request early.
        std::future::pending::<std::io::Result<()>>().await
    };
    let status = read_status(&mut reader);
    tokio::pin!(status);
    tokio::select! {
        status = &mut status => status,
        // A write error (the bot closed on us) still leaves its answer to read.
        _ = write => status.await,
    }
}

enum Part {
    Bytes(Vec<u8>),
    Trickle(Vec<u8>),
}

/// The bytes of one request, in the order they are written.
fn parts(target: &WebhookTarget, kind: AbuseKind, variant: usize) -> Vec<Part> {
    let update = br#"{"update_id":1,"message":{"message_id":1,"date":1700000000,"chat":{"id":-424242,"type":"supergroup","title":"Abuse"},"from":{"id":424242,"is_bot":false,"first_name":"Mallory"},"text":"@hypnic_test_bot are hypnic jerks dangerous?","entities":[{"type":"mention","offset":0,"length":16}]}}"#;
    let secret = target.secret.as_str();
    match kind {
        AbuseKind::MissingSecret => vec![Part::Bytes(with_body(target, None, update))],
        AbuseKind::WrongSecret => {
            let mut near_miss = secret.to_string();
            let last = if near_miss.pop() == Some('x') { 'y' } else { 'x' };
            near_miss.push(last);
            let wrong = match variant % 4 {
                0 => near_miss,
                1 => String::new(),
                2 => "a".repeat(300),
                _ => format!("{secret}x"),
            };
            vec![Part::Bytes(with_body(target, Some(&wrong), update))]
        }
        AbuseKind::MalformedJson => {
            let bodies: [&[u8]; 6] =
                [b"{not json", &update[..update.len() / 2], b"[]", br#"{"ok":1}"#, b"\xff\xfe\xfd\xfc", b""];
            vec![Part::Bytes(with_body(target, Some(secret), bodies[variant % bodies.len()]))]
        }
        AbuseKind::Oversized if variant.is_multiple_of(2) => {
            // Declared too long: the bot may answer before reading anything.
            vec![Part::Bytes(head(target, Some(secret), Some(BODY_LIMIT + 1)).into_bytes())]
        }
        AbuseKind::Oversized => {
            // Chunked, so only reading finds out: 17 chunks of 64 KiB.
            let chunk = 64 * 1024;
            let mut body = Vec::with_capacity(BODY_LIMIT + 2 * chunk);
            for _ in 0..=(BODY_LIMIT / chunk) {
                body.extend_from_slice(format!("{chunk:x}\r\n").as_bytes());
                body.resize(body.len() + chunk, b' ');
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"0\r\n\r\n");
            vec![Part::Bytes(head(target, Some(secret), None).into_bytes()), Part::Bytes(body)]
        }
        AbuseKind::SlowBody => {
            let body = update[..64].to_vec();
            vec![Part::Bytes(head(target, Some(secret), Some(body.len())).into_bytes()), Part::Trickle(body)]
        }
    }
}

/// A request head; `length: None` means a chunked body.
fn head(target: &WebhookTarget, secret: Option<&str>, length: Option<usize>) -> String {
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nConnection: close\r\n",
        target.path, target.address
    );
    if let Some(secret) = secret {
        head.push_str(&format!("{SECRET_HEADER}: {secret}\r\n"));
    }
    match length {
        Some(length) => head.push_str(&format!("Content-Length: {length}\r\n\r\n")),
        None => head.push_str("Transfer-Encoding: chunked\r\n\r\n"),
    }
    head
}

fn with_body(target: &WebhookTarget, secret: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut bytes = head(target, secret, Some(body.len())).into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Reads up to the end of the status line and returns the status code.
async fn read_status(reader: &mut OwnedReadHalf) -> Result<u16, String> {
    let mut buffer = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    loop {
        let read = reader.read(&mut chunk).await.map_err(|error| format!("read: {}", error.kind()))?;
        if read == 0 {
            return Err("closed without an answer".into());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(2).position(|pair| pair == b"\r\n") {
            let line = String::from_utf8_lossy(&buffer[..end]);
            return line
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse().ok())
                .ok_or_else(|| format!("bad status line: {line}"));
        }
        if buffer.len() > 4096 {
            return Err("no status line".into());
        }
    }
}
