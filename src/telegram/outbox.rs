//! Sending. Every outgoing call goes through the [`Outbox`]: through teloxide's
//! `Throttle` adaptor unless it is switched off, with `parse_mode = HTML`, and
//! retried by the [`RetryPolicy`]. Only the failed call is retried.

use std::future::Future;
use std::sync::Arc;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::{Limits, Settings};
use teloxide::payloads::{
    AnswerCallbackQuerySetters, AnswerInlineQuerySetters, EditMessageTextSetters, SendMessageSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQueryId, ChatId, InlineKeyboardMarkup, InlineQueryId, InlineQueryResult, LinkPreviewOptions, MessageId,
    ParseMode, ReplyParameters, ThreadId,
};
use teloxide::{RequestError, requests::Request};
use tokio::sync::Semaphore;

use super::metrics::Metrics;
use super::redact::Redactor;
use super::reply::Reply;
use super::retry::{RetryPolicy, with_retry};

/// Where a reply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The chat.
    pub chat: ChatId,
    /// The message the first part replies to (the question, in groups).
    pub reply_to: Option<MessageId>,
    /// The forum topic, in supergroups with topics.
    pub thread: Option<ThreadId>,
}

/// Sends replies and answers button presses and inline queries, throttled
/// and retried, counting each request, retry and failure by method.
pub struct Outbox {
    sender: Sender,
    /// Without the throttle, the calls in flight at once (each holds an HTTP
    /// connection and its buffers); the throttle's rate limits bound them
    /// otherwise.
    in_flight: Option<Semaphore>,
    policy: RetryPolicy,
    redactor: Redactor,
    metrics: Arc<Metrics>,
}

enum Sender {
    Direct(Bot),
    Throttled(Throttle<Bot>),
}

impl Outbox {
    /// An outbox over `bot`. With `throttle`, teloxide's `Throttle` keeps to
    /// Telegram's limits (its own retry is off: the [`RetryPolicy`] is the one
    /// place that retries). Must be called inside a tokio runtime, which runs
    /// the throttle's worker.
    pub fn new(
        bot: Bot,
        throttle: Option<Limits>,
        policy: RetryPolicy,
        redactor: Redactor,
        metrics: Arc<Metrics>,
    ) -> Outbox {
        let (sender, in_flight) = match throttle {
            Some(limits) => {
                let settings = Settings::default().limits(limits).no_retry();
                (Sender::Throttled(Throttle::spawn_with_settings(bot, settings)), None)
            }
            None => (Sender::Direct(bot), Some(Semaphore::new(MAX_IN_FLIGHT))),
        };
        Outbox { sender, in_flight, policy, redactor, metrics }
    }

    /// Sends every part of `reply` in order: the first part replies to
    /// `target.reply_to`, the last one carries the keyboard. Stops at the first
    /// part that fails for good.
    ///
    /// # Errors
    /// The error of the part that could not be sent.
    pub async fn deliver(&self, target: &Target, reply: &Reply) -> Result<usize, RequestError> {
        let last = reply.parts.len().saturating_sub(1);
        for (index, text) in reply.parts.iter().enumerate() {
            let message = Outgoing {
                target: Target { reply_to: target.reply_to.filter(|_| index == 0), ..*target },
                text,
                keyboard: reply.keyboard.as_ref().filter(|_| index == last),
            };
            self.call(Call::Send(message)).await?;
        }
        Ok(reply.parts.len())
    }

    /// Replaces the text of the bot's message `message` in `chat` with
    /// `text` (HTML), and its buttons with `keyboard` (none removes them).
    ///
    /// # Errors
    /// The call failed for good (Telegram answers `MessageNotModified` when
    /// nothing changed, and refuses messages it no longer lets bots edit).
    pub async fn edit(
        &self,
        chat: ChatId,
        message: MessageId,
        text: &str,
        keyboard: Option<&InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        self.call(Call::Edit { chat, message, text, keyboard }).await
    }

    /// Answers a button press (stops the client's spinner), with an optional
    /// short notice shown to the person.
    ///
    /// # Errors
    /// The call failed for good.
    pub async fn answer_callback(&self, id: &CallbackQueryId, notice: Option<&str>) -> Result<(), RequestError> {
        self.call(Call::AnswerCallback(id, notice)).await
    }

    /// Answers an inline query with `results`, which clients may cache for
    /// `cache_seconds` (answers depend only on the query's text).
    ///
    /// # Errors
    /// The call failed for good.
    pub async fn answer_inline(
        &self,
        id: &InlineQueryId,
        results: Vec<InlineQueryResult>,
        cache_seconds: u32,
    ) -> Result<(), RequestError> {
        self.call(Call::AnswerInline(id, results, cache_seconds)).await
    }

    /// Makes `call` through the sender, throttled or not.
    async fn call(&self, call: Call<'_>) -> Result<(), RequestError> {
        match &self.sender {
            Sender::Direct(bot) => self.call_with(bot, call).await,
            Sender::Throttled(bot) => self.call_with(bot, call).await,
        }
    }

    async fn call_with<B>(&self, bot: &B, call: Call<'_>) -> Result<(), RequestError>
    where
        B: Requester<Err = RequestError>,
    {
        match call {
            Call::Send(message) => {
                let Target { chat, reply_to, thread } = message.target;
                let mut request =
                    bot.send_message(chat, message.text).parse_mode(ParseMode::Html).link_preview_options(NO_PREVIEW);
                if let Some(id) = reply_to {
                    // The reply still goes out if the question was deleted meanwhile.
                    request = request.reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
                }
                if let Some(thread) = thread {
                    request = request.message_thread_id(thread);
                }
                if let Some(keyboard) = message.keyboard {
                    request = request.reply_markup(keyboard.clone());
                }
                self.retried("sendMessage", || request.send_ref()).await.map(drop)
            }
            Call::Edit { chat, message, text, keyboard } => {
                let mut request = bot
                    .edit_message_text(chat, message, text)
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(NO_PREVIEW);
                if let Some(keyboard) = keyboard {
                    request = request.reply_markup(keyboard.clone());
                }
                self.retried("editMessageText", || request.send_ref()).await.map(drop)
            }
            Call::AnswerCallback(id, notice) => {
                let mut request = bot.answer_callback_query(id.clone());
                if let Some(text) = notice {
                    request = request.text(text);
                }
                self.retried("answerCallbackQuery", || request.send_ref()).await.map(drop)
            }
            Call::AnswerInline(id, results, cache_seconds) => {
                let request = bot.answer_inline_query(id.clone(), results).cache_time(cache_seconds).is_personal(false);
                self.retried("answerInlineQuery", || request.send_ref()).await.map(drop)
            }
        }
    }

    /// `send` under the retry policy, each retry logged; every request,
    /// retry and failure counted.
    async fn retried<T, F>(&self, method: &'static str, mut send: impl FnMut() -> F) -> Result<T, RequestError>
    where
        F: Future<Output = Result<T, RequestError>>,
    {
        let counted = || {
            self.metrics.api_request(method);
            let request = send();
            async move {
                // Held for this attempt only, not while waiting to retry.
                let _permit = match &self.in_flight {
                    Some(in_flight) => in_flight.acquire().await.ok(),
                    None => None,
                };
                request.await
            }
        };
        let result = with_retry(&self.policy, counted, |error, attempt, wait| {
            self.metrics.api_retry(method);
            tracing::warn!(
                method,
                attempt,
                wait_ms = wait.as_millis() as u64,
                error = %self.redactor.error(error),
                "Bot API call failed; retrying"
            );
        })
        .await;
        if result.is_err() {
            self.metrics.api_failure(method);
        }
        result
    }
}

/// Unthrottled, the most Bot API calls in flight at once. Telegram lets a bot
/// send about 30 messages a second, so this many concurrent calls keep up
/// even at a few hundred milliseconds per call.
pub const MAX_IN_FLIGHT: usize = 32;

/// Sources are named, not linked: no link previews.
pub const NO_PREVIEW: LinkPreviewOptions = LinkPreviewOptions {
    is_disabled: true,
    url: None,
    prefer_small_media: false,
    prefer_large_media: false,
    show_above_text: false,
};

/// One Bot API call the outbox makes.
enum Call<'a> {
    Send(Outgoing<'a>),
    Edit { chat: ChatId, message: MessageId, text: &'a str, keyboard: Option<&'a InlineKeyboardMarkup> },
    AnswerCallback(&'a CallbackQueryId, Option<&'a str>),
    AnswerInline(&'a InlineQueryId, Vec<InlineQueryResult>, u32),
}

/// One message to send.
struct Outgoing<'a> {
    target: Target,
    text: &'a str,
    keyboard: Option<&'a InlineKeyboardMarkup>,
}
