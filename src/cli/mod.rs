//! The terminal adapter: `hypnic ask`, `chat`, `eval` and `index`. Each command
//! loads the same engine and only reads input and prints output. `hypnic
//! telegram` starts the Telegram bot on the same engine.

mod ask;
mod chat;
mod eval;
mod index;
mod telegram;
mod train;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

pub use ask::AskArgs;
pub use chat::{ChatArgs, ChatMode, run_chat};
pub use eval::EvalArgs;
pub use index::IndexArgs;
pub use telegram::{LogFormat, TelegramArgs};
pub use train::TrainArgs;

use crate::engine::Engine;
use crate::error::Error;
use crate::knowledge::Knowledge;

/// hypnic answers questions about sleep spasms (hypnic jerks) from published
/// articles. It is not a doctor and gives no diagnosis.
#[derive(Debug, Parser)]
#[command(name = "hypnic", version)]
pub struct Cli {
    /// Read the knowledge from this folder instead of the copy built into the binary.
    #[arg(long, global = true, value_name = "DIR")]
    pub knowledge: Option<PathBuf>,

    /// Open the passage index built by `hypnic index --build DIR` instead of indexing at start-up.
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// What to do; without one, `telegram` runs if TELOXIDE_TOKEN is set, `chat` otherwise.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer a question given as arguments, or every line of stdin.
    Ask(AskArgs),
    /// Talk in the terminal: type questions, /help, /quit. Works with a pipe
    /// too; follow-ups are read with the last answer.
    Chat(ChatArgs),
    /// Score the engine on question files; exits 1 below the thresholds.
    Eval(EvalArgs),
    /// Print statistics about the knowledge, and what cleaning dropped.
    Index(IndexArgs),
    /// Run the Telegram bot (token in TELOXIDE_TOKEN) until SIGINT or SIGTERM.
    Telegram(TelegramArgs),
    /// Teach the trained reader from `knowledge/corpus/` and write `knowledge/reader.model`.
    Train(TrainArgs),
}

impl Cli {
    /// Whether these arguments run the Telegram bot (a long-lived process),
    /// rather than a command that answers and exits.
    pub fn runs_the_bot(&self) -> bool {
        match self.command {
            Some(Command::Telegram(_)) => true,
            None => token_is_set(),
            Some(_) => false,
        }
    }
}

/// Runs the command of parsed arguments (`main` parses them first, to know
/// whether they run the bot).
///
/// # Errors
/// Knowledge that cannot be loaded, unreadable input files, and failed writes to
/// stdout, each with context.
pub fn run_with(cli: Cli) -> anyhow::Result<ExitCode> {
    // Training replaces the model, so it must not need the old one to load.
    if let Some(Command::Train(mut args)) = cli.command {
        args.knowledge = cli.knowledge;
        return train::run(&args);
    }
    // Building the on-disk index needs the passages only, not an engine.
    if let Some(Command::Index(IndexArgs { build: Some(dir), .. })) = &cli.command {
        return index::build(cli.knowledge.as_deref(), dir);
    }
    let engine = load_engine(cli.knowledge.as_deref(), cli.index.as_deref())?;
    let outcome = run_command(cli, &engine);
    // The process ends next: freeing the engine block by block (a few
    // milliseconds) would only delay the exit.
    std::mem::forget(engine);
    outcome
}

/// Runs a command that needs the engine.
fn run_command(cli: Cli, engine: &Engine) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Ask(args)) => ask::run(engine, &args),
        Some(Command::Eval(args)) => {
            // With a curator's folder, the embedded knowledge is the baseline.
            let baseline = match cli.knowledge {
                Some(_) => Some(load_engine(None, None)?),
                None => None,
            };
            eval::run(engine, baseline.as_ref(), &args)
        }
        Some(Command::Index(args)) => index::run(engine, &args),
        Some(Command::Telegram(args)) => telegram::run(engine.clone(), &args),
        Some(Command::Train(_)) => unreachable!("training runs before the engine loads"),
        None if token_is_set() => telegram::run(engine.clone(), &TelegramArgs::default()),
        command @ (Some(Command::Chat(_)) | None) => {
            let args = match command {
                Some(Command::Chat(args)) => args,
                _ => ChatArgs::default(),
            };
            let stdin = std::io::stdin();
            let interactive = std::io::IsTerminal::is_terminal(&stdin);
            let mode = ChatMode { interactive, json: args.json, explain: args.explain };
            run_chat(engine, stdin.lock(), std::io::stdout().lock(), mode).context("chat failed")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Whether a bot token is in the environment, so that `hypnic` alone runs the bot.
fn token_is_set() -> bool {
    std::env::var(crate::telegram::config::TOKEN_VAR).is_ok_and(|token| !token.trim().is_empty())
}

/// The engine over `knowledge`, or over the embedded knowledge, searching the
/// index in `index` when given, or one built in RAM.
///
/// # Errors
/// The knowledge cannot be read or is malformed, the index cannot be built, or
/// `index` holds no index of the knowledge's passages.
pub fn load_engine(knowledge: Option<&Path>, index: Option<&Path>) -> anyhow::Result<Engine> {
    let loaded = load_knowledge(knowledge)?;
    Engine::with_index_dir(loaded, index).map_err(|err| match err {
        // These come from the index folder, and name it.
        Error::IndexFolder { .. } | Error::IndexFiles { .. } | Error::Unreadable { .. } if index.is_some() => {
            anyhow::Error::new(err).context("cannot open the passage index")
        }
        err => anyhow::Error::new(err).context(knowledge_context(knowledge)),
    })
}

/// The knowledge in `dir`, or the embedded knowledge.
fn load_knowledge(dir: Option<&Path>) -> anyhow::Result<Knowledge> {
    let knowledge = match dir {
        Some(dir) => Knowledge::from_dir(dir),
        None => Knowledge::embedded(),
    };
    knowledge.with_context(|| knowledge_context(dir))
}

/// What failed, when the knowledge in `dir` (or the embedded one) fails to load.
fn knowledge_context(dir: Option<&Path>) -> String {
    match dir {
        Some(dir) => format!("cannot load the knowledge in {}", dir.display()),
        None => "cannot load the embedded knowledge".to_string(),
    }
}

/// Reads one line of input as text: invalid UTF-8 becomes U+FFFD instead of an error.
pub(crate) fn read_line(input: &mut impl std::io::BufRead, buffer: &mut Vec<u8>) -> std::io::Result<Option<String>> {
    buffer.clear();
    if input.read_until(b'\n', buffer)? == 0 {
        return Ok(None);
    }
    while matches!(buffer.last(), Some(b'\n' | b'\r')) {
        buffer.pop();
    }
    Ok(Some(String::from_utf8_lossy(buffer).into_owned()))
}
