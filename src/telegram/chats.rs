//! What each chat remembers between messages: one [`ChatContext`] (ids and a
//! time, never text) per chat, kept in a teloxide dialogue storage: the
//! conversation of a private chat, and the warning-sign check of any chat. A
//! storage that fails is logged and the message is answered as if the chat
//! remembered nothing: a question is never left unanswered for want of its context.

use std::sync::Arc;

use std::path::Path;

use anyhow::Context;
use teloxide::dispatching::dialogue::serializer::Json;
use teloxide::dispatching::dialogue::{ErasedStorage, InMemStorage, SqliteStorage, Storage};
use teloxide::types::ChatId;

use crate::check::CheckProgress;
use crate::conversation::ChatContext;

/// The contexts of all chats, behind one of teloxide's dialogue storages.
#[derive(Clone)]
pub struct ChatMemory {
    storage: Arc<ErasedStorage<ChatContext>>,
}

impl ChatMemory {
    /// Contexts kept in this process's memory: lost on restart, not shared
    /// between replicas.
    pub fn in_memory() -> ChatMemory {
        ChatMemory { storage: InMemStorage::<ChatContext>::new().erase() }
    }

    /// Contexts kept in an SQLite file at `path` (created if missing), so
    /// that a restart forgets no chat.
    ///
    /// # Errors
    /// The file cannot be opened or created as an SQLite database.
    pub async fn sqlite(path: &Path) -> anyhow::Result<ChatMemory> {
        let name = path.to_str().with_context(|| format!("the state file {} is not UTF-8", path.display()))?;
        let storage = SqliteStorage::open(name, Json)
            .await
            .with_context(|| format!("cannot open the chat state file {}", path.display()))?;
        Ok(ChatMemory { storage: storage.erase() })
    }

    /// Contexts kept in `storage`.
    pub fn new(storage: Arc<ErasedStorage<ChatContext>>) -> ChatMemory {
        ChatMemory { storage }
    }

    /// What `chat` remembers at `now`; nothing when the storage has no entry
    /// or fails. What has expired (a conversation, a check) is left out, and
    /// removed from the storage.
    pub async fn recall(&self, chat: ChatId, now: u64) -> ChatContext {
        match Arc::clone(&self.storage).get_dialogue(chat).await {
            Ok(Some(mut context)) => {
                if context.expire(now) {
                    self.remember(chat, context.clone()).await;
                }
                context
            }
            Ok(None) => ChatContext::default(),
            Err(error) => {
                tracing::warn!(error = %error, "chat context could not be read; answering without it");
                ChatContext::default()
            }
        }
    }

    /// Keeps `context` for `chat`; an empty context removes the entry.
    pub async fn remember(&self, chat: ChatId, context: ChatContext) {
        let stored = if context.is_empty() {
            // Storages report removing a missing entry as an error: look first.
            match Arc::clone(&self.storage).get_dialogue(chat).await {
                Ok(Some(_)) => Arc::clone(&self.storage).remove_dialogue(chat).await,
                Ok(None) => Ok(()),
                Err(error) => Err(error),
            }
        } else {
            Arc::clone(&self.storage).update_dialogue(chat, context).await
        };
        if let Err(error) = stored {
            tracing::warn!(error = %error, "chat context could not be kept");
        }
    }

    /// Forgets what `chat` remembers (`/start`).
    pub async fn forget(&self, chat: ChatId) {
        self.remember(chat, ChatContext::default()).await;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_chat_remembers_its_context_until_forgotten() {
        let dir = std::env::temp_dir().join(format!("hypnic-chats-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("chats.sqlite");
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
        // A check lives beside the conversation, on its own clock.
        for memory in [ChatMemory::in_memory(), ChatMemory::sqlite(&file).await.expect("an SQLite file opens")] {
            let chat = ChatId(-100);
            let check = CheckProgress { id: 5_000, owner: Some(7), answers: Vec::new(), updated_at: 5 };
            memory.keep_check(chat, Some(check.clone()), 10).await;
            assert_eq!(memory.check(chat, 10).await, Some(check.clone()));
            let context = ChatContext { topic: Some("safety".into()), updated_at: 5, ..ChatContext::default() };
            memory.remember(chat, ChatContext { check: Some(check.clone()), ..context }).await;
            assert_eq!(
                memory.recall(chat, 5 + 31 * 60).await,
                ChatContext { check: Some(check.clone()), ..ChatContext::default() }
            );
            memory.keep_check(chat, None, 20).await;
            assert_eq!(memory.recall(chat, 20).await, ChatContext::default(), "nothing is left");
            memory.keep_check(chat, Some(check), 10).await;
            assert_eq!(memory.check(chat, 6 + crate::check::CHECK_TTL_SECS).await, None, "the check expired");
        }
        // What the file holds survives reopening it: a restart forgets no chat.
        let context = ChatContext { person: Some("baby".into()), updated_at: 5, ..ChatContext::default() };
        ChatMemory::sqlite(&file).await.unwrap().remember(ChatId(9), context.clone()).await;
        assert_eq!(ChatMemory::sqlite(&file).await.unwrap().recall(ChatId(9), 10).await, context);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
