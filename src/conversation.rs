//! What a chat remembers between messages, so that a follow-up ("and
//! coffee?", "yes", "what about my kid?") is read with the answer before it.
//!
//! The context holds ids and a timestamp only, never the text of a message:
//! the last topic, who it was about, the last factor, the topic the last
//! answer offered, the warning signs told so far, and whether the chat told an
//! emergency or a crisis (which keeps every later reply urgent). It expires after
//! [`CONTEXT_TTL_SECS`] of silence. Adapters keep one per chat and hand it to
//! [`crate::Engine::reply`], which returns the next one.
//!
//! Beside the conversation, a chat may be in the middle of the warning-sign
//! check ([`crate::check`]): its progress (question ids, answers, times) lives
//! here too, expires on its own clock, and is carried through every reply, so
//! a question asked during a check leaves the check where it was. A check does
//! not make a conversation: it never turns on follow-ups.

use serde::{Deserialize, Serialize};

use crate::Answer;
use crate::check::{CHECK_TTL_SECS, CheckProgress};

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
    /// The emergency or crisis the chat told, if any: every later message
    /// gets the urgent follow-up reply until the context expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent: Option<Urgent>,
    /// The answered language of the last reply (`sw`, `es`) when it was not
    /// English: a message that tells no language ("ok", an emoji) is answered
    /// in it. Forgotten with the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// When the chat last spoke, in seconds since the Unix epoch.
    #[serde(default)]
    pub updated_at: u64,
    /// The warning-sign check the chat is in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckProgress>,
}

/// An emergency or a crisis told in a chat, remembered as `emergency` or `crisis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgent {
    /// An emergency happening now.
    Emergency,
    /// Thoughts of suicide, self-harm or hopelessness.
    Crisis,
}

impl Urgent {
    /// The fixed outcome it is answered with.
    pub fn topic(self) -> crate::Topic {
        match self {
            Urgent::Emergency => crate::Topic::EMERGENCY,
            Urgent::Crisis => crate::Topic::CRISIS,
        }
    }

    /// The urgency of an urgent outcome; `None` for any other topic.
    pub fn of(topic: crate::Topic) -> Option<Urgent> {
        match topic {
            crate::Topic::EMERGENCY => Some(Urgent::Emergency),
            crate::Topic::CRISIS => Some(Urgent::Crisis),
            _ => None,
        }
    }
}

impl ChatContext {
    /// Whether the conversation is recent enough to read a message `now` with.
    pub fn is_fresh(&self, now: u64) -> bool {
        self.has_conversation() && now.saturating_sub(self.updated_at) <= CONTEXT_TTL_SECS
    }

    /// Whether an earlier answer is remembered (a check alone is not one).
    pub fn has_conversation(&self) -> bool {
        self.topic.is_some()
            || self.person.is_some()
            || self.factor.is_some()
            || self.offer.is_some()
            || !self.signs.is_empty()
            || self.urgent.is_some()
    }

    /// Whether nothing is remembered: no conversation, no language and no check.
    pub fn is_empty(&self) -> bool {
        !self.has_conversation() && self.lang.is_none() && self.check.is_none()
    }

    /// The language of the last reply, if it is still fresh at `now`.
    pub fn fresh_lang(&self, now: u64) -> Option<&str> {
        self.lang.as_deref().filter(|_| now.saturating_sub(self.updated_at) <= CONTEXT_TTL_SECS)
    }

    /// The last second at which anything remembered is still fresh, in
    /// seconds since the Unix epoch: the later of the conversation's end and
    /// the check's.
    pub fn fresh_until(&self) -> u64 {
        let conversation =
            (self.has_conversation() || self.lang.is_some()).then(|| self.updated_at.saturating_add(CONTEXT_TTL_SECS));
        let check = self.check.as_ref().map(|check| check.updated_at.saturating_add(CHECK_TTL_SECS));
        conversation.into_iter().chain(check).max().unwrap_or(self.updated_at)
    }

    /// Forgets what has expired at `now`: a conversation after
    /// [`CONTEXT_TTL_SECS`] of silence, a check after its own time. Returns
    /// whether anything was forgotten.
    pub fn expire(&mut self, now: u64) -> bool {
        let mut forgot = false;
        let stale = now.saturating_sub(self.updated_at) > CONTEXT_TTL_SECS;
        if self.has_conversation() && !self.is_fresh(now) || self.lang.is_some() && stale {
            *self = ChatContext { check: self.check.take(), ..ChatContext::default() };
            forgot = true;
        }
        if self.check.as_ref().is_some_and(|check| !check.is_fresh(now)) {
            self.check = None;
            forgot = true;
        }
        forgot
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

/// Milliseconds since the Unix epoch: the id of a check started now.
pub fn now_millis() -> u64 {
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    elapsed.map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
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
    fn a_check_expires_on_its_own_clock_and_is_no_conversation() {
        let check = CheckProgress { id: 1_000_000, owner: None, answers: Vec::new(), updated_at: 1_000, lang: None };
        let mut context = ChatContext {
            topic: Some("safety".into()),
            updated_at: 1_000,
            check: Some(check.clone()),
            ..ChatContext::default()
        };
        assert!(!context.expire(1_000 + CONTEXT_TTL_SECS));
        assert!(context.expire(1_001 + CONTEXT_TTL_SECS), "the conversation expired");
        assert_eq!(context, ChatContext { check: Some(check), ..ChatContext::default() });
        assert!(!context.is_empty() && !context.is_fresh(1_001 + CONTEXT_TTL_SECS), "a check is no conversation");
        assert!(context.expire(1_001 + CHECK_TTL_SECS));
        assert!(context.is_empty());
    }

    #[test]
    fn the_language_is_kept_with_the_conversation_and_forgotten_with_it() {
        let mut context = ChatContext { lang: Some("sw".into()), updated_at: 1_000, ..ChatContext::default() };
        assert!(!context.is_empty() && !context.has_conversation(), "a language alone is kept, but is no conversation");
        assert_eq!(context.fresh_lang(1_000 + CONTEXT_TTL_SECS), Some("sw"));
        assert_eq!(context.fresh_lang(1_001 + CONTEXT_TTL_SECS), None);
        assert_eq!(context.fresh_until(), 1_000 + CONTEXT_TTL_SECS);
        assert!(!context.expire(1_000 + CONTEXT_TTL_SECS));
        assert!(context.expire(1_001 + CONTEXT_TTL_SECS));
        assert!(context.is_empty());
    }

    #[test]
    fn a_context_stored_before_the_check_still_loads() {
        let stored = r#"{"topic":"triggers","updated_at":7}"#;
        let context: ChatContext = serde_json::from_str(stored).unwrap();
        assert_eq!(context.check, None);
        assert_eq!(serde_json::to_string(&context).unwrap(), stored);
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
