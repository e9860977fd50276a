//! Feedback buttons: 👍 and 👎 under the engine's answers. A press is counted
//! in the metrics by the answer's topic and the vote
//! (`hypnic_feedback_total{topic,vote}`) and answered with a short thanks;
//! nothing else is kept, not who pressed nor which message.
//!
//! The callback data is `f:<topic id>:up` or `f:<topic id>:down`, followed by
//! `:<language id>` for an answer in another answered language (the thanks is
//! said in it), well under Telegram's 64 bytes. A topic id the engine does not know (a button from an
//! older version, or forged data) gets the stale-button notice and is never
//! counted, so no user text becomes a label.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update};

use super::flood::Admission;
use super::handlers::HandlerResult;
use super::metrics::Vote;
use super::report;
use super::state::BotState;
use crate::Engine;
use crate::knowledge::ENGLISH;
use crate::topic::Topic;

/// Marks callback data that is a vote.
pub const PREFIX: &str = "f:";

/// The buttons' faces: symbols, the same in every language.
const FACES: [(&str, Vote); 2] = [("👍", Vote::Up), ("👎", Vote::Down)];

/// Whether the button's data is a vote (known or stale).
pub fn is_vote(data: &str) -> bool {
    data.starts_with(PREFIX)
}

/// The callback data of a vote on an answer about `topic`, in `lang`.
pub fn callback_data(topic: Topic, vote: Vote, lang: &str) -> String {
    let data = format!("{PREFIX}{}:{}", topic.id(), vote.label());
    if lang == ENGLISH { data } else { format!("{data}:{lang}") }
}

/// The topic, vote and answered language of a button's data, or `None` for
/// data the engine does not know. They are looked up, never made from the data.
pub fn vote_of<'e>(data: &str, engine: &'e Engine) -> Option<(Topic, Vote, &'e str)> {
    let mut parts = data.strip_prefix(PREFIX)?.split(':');
    let (id, vote, lang) = (parts.next()?, parts.next()?, parts.next().unwrap_or(ENGLISH));
    if parts.next().is_some() {
        return None;
    }
    let vote = FACES.iter().map(|&(_, vote)| vote).find(|known| known.label() == vote)?;
    let voice = engine.voices().iter().find(|voice| &*voice.id == lang)?;
    Some((engine.topic_by_id(id)?, vote, &voice.id))
}

/// Whether an answer about `topic` gets feedback buttons: not the urgent
/// reply (nothing should sit under "call emergency services") and not small talk.
pub fn wanted(topic: Topic) -> bool {
    !topic.is_urgent() && topic != Topic::SMALLTALK
}

/// `keyboard` with a last row of 👍 and 👎 for an answer about `topic` in
/// `lang`, when [`wanted`].
pub fn with_votes(keyboard: Option<InlineKeyboardMarkup>, topic: Topic, lang: &str) -> Option<InlineKeyboardMarkup> {
    if !wanted(topic) {
        return keyboard;
    }
    let row: Vec<InlineKeyboardButton> = FACES
        .iter()
        .map(|&(face, vote)| InlineKeyboardButton::callback(face, callback_data(topic, vote, lang)))
        .collect();
    let mut rows = keyboard.map(|keyboard| keyboard.inline_keyboard).unwrap_or_default();
    rows.push(row);
    Some(InlineKeyboardMarkup::new(rows))
}

/// A press of 👍 or 👎: counted when its topic is known and the person is
/// within the flood limit, and always answered (it stops the spinner).
pub(super) async fn on_vote(state: Arc<BotState>, update: Update, query: CallbackQuery) -> HandlerResult {
    let started = Instant::now();
    let admission = state.flood.check(query.from.id.0);
    let vote = query.data.as_deref().and_then(|data| vote_of(data, &state.engine));
    let lang = vote.map_or(ENGLISH, |(_, _, lang)| lang);
    let texts = &state.engine.voice(lang).texts.telegram;
    let (action, notice) = match (admission, vote) {
        (Admission::Allowed, Some((topic, vote, _))) => {
            state.metrics.feedback(topic, vote);
            ("feedback", Some(texts.feedback_thanks.as_str()))
        }
        (Admission::Allowed, None) => ("stale_button", Some(texts.stale_button.as_str())),
        (Admission::SlowDown, _) => ("slow_down", Some(texts.slow_down.as_str())),
        (Admission::Drop, _) => ("dropped", None),
    };
    if admission != Admission::Allowed {
        state.metrics.flood_dropped();
    }
    let acknowledged =
        state.outbox.answer_callback(&query.id, notice).await.map_err(|error| state.redactor.error(&error));
    if admission == Admission::Drop {
        tracing::debug!(update = update.id.0, "vote over the flood limit dropped");
    } else {
        report::handled(&update, started, action, None, acknowledged.as_ref().map(|()| 0).map_err(String::as_str));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::keyboard::MAX_CALLBACK_DATA_BYTES;

    #[test]
    fn votes_round_trip_fit_in_64_bytes_and_unknown_data_is_none() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        for topic in engine.all_topics() {
            for (_, vote) in FACES {
                for voice in engine.voices() {
                    let data = callback_data(topic, vote, &voice.id);
                    assert!(data.len() <= MAX_CALLBACK_DATA_BYTES, "{data}");
                    assert_eq!(vote_of(&data, &engine), Some((topic, vote, &*voice.id)));
                }
            }
        }
        assert_eq!(
            callback_data(Topic::SMALLTALK, Vote::Up, "en"),
            "f:smalltalk:up",
            "English keeps older buttons' data"
        );
        assert_eq!(vote_of("f:safety:up:xx", &engine), None);
        assert_eq!(vote_of("f:no_such_topic:up", &engine), None);
        assert_eq!(vote_of("f:safety:sideways", &engine), None);
        assert_eq!(vote_of("f:safety", &engine), None);
        assert_eq!(vote_of("t:safety", &engine), None);
        assert!(is_vote("f:anything") && !is_vote("t:safety"));
    }

    #[test]
    fn votes_go_under_answers_but_not_under_the_urgent_reply() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let safety = engine.topic_by_id("safety").expect("a curated topic");
        let keyboard = with_votes(None, safety, "es").expect("votes");
        assert_eq!(keyboard.inline_keyboard.len(), 1);
        assert_eq!(keyboard.inline_keyboard[0].len(), 2);
        assert!(with_votes(None, Topic::EMERGENCY, "es").is_none());
    }
}
