//! Inline mode: `@bot are spasms dangerous` typed in any chat offers up to
//! [`MAX_OFFERS`] answers as articles, each titled with its topic's label,
//! described by the start of its lead, and sending the whole reply (Telegram
//! HTML, the disclaimer last) when picked. An emergency offers only the urgent
//! reply. An empty query offers the starter topics, so that the bot shows
//! what it can answer. Flood control applies as to messages: the first query
//! over the limit gets no offers, the rest of the minute no answer at all.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::{
    InlineQuery, InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, ParseMode,
    Update,
};

use super::flood::Admission;
use super::handlers::HandlerResult;
use super::outbox::NO_PREVIEW;
use super::report;
use super::split::{MAX_MESSAGE_UNITS, split_message};
use super::state::BotState;
use crate::Engine;
use crate::answer::Answer;
use crate::render::{self, Layout, Span};
use crate::topic::Topic;

/// At most this many answers are offered for one query.
pub const MAX_OFFERS: usize = 3;

/// How long clients and Telegram may reuse the offers for the same query:
/// they depend only on its text.
const CACHE_SECONDS: u32 = 300;

/// The description under an offer's title is cut to this many characters.
const DESCRIPTION_CHARS: usize = 100;

/// The answers offered for `query`: the engine's answer, then the topic it
/// offers as a close second and its related topics, at most [`MAX_OFFERS`] and
/// each topic once. An emergency or a crisis offers only the urgent reply; an empty query
/// the starter topics.
pub fn offers(engine: &Engine, query: &str) -> Vec<Answer> {
    let query = query.trim();
    if query.is_empty() {
        return engine.starter_topics().iter().take(MAX_OFFERS).map(|&topic| engine.answer_topic(topic)).collect();
    }
    let first = engine.answer(query);
    if first.topic.is_urgent() {
        return vec![first];
    }
    let more: Vec<Topic> = first
        .also
        .iter()
        .map(|offer| offer.topic)
        .chain(first.related.iter().map(|related| related.topic))
        .filter(|topic| !topic.is_fixed())
        .collect();
    let mut offers = vec![first];
    for topic in more {
        if offers.len() >= MAX_OFFERS {
            break;
        }
        if offers.iter().all(|offered| offered.topic != topic) {
            offers.push(engine.answer_topic(topic));
        }
    }
    offers
}

/// The article offering `answer`: its id is the topic's id (distinct within
/// one set of offers), its title the topic's label.
pub fn article(engine: &Engine, answer: &Answer) -> InlineQueryResult {
    let title = match engine.topic(answer.topic) {
        Some(spec) => spec.label.as_str(),
        None => engine.texts().telegram.inline_titles.get(answer.topic.id()).map_or(answer.topic.id(), String::as_str),
    };
    let content =
        InputMessageContentText::new(message_text(answer)).parse_mode(ParseMode::Html).link_preview_options(NO_PREVIEW);
    let article = InlineQueryResultArticle::new(answer.topic.id(), title, InputMessageContent::Text(content))
        .description(description(&answer.lead));
    InlineQueryResult::Article(article)
}

/// The reply as one HTML message, ending with the disclaimer. A reply too long
/// for one message keeps its lead, cut short, and the disclaimer.
pub fn message_text(answer: &Answer) -> String {
    let mut parts = split_message(&render::layout(answer), MAX_MESSAGE_UNITS);
    if parts.len() == 1 {
        return parts.remove(0);
    }
    let lead: Vec<char> = answer.lead.chars().collect();
    let mut keep = lead.len();
    loop {
        keep /= 2;
        let mut cut: String = lead[..keep].iter().collect();
        cut.push('…');
        let mut layout = Layout::with_tail(answer.disclaimer.as_ref());
        layout.paragraph([Span::plain(cut)]);
        let mut parts = split_message(&layout, MAX_MESSAGE_UNITS);
        // With nothing left of the lead, the disclaimer alone fits.
        if parts.len() == 1 || keep == 0 {
            return parts.remove(0);
        }
    }
}

/// The start of `lead`, on one line, cut to [`DESCRIPTION_CHARS`].
fn description(lead: &str) -> String {
    let line = lead.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= DESCRIPTION_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(DESCRIPTION_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// An inline query: offers answers, within the person's flood limit.
pub(super) async fn on_inline_query(state: Arc<BotState>, update: Update, query: InlineQuery) -> HandlerResult {
    let started = Instant::now();
    let offered = match state.flood.check(query.from.id.0) {
        Admission::Allowed => state.metrics.engine(|| offers(&state.engine, &query.query)),
        Admission::SlowDown => {
            state.metrics.flood_dropped();
            Vec::new()
        }
        Admission::Drop => {
            state.metrics.flood_dropped();
            tracing::debug!(update = update.id.0, "inline query over the flood limit dropped");
            return Ok(());
        }
    };
    // What the query itself was answered with; an empty query asked nothing.
    let asked = offered.first().filter(|_| !query.query.trim().is_empty());
    if let Some(answer) = asked {
        state.metrics.reply(answer);
    }
    let results: Vec<InlineQueryResult> = offered.iter().map(|answer| article(&state.engine, answer)).collect();
    let count = results.len();
    match state.outbox.answer_inline(&query.id, results, CACHE_SECONDS).await {
        Ok(()) => {
            state.metrics.replied_after(started.elapsed());
            report::handled(&update, started, "inline", asked, Ok(count));
        }
        Err(error) => report::handled(&update, started, "inline", asked, Err(&state.redactor.error(&error))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use teloxide::utils::html::escape;

    use super::*;

    fn engine() -> Engine {
        Engine::embedded().expect("the embedded knowledge loads")
    }

    #[test]
    fn a_question_gets_up_to_three_distinct_offers_each_ending_with_the_disclaimer() {
        let engine = engine();
        let offered = offers(&engine, "are spasms dangerous");
        assert!((1..=MAX_OFFERS).contains(&offered.len()), "{}", offered.len());
        assert_eq!(offered[0].topic, engine.answer("are spasms dangerous").topic);
        for (index, answer) in offered.iter().enumerate() {
            assert!(offered[..index].iter().all(|earlier| earlier.topic != answer.topic));
            assert!(message_text(answer).ends_with(&escape(engine.disclaimer())));
        }
    }

    #[test]
    fn an_emergency_offers_only_the_urgent_reply_and_an_empty_query_the_starters() {
        let engine = engine();
        let offered = offers(&engine, "my husband is not breathing after a spasm");
        assert_eq!(offered.iter().map(|answer| answer.topic).collect::<Vec<_>>(), [Topic::EMERGENCY]);
        let starters = offers(&engine, "  ");
        let expected: Vec<Topic> = engine.starter_topics().iter().copied().take(MAX_OFFERS).collect();
        assert_eq!(starters.iter().map(|answer| answer.topic).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_long_reply_is_cut_to_one_message_that_ends_with_the_disclaimer() {
        let engine = engine();
        let mut answer = engine.answer("are spasms dangerous");
        answer.lead = "Spasms & <starts>. ".repeat(600).into();
        let text = message_text(&answer);
        assert!(crate::telegram::split::utf16_len(&text) <= MAX_MESSAGE_UNITS);
        assert!(text.ends_with(&escape(engine.disclaimer())));
        assert!(description(&answer.lead).chars().count() <= DESCRIPTION_CHARS);
    }
}
