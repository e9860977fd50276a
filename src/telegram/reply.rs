//! What the bot says in each situation, as a [`Reply`]: a [`Layout`] cut into
//! HTML messages within Telegram's limit, and the topic buttons for the last one.

use teloxide::types::InlineKeyboardMarkup;

use super::commands::Commands;
use super::feedback;
use super::keyboard::topic_keyboard;
use super::split::{MAX_MESSAGE_UNITS, split_message};
use crate::answer::Answer;
use crate::engine::Engine;
use crate::render::{self, Layout, Span};

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
    /// Cuts `layout` into messages and puts `keyboard` under the last.
    pub fn new(layout: &Layout, keyboard: Option<InlineKeyboardMarkup>) -> Reply {
        Reply { parts: split_message(layout, MAX_MESSAGE_UNITS), keyboard }
    }

    /// A short plain text with no buttons.
    pub fn plain(text: &str) -> Reply {
        Reply::new(Layout::default().paragraph([Span::plain(text)]), None)
    }
}

/// The engine's answer, with its related topics as buttons, then 👍 and 👎
/// ([`feedback`]).
pub fn answer(answer: &Answer) -> Reply {
    let related = answer.related.iter().filter(|related| related.topic != answer.topic);
    let keyboard = topic_keyboard(related, &answer.lang);
    Reply::new(&render::layout(answer), feedback::with_votes(keyboard, answer.topic, &answer.lang))
}

/// `/start` in `lang`: the welcome, what the bot can answer, the disclaimer, and buttons.
pub fn start(engine: &Engine, lang: &str) -> Reply {
    let voice = engine.voice(lang);
    let welcome = engine.welcome_in(lang);
    let mut layout = Layout::with_tail(voice.disclaimer.as_ref());
    layout.paragraph([Span::plain(welcome.lead.as_ref())]);
    let heading = vec![Span::bold(voice.texts.telegram.topics_heading.as_str())];
    let topics =
        engine.topics().iter().map(|spec| vec![Span::plain(format!("• {}", engine.label_in(voice, spec.topic)))]);
    layout.lines(std::iter::once(heading).chain(topics));
    Reply::new(&layout, topic_keyboard(&welcome.related, &voice.id))
}

/// `/help` in `lang`: who the bot is, the commands, and the disclaimer.
pub fn help(engine: &Engine, commands: &Commands, lang: &str) -> Reply {
    let voice = engine.voice(lang);
    let mut layout = Layout::with_tail(voice.disclaimer.as_ref());
    layout.paragraph([Span::plain(engine.about_in(lang).lead.as_ref())]);
    layout.paragraph([Span::plain(commands.descriptions(&voice.id))]);
    layout.paragraph([Span::plain(voice.texts.telegram.ask_freely.as_str())]);
    Reply::new(&layout, None)
}

/// A command the bot does not know: say so in `lang` and list the ones it does.
pub fn unknown_command(engine: &Engine, commands: &Commands, lang: &str) -> Reply {
    let voice = engine.voice(lang);
    let mut layout = Layout::default();
    layout.paragraph([Span::plain(voice.texts.telegram.unknown_command.as_str())]);
    layout.paragraph([Span::plain(commands.descriptions(&voice.id))]);
    Reply::new(&layout, None)
}

/// `/sources` in `lang`: each article's title in bold and its publisher in italics.
pub fn sources(engine: &Engine, lang: &str) -> Reply {
    let voice = engine.voice(lang);
    let heading = vec![Span::bold(voice.texts.sources_heading.as_str())];
    let articles = engine.sources().iter().map(|source| {
        vec![
            Span::plain("• "),
            Span::bold(source.title.as_str()),
            Span::plain(" ("),
            Span::italic(source.publisher.as_str()),
            Span::plain(")"),
        ]
    });
    let mut layout = Layout::with_tail(voice.disclaimer.as_ref());
    layout.lines(std::iter::once(heading).chain(articles));
    Reply::new(&layout, None)
}

/// `/disclaimer` in `lang`.
pub fn disclaimer(engine: &Engine, lang: &str) -> Reply {
    Reply::new(&Layout::with_tail(engine.voice(lang).disclaimer.as_ref()), None)
}

#[cfg(test)]
mod tests {
    use teloxide::utils::html::escape;

    use super::*;
    use crate::answer::{Offer, Quote};
    use crate::telegram::keyboard::callback_data;
    use crate::topic::Topic;

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
        let reply = super::answer(&answer);
        assert_eq!(reply.parts.len(), 1);
        assert!(reply.parts[0].ends_with(&escape(engine.disclaimer())));
        let buttons = callbacks(&reply);
        let topics: Vec<&String> = buttons.iter().filter(|data| data.starts_with("t:")).collect();
        assert!((2..=4).contains(&topics.len()), "{buttons:?}");
        assert!(!buttons.contains(&callback_data(answer.topic, "en")));
        let votes: Vec<&String> = buttons.iter().filter(|data| feedback::is_vote(data)).collect();
        assert_eq!(votes.len(), 2, "👍 and 👎 last: {buttons:?}");
        assert_eq!(buttons.len(), topics.len() + votes.len());
    }

    #[test]
    fn everything_is_escaped_and_publishers_are_italic() {
        let answer = Answer {
            topic: Topic::curated("safety").unwrap(),
            confidence: 0.8,
            notice: Some("Cut <short>.".into()),
            lead: "Jerks & starts are <b>harmless</b>.".into(),
            quotes: vec![Quote { title: "T".into(), publisher: "Kenyan & News".into(), passage: "A < B.".into() }],
            also: Some(Offer {
                topic: Topic::curated("seek_care").unwrap(),
                label: "L".into(),
                text: "Ask “x”?".into(),
            }),
            related: vec![],
            disclaimer: "Not a doctor & not <advice>.".into(),
            language: None,
            lang: "en".into(),
            quotes_intro: None,
        };
        assert_eq!(
            super::answer(&answer).parts,
            vec![
                "<i>Cut &lt;short&gt;.</i>\n\nJerks &amp; starts are &lt;b&gt;harmless&lt;/b&gt;.\n\n\
             “A &lt; B.” (<i>Kenyan &amp; News</i>)\n\nAsk “x”?\n\nNot a doctor &amp; not &lt;advice&gt;."
            ]
        );
    }

    #[test]
    fn start_lists_every_topic_and_has_buttons() {
        let engine = engine();
        let reply = start(&engine, "en");
        let text = reply.parts.concat();
        assert!(text.contains(&format!("<b>{}</b>", escape(&engine.texts().telegram.topics_heading))));
        for spec in engine.topics() {
            assert!(text.contains(&format!("• {}", escape(&spec.label))), "{} missing", spec.topic);
        }
        assert!(text.ends_with(&escape(engine.disclaimer())));
        assert!(callbacks(&reply).len() >= 2);
    }

    #[test]
    fn help_lists_the_commands_and_sources_name_publishers() {
        let engine = engine();
        let commands = Commands::new(&engine).expect("valid commands");
        let help = help(&engine, &commands, "en").parts.concat();
        for command in [
            "/start",
            "/help",
            "/sources",
            "/disclaimer",
            "/check",
            "/causes",
            "/safety",
            "/doctor",
            "/treatment",
            "/triggers",
        ] {
            assert!(help.contains(command), "{command} missing from {help}");
        }
        let sources = sources(&engine, "en").parts.concat();
        for source in engine.sources() {
            let article = format!("• <b>{}</b> (<i>{}</i>)", escape(&source.title), escape(&source.publisher));
            assert!(sources.contains(&article), "{article} missing");
        }
        assert_eq!(disclaimer(&engine, "en").parts, vec![escape(engine.disclaimer())]);
    }
}
