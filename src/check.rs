//! The warning-sign check: questions asked one at a time (`check.toml`),
//! answered Yes, No or Not sure, with Back and Stop, then a summary quoted
//! from the articles. Pure logic, no transport: adapters keep a chat's
//! [`CheckProgress`] (question ids and answers, never text) in its
//! [`crate::ChatContext`], turn a button or a typed word into a [`Press`], and
//! show what [`Check::apply`] returns.
//!
//! The summary never diagnoses and never calls the jerks benign unless every
//! answer was No: a Yes names what was said and quotes when the articles send
//! people to a doctor; a Not sure is listed as something to ask a doctor about;
//! a subject the articles are silent on (a baby) says so. The disclaimer ends it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::answer::Quote;
use crate::error::Result;
use crate::knowledge::{ButtonLabels, CheckSpec, CheckTexts, Located, QuestionSays, TypedWords};
use crate::render::{Layout, Span, quote_line};

/// A check untouched for this many seconds has ended.
pub const CHECK_TTL_SECS: u64 = 24 * 60 * 60;

/// An answer to one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckAnswer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not sure: never an all-clear.
    Unsure,
}

/// One question answered: its id in `check.toml` and the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    /// The question's id.
    pub question: String,
    /// The answer.
    pub answer: CheckAnswer,
}

/// How far a chat is in its check: ids, answers and times, never text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckProgress {
    /// The check's id: the millisecond it started (since the Unix epoch), so
    /// its buttons are told from those of an earlier check.
    pub id: u64,
    /// The user id of the person who started it: only they answer it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<u64>,
    /// The answers so far, in the order given.
    #[serde(default)]
    pub answers: Vec<Answered>,
    /// When it started or was last answered, in seconds since the Unix epoch.
    pub updated_at: u64,
    /// The answered language it is asked in, when not English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl CheckProgress {
    /// Whether the check is still going at `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        now.saturating_sub(self.updated_at) <= CHECK_TTL_SECS
    }
}

/// What a person does with the current question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Answers it.
    Answer(CheckAnswer),
    /// Goes back to the previous question.
    Back,
    /// Ends the check.
    Stop,
}

/// A move on one question of one check: a button carries all three, so a
/// press on an old question or an old check is told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Press {
    /// The check's id.
    pub run: u64,
    /// How many questions were answered when the question was shown.
    pub step: usize,
    /// The move.
    pub action: Move,
}

/// Why a press changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Someone other than the person who started the check pressed.
    NotYours,
    /// The press belongs to a question already answered, or another check.
    AlreadyAnswered,
    /// Back on the first question.
    AlreadyFirst,
}

/// One question of the check, compiled.
#[derive(Debug, Clone)]
pub struct Question {
    /// Its id in `check.toml`.
    pub id: String,
    /// The question as shown.
    pub text: String,
    said: String,
    unsure: String,
    says: Says,
}

#[derive(Debug, Clone)]
enum Says {
    Doctor { when: String, quotes: Vec<Quote> },
    Silent(String),
}

/// The question to show next.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The id of the check it belongs to.
    pub run: u64,
    /// How many questions are answered: a button's step.
    pub step: usize,
    /// Its number, from 1.
    pub number: usize,
    /// How many questions the check has.
    pub total: usize,
    /// The question.
    pub question: &'a Question,
}

/// What a press leads to.
#[derive(Debug, Clone)]
pub enum Applied<'a> {
    /// Show this question; keep this progress.
    Ask {
        /// The chat's progress from now on.
        progress: CheckProgress,
        /// The question to show.
        asked: Asked<'a>,
    },
    /// The check was stopped: forget it.
    Stopped,
    /// Every question is answered: forget the check and show the summary.
    Finished(Summary),
}

/// What the answers amount to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every answer was No.
    Clear,
    /// No Yes, but some Not sure.
    Unsure,
    /// At least one Yes.
    Warning,
}

/// The end of a check: what the articles say about the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// What the answers amount to.
    pub outcome: Outcome,
    /// The ids of the questions answered Yes, in order.
    pub yes: Vec<String>,
    /// The ids of the questions answered Not sure, in order.
    pub unsure: Vec<String>,
    /// The opening paragraph.
    pub lead: String,
    /// Before `when` (empty when there is none).
    pub when_heading: String,
    /// When the articles say to see a doctor, one line per question.
    pub when: Vec<String>,
    /// The passages quoted, each once.
    pub quotes: Vec<Quote>,
    /// What to say where the articles are silent.
    pub silent: Vec<String>,
    /// The Not sure answers beside a Yes.
    pub notes: Vec<String>,
    /// The closing paragraph.
    pub close: String,
    /// The disclaimer, last.
    pub disclaimer: Arc<str>,
}

impl Summary {
    /// The summary laid out: lead, when-lines, quotes, silences, notes,
    /// closing paragraph, and the disclaimer as the tail.
    pub fn layout(&self) -> Layout {
        let mut layout = Layout::with_tail(self.disclaimer.as_ref());
        layout.paragraph([Span::plain(self.lead.as_str())]);
        if !self.when.is_empty() {
            let heading = std::iter::once(vec![Span::plain(self.when_heading.as_str())]);
            layout.lines(heading.chain(self.when.iter().map(|line| vec![Span::plain(format!("• {line}"))])));
        }
        if !self.quotes.is_empty() {
            layout.lines(self.quotes.iter().map(quote_line));
        }
        for text in self.silent.iter().chain(&self.notes).chain(std::iter::once(&self.close)) {
            layout.paragraph([Span::plain(text.as_str())]);
        }
        layout
    }
}

/// The check, compiled from `check.toml` with its passages found.
#[derive(Debug, Clone)]
pub struct Check {
    questions: Vec<Question>,
    texts: CheckTexts,
    buttons: ButtonLabels,
    typed: TypedWords,
    clear_quotes: Vec<Quote>,
    disclaimer: Arc<str>,
}

impl Check {
    /// Compiles `spec`, finding each passage fragment with `quote_of`.
    ///
    /// # Errors
    /// The first error of `quote_of` (a fragment that is not in exactly one passage).
    pub fn compile(
        spec: CheckSpec,
        quote_of: impl Fn(&Located<String>) -> Result<Quote>,
        disclaimer: Arc<str>,
    ) -> Result<Check> {
        let quotes = |fragments: &[Located<String>]| fragments.iter().map(&quote_of).collect::<Result<Vec<_>>>();
        let mut questions = Vec::with_capacity(spec.questions.len());
        for question in spec.questions {
            let says = match question.says {
                QuestionSays::Doctor { when, passages } => Says::Doctor { when, quotes: quotes(&passages)? },
                QuestionSays::Silent(text) => Says::Silent(text),
            };
            questions.push(Question {
                id: question.id,
                text: question.text,
                said: question.said,
                unsure: question.unsure,
                says,
            });
        }
        Ok(Check {
            questions,
            clear_quotes: quotes(&spec.clear_passages)?,
            texts: spec.texts,
            buttons: spec.buttons,
            typed: spec.typed,
            disclaimer,
        })
    }

    /// The texts around the questions.
    pub fn texts(&self) -> &CheckTexts {
        &self.texts
    }

    /// The labels of the buttons.
    pub fn buttons(&self) -> &ButtonLabels {
        &self.buttons
    }

    /// The line shown under a question in the terminal.
    pub fn typed_hint(&self) -> &str {
        &self.typed.hint
    }

    /// The move a typed line stands for ("yes", "Not sure.", "back"), if any.
    pub fn typed_move(&self, line: &str) -> Option<Move> {
        let line = line.trim().trim_end_matches(['.', '!']).trim().to_lowercase();
        let typed = &self.typed;
        let moves = [
            (&typed.yes, Move::Answer(CheckAnswer::Yes)),
            (&typed.no, Move::Answer(CheckAnswer::No)),
            (&typed.unsure, Move::Answer(CheckAnswer::Unsure)),
            (&typed.back, Move::Back),
            (&typed.stop, Move::Stop),
        ];
        moves
            .into_iter()
            .find(|(words, _)| words.iter().any(|word| word.trim().to_lowercase() == line))
            .map(|(_, action)| action)
    }

    /// The questions, in the order they are asked.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// A new check with this `id` (the millisecond it starts), started by
    /// `owner` at `now` (seconds), and its first question.
    pub fn start(&self, owner: Option<u64>, id: u64, now: u64) -> (CheckProgress, Asked<'_>) {
        let progress = CheckProgress { id, owner, answers: Vec::new(), updated_at: now, lang: None };
        // Loading refuses a check without questions, so there is a first one.
        let asked = self.asked(&progress, 0).expect("check.toml has at least one question");
        (progress, asked)
    }

    /// The question `progress` waits for, or `None` when every question is answered.
    pub fn current(&self, progress: &CheckProgress) -> Option<Asked<'_>> {
        let answered = self.answered(progress);
        self.asked(progress, answered.len())
    }

    /// `action` on the question `progress` waits for, as if pressed now:
    /// what a typed answer does.
    pub fn press_now(&self, progress: &CheckProgress, action: Move) -> Press {
        Press { run: progress.id, step: self.answered(progress).len(), action }
    }

    /// Applies `press`, made by `presser`, to `progress` at `now`.
    ///
    /// # Errors
    /// A [`Refusal`] when the press changes nothing: someone else's check, a
    /// question already answered or another check, Back on the first question.
    pub fn apply(
        &self,
        progress: &CheckProgress,
        press: Press,
        presser: Option<u64>,
        now: u64,
    ) -> std::result::Result<Applied<'_>, Refusal> {
        if progress.owner.is_some() && presser != progress.owner {
            return Err(Refusal::NotYours);
        }
        let mut answered = self.answered(progress);
        if press.run != progress.id || press.step != answered.len() {
            return Err(Refusal::AlreadyAnswered);
        }
        match press.action {
            Move::Stop => return Ok(Applied::Stopped),
            Move::Back => {
                if answered.pop().is_none() {
                    return Err(Refusal::AlreadyFirst);
                }
            }
            Move::Answer(answer) => {
                let Some(asked) = self.asked(progress, answered.len()) else {
                    return Err(Refusal::AlreadyAnswered);
                };
                answered.push(Answered { question: asked.question.id.clone(), answer });
            }
        }
        let next = CheckProgress { answers: answered, updated_at: now, ..progress.clone() };
        match self.asked(&next, next.answers.len()) {
            Some(asked) => Ok(Applied::Ask { progress: next, asked }),
            None => Ok(Applied::Finished(self.summary(&next.answers))),
        }
    }

    /// The heading of a question ("Question 2 of 7").
    pub fn heading(&self, asked: &Asked<'_>) -> String {
        self.texts.question.replace("{number}", &asked.number.to_string()).replace("{total}", &asked.total.to_string())
    }

    /// A question laid out: the introduction when asked, the heading in bold,
    /// the question. No disclaimer: the summary ends with it.
    pub fn question_layout(&self, asked: &Asked<'_>, intro: bool) -> Layout {
        let mut layout = Layout::default();
        if intro {
            layout.paragraph([Span::plain(self.texts.intro.as_str())]);
        }
        layout.lines([vec![Span::bold(self.heading(asked))], vec![Span::plain(asked.question.text.as_str())]]);
        layout
    }

    /// The answers of `progress` to known questions, in order, each once:
    /// answers to questions a curator removed since are left out.
    fn answered(&self, progress: &CheckProgress) -> Vec<Answered> {
        let mut answered: Vec<Answered> = Vec::with_capacity(progress.answers.len());
        for answer in &progress.answers {
            let known = self.questions.iter().any(|question| question.id == answer.question);
            if known && !answered.iter().any(|seen| seen.question == answer.question) {
                answered.push(answer.clone());
            }
        }
        answered
    }

    /// The first question not answered in `progress`, shown at `step`.
    fn asked(&self, progress: &CheckProgress, step: usize) -> Option<Asked<'_>> {
        let (index, question) = self
            .questions
            .iter()
            .enumerate()
            .find(|(_, question)| !progress.answers.iter().any(|answer| answer.question == question.id))?;
        Some(Asked { run: progress.id, step, number: index + 1, total: self.questions.len(), question })
    }

    /// What the articles say about `answers`.
    fn summary(&self, answers: &[Answered]) -> Summary {
        let texts = &self.texts;
        let answer_of = |question: &Question| {
            answers.iter().find(|answer| answer.question == question.id).map(|answer| answer.answer)
        };
        let with = |wanted: CheckAnswer| -> Vec<&Question> {
            self.questions.iter().filter(|question| answer_of(question) == Some(wanted)).collect()
        };
        let (yes, unsure) = (with(CheckAnswer::Yes), with(CheckAnswer::Unsure));
        let ids = |questions: &[&Question]| questions.iter().map(|question| question.id.clone()).collect();
        let mut summary = Summary {
            outcome: Outcome::Clear,
            yes: ids(&yes),
            unsure: ids(&unsure),
            lead: texts.clear.clone(),
            when_heading: String::new(),
            when: Vec::new(),
            quotes: self.clear_quotes.clone(),
            silent: Vec::new(),
            notes: Vec::new(),
            close: texts.clear_close.clone(),
            disclaimer: Arc::clone(&self.disclaimer),
        };
        if yes.is_empty() && unsure.is_empty() {
            return summary;
        }
        let unsure_list = || self.join(unsure.iter().map(|question| question.unsure.as_str()));
        if yes.is_empty() {
            summary.outcome = Outcome::Unsure;
            summary.lead = texts.unsure_only.replace("{unsure}", &unsure_list());
        } else {
            summary.outcome = Outcome::Warning;
            summary.lead = texts.said.replace("{said}", &self.join(yes.iter().map(|question| question.said.as_str())));
            if !unsure.is_empty() {
                summary.notes.push(texts.also_unsure.replace("{unsure}", &unsure_list()));
            }
        }
        summary.quotes.clear();
        summary.when_heading = texts.doctor_when.clone();
        summary.close = texts.close.clone();
        let flagged = self
            .questions
            .iter()
            .filter(|question| matches!(answer_of(question), Some(CheckAnswer::Yes | CheckAnswer::Unsure)));
        for question in flagged {
            match &question.says {
                Says::Doctor { when, quotes } => {
                    summary.when.push(when.clone());
                    for quote in quotes {
                        if !summary.quotes.contains(quote) {
                            summary.quotes.push(quote.clone());
                        }
                    }
                }
                Says::Silent(text) => summary.silent.push(text.clone()),
            }
        }
        summary
    }

    /// "a", "a and b", "a, b and c".
    fn join<'a>(&self, items: impl Iterator<Item = &'a str>) -> String {
        let items: Vec<&str> = items.collect();
        match items.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} {} {last}", rest.join(", "), self.texts.and),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn engine() -> Engine {
        Engine::embedded().expect("the embedded knowledge loads")
    }

    /// Answers every question of a fresh check with `answer_for(id)`, and
    /// returns the summary.
    fn run(check: &Check, answer_for: impl Fn(&str) -> CheckAnswer) -> Summary {
        let (mut progress, _) = check.start(Some(7), 100_000, 100);
        loop {
            let asked = check.current(&progress).expect("a question is waiting");
            let press = check.press_now(&progress, Move::Answer(answer_for(&asked.question.id)));
            match check.apply(&progress, press, Some(7), 101).expect("the press is for the current question") {
                Applied::Ask { progress: next, .. } => progress = next,
                Applied::Finished(summary) => return summary,
                Applied::Stopped => panic!("nobody stopped"),
            }
        }
    }

    fn shown(summary: &Summary) -> String {
        summary.layout().plain_text()
    }

    #[test]
    fn questions_come_in_order_and_back_returns_to_the_previous_one() {
        let engine = engine();
        let check = engine.check();
        let (progress, first) = check.start(None, 10_000, 10);
        assert_eq!((first.number, first.step, first.total), (1, 0, check.questions().len()));
        assert!(check.questions().len() >= 7);
        let yes = check.press_now(&progress, Move::Answer(CheckAnswer::Yes));
        let Ok(Applied::Ask { progress, asked }) = check.apply(&progress, yes, None, 11) else { panic!("asks on") };
        assert_eq!((asked.number, asked.step), (2, 1));
        assert_eq!(
            progress.answers,
            [Answered { question: check.questions()[0].id.clone(), answer: CheckAnswer::Yes }]
        );
        let back = check.press_now(&progress, Move::Back);
        let Ok(Applied::Ask { progress, asked }) = check.apply(&progress, back, None, 12) else { panic!("goes back") };
        assert_eq!((asked.number, asked.step), (1, 0));
        assert!(progress.answers.is_empty());
        assert_eq!(progress.updated_at, 12);
        // Back on the first question, and a press of a question already answered, change nothing.
        assert_eq!(check.apply(&progress, back, None, 13).err(), Some(Refusal::AlreadyAnswered));
        let back = check.press_now(&progress, Move::Back);
        assert_eq!(check.apply(&progress, back, None, 13).err(), Some(Refusal::AlreadyFirst));
        let stop = check.press_now(&progress, Move::Stop);
        assert!(matches!(check.apply(&progress, stop, None, 13), Ok(Applied::Stopped)));
    }

    #[test]
    fn typed_words_stand_for_the_buttons() {
        let engine = engine();
        let check = engine.check();
        assert_eq!(check.typed_move(" Yes! "), Some(Move::Answer(CheckAnswer::Yes)));
        assert_eq!(check.typed_move("not sure."), Some(Move::Answer(CheckAnswer::Unsure)));
        assert_eq!(check.typed_move("NO"), Some(Move::Answer(CheckAnswer::No)));
        assert_eq!(check.typed_move("back"), Some(Move::Back));
        assert_eq!(check.typed_move("stop"), Some(Move::Stop));
        assert_eq!(check.typed_move("are they dangerous?"), None);
    }

    #[test]
    fn presses_of_another_check_or_person_are_refused() {
        let engine = engine();
        let check = engine.check();
        let (progress, _) = check.start(Some(7), 10_000, 10);
        let press = check.press_now(&progress, Move::Answer(CheckAnswer::No));
        assert_eq!(check.apply(&progress, press, Some(8), 11).err(), Some(Refusal::NotYours));
        assert_eq!(check.apply(&progress, press, None, 11).err(), Some(Refusal::NotYours));
        let older = Press { run: 9, ..press };
        assert_eq!(check.apply(&progress, older, Some(7), 11).err(), Some(Refusal::AlreadyAnswered));
        assert!(check.apply(&progress, press, Some(7), 11).is_ok());
    }

    #[test]
    fn all_no_is_clear_and_quotes_the_safety_passages_with_the_disclaimer_last() {
        let engine = engine();
        let summary = run(engine.check(), |_| CheckAnswer::No);
        assert_eq!(summary.outcome, Outcome::Clear);
        let text = shown(&summary);
        assert!(text.starts_with(&engine.check().texts().clear), "{text}");
        assert!(text.contains("this condition is benign"), "{text}");
        assert!(text.contains("(FastlyHeal)") && text.contains("(Kenyan News)"), "{text}");
        assert!(text.ends_with(engine.disclaimer()), "{text}");
    }

    #[test]
    fn a_yes_names_what_was_said_and_quotes_when_to_see_a_doctor_never_benign() {
        let engine = engine();
        let summary = run(engine.check(), |id| if id == "medicine" { CheckAnswer::Yes } else { CheckAnswer::No });
        assert_eq!((summary.outcome, summary.yes.as_slice()), (Outcome::Warning, ["medicine".to_string()].as_slice()));
        let text = shown(&summary);
        assert!(text.starts_with("You said the jerks came with a new or changed medicine."), "{text}");
        assert!(text.contains("drug reactions. When they offer some kind of risk"), "{text}");
        assert!(!text.contains("benign"), "{text}");
        assert!(text.ends_with(engine.disclaimer()));
    }

    #[test]
    fn a_baby_is_never_called_benign_and_the_silence_of_the_articles_is_said() {
        let engine = engine();
        let summary = run(engine.check(), |id| if id == "child" { CheckAnswer::Yes } else { CheckAnswer::No });
        let text = shown(&summary);
        assert_eq!(summary.outcome, Outcome::Warning);
        assert!(text.contains("The articles say nothing about babies or children"), "{text}");
        assert!(!text.contains("benign") && !text.contains("not dangerous"), "{text}");
        // Not sure about a baby is no all-clear either.
        let unsure = run(engine.check(), |id| if id == "child" { CheckAnswer::Unsure } else { CheckAnswer::No });
        let text = shown(&unsure);
        assert_eq!(unsure.outcome, Outcome::Unsure);
        assert!(text.contains("you were not sure whether it is about a baby or a child"), "{text}");
        assert!(!text.contains("benign") && !text.contains(&engine.check().texts().clear), "{text}");
    }

    #[test]
    fn not_sure_is_listed_to_ask_a_doctor_about_and_passages_are_quoted_once() {
        let engine = engine();
        let answer = |id: &str| match id {
            "intense" | "medicine" => CheckAnswer::Yes,
            "fear" | "harm" => CheckAnswer::Unsure,
            _ => CheckAnswer::No,
        };
        let summary = run(engine.check(), answer);
        let text = shown(&summary);
        assert!(
            text.contains("You said the jerks are very intense or keep repeating and the jerks came with"),
            "{text}"
        );
        assert!(text.contains("You were not sure whether a jerk has injured"), "{text}");
        assert!(text.contains("whether fear of the jerks keeps you from sleeping: ask a doctor"), "{text}");
        assert_eq!(summary.when.len(), 4, "{:?}", summary.when);
        let drug = text.matches("drug reactions. When they offer").count();
        assert_eq!(drug, 1, "a passage shared by two questions is quoted once: {text}");
        assert!(!text.contains("benign"), "{text}");
    }

    #[test]
    fn answers_to_unknown_questions_are_ignored_and_progress_serializes_to_ids() {
        let engine = engine();
        let check = engine.check();
        let progress = CheckProgress {
            id: 5_000,
            owner: Some(7),
            answers: vec![
                Answered { question: "gone".into(), answer: CheckAnswer::Yes },
                Answered { question: check.questions()[0].id.clone(), answer: CheckAnswer::No },
            ],
            updated_at: 6,
            lang: None,
        };
        let asked = check.current(&progress).expect("a question waits");
        assert_eq!((asked.number, asked.step), (2, 1));
        let json = serde_json::to_string(&progress).unwrap();
        assert_eq!(
            json,
            r#"{"id":5000,"owner":7,"answers":[{"question":"gone","answer":"yes"},{"question":"intense","answer":"no"}],"updated_at":6}"#
        );
        assert!(progress.is_fresh(6 + CHECK_TTL_SECS) && !progress.is_fresh(7 + CHECK_TTL_SECS));
    }
}
