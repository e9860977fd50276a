//! The scenarios, each a function from [`Options`] to a [`Report`]:
//!
//! - `polling`, `webhook`: closed-loop load, throughput, latency, peak RSS.
//! - `polling-redis`: `polling` in private chats with the chats' state in
//!   Redis (`--storage redis://…`), the server the tests use.
//! - `faults`: 20% of calls fail (500, 429, dropped, stalled); every question
//!   must still get exactly one reply; the drain time is reported.
//! - `sigkill`: the polling bot is killed mid-load and started again; every
//!   question must get at least one reply; duplicates are reported.
//! - `sigterm`: the polling bot is stopped mid-load; it must exit 0 (within
//!   5 s), then a new one drains the rest: exactly one reply per question.
//! - `abuse`: abusive webhook requests alongside real traffic, compared with
//!   the same traffic unloaded.
//!
//! Scenarios never assert: they measure and report; the bench prints the
//! report, the tests check its correctness targets.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::abuse::{self, AbusePlan};
use super::bot_process::supports_send_attempts;
use super::faults::FaultPlan;
use super::plan::{Chats, eval_files, load_questions};
use super::redis::TestRedis;
use super::report::{FaultSummary, Interruption, Report};
use super::session::{Session, SessionSpec, Transport};
use super::traffic::Traffic;

/// The longest any phase may run.
const PHASE_CAP: Duration = Duration::from_secs(600);

/// How long a stopped bot may take to exit before it counts as hung.
const EXIT_WAIT: Duration = Duration::from_secs(30);

/// The knobs of every scenario.
#[derive(Debug, Clone)]
pub struct Options {
    /// Simulated users (closed loop: one question in flight each).
    pub users: usize,
    /// Questions per user.
    pub questions: usize,
    /// Questions per user asked before measuring (not counted).
    pub warmup: usize,
    /// Connections Telegram's side uses to post to the webhook.
    pub webhook_connections: usize,
    /// Users in the fault scenario, which has its own size: a 5xx costs
    /// teloxide 10 s, and polling that confirms only below its oldest update
    /// in flight fetches nothing new while one reply is stuck (past 100 newer
    /// updates), so 10,000 questions would take about an hour.
    pub fault_users: usize,
    /// Questions per user in the fault scenario.
    pub fault_questions: usize,
    /// Share of calls that fail in the fault scenario.
    pub fault_rate: f64,
    /// Fail only calls of this method in the fault scenario (a diagnostic).
    pub fault_only: Option<&'static str>,
    /// `--send-attempts` in the fault scenario.
    pub send_attempts: u32,
    /// Share of questions answered before the signal, in the restart scenarios.
    pub interrupt_at: f64,
    /// Abusive requests in the abuse scenario.
    pub abuse_requests: usize,
    /// The period abusive requests are spread over.
    pub abuse_spread: Duration,
    /// A slow body sends one byte this often.
    pub trickle_every: Duration,
    /// A phase is given up after this long without a new answer.
    pub idle: Duration,
    /// The same, under faults (a 5xx costs teloxide 10 s).
    pub fault_idle: Duration,
    /// Extra environment variables for the bot process, for experiments.
    pub bot_env: Vec<(String, String)>,
    /// Where the users of `polling` and `webhook` write (`polling-redis`
    /// always writes in private chats).
    pub chats: Chats,
}

impl Options {
    /// The benchmark's defaults: 100 users asking 100 questions each.
    pub fn bench() -> Options {
        Options {
            users: 100,
            questions: 100,
            warmup: 5,
            webhook_connections: 40,
            fault_users: 100,
            fault_questions: 2,
            fault_rate: 0.2,
            fault_only: None,
            send_attempts: 20,
            interrupt_at: 0.3,
            abuse_requests: 10_000,
            abuse_spread: Duration::from_secs(10),
            trickle_every: Duration::from_secs(1),
            idle: Duration::from_secs(20),
            fault_idle: Duration::from_secs(90),
            bot_env: Vec::new(),
            chats: Chats::Groups,
        }
    }
}

/// One scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Load over long polling.
    Polling,
    /// Load over long polling in private chats, the chats' state in Redis.
    PollingRedis,
    /// Load over the webhook.
    Webhook,
    /// Load with failing Bot API calls.
    Faults,
    /// SIGKILL mid-load, then a restart.
    Sigkill,
    /// SIGTERM mid-load, then a restart.
    Sigterm,
    /// Abusive webhook requests alongside real traffic.
    Abuse,
}

impl Scenario {
    /// The scenario's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Polling => "polling",
            Scenario::PollingRedis => "polling-redis",
            Scenario::Webhook => "webhook",
            Scenario::Faults => "faults",
            Scenario::Sigkill => "sigkill",
            Scenario::Sigterm => "sigterm",
            Scenario::Abuse => "abuse",
        }
    }

    /// Runs the scenario.
    ///
    /// # Errors
    /// The harness could not run it (no questions, the bot does not start);
    /// what the bot got wrong is in the report, not an error.
    pub async fn run(self, options: &Options) -> anyhow::Result<Report> {
        let questions: Arc<[String]> = load_questions(&eval_files())?.into();
        match self {
            Scenario::Polling => load(options, questions, Transport::Polling, None).await,
            Scenario::PollingRedis => {
                let redis = TestRedis::try_start().map_err(|reason| anyhow::anyhow!("no Redis: {reason}"))?;
                let options = Options { chats: Chats::Private, ..options.clone() };
                let mut report = load(&options, questions, Transport::Polling, Some(redis.url().to_string())).await?;
                report.scenario = "polling-redis";
                Ok(report)
            }
            Scenario::Webhook => load(options, questions, Transport::Webhook, None).await,
            Scenario::Faults => faults(options, questions).await,
            Scenario::Sigkill => interrupted(options, questions, libc::SIGKILL, "sigkill").await,
            Scenario::Sigterm => interrupted(options, questions, libc::SIGTERM, "sigterm").await,
            Scenario::Abuse => abused(options, questions).await,
        }
    }
}

fn spec(options: &Options, questions: Arc<[String]>, transport: Transport) -> SessionSpec {
    SessionSpec {
        transport,
        faults: None,
        send_attempts: None,
        webhook_connections: options.webhook_connections,
        questions,
        bot_env: options.bot_env.clone(),
        chats: Chats::Groups,
        storage: None,
    }
}

/// Runs a warm-up phase if asked to (connections, allocator, caches).
async fn warm_up(session: &mut Session, options: &Options) {
    if options.warmup > 0 {
        let warmup = session.phase(options.users, options.warmup);
        warmup.start();
        warmup.wait_complete(options.idle, PHASE_CAP).await;
    }
}

/// The sum of `hypnic_replies_total` in the bot's `/metrics` at `address`.
async fn replies_counted(address: std::net::SocketAddr) -> Option<f64> {
    let text = reqwest::get(format!("http://{address}/metrics")).await.ok()?.text().await.ok()?;
    let samples = text.lines().filter(|line| line.starts_with("hypnic_replies_total"));
    Some(samples.filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok()).sum())
}

/// Starts `traffic` and waits until it completes (or stalls).
async fn run_phase(traffic: &Traffic, idle: Duration) -> bool {
    traffic.start();
    traffic.wait_complete(idle, PHASE_CAP).await
}

/// Stops the bot with SIGTERM at the end, and fills in what every report has.
async fn finish(session: &mut Session, report: &mut Report, traffic: &Traffic) {
    report.tally = traffic.ledger().tally();
    report.webhook_retries = traffic.webhook_retries();
    report.final_exit = session.stop_bot(libc::SIGTERM, EXIT_WAIT).await;
    report.peak_rss_kib = session.peak_rss_kib();
    report.api_calls = session.api().answered_by_method();
    report.updates_served = session.api().updates().served();
    report.most_unconfirmed = session.api().updates().most_pending();
    report.start_ups = session.start_ups().to_vec();
    let log = session.bot_log_tail(5);
    if report.tally.lost > 0 && !log.is_empty() {
        report.notes.push(format!("the bot's last log lines:\n{log}"));
    }
}

async fn load(
    options: &Options,
    questions: Arc<[String]>,
    transport: Transport,
    storage: Option<String>,
) -> anyhow::Result<Report> {
    let spec = SessionSpec { chats: options.chats, storage: storage.clone(), ..spec(options, questions, transport) };
    let mut session = Session::start(spec).await?;
    let mut report = Report::new(transport.name(), transport.name(), options.users, options.questions);
    warm_up(&mut session, options).await;
    let traffic = session.phase(options.users, options.questions);
    let (cpu, rss, served) = (session.cpu(), session.rss_kib(), session.api().updates().served());
    run_phase(&traffic, options.idle).await;
    report.cpu = Some(cpu.until(&session.cpu()));
    report.rss_kib = rss.zip(session.rss_kib());
    if let Some(address) = session.metrics_address() {
        report.notes.push(match replies_counted(address).await {
            Some(count) => format!("metrics on: /metrics counted {count} replies (warm-up included)"),
            None => "metrics on, but /metrics could not be read".to_string(),
        });
    }
    finish(&mut session, &mut report, &traffic).await;
    report.updates_served -= served;
    if options.warmup > 0 {
        report.notes.push(format!("after a warm-up of {} questions per user, not counted", options.warmup));
    }
    if options.chats == Chats::Private {
        let storage = if storage.is_some() { "Redis" } else { "SQLite" };
        report.notes.push(format!("private chats: each message reads and keeps its chat's state ({storage})"));
    }
    if transport == Transport::Webhook && options.users > options.webhook_connections {
        report.notes.push(format!(
            "latency counts from the POST start: with {} connections, the other users' updates wait \
             on Telegram's side first (not counted)",
            options.webhook_connections
        ));
    }
    Ok(report)
}

async fn faults(options: &Options, questions: Arc<[String]>) -> anyhow::Result<Report> {
    let plan = FaultPlan { rate: options.fault_rate, only: options.fault_only, ..FaultPlan::default() };
    let spec = SessionSpec {
        faults: Some(plan),
        send_attempts: Some(options.send_attempts),
        ..spec(options, questions, Transport::Polling)
    };
    let mut session = Session::start(spec).await?;
    let mut report = Report::new("faults", "polling", options.fault_users, options.fault_questions);
    let traffic = session.phase(options.fault_users, options.fault_questions);
    session.faults().arm();
    let started = Instant::now();
    let drained = run_phase(&traffic, options.fault_idle).await;
    report.drain = drained.then(|| started.elapsed());
    session.faults().disarm();
    let faults = session.faults();
    let send_attempts = Some(options.send_attempts).filter(|_| supports_send_attempts());
    report.faults = Some(FaultSummary { counts: faults.counts(), calls: faults.calls(), send_attempts });
    if let Some(method) = options.fault_only {
        report.notes.push(format!("only {method} calls were failed (diagnostic run)"));
    }
    if send_attempts.is_none() {
        report.notes.push("the binary has no --send-attempts: the default retries may give up under 20% faults".into());
    }
    finish(&mut session, &mut report, &traffic).await;
    Ok(report)
}

async fn interrupted(
    options: &Options,
    questions: Arc<[String]>,
    signal: i32,
    name: &'static str,
) -> anyhow::Result<Report> {
    let mut session = Session::start(spec(options, questions, Transport::Polling)).await?;
    let mut report = Report::new(name, "polling", options.users, options.questions);
    let traffic = session.phase(options.users, options.questions);
    let started = Instant::now();
    traffic.start();
    let total = traffic.plan().total();
    let at = ((total as f64 * options.interrupt_at) as usize).clamp(1, total.max(1));
    traffic.wait_answered(at, options.idle, PHASE_CAP).await;
    let answered_before = traffic.ledger().answered();
    let exit = session.stop_bot(signal, EXIT_WAIT).await;
    // What the stopped bot left behind: unanswered questions either wait in
    // the queue (not confirmed) or are gone (confirmed without a reply).
    let tally = traffic.ledger().tally();
    let left_in_queue = session.api().updates().pending();
    let unanswered = tally.asked - tally.answered;
    let dropped_at_stop = unanswered.saturating_sub(left_in_queue);
    report.interruption = Some(Interruption {
        signal: if signal == libc::SIGKILL { "SIGKILL" } else { "SIGTERM" },
        answered_before,
        exit,
        dropped_at_stop,
        left_in_queue,
    });
    if exit.is_none() {
        report.notes.push(format!("the bot did not exit within {EXIT_WAIT:?}; killed"));
        session.stop_bot(libc::SIGKILL, EXIT_WAIT).await;
    }
    session.start_bot().await?;
    let drained = traffic.wait_complete(options.idle, PHASE_CAP).await;
    report.drain = drained.then(|| started.elapsed());
    finish(&mut session, &mut report, &traffic).await;
    if signal == libc::SIGKILL && report.tally.lost > 0 {
        report.notes.push(
            "lost replies after SIGKILL: updates in flight were confirmed to Telegram and not answered \
             from the bot's polling journal on restart"
                .into(),
        );
    }
    Ok(report)
}

async fn abused(options: &Options, questions: Arc<[String]>) -> anyhow::Result<Report> {
    let mut session = Session::start(spec(options, questions, Transport::Webhook)).await?;
    let mut report = Report::new("abuse", "webhook", options.users, options.questions);
    warm_up(&mut session, options).await;
    let baseline = session.phase(options.users, options.questions);
    run_phase(&baseline, options.idle).await;
    report.baseline = Some(baseline.ledger().tally());

    let Some(target) = session.webhook().cloned() else { anyhow::bail!("the abuse scenario needs the webhook") };
    let plan = AbusePlan {
        requests: options.abuse_requests,
        spread: options.abuse_spread,
        trickle_every: options.trickle_every,
    };
    let sent = Arc::new(AtomicUsize::new(0));
    let flood = tokio::spawn(abuse::run(target, plan, sent.clone()));
    // The real traffic starts once the abuse is under way (a tenth of it sent).
    let under_way = (options.abuse_requests / 10).max(1);
    while sent.load(Ordering::Relaxed) < under_way && !flood.is_finished() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let traffic = session.phase(options.users, options.questions);
    let (cpu, rss) = (session.cpu(), session.rss_kib());
    run_phase(&traffic, options.idle).await;
    report.cpu = Some(cpu.until(&session.cpu()));
    report.rss_kib = rss.zip(session.rss_kib());
    report.abuse_overlapped = Some(!flood.is_finished());
    let outcome = flood.await?;
    report.alive_after_abuse = Some(session.bot_running());
    report.abuse = Some(outcome);
    finish(&mut session, &mut report, &traffic).await;
    Ok(report)
}
