//! Shared helpers of the integration tests: the engine, the fake Bot API, a [`TestBot`] that
//! runs the real bot (`hypnic::telegram::run`) against it in-process with the
//! throttle off, builders of incoming updates, a folder copy, and the Redis
//! server of the tests (`redis`). The load harness in
//! `load/` is not part of it: only `tests/load.rs` and `benches/load.rs` include that.

// Five test binaries include this module, and each uses a different part of it.
#![allow(dead_code)]

pub mod fake_bot_api;
pub mod metrics_text;
pub mod redis;

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use hypnic::Engine;
use hypnic::telegram::{BotConfig, Secret};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// Each test binary uses some of these.
#[allow(unused_imports)]
pub use fake_bot_api::{BOT_USERNAME, Call, Failure, FakeBotApi, TOKEN, bot_user, chat};

/// How long a test waits for an expected call before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// A person chatting with the bot in private: their user id is the chat id.
pub const ALICE: i64 = 1001;

/// A supergroup the bot is in.
pub const GROUP: i64 = -100_2002;

/// The real bot, running in-process against a fake Bot API.
pub struct TestBot {
    /// The fake Bot API the bot talks to.
    pub api: FakeBotApi,
    /// The engine the bot runs, to compare replies with.
    pub engine: Engine,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// The engine over the embedded knowledge, built once per test binary (building
/// is the slow part) and shared: clones of an [`Engine`] share one build.
pub fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::embedded().expect("the embedded knowledge loads")).clone()
}

/// The curated topic with this id, from the embedded knowledge.
pub fn topic(id: &str) -> hypnic::Topic {
    engine().topic_by_id(id).unwrap_or_else(|| panic!("no topic `{id}` in topics.toml"))
}

/// The configuration every test starts from: the fake API, no throttle.
pub fn config(api: &FakeBotApi) -> BotConfig {
    let mut config = BotConfig::new(Secret::new(TOKEN));
    config.state_dir = api.state_home().join("hypnic");
    config.api_url = Some(api.url().parse().expect("the fake API URL parses"));
    config.throttle = None;
    config
}

impl TestBot {
    /// Starts the bot with long polling and waits until it polls.
    pub async fn start() -> TestBot {
        TestBot::start_with(engine(), |_| {}).await
    }

    /// Starts the bot on `engine`, with `configure` applied to the test
    /// configuration, and waits until it fetches updates (or sets its webhook).
    pub async fn start_with(engine: Engine, configure: impl FnOnce(&mut BotConfig)) -> TestBot {
        let api = FakeBotApi::start().await;
        let mut config = config(&api);
        configure(&mut config);
        let webhook = matches!(config.transport, hypnic::telegram::Transport::Webhook(_));
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(hypnic::telegram::run(config, engine.clone(), shutdown));
        let ready = if webhook { "setWebhook" } else { "getUpdates" };
        api.wait_for(&format!("the bot to call {ready}"), WAIT, |calls| {
            calls.iter().any(|c| c.method == ready).then_some(())
        })
        .await;
        TestBot { api, engine, stop: Some(stop), task: Some(task) }
    }

    /// Stops the bot and starts it again on the same fake API, with the
    /// test configuration (so the same state folder and files), and waits
    /// until the new one fetches updates: a restart of the bot.
    pub async fn restart(&mut self) {
        self.shut_down().await;
        let polls = self.api.calls_to("getUpdates").len();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        self.task = Some(tokio::spawn(hypnic::telegram::run(config(&self.api), self.engine.clone(), shutdown)));
        self.stop = Some(stop);
        self.api
            .wait_for("the restarted bot to call getUpdates", WAIT, |calls| {
                (calls.iter().filter(|c| c.method == "getUpdates").count() > polls).then_some(())
            })
            .await;
    }

    /// Stops the bot as SIGTERM would and checks that `run` returned `Ok`.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    /// As [`TestBot::stop`], keeping the fake API to look at afterwards.
    pub async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(WAIT, task).await.expect("the bot stops within the wait");
            result.expect("the bot task did not panic").expect("run returns Ok");
        }
    }

    /// Successful `sendMessage` calls to `chat`.
    pub fn sent_to(&self, chat: i64) -> Vec<Call> {
        self.api.calls_to("sendMessage").into_iter().filter(|call| call.ok() && call.chat_id() == chat).collect()
    }

    /// Waits until `count` messages were sent to `chat`, and returns them.
    pub async fn wait_sent(&self, chat: i64, count: usize) -> Vec<Call> {
        self.wait_sent_within(chat, count, WAIT).await
    }

    /// As [`TestBot::wait_sent`], with another timeout.
    pub async fn wait_sent_within(&self, chat: i64, count: usize, timeout: Duration) -> Vec<Call> {
        self.api
            .wait_for(&format!("{count} messages to chat {chat}"), timeout, |calls| {
                let sent: Vec<Call> = calls
                    .iter()
                    .filter(|call| call.method == "sendMessage" && call.ok() && call.chat_id() == chat)
                    .cloned()
                    .collect();
                (sent.len() >= count).then_some(sent)
            })
            .await
    }

    /// Sends a private text message from `user` and returns its message id.
    pub fn say(&self, user: i64, text: &str) -> i64 {
        let id = next_message_id();
        self.api.push(json!({"message": message(id, chat(user), person(user), json!({"text": text}))}));
        id
    }
}

/// A fresh id for an incoming message.
pub fn next_message_id() -> i64 {
    static NEXT: AtomicI64 = AtomicI64::new(1000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A person's `User` object.
pub fn person(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Tester", "language_code": "en"})
}

/// A `Message` object with `content` (`{"text": ...}`, `{"photo": ...}`, ...) merged in.
pub fn message(id: i64, chat: Value, from: Value, content: Value) -> Value {
    let mut message = json!({"message_id": id, "date": 1_700_000_000, "chat": chat, "from": from});
    if let (Some(message), Some(content)) = (message.as_object_mut(), content.as_object()) {
        message.extend(content.clone());
    }
    message
}

/// Reads the inline keyboard's callback data from a recorded `sendMessage`.
pub fn callback_data(call: &Call) -> Vec<String> {
    call.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|button| button["callback_data"].as_str().map(str::to_string))
        .collect()
}

/// A `GET` of `url`: the status and the body.
pub async fn http_get(url: &str) -> reqwest::Result<(u16, String)> {
    let response = reqwest::Client::new().get(url).timeout(Duration::from_secs(2)).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

/// A socket bound on 127.0.0.1:0, for a server the bot runs.
pub fn bound_socket() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0")
}

/// Copies the folder `from` into `to` (created if missing), sub-folders included.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder to copy") {
        let path = entry.expect("read a folder entry").path();
        let target = to.join(path.file_name().expect("an entry has a name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy a file");
        }
    }
}
