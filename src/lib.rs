//! hypnic answers questions about sleep spasms (hypnic jerks, sleep myoclonus)
//! from a small set of published articles, and never pretends to be a doctor.
//!
//! Data flows one way, one module per step:
//!
//! - [`knowledge`] loads `knowledge/`: the articles as published and the curated
//!   TOML files (topics, lexicon, junk patterns, signs, people, factors,
//!   languages, texts, the check). The default knowledge is embedded in the binary; a
//!   folder can replace it.
//! - [`cleaning`] strips site junk from the articles and cuts them into passages.
//! - [`index`] puts the passages in a tantivy index with English stemming, in
//!   RAM, or built once into a folder and opened memory-mapped.
//! - [`engine`] answers a message: it reads it into facts (the question
//!   sentence, language, emergency and warning signs, who it is about, factors),
//!   decides scope and topic, and plans an [`Answer`] from them (lead, quotes,
//!   disclaimer).
//! - [`check`] is the warning-sign check: questions asked one at a time
//!   (`check.toml`), answered Yes, No or Not sure, and a summary quoted from
//!   the articles; a chat keeps its progress (ids and answers only).
//! - [`render`] lays an answer out once for every adapter, and as the plain
//!   text the terminal prints.
//! - [`learned`] is the trained reader at reply time: hashed word and
//!   character n-gram features, and a model of two softmax heads (topic and
//!   urgency) with the thresholds it is used with.
//! - [`eval`] scores the engine on question files.
//! - [`training`] teaches the trained reader from the corpus of situations
//!   (`knowledge/corpus/`): the train writers teach, the dev writers choose
//!   the thresholds, the test writers are only scored.
//! - [`cli`] is the terminal adapter: `ask`, `chat`, `eval`, `index`, and
//!   `telegram`, which starts the bot.
//! - [`telegram`] is the Telegram adapter: a teloxide bot that answers in
//!   private chats and, when addressed, in groups, with the engine's answer as
//!   HTML (split to Telegram's limit) and related topics as buttons; long
//!   polling or its own webhook server; throttled, retried, flood-controlled,
//!   and logging no text, name or token.
//!
//! The engine knows nothing about terminals; the adapters know nothing about
//! tantivy.

pub mod answer;
pub mod check;
pub mod cleaning;
pub mod cli;
pub mod conversation;
pub mod engine;
pub mod error;
pub mod eval;
pub mod index;
pub mod knowledge;
pub mod learned;
pub mod render;
pub mod telegram;
pub mod topic;
pub mod training;

pub use answer::{Answer, Offer, Quote, RelatedTopic};
pub use conversation::{ChatContext, Turn, Urgent};
pub use engine::{Engine, LangChoice, Voice};
pub use error::{Error, Result};
pub use topic::Topic;
