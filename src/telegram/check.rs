//! The warning-sign check in Telegram: `/check` (or the deep link
//! `t.me/<bot>?start=check`) sends the first question with five buttons; each
//! press edits that message into the next question, in place, and the summary
//! follows as a new message. The progress is kept in the chat's state
//! ([`super::chats::ChatMemory`]), so a check survives a restart of the bot.
//!
//! A button's data is `c:<check>:<step>:<move>` (well under 64 bytes): the
//! check's id (the millisecond it started), the number of answers when the question was shown, and
//! `y`, `n`, `u` (not sure), `b` (back) or `s` (stop). A press on an older
//! question, an ended check or, in a group, by someone other than the person
//! who started the check gets a short notice and changes nothing.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update};
use teloxide::{ApiError, RequestError};

use super::flood::Admission;
use super::handlers::{HandlerResult, button_target, deserves_apology};
use super::outbox::Target;
use super::reply::Reply;
use super::report;
use super::state::BotState;
use crate::check::{Applied, Asked, Check, CheckAnswer, Move, Press, Refusal};
use crate::conversation::{now_millis, now_secs};
use crate::knowledge::ENGLISH;
use crate::render::{Layout, Span};

/// The payload of the deep link that opens the check (`/start check`).
pub const DEEP_LINK: &str = "check";

/// Marks a button of the check.
const PREFIX: &str = "c:";

/// The callback data of the button for `action` under the question `asked`.
pub fn callback_data(asked: &Asked<'_>, action: Move) -> String {
    let code = match action {
        Move::Answer(CheckAnswer::Yes) => 'y',
        Move::Answer(CheckAnswer::No) => 'n',
        Move::Answer(CheckAnswer::Unsure) => 'u',
        Move::Back => 'b',
        Move::Stop => 's',
    };
    format!("{PREFIX}{}:{}:{code}", asked.run, asked.step)
}

/// The press a button's callback data describes, or `None` when the data is
/// not a check button (it may be another kind of button, or unknown).
pub fn press_of(data: &str) -> Option<Press> {
    let mut fields = data.strip_prefix(PREFIX)?.split(':');
    let run = fields.next()?.parse().ok()?;
    let step = fields.next()?.parse().ok()?;
    let action = match fields.next()? {
        "y" => Move::Answer(CheckAnswer::Yes),
        "n" => Move::Answer(CheckAnswer::No),
        "u" => Move::Answer(CheckAnswer::Unsure),
        "b" => Move::Back,
        "s" => Move::Stop,
        _ => return None,
    };
    fields.next().is_none().then_some(Press { run, step, action })
}

/// A question with its buttons: Yes, No, Not sure on one row, Back and Stop below.
pub fn question_reply(check: &Check, asked: &Asked<'_>, intro: bool) -> Reply {
    let labels = check.buttons();
    let button = |label: &str, action| InlineKeyboardButton::callback(label, callback_data(asked, action));
    let keyboard = InlineKeyboardMarkup::new([
        vec![
            button(&labels.yes, Move::Answer(CheckAnswer::Yes)),
            button(&labels.no, Move::Answer(CheckAnswer::No)),
            button(&labels.unsure, Move::Answer(CheckAnswer::Unsure)),
        ],
        vec![button(&labels.back, Move::Back), button(&labels.stop, Move::Stop)],
    ]);
    Reply::new(&check.question_layout(asked, intro), Some(keyboard))
}

/// Starts a new check in the chat of `message`, owned by its sender and asked
/// in `lang` (any earlier check there ends), and returns its first question.
pub(super) async fn start(state: &BotState, message: &Message, lang: &str) -> Reply {
    let now = now_secs();
    let voice = state.engine.voice(lang);
    let check = &voice.check;
    let owner = message.from.as_ref().map(|sender| sender.id.0);
    let (mut progress, asked) = check.start(owner, now_millis(), now);
    progress.lang = (!voice.is_english()).then(|| voice.id.to_string());
    let reply = question_reply(check, &asked, true);
    state.chats.keep_check(message.chat.id, Some(progress), now).await;
    reply
}

/// A press on a check button: acknowledged at once (with a notice when it
/// changes nothing), then the next question, the stop text or the summary.
pub(super) async fn on_press(
    state: Arc<BotState>,
    update: Update,
    query: CallbackQuery,
    press: Press,
) -> HandlerResult {
    let started = Instant::now();
    let english = state.engine.check().texts();
    let notice = |action: &'static str, text: String| (action, Some(text));
    let slow_down = || state.engine.texts().telegram.slow_down.clone();
    let refused = match state.flood.check(query.from.id.0) {
        Admission::Allowed => None,
        Admission::SlowDown => Some(notice("slow_down", slow_down())),
        Admission::Drop => Some(("dropped", None)),
    };
    if let Some((action, text)) = refused {
        let acknowledged = state.outbox.answer_callback(&query.id, text.as_deref()).await;
        let acknowledged = acknowledged.map(|()| 0).map_err(|error| state.redactor.error(&error));
        report::handled(&update, started, action, None, acknowledged.as_ref().map(|n| *n).map_err(String::as_str));
        return Ok(());
    }
    let now = now_secs();
    let Some(message) = query.message.as_ref() else {
        return acknowledge(&state, &update, &query, started, notice("check_ended", english.ended.clone())).await;
    };
    let chat = message.chat().id;
    let Some(progress) = state.chats.check(chat, now).await else {
        return acknowledge(&state, &update, &query, started, notice("check_ended", english.ended.clone())).await;
    };
    // The check goes on in the language it was started in.
    let check = &state.engine.voice(progress.lang.as_deref().unwrap_or(ENGLISH)).check;
    let texts = check.texts();
    let applied = match check.apply(&progress, press, Some(query.from.id.0), now) {
        Ok(applied) => applied,
        Err(refusal) => {
            let (action, text) = match refusal {
                Refusal::NotYours => ("check_not_yours", &texts.not_yours),
                Refusal::AlreadyAnswered => ("check_stale", &texts.already_answered),
                Refusal::AlreadyFirst => ("check_first", &texts.first_question),
            };
            return acknowledge(&state, &update, &query, started, notice(action, text.clone())).await;
        }
    };
    if let Err(error) = state.outbox.answer_callback(&query.id, None).await {
        tracing::warn!(update = update.id.0, error = %state.redactor.error(&error), "answerCallbackQuery failed");
    }
    let place = (chat, message.id());
    let target = button_target(&query);
    match applied {
        Applied::Ask { progress, asked } => {
            let shown = show(&state, place, target, &question_reply(check, &asked, false)).await;
            if shown.is_ok() {
                state.chats.keep_check(chat, Some(progress), now).await;
            }
            logged(&state, &update, started, "check_answer", target, shown).await;
        }
        Applied::Stopped => {
            state.chats.keep_check(chat, None, now).await;
            let shown = show(&state, place, target, &Reply::plain(&texts.stopped)).await;
            logged(&state, &update, started, "check_stop", target, shown).await;
        }
        Applied::Finished(summary) => {
            let reply = Reply::new(&summary.layout(), None);
            match state.outbox.deliver(&target, &reply).await {
                Ok(parts) => {
                    state.chats.keep_check(chat, None, now).await;
                    // The last question keeps no buttons; the summary is below it.
                    let finished =
                        Reply::new(Layout::default().paragraph([Span::plain(texts.finished.as_str())]), None);
                    if let Err(error) = edit(&state, place, &finished).await {
                        tracing::warn!(update = update.id.0, error = %state.redactor.error(&error), "the last question could not be closed");
                    }
                    report::handled(&update, started, "check_summary", None, Ok(parts));
                }
                Err(error) => {
                    // The check stays where it was: the last answer can be pressed again.
                    logged(&state, &update, started, "check_summary", target, Err(error)).await;
                }
            }
        }
    }
    Ok(())
}

/// Answers the press with `notice` and logs it as `action`; nothing else changes.
async fn acknowledge(
    state: &BotState,
    update: &Update,
    query: &CallbackQuery,
    started: Instant,
    (action, notice): (&'static str, Option<String>),
) -> HandlerResult {
    let acknowledged = state.outbox.answer_callback(&query.id, notice.as_deref()).await;
    let acknowledged = acknowledged.map(|()| 0).map_err(|error| state.redactor.error(&error));
    report::handled(update, started, action, None, acknowledged.as_ref().map(|n| *n).map_err(String::as_str));
    Ok(())
}

/// Shows `reply` (one short message) in place of the bot's message at
/// `place`, or, when Telegram no longer lets it be edited, as a new message.
async fn show(
    state: &BotState,
    place: (teloxide::types::ChatId, teloxide::types::MessageId),
    target: Target,
    reply: &Reply,
) -> Result<usize, RequestError> {
    match edit(state, place, reply).await {
        Ok(()) => Ok(1),
        Err(RequestError::Api(
            ApiError::MessageCantBeEdited | ApiError::MessageToEditNotFound | ApiError::MessageIdInvalid,
        )) => state.outbox.deliver(&target, reply).await,
        Err(error) => Err(error),
    }
}

/// Edits the bot's message at `place` into the first part of `reply`, with its
/// buttons; an edit that changes nothing (a double press) is no failure.
async fn edit(
    state: &BotState,
    (chat, message): (teloxide::types::ChatId, teloxide::types::MessageId),
    reply: &Reply,
) -> Result<(), RequestError> {
    let text = reply.parts.first().map_or("", String::as_str);
    match state.outbox.edit(chat, message, text, reply.keyboard.as_ref()).await {
        Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        other => other,
    }
}

/// Logs the outcome of showing a reply; a refused one is followed by the
/// one-line apology at `target`, as for answers.
async fn logged(
    state: &BotState,
    update: &Update,
    started: Instant,
    action: &str,
    target: Target,
    shown: Result<usize, RequestError>,
) {
    match shown {
        Ok(parts) => report::handled(update, started, action, None, Ok(parts)),
        Err(error) => {
            report::handled(update, started, action, None, Err(&state.redactor.error(&error)));
            let apology = Reply::plain(&state.engine.texts().telegram.send_failed);
            if deserves_apology(&error)
                && let Err(again) = state.outbox.deliver(&target, &apology).await
            {
                tracing::warn!(update = update.id.0, error = %state.redactor.error(&again), "apology failed too");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;
    use crate::telegram::keyboard::MAX_CALLBACK_DATA_BYTES;

    #[test]
    fn callback_data_round_trips_within_64_bytes_and_other_data_is_not_a_press() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let check = engine.check();
        let (progress, asked) = check.start(Some(u64::MAX), u64::MAX, u64::MAX);
        let asked = Asked { step: usize::MAX, ..asked };
        for action in [
            Move::Answer(CheckAnswer::Yes),
            Move::Answer(CheckAnswer::No),
            Move::Answer(CheckAnswer::Unsure),
            Move::Back,
            Move::Stop,
        ] {
            let data = callback_data(&asked, action);
            assert!(data.len() < MAX_CALLBACK_DATA_BYTES, "{data}");
            assert_eq!(press_of(&data), Some(Press { run: progress.id, step: usize::MAX, action }));
        }
        for other in ["t:causes", "f:1:up", "c:", "c:1:2", "c:1:2:x", "c:1:2:y:3", "c:a:2:y", "c:1:-2:y", ""] {
            assert_eq!(press_of(other), None, "{other}");
        }
    }

    #[test]
    fn a_question_has_five_buttons_and_the_first_one_the_introduction() {
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let check = engine.check();
        let (_, asked) = check.start(None, 42_000, 42);
        let reply = question_reply(check, &asked, true);
        assert_eq!(reply.parts.len(), 1);
        assert!(reply.parts[0].starts_with(&teloxide::utils::html::escape(&check.texts().intro)));
        assert!(reply.parts[0].contains("<b>Question 1 of"), "{}", reply.parts[0]);
        let buttons: Vec<InlineKeyboardButton> = reply.keyboard.expect("buttons").inline_keyboard.concat();
        let labels: Vec<&str> = buttons.iter().map(|button| button.text.as_str()).collect();
        let names = check.buttons();
        assert_eq!(labels, [&names.yes, &names.no, &names.unsure, &names.back, &names.stop]);
    }
}
