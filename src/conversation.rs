//! What a chat remembers between messages, so that a follow-up ("and
//! coffee?", "yes", "what about my kid?") is read with the answer before it.
//!
//! The context holds ids and a timestamp only, never the text of a message:
//! the last topic, who it was about, the last factor, the topic the last
//! answer offered, and the warning signs told so far. It expires after
//! [`CONTEXT_TTL_SECS`] of silence. Adapters keep one per chat and hand it to
//! [`crate::Engine::reply`], which returns the next one.

use serde::{Deserialize, Serialize};

use crate::Answer;

/// A context older than this many seconds is forgotten.
pub const CONTEXT_TTL_SECS: u64 = 30 * 60;

/// At most this many warning signs are remembered.
pub const MAX_REMEMBERED_SIGNS: usize = 8;

/// What a chat remembers: ids from `knowledge/` and a time, never text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatContext {
    /// The id of the last curated topic answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The id of the kind of person (`people.toml`) the chat is about, if not
    /// the writer or another adult.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The id of the last factor (`factors.toml`) named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<String>,
    /// The id of the topic the last answer offered ("You may also want to know").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<String>,
    /// The ids of the warning signs (`signs.toml`) told so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signs: Vec<String>,
    /// When the chat last spoke, in seconds since the Unix epoch.
    #[serde(default)]
    pub updated_at: u64,
}

impl ChatContext {
    /// Whether the context is recent enough to read a message `now` with.
    pub fn is_fresh(&self, now: u64) -> bool {
        !self.is_empty() && now.saturating_sub(self.updated_at) <= CONTEXT_TTL_SECS
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.topic.is_none()
            && self.person.is_none()
            && self.factor.is_none()
            && self.offer.is_none()
            && self.signs.is_empty()
    }
}

/// One turn of a conversation: the answer, and the context for the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The reply to the message.
    pub answer: Answer,
    /// What the chat remembers after it.
    pub context: ChatContext,
}

/// Seconds since the Unix epoch, for adapters that keep contexts.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_expires_after_thirty_minutes_of_silence() {
        let context = ChatContext { topic: Some("safety".into()), updated_at: 1_000, ..ChatContext::default() };
        assert!(context.is_fresh(1_000 + CONTEXT_TTL_SECS));
        assert!(!context.is_fresh(1_001 + CONTEXT_TTL_SECS));
        assert!(!ChatContext { updated_at: 1_000, ..ChatContext::default() }.is_fresh(1_000));
        // A clock that went back does not make a context older.
        assert!(context.is_fresh(10));
    }

    #[test]
    fn the_context_serializes_to_ids_only() {
        let context = ChatContext {
            topic: Some("triggers".into()),
            factor: Some("caffeine".into()),
            signs: vec!["injury".into()],
            updated_at: 7,
            ..ChatContext::default()
        };
        let json = serde_json::to_string(&context).unwrap();
        assert_eq!(json, r#"{"topic":"triggers","factor":"caffeine","signs":["injury"],"updated_at":7}"#);
        assert_eq!(serde_json::from_str::<ChatContext>(&json).unwrap(), context);
    }
}
