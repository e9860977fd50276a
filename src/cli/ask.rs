//! `hypnic ask`: one question from the arguments, or one per line of stdin;
//! plain text or one JSON object per question.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::answer::{Answer, Offer, Quote};
use crate::engine::{Engine, LangChoice};
use crate::render::plain_text;
use crate::topic::Topic;

/// Arguments of `hypnic ask`.
#[derive(Debug, Args)]
pub struct AskArgs {
    /// Print one JSON object per question instead of text.
    #[arg(long)]
    pub json: bool,

    /// Print how the engine read each question (for curators) before the answer.
    #[arg(long, conflicts_with = "json")]
    pub explain: bool,

    /// The language of the replies: `auto` (the message's own when hypnic
    /// answers in it, else English), or an answered language: `en`, `sw`, `es`.
    #[arg(long, value_name = "LANG", default_value = "auto")]
    pub lang: String,

    /// The question. Without it, every line of stdin is a question.
    #[arg(value_name = "QUESTION", trailing_var_arg = true, allow_hyphen_values = true)]
    pub question: Vec<String>,
}

/// One answer as `hypnic ask --json` prints it.
#[derive(Debug, Serialize)]
pub struct AnswerJson<'a> {
    /// The question as received.
    pub question: &'a str,
    /// The topic id.
    pub topic: Topic,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// Exactly the text a user sees, disclaimer last.
    pub reply: String,
    /// The disclaimer.
    pub disclaimer: &'a str,
    /// The quoted passages with their articles.
    pub sources: &'a [Quote],
    /// A close second topic, if offered.
    pub also: Option<&'a Offer>,
    /// The ids of the topics offered next.
    pub related: Vec<Topic>,
    /// The language the reply is written in (`en`, `sw`, `es`).
    pub lang: &'a str,
}

impl<'a> AnswerJson<'a> {
    /// The JSON view of `answer` to `question`.
    pub fn new(question: &'a str, answer: &'a Answer) -> AnswerJson<'a> {
        AnswerJson {
            question,
            topic: answer.topic,
            confidence: answer.confidence,
            reply: plain_text(answer),
            disclaimer: &answer.disclaimer,
            sources: &answer.quotes,
            also: answer.also.as_ref(),
            related: answer.related.iter().map(|related| related.topic).collect(),
            lang: &answer.lang,
        }
    }
}

/// The language choice `--lang` names, or why it names none.
fn lang_choice<'a>(engine: &Engine, lang: &'a str) -> Result<LangChoice<'a>, String> {
    if lang == "auto" {
        return Ok(LangChoice::AUTO);
    }
    if engine.voices().iter().any(|voice| &*voice.id == lang) {
        return Ok(LangChoice::Only(lang));
    }
    let known: Vec<&str> = engine.voices().iter().map(|voice| &*voice.id).collect();
    Err(format!("unknown --lang `{lang}`: use auto, or one of the answered languages: {}", known.join(", ")))
}

pub(super) fn run(engine: &Engine, args: &AskArgs) -> anyhow::Result<ExitCode> {
    let choice = match lang_choice(engine, &args.lang) {
        Ok(choice) => choice,
        Err(problem) => {
            eprintln!("hypnic ask: {problem}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = io::stdout().lock();
    if !args.question.is_empty() {
        let question = args.question.join(" ");
        print_answer(engine, &question, args, choice, &mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut buffer = Vec::new();
    let mut first = true;
    while let Some(line) = super::read_line(&mut input, &mut buffer).context("cannot read stdin")? {
        if !args.json && !first {
            writeln!(out).context("cannot write to stdout")?;
        }
        first = false;
        print_answer(engine, &line, args, choice, &mut out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_answer(
    engine: &Engine,
    question: &str,
    args: &AskArgs,
    choice: LangChoice<'_>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if args.explain {
        writeln!(out, "{}\n", engine.explain_with(question, choice)).context("cannot write to stdout")?;
    }
    let answer = engine.answer_in(question, choice);
    if args.json {
        let line = serde_json::to_string(&AnswerJson::new(question, &answer)).context("cannot encode JSON")?;
        writeln!(out, "{line}").context("cannot write to stdout")?;
    } else {
        writeln!(out, "{}", plain_text(&answer)).context("cannot write to stdout")?;
    }
    out.flush().context("cannot write to stdout")
}
