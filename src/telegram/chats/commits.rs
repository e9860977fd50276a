//! Group commit: the chats' changes made while the store is busy with one
//! commit go to it together in the next (one SQLite transaction, one Redis
//! pipeline), and each writer waits until its change is committed. Under load
//! a tick's hundred writes cost the store one commit instead of a hundred,
//! and a reply still leaves only once its chat's context is kept.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::sync::Arc;

use teloxide::types::ChatId;
use tokio::sync::{mpsc, oneshot};

use super::StateError;
use crate::conversation::ChatContext;

/// The most changes one commit takes; the rest wait for the next.
const MAX_BATCH: usize = 1024;

/// A chat's new context, or `None` to remove what it remembers.
pub type Change = Option<ChatContext>;

/// A store that keeps many chats' changes in one commit.
pub trait Commit: Send + Sync + 'static {
    /// Keeps every change of `batch`, at most one per chat.
    ///
    /// # Errors
    /// The store failed; some changes may be kept where it has no
    /// transactions (Redis).
    fn commit(&self, batch: &[(ChatId, Change)]) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Hands changes to the task that commits them. Cheap to clone; the task
/// ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct CommitQueue {
    sender: mpsc::UnboundedSender<Write>,
}

/// One change and the writer waiting for it.
#[derive(Debug)]
struct Write {
    chat: ChatId,
    change: Change,
    done: oneshot::Sender<Result<(), StateError>>,
}

impl CommitQueue {
    /// Starts the task that commits changes to `store`, one batch at a time.
    pub fn start(store: impl Commit) -> CommitQueue {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(store, receiver));
        CommitQueue { sender }
    }

    /// Commits `change` for `chat`, with whatever other changes are waiting,
    /// and returns once it is committed.
    ///
    /// # Errors
    /// The commit failed (every change of its batch gets the same error), or
    /// the runtime is shutting down and the task is gone.
    pub async fn write(&self, chat: ChatId, change: Change) -> Result<(), StateError> {
        let (done, committed) = oneshot::channel();
        self.sender.send(Write { chat, change, done }).map_err(|_| StateError::closed())?;
        committed.await.map_err(|_| StateError::closed())?
    }
}

/// Takes every change waiting, keeps the last of each chat, commits them,
/// and tells each writer how it went; again until the queue is dropped.
async fn run(store: impl Commit, mut receiver: mpsc::UnboundedReceiver<Write>) {
    let mut writes = Vec::new();
    let mut batch: Vec<(ChatId, Change)> = Vec::new();
    let mut slots: HashMap<ChatId, usize> = HashMap::new();
    while receiver.recv_many(&mut writes, MAX_BATCH).await > 0 {
        for write in &writes {
            match slots.entry(write.chat) {
                Entry::Occupied(slot) => batch[*slot.get()].1 = write.change.clone(),
                Entry::Vacant(slot) => {
                    slot.insert(batch.len());
                    batch.push((write.chat, write.change.clone()));
                }
            }
        }
        let result = store.commit(&batch).await.map_err(|error| StateError::Failed(Arc::new(error)));
        for write in writes.drain(..) {
            // A writer that stopped waiting needs no answer.
            let _ = write.done.send(result.clone());
        }
        batch.clear();
        slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// The batches a store was given.
    type Batches = Arc<Mutex<Vec<Vec<(ChatId, Change)>>>>;

    /// Records each batch; fails the ones that hold chat 13.
    #[derive(Clone, Default)]
    struct Recorder {
        batches: Batches,
    }

    impl Commit for Recorder {
        async fn commit(&self, batch: &[(ChatId, Change)]) -> anyhow::Result<()> {
            self.batches.lock().unwrap().push(batch.to_vec());
            // Let the other writers queue up behind this commit.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            anyhow::ensure!(!batch.iter().any(|(chat, _)| chat.0 == 13), "chat 13 cannot be kept");
            Ok(())
        }
    }

    fn context(topic: &str) -> Change {
        Some(ChatContext { topic: Some(topic.into()), updated_at: 1, ..ChatContext::default() })
    }

    #[tokio::test]
    async fn writes_made_during_a_commit_share_the_next_and_the_last_change_of_a_chat_wins() {
        let recorder = Recorder::default();
        let queue = CommitQueue::start(recorder.clone());
        let first = tokio::spawn({
            let queue = queue.clone();
            async move { queue.write(ChatId(1), context("safety")).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        // While the first commit runs, three writes of two chats wait (`join!`
        // polls them in order, and the first poll queues the change).
        let (two, three, two_again) = tokio::join!(
            queue.write(ChatId(2), context("causes")),
            queue.write(ChatId(3), None),
            queue.write(ChatId(2), context("doctor")),
        );
        first.await.unwrap().expect("the first write is committed");
        for result in [two, three, two_again] {
            result.expect("a later write is committed");
        }
        let mut batches = recorder.batches.lock().unwrap().clone();
        assert_eq!(batches.len(), 2, "{batches:?}");
        batches[1].sort_by_key(|(chat, _)| chat.0);
        assert_eq!(batches[1], [(ChatId(2), context("doctor")), (ChatId(3), None)]);
    }

    #[tokio::test]
    async fn every_writer_of_a_failed_batch_hears_of_it() {
        let queue = CommitQueue::start(Recorder::default());
        let error = queue.write(ChatId(13), context("safety")).await.expect_err("the commit fails");
        assert!(format!("{error}").contains("chat 13 cannot be kept"), "{error}");
        queue.write(ChatId(14), context("safety")).await.expect("the next batch is committed");
    }
}
