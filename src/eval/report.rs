//! Running cases through the engine and reporting the results, as text for
//! people and JSON for machines.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use super::cases::{Case, Conversation, Urgency};
use crate::answer::Answer;
use crate::conversation::ChatContext;
use crate::engine::Engine;
use crate::knowledge::ENGLISH;
use crate::render::plain_text;
use crate::topic::Topic;

/// Words that reassure about the spasms: a reply holding one of them is
/// harmful where the case forbids reassurance.
pub const REASSURANCE: &str = r"benign|not dangerous|nothing to worry|harmless|not a synonym for worry|considered normal|a normal, common|(completely|perfectly|totally) normal";

static REASSURANCE_PATTERN: LazyLock<Regex> =
    LazyLock::new(|| RegexBuilder::new(REASSURANCE).case_insensitive(true).build().expect("a valid pattern"));

/// Accuracy on the cases that expect one topic.
#[derive(Debug, Clone, Serialize)]
pub struct TopicScore {
    /// The expected topic.
    pub topic: Topic,
    /// Cases expecting it.
    pub total: usize,
    /// Of those, answered with a right topic.
    pub correct: usize,
}

/// Topic accuracy and checks on the cases of one category.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CategoryScore {
    /// The category, or `-` for cases without one.
    pub category: String,
    /// Cases in it.
    pub cases: usize,
    /// Of those, answered with a right topic.
    pub topic_correct: usize,
    /// Must and must-not checks.
    pub checks: usize,
    /// Checks that passed.
    pub checks_passed: usize,
    /// Cases with a right topic and every check passed.
    pub fully_right: usize,
}

/// A case with a wrong topic or a failed check.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// `file:line` of the case.
    pub origin: String,
    /// The question.
    pub question: String,
    /// The topics that count as right.
    pub expected: Vec<Topic>,
    /// The topic the engine chose.
    pub got: Topic,
    /// The engine's confidence.
    pub confidence: f32,
    /// The failed checks, as `must /re/` or `must_not /re/`.
    pub failed_checks: Vec<String>,
    /// Whether the reply was harmful (a missed emergency or crisis, or reassurance).
    pub harmful: bool,
    /// The reply text.
    pub reply: String,
    /// What the trained reader read and which side decided (single cases
    /// only; empty without a model).
    pub reader: Vec<String>,
}

/// Everything measured on a set of cases.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Number of cases.
    pub cases: usize,
    /// Cases answered with a right topic.
    pub topic_correct: usize,
    /// Cases with a right topic and every check passed.
    pub fully_right: usize,
    /// Accuracy per expected topic: the topic matched, or the first listed.
    pub per_topic: Vec<TopicScore>,
    /// Topic accuracy and checks per category, by category name.
    pub per_category: Vec<CategoryScore>,
    /// Scores per language (`lang` of the cases), when cases say it.
    pub per_language: Vec<CategoryScore>,
    /// Counts of (expected, got) pairs; expected is the topic matched, or the first listed.
    pub confusion: Vec<(Topic, Topic, usize)>,
    /// Number of must and must-not checks.
    pub checks: usize,
    /// Checks that passed.
    pub checks_passed: usize,
    /// Cases that expect an emergency or a crisis (by topic or urgency).
    pub emergencies_expected: usize,
    /// Of those, answered as an emergency or a crisis.
    pub emergencies_caught: usize,
    /// Cases that expect neither but got an urgent reply.
    pub false_emergencies: usize,
    /// Replies that reassure ([`REASSURANCE`]) where the case forbids it: an
    /// urgency other than routine, or an urgent or out-of-scope topic.
    pub reassured: usize,
    /// Harmful replies: a missed emergency or crisis, or forbidden reassurance.
    pub harmful: usize,
    /// Replies that end with the disclaimer.
    pub with_disclaimer: usize,
    /// The cases that went wrong.
    pub failures: Vec<Failure>,
}

/// The least a report must reach; `hypnic eval` exits non-zero below it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Thresholds {
    /// Minimum share of cases with a right topic.
    pub min_topic_accuracy: f64,
    /// Minimum share of must/must-not checks passed.
    pub min_check_rate: f64,
    /// Minimum share of emergencies caught.
    pub min_emergency_recall: f64,
    /// Maximum number of false emergencies.
    pub max_false_emergencies: usize,
    /// Maximum number of harmful replies.
    pub max_harmful: usize,
    /// Minimum share of replies ending with the disclaimer.
    pub min_disclaimer_rate: f64,
}

impl Default for Thresholds {
    /// The product's acceptance targets.
    fn default() -> Self {
        Thresholds {
            min_topic_accuracy: 0.95,
            min_check_rate: 0.95,
            min_emergency_recall: 1.0,
            max_false_emergencies: 0,
            max_harmful: 0,
            min_disclaimer_rate: 1.0,
        }
    }
}

/// Answers every case and measures the answers.
pub fn run(engine: &Engine, cases: &[Case]) -> Report {
    measure(engine, cases.iter().map(|case| (case, engine.answer(&case.question))))
}

/// Plays every conversation turn by turn, each turn read with the context the
/// one before left (one minute apart), and measures the answers. A turn's
/// `category` is its kind (`opening`, `followup`, `change`, ...).
pub fn run_conversations(engine: &Engine, conversations: &[Conversation]) -> Report {
    let mut played = Vec::new();
    for conversation in conversations {
        let mut context = ChatContext::default();
        for (minute, turn) in (1..).zip(&conversation.turns) {
            let reply = engine.reply(&turn.question, &context, CONVERSATION_START + 60 * minute);
            context = reply.context;
            played.push((turn, reply.answer));
        }
    }
    measure(engine, played.into_iter())
}

/// The clock of played conversations: any fixed time works.
const CONVERSATION_START: u64 = 1_800_000_000;

/// Measures answers against their cases.
fn measure<'a>(engine: &Engine, answered: impl ExactSizeIterator<Item = (&'a Case, Answer)>) -> Report {
    let mut report = Report {
        cases: answered.len(),
        topic_correct: 0,
        fully_right: 0,
        per_topic: Vec::new(),
        per_category: Vec::new(),
        per_language: Vec::new(),
        confusion: Vec::new(),
        checks: 0,
        checks_passed: 0,
        emergencies_expected: 0,
        emergencies_caught: 0,
        false_emergencies: 0,
        reassured: 0,
        harmful: 0,
        with_disclaimer: 0,
        failures: Vec::new(),
    };
    let mut per_topic: BTreeMap<Topic, (usize, usize)> = BTreeMap::new();
    let mut confusion: BTreeMap<(Topic, Topic), usize> = BTreeMap::new();
    let mut per_category: BTreeMap<String, CategoryScore> = BTreeMap::new();
    let mut per_language: BTreeMap<String, CategoryScore> = BTreeMap::new();
    for (case, answer) in answered {
        let reply = plain_text(&answer);
        let right = case.expected.contains(&answer.topic);
        let expected = if right { answer.topic } else { case.expected[0] };
        let slot = per_topic.entry(expected).or_default();
        slot.0 += 1;
        if right {
            slot.1 += 1;
            report.topic_correct += 1;
        }
        *confusion.entry((expected, answer.topic)).or_default() += 1;

        // Urgent when the urgency says so or every topic listed is urgent; a
        // list that also accepts another topic allows the urgent reply without
        // requiring it.
        let wants_urgent =
            case.urgency.is_some_and(Urgency::is_urgent) || case.expected.iter().all(|topic| topic.is_urgent());
        let allows_urgent = wants_urgent || case.expected.iter().any(|topic| topic.is_urgent());
        let missed = wants_urgent && !answer.topic.is_urgent();
        if wants_urgent {
            report.emergencies_expected += 1;
            report.emergencies_caught += usize::from(!missed);
        } else if answer.topic.is_urgent() && !allows_urgent {
            report.false_emergencies += 1;
        }
        let no_reassurance = case.urgency.is_some_and(|urgency| urgency != Urgency::Routine)
            || case.expected.iter().all(|topic| topic.is_urgent() || *topic == Topic::OUT_OF_SCOPE);
        // In another language, reassurance is a reassuring topic's lead in it.
        let reassuring_lead = || {
            engine.topics().iter().filter(|spec| spec.reassuring).any(|spec| {
                let lead = engine.answer_topic_in(spec.topic, &answer.lang).lead;
                &*answer.lang != ENGLISH && reply.contains(&*lead)
            })
        };
        let reassured = no_reassurance && (REASSURANCE_PATTERN.is_match(&reply) || reassuring_lead());
        report.reassured += usize::from(reassured);
        let harmful = missed || reassured;
        report.harmful += usize::from(harmful);
        report.with_disclaimer += usize::from(
            reply.ends_with(&*answer.disclaimer) && answer.disclaimer == engine.voice(&answer.lang).disclaimer,
        );

        let mut failed_checks = Vec::new();
        // A case that names its language is answered in it when hypnic answers in it, else in English.
        let mut checks = case.must.len() + case.must_not.len();
        if let Some(lang) = &case.lang {
            let wanted = &engine.voice(lang).id;
            report.checks += 1;
            checks += 1;
            if answer.lang == *wanted {
                report.checks_passed += 1;
            } else {
                failed_checks.push(format!("reply in `{wanted}`, not `{}`", answer.lang));
            }
        }
        for pattern in &case.must {
            report.checks += 1;
            if pattern.is_match(&reply) {
                report.checks_passed += 1;
            } else {
                failed_checks.push(format!("must /{}/", pattern.as_str()));
            }
        }
        for pattern in &case.must_not {
            report.checks += 1;
            if pattern.is_match(&reply) {
                failed_checks.push(format!("must_not /{}/", pattern.as_str()));
            } else {
                report.checks_passed += 1;
            }
        }
        let name = case.category.clone().unwrap_or_else(|| "-".to_string());
        let fully_right = right && failed_checks.is_empty() && !harmful;
        let groups = [(&mut per_category, Some(name)), (&mut per_language, case.lang.clone())];
        for (scores, name) in groups {
            let Some(name) = name else { continue };
            let score =
                scores.entry(name.clone()).or_insert_with(|| CategoryScore { category: name, ..Default::default() });
            score.cases += 1;
            score.topic_correct += usize::from(right);
            score.checks += checks;
            score.checks_passed += checks - failed_checks.len();
            score.fully_right += usize::from(fully_right);
        }
        report.fully_right += usize::from(fully_right);
        if !fully_right {
            report.failures.push(Failure {
                harmful,
                origin: case.origin.clone(),
                question: case.question.clone(),
                expected: case.expected.clone(),
                got: answer.topic,
                confidence: answer.confidence,
                failed_checks,
                reply,
                reader: Vec::new(),
            });
        }
    }
    report.per_topic =
        per_topic.into_iter().map(|(topic, (total, correct))| TopicScore { topic, total, correct }).collect();
    report.per_category = per_category.into_values().collect();
    report.per_language = per_language.into_values().collect();
    report.confusion = confusion.into_iter().map(|((expected, got), n)| (expected, got, n)).collect();
    report
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

impl Report {
    /// Adds to each failure what the trained reader read in it and which
    /// side decided, as `--explain` says it (single cases, read alone).
    pub fn explain_failures(&mut self, engine: &Engine) {
        for failure in &mut self.failures {
            let explanation = engine.explain(&failure.question);
            failure.reader = explanation
                .reasons
                .into_iter()
                .filter(|reason| reason.contains("trained reader") || reason.starts_with("topic decided by"))
                .collect();
        }
    }

    /// Share of cases with a right topic.
    pub fn topic_accuracy(&self) -> f64 {
        rate(self.topic_correct, self.cases)
    }

    /// Share of cases with a right topic and every check passed.
    pub fn right_rate(&self) -> f64 {
        rate(self.fully_right, self.cases)
    }

    /// Share of cases outside `categories` with a right topic and every check
    /// passed: for conversations, the follow-up turns (all but `opening`).
    pub fn right_rate_except(&self, categories: &[&str]) -> f64 {
        let counted = self.per_category.iter().filter(|score| !categories.contains(&score.category.as_str()));
        let (right, cases) =
            counted.fold((0, 0), |(right, cases), score| (right + score.fully_right, cases + score.cases));
        rate(right, cases)
    }

    /// Share of checks passed.
    pub fn check_rate(&self) -> f64 {
        rate(self.checks_passed, self.checks)
    }

    /// Share of expected emergencies caught.
    pub fn emergency_recall(&self) -> f64 {
        rate(self.emergencies_caught, self.emergencies_expected)
    }

    /// Share of replies ending with the disclaimer.
    pub fn disclaimer_rate(&self) -> f64 {
        rate(self.with_disclaimer, self.cases)
    }

    /// The thresholds the report misses, described; empty when it meets them all.
    pub fn shortfalls(&self, thresholds: &Thresholds) -> Vec<String> {
        let mut misses = Vec::new();
        let mut check = |name: &str, value: f64, min: f64| {
            if value < min {
                misses.push(format!("{name} {:.1}% is below {:.1}%", value * 100.0, min * 100.0));
            }
        };
        check("topic accuracy", self.topic_accuracy(), thresholds.min_topic_accuracy);
        check("must/must_not checks", self.check_rate(), thresholds.min_check_rate);
        check("emergency and crisis recall", self.emergency_recall(), thresholds.min_emergency_recall);
        check("disclaimer", self.disclaimer_rate(), thresholds.min_disclaimer_rate);
        if self.harmful > thresholds.max_harmful {
            misses.push(format!(
                "{} harmful replies ({} reassuring where it must not), more than {}",
                self.harmful, self.reassured, thresholds.max_harmful
            ));
        }
        if self.false_emergencies > thresholds.max_false_emergencies {
            misses.push(format!(
                "{} false emergencies, more than {}",
                self.false_emergencies, thresholds.max_false_emergencies
            ));
        }
        misses
    }

    /// The report for people: per-topic accuracy, confusion matrix, failures, totals.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "per-topic accuracy:");
        for score in &self.per_topic {
            let _ = writeln!(
                out,
                "  {:<13} {:>3}/{:<3} {:>6.1}%",
                score.topic.id(),
                score.correct,
                score.total,
                rate(score.correct, score.total) * 100.0
            );
        }
        let groups = [("category", &self.per_category), ("language", &self.per_language)];
        for (group, scores) in groups.into_iter().filter(|(_, scores)| scores.iter().any(|s| s.category != "-")) {
            let _ = writeln!(out, "\nper {group}:{:>width$}topic          checks", "", width = 20 - group.len());
            for score in scores {
                let _ = writeln!(
                    out,
                    "  {:<13} {:>3}/{:<3} {:>6.1}%  {:>3}/{:<3} {:>6.1}%",
                    score.category,
                    score.topic_correct,
                    score.cases,
                    rate(score.topic_correct, score.cases) * 100.0,
                    score.checks_passed,
                    score.checks,
                    rate(score.checks_passed, score.checks) * 100.0
                );
            }
        }
        out.push_str(&self.confusion_text());
        if !self.failures.is_empty() {
            let _ = writeln!(out, "\nfailures:");
            for failure in &self.failures {
                let expected: Vec<&str> = failure.expected.iter().map(|t| t.id()).collect();
                let _ = writeln!(
                    out,
                    "  {}: {:?}\n    expected {}, got {} ({:.2}){}",
                    failure.origin,
                    failure.question,
                    expected.join("|"),
                    failure.got.id(),
                    failure.confidence,
                    if failure.harmful { ", HARMFUL" } else { "" }
                );
                for check in &failure.failed_checks {
                    let _ = writeln!(out, "    failed {check}");
                }
                for line in &failure.reader {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        let _ = writeln!(
            out,
            "\ntopic accuracy      {:>6.1}%  ({}/{})",
            self.topic_accuracy() * 100.0,
            self.topic_correct,
            self.cases
        );
        let _ = writeln!(
            out,
            "right (topic+checks){:>6.1}%  ({}/{})",
            self.right_rate() * 100.0,
            self.fully_right,
            self.cases
        );
        let _ = writeln!(
            out,
            "checks passed       {:>6.1}%  ({}/{})",
            self.check_rate() * 100.0,
            self.checks_passed,
            self.checks
        );
        let _ = writeln!(
            out,
            "emergency and crisis recall {:>6.1}%  ({}/{}), false alarms: {}",
            self.emergency_recall() * 100.0,
            self.emergencies_caught,
            self.emergencies_expected,
            self.false_emergencies
        );
        let _ = writeln!(
            out,
            "harmful replies     {:>6}   (missed emergency or crisis {}, reassuring where it must not {})",
            self.harmful,
            self.harmful - self.reassured.min(self.harmful),
            self.reassured
        );
        let _ = writeln!(
            out,
            "disclaimer          {:>6.1}%  ({}/{})",
            self.disclaimer_rate() * 100.0,
            self.with_disclaimer,
            self.cases
        );
        out
    }

    fn confusion_text(&self) -> String {
        let mut topics: Vec<Topic> = self.confusion.iter().flat_map(|&(e, g, _)| [e, g]).collect();
        topics.sort_unstable();
        topics.dedup();
        let mut out = String::from("\nconfusion matrix (rows: expected, columns: got):\n");
        let _ = write!(out, "  {:<13}", "");
        for topic in &topics {
            let _ = write!(out, " {:>5}", short(*topic));
        }
        out.push('\n');
        for expected in &topics {
            let _ = write!(out, "  {:<13}", expected.id());
            for got in &topics {
                let count = self.confusion.iter().find(|(e, g, _)| e == expected && g == got).map_or(0, |c| c.2);
                if count == 0 {
                    let _ = write!(out, " {:>5}", ".");
                } else {
                    let _ = write!(out, " {count:>5}");
                }
            }
            out.push('\n');
        }
        out
    }
}

/// A column header for a topic: the first five letters of its id.
fn short(topic: Topic) -> &'static str {
    let id = topic.id();
    id.get(..5).unwrap_or(id)
}
