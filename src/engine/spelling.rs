//! Spelling correction towards the words hypnic knows ("spasams" -> "spasms",
//! "dangerus" -> "dangerous", "hypnik" -> "hypnic").
//!
//! A symmetric-delete index (the idea behind SymSpell): every known word is
//! stored under the strings made by deleting up to two of its characters, so a
//! misspelt word finds its candidates with a few hash lookups instead of a
//! comparison with every word. Candidates are then checked with the real edit
//! distance (adjacent transpositions count as one edit).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Words shorter than this are never corrected: too many short words are one
/// edit apart ("cold" and "cola").
pub const MIN_CORRECTED_CHARS: usize = 5;

/// Words at least this long may be two edits from their correction.
const TWO_EDITS_FROM_CHARS: usize = 7;

/// How much a correction target is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trust {
    /// A curated word that is a phrase on its own ("myoclonus"): up to two edits away.
    Curated,
    /// A curated word found only inside longer phrases ("myoclonia" in "hypnic
    /// myoclonia"): up to two edits away, but a standalone word wins a tie.
    CuratedPart,
    /// A word of the articles: one edit away.
    Article,
}

/// The correction index. Its deletion index, the costly part, is built when a
/// word first needs correcting: many messages, and a process that answers
/// one, need none.
#[derive(Debug, Default)]
pub struct Speller {
    words: Vec<(String, Trust)>,
    /// Per word: how many characters its deletions leave out (fixed when it
    /// is first added).
    depths: Vec<usize>,
    known: HashMap<String, u32>,
    /// Word ids by the hash of each string made by deleting characters from the
    /// word. Hashes, not strings, keep building cheap; a collision only adds a
    /// candidate, which the edit distance then rejects.
    by_deletion: OnceLock<HashMap<u64, Vec<u32>>>,
}

impl Speller {
    /// Adds a correction target. A word added twice keeps its best trust. Words too
    /// short to be reached from a correctable word are ignored.
    pub fn add(&mut self, word: &str, trust: Trust) {
        if word.chars().count() + 1 < MIN_CORRECTED_CHARS {
            return;
        }
        if let Some(&id) = self.known.get(word) {
            let entry = &mut self.words[id as usize];
            entry.1 = entry.1.min(trust);
            return;
        }
        let id = self.words.len() as u32;
        self.known.insert(word.to_string(), id);
        self.words.push((word.to_string(), trust));
        self.depths.push(if trust == Trust::Article { 1 } else { 2 });
        self.by_deletion = OnceLock::new();
    }

    /// The deletion index, built on first use.
    fn by_deletion(&self) -> &HashMap<u64, Vec<u32>> {
        self.by_deletion.get_or_init(|| {
            let mut by_deletion: HashMap<u64, Vec<u32>> = HashMap::new();
            let mut hashes = Vec::new();
            for (id, ((word, _), &depth)) in (0u32..).zip(self.words.iter().zip(&self.depths)) {
                hashes.clear();
                deletion_hashes(word, depth, &mut hashes);
                for &hash in &hashes {
                    by_deletion.entry(hash).or_default().push(id);
                }
            }
            by_deletion
        })
    }

    /// Whether `word` is a correction target itself.
    pub fn knows(&self, word: &str) -> bool {
        self.known.contains_key(word)
    }

    /// The closest known word to `word`, if one is close enough.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let length = word.chars().count();
        if length < MIN_CORRECTED_CHARS || self.knows(word) || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let max_edits = if length >= TWO_EDITS_FROM_CHARS { 2 } else { 1 };
        let mut hashes = Vec::new();
        deletion_hashes(word, max_edits, &mut hashes);
        let mut best: Option<(usize, Trust, usize, &str)> = None;
        let mut seen = HashSet::new();
        for hash in hashes {
            let Some(ids) = self.by_deletion().get(&hash) else { continue };
            for &id in ids {
                if !seen.insert(id) {
                    continue;
                }
                let (candidate, trust) = &self.words[id as usize];
                let allowed = if *trust == Trust::Article { 1 } else { max_edits };
                let distance = edit_distance(word, candidate);
                if distance > allowed {
                    continue;
                }
                let rank = (distance, *trust, candidate.len().abs_diff(word.len()), candidate.as_str());
                if best.is_none_or(|current| rank < current) {
                    best = Some(rank);
                }
            }
        }
        best.map(|(_, _, _, candidate)| candidate)
    }
}

/// Pushes onto `out` the hash of `word` and of every string made from it by
/// deleting up to `depth` characters, without duplicates.
fn deletion_hashes(word: &str, depth: usize, out: &mut Vec<u64>) {
    let chars: Vec<char> = word.chars().collect();
    let mut skipped = Vec::with_capacity(depth);
    collect_deletions(&chars, 0, depth, &mut skipped, out);
    out.sort_unstable();
    out.dedup();
}

fn collect_deletions(chars: &[char], from: usize, depth: usize, skipped: &mut Vec<usize>, out: &mut Vec<u64>) {
    out.push(hash_without(chars, skipped));
    if depth == 0 || chars.len() <= skipped.len() + 1 {
        return;
    }
    for skip in from..chars.len() {
        skipped.push(skip);
        collect_deletions(chars, skip + 1, depth - 1, skipped, out);
        skipped.pop();
    }
}

/// FNV-1a over the characters of `chars`, leaving out the positions in `skipped`.
fn hash_without(chars: &[char], skipped: &[usize]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, c) in chars.iter().enumerate() {
        if skipped.contains(&i) {
            continue;
        }
        hash ^= u64::from(u32::from(*c));
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Edit distance where an insertion, deletion, substitution or swap of two
/// adjacent characters each cost one (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        table[i * width] = i;
    }
    for (j, cell) in table.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = best;
        }
    }
    table[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller() -> Speller {
        let mut speller = Speller::default();
        for word in ["spasms", "dangerous", "hypnic", "caffeine", "seizures", "myoclonus"] {
            speller.add(word, Trust::Curated);
        }
        speller.add("population", Trust::Article);
        speller.add("myoclonia", Trust::CuratedPart);
        speller
    }

    #[test]
    fn corrects_the_usual_typos() {
        let speller = speller();
        assert_eq!(speller.correct("spasams"), Some("spasms"));
        assert_eq!(speller.correct("dangerus"), Some("dangerous"));
        assert_eq!(speller.correct("hypnik"), Some("hypnic"));
        assert_eq!(speller.correct("caffiene"), Some("caffeine"), "a swap is one edit");
        assert_eq!(speller.correct("seasures"), Some("seizures"), "two edits in a long word");
        assert_eq!(speller.correct("populatoin"), Some("population"));
        assert_eq!(speller.correct("myoclonis"), Some("myoclonus"), "a standalone word wins a tie");
    }

    #[test]
    fn leaves_short_known_and_distant_words_alone() {
        let speller = speller();
        assert_eq!(speller.correct("cafe"), None, "too short to correct");
        assert_eq!(speller.correct("hypnic"), None, "already known");
        assert_eq!(speller.correct("bread"), None);
        assert_eq!(speller.correct("popolatoin"), None, "articles words allow one edit only");
    }

    #[test]
    fn a_word_added_after_a_correction_is_found_too() {
        let mut speller = speller();
        assert_eq!(speller.correct("melatonni"), None);
        speller.add("melatonin", Trust::Curated);
        assert_eq!(speller.correct("melatonni"), Some("melatonin"));
    }

    #[test]
    fn edit_distance_counts_swaps_once() {
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
