//! Cleaning: strips site junk from the articles and cuts what is left into
//! short passages, the unit that is indexed, quoted and cited.
//!
//! Everything dropped is kept with its reason, so `hypnic index --dropped` can
//! show a curator exactly what never reaches the index.

use crate::knowledge::{Article, JunkRules};

/// A passage holds at most this many characters, unless one sentence is longer.
pub const MAX_PASSAGE_CHARS: usize = 320;

/// A heading is a line of at most this many characters.
const MAX_HEADING_CHARS: usize = 100;

/// A heading that is not a question is a title of at most this many words.
const MAX_TITLE_WORDS: usize = 8;

/// The title and publisher of one article, named beside every quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The article's title.
    pub title: String,
    /// The site that published it.
    pub publisher: String,
}

/// A short run of whole sentences from one paragraph of one article.
#[derive(Debug, Clone)]
pub struct Passage {
    /// Position in [`Corpus::passages`].
    pub id: usize,
    /// Position of its article in [`Corpus::sources`].
    pub article: usize,
    /// The section heading above it, if the article had one.
    pub heading: Option<String>,
    /// The cleaned text.
    pub text: String,
}

/// Text removed from an article, and why.
#[derive(Debug, Clone)]
pub struct DroppedText {
    /// Position of its article in [`Corpus::sources`].
    pub article: usize,
    /// The curator's reason, from `junk.toml`.
    pub reason: String,
    /// The removed text.
    pub text: String,
}

/// The cleaned articles: sources, passages and what was dropped.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// One entry per article, in knowledge order.
    pub sources: Vec<Source>,
    /// Every passage of every article, in reading order.
    pub passages: Vec<Passage>,
    /// Everything removed, in reading order.
    pub dropped: Vec<DroppedText>,
}

impl Corpus {
    /// Cleans every article with the junk rules.
    pub fn clean(articles: &[Article], rules: &JunkRules) -> Corpus {
        let mut corpus = Corpus::default();
        for (article_index, article) in articles.iter().enumerate() {
            corpus.sources.push(Source { title: article.title.clone(), publisher: article.publisher.clone() });
            corpus.clean_article(article_index, article, rules);
        }
        corpus
    }

    /// The passages of one article.
    pub fn passages_of(&self, article: usize) -> impl Iterator<Item = &Passage> {
        self.passages.iter().filter(move |p| p.article == article)
    }

    /// What was dropped from one article.
    pub fn dropped_from(&self, article: usize) -> impl Iterator<Item = &DroppedText> {
        self.dropped.iter().filter(move |d| d.article == article)
    }

    fn clean_article(&mut self, article: usize, source: &Article, rules: &JunkRules) {
        let mut heading = None;
        let mut cut_reason: Option<String> = None;
        for line in source.body.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(reason) = &cut_reason {
                self.drop_text(article, reason.clone(), line);
                continue;
            }
            if let Some(reason) = rules.cut_rest.first_match(line) {
                cut_reason = Some(reason.to_string());
                self.drop_text(article, reason.to_string(), line);
                continue;
            }
            if let Some(reason) = rules.drop_line.first_match(line) {
                self.drop_text(article, reason.to_string(), line);
                continue;
            }
            let mut text = collapse_whitespace(line);
            for brand in &rules.glued_brands {
                if brand.glued.is_match(&text) {
                    self.drop_text(article, "brand glued to a word".to_string(), &brand.name);
                    text = brand.glued.replace_all(&text, "$1").into_owned();
                }
            }
            let (is_item, text) = strip_bullet(&text);
            if !is_item && is_heading(text) {
                heading = Some(text.to_string());
                continue;
            }
            for chunk in group_sentences(&split_sentences(text), MAX_PASSAGE_CHARS) {
                let id = self.passages.len();
                self.passages.push(Passage { id, article, heading: heading.clone(), text: chunk });
            }
        }
    }

    fn drop_text(&mut self, article: usize, reason: String, text: &str) {
        self.dropped.push(DroppedText { article, reason, text: text.to_string() });
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes a list marker ("- ", "• ", "* "), saying whether there was one.
fn strip_bullet(line: &str) -> (bool, &str) {
    for marker in ["- ", "• ", "* ", "· ", "– "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return (true, rest.trim_start());
        }
    }
    (false, line)
}

/// A heading is one short question on a line of its own, or a short title
/// on a line of its own: a capital first, at most [`MAX_TITLE_WORDS`] words,
/// and no full stop, colon or other mark that ends a sentence or opens a list.
fn is_heading(line: &str) -> bool {
    let short = line.chars().count() <= MAX_HEADING_CHARS && split_sentences(line).len() == 1;
    let question = line.ends_with('?');
    let title = line.chars().next().is_some_and(char::is_uppercase)
        && line.split_whitespace().count() <= MAX_TITLE_WORDS
        && !line.ends_with(['.', '!', ':', ';', ',', '…']);
    short && (question || title)
}

/// Splits text into sentences: a boundary is `.`, `!` or `?` (with any closing
/// quotes) followed by a space and then a capital letter, a digit or an opening quote.
pub(crate) fn split_sentences(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i].1, '.' | '!' | '?') {
            let mut end = i + 1;
            while end < chars.len() && matches!(chars[end].1, '"' | '”' | '’' | '\'' | ')') {
                end += 1;
            }
            let next_is_space = end < chars.len() && chars[end].1.is_whitespace();
            let starts_sentence = chars
                .get(end + 1)
                .is_some_and(|(_, c)| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '('));
            if next_is_space && starts_sentence {
                let byte_end = chars[end].0;
                sentences.push(text[start..byte_end].trim());
                start = byte_end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        sentences.push(rest);
    }
    sentences
}

/// Joins consecutive sentences into chunks of at most `max_chars` characters.
fn group_sentences(sentences: &[&str], max_chars: usize) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    for sentence in sentences {
        let fits = current.chars().count() + 1 + sentence.chars().count() <= max_chars;
        if !current.is_empty() && !fits {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(sentence);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_capitals_only() {
        let text = "It is benign. That is, not dangerous! Is it? yes. Breathing, heart, etc. That is why.";
        assert_eq!(
            split_sentences(text),
            vec!["It is benign.", "That is, not dangerous!", "Is it? yes.", "Breathing, heart, etc.", "That is why."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(split_sentences("He said “stop.” Then left."), vec!["He said “stop.”", "Then left."]);
    }

    #[test]
    fn grouping_respects_the_limit_but_keeps_long_sentences_whole() {
        let long = "x".repeat(50);
        let chunks = group_sentences(&["a.", "b.", &long], 10);
        assert_eq!(chunks, vec!["a. b.".to_string(), long]);
    }

    #[test]
    fn bullets_and_headings_are_recognised() {
        assert_eq!(strip_bullet("• Stress: yes"), (true, "Stress: yes"));
        assert_eq!(strip_bullet("-5 degrees"), (false, "-5 degrees"));
        assert!(is_heading("Are involuntary muscle spasms dangerous?"));
        assert!(!is_heading("Have you ever? Then read on."));
        assert!(is_heading("Alcohol in the evening"));
        assert!(!is_heading("Share post:"));
        assert!(!is_heading("Go to bed and get up at roughly the same time every day, including weekends."));
    }
}
