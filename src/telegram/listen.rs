//! Where the dispatcher's updates come from: one teloxide [`UpdateListener`]
//! over either transport, long polling ([`super::polling`]) or the webhook
//! server ([`super::webhook`]). Every update passes through [`Listener`]'s
//! screen, the one place where an update teloxide cannot parse is dropped with
//! a log line naming only its id (teloxide's dispatcher would log its raw JSON,
//! the person's text included), and where each update gets its turn in its
//! chat ([`ChatTurns`]).

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::ops::ControlFlow;

use futures::StreamExt;
use futures::stream::BoxStream;
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::{self, HandlerDescription, HandlerSignature};
use teloxide::stop::StopToken;
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use super::polling::Ledger;
use super::turns::ChatTurns;

/// The update kinds the bot asks for, in both transports: what the handler tree
/// handles. Edited messages are not even fetched: they are never answered again.
pub const ALLOWED_UPDATES: [AllowedUpdate; 3] =
    [AllowedUpdate::Message, AllowedUpdate::CallbackQuery, AllowedUpdate::InlineQuery];

/// The updates of one transport, until its stop token is used.
pub struct Listener {
    updates: BoxStream<'static, Update>,
    stop: StopToken,
    /// Long polling's record of what is handled; the webhook has none.
    ledger: Option<Ledger>,
    /// The order in which each chat's updates are handled.
    turns: ChatTurns,
}

impl Listener {
    /// A listener over `updates`, which must end once `stop` is used. With a
    /// `ledger`, each update is marked handled when its handling ends.
    pub fn new(updates: BoxStream<'static, Update>, stop: StopToken, ledger: Option<Ledger>) -> Listener {
        Listener { updates, stop, ledger, turns: ChatTurns::default() }
    }

    /// `tree`, preceded (with a ledger) by a guard that marks each update
    /// handled when its handling ends: replied, failed, panicked or ignored;
    /// then by the wait for the update's turn in its chat; then run on a task
    /// of its own. The dispatcher that runs it must hand every update to its
    /// one concurrent worker (`distribution_function(|_| None)`): the turns
    /// keep each chat's order, and the tasks use every thread of the runtime.
    pub fn handler(&self, tree: UpdateHandler<anyhow::Error>) -> UpdateHandler<anyhow::Error> {
        let turns = self.turns.clone();
        let tree = dptree::entry()
            .map_async(move |update: Update| {
                let turns = turns.clone();
                async move { turns.take(update.id.0).await }
            })
            .chain(on_its_own_task())
            .chain(tree);
        match self.ledger.clone() {
            Some(ledger) => dptree::entry().map(move |update: Update| ledger.guard(update.id.0)).chain(tree),
            None => tree,
        }
    }
}

impl<'a> AsUpdateStream<'a> for Listener {
    type StreamErr = Infallible;
    type Stream = BoxStream<'a, Result<Update, Infallible>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let (ledger, turns) = (self.ledger.clone(), self.turns.clone());
        Box::pin(self.updates.as_mut().filter_map(move |update| {
            let kept = screen(update, ledger.as_ref());
            if let Some(Ok(update)) = &kept {
                turns.give(update);
            }
            std::future::ready(kept)
        }))
    }
}

impl UpdateListener for Listener {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop.clone()
    }
}

/// Runs the rest of the tree on a task of its own: the dispatcher's one
/// worker polls every update's handling on a single task, which would keep
/// them all on one thread. A panic there ends only that update's handling,
/// and is passed on as an error.
fn on_its_own_task() -> UpdateHandler<anyhow::Error> {
    let run = |deps, rest: dptree::Cont<'static, anyhow::Result<()>>| async move {
        match tokio::spawn(rest(deps)).await {
            Ok(flow) => flow,
            // Not the panic's message: it could quote the person's text.
            Err(error) => {
                let how = if error.is_panic() { "panicked" } else { "was cancelled" };
                ControlFlow::Break(Err(anyhow::anyhow!("the handling of an update {how}")))
            }
        }
    };
    // Needs nothing and adds nothing: the rest of the tree is type-checked as if it were not there.
    let signature = HandlerSignature::Other {
        obligations: BTreeMap::new(),
        guaranteed_outcomes: BTreeSet::new(),
        conditional_outcomes: BTreeSet::new(),
        continues: true,
    };
    dptree::from_fn_with_description(DpHandlerDescription::entry(), run, signature)
}

/// The update, unless teloxide could not parse it: then it is logged by id,
/// marked handled, and dropped.
fn screen(update: Update, ledger: Option<&Ledger>) -> Option<Result<Update, Infallible>> {
    if matches!(update.kind, UpdateKind::Error(_)) {
        tracing::warn!(update = update.id.0, "skipped an update of a kind teloxide cannot parse");
        if let Some(ledger) = ledger {
            ledger.handled(update.id.0);
        }
        return None;
    }
    Some(Ok(update))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_teloxide_cannot_parse_is_dropped_and_marked_handled() {
        let unknown: Update =
            serde_json::from_str(r#"{"update_id": 3, "a_kind_from_the_future": {"text": "hi"}}"#).expect("an update");
        assert!(matches!(unknown.kind, UpdateKind::Error(_)));
        let ledger = Ledger::default();
        ledger.fetched(vec![unknown.clone()]);
        assert_eq!(ledger.in_flight(), 1);
        assert!(screen(unknown, Some(&ledger)).is_none());
        assert_eq!(ledger.in_flight(), 0, "nothing is left waiting for it");
        let message = r#"{"update_id": 4, "message": {"message_id": 1, "date": 1700000000,
            "chat": {"id": 7, "type": "private", "first_name": "A"}, "text": "hi"}}"#;
        let message: Update = serde_json::from_str(message).expect("an update");
        assert!(screen(message, None).is_some_and(|kept| kept.is_ok()));
    }
}
