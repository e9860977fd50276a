//! The Telegram adapter: the same engine as the terminal, behind a teloxide
//! bot. One module per concern:
//!
//! - [`config`]: the token and API URL (teloxide's environment variables), the
//!   transport, rate limits and retries; secrets never show in `Debug`.
//! - [`run`](fn@run): connect, register the commands, choose the listener,
//!   dispatch until shutdown.
//! - [`schema`](fn@schema): the handler tree; `handlers` holds its endpoints.
//! - [`incoming`]: which messages are for the bot (group rules, mentions).
//! - [`commands`]: the `/commands`, whose doc comments are the help text.
//! - [`reply`], [`split`], [`keyboard`]: what the bot says, laid out as the
//!   terminal's answers are ([`crate::render`]), cut to 4096 units of Telegram
//!   HTML, with topic buttons and [`feedback`] buttons (👍 and 👎).
//! - [`inline`]: inline mode (`@bot question` in any chat), up to three answers.
//! - [`check`]: the warning-sign check, one question at a time under buttons
//!   edited in place, its progress kept in [`chats`].
//! - [`flood`]: incoming flood control per person.
//! - [`outbox`] and [`retry`]: sending, throttled, with bounded retries.
//! - [`listen`]: the one update listener the dispatcher runs, over
//!   [`polling`] (with its [`journal`]), long polling that loses no update to
//!   a kill, or [`webhook`], our own webhook server.
//! - [`turns`]: each chat's updates handled one at a time, in order, all
//!   chats side by side.
//! - [`redact`] and [`report`]: logs without tokens, texts or people.
//! - [`metrics`] and [`status`]: counts for Prometheus (never text, names or
//!   ids) and `/healthz`, served beside the webhook or on `--metrics-listen`.
//!
//! What the bot says is data: `knowledge/texts.toml`, `[telegram]` for the
//! texts only the bot says.

pub mod chats;
pub mod check;
pub mod commands;
pub mod config;
pub mod feedback;
pub mod flood;
mod handlers;
pub mod incoming;
pub mod inline;
pub mod journal;
pub mod keyboard;
pub mod listen;
pub mod metrics;
pub mod outbox;
pub mod polling;
pub mod redact;
pub mod reply;
pub mod report;
pub mod retry;
mod run;
mod schema;
pub mod split;
pub mod state;
pub mod status;
pub mod turns;
pub mod webhook;

pub use config::{BotConfig, Listen, Secret, Transport, WebhookConfig};
pub use run::run;
pub use schema::schema;
pub use state::BotState;
