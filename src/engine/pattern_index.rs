//! Many patterns of many entries (signs, kinds of person) in one regex set: one
//! pass over a text tells which entries are worth a closer look.

use regex::{RegexSet, RegexSetBuilder};

/// Room for the lazy DFA of a pattern set: with the default, a set of a hundred
/// sign patterns keeps flushing its cache and falls back to a slow engine.
const SET_DFA_BYTES: usize = 64 << 20;

/// Patterns of many entries in one set: one pass over a text tells which
/// entries have a pattern that matches.
pub(crate) struct PatternIndex {
    set: RegexSet,
    /// Per pattern of the set: the entry it belongs to.
    owners: Vec<usize>,
}

impl PatternIndex {
    /// The set of `(entry, pattern)` pairs, patterns in entry order.
    ///
    /// # Errors
    /// When the patterns, each valid alone, are too large together.
    pub fn new<'a>(patterns: impl Iterator<Item = (usize, &'a str)>) -> Result<PatternIndex, regex::Error> {
        let (owners, patterns): (Vec<usize>, Vec<&str>) = patterns.unzip();
        let set = RegexSetBuilder::new(patterns).unicode(false).dfa_size_limit(SET_DFA_BYTES).build()?;
        Ok(PatternIndex { set, owners })
    }

    /// The entries with a pattern that matches `text`, in order, each once.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut entries: Vec<usize> = self.set.matches(text).into_iter().map(|pattern| self.owners[pattern]).collect();
        entries.dedup();
        entries
    }
}
