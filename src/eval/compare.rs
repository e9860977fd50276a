//! What a change of knowledge changes: the same cases answered by the
//! embedded knowledge and by a curator's folder, side by side. Scores before
//! and after, the cases that newly fail or newly pass, and each case whose
//! topic or quoted articles changed.

use serde::Serialize;

use super::cases::Case;
use super::report::{Report, run};
use crate::engine::Engine;
use crate::topic::Topic;

/// One case answered differently.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// `file:line` of the case.
    pub origin: String,
    /// The question.
    pub question: String,
    /// The topic before and after.
    pub topic: (Topic, Topic),
    /// The publishers quoted before and after, in quote order.
    pub quoted: (Vec<String>, Vec<String>),
}

/// The cases scored with two engines.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The report with the knowledge compared against.
    pub before: Report,
    /// The report with the knowledge under test.
    pub after: Report,
    /// `file:line` of the cases that fail after and passed before.
    pub newly_failing: Vec<String>,
    /// `file:line` of the cases that pass after and failed before.
    pub newly_passing: Vec<String>,
    /// The cases whose topic or quoted publishers changed.
    pub changes: Vec<Change>,
}

/// Scores `cases` with `before` and `after`, and lists what changed.
pub fn compare(before: &Engine, after: &Engine, cases: &[Case]) -> Comparison {
    let (report_before, report_after) = (run(before, cases), run(after, cases));
    let failing = |report: &Report| report.failures.iter().map(|f| f.origin.clone()).collect::<Vec<_>>();
    let (failed_before, failed_after) = (failing(&report_before), failing(&report_after));
    let newly_failing = failed_after.iter().filter(|o| !failed_before.contains(o)).cloned().collect();
    let newly_passing = failed_before.iter().filter(|o| !failed_after.contains(o)).cloned().collect();
    let publishers = |engine: &Engine, question: &str| {
        let answer = engine.answer(question);
        (answer.topic, answer.quotes.iter().map(|quote| quote.publisher.to_string()).collect::<Vec<_>>())
    };
    let changes = cases
        .iter()
        .filter(|case| case.context.is_none())
        .filter_map(|case| {
            let (topic_before, quoted_before) = publishers(before, &case.question);
            let (topic_after, quoted_after) = publishers(after, &case.question);
            (topic_before != topic_after || quoted_before != quoted_after).then(|| Change {
                origin: case.origin.clone(),
                question: case.question.clone(),
                topic: (topic_before, topic_after),
                quoted: (quoted_before, quoted_after),
            })
        })
        .collect();
    Comparison { before: report_before, after: report_after, newly_failing, newly_passing, changes }
}

impl Comparison {
    /// The comparison as text: the scores side by side, then the changes.
    pub fn to_text(&self, before_name: &str, after_name: &str) -> String {
        let mut text = format!("compared with {before_name}:\n");
        let (b, a) = (&self.before, &self.after);
        let rows = [
            ("topic right", b.topic_correct, a.topic_correct, b.cases),
            ("checks passed", b.checks_passed, a.checks_passed, b.checks),
            ("emergencies caught", b.emergencies_caught, a.emergencies_caught, b.emergencies_expected),
            ("false emergencies", b.false_emergencies, a.false_emergencies, b.cases),
            ("harmful", b.harmful, a.harmful, b.cases),
        ];
        for (name, before, after, of) in rows {
            text.push_str(&format!("  {name:<19} {before:>5} -> {after:>5}  (of {of})\n"));
        }
        for (label, origins) in [("newly failing", &self.newly_failing), ("newly passing", &self.newly_passing)] {
            text.push_str(&format!("  {label}: {}\n", origins.len()));
            for origin in origins {
                text.push_str(&format!("    {origin}\n"));
            }
        }
        text.push_str(&format!("  answered differently with {after_name}: {}\n", self.changes.len()));
        for change in &self.changes {
            text.push_str(&format!(
                "    {} {:?}\n      topic {} -> {}; quoted [{}] -> [{}]\n",
                change.origin,
                change.question,
                change.topic.0,
                change.topic.1,
                change.quoted.0.join(", "),
                change.quoted.1.join(", ")
            ));
        }
        text
    }
}
