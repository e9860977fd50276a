//! Many patterns of many entries (signs, kinds of person) in one set: one pass
//! over a text tells which entries are worth a closer look.
//!
//! The set is a lazy DFA over the patterns' forward NFA, and nothing else: it
//! only answers which patterns match somewhere, and building it costs a
//! parse and an NFA, where a `regex::RegexSet` of the same patterns also builds
//! a reverse NFA, prefilters and engines this question never uses. The NFA of
//! the embedded signs is compiled by the build script ([`set_nfa`]): a set of
//! the same patterns starts from it.

use std::panic::{RefUnwindSafe, UnwindSafe};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::pool::Pool;
use regex_automata::{Input, MatchKind, PatternSet};

use super::set_nfa;

/// Room for the lazy DFA of a pattern set: with much less, a set of a hundred
/// sign patterns keeps flushing its cache and slows down.
const SET_DFA_BYTES: usize = 64 << 20;

/// Makes a search cache for the set's DFA.
type MakeCache = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// Patterns of many entries in one set: one pass over a text tells which
/// entries have a pattern that matches.
pub(crate) struct PatternIndex {
    dfa: DFA,
    /// One cache per thread searching at once.
    caches: Pool<Cache, MakeCache>,
    /// Per pattern of the set: the entry it belongs to.
    owners: Vec<usize>,
}

impl PatternIndex {
    /// The set of `(entry, pattern)` pairs, patterns in entry order, read as
    /// the curated patterns are (ASCII classes and word boundaries). Its NFA
    /// comes from `compiled` ([`set_nfa::encode`]'s bytes) when they were
    /// compiled from the same patterns, else it is compiled now.
    ///
    /// # Errors
    /// When the patterns, each valid alone, are too large together.
    pub fn new<'a>(
        patterns: impl Iterator<Item = (usize, &'a str)>,
        compiled: Option<&[u8]>,
    ) -> Result<PatternIndex, Box<dyn std::error::Error + Send + Sync>> {
        let (owners, patterns): (Vec<usize>, Vec<&str>) = patterns.unzip();
        let nfa = match compiled.and_then(|bytes| set_nfa::decode(bytes, set_nfa::fingerprint(&patterns))) {
            Some(nfa) => nfa,
            None => set_nfa::compile(&patterns)?,
        };
        let dfa = DFA::builder()
            .configure(DFA::config().match_kind(MatchKind::All).cache_capacity(SET_DFA_BYTES))
            .build_from_nfa(nfa)?;
        let for_caches = dfa.clone();
        let caches: Pool<Cache, MakeCache> = Pool::new(Box::new(move || for_caches.create_cache()));
        Ok(PatternIndex { dfa, caches, owners })
    }

    /// The entries with a pattern that matches `text`, in order, each once.
    /// Should the search fail, every entry is a candidate: each is then read
    /// with its own patterns, so none is missed.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut matched = PatternSet::new(self.dfa.pattern_len());
        let mut cache = self.caches.get();
        let mut entries: Vec<usize> =
            match self.dfa.try_which_overlapping_matches(&mut cache, &Input::new(text), &mut matched) {
                Ok(()) => matched.iter().map(|pattern| self.owners[pattern.as_usize()]).collect(),
                Err(_) => self.owners.clone(),
            };
        entries.dedup();
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_the_entries_whose_patterns_match_each_once() {
        let patterns = [(0, r"\bfell\b"), (0, r"\bhit (his|her) head\b"), (1, r"\bnot breathing\b"), (2, r"\bblue\b")];
        let index = PatternIndex::new(patterns.into_iter(), None).unwrap();
        assert_eq!(index.candidates("she fell and hit her head, now not breathing"), vec![0, 1]);
        assert_eq!(index.candidates("a blue blanket"), vec![2]);
        assert!(index.candidates("a bluebell").is_empty(), "ASCII word boundaries");
        assert!(index.candidates("").is_empty());
    }

    #[test]
    fn overlapping_patterns_are_all_found() {
        let patterns = [(0, r"\bstopped\b"), (1, r"\bstopped breathing\b"), (2, r"breath")];
        let index = PatternIndex::new(patterns.into_iter(), None).unwrap();
        assert_eq!(index.candidates("he stopped breathing"), vec![0, 1, 2]);
    }

    #[test]
    fn a_set_starts_from_the_nfa_compiled_for_its_patterns_only() {
        let patterns = [r"\bfell\b", r"\b(he|she) (stopped|is not) breathing\b", r"\bblue( [a-z]+){0,2} lips\b"];
        let nfa = set_nfa::compile(&patterns).unwrap();
        let bytes = set_nfa::encode(&nfa, set_nfa::fingerprint(&patterns)).unwrap();
        let decoded = set_nfa::decode(&bytes, set_nfa::fingerprint(&patterns)).unwrap();
        assert_eq!(format!("{decoded:?}"), format!("{nfa:?}"), "the same NFA, state for state");
        assert!(set_nfa::decode(&bytes, set_nfa::fingerprint(&patterns[..2])).is_none(), "other patterns");
        assert!(set_nfa::decode(&bytes[..bytes.len() - 1], set_nfa::fingerprint(&patterns)).is_none(), "cut short");
        let entries = || patterns.into_iter().enumerate();
        let from_bytes = PatternIndex::new(entries(), Some(&bytes)).unwrap();
        let other = PatternIndex::new(entries().take(2), Some(&bytes)).unwrap();
        for text in ["she stopped breathing", "blue around the lips", "he fell", "a bluebell"] {
            assert_eq!(from_bytes.candidates(text), PatternIndex::new(entries(), None).unwrap().candidates(text));
        }
        assert_eq!(other.candidates("he fell, blue lips"), vec![0]);
    }

    /// The build script reads `signs.toml` on its own: it must find the
    /// patterns the engine sets, or every start compiles them again.
    #[test]
    fn the_embedded_sign_set_starts_from_the_nfa_the_build_compiled() {
        let knowledge = crate::knowledge::Knowledge::embedded().unwrap();
        let english = knowledge.signs.all.iter().filter(|sign| sign.language == "en");
        let patterns: Vec<&str> = english.flat_map(|sign| sign.patterns.iter().map(|p| p.as_str())).collect();
        let decoded = set_nfa::decode(crate::knowledge::ENGLISH_SIGN_SET, set_nfa::fingerprint(&patterns))
            .expect("build.rs compiled the embedded English sign patterns");
        assert_eq!(format!("{decoded:?}"), format!("{:?}", set_nfa::compile(&patterns).unwrap()));
    }
}
