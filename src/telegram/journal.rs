//! The polling journal: the updates fetched and not yet answered, on disk, so a
//! bot that is killed while answering answers them after a restart.
//!
//! `getUpdates` confirms every update below its offset, and a confirmed update
//! is never delivered again. So each batch is appended here *before* the next
//! call confirms it, and "done" markers follow as updates are handled. On start
//! the journal is read back: fetched but not done is answered again (at least
//! once; a reply sent just before a kill, whose marker was not written yet, is
//! sent twice). The file is rewritten with only the unanswered updates when it
//! grows, emptied as soon as nothing is unanswered, and removed when the bot
//! stops with nothing unanswered.
//!
//! One JSON object per line: `{"fetched": <update>}`, `{"done": <update id>}`,
//! or `{"seen": <update id>}`, the highest id fetched, which is all an emptied
//! journal keeps. The file holds people's messages only for the seconds they
//! take to answer, and is created readable by its owner only.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use teloxide::types::Update;

/// Rewrite the file once it is larger than this.
const COMPACT_BYTES: u64 = 1 << 20;

/// What the journal held from the last run.
#[derive(Debug, Default)]
pub struct Replay {
    /// Fetched and never marked done, oldest first.
    pub unanswered: Vec<Update>,
    /// The highest update id fetched, answered or not.
    pub last_fetched: Option<u32>,
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    written: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Entry<T> {
    Fetched(T),
    Done(u32),
    Seen(u32),
}

impl Journal {
    /// Opens (or creates) the journal at `path` and returns what it holds from
    /// the last run: the updates fetched and never marked done, oldest first, and
    /// the highest update id fetched (answered or not), so updates the Bot API
    /// sends again are not answered twice. Lines that cannot be read (a write
    /// cut short) are skipped.
    ///
    /// # Errors
    /// The file cannot be read, created or rewritten.
    pub fn open(path: &Path) -> io::Result<(Journal, Replay)> {
        let mut unanswered: BTreeMap<u32, Update> = BTreeMap::new();
        let mut last_fetched = None;
        match File::open(path) {
            Ok(file) => {
                for line in BufReader::new(file).lines() {
                    match serde_json::from_str::<Entry<Update>>(&line?) {
                        Ok(Entry::Fetched(update)) => {
                            last_fetched = last_fetched.max(Some(update.id.0));
                            unanswered.insert(update.id.0, update);
                        }
                        Ok(Entry::Done(id)) => {
                            unanswered.remove(&id);
                        }
                        Ok(Entry::Seen(id)) => last_fetched = last_fetched.max(Some(id)),
                        Err(_) => tracing::warn!("skipped an unreadable line of the polling journal"),
                    }
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        let updates: Vec<Update> = unanswered.into_values().collect();
        let mut journal = Journal { path: path.to_path_buf(), file: create_private(path)?, written: 0 };
        let kept: Vec<(u32, String)> =
            updates.iter().filter_map(|u| serde_json::to_string(u).ok().map(|json| (u.id.0, json))).collect();
        journal.rewrite(&kept, last_fetched)?;
        Ok((journal, Replay { unanswered: updates, last_fetched }))
    }

    /// Appends fetched updates (id and JSON) and done markers in one write.
    ///
    /// # Errors
    /// The write fails (disk full, file removed).
    pub fn record(&mut self, fetched: &[(u32, String)], done: &[u32]) -> io::Result<()> {
        if fetched.is_empty() && done.is_empty() {
            return Ok(());
        }
        let mut buffer = String::new();
        for (_, json) in fetched {
            buffer.push_str("{\"fetched\":");
            buffer.push_str(json);
            buffer.push_str("}\n");
        }
        for id in done {
            buffer.push_str(&format!("{{\"done\":{id}}}\n"));
        }
        self.file.write_all(buffer.as_bytes())?;
        self.written += buffer.len() as u64;
        Ok(())
    }

    /// Whether the file has grown enough to be rewritten.
    pub fn wants_compaction(&self) -> bool {
        self.written > COMPACT_BYTES
    }

    /// Rewrites the file with only `unanswered` (id and JSON) and the highest
    /// id fetched, atomically.
    ///
    /// # Errors
    /// The new file cannot be written or renamed.
    pub fn rewrite(&mut self, unanswered: &[(u32, String)], seen: Option<u32>) -> io::Result<()> {
        let fresh = self.path.with_extension("journal.new");
        let mut file = create_private(&fresh)?;
        let mut lines = seen.map(seen_line).unwrap_or_default();
        for (_, json) in unanswered {
            lines.push_str(&format!("{{\"fetched\":{json}}}\n"));
        }
        file.write_all(lines.as_bytes())?;
        fs::rename(&fresh, &self.path)?;
        self.file = file;
        self.written = lines.len() as u64;
        Ok(())
    }

    /// Empties the file, nothing being unanswered, keeping only the highest id
    /// fetched: no message stays on disk longer than it takes to answer.
    ///
    /// # Errors
    /// The file cannot be truncated or written.
    pub fn clear(&mut self, seen: u32) -> io::Result<()> {
        let line = seen_line(seen);
        // The file is opened to append: after truncating, writing starts at 0.
        self.file.set_len(0)?;
        self.file.write_all(line.as_bytes())?;
        self.written = line.len() as u64;
        Ok(())
    }

    /// Removes the file: nothing is left to answer.
    ///
    /// # Errors
    /// The file cannot be removed.
    pub fn remove(self) -> io::Result<()> {
        fs::remove_file(&self.path)
    }
}

fn seen_line(id: u32) -> String {
    format!("{{\"seen\":{id}}}\n")
}

/// Creates (emptying) a file only its owner can read and write, to append to.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    file.set_len(0)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn update(id: u32, text: &str) -> (u32, String) {
        let value = json!({"update_id": id, "message": {"message_id": id, "date": 1_700_000_000,
            "chat": {"id": 7, "type": "private", "first_name": "A"},
            "from": {"id": 7, "is_bot": false, "first_name": "A"}, "text": text}});
        (id, value.to_string())
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hypnic-journal-test-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir.join("bot.journal")
    }

    #[test]
    fn what_was_fetched_and_not_done_comes_back() {
        let path = scratch("replay");
        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert!(replay.unanswered.is_empty());
        assert_eq!(replay.last_fetched, None);
        journal.record(&[update(1, "a"), update(2, "b"), update(3, "c")], &[]).unwrap();
        journal.record(&[], &[2]).unwrap();
        drop(journal); // killed here
        let (journal, replay) = Journal::open(&path).unwrap();
        let ids: Vec<u32> = replay.unanswered.iter().map(|u| u.id.0).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(replay.last_fetched, Some(3));
        drop(journal);
        let (journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.unanswered.len(), 2, "opening keeps what is unanswered");
        journal.remove().unwrap();
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_line_cut_short_is_skipped() {
        let path = scratch("cut");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.record(&[update(5, "x")], &[]).unwrap();
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"fetched\":{\"update_id\":6,\"mess").unwrap();
        drop(file);
        let (journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.unanswered.iter().map(|u| u.id.0).collect::<Vec<_>>(), [5]);
        journal.remove().unwrap();
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn compaction_keeps_only_the_unanswered() {
        let path = scratch("compact");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.record(&[update(1, "a"), update(2, "b")], &[1]).unwrap();
        journal.rewrite(&[update(2, "b")], Some(2)).unwrap();
        journal.record(&[update(3, "c")], &[]).unwrap();
        drop(journal);
        let (journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.unanswered.iter().map(|u| u.id.0).collect::<Vec<_>>(), [2, 3]);
        journal.remove().unwrap();
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn an_emptied_journal_keeps_no_message_but_remembers_the_last_id() {
        let path = scratch("clear");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.record(&[update(7, "my private question"), update(8, "another")], &[7]).unwrap();
        journal.clear(8).unwrap();
        let kept = fs::read_to_string(&path).unwrap();
        assert_eq!(kept, "{\"seen\":8}\n");
        journal.record(&[update(9, "later")], &[]).unwrap();
        drop(journal);
        let (journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.unanswered.iter().map(|u| u.id.0).collect::<Vec<_>>(), [9]);
        assert_eq!(replay.last_fetched, Some(9));
        drop(journal);
        let (journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.last_fetched, Some(9), "reopening keeps the last id");
        journal.remove().unwrap();
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_can_read_it() {
        use std::os::unix::fs::PermissionsExt;
        let path = scratch("mode");
        let (journal, _) = Journal::open(&path).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        journal.remove().unwrap();
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
