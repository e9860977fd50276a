//! What each chat remembers between messages: one [`ChatContext`] (ids and a
//! time, never text) per chat, kept in a teloxide dialogue storage: the
//! conversation of a private chat, and the warning-sign check of any chat; in
//! memory, in an SQLite file, or in Redis, which several replicas of the bot
//! can share. A storage that fails is logged and the message is answered as
//! if the chat remembered nothing: a question is never left unanswered for
//! want of its context.
//!
//! In SQLite and Redis a write returns once it is committed, so a reply is
//! sent only after its chat's context is kept: a bot killed at any instant
//! has kept the context of every message it answered. Writes made while the store is busy are
//! committed together ([`commits`]), and the SQLite file, which belongs to
//! one process, is read once per chat ([`cache`]).
//!
//! Expired contexts go away by themselves: a Redis key expires when both
//! the conversation ([`CONTEXT_TTL_SECS`] after its time) and the check have
//! expired ([`redis`]), and a task deletes the expired rows of the SQLite file
//! every few minutes ([`sqlite`]). Reading one never costs a second round trip: an expired
//! context is overwritten or removed by the write that follows it.
//!
//! [`CONTEXT_TTL_SECS`]: crate::conversation::CONTEXT_TTL_SECS

mod cache;
mod commits;
pub mod redis;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use teloxide::dispatching::dialogue::{ErasedStorage, InMemStorage, InMemStorageError, Storage};
use teloxide::types::ChatId;

use super::config::ChatStorage;
use crate::check::CheckProgress;
use crate::conversation::ChatContext;

/// The contexts of all chats, behind one of teloxide's dialogue storages.
/// Cheap to clone; the SQLite sweep stops when the last clone is dropped.
#[derive(Clone)]
pub struct ChatMemory {
    storage: Arc<ErasedStorage<ChatContext>>,
    sweep: Option<Arc<sqlite::Sweep>>,
}

impl ChatMemory {
    /// The storage `kind` names; `sqlite_path` is the SQLite file.
    ///
    /// # Errors
    /// The SQLite file cannot be opened, or the Redis server cannot be reached.
    pub async fn open(kind: &ChatStorage, sqlite_path: &Path) -> anyhow::Result<ChatMemory> {
        match kind {
            ChatStorage::Sqlite => ChatMemory::sqlite(sqlite_path).await,
            ChatStorage::Memory => Ok(ChatMemory::in_memory()),
            ChatStorage::Redis(url) => ChatMemory::redis(url).await,
        }
    }

    /// Contexts kept in this process's memory: lost on restart, not shared
    /// between replicas.
    pub fn in_memory() -> ChatMemory {
        ChatMemory::new(InMemStorage::<ChatContext>::new().erase())
    }

    /// Contexts kept in an SQLite file at `path` (created if missing), so
    /// that a restart forgets no chat; expired rows are deleted every
    /// [`sqlite::SWEEP_EVERY`].
    ///
    /// # Errors
    /// The file cannot be opened or created as an SQLite database.
    pub async fn sqlite(path: &Path) -> anyhow::Result<ChatMemory> {
        let (storage, sweep) = sqlite::open(path).await?;
        Ok(ChatMemory { storage, sweep: Some(sweep) })
    }

    /// Contexts kept in the Redis server at `url`, each key expiring with its
    /// context.
    ///
    /// # Errors
    /// The server does not answer a `PING`; the message never shows a password.
    pub async fn redis(url: &super::config::RedisUrl) -> anyhow::Result<ChatMemory> {
        Ok(ChatMemory::new(redis::open(url).await?))
    }

    /// Contexts kept in `storage`.
    pub fn new(storage: Arc<ErasedStorage<ChatContext>>) -> ChatMemory {
        ChatMemory { storage, sweep: None }
    }

    /// Deletes the expired rows of the SQLite file now, and tells how many
    /// (0 for the other storages, whose entries expire by themselves or die
    /// with the process). The bot does this every [`sqlite::SWEEP_EVERY`].
    ///
    /// # Errors
    /// The SQLite file cannot be written.
    pub async fn sweep(&self, now: u64) -> anyhow::Result<u64> {
        match &self.sweep {
            Some(sweep) => sweep.run(now).await,
            None => Ok(0),
        }
    }

    /// What `chat` remembers at `now`; nothing when the storage has no entry,
    /// fails, or holds a context that has expired (which is then removed).
    pub async fn recall(&self, chat: ChatId, now: u64) -> ChatContext {
        let stored = self.read(chat).await;
        let fresh = stored.clone().fresh(now);
        match stored {
            Stored::Context(context) if *context != fresh && fresh.is_empty() => self.forget(chat).await,
            Stored::Context(context) if *context != fresh => self.write(chat, fresh.clone()).await,
            _ => {}
        }
        fresh
    }

    /// The warning-sign check `chat` is in at `now`, if any.
    pub async fn check(&self, chat: ChatId, now: u64) -> Option<CheckProgress> {
        self.recall(chat, now).await.check
    }

    /// Keeps `check` as the check of `chat` (`None` ends it), leaving the
    /// rest of what the chat remembers as it is.
    pub async fn keep_check(&self, chat: ChatId, check: Option<CheckProgress>, now: u64) {
        let mut context = self.recall(chat, now).await;
        context.check = check;
        self.remember(chat, context).await;
    }

    /// Keeps `context` for `chat`; an empty context removes the entry.
    pub async fn remember(&self, chat: ChatId, context: ChatContext) {
        if context.is_empty() {
            self.forget(chat).await;
        } else {
            self.write(chat, context).await;
        }
    }

    /// Forgets what `chat` remembers (`/start`).
    pub async fn forget(&self, chat: ChatId) {
        if let Err(error) = Arc::clone(&self.storage).remove_dialogue(chat).await
            && !is_not_found(error.as_ref())
        {
            tracing::warn!(error = %error, "chat context could not be removed");
        }
    }

    /// One turn of `chat`'s conversation at `now`: `step` reads a message
    /// with what the chat remembers and returns its result and what the chat
    /// remembers next, which is then kept. One read, and at most one write:
    /// nothing is written when nothing changed, and nothing is removed when
    /// nothing is stored.
    pub async fn converse<T>(&self, chat: ChatId, now: u64, step: impl FnOnce(&ChatContext) -> (T, ChatContext)) -> T {
        let stored = self.read(chat).await;
        let before = stored.clone().fresh(now);
        let (result, after) = step(&before);
        match stored {
            Stored::Nothing if after.is_empty() => {}
            Stored::Context(context) if *context == after => {}
            _ if after.is_empty() => self.forget(chat).await,
            _ => self.write(chat, after).await,
        }
        result
    }

    /// What the storage holds for `chat`.
    async fn read(&self, chat: ChatId) -> Stored {
        match Arc::clone(&self.storage).get_dialogue(chat).await {
            Ok(Some(context)) => Stored::Context(Box::new(context)),
            Ok(None) => Stored::Nothing,
            Err(error) => {
                tracing::warn!(error = %error, "chat context could not be read; answering without it");
                Stored::Unknown
            }
        }
    }

    /// Stores a non-empty `context` for `chat`.
    async fn write(&self, chat: ChatId, context: ChatContext) {
        if let Err(error) = Arc::clone(&self.storage).update_dialogue(chat, context).await {
            tracing::warn!(error = %error, "chat context could not be kept");
        }
    }
}

/// Why the SQLite or Redis state could not read or keep a chat's context.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StateError {
    /// There was nothing to remove.
    #[error("no context is kept for this chat")]
    NotFound,
    /// The store failed; every write of a failed commit shares its error.
    #[error("{0:#}")]
    Failed(Arc<anyhow::Error>),
}

impl StateError {
    /// The store failed with `error`.
    pub fn failed(error: anyhow::Error) -> StateError {
        StateError::Failed(Arc::new(error))
    }

    /// The task that commits writes is gone: the runtime is shutting down.
    fn closed() -> StateError {
        StateError::failed(anyhow::anyhow!("the chat state's writer has stopped"))
    }
}

/// What a storage held for a chat.
#[derive(Clone)]
enum Stored {
    /// No entry.
    Nothing,
    /// This context, fresh or not.
    Context(Box<ChatContext>),
    /// The storage failed: there may be an entry.
    Unknown,
}

impl Stored {
    /// The context to read a message with at `now`.
    fn fresh(self, now: u64) -> ChatContext {
        match self {
            Stored::Context(mut context) => {
                context.expire(now);
                *context
            }
            _ => ChatContext::default(),
        }
    }
}

/// Whether a storage's error says only that there was nothing to remove:
/// teloxide's storages report removing a missing entry as an error, and so
/// does the SQLite state when it knows the chat has no row.
fn is_not_found(error: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    matches!(error.downcast_ref::<InMemStorageError>(), Some(InMemStorageError::DialogueNotFound))
        || matches!(error.downcast_ref::<StateError>(), Some(StateError::NotFound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_chat_remembers_its_context_until_forgotten() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("chats.sqlite");
        for memory in [ChatMemory::in_memory(), ChatMemory::sqlite(&file).await.expect("an SQLite file opens")] {
            let (chat, other) = (ChatId(7), ChatId(8));
            assert_eq!(memory.recall(chat, 10).await, ChatContext::default());
            let context = ChatContext { topic: Some("safety".into()), updated_at: 5, ..ChatContext::default() };
            memory.remember(chat, context.clone()).await;
            assert_eq!(memory.recall(chat, 10).await, context);
            assert_eq!(memory.recall(other, 10).await, ChatContext::default());
            memory.forget(chat).await;
            assert_eq!(memory.recall(chat, 10).await, ChatContext::default());
            // Forgetting a chat that remembers nothing is not an error.
            memory.forget(other).await;
            // An expired context is forgotten when read.
            memory.remember(chat, context.clone()).await;
            assert_eq!(memory.recall(chat, 5 + 31 * 60).await, ChatContext::default());
            assert_eq!(memory.recall(chat, 10).await, ChatContext::default(), "it was removed");
        }
        // What the file holds survives reopening it: a restart forgets no chat.
        let now = crate::conversation::now_secs();
        let context = ChatContext { person: Some("baby".into()), updated_at: now, ..ChatContext::default() };
        ChatMemory::sqlite(&file).await.unwrap().remember(ChatId(9), context.clone()).await;
        assert_eq!(ChatMemory::sqlite(&file).await.unwrap().recall(ChatId(9), now).await, context);
    }

    #[tokio::test]
    async fn a_turn_reads_the_fresh_context_and_keeps_the_next_one() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let memory = ChatMemory::sqlite(&dir.path().join("chats.sqlite")).await.expect("an SQLite file opens");
        let chat = ChatId(7);
        let first = ChatContext { topic: Some("triggers".into()), updated_at: 100, ..ChatContext::default() };
        let seen = memory.converse(chat, 100, |before| (before.clone(), first.clone())).await;
        assert_eq!(seen, ChatContext::default());
        let seen = memory.converse(chat, 200, |before| (before.clone(), before.clone())).await;
        assert_eq!(seen, first, "the next turn reads what the last one kept");
        // An expired context is not read, and the next one replaces it.
        let later = 100 + 31 * 60;
        let second = ChatContext { factor: Some("caffeine".into()), updated_at: later, ..ChatContext::default() };
        let seen = memory.converse(chat, later, |before| (before.clone(), second.clone())).await;
        assert_eq!(seen, ChatContext::default());
        assert_eq!(memory.recall(chat, later).await, second);
        // An empty context removes the entry; an empty turn of a chat with none is no error.
        memory.converse(chat, later, |_| ((), ChatContext::default())).await;
        assert_eq!(memory.recall(chat, later).await, ChatContext::default());
        memory.converse(chat, later, |_| ((), ChatContext::default())).await;
    }
}
