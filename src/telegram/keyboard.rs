//! Topic buttons: the inline keyboard under a reply and the callback data that
//! names a topic and the language to answer it in (`t:<topic id>` in English,
//! `t:<topic id>:<language id>` in another answered language), well under
//! Telegram's 64-byte limit.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::Engine;
use crate::answer::RelatedTopic;
use crate::knowledge::ENGLISH;
use crate::topic::Topic;

/// Telegram rejects callback data longer than this many bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

/// At most this many topic buttons under a reply.
pub const MAX_BUTTONS: usize = 4;

/// Marks callback data that names a topic; other prefixes are unknown (stale).
const TOPIC_PREFIX: &str = "t:";

/// The callback data of a button for `topic`, answered in `lang`.
pub fn callback_data(topic: Topic, lang: &str) -> String {
    if lang == ENGLISH {
        format!("{TOPIC_PREFIX}{}", topic.id())
    } else {
        format!("{TOPIC_PREFIX}{}:{lang}", topic.id())
    }
}

/// The topic a button's callback data names and the answered language to
/// answer in, or `None` for data the engine does not know (a button from an
/// older version, or forged data). Both are looked up, never made from the data.
pub fn topic_of<'e>(data: &str, engine: &'e Engine) -> Option<(Topic, &'e str)> {
    let rest = data.strip_prefix(TOPIC_PREFIX)?;
    let (id, lang) = rest.split_once(':').unwrap_or((rest, ENGLISH));
    let voice = engine.voices().iter().find(|voice| &*voice.id == lang)?;
    Some((engine.topic_by_id(id)?, &voice.id))
}

/// One button per topic, one per row (labels are a few words long), at most
/// [`MAX_BUTTONS`], each answered in `lang`. `None` when there is no topic to offer.
pub fn topic_keyboard<'a>(
    topics: impl IntoIterator<Item = &'a RelatedTopic>,
    lang: &str,
) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = topics
        .into_iter()
        .take(MAX_BUTTONS)
        .map(|related| vec![InlineKeyboardButton::callback(related.label.as_str(), callback_data(related.topic, lang))])
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
        let languages: Vec<&str> = engine.voices().iter().map(|voice| &*voice.id).collect();
        let longest = all_topics(&engine)
            .into_iter()
            .flat_map(|topic| languages.iter().map(move |lang| callback_data(topic, lang)))
            .max_by_key(String::len)
            .unwrap_or_default();
        assert!(longest.len() <= MAX_CALLBACK_DATA_BYTES, "{longest}");
        assert!(longest.starts_with("t:other_language:"), "{longest}");
    }

    #[test]
    fn callback_data_round_trips_and_unknown_data_is_none() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        for topic in all_topics(&engine) {
            for voice in engine.voices() {
                assert_eq!(topic_of(&callback_data(topic, &voice.id), &engine), Some((topic, &*voice.id)));
            }
        }
        assert_eq!(callback_data(Topic::SMALLTALK, "en"), "t:smalltalk", "English keeps the data of older buttons");
        assert_eq!(topic_of("t:safety:xx", &engine), None, "a language the bot does not answer in");
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
        let keyboard = topic_keyboard(&topics, "sw").expect("topics given");
        assert_eq!(keyboard.inline_keyboard.len(), MAX_BUTTONS);
        assert_eq!(keyboard.inline_keyboard[0][0].text, topics[0].topic.id().to_uppercase());
        assert!(topic_keyboard(&[], "en").is_none());
    }
}
