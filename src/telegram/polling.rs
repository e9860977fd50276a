//! Long polling that loses nothing, as the listener's polling transport.
//!
//! `getUpdates` with an `offset` confirms every update below it, and a confirmed
//! update is never delivered again. Holding the offset back until updates are
//! answered would stall fetching behind one slow reply (the Bot API returns at
//! most 100 updates from the offset), so every fetched update is confirmed by
//! the next call, as teloxide does, but only after it was written to the
//! [`Journal`]. Handled updates are marked done there; on start, the ones never
//! marked are answered again. A graceful stop confirms everything and leaves no
//! journal behind when nothing is unanswered.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::stream::{self, BoxStream};
use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::stop::{StopFlag, mk_stop_token};
use teloxide::{Bot, RequestError};

use super::journal::{Journal, Replay};
use super::listen::{ALLOWED_UPDATES, Listener};
use super::metrics::Metrics;
use super::redact::Redactor;
use super::retry::{RetryPolicy, with_retry};

/// How long one `getUpdates` call waits for updates.
pub const POLLING_TIMEOUT: Duration = Duration::from_secs(10);

/// Updates asked for per `getUpdates` call (the Bot API's maximum).
const BATCH: u8 = 100;

/// The first and the longest pause after a failed `getUpdates`.
const ERROR_PAUSE: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(8));

/// How long the final confirmation may take when stopping.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(1);

/// Which updates were fetched, which are still being handled, and the journal
/// that keeps them across a kill. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Debug, Default)]
struct Entries {
    /// The lowest update id never handed to the dispatcher.
    next_new: u32,
    /// Handed to the dispatcher and not handled yet, with their JSON.
    in_flight: BTreeMap<u32, String>,
    /// `None` when the journal could not be opened: then a kill may lose the
    /// updates in flight, as with teloxide's own poller.
    journal: Option<Journal>,
    /// Stopping: remove the journal once nothing is in flight.
    closing: bool,
}

impl Ledger {
    /// A ledger that keeps its journal at `path`, and what the journal held from
    /// the last run. Without a usable journal (say the folder is read-only) it
    /// logs why and works without one.
    pub fn open(path: &Path) -> (Ledger, Replay) {
        match Journal::open(path) {
            Ok((journal, replay)) => {
                if !replay.unanswered.is_empty() {
                    tracing::info!(
                        count = replay.unanswered.len(),
                        "answering updates left unanswered by the last run"
                    );
                }
                let entries = Entries { journal: Some(journal), ..Entries::default() };
                (Ledger { inner: Arc::new(Mutex::new(entries)) }, replay)
            }
            Err(error) => {
                tracing::warn!(%error, "no polling journal: updates in flight may be lost if the bot is killed");
                (Ledger::default(), Replay::default())
            }
        }
    }

    /// Treats every update up to `id` as seen: the Bot API may send again what
    /// the last run fetched but had not confirmed yet.
    pub fn skip_through(&self, id: u32) {
        let mut entries = self.entries();
        entries.next_new = entries.next_new.max(id.saturating_add(1));
    }

    /// Records fetched updates: those seen for the first time are written to the
    /// journal and returned, to be handed over; the rest (already handed over)
    /// are dropped.
    pub fn fetched(&self, batch: Vec<Update>) -> Vec<Update> {
        let mut entries = self.entries();
        let mut fresh = Vec::with_capacity(batch.len());
        let mut written = Vec::with_capacity(batch.len());
        for update in batch {
            let id = update.id.0;
            if id < entries.next_new {
                continue;
            }
            entries.next_new = id.saturating_add(1);
            let json = serde_json::to_string(&update).unwrap_or_default();
            entries.in_flight.insert(id, json.clone());
            written.push((id, json));
            fresh.push(update);
        }
        entries.write(&written, &[]);
        fresh
    }

    /// Marks an update as handled, in the journal at once: the fewer answered
    /// updates a kill leaves unmarked, the fewer are answered twice. When it was
    /// the last one in flight, the journal is emptied instead (or removed, when
    /// stopping).
    pub fn handled(&self, id: u32) {
        let mut entries = self.entries();
        if entries.in_flight.remove(&id).is_none() {
            return;
        }
        if !entries.in_flight.is_empty() {
            entries.write(&[], &[id]);
        } else if entries.closing {
            entries.remove_journal();
        } else {
            let seen = entries.next_new.saturating_sub(1);
            if let Some(journal) = entries.journal.as_mut()
                && let Err(error) = journal.clear(seen)
            {
                tracing::warn!(%error, "could not empty the polling journal");
            }
        }
    }

    /// A guard that marks `id` handled when dropped, with all its clones.
    pub fn guard(&self, id: u32) -> HandledOnDrop {
        HandledOnDrop { _guard: Arc::new(Guard { id, ledger: self.clone() }) }
    }

    /// The offset that confirms every update fetched so far; `None` before the
    /// first fetch.
    pub fn offset(&self) -> Option<i32> {
        let next_new = self.entries().next_new;
        (next_new > 0).then(|| i32::try_from(next_new).unwrap_or(i32::MAX))
    }

    /// Number of updates handed over and not handled yet.
    pub fn in_flight(&self) -> usize {
        self.entries().in_flight.len()
    }

    /// The bot is stopping: removes the journal now if nothing is left
    /// unanswered, or once the updates in flight are handled.
    pub fn close(&self) {
        let mut entries = self.entries();
        entries.closing = true;
        if entries.in_flight.is_empty() {
            entries.remove_journal();
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding this lock leaves the entries valid (each change
        // is a single insert or remove), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entries {
    /// Appends to the journal, and rewrites it with only the updates in flight
    /// once it has grown. A failed write is logged; the bot goes on.
    fn write(&mut self, fetched: &[(u32, String)], done: &[u32]) {
        let Some(journal) = self.journal.as_mut() else { return };
        let mut result = journal.record(fetched, done);
        if result.is_ok() && journal.wants_compaction() {
            let unanswered: Vec<(u32, String)> = self.in_flight.iter().map(|(id, json)| (*id, json.clone())).collect();
            result = journal.rewrite(&unanswered, self.next_new.checked_sub(1));
        }
        if let Err(error) = result {
            tracing::warn!(%error, "could not write the polling journal");
        }
    }

    fn remove_journal(&mut self) {
        if let Some(journal) = self.journal.take()
            && let Err(error) = journal.remove()
        {
            tracing::warn!(%error, "could not remove the polling journal");
        }
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

/// The polling listener, after `deleteWebhook` (long polling is refused while
/// a webhook is set): first what the last run left unanswered (from the
/// journal at `journal`), then, with `drop_pending_updates`, skips what arrived
/// while the bot was down, then fetches with `getUpdates` until stopped. On
/// stop it hands over what it fetched already, confirms everything to the Bot
/// API and closes the journal: what is still in flight then stays in it until
/// handled, and is answered on the next start if the bot is killed first.
/// Every update handled must be marked with [`Ledger::guard`] (see
/// [`Listener::handler`]).
pub async fn listener(
    bot: &Bot,
    journal: &Path,
    drop_pending_updates: bool,
    policy: &RetryPolicy,
    redactor: &Redactor,
    metrics: &Arc<Metrics>,
) -> Listener {
    let request = bot.delete_webhook();
    if let Err(error) = with_retry(policy, || request.send_ref(), |_, _, _| {}).await {
        // `getUpdates` will then say what is wrong.
        tracing::warn!(error = %redactor.error(&error), "deleteWebhook failed");
    }
    tracing::info!("receiving updates by long polling");
    let (ledger, replay) = Ledger::open(journal);
    let backlog = ledger.clone();
    metrics.watch_backlog(move || backlog.in_flight());
    // Left unanswered by the last run: the Bot API may not send them again.
    let pending: VecDeque<Update> = ledger.fetched(replay.unanswered).into();
    if let Some(last) = replay.last_fetched {
        ledger.skip_through(last);
    }
    let (stop, stopped) = mk_stop_token();
    let (bot, redactor) = (bot.clone(), redactor.clone());
    let metrics = metrics.clone();
    let mut poller = Poller { bot, ledger: ledger.clone(), redactor, metrics, stopped, pending, pause: ERROR_PAUSE.0 };
    if drop_pending_updates {
        poller.skip_pending().await;
    }
    let updates: BoxStream<'static, Update> =
        Box::pin(stream::unfold(
            poller,
            |mut poller| async move { poller.next().await.map(|update| (update, poller)) },
        ));
    Listener::new(updates, stop, Some(ledger))
}

struct Poller {
    bot: Bot,
    ledger: Ledger,
    redactor: Redactor,
    metrics: Arc<Metrics>,
    stopped: StopFlag,
    /// Fetched and not handed over yet.
    pending: VecDeque<Update>,
    /// The pause after the next failed `getUpdates`.
    pause: Duration,
}

impl Poller {
    /// The next update; `None` once stopped with nothing left to hand over.
    async fn next(&mut self) -> Option<Update> {
        loop {
            if let Some(update) = self.pending.pop_front() {
                return Some(update);
            }
            let stopped = self.stopped.clone();
            if stopped.is_stopped() {
                self.finish().await;
                return None;
            }
            tokio::select! {
                batch = self.fetch() => self.pending.extend(self.ledger.fetched(batch)),
                () = stopped => {}
            }
        }
    }

    /// One `getUpdates` call from the ledger's offset; on failure, nothing
    /// after a pause (doubling after each failure in a row).
    async fn fetch(&mut self) -> Vec<Update> {
        let mut request = self.bot.get_updates().limit(BATCH).timeout(POLLING_TIMEOUT.as_secs() as u32);
        request = request.allowed_updates(ALLOWED_UPDATES.to_vec());
        if let Some(offset) = self.ledger.offset() {
            request = request.offset(offset);
        }
        self.metrics.api_request("getUpdates");
        let result = request.send().await;
        if result.is_err() {
            self.metrics.api_failure("getUpdates");
        }
        match result {
            Ok(batch) => {
                self.pause = ERROR_PAUSE.0;
                return batch;
            }
            Err(RequestError::RetryAfter(wait)) => {
                tracing::warn!(seconds = wait.seconds(), "getUpdates rate-limited");
                tokio::time::sleep(wait.duration()).await;
            }
            Err(error) => {
                tracing::warn!(error = %self.redactor.error(&error), "getUpdates failed; retrying");
                tokio::time::sleep(self.pause).await;
                self.pause = (self.pause * 2).min(ERROR_PAUSE.1);
            }
        }
        Vec::new()
    }

    /// Skips what arrived while the bot was down: the newest pending update sets
    /// the starting point, and the first real call confirms everything before it.
    async fn skip_pending(&mut self) {
        match self.bot.get_updates().offset(-1).limit(1).timeout(0).send().await {
            Ok(last) => {
                for update in self.ledger.fetched(last) {
                    self.ledger.handled(update.id.0);
                    tracing::info!("skipped the updates that arrived while the bot was down");
                }
            }
            Err(error) => tracing::warn!(error = %self.redactor.error(&error), "could not skip the pending updates"),
        }
    }

    /// Confirms every fetched update to the Bot API and closes the journal.
    async fn finish(&self) {
        self.ledger.close();
        let Some(offset) = self.ledger.offset() else { return };
        let request = self.bot.get_updates().offset(offset).limit(1).timeout(0);
        match tokio::time::timeout(CONFIRM_TIMEOUT, request.send()).await {
            Ok(Ok(_)) => tracing::debug!(offset, in_flight = self.ledger.in_flight(), "confirmed the fetched updates"),
            Ok(Err(error)) => {
                tracing::warn!(error = %self.redactor.error(&error), "could not confirm the fetched updates")
            }
            Err(_) => tracing::warn!("confirming the fetched updates timed out"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use teloxide::types::UpdateKind;

    use super::*;

    fn update(id: u32) -> Update {
        // From text, as updates arrive: from a `Value`, teloxide cannot read the message.
        let json = json!({"update_id": id, "message": {"message_id": id, "date": 1_700_000_000,
            "chat": {"id": 7, "type": "private", "first_name": "A"},
            "from": {"id": 7, "is_bot": false, "first_name": "A"}, "text": "are they dangerous?"}});
        let update: Update = serde_json::from_str(&json.to_string()).expect("a valid update");
        assert!(!matches!(update.kind, UpdateKind::Error(_)), "a message");
        update
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("hypnic-polling-test-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir.join("bot.journal")
    }

    #[test]
    fn every_fetched_update_is_confirmed_and_handed_over_once() {
        let ledger = Ledger::default();
        assert_eq!(ledger.offset(), None, "nothing fetched: no offset");
        let fresh = ledger.fetched(vec![update(10), update(11)]);
        assert_eq!(fresh.len(), 2);
        assert_eq!(ledger.offset(), Some(12), "confirms what was fetched, handled or not");
        assert!(ledger.fetched(vec![update(11)]).is_empty(), "fetched again: skipped");
        ledger.handled(10);
        assert_eq!(ledger.in_flight(), 1);
    }

    #[test]
    fn an_update_in_flight_when_killed_comes_back_on_the_next_start() {
        let path = scratch("kill");
        let (ledger, replay) = Ledger::open(&path);
        assert!(replay.unanswered.is_empty());
        let mut guards: Vec<_> =
            ledger.fetched(vec![update(1), update(2)]).iter().map(|u| ledger.guard(u.id.0)).collect();
        let second = guards.pop();
        drop(guards); // 1 answered
        std::mem::forget(second); // killed while 2 is being answered: its handling never ends
        drop(ledger);
        let (ledger, replay) = Ledger::open(&path);
        assert_eq!(replay.unanswered.iter().map(|u| u.id.0).collect::<Vec<_>>(), [2]);
        assert_eq!(ledger.fetched(replay.unanswered).len(), 1, "the unanswered update is handed over");
        ledger.skip_through(replay.last_fetched.expect("two were fetched"));
        assert!(ledger.fetched(vec![update(1), update(2)]).is_empty(), "sent again by the Bot API: not twice");
        ledger.handled(2);
        ledger.close();
        assert!(!path.exists(), "a clean stop with nothing unanswered leaves no journal");
        std::fs::remove_dir_all(path.parent().expect("a folder")).expect("cleaned up");
    }

    #[test]
    fn once_nothing_is_unanswered_the_journal_holds_no_message() {
        let path = scratch("quiet");
        let (ledger, _) = Ledger::open(&path);
        let guards: Vec<_> = ledger.fetched(vec![update(5), update(6)]).iter().map(|u| ledger.guard(u.id.0)).collect();
        let held = std::fs::read_to_string(&path).expect("a journal");
        assert!(held.contains("dangerous"), "kept while unanswered: {held}");
        drop(guards);
        let kept = std::fs::read_to_string(&path).expect("a journal");
        assert!(!kept.contains("dangerous") && !kept.contains("\"chat\""), "{kept}");
        drop(ledger); // killed while idle
        let (ledger, replay) = Ledger::open(&path);
        assert!(replay.unanswered.is_empty());
        assert_eq!(replay.last_fetched, Some(6), "what was fetched is not answered again");
        ledger.close();
        assert!(!path.exists());
        std::fs::remove_dir_all(path.parent().expect("a folder")).expect("cleaned up");
    }

    #[test]
    fn a_panic_while_handling_still_marks_handled() {
        let ledger = Ledger::default();
        ledger.fetched(vec![update(1)]);
        let guard = ledger.guard(1);
        let result = std::panic::catch_unwind(move || {
            let _held = guard;
            panic!("handler failed");
        });
        assert!(result.is_err());
        assert_eq!(ledger.in_flight(), 0);
    }
}
