//! The features the trained reader sees in a message: its words, its pairs of
//! words and the character n-grams of its words, each hashed to 64 bits. Words
//! are lower-cased, their accents folded and their long letter runs shortened
//! ("sooo" and "so" meet at "soo"), so misspellings, Sheng and dictated text
//! share most of their n-grams with the spellings the reader learned from.

use crate::knowledge::fold_accents;

/// How a message is cut into features; part of the model, so the reader
/// extracts at reply time exactly what it was trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureSpec {
    /// Pairs of neighbouring words are features too.
    pub word_pairs: bool,
    /// The shortest character n-gram of a word (with `<` and `>` around it).
    pub char_min: usize,
    /// The longest character n-gram.
    pub char_max: usize,
}

/// At most this many words of a message are read: a very long message keeps
/// its opening story and its question, and its cost stays bounded.
pub const MAX_WORDS: usize = 400;

/// Kinds of feature, hashed in front of the text so a word and an n-gram of
/// the same letters stay apart.
const WORD: u8 = b'w';
const PAIR: u8 = b'p';
const CHARS: u8 = b'c';

/// The words of a message as the reader sees them.
pub fn tokens(message: &str) -> Vec<String> {
    let folded = fold_accents(&message.to_lowercase());
    let mut tokens = Vec::new();
    for raw in folded.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()) {
        if tokens.len() == MAX_WORDS {
            break;
        }
        let mut token = String::with_capacity(raw.len());
        let mut run = (None, 0);
        for c in raw.chars() {
            run = if run.0 == Some(c) { (run.0, run.1 + 1) } else { (Some(c), 1) };
            if run.1 <= 2 {
                token.push(c);
            }
        }
        tokens.push(token);
    }
    tokens
}

/// The distinct hashed features of a message, sorted.
pub fn features(message: &str, spec: &FeatureSpec) -> Vec<u64> {
    let tokens = tokens(message);
    let mut hashes = Vec::with_capacity(tokens.len() * 12);
    for (i, token) in tokens.iter().enumerate() {
        hashes.push(hash(WORD, &[token.as_bytes()]));
        if spec.word_pairs
            && let Some(next) = tokens.get(i + 1)
        {
            hashes.push(hash(PAIR, &[token.as_bytes(), b" ", next.as_bytes()]));
        }
        let chars: Vec<char> = std::iter::once('<').chain(token.chars()).chain(std::iter::once('>')).collect();
        let mut buffer = String::new();
        for n in spec.char_min..=spec.char_max {
            for window in chars.windows(n) {
                // The whole word with its marks is already a word feature.
                if window.len() == chars.len() {
                    continue;
                }
                buffer.clear();
                buffer.extend(window);
                hashes.push(hash(CHARS, &[buffer.as_bytes()]));
            }
        }
    }
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// FNV-1a over the kind and the parts: stable across platforms and releases,
/// unlike the standard library's hasher.
fn hash(kind: u8, parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = (OFFSET ^ u64::from(kind)).wrapping_mul(PRIME);
    for part in parts {
        for &byte in *part {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
    hash
}

/// FNV-1a of some bytes, for fingerprints of the corpus.
pub fn fingerprint(bytes: &[u8], seed: u64) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(seed, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: FeatureSpec = FeatureSpec { word_pairs: true, char_min: 3, char_max: 5 };

    #[test]
    fn spellings_meet() {
        assert_eq!(tokens("Está SOOOO raro!!"), ["esta", "soo", "raro"]);
        assert_eq!(features("sooo bad", &SPEC), features("SOO  bad", &SPEC));
    }

    #[test]
    fn word_order_matters_through_pairs() {
        assert_ne!(features("not dangerous", &SPEC), features("dangerous not", &SPEC));
        let unordered = FeatureSpec { word_pairs: false, ..SPEC };
        assert_eq!(features("not dangerous", &unordered), features("dangerous not", &unordered));
    }

    #[test]
    fn empty_and_huge_messages_are_bounded() {
        assert!(features("", &SPEC).is_empty());
        assert!(features("?!  ...", &SPEC).is_empty());
        let huge = "word ".repeat(100_000);
        assert_eq!(tokens(&huge).len(), MAX_WORDS);
    }
}
