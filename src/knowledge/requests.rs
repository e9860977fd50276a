//! Requests the bot never grants (`requests.toml`): questions about a dose,
//! doubling, sharing, stopping, buying or giving a medicine to a child, which
//! get the medicine plan; and requests to break the rules, which are not read.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::patterns::{Pattern, compile_pattern, compile_patterns};
use super::source::SourceFile;
use crate::error::Result;

/// One kind of request, compiled.
#[derive(Debug, Clone)]
pub struct Request {
    /// Short name, for explanations.
    pub id: String,
    /// The guidance it follows.
    pub source: String,
    /// The request is found when one of these matches...
    pub patterns: Vec<Pattern>,
    /// ... and each of these matches somewhere in the message.
    pub with: Vec<Pattern>,
}

/// Every request of `requests.toml`.
#[derive(Debug, Clone)]
pub struct Requests {
    /// A medicine request needs one of these words in the message.
    pub medicine_words: Pattern,
    /// Questions about a dose, doubling, sharing, stopping, buying or a child.
    pub medicine: Vec<Request>,
    /// Requests to break the rules.
    pub rules: Vec<Request>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestsFile {
    medicine_words: toml::Spanned<String>,
    medicine: Vec<RequestEntry>,
    rules: Vec<RequestEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestEntry {
    id: String,
    source: String,
    patterns: Vec<toml::Spanned<String>>,
    #[serde(default)]
    with: Vec<toml::Spanned<String>>,
}

impl Requests {
    /// Parses `requests.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, a request without patterns or
    /// a pattern that does not compile.
    pub(crate) fn parse(file: &SourceFile) -> Result<Requests> {
        let parsed: RequestsFile = file.parse()?;
        let no_words = BTreeMap::new();
        let compile_all = |entries: Vec<RequestEntry>| -> Result<Vec<Request>> {
            entries
                .into_iter()
                .map(|entry| {
                    if entry.patterns.is_empty() {
                        return Err(
                            file.malformed_near(&entry.id, format!("`{}` needs at least one pattern", entry.id))
                        );
                    }
                    Ok(Request {
                        patterns: compile_patterns(file, entry.patterns, &no_words)?,
                        with: compile_patterns(file, entry.with, &no_words)?,
                        id: entry.id,
                        source: entry.source,
                    })
                })
                .collect()
        };
        Ok(Requests {
            medicine_words: compile_pattern(file, parsed.medicine_words, &no_words)?,
            medicine: compile_all(parsed.medicine)?,
            rules: compile_all(parsed.rules)?,
        })
    }
}
