//! `hypnic chat`: a conversation in the terminal. A prompt when stdin is a
//! terminal; plain replies when it is a pipe; one JSON object per line with
//! `--json`. The chat remembers the last answer (ids only, for 30 minutes), so
//! follow-ups such as "and coffee?" or "yes" are read with it. `/start`
//! forgets it; `/help`, `/sources`, `/disclaimer` and `/quit` work too.

use std::io::{self, BufRead, Write};

use clap::Args;

use super::ask::AnswerJson;
use crate::conversation::{ChatContext, now_secs};
use crate::engine::Engine;
use crate::render::plain_text;

/// The prompt shown before each question in an interactive terminal.
const PROMPT: &str = "> ";

/// Arguments of `hypnic chat`.
#[derive(Debug, Default, Args)]
pub struct ChatArgs {
    /// Print one JSON object per input line (the fields of `hypnic ask --json`),
    /// keeping the conversation's context across lines.
    #[arg(long)]
    pub json: bool,

    /// Print how the engine read each message, with the chat's context (for
    /// curators), before the answer.
    #[arg(long, conflicts_with = "json")]
    pub explain: bool,
}

/// How the chat talks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChatMode {
    /// A person at a terminal: a welcome and a prompt.
    pub interactive: bool,
    /// One JSON object per line instead of text.
    pub json: bool,
    /// Print how each message was read before its answer.
    pub explain: bool,
}

/// Runs the chat until `/quit` or the end of the input.
///
/// # Errors
/// A failed read or write.
pub fn run_chat(engine: &Engine, input: impl BufRead, mut output: impl Write, mode: ChatMode) -> io::Result<()> {
    let texts = engine.texts();
    let interactive = mode.interactive && !mode.json;
    let mut input = input;
    if interactive {
        writeln!(output, "{}\n", texts.chat_welcome)?;
    }
    let mut context = ChatContext::default();
    let mut buffer = Vec::new();
    loop {
        if interactive {
            write!(output, "{PROMPT}")?;
            output.flush()?;
        }
        let Some(line) = super::read_line(&mut input, &mut buffer)? else { break };
        let message = line.trim();
        let command = message.split_whitespace().next().unwrap_or("").to_lowercase();
        let fixed = match command.as_str() {
            "/quit" | "/exit" | "/q" => {
                if !mode.json {
                    writeln!(output, "{}", texts.chat_goodbye)?;
                }
                break;
            }
            "/start" => {
                context = ChatContext::default();
                Some((engine.welcome(), format!("{}\n\n{}", texts.chat_help, engine.disclaimer())))
            }
            "/help" => Some((engine.about(), format!("{}\n\n{}", texts.chat_help, engine.disclaimer()))),
            "/sources" => Some((engine.about(), sources_text(engine))),
            "/disclaimer" => Some((engine.about(), engine.disclaimer().to_string())),
            _ if message.is_empty() && interactive => continue,
            _ => None,
        };
        match fixed {
            Some((answer, text)) if mode.json => {
                let mut json = serde_json::to_value(AnswerJson::new(message, &answer)).map_err(io::Error::other)?;
                json["reply"] = serde_json::Value::String(text);
                writeln!(output, "{json}")?;
            }
            Some((_, text)) => writeln!(output, "{text}\n")?,
            None => {
                let now = now_secs();
                if mode.explain {
                    writeln!(output, "{}\n", engine.explain_in(message, &context, now))?;
                }
                let turn = engine.reply(message, &context, now);
                context = turn.context;
                if mode.json {
                    let json =
                        serde_json::to_string(&AnswerJson::new(message, &turn.answer)).map_err(io::Error::other)?;
                    writeln!(output, "{json}")?;
                } else {
                    writeln!(output, "{}\n", plain_text(&turn.answer))?;
                }
            }
        }
        output.flush()?;
    }
    Ok(())
}

/// The list of articles, with the disclaimer.
fn sources_text(engine: &Engine) -> String {
    let mut text = engine.texts().sources_heading.clone();
    for source in engine.sources() {
        text.push_str(&format!("\n- {} ({})", source.title, source.publisher));
    }
    text.push_str("\n\n");
    text.push_str(engine.disclaimer());
    text
}
