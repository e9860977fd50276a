//! Who asks what: the questions of the eval files dealt out to simulated users.
//! By default each user is alone in a supergroup of their own and writes
//! "@<bot> <question>" with a `mention` entity, so the bot answers as a reply
//! and every `sendMessage` names the question it answers
//! (`reply_parameters.message_id`). Message ids are unique across phases, so
//! a late reply to an earlier phase is never mistaken for a current one.
//!
//! With [`Chats::Private`] each user writes the bare question in a private
//! chat, where the bot reads and keeps the chat's context (its state storage
//! is used for every message) and answers without naming the question: the
//! n-th reply in a user's chat is counted as the answer to their n-th
//! question (every question of the eval files gets a one-message reply).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use serde::Deserialize;

use super::fake_bot_api::{BOT_USERNAME, unix_now};

/// Message ids of phase `n` start at `(n + 1) * PHASE_SPAN`; a phase holds at
/// most this many questions. Message ids are `i32` in teloxide.
const PHASE_SPAN: i64 = 1 << 24;

/// The most phases one fake API can tell apart (message ids stay below 2^31).
pub const MAX_PHASES: u32 = 120;

/// The eval files questions are drawn from: the project's own and, when
/// present, the shared set next to the repository.
pub fn eval_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [root.join("tests/eval/questions.toml"), root.join("../shared/eval/questions.toml")]
        .into_iter()
        .filter(|path| path.is_file())
        .collect()
}

#[derive(Deserialize)]
struct EvalFile {
    #[serde(default)]
    case: Vec<EvalCase>,
}

#[derive(Deserialize)]
struct EvalCase {
    q: String,
}

/// Every question (`q`) of `files`, in order.
///
/// # Errors
/// A file cannot be read or parsed, or there is no question at all.
pub fn load_questions(files: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut questions = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let file: EvalFile = toml::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))?;
        questions.extend(file.case.into_iter().map(|case| case.q));
    }
    anyhow::ensure!(!questions.is_empty(), "no questions in {files:?}");
    Ok(questions)
}

/// Where the users write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chats {
    /// Each in a supergroup of their own, mentioning the bot: no chat state.
    #[default]
    Groups,
    /// Each in a private chat with the bot: the chat's state is read and kept.
    Private,
}

/// The questions of one phase: `users` users asking `per_user` questions each.
#[derive(Clone)]
pub struct Plan {
    questions: Arc<[String]>,
    users: usize,
    per_user: usize,
    first_message_id: i64,
    chats: Chats,
}

/// One question of a plan: user `user`'s question number `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// The user, from 0.
    pub user: usize,
    /// The question number, from 0.
    pub index: usize,
}

impl Plan {
    /// The plan of phase `phase` (ids unique per phase).
    ///
    /// # Panics
    /// If the phase holds more than 2^24 questions or `phase >= MAX_PHASES`:
    /// a harness misconfiguration, not an input error.
    pub fn new(questions: Arc<[String]>, users: usize, per_user: usize, phase: u32, chats: Chats) -> Plan {
        assert!(phase < MAX_PHASES, "at most {MAX_PHASES} phases per fake API");
        assert!(users * per_user < PHASE_SPAN as usize, "at most 2^24 questions per phase");
        assert!(!questions.is_empty(), "a plan needs questions");
        Plan { questions, users, per_user, first_message_id: (i64::from(phase) + 1) * PHASE_SPAN, chats }
    }

    /// Where the users write.
    pub fn chats(&self) -> Chats {
        self.chats
    }

    /// The user whose private chat is `chat`, if it is one of the plan's.
    pub fn user_of_private_chat(&self, chat: i64) -> Option<usize> {
        usize::try_from(chat - user_id(0)).ok().filter(|user| *user < self.users)
    }

    /// The number of users.
    pub fn users(&self) -> usize {
        self.users
    }

    /// Questions per user.
    pub fn per_user(&self) -> usize {
        self.per_user
    }

    /// The number of questions in the plan.
    pub fn total(&self) -> usize {
        self.users * self.per_user
    }

    /// The ledger slot of a turn.
    pub fn slot(&self, turn: Turn) -> usize {
        turn.user * self.per_user + turn.index
    }

    /// The turn of a ledger slot.
    pub fn turn(&self, slot: usize) -> Turn {
        Turn { user: slot / self.per_user, index: slot % self.per_user }
    }

    /// The turn after `turn` for the same user, if any.
    pub fn next(&self, turn: Turn) -> Option<Turn> {
        (turn.index + 1 < self.per_user).then_some(Turn { index: turn.index + 1, ..turn })
    }

    /// The id of the message that asks `turn`.
    pub fn message_id(&self, turn: Turn) -> i64 {
        self.first_message_id + self.slot(turn) as i64
    }

    /// The slot a replied-to message id belongs to, if it is one of this plan's
    /// questions asked in `chat`.
    pub fn slot_of_reply(&self, chat: i64, message_id: i64) -> Option<usize> {
        let slot = usize::try_from(message_id - self.first_message_id).ok().filter(|slot| *slot < self.total())?;
        (chat_id(self.turn(slot).user) == chat).then_some(slot)
    }

    /// What user `turn.user` asks at `turn.index`: users start at different
    /// questions and walk through all of them.
    pub fn question(&self, turn: Turn) -> &str {
        &self.questions[(turn.user * 17 + turn.index) % self.questions.len()]
    }

    /// The `Message` JSON object that asks `turn`: "@bot question" in the
    /// user's supergroup, with the mention entity (its length in UTF-16 units),
    /// or the bare question in the user's private chat.
    pub fn message_json(&self, turn: Turn) -> String {
        if self.chats == Chats::Private {
            // A string always serialises to JSON.
            let text = serde_json::to_string(self.question(turn)).unwrap_or_default();
            let (user, from) = (turn.user, user_id(turn.user));
            return format!(
                concat!(
                    r#"{{"message_id":{id},"date":{date},"chat":{{"id":{from},"type":"private","first_name":"User {user}"}},"#,
                    r#""from":{{"id":{from},"is_bot":false,"first_name":"User {user}","language_code":"en"}},"text":{text}}}"#
                ),
                id = self.message_id(turn),
                date = unix_now(),
                from = from,
                user = user,
                text = text,
            );
        }
        let mention = format!("@{BOT_USERNAME}");
        let text = format!("{mention} {}", self.question(turn));
        // A string always serialises to JSON.
        let text = serde_json::to_string(&text).unwrap_or_default();
        let user = turn.user;
        format!(
            concat!(
                r#"{{"message_id":{id},"date":{date},"chat":{{"id":{chat},"type":"supergroup","title":"Load {user}"}},"#,
                r#""from":{{"id":{from},"is_bot":false,"first_name":"User {user}","language_code":"en"}},"#,
                r#""text":{text},"entities":[{{"type":"mention","offset":0,"length":{length}}}]}}"#
            ),
            id = self.message_id(turn),
            date = unix_now(),
            chat = chat_id(user),
            user = user,
            from = user_id(user),
            text = text,
            length = mention.encode_utf16().count(),
        )
    }
}

/// The supergroup of user `user`.
pub fn chat_id(user: usize) -> i64 {
    -1_000_000_000_000 - user as i64
}

/// The Telegram user id of user `user`.
pub fn user_id(user: usize) -> i64 {
    1_000_000 + user as i64
}
