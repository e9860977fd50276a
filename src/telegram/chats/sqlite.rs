//! The chats' SQLite file: teloxide's [`SqliteStorage`] (table
//! `teloxide_dialogues`: `chat_id` and the context as JSON in `dialogue`), in
//! WAL mode, and a sweep that deletes the rows whose `updated_at` is older
//! than [`CONTEXT_TTL_SECS`] (and whose check, if any, is older than
//! [`CHECK_TTL_SECS`]), so a chat that goes silent leaves nothing behind.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use teloxide::dispatching::dialogue::serializer::Json;
use teloxide::dispatching::dialogue::{ErasedStorage, SqliteStorage, Storage};
use tokio::task::JoinHandle;

use crate::check::CHECK_TTL_SECS;
use crate::conversation::{CONTEXT_TTL_SECS, ChatContext, now_secs};

/// How often expired rows are deleted.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);

/// teloxide's table, created here too so the sweep never meets a file
/// without it (the same statement as `SqliteStorage::open`).
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS teloxide_dialogues (
    chat_id BIGINT PRIMARY KEY,
    dialogue BLOB NOT NULL
)";

/// Deletes the rows whose conversation is older than `?1` and whose check
/// (if any) is older than `?2` (seconds since the epoch), or that have no
/// time, or are not JSON at all (they could never be read).
const DELETE_EXPIRED: &str = "DELETE FROM teloxide_dialogues WHERE
    CASE WHEN json_valid(CAST(dialogue AS TEXT))
        THEN COALESCE(json_extract(CAST(dialogue AS TEXT), '$.updated_at'), 0) < ?1
            AND COALESCE(json_extract(CAST(dialogue AS TEXT), '$.check.updated_at'), 0) < ?2
        ELSE 1
    END";

/// The periodic sweep of one file; the task stops when this is dropped.
pub struct Sweep {
    pool: SqlitePool,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Sweep {
    /// Deletes the rows expired at `now`; returns how many.
    ///
    /// # Errors
    /// The file cannot be written.
    pub async fn run(&self, now: u64) -> anyhow::Result<u64> {
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
}

impl Sweep {
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

/// Opens (or creates) the file at `path` in WAL mode, where a write is one
/// append to the log rather than a rollback journal created and deleted,
/// deletes the rows that expired while the bot was not running, and starts
/// the sweep that runs every [`SWEEP_EVERY`].
///
/// # Errors
/// The file cannot be opened or created as an SQLite database.
pub async fn open(path: &Path) -> anyhow::Result<(Arc<ErasedStorage<ChatContext>>, Arc<Sweep>)> {
    let cannot_open = || format!("cannot open the chat state file {}", path.display());
    let name = path.to_str().with_context(|| format!("the state file {} is not UTF-8", path.display()))?;
    // WAL mode is kept in the file, so teloxide's own connections use it too.
    let options =
        SqliteConnectOptions::new().filename(path).create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.with_context(cannot_open)?;
    sqlx::query(CREATE_TABLE).execute(&pool).await.with_context(cannot_open)?;
    let storage = SqliteStorage::open(name, Json).await.with_context(cannot_open)?;
    let sweep = Arc::new(Sweep { pool, task: std::sync::Mutex::new(None) });
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

#[cfg(test)]
mod tests {
    use teloxide::types::ChatId;

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
}
