//! The curated answer topics (`topics.toml`): label, lead, backing passages,
//! related topics, cue words, the part each plays in planning a reply, and an
//! optional Telegram shortcut command. The order of the entries in the file
//! breaks exact ties between topics: the earlier wins.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::source::{Located, SourceFile};
use crate::error::Result;
use crate::topic::{MAX_TOPIC_ID_CHARS, Topic};

/// Everything curated about one answerable topic.
#[derive(Debug, Clone)]
pub struct TopicSpec {
    /// Which topic this is.
    pub topic: Topic,
    /// A short name for buttons and offers.
    pub label: String,
    /// How a person would ask for this topic.
    pub question: String,
    /// The one or two sentences that open the answer.
    pub lead: String,
    /// Fragments of the cleaned articles that back the lead.
    pub backing: Vec<Located<String>>,
    /// Topics offered next.
    pub related: Vec<Topic>,
    /// Whether the question must name sleep spasms or refer back to them for this
    /// topic to answer it: "is high pressure dangerous?" must not hear "benign".
    pub needs_subject: bool,
    /// Words and phrases that point to this topic, with their weights.
    pub cues: Vec<(String, f32)>,
    /// Questions of another topic that this one answers when they open with
    /// certain words: "**when** are they dangerous?" asks for the warning signs.
    pub takes_over: Option<TakeOver>,
    /// The part this topic plays in planning replies, if any.
    pub role: Option<TopicRole>,
    /// Whether its cues ask what makes spasms happen or worse, so that a factor
    /// asked with them ("does coffee cause them?") is the thing asked about.
    pub about_factors: bool,
    /// Whether its lead reassures ("benign", "very common"): never said beside a
    /// warning sign or to a person the articles never call benign.
    pub reassuring: bool,
    /// Whether its lead offers something to try before a doctor ("cutting
    /// back is the natural place to start"): never said beside a warning sign,
    /// where it would hand a reluctant person a reason not to go.
    pub defers_care: bool,
    /// Whether a factor told in the story earns a line in this topic's reply
    /// ("You mention coffee."): not in a definition.
    pub story_factors: bool,
    /// Whether it is offered under replies that are not topic answers.
    pub starter: bool,
    /// A Telegram shortcut command for this topic.
    pub command: Option<Shortcut>,
}

/// The part a topic plays in planning; each role belongs to exactly one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicRole {
    /// Opens every reply to a warning sign or to a person the articles never
    /// call benign, and backs it: when to see a doctor.
    Warning,
    /// Answers a factor asked about when nothing else is asked ("and coffee?").
    Factors,
    /// Answers an in-scope question that matches no cue.
    Fallback,
    /// What the articles say about treatment: follows the medicine plan.
    Treatment,
}

impl TopicRole {
    const ALL: [TopicRole; 4] = [TopicRole::Warning, TopicRole::Factors, TopicRole::Fallback, TopicRole::Treatment];

    fn id(self) -> &'static str {
        match self {
            TopicRole::Warning => "warning",
            TopicRole::Factors => "factors",
            TopicRole::Fallback => "fallback",
            TopicRole::Treatment => "treatment",
        }
    }
}

/// A command that answers a topic directly (`/doctor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcut {
    /// The command without its slash: `a-z`, `0-9` and `_`.
    pub name: String,
    /// What `/help` and Telegram's command menu say of it.
    pub description: String,
}

/// Questions one topic takes from others by how they open.
#[derive(Debug, Clone)]
pub struct TakeOver {
    /// The topics whose cues it takes.
    pub from: Vec<Topic>,
    /// The openings, as written ("when", "at what point").
    pub opened_by: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TakeOverFile {
    from: Vec<toml::Spanned<String>>,
    opened_by: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicFile {
    label: String,
    question: String,
    lead: String,
    backing: Vec<toml::Spanned<String>>,
    related: Vec<toml::Spanned<String>>,
    #[serde(default)]
    needs_subject: bool,
    cues: BTreeMap<String, f32>,
    #[serde(default)]
    takes_over: Option<TakeOverFile>,
    #[serde(default)]
    role: Option<TopicRole>,
    #[serde(default)]
    about_factors: bool,
    #[serde(default)]
    reassuring: bool,
    #[serde(default)]
    defers_care: bool,
    #[serde(default = "yes")]
    story_factors: bool,
    #[serde(default)]
    starter: bool,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    command_help: Option<String>,
}

fn yes() -> bool {
    true
}

/// The largest cue weight a curator may give.
const MAX_CUE_WEIGHT: f32 = 10.0;

/// The longest command description Telegram accepts.
const MAX_COMMAND_HELP_CHARS: usize = 256;

impl TopicSpec {
    /// Parses `topics.toml` into one spec per entry, in the order of the file.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a badly formed or fixed topic id,
    /// an unknown related topic, an empty lead or backing list, a bad cue
    /// weight, a role given twice or not at all, or a bad shortcut command.
    pub(crate) fn parse_all(file: &SourceFile) -> Result<Vec<TopicSpec>> {
        let parsed: BTreeMap<String, toml::Spanned<TopicFile>> = file.parse()?;
        let mut entries: Vec<(String, toml::Spanned<TopicFile>)> = parsed.into_iter().collect();
        entries.sort_by_key(|(_, entry)| entry.span().start);
        let header = |id: &str| format!("[{id}]");
        let mut topics = Vec::with_capacity(entries.len());
        for (id, _) in &entries {
            let topic = Topic::curated(id).map_err(|reason| file.malformed_near(&header(id), reason))?;
            if topic.is_fixed() {
                return Err(file.malformed_near(
                    &header(id),
                    format!("`{id}` is a fixed outcome of the engine, not a topic to curate"),
                ));
            }
            topics.push(topic);
        }
        if topics.is_empty() {
            return Err(file.malformed_at(0, "no topics: at least one is needed"));
        }
        let mut specs = Vec::with_capacity(entries.len());
        for ((_, entry), &topic) in entries.into_iter().zip(&topics) {
            specs.push(TopicSpec::from_file(file, topic, entry.into_inner(), &topics)?);
        }
        check_roles(file, &specs)?;
        check_commands(file, &specs)?;
        Ok(specs)
    }

    fn from_file(file: &SourceFile, topic: Topic, entry: TopicFile, known: &[Topic]) -> Result<TopicSpec> {
        let header = format!("[{}]", topic.id());
        for (name, text) in [("label", &entry.label), ("question", &entry.question), ("lead", &entry.lead)] {
            if text.trim().is_empty() {
                return Err(file.malformed_near(&header, format!("`{name}` of `{}` is empty", topic.id())));
            }
        }
        if entry.backing.is_empty() {
            return Err(file.malformed_near(&header, format!("`{}` needs at least one backing passage", topic.id())));
        }
        let related = other_topics(file, topic, known, entry.related)?;
        let takes_over = match entry.takes_over {
            Some(take) => {
                if take.opened_by.iter().any(|opening| opening.trim().is_empty()) {
                    return Err(file.malformed_near("opened_by", "`opened_by` contains an empty opening"));
                }
                Some(TakeOver { from: other_topics(file, topic, known, take.from)?, opened_by: take.opened_by })
            }
            None => None,
        };
        let mut cues = Vec::new();
        for (phrase, weight) in entry.cues {
            if !(weight > 0.0 && weight <= MAX_CUE_WEIGHT) || phrase.trim().is_empty() {
                return Err(file.malformed_near(
                    &format!("\"{phrase}\""),
                    format!("cue `{phrase}` needs a weight above 0 and at most {MAX_CUE_WEIGHT}"),
                ));
            }
            cues.push((phrase, weight));
        }
        let command = match (entry.command, entry.command_help) {
            (None, None) => None,
            (Some(name), Some(description)) => Some(Shortcut { name, description }),
            _ => {
                return Err(file.malformed_near(
                    &header,
                    format!("`{}` needs both `command` and `command_help`, or neither", topic.id()),
                ));
            }
        };
        Ok(TopicSpec {
            topic,
            label: entry.label,
            question: entry.question,
            lead: entry.lead,
            backing: entry.backing.into_iter().map(|b| file.locate(b)).collect(),
            related,
            needs_subject: entry.needs_subject,
            cues,
            takes_over,
            role: entry.role,
            about_factors: entry.about_factors,
            reassuring: entry.reassuring,
            defers_care: entry.defers_care,
            story_factors: entry.story_factors,
            starter: entry.starter,
            command,
        })
    }
}

/// Every role belongs to exactly one topic.
fn check_roles(file: &SourceFile, specs: &[TopicSpec]) -> Result<()> {
    for role in TopicRole::ALL {
        let holders: Vec<&str> = specs.iter().filter(|spec| spec.role == Some(role)).map(|s| s.topic.id()).collect();
        match holders.as_slice() {
            [_] => {}
            [] => {
                return Err(file.malformed_at(0, format!("no topic has `role = \"{}\"`; one must", role.id())));
            }
            [_, second, ..] => {
                return Err(file.malformed_near(
                    &format!("[{second}]"),
                    format!("`role = \"{}\"` is given to {}; one topic only", role.id(), holders.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

/// Shortcut commands are well formed, distinct and described within Telegram's limits.
fn check_commands(file: &SourceFile, specs: &[TopicSpec]) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for spec in specs {
        let Some(command) = &spec.command else { continue };
        let header = format!("[{}]", spec.topic.id());
        let well_formed = !command.name.is_empty()
            && command.name.len() <= MAX_TOPIC_ID_CHARS
            && command.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(file.malformed_near(
                &header,
                format!("command `{}` must be 1 to {MAX_TOPIC_ID_CHARS} characters of a-z, 0-9 and _", command.name),
            ));
        }
        let help_chars = command.description.trim().chars().count();
        if help_chars == 0 || help_chars > MAX_COMMAND_HELP_CHARS {
            return Err(file.malformed_near(
                &header,
                format!("`command_help` of `{}` needs 1 to {MAX_COMMAND_HELP_CHARS} characters", spec.topic.id()),
            ));
        }
        if seen.contains(&command.name.as_str()) {
            return Err(file.malformed_near(&header, format!("command `{}` is given twice", command.name)));
        }
        seen.push(&command.name);
    }
    Ok(())
}

/// Parses a list of topic ids that must name curated topics other than `topic`.
fn other_topics(
    file: &SourceFile,
    topic: Topic,
    known: &[Topic],
    ids: Vec<toml::Spanned<String>>,
) -> Result<Vec<Topic>> {
    ids.into_iter()
        .map(|id| {
            let located = file.locate(id);
            known.iter().copied().find(|t| t.id() == located.value && *t != topic).ok_or_else(|| {
                let ids: Vec<&str> = known.iter().map(|t| t.id()).collect();
                located.error(format!("`{}` is not another topic; the topics are {}", located.value, ids.join(", ")))
            })
        })
        .collect()
}
