//! The factors people ask about (`factors.toml`): what the articles say about
//! each, or that they say nothing.

use serde::Deserialize;

use super::patterns::{Pattern, compile_words};
use super::source::{Located, SourceFile};
use crate::error::Result;

/// One factor ("caffeine", "alcohol"), compiled.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Short name, for explanations.
    pub id: String,
    /// How a reply names it ("poor sleep").
    pub name: String,
    /// Finds the words that name it...
    pub words: Pattern,
    /// ... except inside these phrases ("blood sugar" is no sweets).
    pub unless: Option<Pattern>,
    /// Whether the articles name it.
    pub named: bool,
    /// What the articles say about it, or that they say nothing.
    pub says: String,
    /// A fragment of the passage that backs `says`, for a named factor.
    pub backing: Option<Located<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorsFile {
    factor: Vec<FactorEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorEntry {
    id: String,
    name: String,
    words: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    named: bool,
    says: String,
    #[serde(default)]
    backing: Option<toml::Spanned<String>>,
}

impl Factor {
    /// Parses `factors.toml`, factors in file order.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, an empty word list, or a named
    /// factor without `backing`.
    pub(crate) fn parse_all(file: &SourceFile) -> Result<Vec<Factor>> {
        let parsed: FactorsFile = file.parse()?;
        parsed
            .factor
            .into_iter()
            .map(|entry| {
                if entry.named && entry.backing.is_none() {
                    return Err(file.malformed_near(
                        &format!("\"{}\"", entry.id),
                        format!("factor `{}` is named by the articles, so it needs `backing`", entry.id),
                    ));
                }
                Ok(Factor {
                    words: compile_words(file, &entry.id, &entry.words)?,
                    unless: if entry.unless.is_empty() {
                        None
                    } else {
                        Some(compile_words(file, &entry.id, &entry.unless)?)
                    },
                    backing: entry.backing.map(|backing| file.locate(backing)),
                    id: entry.id,
                    name: entry.name,
                    named: entry.named,
                    says: entry.says,
                })
            })
            .collect()
    }
}
