//! Which messages are for the bot, and what they ask. In a private chat every
//! message is. In a group only commands, messages that mention the bot and
//! replies to the bot's own messages are; the mention is cut from the question.
//! Messages from bots, service messages and channel posts never are.

use std::ops::Range;

use teloxide::types::{Message, MessageEntityKind, MessageKind, UserId};

use super::commands::{Command, Commands, command_addressee, looks_like_command};

/// Who the bot is, from `getMe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The bot's user id.
    pub id: UserId,
    /// The bot's username, without `@`.
    pub username: String,
}

/// A question's text, with any mention of the bot cut out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question(pub String);

/// What an incoming message asks of the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// One of the bot's commands.
    Command(Command),
    /// Something that looks like a command for this bot but is not one.
    UnknownCommand,
    /// A question to answer.
    Question(Question),
    /// A photo, sticker, voice note, ... addressed to the bot.
    NonText,
    /// Any of the above from a person over the flood limit: say "slow down".
    SlowDown,
}

/// What `message` asks of the bot, or `None` if it is not for the bot.
pub fn classify(message: &Message, me: &Identity, commands: &Commands) -> Option<Incoming> {
    let sender = message.from.as_ref()?;
    if sender.is_bot {
        return None;
    }
    let private = message.chat.is_private();
    if !private && !message.chat.is_group() && !message.chat.is_supergroup() {
        return None;
    }
    if !matches!(message.kind, MessageKind::Common(_)) {
        return None;
    }
    let Some(text) = message.text() else {
        return (private || replies_to(message, me)).then_some(Incoming::NonText);
    };
    if let Some(command) = commands.parse_first_word(text, &me.username) {
        return Some(Incoming::Command(command));
    }
    if looks_like_command(text) {
        let for_me = private || command_addressee(text).is_some_and(|name| name.eq_ignore_ascii_case(&me.username));
        return for_me.then_some(Incoming::UnknownCommand);
    }
    if private {
        return Some(Incoming::Question(Question(text.to_string())));
    }
    let mentions = mention_ranges(message, text, me);
    if mentions.is_empty() && !replies_to(message, me) {
        return None;
    }
    Some(Incoming::Question(Question(cut(text, &mentions))))
}

/// Whether the message replies to one of the bot's messages.
fn replies_to(message: &Message, me: &Identity) -> bool {
    message.reply_to_message().and_then(|replied| replied.from.as_ref()).is_some_and(|author| author.id == me.id)
}

/// Byte ranges of `text` that mention the bot: `@username` entities, text
/// mentions of the bot's user, and `@username` written where no entity says so
/// (a forwarded or edited text, say). Sorted, may overlap.
fn mention_ranges(message: &Message, text: &str, me: &Identity) -> Vec<Range<usize>> {
    let handle = format!("@{}", me.username);
    let mut ranges: Vec<Range<usize>> = message
        .parse_entities()
        .unwrap_or_default()
        .into_iter()
        .filter(|entity| match entity.kind() {
            MessageEntityKind::Mention => entity.text().eq_ignore_ascii_case(&handle),
            MessageEntityKind::TextMention { user } => user.id == me.id,
            _ => false,
        })
        .map(|entity| entity.range())
        .collect();
    // Usernames are ASCII, so lowercasing keeps byte offsets.
    let lower = text.to_ascii_lowercase();
    let needle = handle.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&needle) {
        let start = from + found;
        let end = start + needle.len();
        let continues = lower[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !continues {
            ranges.push(start..end);
        }
        from = end;
    }
    ranges.sort_by_key(|range| (range.start, range.end));
    ranges
}

/// `text` without the byte `ranges`, single-spaced, without leading punctuation
/// left over from "@bot, ...".
fn cut(text: &str, ranges: &[Range<usize>]) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut position = 0;
    for range in ranges {
        if range.start >= position && text.is_char_boundary(range.start) && text.is_char_boundary(range.end) {
            kept.push_str(&text[position..range.start]);
            kept.push(' ');
            position = range.end;
        } else if range.end > position && text.is_char_boundary(range.end) {
            position = range.end;
        }
    }
    kept.push_str(&text[position..]);
    let single_spaced = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    single_spaced
        .trim_start_matches(|c: char| matches!(c, ',' | ':' | ';' | '-' | '—') || c.is_whitespace())
        .to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use serde_json::{Value, json};

    use super::*;

    const BOT: u64 = 42;
    const ME: &str = "hypnic_bot";

    static COMMANDS: LazyLock<Commands> = LazyLock::new(|| {
        Commands::new(&crate::Engine::embedded().expect("the embedded knowledge loads")).expect("valid commands")
    });

    fn me() -> Identity {
        Identity { id: UserId(BOT), username: ME.into() }
    }

    fn user(id: u64, is_bot: bool) -> Value {
        json!({"id": id, "is_bot": is_bot, "first_name": "Someone"})
    }

    fn chat(kind: &str) -> Value {
        match kind {
            "private" => json!({"id": 7, "type": "private", "first_name": "Someone"}),
            "channel" => json!({"id": -1007, "type": "channel", "title": "News"}),
            other => json!({"id": -1007, "type": other, "title": "Sleepers"}),
        }
    }

    fn message(chat_kind: &str, fields: Value) -> Message {
        let mut value =
            json!({"message_id": 5, "date": 1_700_000_000, "chat": chat(chat_kind), "from": user(7, false)});
        if let (Some(object), Some(extra)) = (value.as_object_mut(), fields.as_object()) {
            object.extend(extra.clone());
        }
        serde_json::from_value(value).expect("a valid message")
    }

    fn text(chat_kind: &str, text: &str) -> Message {
        message(chat_kind, json!({"text": text}))
    }

    fn question(text: &str) -> Option<Incoming> {
        Some(Incoming::Question(Question(text.into())))
    }

    #[test]
    fn in_private_every_text_is_a_question_and_commands_are_commands() {
        assert_eq!(
            classify(&text("private", "are spasms dangerous?"), &me(), &COMMANDS),
            question("are spasms dangerous?")
        );
        assert_eq!(classify(&text("private", "/start"), &me(), &COMMANDS), Some(Incoming::Command(Command::Start)));
        assert_eq!(
            classify(&text("private", "/sources@hypnic_bot"), &me(), &COMMANDS),
            Some(Incoming::Command(Command::Sources))
        );
        assert_eq!(classify(&text("private", "/frobnicate"), &me(), &COMMANDS), Some(Incoming::UnknownCommand));
    }

    #[test]
    fn in_private_other_content_is_non_text() {
        let photo =
            message("private", json!({"photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]}));
        assert_eq!(classify(&photo, &me(), &COMMANDS), Some(Incoming::NonText));
        let location = message("private", json!({"location": {"latitude": 1.0, "longitude": 2.0}}));
        assert_eq!(classify(&location, &me(), &COMMANDS), Some(Incoming::NonText));
    }

    #[test]
    fn bots_service_messages_and_channels_are_ignored() {
        let from_bot = message("private", json!({"text": "hi", "from": user(9, true)}));
        assert_eq!(classify(&from_bot, &me(), &COMMANDS), None);
        let service = message("group", json!({"new_chat_title": "New"}));
        assert_eq!(classify(&service, &me(), &COMMANDS), None);
        assert_eq!(classify(&text("channel", "hello @hypnic_bot"), &me(), &COMMANDS), None);
    }

    #[test]
    fn in_groups_only_commands_mentions_and_replies_to_the_bot_count() {
        for kind in ["group", "supergroup"] {
            assert_eq!(classify(&text(kind, "I slept badly"), &me(), &COMMANDS), None);
            assert_eq!(classify(&text(kind, "/help"), &me(), &COMMANDS), Some(Incoming::Command(Command::Help)));
            assert_eq!(
                classify(&text(kind, "/help@hypnic_bot"), &me(), &COMMANDS),
                Some(Incoming::Command(Command::Help))
            );
            assert_eq!(classify(&text(kind, "/help@other_bot"), &me(), &COMMANDS), None);
            assert_eq!(classify(&text(kind, "/nope@other_bot"), &me(), &COMMANDS), None);
            assert_eq!(classify(&text(kind, "/nope@Hypnic_Bot"), &me(), &COMMANDS), Some(Incoming::UnknownCommand));
            assert_eq!(
                classify(&text(kind, "@hypnic_bot, why do I jerk?"), &me(), &COMMANDS),
                question("why do I jerk?")
            );
            assert_eq!(
                classify(&text(kind, "why do I jerk @Hypnic_Bot ?"), &me(), &COMMANDS),
                question("why do I jerk ?")
            );
            assert_eq!(classify(&text(kind, "ask @hypnic_botany"), &me(), &COMMANDS), None, "another user");
            let reply = message(
                kind,
                json!({"text": "and at night?", "reply_to_message": {
                "message_id": 4, "date": 1_700_000_000, "chat": chat(kind), "from": user(BOT, true), "text": "An answer"}}),
            );
            assert_eq!(classify(&reply, &me(), &COMMANDS), question("and at night?"));
            let reply_to_other = message(
                kind,
                json!({"text": "and at night?", "reply_to_message": {
                "message_id": 4, "date": 1_700_000_000, "chat": chat(kind), "from": user(8, false), "text": "Hi"}}),
            );
            assert_eq!(classify(&reply_to_other, &me(), &COMMANDS), None);
            let sticker_reply = message(
                kind,
                json!({"sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular",
                "width": 1, "height": 1, "is_animated": false, "is_video": false}, "reply_to_message": {
                "message_id": 4, "date": 1_700_000_000, "chat": chat(kind), "from": user(BOT, true), "text": "An answer"}}),
            );
            assert_eq!(classify(&sticker_reply, &me(), &COMMANDS), Some(Incoming::NonText));
        }
    }

    #[test]
    fn mention_entities_are_cut_even_with_multi_byte_text() {
        // "Привет " is 7 UTF-16 units; the entity offsets are in UTF-16.
        let cyrillic = message(
            "supergroup",
            json!({"text": "Привет @hypnic_bot что это?", "entities": [{"type": "mention", "offset": 7, "length": 11}]}),
        );
        assert_eq!(classify(&cyrillic, &me(), &COMMANDS), question("Привет что это?"));
        let by_name = message(
            "group",
            json!({"text": "Hypnic, is it bad?", "entities": [{"type": "text_mention", "offset": 0, "length": 6,
                "user": {"id": BOT, "is_bot": true, "first_name": "Hypnic"}}]}),
        );
        assert_eq!(classify(&by_name, &me(), &COMMANDS), question("is it bad?"));
    }

    #[test]
    fn a_bare_mention_is_an_empty_question() {
        assert_eq!(classify(&text("group", "@hypnic_bot"), &me(), &COMMANDS), question(""));
    }
}
