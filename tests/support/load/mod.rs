//! The load, fault and restart harness: the real `hypnic` binary against the
//! fake Bot API on 127.0.0.1, driven by simulated users. Included by
//! `benches/load.rs` (numbers) and `tests/load.rs` (correctness only), and by
//! nothing else. Outside this folder it uses only `../fake_bot_api` and
//! `../redis.rs` (the Redis server of the `polling-redis` scenario).
//!
//! - [`plan`]: who asks what. Each user has a supergroup of their own and asks
//!   "@bot <question>" (a mention entity), so every reply names its question.
//! - [`ledger`]: when each question became available and how often it was
//!   answered; lost and duplicated replies are counted from it exactly.
//! - [`fake_bot_api`]: the fake Bot API the integration tests use too.
//! - [`faults`]: which calls fail, and how (500, 429, dropped, stalled).
//! - [`traffic`]: closed-loop users feeding either transport.
//! - [`webhook_client`]: posts updates to the bot's webhook, as Telegram does.
//! - [`abuse`]: requests the webhook must reject with a 4xx.
//! - [`bot_process`]: the `hypnic telegram` process: flags, env, RSS, signals.
//! - [`session`]: one fake API with one bot (restartable) and its traffic.
//! - [`scenario`]: the scenarios, each returning a [`Report`].
//! - [`report`]: what a scenario measured, as text and JSON.
//! - [`targets`]: the targets, checked against a report.

pub mod abuse;
pub mod bot_process;
// The harness counts calls and never records them: the recording half of the
// fake (`Call`, `calls`, `wait_for`, `fail_next`, ...) serves the Telegram tests.
#[allow(dead_code)]
#[path = "../fake_bot_api/mod.rs"]
pub mod fake_bot_api;
pub mod faults;
pub mod ledger;
pub mod plan;
// The harness starts its own server or uses the tests' one, and needs no
// test chat ids (`start`, `unique_chat` serve the Redis tests).
#[allow(dead_code)]
#[path = "../redis.rs"]
pub mod redis;
pub mod report;
pub mod scenario;
pub mod session;
pub mod targets;
pub mod traffic;
pub mod webhook_client;

pub use report::Report;
pub use scenario::{Options, Scenario};
