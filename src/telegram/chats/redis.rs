//! The chats' state in Redis, which several replicas of the bot share, in
//! teloxide's `RedisStorage` layout: the key is the chat id, the value the
//! context as JSON. Every read and write goes over one multiplexed
//! connection (made again when it breaks), a read is one `GET`, and writes
//! are group-committed ([`CommitQueue`]): the changes made while one pipeline
//! runs go together in the next, each a `SET … EXAT` (so every key expires
//! with its context: when the conversation, [`CONTEXT_TTL_SECS`] after its
//! `updated_at`, and the check have both expired) or a `DEL`. Nothing is
//! cached: another replica may have written since.
//!
//! [`CONTEXT_TTL_SECS`]: crate::conversation::CONTEXT_TTL_SECS

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, anyhow};
use deadpool_redis::redis::{self, AsyncCommands, RedisError, aio::MultiplexedConnection};
use futures::future::BoxFuture;
use teloxide::dispatching::dialogue::{ErasedStorage, Storage};
use teloxide::types::ChatId;

use super::StateError;
use super::commits::{Change, Commit, CommitQueue};
use crate::conversation::ChatContext;
use crate::telegram::config::RedisUrl;
use crate::telegram::redact::redact;

/// How long the first connection and its `PING` may take before the start fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The chats' contexts in Redis, as a teloxide dialogue storage.
pub struct RedisChats {
    connection: Arc<SharedConnection>,
    commits: CommitQueue,
}

/// Commits a batch of changes in one pipeline.
struct Pipelines {
    connection: Arc<SharedConnection>,
}

/// One multiplexed connection for every request: concurrent requests share
/// its socket, and none waits for a connection from a pool (whose check
/// before each use would cost a round trip of its own).
struct SharedConnection {
    client: redis::Client,
    current: Mutex<Option<MultiplexedConnection>>,
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
    let client = redis::Client::open(url.expose()).map_err(|error| failed(clean(&error)))?;
    let connection = Arc::new(SharedConnection { client, current: Mutex::new(None) });
    let ping = async {
        let mut connection = connection.get().await.map_err(|error| clean(&error))?;
        redis::cmd("PING").query_async::<String>(&mut connection).await.map_err(|error| clean(&error))
    };
    tokio::time::timeout(CONNECT_TIMEOUT, ping)
        .await
        .map_err(|_| failed(format!("no answer within {CONNECT_TIMEOUT:?}")))?
        .map_err(failed)?;
    let commits = CommitQueue::start(Pipelines { connection: connection.clone() });
    Ok(Arc::new(RedisChats { connection, commits }).erase())
}

/// When the key of `context` expires, in seconds since the epoch: the first
/// second at which nothing it holds (the conversation, the check) is fresh.
pub fn expires_at(context: &ChatContext) -> u64 {
    context.fresh_until().saturating_add(1)
}

impl SharedConnection {
    /// The connection, made first if there is none.
    async fn get(&self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(connection) = self.slot().clone() {
            return Ok(connection);
        }
        // Two requests may both connect here; the second connection replaces
        // the first, which closes once its request is done.
        let connection = self.client.get_multiplexed_async_connection().await?;
        *self.slot() = Some(connection.clone());
        Ok(connection)
    }

    /// Drops the connection if `result` says it broke, so the next request
    /// makes a new one.
    fn check<T>(&self, result: &Result<T, RedisError>) {
        if let Err(error) = result
            && error.is_unrecoverable_error()
        {
            self.slot().take();
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<MultiplexedConnection>> {
        // The slot holds a connection or nothing: valid after any panic.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl RedisChats {
    /// What Redis holds for `chat`.
    async fn read(&self, ChatId(chat): ChatId) -> Result<Change, StateError> {
        let cannot = "cannot read a chat's context from Redis";
        let mut connection = self.connection.get().await.context(cannot).map_err(StateError::failed)?;
        let result: Result<Option<Vec<u8>>, RedisError> = connection.get(chat).await;
        self.connection.check(&result);
        let json = result.context(cannot).map_err(StateError::failed)?;
        json.map(|json| serde_json::from_slice(&json))
            .transpose()
            .context("Redis holds a chat context that cannot be read")
            .map_err(StateError::failed)
    }
}

impl Storage<ChatContext> for RedisChats {
    type Error = StateError;

    fn remove_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<(), StateError>> {
        Box::pin(async move { self.commits.write(chat, None).await })
    }

    fn update_dialogue(
        self: Arc<Self>,
        chat: ChatId,
        context: ChatContext,
    ) -> BoxFuture<'static, Result<(), StateError>> {
        Box::pin(async move { self.commits.write(chat, Some(context)).await })
    }

    fn get_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<Option<ChatContext>, StateError>> {
        Box::pin(async move { self.read(chat).await })
    }
}

impl Commit for Pipelines {
    async fn commit(&self, batch: &[(ChatId, Change)]) -> anyhow::Result<()> {
        let mut pipeline = redis::pipe();
        for (ChatId(chat), change) in batch {
            match change {
                Some(context) => {
                    let json = serde_json::to_vec(context).context("cannot encode a context")?;
                    pipeline.cmd("SET").arg(chat).arg(json).arg("EXAT").arg(expires_at(context)).ignore();
                }
                None => {
                    pipeline.cmd("DEL").arg(chat).ignore();
                }
            }
        }
        let cannot = || format!("cannot write {} chat contexts to Redis", batch.len());
        let mut connection = self.connection.get().await.with_context(cannot)?;
        let result = pipeline.query_async::<()>(&mut connection).await;
        self.connection.check(&result);
        result.with_context(cannot)
    }
}
