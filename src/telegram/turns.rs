//! One chat's updates are handled one at a time, in the order they arrived;
//! different chats' updates are handled side by side.
//!
//! teloxide's dispatcher can keep that order itself, with a worker task and a
//! channel per chat. A tokio channel allocates its slots 32 at a time, though,
//! and an `Update` is about 2 KB, so every chat with an update in flight would
//! hold 62 to 124 KB. Instead, the dispatcher hands every update to its one
//! concurrent worker, and [`ChatTurns`] gives each update a turn as the
//! listener yields it: the update waits until the one before it in the same
//! chat has been handled, signalled by a one-shot channel of a few dozen bytes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use teloxide::types::{ChatId, Update};
use tokio::sync::oneshot;

/// The turns of the updates given to the dispatcher and not handled yet. Cheap
/// to clone.
#[derive(Debug, Clone, Default)]
pub struct ChatTurns {
    inner: Arc<Mutex<Queue>>,
}

#[derive(Debug, Default)]
struct Queue {
    /// Per chat, the last update given a turn: its number, and the receiver that
    /// learns when its handling ends (taken by the next update of the chat).
    last: HashMap<ChatId, Last>,
    /// Turns given and not yet taken by their handler, by update id (a list,
    /// in case Telegram sends one update twice).
    given: HashMap<u32, Vec<Waiting>>,
    /// The number of the next turn.
    next: u64,
}

#[derive(Debug)]
struct Last {
    number: u64,
    ended: oneshot::Receiver<()>,
}

/// A turn given and not taken yet.
#[derive(Debug)]
struct Waiting {
    /// Resolves (or closes) when the chat's previous update has been handled.
    after: Option<oneshot::Receiver<()>>,
    end: TurnEnd,
}

impl ChatTurns {
    /// Gives `update` its turn after the updates of its chat given before it.
    /// Call it in the order updates arrive. An update without a chat (an
    /// inline query) waits for nothing.
    pub fn give(&self, update: &Update) {
        let Some(chat) = update.chat().map(|chat| chat.id) else { return };
        let mut queue = self.queue();
        let number = queue.next;
        queue.next += 1;
        let (signal, ended) = oneshot::channel();
        let after = match queue.last.entry(chat) {
            Entry::Occupied(mut last) => {
                let last = last.get_mut();
                last.number = number;
                Some(std::mem::replace(&mut last.ended, ended))
            }
            Entry::Vacant(vacant) => {
                vacant.insert(Last { number, ended });
                None
            }
        };
        let end = TurnEnd { chat, number, turns: self.clone(), _signal: signal };
        queue.given.entry(update.id.0).or_default().push(Waiting { after, end });
    }

    /// Waits until the update `id` may be handled, and returns its turn, which
    /// lets the chat's next update go when its last clone is dropped. An update
    /// that was given no turn goes at once. Dropped while waiting (the
    /// dispatcher drops its handlers only when it is dropped itself), it lets
    /// the chat's next update go at once.
    pub async fn take(&self, id: u32) -> Turn {
        let waiting = {
            let mut queue = self.queue();
            match queue.given.entry(id) {
                Entry::Occupied(mut given) => {
                    let waiting = given.get_mut().remove(0);
                    if given.get().is_empty() {
                        given.remove();
                    }
                    Some(waiting)
                }
                Entry::Vacant(_) => None,
            }
        };
        let Some(Waiting { after, end }) = waiting else { return Turn { _end: None } };
        if let Some(after) = after {
            // Closed without a signal is the same: the previous handling ended.
            let _ = after.await;
        }
        Turn { _end: Some(Arc::new(end)) }
    }

    /// Number of chats with an update given a turn and not handled yet.
    #[cfg(test)]
    fn busy_chats(&self) -> usize {
        self.queue().last.len()
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        // Every change under this lock is a single insert or remove, so a lock
        // poisoned by a panic elsewhere still guards a valid queue.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An update's turn: the chat's next update goes once every clone is
/// dropped. Put in the handler tree's dependencies, it is dropped when the
/// update's handling ends, whether it replied, failed, panicked or was
/// ignored.
#[derive(Debug, Clone)]
pub struct Turn {
    _end: Option<Arc<TurnEnd>>,
}

#[derive(Debug)]
struct TurnEnd {
    chat: ChatId,
    number: u64,
    turns: ChatTurns,
    /// Dropped after `drop` runs: that closes the channel the next update waits on.
    _signal: oneshot::Sender<()>,
}

impl Drop for TurnEnd {
    fn drop(&mut self) {
        let mut queue = self.turns.queue();
        // The last update of its chat: nothing waits on it, so the chat is forgotten.
        if let Entry::Occupied(last) = queue.last.entry(self.chat)
            && last.get().number == self.number
        {
            last.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn message(update_id: u32, chat: i64) -> Update {
        let json = format!(
            r#"{{"update_id": {update_id}, "message": {{"message_id": {update_id}, "date": 1700000000,
                "chat": {{"id": {chat}, "type": "private", "first_name": "A"}}, "text": "hi"}}}}"#
        );
        serde_json::from_str(&json).expect("an update")
    }

    fn inline_query(update_id: u32) -> Update {
        let json = format!(
            r#"{{"update_id": {update_id}, "inline_query": {{"id": "q{update_id}", "offset": "", "query": "hi",
                "from": {{"id": 5, "is_bot": false, "first_name": "A"}}}}}}"#
        );
        serde_json::from_str(&json).expect("an update")
    }

    /// Whether `take` finishes within a short while.
    async fn goes(turns: &ChatTurns, id: u32) -> Option<Turn> {
        tokio::time::timeout(Duration::from_millis(50), turns.take(id)).await.ok()
    }

    #[tokio::test]
    async fn a_chats_second_update_waits_until_the_first_is_handled() {
        let turns = ChatTurns::default();
        turns.give(&message(1, 7));
        turns.give(&message(2, 7));
        let second = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take(2).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished(), "the second update went before the first was handled");
        let first = goes(&turns, 1).await.expect("the first update goes at once");
        let clone = first.clone();
        drop(first);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished(), "a clone of the first turn is still held");
        drop(clone);
        let second = tokio::time::timeout(Duration::from_secs(5), second).await.expect("the second goes").unwrap();
        drop(second);
        assert_eq!(turns.busy_chats(), 0, "a chat with nothing in flight is forgotten");
    }

    #[tokio::test]
    async fn other_chats_and_updates_without_a_chat_do_not_wait() {
        let turns = ChatTurns::default();
        turns.give(&message(1, 7));
        turns.give(&message(2, 8));
        turns.give(&inline_query(3));
        let _first = goes(&turns, 1).await.expect("chat 7 goes");
        assert!(goes(&turns, 2).await.is_some(), "chat 8 does not wait for chat 7");
        assert!(goes(&turns, 3).await.is_some(), "an inline query waits for nothing");
        assert!(goes(&turns, 99).await.is_some(), "an update given no turn goes at once");
    }

    #[tokio::test]
    async fn order_follows_the_order_given_not_the_order_taken() {
        let turns = ChatTurns::default();
        for id in 1..=3 {
            turns.give(&message(id, 7));
        }
        let third = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take(3).await }
        });
        let second = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take(2).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(goes(&turns, 1).await.expect("the first goes"));
        let second = tokio::time::timeout(Duration::from_secs(5), second).await.expect("the second goes").unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!third.is_finished(), "the third went while the second was being handled");
        drop(second);
        drop(tokio::time::timeout(Duration::from_secs(5), third).await.expect("the third goes").unwrap());
        assert_eq!(turns.busy_chats(), 0);
    }

    #[tokio::test]
    async fn an_update_sent_twice_gets_two_turns() {
        let turns = ChatTurns::default();
        turns.give(&message(1, 7));
        turns.give(&message(1, 7));
        let first = goes(&turns, 1).await.expect("the first copy goes");
        let second = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take(1).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished(), "the second copy waits for the first");
        drop(first);
        drop(tokio::time::timeout(Duration::from_secs(5), second).await.expect("the second copy goes").unwrap());
        assert_eq!(turns.busy_chats(), 0);
    }
}
