//! What this process knows the SQLite file holds, or is about to hold, for
//! each chat it has read or written: the file belongs to one bot process, so
//! every write goes through here and a chat's context is read from the file
//! only the first time it is needed (and again after an eviction).
//!
//! An entry is evicted by the sweep once what it holds has expired and no
//! write of it is under way, so the cache holds about the chats of the last
//! half hour, as the file does. A change that equals what the file is known
//! to hold is not written again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use teloxide::types::ChatId;

use super::commits::Change;
use crate::conversation::ChatContext;

/// The chats' contexts as the file holds them, or will once their writes
/// are committed. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    entries: Arc<Mutex<HashMap<ChatId, Known>>>,
}

/// One chat's entry.
#[derive(Debug)]
struct Known {
    /// The chat's context as last read or written; `None`: no row.
    context: Change,
    /// Counts the writes of this entry; 0 for what was read from the file.
    generation: u64,
    /// The generation last committed to the file.
    saved: u64,
    /// Writes queued or being committed.
    queued: u32,
}

impl Cache {
    /// The context of `chat`, when known; `None` when the file must be read.
    pub fn get(&self, chat: ChatId) -> Option<Change> {
        self.entries().get(&chat).map(|known| known.context.clone())
    }

    /// Records what the file held for `chat` when it was read, unless a write
    /// came first; returns the context the chat now has.
    pub fn fill(&self, chat: ChatId, read: Change) -> Change {
        let mut entries = self.entries();
        let known = entries.entry(chat).or_insert(Known { context: read, generation: 0, saved: 0, queued: 0 });
        known.context.clone()
    }

    /// Whether the file holds `change` for `chat` already, with no write of
    /// the chat under way: then there is nothing to write.
    pub fn holds(&self, chat: ChatId, change: &Change) -> bool {
        self.entries()
            .get(&chat)
            .is_some_and(|known| known.queued == 0 && known.saved == known.generation && known.context == *change)
    }

    /// Records `change` as the context of `chat` before it is written; the
    /// returned guard is told whether the write was committed.
    pub fn queue(&self, chat: ChatId, change: Change) -> Queued {
        let mut entries = self.entries();
        let known = entries.entry(chat).or_insert(Known { context: None, generation: 0, saved: 0, queued: 0 });
        known.context = change;
        known.generation += 1;
        known.queued += 1;
        Queued { cache: self.clone(), chat, generation: known.generation, committed: false }
    }

    /// Forgets the entries whose context has expired at `now` (or that hold
    /// none) and that no write is under way for; returns how many are left.
    pub fn evict(&self, now: u64) -> usize {
        let mut entries = self.entries();
        entries.retain(|_, known| known.queued > 0 || known.context.as_ref().is_some_and(|c| fresh_at(c, now)));
        entries.len()
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<ChatId, Known>> {
        // Each change under the lock leaves the map valid, so a lock poisoned
        // by a panic elsewhere still guards a usable cache.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether anything `context` holds is still fresh at `now`.
fn fresh_at(context: &ChatContext, now: u64) -> bool {
    context.fresh_until() >= now
}

/// A write of one chat's entry, queued and not finished: its entry stays
/// until it is dropped, and is marked saved if the write was committed.
#[derive(Debug)]
pub struct Queued {
    cache: Cache,
    chat: ChatId,
    generation: u64,
    committed: bool,
}

impl Queued {
    /// The write was committed: the file holds this generation (or a later
    /// one, if written since).
    pub fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        let mut entries = self.cache.entries();
        if let Some(known) = entries.get_mut(&self.chat) {
            known.queued = known.queued.saturating_sub(1);
            // Commits run one after another: a later generation committed is
            // what the file holds, whichever writer hears of it first.
            if self.committed {
                known.saved = known.saved.max(self.generation);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::CONTEXT_TTL_SECS;

    fn context(topic: &str, updated_at: u64) -> Change {
        Some(ChatContext { topic: Some(topic.into()), updated_at, ..ChatContext::default() })
    }

    #[test]
    fn a_read_does_not_replace_a_write_made_while_it_ran() {
        let cache = Cache::default();
        let chat = ChatId(7);
        assert_eq!(cache.get(chat), None, "unknown: read the file");
        cache.queue(chat, context("doctor", 10)).committed();
        assert_eq!(cache.fill(chat, context("safety", 5)), context("doctor", 10));
        assert_eq!(cache.fill(ChatId(8), None), None);
        assert_eq!(cache.get(ChatId(8)), Some(None), "known to hold nothing");
    }

    #[test]
    fn only_what_the_file_is_known_to_hold_is_not_written_again() {
        let cache = Cache::default();
        let chat = ChatId(7);
        assert!(!cache.holds(chat, &None), "unknown");
        cache.fill(chat, context("safety", 5));
        assert!(cache.holds(chat, &context("safety", 5)));
        assert!(!cache.holds(chat, &context("safety", 6)));
        let first = cache.queue(chat, context("doctor", 10));
        assert!(!cache.holds(chat, &context("doctor", 10)), "not committed yet");
        let second = cache.queue(chat, context("causes", 11));
        // The later write is committed first, then the earlier one hears of its own.
        second.committed();
        first.committed();
        assert!(cache.holds(chat, &context("causes", 11)));
        drop(cache.queue(chat, None));
        assert!(!cache.holds(chat, &None), "a failed write is not known to be kept");
        assert_eq!(cache.get(chat), Some(None));
    }

    #[test]
    fn expired_entries_go_unless_a_write_is_under_way() {
        let cache = Cache::default();
        let now = 100_000;
        cache.fill(ChatId(1), context("safety", now - CONTEXT_TTL_SECS - 1));
        cache.fill(ChatId(2), context("safety", now - CONTEXT_TTL_SECS));
        cache.fill(ChatId(3), None);
        let writing = cache.queue(ChatId(4), None);
        assert_eq!(cache.evict(now), 2);
        assert_eq!(cache.get(ChatId(1)), None);
        assert_eq!(cache.get(ChatId(2)), Some(context("safety", now - CONTEXT_TTL_SECS)));
        assert_eq!(cache.get(ChatId(4)), Some(None), "kept while its write is under way");
        drop(writing);
        assert_eq!(cache.evict(now), 1);
    }
}
