//! What the bot says in each situation, as a [`Reply`]: HTML messages already
//! split to Telegram's limit, and the topic buttons for the last one.

use teloxide::types::InlineKeyboardMarkup;
use teloxide::utils::html::escape;

use super::commands::Commands;
use super::html::{self, Html};
use super::keyboard::topic_keyboard;
use super::split::{MAX_MESSAGE_UNITS, split_message};
use crate::answer::Answer;
use crate::engine::Engine;
use crate::topic::Topic;

/// A reply ready to send: one or more HTML messages, and the keyboard that goes
/// under the last one.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The messages, in order, each within [`MAX_MESSAGE_UNITS`].
    pub parts: Vec<String>,
    /// Topic buttons under the last message.
    pub keyboard: Option<InlineKeyboardMarkup>,
}

impl Reply {
    /// Splits `html` into messages and puts `keyboard` under the last.
    pub fn new(html: &Html, keyboard: Option<InlineKeyboardMarkup>) -> Reply {
        Reply { parts: split_message(html, MAX_MESSAGE_UNITS), keyboard }
    }

    /// A short plain text, escaped, with no buttons.
    pub fn plain(text: &str) -> Reply {
        Reply::new(&Html::plain(text), None)
    }
}

/// The engine's answer, with its related topics as buttons.
pub fn answer(engine: &Engine, answer: &Answer) -> Reply {
    let related: Vec<Topic> = answer.related.iter().copied().filter(|topic| *topic != answer.topic).collect();
    Reply::new(&html::answer(answer), buttons(engine, &related))
}

/// `/start`: the welcome, what the bot can answer, the disclaimer, and buttons.
pub fn start(engine: &Engine) -> Reply {
    let welcome = engine.welcome();
    let topics = engine.topics().iter().map(|spec| spec.label.as_str());
    let paragraphs = vec![
        escape(&welcome.lead),
        format!("{}\n{}", html::heading(&engine.texts().telegram.topics_heading), html::bullets(topics)),
    ];
    Reply::new(&Html::new(paragraphs, engine.disclaimer()), buttons(engine, &welcome.related))
}

/// `/help`: who the bot is, the commands (their doc comments), and the disclaimer.
pub fn help(engine: &Engine, commands: &Commands) -> Reply {
    let paragraphs = vec![
        escape(&engine.about().lead),
        escape(&commands.descriptions()),
        escape(&engine.texts().telegram.ask_freely),
    ];
    Reply::new(&Html::new(paragraphs, engine.disclaimer()), None)
}

/// A command the bot does not know: say so and list the ones it does.
pub fn unknown_command(engine: &Engine, commands: &Commands) -> Reply {
    let paragraphs = vec![escape(&engine.texts().telegram.unknown_command), escape(&commands.descriptions())];
    Reply::new(&Html::new(paragraphs, ""), None)
}

/// `/sources`: each article's title and publisher.
pub fn sources(engine: &Engine) -> Reply {
    let articles: Vec<String> =
        engine.sources().iter().map(|source| html::article(&source.title, &source.publisher)).collect();
    let paragraphs = vec![format!("{}\n{}", html::heading(&engine.texts().sources_heading), articles.join("\n"))];
    Reply::new(&Html::new(paragraphs, engine.disclaimer()), None)
}

/// `/disclaimer`.
pub fn disclaimer(engine: &Engine) -> Reply {
    Reply::new(&Html::new(Vec::new(), engine.disclaimer()), None)
}

fn buttons(engine: &Engine, topics: &[Topic]) -> Option<InlineKeyboardMarkup> {
    topic_keyboard(topics, |topic| engine.label(topic).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::keyboard::callback_data;

    fn engine() -> Engine {
        Engine::embedded().expect("the embedded knowledge loads")
    }

    fn callbacks(reply: &Reply) -> Vec<String> {
        let keyboard = reply.keyboard.as_ref().map(|k| k.inline_keyboard.concat()).unwrap_or_default();
        keyboard
            .into_iter()
            .filter_map(|button| match button.kind {
                teloxide::types::InlineKeyboardButtonKind::CallbackData(data) => Some(data),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_answer_ends_with_the_disclaimer_and_offers_related_topics() {
        let engine = engine();
        let answer = engine.answer("are sleep spasms dangerous?");
        let reply = super::answer(&engine, &answer);
        assert_eq!(reply.parts.len(), 1);
        assert!(reply.parts[0].ends_with(&escape(engine.disclaimer())));
        let buttons = callbacks(&reply);
        assert!((2..=4).contains(&buttons.len()), "{buttons:?}");
        assert!(!buttons.contains(&callback_data(answer.topic)));
    }

    #[test]
    fn start_lists_every_topic_and_has_buttons() {
        let engine = engine();
        let reply = start(&engine);
        let text = reply.parts.concat();
        for spec in engine.topics() {
            assert!(text.contains(&escape(&spec.label)), "{} missing", spec.topic);
        }
        assert!(text.ends_with(&escape(engine.disclaimer())));
        assert!(callbacks(&reply).len() >= 2);
    }

    #[test]
    fn help_lists_the_commands_and_sources_name_publishers() {
        let engine = engine();
        let commands = Commands::new(&engine).expect("valid commands");
        let help = help(&engine, &commands).parts.concat();
        for command in
            ["/start", "/help", "/sources", "/disclaimer", "/causes", "/safety", "/doctor", "/treatment", "/triggers"]
        {
            assert!(help.contains(command), "{command} missing from {help}");
        }
        let sources = sources(&engine).parts.concat();
        for source in engine.sources() {
            assert!(sources.contains(&format!("<i>{}</i>", escape(&source.publisher))));
        }
        assert_eq!(disclaimer(&engine).parts, vec![escape(engine.disclaimer())]);
    }
}
