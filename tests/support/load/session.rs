//! One fake API with one bot process at a time: start the bot and wait until
//! it is ready (it polls, or it has set its webhook), run phases of traffic
//! against it, stop it with a signal, start it again on the same fake API.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::bot_process::{BotProcess, BotSpec, Exit, cpu_time};
use super::fake_bot_api::FakeBotApi;
use super::faults::{FaultPlan, Faults};
use super::plan::{Chats, Plan};
use super::traffic::{Feed, Traffic};
use super::webhook_client::WebhookTarget;

/// How long a starting bot may take to poll or set its webhook.
const READY_WAIT: Duration = Duration::from_secs(60);

/// The webhook secret given to the bot.
pub const WEBHOOK_SECRET: &str = "load-test_Secret-0123456789";

/// How updates reach the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `getUpdates` long polling.
    Polling,
    /// POSTs to the bot's own webhook server.
    Webhook,
}

impl Transport {
    /// `polling` or `webhook`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Polling => "polling",
            Transport::Webhook => "webhook",
        }
    }
}

/// What a session runs.
#[derive(Clone)]
pub struct SessionSpec {
    /// The transport.
    pub transport: Transport,
    /// The faults the fake API injects once armed.
    pub faults: Option<FaultPlan>,
    /// `--send-attempts`, if the binary has it.
    pub send_attempts: Option<u32>,
    /// Connections the webhook poster uses.
    pub webhook_connections: usize,
    /// The questions users ask.
    pub questions: Arc<[String]>,
    /// Extra environment variables for the bot.
    pub bot_env: Vec<(String, String)>,
    /// Where the users write.
    pub chats: Chats,
    /// The bot's `--storage`, when not the default (SQLite).
    pub storage: Option<String>,
}

/// CPU time used so far by the bot process and by this (harness) process.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    /// The current bot process.
    pub bot: Option<Duration>,
    /// The harness: fake API, users, webhook poster, abuse.
    pub harness: Option<Duration>,
    /// When the sample was taken.
    pub at: Instant,
}

/// CPU used between two samples.
#[derive(Debug, Clone, Copy)]
pub struct CpuUse {
    /// By the bot.
    pub bot: Option<Duration>,
    /// By the harness.
    pub harness: Option<Duration>,
    /// Wall-clock time between the samples.
    pub wall: Duration,
}

impl CpuSample {
    /// What was used from `self` until `later`.
    pub fn until(&self, later: &CpuSample) -> CpuUse {
        let diff = |a: Option<Duration>, b: Option<Duration>| Some(b?.saturating_sub(a?));
        CpuUse {
            bot: diff(self.bot, later.bot),
            harness: diff(self.harness, later.harness),
            wall: later.at.saturating_duration_since(self.at),
        }
    }
}

/// A fake API and the bot that talks to it.
pub struct Session {
    spec: SessionSpec,
    api: FakeBotApi,
    faults: Arc<Faults>,
    bot: Option<BotProcess>,
    webhook: Option<Arc<WebhookTarget>>,
    phases: u32,
    peak_rss_kib: Option<u64>,
    start_ups: Vec<Duration>,
}

impl Session {
    /// Starts the fake API and the bot, and waits until the bot is ready.
    ///
    /// # Errors
    /// The fake API cannot bind, or the bot does not start (its log is in the message).
    pub async fn start(spec: SessionSpec) -> anyhow::Result<Session> {
        let faults = Arc::new(Faults::new(spec.faults));
        let api = FakeBotApi::start_counting(Some(faults.clone())).await.context("cannot start the fake API")?;
        let mut session = Session {
            spec,
            api,
            faults,
            bot: None,
            webhook: None,
            phases: 0,
            peak_rss_kib: None,
            start_ups: Vec::new(),
        };
        session.start_bot().await?;
        Ok(session)
    }

    /// Starts a bot process (the previous one must have exited) and waits
    /// until it polls or has set its webhook. A webhook bot that cannot bind
    /// its port (taken meanwhile) is tried again on another one.
    ///
    /// # Errors
    /// The bot exits or is not ready within a minute.
    pub async fn start_bot(&mut self) -> anyhow::Result<()> {
        let mut last_error = None;
        for _ in 0..3 {
            match self.try_start_bot().await {
                Ok(()) => return Ok(()),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("the bot did not start")))
    }

    async fn try_start_bot(&mut self) -> anyhow::Result<()> {
        if let Some(bot) = self.bot.as_mut()
            && bot.exited().is_none()
        {
            bail!("a bot is still running");
        }
        let webhook = match self.spec.transport {
            Transport::Polling => None,
            Transport::Webhook => Some(Arc::new(WebhookTarget {
                address: free_port()?,
                path: "/telegram/hook".into(),
                secret: WEBHOOK_SECRET.into(),
            })),
        };
        // Polling: ready once it polls (a first long poll on an empty queue
        // answers only after its timeout). Webhook: once `setWebhook` was
        // processed (the bot's server listens before it calls it).
        let (ready, count): (&str, fn(&FakeBotApi, &str) -> u64) = match webhook {
            None => ("getUpdates", FakeBotApi::received),
            Some(_) => ("setWebhook", FakeBotApi::answered),
        };
        let before = count(&self.api, ready);
        let spec = BotSpec {
            api_url: self.api.url(),
            webhook: webhook.as_deref().cloned(),
            send_attempts: self.spec.send_attempts,
            env: self.spec.bot_env.clone(),
            storage: self.spec.storage.clone(),
            state_home: self.api.state_home().to_path_buf(),
        };
        let spawned = Instant::now();
        let mut bot = BotProcess::spawn(&spec)?;
        let deadline = spawned + READY_WAIT;
        while count(&self.api, ready) <= before {
            if let Some(status) = bot.exited() {
                bail!("the bot exited during start-up ({status}); its log:\n{}", bot.log_tail(20));
            }
            if Instant::now() > deadline {
                bail!("the bot did not call {ready} within {READY_WAIT:?}; its log:\n{}", bot.log_tail(20));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.start_ups.push(spawned.elapsed());
        self.bot = Some(bot);
        self.webhook = webhook;
        Ok(())
    }

    /// A new phase of `users` users asking `per_user` questions, wired to the
    /// fake API; it starts when told to.
    pub fn phase(&mut self, users: usize, per_user: usize) -> Arc<Traffic> {
        let plan = Plan::new(self.spec.questions.clone(), users, per_user, self.phases, self.spec.chats);
        self.phases += 1;
        let feed = match &self.webhook {
            Some(target) => Feed::Webhook(target.clone(), self.spec.webhook_connections),
            None => Feed::Polling(self.api.updates().clone()),
        };
        let traffic = Traffic::new(plan, &feed);
        self.api.set_sink(traffic.clone());
        traffic
    }

    /// The fake API.
    pub fn api(&self) -> &FakeBotApi {
        &self.api
    }

    /// The fault injector of the fake API.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The bot's webhook, when the transport is the webhook.
    pub fn webhook(&self) -> Option<&Arc<WebhookTarget>> {
        self.webhook.as_ref()
    }

    /// Whether the current bot process is running.
    pub fn bot_running(&mut self) -> bool {
        self.bot.as_mut().is_some_and(|bot| bot.exited().is_none())
    }

    /// How long each bot process took from spawn to ready.
    pub fn start_ups(&self) -> &[Duration] {
        &self.start_ups
    }

    /// The largest `VmHWM` seen of any bot process, in KiB; read now too.
    pub fn peak_rss_kib(&mut self) -> Option<u64> {
        let now = self.bot.as_ref().and_then(BotProcess::peak_rss_kib);
        self.peak_rss_kib = self.peak_rss_kib.max(now);
        self.peak_rss_kib
    }

    /// CPU used so far by the bot and by the harness.
    pub fn cpu(&self) -> CpuSample {
        let harness = i32::try_from(std::process::id()).ok().and_then(cpu_time);
        CpuSample { bot: self.bot.as_ref().and_then(BotProcess::cpu_time), harness, at: Instant::now() }
    }

    /// Where the bot serves `/metrics`, if it does (long polling with `--metrics-listen`).
    pub fn metrics_address(&self) -> Option<std::net::SocketAddr> {
        self.bot.as_ref().and_then(BotProcess::metrics_address)
    }

    /// The bot's resident set size now, in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        self.bot.as_ref().and_then(BotProcess::rss_kib)
    }

    /// The last lines of the current bot's log.
    pub fn bot_log_tail(&self, lines: usize) -> String {
        self.bot.as_ref().map(|bot| bot.log_tail(lines)).unwrap_or_default()
    }

    /// Reads the peak RSS, sends `signal` and waits up to `timeout` for the
    /// exit; `None` if it did not exit (it is killed when the session drops).
    pub async fn stop_bot(&mut self, signal: i32, timeout: Duration) -> Option<Exit> {
        self.peak_rss_kib();
        self.bot.as_mut()?.stop(signal, timeout).await
    }
}

/// A port on 127.0.0.1 free a moment ago (the bot binds it itself).
fn free_port() -> anyhow::Result<SocketAddr> {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    socket.local_addr().context("a bound socket has an address")
}
