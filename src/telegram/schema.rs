//! The handler tree, in one place, so tests build exactly the tree the bot runs.
//!
//! ```text
//! update (counted by kind)
//! ├─ message ─ for the bot? (classify) ─ within the flood limit? (admit)
//! │  └─ command, question, non-text, unknown command
//! │     or first over the limit ..... on_message
//! ├─ callback query ................. on_button (votes: feedback::on_vote)
//! │  └─ a check button (`c:`) ........ check::on_press
//! └─ inline query ................... inline::on_inline_query
//! ```
//!
//! Anything else (edited messages, channel posts, messages not for the bot)
//! falls through to the dispatcher's default handler, which ignores it.

use std::sync::Arc;

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::dptree;
use teloxide::types::{Message, Update};

use super::flood::Admission;
use super::handlers::{on_button, on_message};
use super::incoming::{Incoming, classify};
use super::inline::on_inline_query;
use super::state::BotState;

/// The whole handler tree. Its one dependency is an `Arc<BotState>`.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message().filter_map(for_the_bot).filter_map(admit).endpoint(on_message);
    let buttons = Update::filter_callback_query().endpoint(on_button);
    let inline = Update::filter_inline_query().endpoint(on_inline_query);
    dptree::entry().inspect(count).branch(messages).branch(buttons).branch(inline)
}

/// Counts every update by its kind, handled or not.
fn count(update: Update, state: Arc<BotState>) {
    state.metrics.update(&update);
}

/// What the message asks of the bot; `None` ends the tree (not for the bot).
fn for_the_bot(message: Message, state: Arc<BotState>) -> Option<Incoming> {
    classify(&message, &state.identity, &state.commands)
}

/// Flood control: within the limit the message goes on; the first one over it
/// becomes [`Incoming::SlowDown`]; the rest of that minute ends here.
fn admit(message: Message, incoming: Incoming, state: Arc<BotState>) -> Option<Incoming> {
    // `classify` only admits messages with a sender.
    let person = message.from.as_ref().map_or(0, |sender| sender.id.0);
    match state.flood.check(person) {
        Admission::Allowed => Some(incoming),
        Admission::SlowDown => {
            state.metrics.flood_dropped();
            Some(Incoming::SlowDown)
        }
        Admission::Drop => {
            state.metrics.flood_dropped();
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use serde_json::json;
    use teloxide::dispatching::Dispatcher;
    use teloxide::types::UserId;
    use teloxide::{Bot, dptree::deps};

    use super::*;
    use crate::engine::Engine;
    use crate::telegram::commands::Commands;
    use crate::telegram::flood::FloodGate;
    use crate::telegram::incoming::Identity;
    use crate::telegram::outbox::Outbox;
    use crate::telegram::redact::Redactor;
    use crate::telegram::retry::RetryPolicy;

    fn state() -> Arc<BotState> {
        let bot = Bot::new("1:test");
        let engine = Engine::embedded().expect("the embedded knowledge loads");
        let metrics = Arc::new(crate::telegram::metrics::Metrics::new());
        Arc::new(BotState {
            engine: engine.clone(),
            identity: Identity { id: UserId(1), username: "hypnic_bot".into() },
            commands: Commands::new(&engine).expect("no shortcut takes a fixed name"),
            chats: crate::telegram::chats::ChatMemory::in_memory(),
            flood: FloodGate::new(20),
            outbox: Outbox::new(bot, None, RetryPolicy::default(), Redactor::default(), metrics.clone()),
            redactor: Redactor::default(),
            metrics,
        })
    }

    fn update(kind: &str, chat: serde_json::Value, text: &str) -> Update {
        serde_json::from_value(json!({"update_id": 1, kind: {"message_id": 2, "date": 1_700_000_000, "chat": chat,
            "from": {"id": 7, "is_bot": false, "first_name": "A"}, "text": text}}))
        .expect("a valid update")
    }

    #[tokio::test]
    async fn the_tree_needs_only_the_state_and_passes_on_what_is_not_for_the_bot() {
        let state = state();
        // `build` type-checks the tree against the dependencies and panics if one is missing.
        let _dispatcher = Dispatcher::builder(Bot::new("1:test"), schema()).dependencies(deps![state.clone()]).build();
        let group = json!({"id": -5, "type": "supergroup", "title": "G"});
        let private = json!({"id": 7, "type": "private", "first_name": "A"});
        for update in [update("message", group, "just chatting"), update("edited_message", private, "are they bad?")] {
            let result = schema().dispatch(deps![update, state.clone()]).await;
            assert!(matches!(result, ControlFlow::Continue(_)), "not for the bot, so not handled");
        }
    }
}
