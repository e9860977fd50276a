//! Plain-text rendering of an [`Answer`]: what the terminal prints and what
//! `hypnic ask --json` reports as `reply`. The disclaimer is always last.

use crate::answer::Answer;

/// The answer as plain text: notice, lead, quotes (each naming its publisher),
/// the offer of a second topic, and the disclaimer, separated by blank lines.
pub fn plain_text(answer: &Answer) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(4 + answer.quotes.len());
    if let Some(notice) = &answer.notice {
        parts.push(notice.clone());
    }
    parts.push(answer.lead.to_string());
    if !answer.quotes.is_empty() {
        let quotes: Vec<String> =
            answer.quotes.iter().map(|quote| format!("“{}” ({})", quote.passage, quote.publisher)).collect();
        parts.push(quotes.join("\n"));
    }
    if let Some(offer) = &answer.also {
        parts.push(offer.text.clone());
    }
    parts.push(answer.disclaimer.to_string());
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Quote;
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
        };
        assert_eq!(plain_text(&answer), "Lead.\n\n“Q.” (P)\n\nD.");
    }
}
