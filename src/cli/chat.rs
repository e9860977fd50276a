//! `hypnic chat`: a conversation in the terminal. A prompt when stdin is a
//! terminal; plain replies when it is a pipe; one JSON object per line with
//! `--json`. The chat remembers the last answer (ids only, for 30 minutes), so
//! follow-ups such as "and coffee?" or "yes" are read with it. `/start`
//! forgets it; `/help`, `/sources`, `/disclaimer` and `/quit` work too.
//! `/check` starts the warning-sign check: while it runs, "yes", "no", "not
//! sure", "back" and "stop" answer its question, and anything else is
//! answered as usual.

use std::io::{self, BufRead, Write};

use clap::Args;

use super::ask::AnswerJson;
use crate::check::{Applied, Asked, Check, Move, Refusal};
use crate::conversation::{ChatContext, now_millis, now_secs};
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
        let typed = context.check.as_ref().and_then(|_| engine.check().typed_move(message));
        let fixed = match command.as_str() {
            _ if typed.is_some() => {
                let text = typed.map(|action| check_move(engine.check(), &mut context, action)).unwrap_or_default();
                Some((engine.about(), text))
            }
            "/check" => {
                let (progress, asked) = engine.check().start(None, now_millis(), now_secs());
                context.check = Some(progress);
                Some((engine.about(), question_text(engine.check(), &asked, true)))
            }
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

/// Applies a typed `action` to the chat's check and returns what to print:
/// the next question, the stop text, or the summary (which ends with the disclaimer).
fn check_move(check: &Check, context: &mut ChatContext, action: Move) -> String {
    let Some(progress) = context.check.clone() else { return String::new() };
    let press = check.press_now(&progress, action);
    match check.apply(&progress, press, None, now_secs()) {
        Ok(Applied::Ask { progress, asked }) => {
            context.check = Some(progress);
            question_text(check, &asked, false)
        }
        Ok(Applied::Stopped) => {
            context.check = None;
            check.texts().stopped.clone()
        }
        Ok(Applied::Finished(summary)) => {
            context.check = None;
            summary.layout().plain_text()
        }
        Err(refusal) => {
            let notice = match refusal {
                Refusal::AlreadyFirst => &check.texts().first_question,
                Refusal::NotYours | Refusal::AlreadyAnswered => &check.texts().already_answered,
            };
            match check.current(&progress) {
                Some(asked) => format!("{notice}\n\n{}", question_text(check, &asked, false)),
                None => notice.clone(),
            }
        }
    }
}

/// A question of the check, with the words to type under it.
fn question_text(check: &Check, asked: &Asked<'_>, intro: bool) -> String {
    format!("{}\n{}", check.question_layout(asked, intro).plain_text(), check.typed_hint())
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
