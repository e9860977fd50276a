//! An [`Answer`] as Telegram HTML (`parse_mode = HTML`). Every piece of text is
//! escaped with teloxide's `html::escape`; the only markup is ours: the notice in
//! italics, publishers in italics. The disclaimer is kept apart so the splitter
//! can keep it whole in the last message.

use teloxide::utils::html::{bold, escape, italic};

use crate::answer::{Answer, Quote};

/// A reply as HTML: the body, and the disclaimer that must end the last message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html {
    /// Paragraphs separated by blank lines; may be empty.
    pub body: String,
    /// The closing text (the disclaimer), already escaped; may be empty.
    pub tail: String,
}

impl Html {
    /// A body of ready HTML paragraphs followed by the plain-text `tail` (escaped here).
    pub fn new(paragraphs: Vec<String>, tail: &str) -> Html {
        Html { body: paragraphs.join("\n\n"), tail: escape(tail) }
    }

    /// A single short plain text, escaped, with nothing after it.
    pub fn plain(text: &str) -> Html {
        Html { body: escape(text), tail: String::new() }
    }
}

/// The answer as HTML: notice (italics), lead, quotes naming their publisher in
/// italics, the offer of a second topic, then the disclaimer as the tail.
pub fn answer(answer: &Answer) -> Html {
    let mut paragraphs = Vec::with_capacity(3 + answer.quotes.len());
    if let Some(notice) = &answer.notice {
        paragraphs.push(italic(&escape(notice)));
    }
    paragraphs.push(escape(&answer.lead));
    paragraphs.extend(answer.quotes.iter().map(quote));
    if let Some(offer) = &answer.also {
        paragraphs.push(escape(&offer.text));
    }
    Html::new(paragraphs, &answer.disclaimer)
}

/// One quote: “passage” (<i>publisher</i>).
pub fn quote(quote: &Quote) -> String {
    format!("“{}” ({})", escape(&quote.passage), italic(&escape(&quote.publisher)))
}

/// A heading line in bold.
pub fn heading(text: &str) -> String {
    bold(&escape(text))
}

/// A bulleted list, one escaped item per line.
pub fn bullets<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(|item| format!("• {}", escape(item))).collect::<Vec<_>>().join("\n")
}

/// An article: its title in bold and its publisher in italics.
pub fn article(title: &str, publisher: &str) -> String {
    format!("• {} ({})", bold(&escape(title)), italic(&escape(publisher)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Offer;
    use crate::topic::Topic;

    fn sample() -> Answer {
        Answer {
            topic: Topic::curated("safety").unwrap(),
            confidence: 0.8,
            notice: Some("Cut <short>.".into()),
            lead: "Jerks & starts are <b>harmless</b>.".into(),
            quotes: vec![Quote { title: "T".into(), publisher: "Kenyan & News".into(), passage: "A < B.".into() }],
            also: Some(Offer {
                topic: Topic::curated("seek_care").unwrap(),
                label: "L".into(),
                text: "Ask “x”?".into(),
            }),
            related: vec![],
            disclaimer: "Not a doctor & not <advice>.".into(),
        }
    }

    #[test]
    fn everything_is_escaped_and_publishers_are_italic() {
        let html = answer(&sample());
        assert_eq!(
            html.body,
            "<i>Cut &lt;short&gt;.</i>\n\nJerks &amp; starts are &lt;b&gt;harmless&lt;/b&gt;.\n\n\
             “A &lt; B.” (<i>Kenyan &amp; News</i>)\n\nAsk “x”?"
        );
        assert_eq!(html.tail, "Not a doctor &amp; not &lt;advice&gt;.");
    }

    #[test]
    fn lists_escape_their_items() {
        assert_eq!(bullets(["a<b", "c"]), "• a&lt;b\n• c");
        assert_eq!(article("T&T", "P"), "• <b>T&amp;T</b> (<i>P</i>)");
        assert_eq!(heading("H<"), "<b>H&lt;</b>");
    }
}
