//! Languages other than English (`languages.toml`): the words that tell them
//! apart, the urgent reply with local emergency numbers, and the line saying
//! the bot answers in English for now.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::source::SourceFile;
use crate::error::Result;

/// One language other than English.
#[derive(Debug, Clone)]
pub struct Language {
    /// The code its signs use (`es`).
    pub id: String,
    /// Its name, for explanations.
    pub name: String,
    /// Common words of the language, without accents.
    pub markers: HashSet<String>,
    /// The urgent reply, in the language.
    pub emergency: String,
    /// Where the emergency numbers of [`Language::emergency`] were checked.
    pub numbers_source: String,
    /// The reply to someone in crisis, in the language; `{lines}` is
    /// replaced by the crisis lines of `helplines.toml` listed for it.
    pub crisis: String,
    /// The reply to any other message in the language.
    pub english_only: String,
    /// Words of the language and the English they stand for, accents removed:
    /// a question in the language is read through them, and answered in English.
    pub glossary: HashMap<String, String>,
    /// Said, in the language, before an answer given in English.
    pub answered_in_english: String,
    /// Words that, right before a sign of the language, say it is not told
    /// ("no vomité", "pas vomi"), accents removed.
    pub negators: HashSet<String>,
    /// Chat spellings of the language and the words they stand for ("q" ->
    /// "que", "cjui" -> "sijui"), accents removed: the language's signs are
    /// read in the message with them written out.
    pub shorthand: HashMap<String, String>,
}

impl Language {
    /// `raw` (words separated by single spaces, accents removed) with the
    /// language's chat spellings written out.
    pub fn written_out(&self, raw: &str) -> String {
        if self.shorthand.is_empty() {
            return raw.to_string();
        }
        let words: Vec<&str> =
            raw.split(' ').map(|word| self.shorthand.get(word).map_or(word, String::as_str)).collect();
        words.join(" ")
    }
}

/// Every language of `languages.toml`.
#[derive(Debug, Clone)]
pub struct Languages {
    /// A message needs at least this many markers of a language to be in it.
    pub min_markers: usize,
    /// A message mixing languages ("mi hijo se mueve mucho, is that normal for
    /// kids") with at least this many English function words, and at least half
    /// as many as the other language's markers, is read in English.
    pub mixed_english: usize,
    /// English function words: as many of these as markers keeps a message English.
    pub english: HashSet<String>,
    /// The languages, in file order.
    pub list: Vec<Language>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguagesFile {
    min_markers: usize,
    mixed_english: usize,
    english: Vec<String>,
    language: Vec<LanguageEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageEntry {
    id: String,
    name: String,
    markers: Vec<String>,
    emergency: String,
    numbers_source: String,
    crisis: String,
    english_only: String,
    #[serde(default)]
    glossary: HashMap<String, String>,
    #[serde(default)]
    answered_in_english: Option<String>,
    #[serde(default)]
    negators: Vec<String>,
    #[serde(default)]
    shorthand: HashMap<String, String>,
}

impl Languages {
    /// Parses `languages.toml`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] for bad TOML, `min_markers` of 0 or a language
    /// without markers.
    pub(crate) fn parse(file: &SourceFile) -> Result<Languages> {
        let parsed: LanguagesFile = file.parse()?;
        if parsed.min_markers == 0 {
            return Err(file.malformed_near("min_markers", "`min_markers` must be at least 1"));
        }
        let mut list = Vec::with_capacity(parsed.language.len());
        for entry in parsed.language {
            if entry.markers.is_empty() {
                return Err(file.malformed_near(&entry.id, format!("language `{}` needs markers", entry.id)));
            }
            if !entry.glossary.is_empty() && entry.answered_in_english.is_none() {
                return Err(file.malformed_near(
                    &entry.id,
                    format!("language `{}` has a glossary but no `answered_in_english`", entry.id),
                ));
            }
            list.push(Language {
                glossary: entry
                    .glossary
                    .into_iter()
                    .map(|(word, english)| (fold_accents(&word.to_lowercase()), english.to_lowercase()))
                    .collect(),
                answered_in_english: entry.answered_in_english.unwrap_or_default(),
                markers: entry.markers.iter().map(|word| fold_accents(&word.to_lowercase())).collect(),
                id: entry.id,
                name: entry.name,
                emergency: entry.emergency,
                numbers_source: entry.numbers_source,
                crisis: entry.crisis,
                english_only: entry.english_only,
                negators: entry.negators.iter().map(|word| fold_accents(&word.to_lowercase())).collect(),
                shorthand: entry
                    .shorthand
                    .into_iter()
                    .map(|(typed, written)| {
                        (fold_accents(&typed.to_lowercase()), fold_accents(&written.to_lowercase()))
                    })
                    .collect(),
            });
        }
        let english = parsed.english.iter().map(|word| word.to_lowercase()).collect();
        Ok(Languages { min_markers: parsed.min_markers, mixed_english: parsed.mixed_english, english, list })
    }
}

/// The text with the accents of Latin letters removed ("está" -> "esta",
/// "ç" -> "c", "ı" -> "i", "ß" -> "ss"), so patterns and markers need one spelling.
pub fn fold_accents(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'í' | 'ì' | 'î' | 'ï' | 'ı' => folded.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => folded.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => folded.push('u'),
            'ç' => folded.push('c'),
            'ñ' => folded.push('n'),
            'ş' => folded.push('s'),
            'ğ' => folded.push('g'),
            'ß' => folded.push_str("ss"),
            other => folded.push(other),
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_fold_to_plain_letters() {
        assert_eq!(fold_accents("está convulsionando, não acorda, ça"), "esta convulsionando, nao acorda, ca");
    }
}
