//! The chats' SQLite file, in teloxide's `SqliteStorage` layout (table
//! `teloxide_dialogues`: `chat_id` and the context as JSON in `dialogue`), in
//! WAL mode, with one connection that belongs to this process:
//!
//! - reads go through the [`Cache`], so a chat's row is read once;
//! - writes are group-committed ([`CommitQueue`]): the changes made while one
//!   transaction commits go together in the next, and each writer waits for
//!   its own, so a reply is sent only once its chat's context is in the file;
//! - a sweep deletes the rows whose `updated_at` is older than
//!   [`CONTEXT_TTL_SECS`] (and whose check, if any, is older than
//!   [`CHECK_TTL_SECS`]), so a chat that goes silent leaves nothing behind,
//!   and evicts the same chats from the cache.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{QueryBuilder, Sqlite};
use teloxide::dispatching::dialogue::{ErasedStorage, Storage};
use teloxide::types::ChatId;
use tokio::task::JoinHandle;

use super::StateError;
use super::cache::Cache;
use super::commits::{Change, Commit, CommitQueue};
use crate::check::CHECK_TTL_SECS;
use crate::conversation::{CONTEXT_TTL_SECS, ChatContext, now_secs};

/// How often expired rows are deleted.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);

/// Rows per statement of a commit: two parameters each, well under the
/// smallest limit SQLite has had (999).
const ROWS_PER_STATEMENT: usize = 400;

/// teloxide's table, so that a file written by earlier versions (which used
/// teloxide's `SqliteStorage`) is read as it is.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS teloxide_dialogues (
    chat_id BIGINT PRIMARY KEY,
    dialogue BLOB NOT NULL
)";

/// Reads one chat's row.
const SELECT_ONE: &str = "SELECT dialogue FROM teloxide_dialogues WHERE chat_id = ?";

/// Deletes the rows whose conversation is older than `?1` and whose check
/// (if any) is older than `?2` (seconds since the epoch), or that have no
/// time, or are not JSON at all (they could never be read).
const DELETE_EXPIRED: &str = "DELETE FROM teloxide_dialogues WHERE
    CASE WHEN json_valid(CAST(dialogue AS TEXT))
        THEN COALESCE(json_extract(CAST(dialogue AS TEXT), '$.updated_at'), 0) < ?1
            AND COALESCE(json_extract(CAST(dialogue AS TEXT), '$.check.updated_at'), 0) < ?2
        ELSE 1
    END";

/// The chats' contexts in the SQLite file, as a teloxide dialogue storage.
pub struct SqliteChats {
    pool: SqlitePool,
    cache: Cache,
    commits: CommitQueue,
}

/// Commits a batch of changes in one transaction.
struct Transactions {
    pool: SqlitePool,
}

/// The periodic sweep of one file; the task stops when this is dropped.
pub struct Sweep {
    pool: SqlitePool,
    cache: Cache,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

/// Opens (or creates) the file at `path` in WAL mode, where a commit is one
/// append to the log rather than a rollback journal created and deleted,
/// deletes the rows that expired while the bot was not running, and starts
/// the sweep that runs every [`SWEEP_EVERY`] and the task that commits writes.
///
/// # Errors
/// The file cannot be opened or created as an SQLite database.
pub async fn open(path: &Path) -> anyhow::Result<(Arc<ErasedStorage<ChatContext>>, Arc<Sweep>)> {
    let cannot_open = || format!("cannot open the chat state file {}", path.display());
    let options =
        SqliteConnectOptions::new().filename(path).create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
    // One connection: SQLite has one writer at a time anyway, and nothing is
    // waited for on a lock. It is not pinged before each use: a commit that
    // fails is reported to its writers like any other failure.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(cannot_open)?;
    sqlx::query(CREATE_TABLE).execute(&pool).await.with_context(cannot_open)?;
    let cache = Cache::default();
    let commits = CommitQueue::start(Transactions { pool: pool.clone() });
    let storage = Arc::new(SqliteChats { pool: pool.clone(), cache: cache.clone(), commits });
    let sweep = Arc::new(Sweep { pool, cache, task: std::sync::Mutex::new(None) });
    sweep.log_run().await;
    let weak = Arc::downgrade(&sweep);
    let task = tokio::spawn(async move {
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + SWEEP_EVERY, SWEEP_EVERY);
        loop {
            every.tick().await;
            let Some(sweep) = weak.upgrade() else { return };
            sweep.log_run().await;
        }
    });
    if let Ok(mut slot) = sweep.task.lock() {
        *slot = Some(task);
    }
    Ok((storage.erase(), sweep))
}

impl SqliteChats {
    /// What the file holds for `chat`: from the cache, or read once.
    async fn read(&self, chat: ChatId) -> Result<Change, StateError> {
        if let Some(known) = self.cache.get(chat) {
            return Ok(known);
        }
        let row: Option<Vec<u8>> = sqlx::query_scalar(SELECT_ONE)
            .bind(chat.0)
            .fetch_optional(&self.pool)
            .await
            .context("cannot read a chat's context from the state file")
            .map_err(StateError::failed)?;
        let read = row
            .map(|json| serde_json::from_slice::<ChatContext>(&json))
            .transpose()
            .context("the state file holds a chat context that cannot be read")
            .map_err(StateError::failed)?;
        Ok(self.cache.fill(chat, read))
    }

    /// Writes `change` for `chat` and waits until it is committed; nothing is
    /// written when the file holds it already.
    async fn write(&self, chat: ChatId, change: Change) -> Result<(), StateError> {
        if self.cache.holds(chat, &change) {
            return if change.is_some() { Ok(()) } else { Err(StateError::NotFound) };
        }
        let queued = self.cache.queue(chat, change.clone());
        let result = self.commits.write(chat, change).await;
        if result.is_ok() {
            queued.committed();
        }
        result
    }
}

impl Storage<ChatContext> for SqliteChats {
    type Error = StateError;

    fn remove_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<(), StateError>> {
        Box::pin(async move { self.write(chat, None).await })
    }

    fn update_dialogue(
        self: Arc<Self>,
        chat: ChatId,
        context: ChatContext,
    ) -> BoxFuture<'static, Result<(), StateError>> {
        Box::pin(async move { self.write(chat, Some(context)).await })
    }

    fn get_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<Option<ChatContext>, StateError>> {
        Box::pin(async move { self.read(chat).await })
    }
}

impl Commit for Transactions {
    async fn commit(&self, batch: &[(ChatId, Change)]) -> anyhow::Result<()> {
        let mut kept = Vec::with_capacity(batch.len());
        let mut removed = Vec::new();
        for (chat, change) in batch {
            match change {
                Some(context) => kept.push((chat.0, serde_json::to_vec(context).context("cannot encode a context")?)),
                None => removed.push(chat.0),
            }
        }
        let cannot = || format!("cannot write {} chat contexts to the state file", batch.len());
        let mut transaction = self.pool.begin().await.with_context(cannot)?;
        for rows in kept.chunks(ROWS_PER_STATEMENT) {
            let mut upsert = QueryBuilder::<Sqlite>::new("INSERT INTO teloxide_dialogues (chat_id, dialogue) ");
            upsert.push_values(rows, |mut row, (chat, json)| {
                row.push_bind(*chat).push_bind(json.as_slice());
            });
            upsert.push(" ON CONFLICT(chat_id) DO UPDATE SET dialogue = excluded.dialogue");
            // Each batch has its own number of rows: not worth a cached statement.
            upsert.build().persistent(false).execute(&mut *transaction).await.with_context(cannot)?;
        }
        for chats in removed.chunks(ROWS_PER_STATEMENT) {
            let mut delete = QueryBuilder::<Sqlite>::new("DELETE FROM teloxide_dialogues WHERE chat_id IN (");
            let mut list = delete.separated(", ");
            for chat in chats {
                list.push_bind(*chat);
            }
            list.push_unseparated(")");
            delete.build().persistent(false).execute(&mut *transaction).await.with_context(cannot)?;
        }
        transaction.commit().await.with_context(cannot)?;
        Ok(())
    }
}

impl Sweep {
    /// Deletes the rows expired at `now`, and evicts the chats whose context
    /// has expired from the cache; returns how many rows were deleted.
    ///
    /// # Errors
    /// The file cannot be written.
    pub async fn run(&self, now: u64) -> anyhow::Result<u64> {
        self.cache.evict(now);
        let cutoff = |ttl: u64| i64::try_from(now.saturating_sub(ttl)).unwrap_or(i64::MAX);
        let deleted = sqlx::query(DELETE_EXPIRED)
            .bind(cutoff(CONTEXT_TTL_SECS))
            .bind(cutoff(CHECK_TTL_SECS))
            .execute(&self.pool)
            .await
            .context("cannot delete the expired chat contexts")?
            .rows_affected();
        Ok(deleted)
    }

    /// Runs the sweep now and logs a failure; a failed sweep is tried again
    /// at the next one.
    async fn log_run(&self) {
        match self.run(now_secs()).await {
            Ok(0) => {}
            Ok(deleted) => tracing::debug!(deleted, "expired chat contexts deleted"),
            Err(error) => tracing::warn!(error = format!("{error:#}"), "expired chat contexts not deleted"),
        }
    }
}

impl Drop for Sweep {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().ok().and_then(|mut task| task.take()) {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::chats::ChatMemory;

    #[tokio::test]
    async fn the_sweep_deletes_expired_and_unreadable_rows_and_keeps_fresh_ones() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("chats.sqlite");
        let memory = ChatMemory::sqlite(&file).await.expect("an SQLite file opens");
        let context = |updated_at| ChatContext { topic: Some("safety".into()), updated_at, ..ChatContext::default() };
        let now = now_secs();
        memory.remember(ChatId(1), context(now - CONTEXT_TTL_SECS - 1)).await;
        memory.remember(ChatId(2), context(now - CONTEXT_TTL_SECS)).await;
        memory.remember(ChatId(3), context(now)).await;
        // A row written by something else: not JSON, or JSON without a time.
        let pool = SqlitePool::connect(&format!("sqlite:{}", file.display())).await.expect("the file opens");
        for (chat, dialogue) in [(4_i64, &b"\xff not json"[..]), (5, br#"{"topic":"safety"}"#)] {
            sqlx::query("INSERT INTO teloxide_dialogues VALUES (?, ?)")
                .bind(chat)
                .bind(dialogue)
                .execute(&pool)
                .await
                .expect("a row is inserted");
        }
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&pool).await.expect("a pragma");
        assert_eq!(mode, "wal");

        let deleted = memory.sweep(now).await.expect("the sweep runs");
        let left: Vec<i64> = sqlx::query_scalar("SELECT chat_id FROM teloxide_dialogues ORDER BY chat_id")
            .fetch_all(&pool)
            .await
            .expect("the rows are read");
        assert_eq!(left, [2, 3], "the fresh rows are kept");
        assert_eq!(deleted, 3);
        assert_eq!(memory.recall(ChatId(3), now).await, context(now));
        assert_eq!(memory.sweep(now).await.expect("the sweep runs again"), 0);

        // Opening the file deletes what expired while the bot was not running.
        memory.remember(ChatId(1), context(now - CONTEXT_TTL_SECS - 1)).await;
        drop(memory);
        let reopened = ChatMemory::sqlite(&file).await.expect("the file opens again");
        assert_eq!(reopened.sweep(now).await.expect("the sweep runs"), 0, "nothing left to delete");
        assert_eq!(reopened.recall(ChatId(2), now).await, context(now - CONTEXT_TTL_SECS));
    }

    #[tokio::test]
    async fn a_batch_of_writes_and_removals_is_one_transaction_that_a_reopened_file_reads_back() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("chats.sqlite");
        let memory = ChatMemory::sqlite(&file).await.expect("an SQLite file opens");
        let now = now_secs();
        let context =
            |chat: i64| ChatContext { topic: Some(format!("t{chat}")), updated_at: now, ..ChatContext::default() };
        // More chats than one statement takes, written at once, then half removed at once.
        let chats: Vec<i64> = (1..=2 * ROWS_PER_STATEMENT as i64 + 3).collect();
        futures::future::join_all(chats.iter().map(|&chat| memory.remember(ChatId(chat), context(chat)))).await;
        futures::future::join_all(chats.iter().filter(|chat| *chat % 2 == 0).map(|&chat| memory.forget(ChatId(chat))))
            .await;
        drop(memory);
        let reopened = ChatMemory::sqlite(&file).await.expect("the file opens again");
        for &chat in &chats {
            let expected = if chat % 2 == 0 { ChatContext::default() } else { context(chat) };
            assert_eq!(reopened.recall(ChatId(chat), now).await, expected, "chat {chat}");
        }
    }
}
