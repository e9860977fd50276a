//! The one dependency every handler gets: an `Arc<BotState>` with the engine,
//! who the bot is, the flood gate, the outbox and the metrics.

use std::sync::Arc;

use super::chats::ChatMemory;
use super::commands::Commands;
use super::flood::FloodGate;
use super::incoming::Identity;
use super::metrics::Metrics;
use super::outbox::Outbox;
use super::redact::Redactor;
use crate::engine::Engine;

/// Shared by all handlers, behind an `Arc`.
pub struct BotState {
    /// Answers questions; synchronous and fast, called directly in handlers.
    pub engine: Engine,
    /// The bot's id and username, from `getMe`.
    pub identity: Identity,
    /// The commands the bot knows, with the shortcuts of the engine's topics.
    pub commands: Commands,
    /// What each private chat remembers between messages.
    pub chats: ChatMemory,
    /// Incoming flood control.
    pub flood: FloodGate,
    /// Sends replies, throttled and retried.
    pub outbox: Outbox,
    /// Removes secrets from what is logged.
    pub redactor: Redactor,
    /// Counts for `/metrics`: never text, names or ids.
    pub metrics: Arc<Metrics>,
}
