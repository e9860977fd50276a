//! How an [`Answer`] is laid out, once for every adapter: the notice, the lead,
//! the quotes (one per line, each naming its publisher), the offer of a second
//! topic, and the disclaimer last. A [`Layout`] is plain text in runs of a
//! [`Style`]; the terminal prints the text as it is (what `hypnic ask --json`
//! reports as `reply`), and Telegram escapes it and turns the styles into tags.

use crate::answer::{Answer, Quote};

/// How a run of text is shown where the medium can show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// As it is.
    Plain,
    /// In bold (headings, article titles).
    Bold,
    /// In italics (notices, publishers).
    Italic,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// How it is shown.
    pub style: Style,
    /// The text, unescaped.
    pub text: String,
}

impl Span {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Span {
        Span { style: Style::Plain, text: text.into() }
    }

    /// Text in bold.
    pub fn bold(text: impl Into<String>) -> Span {
        Span { style: Style::Bold, text: text.into() }
    }

    /// Text in italics.
    pub fn italic(text: impl Into<String>) -> Span {
        Span { style: Style::Italic, text: text.into() }
    }
}

/// A reply laid out: the body, paragraphs apart by blank lines, and the closing
/// text (the disclaimer), kept apart so that an adapter that cuts the body into
/// messages can keep it whole at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The body's runs of text, the paragraph breaks included.
    pub body: Vec<Span>,
    /// Plain text that ends the reply; may be empty.
    pub tail: String,
}

impl Layout {
    /// An empty body followed by `tail`.
    pub fn with_tail(tail: impl Into<String>) -> Layout {
        Layout { body: Vec::new(), tail: tail.into() }
    }

    /// Adds a paragraph of runs, after a blank line if the body has one already.
    pub fn paragraph(&mut self, spans: impl IntoIterator<Item = Span>) -> &mut Layout {
        if !self.body.is_empty() {
            self.body.push(Span::plain("\n\n"));
        }
        self.body.extend(spans);
        self
    }

    /// Adds a paragraph of lines, each a list of runs.
    pub fn lines(&mut self, lines: impl IntoIterator<Item = Vec<Span>>) -> &mut Layout {
        let mut spans = Vec::new();
        for line in lines {
            if !spans.is_empty() {
                spans.push(Span::plain("\n"));
            }
            spans.extend(line);
        }
        self.paragraph(spans)
    }

    /// The body and the tail as plain text, a blank line apart.
    pub fn plain_text(&self) -> String {
        let mut text: String = self.body.iter().map(|span| span.text.as_str()).collect();
        if !self.tail.is_empty() {
            if !self.body.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&self.tail);
        }
        text
    }
}

/// The layout of an answer: notice (italics), lead, the quotes one per line as
/// “passage” (publisher in italics), after a line saying they are in English
/// when the reply is not, the offer of a second topic, then the
/// disclaimer as the tail.
pub fn layout(answer: &Answer) -> Layout {
    let mut layout = Layout::with_tail(answer.disclaimer.as_ref());
    if let Some(notice) = &answer.notice {
        layout.paragraph([Span::italic(notice.as_str())]);
    }
    layout.paragraph([Span::plain(answer.lead.as_ref())]);
    if !answer.quotes.is_empty() {
        if let Some(intro) = &answer.quotes_intro {
            layout.paragraph([Span::italic(intro.as_ref())]);
        }
        layout.lines(answer.quotes.iter().map(quote_line));
    }
    if let Some(offer) = &answer.also {
        layout.paragraph([Span::plain(offer.text.as_str())]);
    }
    layout
}

/// One quote as a line: “passage” (publisher in italics).
pub fn quote_line(quote: &Quote) -> Vec<Span> {
    vec![Span::plain(format!("“{}” (", quote.passage)), Span::italic(quote.publisher.as_ref()), Span::plain(")")]
}

/// The answer as plain text: notice, lead, quotes (each naming its publisher),
/// the offer of a second topic, and the disclaimer, separated by blank lines.
pub fn plain_text(answer: &Answer) -> String {
    layout(answer).plain_text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::Topic;

    #[test]
    fn disclaimer_is_last_and_publishers_are_named() {
        let answer = Answer {
            topic: Topic::curated("safety").unwrap(),
            confidence: 0.9,
            notice: None,
            lead: "Lead.".into(),
            quotes: vec![Quote { title: "T".into(), publisher: "P".into(), passage: "Q.".into() }],
            also: None,
            related: vec![],
            disclaimer: "D.".into(),
            language: None,
            lang: "en".into(),
            quotes_intro: None,
        };
        assert_eq!(plain_text(&answer), "Lead.\n\n“Q.” (P)\n\nD.");
    }

    #[test]
    fn quotes_share_a_paragraph_one_per_line_and_a_notice_comes_first() {
        let quote = |passage: &str| Quote { title: "T".into(), publisher: "P".into(), passage: passage.into() };
        let answer = Answer {
            topic: Topic::curated("safety").unwrap(),
            confidence: 0.9,
            notice: Some("Cut.".into()),
            lead: "Lead.".into(),
            quotes: vec![quote("A."), quote("B.")],
            also: None,
            related: vec![],
            disclaimer: "D.".into(),
            language: None,
            lang: "en".into(),
            quotes_intro: None,
        };
        assert_eq!(plain_text(&answer), "Cut.\n\nLead.\n\n“A.” (P)\n“B.” (P)\n\nD.");
    }
}
