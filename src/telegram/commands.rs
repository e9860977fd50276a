//! The bot's commands: five fixed ones (their lines in `texts.toml`),
//! `/check` (its line in `check.toml`), and one shortcut per topic that has a
//! `command` in `topics.toml`. The same table parses commands, lists them in
//! `/help` and registers them with Telegram's `setMyCommands`, in every
//! answered language: the names stay, the lines are the language's.

use teloxide::types::BotCommand;

use crate::Engine;
use crate::topic::Topic;

/// A command the bot knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Say hello and list what the bot answers.
    Start,
    /// List the commands.
    Help,
    /// The articles the answers come from.
    Sources,
    /// What the bot is not: a doctor.
    Disclaimer,
    /// The warning-sign check, one question at a time.
    Check,
    /// What the bot keeps about people, for how long, and where.
    Privacy,
    /// A topic's shortcut (`/doctor`): that topic's answer.
    Shortcut(Topic),
}

/// The fixed commands, by name.
const FIXED: [(&str, Command); 5] = [
    ("start", Command::Start),
    ("help", Command::Help),
    ("sources", Command::Sources),
    ("disclaimer", Command::Disclaimer),
    ("privacy", Command::Privacy),
];

/// The name of the warning-sign check's command.
pub const CHECK_COMMAND: &str = "check";

/// Every command the bot knows, in the order `/help` lists them, with their
/// lines in every answered language.
#[derive(Debug, Clone)]
pub struct Commands {
    /// Name without the slash, and command.
    known: Vec<(String, Command)>,
    /// Per answered language (English first): its id, its `/help` heading,
    /// and one line per command of `known`, in order.
    lines: Vec<(String, String, Vec<String>)>,
}

impl Commands {
    /// The fixed commands, `/check`, and the shortcuts of the engine's topics.
    ///
    /// # Errors
    /// A message when a topic's shortcut takes the name of another command.
    pub fn new(engine: &Engine) -> Result<Commands, String> {
        let mut known: Vec<(String, Command)> = FIXED.iter().map(|&(name, command)| (name.into(), command)).collect();
        known.push((CHECK_COMMAND.into(), Command::Check));
        for spec in engine.topics() {
            let Some(shortcut) = &spec.command else { continue };
            if known.iter().any(|(name, _)| *name == shortcut.name) {
                return Err(format!(
                    "topic `{}` takes the command `/{}`, which is already a command",
                    spec.topic, shortcut.name
                ));
            }
            known.push((shortcut.name.clone(), Command::Shortcut(spec.topic)));
        }
        let lines = engine
            .voices()
            .iter()
            .map(|voice| {
                let texts = &voice.texts.telegram.commands;
                let line = |command: Command| match command {
                    Command::Start => texts.start.clone(),
                    Command::Help => texts.help.clone(),
                    Command::Sources => texts.sources.clone(),
                    Command::Disclaimer => texts.disclaimer.clone(),
                    Command::Privacy => texts.privacy.clone(),
                    Command::Check => voice.check.texts().command_help.clone(),
                    Command::Shortcut(topic) => engine
                        .topics()
                        .iter()
                        .position(|spec| spec.topic == topic)
                        .and_then(|slot| voice.shortcut(slot))
                        .unwrap_or_default()
                        .to_string(),
                };
                (voice.id.to_string(), texts.heading.clone(), known.iter().map(|&(_, command)| line(command)).collect())
            })
            .collect();
        Ok(Commands { known, lines })
    }

    /// The lines of `lang`, English when it has none.
    fn lines(&self, lang: &str) -> &(String, String, Vec<String>) {
        self.lines.iter().find(|(id, _, _)| id == lang).unwrap_or(&self.lines[0])
    }

    /// The answered languages other than English, whose lines
    /// `setMyCommands` registers for their language code.
    pub fn other_languages(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().skip(1).map(|(id, _, _)| id.as_str())
    }

    /// Parses the first word of `text` as a command. `/cmd@username` is accepted
    /// only with this bot's username (in any case); words after the command
    /// are ignored, so `/start payload` (a deep link) is still `/start`.
    pub fn parse_first_word(&self, text: &str, bot_username: &str) -> Option<Command> {
        let first = text.split_whitespace().next()?.strip_prefix('/')?;
        let name = match first.split_once('@') {
            Some((name, addressee)) if addressee.eq_ignore_ascii_case(bot_username) => name,
            Some(_) => return None,
            None => first,
        };
        self.known.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|&(_, command)| command)
    }

    /// The command's name without the slash, for the log.
    pub fn name(&self, command: Command) -> &str {
        self.known.iter().find(|(_, known)| *known == command).map_or("unknown", |(name, _)| name)
    }

    /// The commands as `setMyCommands` takes them, with the lines of `lang`:
    /// names without the slash (Telegram allows only `a-z`, `0-9` and `_`)
    /// and their descriptions.
    pub fn registered(&self, lang: &str) -> Vec<BotCommand> {
        let (_, _, lines) = self.lines(lang);
        self.known.iter().zip(lines).map(|((name, _), line)| BotCommand::new(name, line)).collect()
    }

    /// The list `/help` shows in `lang`: a heading, then one `/name — line` each.
    pub fn descriptions(&self, lang: &str) -> String {
        let (_, heading, lines) = self.lines(lang);
        let mut text = format!("{heading}\n");
        for ((name, _), line) in self.known.iter().zip(lines) {
            text.push_str(&format!("\n/{name} — {line}"));
        }
        text
    }
}

/// Whether `text` starts like a command (`/word`), known or not.
pub fn looks_like_command(text: &str) -> bool {
    text.strip_prefix('/').and_then(|rest| rest.chars().next()).is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// The bot username a command is addressed to (`/help@name` -> `name`), if any.
pub fn command_addressee(text: &str) -> Option<&str> {
    let first = text.split_whitespace().next()?;
    first.split_once('@').map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "hypnic_bot";

    fn commands() -> (Engine, Commands) {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let commands = Commands::new(&engine).expect("no shortcut takes a fixed name");
        (engine, commands)
    }

    #[test]
    fn commands_parse_with_and_without_this_bots_name() {
        let (engine, commands) = commands();
        let doctor = engine.topic_by_id("seek_care").expect("the topic of /doctor");
        assert_eq!(commands.parse_first_word("/start", ME), Some(Command::Start));
        assert_eq!(commands.parse_first_word("/start@hypnic_bot", ME), Some(Command::Start));
        assert_eq!(commands.parse_first_word("/Start@Hypnic_Bot", ME), Some(Command::Start));
        assert_eq!(commands.parse_first_word("/doctor please", ME), Some(Command::Shortcut(doctor)));
        assert_eq!(commands.parse_first_word("/check", ME), Some(Command::Check));
        assert_eq!(commands.parse_first_word("/start@other_bot", ME), None);
        assert_eq!(commands.parse_first_word("/nonsense", ME), None);
        assert_eq!(commands.parse_first_word("start", ME), None);
        assert_eq!(commands.parse_first_word("/", ME), None);
    }

    #[test]
    fn every_registered_command_parses_back_to_itself() {
        let (engine, commands) = commands();
        let shortcuts = engine.topics().iter().filter(|spec| spec.command.is_some()).count();
        assert!(shortcuts >= 1, "topics.toml gives no topic a shortcut");
        let english = commands.registered("en");
        assert_eq!(english.len(), FIXED.len() + 1 + shortcuts);
        assert!(english.iter().any(|command| command.command == CHECK_COMMAND));
        assert!(commands.other_languages().count() >= 2, "Swahili and Spanish");
        for lang in std::iter::once("en").chain(commands.other_languages()) {
            let registered = commands.registered(lang);
            assert_eq!(registered.len(), english.len());
            for (command, in_english) in registered.iter().zip(&english) {
                assert_eq!(command.command, in_english.command, "the names stay in every language");
                assert!(!command.description.trim().is_empty(), "{lang}: /{} has no line", command.command);
                assert!(command.command.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
                let parsed = commands.parse_first_word(&format!("/{}", command.command), ME).expect("it parses");
                assert_eq!(commands.name(parsed), command.command);
                let line = format!("/{} — {}", command.command, command.description);
                assert!(commands.descriptions(lang).contains(&line));
                if let Command::Shortcut(topic) = parsed {
                    assert!(engine.topic(topic).is_some(), "{topic} is not a curated topic");
                }
            }
        }
        assert_ne!(commands.descriptions("sw"), commands.descriptions("en"));
    }

    #[test]
    fn command_shapes_are_recognised() {
        assert!(looks_like_command("/foo bar"));
        assert!(!looks_like_command("/ not a command"));
        assert!(!looks_like_command("a/b"));
        assert_eq!(command_addressee("/help@someone now"), Some("someone"));
        assert_eq!(command_addressee("/help"), None);
    }
}
