//! `hypnic chat`: a conversation in the terminal. A prompt when stdin is a
//! terminal; plain replies when it is a pipe. `/help`, `/sources`,
//! `/disclaimer` and `/quit`.

use std::io::{self, BufRead, Write};

use crate::engine::Engine;
use crate::render::plain_text;

/// The prompt shown before each question in an interactive terminal.
const PROMPT: &str = "> ";

/// Runs the chat until `/quit` or the end of the input.
///
/// # Errors
/// A failed read or write.
pub fn run_chat(engine: &Engine, input: impl BufRead, mut output: impl Write, interactive: bool) -> io::Result<()> {
    let texts = engine.texts();
    let mut input = input;
    if interactive {
        writeln!(output, "{}\n", texts.chat_welcome)?;
    }
    let mut buffer = Vec::new();
    loop {
        if interactive {
            write!(output, "{PROMPT}")?;
            output.flush()?;
        }
        let Some(line) = super::read_line(&mut input, &mut buffer)? else { break };
        let message = line.trim();
        let command = message.split_whitespace().next().unwrap_or("").to_lowercase();
        let reply = match command.as_str() {
            "/quit" | "/exit" | "/q" => {
                writeln!(output, "{}", texts.chat_goodbye)?;
                break;
            }
            "/help" | "/start" => format!("{}\n\n{}", texts.chat_help, engine.disclaimer()),
            "/sources" => sources_text(engine),
            "/disclaimer" => engine.disclaimer().to_string(),
            _ if message.is_empty() && interactive => continue,
            _ => plain_text(&engine.answer(message)),
        };
        writeln!(output, "{reply}\n")?;
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
