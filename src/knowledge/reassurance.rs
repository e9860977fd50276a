//! Earned reassurance (`reassurance.toml`): the words that make a lead or a
//! passage reassuring, the words about the body, symptoms and conditions
//! that block reassurance when nothing places them, and the sensations that
//! come with ordinary sleep jerks and place them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::patterns::{Pattern, compile_pattern, compile_patterns};
use super::source::SourceFile;
use crate::error::Result;

/// The compiled patterns of `reassurance.toml`.
#[derive(Debug, Clone)]
pub struct Reassurance {
    /// Matches a text that reassures ("benign", "not dangerous").
    pub reassuring: Pattern,
    /// Matches a passage that alarms ("dangerous", "life threatening"),
    /// read after what `reassuring` matches is taken out.
    pub alarming: Pattern,
    /// Words about the body, symptoms or conditions.
    pub symptoms: Vec<Pattern>,
    /// Sensations of ordinary sleep jerks, which place the symptom words they cover.
    pub placed: Vec<Pattern>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReassuranceFile {
    reassuring: toml::Spanned<String>,
    alarming: toml::Spanned<String>,
    symptoms: Vec<toml::Spanned<String>>,
    #[serde(default)]
    placed: Vec<toml::Spanned<String>>,
}

impl Reassurance {
    /// Parses `reassurance.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML or a pattern that does not compile.
    pub(crate) fn parse(file: &SourceFile) -> Result<Reassurance> {
        let parsed: ReassuranceFile = file.parse()?;
        let no_words = BTreeMap::new();
        Ok(Reassurance {
            reassuring: compile_pattern(file, parsed.reassuring, &no_words)?,
            alarming: compile_pattern(file, parsed.alarming, &no_words)?,
            symptoms: compile_patterns(file, parsed.symptoms, &no_words)?,
            placed: compile_patterns(file, parsed.placed, &no_words)?,
        })
    }
}
