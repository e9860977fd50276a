//! The log line of each handled update. It says what happened (update id, chat
//! kind, action, topic, confidence, parts sent, latency) and never who asked or
//! what: no text, no name, no user or chat id.

use std::time::Instant;

use teloxide::types::{Chat, Update};

use crate::answer::Answer;

/// The kind of chat an update comes from, as logged.
pub fn chat_kind(chat: Option<&Chat>) -> &'static str {
    match chat {
        Some(chat) if chat.is_private() => "private",
        Some(chat) if chat.is_group() => "group",
        Some(chat) if chat.is_supergroup() => "supergroup",
        Some(chat) if chat.is_channel() => "channel",
        _ => "none",
    }
}

/// Logs one handled update at INFO, or at WARN if its reply failed (with the
/// error, already redacted).
pub fn handled(update: &Update, started: Instant, action: &str, answer: Option<&Answer>, sent: Result<usize, &str>) {
    let latency_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let chat = chat_kind(update.chat());
    let topic = answer.map(|answer| answer.topic.id());
    let confidence = answer.map(|answer| (f64::from(answer.confidence) * 100.0).round() / 100.0);
    match sent {
        Ok(parts) => {
            tracing::info!(update = update.id.0, chat, action, topic, confidence, parts, latency_ms, "update handled")
        }
        Err(error) => {
            tracing::warn!(update = update.id.0, chat, action, topic, confidence, latency_ms, error, "reply failed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_kinds_are_named() {
        let chat = |kind: &str| -> Chat {
            let value = match kind {
                "private" => serde_json::json!({"id": 1, "type": "private"}),
                other => serde_json::json!({"id": -1, "type": other, "title": "t"}),
            };
            serde_json::from_value(value).expect("valid chat")
        };
        for kind in ["private", "group", "supergroup", "channel"] {
            assert_eq!(chat_kind(Some(&chat(kind))), kind);
        }
        assert_eq!(chat_kind(None), "none");
    }
}
