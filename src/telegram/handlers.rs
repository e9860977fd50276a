//! The endpoints of the handler tree: small async functions whose arguments are
//! injected by type. Each builds a [`Reply`], sends it through the outbox and
//! logs one line. A failed reply is logged (redacted) and, when the failure was
//! a refusal rather than a network or server problem, followed by a one-line
//! apology; the handler itself never fails.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::{CallbackQuery, ChatId, Message, Update};
use teloxide::{ApiError, RequestError};

use super::commands::Command;
use super::flood::Admission;
use super::incoming::Question;
use super::keyboard;
use super::outbox::Target;
use super::reply::{self, Reply};
use super::report;
use super::retry::is_transient;
use super::state::BotState;
use crate::answer::Answer;

/// What handlers return; errors are logged by the dispatcher's error handler.
pub type HandlerResult = Result<(), anyhow::Error>;

/// A command: a fixed reply, or a topic answer for the shortcuts.
pub(super) async fn on_command(
    state: Arc<BotState>,
    update: Update,
    message: Message,
    command: Command,
) -> HandlerResult {
    let started = Instant::now();
    let engine = &state.engine;
    let commands = &state.commands;
    let (answer, reply) = match command {
        Command::Shortcut(topic) => {
            let answer = engine.answer_topic(topic);
            let reply = reply::answer(engine, &answer);
            (Some(answer), reply)
        }
        Command::Start => (None, reply::start(engine)),
        Command::Help => (None, reply::help(engine, commands)),
        Command::Sources => (None, reply::sources(engine)),
        Command::Disclaimer => (None, reply::disclaimer(engine)),
    };
    let name = commands.name(command);
    respond(&state, &update, started, name, answer.as_ref(), reply_target(&message), reply).await
}

/// A question: the engine's answer with related topics as buttons.
pub(super) async fn on_question(
    state: Arc<BotState>,
    update: Update,
    message: Message,
    question: Question,
) -> HandlerResult {
    let started = Instant::now();
    let answer = state.engine.answer(&question.0);
    let reply = reply::answer(&state.engine, &answer);
    respond(&state, &update, started, "question", Some(&answer), reply_target(&message), reply).await
}

/// A photo, sticker, voice note, ...: only text can be read.
pub(super) async fn on_non_text(state: Arc<BotState>, update: Update, message: Message) -> HandlerResult {
    let started = Instant::now();
    respond(
        &state,
        &update,
        started,
        "non_text",
        None,
        reply_target(&message),
        Reply::plain(&state.engine.texts().telegram.text_only),
    )
    .await
}

/// A command for this bot that it does not know.
pub(super) async fn on_unknown_command(state: Arc<BotState>, update: Update, message: Message) -> HandlerResult {
    let started = Instant::now();
    respond(
        &state,
        &update,
        started,
        "unknown_command",
        None,
        reply_target(&message),
        reply::unknown_command(&state.engine, &state.commands),
    )
    .await
}

/// The first message over the flood limit.
pub(super) async fn on_slow_down(state: Arc<BotState>, update: Update, message: Message) -> HandlerResult {
    let started = Instant::now();
    respond(
        &state,
        &update,
        started,
        "slow_down",
        None,
        reply_target(&message),
        Reply::plain(&state.engine.texts().telegram.slow_down),
    )
    .await
}

/// A button press: always answer the callback query (it stops the spinner),
/// then send the topic's answer as a new message. Unknown data gets a polite
/// notice instead; over the flood limit, the first press is told to slow down.
pub(super) async fn on_button(state: Arc<BotState>, update: Update, query: CallbackQuery) -> HandlerResult {
    let started = Instant::now();
    let admission = state.flood.check(query.from.id.0);
    let topic = query.data.as_deref().and_then(|data| keyboard::topic_of(data, &state.engine));
    let (action, notice) = match (admission, topic) {
        (Admission::Allowed, Some(_)) => ("button", None),
        (Admission::Allowed, None) => ("stale_button", Some(state.engine.texts().telegram.stale_button.as_str())),
        (Admission::SlowDown, _) => ("slow_down", Some(state.engine.texts().telegram.slow_down.as_str())),
        (Admission::Drop, _) => ("dropped", None),
    };
    // Answered even when dropped: it stops the spinner in the person's client.
    let acknowledged =
        state.outbox.answer_callback(&query.id, notice).await.map_err(|error| state.redactor.error(&error));
    match (admission, topic) {
        (Admission::Allowed, Some(topic)) => {
            if let Err(error) = &acknowledged {
                tracing::warn!(update = update.id.0, error, "answerCallbackQuery failed");
            }
            let answer = state.engine.answer_topic(topic);
            let reply = reply::answer(&state.engine, &answer);
            respond(&state, &update, started, action, Some(&answer), button_target(&query), reply).await
        }
        (Admission::Drop, _) => {
            tracing::debug!(update = update.id.0, "button press over the flood limit dropped");
            Ok(())
        }
        (Admission::Allowed, None) | (Admission::SlowDown, _) => {
            report::handled(&update, started, action, None, acknowledged.as_ref().map(|()| 0).map_err(String::as_str));
            Ok(())
        }
    }
}

/// Sends `reply`, logs the outcome, and apologises if the answer was refused.
async fn respond(
    state: &BotState,
    update: &Update,
    started: Instant,
    action: &str,
    answer: Option<&Answer>,
    target: Target,
    reply: Reply,
) -> HandlerResult {
    match state.outbox.deliver(&target, &reply).await {
        Ok(parts) => report::handled(update, started, action, answer, Ok(parts)),
        Err(error) => {
            report::handled(update, started, action, answer, Err(&state.redactor.error(&error)));
            if deserves_apology(&error)
                && let Err(again) =
                    state.outbox.deliver(&target, &Reply::plain(&state.engine.texts().telegram.send_failed)).await
            {
                tracing::warn!(update = update.id.0, error = %state.redactor.error(&again), "apology failed too");
            }
        }
    }
    Ok(())
}

/// Whether a one-line apology is worth sending after `error`: not when the
/// chat is unreachable, and not when Telegram or the network is failing (the
/// apology would fail the same way).
fn deserves_apology(error: &RequestError) -> bool {
    let unreachable = matches!(
        error,
        RequestError::Api(
            ApiError::BotBlocked
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::ChatNotFound
                | ApiError::UserDeactivated
                | ApiError::CantInitiateConversation
                | ApiError::CantTalkWithBots
                | ApiError::NotEnoughRightsToPostMessages
                | ApiError::InvalidToken
        )
    );
    matches!(error, RequestError::Api(_)) && !unreachable && !is_transient(error)
}

/// Where the reply to `message` goes: the same chat (and forum topic); in
/// groups, as a reply to the question.
fn reply_target(message: &Message) -> Target {
    Target {
        chat: message.chat.id,
        reply_to: (!message.chat.is_private()).then_some(message.id),
        thread: message.thread_id.filter(|_| message.is_topic_message),
    }
}

/// Where the answer to a button goes: the chat of the message the button was
/// under, or the presser's private chat if that message is unknown.
fn button_target(query: &CallbackQuery) -> Target {
    let chat = query.message.as_ref().map_or(ChatId::from(query.from.id), |message| message.chat().id);
    let thread =
        query.regular_message().filter(|message| message.is_topic_message).and_then(|message| message.thread_id);
    Target { chat, reply_to: None, thread }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apologies_only_follow_refusals() {
        assert!(deserves_apology(&RequestError::Api(ApiError::MessageIsTooLong)));
        assert!(!deserves_apology(&RequestError::Api(ApiError::BotBlocked)));
        assert!(!deserves_apology(&RequestError::Api(ApiError::Unknown("Internal Server Error".into()))));
        assert!(!deserves_apology(&RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(5))));
    }
}
