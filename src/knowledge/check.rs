//! The warning-sign check (`check.toml`): its questions, what each maps to in
//! `signs.toml`, `people.toml` and the articles, and every text it says.
//! Loading checks what a curator can get wrong here; the passages are found in
//! the cleaned articles when the engine is built.

use serde::Deserialize;

use super::people::Person;
use super::signs::{SignKind, Signs};
use super::source::{Located, SourceFile};
use crate::error::Result;

/// The longest question id, so a chat's state stays small.
pub const MAX_QUESTION_ID_CHARS: usize = 32;

/// The most questions a check may have.
pub const MAX_QUESTIONS: usize = 20;

/// The longest question text, in characters: a question is one short message.
pub const MAX_QUESTION_CHARS: usize = 600;

/// The check as written in `check.toml`.
#[derive(Debug, Clone)]
pub struct CheckSpec {
    /// The texts around the questions.
    pub texts: CheckTexts,
    /// The labels of the buttons.
    pub buttons: ButtonLabels,
    /// The words typed for the buttons in the terminal.
    pub typed: TypedWords,
    /// Fragments of the passages quoted when every answer is No.
    pub clear_passages: Vec<Located<String>>,
    /// The questions, in the order they are asked.
    pub questions: Vec<QuestionSpec>,
}

/// The fixed texts of the check (`[texts]` of `check.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckTexts {
    /// The line `/help` shows for `/check`.
    pub command_help: String,
    /// Before the first question.
    pub intro: String,
    /// Heading of a question; `{number}` and `{total}` are filled in.
    pub question: String,
    /// Said when the check is stopped.
    pub stopped: String,
    /// Replaces the last question when the summary follows.
    pub finished: String,
    /// A press on a question already answered.
    pub already_answered: String,
    /// A press on a check that ended.
    pub ended: String,
    /// A press by someone who did not start the check.
    pub not_yours: String,
    /// Back on the first question.
    pub first_question: String,
    /// Opens the summary when every answer is No.
    pub clear: String,
    /// Closes the summary when every answer is No.
    pub clear_close: String,
    /// Names the answers Yes; `{said}` is filled in.
    pub said: String,
    /// Opens the summary with no Yes and some Not sure; `{unsure}` is filled in.
    pub unsure_only: String,
    /// Names the Not sure answers after a Yes; `{unsure}` is filled in.
    pub also_unsure: String,
    /// Before the lines saying when the articles send people to a doctor.
    pub doctor_when: String,
    /// Closes a summary with any Yes or Not sure.
    pub close: String,
    /// Joins the last two items of a list.
    pub and: String,
}

/// The labels of the five buttons under a question (`[buttons]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonLabels {
    /// Yes.
    pub yes: String,
    /// No.
    pub no: String,
    /// Not sure.
    pub unsure: String,
    /// Back to the previous question.
    pub back: String,
    /// Stop the check.
    pub stop: String,
}

/// The words typed in the terminal for each button (`[typed]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypedWords {
    /// Shown under each question.
    pub hint: String,
    /// Words for Yes.
    pub yes: Vec<String>,
    /// Words for No.
    pub no: Vec<String>,
    /// Words for Not sure.
    pub unsure: Vec<String>,
    /// Words for Back.
    pub back: Vec<String>,
    /// Words for Stop.
    pub stop: Vec<String>,
}

/// One question of the check.
#[derive(Debug, Clone)]
pub struct QuestionSpec {
    /// Short name, kept in a chat's state.
    pub id: String,
    /// The question as shown.
    pub text: String,
    /// How the summary names a Yes.
    pub said: String,
    /// How the summary names a Not sure.
    pub unsure: String,
    /// The warning signs of `signs.toml` it asks about.
    pub signs: Vec<String>,
    /// The people of `people.toml` it asks about.
    pub people: Vec<String>,
    /// What the articles say about it, or that they are silent.
    pub says: QuestionSays,
}

/// What the articles say about a question's subject.
#[derive(Debug, Clone)]
pub enum QuestionSays {
    /// They say when to see a doctor, in these passages.
    Doctor {
        /// The line after `doctor_when`.
        when: String,
        /// Fragments of the passages to quote.
        passages: Vec<Located<String>>,
    },
    /// They say nothing; this text says so.
    Silent(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    clear_passages: Vec<toml::Spanned<String>>,
    texts: CheckTexts,
    buttons: ButtonLabels,
    typed: TypedWords,
    question: Vec<QuestionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionEntry {
    id: toml::Spanned<String>,
    text: String,
    said: String,
    unsure: String,
    signs: Vec<String>,
    #[serde(default)]
    people: Vec<String>,
    #[serde(default)]
    when: Option<String>,
    #[serde(default)]
    passages: Vec<toml::Spanned<String>>,
    #[serde(default)]
    silent: Option<String>,
}

impl CheckSpec {
    /// Parses `check.toml`, checking its signs against `signs` and its people
    /// against `people`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, an empty text, a bad or
    /// repeated question id, an unknown warning sign or person, a question
    /// with both or neither of `when`/`passages` and `silent`, or no questions.
    pub(crate) fn parse(file: &SourceFile, signs: &Signs, people: &[Person]) -> Result<CheckSpec> {
        let parsed: CheckFile = file.parse()?;
        check_texts(file, &parsed.texts, &parsed.buttons)?;
        check_typed(file, &parsed.typed)?;
        if parsed.question.is_empty() || parsed.question.len() > MAX_QUESTIONS {
            return Err(file.malformed_near("[[question]]", format!("the check needs 1 to {MAX_QUESTIONS} questions")));
        }
        if parsed.clear_passages.is_empty() {
            return Err(file.malformed_near("clear_passages", "`clear_passages` needs at least one passage"));
        }
        let mut questions: Vec<QuestionSpec> = Vec::with_capacity(parsed.question.len());
        for entry in parsed.question {
            let at = entry.id.span().start;
            let id = entry.id.into_inner();
            let bad = |reason: String| file.malformed_at(at, reason);
            let well_formed = !id.is_empty()
                && id.len() <= MAX_QUESTION_ID_CHARS
                && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !well_formed {
                return Err(bad(format!(
                    "question id `{id}` must be 1 to {MAX_QUESTION_ID_CHARS} characters of a-z, 0-9 and _"
                )));
            }
            if questions.iter().any(|known| known.id == id) {
                return Err(bad(format!("question `{id}` is written twice")));
            }
            for (field, text) in [("text", &entry.text), ("said", &entry.said), ("unsure", &entry.unsure)] {
                if text.trim().is_empty() {
                    return Err(bad(format!("question `{id}` has an empty `{field}`")));
                }
            }
            if entry.text.chars().count() > MAX_QUESTION_CHARS {
                return Err(bad(format!("question `{id}` is longer than {MAX_QUESTION_CHARS} characters")));
            }
            for sign in &entry.signs {
                let known = signs.all.iter().any(|known| known.id == *sign && known.kind == SignKind::Warning);
                if !known {
                    return Err(bad(format!(
                        "question `{id}` names `{sign}`, which is not a warning sign of signs.toml"
                    )));
                }
            }
            for person in &entry.people {
                if !people.iter().any(|known| known.id == *person) {
                    return Err(bad(format!("question `{id}` names `{person}`, which is not a person of people.toml")));
                }
            }
            let says = match (entry.when, entry.passages.is_empty(), entry.silent) {
                (Some(when), false, None) if !when.trim().is_empty() => QuestionSays::Doctor {
                    when,
                    passages: entry.passages.into_iter().map(|passage| file.locate(passage)).collect(),
                },
                (None, true, Some(silent)) if !silent.trim().is_empty() => QuestionSays::Silent(silent),
                _ => {
                    return Err(bad(format!(
                        "question `{id}` needs either `when` and `passages`, or `silent` (the articles say nothing)"
                    )));
                }
            };
            questions.push(QuestionSpec {
                id,
                text: entry.text,
                said: entry.said,
                unsure: entry.unsure,
                signs: entry.signs,
                people: entry.people,
                says,
            });
        }
        Ok(CheckSpec {
            texts: parsed.texts,
            buttons: parsed.buttons,
            typed: parsed.typed,
            clear_passages: parsed.clear_passages.into_iter().map(|passage| file.locate(passage)).collect(),
            questions,
        })
    }
}

/// Each button has a word, and no word stands for two buttons.
fn check_typed(file: &SourceFile, typed: &TypedWords) -> Result<()> {
    let lists = [
        ("yes", &typed.yes),
        ("no", &typed.no),
        ("unsure", &typed.unsure),
        ("back", &typed.back),
        ("stop", &typed.stop),
    ];
    let mut seen: Vec<String> = Vec::new();
    for (name, words) in lists {
        if words.iter().all(|word| word.trim().is_empty()) {
            return Err(file.malformed_near(&format!("{name} = ["), format!("`{name}` in [typed] needs a word")));
        }
        for word in words {
            let word = word.trim().to_lowercase();
            if seen.contains(&word) {
                return Err(file.malformed_near(&format!("\"{word}\""), format!("`{word}` is typed for two buttons")));
            }
            seen.push(word);
        }
    }
    Ok(())
}

/// Every fixed text of the check must say something.
fn check_texts(file: &SourceFile, texts: &CheckTexts, buttons: &ButtonLabels) -> Result<()> {
    let named = [
        ("command_help", &texts.command_help),
        ("intro", &texts.intro),
        ("question", &texts.question),
        ("stopped", &texts.stopped),
        ("finished", &texts.finished),
        ("already_answered", &texts.already_answered),
        ("ended", &texts.ended),
        ("not_yours", &texts.not_yours),
        ("first_question", &texts.first_question),
        ("clear", &texts.clear),
        ("clear_close", &texts.clear_close),
        ("said", &texts.said),
        ("unsure_only", &texts.unsure_only),
        ("also_unsure", &texts.also_unsure),
        ("doctor_when", &texts.doctor_when),
        ("close", &texts.close),
        ("and", &texts.and),
        ("yes", &buttons.yes),
        ("no", &buttons.no),
        ("unsure", &buttons.unsure),
        ("back", &buttons.back),
        ("stop", &buttons.stop),
    ];
    for (name, text) in named {
        if text.trim().is_empty() {
            return Err(file.malformed_near(&format!("{name} ="), format!("`{name}` is empty")));
        }
    }
    let placeholders = [
        ("said", &texts.said, "{said}"),
        ("unsure_only", &texts.unsure_only, "{unsure}"),
        ("also_unsure", &texts.also_unsure, "{unsure}"),
    ];
    for (name, text, placeholder) in placeholders {
        if !text.contains(placeholder) {
            return Err(file.malformed_near(&format!("{name} ="), format!("`{name}` must contain {placeholder}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::knowledge::Knowledge;
    use crate::{Engine, Error};

    const CHECK: &str = include_str!("../../knowledge/check.toml");

    /// `check.toml` with `from` replaced by `to`, parsed against the embedded
    /// signs and people, and built into an engine.
    fn load_patched(from: &str, to: &str) -> crate::Result<Engine> {
        assert!(CHECK.contains(from), "`{from}` is not in check.toml");
        let mut knowledge = Knowledge::embedded()?;
        let file =
            SourceFile { path: "check.toml".into(), text: Cow::Owned(CHECK.replacen(from, to, 1)), trusted: false };
        knowledge.check = CheckSpec::parse(&file, &knowledge.signs, &knowledge.people)?;
        Engine::new(knowledge)
    }

    fn failure(result: crate::Result<Engine>) -> String {
        match result {
            Err(Error::Malformed { file, line, reason, .. }) => {
                assert_eq!(file, "check.toml");
                assert!(line > 1, "the line of the problem: {reason}");
                reason
            }
            Err(other) => panic!("not a malformed file: {other}"),
            Ok(_) => panic!("the broken check loaded"),
        }
    }

    #[test]
    fn the_embedded_check_loads() {
        assert!(load_patched("id = \"intense\"", "id = \"intense\"").is_ok());
    }

    #[test]
    fn a_passage_that_is_not_in_the_articles_fails_loading_with_its_line() {
        let reason = failure(load_patched("\"become very intense or repetitive\"", "\"jerks cure themselves\""));
        assert!(reason.contains("`jerks cure themselves` is not in the cleaned articles"), "{reason}");
        let reason = failure(load_patched("\"this condition is benign\"", "\"spasms\""));
        assert!(reason.contains("quote more of it"), "{reason}");
    }

    #[test]
    fn unknown_signs_people_and_repeated_or_bad_ids_fail_loading() {
        let reason = failure(load_patched("signs = [\"new_medicine\"]", "signs = [\"not_a_sign\"]"));
        assert!(reason.contains("`not_a_sign`, which is not a warning sign"), "{reason}");
        let reason = failure(load_patched("signs = [\"new_medicine\"]", "signs = [\"chest_pain\"]"));
        assert!(reason.contains("not a warning sign"), "an emergency is no warning sign: {reason}");
        let reason = failure(load_patched("people = [\"baby\", \"child\"]", "people = [\"martian\"]"));
        assert!(reason.contains("`martian`, which is not a person"), "{reason}");
        let reason = failure(load_patched("id = \"awake\"", "id = \"intense\""));
        assert!(reason.contains("written twice"), "{reason}");
        let reason = failure(load_patched("id = \"awake\"", "id = \"Awake Now\""));
        assert!(reason.contains("a-z, 0-9 and _"), "{reason}");
        let reason = failure(load_patched("silent = \"The articles", "when = \"x\"\nsilent = \"The articles"));
        assert!(reason.contains("either `when` and `passages`, or `silent`"), "{reason}");
        let reason = failure(load_patched("said = \"You said {said}.\"", "said = \"You said it.\""));
        assert!(reason.contains("must contain {said}"), "{reason}");
        let reason = failure(load_patched("back = [\"back\", \"b\"]", "back = [\"back\", \"n\"]"));
        assert!(reason.contains("typed for two buttons"), "{reason}");
    }
}
