//! The endpoints of the handler tree, a message and a button press: async
//! functions whose arguments are injected by type. Each builds a [`Reply`],
//! sends it through the outbox and logs one line. A failed reply is logged
//! (redacted) and, when the failure was a refusal rather than a network or
//! server problem, followed by a one-line apology; the handler never fails.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::{CallbackQuery, ChatId, Message, Update};
use teloxide::{ApiError, RequestError};

use super::check;
use super::commands::Command;
use super::feedback;
use super::flood::Admission;
use super::incoming::Incoming;
use super::keyboard;
use super::outbox::Target;
use super::reply::{self, Reply};
use super::report;
use super::retry::is_transient;
use super::state::BotState;
use crate::answer::Answer;
use crate::conversation::now_secs;
use crate::knowledge::ENGLISH;

/// What handlers return; errors are logged by the dispatcher's error handler.
pub type HandlerResult = Result<(), anyhow::Error>;

/// A message for the bot: a question or a topic shortcut gets the engine's
/// answer with related topics as buttons; everything else a fixed reply.
pub(super) async fn on_message(
    state: Arc<BotState>,
    update: Update,
    message: Message,
    incoming: Incoming,
) -> HandlerResult {
    let started = Instant::now();
    let chat = message.chat.id;
    // Only a private chat is one conversation; in a group each message stands alone.
    let remembers = message.chat.is_private();
    let (action, answer, reply) = match incoming {
        Incoming::Question(question) if remembers => {
            let now = now_secs();
            let answer = state
                .chats
                .converse(chat, now, |context| {
                    let turn = state.metrics.engine(|| state.engine.reply(&question.0, context, now));
                    (turn.answer, turn.context)
                })
                .await;
            answered("question", answer)
        }
        Incoming::Command(Command::Start) => {
            let lang = chat_lang(&state, &message).await;
            state.chats.forget(chat).await;
            // A deep link (t.me/<bot>?start=safety) opens its topic, or the check.
            let payload = message.text().and_then(start_payload);
            let linked = payload.and_then(|id| state.engine.topic_by_id(id));
            match linked.filter(|topic| state.engine.topic(*topic).is_some()) {
                Some(topic) => answered("start_link", state.engine.answer_topic_in(topic, &lang)),
                None if payload == Some(check::DEEP_LINK) => {
                    ("start_check", None, check::start(&state, &message, &lang).await)
                }
                None => reply_to(&state, Incoming::Command(Command::Start), &lang),
            }
        }
        Incoming::Command(Command::Check) => {
            let lang = chat_lang(&state, &message).await;
            ("check", None, check::start(&state, &message, &lang).await)
        }
        other => {
            let lang = chat_lang(&state, &message).await;
            reply_to(&state, other, &lang)
        }
    };
    respond(&state, &update, started, action, answer.as_ref(), reply_target(&message), reply).await
}

/// The answered language of a reply to a message whose words do not tell
/// one (a command, a sticker): a private chat's last language, then the
/// sender's app language (`language_code`, only a hint) when the bot answers
/// in it, else English.
async fn chat_lang(state: &BotState, message: &Message) -> String {
    if message.chat.is_private()
        && let Some(lang) = state.chats.recall(message.chat.id, now_secs()).await.lang
    {
        return lang;
    }
    let hint = message.from.as_ref().and_then(|user| user.language_code.as_deref()).unwrap_or(ENGLISH);
    let primary = hint.split(['-', '_']).next().unwrap_or(hint).to_ascii_lowercase();
    state.engine.voice(&primary).id.to_string()
}

/// The word after `/start` in a deep link (`/start safety`), if any.
fn start_payload(text: &str) -> Option<&str> {
    text.split_whitespace().nth(1)
}

/// The action logged for a message, the engine's answer if it has one, and
/// the reply; a fixed reply is in `lang`, a question's in its own language.
fn reply_to<'s>(state: &'s BotState, incoming: Incoming, lang: &str) -> (&'s str, Option<Answer>, Reply) {
    let (engine, commands) = (&state.engine, &state.commands);
    let texts = &engine.voice(lang).texts.telegram;
    match incoming {
        Incoming::Question(question) => answered("question", state.metrics.engine(|| engine.answer(&question.0))),
        Incoming::Command(command) => {
            let name = commands.name(command);
            match command {
                Command::Shortcut(topic) => answered(name, engine.answer_topic_in(topic, lang)),
                Command::Start => (name, None, reply::start(engine, lang)),
                Command::Help => (name, None, reply::help(engine, commands, lang)),
                Command::Sources => (name, None, reply::sources(engine, lang)),
                Command::Disclaimer => (name, None, reply::disclaimer(engine, lang)),
                // Handled in `on_message`, which has the chat's state; here, say how to use it.
                Command::Check => (name, None, reply::help(engine, commands, lang)),
                Command::Privacy => (name, None, Reply::plain(&texts.privacy)),
            }
        }
        Incoming::UnknownCommand => ("unknown_command", None, reply::unknown_command(engine, commands, lang)),
        Incoming::NonText => ("non_text", None, Reply::plain(&texts.text_only)),
        Incoming::SlowDown => ("slow_down", None, Reply::plain(&texts.slow_down)),
    }
}

/// An answer with its reply, logged as `action`.
fn answered(action: &str, answer: Answer) -> (&str, Option<Answer>, Reply) {
    let reply = reply::answer(&answer);
    (action, Some(answer), reply)
}

/// A button press: a check button goes to [`check::on_press`], votes go to
/// [`feedback`]. For a topic button, always answer the callback query (it
/// stops the spinner), then send the topic's answer as a new message. Unknown
/// data gets a polite notice instead; over the flood limit, the first press is
/// told to slow down.
pub(super) async fn on_button(state: Arc<BotState>, update: Update, query: CallbackQuery) -> HandlerResult {
    // Buttons of other kinds are told apart by the prefix of their data.
    if let Some(press) = query.data.as_deref().and_then(check::press_of) {
        return check::on_press(state, update, query, press).await;
    }
    if query.data.as_deref().is_some_and(feedback::is_vote) {
        return feedback::on_vote(state, update, query).await;
    }
    let started = Instant::now();
    let admission = state.flood.check(query.from.id.0);
    let topic = query.data.as_deref().and_then(|data| keyboard::topic_of(data, &state.engine));
    let (action, notice) = match (admission, topic) {
        (Admission::Allowed, Some(_)) => ("button", None),
        (Admission::Allowed, None) => ("stale_button", Some(state.engine.texts().telegram.stale_button.as_str())),
        (Admission::SlowDown, _) => ("slow_down", Some(state.engine.texts().telegram.slow_down.as_str())),
        (Admission::Drop, _) => ("dropped", None),
    };
    if admission != Admission::Allowed {
        state.metrics.flood_dropped();
    }
    // Answered even when dropped: it stops the spinner in the person's client.
    let acknowledged =
        state.outbox.answer_callback(&query.id, notice).await.map_err(|error| state.redactor.error(&error));
    match (admission, topic) {
        (Admission::Allowed, Some(topic)) => {
            if let Err(error) = &acknowledged {
                tracing::warn!(update = update.id.0, error, "answerCallbackQuery failed");
            }
            let (topic, lang) = topic;
            let (action, answer, reply) = answered(action, state.engine.answer_topic_in(topic, lang));
            respond(&state, &update, started, action, answer.as_ref(), button_target(&query), reply).await
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
    if let Some(answer) = answer {
        state.metrics.reply(answer);
    }
    match state.outbox.deliver(&target, &reply).await {
        Ok(parts) => {
            state.metrics.replied_after(started.elapsed());
            report::handled(update, started, action, answer, Ok(parts));
        }
        Err(error) => {
            report::handled(update, started, action, answer, Err(&state.redactor.error(&error)));
            let lang = answer.map_or(ENGLISH, |answer| &answer.lang);
            let apology = Reply::plain(&state.engine.voice(lang).texts.telegram.send_failed);
            if deserves_apology(&error)
                && let Err(again) = state.outbox.deliver(&target, &apology).await
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
pub(super) fn deserves_apology(error: &RequestError) -> bool {
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
pub(super) fn button_target(query: &CallbackQuery) -> Target {
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
