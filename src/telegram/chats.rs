//! What each chat remembers between messages: one [`ChatContext`] (ids and a
//! time, never text) per chat, kept in a teloxide dialogue storage. A storage
//! that fails is logged and the message is answered as if the chat remembered
//! nothing: a question is never left unanswered for want of its context.

use std::sync::Arc;

use teloxide::dispatching::dialogue::{ErasedStorage, InMemStorage, Storage};
use teloxide::types::ChatId;

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

    /// Contexts kept in `storage`.
    pub fn new(storage: Arc<ErasedStorage<ChatContext>>) -> ChatMemory {
        ChatMemory { storage }
    }

    /// What `chat` remembers; nothing when the storage has no entry or fails.
    pub async fn recall(&self, chat: ChatId) -> ChatContext {
        match Arc::clone(&self.storage).get_dialogue(chat).await {
            Ok(context) => context.unwrap_or_default(),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_chat_remembers_its_context_until_forgotten() {
        let memory = ChatMemory::in_memory();
        let (chat, other) = (ChatId(7), ChatId(8));
        assert_eq!(memory.recall(chat).await, ChatContext::default());
        let context = ChatContext { topic: Some("safety".into()), updated_at: 5, ..ChatContext::default() };
        memory.remember(chat, context.clone()).await;
        assert_eq!(memory.recall(chat).await, context);
        assert_eq!(memory.recall(other).await, ChatContext::default());
        memory.forget(chat).await;
        assert_eq!(memory.recall(chat).await, ChatContext::default());
        // Forgetting a chat that remembers nothing is not an error.
        memory.forget(other).await;
    }
}
