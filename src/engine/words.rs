//! From raw message text to words: strip invisible and control characters, cap
//! the length, lower-case, and split into words with apostrophes removed
//! ("won't" -> "wont"), the form every lexicon entry and safety pattern uses.

/// Only this many characters of a message are read; the rest is ignored.
pub const MAX_QUESTION_CHARS: usize = 1_000;

/// A message cleaned of characters that carry no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    /// The text, single-spaced, at most [`MAX_QUESTION_CHARS`] characters.
    pub text: String,
    /// Whether the message was longer and was cut.
    pub truncated: bool,
}

/// Removes control, zero-width and bidirectional-override characters, collapses
/// whitespace, and keeps the first [`MAX_QUESTION_CHARS`] characters.
pub fn sanitize(input: &str) -> Sanitized {
    let mut text = String::with_capacity(input.len().min(MAX_QUESTION_CHARS * 4));
    let mut kept = 0;
    let mut truncated = false;
    let mut pending_space = false;
    for c in input.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !text.is_empty();
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if kept >= MAX_QUESTION_CHARS {
            truncated = true;
            break;
        }
        if pending_space {
            text.push(' ');
            kept += 1;
            pending_space = false;
        }
        text.push(c);
        kept += 1;
    }
    Sanitized { text, truncated }
}

/// Zero-width, bidi-control, byte-order-mark and replacement characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFFD}')
}

/// Apostrophes removed inside words.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`')
}

/// Splits text into lower-case words of letters and digits; apostrophes inside a
/// word are dropped, every other character separates words.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if is_apostrophe(c) && !current.is_empty() {
            continue;
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophes_join_and_punctuation_splits() {
        assert_eq!(words("Won't STOP—shaking, it’s 3am!"), vec!["wont", "stop", "shaking", "its", "3am"]);
        assert_eq!(words("body:x AND ("), vec!["body", "x", "and"]);
        assert!(words("🙂🙂 *** \"").is_empty());
    }

    #[test]
    fn invisible_and_control_characters_go() {
        let s = sanitize("\u{202E}are\u{200B} they\u{0007}\tdangerous?\u{FEFF}");
        assert_eq!(s.text, "are they dangerous?");
        assert!(!s.truncated);
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        let s = sanitize(&"é".repeat(MAX_QUESTION_CHARS + 10));
        assert!(s.truncated);
        assert_eq!(s.text.chars().count(), MAX_QUESTION_CHARS);
    }
}
