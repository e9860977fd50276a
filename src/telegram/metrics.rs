//! What the bot counts for Prometheus: counts and histograms only, never a
//! text, a name, a username or an id. Every label value comes from a small
//! fixed set: update kinds, Bot API methods, outcomes, votes, the language ids
//! of `languages.toml` and the topic ids of the knowledge (a [`Topic`] is only
//! ever made from curated ids, so no user text can add a label value).
//!
//! | metric | labels |
//! |---|---|
//! | `hypnic_updates_total` | `kind` |
//! | `hypnic_replies_total` | `topic`, `language`, `outcome` |
//! | `hypnic_feedback_total` | `topic`, `vote` |
//! | `hypnic_engine_seconds` | |
//! | `hypnic_reply_seconds` | |
//! | `hypnic_bot_api_requests_total` | `method` |
//! | `hypnic_bot_api_failures_total` | `method` |
//! | `hypnic_bot_api_retries_total` | `method` |
//! | `hypnic_journal_backlog` | |
//!
//! One [`Metrics`] lives in [`super::BotState`]; `GET /metrics` ([`super::status`])
//! encodes it in the OpenMetrics text format, which Prometheus reads.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use teloxide::types::{Update, UpdateKind};

use crate::answer::Answer;
use crate::topic::Topic;

/// The `Content-Type` of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `topic` and `language` of what has none (a reply dropped by flood control).
pub const NONE: &str = "none";

/// The `language` of a reply to a message in English, or in a language the
/// knowledge does not list.
pub const ENGLISH: &str = "en";

/// What became of a message or a press, as counted in `hypnic_replies_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The engine answered it (a topic, small talk).
    Answered,
    /// The engine declined it: not about sleep spasms, or not in English.
    Refused,
    /// The urgent reply.
    Emergency,
    /// The reply to someone in crisis.
    Crisis,
    /// Over the person's flood limit: told to slow down, or ignored.
    FloodDropped,
}

impl Outcome {
    /// The outcome of an engine answer.
    pub fn of(answer: &Answer) -> Outcome {
        match answer.topic {
            Topic::EMERGENCY => Outcome::Emergency,
            Topic::CRISIS => Outcome::Crisis,
            Topic::OUT_OF_SCOPE | Topic::OTHER_LANGUAGE => Outcome::Refused,
            _ => Outcome::Answered,
        }
    }

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Refused => "refused",
            Outcome::Emergency => "emergency",
            Outcome::Crisis => "crisis",
            Outcome::FloodDropped => "flood_dropped",
        }
    }
}

/// A press of a feedback button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vote {
    /// 👍
    Up,
    /// 👎
    Down,
}

impl Vote {
    /// The label value, also the last part of the button's data.
    pub fn label(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReplyLabels {
    topic: &'static str,
    language: Cow<'static, str>,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedbackLabels {
    topic: &'static str,
    vote: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: &'static str,
}

/// The bot's metrics, registered once. Counting takes a lock-free atomic add
/// (plus a read lock on the label family).
pub struct Metrics {
    registry: Registry,
    updates: Family<KindLabels, Counter>,
    replies: Family<ReplyLabels, Counter>,
    feedback: Family<FeedbackLabels, Counter>,
    engine_seconds: Histogram,
    reply_seconds: Histogram,
    api_requests: Family<MethodLabels, Counter>,
    api_failures: Family<MethodLabels, Counter>,
    api_retries: Family<MethodLabels, Counter>,
    journal_backlog: Gauge,
    /// Reads the polling journal's backlog when metrics are encoded.
    backlog: OnceLock<Box<dyn Fn() -> usize + Send + Sync>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("hypnic");
        let metrics = Metrics {
            registry: Registry::default(),
            updates: Family::default(),
            replies: Family::default(),
            feedback: Family::default(),
            // 50 µs to about 0.8 s: the engine answers in well under a millisecond.
            engine_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 15)),
            // 1 ms to about 33 s: a reply may wait out retries of up to 30 s.
            reply_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 16)),
            api_requests: Family::default(),
            api_failures: Family::default(),
            api_retries: Family::default(),
            journal_backlog: Gauge::default(),
            backlog: OnceLock::new(),
        };
        registry.register("updates", "Updates received, by kind", metrics.updates.clone());
        registry.register(
            "replies",
            "Messages, button presses and inline queries handled, by topic, language and outcome",
            metrics.replies.clone(),
        );
        registry.register("feedback", "Presses of the feedback buttons, by topic and vote", metrics.feedback.clone());
        registry.register("engine_seconds", "Time the engine took to answer", metrics.engine_seconds.clone());
        registry.register(
            "reply_seconds",
            "Time from an update's arrival in its handler to its reply sent",
            metrics.reply_seconds.clone(),
        );
        registry.register("bot_api_requests", "Bot API requests made, by method", metrics.api_requests.clone());
        registry.register(
            "bot_api_failures",
            "Bot API calls that failed for good, after any retries, by method",
            metrics.api_failures.clone(),
        );
        registry.register("bot_api_retries", "Bot API calls retried, by method", metrics.api_retries.clone());
        registry.register(
            "journal_backlog",
            "Updates fetched by long polling and not answered yet",
            metrics.journal_backlog.clone(),
        );
        Metrics { registry, ..metrics }
    }

    /// Counts one update by its kind.
    pub fn update(&self, update: &Update) {
        let kind = match update.kind {
            UpdateKind::Message(_) => "message",
            UpdateKind::EditedMessage(_) => "edited_message",
            UpdateKind::CallbackQuery(_) => "callback_query",
            UpdateKind::InlineQuery(_) => "inline_query",
            _ => "other",
        };
        self.updates.get_or_create(&KindLabels { kind }).inc();
    }

    /// Counts the reply the engine gave.
    pub fn reply(&self, answer: &Answer) {
        let language = answer.language.as_deref().map_or(Cow::Borrowed(ENGLISH), |id| Cow::Owned(id.to_string()));
        let labels = ReplyLabels { topic: answer.topic.id(), language, outcome: Outcome::of(answer).label() };
        self.replies.get_or_create(&labels).inc();
    }

    /// Counts a message or press dropped (or answered "slow down") by flood control.
    pub fn flood_dropped(&self) {
        let labels = ReplyLabels { topic: NONE, language: Cow::Borrowed(NONE), outcome: Outcome::FloodDropped.label() };
        self.replies.get_or_create(&labels).inc();
    }

    /// Counts a press of a feedback button under an answer about `topic`.
    pub fn feedback(&self, topic: Topic, vote: Vote) {
        self.feedback.get_or_create(&FeedbackLabels { topic: topic.id(), vote: vote.label() }).inc();
    }

    /// Runs the engine's `work`, timing it.
    pub fn engine<T>(&self, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let value = work();
        self.engine_seconds.observe(started.elapsed().as_secs_f64());
        value
    }

    /// Records the time from an update's arrival to its reply sent.
    pub fn replied_after(&self, elapsed: Duration) {
        self.reply_seconds.observe(elapsed.as_secs_f64());
    }

    /// Counts one request (one attempt) of a Bot API method.
    pub fn api_request(&self, method: &'static str) {
        self.api_requests.get_or_create(&MethodLabels { method }).inc();
    }

    /// Counts a Bot API call that failed for good.
    pub fn api_failure(&self, method: &'static str) {
        self.api_failures.get_or_create(&MethodLabels { method }).inc();
    }

    /// Counts a retry of a Bot API call.
    pub fn api_retry(&self, method: &'static str) {
        self.api_retries.get_or_create(&MethodLabels { method }).inc();
    }

    /// Where the journal's backlog is read from when the metrics are encoded
    /// (long polling's ledger). Only the first source given is kept.
    pub fn watch_backlog(&self, backlog: impl Fn() -> usize + Send + Sync + 'static) {
        let _ = self.backlog.set(Box::new(backlog));
    }

    /// The metrics in the OpenMetrics text format ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        if let Some(backlog) = self.backlog.get() {
            self.journal_backlog.set(i64::try_from(backlog()).unwrap_or(i64::MAX));
        }
        let mut text = String::with_capacity(4096);
        // Writing to a `String` cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn counts_show_with_bounded_labels_and_no_text() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let metrics = Metrics::new();
        let answer = metrics.engine(|| engine.answer("are sleep spasms dangerous?"));
        metrics.reply(&answer);
        metrics.reply(&engine.answer("mi hijo no respira, ayuda"));
        metrics.flood_dropped();
        metrics.feedback(answer.topic, Vote::Down);
        metrics.api_request("sendMessage");
        metrics.watch_backlog(|| 3);
        let text = metrics.encode();
        let topic = answer.topic.id();
        assert!(
            text.contains(&format!(r#"hypnic_replies_total{{topic="{topic}",language="en",outcome="answered"}} 1"#)),
            "{text}"
        );
        assert!(text.contains(r#"hypnic_replies_total{topic="emergency",language="es",outcome="emergency"} 1"#));
        assert!(text.contains(r#"outcome="flood_dropped"} 1"#));
        assert!(text.contains(&format!(r#"hypnic_feedback_total{{topic="{topic}",vote="down"}} 1"#)));
        assert!(text.contains("hypnic_engine_seconds_count 1"));
        assert!(text.contains("hypnic_journal_backlog 3"));
        assert!(text.ends_with("# EOF\n"));
        assert!(!text.contains("dangerous") && !text.contains("hijo"));
    }
}
