//! Long polling that loses nothing: an update is confirmed to the Bot API only
//! once it has been handled.
//!
//! `getUpdates` with an `offset` confirms every update below it, and a confirmed
//! update is never delivered again. teloxide's own poller confirms an update as
//! soon as it has fetched it, so a bot killed while answering loses the updates
//! in flight. Here the offset sent is the oldest update still being handled: a
//! killed bot gets them again when it restarts (at least once; the ones it had
//! already answered are answered twice). Updates fetched again while still in
//! flight are skipped, and a graceful stop confirms everything it handled.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::stop::StopFlag;
use teloxide::types::UpdateKind;
use teloxide::{Bot, RequestError};
use tokio::task::JoinHandle;

use super::listen::{ALLOWED_UPDATES, UpdateSender};
use super::redact::Redactor;

/// How long one `getUpdates` call waits for updates.
pub const POLLING_TIMEOUT: Duration = Duration::from_secs(10);

/// Updates asked for per `getUpdates` call (the Bot API's maximum).
const BATCH: u8 = 100;

/// Pause when a call returned only updates still in flight, so the poller waits
/// for them to finish instead of asking again at once.
const IN_FLIGHT_PAUSE: Duration = Duration::from_millis(5);

/// The first and the longest pause after a failed `getUpdates`.
const ERROR_PAUSE: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(8));

/// How long the final confirmation may take when stopping.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(1);

/// Which updates were fetched and which are still being handled. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Debug, Default)]
struct Entries {
    /// The lowest update id never handed to the dispatcher.
    next_new: u32,
    /// Handed to the dispatcher and not handled yet.
    in_flight: BTreeSet<u32>,
}

impl Ledger {
    /// Records a fetched update; `true` the first time it is seen, `false` for one
    /// already handed over (fetched again while in flight, or already handled).
    pub fn first_sight(&self, id: u32) -> bool {
        let mut entries = self.entries();
        if id < entries.next_new {
            return false;
        }
        entries.next_new = id.saturating_add(1);
        entries.in_flight.insert(id);
        true
    }

    /// Marks an update as handled: it may be confirmed.
    pub fn handled(&self, id: u32) {
        self.entries().in_flight.remove(&id);
    }

    /// A guard that marks `id` handled when dropped, with all its clones.
    pub fn guard(&self, id: u32) -> HandledOnDrop {
        HandledOnDrop { _guard: Arc::new(Guard { id, ledger: self.clone() }) }
    }

    /// The offset to send: the oldest update in flight, or the next new one.
    /// `None` before anything was fetched.
    pub fn offset(&self) -> Option<i32> {
        let entries = self.entries();
        let first_unconfirmed = entries.in_flight.first().copied().unwrap_or(entries.next_new);
        (entries.next_new > 0).then(|| i32::try_from(first_unconfirmed).unwrap_or(i32::MAX))
    }

    /// Number of updates handed over and not handled yet.
    pub fn in_flight(&self) -> usize {
        self.entries().in_flight.len()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding this lock leaves two integers and a set in a valid
        // state, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Marks an update handled when the last clone is dropped: put in the handler
/// tree's dependencies, it is dropped when the update's handling ends, whether
/// it replied, failed, panicked or was ignored.
#[derive(Debug, Clone)]
pub struct HandledOnDrop {
    _guard: Arc<Guard>,
}

#[derive(Debug)]
struct Guard {
    id: u32,
    ledger: Ledger,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.ledger.handled(self.id);
    }
}

/// Starts polling in a task that feeds `updates` until `stop` is raised or the
/// receiving side is gone. With `drop_pending_updates`, the updates that arrived
/// while the bot was down are skipped.
pub fn spawn(
    bot: Bot,
    ledger: Ledger,
    updates: UpdateSender,
    stop: StopFlag,
    drop_pending_updates: bool,
    redactor: Redactor,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let poller = Poller { bot, ledger, updates, redactor };
        tokio::select! {
            () = poller.run(drop_pending_updates) => {}
            () = stop => {}
        }
    })
}

/// Confirms every handled update to the Bot API, so a restart does not get them
/// again. Updates still in flight stay unconfirmed and come back on restart.
pub async fn confirm_handled(bot: &Bot, ledger: &Ledger, redactor: &Redactor) {
    let Some(offset) = ledger.offset() else { return };
    let request = bot.get_updates().offset(offset).limit(1).timeout(0);
    match tokio::time::timeout(CONFIRM_TIMEOUT, request.send()).await {
        Ok(Ok(_)) => tracing::debug!(offset, in_flight = ledger.in_flight(), "confirmed the handled updates"),
        Ok(Err(error)) => tracing::warn!(error = %redactor.error(&error), "could not confirm the handled updates"),
        Err(_) => tracing::warn!("confirming the handled updates timed out"),
    }
}

struct Poller {
    bot: Bot,
    ledger: Ledger,
    updates: UpdateSender,
    redactor: Redactor,
}

impl Poller {
    async fn run(self, drop_pending_updates: bool) {
        if drop_pending_updates {
            self.skip_pending().await;
        }
        let mut pause = ERROR_PAUSE.0;
        loop {
            let mut request = self.bot.get_updates().limit(BATCH).timeout(POLLING_TIMEOUT.as_secs() as u32);
            request = request.allowed_updates(ALLOWED_UPDATES.to_vec());
            if let Some(offset) = self.ledger.offset() {
                request = request.offset(offset);
            }
            match request.send().await {
                Ok(batch) => {
                    pause = ERROR_PAUSE.0;
                    let fetched = batch.len();
                    let mut fresh = 0;
                    for update in batch {
                        if !self.ledger.first_sight(update.id.0) {
                            continue;
                        }
                        fresh += 1;
                        if !self.hand_over(update).await {
                            return;
                        }
                    }
                    if fetched > 0 && fresh == 0 {
                        tokio::time::sleep(IN_FLIGHT_PAUSE).await;
                    }
                }
                Err(RequestError::RetryAfter(wait)) => {
                    tracing::warn!(seconds = wait.seconds(), "getUpdates rate-limited");
                    tokio::time::sleep(wait.duration()).await;
                }
                Err(error) => {
                    tracing::warn!(error = %self.redactor.error(&error), "getUpdates failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(ERROR_PAUSE.1);
                }
            }
        }
    }

    /// Gives an update to the dispatcher; `false` when the dispatcher is gone. An
    /// update teloxide could not parse is skipped and logged by id only (teloxide
    /// would log its raw JSON, the person's text included).
    async fn hand_over(&self, update: Update) -> bool {
        if matches!(update.kind, UpdateKind::Error(_)) {
            tracing::warn!(update = update.id.0, "skipped an update of a kind teloxide cannot parse");
            self.ledger.handled(update.id.0);
            return true;
        }
        let id = update.id.0;
        if self.updates.send(Ok(update)).await.is_err() {
            self.ledger.handled(id);
            return false;
        }
        true
    }

    /// Skips what arrived while the bot was down: the newest pending update sets
    /// the starting point, and the first real call confirms everything before it.
    async fn skip_pending(&self) {
        match self.bot.get_updates().offset(-1).limit(1).timeout(0).send().await {
            Ok(last) => {
                if let Some(update) = last.last() {
                    self.ledger.first_sight(update.id.0);
                    self.ledger.handled(update.id.0);
                    tracing::info!("skipped the updates that arrived while the bot was down");
                }
            }
            Err(error) => tracing::warn!(error = %self.redactor.error(&error), "could not skip the pending updates"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_waits_for_the_oldest_update_in_flight() {
        let ledger = Ledger::default();
        assert_eq!(ledger.offset(), None, "nothing fetched: no offset");
        for id in [10, 11, 12] {
            assert!(ledger.first_sight(id));
        }
        assert!(!ledger.first_sight(11), "fetched again while in flight");
        assert_eq!(ledger.offset(), Some(10));
        ledger.handled(11);
        assert_eq!(ledger.offset(), Some(10), "10 is still in flight");
        ledger.handled(10);
        assert_eq!(ledger.offset(), Some(12));
        ledger.handled(12);
        assert_eq!(ledger.offset(), Some(13), "all handled: confirm everything");
        assert!(!ledger.first_sight(12), "already handled");
        assert!(ledger.first_sight(13));
    }

    #[test]
    fn the_guard_marks_handled_when_its_last_clone_drops() {
        let ledger = Ledger::default();
        ledger.first_sight(5);
        let guard = ledger.guard(5);
        let clone = guard.clone();
        drop(guard);
        assert_eq!(ledger.in_flight(), 1);
        drop(clone);
        assert_eq!(ledger.in_flight(), 0);
        assert_eq!(ledger.offset(), Some(6));
    }

    #[test]
    fn a_panic_while_handling_still_marks_handled() {
        let ledger = Ledger::default();
        ledger.first_sight(1);
        let guard = ledger.guard(1);
        let result = std::panic::catch_unwind(move || {
            let _held = guard;
            panic!("handler failed");
        });
        assert!(result.is_err());
        assert_eq!(ledger.in_flight(), 0);
    }
}
