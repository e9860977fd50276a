//! The bot's commands. The doc comments of [`Command`] are the help text: they
//! are what `/help` lists and what `setMyCommands` registers with Telegram.

use teloxide::types::BotCommand;
use teloxide::utils::command::BotCommands;

use crate::topic::Topic;

/// These commands are supported:
#[derive(BotCommands, Clone, Copy, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Say hello and see what I can answer.
    Start,
    /// List the commands.
    Help,
    /// The articles my answers come from.
    Sources,
    /// What I am not: a doctor.
    Disclaimer,
    /// Why sleep spasms happen.
    Causes,
    /// Are sleep spasms dangerous?
    Safety,
    /// When to see a doctor.
    Doctor,
    /// How sleep spasms are treated.
    Treatment,
    /// What makes them more frequent.
    Triggers,
}

impl Command {
    /// Parses the first word of `text` as a command. `/cmd@username` is accepted
    /// only with this bot's username; words after the command are ignored, so
    /// `/start payload` (a deep link) is still `/start`.
    pub fn parse_first_word(text: &str, bot_username: &str) -> Option<Command> {
        let first = text.split_whitespace().next()?;
        Command::parse(first, bot_username).ok()
    }

    /// The commands as `setMyCommands` takes them: names without the slash
    /// (Telegram allows only `a-z`, `0-9` and `_`), doc comments as descriptions.
    pub fn registered() -> Vec<BotCommand> {
        Command::bot_commands()
            .into_iter()
            .map(|command| BotCommand::new(command.command.trim_start_matches('/'), command.description))
            .collect()
    }

    /// The topic a shortcut command answers, if it is one.
    pub fn topic(self) -> Option<Topic> {
        match self {
            Command::Causes => Some(Topic::Causes),
            Command::Safety => Some(Topic::Safety),
            Command::Doctor => Some(Topic::SeekCare),
            Command::Treatment => Some(Topic::Treatment),
            Command::Triggers => Some(Topic::Triggers),
            Command::Start | Command::Help | Command::Sources | Command::Disclaimer => None,
        }
    }

    /// The command's name without the slash, for the log.
    pub fn name(self) -> &'static str {
        match self {
            Command::Start => "start",
            Command::Help => "help",
            Command::Sources => "sources",
            Command::Disclaimer => "disclaimer",
            Command::Causes => "causes",
            Command::Safety => "safety",
            Command::Doctor => "doctor",
            Command::Treatment => "treatment",
            Command::Triggers => "triggers",
        }
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

    #[test]
    fn commands_parse_with_and_without_this_bots_name() {
        assert_eq!(Command::parse_first_word("/start", ME), Some(Command::Start));
        assert_eq!(Command::parse_first_word("/start@hypnic_bot", ME), Some(Command::Start));
        assert_eq!(Command::parse_first_word("/doctor please", ME), Some(Command::Doctor));
        assert_eq!(Command::parse_first_word("/start@other_bot", ME), None);
        assert_eq!(Command::parse_first_word("/nonsense", ME), None);
        assert_eq!(Command::parse_first_word("start", ME), None);
    }

    #[test]
    fn shortcuts_name_their_topic() {
        assert_eq!(Command::Doctor.topic(), Some(Topic::SeekCare));
        for shortcut in [Command::Causes, Command::Safety, Command::Doctor, Command::Treatment, Command::Triggers] {
            assert!(shortcut.topic().is_some_and(Topic::is_answerable), "{shortcut:?}");
        }
        for fixed in [Command::Start, Command::Help, Command::Sources, Command::Disclaimer] {
            assert_eq!(fixed.topic(), None);
        }
        for command in Command::registered() {
            assert!(command.command.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
            let parsed = Command::parse_first_word(&format!("/{}", command.command), ME);
            assert_eq!(parsed.map(Command::name), Some(command.command.as_str()));
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
