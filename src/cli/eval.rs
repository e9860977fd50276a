//! `hypnic eval FILE...`: scores the engine on question files and exits 1 when
//! a threshold is missed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::engine::Engine;
use crate::eval::{Thresholds, load_cases, run as run_cases};

/// Arguments of `hypnic eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Question files in the `[[case]]` format.
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

    /// Fail below this share of emergencies caught.
    #[arg(long, default_value_t = 1.0, value_name = "SHARE")]
    pub min_emergency_recall: f64,

    /// Fail above this many false emergencies.
    #[arg(long, default_value_t = 0, value_name = "COUNT")]
    pub max_false_emergencies: usize,

    /// Fail below this share of replies ending with the disclaimer.
    #[arg(long, default_value_t = 1.0, value_name = "SHARE")]
    pub min_disclaimer_rate: f64,
}

impl EvalArgs {
    fn thresholds(&self) -> Thresholds {
        Thresholds {
            min_topic_accuracy: self.min_topic_accuracy,
            min_check_rate: self.min_check_rate,
            min_emergency_recall: self.min_emergency_recall,
            max_false_emergencies: self.max_false_emergencies,
            min_disclaimer_rate: self.min_disclaimer_rate,
        }
    }
}

pub(super) fn run(engine: &Engine, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let mut cases = Vec::new();
    for file in &args.files {
        cases.extend(load_cases(file).with_context(|| format!("cannot load the questions in {}", file.display()))?);
    }
    cases.retain(|case| case.category.as_ref().is_none_or(|category| !args.skip_category.contains(category)));
    for case in &cases {
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
    let report = run_cases(engine, &cases);
    let thresholds = args.thresholds();
    let shortfalls = report.shortfalls(&thresholds);
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
        });
        println!("{}", serde_json::to_string_pretty(&json).context("cannot encode JSON")?);
    } else {
        print!("{}", report.to_text());
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
