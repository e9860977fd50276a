//! The curated answer topics (`topics.toml`): label, lead, backing passages,
//! related topics and cue words.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::source::{Located, SourceFile};
use crate::error::Result;
use crate::topic::Topic;

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
}

/// The largest cue weight a curator may give.
const MAX_CUE_WEIGHT: f32 = 10.0;

impl TopicSpec {
    /// Parses `topics.toml` into one spec per [`Topic::ANSWERABLE`], in that order.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, an unknown or missing topic, an
    /// unknown related topic, an empty lead or backing list, or a bad cue weight.
    pub(crate) fn parse_all(file: &SourceFile) -> Result<Vec<TopicSpec>> {
        let mut parsed: BTreeMap<String, TopicFile> = file.parse()?;
        for id in parsed.keys() {
            if !Topic::from_id(id).is_some_and(Topic::is_answerable) {
                return Err(file.malformed_near(
                    &format!("[{id}"),
                    format!("unknown topic `{id}`; the topics are {}", answerable_ids()),
                ));
            }
        }
        let mut specs = Vec::new();
        for topic in Topic::ANSWERABLE {
            let entry = parsed
                .remove(topic.id())
                .ok_or_else(|| file.malformed_at(0, format!("topic `{}` is missing", topic.id())))?;
            specs.push(TopicSpec::from_file(file, topic, entry)?);
        }
        Ok(specs)
    }

    fn from_file(file: &SourceFile, topic: Topic, entry: TopicFile) -> Result<TopicSpec> {
        let header = format!("[{}]", topic.id());
        for (name, text) in [("label", &entry.label), ("question", &entry.question), ("lead", &entry.lead)] {
            if text.trim().is_empty() {
                return Err(file.malformed_near(&header, format!("`{name}` of `{}` is empty", topic.id())));
            }
        }
        if entry.backing.is_empty() {
            return Err(file.malformed_near(&header, format!("`{}` needs at least one backing passage", topic.id())));
        }
        let related = other_topics(file, topic, entry.related)?;
        let takes_over = match entry.takes_over {
            Some(take) => {
                if take.opened_by.iter().any(|opening| opening.trim().is_empty()) {
                    return Err(file.malformed_near("opened_by", "`opened_by` contains an empty opening"));
                }
                Some(TakeOver { from: other_topics(file, topic, take.from)?, opened_by: take.opened_by })
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
        })
    }
}

/// Parses a list of topic ids that must name answerable topics other than `topic`.
fn other_topics(file: &SourceFile, topic: Topic, ids: Vec<toml::Spanned<String>>) -> Result<Vec<Topic>> {
    ids.into_iter()
        .map(|id| {
            let located = file.locate(id);
            Topic::from_id(&located.value)
                .filter(|t| t.is_answerable() && *t != topic)
                .ok_or_else(|| located.error(format!("`{}` is not another topic", located.value)))
        })
        .collect()
}

fn answerable_ids() -> String {
    Topic::ANSWERABLE.iter().map(|t| t.id()).collect::<Vec<_>>().join(", ")
}
