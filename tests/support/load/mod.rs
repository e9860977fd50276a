//! The load, fault and restart harness (issue 4): the real `hypnic` binary
//! against a fast fake Bot API on 127.0.0.1, driven by simulated users. Used by
//! `benches/load.rs` (numbers) and `tests/load.rs` (correctness only). The
//! folder is self-contained: nothing here refers outside it.
//!
//! - [`plan`]: who asks what. Each user has a supergroup of their own and asks
//!   "@bot <question>" (a mention entity), so every reply names its question.
//! - [`ledger`]: when each question became available and how often it was
//!   answered; lost and duplicated replies are counted from it exactly.
//! - [`updates`]: the `getUpdates` queue with Telegram's offset semantics.
//! - [`faults`]: which calls fail, and how (500, 429, dropped, stalled).
//! - [`fake_api`]: the Bot API server (hyper 1, HTTP/1.1 keep-alive).
//! - [`traffic`]: closed-loop users feeding either transport.
//! - [`webhook_client`]: posts updates to the bot's webhook, as Telegram does.
//! - [`abuse`]: requests the webhook must reject with a 4xx.
//! - [`bot_process`]: the `hypnic telegram` process: flags, env, RSS, signals.
//! - [`session`]: one fake API with one bot (restartable) and its traffic.
//! - [`scenario`]: the scenarios of the issue, each returning a [`Report`].
//! - [`report`]: what a scenario measured, as text and JSON.
//! - [`targets`]: the targets, checked against a report.

// Each includer (the bench, each test binary that includes `support`) uses a
// different part of the harness, re-exports included.
#![allow(dead_code, unused_imports)]

pub mod abuse;
pub mod bot_process;
pub mod fake_api;
pub mod faults;
pub mod ledger;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod session;
pub mod targets;
pub mod traffic;
pub mod updates;
pub mod webhook_client;

pub use report::Report;
pub use scenario::{Options, Scenario};
