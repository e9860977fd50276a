//! Topic buttons: the inline keyboard under a reply and the callback data that
//! names a topic (`t:<topic id>`, well under Telegram's 64-byte limit).

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::Engine;
use crate::answer::RelatedTopic;
use crate::topic::Topic;

/// Telegram rejects callback data longer than this many bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

/// At most this many topic buttons under a reply.
pub const MAX_BUTTONS: usize = 4;

/// Marks callback data that names a topic; other prefixes are unknown (stale).
const TOPIC_PREFIX: &str = "t:";

/// The callback data of a button for `topic`.
pub fn callback_data(topic: Topic) -> String {
    format!("{TOPIC_PREFIX}{}", topic.id())
}

/// The topic a button's callback data names, or `None` for data the engine
/// does not know (a button from an older version, or forged data).
pub fn topic_of(data: &str, engine: &Engine) -> Option<Topic> {
    data.strip_prefix(TOPIC_PREFIX).and_then(|id| engine.topic_by_id(id))
}

/// One button per topic, one per row (labels are a few words long), at most
/// [`MAX_BUTTONS`]. `None` when there is no topic to offer.
pub fn topic_keyboard<'a>(topics: impl IntoIterator<Item = &'a RelatedTopic>) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = topics
        .into_iter()
        .take(MAX_BUTTONS)
        .map(|related| vec![InlineKeyboardButton::callback(related.label.as_str(), callback_data(related.topic))])
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::topic::MAX_TOPIC_ID_CHARS;

    fn all_topics(engine: &Engine) -> Vec<Topic> {
        engine.all_topics().collect()
    }

    #[test]
    fn the_longest_callback_data_fits_in_64_bytes() {
        assert!(TOPIC_PREFIX.len() + MAX_TOPIC_ID_CHARS <= MAX_CALLBACK_DATA_BYTES);
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let longest = all_topics(&engine).into_iter().map(callback_data).max_by_key(String::len).unwrap_or_default();
        assert_eq!(longest, "t:other_language");
    }

    #[test]
    fn callback_data_round_trips_and_unknown_data_is_none() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        for topic in all_topics(&engine) {
            assert_eq!(topic_of(&callback_data(topic), &engine), Some(topic));
        }
        assert_eq!(topic_of("t:nonsense", &engine), None);
        assert_eq!(topic_of("v2:causes", &engine), None);
        assert_eq!(topic_of("", &engine), None);
    }

    #[test]
    fn keyboards_have_one_button_per_row_and_at_most_four() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let topics: Vec<RelatedTopic> = all_topics(&engine)
            .into_iter()
            .map(|topic| RelatedTopic { topic, label: topic.id().to_uppercase() })
            .collect();
        let keyboard = topic_keyboard(&topics).expect("topics given");
        assert_eq!(keyboard.inline_keyboard.len(), MAX_BUTTONS);
        assert_eq!(keyboard.inline_keyboard[0][0].text, topics[0].topic.id().to_uppercase());
        assert!(topic_keyboard(&[]).is_none());
    }
}
