//! `hypnic eval FILE...`: scores the engine on question files and exits 1 when
//! a threshold is missed. With `--knowledge DIR`, it also reports what that
//! folder changes against the embedded knowledge.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::engine::Engine;
use crate::eval::{
    Thresholds, compare, holds_conversations, parse_cases, parse_conversations, run as run_cases, run_conversations,
};

/// Arguments of `hypnic eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Question files in the `[[case]]` format, or conversation files in the
    /// `[[conversation]]` format (not both in one run).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Leave out the cases of these categories (repeat the flag or separate with
    /// commas), for example `--skip-category foreign,followup`.
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub skip_category: Vec<String>,

    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,

    /// Fail below this share of right topics.
    #[arg(long, default_value_t = 0.95, value_name = "SHARE")]
    pub min_topic_accuracy: f64,

    /// Fail below this share of must/must_not checks passed.
    #[arg(long, default_value_t = 0.95, value_name = "SHARE")]
    pub min_check_rate: f64,

    /// Fail below this share of emergencies and crises caught.
    #[arg(long, default_value_t = 1.0, value_name = "SHARE")]
    pub min_emergency_recall: f64,

    /// Fail above this many false emergencies.
    #[arg(long, default_value_t = 0, value_name = "COUNT")]
    pub max_false_emergencies: usize,

    /// Fail above this many harmful replies: a missed emergency or crisis, or
    /// reassurance where a case's urgency or topic forbids it.
    #[arg(long, default_value_t = 0, value_name = "COUNT")]
    pub max_harmful: usize,

    /// Fail below this share of replies ending with the disclaimer.
    #[arg(long, default_value_t = 1.0, value_name = "SHARE")]
    pub min_disclaimer_rate: f64,

    /// Conversations: fail below this share of turns right (topic and checks).
    #[arg(long, default_value_t = 0.90, value_name = "SHARE")]
    pub min_turn_rate: f64,

    /// Conversations: fail below this share of later turns right (all but `opening`).
    #[arg(long, default_value_t = 0.85, value_name = "SHARE")]
    pub min_followup_rate: f64,
}

impl EvalArgs {
    fn thresholds(&self) -> Thresholds {
        Thresholds {
            min_topic_accuracy: self.min_topic_accuracy,
            min_check_rate: self.min_check_rate,
            min_emergency_recall: self.min_emergency_recall,
            max_false_emergencies: self.max_false_emergencies,
            max_harmful: self.max_harmful,
            min_disclaimer_rate: self.min_disclaimer_rate,
        }
    }
}

/// Scores `engine` on the files of `args`; with a `baseline` (the embedded
/// knowledge, when `engine` is a curator's folder), also what changed.
pub(super) fn run(engine: &Engine, baseline: Option<&Engine>, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let mut cases = Vec::new();
    let mut conversations = Vec::new();
    for file in &args.files {
        let context = || format!("cannot load the questions in {}", file.display());
        let text = std::fs::read_to_string(file).with_context(context)?;
        let name = file.display().to_string();
        if holds_conversations(&text) {
            conversations.extend(parse_conversations(&name, text).with_context(context)?);
        } else {
            cases.extend(parse_cases(&name, text).with_context(context)?);
        }
    }
    if !cases.is_empty() && !conversations.is_empty() {
        anyhow::bail!("give question files and conversation files to separate runs of `hypnic eval`");
    }
    cases.retain(|case| case.category.as_ref().is_none_or(|category| !args.skip_category.contains(category)));
    for case in cases.iter().chain(conversations.iter().flat_map(|conversation| &conversation.turns)) {
        let unknown = case.unknown_topics(engine);
        if !unknown.is_empty() {
            let known: Vec<&str> = engine.all_topics().map(|topic| topic.id()).collect();
            anyhow::bail!(
                "{}: unknown topic `{}`; the topics are {}",
                case.origin,
                unknown.join("`, `"),
                known.join(", ")
            );
        }
    }
    let report = if conversations.is_empty() {
        let mut report = run_cases(engine, &cases);
        report.explain_failures(engine);
        report
    } else {
        run_conversations(engine, &conversations)
    };
    let comparison = baseline.filter(|_| conversations.is_empty()).map(|baseline| compare(baseline, engine, &cases));
    let thresholds = args.thresholds();
    let mut shortfalls = report.shortfalls(&thresholds);
    if !conversations.is_empty() {
        let turns = report.right_rate();
        let later = report.right_rate_except(&["opening"]);
        for (name, value, min) in
            [("turns right", turns, args.min_turn_rate), ("later turns right", later, args.min_followup_rate)]
        {
            if value < min {
                shortfalls.push(format!("{name} {:.1}% is below {:.1}%", value * 100.0, min * 100.0));
            }
        }
        if !args.json {
            println!("{} conversations; later turns right {:.1}%", conversations.len(), later * 100.0);
        }
    }
    if args.json {
        let json = serde_json::json!({
            "report": report,
            "topic_accuracy": report.topic_accuracy(),
            "check_rate": report.check_rate(),
            "emergency_recall": report.emergency_recall(),
            "disclaimer_rate": report.disclaimer_rate(),
            "thresholds": thresholds,
            "passed": shortfalls.is_empty(),
            "shortfalls": shortfalls,
            "against_embedded": comparison,
        });
        println!("{}", serde_json::to_string_pretty(&json).context("cannot encode JSON")?);
    } else {
        print!("{}", report.to_text());
        if let Some(comparison) = &comparison {
            print!("{}", comparison.to_text("the embedded knowledge", engine.place()));
        }
        if shortfalls.is_empty() {
            println!("PASS: every threshold met");
        } else {
            for shortfall in &shortfalls {
                println!("FAIL: {shortfall}");
            }
        }
    }
    Ok(if shortfalls.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
