//! Who a message may be about (`people.toml`): babies, children, pregnancy, old
//! age, each with the caveat the reply opens with.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::patterns::{Pattern, compile_patterns};
use super::source::SourceFile;
use crate::error::Result;

/// A kind of person the articles say little or nothing about.
#[derive(Debug, Clone)]
pub struct Person {
    /// Short name, for explanations.
    pub id: String,
    /// The person is named when one of these matches...
    pub patterns: Vec<Pattern>,
    /// ... unless one of these matches the sentence of the match ("since I
    /// was a teen" is the writer's past, not a teenager).
    pub unless: Vec<Pattern>,
    /// Said before the answer.
    pub caveat: String,
    /// When to see a doctor, said about this person, in place of the seek-care lead.
    pub doctor: Option<String>,
    /// Never call the spasms benign for this person: lead with seeing a doctor.
    pub no_benign: bool,
    /// Whether an emergency sign about this person may be a passing
    /// sensation; never for a baby.
    pub sensations: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeopleFile {
    person: Vec<PersonEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonEntry {
    id: String,
    patterns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    unless: Vec<toml::Spanned<String>>,
    caveat: String,
    #[serde(default)]
    doctor: Option<String>,
    #[serde(default)]
    no_benign: bool,
    #[serde(default = "yes")]
    sensations: bool,
}

fn yes() -> bool {
    true
}

impl Person {
    /// Parses `people.toml`, kinds in file order.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a kind without patterns or a
    /// pattern that does not compile.
    pub(crate) fn parse_all(file: &SourceFile) -> Result<Vec<Person>> {
        let parsed: PeopleFile = file.parse()?;
        let no_words = BTreeMap::new();
        parsed
            .person
            .into_iter()
            .map(|entry| {
                if entry.patterns.is_empty() {
                    return Err(file.malformed_near(&entry.id, format!("`{}` needs at least one pattern", entry.id)));
                }
                Ok(Person {
                    patterns: compile_patterns(file, entry.patterns, &no_words)?,
                    unless: compile_patterns(file, entry.unless, &no_words)?,
                    id: entry.id,
                    caveat: entry.caveat,
                    doctor: entry.doctor,
                    no_benign: entry.no_benign,
                    sensations: entry.sensations,
                })
            })
            .collect()
    }
}
