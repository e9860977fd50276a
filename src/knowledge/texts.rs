//! Every fixed text a user can see (`texts.toml`), so wording changes need no Rust.

use serde::Deserialize;

use super::article::Article;
use super::source::SourceFile;
use crate::error::Result;

/// The most publishers or articles a text lists by name.
pub const MAX_LISTED: usize = 4;

/// The user-visible texts. Topic answers are in [`super::TopicSpec`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// Ends every reply, byte for byte.
    pub disclaimer: String,
    /// The urgent reply for an emergency described now. A voice file has
    /// none: its language's own, in `languages.toml`, is filled in.
    #[serde(default)]
    pub emergency: String,
    /// The reply to thoughts of suicide, self-harm or hopelessness; `{lines}`
    /// is replaced by the crisis lines, one [`Texts::crisis_line`] each. A
    /// voice file has none, as for [`Texts::emergency`].
    #[serde(default)]
    pub crisis: String,
    /// One crisis line; `{country}`, `{name}` and `{contact}` are filled in.
    pub crisis_line: String,
    /// Introduces the crisis lines under an urgent reply whose message also
    /// tells of a crisis.
    pub crisis_with_emergency: String,
    /// The reply to a message in a chat after an emergency.
    pub after_emergency: String,
    /// The reply to a message in a chat after a crisis; `{lines}` as in [`Texts::crisis`].
    pub after_crisis: String,
    /// The lead in place of a reassuring one when a symptom or sensation is
    /// not placed; `{what}` names its words.
    pub not_reassured: String,
    /// The lead in place of a reassuring one after a person's caveat.
    pub not_reassured_person: String,
    /// Leads the reply to a medicine request: no number, no yes, ask the
    /// prescriber or a pharmacist.
    pub medicine: String,
    /// Ends the reply to a request to break the rules (alone, the whole reply).
    pub rules_request: String,
    /// Leads a reply to a message with warning signs; `{signs}` names them.
    pub warning: String,
    /// Follows the answer to a follow-up question when the warning signs were
    /// told earlier in the chat; `{signs}` names them.
    pub warning_again: String,
    /// Leads the reply to a message in another language that the glossary read
    /// only in part, when it asks whether the spasms are dangerous or normal.
    pub read_in_part: String,
    /// What `not_reassured` says the articles do not mention, when a glossary
    /// left words of the message unread.
    pub read_in_part_what: String,
    /// Follows the answer when a message describes an alarming sensation as a
    /// habit or a possibility; `{sign}` names it.
    pub sensation: String,
    /// Opens the reply to a question about a factor the articles name; `{words}`
    /// are the message's words for it.
    pub factor_named: String,
    /// Introduces a factor the story names; `{name}` is its name.
    pub story_factor: String,
    /// Opens the reply to a question about a factor the curated articles are
    /// silent on when an article no curator has curated yet speaks of it;
    /// `{name}` is the factor's name, `{title}` and `{publisher}` the
    /// article's. The passage is quoted below.
    pub factor_found: String,
    /// Follows a person's caveat (`people.toml`) when an article no curator
    /// has curated yet speaks of such a person; `{title}` and `{publisher}`
    /// are the article's. The passage is quoted below.
    pub person_found: String,
    /// Follows the lead of the topic that lists what makes spasms happen or
    /// worse, when articles no curator has curated yet name factors the
    /// curated articles are silent on; `{publishers}` and `{factors}` list them.
    pub factors_found: String,
    /// A list cut short, for `{publishers}` and `{articles}` beyond
    /// [`MAX_LISTED`]: `{names}` are the first, `{count}` how many more.
    pub and_more: String,
    /// Opens the reply to a question about a factor the articles are silent
    /// on, when the factor's line does not name the words asked.
    pub factor_silent: String,
    /// The reply to a message in a language other than English that
    /// `languages.toml` does not list.
    pub other_language: String,
    /// Said before an answer in English to a message in a language that
    /// `languages.toml` does not list, when the trained reader read it.
    pub answered_in_english: String,
    /// The reply to a question that is not about sleep spasms.
    pub out_of_scope: String,
    /// The reply to a message with no readable question in it.
    pub unreadable: String,
    /// Put before an answer to a message that was cut to its beginning.
    pub truncated: String,
    /// Reply to a greeting.
    pub greeting: String,
    /// Reply to thanks.
    pub thanks: String,
    /// Reply to a goodbye.
    pub goodbye: String,
    /// Reply to "no" after an offer, in a chat that remembers the offer.
    pub declined: String,
    /// Reply to "who are you?" or "help".
    pub about: String,
    /// Reply to "sources?": where the answers come from.
    pub sources: String,
    /// Reply to "are you a bot?".
    pub bot: String,
    /// Reply to "can I trust you?".
    pub trust: String,
    /// Offer of a second topic; `{label}` and `{question}` are filled in.
    pub also_offer: String,
    /// Put before the quotes of a reply that is not in English (the quotes
    /// stay in the articles' English); empty in English.
    pub quoted_in_english: String,
    /// Joins the last two items of a list of signs ("a, b and c").
    pub and: String,
    /// Joins the last two items of a list of things not mentioned ("a or b").
    pub or: String,
    /// Heading of a list of the articles.
    pub sources_heading: String,
    /// Terminal chat: the first line.
    pub chat_welcome: String,
    /// Terminal chat: `/help`.
    pub chat_help: String,
    /// Terminal chat: said on `/quit`.
    pub chat_goodbye: String,
    /// Texts only the Telegram bot says.
    pub telegram: TelegramTexts,
}

/// The texts only the Telegram adapter says (`[telegram]` in `texts.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramTexts {
    /// The reply to a message without text (photo, sticker, voice note).
    pub text_only: String,
    /// Said once to a person over the flood limit.
    pub slow_down: String,
    /// A button whose data is unknown.
    pub stale_button: String,
    /// Before the list of commands, for an unknown command.
    pub unknown_command: String,
    /// When an answer could not be sent.
    pub send_failed: String,
    /// Heading of the topics in the `/start` reply.
    pub topics_heading: String,
    /// Closes `/help`.
    pub ask_freely: String,
    /// `/privacy`: what the bot keeps, for how long, and where.
    pub privacy: String,
    /// The notice shown for a press of 👍 or 👎 under an answer.
    pub feedback_thanks: String,
    /// The commands' lines in `/help` and Telegram's command menu.
    pub commands: CommandTexts,
    /// Inline mode: the title of an offer whose reply is a fixed outcome
    /// (`emergency`, `crisis`, `out_of_scope`, `smalltalk`, `other_language`), by its
    /// id; curated topics are titled with their label.
    pub inline_titles: std::collections::BTreeMap<String, String>,
}

/// The lines of the fixed commands (`[telegram.commands]` in `texts.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandTexts {
    /// Heading of the command list in `/help`.
    pub heading: String,
    /// `/start`.
    pub start: String,
    /// `/help`.
    pub help: String,
    /// `/sources`.
    pub sources: String,
    /// `/disclaimer`.
    pub disclaimer: String,
    /// `/privacy`.
    pub privacy: String,
}

impl Texts {
    /// Fills `{publishers}` (in `disclaimer`, `bot`, `trust` and `about`) and
    /// `{articles}` (in `sources`) from the articles: their publishers, each
    /// once, and each title with its publisher, joined with [`Texts::and`].
    pub(crate) fn name_articles(&mut self, articles: &[Article]) {
        let mut publishers: Vec<&str> = Vec::new();
        for article in articles {
            if !publishers.contains(&article.publisher.as_str()) {
                publishers.push(&article.publisher);
            }
        }
        let publishers = self.short_list(&publishers);
        let titled: Vec<String> =
            articles.iter().map(|article| format!("“{}” ({})", article.title, article.publisher)).collect();
        let titled = self.short_list(&titled);
        for text in [&mut self.disclaimer, &mut self.bot, &mut self.trust, &mut self.about] {
            *text = text.replace("{publishers}", &publishers);
        }
        self.sources = self.sources.replace("{articles}", &titled);
    }

    /// `items` as a sentence lists them, or, beyond [`MAX_LISTED`], the first
    /// of them and how many more (`and_more`), so that a large corpus keeps
    /// the disclaimer short.
    fn short_list<T: AsRef<str>>(&self, items: &[T]) -> String {
        if items.len() <= MAX_LISTED {
            return join_list(items, &self.and);
        }
        let first: Vec<&str> = items[..MAX_LISTED - 1].iter().map(AsRef::as_ref).collect();
        self.and_more.replace("{names}", &first.join(", ")).replace("{count}", &(items.len() - first.len()).to_string())
    }

    /// Parses `texts.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a missing text, or an empty one.
    pub(crate) fn parse(file: &SourceFile) -> Result<Texts> {
        let texts: Texts = file.parse()?;
        let named = [
            ("disclaimer", &texts.disclaimer),
            ("emergency", &texts.emergency),
            ("crisis", &texts.crisis),
            ("crisis_line", &texts.crisis_line),
            ("after_emergency", &texts.after_emergency),
            ("after_crisis", &texts.after_crisis),
            ("not_reassured", &texts.not_reassured),
            ("not_reassured_person", &texts.not_reassured_person),
            ("medicine", &texts.medicine),
            ("rules_request", &texts.rules_request),
            ("out_of_scope", &texts.out_of_scope),
            ("unreadable", &texts.unreadable),
            ("greeting", &texts.greeting),
            ("also_offer", &texts.also_offer),
            ("text_only", &texts.telegram.text_only),
            ("slow_down", &texts.telegram.slow_down),
            ("send_failed", &texts.telegram.send_failed),
            ("privacy", &texts.telegram.privacy),
            ("feedback_thanks", &texts.telegram.feedback_thanks),
        ];
        for (name, text) in named {
            if text.trim().is_empty() {
                return Err(file.malformed_near(&format!("{name} ="), format!("`{name}` is empty")));
            }
        }
        for topic in crate::topic::Topic::FIXED {
            let title = texts.telegram.inline_titles.get(topic.id());
            if title.is_none_or(|title| title.trim().is_empty()) {
                let problem = format!("`[telegram.inline_titles]` needs a title for `{}`", topic.id());
                return Err(file.malformed_near("[telegram.inline_titles]", problem));
            }
        }
        Ok(texts)
    }
}

/// "a, b `conjunction` c": a list as a sentence says it.
pub fn join_list<T: AsRef<str>>(items: &[T], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} {conjunction} {}", rest.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_publishers_is_cut_short() {
        let file = SourceFile {
            path: "texts.toml".to_string(),
            text: include_str!("../../knowledge/texts.toml").into(),
            trusted: false,
        };
        let texts = Texts::parse(&file).expect("texts.toml parses");
        assert_eq!(texts.short_list(&["A", "B", "C", "D"]), "A, B, C and D");
        assert_eq!(texts.short_list(&["A", "B", "C", "D", "E", "F"]), "A, B, C and 3 more");
    }

    #[test]
    fn lists_join_like_a_sentence() {
        assert_eq!(join_list(&["a"], "and"), "a");
        assert_eq!(join_list(&["a", "b", "c"], "and"), "a, b and c");
    }
}
