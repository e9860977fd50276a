//! The chats' state in Redis, which several replicas of the bot share:
//! teloxide's [`RedisStorage`] layout (the key is the chat id, the value the
//! context as JSON), read and removed by teloxide's storage and written with
//! `SET … EXAT` in one command, so every key expires with its context: when
//! the conversation ([`CONTEXT_TTL_SECS`](crate::conversation::CONTEXT_TTL_SECS) after its `updated_at`) and the check
//! have both expired.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use deadpool_redis::redis;
use futures::future::BoxFuture;
use teloxide::dispatching::dialogue::serializer::{Json, Serializer};
use teloxide::dispatching::dialogue::{ErasedStorage, RedisStorage, RedisStorageError, Storage};
use teloxide::types::ChatId;

use crate::conversation::ChatContext;
use crate::telegram::config::RedisUrl;
use crate::telegram::redact::redact;

/// How long the first `PING` may take before the start fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The error of teloxide's Redis storage with the JSON serializer.
type Error = RedisStorageError<serde_json::Error>;

/// teloxide's [`RedisStorage`], with writes that set the key's expiry.
pub struct ExpiringRedis {
    storage: Arc<RedisStorage<Json>>,
    pool: deadpool_redis::Pool,
}

/// Connects to the Redis server at `url` and checks that it answers `PING`.
///
/// # Errors
/// The URL is refused by the client, or the server does not answer within
/// 5 s; the message shows the URL without its password.
pub async fn open(url: &RedisUrl) -> anyhow::Result<Arc<ErasedStorage<ChatContext>>> {
    let clean = |error: &dyn std::fmt::Display| {
        let text = error.to_string();
        url.password().map_or(text.clone(), |password| redact(&text, password))
    };
    let failed = |reason: String| anyhow!("cannot connect to the chat state's Redis at {url}: {reason}");
    let storage = RedisStorage::open(url.expose(), Json).await.map_err(|error| failed(clean(&error)))?;
    let pool = deadpool_redis::Config::from_url(url.expose())
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .map_err(|error| failed(clean(&error)))?;
    let ping = async {
        let mut connection = pool.get().await.map_err(|error| clean(&error))?;
        redis::cmd("PING").query_async::<String>(&mut connection).await.map_err(|error| clean(&error))
    };
    tokio::time::timeout(CONNECT_TIMEOUT, ping)
        .await
        .map_err(|_| failed(format!("no answer within {CONNECT_TIMEOUT:?}")))?
        .map_err(failed)?;
    Ok(Arc::new(ExpiringRedis { storage, pool }).erase())
}

/// When the key of `context` expires, in seconds since the epoch: the first
/// second at which nothing it holds (the conversation, the check) is fresh.
pub fn expires_at(context: &ChatContext) -> u64 {
    context.fresh_until().saturating_add(1)
}

impl Storage<ChatContext> for ExpiringRedis {
    type Error = Error;

    fn remove_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<(), Error>> {
        <RedisStorage<Json> as Storage<ChatContext>>::remove_dialogue(Arc::clone(&self.storage), chat)
    }

    fn update_dialogue(
        self: Arc<Self>,
        ChatId(chat): ChatId,
        context: ChatContext,
    ) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            let value = Json.serialize(&context).map_err(RedisStorageError::SerdeError)?;
            let mut connection = self.pool.get().await?;
            redis::cmd("SET")
                .arg(chat)
                .arg(value)
                .arg("EXAT")
                .arg(expires_at(&context))
                .query_async::<()>(&mut connection)
                .await?;
            Ok(())
        })
    }

    fn get_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<Option<ChatContext>, Error>> {
        <RedisStorage<Json> as Storage<ChatContext>>::get_dialogue(Arc::clone(&self.storage), chat)
    }
}
