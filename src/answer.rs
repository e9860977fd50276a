//! What the engine returns: an [`Answer`] with its topic, confidence, lead,
//! quotes and disclaimer. Adapters render it; they never change what it says.

use std::sync::Arc;

use serde::Serialize;

use crate::topic::Topic;

/// A passage quoted from an article, with the article it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The article's title.
    pub title: Arc<str>,
    /// The site that published it.
    pub publisher: Arc<str>,
    /// The quoted passage, exactly as in the cleaned article.
    pub passage: Arc<str>,
}

/// A second topic, offered because it scored almost as high as the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// The offered topic.
    pub topic: Topic,
    /// Its short label ("When to see a doctor").
    pub label: String,
    /// The sentence offering it, ready to show.
    pub text: String,
}

/// A topic to offer next, with its label: what a button or a menu shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedTopic {
    /// The topic.
    pub topic: Topic,
    /// Its short label ("When to see a doctor").
    pub label: String,
}

/// The engine's answer to one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// What the message was about.
    pub topic: Topic,
    /// How sure the engine is of the topic, in [0, 1].
    pub confidence: f32,
    /// A note to show before the lead (the message was cut, say).
    pub notice: Option<String>,
    /// One or two sentences that answer the question directly.
    pub lead: Arc<str>,
    /// Up to three passages that back the lead.
    pub quotes: Vec<Quote>,
    /// A close second topic, offered after the quotes.
    pub also: Option<Offer>,
    /// Topics to offer next, with their labels (buttons in Telegram).
    pub related: Vec<RelatedTopic>,
    /// The fixed disclaimer; every rendering ends with it.
    pub disclaimer: Arc<str>,
    /// The id of the language of `languages.toml` the message was read as;
    /// `None` for English, or a language the knowledge does not list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Arc<str>>,
    /// The language the reply is written in: `en`, or an answered language
    /// of the knowledge's `voices/`.
    pub lang: Arc<str>,
    /// Put before the quotes of a reply that is not in English: the quotes
    /// are the articles' own words, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes_intro: Option<Arc<str>>,
}
