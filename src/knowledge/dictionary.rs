//! The dictionary of real English words (`dictionary.txt`). The speller never
//! "corrects" a word found here into another one.

use std::borrow::Cow;

use super::source::SourceFile;
use crate::error::Result;

/// A sorted word list, searched in place: no copy of the words is made, so
/// loading costs one pass over the text.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    text: Cow<'static, str>,
    /// Byte ranges of the words in `text`, in sorted order.
    words: Vec<(u32, u32)>,
}

impl Dictionary {
    /// Reads a dictionary: one word per line, sorted byte-wise; lines starting
    /// with `#` and blank lines are skipped.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] when the words are not sorted, with the line of
    /// the first word out of order.
    pub(crate) fn parse(file: &SourceFile) -> Result<Dictionary> {
        let text = file.text.clone();
        let mut words: Vec<(u32, u32)> = Vec::new();
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let word = line.trim_end();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            let range = (start as u32, (start + word.len()) as u32);
            if let Some(&(previous_start, previous_end)) = words.last()
                && text[previous_start as usize..previous_end as usize] >= *word
            {
                return Err(file.malformed_at(start, format!("`{word}` is out of order; keep the words sorted")));
            }
            words.push(range);
        }
        Ok(Dictionary { text, words })
    }

    /// Whether `word` (lower case) is a real English word.
    pub fn contains(&self, word: &str) -> bool {
        self.words.binary_search_by(|&(start, end)| self.text[start as usize..end as usize].cmp(word)).is_ok()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the dictionary has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &'static str) -> SourceFile {
        SourceFile { path: "dictionary.txt".into(), text: Cow::Borrowed(text), trusted: false }
    }

    #[test]
    fn finds_words_and_skips_comments() {
        let dictionary = Dictionary::parse(&file("# header\nbread\nsnoring\nzebra\n")).unwrap();
        assert_eq!(dictionary.len(), 3);
        assert!(dictionary.contains("snoring"));
        assert!(!dictionary.contains("smoking"));
        assert!(!dictionary.contains("# header"));
    }

    #[test]
    fn unsorted_words_name_their_line() {
        let err = Dictionary::parse(&file("# header\nzebra\nbread\n")).unwrap_err().to_string();
        assert!(err.starts_with("dictionary.txt:3:"), "{err}");
    }
}
