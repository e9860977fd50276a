//! Crisis lines (`helplines.toml`): where someone in despair can talk to a
//! person now, by country, each with the published source it was checked
//! against.

use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// One crisis line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Helpline {
    /// Where it answers.
    pub country: String,
    /// The organisation or service.
    pub name: String,
    /// The number (or text number) as people dial it.
    pub contact: String,
    /// The reply languages that list it (`en` or a `languages.toml` id).
    pub languages: Vec<String>,
    /// Where the number was checked.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HelplinesFile {
    line: Vec<Helpline>,
}

impl Helpline {
    /// Parses `helplines.toml`, lines in file order.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, or a line with an empty
    /// contact or source, or listed in no language.
    pub(crate) fn parse_all(file: &SourceFile) -> Result<Vec<Helpline>> {
        let parsed: HelplinesFile = file.parse()?;
        for line in &parsed.line {
            if line.contact.trim().is_empty() || line.source.trim().is_empty() || line.languages.is_empty() {
                return Err(file.malformed_near(
                    &line.name,
                    format!("crisis line `{}` needs a contact, a source and at least one language", line.name),
                ));
            }
        }
        Ok(parsed.line)
    }

    /// The lines listed in a reply in `language`, in file order: that
    /// language's own, or the English ones when it has none.
    pub fn for_language<'a>(lines: &'a [Helpline], language: &str) -> Vec<&'a Helpline> {
        let listed = |language: &str| -> Vec<&'a Helpline> {
            lines.iter().filter(|line| line.languages.iter().any(|l| l == language)).collect()
        };
        let own = listed(language);
        if own.is_empty() { listed("en") } else { own }
    }
}
