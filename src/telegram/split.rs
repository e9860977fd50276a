//! A [`Layout`] as Telegram HTML messages of at most [`MAX_MESSAGE_UNITS`].
//!
//! The layout is cut as plain text and each part is escaped afterwards, its
//! styled runs wrapped in tags of their own: a cut can never fall inside a tag
//! or an entity, and every part is balanced HTML by construction.
//!
//! **What is counted.** Telegram limits a message to 4096 UTF-16 code units of
//! its text *after* parsing the HTML. We count the UTF-16 units of the *HTML*
//! instead: tags and entities only ever add to it (`&amp;` is five units of
//! HTML for one of text), so a part that passes our check always passes
//! Telegram's, at the price of the headroom taken by markup. UTF-16 rather than
//! `char`s because an emoji outside the BMP is one `char` but two units.
//!
//! **Where it cuts.** At a paragraph break if one fits, else a line break, else
//! after a sentence, else between words, else between two characters; always
//! on a `char` boundary, with the whitespace at the cut dropped.

use teloxide::utils::html::escape;

use crate::render::{Layout, Span, Style};

/// Telegram's limit on the length of one message, in UTF-16 code units.
pub const MAX_MESSAGE_UNITS: usize = 4096;

/// The length Telegram's limit is checked against here: UTF-16 units of the HTML.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Cuts `layout` into HTML messages of at most `limit` units: the body is cut
/// as needed, and the tail (the disclaimer) ends the last message, whole, or is
/// a message of its own if it no longer fits there.
pub fn split_message(layout: &Layout, limit: usize) -> Vec<String> {
    let tail = [Span::plain(layout.tail.as_str())];
    let mut parts = split(&layout.body, limit);
    match (parts.last_mut(), html(trimmed(&tail))) {
        (_, None) => {}
        (Some(last), Some(tail)) if utf16_len(last) + 2 + utf16_len(&tail) <= limit => {
            last.push_str("\n\n");
            last.push_str(&tail);
        }
        _ => parts.extend(split(&tail, limit)),
    }
    parts
}

/// `spans` cut into parts of at most `limit` units of HTML.
fn split(spans: &[Span], limit: usize) -> Vec<String> {
    // Nearly every reply fits in one message: then there is nothing to cut.
    match html(trimmed(spans)) {
        Some(whole) if utf16_len(&whole) <= limit => vec![whole],
        Some(_) => Text::new(spans).split(limit),
        None => Vec::new(),
    }
}

/// The runs of `spans` without the whitespace around them all.
fn trimmed(spans: &[Span]) -> Vec<(Style, &str)> {
    let blank = |span: &Span| span.text.trim().is_empty();
    let (Some(first), Some(last)) = (spans.iter().position(|s| !blank(s)), spans.iter().rposition(|s| !blank(s)))
    else {
        return Vec::new();
    };
    let mut runs: Vec<(Style, &str)> = spans[first..=last].iter().map(|s| (s.style, s.text.as_str())).collect();
    runs[0].1 = runs[0].1.trim_start();
    let end = runs.len() - 1;
    runs[end].1 = runs[end].1.trim_end();
    runs
}

/// Runs of text as HTML: escaped, styled runs in their tags; `None` if empty.
fn html<T: AsRef<str>>(runs: impl IntoIterator<Item = (Style, T)>) -> Option<String> {
    let mut html = String::new();
    for (style, text) in runs.into_iter().filter(|(_, text)| !text.as_ref().is_empty()) {
        let (open, close) = tags(style);
        html.push_str(open);
        html.push_str(&escape(text.as_ref()));
        html.push_str(close);
    }
    (!html.is_empty()).then_some(html)
}

/// Break priorities: a higher one is preferred wherever it falls in the part.
const CHARACTER: u8 = 0;
const WORD: u8 = 1;
const SENTENCE: u8 = 2;
const LINE: u8 = 3;
const PARAGRAPH: u8 = 4;

/// A layout's runs as characters, each with its run and its length in HTML.
struct Text<'a> {
    spans: &'a [Span],
    chars: Vec<Char>,
}

#[derive(Debug, Clone, Copy)]
struct Char {
    c: char,
    span: usize,
    /// UTF-16 units of the character once escaped.
    units: usize,
}

impl<'a> Text<'a> {
    fn new(spans: &'a [Span]) -> Text<'a> {
        let chars = spans
            .iter()
            .enumerate()
            .flat_map(|(span, run)| run.text.chars().map(move |c| Char { c, span, units: escaped_units(c) }))
            .collect();
        Text { spans, chars }
    }

    /// The text cut into parts of at most `limit` units of HTML.
    fn split(&self, limit: usize) -> Vec<String> {
        let mut parts = Vec::new();
        let mut start = self.skip_space(0);
        while start < self.chars.len() {
            let end = self.cut(start, limit);
            parts.extend(self.html(start, end));
            start = self.skip_space(end);
        }
        parts
    }

    /// The end (exclusive) of the part that starts at `start`: the best break
    /// within `limit`, or one character if not even that fits.
    fn cut(&self, start: usize, limit: usize) -> usize {
        let mut used = 0;
        let mut run = None;
        let mut best: Option<(u8, usize)> = None;
        for index in start..self.chars.len() {
            let Char { span, units, .. } = self.chars[index];
            if run != Some(span) {
                // The tags of a styled run count once, wherever it is cut.
                run = Some(span);
                used += tag_units(self.spans[span].style);
            }
            used += units;
            if used > limit {
                break;
            }
            let end = index + 1;
            if end == self.chars.len() {
                return end;
            }
            let rank = self.priority(end);
            if best.is_none_or(|(best_rank, _)| rank >= best_rank) {
                best = Some((rank, end));
            }
        }
        best.map_or(start + 1, |(_, end)| end)
    }

    /// How good a cut before `chars[index]` is.
    fn priority(&self, index: usize) -> u8 {
        let before = self.chars[index - 1].c;
        match before {
            '\n' if index >= 2 && self.chars[index - 2].c == '\n' => PARAGRAPH,
            '\n' => LINE,
            c if c.is_whitespace() && self.ends_sentence(index - 1) => SENTENCE,
            c if c.is_whitespace() => WORD,
            _ => CHARACTER,
        }
    }

    /// Whether the text before `index` ends a sentence: `.`, `!`, `?` or `…`,
    /// maybe followed by closing quotes or brackets.
    fn ends_sentence(&self, index: usize) -> bool {
        let mut before = self.chars[..index].iter().rev().map(|c| c.c);
        let last = before.find(|c| !matches!(c, '”' | '"' | '\'' | '’' | ')' | ']' | '»'));
        matches!(last, Some('.' | '!' | '?' | '…'))
    }

    fn skip_space(&self, mut index: usize) -> usize {
        while self.chars.get(index).is_some_and(|c| c.c.is_whitespace()) {
            index += 1;
        }
        index
    }

    /// Characters `start..end` as HTML, without the whitespace around them;
    /// `None` if that leaves nothing.
    fn html(&self, start: usize, end: usize) -> Option<String> {
        let chars = &self.chars[start..end];
        let first = chars.iter().position(|c| !c.c.is_whitespace())?;
        let last = chars.iter().rposition(|c| !c.c.is_whitespace())?;
        let runs = chars[first..=last].chunk_by(|a, b| a.span == b.span);
        html(runs.map(|run| (self.spans[run[0].span].style, run.iter().map(|c| c.c).collect::<String>())))
    }
}

/// The tags around a run of `style`.
fn tags(style: Style) -> (&'static str, &'static str) {
    match style {
        Style::Plain => ("", ""),
        Style::Bold => ("<b>", "</b>"),
        Style::Italic => ("<i>", "</i>"),
    }
}

fn tag_units(style: Style) -> usize {
    let (open, close) = tags(style);
    open.len() + close.len()
}

/// The UTF-16 length of `c` escaped: teloxide's `escape` rewrites `&`, `<` and `>`.
fn escaped_units(c: char) -> usize {
    match c {
        '&' => "&amp;".len(),
        '<' => "&lt;".len(),
        '>' => "&gt;".len(),
        c => c.len_utf16(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The parts of one paragraph of `spans`, with no tail.
    fn split(spans: Vec<Span>, limit: usize) -> Vec<String> {
        let mut layout = Layout::default();
        layout.paragraph(spans);
        let parts = split_message(&layout, limit);
        for part in &parts {
            assert!(utf16_len(part) <= limit, "part of {} units > {limit}: {part:?}", utf16_len(part));
            assert_well_formed(part);
        }
        parts
    }

    fn plain(text: &str, limit: usize) -> Vec<String> {
        split(vec![Span::plain(text)], limit)
    }

    /// Checks that `part` is balanced and has no bare `<` or `&`.
    fn assert_well_formed(part: &str) {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = part;
        while let Some(at) = rest.find(['<', '&']) {
            let from = &rest[at..];
            let end = from.find(['>', ';']).unwrap_or_else(|| panic!("a cut tag or entity in {part:?}"));
            let token = &from[..=end];
            match token {
                "&amp;" | "&lt;" | "&gt;" | "&quot;" => {}
                "<b>" | "<i>" => open.push(&token[1..end]),
                "</b>" | "</i>" => assert_eq!(open.pop(), Some(&token[2..end]), "unbalanced part {part:?}"),
                other => panic!("unexpected {other:?} in {part:?}"),
            }
            rest = &from[end + 1..];
        }
        assert!(open.is_empty(), "unclosed tags in {part:?}");
    }

    /// The text of some HTML without tags and whitespace, entities decoded.
    fn content(html: &str) -> String {
        let text = html.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "");
        let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn a_short_message_is_left_alone() {
        assert_eq!(
            split(vec![Span::plain("Hello "), Span::italic("there"), Span::plain(".")], 100),
            vec!["Hello <i>there</i>."]
        );
        assert!(plain("  \n ", 100).is_empty());
    }

    #[test]
    fn paragraphs_win_over_sentences_and_sentences_over_words() {
        assert_eq!(
            plain("First one. Still first.\n\nSecond para here.", 30),
            vec!["First one. Still first.", "Second para here."]
        );
        assert_eq!(
            plain("One sentence here. Another sentence there.", 30),
            vec!["One sentence here.", "Another sentence there."]
        );
        assert_eq!(plain("words without any stop at all", 16), vec!["words without", "any stop at all"]);
    }

    #[test]
    fn tags_are_closed_and_reopened_across_a_cut() {
        assert_eq!(
            split(vec![Span::bold("bold words that go on and on")], 20),
            vec!["<b>bold words</b>", "<b>that go on</b>", "<b>and on</b>"]
        );
        let parts = split(vec![Span::italic("a link that is long"), Span::plain(" after")], 25);
        assert_eq!(parts, vec!["<i>a link that is</i>", "<i>long</i> after"]);
    }

    #[test]
    fn entities_are_never_cut() {
        for limit in 5..12 {
            for part in plain("a&b&c&d<e", limit) {
                assert!(!part.ends_with('&'));
            }
        }
    }

    #[test]
    fn multi_byte_text_is_cut_on_char_boundaries_and_counted_in_utf16() {
        // 😴 is one char, four bytes and two UTF-16 units.
        let parts = plain(&"😴".repeat(50), 9);
        assert!(parts.iter().all(|p| utf16_len(p) <= 9 && p.chars().count() <= 4));
        let cyrillic = "Миоклонические подёргивания во сне безопасны. Обратитесь к врачу.".repeat(20);
        let parts = plain(&cyrillic, 100);
        assert!(parts.len() > 1);
        assert!(parts[0].ends_with('.'), "cut after a sentence: {:?}", parts[0]);
        let mixed = "Sleep 😴 well & don't worry 🙂. ".repeat(300);
        assert!(plain(&mixed, MAX_MESSAGE_UNITS).len() >= 2);
    }

    #[test]
    fn the_tail_ends_the_last_part_whole() {
        let mut layout = Layout::with_tail("The disclaimer & more.");
        layout.paragraph([Span::plain("Long sentence here. ".repeat(400))]);
        let parts = split_message(&layout, MAX_MESSAGE_UNITS);
        assert!(parts.len() >= 2);
        assert!(parts.last().is_some_and(|p| p.ends_with("\n\nThe disclaimer &amp; more.")));
        assert!(parts.iter().all(|p| utf16_len(p) <= MAX_MESSAGE_UNITS));
        assert_eq!(parts.iter().filter(|p| p.contains("disclaimer")).count(), 1);
        // When the last part is full, the tail gets a part of its own.
        let mut full = Layout::with_tail("Tail.");
        full.paragraph([Span::plain("x".repeat(MAX_MESSAGE_UNITS))]);
        assert_eq!(split_message(&full, MAX_MESSAGE_UNITS), vec!["x".repeat(MAX_MESSAGE_UNITS), "Tail.".into()]);
        assert_eq!(split_message(&Layout::with_tail("Tail."), MAX_MESSAGE_UNITS), vec!["Tail.".to_string()]);
    }

    #[test]
    fn escaped_lengths_are_those_of_telegrams_escape() {
        for c in ['a', '&', '<', '>', '"', 'é', '😴'] {
            assert_eq!(escaped_units(c), utf16_len(&escape(&c.to_string())), "{c:?}");
        }
    }

    /// Random runs: text with emoji, Cyrillic, `&` and `<`, some of it styled.
    fn spans_strategy() -> impl Strategy<Value = Vec<Span>> {
        let text = proptest::string::string_regex("[a-zA-Zжщ😴🙂&<>. !?\n]{0,60}").expect("valid regex");
        let span = (text, 0..4usize).prop_map(|(text, style)| match style {
            0 => Span::bold(text),
            1 => Span::italic(text),
            _ => Span::plain(text),
        });
        proptest::collection::vec(span, 0..40)
    }

    proptest! {
        #[test]
        fn every_part_fits_is_balanced_and_nothing_is_lost(spans in spans_strategy(), limit in 64usize..400) {
            let expected: String = spans.iter().flat_map(|span| span.text.chars()).filter(|c| !c.is_whitespace()).collect();
            let parts = split(spans, limit);
            prop_assert_eq!(parts.iter().map(|p| content(p)).collect::<String>(), expected);
        }

        #[test]
        fn the_tail_is_always_whole_in_the_last_part(spans in spans_strategy(), limit in 120usize..400) {
            let mut layout = Layout::with_tail("I am not a doctor & this is not advice.");
            layout.paragraph(spans);
            let parts = split_message(&layout, limit);
            prop_assert!(parts.last().is_some_and(|p| p.ends_with("I am not a doctor &amp; this is not advice.")));
            prop_assert!(parts.iter().all(|p| utf16_len(p) <= limit));
        }
    }
}
