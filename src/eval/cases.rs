//! Question files: the `[[case]]` format of `tests/eval/*.toml` and of the shared
//! acceptance set, loaded with errors that name the file and line.

use std::borrow::Cow;
use std::fs;
use std::path::Path;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::Engine;
use crate::error::{Error, Result};
use crate::knowledge::SourceFile;
use crate::topic::Topic;

/// One question with what the engine must do with it.
#[derive(Debug, Clone)]
pub struct Case {
    /// The question, exactly as typed.
    pub question: String,
    /// The topics that count as right (usually one).
    pub expected: Vec<Topic>,
    /// Patterns that must all match the reply (case-insensitive).
    pub must: Vec<Regex>,
    /// Patterns that must not match the reply (case-insensitive).
    pub must_not: Vec<Regex>,
    /// The kind of message (`narrative`, `redflag`, `foreign`, ...), if given.
    pub category: Option<String>,
    /// Why this topic, or what a good reply does; for people reading the file.
    pub note: Option<String>,
    /// `followup` for a message that makes sense only after an earlier answer.
    pub context: Option<String>,
    /// What a careful reply must do, when the case says: this decides which
    /// replies count as harmful.
    pub urgency: Option<Urgency>,
    /// The language it is written in (`en`, `sw`, `es`, ...), when the case says.
    pub lang: Option<String>,
    /// `file:line` of the case, for reports.
    pub origin: String,
}

/// What a careful human reply to a message must do (`urgency` of a case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Ordinary sleep jerks, or harmless small talk: reassurance is fine.
    Routine,
    /// A doctor, never reassurance.
    Doctor,
    /// Call emergency services now.
    Emergency,
    /// A person and a crisis line now.
    Crisis,
}

impl Urgency {
    /// Whether the reply must be urgent (an emergency or a crisis).
    pub fn is_urgent(self) -> bool {
        matches!(self, Urgency::Emergency | Urgency::Crisis)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<toml::Spanned<CaseEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseEntry {
    q: String,
    topic: toml::Spanned<OneOrMany>,
    #[serde(default)]
    must: Vec<toml::Spanned<String>>,
    #[serde(default)]
    must_not: Vec<toml::Spanned<String>>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    urgency: Option<Urgency>,
    #[serde(default)]
    lang: Option<String>,
    /// The corpus of situations (`knowledge/corpus/`) adds its cell of the
    /// matrix and a second reader's label; `what` serves as the category.
    #[serde(default)]
    what: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted, not scored")]
    id: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted, not scored")]
    who: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted, not scored")]
    asks: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted, not scored")]
    style: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted, not scored")]
    second: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Case {
    /// The expected topics that `engine` does not know, by id: a case that
    /// names one can never pass, so `hypnic eval` refuses to run it.
    pub fn unknown_topics(&self, engine: &Engine) -> Vec<&'static str> {
        self.expected.iter().filter(|topic| engine.topic_by_id(topic.id()).is_none()).map(|topic| topic.id()).collect()
    }
}

/// Reads the cases of one question file.
///
/// # Errors
/// [`Error::Unreadable`] if the file cannot be read; [`Error::Malformed`] for bad
/// TOML, an unknown topic or a pattern that does not compile.
pub fn load_cases(path: &Path) -> Result<Vec<Case>> {
    parse_cases(&path.display().to_string(), read(path)?)
}

/// The text of an eval file.
fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|source| Error::Unreadable { path: path.to_path_buf(), source })
}

/// Parses the cases of a question file's text; `name` is used in errors.
///
/// # Errors
/// As [`load_cases`], without the reading.
pub fn parse_cases(name: &str, text: String) -> Result<Vec<Case>> {
    let file = SourceFile { path: name.to_string(), text: Cow::Owned(text), trusted: false };
    let parsed: CaseFile = file.parse()?;
    let mut cases = Vec::with_capacity(parsed.case.len());
    for spanned in parsed.case {
        let line = file.line_at(spanned.span().start);
        let entry = spanned.into_inner();
        cases.push(Case {
            question: entry.q,
            expected: expected_topics(&file, entry.topic)?,
            must: compile(&file, entry.must)?,
            must_not: compile(&file, entry.must_not)?,
            category: entry.category.or(entry.what),
            note: entry.note,
            context: entry.context,
            urgency: entry.urgency,
            lang: entry.lang,
            origin: format!("{}:{line}", file.path),
        });
    }
    Ok(cases)
}

/// A conversation of a conversation file: turns typed by one person, each
/// read with what the turns before left.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// What the conversation tests.
    pub note: Option<String>,
    /// The turns, in order; each turn's `category` is its kind (`opening`,
    /// `followup`, `change`, `warning`, `emergency`).
    pub turns: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationFile {
    #[serde(default)]
    conversation: Vec<toml::Spanned<ConversationEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationEntry {
    #[serde(default)]
    note: Option<String>,
    turn: Vec<toml::Spanned<TurnEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TurnEntry {
    q: String,
    topic: toml::Spanned<OneOrMany>,
    kind: String,
    #[serde(default)]
    must: Vec<toml::Spanned<String>>,
    #[serde(default)]
    must_not: Vec<toml::Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    urgency: Option<Urgency>,
}

/// The kinds a turn may have.
pub const TURN_KINDS: [&str; 5] = ["opening", "followup", "change", "warning", "emergency"];

/// Whether a question file holds conversations (`[[conversation]]`) rather
/// than single cases.
pub fn holds_conversations(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|table| table.contains_key("conversation"))
}

/// Reads the conversations of one conversation file.
///
/// # Errors
/// [`Error::Unreadable`] if the file cannot be read; [`Error::Malformed`] for bad
/// TOML, a conversation without turns, an unknown kind, a malformed topic id
/// or a pattern that does not compile.
pub fn load_conversations(path: &Path) -> Result<Vec<Conversation>> {
    parse_conversations(&path.display().to_string(), read(path)?)
}

/// Parses the conversations of a conversation file's text; `name` is used in errors.
///
/// # Errors
/// As [`load_conversations`], without the reading.
pub fn parse_conversations(name: &str, text: String) -> Result<Vec<Conversation>> {
    let file = SourceFile { path: name.to_string(), text: Cow::Owned(text), trusted: false };
    let parsed: ConversationFile = file.parse()?;
    let mut conversations = Vec::with_capacity(parsed.conversation.len());
    for spanned in parsed.conversation {
        let start = spanned.span().start;
        let entry = spanned.into_inner();
        if entry.turn.is_empty() {
            return Err(file.malformed_at(start, "a conversation needs at least one `[[conversation.turn]]`"));
        }
        let mut turns = Vec::with_capacity(entry.turn.len());
        for spanned in entry.turn {
            let start = spanned.span().start;
            let line = file.line_at(start);
            let turn = spanned.into_inner();
            if !TURN_KINDS.contains(&turn.kind.as_str()) {
                return Err(file.malformed_at(
                    start,
                    format!("unknown kind `{}`; the kinds are {}", turn.kind, TURN_KINDS.join(", ")),
                ));
            }
            turns.push(Case {
                question: turn.q,
                expected: expected_topics(&file, turn.topic)?,
                must: compile(&file, turn.must)?,
                must_not: compile(&file, turn.must_not)?,
                category: Some(turn.kind),
                note: turn.note,
                context: None,
                urgency: turn.urgency,
                lang: None,
                origin: format!("{}:{line}", file.path),
            });
        }
        conversations.push(Conversation { note: entry.note, turns });
    }
    Ok(conversations)
}

/// The topic ids of a case, checked for form (the engine checks they exist).
fn expected_topics(file: &SourceFile, topic: toml::Spanned<OneOrMany>) -> Result<Vec<Topic>> {
    let topic = file.locate(topic);
    let ids = match &topic.value {
        OneOrMany::One(id) => vec![id.clone()],
        OneOrMany::Many(ids) => ids.clone(),
    };
    let mut expected = Vec::new();
    for id in ids {
        expected.push(Topic::curated(&id).map_err(|reason| topic.error(reason))?);
    }
    if expected.is_empty() {
        return Err(topic.error("`topic` needs at least one topic"));
    }
    Ok(expected)
}

fn compile(file: &SourceFile, patterns: Vec<toml::Spanned<String>>) -> Result<Vec<Regex>> {
    patterns
        .into_iter()
        .map(|pattern| {
            let located = file.locate(pattern);
            RegexBuilder::new(&located.value)
                .case_insensitive(true)
                .build()
                .map_err(|err| located.error(format!("bad pattern: {err}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_or_many_topics_and_patterns() {
        let text = r#"
[[case]]
q = "are they dangerous"
topic = "safety"
must = ["benign"]

[[case]]
q = "should I worry"
topic = ["safety", "seek_care"]
must_not = ["call"]
category = "narrative"
note = "a story"
context = "followup"
"#;
        let cases = parse_cases("t.toml", text.to_string()).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[1].expected, vec![Topic::curated("safety").unwrap(), Topic::curated("seek_care").unwrap()]);
        assert!(cases[0].must[0].is_match("BENIGN"));
        assert_eq!(cases[0].origin, "t.toml:2");
        assert_eq!(cases[1].category.as_deref(), Some("narrative"));
        assert_eq!(cases[1].context.as_deref(), Some("followup"));
        assert_eq!(cases[0].category, None);
    }

    #[test]
    fn a_malformed_topic_names_its_line_and_an_unknown_one_is_found_against_the_engine() {
        let text = "[[case]]\nq = \"x\"\ntopic = \"Weather Report\"\n";
        let err = parse_cases("t.toml", text.to_string()).unwrap_err().to_string();
        assert!(err.starts_with("t.toml:3:"), "{err}");
        assert!(err.contains("topic id `Weather Report` must be"), "{err}");
        let text = "[[case]]\nq = \"x\"\ntopic = [\"weather\", \"safety\", \"emergency\"]\n";
        let cases = parse_cases("t.toml", text.to_string()).unwrap();
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        assert_eq!(cases[0].unknown_topics(&engine), ["weather"]);
    }
}
