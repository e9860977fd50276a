//! The `getUpdates` queue, with Telegram's semantics: a call with `offset`
//! confirms (forgets) every update below it, a negative offset keeps only the
//! last `-offset` updates; the call returns up to `limit` (default 100, at most
//! 100) of the remaining updates, and when there are none it waits up to
//! `timeout` seconds, answering as soon as one arrives. Updates are kept as
//! JSON text, so answering is string concatenation.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Notify;

/// The longest long poll served, whatever the bot asks.
const MAX_WAIT: Duration = Duration::from_secs(50);

/// The parameters of a `getUpdates` call.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Fetch {
    /// Confirms every update below it; negative: keep the last `-offset`.
    #[serde(default)]
    pub offset: i64,
    /// How many updates at most (1-100, default 100).
    pub limit: Option<u32>,
    /// Seconds to wait when there is no update.
    pub timeout: Option<u64>,
}

#[derive(Default)]
struct State {
    pending: VecDeque<(i64, String)>,
    next_id: i64,
}

/// Updates not confirmed yet.
#[derive(Default)]
pub struct UpdateQueue {
    state: Mutex<State>,
    arrived: Notify,
    served: AtomicU64,
    most_pending: AtomicU64,
}

impl UpdateQueue {
    /// An empty queue whose first update id is 1.
    pub fn new() -> UpdateQueue {
        UpdateQueue { state: Mutex::new(State { pending: VecDeque::new(), next_id: 1 }), ..UpdateQueue::default() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something did, the queue is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `update`, a JSON object without its `update_id` (`{"message":{...}}`),
    /// and returns the `update_id` given to it.
    pub fn push(&self, update: &str) -> i64 {
        let fields = update.trim().strip_prefix('{').unwrap_or(update);
        let comma = if fields.trim_start().starts_with('}') { "" } else { "," };
        let id = {
            let mut state = self.lock();
            let id = state.next_id;
            state.next_id += 1;
            state.pending.push_back((id, format!(r#"{{"update_id":{id}{comma}{fields}"#)));
            self.most_pending.fetch_max(state.pending.len() as u64, Ordering::Relaxed);
            id
        };
        self.arrived.notify_waiters();
        id
    }

    /// Updates waiting to be confirmed.
    pub fn pending(&self) -> usize {
        self.lock().pending.len()
    }

    /// The most updates ever waiting in the queue at once, fetched (not yet
    /// confirmed by the next call) or not.
    pub fn most_pending(&self) -> u64 {
        self.most_pending.load(Ordering::Relaxed)
    }

    /// Updates returned by `getUpdates` so far, counting each time one is
    /// returned again (not confirmed yet).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Serves one `getUpdates` call: the whole `{"ok":true,"result":[...]}` body.
    pub async fn fetch(&self, fetch: Fetch) -> String {
        let limit = fetch.limit.map_or(100, |limit| limit.clamp(1, 100)) as usize;
        let wait = Duration::from_secs(fetch.timeout.unwrap_or(0)).min(MAX_WAIT);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Created before looking, so an update pushed in between still wakes us.
            let arrived = self.arrived.notified();
            {
                let mut state = self.lock();
                confirm(&mut state.pending, fetch.offset);
                if !state.pending.is_empty() || tokio::time::Instant::now() >= deadline {
                    let count = state.pending.len().min(limit);
                    self.served.fetch_add(count as u64, Ordering::Relaxed);
                    return answer(state.pending.iter().take(count).map(|(_, json)| json.as_str()));
                }
            }
            // Woken or timed out: look once more, then answer (maybe `[]`).
            let _ = tokio::time::timeout_at(deadline, arrived).await;
        }
    }
}

/// Forgets what `offset` confirms.
fn confirm(pending: &mut VecDeque<(i64, String)>, offset: i64) {
    if offset > 0 {
        while pending.front().is_some_and(|(id, _)| *id < offset) {
            pending.pop_front();
        }
    } else if offset < 0 {
        let keep = offset.unsigned_abs() as usize;
        let drop = pending.len().saturating_sub(keep);
        pending.drain(..drop);
    }
}

fn answer<'a>(updates: impl Iterator<Item = &'a str>) -> String {
    let mut body = String::from(r#"{"ok":true,"result":["#);
    for (index, update) in updates.enumerate() {
        if index > 0 {
            body.push(',');
        }
        body.push_str(update);
    }
    body.push_str("]}");
    body
}
