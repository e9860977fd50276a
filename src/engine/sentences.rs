//! Cutting a message into sentences, and finding the sentence around a match.

/// Separates sentences in a reading's normalized text, as the sign patterns expect.
pub(crate) const SENTENCE_BREAK: &str = " | ";

/// The sentences of a sanitized message, each with its closing punctuation.
pub(crate) fn split_sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_emoji(c) {
            // An emoji often ends a thought: "i'm so done 😭 is there a pill".
            if !text[start..at].trim().is_empty() {
                sentences.push(text[start..at].trim());
            }
            start = at + c.len_utf8();
            continue;
        }
        if matches!(c, '.' | '!' | '?' | ';' | '…') {
            // Keep runs like "?!" and "..." with their sentence; "2.5" is one number.
            let next = chars.peek().map(|&(_, next)| next);
            if c == '.' && next.is_some_and(|next| next.is_ascii_digit()) {
                continue;
            }
            if next.is_some_and(|next| matches!(next, '.' | '!' | '?' | '…')) {
                continue;
            }
            let end = at + c.len_utf8();
            if !text[start..end].trim().is_empty() {
                sentences.push(text[start..end].trim());
            }
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        sentences.push(text[start..].trim());
    }
    sentences
}

/// Pictographs and emoji (not letters, digits or punctuation).
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}')
}

/// The sentence of `text` (split by [`SENTENCE_BREAK`]) that holds byte `at`.
pub(crate) fn sentence_around(text: &str, at: usize) -> &str {
    &text[sentence_span(text, at)]
}

/// The byte range of the sentence of `text` that holds byte `at`.
pub(crate) fn sentence_span(text: &str, at: usize) -> std::ops::Range<usize> {
    let start = text[..at].rfind(SENTENCE_BREAK).map_or(0, |i| i + SENTENCE_BREAK.len());
    let end = text[at..].find(SENTENCE_BREAK).map_or(text.len(), |i| at + i);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_keep_their_punctuation_and_numbers() {
        assert_eq!(
            split_sentences("I'm 24. Coffee 2.5 times a day!! Is it the coffee??"),
            vec!["I'm 24.", "Coffee 2.5 times a day!!", "Is it the coffee??"]
        );
        assert_eq!(split_sentences("no punctuation at all"), vec!["no punctuation at all"]);
        assert_eq!(split_sentences("so done 😭 is there a pill"), vec!["so done", "is there a pill"]);
    }

    #[test]
    fn the_sentence_around_a_match_stops_at_breaks() {
        let text = "i jerk | sometimes i cant breathe | help";
        let at = text.find("cant").unwrap();
        assert_eq!(sentence_around(text, at), "sometimes i cant breathe");
    }
}
