//! The bot's commands: five fixed ones, `/check` (its help line is in
//! `check.toml`), and one shortcut per topic that has a `command` in `topics.toml`. The same table parses commands, lists them in
//! `/help` and registers them with Telegram's `setMyCommands`.

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

/// The fixed commands, with the line `/help` shows for each.
const FIXED: [(&str, &str, Command); 5] = [
    ("start", "Say hello and see what I can answer.", Command::Start),
    ("help", "List the commands.", Command::Help),
    ("sources", "The articles my answers come from.", Command::Sources),
    ("disclaimer", "What I am not: a doctor.", Command::Disclaimer),
    ("privacy", "What I keep about you, for how long, and where.", Command::Privacy),
];

/// The name of the warning-sign check's command.
pub const CHECK_COMMAND: &str = "check";

/// The heading of the command list in `/help`.
const HEADING: &str = "These commands are supported:";

/// Every command the bot knows, in the order `/help` lists them.
#[derive(Debug, Clone)]
pub struct Commands {
    /// Name without the slash, description, command.
    known: Vec<(String, String, Command)>,
}

impl Commands {
    /// The fixed commands, `/check`, and the shortcuts of the engine's topics.
    ///
    /// # Errors
    /// A message when a topic's shortcut takes the name of another command.
    pub fn new(engine: &Engine) -> Result<Commands, String> {
        let mut known: Vec<(String, String, Command)> =
            FIXED.iter().map(|&(name, description, command)| (name.into(), description.into(), command)).collect();
        known.push((CHECK_COMMAND.into(), engine.check().texts().command_help.clone(), Command::Check));
        for spec in engine.topics() {
            let Some(shortcut) = &spec.command else { continue };
            if known.iter().any(|(name, _, _)| *name == shortcut.name) {
                return Err(format!(
                    "topic `{}` takes the command `/{}`, which is already a command",
                    spec.topic, shortcut.name
                ));
            }
            known.push((shortcut.name.clone(), shortcut.description.clone(), Command::Shortcut(spec.topic)));
        }
        Ok(Commands { known })
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
        self.known.iter().find(|(known, _, _)| known.eq_ignore_ascii_case(name)).map(|&(_, _, command)| command)
    }

    /// The command's name without the slash, for the log.
    pub fn name(&self, command: Command) -> &str {
        self.known.iter().find(|(_, _, known)| *known == command).map_or("unknown", |(name, _, _)| name)
    }

    /// The commands as `setMyCommands` takes them: names without the slash
    /// (Telegram allows only `a-z`, `0-9` and `_`) and their descriptions.
    pub fn registered(&self) -> Vec<BotCommand> {
        self.known.iter().map(|(name, description, _)| BotCommand::new(name, description)).collect()
    }

    /// The list `/help` shows: a heading, then one `/name — description` line each.
    pub fn descriptions(&self) -> String {
        let mut text = format!("{HEADING}\n");
        for (name, description, _) in &self.known {
            text.push_str(&format!("\n/{name} — {description}"));
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
        let registered = commands.registered();
        assert_eq!(registered.len(), FIXED.len() + 1 + shortcuts);
        assert!(registered.iter().any(|command| command.command == CHECK_COMMAND));
        for command in registered {
            assert!(command.command.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
            let parsed = commands.parse_first_word(&format!("/{}", command.command), ME).expect("it parses");
            assert_eq!(commands.name(parsed), command.command);
            assert!(commands.descriptions().contains(&format!("/{} — {}", command.command, command.description)));
            if let Command::Shortcut(topic) = parsed {
                assert!(engine.topic(topic).is_some(), "{topic} is not a curated topic");
            }
        }
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
